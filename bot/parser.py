"""Reply parser: a focal point's answer — a line typed on a phone or the report written in Word,
pasted — → one entry per task.

    >>> [e.as_dict() for e in parse_reply("NV4: đang thực hiện 70%, vướng kinh phí")]
    [{'task': '4', 'status': 'in_progress', 'percent': 70, 'difficulty': True, 'text': 'NV4: đang thực hiện 70%, vướng kinh phí', 'known': True}]

Contract (see docs of :func:`parse_reply`): every message yields at least one entry; a message
without a task reference yields one entry with ``task=None``. The parser is pure (the plan's
words come in as a :class:`bot.task_match.TaskIndex`) and never raises. docs/parser.md says
how it is measured.

How it reads a message
----------------------
1. *Sections* (:mod:`bot.sections`): the message is cut at its headings — "1.", "II.4", "4.1",
   "Nhiệm vụ 4:", "- Nhiệm vụ số 9 (phối hợp):", points "a)" (sub-items of task 1), a closing
   "Khó khăn, vướng mắc" / "Kiến nghị" (the agency's general part), "Phương hướng quý II"
   (next period's plans: left out), the frame ("Kính gửi…", "I. KẾT QUẢ"). A paragraph that
   opens on another task's subject starts a part of its own. Each entry quotes its own part;
   the whole message is stored as it came.
2. *Fold*: every character is folded on its own (NFKC, then :func:`common.text.fold`), keeping a
   map back to the original index. Composed/decomposed input and old/new tone placement
   ("hoà"/"hòa") fold alike, and every slice we return is a verbatim slice of the input. Phone
   shorthand reads as the words it stands for ("ht", "xog", "dag", "tk", "kk", "dc").
3. *References*: ``NV4``, ``nv 4``, ``NV số 4``, ``nhiệm vụ (số|thứ) 4``, ``#4``, ``mục 4``,
   ``mục II.4``, ``nhiệm vụ chủ trì số 2/6/7``, ``nhiệm vụ phối hợp (1, 2, 3)``, ``phối hợp số
   2, 3``; sub-items ``NV1a``/``NV 1 a``/``1.a``/``NV1 (ý a)``/``NV1 điểm b``/``Tiểu mục a nhiệm
   vụ 1``/a later ``điểm b``; lists ``NV2, NV6``, ``NV2 và 3``, ``NV2 với NV3``; ranges ``NV 2-4``,
   ``nhiệm vụ từ 1 đến 4``. A number is a task only next to such a keyword (or listed right after
   one) or as the plan's numbering of a heading, so counts, dates, percentages and other
   documents' numbers ("mục 3 Công văn số 45/STP", "Nghị quyết 27") never become tasks.
4. *Tasks by content* (:mod:`bot.task_match`): a part that names no number is matched, on the
   words before any obstacle it names, to the task of the plan (among the agency's own) it is
   about; two about equally likely are both returned as candidates, and the bot asks. A heading
   numbered "4." is task 4 unless its words are clearly another task's (a report's own 1., 2.).
5. *Clauses*: within a part, the text is cut at ``;``, line breaks and sentence ends. Refs in one
   clause separated only by connectors form a group sharing one status. A clause without refs
   continues the task before it ("NV4: đang làm. Còn chậm do thiếu người"), except a closing
   "Khó khăn: …" in a message about several tasks, which is the agency's.
6. *Facts* of a segment: status keywords with their context (negation, future, noun use,
   results: "đã tổ chức 12/15 hội nghị" is under way, "đạt kế hoạch" done, "không phát sinh"
   nothing arose), progress percentages (not a share of agencies or people, a rate of an
   indicator, "về tiền 38%"), difficulties (obstacles said with or without the word: "kiêm
   nhiệm", "quá tải", "chờ tỉnh cấp kinh phí"; a request for support, not a procedural
   "đề nghị Sở cập nhật đầu mối"; never an extension request), and figures
   (:mod:`bot.figures`). A heading that repeats the task's title ("Tháo gỡ khó khăn, vướng mắc
   trong thi hành án: …") is no status or difficulty: what follows it is.
7. Parts about the same task are one entry.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from bot import classifier, extensions, tables
from bot.figures import Figure, find_figures
from bot.sections import ASIDE, BODY, FRAME, FUTURE, GENERAL, TASK, Section, agencys_request, split_sections, split_trailing_refs
from bot.task_match import CLEAR_LEAD, TaskIndex, TaskMatch
from common import tasks as taskrefs
from common.text import fold

__all__ = [
    "DEFAULT_TASKS",
    "DONE",
    "IN_PROGRESS",
    "NOT_ARISEN",
    "NOT_STARTED",
    "STATUSES",
    "ParsedEntry",
    "parse_reply",
]

NOT_STARTED = "not_started"
NOT_ARISEN = "not_arisen"  # "không phát sinh": nothing to do this period
IN_PROGRESS = "in_progress"
DONE = "done"
STATUSES = frozenset({NOT_STARTED, IN_PROGRESS, DONE, NOT_ARISEN})

# The seed plan's references (Kế hoạch 124-KH/BCSĐ). Hard-coded so that the parser stays pure;
# a test checks it against data/plan.json, and callers with another plan pass their own set.
DEFAULT_TASKS: frozenset[str] = frozenset(
    ["1", "1a", "1b", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]
)


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """What one reply says about one task.

    ``known`` is False when ``task`` names a reference the plan does not have ("NV15"), so the
    bot can answer "Kế hoạch không có nhiệm vụ 15"; it is True otherwise, including task None.
    ``text`` is the entry's own segment of the message (the whole message for a single task).
    ``how``: how the task was found — "named" (NV4, nhiệm vụ 4, a list), "heading" (the plan's
    numbering: "4. …", "II.4"), "content" (the words of the task's title and text), "only"
    (the agency has that task only), "learned" (the candidates' one the learned model is sure
    of), "" (no task; "joined" when the part is about two tasks by its very wording: their two
    subjects joined, or one's results ending on the other's aim). ``candidates``: for a task-less entry, the
    tasks it is about equally likely (the conversation asks). ``general``: a "Khó khăn, vướng
    mắc" / "Kiến nghị" part that names no task: the agency's, for the period as a whole.
    ``figures``: the counts with their unit in the segment. ``ruled``: for each field the
    learned second opinion (bot/classifier.py) set against the rules' reading ("status",
    "difficulty"), the rules' value.
    """

    task: str | None
    status: str | None
    percent: int | None
    difficulty: bool
    text: str
    known: bool = True
    how: str = ""
    candidates: tuple[str, ...] = ()
    general: bool = False
    figures: tuple[Figure, ...] = ()
    ruled: tuple[tuple[str, object], ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "task": self.task,
            "status": self.status,
            "percent": self.percent,
            "difficulty": self.difficulty,
            "text": self.text,
            "known": self.known,
        }

    def details(self) -> dict[str, object]:
        """Everything, for ``baocao parse --json`` and the conversation's draft."""
        return {
            **self.as_dict(),
            "how": self.how,
            "candidates": list(self.candidates),
            "general": self.general,
            "figures": [f.as_dict() for f in self.figures],
            "learned": list(self.learned),
        }

    @property
    def says_something(self) -> bool:
        """Whether the entry states a status, a percent or a difficulty (not only a task)."""
        return bool(self.status) or self.percent is not None or self.difficulty

    @property
    def learned(self) -> tuple[str, ...]:
        """The fields the learned model read otherwise than the rules ("status", "difficulty",
        "task"; a task chosen also records the candidates the rules would have asked with)."""
        return tuple(name for name, _ in self.ruled if name != "candidates")

    def by_rules(self) -> ParsedEntry:
        """The entry as the rules alone read it."""
        return _with(self, **dict(self.ruled), ruled=()) if self.ruled else self


# --------------------------------------------------------------------------------------------
# Folding with a map back to the original text

_NEWLINES = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


# Status signs of chat lists ("✅ NV2", "NV7 ⏳ 60%", "NV11: ❌"), read as the words they stand for;
# the segment keeps the sign as written (folded offsets map back to it)
_STATUS_SIGNS = {
    "✅": " xong ", "✔": " xong ", "☑": " xong ", "🆗": " xong ",
    "⏳": " dang lam ", "⌛": " dang lam ", "🔄": " dang lam ",
    "❌": " chua lam ", "✖": " chua lam ", "✗": " chua lam ", "✘": " chua lam ",
}


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    sign = _STATUS_SIGNS.get(ch)
    if sign is not None:
        return sign
    if ch in _NEWLINES:
        return "\n"  # kept: a line break ends a clause
    if ch.isspace():
        return " "
    cat = unicodedata.category(ch)
    if cat == "Cf":
        return ""  # zero-width space/joiner, BOM, soft hyphen: invisible inside "N\u200bV4"
    if cat in ("Cc", "Cs", "Co", "Cn"):
        return " "
    # NFKC first so that fullwidth "４" and "％" from some phone keyboards read as 4 and %.
    return fold(unicodedata.normalize("NFKC", ch))


class _FoldTable(dict):
    """str.translate's table for the folding of one character at a time, filled as characters
    are met; the characters that fold to no or to several letters are remembered, so that a
    text without them maps position to position."""

    def __missing__(self, code: int) -> str:
        if len(self) > 50_000:
            self.clear()  # a message of every script there is: start again rather than grow
        folded = _fold_char(chr(code))
        if len(folded) != 1:
            _IRREGULAR.add(chr(code))
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()
_IRREGULAR: set[str] = set()


def _fold_map(text: str) -> tuple[str, list[int]]:
    folded = text.translate(_FOLD_TABLE)
    if len(folded) == len(text) and _IRREGULAR.isdisjoint(text):
        return _spoken_numbers(folded), list(range(len(text)))  # each character one letter: the usual message
    parts: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        if folded:
            parts.append(folded)
            index.extend([i] * len(folded))
    return _spoken_numbers("".join(parts)), index


# Numbers as voice typing writes them: "nhiệm vụ bốn", "nhiệm vụ số mười một", "tám mươi phần trăm"
_UNITS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9}
_TAIL_UNITS = {**_UNITS, "lam": 5}  # "hai mươi lăm", "hai mươi mốt" (folded "mot"), "hai mươi tư"
_UNIT_RE = r"(?:mot|hai|ba|bon|nam|sau|bay|tam|chin)"
_NUMBER_WORDS = (rf"(?:{_UNIT_RE}\s+muoi(?:\s+(?:mot|hai|ba|bon|tu|lam|nam|sau|bay|tam|chin))?|muoi(?:\s+(?:mot|hai|ba|bon|lam|nam|sau|bay|tam|chin))?"
                 rf"|mot tram|{_UNIT_RE})")
# a task's number after its keyword (not "hoàn thành nhiệm vụ năm.", "nhiệm vụ năm của ngành": the year's
# tasks; not "các nhiệm vụ sau:", the tasks that follow), a percent before "phần trăm"
_SPOKEN_RE = re.compile(
    rf"(?<![a-z0-9])(?<!cac )(?<!nhung )(?<!hoan thanh )(?<!trien khai )(?<!thuc hien )(?:nhiem vu|nv)\s+(?:so\s+)?"
    rf"(?!nam(?:\s*[.,;:)]|\s+(?:cua|dat|duoc|da|do|va|la\s+\d|\d))|sau\s*:)(?P<task>{_NUMBER_WORDS})(?![a-z0-9])(?!\s+(?:\d{{4}}|nay|qua|toi|truoc|ngoai|thang|tuan|ngay|quy|nam|lan|dot|muoi)\b)"
    rf"|(?<![a-z0-9])(?P<pct>{_NUMBER_WORDS})(?=\s+phan tram\b)")
# "nhiệm vụ hai với nhiệm vụ ba", "số một và số chín": the next number of a list, once its first is a figure
_SPOKEN_MORE_RE = re.compile(rf"(?<=\d)(?P<sep>\s*(?:,|va|voi)\s+(?:so\s+)?)(?P<more>{_NUMBER_WORDS})(?![a-z0-9])")


def _number_value(words: str) -> int:
    parts = words.split()
    if parts == ["mot", "tram"]:
        return 100
    if "muoi" in parts:
        k = parts.index("muoi")
        tens = _UNITS.get(parts[k - 1], 1) if k else 1
        unit = _TAIL_UNITS.get(parts[k + 1], 0) if k + 1 < len(parts) else 0
        return tens * 10 + unit
    return _UNITS[parts[0]]


def _spoken_numbers(folded: str) -> str:
    """Spoken numbers in a task reference or a percent written as figures, in place: the folded
    text keeps its length, so every offset still points into the message as it came."""
    if "phan tram" not in folded and "nhiem vu" not in folded and "nv " not in folded:
        return folded
    def digits(m: re.Match[str]) -> str:
        name = m.lastgroup
        lo, hi = m.span(name)
        value = str(_number_value(m.group(name)))
        return m.group(0)[: lo - m.start()] + value.ljust(hi - lo) + m.group(0)[hi - m.start():]
    out = _SPOKEN_RE.sub(digits, folded)
    for _ in range(5):
        more = _SPOKEN_MORE_RE.sub(digits, out)
        if more == out:
            break
        out = more
    return out


# --------------------------------------------------------------------------------------------
# Tokens

# Syllables that have a common homograph once diacritics are gone. When the user did type
# diacritics we can tell "đang" from "đăng tải", "Đảng", "dạng"; "vướng" from "vuông"; "chậm"
# from "chăm sóc", "chấm dứt"; "đạt" from "đất"; "thiếu" from "giảm thiểu"; "mục" from "mức".
_STRICT_FORMS: dict[str, frozenset[str]] = {
    "dang": frozenset({"đang"}),
    "vuong": frozenset({"vướng"}),
    "chua": frozenset({"chưa"}),
    "cham": frozenset({"chậm"}),
    "dat": frozenset({"đạt"}),
    "duoc": frozenset({"được"}),
    "thieu": frozenset({"thiếu"}),
    "muc": frozenset({"mục"}),
    "do": frozenset({"do"}),
    "vi": frozenset({"vì"}),
    "cho": frozenset({"chờ"}),
    "tang": frozenset({"tăng"}),  # not "nền tảng"
    "van": frozenset({"vẫn"}),  # not "văn bản"
    "giam": frozenset({"giảm"}),
}

# Chat shorthand, mapped to the word it stands for.
_ABBREV = {
    "ko": "khong", "k": "khong", "kh": "khong", "khg": "khong", "hok": "khong", "hong": "khong",
    "kg": "khong", "dc": "duoc", "r": "roi", "e": "em", "dg": "dang",
}


# Phone shorthand that stands for a whole keyword ("nv4 ht", "xog r", "dag tk", "k co kk").
_SHORTHAND: dict[str, tuple[str, ...]] = {
    "ht": ("hoan", "thanh"), "htanh": ("hoan", "thanh"), "xog": ("xong",), "xonq": ("xong",),
    "tk": ("trien", "khai"), "dag": ("dang",), "dng": ("dang",), "kk": ("kho", "khan"),
    "kkhan": ("kho", "khan"), "vm": ("vuong", "mac"), "kp": ("kinh", "phi"), "bt": ("binh", "thuong"),
    "th": ("thuc", "hien"), "ps": ("phat", "sinh"), "kps": ("khong", "phat", "sinh"),
    "xg": ("xong",),
}


# "kn:" opening a line is "kiến nghị:" (elsewhere "kn" may be "kinh nghiệm")
_HEAD_COLON_RE = re.compile(r"\s*:")


@dataclass(slots=True)
class _Tok:
    w: str  # canonical folded word
    start: int  # span in the folded string
    end: int
    brk: bool  # punctuation (or anything but spaces) between this token and the previous one
    fz: frozenset[str]  # keyword syllables this token may be a typo of
    raw: str  # folded token as typed (before abbreviations)
    strict_ok: bool  # diacritics, if typed, agree with _STRICT_FORMS for w

    @property
    def digit(self) -> bool:
        return self.w.isdigit()


# --- keyword phrases -------------------------------------------------------------------------

_DONE_PHRASES = [
    ("hoan", "thanh"), ("hoan", "tat"), ("xong",), ("done",),
    # results that mean the task is done: "đạt kế hoạch", "đạt chỉ tiêu được giao"
    ("dat", "ke", "hoach"), ("dat", "chi", "tieu"), ("dat", "muc", "tieu"),
    # "vượt chỉ tiêu Quốc hội giao", "đạt và vượt các chỉ tiêu": the target met
    ("vuot", "chi", "tieu"), ("dat", "va", "vuot"),
    # "kiện toàn Phòng Tư pháp đủ 06 biên chế; đạt yêu cầu đề ra": what was asked is met
    ("dat", "yeu", "cau", "de", "ra"),
]
# "không phát sinh": nothing to do this period (no case, no request), not "not started"
_NOTHING_PHRASES = [("khong", "phat", "sinh"), ("chua", "phat", "sinh"), ("khong", "co", "phat", "sinh"),
                    ("chua", "co", "phat", "sinh"), ("chua", "co", "yeu", "cau"),
                    ("khong", "co", "yeu", "cau"),
                    # "Sở không có nhiệm vụ phát sinh trong kỳ", "chưa có vụ việc phát sinh"
                    *((neg, "co", *what, "phat", "sinh") for neg in ("khong", "chua")
                      for what in (("nhiem", "vu"), ("viec",), ("vu", "viec"), ("vu",), ("noi", "dung"), ("don",)))]
_NS_VERBS = [
    ("trien", "khai"), ("thuc", "hien"), ("bat", "dau"), ("lam",), ("khoi", "dong"),
    ("tien", "hanh"), ("to", "chuc", "thuc", "hien"), ("to", "chuc"),
    ("mo", "lop"),  # "chưa mở lớp vì chưa có kinh phí": a training task not begun
]
_PROG_PHRASES = [
    ("dang", "thuc", "hien"), ("dang", "trien", "khai"), ("dang", "lam"), ("dang", "tien", "hanh"),
    ("thuong", "xuyen"), ("da", "trien", "khai"),
    ("tiep", "tuc", "thuc", "hien"), ("tiep", "tuc", "trien", "khai"), ("tiep", "tuc", "lam"),
    ("tiep", "tuc", "to", "chuc"), ("tiep", "tuc", "phoi", "hop"), ("tiep", "tuc", "duy", "tri"),
    ("tiep", "tuc", "theo", "doi"),
    ("cham", "tien", "do"), ("van", "lam"), ("van", "thuc", "hien"), ("van", "trien", "khai"),
    ("van", "dang"), ("lam", "binh", "thuong"), ("binh", "thuong"), ("duy", "tri"),
]
_WEAK_PROG_PHRASES = [("trien", "khai", "thuc", "hien"), ("dang", "cho")]
# "chưa có kết quả trong quý": nothing done yet; "lồng ghép, không có kết quả riêng": nothing of
# its own arose (not "chưa có kết quả nổi bật", which is work under way with little to show)
_NO_RESULT_PHRASES = [("chua", "co", "ket", "qua"), ("khong", "co", "ket", "qua"), ("chua", "co", "kq"),
                      ("khong", "co", "kq"), ("ko", "co", "kq"), ("k", "co", "kq")]
_DIFF_PHRASES = [
    ("kho", "khan"), ("vuong", "mac"), ("vuong",), ("kien", "nghi"), ("de", "nghi"),
    ("de", "xuat"), ("gia", "han"), ("thieu",), ("tro", "ngai"), ("bat", "cap"), ("ach", "tac"),
    ("han", "hep"), ("han", "che"), ("cham",), ("khong", "du"), ("chua", "du"),
    ("khong", "dap", "ung"), ("chua", "dap", "ung"),
    # obstacles said without the word "khó khăn"
    ("kiem", "nhiem"), ("qua", "tai"), ("bi", "loi"), ("he", "thong", "loi"), ("loi", "phan", "mem"),
    ("chua", "duoc", "cap"), ("chua", "duoc", "bo", "tri"), ("chua", "duoc", "phe", "duyet"),
    # "đường truyền hay bị gián đoạn", "vắng mặt nhiều lần, làm kéo dài thời gian giải quyết"
    ("bi", "gian", "doan"), ("lam", "keo", "dai"),
    ("con", "loi"),  # "vẫn còn lỗi đồng bộ": the software still fails
]

_ALL_PHRASES: list[tuple[str, ...]] = sorted(
    {p for group in (_DONE_PHRASES, _NS_VERBS, _PROG_PHRASES, _WEAK_PROG_PHRASES, _DIFF_PHRASES, _NOTHING_PHRASES,
                     _NO_RESULT_PHRASES)
     for p in group},
    key=len,
    reverse=True,
)
# Other words the rules read. Knowing them also keeps a real word from being "corrected" into a
# keyword by the typo tolerance below.
_OTHER_WORDS = {
    "khong", "chua", "chang", "dang", "da", "co", "gap", "phat", "sinh", "se", "du", "kien",
    "phan", "dau", "sap", "gan", "ban", "chac", "mot", "buoc", "thoi", "han", "nham",
    "truoc", "khi", "sau", "yeu", "cau", "dam", "bao", "ty", "le", "tien", "do", "kinh", "phi",
    "nguon", "bien", "che", "nhan", "luc", "su", "can", "bo", "huong", "dan", "duoc", "tri",
    "cap", "giao", "dat", "khoang", "tram", "roi", "vi", "theo", "cua", "don", "tiep",
    "giai", "quyet", "xu", "ly", "anh", "hoan", "canh", "dac", "biet", "go", "phuc", "qua",
}
_VOCAB = frozenset({s for p in _ALL_PHRASES for s in p} | _OTHER_WORDS)
# Typo tolerance only for syllables long enough that one edit still identifies them.
_FUZZ_VOCAB = frozenset(s for p in _ALL_PHRASES if len(p) > 1 for s in p if len(s) >= 4)
# "hoanthanh", "trienkhai": syllables typed without the space.
_CONCAT: dict[str, tuple[str, ...]] = {}
for _p in _ALL_PHRASES:
    for _i in range(len(_p)):
        for _j in range(_i + 2, len(_p) + 1):
            _CONCAT.setdefault("".join(_p[_i:_j]), _p[_i:_j])
for _neg in ("chua", "dang", "da", "khong"):
    for _p in (("trien", "khai"), ("thuc", "hien"), ("hoan", "thanh"), ("bat", "dau")):
        _CONCAT.setdefault(_neg + "".join(_p), (_neg, *_p))

_PHRASE_INDEX: dict[str, list[tuple[str, ...]]] = {}
for _p in _ALL_PHRASES:
    _PHRASE_INDEX.setdefault(_p[0], []).append(_p)


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


_FUZZ_KEYS: dict[str, set[str]] = {}
for _s in _FUZZ_VOCAB:
    for _k in _deletes(_s) | {_s}:
        _FUZZ_KEYS.setdefault(_k, set()).add(_s)


def _damerau1(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1:] == b[i + 1:]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2:] == b[i + 2:]
    return a[i + 1:] == b[i:] if la > lb else a[i:] == b[i + 1:]


_TELEX_PAIRS = (("dd", "d"), ("aa", "a"), ("ee", "e"), ("oo", "o"), ("aw", "a"), ("ow", "o"),
                ("uw", "u"))


