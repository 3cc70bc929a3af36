"""Reply parser: a focal point's free-text answer to a reminder → per-task entries.

    >>> [e.as_dict() for e in parse_reply("NV4: đang thực hiện 70%, vướng kinh phí")]
    [{'task': '4', 'status': 'in_progress', 'percent': 70, 'difficulty': True, 'text': 'NV4: đang thực hiện 70%, vướng kinh phí', 'known': True}]

Contract (see docs of :func:`parse_reply`): every message yields at least one entry; a message
without a task reference yields one entry with ``task=None``. The parser is pure, dependency-free
and never raises.

How it reads a message
----------------------
1. *Fold*: every character is folded on its own (NFKC, then :func:`common.text.fold`), keeping a
   map back to the original index. Composed/decomposed input and old/new tone placement
   ("hoà"/"hòa") fold alike, and every slice we return is a verbatim slice of the input.
2. *References*: ``NV4``, ``nv 4``, ``NV số 4``, ``nhiệm vụ (số|thứ) 4``, ``#4``, ``mục 4``,
   sub-items ``NV1a``/``NV 1 a``/``NV1 (ý a)``/``NV1 điểm b``/bare ``1a``; lists ``NV2, NV6``,
   ``NV2 và 3``, ``NV2/NV3``; ranges ``NV 2-4``, ``NV8 đến NV10`` expand to every number between.
   A number is a task only next to such a keyword (or listed right after one), so counts, dates,
   document numbers and percentages never become tasks.
3. *Clauses*: the message is cut at ``;``, line breaks and sentence ends. Refs in one clause that
   are separated only by connectors form a group sharing one status. A clause without refs
   continues the task before it ("NV4: đang làm. Khó khăn: thiếu kinh phí").
4. *Facts* of a segment: status keywords with their context (negation, future, noun use),
   progress percentages (not metrics like "tăng 15%", "100% cán bộ") and difficulty keywords
   (not negated ones, not "hoàn cảnh khó khăn", "tháo gỡ khó khăn" as an activity).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache

from common.text import fold

__all__ = [
    "DEFAULT_TASKS",
    "DONE",
    "IN_PROGRESS",
    "NOT_STARTED",
    "STATUSES",
    "ParsedEntry",
    "parse_reply",
]

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
DONE = "done"
STATUSES = frozenset({NOT_STARTED, IN_PROGRESS, DONE})

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
    """

    task: str | None
    status: str | None
    percent: int | None
    difficulty: bool
    text: str
    known: bool = True

    def as_dict(self) -> dict[str, object]:
        return {
            "task": self.task,
            "status": self.status,
            "percent": self.percent,
            "difficulty": self.difficulty,
            "text": self.text,
            "known": self.known,
        }


# --------------------------------------------------------------------------------------------
# Folding with a map back to the original text

_NEWLINES = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
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


def _fold_map(text: str) -> tuple[str, list[int]]:
    parts: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        if folded:
            parts.append(folded)
            index.extend([i] * len(folded))
    return "".join(parts), index


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
}

# Chat shorthand, mapped to the word it stands for.
_ABBREV = {
    "ko": "khong", "k": "khong", "kh": "khong", "khg": "khong", "hok": "khong", "hong": "khong",
    "kg": "khong", "dc": "duoc", "r": "roi", "e": "em", "dg": "dang",
}


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

_DONE_PHRASES = [("hoan", "thanh"), ("hoan", "tat"), ("xong",), ("done",)]
_NS_VERBS = [
    ("trien", "khai"), ("thuc", "hien"), ("bat", "dau"), ("lam",), ("khoi", "dong"),
    ("tien", "hanh"), ("to", "chuc", "thuc", "hien"), ("to", "chuc"),
]
_PROG_PHRASES = [
    ("dang", "thuc", "hien"), ("dang", "trien", "khai"), ("dang", "lam"), ("dang", "tien", "hanh"),
    ("thuong", "xuyen"), ("da", "trien", "khai"),
    ("tiep", "tuc", "thuc", "hien"), ("tiep", "tuc", "trien", "khai"), ("tiep", "tuc", "lam"),
    ("tiep", "tuc", "to", "chuc"), ("tiep", "tuc", "phoi", "hop"), ("tiep", "tuc", "duy", "tri"),
    ("tiep", "tuc", "theo", "doi"),
]
_WEAK_PROG_PHRASES = [("trien", "khai", "thuc", "hien"), ("dang", "cho")]
_DIFF_PHRASES = [
    ("kho", "khan"), ("vuong", "mac"), ("vuong",), ("kien", "nghi"), ("de", "nghi"),
    ("de", "xuat"), ("gia", "han"), ("thieu",), ("tro", "ngai"), ("bat", "cap"), ("ach", "tac"),
    ("han", "hep"), ("han", "che"), ("cham",), ("khong", "du"), ("chua", "du"),
    ("khong", "dap", "ung"),
]

