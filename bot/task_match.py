"""Which of the plan's tasks a passage is about, read from its words.

Focal points often name a task by what it is about ("Về công tác tuyên truyền, phổ biến chiến
lược cải cách tư pháp…", "Phần thi hành án dân sự…") rather than by its number. The plan's own
text says what each task is about, so a passage is matched against each task's title, text
and sub-items: both folded to syllables (diacritics off, as people type on phones), compared
as pairs of adjacent syllables (Vietnamese words are mostly two syllables: "thi hành", "án
dân", "dân sự"), each pair weighted by how few tasks use it (a pair every task has, "cải
cách", "tư pháp", says nothing). The best task wins when it is clearly ahead; when two are
close, both are returned as candidates and the conversation asks.

Pure and plan-agnostic: it knows only the (reference, text) pairs it is given, so it works
for any plan a Sở Tư pháp loads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache

from common.text import fold

__all__ = ["TaskIndex", "TaskMatch"]

# Syllables that carry no topic; a pair made only of them is not counted.
_FUNCTION = frozenset(
    "va cac cua trong theo ve cho voi tren duoi duoc nhung mot la co de tai tu den nay do khi "
    "thi ma nhu neu vao ra hon nhat moi tung nhieu it con da dang se bi boi the sau truoc gan "
    "cung van chua khong rat qua lai nao gi ai day kia ay o nham nhu".split()
)
# Words of any report that say nothing about which task: the report's own frame.
_FRAME = frozenset(
    "bao cao ket qua thuc hien nhiem vu ke hoach quy nam thang tinh so ban nganh don vi co quan "
    "trien khai tiep tuc hoan thanh tot dat xong lam em ben minh chung toi".split()
)
# Words that join two phrases ("và", "các", "của", "với", "cho") and "về" opening one: a pair
# across them is no word of the field.
_JOINING = frozenset("va cac cua voi nhung cho".split())
# Prepositions: what they open is another phrase
_PREPOSITION = frozenset("trong theo tren duoi".split())
# "bảo vệ", "tự vệ", "phòng vệ": "vệ" folds as "về" does
_GUARD = frozenset("bao tu phong ho canh".split())
# The words _pairs's checks look at: a pair with neither word among them is taken at once
_SPECIAL = _FUNCTION | _FRAME | _JOINING | _PREPOSITION | {"tac", "cong", "an", "ve"}
_SYLLABLE = re.compile(r"[a-z]+")
# How far ahead the best task must be to be taken without asking (score ratio).
CLEAR_LEAD = 1.5
# Below this the passage is not about any task in particular: about one word pair that only
# one task has (log N), a little more so that a pair shared by two tasks is not enough.
MIN_PAIRS = 1.04


@dataclass(frozen=True, slots=True)
class TaskMatch:
    """``task``: the task the passage is about, when one is clearly ahead; ``candidates``:
    the close ones (best first) when two or more are about equally likely."""

    task: str | None
    score: float
    candidates: tuple[str, ...] = ()

    @property
    def sure(self) -> bool:
        return self.task is not None


# Acronyms of the field, as focal points write them ("THADS", "PBGDPL", "TGPL"): not one plan's.
_ACRONYMS = {
    "thads": "thi hanh an dan su", "thahc": "thi hanh an hanh chinh", "pbgdpl": "pho bien giao duc phap luat",
    "pbpl": "pho bien phap luat", "tgpl": "tro giup phap ly", "cctp": "cai cach tu phap", "cchc": "cai cach hanh chinh",
    "qppl": "quy pham phap luat", "vbqppl": "van ban quy pham phap luat", "cds": "chuyen doi so", "tcd": "tiep cong dan",
    "kntc": "khieu nai to cao", "btp": "bo tro tu phap", "hgcs": "hoa giai co so", "gdtp": "giam dinh tu phap",
    "tths": "to tung hinh su", "kkdn": "khieu kien dong nguoi",
}


# Acronyms that also end an agency's name ("Cục THADS")
_AGENCY_ACRONYMS = frozenset({"thads"})


# "Nghị quyết 27-NQ/TW", "NQ 27", "Kết luận số 21-KL/TW", "Chỉ thị 05-CT/TW": a document by its
# number is a name of its own, which the syllable pairs (parted at numbers) cannot see
# "Kế hoạch số 2197/KH-UBND", "Nghị quyết số 77/NQ-CP", "Quy định 132-QĐ/TW": likewise, a number
# before its kind's letters after "-" or "/"
_DOCUMENT = re.compile(r"\b(?:(nghi quyet|nq|ket luan|kl|chi thi|ct)\s*(?:so\s*)?(\d{1,4})(?![\d/.,])|(\d{1,4})\s*[-/]\s*(nq|kl|ct|kh|qd|cv)\b)")
# what a _DOCUMENT match cannot do without: its kind (_DOCUMENT_KIND's words) before the number,
# or after the number and "-" or "/" (this pattern, searched from a digit on)
_NUMBER_THEN_KIND = re.compile(r"\d\s*[-/]\s*(?:nq|kl|ct|kh|qd|cv)")
_DOCUMENT_KIND = {"nghi quyet": "nq", "nq": "nq", "ket luan": "kl", "kl": "kl", "chi thi": "ct", "ct": "ct"}
# "phổ biến pháp luật" and "phổ biến, giáo dục pháp luật" (PBPL, PBGDPL) name one field
_PBGDPL = re.compile(r"\bpho bien,?\s+(?:giao duc,?\s+)?phap luat\b")

_SHORTHAND_WORDS = {"dinhgiats": "dinh gia tai san"}
_SHORTHAND = re.compile(r"\bdinh gia ts\b")

# What focal points call the plan's things in their own words: "mạng xã hội", "tài khoản Facebook" are
# the "không gian mạng" of the field; "quan điểm sai trái, thù địch", "tin giả" its "thông tin xấu
# độc"; luật sư, công chứng, tư vấn pháp luật its "hoạt động luật sư, trợ giúp pháp lý"
_FIELD_WORDS = (
    (re.compile(r"\b(?:mang xa hoi|facebook|fb|tiktok|youtube|trang mang|an ninh mang|tren mang)\b"), "khong gian mang"),
    (re.compile(r"\b(?:sai trai|thu dich|xuyen tac|tin gia|sai su that|tin xau|phan dong)\b"), "thong tin xau doc chong pha"),
    (re.compile(r"\b(?:tu van phap luat|luat su|cong chung|dau gia tai san|thua phat lai|quan tai vien)\b"), "hoat dong luat su, tro giup phap ly"),
)

# "trụ sở", "cơ sở vật chất", "trang thiết bị" of the agencies: what the field calls their
# "điều kiện hoạt động" (working conditions)
_CONDITION_WORDS = ("tru so", "co so vat chat", "trang thiet bi", "phuong tien lam viec")
_CONDITIONS = re.compile(r"\b(?:" + "|".join(_CONDITION_WORDS) + r")\b")


@lru_cache(maxsize=1024)
def _pairs(text: str) -> frozenset[str]:
    out: set[str] = set()
    folded = fold(text)
    named = any(kind in folded for kind in _DOCUMENT_KIND) or _NUMBER_THEN_KIND.search(folded)
    for m in _DOCUMENT.finditer(folded) if named else ():
        kind = _DOCUMENT_KIND[m.group(1)] if m.group(1) else m.group(4)
        out.add(f"{kind} #{int(m.group(2) or m.group(3))}")
    # (each pattern is searched only where the words it needs are: the text is read at every
    # position otherwise; a passage of every message goes through here)
    if "pho bien" in folded:
        folded = _PBGDPL.sub("pho bien giao duc phap luat", folded)
    if "dinh gia" in folded:
        # "định giá TS" (tài sản): a phone's shorthand of the field's words
        folded = _SHORTHAND.sub(lambda m: _SHORTHAND_WORDS[m.group(0).replace(" ", "").replace("-", "")], folded)
    if any(word in folded for word in _CONDITION_WORDS) and _CONDITIONS.search(folded):
        folded += " . dieu kien hoat dong"  # a headquarters, equipment are the "điều kiện hoạt động" of the field
    for said, plan_words in _FIELD_WORDS:
        if said.search(folded):
            folded += " . " + plan_words
    # adjacent within a phrase: a colon, a full stop or a number between two syllables parts them
    # ("… tội phạm 6 tháng: tiếp nhận", "thụ lý 2.140 vụ" make no pair across); a comma does not ("tổ chức, bộ máy")
    for phrase in _PHRASE.split(folded):
        syllables = _SYLLABLE.findall(phrase)
        if not _ACRONYMS.keys().isdisjoint(syllables):
            syllables = _spelt_out(syllables)  # (the usual phrase has no acronym: its syllables as they are)
        for k, (a, b) in enumerate(zip(syllables, syllables[1:])):
            if a not in _SPECIAL and b not in _SPECIAL:
                out.add(f"{a} {b}")  # the usual pair: none of the words the checks below look for
                continue
            if ((a == "tac" and syllables[k - 1:k] == ["cong"]) or (b == "cong" and syllables[k + 2:k + 3] == ["tac"])):
                continue  # "công tác tuyên truyền", "liên quan đến công tác": a pair across "công tác" is no word
            if a == "an" and syllables[max(k - 2, 0):k] == ["thi", "hanh"]:
                # "thi hành án hành chính" (enforcing judgments) is not "án hành chính" (the cases a
                # court tries), nor "thi hành án dân sự" "án dân sự": the term goes on as one word
                out.add(f"thi-hanh-an {b}")
                continue
            if a in _FUNCTION and b in _FUNCTION:
                continue
            if a in _FRAME and b in _FRAME:
                continue
            if b == "ve" and a not in _GUARD:
                continue  # "tuyên truyền về", "phóng sự về": "về" opens what it is about ("bảo vệ" is a word)
            if b in _PREPOSITION:
                continue  # "phối hợp trong …", "thực hiện theo …": a word and the preposition after it is no word of the field
            if a in _JOINING or b in _JOINING or a == "ve":
                continue  # "tổ chức, bộ máy và bồi dưỡng", "Về công tác …": a pair across a joining word
            out.add(f"{a} {b}")
    return frozenset(out)


def _spelt_out(words: list[str]) -> list[str]:
    """A phrase's syllables with the field's acronyms spelt out ("thads": "thi hanh an dan su")."""
    syllables: list[str] = []
    for word in words:
        # "Cục THADS", "Chi cục THADS huyện …": an agency's name says for whom, not which field
        # "Hội đồng PBGDPL tỉnh": a council's name likewise
        named = (word in _AGENCY_ACRONYMS and syllables[-1:] == ["cuc"]) or (word in _ACRONYMS and syllables[-2:] == ["hoi", "dong"])
        syllables.extend(_ACRONYMS[word].split() if word in _ACRONYMS and not named else (word,))
    return syllables


# A break: a number ("2.140", "30/4"), or a run of the punctuation that ends a phrase. Written to
# open on the set of characters a break starts with, so that the regex engine skips to them: one
# of them, then the rest of the number after a digit or the rest of the run after a punctuation
# mark (the same splits as "[0-9]+(?:[.,/][0-9]+)*|[:;.!?()\[\]\n\"“”]+").
_PHRASE = re.compile(r"[0-9:;.!?()\[\]\n\"“”](?:(?<=[0-9])[0-9]*(?:[.,/][0-9]+)*|(?<![0-9])[:;.!?()\[\]\n\"“”]*)")


TITLE_WEIGHT = 2.0  # a task's title says what it is about more than the body of its text


class TaskIndex:
    """The tasks' vocabulary. ``tasks``: (reference, text) or (reference, text, weight) —
    several per reference allowed (title, text, each sub-item's text; a title weighs more)."""

    def __init__(self, tasks: Iterable[tuple[str, str] | tuple[str, str, float]]) -> None:
        vocab: dict[str, set[str]] = {}
        boost: dict[str, dict[str, float]] = {}
        for ref, text, *rest in tasks:
            pairs = _pairs(text)
            vocab.setdefault(ref, set()).update(pairs)
            weight = float(rest[0]) if rest else 1.0
            own = boost.setdefault(ref, {})
            for pair in pairs:
                own[pair] = max(own.get(pair, 1.0), weight)
        self.refs = tuple(vocab)
        df: dict[str, int] = {}
        for pairs in vocab.values():
            for pair in pairs:
                df[pair] = df.get(pair, 0) + 1
        n = max(len(vocab), 1)
        self.min_score = MIN_PAIRS * math.log(max(n, 2))
        # log(N/df): a pair of one task weighs log N, a pair of every task 0.
        self._weight = {pair: math.log(n / count) for pair, count in df.items() if count < n}
        self._vocab = {ref: {p for p in pairs if p in self._weight} for ref, pairs in vocab.items()}
        self._boost = boost
        # each task's pairs with their weight in it (the boost of its title applied), once per
        # index: scores() is asked for many passages of every message
        self._weighted = {ref: {p: self._weight[p] * boost[ref].get(p, 1.0) for p in pairs}
                          for ref, pairs in self._vocab.items()}
        # a pair of at most two tasks is a distinctive name of the field ("nhà nước pháp quyền", "xét xử")
        self._distinct = math.log(n / 2) - 1e-9 if n > 2 else 0.0
        self.items: TaskIndex | None = None  # the plan's sub-items ("1a", "1b") on their own, when it has any
        self.titles: dict[str, str] = {}  # each task's title, by reference

    @classmethod
    def from_plan(cls, plan: object) -> TaskIndex:
        """From a loaded plan (``scheduler.plan.Plan``: tasks with no, title, text, items)."""
        return cls.from_plans([plan])

    @classmethod
    def from_plans(cls, plans: Iterable[object]) -> TaskIndex:
        """From several plans at once (a task number of two plans shares their words)."""
        pairs: list[tuple[str, str, float]] = []
        items: list[tuple[str, str, float]] = []
        item_titles: dict[str, str] = {}
        for plan in plans:
            for task in getattr(plan, "tasks", ()):
                pairs.append((task.no, task.title, TITLE_WEIGHT))
                pairs.append((task.no, task.text, 1.0))
                for item in task.items:
                    pairs.append((task.no, item.title, TITLE_WEIGHT))
                    pairs.append((task.no, item.text, 1.0))
                    if getattr(item, "no", None):
                        items.append((item.no, item.title, TITLE_WEIGHT))
                        items.append((item.no, item.text, 1.0))
                        item_titles.setdefault(item.no, item.title)
        index = cls(pairs)
        for plan in plans:
            for task in getattr(plan, "tasks", ()):
                index.titles.setdefault(task.no, task.title)
        if items:
            index.items = cls(items)
            index.items.titles = item_titles
        return index

    def title_words_in(self, text: str, ref: str) -> bool:
        """Whether ``text`` has words of task ``ref``'s title that are not the words all its
        sub-items' titles share ("tuyên truyền, phổ biến" of task 1's title, not "cải cách tư
        pháp"): a text that says the task's title is about the task, not about one of its points."""
        own = _pairs(self.titles.get(ref, ""))
        items = [_pairs(title) for no, title in (self.items.titles.items() if self.items else ()) if no.rstrip("abcdefgh") == ref]
        shared = frozenset.intersection(*items) if items else frozenset()
        return bool((own - shared) & _pairs(text))

    def __bool__(self) -> bool:
        return bool(self.refs)

    def own_pairs(self, text: str, ref: str, only_this: bool = True) -> frozenset[str]:
        """The word pairs of ``text`` that only task ``ref`` has in the plan, leaving out those
        made of its title's syllables ("phổ biến chiến lược" of "Tuyên truyền, phổ biến về
        chiến lược cải cách tư pháp"): the words of one of its points, not of the task.
        ``only_this=False``: the task's words that at most two tasks use ("Chỉ thị 26"), not
        only those no other task has; not the common ones ("trên địa bàn")."""
        title = set(_SYLLABLE.findall(fold(self.titles.get(ref, ""))))
        only = self._vocab.get(ref, set())
        floor = self._weight_one if only_this else math.log(max(len(self._vocab), 1) / 2) - 1e-9
        return frozenset(p for p in _pairs(text) if p in only and self._weight.get(p, 0.0) >= floor
                         and not set(p.split()) <= title)

    @property
    def _weight_one(self) -> float:
        return math.log(max(len(self._vocab), 1)) - 1e-9

    def scores(self, text: str, allowed: Collection[str] | None = None, pairs: frozenset[str] | None = None) -> list[tuple[str, float]]:
        """Each task's score for ``text`` (or for the word ``pairs`` given)."""
        found = _pairs(text) if pairs is None else pairs
        out = []
        for ref in self.refs:
            if allowed is not None and ref not in allowed:
                continue
            shared = found & self._vocab[ref]
            if not shared:
                continue  # (an empty sum, 0, is no score)
            # summed exactly (math.fsum): a set's order changes with the process's hash seed, and a
            # plain sum's last bit with it, which could part two tied tasks one way or the other
            score = math.fsum(map(self._weighted[ref].__getitem__, shared))
            if score > 0:
                out.append((ref, score))
        out.sort(key=lambda item: -item[1])
        return out

    def _close(self, found: frozenset[str], best: str, other: str) -> bool:
        """Whether ``other`` is about as likely as ``best`` once a word both tasks have and most
        tasks use weighs the same for both: a title repeating "tuyên truyền", "cải cách tư pháp"
        that the other task has in its text does not part them. A word of at most two tasks
        ("xét xử", "Nhà nước pháp quyền", "Nghị quyết 27") keeps its title's weight: the title
        that names it decides."""
        one, two = self._vocab[best], self._vocab[other]
        b1, b2 = self._boost[best], self._boost[other]
        s1: list[float] = []
        s2: list[float] = []
        for p in found & (one | two):
            w = self._weight[p]
            if p in one and p in two and w < self._distinct:
                s1.append(w)
                s2.append(w)
                continue
            s1.append(w * b1.get(p, 1.0) if p in one else 0.0)
            s2.append(w * b2.get(p, 1.0) if p in two else 0.0)
        return math.fsum(s2) * CLEAR_LEAD > math.fsum(s1)  # (exact sums: the same whatever the set's order)

    def _title_names(self, found: frozenset[str], best: str, other: str) -> bool:
        """Whether the passage names a document ``best``'s title names ("Nghị quyết 27-NQ/TW về Nhà
        nước pháp quyền"), with another distinctive word of that title (of at most two tasks), and
        ``other``'s title has none of them, listing the document in its text only (among the ones a
        point lists): the title that names the document decides."""
        b1, b2 = self._boost[best], self._boost[other]
        named = [p for p in found if self._weight.get(p, 0.0) >= self._distinct and p in self._vocab[best]]
        mine = [p for p in named if b1.get(p, 1.0) > 1.0]
        return len(mine) >= 2 and any("#" in p for p in mine) and not any(b2.get(p, 1.0) > 1.0 for p in found if self._weight.get(p, 0.0) >= self._distinct)

    def _own_document(self, found: frozenset[str], ref: str) -> bool:
        """Whether the passage names a document by its number that only task ``ref`` names."""
        return any("#" in p and self._weight.get(p, 0.0) >= self._weight_one for p in found & self._vocab.get(ref, set()))

    def title_document(self, text: str, ref: str, allowed: Collection[str] | None = None) -> bool:
        """Whether ``text`` names a document by its number that task ``ref``'s title names and no
        other task's title among ``allowed`` does ("Quán triệt Nghị quyết 27-NQ/TW" and task 2,
        "Quán triệt, triển khai Nghị quyết 27-NQ/TW …"; task 1a only lists it in its text)."""
        docs = [p for p in _pairs(text) if "#" in p and self._boost.get(ref, {}).get(p, 1.0) > 1.0]
        return any(not any(self._boost[o].get(p, 1.0) > 1.0 for o in self.refs if o != ref and (allowed is None or o in allowed))
                   for p in docs)

    def match(self, text: str, allowed: Collection[str] | None = None, pairs: frozenset[str] | None = None,
              *, ranked: list[tuple[str, float]] | None = None) -> TaskMatch:
        """The task ``text`` (or the word ``pairs`` given) is about among ``allowed`` (default: all).
        ``ranked``: ``self.scores(text, allowed, pairs)`` when the caller has it already."""
        found = _pairs(text) if pairs is None else pairs
        if ranked is None:
            ranked = self.scores(text, allowed, found)
        if not ranked or ranked[0][1] < self.min_score:
            return TaskMatch(None, ranked[0][1] if ranked else 0.0)
        best, score = ranked[0]
        # _close can only hold when the other's score clears best's words at their plain weight
        # (it weighs no word above its boosted weight, and best's at least at their plain one)
        plain = math.fsum(self._weight[p] for p in found & self._vocab[best])
        close = [ref for ref, s in ranked[1:]
                 if s * CLEAR_LEAD > score or (s * CLEAR_LEAD > plain and self._close(found, best, ref))]
        if len(close) == 1 and self._title_names(found, best, close[0]):
            close = []
        if close and self._own_document(found, best) and not any(self._own_document(found, ref) for ref in close):
            close = []  # "Kế hoạch số 2197/KH-UBND …" that only NV2 names: the document decides
        if close and self.title_document(text, best, allowed):
            close = []  # "NQ27 đã quán triệt xong": the task whose title names the document
        if close:
            return TaskMatch(None, score, (best, *close[:2]))
        return TaskMatch(best, score)