@lru_cache(maxsize=4096)
def _lexical(word: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """Canonical syllable(s) for a typed letter token, and its typo candidates."""
    if word in _SHORTHAND:
        return _SHORTHAND[word], frozenset()
    if word in _ABBREV:
        return (_ABBREV[word],), frozenset()
    if word in _VOCAB:
        return (word,), frozenset()
    if word in _CONCAT:
        return _CONCAT[word], frozenset()
    if len(word) > 16:
        return (word,), frozenset()  # no keyword is that long; spare the typo search
    if len(word) >= 4:
        # Telex typed without an input method ("hoafn thafnh", "thuwcj hieenj").
        base = word
        for a, b in _TELEX_PAIRS:
            base = base.replace(a, b)
        for cand in [base] + [base[:i] + base[i + 1:] for i in range(1, len(base)) if base[i] in "sfrxj"]:
            if cand in _VOCAB:
                return (cand,), frozenset()
            if cand in _CONCAT:
                return _CONCAT[cand], frozenset()
    if len(word) >= 3:
        found: set[str] = set()
        for key in _deletes(word) | {word}:
            for cand in _FUZZ_KEYS.get(key, ()):
                if cand[0] == word[0] and _damerau1(word, cand):
                    found.add(cand)
        return (word,), frozenset(found)
    return (word,), frozenset()


_TOKEN_RE = re.compile(r"[a-z]+|[0-9]+")
_KK_NOTHING_RE = re.compile(r"[ \t]+(?:phat[ \t]+sinh|ps)(?![a-z])")
_KK_NOT_RE = re.compile(r"[ \t]+(?:vuong[ \t]+mac|vm|kho[ \t]+khan|kk)(?![a-z])")


_NO_TYPOS: frozenset[str] = frozenset()
# The shorthand _tokenise reads by what comes before or after it
_READ_IN_CONTEXT = frozenset({"k", "r", "e", "kh", "kk", "kn"})


def _tokenise(text: str, folded: str, index: list[int]) -> list[_Tok]:
    toks: list[_Tok] = []
    prev_end = 0
    for m in _TOKEN_RE.finditer(folded):
        raw = m.group()
        start, end = m.span()
        gap = folded[prev_end:start]
        brk = bool(gap.strip()) or "\n" in gap
        prev_end = end
        if raw.isdigit():
            toks.append(_Tok(raw, start, end, brk, _NO_TYPOS, raw, True))
            continue
        if raw not in _READ_IN_CONTEXT:
            words, fz = _lexical(raw)  # (the usual word: read on its own)
        elif raw in ("k", "r", "e") and gap == "" and toks:
            words, fz = (raw,), _NO_TYPOS  # "10k", "2r": not shorthand
        elif raw == "kh" and toks and (toks[-1].w == "dat" or gap.strip() == "%"):
            words, fz = ("ke", "hoach"), _NO_TYPOS  # "đạt kh", "70% kh": kế hoạch, not "không"
        elif raw == "kk" and toks and toks[-1].digit and _KK_NOTHING_RE.match(folded, end):
            words, fz = ("khong",), _NO_TYPOS  # "nv 4 6 8 kk phát sinh": không phát sinh, not khó khăn
        elif raw == "kk" and _KK_NOT_RE.match(folded, end):
            words, fz = ("khong",), _NO_TYPOS  # "Kk vuong mac", "kk vm": không vướng mắc (no one doubles "khó khăn")
        elif raw == "kn" and _HEAD_COLON_RE.match(folded, end):
            words, fz = ("kien", "nghi"), _NO_TYPOS  # "kn: tỉnh hỗ trợ kinh phí": kiến nghị, as a heading
        else:
            words, fz = _lexical(raw)
        strict_ok = True
        if len(words) == 1:
            word = words[0]
            if word == raw and raw in _STRICT_FORMS:
                orig = _orig_slice(text, index, start, end).lower()
                orig = unicodedata.normalize("NFC", orig)
                # a status sign ("⏳" read as "đang làm") is the word it stands for
                strict_ok = orig.isascii() or orig in _STRICT_FORMS[word] or not any(c.isalpha() for c in orig)
            toks.append(_Tok(word, start, end, brk, fz, raw, strict_ok))  # (the usual token: one word)
            continue
        for n, w in enumerate(words):
            toks.append(_Tok(w, start, end, brk and n == 0, fz, raw, strict_ok))
    return toks


def _orig_end(text: str, index: list[int], fend: int) -> int:
    """Original index just past folded position fend-1, including trailing combining marks."""
    end = index[fend - 1] + 1
    while end < len(text) and not _fold_char(text[end]):
        end += 1
    return end


def _orig_slice(text: str, index: list[int], fstart: int, fend: int) -> str:
    if fend <= fstart:
        return ""
    return text[index[fstart]:_orig_end(text, index, fend)]


# --------------------------------------------------------------------------------------------
# Analysis of one message


@dataclass(slots=True)
class _Hit:
    kind: str  # "status" | "weak" | "diff"
    value: str | bool
    pos: int  # folded offset, for region filtering


@dataclass(slots=True)
class _Pct:
    value: int
    pos: int
    progress: bool = False  # "75% kế hoạch", "tiến độ đạt 75%": says outright it is the task's progress


@dataclass(frozen=True, slots=True)
class _Folded:
    """A text folded once, with the map back to it: all that finding references needs."""

    text: str
    folded: str
    index: list[int]


@lru_cache(maxsize=1024)
def _fold(text: str) -> str:
    """:func:`common.text.fold`, memoised: a part's text is folded by each reading of it (its
    status, its obstacle, its second opinion, its task by content…), a line by each check of it."""
    return fold(text)


@lru_cache(maxsize=256)
def _folded(text: str) -> _Folded:
    folded, index = _fold_map(text)
    return _Folded(text, folded, index)


# The words _Message._on_word's rules open on (the token at i): a cheap first look for every
# token of a message. A rule added there on another word must add that word here.
_ON_WORD_OPENERS = frozenset({
    "roi", "ok", "oke", "okie", "het", "khong", "chua", "chi", "con", "cham", "qua", "tiep",
    "trien", "thuc", "van", "dang", "do", "vi", "cho",
})


class _Message:
    def __init__(self, text: str) -> None:
        self.text = text
        base = _folded(text)
        self.folded, self.index = base.folded, base.index
        self.toks = _tokenise(text, self.folded, self.index)
        self.n = len(self.toks)
        self.hits: list[_Hit] = []
        self.pcts: list[_Pct] = []
        self._scan()

    # --- token helpers ---------------------------------------------------------------------

    def w(self, i: int) -> str:
        return self.toks[i].w if 0 <= i < self.n else ""

    def is_(self, i: int, *words: str) -> bool:
        """Exact word (with diacritics check) at i, or one of several words."""
        if not 0 <= i < self.n:
            return False
        tok = self.toks[i]
        return tok.w in words and tok.strict_ok

    def seq(self, i: int, words: Iterable[str], fuzzy: bool = False) -> int:
        """Length of the match of words at i (0 if none). Syllables must be separated by spaces
        only; with fuzzy, one syllable may be a typo when the phrase has several."""
        words = tuple(words)
        if i < 0 or i + len(words) > self.n:
            return 0
        typos = 0
        for k, word in enumerate(words):
            tok = self.toks[i + k]
            if k and tok.brk:
                return 0
            if tok.w == word and (tok.strict_ok or (len(words) > 1 and word != "dang")):
                continue  # "vương mắc" (one mark off): "mắc" tells it is "vướng mắc"
            if fuzzy and len(words) > 1 and word in tok.fz:
                typos += 1
                continue
            return 0
        return len(words) if typos <= 1 else 0

    def back(self, i: int, width: int) -> list[int]:
        """Indexes of up to `width` tokens before i, stopping at punctuation."""
        out: list[int] = []
        j = i
        while j > 0 and len(out) < width and not self.toks[j].brk:
            j -= 1
            out.append(j)
        return out

    def back_has(self, i: int, width: int, *phrases: tuple[str, ...]) -> bool:
        for j in self.back(i, width):
            for p in phrases:
                if self.seq(j, p) and j + len(p) <= i:
                    return True
        return False

    def clause_end_after(self, j: int) -> bool:
        """True if token j is the last of its clause (end of text or punctuation follows)."""
        return j >= self.n or self.toks[j].brk

    # --- scanning ---------------------------------------------------------------------------

    def _scan(self) -> None:
        matched_until = 0
        for i in range(self.n):
            tok = self.toks[i]
            cands = _PHRASE_INDEX.get(tok.w, ())
            if tok.fz:  # (a word that may be a typo of a keyword: that keyword's phrases too)
                cands = list(cands)
                for f in tok.fz:
                    cands.extend(p for p in _PHRASE_INDEX.get(f, ()) if len(p) > 1)
            for phrase in cands:
                size = self.seq(i, phrase, fuzzy=True)
                if not size:
                    continue
                if i < matched_until and phrase in _DIFF_PHRASES:
                    continue  # "vuong" inside an already matched "vuong mac"
                self._on_phrase(phrase, i, i + size)
                if phrase in _DIFF_PHRASES:
                    matched_until = max(matched_until, i + size)
            self._on_word(i)
        self._scan_percents()
        self._scan_lack()
        self._drop_retracted()
        self.hits.sort(key=lambda h: h.pos)
        self.pcts.sort(key=lambda p: p.pos)
        self._hit_pos = [h.pos for h in self.hits]
        self._pct_pos = [p.pos for p in self.pcts]

    def _drop_retracted(self) -> None:
        """"NV6 đã xong rồi, không phải đang làm như tin nhắn sáng nay", "đạt 95% chứ không phải đã
        hoàn thành", "xong rồi, hôm trước em báo đang làm": in a correction, the status it takes
        back is no status of the task."""
        spans = [m.span("what") for m in _RETRACTED_RE.finditer(self.folded)]
        if _CORRECTION_RE.search(self.folded):
            spans += [m.span("what" if m.group("what") else "what2") for m in _SAID_BEFORE_RE.finditer(self.folded)]
        if spans:
            self.hits = [h for h in self.hits if h.kind == "diff" or not any(a <= h.pos < b for a, b in spans)]

    def hits_in(self, spans: Iterable[tuple[int, int]]) -> list[_Hit]:
        out: list[_Hit] = []
        for lo, hi in sorted(set(spans)):
            out.extend(self.hits[bisect_left(self._hit_pos, lo):bisect_left(self._hit_pos, hi)])
        return out

    def pct_in(self, spans: Iterable[tuple[int, int]]) -> int | None:
        # A percentage said to be the task's progress ("đạt 75% kế hoạch") wins over an earlier
        # one that may be an indicator ("thi hành xong 335 tỷ đồng, đạt 41,2%").
        for lo, hi in sorted(set(spans)):
            k = bisect_left(self._pct_pos, lo)
            while k < len(self.pcts) and self.pcts[k].pos < hi:
                if self.pcts[k].progress:
                    return self.pcts[k].value
                k += 1
        for lo, hi in sorted(set(spans)):
            k = bisect_left(self._pct_pos, lo)
            if k < len(self.pcts) and self.pcts[k].pos < hi:
                return self.pcts[k].value
        return None

    def _status(self, value: str, i: int, weak: bool = False) -> None:
        self.hits.append(_Hit("weak" if weak else "status", value, self.toks[i].start))

    def _on_word(self, i: int) -> None:
        if self.toks[i].w not in _ON_WORD_OPENERS:
            return  # each rule below opens on one of these words; most tokens are none of them
        # "nv1 dc r", "NV4 được rồi ạ", "nv1 ok r", "đã cấp kinh phí rồi": done
        if self.w(i) == "roi" and (i + 1 >= self.n or self.toks[i + 1].brk or
                                   (self.w(i + 1) in ("a", "nhe", "nha", "ak") and (i + 2 >= self.n or self.toks[i + 2].brk))):
            before = self.back(i, 8)
            if (self.w(i - 1) in ("duoc", "ok") and not self.toks[i].brk) or any(self.w(j) == "da" for j in before):
                if not self._negated(i, 8) and not any(self.w(j) in ("se", "sap") for j in before):
                    self._status(DONE, i, weak=True)
        # "NV1 ok, NV4 ok", "nv3: ok", "nv8 ok ạ": a task's number, then "ok" and nothing else is done
        if self.w(i) in ("ok", "oke", "okie") and i and self.toks[i - 1].digit and self._gap(i).strip() in ("", ":", "-", "–") \
                and (self.clause_end_after(i + 1) or self.w(i + 1) in ("a", "nhe", "nha", "ak") and self.clause_end_after(i + 2)):
            self._status(DONE, i, weak=True)
        # "nv1 4 6 ok hết": all of them done
        if self.w(i) == "het" and self.w(i - 1) in ("ok", "oke", "okie") and not self.toks[i].brk \
                and (i + 1 >= self.n or self.toks[i + 1].brk or self.w(i + 1) in ("roi", "a", "nhe", "nha")) \
                and not self._negated(i, 6):
            self._status(DONE, i, weak=True)
        # "nv10 ko co gi moi", "nv9 nv11 không có gì mới": nothing new to say, the work goes on
        if self.w(i) in ("khong", "chua") and self.seq(i + 1, ("co", "gi", "moi")) and not self.toks[i + 1].brk:
            self._status(IN_PROGRESS, i, weak=True)
        # "nv8 k co vu nao", "không có vụ việc nào", "không có đơn nào": no case this period
        if self.w(i) == "khong" and self.w(i + 1) == "co" and not self.toks[i + 1].brk:
            k = i + 2
            while k < self.n and k < i + 5 and not self.toks[k].brk and self.w(k) in _CASE_NOUNS:
                k += 1
            if k > i + 2:
                # "không có án hành chính nào", "k co tin xet xu luu dong nao": a qualifier may follow
                m = k
                while m < self.n and m < k + 4 and not self.toks[m].brk and self.w(m) != "nao":
                    m += 1
                if m < self.n and self.w(m) == "nao" and not self.toks[m].brk:
                    self._status(NOT_ARISEN, i)
        # "xã chỉ có 01 công chức tư pháp", "chỉ có 02 chấp hành viên": a shortage of staff
        if self.w(i) == "chi" and self.w(i + 1) == "co" and i + 3 < self.n and self.toks[i + 2].digit \
                and not self.toks[i + 1].brk and not self.toks[i + 2].brk and not self._negated(i, 2):
            noun = i + 4 if self._fraction_at(i + 2) else i + 3  # "chỉ có 01/02 công chức"
            if noun < self.n and not self.toks[noun].brk and any(self.seq(noun, p) for p in _STAFF):
                self.hits.append(_Hit("diff", True, self.toks[i].start))
        # "còn 03 vụ chưa thực hiện được", "còn 01 vụ vướng mắc": work remaining, so under way
        if self.w(i) == "con" and i + 1 < self.n and self.toks[i + 1].digit and not self.toks[i + 1].brk:
            for k in range(i + 2, min(i + 7, self.n)):
                if self.toks[k].brk:
                    break
                if self.is_(k, "chua", "vuong", "dang"):
                    self._status(IN_PROGRESS, i)
                    break
                if self.seq(k, ("qua", "han")) and not self._negated(i, 3):
                    # "còn 04 vụ quá hạn cung cấp hồ sơ": cases left overdue, under way and held up
                    self._status(IN_PROGRESS, i)
                    self.hits.append(_Hit("diff", True, self.toks[k].start))
                    break
        # "nv10 chậm do dân không hợp tác", "#10 quá tải": behind, so under way
        if (self.is_(i, "cham") and not (self.w(i + 1) == "tien" and self.w(i + 2) == "do")) or \
                (self.w(i) == "qua" and self.w(i + 1) == "tai" and not self.toks[i + 1].brk):
            if not self._negated(i, 2):
                self._status(IN_PROGRESS, i, weak=True)
        # "còn (vướng mắc) 2 vụ tồn đọng chưa xử lý được": cases left to settle, so under way
        if self.w(i) == "con" and not self._negated(i, 2):
            seen_count = False
            for j in range(i + 1, min(i + 9, self.n)):
                if self.toks[j].brk:
                    break
                if self.toks[j].digit:
                    seen_count = True
                elif seen_count and self.is_(j, "chua"):
                    self._status(IN_PROGRESS, i, weak=True)
                    break
        # "nv11 chua", "NV7 chưa ạ": not yet (a bare "chưa" closing the clause)
        if self.is_(i, "chua") and (i + 1 >= self.n or self.toks[i + 1].brk or
                                    (self.w(i + 1) in ("a", "nhe", "nha", "co", "lam") and (i + 2 >= self.n or self.toks[i + 2].brk))):
            self._status(NOT_STARTED, i)
        # "NV4 tiếp tục", "nv10 tk": a ref followed by the verb alone is the work going on
        if (self.w(i) == "tiep" and self.w(i + 1) == "tuc" and not self.toks[i + 1].brk) and not self._negated(i, 2):
            self._status(IN_PROGRESS, i, weak=True)
        if i and self.toks[i - 1].digit and self.w(i) in ("trien", "thuc") and self.w(i + 1) in ("khai", "hien") \
                and not self.toks[i + 1].brk and not self.back_has(i, 3, ("se",), ("chua",), ("sap",), ("du", "kien")):
            self._status(IN_PROGRESS, i, weak=True)
        # "vẫn tăng thời lượng", "vẫn duy trì": still doing it (not "vẫn chưa", "vẫn còn khó khăn")
        if self.is_(i, "van") and self._typed(i) == "vẫn" and i + 1 < self.n and not self.toks[i + 1].brk and \
                self.w(i + 1) not in ("chua", "khong", "con", "dang", "lam", "thuc", "trien", "la", "co", "bi", "gap", "vuong", "kho"):
            self._status(IN_PROGRESS, i, weak=True)
        # "đang <verb>": the commonest in-progress marker, whatever the verb.
        if self.is_(i, "dang"):
            nxt = self.w(i + 1)
            if i + 1 < self.n and self.toks[i + 1].brk:
                nxt = ""
            if nxt in ("cho",):
                self._status(IN_PROGRESS, i, weak=True)
            elif (nxt not in _DANG_NOT_VERB or self._typed(i) in ("đang", "dag", "dg")) and not nxt.isdigit():
                # typed "đang" (or "dag") is the verb for sure; only a bare "dang" may be "Đảng ủy"
                self._status(IN_PROGRESS, i)
        # Causes: "do chưa có hướng dẫn", "vì thiếu người", "chậm do vướng thủ tục"; and any
        # cause given for not having started or finished ("chưa tổ chức được do dịch bệnh").
        if self.is_(i, "do", "vi") and not self._cause_excluded(i):
            if self.seq(i + 1, ("chua", "den")) or self.seq(i + 1, ("chua", "toi")):
                return  # "do chưa đến thời hạn": not due yet is no obstacle
            if i + 1 < self.n and _NONE_CONCERNED_RE.match(self.folded, self.toks[i + 1].start):
                return  # "chưa triển khai do không có cán bộ thuộc diện đào tạo": nothing it applies to
            for j in range(i + 1, min(i + 7, self.n)):
                if self.toks[j].brk:
                    break
                if self.is_(j, "chua", "thieu", "vuong", "cham") or self.w(j) == "khong":
                    self.hits.append(_Hit("diff", True, self.toks[i].start))
                    return
            # "chưa tổ chức họp quý I do thay đổi Trưởng ban": the cause of what was not yet done
            if any(self.w(j) in ("khong", "chang") for j in self.back(i, 5)) or any(self.is_(j, "chua") for j in self.back(i, 7)):
                self.hits.append(_Hit("diff", True, self.toks[i].start))
            elif self.w(i + 1) == "trung" and self.w(i + 2) in ("lich", "dot", "thoi") and not self.toks[i + 2].brk:
                # "chuyển sang quý III do trùng đợt giám sát bầu cử", "… do trùng lịch": a clash
                # of schedules holds the work up
                self.hits.append(_Hit("diff", True, self.toks[i].start))
        # "đang chờ tỉnh cấp kinh phí", "chờ hướng dẫn": waiting on someone else is an obstacle
        if self.is_(i, "cho") and not self.toks[i].brk and self._still(i - 1 if self.w(i - 1) == "van" else i - 2) and \
                (self.w(i - 1) == "van" or (self.w(i - 1) == "dang" and not self.toks[i - 1].brk)):
            # "việc sắp xếp phòng chuyên môn vẫn đang chờ Trung ương": still waiting on someone
            self.hits.append(_Hit("diff", True, self.toks[i].start))
        elif self.is_(i, "cho"):
            typed = unicodedata.normalize("NFC", _orig_slice(self.text, self.index, self.toks[i].start, self.toks[i].end)).lower()
            # "dag cho kinh phi", "van cho kinh phi" (still waiting)
            # … and "dag lam do cho kinh phi": a cause, waiting
            # … and "con lai cho nguon thu": what is left waits
            waiting = typed == "chờ" or (not self.toks[i].brk and (self.w(i - 1) in ("dang", "do", "vi") or self._still(i - 1)
                                                                   or (self.w(i - 1) == "lai" and self.w(i - 2) == "con")))
            wanted = _WAIT_FOR if waiting else _WAIT_FOR_ASCII
            # "chờ Viện kiểm sát nhân dân tối cao phê duyệt": who is waited on may take some words
            for j in range(i + 1, min(i + (10 if typed == "chờ" else 6), self.n)):
                if self.toks[j].brk:
                    break
                if any(self.seq(j, p) for p in wanted):
                    self.hits.append(_Hit("diff", True, self.toks[i].start))
                    break
                if any(self.seq(j, p) for p in _WAIT_DECISION):
                    # "chờ tỉnh phê duyệt chủ trương nên chưa giải ngân": an approval that holds
                    # the work up is an obstacle; "phần còn lại chờ UBND tỉnh phê duyệt", "đang chờ
                    # ý kiến của các sở" is the normal course of the work
                    if self._holds_up(j):
                        self.hits.append(_Hit("diff", True, self.toks[i].start))
                    break

    def _still(self, k: int) -> bool:
        """Token k is "vẫn" (still), not the "vấn" of "tư vấn", "vận" typed without marks."""
        if k < 0 or self.w(k) != "van":
            return False
        typed = self._typed(k)
        return typed == "vẫn" or (typed == "van" and not (self.w(k - 1) == "tu" and not self.toks[k].brk))

    def _waits_for_course(self, j: int) -> bool:
        """ "(chưa triển khai) do chờ lớp của Sở Tư pháp", "vì Sở Tư pháp chưa mở lớp bồi dưỡng",
        "do chưa có kế hoạch đào tạo của tỉnh": the course is the province's to open; waiting
        for it is the normal course of a training task, no obstacle of the unit."""
        for k in range(j, min(j + 9, self.n)):
            if k > j and self.toks[k].brk:
                return False
            if self.w(k) == "lop" or self.seq(k, ("ke", "hoach", "dao", "tao")) or \
                    self.seq(k, ("ke", "hoach", "boi", "duong")):
                return True
        return False

    def _holds_up(self, j: int) -> bool:
        """Whether the sentence from token j on says something cannot go ahead ("nên chưa …")."""
        for k in range(j + 1, min(j + 16, self.n)):
            if self.toks[k].brk and any(c in self._gap(k) for c in ".;!?\n"):
                return False
            if self.is_(k, "chua") or self.seq(k, ("khong", "the")):
                return True
        return False

    def _typed(self, i: int) -> str:
        """Token i as typed (lower case, NFC): to tell "vẫn" from "vận", "chờ" from "cho"."""
        tok = self.toks[i]
        return unicodedata.normalize("NFC", _orig_slice(self.text, self.index, tok.start, tok.end)).lower()

    def _cause_excluded(self, i: int) -> bool:
        prev = self.w(i - 1) if i and not self.toks[i].brk else ""
        if self.seq(i + 1, ("khong", "pham", "toi")) or self.seq(i + 1, ("khong", "co", "toi")):
            return True  # "đình chỉ do không phạm tội": the legal ground of a case's outcome
        if _PARTNER_NOT_YET_RE.match(self.folded, self.toks[i].end) and not any(self.is_(k, "cham") for k in self.back(i, 4)):
            return True  # "chưa triển khai do chưa có nội dung phối hợp cụ thể": the lead has not called on it yet
        if self._waits_for_course(i + 1) and not any(self.is_(k, "cham") for k in self.back(i, 4)):
            return True  # (a delay with its cause, "nv7 chậm vì chưa có lớp", is still one)
        if self.w(i) == "do":
            # "tiến độ", "mức độ", "trình độ", "chế độ", "trong đó", "do đó", "do Bộ tổ chức"
            return prev in ("tien", "muc", "trinh", "che", "thai", "nhiet", "trong", "sau", "truoc") \
                or self.w(i + 1) == "do"
        return prev == "pham" or self.w(i + 1) in ("pham", "the")

    def _on_phrase(self, phrase: tuple[str, ...], i: int, j: int) -> None:
        if phrase in _NOTHING_PHRASES:
            # "không phát sinh khó khăn" is a negated difficulty, not a status
            for k in range(j, min(j + 3, self.n)):
                if self.toks[k].brk:
                    break
                size = self._diff_start_at(k)
                if size and not (self.w(k) in ("de", "kien") and self.w(k + size) in ("phoi", "cung")):
                    return  # ("không phát sinh đề nghị phối hợp": no request to act on arose)
            self._status(NOT_ARISEN, i)
            return
        if phrase in _NO_RESULT_PHRASES:
            self._on_no_result(i, j)
            return
        if phrase in _DONE_PHRASES:
            self._on_done(i, j)
        elif phrase in _NS_VERBS:
            self._on_ns_verb(phrase, i, j)
        if phrase in _PROG_PHRASES:
            if phrase[0] == "dang" and self.toks[i].w == "dang":
                return  # counted by the generic "đang" rule; a typo ("dag thuc hien") is not
            if phrase == ("da", "trien", "khai") and self.w(j) in ("xong", "hoan") and not self.toks[j].brk:
                return  # "đã triển khai xong": the done rule reads it
            if phrase == ("da", "trien", "khai"):
                # "đã triển khai" alone is under way; "đã triển khai đầy đủ, đạt kế hoạch" is done
                self._status(IN_PROGRESS, i, weak=True)
            elif not self._negated(i, 2):
                self._status(IN_PROGRESS, i)
        elif phrase in _WEAK_PROG_PHRASES and phrase[0] != "dang":
            if not self._negated(i, 3) and not self.back_has(i, 2, ("ket", "qua"), ("ke", "hoach")):
                self._status(IN_PROGRESS, i, weak=True)
        if phrase in _DIFF_PHRASES:
            self._on_difficulty(phrase, i, j)

    def _on_no_result(self, i: int, j: int) -> None:
        if self.w(j) == "rieng" and not self.toks[j].brk:
            self._status(NOT_ARISEN, i)  # "thực hiện lồng ghép, không có kết quả riêng"
        elif self.w(i) == "chua" and (self.clause_end_after(j) or (
                self.w(j) == "trong" and self.w(j + 1) in ("quy", "ky", "thang", "nam", "dot"))):
            self._status(NOT_STARTED, i)  # "chưa có kết quả trong quý, sẽ báo cáo ở kỳ 6 tháng"

    def _negated(self, i: int, width: int) -> bool:
        return any(self.w(j) in ("khong", "chang") or self.is_(j, "chua") for j in self.back(i, width))

    # --- status -----------------------------------------------------------------------------

    def _on_done(self, i: int, j: int) -> None:
        if self.w(i) == "vuot" or self.seq(i, ("dat", "va", "vuot")):
            k = j
            while k < min(self.n, j + 8) and not (k > j and self.toks[k].brk):
                if self.w(k) == "ve" and self.w(k + 1) in ("viec", "tien"):
                    return  # "vượt chỉ tiêu Tổng cục giao về việc": one indicator met, not the task
                k += 1
        if self.w(i) == "xong" and self.seq(i - 2, ("chap", "hanh")) == 2 and self.w(j) in ("an", "hinh", "thoi") \
                and not self.toks[j].brk:
            return  # "tiếp nhận 14 người chấp hành xong án phạt tù": released prisoners, whom the work is for
        back2 = self.back(i, 2)
        # Noun uses: "thời hạn hoàn thành", "để hoàn thành", "trước khi xong", "tỷ lệ hoàn thành".
        if self.back_has(i, 2, ("thoi", "han"), ("gia", "han"), ("han",), ("nham",),
                         ("truoc", "khi"), ("sau", "khi"), ("yeu", "cau"), ("dam", "bao"),
                         ("ty", "le"), ("tien", "do"), ("ket", "qua")) or self.back_has(i, 4, ("ty", "le")) or (
            back2 and self.w(back2[0]) == "de" and not self.seq(back2[0], ("de", "nghi"))
        ):
            return
        if self._negated(i, 3):
            self._status(IN_PROGRESS, i)  # "chưa hoàn thành", "chưa thực hiện xong"
            return
        if self.back_has(i, 4, ("se",), ("sap",), ("gan",), ("chac",), ("du", "kien"),
                         ("phan", "dau"), ("co", "ban"), ("hy", "vong"), ("ky", "vong"),
                         ("buoc", "dau")):
            self._status(IN_PROGRESS, i)  # "dự kiến tháng 8 xong", "cơ bản hoàn thành"
            return
        if self._first_part_follows(j):
            self._status(IN_PROGRESS, i)  # "xong đợt 1", "hoàn thành giai đoạn 1": a first part done
            return
        if self.seq(j, ("mot", "phan")) or (self.w(j) == "1" and self.w(j + 1) == "phan"):
            self._status(IN_PROGRESS, i)
            return
        if self._partial_count(j):
            self._status(IN_PROGRESS, i)
            return
        if self._all_cases_follow(j):
            # "thi hành xong 02/02 bản án", "giải quyết xong 29/29 đơn": the period's cases all
            # settled, of work that goes on (as "giải quyết xong 412 việc"); "xong 4/4 hội nghị" is done
            self._status(IN_PROGRESS, i, weak=True)
            return
        if self.back_has(i, 5, ("so", "viec"), ("so", "vu"), ("so", "tien"), ("so", "don")):
            return  # "số việc thi hành xong tại Báo cáo quý I là 158 việc": a noun, the count's name
        if any(self.toks[k].digit and self.w(k + 1) in ("vu", "viec", "don", "tin") and not self.toks[k + 1].brk
               and (self.w(k + 1), self.w(k + 2)) != ("don", "vi")  # "2024 đơn vị đã hoàn thành": no cases
               for k in self.back(i, 5)) and self.w(i - 1) in ("da", "hanh", "quyet", "ly"):
            # "06 vụ đã thi hành xong": cases settled, of work that goes on
            self._status(IN_PROGRESS, i, weak=True)
            return
        if self._count_follows(j):
            # "giải quyết xong 412 việc", "xong 1.850 việc": hundreds of cases settled is the
            # period's throughput of work that goes on, not the task finished ("xong 2 lớp" is)
            self._status(IN_PROGRESS, i, weak=True)
            return
        self._status(DONE, i)

    def _first_part_follows(self, j: int) -> bool:
        """ "xong đợt 1", "hoàn thành giai đoạn 1", "xong đợt ra quân 1": a first part named next."""
        if self.w(j) not in ("dot", "buoc", "giai") or self.toks[j].brk:
            return False
        k = j + 2 if self.w(j) == "giai" and self.w(j + 1) == "doan" else j + 1
        for m in range(k, min(k + 3, self.n)):
            if self.toks[m].brk:
                return False
            if self.w(m) in ("dau", "mot", "1", "i"):
                return True
        return False

    def _all_cases_follow(self, j: int) -> bool:
        frac = self._fraction_at(j) if j < self.n and not self.toks[j].brk else None
        return bool(frac) and frac[0] == frac[1] and self.w(j + 2) in ("don", "ban", "vu", "viec", "ho", "tin") \
            and (self.w(j + 2) != "ban" or self.w(j + 3) == "an") and (self.w(j + 2) != "ho" or self.w(j + 3) == "so")

    def _count_follows(self, j: int) -> bool:
        if j >= self.n or not self.toks[j].digit or self.toks[j].brk:
            return False
        rest = self.folded[self.toks[j].end:self.toks[j].end + 12]
        m = re.match(r"(?:[.,]\d+)*\s*([%/]|[a-z]+)", rest)
        return m is not None and m.group(1) not in ("%", "/", "phan", "ngay", "thang", "nam") \
            and int(re.match(r"\d{1,3}(?:\.\d{3})+|\d+", self.folded[self.toks[j].start:]).group().replace(".", "")) >= 100

    def _fraction_at(self, k: int) -> tuple[int, int] | None:
        if 0 <= k and k + 1 < self.n and self.toks[k].digit and self.toks[k + 1].digit \
                and self.folded[self.toks[k].end:self.toks[k + 1].start].strip() == "/" \
                and not re.match(r"\s*/\s*\d", self.folded[self.toks[k + 1].end:self.toks[k + 1].end + 4]) \
                and not re.search(r"\d\s*/\s*$", self.folded[max(0, self.toks[k].start - 4):self.toks[k].start]) \
                and not (k and self.w(k - 1) in ("so", "nv", "vu", "tri", "hop")):
            # not "nhiệm vụ số 2/6/7", "NV 2/6": a list of tasks, not a count
            return int(self.toks[k].w), int(self.toks[k + 1].w)
        return None

    def _partial_count(self, j: int) -> bool:
        """ "hoàn thành 12/15 vụ", "3/4 nội dung đã hoàn thành", or "giao 3 nhiệm vụ, hoàn
        thành 2 nhiệm vụ": only part of the work is done."""
        i = j - 1
        while i > 0 and not self.toks[i].brk and self.toks[i - 1].w in ("hoan", "thanh", "tat"):
            i -= 1
        for k in self.back(i, 6):
            frac = self._fraction_at(k) or self._fraction_at(k - 1)  # "/" breaks the clause walk
            if frac and frac[0] < frac[1]:
                return True
        if j < self.n:
            # "thi hành xong 2.140/2.830 việc"
            m = _BIG_FRACTION_RE.match(self.folded, self.toks[j].start)
            if m and int(m.group(1).replace(".", "")) < int(m.group(2).replace(".", "")):
                return True
        if j < self.n and self.toks[j].digit and not self.toks[j].brk:
            # the whole number from j on: "1.487" is tokens 1 . 487
            last = j
            while last + 1 < self.n and self.toks[last + 1].digit and len(self.toks[last + 1].w) == 3 \
                    and self.folded[self.toks[last].end:self.toks[last + 1].start] == ".":
                last += 1
            gap = self.folded[self.toks[last].end:self.toks[last + 1].start] if last + 1 < self.n else ""
            if last + 1 < self.n and self.toks[last + 1].digit and gap.strip() == "/":
                return self._number_ending(last) < int(self.toks[last + 1].w)
            noun = self.w(last + 1)
            if noun and not noun.isdigit() and not self.toks[last + 1].brk:
                done_count = self._number_ending(last)
                for k in range(max(0, j - 40), min(self.n - 1, j + 40)):
                    if k != last and self.toks[k].digit and self.w(k + 1) == noun \
                            and not self.toks[k + 1].brk and self._number_ending(k) > done_count:
                        return True
        return False

    def _number_ending(self, k: int) -> int:
        """The value of the number whose last digits are token k: "1.027" is tokens 1 . 027."""
        value, scale, m = int(self.toks[k].w), 10 ** len(self.toks[k].w), k
        while m > 0 and self.toks[m - 1].digit and len(self.toks[m].w) == 3 \
                and self.folded[self.toks[m - 1].end:self.toks[m].start] == ".":
            m -= 1
            value += int(self.toks[m].w) * scale
            scale *= 10 ** len(self.toks[m].w)
        return value

    def _on_ns_verb(self, phrase: tuple[str, ...], i: int, j: int) -> None:
        # "đã thực hiện được 3/4 nội dung": part of the task's content is done.
        k = j + 1 if self.w(j) == "duoc" else j
        frac = self._fraction_at(k)
        if frac and not self._negated(i, 2):
            # "đã tổ chức 12/15 hội nghị": part of what was planned; "15/15": all of it
            self._status(IN_PROGRESS if frac[0] < frac[1] else DONE, i, weak=frac[0] >= frac[1])
        # "chưa thực hiện xong" is about finishing: the done rule handles it.
        for k in range(j, min(j + 2, self.n)):
            if self.toks[k].brk:
                break
            if self.w(k) in ("xong", "hoan", "het"):
                return
        if self._negated(i, 2):
            self._status(NOT_STARTED, i)
        elif self.back_has(i, 2, ("se",), ("sap",), ("du", "kien"), ("chuan", "bi")) and phrase != ("lam",):
            self._status(NOT_STARTED, i)  # "sẽ triển khai trong quý III"

    # --- percent ----------------------------------------------------------------------------

    def _scan_percents(self) -> None:
        for k, tok in enumerate(self.toks):
            if len(tok.w) > 3 or not tok.w.isdigit():
                continue
            prev_gap = self.folded[self.toks[k - 1].end:tok.start] if k else ""
            if k and self.toks[k - 1].digit and prev_gap in (".", ",", "/"):
                continue  # the tail of "78,5" or "1.250" or "12/15"
            value = int(tok.w)
            after = k + 1
            # decimal tail: "78,5%" → 78 (truncated so that 99,5% never rounds up to done)
            if after < self.n and self.toks[after].digit and \
                    self.folded[tok.end:self.toks[after].start] in (",", "."):
                tail_end = self.toks[after].end
                after += 1
            else:
                tail_end = tok.end
            rest = self.folded[tail_end:tail_end + 3]
            is_pct = rest.lstrip(" ").startswith("%")
            if not is_pct and self.seq(after, ("phan", "tram")):
                is_pct, after = True, after + 2
            elif not is_pct and self.w(after) in ("pt", "ptram") and "\n" not in self.folded[tail_end:self.toks[after].start]:
                is_pct, after = True, after + 1  # "nv6 80pt", "đạt 70 pt": phần trăm on a phone
            elif not is_pct and rest.startswith("/") and self.w(after) == "10" and after + 1 < self.n \
                    and self.folded[self.toks[after].end:self.toks[after + 1].start].strip() == "" \
                    and fold(self.text[self.toks[after + 1].start:self.toks[after + 1].end]) in ("kh", "ke", "khoach"):
                # "đạt 7/10 kh", "8/10 kế hoạch": tenths of the plan; "12/15 hội nghị" stays a count
                value, is_pct, after = value * 10, True, after + 1
            elif is_pct:
                pass
            elif self._after_reached(k) and self.clause_end_after(after) and not rest.startswith("/"):
                is_pct = True  # "đạt 95" at the end of a clause
            if not is_pct or value > 100:
                continue
            if self._metric(k, after, rest):
                continue
            self.pcts.append(_Pct(value, tok.start, self._progress_pct(k, after)))

    def _progress_pct(self, k: int, after: int) -> bool:
        gap = self.folded[self.toks[after - 1].end:self.toks[after].start] if after < self.n else ""
        if after < self.n and "\n" not in gap and gap.strip() == "%" and (self.w(after), self.w(after + 1)) in _PROGRESS_NOUNS:
            return True
        return any(self.seq(j, ("tien", "do")) for j in self.back(k, 5))

    def _after_reached(self, k: int) -> bool:
        j = k - 1
        if j >= 0 and not self.toks[k].brk and self.w(j) in ("khoang", "gan", "tren", "hon"):
            j -= 1
        if j < 0 or self.toks[j + 1].brk:
            return False
        return self.is_(j, "dat", "duoc") or self.seq(j - 1, ("tien", "do")) == 2

    def _rate_of_cases(self, k: int, sentence: str) -> bool:
        """ "tiếp nhận 412 tin, đã giải quyết 360 tin, đạt 87,4%", "đã giải quyết 375 tin (đạt
        91%)": a rate over hundreds of cases is the period's rate of that indicator, work that
        goes on (as "giải quyết xong 412 việc"), not the task's progress; "20/25 đơn, đạt 80%" is."""
        j = k - 1
        while j >= 0 and self.w(j) in ("khoang", "gan", "tren", "hon", "ty", "le"):
            j -= 1
        if j < 0 or not self.is_(j, "dat"):
            return False
        if self._progress_pct(k, k + 1 if self.folded[self.toks[k].end:self.toks[k].end + 1] != "," else k + 2):
            return False
        return any(int(m.group(1).replace(".", "")) >= 100 for m in _CASES_RE.finditer(sentence))

    def _metric(self, k: int, after: int, rest: str) -> bool:
        """A percentage that measures something else: "tăng 15%", "100% cán bộ", "tỷ lệ ... 88%"."""
        if self._negated(k, 3):
            return True  # "chưa đạt 100%": not a figure we can record
        start = self.toks[k].start
        # where the number ends: after its decimal tail ("78,3%")
        num_end = self.toks[k + 1].end if after > k + 1 and self.toks[k + 1].digit else self.toks[k].end
        sentence = self.folded[max(0, start - 120):start]
        sentence = re.split(r"[.;\n]", sentence)[-1]
        if _RATE_RE.search(sentence):
            return True  # "tỷ lệ cán bộ, viên chức được phổ biến đạt 95%": a rate, not the task's progress
        if re.match(r"\s*%\s*chi tieu ve (?:viec|tien)", self.folded[num_end:num_end + 30]):
            return True  # "68% chỉ tiêu về việc": one indicator
        fraction = _FRACTION_BEFORE_RE.search(self.folded[max(0, start - 90):start])
        if fraction and _OF_THE_PLAN_RE.search(fraction.group()):
            return False  # "45/50 bài kế hoạch quý (90%)", "50/50 tổ … theo kế hoạch (đạt 100%)": the plan's share done
        if fraction:
            return True  # "giải quyết 45/50 đơn (đạt 90%)": the share of that count
        if _CASES_FRACTION_RE.search(self.folded[max(0, start - 90):start]):
            return True  # "giải quyết 31/37 vụ án hành chính, đạt 83,8%": the share of the cases settled
        if _COUNT_SHARE_RE.search(self.folded[max(0, start - 130):start]) and not self._progress_pct(k, after):
            return True  # "đã giải quyết 79 đơn (đạt 90,8%)", "hòa giải thành 131 vụ (86,2%)": that count's share
        if _DISBURSED_RE.search(self.folded[max(0, start - 40):start]):
            return True  # "giải ngân được 40%": the rate of disbursement, an indicator
        if _SETTLED_RATE_RE.search(self.folded[max(0, start - 40):start]) and not self._progress_pct(k, after):
            return True  # "gq tin bao 86%", "giải quyết 85,9%", "án hình sự 98,2%": the rate of cases settled, an indicator
        if _TARGET_AFTER_RE.match(self.folded, self.toks[after - 1].end) or _TARGET_BEFORE_RE.search(self.folded[max(0, start - 50):start]):
            return True  # "đạt 41,8% (chỉ tiêu 40%)": an indicator against its own target, and that target
        if self._rate_of_cases(k, sentence):
            return True
        if any(self.w(j) == "ve" and self.w(j + 1) in ("viec", "tien", "so") for j in range(max(0, k - 4), k)):
            return True  # "về việc 76%, về tiền 38%": one indicator of the task, not its progress
        if re.search(r"\bve (?:viec|tien)\b", sentence) or re.match(r"\s*%\s*(?:\)\s*)?ve (?:viec|tien)\b", self.folded[num_end:num_end + 20]):
            return True  # "về tiền … thi hành xong 335 tỷ đồng, đạt 41,2%", "đạt 75% về việc"
        if any(self.seq(j, ("dung", "han")) or self.seq(j, ("dung", "thoi", "han")) for j in self.back(k, 4)):
            return True  # "truy tố đúng thời hạn 100%": a rate of timeliness
        for j in self.back(k, 12):
            if (self.is_(j, "tang", "giam") and self.w(j + 1) != "cuong") or self.w(j) in ("chiem", "vuot", "cho", "rieng") \
                    or self.seq(j, ("so", "voi")):
                return True  # "riêng án hành chính đạt 100%": a part, not the task
            if self.seq(j, ("ty", "le")) and not self.seq(j + 2, ("hoan", "thanh")):
                return True
        # What follows the percentage: progress nouns are fine, counted people/things are not.
        gap = self.folded[self.toks[after - 1].end:self.toks[after].start] if after < self.n else ""
        if after < self.n and "\n" not in gap and gap.strip() == "%":
            j = after
            while self.w(j) in ("cac", "so", "tong", "nhung", "toan") and j + 1 < self.n \
                    and not self.toks[j + 1].brk:
                j += 1
            nxt, nxt2 = self.w(j), self.w(j + 1)
            if (nxt, nxt2) in (("co", "quan"), ("co", "so"), ("don", "vi"), ("xa", "phuong")):
                return True  # "100% cơ quan, đơn vị": a share of agencies
            if nxt == "dang" and (not self.toks[j].strict_ok or nxt2 in _DANG_NOT_VERB):
                return True  # "100% đảng viên"
            if (nxt, nxt2) in _PROGRESS_NOUNS or nxt in _NOT_A_NOUN or nxt.isdigit():
                return False
            # "100% cán bộ", "100% chi bộ", "100% số dự thảo": a share of people or things
            return True
        return False

    # --- difficulty -------------------------------------------------------------------------

    def _on_difficulty(self, phrase: tuple[str, ...], i: int, j: int) -> None:
        prev = self.w(i - 1) if i and not self.toks[i].brk else ""
        prev2 = self.w(i - 2) if i > 1 and not self.toks[i - 1].brk and prev else ""
        nxt = self.w(j) if j < self.n and not self.toks[j].brk else ""
        head = phrase[0]
        if phrase == ("gia", "han") or (head in ("kien", "de") and self._extension_follows(j)):
            # "đề nghị gia hạn đến 30/3": a request for more time (bot.extensions), handled on
            # its own and sent to Sở Tư pháp; it is neither a difficulty nor a recommendation.
            return
        if head == "kho" or head == "vuong":
            # "hoàn cảnh khó khăn", "xã đặc biệt khó khăn", "tháo gỡ khó khăn" (task 10's activity)
            # "giải đáp vướng mắc pháp luật cho người dân" (the work of a legal-aid task)
            if prev in ("canh", "biet", "ho", "vung", "go", "phuc", "qua", "met", "hinh", "dap") or \
                    (prev == "quyet" and prev2 == "giai"):
                return
            if head == "kho" and prev in ("xa", "thon", "huyen") and (prev2 in ("cac", "nhung") or self.toks[i - 2].digit) \
                    and nxt not in ("ve", "trong", "do", "vi", "khi", "nen"):
                return  # "tư vấn cho người dân tại 23 xã khó khăn": disadvantaged communes, whom the work is for
            first = i
            while (earlier := self._prev_difficulty(first)) is not None and earlier < first:
                first = earlier
            if first != i and first and not self.toks[first].brk and self.w(first - 1) in ("go", "phuc") and \
                    self.w(self._prev_difficulty(i) or i) in ("kho", "vuong"):
                return  # "tháo gỡ khó khăn, vướng mắc", "khắc phục khó khăn, vướng mắc": the activity
        elif head in ("kien", "de"):
            # "đơn kiến nghị, phản ánh của công dân", "theo đề nghị của": someone else's request
            if prev in ("theo", "don", "nhan", "quyet", "ly", "anh", "tri", "de", "nham", "muu", "cuu") or nxt in ("cua", "phan", "khoi"):
                # … "rà soát 03 quy chế để đề xuất sửa đổi", "tham mưu đề xuất": the work itself
                # … and "tin báo, tố giác tội phạm và kiến nghị khởi tố": the legal term
                return
            if i and self.toks[i].brk and self._gap(i).strip() == "," and \
                    (self.seq(i - 2, ("phan", "anh")) or self.seq(i - 2, ("khieu", "nai")) or self.seq(i - 2, ("to", "cao"))):
                return  # "tiếp nhận 17 đơn phản ánh, kiến nghị": citizens' petitions, a kind of case
            if phrase in (("de", "xuat"), ("kien", "nghi")) and j + 2 < self.n and \
                    (self.seq(j, ("sua", "doi")) or self.seq(j, ("bai", "bo")) or self.seq(j, ("thay", "the"))) and \
                    self.toks[j + 2].digit and not self.toks[j + 2].brk:
                return  # "rà soát 07 quy chế, đề xuất sửa đổi 02 quy chế": a count of the work's results
            if not self._asks_support(j):
                return  # "đề nghị Sở cập nhật đầu mối", "(Đề nghị Hội Luật gia tỉnh chủ trì)"
        elif head == "thieu":
            if prev in ("toi", "giam", "khong") or nxt in ("nhi", "nien"):
                return
            if self._being_recruited(j):
                # "còn thiếu 02 công chức Tư pháp - Hộ tịch; đang tuyển dụng": the gap is being
                # filled, the staffing task's own work, no obstacle
                self.hits.append(_Hit("diff", False, self.toks[i].start))
                return
        elif head == "cham":
            if prev == "go" or (prev == "phuc" and prev2 == "khac"):
                return  # "tháo gỡ chậm trễ trong 06 vụ trưng cầu", "khắc phục chậm trễ": the work itself
            ok = prev in ("bi", "con") or nxt in ("do", "tre", "tien", "so", "hon", "thuc", "trien", "ban") \
                or self.seq(i - 2, ("tien", "do")) == 2 \
                or (self._typed(i) == "chậm" and nxt != "nhat")  # "thi hành án: chậm, …" (not "chậm nhất ngày 15")
            if not ok:
                return
            if prev in _CASE_NOUNS and not any(self.w(k) == "con" for k in self.back(i, 4)) and \
                    (any(self.toks[k].digit for k in self.back(i, 4)) or any(self.seq(k, ("don", "doc")) for k in self.back(i, 8))):
                return  # "đôn đốc 03 trường hợp chậm thi hành": others' delays are what the task acts on
        elif phrase == ("qua", "tai") and prev == "thong":
            return  # "các luật thông qua tại Kỳ họp thứ 6": passed at, not overloaded
        elif phrase == ("han", "che"):
            # "còn hạn chế" (a shortcoming), not "nhằm hạn chế" (to limit)
            if prev not in ("con", "so") and not self.seq(i - 2, ("mot", "so")):
                return
        if self._difficulty_negated(i, j) or self._resolved(j):
            self.hits.append(_Hit("diff", False, self.toks[i].start))
            return
        self.hits.append(_Hit("diff", True, self.toks[i].start))

    def _asks_support(self, j: int) -> bool:
        """Whether a request ("đề nghị …", "kiến nghị …") asks for support or names an obstacle
        (funds, staff, guidance, a decision) rather than a procedural step."""
        head_end = j
        k = j
        while k < self.n and k < j + 25:
            if k > head_end and self.toks[k].brk and any(c in self._gap(k) for c in ".;!?\n"):
                break  # the request ends with its sentence
            if k == head_end and self.toks[k].brk and any(c in self._gap(k) for c in ".;!?"):
                return False  # "… phản ánh, kiến nghị; đã giải quyết 17/17 đơn"
            if self.w(k) in _SUPPORT_WORDS or any(self.seq(k, p) for p in _SUPPORT_PHRASES):
                return True
            if any(self.seq(k, p) for p in _DIFF_PHRASES if p[0] not in ("de", "kien")):
                return True
            k += 1
        return k == j  # "Kiến nghị:" alone at the end: a heading; what follows decides

    def _extension_follows(self, j: int) -> bool:
        """ "đề nghị (cho|được) gia hạn": the asking word of an extension request."""
        k = j
        while k < self.n and not self.toks[k].brk and self.w(k) in ("cho", "duoc", "xin"):
            k += 1
        return k < self.n and not self.toks[k].brk and self.seq(k, ("gia", "han")) == 2

    def _being_recruited(self, j: int) -> bool:
        if j >= self.n:
            return False
        m = _SENTENCE_END_RE.search(self.folded, self.toks[j - 1].end)
        rest = self.folded[self.toks[j - 1].end:m.start() if m else len(self.folded)]
        return _RECRUITING_RE.search(rest) is not None and not _STILL_SHORT_RE.search(rest)

    def _resolved(self, j: int) -> bool:
        """ "các vướng mắc đã được tháo gỡ": a difficulty already dealt with."""
        for k in range(j, min(j + 4, self.n)):
            if self.toks[k].brk:
                return False
            if self.seq(k, ("thao", "go")) or self.seq(k, ("giai", "quyet")) or self.seq(k, ("khac", "phuc")):
                return self.w(k - 1) in ("da", "duoc") or self.w(k - 2) in ("da", "duoc")
        return False

    def _difficulty_negated(self, i: int, j: int) -> bool:
        if self.w(i) in ("khong", "chua"):
            return False  # "không đủ", "chưa đủ" are themselves the difficulty
        # Before: "không (có|gặp|phát sinh|còn) khó khăn", possibly through a list
        # ("không có khó khăn, vướng mắc, kiến nghị").
        k = i
        while True:
            steps = 0
            m = k - 1
            while m >= 0 and steps < 3 and not self.toks[m + 1].brk:
                w = self.w(m)
                if w in ("khong", "chang") or self.is_(m, "chua"):
                    return True
                if w not in _NEG_FILLER:
                    break
                m -= 1
                steps += 1
            # walk back over a preceding difficulty word in a list
            prev_list = self._prev_difficulty(k)
            if prev_list is None:
                break
            k = prev_list
        # After: "Khó khăn, vướng mắc: Không", "Kiến nghị: không có"
        m = j
        while m < self.n:
            nxt_diff = self._diff_start_at(m)
            if nxt_diff and (not self.toks[m].brk or self._gap(m).strip() in (",", "/")):
                m += nxt_diff
                continue
            break
        if m < self.n and not self.toks[m].brk and self.w(m) in ("khong", "chang") and self.w(m + 1) == "co" \
                and not self.toks[m + 1].brk and self.clause_end_after(m + 2):
            return True  # "vương mắc k co", "khó khăn không có": said not to exist
        if m < self.n and self.toks[m].brk and any(c in self._gap(m) for c in ":-\n") and \
                (self.w(m) in ("khong", "chang") or self.is_(m, "chua")):
            end = m + 1
            while end < self.n and not self.toks[end].brk and self.w(end) in ("co", "gi", "phat", "sinh"):
                end += 1
            return self.clause_end_after(end)
        return False

    def _gap(self, m: int) -> str:
        start = self.toks[m - 1].end if m else 0
        return self.folded[start:self.toks[m].start]

    def _diff_start_at(self, m: int) -> int:
        for p in _DIFF_PHRASES:
            size = self.seq(m, p, fuzzy=True)
            if size:
                return size
        if self.w(m) in ("va", "hoac") and not self.toks[m].brk:
            return 1
        return 0

    def _prev_difficulty(self, k: int) -> int | None:
        """Start of a difficulty word listed just before token k ("khó khăn, vướng mắc")."""
        if k == 0:
            return None
        if self._gap(k).strip() not in ("", ",", "/"):
            return None
        m = k - 1
        if self.w(m) in ("va", "hoac") and not self.toks[m].brk:
            m -= 1
            if m < 0 or self.toks[m + 1].brk:
                return None
        for size in (2, 1):
            start = m - size + 1
            if start >= 0:
                for p in _DIFF_PHRASES:
                    if len(p) == size and self.seq(start, p, fuzzy=True):
                        return start
        return None

    def _scan_lack(self) -> None:
        # "chưa có kinh phí", "chưa được bố trí biên chế", "không có hướng dẫn": a lack is a
        # difficulty even though it starts with a negation.
        for i, tok in enumerate(self.toks):
            if not (tok.w == "khong" or tok.w == "chua" and tok.strict_ok):  # (w(i), is_(i, "chua"))
                continue
            j = i + 1
            while j < self.n and j <= i + 3 and not self.toks[j].brk and self.w(j) in _LACK_FILLER:
                j += 1
            if _NONE_CONCERNED_RE.match(self.folded, self.toks[i].start):
                continue  # "không có cán bộ thuộc diện đào tạo": none the task applies to, no lack
            if j < self.n and not self.toks[j].brk and self.w(j) in _RESOURCES \
                    and not (self.w(j) == "can" and self.w(j + 1) in ("cu", "thiet")) \
                    and not (self.w(j) == "nhan" and self.w(j + 1) in ("duoc", "dc", "ve", "thay", "dien")):
                # ("không có căn cứ", "không cần thiết": no resource lacking)
                self.hits.append(_Hit("diff", True, self.toks[i].start))
            elif any(self.seq(k, p) for k in range(i + 1, min(j + 1, self.n)) for p in _ALLOCATE):
                self.hits.append(_Hit("diff", True, self.toks[i].start))

    # --- facts of a region ------------------------------------------------------------------

    def facts(self, spans: Iterable[tuple[int, int]]) -> tuple[str | None, int | None]:
        spans = list(spans)
        hits = self.hits_in(spans)
        strong = [str(h.value) for h in hits if h.kind == "status"]
        weak = [str(h.value) for h in hits if h.kind == "weak"]
        percent = self.pct_in(spans)
        last = [h for h in hits if h.kind == "status"][-1:] if strong else []
        if percent is None and last and last[0].value == DONE and (
                self._concludes(last[0].pos, max(hi for _, hi in spans))
                or self._target_met_last(last[0].pos, max(hi for _, hi in spans))):
            # "… duy trì 45 mô hình. Thực hiện xong theo kế hoạch.": the closing word wins
            return DONE, None
        return _combine(strong or weak, percent), percent

    def _concludes(self, pos: int, hi: int | None = None) -> bool:
        """Whether a status word at folded offset ``pos`` opens the last sentence of its part
        (which ends at ``hi``); "Đánh giá: Hoàn thành." opens it too."""
        before = self.folded[max(0, pos - 40):pos]
        # … and "Nhiệm vụ năm 2024 hoàn thành.", "Nhiệm vụ đã hoàn thành.": the task's own closing sentence
        opens = re.search(r"(?:^|[.;]\s*|\n\s*)(?:(?:nhiem vu|nv)\s(?:[a-z0-9]+\s){0,3}|(?:[a-z]+\s){0,2}(?:[a-z]+\s?[a-z]*\s*:\s*)?)$",
                          before) is not None \
            and re.search(r"[.;\n]", before) is not None
        after = self.folded[pos:hi]
        return opens and re.search(r"[.;\n]\s*\S", after) is None

    def _target_met_last(self, pos: int, hi: int) -> bool:
        """ "Thi hành xong 276/341 việc …; về việc đạt 80,9%, …, vượt chỉ tiêu được giao.": the
        target met, said last, sums up the results before it."""
        return re.match(r"vuot (?:cac )?chi tieu|dat va vuot", self.folded[pos:pos + 20]) is not None \
            and re.search(r"[.;\n]\s*\S", self.folded[pos:hi]) is None

    def difficulty(self, spans: Iterable[tuple[int, int]]) -> bool:
        return any(h.kind == "diff" and h.value for h in self.hits_in(spans))


# "dang" typed without diacritics may be "Đảng ủy", "đảng viên", "đăng tải", "đăng ký", "đáng kể".
_DANG_NOT_VERB = frozenset({
    "vien", "uy", "bo", "doan", "ky", "tai", "ke", "nhap", "tin", "bai", "cong", "tren", "van",
})
# "tỷ lệ …" (not "tỷ lệ hoàn thành (kế hoạch)") earlier in the sentence
_RATE_RE = re.compile(r"\bty le (?!hoan thanh|thuc hien (?:ke hoach|nhiem vu))")
# "45/50 đơn (đạt " just before a percentage
_FRACTION_BEFORE_RE = re.compile(r"\d\s*/\s*\d[\d.]*\s+[a-z ,]{1,60}\(\s*(?:dat|bang|chiem|=)?\s*(?:ty le\s*)?$")
# … unless what was counted is the plan's: "45/50 bài kế hoạch quý (", "50/50 tổ … theo kế hoạch ("
_OF_THE_PLAN_RE = re.compile(r"\bke hoach\b")
# "31/37 vụ án hành chính, đạt ", "701/895 việc có điều kiện, đạt ": the share of a kind of cases
# settled, an indicator of work that goes on (not "giải quyết 41/45 đơn thư, đạt 91%": the cases at hand)
_CASES_FRACTION_RE = re.compile(r"\d\s*/\s*\d[\d.]*\s+(?:vu viec|vu an|don thu|ho so|ban an|bi can|truong hop|du thao|vu|viec|don|tin)"
                                r" (?!viec\b|an\b|thu\b)[a-z][a-z ]{0,40},\s*(?:dat|bang|chiem)\s*(?:ty le\s*)?$")
# "79 đơn (đạt ", "2.010 vụ, việc (", "3,1/4,5 tỷ đồng (": a count with its unit, then the
# parenthesis its share opens (not "Nhiệm vụ 6 (đạt 50%)")
_COUNT_SHARE_RE = re.compile(
    r"(?<![a-z\d.,/])(?<!nv )(?<!vu )(?<!muc )\d[\d.,]*(?:\s*/\s*\d[\d.,]*)?\s+(?![\d(])[a-z][a-z ,\-–]{0,90}\(\s*(?:dat|bang|chiem|=)?\s*(?:ty le\s*)?$")
# "giải ngân được 40%", "mới giải ngân đạt 52%"
_DISBURSED_RE = re.compile(r"\bgiai ngan\s+(?:(?:moi|chi|da)\s+)?(?:duoc|dc|dat)?\s*(?:khoang\s+|gan\s+|tren\s+)?$")
# "gq tin bao 86%", "giải quyết 85,9%", "xét xử đạt 92%", "án hs 98,2%": a rate of the cases settled, straight after
# the verb (its case words between), not "giải quyết xong 40/50 đơn, đạt 80%"
_SETTLED_RATE_RE = re.compile(
    r"(?:\b(?:giai quyet|gq|xet xu|truy to|thu ly|kiem sat|ks)(?:\s+(?:tin bao|tin|don thu|don|vu an|vu viec|vu|viec|an))?"
    r"|\ban (?:hs|hinh su|ds|dan su|hanh chinh|hc))\s+(?:(?:dat|duoc|dc)\s+)?(?:khoang\s+|gan\s+|tren\s+)?$")
# "đạt 41,8% (chỉ tiêu 40%)", "(chỉ tiêu Quốc hội giao là 85%)"
_TARGET_AFTER_RE = re.compile(r"\s*%\s*(?:ve (?:viec|tien)\s*)?\(\s*(?:vuot\s+)?chi tieu\b")
_TARGET_BEFORE_RE = re.compile(r"\(\s*(?:vuot\s+)?chi tieu[a-z ]{0,30}$")
# "2.140/2.830 việc": a count with thousands separators
_BIG_FRACTION_RE = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+)\s*/\s*(\d{1,3}(?:\.\d{3})+|\d+)(?![\d/])")
# "còn 01 vụ vướng mắc", "còn 03 vụ chưa thực hiện được": work remaining
_REMAINING_RE = re.compile(r"\bcon \d+ (?:[a-z]+ ){1,4}(?:chua|vuong|dang)\b")
# A count of cases: "412 tin", "1.612 vụ việc", "360 hồ sơ"
# "(còn thiếu 02 công chức …); đang tuyển dụng", "đang hoàn thiện thủ tục tuyển dụng", "dag tuyen"
_RECRUITING_RE = re.compile(r"[;,]\s*(?:hien\s+)?(?:dang|dag|dg)\s+(?:hoan thien (?:thu tuc|ho so)\s+|to chuc\s+|tien hanh\s+)?tuyen(?:\s+dung)?\s*$")
# … unless the sentence says the recruiting fails ("do không có người đăng ký", "chưa tuyển được")
_STILL_SHORT_RE = re.compile(r"\b(?:do|vi) |\bchua tuyen|\bkhong (?:co )?(?:nguoi|ai)\b")
# "do không có cán bộ thuộc diện đào tạo", "vì không có đối tượng thuộc diện": none the task applies to
_NONE_CONCERNED_RE = re.compile(r"(?:khong|ko|k|chua) co (?:[a-z]+ ){1,4}thuoc (?:dien|doi tuong)\b")
_SENTENCE_END_RE = re.compile(r"[.!?\n]")
_CASES_RE = re.compile(r"(?<![\d.,/])(\d{1,3}(?:\.\d{3})+|\d{3,})\s+(?:tin|vu|viec|don|ho so|bi can|truong hop|ban an|quyet dinh|thu tuc)\b")
# Who does the work: "chỉ có 01 công chức" is a shortage of them
_STAFF = [("cong", "chuc"), ("can", "bo"), ("vien", "chuc"), ("chap", "hanh", "vien"), ("tham", "phan"),
          ("kiem", "sat", "vien"), ("giam", "dinh", "vien"), ("dieu", "tra", "vien"), ("bien", "che"),
          ("nguoi",), ("tro", "giup", "vien"), ("thu", "ky")]
