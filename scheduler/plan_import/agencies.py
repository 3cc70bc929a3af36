"""Agency names in a plan's text → ids of a directory of known agencies and groups.

The directory is a province's agency directory (``data/directories/<id>.json``,
:mod:`scheduler.directory`: :meth:`Directory.from_directory`), or the agencies, aliases and
groups of an existing plan file (:meth:`Directory.from_plan`).
Names are matched with the plan model's own matching (:func:`scheduler.plan.find`: id, name or
alias, ignoring case and diacritics); a name that matches nothing becomes a new agency flagged
for review, with the closest known names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from common.text import fold, slugify
from scheduler.directory import Directory as ProvinceDirectory
from scheduler.plan import Agency, Group, Match, Plan, closest_names, find

# Words an agency's name starts with (folded): a list item that starts otherwise ("thành phố",
# "Thể thao và Du lịch", "Môi trường") is the rest of the name before it.
HEADS = (
    "so ", "ban ", "uy ban", "ubnd", "cuc ", "chi cuc", "cong an", "vien ", "toa an", "bao ", "dai ",
    "hoi ", "van phong", "thanh tra", "trung tam", "truong ", "bo ", "lien doan", "tinh doan", "tinh uy",
    "doan ", "mat tran", "bao hiem", "ngan hang", "kho bac", "quy ", "cong ty", "dang uy", "hoc vien",
    "chi nhanh", "bo chi huy", "cac ", "hdnd", "ubmttq", "mttq", "khoi ", "kiem toan", "huyen uy",
    "thanh uy", "thi uy", "vks", "tand", "cuc thads", "chi cuc thads",
)
# "các cơ quan, đơn vị liên quan": no agency in particular; kept in the text, not resolved.
VAGUE = re.compile(r"\blien quan\b|^(?:cac |nhung )?(?:co quan|don vi|dia phuong|to chuc)\b|co chuyen mon")


@dataclass
class Directory:
    """Known agencies and groups (what :func:`scheduler.plan.find` looks names up in)."""

    agencies: list[Agency]
    groups: list[Group]
    province: str | None = None
    source: str = ""
    # A province directory's id or path: the draft refers to it ("directory") instead of
    # copying the agencies it uses.
    ref: str | None = None

    @classmethod
    def from_plan(cls, plan: Plan, source: str = "") -> Directory:
        return cls(list(plan.agencies), list(plan.groups), plan.plan.province, source)

    @classmethod
    def from_directory(cls, directory: ProvinceDirectory, ref: str, source: str = "") -> Directory:
        # Agencies that ended before the directory's own (an included older directory's) stay
        # findable, after the current ones: a name both have is the current agency's.
        return cls(list(directory.agencies), list(directory.groups), directory.province, source or ref, ref)

    def __hash__(self) -> int:  # one directory per import: cache lookups by identity
        return id(self)

    def find(self, name: str) -> Match | None:
        return _find(self, name)

    def closest(self, name: str) -> list[Match]:
        # find/closest_names read only .agencies and .groups: a directory serves as a plan.
        return closest_names(self, name)  # type: ignore[arg-type]


@lru_cache(maxsize=4096)
def _find(directory: Directory, name: str) -> Match | None:
    for variant in _variants(name, directory.province):
        match = find(directory, variant)  # type: ignore[arg-type]
        if match is not None:
            return match
    return None


def _variants(name: str, province: str | None) -> list[str]:
    """The ways one agency is written: "Công an tỉnh Ninh Thuận", "Sở Tư pháp tỉnh",
    "Ủy ban nhân dân huyện X", "Các cơ quan …"."""
    out = [name]
    short = re.sub(r"(?i)^(?:Ủy|Uỷ) ban nhân dân\b", "UBND", name)
    if short != name:
        out.append(short)
    if province:
        out += [re.sub(rf"(?i)\s+(?:tỉnh\s+)?{re.escape(province)}$", " tỉnh", v) for v in list(out)]
    out += [re.sub(r"(?i)^các\s+", "", v) for v in list(out)]
    out += [re.sub(r"(?i)\s+tỉnh$", "", v) for v in list(out)] + [f"{v} tỉnh" for v in list(out)]
    seen: dict[str, None] = {}
    for v in out:
        seen.setdefault(v.strip())
    return list(seen)


@dataclass
class NewAgency:
    id: str
    name: str
    kind: str | None
    closest: list[Match]
    maybe_group: bool


@dataclass
class Resolved:
    ids: list[str] = field(default_factory=list)
    new: list[NewAgency] = field(default_factory=list)  # names not in the directory
    vague: list[str] = field(default_factory=list)  # "các cơ quan liên quan": left out


# Kind of a new agency, guessed from its first words (folded); left empty when unsure.
_KINDS = (
    (("ubnd huyen", "ubnd thanh pho", "ubnd thi xa", "uy ban nhan dan huyen"), "ubnd-cap-huyen"),
    (("ubnd xa", "ubnd phuong", "ubnd dac khu", "uy ban nhan dan xa", "uy ban nhan dan phuong"), "ubnd-cap-xa"),
    (("so ", "thanh tra", "van phong ubnd", "ban dan toc"), "co-quan-chuyen-mon"),
    (("cong an", "vien kiem sat", "toa an", "cuc thi hanh an", "chi cuc thi hanh an"), "co-quan-tu-phap"),
    (("bao ", "dai phat thanh"), "co-quan-bao-chi"),
    (("hoi dong phoi hop",), "hoi-dong-phoi-hop"),
)


def guess_kind(name: str) -> str | None:
    folded = fold(name)
    for starts, kind in _KINDS:
        if folded.startswith(starts):
            return kind
    return None


_SEPARATOR = re.compile(r"\s*(,|\bvà\b|\bcùng\b)\s*", re.IGNORECASE)
# "Hội đồng … cấp tỉnh, huyện": one name for two levels.
_LEVELS = re.compile(r"^(?P<base>.+?)\s+cấp\s+(?P<a>tỉnh|huyện|xã)\s*(?:,|và)\s*(?:cấp\s+)?(?P<b>tỉnh|huyện|xã)$", re.I)


class Resolver:
    """Resolves lists of names, remembering the new agencies it made (one per name)."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.new: dict[str, NewAgency] = {}  # folded name → new agency
        taken = {a.id for a in directory.agencies} | {g.id for g in directory.groups}
        self._taken = taken

    def resolve(self, text: str | None) -> Resolved:
        out = Resolved()
        if not text:
            return out
        for name in self.names(text):
            self._one(name, out)
        return out

    def names(self, text: str) -> list[str]:
        """The names in a list: "Sở Tư pháp, Công an tỉnh và UBND các huyện, thành phố"."""
        text = re.sub(r"\([^)]*\)", " ", text)  # "(theo chức năng, nhiệm vụ được giao)"
        text = re.sub(r"(?i)^\s*(?:đề nghị|giao)\s+", "", text)
        names: list[str] = []
        for chunk in re.split(r"\s*;\s*", text):
            chunk = chunk.strip(" .,:-")
            if chunk:
                names.extend(self._split(chunk))
        return names

    def _split(self, chunk: str) -> list[str]:
        parts = _SEPARATOR.split(chunk)
        pieces = [p.strip() for p in parts[0::2]]
        glue = parts[1::2]
        out: list[str] = []
        i = 0
        while i < len(pieces):
            # The longest run of pieces that names a known agency or group.
            for j in range(min(len(pieces), i + 8) - 1, i - 1, -1):
                candidate = _join(pieces, glue, i, j)
                if self.directory.find(candidate) is not None or self._known_new(candidate):
                    out.append(candidate)
                    i = j + 1
                    break
            else:
                # Unknown: the name goes on while the next piece does not start a name.
                j = i
                while j + 1 < len(pieces) and not self._starts_name(pieces, glue, j + 1):
                    j += 1
                out.append(_join(pieces, glue, i, j))
                i = j + 1
        return [name for name in out if name]

    def _starts_name(self, pieces: list[str], glue: list[str], k: int) -> bool:
        folded = fold(pieces[k])
        if folded.startswith(HEADS) or VAGUE.search(folded) and folded.startswith("cac"):
            return True
        return any(self.directory.find(_join(pieces, glue, k, j)) for j in range(k, min(len(pieces), k + 8)))

    def _known_new(self, name: str) -> bool:
        return fold(name) in self.new

    def _one(self, name: str, out: Resolved) -> None:
        name = name.strip(" .,:;-")
        if not name:
            return
        match = self.directory.find(name)
        if match is not None:
            _add(out.ids, match.id)
            return
        levels = _LEVELS.match(name)
        if levels:
            for level in (levels["a"], levels["b"]):
                self._one(f"{levels['base']} cấp {level}", out)
            return
        if re.search(r"(?i)\bcấp tỉnh$", name):
            shorter = re.sub(r"(?i)\s*cấp tỉnh$", " tỉnh", name)
            if self.directory.find(shorter) is not None:
                return self._one(shorter, out)
        folded = fold(name)
        if VAGUE.search(folded):
            out.vague.append(name)
            return
        new = self.new.get(folded)
        if new is None:
            new = NewAgency(
                id=self._new_id(name),
                name=name[0].upper() + name[1:],
                kind=guess_kind(name),
                closest=self.directory.closest(name),
                maybe_group=folded.startswith(("cac ", "ubnd cac", "uy ban nhan dan cac")),
            )
            self.new[folded] = new
        _add(out.ids, new.id)
        if new not in out.new:
            out.new.append(new)

    def _new_id(self, name: str) -> str:
        base = slugify(name) or "co-quan-moi"
        candidate, n = base, 2
        while candidate in self._taken:
            candidate, n = f"{base}-{n}", n + 1
        self._taken.add(candidate)
        return candidate


def _join(pieces: list[str], glue: list[str], i: int, j: int) -> str:
    text = pieces[i]
    for k in range(i, j):
        sep = glue[k].strip()
        text += (", " if sep == "," else f" {sep} ") + pieces[k + 1]
    return text.strip()


def _add(ids: list[str], new_id: str) -> None:
    if new_id not in ids:
        ids.append(new_id)
