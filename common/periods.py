"""Reporting periods (kỳ báo cáo): their codes, their Vietnamese names, and the words people
use for them.

One vocabulary for the chat, the command line and the reply parser: "Q1", "2024-Q1",
"quý I", "quy 1", "6 tháng", "06 tháng đầu năm", "6 tháng cuối năm", "9 tháng", "cả năm",
"năm 2024", "tháng 5", "T5", "H1", "H2", "M05", "FY"… all read the same way, with or without
diacritics. Whether a plan *has* the period is
checked elsewhere (``reports.status.parse_period``), against the plan.
"""

from __future__ import annotations

import re

from common.text import fold

# The reporting periods a plan may name. The seed plan uses Q1/H1/9M/FY; quarters, the second
# half-year ("06 tháng cuối năm", the half-yearly scheme "trước ngày 15/6 và 15/12") and the
# months ("báo cáo tháng 5 năm 2025", the monthly scheme "trước ngày 20 hằng tháng") are the
# other schemes plans use.
PERIOD_NAMES: dict[str, str] = {
    "Q1": "quý I",
    "Q2": "quý II",
    "Q3": "quý III",
    "Q4": "quý IV",
    "H1": "06 tháng",
    "H2": "06 tháng cuối năm",
    "9M": "09 tháng",
    "FY": "năm",
    **{f"M{m:02d}": f"tháng {m}" for m in range(1, 13)},
}

# Codes in the order of the year they cover (the months, then the periods ending with a
# quarter): sorting a plan's periods or a year's keys by it puts them in calendar order.
_ORDER = [
    "M01", "M02", "M03", "Q1", "M04", "M05", "M06", "Q2", "H1", "M07", "M08", "M09", "Q3", "9M",
    "M10", "M11", "M12", "Q4", "H2", "FY",
]


def code_order(code: str) -> int:
    """Where a period code comes in its year (unknown codes last)."""
    return _ORDER.index(code) if code in _ORDER else len(_ORDER)


def key_order(key: str) -> tuple[int, int, str]:
    """A sort key for period keys (``2024-9M`` before ``2024-FY`` before ``2025-M01``)."""
    found = split_key(key)
    if found is None:
        return (0, len(_ORDER), key)
    return (found[0], code_order(found[1]), key)

_KEY = re.compile(r"^(\d{4})-([0-9A-Za-z]+)$")
_QUARTERS = {"1": "Q1", "i": "Q1", "2": "Q2", "ii": "Q2", "3": "Q3", "iii": "Q3", "4": "Q4", "iv": "Q4"}


def period_label(name: str, year: int) -> str:
    """"quý I năm 2024", "06 tháng năm 2024", "tháng 5 năm 2025"; the yearly period is just
    "năm 2024", and a name ending in "năm" takes the year alone ("06 tháng cuối năm 2025")."""
    return f"{name} {year}" if name == "năm" or name.endswith(" năm") else f"{name} năm {year}"


def period_key(year: int, code: str) -> str:
    """The key used everywhere: ``2024-Q1``."""
    return f"{year}-{code}"


def split_key(key: str) -> tuple[int, str] | None:
    """``"2024-Q1"`` → ``(2024, "Q1")``; ``None`` when it is not a key."""
    match = _KEY.match(key.strip())
    return (int(match.group(1)), match.group(2).upper()) if match else None


def _code(text: str, *, has_year: bool, whole: bool) -> str | None:
    text = re.sub(r"^(?:ky|trong ky) (?:bao cao )?", "", text).strip()
    text = re.sub(r"^bao cao ", "", text).strip()
    if text in ("q1", "q2", "q3", "q4", "h1", "h2", "9m", "fy"):
        return text.upper()
    # A month: "tháng 5", "thang 05", "T5", "M05" (not "5 tháng", which is no period).
    match = re.fullmatch(r"(?:thang|t|m)\s*(0?[1-9]|1[0-2])", text)
    if match:
        return f"M{int(match.group(1)):02d}"
    if re.fullmatch(
        r"(?:0?6|sau)\s*(?:thang|t)\s*(?:cuoi|sau)(?:\s*nam)?|6\s*thang\s*cuoi|nua\s*nam\s*(?:cuoi|sau)", text
    ):
        return "H2"
    match = re.fullmatch(r"quy\s*(1|2|3|4|i|ii|iii|iv)", text)
    if match:
        return _QUARTERS[match.group(1)]
    if re.fullmatch(r"(?:0?6|sau)\s*(?:thang|t)(?:\s*dau\s*nam)?|6th|nua\s*nam|6\s*thang\s*dau", text):
        return "H1"
    if re.fullmatch(r"(?:0?9|chin)\s*(?:thang|t)(?:\s*dau\s*nam)?|9th", text):
        return "9M"
    if text in ("ca nam", "nam", "tong ket nam", "hang nam") and (has_year or whole or text != "nam"):
        return "FY"
    return None


def parse_words(text: str, *, whole: bool = True) -> tuple[int | None, str] | None:
    """``(year or None, code)`` for what a person typed, or ``None`` when it names no period.

    ``whole``: the text is everything the person typed, so a bare "năm" means the year's
    period; inside a longer phrase ("UBND huyện Thuận Nam") it does not.
    """
    folded = fold(text).strip(" .,:;")
    if not folded:
        return None
    key = split_key(folded.upper())
    if key is not None and key[1] in PERIOD_NAMES:
        return key
    year: int | None = None
    match = re.fullmatch(r"(\d{4})\s*[-/ ]\s*(.+)", folded)
    if match:
        year, folded = int(match.group(1)), match.group(2)
    else:
        match = re.fullmatch(r"(.+?)\s*[-/ ]\s*(?:nam\s+)?(\d{4})", folded)
        if match:
            folded, year = match.group(1), int(match.group(2))
        elif re.fullmatch(r"nam\s+(\d{4})", folded):
            return int(folded.split()[1]), "FY"
    code = _code(folded, has_year=year is not None, whole=whole)
    if code is None:
        return None
    return year, code


def split_period(arg: str) -> tuple[str, tuple[int | None, str] | None]:
    """``(the rest, the period)`` of what follows a command: the period may be the last words
    ("CA tỉnh quý 1") or the first ("Q1 NV4")."""
    words = arg.split()
    n = len(words)
    for k in range(min(5, n), 0, -1):
        found = parse_words(" ".join(words[n - k :]), whole=k == n)
        if found is not None:
            return " ".join(words[: n - k]), found
    for k in range(min(5, n - 1), 0, -1):
        found = parse_words(" ".join(words[:k]), whole=False)
        if found is not None:
            return " ".join(words[k:]), found
    return " ".join(words), None


def as_text(found: tuple[int | None, str]) -> str:
    """``(2024, "Q1")`` → ``"2024-Q1"``; ``(None, "Q1")`` → ``"Q1"``."""
    year, code = found
    return code if year is None else period_key(year, code)


__all__ = ["PERIOD_NAMES", "as_text", "code_order", "key_order", "parse_words", "period_key", "period_label", "split_key", "split_period"]