# What may not arise in a period: "không có vụ (việc) nào", "không có trường hợp nào"
_CASE_NOUNS = frozenset({"vu", "viec", "an", "truong", "hop", "don", "yeu", "cau", "de", "nghi", "tin", "bao"})
# What someone waits for ("chờ tỉnh cấp kinh phí"); typed without diacritics "cho" is also "for",
# so then only unmistakable objects count.
# The cause of a coordinating task not begun: the lead agency has not yet asked or planned it
_PARTNER_NOT_YET_RE = re.compile(r"\s+(?:chua (?:co|nhan duoc|nhan dc)|(?:dang )?cho) (?:noi dung|ke hoach|de nghi|yeu cau|van ban de nghi)"
                                 r"(?: [a-z]+){0,2}? (?:phoi hop|cua)\b")
_WAIT_FOR = [("cap",), ("bo", "tri"), ("huong", "dan"), ("kinh", "phi"), ("van", "ban"),
             ("can", "doi", "nguon"),  # "một số hồ sơ chờ tỉnh cân đối nguồn"
             ("ban", "hanh"),  # "chưa tổ chức do đang chờ Bộ Tư pháp ban hành chương trình khung"
             ("nguon",)]  # "phần còn lại chờ nguồn tăng thu", "chờ nguồn vốn": the money is not there