_ALL_PHRASES: list[tuple[str, ...]] = sorted(
    {p for group in (_DONE_PHRASES, _NS_VERBS, _PROG_PHRASES, _WEAK_PROG_PHRASES, _DIFF_PHRASES)
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


def _tokenise(text: str, folded: str, index: list[int]) -> list[_Tok]:
    toks: list[_Tok] = []
    prev_end = 0
    for m in _TOKEN_RE.finditer(folded):
        raw = m.group()
        gap = folded[prev_end:m.start()]
        brk = bool(gap.strip()) or "\n" in gap
        prev_end = m.end()
        if raw.isdigit():
            toks.append(_Tok(raw, m.start(), m.end(), brk, frozenset(), raw, True))
            continue
        if raw in ("k", "r", "e") and gap == "" and toks:
            words, fz = (raw,), frozenset()  # "10k", "2r": not shorthand
        else:
            words, fz = _lexical(raw)
        strict_ok = True
        if len(words) == 1 and words[0] == raw and raw in _STRICT_FORMS:
            orig = _orig_slice(text, index, m.start(), m.end()).lower()
            orig = unicodedata.normalize("NFC", orig)
            strict_ok = orig.isascii() or orig in _STRICT_FORMS[words[0]]
        for n, w in enumerate(words):
            toks.append(_Tok(w, m.start(), m.end(), brk and n == 0, fz, raw, strict_ok))
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


class _Message:
    def __init__(self, text: str) -> None:
        self.text = text
        self.folded, self.index = _fold_map(text)
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
            if tok.w == word and tok.strict_ok:
                continue
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
            cands = list(_PHRASE_INDEX.get(tok.w, ()))
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
        self.hits.sort(key=lambda h: h.pos)
        self.pcts.sort(key=lambda p: p.pos)
        self._hit_pos = [h.pos for h in self.hits]
        self._pct_pos = [p.pos for p in self.pcts]

    def hits_in(self, spans: Iterable[tuple[int, int]]) -> list[_Hit]:
        out: list[_Hit] = []
        for lo, hi in sorted(set(spans)):
            out.extend(self.hits[bisect_left(self._hit_pos, lo):bisect_left(self._hit_pos, hi)])
        return out

    def pct_in(self, spans: Iterable[tuple[int, int]]) -> int | None:
        for lo, hi in sorted(set(spans)):
            k = bisect_left(self._pct_pos, lo)
            if k < len(self.pcts) and self.pcts[k].pos < hi:
                return self.pcts[k].value
        return None

    def _status(self, value: str, i: int, weak: bool = False) -> None:
        self.hits.append(_Hit("weak" if weak else "status", value, self.toks[i].start))

    def _on_word(self, i: int) -> None:
        # "đang <verb>": the commonest in-progress marker, whatever the verb.
        if self.is_(i, "dang"):
            nxt = self.w(i + 1)
            if i + 1 < self.n and self.toks[i + 1].brk:
                nxt = ""
            if nxt in ("cho",):
                self._status(IN_PROGRESS, i, weak=True)
            elif nxt not in _DANG_NOT_VERB and not nxt.isdigit():
                self._status(IN_PROGRESS, i)
        # Causes: "do chưa có hướng dẫn", "vì thiếu người", "chậm do vướng thủ tục"; and any
        # cause given for not having started or finished ("chưa tổ chức được do dịch bệnh").
        if self.is_(i, "do", "vi") and not self._cause_excluded(i):
            if self.seq(i + 1, ("chua", "den")) or self.seq(i + 1, ("chua", "toi")):
                return  # "do chưa đến thời hạn": not due yet is no obstacle
            for j in range(i + 1, min(i + 7, self.n)):
                if self.toks[j].brk:
                    break
                if self.is_(j, "chua", "thieu", "vuong", "cham") or self.w(j) == "khong":
                    self.hits.append(_Hit("diff", True, self.toks[i].start))
                    return
            if any(self.w(j) in ("khong", "chang") or self.is_(j, "chua") for j in self.back(i, 5)):
                self.hits.append(_Hit("diff", True, self.toks[i].start))

    def _cause_excluded(self, i: int) -> bool:
        prev = self.w(i - 1) if i and not self.toks[i].brk else ""
        if self.w(i) == "do":
            # "tiến độ", "mức độ", "trình độ", "chế độ", "trong đó", "do đó", "do Bộ tổ chức"
            return prev in ("tien", "muc", "trinh", "che", "thai", "nhiet", "trong", "sau", "truoc") \
                or self.w(i + 1) == "do"
        return prev == "pham" or self.w(i + 1) in ("pham", "the")

    def _on_phrase(self, phrase: tuple[str, ...], i: int, j: int) -> None:
        if phrase in _DONE_PHRASES:
            self._on_done(i, j)
        elif phrase in _NS_VERBS:
            self._on_ns_verb(phrase, i, j)
        if phrase in _PROG_PHRASES:
            if phrase[0] == "dang" and self.toks[i].w == "dang":
                return  # counted by the generic "đang" rule; a typo ("dag thuc hien") is not
            if phrase == ("da", "trien", "khai") and self.w(j) in ("xong", "hoan") and not self.toks[j].brk:
                return  # "đã triển khai xong": the done rule reads it
            if phrase == ("da", "trien", "khai") or not self._negated(i, 2):
                self._status(IN_PROGRESS, i)
        elif phrase in _WEAK_PROG_PHRASES and phrase[0] != "dang":
            if not self._negated(i, 3) and not self.back_has(i, 2, ("ket", "qua"), ("ke", "hoach")):
                self._status(IN_PROGRESS, i, weak=True)
        if phrase in _DIFF_PHRASES:
            self._on_difficulty(phrase, i, j)

    def _negated(self, i: int, width: int) -> bool:
        return any(self.w(j) in ("khong", "chang") or self.is_(j, "chua") for j in self.back(i, width))

    # --- status -----------------------------------------------------------------------------

    def _on_done(self, i: int, j: int) -> None:
        back2 = self.back(i, 2)
        # Noun uses: "thời hạn hoàn thành", "để hoàn thành", "trước khi xong", "tỷ lệ hoàn thành".
        if self.back_has(i, 2, ("thoi", "han"), ("gia", "han"), ("han",), ("nham",),
                         ("truoc", "khi"), ("sau", "khi"), ("yeu", "cau"), ("dam", "bao"),
                         ("ty", "le"), ("tien", "do"), ("ket", "qua")) or (
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
        if self.seq(j, ("mot", "phan")) or (self.w(j) == "1" and self.w(j + 1) == "phan"):
            self._status(IN_PROGRESS, i)
            return
        if self._partial_count(j):
            self._status(IN_PROGRESS, i)
            return
        self._status(DONE, i)

    def _fraction_at(self, k: int) -> tuple[int, int] | None:
        if 0 <= k and k + 1 < self.n and self.toks[k].digit and self.toks[k + 1].digit \
                and self.folded[self.toks[k].end:self.toks[k + 1].start].strip() == "/":
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
        if j < self.n and self.toks[j].digit:
            gap = self.folded[self.toks[j].end:self.toks[j + 1].start] if j + 1 < self.n else ""
            if j + 1 < self.n and self.toks[j + 1].digit and gap.strip() == "/":
                return int(self.toks[j].w) < int(self.toks[j + 1].w)
            noun = self.w(j + 1)
            if noun and not noun.isdigit() and not self.toks[j + 1].brk:
                done_count = int(self.toks[j].w)
                for k in range(max(0, j - 40), min(self.n - 1, j + 40)):
                    if k != j and self.toks[k].digit and self.w(k + 1) == noun \
                            and not self.toks[k + 1].brk and int(self.toks[k].w) > done_count:
                        return True
        return False

    def _on_ns_verb(self, phrase: tuple[str, ...], i: int, j: int) -> None:
        # "đã thực hiện được 3/4 nội dung": part of the task's content is done.
        k = j + 1 if self.w(j) == "duoc" else j
        frac = self._fraction_at(k)
        if frac and frac[0] < frac[1] and phrase in (("thuc", "hien"), ("trien", "khai")):
            self._status(IN_PROGRESS, i, weak=True)
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
        for k in range(self.n):
            tok = self.toks[k]
            if not tok.digit or len(tok.w) > 3:
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
            elif is_pct:
                pass
            elif self._after_reached(k) and self.clause_end_after(after) and not rest.startswith("/"):
                is_pct = True  # "đạt 95" at the end of a clause
            if not is_pct or value > 100:
                continue
            if self._metric(k, after, rest):
                continue
            self.pcts.append(_Pct(value, tok.start))

    def _after_reached(self, k: int) -> bool:
        j = k - 1
        if j >= 0 and not self.toks[k].brk and self.w(j) in ("khoang", "gan", "tren", "hon"):
            j -= 1
        if j < 0 or self.toks[j + 1].brk:
            return False
        return self.is_(j, "dat", "duoc") or self.seq(j - 1, ("tien", "do")) == 2

    def _metric(self, k: int, after: int, rest: str) -> bool:
        """A percentage that measures something else: "tăng 15%", "100% cán bộ", "tỷ lệ ... 88%"."""
        if self._negated(k, 3):
            return True  # "chưa đạt 100%": not a figure we can record
        for j in self.back(k, 12):
            if self.w(j) in ("tang", "giam", "chiem", "vuot", "cho") or self.seq(j, ("so", "voi")):
                return True
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
            if prev in ("canh", "biet", "ho", "vung", "go", "phuc", "qua", "met", "hinh") or \
                    (prev == "quyet" and prev2 == "giai"):
                return
        elif head in ("kien", "de"):
            # "đơn kiến nghị, phản ánh của công dân", "theo đề nghị của": someone else's request
            if prev in ("theo", "don", "nhan", "quyet", "ly", "anh", "tri") or nxt in ("cua", "phan"):
                return
        elif head == "thieu":
            if prev in ("toi", "giam", "khong") or nxt in ("nhi", "nien"):
                return
        elif head == "cham":
            ok = prev in ("bi", "con") or nxt in ("do", "tre", "tien", "so", "hon", "thuc", "trien", "ban") \
                or self.seq(i - 2, ("tien", "do")) == 2
            if not ok:
                return
        elif phrase == ("han", "che"):
            # "còn hạn chế" (a shortcoming), not "nhằm hạn chế" (to limit)
            if prev not in ("con", "so") and not self.seq(i - 2, ("mot", "so")):
                return
        if self._difficulty_negated(i, j) or self._resolved(j):
            self.hits.append(_Hit("diff", False, self.toks[i].start))
            return
        self.hits.append(_Hit("diff", True, self.toks[i].start))

    def _extension_follows(self, j: int) -> bool:
        """ "đề nghị (cho|được) gia hạn": the asking word of an extension request."""
        k = j
        while k < self.n and not self.toks[k].brk and self.w(k) in ("cho", "duoc", "xin"):
            k += 1
        return k < self.n and not self.toks[k].brk and self.seq(k, ("gia", "han")) == 2

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
        for i in range(self.n):
            if not (self.w(i) == "khong" or self.is_(i, "chua")):
                continue
            j = i + 1
            while j < self.n and j <= i + 3 and not self.toks[j].brk and self.w(j) in _LACK_FILLER:
                j += 1
            if j < self.n and not self.toks[j].brk and self.w(j) in _RESOURCES:
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
        return _combine(strong or weak, percent), percent

    def difficulty(self, spans: Iterable[tuple[int, int]]) -> bool:
        return any(h.kind == "diff" and h.value for h in self.hits_in(spans))


# "dang" typed without diacritics may be "Đảng ủy", "đảng viên", "đăng tải", "đăng ký", "đáng kể".
_DANG_NOT_VERB = frozenset({
    "vien", "uy", "bo", "doan", "ky", "tai", "ke", "nhap", "tin", "bai", "cong", "tren", "van",
})
_NEG_FILLER = frozenset({"co", "gap", "phat", "sinh", "xay", "ra", "con", "thay", "ghi", "nhan", "gi", "nao", "bi"})
_LACK_FILLER = frozenset({"co", "du", "duoc", "cap", "giao", "bo", "tri", "phan"})
_RESOURCES = frozenset({"kinh", "nguon", "bien", "nhan", "huong", "trang", "dia", "co", "nguoi", "can", "phong"})
_ALLOCATE = [("bo", "tri"), ("cap",), ("giao", "kinh"), ("phan", "bo")]
# After "70%": the work itself ("70% kế hoạch") or a word that is not a counted noun.
_PROGRESS_NOUNS = frozenset({
    ("ke", "hoach"), ("khoi", "luong"), ("cong", "viec"), ("chi", "tieu"), ("noi", "dung"),
    ("nhiem", "vu"), ("muc", "tieu"), ("tien", "do"), ("yeu", "cau"), ("phan", "viec"),
})
_NOT_A_NOUN = frozenset({
    "roi", "a", "nhe", "va", "thi", "nhung", "con", "trong", "theo", "ve", "duoc", "da",
    "dang", "chua", "khong", "co", "vuong", "kho", "hoan", "xong", "nv", "nhiem", "muc", "se",
    "em", "anh", "vi", "do", "nen", "tuy", "moi", "gan", "khoang", "den", "tai", "",
    # sentence-final particles of chat: "50% thôi", "70% rồi nhé", "80% luôn ạ"
    "thoi", "nha", "nhen", "hen", "luon", "het", "ha", "ah", "day", "nhi", "ok", "oke", "vay",
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

_KW = r"(?:nv|n\.\s?v\.?|nvu|nhiem\s*vu|muc)"
_REF_RE = re.compile(
    r"(?<![a-z0-9])(?P<kw>" + _KW + r")"
    r"(?:\s*[.:#-]?\s*(?:so|thu)(?![a-z]))?"
    r"\s*[.:#-]?\s*0*(?P<num>\d{1,2})(?!\d)(?!\s*%)"
    r"|(?<![a-z0-9&])#\s*0*(?P<hnum>\d{1,2})(?!\d)"
)
_ORDINAL_RE = re.compile(
    r"(?<![a-z0-9])(?:nv|nhiem\s*vu)\s*thu\s+"
    r"(?P<word>nhat|hai|ba|tu|bon|nam|sau|bay|tam|chin|muoi mot|muoi)(?![a-z])"
)
_ORDINALS = {"nhat": 1, "hai": 2, "ba": 3, "tu": 4, "bon": 4, "nam": 5, "sau": 6, "bay": 7,
             "tam": 8, "chin": 9, "muoi": 10, "muoi mot": 11}
_BARE_ITEM_RE = re.compile(r"(?<![a-z0-9/.,-])0*(?P<num>\d{1,2})(?P<letter>[a-z])(?![a-z0-9])")
_ITEM_SUFFIX_RE = re.compile(
    r"\s*(?:[.-]\s*|\(\s*)?(?:(?:y|diem|tieu\s+muc|muc|noi\s+dung)\s+)?(?P<letter>[a-z])\s*\)?(?![a-z0-9])"
)
_CONT_RE = re.compile(
    r"\s*(?P<conn>,|&|\+|/|-|–|—|va(?![a-z])|hoac(?![a-z])|den(?![a-z])|toi(?![a-z]))\s*"
    r"(?P<kw>(?:" + _KW + r"|#)\s*(?:so\s*)?)?0*(?P<num>\d{1,2})(?!\d)(?!\s*[%/])"
)
_BARE_NEXT_RE = re.compile(
    r"\s*(?:$|[,:;&+/)\-–—.\n]|(?:va|hoac|den|toi|da|dang|chua|hoan|xong|deu|khong|ko|co|thi|duoc|"
    r"dat|tiep|se|du|cung|trien|thuc|van|vuong|kho|nv|nhiem|done|bi|con|moi)(?![a-z]))"
)
_RANGE_CONN = ("-", "–", "—", "den", "toi")


@dataclass(slots=True)
class _Ref:
    task: str
    start: int  # folded span of the whole reference
    end: int


class _Refs:
    def __init__(self, msg: _Message, valid: frozenset[str]) -> None:
        self.msg = msg
        self.valid = valid

    def find(self) -> list[_Ref]:
        f = self.msg.folded
        refs: list[_Ref] = []
        taken = bytearray(len(f) + 1)

        def free(a: int, b: int) -> bool:
            return not any(taken[a:b])

        for m in _REF_RE.finditer(f):
            if not free(m.start(), m.end()):
                continue  # already read as part of a list ("NV1a, NV1b")
            if m.group("kw") == "muc" and not self._muc_ok(m.start()):
                continue
            num = m.group("num") or m.group("hnum")
            task, end = self._with_item(str(int(num)), m.end())
            refs.append(_Ref(task, m.start(), end))
            taken[m.start():end] = b"\x01" * (end - m.start())
            refs.extend(self._continuations(task, end, taken))
        for m in _ORDINAL_RE.finditer(f):
            if free(m.start(), m.end()):
                refs.append(_Ref(str(_ORDINALS[m.group("word")]), m.start(), m.end()))
                taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
        for m in _BARE_ITEM_RE.finditer(f):
            task = str(int(m.group("num"))) + m.group("letter")
            if task in self.valid and free(m.start(), m.end()) and self._ascii_letter(m.end() - 1):
                refs.append(_Ref(task, m.start(), m.end()))
                taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
                refs.extend(self._continuations(task, m.end(), taken))
        refs.sort(key=lambda r: r.start)
        return refs

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
        while True:
            m = _CONT_RE.match(f, end)
            if not m:
                break
            num = str(int(m.group("num")))
            explicit = bool(m.group("kw"))
            task, stop = self._with_item(num, m.end())
            if not explicit:
                if task not in self.valid or not _BARE_NEXT_RE.match(f, stop):
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

_CLAUSE_RE = re.compile(r"[;\n•]|[.!?](?=\s|$)")


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
        if groups and groups[-1].clause == c and _only_connectors(msg.folded[groups[-1].end:ref.start]):
            g = groups[-1]
            g.refs.append(ref)
            g.end = max(g.end, ref.end)
        elif groups and ref.start < groups[-1].end:
            groups[-1].refs.append(ref)  # a range member inside the span already taken
        else:
            groups.append(_Group([ref], ref.start, ref.end, c))
    return groups


_CONNECTOR_RE = re.compile(r"^(?:[\s,&+/\-–—]|va(?![a-z])|hoac(?![a-z])|cung(?![a-z])|den(?![a-z]))*$")


def _only_connectors(gap: str) -> bool:
    return bool(_CONNECTOR_RE.match(gap))


def _has_letters(folded: str, lo: int, hi: int) -> bool:
    return bool(re.search(r"[a-z]", folded[lo:hi]))


# --------------------------------------------------------------------------------------------
# Public entry point


def parse_reply(text: str, valid_tasks: Collection[str] | None = None) -> list[ParsedEntry]:
    """Parse a focal point's reply into one entry per task mentioned.

    ``valid_tasks`` are the plan's references (``list(plan.task_refs())``); default: the seed
    plan's. Returns at least one entry; ``task`` is None when no task is named. Never raises:
    anything unexpected degrades to one task-less entry holding the text.
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    try:
        valid = _valid_set(valid_tasks)
        return _parse(text, valid)
    except Exception:  # noqa: BLE001 - a chat reply must never crash the bot
        return [ParsedEntry(None, None, None, False, text)]


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


def _parse(text: str, valid: frozenset[str]) -> list[ParsedEntry]:
    msg = _Message(text)
    whole = [(0, len(msg.folded))]
    refs = _Refs(msg, valid).find()
    if not refs:
        status, percent = msg.facts(whole)
        return [ParsedEntry(None, status, percent, msg.difficulty(whole), text)]

    clauses = _clauses(msg.folded)
    groups = _groups(msg, refs, clauses)
    by_clause: dict[int, list[_Group]] = {}
    for g in groups:
        by_clause.setdefault(g.clause, []).append(g)

    # Ref-less clauses after a group continue it ("NV4: đang làm. Khó khăn: thiếu kinh phí").
    tails: dict[int, list[tuple[int, int]]] = {id(g): [] for g in groups}
    last_group: _Group | None = None
    for n, (lo, hi) in enumerate(clauses):
        if n in by_clause:
            last_group = by_clause[n][-1]
        elif last_group is not None and _has_letters(msg.folded, lo, hi):
            tails[id(last_group)].append((lo, hi))

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
    return entries


def _read_clause(
    msg: _Message, clause: tuple[int, int], gs: list[_Group], tails: dict[int, list[tuple[int, int]]]
) -> list[_Reading]:
    c_lo, c_hi = clause
    afters = [(g.end, gs[k + 1].start if k + 1 < len(gs) else c_hi) for k, g in enumerate(gs)]
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
            span = (g.start, afters[k][1])
        own_tails = tails[id(g)]
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
