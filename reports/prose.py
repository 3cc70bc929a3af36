"""What an agency's stored segment says, in the report's words: chat wording removed, the
results, the difficulties and the recommendations told apart.

A segment is what the reply parser stored for one task (``report_entry.text``); a one-line
message on several tasks is one segment stored on each of them. :func:`read` turns it into
:class:`Said`:

- **chat wording removed**: greetings and salutations ("Dạ,", "Kính gửi Sở Tư pháp,", "em xin
  báo cáo:", "ạ", "Trân trọng"), the agency's self-introduction ("Ban Dân tộc tỉnh báo cáo quý
  I năm 2024 như sau:"), a correction's preamble ("Xin sửa lại số liệu …", "(số liệu gửi trước
  bị nhầm)"), the task references that open it ("NV1, NV4 (phối hợp):", "3. Kiện toàn tổ
  chức:") and the status and percent that the report states in its own words ("đang thực
  hiện 70%,");
- **clauses told apart**: the text is cut at sentence ends, and within a sentence at the
  comma or semicolon where a difficulty ("vướng …", "khó khăn …", "thiếu …", "còn hạn chế …"),
  a recommendation ("kiến nghị", "đề nghị", "đề xuất") or a request for more time ("đề nghị
  gia hạn đến 30/3") begins; a comma inside a result ("theo chức năng, nhiệm vụ") stays;
- requests for more time are dropped: they are Sở Tư pháp's business (the extension part of
  the report), not a result, a difficulty or a recommendation to the Ban Chỉ đạo.

Figures stay in the words as the agency wrote them. Pure functions, no database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# A request for more time (bot.extensions reads it): not a result, a difficulty or a
# recommendation. Folded text.
_EXTENSION = re.compile(
    r"(?<![a-z])(?:de nghi|xin|kien nghi|de xuat|mong|cho phep)(?:\s+(?:cho|duoc|phep))*\s+gia han(?![a-z])|^\s*gia han(?![a-z])"
)
# Characters XML 1.0 (Word, Excel) cannot hold; a chat message may carry them.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the control characters a .docx or .xlsx cannot contain."""
    return _NOT_XML.sub("", text)


def is_extension_request(text: str) -> bool:
    """Whether a clause asks for more time ("đề nghị gia hạn đến 30/3", "xin gia hạn")."""
    return _EXTENSION.search(" ".join(_fold_chars(text).split())) is not None


_D = str.maketrans({"đ": "d", "Đ": "D"})