_WAIT_FOR_ASCII = [("cap", "kinh", "phi"), ("bo", "tri", "kinh", "phi")]
# Waiting for a decision is the normal course of the work unless it holds the work up.
_WAIT_DECISION = [("phe", "duyet"), ("y", "kien")]
# A request for support: what it asks for.
_SUPPORT_WORDS = frozenset({"som", "sua", "kinh"})
_SUPPORT_PHRASES = [
    ("tao", "dieu", "kien"), ("co", "so", "vat", "chat"), ("ho", "tro"), ("quan", "tam"), ("huong", "dan"),
    ("bo", "tri"), ("bo", "sung", "kinh"), ("bo", "sung", "bien"), ("bo", "sung", "nhan"), ("phan", "bo"),
    ("cap", "kinh"), ("cap", "phat"), ("cap", "bo", "sung"), ("bien", "che"), ("nhan", "luc"), ("trang", "bi"),
    ("trang", "thiet"), ("dau", "tu"), ("tap", "huan"), ("boi", "duong"), ("dao", "tao"), ("ban", "hanh"),
    ("chi", "dao"), ("giai", "quyet"), ("thao", "go"), ("tang", "cuong"), ("xem", "xet"), ("uu", "tien"),
    ("sua", "doi"), ("dieu", "chinh"), ("nang", "cao"),
    ("cung", "cap"), ("cong", "bo"),  # "đề nghị … cung cấp tài liệu", "… công bố danh sách giám định viên"
    ("chinh", "sach"), ("thu", "hut"),  # "đề nghị tỉnh có chính sách thu hút bác sĩ pháp y": staff it lacks
]
_NEG_FILLER = frozenset({"co", "gap", "phat", "sinh", "xay", "ra", "con", "thay", "ghi", "nhan", "gi", "nao", "bi"})
_LACK_FILLER = frozenset({"co", "du", "duoc", "cap", "giao", "bo", "tri", "phan"})
_RESOURCES = frozenset({"kinh", "nguon", "bien", "nhan", "huong", "trang", "dia", "co", "nguoi", "can", "phong"})
_ALLOCATE = [("bo", "tri"), ("cap",), ("giao", "kinh"), ("phan", "bo")]
# After "70%": the work itself ("70% kế hoạch") or a word that is not a counted noun.
_PROGRESS_NOUNS = frozenset({
    ("ke", "hoach"), ("khoi", "luong"), ("cong", "viec"), ("chi", "tieu"), ("noi", "dung"),
    ("nhiem", "vu"), ("muc", "tieu"), ("tien", "do"), ("yeu", "cau"), ("phan", "viec"),
    ("du", "toan"),  # "đạt 70% dự toán": a budget task's own plan
})
_NOT_A_NOUN = frozenset({
    "roi", "a", "nhe", "chu", "va", "thi", "nhung", "con", "trong", "theo", "ve", "duoc", "da",
    "dang", "chua", "khong", "co", "vuong", "kho", "hoan", "xong", "nv", "nhiem", "muc", "se",
    "em", "anh", "vi", "do", "nen", "tuy", "moi", "gan", "khoang", "den", "tai", "", "xin", "de", "song",
    # sentence-final particles of chat: "50% thôi", "70% rồi nhé", "80% luôn ạ"
    "thoi", "nha", "nhen", "hen", "luon", "het", "ha", "ah", "day", "nhi", "ok", "oke", "vay",
    # "nv6 được 70% thiếu kinh phí …", "đạt 60% còn vướng …": the obstacle that follows
    "thieu", "kk", "vg",
})


def _combine(statuses: list[str], percent: int | None) -> str | None:
    if percent is not None:
        if percent >= 100:
            return DONE
        if percent == 0:
            return IN_PROGRESS if IN_PROGRESS in statuses else NOT_STARTED
        return IN_PROGRESS  # "hoàn thành 85%" is not done
    kinds = set(statuses)
    if not kinds:
        return None
    if len(kinds) == 1:
        return statuses[0]
    # Mixed signals ("đã hoàn thành giai đoạn 1, đang triển khai giai đoạn 2") mean the task as
    # a whole is under way.
    return IN_PROGRESS


# --------------------------------------------------------------------------------------------
# References

_KW = r"(?:nv|n\.\s?v\.?|nvu|nhiem\s*vu|muc|noi\s*dung)"
# "nhiệm vụ chủ trì số 2", "nhiệm vụ phối hợp (1, 2, 3)", "nhiệm vụ được giao số 4"
_QUALIFIER = r"(?:\s*(?:duoc\s+giao\s+)?(?:chu\s*tri|phoi\s*hop|duoc\s+giao|con\s+lai|khac)(?![a-z])){0,2}"  # "phối hợp còn lại"
# (no branch starts after a letter or a digit: that look-behind is written once, in front, so
# that the search gives up at once inside a word)
_REF_RE = re.compile(
    r"(?<![a-z0-9])(?:"
    r"(?P<kw>" + _KW + r")" + _QUALIFIER +
    r"(?:\s*[.:#(-]?\s*(?:so|thu)(?![a-z]))?"
    r"\s*[.:#(-]?\s*(?:tu\s+)?0*(?P<num>\d{1,2})(?!\d)(?!\s*%)"
    r"|(?<!&)#\s*0*(?P<hnum>\d{1,2})(?!\d)"
    # "phối hợp số 2, 3, 7": the qualifier alone, with "số"
    r"|(?:chu\s*tri|phoi\s*hop)\s*so\s*0*(?P<qnum>\d{1,2})(?!\d)(?!\s*%)(?!\s*/\s*[a-z])(?!-[a-z]{2})"  # not "Quy chế phối hợp số 01/QCPH", "số 01-QC/BCSĐ"
    # "mục II.4", "II.4 -": the plan's part and task number
    r"|(?<!\.)(?:muc\s*)?(?:iii|ii|iv|i|v)\s*\.\s*0*(?P<rnum>\d{1,2})(?!\d)(?!\s*%)"
    r")"
)
# What one of _REF_RE's branches needs (find looks for the words first): its keyword ("nv",
# "n.", "nhiem", "muc", "noi") or "#", else the qualifier or a roman part's number
_REF_HINT_RE = re.compile(r"chu\s*tri|phoi\s*hop|i\s*\.\s*\d|v\s*\.\s*\d")
# "Tiểu mục a nhiệm vụ 1", "điểm b của NV1": the letter first
_LETTER_FIRST_RE = re.compile(
    r"(?<![a-z0-9])(?:tieu\s*muc|diem|y)\s+(?P<letter>[a-z])\s*(?:cua\s+|thuoc\s+)?(?:nv|nhiem\s*vu)\s*(?:so\s*)?0*(?P<num>\d{1,2})(?!\d)"
    # "(điểm a mục 1)": the plan's point a of its item 1, sub-item 1a (not "điểm a mục 1 Điều 5 …")
    r"|(?<![a-z0-9])diem\s+(?P<letter2>[a-z])\s+(?:cua\s+)?muc\s+0*(?P<num2>\d{1,2})(?![\d.,/])(?!\s*(?:dieu|khoan|cua|tai|theo)(?![a-z]))"
)
# "…; điểm b: …" after a reference to the task: its next sub-item
_LETTER_NEXT_RE = re.compile(r"(?<![a-z0-9])(?:tieu\s*muc|diem|y|phan)\s+(?P<letter>[a-e])(?![a-z0-9])")
# What a document's number looks like after "mục 3": another document's section, not a task.
_OTHER_DOCUMENT_RE = re.compile(
    r"\s*(?:cua\s+|tai\s+|theo\s+)?(?:cong\s+van|quyet\s+dinh|nghi\s+quyet|nghi\s+dinh|chi\s+thi|thong\s+(?:bao|tu)|"
    r"huong\s+dan|quy\s+dinh|chuong\s+trinh|luat|van\s+ban|bao\s+cao\s+so|ke\s+hoach\s+so\s+(?!124))"
)
_ORDINAL_RE = re.compile(
    r"(?<![a-z0-9])(?:nv|nhiem\s*vu)\s*thu\s+"
    r"(?P<word>nhat|hai|ba|tu|bon|nam|sau|bay|tam|chin|muoi mot|muoi)(?![a-z])"
)
_ORDINALS = {"nhat": 1, "hai": 2, "ba": 3, "tu": 4, "bon": 4, "nam": 5, "sau": 6, "bay": 7,
             "tam": 8, "chin": 9, "muoi": 10, "muoi mot": 11}
_BARE_ITEM_RE = re.compile(r"(?<![a-z0-9/.,-])0*(?P<num>\d{1,2})\.?(?P<letter>[a-z])(?![a-z0-9])")
_ITEM_HINT_RE = re.compile(r"\d\.?[a-z](?![a-z0-9])")  # what _BARE_ITEM_RE needs, searched from a digit on
_ITEM_SUFFIX_RE = re.compile(
    r"\s*(?:[.,-]\s*|\(\s*)?(?:(?:y|diem|tieu\s+muc|muc|noi\s+dung|phan)\s+)?(?P<letter>[a-z])\s*\)?(?![a-z0-9])"
)
_CONT_RE = re.compile(
    r"\s*(?P<conn>,|&|\+|/|-|–|—|va(?![a-z])|voi(?![a-z])|vs(?![a-z])|hoac(?![a-z])|den(?![a-z])|toi(?![a-z])|\s(?=\s*\d))\s*"
    r"(?P<kw>(?:" + _KW + r"|#)\s*(?:so\s*)?|so\s+)?0*(?P<num>\d{1,2})(?!\d)(?!\s*%)(?P<slash>\s*/)?"
)
_BARE_NEXT_RE = re.compile(
    r"\s*(?:$|[,:;&+/()\-–—.\n|]|\d{1,2}(?![\d%/.,])|(?:va|hoac|den|toi|da|dang|chua|hoan|xong|deu|khong|ko|co|thi|duoc|"
    r"dat|tiep|se|du|cung|trien|thuc|van|vuong|kho|nv|nhiem|done|bi|con|moi|theo|trong|tai|cua|cham|"
    r"nam|quy|ve|deu|tren|ke|ht|xog|dag|tk|ben|cua|huyen|tinh|so|chu|phoi|thi|nay|o|thuc|thuong|binh|lam|on|k|kk|kh|kg|hok|ok|oke|okie|"
    # phone shorthand after the last number of a list: "nv1 4 6 e lm xong", "nv6 7 dg lm", "nv 1 2 3 bt", "nv5 6 cx xg"
    r"e|em|lm|dg|dc|bt|cx|xg|ps|r|roi|bc|vs|het|hong|chx|ch)(?![a-z]))"
)
_RANGE_CONN = ("-", "–", "—", "den", "toi")
_INLINE_POINT_RE = re.compile(r"[,;]\s*(?P<letter>[b-e])\s*\)")
_SO_NUMBER_RE = re.compile(r"so\s+\d")  # what _BARE_SO_RE needs, searched from its literal on
_BARE_SO_RE = re.compile(r"(?:^|[,;:.\n(]|(?<![a-z])(?:rieng|con|con lai|va)(?![a-z]))[ \t\-–—+•*]*(?P<so>so)\s+0*(?P<num>\d{1,2})(?![\d.]|,\d)(?!\s*%)")
# after "nội dung 04": a counted noun ("04 đề cương", "3 văn bản"), not what is said of a task
_COUNTED_AFTER_RE = re.compile(r"\s+(?!(?:va|hoac|den|toi|da|dang|dag|chua|hoan|xong|xog|ht|deu|khong|ko|k|co|thi|duoc|dat|tiep|se|"
                               r"van(?!\s+ban)|vuong|kho|bi|con|cham|done|ok|trong|tai|cua|theo|nam|quy|ve|nhiem|nv|muc|so|chu|phoi)(?![a-z]))[a-z]")
_MUC_COMPOUND_RE = re.compile(r"(?<![a-z])(?:chuyen|danh|hang|tiet|de|chi)\s+$")
# a clause opening on bare task numbers and what is said of them: "7 8 dang lam", "10 vướng …"
_BARE_LEAD_RE = re.compile(
    r"(?:^|[;\n]|[.!?,](?=\s))[ \t\-–—+•*]*(?P<lead>(?:con lai|con|rieng)\s+)?(?P<nums>\d{1,2}[ab]?(?:(?:\s*,\s*|\s+|\s+(?:va|voi)\s+)\d{1,2}[ab]?)*)"
    r"\s+(?=(?:da|dang|dag|chua|xong|xog|ht|hoan|k|ko|khong|kps|vuong|kho|tiep|van|deu|done|ok)(?![a-z]))"
)
# a message opening (after the agency's short name and a colon) on two or more task numbers, then their
# status: "2, 3, 7 hoàn thành; …", "KHĐT: 2,3,7 xong", "4 với 10 đang làm bình thường"
_OPENING_LIST_RE = re.compile(
    r"\s*(?:[a-z][a-z .\-]{0,24}:\s*)?(?P<nums>\d{1,2}(?:(?:\s*,\s*|\s+(?:va|voi)\s+)\d{1,2}){1,10})"
    r"\s+(?=(?:da|dang|dag|chua|xong|xog|ht|hoan|k|ko|khong|kps|vuong|tiep|van|deu|done|ok)(?![a-z]))")
_SIGN_LIST_RE = re.compile(r"(?:^|\n)[ \t\-–—+•*]*(?P<sign> )(?:xong|dang lam|chua lam)\s+(?P<nums>\d{1,2}(?:\s*[,;]\s*\d{1,2})*)[ \t.]*(?=\n|$)")
_CLAUSE_CUT_RE = re.compile(r"[;\n]|[.!?,](?=\s)")
_LEAD_NOT_ARISEN_RE = re.compile(r"(?:khong|ko|k|kg|chua)\s+(?:co\s+)?(?:phat\s+sinh|ps)\s*(?:$|[,;.!\n])|kps(?![a-z])")
# what a short status clause says after its tasks: "xong", "dang lam", "chua phat sinh", "da ht"
_SHORT_STATUS_RE = re.compile(
    r"^\s*\)?\s*[:\-–—]?\s*(?:(?:da va dang|da|deu|dang|dag|chua|van|tiep tuc|k|ko|khong)\s+)?"
    r"(?:xong|xog|ht|hoan thanh|lam|trien khai|thuc hien|phat sinh|ps|done|ok|r|roi)(?:\s+(?:het|roi|r|nhe|a|dc|duoc))?(?:\s+(?:binh thuong|on dinh|deu|tot))?(?:\s+(?:dc|duoc|dat|khoang|tam)?\s*\d{1,3}\s*%)?\s*$"
    # "1b đạt 50%, 6 đang làm": a percent alone is what is said of the tasks too
    r"|^\s*\)?\s*[:\-–—]?\s*(?:dat|duoc|dc|khoang|tam)\s*\d{1,3}\s*%\s*$"
)
_DOTTED_LIST_RE = re.compile(r"(?<![a-z0-9])(?:nv|nhiem\s*vu)\s*(?:so\s*)?(?P<nums>\d{1,2}(?:\.\d{1,2}){2,})(?![\d.]\d|\.\d)(?!\s*%)")
_LINE_NUMBERING_RE = re.compile(r"[\s\-–—+•*]*(?:(?:[ivx]+|\d{1,2}|[a-e])\s*[.)/]\s*)*")  # "1. ", "II.1. ", "- "
_HEADS_ITEM_RE = re.compile(r"[\s:.\-–—(]*")  # between "Nhiệm vụ 1:" and its "1a)"
_STATUS_WORD_RE = re.compile(r"(?<!\w)(?:xong|xog|hoàn thành|hoan thanh|ht|đang|dang|dag|đã|da|chưa|chua|không|khong|ko|k|kps)(?!\w)")
_BRACKETED_POINT_RE = re.compile(r"[\s:.\-–—]*(?:(?![.!?]\s)[^\n;:()])*(?<![.!?])\(\s*")  # a heading's title up to "(" before the point
_NAMED_AFTER_RE = re.compile(r"\s*[.):\-–—]?\s*(?:nv|nhiem\s*vu)\s*(?:so\s*)?\d")
# after "Mục N" (its own points ".1" too): the plan's task it stands for, or a part of the report's own
_MUC_OWN_RE = re.compile(
    r"(?:\s*\.\s*\d{1,2}(?!\d))*\s*[.):\-–—]?\s*(?:\(\s*(?:tuong ung(?: voi)?|tuc|thuoc)\s+)?(?:nv|nhiem\s*vu)\s*(?:so\s*)?\d"
    r"|(?:\s*\.\s*\d{1,2}(?!\d))*\s*[.):\-–—]\s*(?:kho khan|vuong mac|kien nghi|de xuat|phuong huong|ton tai|han che)\b")
