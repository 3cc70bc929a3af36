"""Counts with their unit in a report: "12/15 hội nghị", "312 vụ", "3,2 tỷ đồng".

The consolidated report adds such figures up across agencies and the Excel annex lists them,
so each entry keeps the figures of its own segment. A figure is a number (with Vietnamese
separators: "1.200", "3,2"), optionally "/ total", followed by the words that say what was
counted. Dates ("15/3", "30/6/2024"), percentages, document numbers ("số 45/STP", "124-KH"),
years, task references and ordinals are not figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from common.text import fold

__all__ = ["Figure", "find_figures"]


@dataclass(frozen=True, slots=True)
class Figure:
    """``value`` (and ``total`` for "12/15") of ``unit``; ``text`` is verbatim from the message."""

    value: float
    unit: str
    text: str
    total: float | None = None

    def as_dict(self) -> dict[str, object]:
        return {"value": self.value, "total": self.total, "unit": self.unit, "text": self.text}


# A number: "1.200", "1 200"? (no: a space separates numbers in lists), "3,2", "12".
_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
# (the value's first digit comes first, then what may not stand before it, so that the search
# skips to digits: "(?<![\w.,-])(?<!\d/)" before the number, read after its first digit)
_FIGURE = re.compile(
    r"(?P<value>\d(?<![\w.,-]\d)(?<!\d/\d)(?:\d{0,2}(?:\.\d{3})+(?:,\d+)?|\d*(?:,\d+)?))"
    rf"(?:\s*/\s*(?P<total>{_NUMBER}))?"
    r"(?!\s*[%/.\d-])(?![.,]\d)\s+(?P<unit>[^\W\d_]+(?:[ \t]+[^\W\d_]+){0,3})"
)
# Words a unit may not start with: what follows a date, a year, a task or a document number.
_NOT_UNIT_START = frozenset(
    "nam thang ngay quy gio phut luc den va hoac toi tai cua theo so nv nhiem muc dieu khoan "
    "diem la thi co duoc da dang chua khong ve cho voi tren trong nay ke quyet nghi thong chi "
    "huong to bao kh ctr qd nq tb hd bc cv stp ubnd tu thu lan xong hoan roi nhe a "
    # teencode for "không" after a list of task numbers: "nv2 3 4 k phát sinh"
    "k ko kk kg hok "
    # "chỉ báo cáo nhiệm vụ 1 và 6 thôi ạ": "only", no unit
    "thoi".split()
)
# Words that end a unit (a verb or connector after the counted noun).
_UNIT_STOP = frozenset(
    "va hoac voi cho cua tai trong tren theo da dang duoc bi la thi nhung con dat tang giam "
    "so nam thang ngay quy ve nay do khi cac nhung gom trong tu den ve voi".split()
)
_UNIT_TAIL_STOP = frozenset("cac nhung mot moi".split())
# Nouns whose second syllable is also a stop word on its own: "hồ sơ" is not "hồ" + "số".
_COMPOUNDS = frozenset({("ho", "so")})
_DOCUMENTS = frozenset({
    ("nghi", "quyet"), ("quyet", "dinh"), ("ke", "hoach"), ("cong", "van"), ("chi", "thi"), ("thong", "tu"),
    ("quy", "dinh"), ("nghi", "dinh"), ("thong", "bao"), ("chuong", "trinh"), ("huong", "dan"), ("bao", "cao"),
})
_CLASSIFIERS = frozenset("lop luot buoi cuoc dot bai tin ban cuon to quyen chuyen phong tiet".split())


def _to_number(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def find_figures(text: str) -> list[Figure]:
    """The figures of ``text``, in order. Never raises."""
    out: list[Figure] = []
    try:
        for m in _FIGURE.finditer(text):
            before = fold(text[max(0, m.start() - 12):m.start()]).split()
            if before and before[-1] in ("so", "nv", "muc", "ngay", "thang", "nam", "quy", "dieu", "khoan", "#", "lan"):
                continue
            if len(before) >= 2 and (before[-2], before[-1]) in _DOCUMENTS:
                continue  # "Nghị quyết 27 …", "Kế hoạch 124 …": a document's number
            if text[max(0, m.start() - 4):m.start()].lower().rstrip().endswith("thứ"):
                continue  # "thứ 3": an ordinal  # "số 45 …", "NV 4 …", "ngày 15 …", "năm 2024 …": not a count
            if before and before[-1] in ("nhiem",) and before[-2:-1] != ["bo"] or before[-2:] == ["nhiem", "vu"] \
                    or fold(text[max(0, m.start() - 10):m.start()]).endswith("nhiem vu "):
                continue
            words = m.group("unit").split()
            # the unit's words folded at once: each is letters only, so it folds to one word (and
            # folding reads each character on its own), kept[k] is always words[k]
            folds = fold(m.group("unit")).split()
            kept: list[str] = []
            # A classifier ("lớp", "lượt", "buổi") takes the noun after it: "45 lớp tập huấn".
            limit = 3 if words and folds[0] in _CLASSIFIERS else 2
            for k, word in enumerate(words[:limit]):
                folded = folds[k]
                if not kept and folded in _NOT_UNIT_START:
                    break
                if not kept and folded == "cong" and len(words) > 1 and folds[1] not in ("chuc", "dan", "trinh", "nhan", "an", "van", "ty"):
                    break  # "02 công chức", "86 lượt công dân" count; "Nhiệm vụ 3 Công tác …" does not
                if kept and folded in _UNIT_STOP and (folds[len(kept) - 1], folded) not in _COMPOUNDS:
                    break
                kept.append(word)
            while kept and folds[len(kept) - 1] in _UNIT_TAIL_STOP:
                kept.pop()
            if not kept:
                continue
            value = m.group("value")
            if len(value) == 4 and value.isdigit() and 1900 <= int(value) <= 2100:
                continue  # a year
            unit = " ".join(kept)
            end = m.start("unit") + len(m.group("unit")[: _unit_span(m.group("unit"), kept)])
            total = m.group("total")
            out.append(Figure(_to_number(value), unit, text[m.start():end], _to_number(total) if total else None))
    except Exception:  # noqa: BLE001 - figures are a bonus; a report must still be read
        return out
    return out


def _unit_span(unit_text: str, kept: list[str]) -> int:
    """Length of the prefix of ``unit_text`` that holds the ``kept`` words."""
    pos = 0
    for word in kept:
        pos = unit_text.index(word, pos) + len(word)
    return pos