class _FoldTable(dict):  # type: ignore[type-arg]
    """Code point → its folded character, computed once per character seen: ``str.translate``
    asks it for each character (normalising every character of every segment anew was most of
    the report's time for a large province)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        base = unicodedata.normalize("NFD", ch.translate(_D))
        stripped = "".join(c for c in base if not unicodedata.combining(c)).lower()
        self[code] = folded = stripped[:1] or ch
        return folded


_FOLD = _FoldTable()


def _fold_chars(text: str) -> str:
    """``text`` folded character by character (same length, same positions): lower case, no
    diacritics. Regexes run on it and cut the original at the same places."""
    return text.translate(_FOLD)


# Openings a focal point writes before the report itself (folded). Each is removed from the
# start, repeatedly: "Dạ, kính gửi Sở Tư pháp, em xin báo cáo:" goes in three steps.
_OPENINGS = re.compile(
    r"^(?:"
    r"(?:da|vang|thua|kinh thua)(?:\s+(?:a|em|anh|chi))*\s*[,.!:]\s*"
    r"|(?:em\s+)?(?:xin\s+)?chao\s+(?:anh|chi|cac|so|dong chi)[^,.!:;]{0,40}[,.!:;]\s*"
    r"|kinh\s+gui\s*:?\s*[^,.:;]{1,80}[,.:;]\s*"
    r"|(?:(?:em|toi|chung toi|don vi|co quan|ben em)\s+)?(?:xin\s+)?(?:gui\s+)?(?:bao\s+cao|bc)(?:\s+(?:nhu\s+sau|ket\s+qua|tinh\s+hinh))?\s*[:,.\-–]\s*"
    r"|(?:xin\s+|em\s+xin\s+)?(?:sua|dieu chinh|cap nhat|dinh chinh)\s+(?:lai\s+)?(?:so lieu|noi dung|bao cao|thong tin)?\s*(?=nv|nhiem vu|\d|:)"
    r")"
)
# "<the agency> báo cáo quý I năm 2024 như sau:" — the self-introduction, up to its colon.
_INTRODUCTION = re.compile(r"^[^:]{0,160}?\bbao\s+cao\b[^:]{0,80}:\s*")
_INTRODUCTION_WORDS = re.compile(r"\b(?:quy|thang|nam|ky|nhu sau|ket qua|tinh hinh|gui|xin)\b")
# Task references opening a segment: "NV1, NV4, NV6 (phối hợp):", "Nhiệm vụ 4 -", "NV1a:",
# and a report's own numbered heading "3. Kiện toàn tổ chức:" (its words are the plan's).
_TASKS = re.compile(
    r"^(?:(?:nv|nhiem\s+vu)\s*(?:so\s*)?\.?\s*\d{1,2}[a-z]?(?:\s*(?:,|;|&|/|va)\s*)?)+"
    r"(?:\s*\([^)]{0,40}\))?\s*[:.)\-–]\s*"
)
_HEADING = re.compile(r"^\d{1,2}[a-z]?\s*[.)]\s*[^:.;]{2,80}:\s*")
# Status and percent at the start ("đang thực hiện 70%,", "hoàn thành,"): the report says them.
_STATUS = re.compile(
    r"^(?:(?:da\s+)?(?:hoan\s+thanh|xong)|dang\s+(?:thuc\s+hien|trien\s+khai)|chua\s+(?:trien\s+khai|thuc\s+hien)"
    r"|khong\s+phat\s+sinh|ht|dang\s+th)\s*(?:(?:duoc|dat|khoang)\s*)?(?:\d{1,3}\s*%)?\s*(?:[,;:.\-–]\s*|$)"
    r"|^\d{1,3}\s*%\s*(?:[,;:.\-–]\s*|$)"
)
# Closings: "ạ", "Trân trọng.", "Em cảm ơn", "(số liệu gửi trước bị nhầm)".
_CLOSINGS = re.compile(
    r"(?:[\s,.]+(?:a|a a|a nhe|nhe|nha)[\s.!]*"
    r"|[\s,.;]*\b(?:tran trong|(?:em )?(?:xin )?cam on\b[^.]{0,30}|thanks?)[\s.!]*"
    r"|\s*\((?=[^)]{0,100}\)[\s.!]*\Z)[^)]*(?:nham|sai sot|gui truoc|thay the|sua lai|dinh chinh)[^)]*\)[\s.!]*)\Z"
)

# What opens a difficulty clause, folded.
_DIFFICULTY = re.compile(
    r"^(?:(?:nhung|tuy nhien|song|hien|van|dang)\s*,?\s*)*(?:con\s+|gap\s+|bi\s+|do\s+)?"
    r"(?:vuong(?:\s+mac)?|kho\s+khan|thieu|han\s+che|bat\s+cap|chua\s+(?:duoc\s+)?(?:bo\s+tri|cap|giao|ban\s+hanh)|chua\s+co\s+(?:kinh\s+phi|bien\s+che|huong\s+dan))(?![a-z])"
)
_RECOMMENDATION = re.compile(r"(?<![a-z])(?:kien nghi|de nghi|de xuat)(?![a-z])")
# A clause that reports something done opens a result again after a difficulty.
_ACTION = re.compile(r"^(?:da|dang|hoan thanh|tiep tuc|to chuc|ban hanh|trien khai)(?![a-z])")
# Within a sentence, the parts between commas and semicolons; "1,5 tỷ đồng" is one number.
_PARTS = re.compile(r"(?<=;)\s*|(?<=,)(?!\d)\s*")
_SENTENCES = re.compile(r"(?:[;!?\n]+|\.(?![0-9]))\s*")


@dataclass(frozen=True)
class Said:
    """A segment's content in the report's words: each part a clause without final punctuation."""

    results: tuple[str, ...]
    difficulties: tuple[str, ...]
    recommendations: tuple[str, ...]

    @property
    def result(self) -> str:
        """The results as one sentence (``""`` when the segment states none)."""
        return sentence("; ".join(self.results)) if self.results else ""


def strip_chat(text: str) -> str:
    """``text`` without greetings, self-introduction, task references and leading status."""
    text = " ".join(unicodedata.normalize("NFC", xml_safe(text)).split())
    for _ in range(8):  # each opening at most once per round; a few rounds suffice
        folded = _fold_chars(text)
        match = _OPENINGS.match(folded) or _TASKS.match(folded) or _STATUS.match(folded) or _HEADING.match(folded)
        if match is None:
            intro = _INTRODUCTION.match(folded)
            if intro is not None and _INTRODUCTION_WORDS.search(intro.group(0)) and not re.search(r"\d+\s*(?:%|vu|hoi nghi|van ban)", intro.group(0)):
                match = intro
        if match is None or match.end() == 0:
            break
        text = text[match.end() :].lstrip(" ,;:.-–")
    for _ in range(3):
        # Closings are at the end: search the last characters only (a search anchored at the
        # end still tries every position of a long text).
        offset = max(0, len(text) - 120)
        match = _CLOSINGS.search(_fold_chars(text[offset:]))
        if match is None or match.start() == match.end():
            break
        text = text[: offset + match.start()].rstrip()
    return text.strip(" ,;:-–")


@lru_cache(maxsize=65536)
def read(text: str) -> Said:
    """The clauses of a stored segment, told apart (see the module docstring)."""
    body = strip_chat(text)
    results: list[str] = []
    difficulties: list[str] = []
    recommendations: list[str] = []
    for raw in _SENTENCES.split(body):
        raw = raw.strip(" ,;:-–")
        if not raw:
            continue
        clauses: list[tuple[str, str]] = []  # (kind, text)
        for part in _PARTS.split(raw):
            piece = part.strip()
            if not piece:
                continue
            bare = piece.rstrip(",; ")
            folded = _fold_chars(bare)
            if _STATUS.fullmatch(folded + ","):
                continue  # "…, đang thực hiện 45%, …": the report states the status itself
            if is_extension_request(bare):
                kind = "extension"
            elif _RECOMMENDATION.match(folded) or (clauses and clauses[-1][0] == "recommendation"):
                kind = "recommendation"  # a recommendation runs to the end of its sentence
            elif _DIFFICULTY.match(folded):
                kind = "difficulty"
            elif clauses and clauses[-1][0] != "extension" and not (clauses[-1][0] == "difficulty" and _ACTION.match(folded)):
                kind = clauses[-1][0]  # "theo chức năng, nhiệm vụ": the same clause goes on
            else:
                kind = "result"
            if clauses and clauses[-1][0] == kind and kind != "extension":
                clauses[-1] = (kind, clauses[-1][1] + " " + piece)
            else:
                clauses.append((kind, piece))
        for kind, clause in clauses:
            clause = clause.strip(" ,;:-–")
            clause = strip_chat(clause) if kind == "result" else clause
            if not clause or kind == "extension":
                continue
            {"result": results, "difficulty": difficulties, "recommendation": recommendations}[kind].append(clause)
    return Said(tuple(results), tuple(difficulties), tuple(recommendations))


def sentence(text: str) -> str:
    """Capitalised, one final full stop."""
    text = text.strip(" ,;:-–")
    if not text:
        return ""
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def key(text: str) -> str:
    """What makes two sentences the same sentence: folded, punctuation-insensitive."""
    return " ".join(re.sub(r"[^\w%/]+", " ", _fold_chars(text)).split())


__all__ = ["Said", "is_extension_request", "key", "read", "sentence", "strip_chat", "xml_safe"]