_OTHER_NUMBER_AFTER_RE = re.compile(r"\s*/\s*[a-z]|\s*(?:-|–)\s*[a-z]{2}")  # "số 45/KH-UBND", "số 12-KH"
_REPORTS_LIST_RE = re.compile(r"(?<![a-z])(?:bao cao|bc)\s+(?P<so>so)\s+0*(?P<num>\d{1,2})(?!\d)")
_SLASH_LIST_AFTER_RE = re.compile(r"(?:\s*/\s*0*\d{1,2}(?!\d)(?![.,]\d)){1,10}(?!\s*/)(?=\s+(?:da|dang|dag|chua|xong|xog|ht|hoan|deu|van|vuong|k|ko|khong|tiep)(?![a-z]))")
_DOC_BEFORE_RE = re.compile(r"(?:cong van|ke hoach|quyet dinh|bao cao|thong bao|nghi quyet|chi thi|van ban|thong tu|"
                            r"kh|qd|cv|bc|tb|nq)\s*$")


@dataclass(slots=True)
class _Ref:
    task: str
    start: int  # folded span of the whole reference
    end: int


class _Refs:
    def __init__(self, msg: _Message | _Folded, valid: frozenset[str]) -> None:
        self.msg = msg
        self.valid = valid

    def find(self) -> list[_Ref]:
        f = self.msg.folded
        refs: list[_Ref] = []
        taken = bytearray(len(f) + 1)

        def free(a: int, b: int) -> bool:
            return not any(taken[a:b])

        # The patterns below try every position of the text (each opens on a look-behind, which
        # no literal prefix speeds up); one that needs a word the text does not have ("nv",
        # "nhiệm vụ", "điểm", "báo cáo số"…) can find nothing, and is not run.
        task_word = "nv" in f or "nhiem" in f
        for m in _LETTER_FIRST_RE.finditer(f) if task_word or "diem" in f else ():
            task = str(int(m.group("num") or m.group("num2"))) + (m.group("letter") or m.group("letter2"))
            if m.group("num2") and _OTHER_DOCUMENT_RE.match(f, m.end()):
                continue
            if task in self.valid and free(m.start(), m.end()):
                refs.append(_Ref(task, m.start(), m.end()))
                taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
        for m in _DOTTED_LIST_RE.finditer(f) if task_word else ():
            # "nv 1.2.6 xong": three numbers or more joined by dots after the word are a list
            nums = [(n.start() + m.start("nums"), n.end() + m.start("nums")) for n in re.finditer(r"\d+", m.group("nums"))]
            if all(str(int(f[a:b])) in self.valid for a, b in nums) and free(m.start(), m.end()):
                refs.extend(_Ref(str(int(f[a:b])), m.start() if k == 0 else a, b) for k, (a, b) in enumerate(nums))
                taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
                refs.extend(self._continuations(str(int(f[nums[-1][0]:nums[-1][1]])), m.end(), taken))
        ref_word = task_word or "n." in f or "muc" in f or "noi" in f or "#" in f or _REF_HINT_RE.search(f)
        for m in _REF_RE.finditer(f) if ref_word else ():
            if not free(m.start(), m.end()):
                continue  # already read as part of a list ("NV1a, NV1b")
            if m.group("kw") == "muc" and (not self._muc_ok(m.start()) or _MUC_COMPOUND_RE.search(f, max(0, m.start() - 8), m.start())):
                continue  # "chuyên mục 2 kỳ/tháng", "danh mục 15 …": a column, a list, not a task
            if (m.group("kw") == "muc" or m.group("rnum")) and _OTHER_DOCUMENT_RE.match(f, m.end()):
                continue  # "Theo mục 3 Công văn số 45/STP": not this plan's task 3
            if m.group("kw") and m.group("kw").startswith("noi") and _COUNTED_AFTER_RE.match(f, m.end()):
                continue  # "thẩm định nội dung 04 đề cương": a count of what follows, not task 4
            if m.group("rnum") and _NAMED_AFTER_RE.match(f, m.end()):
                continue  # "I.2. Nhiệm vụ 4: …": the report's own numbering before the task it names
            if m.group("kw") == "muc" and _MUC_OWN_RE.match(f, m.end()):
                continue  # "Mục 2. Nhiệm vụ số 10: …", "Mục 3.1 (tương ứng nhiệm vụ 6)", "Mục 4 – Khó khăn": the report's own
            num = m.group("num") or m.group("hnum") or m.group("qnum") or m.group("rnum")
            task, end = self._with_item(str(int(num)), m.end())
            refs.append(_Ref(task, m.start(), end))
            taken[m.start():end] = b"\x01" * (end - m.start())
            refs.extend(self._continuations(task, end, taken))
        # "SYT báo cáo số 2/6/7 xong hết": "báo cáo" (the verb), "số" and task numbers joined by slashes,
        # then what is said of them, are a list of tasks, not a report's number ("Báo cáo số 12/BC-…")
        listed = [m for m in _REPORTS_LIST_RE.finditer(f) if self._slash_list(m.end())] if "bc" in f or "bao cao" in f else []
        for m in [*listed, *(_BARE_SO_RE.finditer(f) if _SO_NUMBER_RE.search(f) else ())]:
            # "số 2/6/7 xong hết, riêng số 10 còn vướng": "số N" opening a clause (or after
            # "riêng", "còn") and followed by what is said of a task names it; "Kế hoạch số 124",
            # "số 45/KH", "số 2 vụ" do not
            num = str(int(m.group("num")))
            if num not in self.valid or not free(m.start("so") if m.re is _REPORTS_LIST_RE else m.start(), m.end()) or _OTHER_NUMBER_AFTER_RE.match(f, m.end()) \
                    or not (_BARE_NEXT_RE.match(f, m.end()) or re.match(r"\s+cho(?![a-z])", f[m.end():m.end() + 5])) \
                    or (m.re is _BARE_SO_RE and _DOC_BEFORE_RE.search(f[max(0, m.start() - 20):m.start("so")])):
                continue
            refs.append(_Ref(num, m.start("so"), m.end()))
            taken[m.start("so"):m.end()] = b"\x01" * (m.end() - m.start("so"))
            refs.extend(self._continuations(num, m.end(), taken))
        for m in _ORDINAL_RE.finditer(f) if task_word and "thu" in f else ():
            if free(m.start(), m.end()):
                refs.append(_Ref(str(_ORDINALS[m.group("word")]), m.start(), m.end()))
                taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
        for m in _BARE_ITEM_RE.finditer(f) if _ITEM_HINT_RE.search(f) else ():
            task = str(int(m.group("num"))) + m.group("letter")
            if task in self.valid and free(m.start(), m.end()) and self._ascii_letter(m.end() - 1):
                refs.append(_Ref(task, m.start(), m.end()))
                taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
                refs.extend(self._continuations(task, m.end(), taken))
        opening = _OPENING_LIST_RE.match(f)
        if opening and not any(r.start < opening.end() for r in refs):
            # "KHĐT: 2,3,7 hoàn thành; 11 đang phối hợp …": a message opening on bare task numbers and their status
            refs.extend(self._bare_list(opening, taken))
        for m in _SIGN_LIST_RE.finditer(f):
            # "✅ 5, 6, 7\n⏳ 9, 10\n❌ 11": a status sign opening a line of bare task numbers
            if self.msg.text[self.msg.index[m.start("sign")]] in _STATUS_SIGNS:
                refs.extend(self._bare_list(m, taken))
        refs.sort(key=lambda r: r.start)
        if refs:
            refs = self._bare_leads(refs, taken)
        # "NV 1 điểm a: …; điểm b: …": a later point of the task just named
        extra: list[_Ref] = []
        for m in _LETTER_NEXT_RE.finditer(f) if refs else ():  # (each follows a reference)
            if not free(m.start(), m.end()):
                continue
            before = [r for r in refs if r.end <= m.start()]
            if before:
                task = taskrefs.parent(before[-1].task) + m.group("letter")
                if task in self.valid:
                    extra.append(_Ref(task, m.start(), m.end()))
                    taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
        if extra:
            refs = sorted(refs + extra, key=lambda r: r.start)
        # "nv1 a) xong, b) đang làm": after sub-item 1a, an inline "b)" is its next point, 1b
        extra = []
        for m in _INLINE_POINT_RE.finditer(f) if refs else ():
            if not free(m.start("letter"), m.end()):
                continue
            before = [r for r in refs + extra if r.end <= m.start("letter")]
            if not before or before[-1].task.isdigit():
                continue
            prev = before[-1].task
            task = taskrefs.parent(prev) + m.group("letter")
            if ord(m.group("letter")) == ord(prev[-1]) + 1 and task in self.valid:
                extra.append(_Ref(task, m.start("letter"), m.end()))
                taken[m.start("letter"):m.end()] = b"\x01" * (m.end() - m.start("letter"))
        if extra:
            refs = sorted(refs + extra, key=lambda r: r.start)
        # "Nhiệm vụ 1: 1a) …; 1b) …": a task named right before its own sub-item only heads it
        return [r for k, r in enumerate(refs) if not (k + 1 < len(refs) and self._heads(r, refs[k + 1]))]

    def _heads(self, ref: _Ref, nxt: _Ref) -> bool:
        f = self.msg.folded
        if not ref.task.isdigit() or nxt.task == ref.task or taskrefs.parent(nxt.task) != ref.task:
            return False
        if _HEADS_ITEM_RE.fullmatch(f, ref.end, nxt.start):
            return True
        # "1. Nhiệm vụ 1\n1.2. Về đổi mới … (điểm b nhiệm vụ 1): …": a line that is only the task's
        # heading, over a part about one of its sub-items, heads that part
        lo, hi = f.rfind("\n", 0, ref.start) + 1, f.find("\n", ref.end)
        if not _LINE_NUMBERING_RE.fullmatch(f, lo, ref.start):
            return False
        if 0 <= hi < nxt.start:
            return bool(re.fullmatch(r"[\s:.\-–—]*", f[ref.end:hi]))
        # "I.1. Về quán triệt, triển khai các chủ trương … (điểm a mục 1)": a heading opening on the
        # task, whose title ends on which of its points it is, in brackets, is that point's
        # (not "nv1 xong (điểm b thì đang làm)": task 1's own status before it; "Đảng" is no "đang")
        return bool(_BRACKETED_POINT_RE.fullmatch(f, ref.end, nxt.start)) \
            and not _STATUS_WORD_RE.search(unicodedata.normalize("NFC", _orig_slice(self.msg.text, self.msg.index, ref.end, nxt.start)).lower())

    def _bare_list(self, m: re.Match[str], taken: bytearray) -> list[_Ref]:
        """The tasks of a list of bare numbers (``m``'s group "nums"), taken when every one is a
        task of the plan and none is already read as something else; else none."""
        lo = m.start("nums")
        nums = [(str(int(n.group())), n.start() + lo, n.end() + lo) for n in re.finditer(r"\d{1,2}", m.group("nums"))]
        if not all(t in self.valid and not any(taken[a:b]) for t, a, b in nums):
            return []
        for _t, a, b in nums:
            taken[a:b] = b"\x01" * (b - a)
        return [_Ref(t, a, b) for t, a, b in nums]

    def _bare_leads(self, refs: list[_Ref], taken: bytearray) -> list[_Ref]:
        """ "nhiệm vụ 1 2 4 6 xong; 7 8 đang làm; 10 vướng …": after a short clause that is tasks
        and their status, a clause opening on bare numbers and a status word goes on the list."""
        f = self.msg.folded
        out = list(refs)
        for m in _BARE_LEAD_RE.finditer(f):
            lo = m.start("nums")
            prev_end = max((r.end for r in out if r.end <= lo), default=-1)
            if prev_end < 0:
                continue
            tail = f[prev_end:m.start("lead") if m.group("lead") else lo]  # "…; còn 10 chưa làm", "còn lại 4, 6 k phát sinh"
            cut = _CLAUSE_CUT_RE.search(tail)
            # the clause before ends on the tasks' status in a few words: "…1 2 4 6 xong;"
            if not cut or re.search(r"[a-z0-9]", tail[cut.end():]):
                continue
            if not _SHORT_STATUS_RE.match(tail[:cut.start()]):
                # "nv4 đang làm phóng sự …, 6 không phát sinh": right after the clause of a task, bare
                # numbers that did not arise (no count "does not arise") are the next tasks
                if not _LEAD_NOT_ARISEN_RE.match(f, m.end()):
                    continue
            nums = [(n.group(0), n.start() + lo, n.end() + lo) for n in re.finditer(r"\d{1,2}[a-z]?", m.group("nums"))]
            tasks = [(str(int(re.match(r"\d+", t).group())) + t.lstrip("0123456789"), a, b) for t, a, b in nums]
            if not all(t in self.valid and not any(taken[a:b]) for t, a, b in tasks):
                continue
            for t, a, b in tasks:
                out.append(_Ref(t, a, b))
                taken[a:b] = b"\x01" * (b - a)
            out.sort(key=lambda r: r.start)
        return out

    def _slash_list(self, end: int) -> bool:
        m = _SLASH_LIST_AFTER_RE.match(self.msg.folded, end)
        return bool(m) and all(str(int(n)) in self.valid for n in re.findall(r"\d+", m.group(0)))

    def _muc_ok(self, pos: int) -> bool:
        # "mục 4" yes, "mức 4" (a level) no
        end = pos + 3
        orig = unicodedata.normalize("NFC", _orig_slice(self.msg.text, self.msg.index, pos, end)).lower()
        return orig.isascii() or orig == "mục"

    def _ascii_letter(self, fpos: int) -> bool:
        # "NV1 ạ" (a polite particle) must not read as sub-item 1a.
        return self.msg.text[self.msg.index[fpos]:_orig_end(self.msg.text, self.msg.index, fpos + 1)].isascii()

    def _with_item(self, num: str, end: int) -> tuple[str, int]:
        f = self.msg.folded
        if end < len(f) and f[end].isalpha() and (end + 1 == len(f) or not f[end + 1].isalnum()) \
                and self._ascii_letter(end):
            return num + f[end], end + 1  # "NV1a", and "NV4a" even if the plan has no 4a
        m = _ITEM_SUFFIX_RE.match(f, end)
        if m and num + m.group("letter") in self.valid and self._ascii_letter(m.start("letter")):
            return num + m.group("letter"), m.end()
        return num, end

    def _continuations(self, first: str, end: int, taken: bytearray) -> list[_Ref]:
        """ "NV2, 3 và 6", "NV 2-4", "NV8 đến NV10", "NV2/NV3" after a reference."""
        f = self.msg.folded
        out: list[_Ref] = []
        prev = first
        after_range = False
        slashes = 0  # "/" joins so far: "số 1/4/6" is a list whatever word follows its last number
        while True:
            m = _CONT_RE.match(f, end)
            if not m:
                break
            slashes = slashes + 1 if m.group("conn") == "/" else 0
            num = str(int(m.group("num")))
            explicit = bool(m.group("kw"))
            if m.group("slash") and m.group("conn") != "/":
                break  # "NV2, 12/15 hội nghị": a count, not a list
            if not m.group("conn").strip() and "\n" in f[end:m.start("num")]:
                break  # "1. Nhiệm vụ 6\n1.1. …": a line's own numbering, not a list
            task, stop = self._with_item(num, m.start("slash") if m.group("slash") else m.end())
            if not explicit:
                if task not in self.valid or not (_BARE_NEXT_RE.match(f, stop) or slashes >= 2 and not m.group("slash")):
                    break
                if m.group("conn") in ("-", "–", "—") and f[m.start("conn") - 1:m.start("conn")] == " " \
                        and f[m.end("conn"):m.end("conn") + 1] == " " and not self._is_range(prev, task):
                    break
            is_range = m.group("conn") in _RANGE_CONN and self._is_range(prev, task) and not after_range
            if m.group("conn") in _RANGE_CONN and after_range:
                break  # "NV 2-4-6" is not a range of ranges
            if is_range:
                lo, hi = int(prev), int(task)
                for n in range(lo + 1, hi):
                    out.append(_Ref(str(n), m.start("conn"), stop))
            after_range = is_range
            out.append(_Ref(task, m.start("num") if not explicit else m.start("kw"), stop))
            taken[m.start():stop] = b"\x01" * (stop - m.start())
            prev, end = task, stop
        return out

    def _is_range(self, a: str, b: str) -> bool:
        return a.isdigit() and b.isdigit() and int(a) < int(b) <= int(a) + 20


# --------------------------------------------------------------------------------------------
# Segmentation

# "Vướng mắc: …", "Khó khăn, kiến nghị: …" opening a clause
# A clause about the tasks not named ("các nhiệm vụ khác", "còn lại", "các nv còn lại")
_OTHER_TASKS_RE = re.compile(
    r"[\s,;.\-•*+]*(?:(?:cac|nhung)\s+)?(?:(?:nv|nhiem\s*vu|noi\s*dung|muc)\s+)?(?:(?:phoi hop|chu tri)\s+)?(?:con lai|khac)(?![a-z])"
    r"|[\s,;.\-•*+]*(?:cac|nhung)\s+(?:nv|nhiem\s*vu)\s+(?:phoi hop|chu tri)?\s*(?:con lai|khac)(?![a-z])"
)
_GENERAL_HEAD_RE = re.compile(
    r"[\s\-•*+]*(?:\*\s*)?(?:(?:bc|dv|don vi|tuy nhien|nhung|hien nay)\s+){0,2}(?:(?:co|gap)\s+)?"
    r"(?:kho khan|vuong mac|kien nghi|de xuat|kk|vm|kn(?=\s*:))(?:[\s,/]+(?:va\s+)?(?:vuong mac|kho khan|kien nghi|de xuat))*"
    # "Khó khăn: …", and a sentence that opens on it: "có khó khăn: …", "vướng mắc chủ yếu là …"
    r"(?:\s*:|\s+(?:chu yeu|lon nhat|la|o cho)(?![a-z]))"
)
_CLAUSE_RE = re.compile(r"[;\n•.!?](?:(?<=[;\n•])|(?=\s|$))")  # "[;\n•]|[.!?](?=\s|$)", opening on its characters


@dataclass(slots=True)
class _Group:
    refs: list[_Ref]
    start: int
    end: int
    clause: int


