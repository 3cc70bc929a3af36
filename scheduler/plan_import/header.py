"""The plan's identity from the text before its first section: number, date, issuer, title,
signer, province — in the formal layout (Nghị định 30/2020: issuing body and "Số: …" on the
left, "<place>, ngày … tháng … năm …" on the right, "KẾ HOẠCH" and the title below) and in the
news layout of the seed ("Ngày 30/1/2024, … ký ban hành Kế hoạch số 124-KH/BCSĐ của …")."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from common.text import fold

_NUMBER = re.compile(r"(?i)\bsố\s*:?\s*(\d+\s*[-/]\s*[A-ZĐ][A-ZĐa-zđ0-9/\-]*)")
_DATE_WORDS = re.compile(r"(?i)ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})")
_DATE_SLASH = re.compile(r"(?i)\bngày\s+(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})")
_PLACE = re.compile(r"^(?P<place>[A-ZĐÂ][^,\d]{1,40}),\s*ngày\s+\d")
_NOT_ISSUER = ("cong hoa xa hoi chu nghia viet nam", "doc lap - tu do - hanh phuc", "dang cong san viet nam", "ke hoach")


@dataclass
class Header:
    number: str | None = None
    date: dt.date | None = None
    issuer: str | None = None
    title: str | None = None
    signer: str | None = None
    province: str | None = None
    source: str | None = None


def _date(match: re.Match[str]) -> dt.date | None:
    day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _caps(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


def sentence_case(text: str, province: str | None) -> str:
    """"ỦY BAN NHÂN DÂN TỈNH NINH THUẬN" → "Ủy ban nhân dân tỉnh Ninh Thuận"."""
    words = []
    for word in text.split():
        keep = word.isupper() and not re.search(r"[AEIOUYĂÂÊÔƠƯÁÀẢÃẠẮẰẲẴẶẤẦẨẪẬÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ]", word)
        words.append(word if keep else word.lower())  # "UBND", "HĐND" stay
    out = " ".join(words)
    if province:
        out = re.sub(re.escape(province.lower()), province, out)
    return out[0].upper() + out[1:] if out else out


def read_header(paragraphs: list[str], known_province: str | None) -> Header:
    head = Header()
    joined = " ".join(paragraphs)
    number = _NUMBER.search(joined)
    if number:
        head.number = re.sub(r"\s+", "", number.group(1)).rstrip(".,;")
    for pattern in (_DATE_WORDS, _DATE_SLASH):
        match = pattern.search(joined)
        if match and _date(match):
            head.date = _date(match)
            break
    for paragraph in paragraphs:
        place = _PLACE.match(paragraph)
        if place and not fold(place["place"]).startswith(("ngay", "so ")):
            head.province = place["place"].strip()
            break
    if head.province is None:
        province = re.search(r"\b(?:tỉnh|TỈNH)\s+((?:[A-ZĐ][^\s,.;:]*\s?){1,3})", joined)
        if province and province.group(1).strip() and not fold(province.group(1)).startswith(("uy", "doan")):
            head.province = province.group(1).strip()
    head.province = head.province or known_province
    # Formal layout: the caps lines above "Số: …" are the issuing bodies (the last is the issuer).
    bodies = []
    for paragraph in paragraphs:
        if _NUMBER.search(paragraph) or _DATE_WORDS.search(paragraph):
            break
        if _caps(paragraph) and fold(paragraph) not in _NOT_ISSUER and len(paragraph) < 90:
            bodies.append(paragraph)
    if bodies:
        issuer = bodies[-1].strip("-* ")
        # "ỦY BAN NHÂN DÂN" over "TỈNH NINH THUẬN" is one name on two lines.
        if len(bodies) > 1 and fold(issuer).startswith(("tinh ", "huyen ", "thanh pho ", "xa ", "phuong ")):
            issuer = f"{bodies[-2].strip('-* ')} {issuer}"
        head.issuer = sentence_case(issuer, head.province)
    else:
        first = paragraphs[0] if paragraphs else ""
        news = re.search(r"^(?P<issuer>[^,.]{3,80}?)\s+(?:đã\s+)?ban hành\s+(?P<title>Kế hoạch[^.]*?)(?:\.|$|,\s*cụ thể)", first)
        of = re.search(r"(?i)kế hoạch số\s*\S+\s+của\s+(?P<issuer>.+?)\s+(?:về|ban hành|triển khai)\s+(?P<title>[^.]*?)(?:,\s*cụ thể|\.|:|$)", joined)
        if news:
            head.issuer, head.title = news["issuer"], news["title"]
        elif of:
            head.issuer, head.title = of["issuer"], of["title"]
        if head.issuer and head.province and fold(head.issuer).endswith("tinh"):
            head.issuer = f"{head.issuer} {head.province}"
    if head.title is None:
        for index, paragraph in enumerate(paragraphs):
            if fold(paragraph) == "ke hoach" and index + 1 < len(paragraphs):
                title = [paragraphs[index + 1]]
                # A title of two lines: the second neither starts a basis ("Căn cứ …") nor ends one.
                nxt = paragraphs[index + 2] if index + 2 < len(paragraphs) else ""
                if nxt and not fold(nxt).startswith(("can cu", "thuc hien", "-", "_")) and len(nxt) < 120 and not nxt.endswith((".", ";", ":")):
                    title.append(nxt)
                head.title = " ".join(title).strip(" -_")
                break
    signer = re.search(r"(?i)đồng chí\s+(.+?)\s+đã\s+ký", joined)
    if signer:
        head.signer = signer.group(1).strip(" ,")
    return head