def _clauses(folded: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start = 0
    for m in _CLAUSE_RE.finditer(folded):
        out.append((start, m.end()))
        start = m.end()
    out.append((start, len(folded)))
    return out


def _groups(msg: _Message, refs: list[_Ref], clauses: list[tuple[int, int]]) -> list[_Group]:
    starts = [lo for lo, _ in clauses]

    def clause_of(pos: int) -> int:
        return max(0, bisect_left(starts, pos + 1) - 1)

    groups: list[_Group] = []
    for ref in refs:
        c = clause_of(ref.start)
        gap = msg.folded[groups[-1].end:ref.start] if groups else ""
        if groups and (groups[-1].clause == c and _only_connectors(gap) or gap == "."):  # "nv 1.2.6": one list
            g = groups[-1]
            g.refs.append(ref)
            g.end = max(g.end, ref.end)
        elif groups and ref.start < groups[-1].end:
            groups[-1].refs.append(ref)  # a range member inside the span already taken
        else:
            groups.append(_Group([ref], ref.start, ref.end, c))
    return groups


_CONNECTOR_RE = re.compile(r"^(?:[\s,&+/\-–—()]|va(?![a-z])|voi(?![a-z])|vs(?![a-z])|hoac(?![a-z])|cung(?![a-z])|den(?![a-z]))*$")


def _only_connectors(gap: str) -> bool:
    return bool(_CONNECTOR_RE.match(gap))


def _has_letters(folded: str, lo: int, hi: int) -> bool:
    return bool(re.search(r"[a-z]", folded[lo:hi]))


# --------------------------------------------------------------------------------------------
# Public entry point


def parse_reply(
    text: str,
    valid_tasks: Collection[str] | None = None,
    *,
    index: TaskIndex | None = None,
    assigned: Collection[str] | None = None,
) -> list[ParsedEntry]:
    """Parse a focal point's reply into one entry per task mentioned.

    ``valid_tasks`` are the plan's references (``list(plan.task_refs())``); default: the seed
    plan's. ``index`` (:class:`bot.task_match.TaskIndex` of the plan) lets a part that names no
    number be matched to the task it is about; ``assigned``: the reporting agency's tasks, the
    only ones such a match may give (and the one task a task-less reply means, when it has
    one). Returns at least one entry; ``task`` is None when no task is named or found. Never
    raises: anything unexpected degrades to one task-less entry holding the text.
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    try:
        valid = _valid_set(valid_tasks)
        allowed = _valid_set(assigned) if assigned is not None else None
        entries = _learned_tasks([_nothing_of_its_own(_stated_obstacle(_second_opinion(_under_way(e))))
                                  for e in _read(text, valid, index, allowed)], allowed)
        table = tables.find_table(text)
        return [_from_table(e, table, text, valid) for e in entries] if table else entries
    except Exception:  # noqa: BLE001 - a chat reply must never crash the bot
        return [ParsedEntry(None, None, None, False, text)]


# "…, đã cử cán bộ tham gia 11 cuộc họp, vướng kinh phí.": a clause that is an obstacle and nothing else
_BARE_OBSTACLE_CLAUSE_RE = re.compile(r"(?:^|[,;.:]\s*)(?:nhung\s+)?(?:con\s+)?(?:vuong|vuong mac|kho khan|thieu)(?:\s+(?:ve\s+)?[a-z]+){1,3}\s*(?:[.;]|$)")
# "NV 10, NV 11: không thuộc trách nhiệm của đơn vị": the agency says the task is not its own
_NOT_OURS_RE = re.compile(r"\bkhong (?:thuoc|phai(?: la)?) (?:trach nhiem|nhiem vu|chuc nang|pham vi|linh vuc)\b")
_MEETS_NEEDS_RE = re.compile(r"(?<!chua )(?<!khong )(?<!ko )\bdap ung (?:du |duoc |day du )?(?:nhu cau|yeu cau)\b")
_BARE_REFERENCE_RE = re.compile(r"\b(?:nv|nhiem vu|so|muc)\b|\bnv?\d+[a-e]?\b|\d+[a-e]?\b|[^a-z0-9]+")


def _obstacle_word(text: str) -> bool:
    """Whether a part has a word of an obstacle at all, said or denied ("vướng mắc: không", "k co kk")."""
    return any(h.kind == "diff" for h in _message(text).hits)


def _learned_tasks(entries: list[ParsedEntry], allowed: frozenset[str] | None) -> list[ParsedEntry]:
    """A part the rules found equally about two tasks (they would ask, offering both) is the one
    the learned model is sure of (bot/classifier.py, ``task_opinion``): "Phần kinh phí cho lực
    lượng điều tra: …" is the funding task, not the investigation's, for an officer as for a model
    trained on what focal points wrote. Where the model is not sure, the bot still asks."""
    if not any(e.candidates for e in entries):
        return entries
    named = {e.task for e in entries if e.task is not None}
    possible = None if allowed is None else allowed - named
    out = []
    for e in entries:
        # a part joining two tasks' subjects ("Về kiện toàn tổ chức bộ máy và bồi dưỡng cán bộ"), or
        # one's results ending on the other's aim ("…; không để xảy ra khiếu kiện đông người") is
        # about both: it is asked, whatever the model leans to
        if e.task is None and e.candidates and not e.general and e.how != "joined":
            task = classifier.task_opinion(_fold(e.text), [c for c in e.candidates if c not in named], possible)
            if task is not None:
                e = _with(e, task=task, how="learned", candidates=(),
                          ruled=(*e.ruled, ("task", None), ("candidates", e.candidates)))
        out.append(e)
    return out


# Obstacles told by what happened, without a word for "difficulty": "02 trường chưa bố trí được báo
# cáo viên", "hông gỡ được", "chờ kết quả giám định", "đường truyền thường xuyên gián đoạn", "chưa đạt
# yêu cầu", "người phải thi hành án không có tài sản", "còn hạn chế", "vắng mặt" (not "chưa nhận được
# đề nghị phối hợp": nothing asked of the agency; nor "chưa làm được", "chưa triển khai được": not
# started, "chưa tổng hợp được số liệu": not yet counted)
# (each branch opens on a word boundary, written once in front: the search then gives up on a
# position inside a word at once, instead of trying each branch there; _STATED_OBSTACLE_NEEDS:
# one of them is in each match, a part without any is not searched)
_STATED_OBSTACLE_NEEDS = ("duoc", "dc", "giam dinh", "dinh gia", "gian doan", "rot mang", "mat ket noi", "hay rot",
                          "chua dat yeu cau", "khong co tai san", "khong co dieu kien thi hanh", "con han che",
                          "vang mat", "hay vang")
_STATED_OBSTACLE_RE = re.compile(
    r"\b(?:(?:chua|khong|ko|hong)\s+(?!duoc\b|dc\b|co\b|nhan (?:duoc|dc) (?:de nghi|yeu cau|van ban|ke hoach|ho so)"
    r"|(?:thuc hien|lam|trien khai|bat dau|thong ke|tong hop)\b)"
    r"(?:[a-z]+\s+){1,3}?(?:duoc|dc)\b"
    r"|cho (?:ket qua |ket luan )?(?:giam dinh|dinh gia)\b"
    r"|(?<!khong )(?<!ko )(?<!chua )(?:thuong xuyen|hay|bi) (?:gian doan|rot mang|mat ket noi)\b|mang [a-z ]{0,20}hay rot\b"
    r"|chua dat yeu cau\b|khong co (?:tai san|dieu kien thi hanh)\b|con han che\b|(?:vang mat|hay vang)\b)"
)


# "nv11 chỉ phối hợp nên k có số liệu", "đơn vị chỉ phối hợp, không có số liệu riêng": an agency that
# only coordinates has nothing of its own to report for the period
# (not "thực hiện lồng ghép, không có số liệu riêng": work done within other work)
_NOTHING_OF_ITS_OWN_RE = re.compile(r"\bchi (?:la )?phoi hop\b[^.;?]{0,30}\b(?:khong|k|ko|hong) (?:co )?so lieu\b")


def _nothing_of_its_own(entry: ParsedEntry) -> ParsedEntry:
    """"Nhiệm vụ 10, 11: đơn vị chỉ phối hợp, không có số liệu riêng": nothing arose for the agency
    (not work under way), unless the part counts results of its own."""
    if entry.task is None or entry.general or entry.status in (NOT_ARISEN, DONE) or entry.percent is not None:
        return entry
    folded = _fold(entry.text)
    if not _NOTHING_OF_ITS_OWN_RE.search(folded) or "long ghep" in folded or find_figures(entry.text):
        return entry
    return _with(entry, status=NOT_ARISEN)


def _stated_obstacle(entry: ParsedEntry) -> ParsedEntry:
    """A task's part that tells an obstacle by what happened ("02 trường chưa bố trí được báo cáo
    viên") states a difficulty, whatever the learned model makes of its words."""
    if entry.task is None or entry.general or entry.difficulty or "?" in entry.text:
        return entry
    folded = _fold(entry.text)
    if not any(w in folded for w in _STATED_OBSTACLE_NEEDS) or not _STATED_OBSTACLE_RE.search(folded) \
            or _NOT_OURS_RE.search(folded):
        return entry
    return _with(entry, difficulty=True)


def _from_table(entry: ParsedEntry, table: tables.Table, text: str, valid: frozenset[str]) -> ParsedEntry:
    """A task's row of a pasted tracking table, with what its columns say (bot/tables.py): the
    bare percent of its progress column, and a difficulty where its difficulty column states one
    ("Địa bàn rộng", not "Không") or its other cells do as any text would."""
    if entry.general:
        return entry
    row = table.row_of(entry.text, text)
    if row is None:
        return entry
    changes: dict[str, object] = {}
    pct = tables.percent_of(row.cells.get("percent", ""))
    if pct is not None:
        changes["percent"] = pct
        if pct == 100 and entry.status != NOT_ARISEN:
            changes["status"] = DONE
        elif pct == 0 and entry.status is None:
            changes["status"] = NOT_STARTED
        elif 0 < pct < 100 and entry.status in (None, DONE, NOT_STARTED):
            changes["status"] = IN_PROGRESS
    if "difficulty" in row.cells:
        said = tables.states_difficulty(row.cells["difficulty"])
        others = " | ".join(cell for role, cell in row.cells.items() if role != "difficulty" and cell)
        changes["difficulty"] = bool(said) or bool(others and _parse(others, valid)[0].difficulty)
    return _with(entry, **changes) if changes else entry


# "họp 03 phiên; còn 02 vụ cưỡng chế chưa thực hiện được": work done, some left
_LEFT_UNDONE_RE = re.compile(r"\bcon \d+ (?:[a-z]+ ){1,6}chua (?:thuc hien|lam|trien khai)\b")


def _under_way(entry: ParsedEntry) -> ParsedEntry:
    """A task's part that states only its obstacle ("NV4 có vướng mắc", "nv11: đề nghị tỉnh hỗ trợ
    kinh phí") is a task under way: an officer records it "đang thực hiện, có khó khăn", as the
    corpus brief labels it (docs/parser-corpus.md: a status is missing only from a general part).
    So is a part that only says it has none ("nv6 k vướng mắc gì", "NV5: vướng mắc: không"): the
    work goes on without one. Not a question ("NV4 vướng gì thì báo ai?"), nor a task the agency
    says is not its own."""
    # "họp 03 phiên; còn 02 vụ … chưa thực hiện được": started, with work left (not "chưa thực hiện")
    if entry.status == NOT_STARTED and not entry.general and _LEFT_UNDONE_RE.search(_fold(entry.text)):
        return _with(entry, status=IN_PROGRESS)
    if entry.task is None or entry.general or not entry.known or entry.status is not None \
            or entry.percent is not None:
        return entry
    folded = _fold(entry.text)
    if "?" in folded or _NOT_OURS_RE.search(folded):
        return entry
    if not entry.difficulty and not _obstacle_word(entry.text):
        return entry
    return _with(entry, status=IN_PROGRESS)


def _second_opinion(entry: ParsedEntry) -> ParsedEntry:
    """A task's part as the learned models read it where they are sure and the rules read it
    otherwise (bot/classifier.py): its status and whether it states a difficulty.

    A short part ("NV4 chưa hoàn thành", "nv4 co kk phat sinh") is where the rules are exact and
    a bag of words is not (it sees "hoàn thành" more than "chưa"): there the model only gives a
    status where the rules found nothing at all ("nv10 nv11 k co", "nv6 oki roi"; not a part that
    states only its obstacle, nor a question), and only adds a difficulty. A status the rules
    gave stands while the model finds it likely (``classifier.DOUBT``). A general part, a
    task-less one, an unknown task and an extension request ("đề nghị gia hạn đến 30/3", its
    own kind) keep the rules' reading.
    """
    if entry.task is None or entry.general or not entry.known:
        return entry
    folded = _fold(entry.text)
    words = len(folded.split())
    if words <= 6 and not _BARE_REFERENCE_RE.sub(" ", folded).strip():
        return entry  # "NV8:", "3/ Nhiệm vụ 6": a task named, nothing said of it
    short = words < classifier.FEW_WORDS
    status, difficulty = classifier.part_opinion(folded, entry.status)
    status = status if status != entry.status else None
    if status == NOT_STARTED and entry.status == IN_PROGRESS and (entry.figures or find_figures(entry.text)):
        status = None  # "đã mở 01 lớp cho 40 học viên; lớp thứ hai chưa triển khai": counted work has begun
    difficulty = difficulty if difficulty != entry.difficulty else None
    # "gia hạn", "lùi hạn": a cheap look before the extension request's own reading
    if (status is None and difficulty is None) or ("han" in folded and extensions.mentions(entry.text)):
        return entry
    ruled: list[tuple[str, object]] = []
    changes: dict[str, object] = {}
    if status is not None:
        # nothing at all: no status, no word of an obstacle even denied ("vướng mắc: không", "nv2
        # k co kk"), no question
        said_nothing = entry.status is None and not entry.difficulty and "?" not in folded \
            and not _NOT_OURS_RE.search(folded) \
            and not (short and _obstacle_word(entry.text))
        if not short or said_nothing:
            ruled.append(("status", entry.status))
            changes["status"] = status
    # a short part: a difficulty only added, and not where the rules read an obstacle word denied
    # ("k co kk") or its opposite said ("kinh phí được bố trí đáp ứng nhu cầu": "chưa đáp ứng" is one)
    denied = short and not entry.difficulty and (_obstacle_word(entry.text) or bool(_MEETS_NEEDS_RE.search(folded)))
    # an obstacle the part states in so many words ("…, vướng kinh phí") is not taken back by the model
    stated = difficulty is False and _BARE_OBSTACLE_CLAUSE_RE.search(folded) is not None
    if difficulty is not None and not (short and not difficulty) and not (difficulty and denied) and not stated:
        ruled.append(("difficulty", entry.difficulty))
        changes["difficulty"] = difficulty
    return _with(entry, **changes, ruled=tuple(ruled)) if changes else entry


def _valid_set(valid_tasks: Collection[str] | None) -> frozenset[str]:
    if valid_tasks is None:
        return DEFAULT_TASKS
    return frozenset(fold(str(t)).replace(" ", "") for t in valid_tasks)


@dataclass(slots=True)
class _Reading:
    """How one group of references is read: a status and percent per reference."""

    group: _Group
    statuses: list[str | None]
    percents: list[int | None]
    span: tuple[int, int]  # folded span of the group's own text in its clause
    tails: list[tuple[int, int]]  # ref-less clauses that continue it

    @property
    def empty(self) -> bool:
        return all(s is None for s in self.statuses) and all(p is None for p in self.percents)


# What a correction takes back: "(chứ) không phải (là) đang làm", "đang làm chứ chưa xong"
_RETRACTED_RE = re.compile(r"\b(?:(?:chu\s+)?(?:khong|ko|k)\s+phai(?:\s+la)?|chu\s+(?=chua\b))\s*(?P<what>[\"'“”‘’]?[^.;:,\n]{1,50})")
_CORRECTION_RE = re.compile(r"\b(?:sua lai|xin sua|sua:|dinh chinh|nham|cap nhat lai|bao lai)\b")
# "hôm trước em báo đang làm", "báo cáo 9 tháng ghi chưa triển khai", "bản gửi lúc 9h ghi …"
_SAID_BEFORE_RE = re.compile(
    r"\b(?:(?:hom|lan|luc|ky|tin) truoc|sang nay|ban dau)\s+(?:em |e |minh |ben em |toi )?(?:bao|ghi|bc|gui)\s+(?P<what>[^.;,\n]{1,50})"
    r"|\b(?:bao cao|ban|tin nhan|bc)\b[^.;:,\n]{0,25}?\s(?:ghi|bao)\s+(?!nhan\b)(?P<what2>[^.;,\n]{1,50})")


@lru_cache(maxsize=256)
def _message(text: str) -> _Message:
    """A message read once: a section is looked at several times (its refs, then its facts)."""
    return _Message(text)


@lru_cache(maxsize=256)
def _refs_of(text: str, valid: frozenset[str]) -> tuple[_Ref, ...]:
    return tuple(_Refs(_folded(text), valid).find())


def _parse(text: str, valid: frozenset[str]) -> list[ParsedEntry]:
    return list(_parse_cached(text, valid))


@lru_cache(maxsize=256)
def _parse_cached(text: str, valid: frozenset[str]) -> tuple[ParsedEntry, ...]:
    return tuple(_parse_uncached(text, valid))


# "Số 8 .. không phát sinh, số 9 …": words, then a comma just before the next task's number
_WORD_THEN_COMMA_RE = re.compile(r"[a-z]\s*,\s*$")


def _parse_uncached(text: str, valid: frozenset[str]) -> list[ParsedEntry]:
    msg = _message(text)
    whole = [(0, len(msg.folded))]
    refs = list(_refs_of(text, valid))
    if not refs:
        status, percent = msg.facts(whole)
        return [ParsedEntry(None, status, percent, msg.difficulty(whole), text)]

    clauses = _clauses(msg.folded)
    groups = _groups(msg, refs, clauses)
    by_clause: dict[int, list[_Group]] = {}
    for g in groups:
        by_clause.setdefault(g.clause, []).append(g)

    # Ref-less clauses after a group continue it ("NV4: đang làm. Khó khăn: thiếu kinh phí").
    # But in a message about several tasks, a closing "Vướng mắc: …" / "Kiến nghị: …" that
    # names no task is the agency's, not the last task's.
    tails: dict[int, list[tuple[int, int]]] = {id(g): [] for g in groups}
    general: list[tuple[int, int]] = []
    many = len({r.task for r in refs}) > 1
    last_group: _Group | None = None
    for n, (lo, hi) in enumerate(clauses):
        if n in by_clause:
            first = by_clause[n][0]
            if last_group is not None and not tails[id(last_group)] \
                    and not _has_letters(msg.folded, last_group.end, clauses[last_group.clause][1]) \
                    and _WORD_THEN_COMMA_RE.search(msg.folded, lo, first.start) \
                    and msg.facts([(lo, first.start)])[0] is not None and msg.facts([(first.end, hi)])[0] is not None:
                # "Số 8 .. không phát sinh, số 9 đạt 65%": a task named bare, then cut from what is
                # said of it by a stop; the next task has its own status after it
                tails[id(last_group)].append((lo, first.start))
            last_group = by_clause[n][-1]
            general = []  # a "Khó khăn: …" between two tasks is the task's before it
        elif last_group is not None and _has_letters(msg.folded, lo, hi):
            if _OTHER_TASKS_RE.match(msg.folded, lo):
                continue  # "…; các nv khác k phát sinh", "còn lại chưa triển khai": not the last task's
            if many and (general or _GENERAL_HEAD_RE.match(msg.folded, lo)):
                general.append((lo, hi))
            tails[id(last_group)].append((lo, hi))
    if general and last_group is not None:
        own = tails[id(last_group)]
        tails[id(last_group)] = [span for span in own if span not in general]

    readings: list[_Reading] = []
    for c, gs in by_clause.items():
        readings.extend(_read_clause(msg, clauses[c], gs, tails))
    readings.sort(key=lambda r: r.group.start)

    # A bare list item ("NV2;\nNV3: xong") borrows from the next group.
    for n in range(len(readings) - 1):
        r, nxt = readings[n], readings[n + 1]
        if r.empty and not r.tails and not _has_letters(msg.folded, r.group.end, r.span[1]):
            size = len(r.group.refs)
            readings[n] = _Reading(r.group, [nxt.statuses[0]] * size, [nxt.percents[0]] * size,
                                   r.span, [nxt.span, *nxt.tails])

    entries: list[ParsedEntry] = []
    single = len(readings) == 1
    for r in readings:
        if single:
            # One group: the entry is the whole message, so its facts may come from anywhere in
            # it ("Trong quý I đã ... Đã hoàn thành. (NV2)"), though the ref's own text wins.
            if r.empty:
                status, percent = msg.facts(whole)
                r.statuses, r.percents = [status] * len(r.statuses), [percent] * len(r.percents)
            difficulty = msg.difficulty(whole)
            seg_text = text
        else:
            difficulty = msg.difficulty([r.span, *r.tails])
            seg_text = _segment_text(msg, r.span, r.tails)
        seen: set[str] = set()
        for ref, status, percent in zip(r.group.refs, r.statuses, r.percents):
            if ref.task not in seen:
                seen.add(ref.task)
                entries.append(ParsedEntry(ref.task, status, percent, difficulty, seg_text, ref.task in valid))
    if general and msg.difficulty(general):
        entries.append(ParsedEntry(None, None, None, True, _segment_text(msg, general[0], general[1:]), general=True))
    return entries


_LEAD_IN_RE = re.compile(r"(?<![a-z])(?:con|rieng|con lai)\s*$")


def _lead_in(folded: str, lo: int, start: int) -> int:
    m = _LEAD_IN_RE.search(folded, lo, start)
    return m.start() if m else start


def _read_clause(
    msg: _Message, clause: tuple[int, int], gs: list[_Group], tails: dict[int, list[tuple[int, int]]]
) -> list[_Reading]:
    c_lo, c_hi = clause
    # "nv1 dag lam, còn nv 4 6 8 …", "…, riêng số 10 …": the word that turns to the next task is its part's
    starts = [g.start if k == 0 else _lead_in(msg.folded, gs[k - 1].end, g.start) for k, g in enumerate(gs)]
    afters = [(g.end, starts[k + 1] if k + 1 < len(gs) else c_hi) for k, g in enumerate(gs)]
    befores = [(c_lo if k == 0 else gs[k - 1].end, g.start) for k, g in enumerate(gs)]
    last = len(gs) - 1
    # Statuses usually follow the refs ("NV4 xong") but may precede them ("Hoàn thành NV2,
    # NV3; đang thực hiện NV4"): take whichever reading explains more groups of the clause.
    ref_first = [msg.facts([a]) for a in afters]
    verb_first = [msg.facts([b, *([afters[last]] if k == last else [])]) for k, b in enumerate(befores)]
    use_vf = sum(s is not None for s, _ in verb_first) > sum(s is not None for s, _ in ref_first)

    out: list[_Reading] = []
    for k, g in enumerate(gs):
        if use_vf:
            status, percent = verb_first[k]
            span = (befores[k][0], afters[k][1] if k == last else g.end)
        else:
            status, percent = ref_first[k]
            span = (starts[k], afters[k][1])
        own_tails = tails[id(g)]
        if status not in (None, DONE) and percent is None and own_tails \
                and msg.facts([span, *own_tails]) == (DONE, None):
            status = DONE  # "NV9: Duy trì 35 đội hình … Hoàn thành chỉ tiêu.": the closing word wins
        if status == DONE and percent is None and any(_REMAINING_RE.search(msg.folded, lo, hi) for lo, hi in own_tails):
            status = IN_PROGRESS  # "NV10: giải quyết xong 02 vụ; còn 01 vụ vướng mắc …": work remains
        points = [t for t in own_tails if re.match(r"[\s;,.\-]*[a-e]\s*\)", msg.folded[t[0]:t[0] + 6])]
        if status is not None and percent is None and points:
            # "NV 6: a) thẩm định 18 dự thảo, xong; b) …, đang tiếp tục; c) …: chưa phát sinh":
            # the task's points each say how far they are; the task is as far as all of them
            status = _combine([status] + [ps for ps in (msg.facts([t])[0] for t in points) if ps], None)
        if status is None and own_tails:
            status, percent = msg.facts(own_tails)
        elif percent is None and own_tails:
            percent = msg.pct_in(own_tails)
            if percent is not None:
                status = _combine([status] if status else [], percent)
        size = len(g.refs)
        statuses: list[str | None] = [status] * size
        percents: list[int | None] = [percent] * size
        # "Đã xong NV1a, NV1b đang làm": a list with a different status on each side splits.
        if not use_vf and k == 0 and size > 1:
            pre_status, pre_pct = msg.facts([befores[0]])
            if pre_status is not None and status is not None and pre_status != status:
                statuses = [pre_status] * (size - 1) + [status]
                percents = [pre_pct] * (size - 1) + [percent]
                span = (befores[0][0], span[1])
        out.append(_Reading(g, statuses, percents, span, own_tails))
    return out


_TRIM = " \t\n\r,;:-–—•*+/·"


def _segment_text(msg: _Message, span: tuple[int, int], tails: list[tuple[int, int]]) -> str:
    lo, hi = span
    if tails:
        hi = max(hi, tails[-1][1])
    piece = _orig_slice(msg.text, msg.index, lo, hi) if hi > lo else ""
    stripped = piece.strip(_TRIM)
    return stripped or piece


# --------------------------------------------------------------------------------------------
# A whole report: sections, tasks by heading or content, merged per task


def sections_of(
    text: str, valid_tasks: Collection[str] | None = None, *, index: TaskIndex | None = None,
    assigned: Collection[str] | None = None,
) -> list[Section]:
    """The parts of a message as :func:`parse_reply` reads them (for ``baocao parse``)."""
    valid = _valid_set(valid_tasks)
    allowed = frozenset(_valid_set(assigned)) if assigned is not None else None
    return _Reader(text, valid, index, allowed).sections()


def _read(text: str, valid: frozenset[str], index: TaskIndex | None, allowed: frozenset[str] | None) -> list[ParsedEntry]:
    reader = _Reader(text, valid, index, allowed)
    sections = reader.sections()
    # the tasks' parts: numbered or named headings, and a part of the report that names its tasks
    # ("II. Nhiệm vụ phối hợp (Nhiệm vụ 6, 9): …"); what comes before them is the report's title
    first_task = next((n for n, sec in enumerate(sections)
                       if sec.kind == TASK or (sec.kind == FRAME and reader.names_tasks(sec))), len(sections))
    has_tasks = first_task < len(sections)
    reader.own_numbering = reader.reports_own_numbering(sections)
    entries: list[ParsedEntry] = []
    for n, sec in enumerate(sections):
        if sec.kind == ASIDE:
            continue
        if sec.kind == FUTURE and len(sections) > 1:
            continue  # "Phương hướng quý II": next period's plans, not this period's report
        if sec.kind == FRAME and not reader.names_tasks(sec):
            continue
        if sec.kind == BODY and has_tasks and not sec.topic and not reader.names_tasks(sec) and n < first_task:
            continue  # "Kính gửi Sở Tư pháp, … báo cáo như sau:" before the tasks
        found = reader.section(sec, many=len(sections) > 1)
        if sec.topic:
            # a title, not a report — unless it gives results ("…: tiếp 58 lượt công dân, giải quyết 31/34 đơn")
            # or says what was done after its subject ("Về chuyển đổi số, cải cách hành chính: 100% hồ sơ
            # căn cước thực hiện trực tuyến")
            found = [e for e in found if e.says_something
                     or ((e.task or e.candidates) and (find_figures(e.text) or _RESULT_AFTER_SUBJECT_RE.match(_fold(e.text))))]
        entries.extend(found)
    if not entries:
        entries = reader.section(Section(BODY, 0, len(text)), many=False)
    if not entries:
        return [ParsedEntry(None, None, None, False, text)]
    # "Kính gửi Sở Tư pháp,\nVề thẩm định …: …": a salutation on its own line is no part of the report
    said = [e for e in entries if not (e.task is None and not e.general and not e.says_something
                                       and _SALUTATION_RE.fullmatch(_fold(e.text)))]
    return _finish(_merge(_first_points(reader.sub_items(reader.described_otherwise(said or entries)), valid)), allowed)


_BULLET_LINE_RE = re.compile(r"^\s*[\-–—+•*·●○■□▪►]")
# "Chị cho em hỏi …", "… có phải báo cáo không ạ?": a question
_ASKS_ABOUT_RE = re.compile(r"\?\s*$|\b(?:cho (?:em|e|minh|toi) hoi|xin hoi|em hoi them|em hoi)\b")
# "nv6 e gửi sau ạ", "em chờ số liệu", "mai em bc tiếp": the report of the task comes later
_LATER_RE = re.compile(
    r"\b(?:(?:gui|bc|bao cao|nop)\s+(?:tiep|sau|bo sung sau)(?!\s*(?:cong dan|:))|cho so lieu|dang cho[^.;]{0,30}\bso lieu|chua co so lieu"
    r"|(?:mai|thu (?:hai|ba|tu|nam|sau|2|3|4|5|6)|tuan sau)\s+(?:em |e |minh )?(?:gui|bc|bao cao))\b")
# what a match of _ASKS_ABOUT_RE, _LATER_RE, _TOLD_BEFORE_RE cannot do without (one of them)
_ASKS_NEEDS = ("?", "em hoi", "e hoi", "minh hoi", "toi hoi", "xin hoi")
_LATER_NEEDS = ("gui", "bc", "bao cao", "nop", "so lieu")
_ASIDE_NEEDS = ("truoc", *_ASKS_NEEDS, *_LATER_NEEDS)
_SAYS_DONE_OR_DOING_RE = re.compile(r"\b(?:xong|hoan thanh|ht|dang (?:lam|thuc hien|trien khai)|da (?!co )[a-z]+|dat \d)")
# "… còn việc tham mưu quy chế … đã báo cáo trong văn bản trước": told before, nothing new this time
_TOLD_BEFORE_RE = re.compile(r"\b(?:da|dc|duoc)\s+(?:bao cao|bc)\s+(?:trong|tai|o|theo|qua)\s+(?:van ban|bao cao|cong van|ky|lan|dot)\s+(?:truoc|lan truoc|ky truoc)\b[\s.!]*$")


def _aside(sentence: str, valid: frozenset[str]) -> bool:
    """Whether a sentence asks about a task or promises its report later, and reports nothing."""
    if "|" in sentence or "\t" in sentence:
        return False  # a table's row: its columns say what it is ("NV11 | | Chờ số liệu phòng Tài chính")
    folded = _fold(sentence)
    # (every sentence of a report comes here: each pattern is searched only in one that has a
    # word the pattern cannot match without)
    told = _TOLD_BEFORE_RE.search(folded) if "truoc" in folded else None
    if told and not find_figures(sentence) and "%" not in folded and not _SAYS_DONE_OR_DOING_RE.search(folded[:told.start()]):
        return True
    asks = any(w in folded for w in _ASKS_NEEDS) and _ASKS_ABOUT_RE.search(folded) is not None
    if not folded or not (asks or any(w in folded for w in _LATER_NEEDS) and _LATER_RE.search(folded)):
        return False
    if find_figures(sentence) or "%" in folded or _SAYS_DONE_OR_DOING_RE.search(folded):
        return False
    return asks or bool(_refs_of(sentence, valid))


# "Về chuyển đổi số, …: 100% hồ sơ … thực hiện trực tuyến": a subject, then four words or more of what was done
_RESULT_AFTER_SUBJECT_RE = re.compile(r"^[\s\-+•*]*(?:phan|ve|cong tac|doi voi|linh vuc|viec|noi dung)\b[^:\n]{3,120}:\s*(?:\S+\s+){3,}\S")


# "Nhiệm vụ 1: a) quán triệt …;" (then "b) tuyên truyền …" on a line of its own): its point a)
_POINT_A_RE = re.compile(r"(?:^|[:;,.])\s*a\s*[).]\s*[a-z]")


def _first_points(entries: list[ParsedEntry], valid: frozenset[str]) -> list[ParsedEntry]:
    """A task's part that opens its point a) after the heading, on the heading's line, is that
    point when the next part is the task's point b) ("I. Nhiệm vụ 1: a) quán triệt …; hoàn
    thành.\nb) tuyên truyền …"): 1a and 1b, as the officer reads the two points."""
    out = list(entries)
    for n, (e, nxt) in enumerate(zip(entries, entries[1:])):
        task = e.task
        if task and task.isdigit() and nxt.task == task + "b" and task + "a" in valid \
                and all(x.task != task + "a" for x in entries) and _POINT_A_RE.search(_fold(e.text.split("\n", 1)[0])):
            out[n] = _with(e, task=task + "a")
    return out


class _Reader:
    def __init__(self, text: str, valid: frozenset[str], index: TaskIndex | None, allowed: frozenset[str] | None) -> None:
        self.text = text
        self.valid = valid
        self.index = index if index else None
        self.allowed = allowed
        self.own_numbering = False  # the report's numbered headings 1., 2., 3. are its own, not the plan's
        # The same passage is matched to the tasks several times in one message (a numbered
        # heading when checking for the report's own numbering, then when its section is read;
        # a part's words by match and by scores): each (topic, among self.allowed) once per
        # message. Kept on the reader, which lives for one message only.
        self._matches: dict[str, TaskMatch] = {}
        self._ranked: dict[str, list[tuple[str, float]]] = {}

    def _match(self, topic: str) -> TaskMatch:
        """``self.index.match(topic, self.allowed)``, memoised for this message."""
        found = self._matches.get(topic)
        if found is None:
            found = self._matches[topic] = self.index.match(topic, self.allowed, ranked=self._scores(topic))
        return found

    def _scores(self, topic: str) -> list[tuple[str, float]]:
        """``self.index.scores(topic, self.allowed)``, memoised for this message (read only)."""
        ranked = self._ranked.get(topic)
        if ranked is None:
            ranked = self._ranked[topic] = self.index.scores(topic, self.allowed)
        return ranked

    def reports_own_numbering(self, sections: list[Section]) -> bool:
        """Whether the report's headings "1.", "2.", "3." … (in that order, from 1) are its own
        numbering: one of them is clearly about another task than its number. Then each of them
        is read by its words (a "3. Công tác giải quyết, xét xử các loại án" is task 4)."""
        numbered = [sec for sec in sections if sec.kind == TASK and sec.number is not None and not sec.letter and not sec.topic]
        if len(numbered) < 3 or [sec.number for sec in numbered] != [str(k) for k in range(1, len(numbered) + 1)]:
            return False
        for sec in numbered:
            lo, hi = _trimmed(self.text, sec.start, sec.end)
            if self._numbered(ParsedEntry(None, None, None, False, ""), sec, self.text[lo:hi]).how == "content":
                return True
        return False

    def sections(self) -> list[Section]:
        """The message's parts: its headings' sections (bot/sections.py), each paragraph closed by a
        reference in brackets, what follows the introduction, each subject a paragraph opens on."""
        subs = frozenset(ref for ref in self.valid if not ref.isdigit())
        sections = split_trailing_refs(self.text, split_sections(self.text, subs), self.valid)
        return self.split_asides(self.split_turns(self.split_intro(self.split_topics(self.points_of_another_task(sections)))))

    def split_turns(self, sections: list[Section]) -> list[Section]:
        """"nv11 bên em đang tham mưu bổ sung kinh phí …, còn định giá tài sản trong tố tụng thì
        xong rồi": a part that names its task, turning ("còn …") to a subject clearly another
        of the agency's tasks and naming no number, goes on as that subject's part."""
        if not self.index:
            return sections
        out: list[Section] = []
        for sec in sections:
            piece = self.text[sec.start:sec.end]
            if sec.kind not in (TASK, BODY) or sec.trailing or not _TURN_RE.search(piece):
                out.append(sec)
                continue
            current = sec
            for m in _TURN_RE.finditer(piece):
                at = sec.start + m.start() + 1
                before = _refs_of(self.text[current.start:at], self.valid)
                own = {r.task for r in before}
                end = next((sec.start + b for a, b in _sentences(piece) if sec.start + b > at), sec.end)
                clause = self.text[at:end]
                if len(own) != 1 or _refs_of(self.text[at:sec.end], self.valid):
                    continue
                match = self._match(_topic(clause))
                task = next(iter(own))
                if match.task is None or taskrefs.parent(match.task) == taskrefs.parent(task):
                    continue
                out.append(replace(current, end=at))
                current = Section(BODY, at, current.end, topic=True)
            out.append(current)
        return out

    def described_otherwise(self, entries: list[ParsedEntry]) -> list[ParsedEntry]:
        """"Nhiệm vụ số 8 (giám định thiệt hại cây trồng)", "Giám định tư pháp xây dựng (Sở tạm xếp
        vào nhiệm vụ 9, nhờ Sở Tư pháp kiểm tra lại)": a number whose own description in brackets
        is clearly another task's, not its own, or that the agency itself gives as a guess, is
        read by the words: the task they are about, as an officer would file it."""
        if not self.index:
            return entries
        out = []
        for e in entries:
            if e.task is None or e.how not in ("named", "heading"):
                out.append(e)
                continue
            folded = _fold(e.text)
            words = None
            guess = _GUESSED_NUMBER_RE.search(folded) if "xep" in folded or "ghi" in folded else None  # (words it needs)
            if guess and (guess.group("num") or guess.group("num2")).lstrip("0") == taskrefs.parent(e.task):
                words = folded[:guess.start()] + folded[guess.end():]
            else:
                described = _DESCRIBED_RE.search(folded) if "(" in folded else None
                if described and described.group("num").lstrip("0") == taskrefs.parent(e.task):
                    scores = dict(self._scores(_topic(described.group("desc"))))
                    if not scores.get(taskrefs.parent(e.task)) and not scores.get(e.task):
                        words = described.group("desc")
            if words is not None:
                match = self._match(_topic(words))
                if match.task and taskrefs.parent(match.task) != taskrefs.parent(e.task):
                    e = _with(e, task=match.task, how="content")
            out.append(e)
        return out

    def points_of_another_task(self, sections: list[Section]) -> list[Section]:
        """Points a), b) under "1. Về kiện toàn tổ chức bộ máy (nhiệm vụ 3)" or under "1. Về tháo gỡ
        khó khăn … thi hành án dân sự" (the report's own numbering, task 10 by its words) are that
        task's points, not sub-items 1a, 1b of the heading's number."""
        out: list[Section] = []
        head: Section | None = None
        foreign: bool | None = None  # asked once, when a point follows the heading
        for sec in sections:
            if sec.kind == TASK and sec.number and not sec.letter and not sec.named and not sec.trailing:
                head, foreign = sec, None
            elif sec.kind == TASK and sec.letter and head is not None \
                    and sec.number == taskrefs.parent(head.number or "") + sec.letter \
                    and (foreign if foreign is not None else (foreign := self._heads_another_task(head))):
                out[-1].end = sec.end  # the point belongs to the part above it
                continue
            elif sec.kind != TASK or not sec.letter:
                head = None
            out.append(sec)
        return out

    def _heads_another_task(self, sec: Section) -> bool:
        first = self.text[sec.start:sec.end].split("\n", 1)[0]
        named = {r.task for r in _refs_of(first, self.valid)}
        if named and sec.number not in named:
            return True
        if named or not self.index:
            return False
        match = self._match(_topic(first))
        return match.task is not None and taskrefs.parent(match.task) != sec.number

    def split_asides(self, sections: list[Section]) -> list[Section]:
        """A sentence that asks about a task ("Chị cho em hỏi nhiệm vụ 10 bên em có phải báo cáo
        không ạ?") or promises its report later ("còn nv1 nv9 e bc sau a", "Nhiệm vụ 4 và 6 em chờ số
        liệu, thứ Hai em gửi tiếp"), in a message that reports something else: set aside, so the
        task it names gets no entry and the part before it keeps its own words."""
        out: list[Section] = []
        for sec in sections:
            if sec.kind not in (BODY, TASK):
                out.append(sec)
                continue
            piece = self.text[sec.start:sec.end]
            # each sentence _aside takes has one of _ASIDE_NEEDS folded; a sentence's fold is
            # part of its section's (folding reads each character on its own; trimming takes no
            # letter nor "?"): a section without any of them has no sentence to look at. (The
            # section as read later, trimmed: its fold is kept for its readings.)
            lo, hi = _trimmed(self.text, sec.start, sec.end)
            folded = _fold(self.text[lo:hi])
            if not any(word in folded for word in _ASIDE_NEEDS):
                out.append(sec)
                continue
            asides = [(a, b) for a, b in _sentences(piece) if _aside(piece[a:b], self.valid)]
            if not asides:
                out.append(sec)
                continue
            rest = "".join(piece[b:a] for (_, b), (a, _) in zip([(0, 0), *asides], [*asides, (len(piece), 0)]))
            if not re.search(r"[^\W\d_]{2}", rest) or not _refs_of(rest, self.valid) and not self.index:
                out.append(sec)
                continue
            pos, first = sec.start, True
            for a, b in asides:
                if self.text[pos:sec.start + a].strip():
                    out.append(replace(sec, start=pos, end=sec.start + a) if first else Section(BODY, pos, sec.start + a, topic=True))
                    first = False
                out.append(Section(ASIDE, sec.start + a, sec.start + b))
                pos = sec.start + b
            if self.text[pos:sec.end].strip():
                out.append(Section(BODY, pos, sec.end, topic=True))
        return out

    def split_intro(self, sections: list[Section]) -> list[Section]:
        """"Sở … báo cáo kết quả 6 tháng như sau:" then "Công tác tuyên truyền: …" in the same
        block before the first heading: the introduction, then a part about its subject."""
        if not sections or sections[0].kind != BODY or sections[0].topic or len(sections) < 2:
            return sections
        first = sections[0]
        intro_end = -1
        for m in re.finditer(r"[^\n]+", self.text[first.start:first.end]):
            line = self.text[first.start + m.start():first.start + m.end()]
            if intro_end < 0:
                if _INTRO_RE.match(_fold(line)):
                    if _refs_of(line, self.valid):
                        return sections  # "Báo cáo kết quả thực hiện nhiệm vụ 1 …:": the task its points are of
                    intro_end = first.start + m.end()
                continue
            if not line.strip():
                continue
            if not _TOPIC_OPENING.match(_fold(line)):
                return sections
            return [Section(FRAME, first.start, intro_end), Section(BODY, first.start + m.start(), first.end, topic=True),
                    *sections[1:]]
        return sections

    def split_topics(self, sections: list[Section]) -> list[Section]:
        """A paragraph that opens on another task's subject ("Phần thi hành án dân sự: …")
        under a heading about a different task starts a part of its own."""
        if not self.index:
            return sections
        out: list[Section] = []
        for sec in sections:
            if sec.kind not in (TASK, BODY) or sec.trailing:
                out.append(sec)
                continue
            current = sec
            lines = [(m.start() + sec.start, m.end() + sec.start) for m in re.finditer(r"[^\n]+", self.text[sec.start:sec.end])]
            # the task its heading names ("2. Về phối hợp giải quyết các vụ án (nhiệm vụ 4)"), else its number
            named_head = self._named_task(sec) if sec.kind == TASK else None
            own = named_head or sec.number
            own_sub = self.sub_item(self.text[lines[0][0]:lines[0][1]], own) if own and lines and sec.kind == BODY else None
            for lo, hi in lines[1:]:
                line = self.text[lo:hi]
                if not _TOPIC_OPENING.match(_fold(line)):
                    continue
                if named_head and _BULLET_LINE_RE.match(line) and not _refs_of(line, self.valid):
                    continue  # "- Án hình sự: …" under "2. … (nhiệm vụ 4)": a point of the task its heading names
                named = _refs_of(line, self.valid)
                if named:
                    folded = _fold(line)
                    colon = folded.find(":", 0, 150)
                    if colon < 0 or any(r.end > colon for r in named) or {r.task for r in named} == {own} \
                            or _INTRO_RE.match(folded) or _refs_of(self.text[current.start:lo], self.valid):
                        continue
                    # "- Tuyên truyền …: …" then "- Đấu tranh phản bác quan điểm sai trái (NV9): …": a
                    # subject naming its task before its colon, after parts that name none, opens that
                    # task's part (where the parts before it are read by their words)
                    out.append(replace(current, end=lo))
                    current = Section(TASK, lo, current.end)
                    own = named[0].task
                    own_sub = None
                    continue
                if _OTHER_TASKS_RE.match(_fold(line)):
                    match = _NO_MATCH  # "Các nhiệm vụ phối hợp khác: …" on its own line: no tail of the task before
                else:
                    match = self._match(_topic(line.split(":", 1)[0] if ":" in line[:120] else line))
                    if match.task is not None and match.task == own and not sec.number:
                        # "- Về quán triệt …: …" then "- Về đổi mới hình thức tuyên truyền: …": task 1's two points
                        line_sub = self.sub_item(line, own)
                        if line_sub and own_sub and line_sub != own_sub:
                            out.append(replace(current, end=lo))
                            current = Section(BODY, lo, current.end, topic=True)
                            own_sub = line_sub
                        continue
                    # "Về tuyên truyền cải cách tư pháp qua thiết chế văn hóa cơ sở: …" after "Về giám định …": a
                    # subject between two tasks, neither of them the part's, opens a part that asks
                    asks = match.task is None and match.candidates and own and sec.kind == BODY and not sec.number and not named_head \
                        and not {own, taskrefs.parent(own)} & {taskrefs.parent(c) for c in match.candidates}
                    if (match.task is None and not asks) or match.task == own or (own and match.task == taskrefs.parent(own)):
                        continue
                out.append(replace(current, end=lo))
                current = Section(BODY, lo, current.end, topic=True)
                own = match.task
                own_sub = self.sub_item(line, own) if own else None
            out.append(current)
        return out

    def sub_item(self, text: str, task: str | None, own_words: bool = False) -> str | None:
        """Which of a task's sub-items ("1a", "1b") a text is clearly about, when the plan has them;
        ``own_words``: by words of the plan that only this task has, not those of its title, in
        the subject the part opens on ("Về hòa giải ở cơ sở: …")."""
        items = self.index.items if self.index else None
        if not items or not task or not task.isdigit():
            return None
        subs = [r for r in items.refs if taskrefs.parent(r) == task and r in self.valid
                and (self.allowed is None or r in self.allowed)]
        if len(subs) < 2:
            return None
        head = _subject_head(_fold(text)) if own_words else None
        if own_words and not head and ":" not in text[:160]:
            return None  # by a point's own words: those of the part's subject, "Về …:", not of its results
        # past the report's own introduction ("VKSND tỉnh báo cáo 9 tháng: Về quán triệt …, Viện đã …")
        topic = _topic(head.group(1)) if head else _topic(text.split(":", 1)[0] if ":" in text[:160] else text)
        pairs = self.index.own_pairs(topic, task) if own_words and self.index else None
        found = items.match(topic, subs, pairs).task
        if found is None and pairs is not None and self.index:
            # "Về quán triệt Chỉ thị 26-CT/TW …, Viện đã …": words of one point that other tasks use too
            # ("Chỉ thị 26-CT/TW", "Quy định 132"), none of the task's title, still name the point when two or more of
            # them name one point alone
            wider = self.index.own_pairs(topic, task, only_this=False)
            ranked = items.scores(topic, subs, wider)
            if len(ranked) == 1 and len(wider) >= 2:
                found = items.match(topic, subs, wider).task
        return found

    def sub_items(self, entries: list[ParsedEntry]) -> list[ParsedEntry]:
        """Parts matched by their content to a task with sub-items, one after another, each
        clearly about another of its points ("Về quán triệt …", "Về đổi mới hình thức tuyên
        truyền …"): those points, 1a and 1b. One such part alone is its point when it names the
        point by the point's own words ("Về hòa giải ở cơ sở và xã đạt chuẩn tiếp cận pháp luật: …"
        is 1b), and stays the task when its words are the task's title ("Về tuyên truyền, phổ
        biến chiến lược cải cách tư pháp: …" is task 1)."""
        out = list(entries)
        n = 0
        while n < len(out):
            e = out[n]
            if e.how != "content" or not e.task or not e.task.isdigit():
                n += 1
                continue
            m = n
            while m < len(out) and out[m].how == "content" and out[m].task == e.task:
                m += 1
            subs = [self.sub_item(x.text, e.task) for x in out[n:m]]
            if m - n >= 2 and all(subs) and len(set(subs)) >= 2:
                out[n:m] = [_with(x, task=sub) for x, sub in zip(out[n:m], subs)]
            elif m - n == 1:
                sub = self.sub_item(e.text, e.task, own_words=True)
                if not sub and self.index:
                    # "Việc quán triệt, triển khai các chủ trương của Đảng …": the words of one point
                    # and none of the task's own title ("tuyên truyền, phổ biến"), which would leave it the task's
                    sub = self.sub_item(e.text, e.task)
                    if sub and self.index.title_words_in(_topic(e.text), e.task):
                        sub = None
                if sub:
                    out[n] = _with(e, task=sub)
            n = m
        return out

    def _named_task(self, sec: Section) -> str | None:
        refs = _refs_of(self.text[sec.start:sec.end].split("\n", 1)[0], self.valid)
        return refs[0].task if refs else None

    def names_tasks(self, sec: Section) -> bool:
        piece = self.text[sec.start:sec.end]
        return bool(_refs_of(piece, self.valid))

    def section(self, sec: Section, many: bool) -> list[ParsedEntry]:
        lo, hi = _trimmed(self.text, sec.start, sec.end)
        piece = self.text[lo:hi]
        if not piece:
            return []
        if sec.trailing and not _refs_of(self.text[lo:sec.tail_at], self.valid):
            # "Lĩnh vực trẻ em: hỗ trợ 08 trẻ em … (NV4)": what comes before the closing reference
            facts = _parse(self.text[lo:sec.tail_at], self.valid)[0]
            return [ParsedEntry(task, facts.status, facts.percent, facts.difficulty, piece, task in self.valid, how="named")
                    for task in sec.trailing]
        body = self._after_title(piece) if sec.kind in (TASK, BODY) else None
        refs = _refs_of(piece, self.valid) if not (sec.kind == GENERAL and agencys_request(piece)) else ()
        if self.own_numbering and sec.kind == TASK and sec.number and not sec.named and refs \
                and all(r.task == sec.number and r.start < 6 for r in refs):
            refs = ()  # "I.1.", "I.2.", "I.3." as the report's own numbering: the heading's number names no task
        if body is not None and refs and _refs_of(body, self.valid) == ():
            # "Nhiệm vụ 10 - Tháo gỡ khó khăn, vướng mắc trong thi hành án: …": the words of the
            # task's title are no status or difficulty; what follows the heading is.
            facts = _parse(body, self.valid)[0]
            tasks = list(dict.fromkeys(ref.task for ref in refs))
            return [ParsedEntry(task, facts.status, facts.percent, facts.difficulty, piece, task in self.valid, how="named")
                    for task in tasks]
        if refs:
            parsed = _parse(piece, self.valid)
            return [_with(e, how="named") for e in parsed if e.task is not None or e.status or e.difficulty]
        parsed = [_with(_parse(body, self.valid)[0], text=piece)] if body is not None else _parse(piece, self.valid)
        entry = parsed[0] if parsed else ParsedEntry(None, None, None, False, piece)
        if sec.kind == GENERAL:
            if not entry.difficulty and not entry.status and entry.percent is None:
                return []  # "Khó khăn, vướng mắc: Không."
            if not entry.difficulty and _PLANS_HEAD_RE.match(_fold(piece)):
                return []  # "III. Phương hướng, kiến nghị" with plans only: next period's, left out
            return [ParsedEntry(None, None, None, entry.difficulty, piece, general=True)]
        if sec.kind == TASK and sec.number is not None:
            return [self._numbered(entry, sec, piece)]
        return self._by_content(piece)

    def _after_title(self, piece: str) -> str | None:
        """What follows a heading that repeats a task's title ("6. Nâng cao chất lượng công
        tác thẩm định…: thẩm định 5 dự thảo"), or None when the section has no such heading."""
        if not self.index:
            return None
        first = piece.split("\n", 1)[0]
        colon = first.find(":")
        if colon < 12 or colon > 240:
            return None
        head = first[:colon]
        ranked = self.index.scores(head)
        if ranked and ranked[0][1] >= 2 * _TITLE_MIN:
            rest = piece[colon + 1:]
            return rest if rest.strip() else None
        return None

    def _numbered(self, entry: ParsedEntry, sec: Section, piece: str) -> ParsedEntry:
        """A heading "4. …" or "II.4 - …": the plan's number, unless the words say another task."""
        number = sec.number or ""
        ok = number in self.valid and (self.allowed is None or taskrefs.covers(self.allowed, number))
        match = self._match(_topic(piece)) if self.index else None
        if self.own_numbering and self.index and not sec.letter:
            # the report's own numbering: the heading's words say the task ("3. Công tác giải quyết,
            # xét xử các loại án" is task 4); when they leave it open, its number if they fit it too,
            # else the words of the whole part
            head = self._match(_topic(piece.split("\n", 1)[0]))
            if head.task:
                return _with(entry, task=head.task, how="content")
            if not (ok and number in head.candidates) and match and match.task:
                return _with(entry, task=match.task, how="content")
        if ok:
            # a point a), b) under a heading numbered as the plan is that task's point, whatever its words
            if match and match.task and match.task != number and match.task != taskrefs.parent(number) and not sec.letter:
                own = dict(self._scores(_topic(piece))).get(taskrefs.parent(number), 0.0) if self.index else 0.0
                # "1. Về nhiệm vụ chủ trì (kiện toàn tổ chức…)": a report's own numbering, by its words
                about = bool(re.match(r"^[\s\d.)]*(?:ve|cong tac|doi voi|linh vuc)\b", _fold(piece)))
                if own * (2 if about else 4) < match.score or self.index.title_document(piece.split("\n", 1)[0], match.task, self.allowed):
                    # "1/ NQ27 - đã quán triệt xong": a heading naming the document of another task's title
                    return _with(entry, task=match.task, how="content")  # a report's own numbering 1., 2., …
            elif match and match.candidates and not sec.letter \
                    and not {number, taskrefs.parent(number)} & {taskrefs.parent(c) for c in match.candidates}:
                # "2. Về phổ biến giáo dục pháp luật theo Đề án …": a report's own numbering whose words
                # leave two other tasks equally likely asks which
                own = dict(self._scores(_topic(piece))).get(taskrefs.parent(number), 0.0)
                about = bool(re.match(r"^[\s\d.)]*(?:ve|cong tac|doi voi|linh vuc)\b", _fold(piece)))
                if own * (2 if about else 4) < match.score:
                    return _with(entry, task=None, how="", candidates=match.candidates)
            return _with(entry, task=number, how="heading")
        if match and (match.task or match.candidates):
            return _with(entry, task=match.task, how="content" if match.task else "", candidates=match.candidates)
        return entry

    def _by_content(self, piece: str) -> list[ParsedEntry]:
        """A part that names no task: the task(s) its sentences are about."""
        if _INTRO_RE.match(_fold(piece)):
            return []  # the report's introduction alone ("UBND huyện … báo cáo kết quả 6 tháng …:")
        rest = _REST_OF_TASKS_RE.search(_fold(piece))
        if rest and not re.search(r"[a-z]{2,}", _fold(piece)[:rest.start()].replace("cac", "").replace("doi voi", "")):
            return [_parse(piece, self.valid)[0]]  # "các nhiệm vụ phối hợp còn lại: không phát sinh"
        if not self.index:
            return [self._only(_parse(piece, self.valid)[0])]
        spans = _clauses_of(piece)
        # a sentence about "the other tasks" names none of them: it is no task's by content
        # and the report's own introduction ("Sở Giáo dục và Đào tạo báo cáo kết quả … năm 2024:") is none,
        # nor a clause saying a subject was reported in an earlier letter
        matches = [_NO_MATCH if _REST_OF_TASKS_RE.search(_fold(piece[a:b])) or _INTRO_RE.match(_fold(piece[a:b]))
                   or _SENDING_RE.match(_fold(piece[a:b])) or _TOLD_BEFORE_RE.search(_fold(piece[a:b]))
                   else self._match(_topic(piece[a:b]))
                   for a, b in spans]
        # "Về tiếp công dân, giải quyết đơn thư …: … ; không có đơn tồn đọng kéo dài": under a subject
        # heading clearly one task's, a later sentence stays that task's unless it opens a subject of its
        # own or is about another task as clearly as the heading is about its own
        head = _subject_head(_fold(piece))
        by_head = self._match(_topic(head.group(1))) if head else _NO_MATCH
        groups: list[list[object]] = []  # [task, start, end]
        outcome = None
        for (a, b), m in zip(spans, matches):
            if m.task is not None and groups and groups[-1][0] != m.task and _OUTCOME_RE.match(_fold(piece[a:b])) \
                    and not _parse(piece[a:b], self.valid)[0].status:
                # "…; không để xảy ra khiếu kiện đông người, phức tạp": what the results came to, no part
                # of its own; being another task's aim, it leaves the part that task's as much
                groups[-1][2] = b
                outcome = outcome or m.task
                continue
            if m.task is not None and (not groups or groups[-1][0] != m.task):
                if by_head.task and groups and groups[0][0] == by_head.task and not _TOPIC_OPENING.match(_fold(piece[a:b])) \
                        and (m.score * CLEAR_LEAD < by_head.score or self._joined_to_head(piece, a, by_head.task)):
                    groups[-1][2] = b
                    continue
                groups.append([m.task, a, b])
            elif groups:
                groups[-1][2] = b
        if len(groups) == 1 and outcome and outcome != groups[0][0]:
            return [_with(_parse(piece, self.valid)[0], candidates=(str(groups[0][0]), str(outcome)), how="joined")]
        if len(groups) <= 1:
            # the report's own sending ("Báo cáo đầy đủ sẽ gửi bằng văn bản sau") is no word of the part's task
            said = " ".join(piece[a:b] for a, b in spans if not _SENDING_RE.match(_fold(piece[a:b])))
            whole = self._match(_topic(said if said.strip() else piece))
            head = _subject_head(_fold(piece))
            if head:
                # "Về bảo đảm kinh phí cho các cơ quan tư pháp: … cấp 2,7 tỷ cho Cục THADS": the heading
                # names the subject; the results after it may name other fields (whom it was for).
                # When the whole part leaves the heading's task and another equally likely, it asks.
                ranked = self._scores(_topic(head.group(1)))
                by_head = self._match(_topic(head.group(1)))
                far = len(ranked) < 2 or ranked[0][1] >= 2 * CLEAR_LEAD * ranked[1][1]
                # "Về kiện toàn tổ chức bộ máy các cơ quan tư pháp: … thẩm định đề án vị trí việc làm của
                # … Trung tâm Trợ giúp pháp lý": a heading clearly one task's, which the whole part leads
                # to as well, is not undone by a rival its results bring that is not the heading's runner-up,
                # nor by the runner-up when the heading's words give it half the score or less
                results_rival = whole.candidates[:1] == (by_head.task,) and (
                    not (len(ranked) > 1 and ranked[1][0] in whole.candidates) or ranked[0][1] >= 2 * ranked[1][1])
                if by_head.task and (by_head.task not in whole.candidates or far or results_rival):
                    whole = by_head
                elif whole.task and by_head.candidates and whole.task in by_head.candidates \
                        and not _far_ahead(self._scores(_topic(said if said.strip() else piece))):
                    # "Về nâng cao chất lượng đội ngũ cán bộ tư pháp: … mở 02 lớp bồi dưỡng …": a heading
                    # that leaves two tasks equally likely is not decided by results after it that lean
                    # to one of them only a little (less than twice the clear lead)
                    return [_with(_parse(piece, self.valid)[0], candidates=by_head.candidates)]
                sides = _JOINED_RE.split(head.group(1))
                if len(sides) == 2:
                    # "Về kiện toàn tổ chức, bộ máy và bồi dưỡng cán bộ": two subjects, each clearly one
                    # task's, in one part with one status: ask which
                    one, two = (self._match(_topic(side)) for side in sides)
                    if one.task and two.task and one.task != two.task \
                            and taskrefs.parent(one.task) != taskrefs.parent(two.task):
                        return [_with(_parse(piece, self.valid)[0], candidates=(one.task, two.task), how="joined")]
            entry = _parse(piece, self.valid)[0]
            if whole.task:
                return [_with(entry, task=whole.task, how="content")]
            if groups and head and whole.candidates and str(groups[0][0]) not in whole.candidates \
                    and spans and groups[0][1] > spans[0][0]:
                # "Về nâng cao chất lượng đội ngũ cán bộ …, … bồi dưỡng …; thẩm định tiêu chuẩn bổ nhiệm …":
                # under a subject the part leaves to two tasks, a later sentence's word of a third does not decide
                return [_with(entry, candidates=whole.candidates)]
            if groups:
                return [_with(entry, task=str(groups[0][0]), how="content")]
            if whole.candidates:
                return [_with(entry, candidates=whole.candidates)]
            return [self._only(entry)]
        groups[0][1] = 0  # sentences before the first match introduce it
        out = []
        for task, a, b in groups:
            lo, hi = _trimmed(piece, int(a), int(b))
            entry = _parse(piece[lo:hi], self.valid)[0]
            out.append(_with(entry, task=str(task), how="content"))
        return out

    def _joined_to_head(self, piece: str, a: int, task: str) -> bool:
        """Whether the sentence at ``a`` goes on, after a ";", the line that opens on the subject
        heading of ``task`` ("Về thông tin tuyên truyền …: Báo duy trì chuyên mục …; đã đăng 126 tin,
        bài … về hoạt động điều tra, xét xử"): the results of that subject, whatever fields they name."""
        if piece[a - 1:a] != ";":
            return False
        line = piece[piece.rfind("\n", 0, a) + 1:a]
        head = _subject_head(_fold(line))
        return bool(head) and self.index is not None and self._match(_topic(head.group(1))).task == task

    def _only(self, entry: ParsedEntry) -> ParsedEntry:
        if self.allowed is not None and len(self.allowed) == 1 and entry.task is None:
            return _with(entry, task=next(iter(self.allowed)), how="only")
        return entry


_TITLE_MIN = 2.5
_PLANS_HEAD_RE = re.compile(r"^[\s\-–—+•*]*(?:[ivx]+|[a-e]|\d{1,2})?\s*[.)\-–—/]?\s*phuong huong")
# A part that opens on its subject: "Về …:", "Phần …:", "Công tác …:", "Đối với …:", "Lĩnh vực …:"
_JOINED_RE = re.compile(r"\s(?:va|cung nhu)\s")
# "VKSND tỉnh báo cáo 6 tháng: Về quán triệt …": the report's own introduction before the subject hides it not
_INTRO_LEAD = r"(?:[^:.;\n]{0,80}\b(?:bao cao|bc)\b[^:.;\n]{0,40}:\s*)?"
_SUBJECT_HEAD_RE = re.compile(r"^[\s\-+•*]*" + _INTRO_LEAD + r"((?:phan|ve|cong tac|doi voi|linh vuc)\b[^:.;\n]{4,120}):")
# "Kính gửi Sở Tư pháp, về bảo đảm kinh phí cho các cơ quan tư pháp năm 2024, Sở Tài chính đã …":
# "về …" up to a comma opens the sentence's subject when no colon does (after a salutation, maybe)
_SALUTATION_RE = re.compile(r"\W*(?:kinh (?:gui|bao cao|trinh|thua)|thua|gui)\b[^\n]{0,80}?[\s,.:;]*")
_SUBJECT_COMMA_RE = re.compile(r"^[\s\-+•*]*(?:kinh gui [^,:.;\n]{3,40},\s*)?" + _INTRO_LEAD + r"((?:ve|doi voi)\b[^:.;,\n]{4,120}),(?=[^:.;\n]*(?:[.;\n]|$))")


def _far_ahead(ranked: list[tuple[str, float]]) -> bool:
    """Whether the best task is ahead of the next by twice the clear lead (or alone)."""
    return len(ranked) < 2 or ranked[0][1] >= 2 * CLEAR_LEAD * ranked[1][1]


def _subject_head(folded: str) -> re.Match[str] | None:
    return _SUBJECT_HEAD_RE.match(folded) or _SUBJECT_COMMA_RE.match(folded)
# Where a sentence turns to an obstacle: what follows ("vướng kinh phí", "đề nghị bổ sung biên
# chế") says what is lacking, not which task the sentence is about.
_OBSTACLE_RE = re.compile(  # (the word boundary first: it fails at once inside a word)
    r"\b(?<!thao go )(?<!go )(?:vuong|kho khan|thieu|de nghi|kien nghi|de xuat|chua co|chua duoc|han che|bat cap|"
    r"tro ngai|ach tac|cho (?:tinh|cap|bo|trung uong))\b"
)


# A paragraph that names its subject first: "Phần thi hành án…", "Về công tác…", "Công tác X: …"
_TOPIC_OPENING = re.compile(r"^[\s\-+•*]*(?:phan|ve|cong tac|doi voi|linh vuc)\b|^[^:.;]{8,150}:")


@lru_cache(maxsize=1024)
def _topic(text: str) -> str:
    """The part of each sentence that says what it is about (before any obstacle it names);
    kept, as a part is matched to the tasks several times over."""
    out = []
    for sentence in re.split(r"[.;\n!?]", fold_keep_lines(text)):
        m = _OBSTACLE_RE.search(sentence)
        out.append(sentence[: m.start()] if m else sentence)
    return ". ".join(out)


def fold_keep_lines(text: str) -> str:
    return "\n".join(_fold(line) for line in text.splitlines())  # a heading this close to a task's words repeats its title


# "các nhiệm vụ (phối hợp) còn lại / khác": the tasks not named, which no words can tell
# "các nhiệm vụ phối hợp còn lại: …" opening a part: about the tasks not named (a later
# "…; các nhiệm vụ phối hợp khác thực hiện bình thường" does not undo what came before it)
_NO_MATCH = TaskMatch(None, 0.0)
_INTRO_RE = re.compile(r"\s*(?=[^:\n]*\b(?:bao cao|thuc hien (?:ke hoach|kh)|(?:bo sung|gui|cap nhat) so lieu)\b)[^:\n]{0,200}:\s*$")
# "Dạ em gửi bổ sung ạ.", "Em gửi báo cáo ạ": the message being sent, no task's words
_SENDING_RE = re.compile(
    r"^\W*(?:(?:da|vang|kinh gui|chao)\s+(?:chi|anh|a)?\s*)*(?:em|e|minh|toi|ben em|don vi|chung toi)?\s*(?:xin\s+)?"
    r"(?:gui|nop)(?:\s+(?:bo sung|them|lai|cap nhat|chi|anh|so lieu|bao cao|bc|ket qua|phan|a|nhe))*\s*[.!]*\s*$|"
    # "Báo cáo đầy đủ sẽ gửi bằng văn bản sau.", "bc chi tiet e gui qua mail sau": the report's own sending
    r"^\W*(?:(?:da|vang)\s+)?(?:bao cao|bc|ban)(?:\s+(?:day du|chi tiet|chinh thuc|giay|dien tu|ky so|nam|quy|\d+ thang|\d+t))*"
    r"\s+(?:(?:em|e|minh|toi|ben em|don vi|so|huyen)\s+)?(?:se\s+)?(?:duoc\s+)?(?:gui|nop)\b"
    r"(?:\s+(?:bang|qua|theo)\s+(?:van ban|ban giay|email|mail|he thong|duong|buu dien)[a-z ]{0,30})?(?:\s+(?:sau|lien|ngay|bo sung|a|nhe|nha|chi|anh))*\s*[.!]*\s*$"
)
# "không để xảy ra / phát sinh …" opening a sentence after results: what they came to
_OUTCOME_RE = re.compile(r"^[\s,;\-]*(?:va\s+)?(?:gop phan\s+)?khong de (?:xay ra|phat sinh)\b")
_REST_OF_TASKS_RE = re.compile(r"\b(?:nhiem vu|nv)\b[^.;:\n]{0,25}\b(?:con lai|khac)\b")


# "[;\n]|[.!?](?=\s|$)", written to open on its set of characters (the search skips to them)
_SENTENCE_RE = re.compile(r"[;\n.!?](?:(?<=[;\n])|(?=\s|$))")


def _sentences(piece: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in _SENTENCE_RE.finditer(piece):
        if piece[start:m.end()].strip():
            out.append((start, m.end()))
        start = m.end()
    if piece[start:].strip():
        out.append((start, len(piece)))
    return out or [(0, len(piece))]


# "(Sở tạm xếp vào nhiệm vụ 9, nhờ Sở Tư pháp kiểm tra lại)", "em ghi nv8 được không chị?": a number given as a guess
_GUESSED_NUMBER_RE = re.compile(
    r"\([^()]{0,40}\bxep (?:vao|la)\s+(?:nv|nhiem vu)\s*(?:so\s*)?(?P<num>\d{1,2})\b[^()]{0,80}"
    r"\b(?:dieu chinh|kiem tra|xem lai|xep giup|sua|chua dung|huong dan)\b[^()]{0,40}\)"
    r"|\b(?:em|e|minh) ghi (?:vao |la )?(?:nv|nhiem vu)\s*(?:so\s*)?(?P<num2>\d{1,2}) (?:duoc|dc) (?:khong|ko|k|hong)\b[^.;\n]*")
# "Nhiệm vụ số 8 (giám định thiệt hại cây trồng)": a number and its own description
_DESCRIBED_RE = re.compile(r"(?<![a-z])(?:nv|nhiem vu)\s*(?:so\s*)?0*(?P<num>\d{1,2})[a-e]?\s*\((?P<desc>[^()\d]{6,100})\)")
_TURN_RE = re.compile(r"[,;]\s*(?=(?:còn|con)\s(?!lại|lai|\d))", re.IGNORECASE)
# "…, còn định giá tài sản trong tố tụng thì xong rồi", "quản lý giám định: 02 vụ, án hành chính: 05 vụ":
# within a sentence, a turn to another subject ("còn", "riêng", "về", or a subject and its colon)
_CLAUSE_TURN_RE = re.compile(
    r",\s*(?=(?:còn|con|riêng|rieng|về|ve|đối với|doi voi|phần|phan)\s(?!lại|lai|mềm|mem|lớn|lon|nào|nao|\d))|,\s*(?=(?P<subject>[^,:;.\n\d]{3,50}):)", re.IGNORECASE)


def _clauses_of(piece: str) -> list[tuple[int, int]]:
    """The sentences of a part, each cut where it turns to another subject: the spans a part's
    words are matched by (a clause that names no task's words stays with the one before it)."""
    out = []
    for a, b in _sentences(piece):
        start = a
        for m in _CLAUSE_TURN_RE.finditer(piece, a, b):
            if m.group("subject") and ":" not in piece[start:m.start()]:
                continue  # "Công tác kiện toàn tổ chức bộ máy, công chức tư pháp: …": one subject, not a list of them
            out.append((start, m.start() + 1))
            start = m.start() + 1
        out.append((start, b))
    return out


def _trimmed(text: str, lo: int, hi: int) -> tuple[int, int]:
    while lo < hi and (text[lo].isspace() or text[lo] in _TRIM):
        lo += 1
    while hi > lo and (text[hi - 1].isspace() or text[hi - 1] in " \t\r\n,;"):
        hi -= 1
    return lo, hi


def _with(entry: ParsedEntry, **changes: object) -> ParsedEntry:
    values = {f: getattr(entry, f) for f in ParsedEntry.__dataclass_fields__}
    values.update(changes)
    if "task" in changes and changes["task"] is not None:
        values["known"] = True
    return ParsedEntry(**values)  # type: ignore[arg-type]


# A focal point correcting what they just wrote
_MISTAKEN = r"(?:em|e|minh|toi) (?:nham|ghi nham|go nham|viet nham|bao nham)"
_CORRECTED_END_RE = re.compile(r"(?:^|[\s,;.(-])" + _MISTAKEN + r"(?: a| nhe| nha)?[\s,;.:!)-]*$")
_CORRECTED_START_RE = re.compile(r"^[\s,;.:(-]*(?:" + _MISTAKEN + r"|dinh chinh|xin sua lai|sua lai\s*:)")


def _merge(entries: list[ParsedEntry]) -> list[ParsedEntry]:
    """Parts of one message about the same task are one entry (one status, one segment)."""
    out: list[ParsedEntry] = []
    by_task: dict[str, int] = {}
    for e in entries:
        key = "*general" if e.general else e.task
        if key is None or key not in by_task:
            if key is not None:
                by_task[key] = len(out)
            out.append(e)
            continue
        k = by_task[key]
        m = out[k]
        statuses = [s for s in (m.status, e.status) if s]
        percent = m.percent if m.percent is not None else e.percent
        status = statuses[0] if len(set(statuses)) == 1 else (_combine(statuses, None) if statuses else None)
        if e.status and (_CORRECTED_END_RE.search(_fold(m.text)) or _CORRECTED_START_RE.match(_fold(e.text))):
            # "nv5 chưa xong, em nhầm, nv5 xong rồi ạ", "Đính chính: NV5 đã xong": the later word stands
            status = e.status
            percent = e.percent if e.percent is not None else (m.percent if status != DONE else None)
        out[k] = _with(m, status=status, percent=percent, difficulty=m.difficulty or e.difficulty,
                       text=f"{m.text}\n{e.text}".strip())
    return out


# "đã tham mưu…", "đã tổ chức…", "đã phối hợp…": something was done this period
# "nv11 cũng vậy", typed "cung z", "cung v", "cung zay": the same as the task before
_ALSO_NOT_RE = re.compile(r"\bcung (?:khong|ko|k|kg|chua)\s*(?:a|nhe|nha|luon)?\s*[.!]*\s*$")
_SAME_AS_BEFORE_RE = re.compile(r"\b(?:cung (?:vay|the|z|v|zay|dzay|giong vay)|tuong tu|nhu tren|cung nhu vay)\b")
_HEADING_RE = re.compile(
    r"^[\s\-+•*]*(?:[ivx]+\.|\d+(?:\.\d+)*[.)]?|[a-e]\))?\s*(?:(?:ve|doi voi)\s+)?(?:cac\s+)?"
    r"(?:nv|nhiem vu|muc|noi dung)(?:[^:]{0,60}:|\s*(?:so\s*)?\d{1,2}[a-z]?\s*(?:\([^)]{0,20}\)\s*)?[\-–—]\s)|^[^:]{0,80}:"
)  # "Nhiệm vụ 4: …", "b) Nhiệm vụ 9 - …"
_WORK_VERBS = frozenset(tuple(v.split()) for v in (
    "to chuc", "phoi hop", "tham muu", "quan triet", "tuyen truyen", "pho bien", "tham dinh", "tiep nhan",
    "tiep", "xu ly", "giai quyet", "ban hanh", "kiem tra", "ra soat", "van hanh", "cung cap", "duy tri", "mo",
    "dang tai", "dang", "san xuat", "trien khai", "thuc hien", "tham gia", "hoan thien", "xay dung", "theo doi",
    "tong hop", "boi duong", "tap huan", "dao tao", "cu", "bo tri", "ky ket", "sua doi", "kien toan", "thu ly",
    "ty le", "ve viec",
    "bo nhiem", "dieu dong", "luan chuyen", "tuyen dung",  # staff appointed, moved, recruited: work done
    "long ghep", "van dong", "nang cap", "ket noi",  # "Lồng ghép trong chuyên mục trên", "Vận động hội viên …"
    "bo sung", "ho tro", "thanh lap", "tich hop",  # "Bổ sung 02 công chức …", "Hỗ trợ kỹ thuật kết nối …"
    "dua tin",  # "Đưa tin đầy đủ các hội nghị quán triệt …": a newspaper's work
    "chi dao",  # "Chỉ đạo 100% cơ sở giáo dục quán triệt …": the work directed
    "gop y", "bien dich", "nam tinh", "phan bac", "phuc vu",  # "Góp ý dự thảo Luật …", "Biên dịch 04 tài liệu …"
))


def _describes_work(topic: str) -> bool:
    """Whether a task's part (its :func:`_topic`) says what was done ("Quán triệt trong chi bộ",
    "phối hợp liên ngành tốt"), beyond its heading: the work goes on, though no status word
    says so."""
    body = _HEADING_RE.sub("", topic, count=1)
    words = re.findall(r"[a-z]+", body)
    if len(words) < 3:
        return False
    # any of its sentences may say it ("Cổng Dịch vụ công tích hợp 112 thủ tục; tỷ lệ … đạt 64%")
    for sentence in body.split(". "):
        words = re.findall(r"[a-z]+", sentence)
        heads = {tuple(words[i:i + n]) for i in range(min(4, len(words))) for n in (1, 2)}
        if heads & _WORK_VERBS:
            return True
    return False


# A question ("… có phải báo cáo số liệu không chị?"): no result to read
_BLOCKED_RE = re.compile(r"[\s\-–—:.,]*(?:(?:nv|nhiem vu)\s*\d{1,2}[a-z]?\s*[:.\-–—]?\s*)?(?:van\s+)?chua (?:duoc|dc) (?:cap|bo tri|bo sung|phe duyet|giao|phan bo)\b")
_ASKS_RE = re.compile(r"\?\s*$|\b(?:khong|ko|k|nao|chua) (?:a|chi|anh|em|vay|nhi|ha)\s*[.?!]*$|\b(?:hay|hoac) [a-z ]+ (?:a|chi|anh)\s*\??$")
_STUCK_ON_RE = re.compile(r"\b(?:vuong|vuong mac|bi vuong|dang vuong) (?:ve )?(?:kinh phi|kp|nguon (?:kinh phi|von)|bien che|nhan luc|mat bang)\b"
                          # "nv5 vướng hồ sơ lưu trữ": the task itself said to be stuck on something
                          r"|^\W*(?:nv|nhiem vu)\s*(?:so\s*)?\d{1,2}[a-z]?\s*[:.\-–—]?\s*(?:dang |bi |con |van )?vuong (?!mac\b)[a-z]")
# "nv 11 k có", "Nhiệm vụ 8: không có.": nothing of the task this period
_BARE_NONE_RE = re.compile(r"^\W*(?:nv|nhiem vu)\s*(?:so\s*)?\d{1,2}[a-z]?\s*[:.\-–—]?\s*(?:khong|ko|k|kg|hok|kh) co\s*(?:a|nhe|nha|gi|ca)?\s*[.!]*\s*$")
# "chưa nhận được đề nghị phối hợp của Hội Luật gia", "chưa được Hội Luật gia mời phối hợp": the
# partner has not yet called on the agency, so its part of the work has not begun
_NOT_CALLED_RE = re.compile(r"\bchua (?:nhan (?:duoc|dc) (?:van ban )?(?:de nghi|yeu cau|loi moi)|(?:duoc|dc) (?:[a-z]+ ){0,5}moi) phoi hop\b")
# "chờ tỉnh cấp kinh phí" (as "đang chờ …"), "thiếu 6 thẩm phán, đã đề xuất bổ sung": the agency
# has acted and waits for the resource, midway
_WAITS_RE = re.compile(r"\bcho (?:tinh|trung uong|ubnd tinh|cap tren) (?:cap|bo tri|phe duyet|phan bo)\b|(?<!tu )\bvan (?:dang )?cho\b"
                       r"|\bda (?:co van ban )?(?:de xuat|kien nghi|de nghi)\b")
# "vẫn còn vướng mắc …", "van gap kho khan": still stuck, so the work is under way
_STILL_STUCK_RE = re.compile(r"\b(?:van|hien van) (?:con )?(?:dang )?(?:bi )?(?:vuong|gap (?:kho khan|vuong)|kho khan|kk|thieu)\b")
# "không phát sinh" as typed, teencode too ("k phat sinh", "kk ps"), and "không có vụ … nào"
# "nv4 một cửa điện tử chạy ổn", "phần mềm vận hành ổn định": the work's system runs, under way
_RUNS_RE = re.compile(r"\b(?:chay|van hanh|hoat dong) (?:on|on dinh|tot|binh thuong|thong suot|hieu qua)\b")
# "nv6 thiếu giám định viên tâm thần", "còn thiếu 07 Thẩm phán": the unit works short-handed, under way
_SHORT_OF_RE = re.compile(r"(?<!khong )(?<!ko )(?<!k )\bthieu (?:\d+ )?[a-z]")
_NOTHING_SPLIT_RE = re.compile(r"\b(?:khong|chua|k|ko|kh|kg|kk|hok) (?:co )?(?:phat sinh|ps|co yeu cau)\b|\bkps\b"
                               r"|\b(?:khong|chua|k|ko) co (?:vu|viec|truong hop|don)\b[a-z ]{0,12}\bnao\b")
_RESULTS_RE = re.compile(r"\bda (?!xong|hoan|het|duoc giao|co ke|nhan duoc)[a-z]+ [a-z]+")
# "nv10 họp BCĐ THADS 2 lần", "kiểm tra 03 lần": how many times something was done, a result
# (not "lần thứ 2", "sửa đổi lần 2", "tăng 2 lần", "gấp 3 lần")
_TIMES_RE = re.compile(r"\b(?!(?:gap|tang|giam|hon|thu|lan)\b)[a-z]+ \d{1,3} lan(?! thu)(?![a-z])")


def _finish(entries: list[ParsedEntry], allowed: frozenset[str] | None) -> list[ParsedEntry]:
    out: list[ParsedEntry] = []
    for e in entries:
        if e.status is None and out and out[-1].task and e.task and (
                _SAME_AS_BEFORE_RE.search(_fold(e.text))
                or out[-1].status in (NOT_ARISEN, NOT_STARTED) and _ALSO_NOT_RE.search(_fold(e.text))):
            # "nv4 vẫn làm bình thường, nv9 cũng vậy", "NV5 ko phát sinh NV8 cũng ko": as the task before
            e = _with(e, status=out[-1].status, percent=out[-1].percent)
        subs = [s for s in entries if s.task and s.task != e.task and e.task and taskrefs.parent(s.task) == e.task]
        if e.task and e.task.isdigit() and subs and (not e.says_something
                                                     or any(s.text == e.text for s in subs)):
            continue  # "1. Nhiệm vụ 1 (chủ trì)" over its points a) and b), "Nhiệm vụ 1, điểm b": the points are the entries
        figures = tuple(find_figures(e.text))
        folded, topic = _fold(e.text), _topic(e.text)
        # a part offered with candidates is a task's part too: once the task is picked it is complete
        tasked = e.task is not None or bool(e.candidates)
        if e.status == NOT_ARISEN and tasked:
            before_nothing = _NOTHING_SPLIT_RE.split(folded)[0]
            if len(before_nothing.split()) >= 6 and (find_figures(before_nothing) or re.search(r"\btiep tuc [a-z]+", before_nothing)) \
                    and not re.search(r"\b(?:khi|neu) co (?:yeu cau|de nghi)\b", before_nothing):
                # "Tiếp 37 lượt công dân…; chưa phát sinh vụ việc phức tạp": work done, one kind of case not arisen
                e = _with(e, status=IN_PROGRESS)
        not_yet = re.search(r"\bchua (?:trien khai|thuc hien|lam|to chuc)\b", folded) if e.status == NOT_STARTED else None
        if e.status == NOT_STARTED and tasked and _RESULTS_RE.search(topic) and not not_yet:
            # "đã quán triệt; các nội dung còn lại sẽ thực hiện khi có đề nghị": begun
            e = _with(e, status=IN_PROGRESS)
        elif not_yet and tasked and re.search(r"[;.]", folded[:not_yet.start()]) \
                and re.search(r"\bda (?!xong|hoan|het)[a-z]+ (?:[a-z]+|\d)", folded[:not_yet.start()]) \
                and find_figures(folded[:not_yet.start()]):
            # "đã mở 01 lớp cho 65 học viên; lớp thứ hai chưa triển khai do chưa có kinh phí": one part
            # done and counted, the rest not begun, so the task is under way
            e = _with(e, status=IN_PROGRESS)
        if e.status in (None, IN_PROGRESS) and tasked and e.percent is None and not figures \
                and _BLOCKED_RE.match(_HEADING_RE.sub("", folded, count=1)) \
                and not re.search(r"\b(?:dang|da|van) (?:thuc hien|trien khai|lam|to chuc)\b|\btiep tuc\b", folded):
            # "NV 11: Chưa được bổ sung kinh phí…, đang chờ tỉnh cấp", "nv11 chua dc cap kp":
            # held up before it could begin
            e = _with(e, status=NOT_STARTED)
        if e.status is None and tasked:
            counts = [f for f in figures if f.total]
            if counts:
                # "tham gia 6/8 cuộc đối thoại": part of what was planned is done
                # … "quán triệt đến 09/09 xã; tuyên truyền 120 lượt", "… đầy đủ 23/23 phiên đối
                # thoại" among other results: one activity in full, not the task done
                whole = not any(f.value < f.total for f in counts) and len(counts) == len(figures)  # type: ignore[operator]
                e = _with(e, status=DONE if whole else IN_PROGRESS)
            elif (find_figures(topic) or _RESULTS_RE.search(topic) or _describes_work(topic) or _TIMES_RE.search(topic)
                  # "phát hiện, đề nghị gỡ bỏ 64 đường link", "(Đề nghị Hội Luật gia chủ trì): … cử 04
                  # trợ giúp viên": no obstacle in the part, so its counts are results wherever they are
                  or (not e.difficulty and figures) or _RUNS_RE.search(topic)) \
                    and not _ASKS_RE.search(folded):
                # "NV4: tiếp 145 lượt công dân, giải quyết 30 đơn", "Nhiệm vụ 1: quán triệt trong
                # chi bộ": what was done this period, of work that goes on
                e = _with(e, status=IN_PROGRESS)
            elif _BARE_NONE_RE.match(folded):
                e = _with(e, status=NOT_ARISEN)
            elif _NOT_CALLED_RE.search(folded) and not e.difficulty:
                e = _with(e, status=NOT_STARTED)
            elif e.difficulty and (_STUCK_ON_RE.search(folded) or _STILL_STUCK_RE.search(folded) or _WAITS_RE.search(folded)
                                   or _SHORT_OF_RE.search(folded)) and not _ASKS_RE.search(folded):
                # "nv11 vướng kinh phí": stuck on a resource midway, the work is under way
                e = _with(e, status=IN_PROGRESS)
        out.append(_with(e, figures=figures))
    # A general difficulty in a message about one task only is that task's ("NV4: đang làm.
    # Khó khăn: thiếu kinh phí"): the reader would not split it off.
    tasks = [e for e in out if e.task is not None]
    general = [e for e in out if e.general]
    if len(tasks) == 1 and general and len(out) == 1 + len(general):
        t = tasks[0]
        merged = _with(t, difficulty=t.difficulty or any(g.difficulty for g in general),
                       text=t.text + "".join("\n" + g.text for g in general))
        return [_with(merged, figures=tuple(find_figures(merged.text)))]
    return out
