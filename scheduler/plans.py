"""The plans a province runs at once, by id.

Everything the scheduler and the outbox key on carries a plan's id; this catalogue is how the
rest of the code finds the plan behind an id. ``BAOCAO_PLAN_PATH`` names one plan file or a
folder of them (``data/plans/`` by default): :func:`load_plans` reads either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from common.text import fold
from scheduler.calendar import WorkingCalendar
from scheduler.plan import Plan, PlanError, load_plan


class PlanFileError(PlanError):
    """A :class:`~scheduler.plan.PlanError` of one file of a folder: the message names the file."""

    def __init__(self, file: Path | str, error: PlanError) -> None:
        self.file = Path(file)
        self.error = error
        super().__init__(error.path, error.message, more=error.more)

    def __str__(self) -> str:
        return f"tệp {self.file}: {super().__str__()}"


def plan_files(path: Path | str) -> list[Path]:
    """The plan files ``path`` names: itself, or a folder's ``*.json`` files in name order
    (other files, such as a README, are ignored)."""
    path = Path(path)
    if path.is_dir():
        return sorted((p for p in path.iterdir() if p.suffix.lower() == ".json" and p.is_file()), key=lambda p: p.name)
    return [path]


def link_target(file: Path) -> Path:
    """``file``, or the plan file it names when it is a symlink that a checkout without
    symlinks (Windows, ``core.symlinks=false``) wrote as a one-line text file
    ("../plan.json", as ``data/plans/124-KH-BCSD.json`` is)."""
    try:
        if file.is_symlink() or file.stat().st_size > 255:
            return file
        text = file.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return file
    if text.endswith(".json") and "\n" not in text and not text.startswith(("{", "[")):
        target = file.parent / text
        if target.is_file():
            return target
    return file


def load_plans(path: Path | str, *, skip_broken: bool = False) -> tuple[Plans, list[PlanFileError]]:
    """The plans of a file or a folder, and the broken files skipped (with ``skip_broken``;
    without it the first broken file raises). Two files with the same plan id, an empty
    folder, or a folder whose every file is broken raise :class:`PlanError`."""
    path = Path(path)
    files = plan_files(path)
    if path.is_dir() and not files:
        raise PlanError("", f"thư mục kế hoạch {path} không có tệp .json nào")
    plans: list[Plan] = []
    where: dict[str, Path] = {}
    broken: list[PlanFileError] = []
    for file in files:
        try:
            plan = load_plan(link_target(file))
        except PlanError as exc:
            error = PlanFileError(file, exc) if path.is_dir() else exc
            if not skip_broken or not path.is_dir():
                raise error from exc
            broken.append(error)  # type: ignore[arg-type]
            continue
        plan_id = plan.plan.id
        if plan_id in where:
            raise PlanFileError(
                file, PlanError("plan.id", f"mã kế hoạch '{plan_id}' trùng với tệp {where[plan_id]}; mỗi kế hoạch một mã")
            )
        where[plan_id] = file
        plans.append(plan)
    if not plans:
        raise broken[0]
    return Plans(plans), broken


def _key(text: str) -> str:
    """A plan number as people type it: folded, separators as one dash ("124-KH/BCSĐ" →
    "124-kh-bcsd"), without a leading "kế hoạch (số)"."""
    folded = re.sub(r"^(ke hoach|kh)\s*(so\s*)?(?=\d)", "", fold(text))
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


class Plans:
    """An ordered, read-only catalogue of :class:`~scheduler.plan.Plan` by ``plan.plan.id``."""

    def __init__(self, plans: Iterable[Plan]) -> None:
        self._by_id: dict[str, Plan] = {}
        for plan in plans:
            if plan.plan.id in self._by_id:
                raise ValueError(f"two plans have the id {plan.plan.id!r}")
            self._by_id[plan.plan.id] = plan
        if not self._by_id:
            raise ValueError("no plan")

    def __iter__(self) -> Iterator[Plan]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, plan_id: object) -> bool:
        return plan_id in self._by_id

    def get(self, plan_id: str | None) -> Plan | None:
        return self._by_id.get(plan_id) if plan_id is not None else None

    def __getitem__(self, plan_id: str) -> Plan:
        return self._by_id[plan_id]

    @property
    def ids(self) -> list[str]:
        return list(self._by_id)

    @property
    def default(self) -> Plan:
        """The plan meant when nobody names one: the only plan, else the one that started last."""
        return max(self._by_id.values(), key=lambda p: (p.plan.in_force.start, p.plan.date))

    def matching(self, text: str) -> list[Plan]:
        """The plans ``text`` names: the id or number as written, folded or unaccented
        ("124-KH/BCSD"), or their first parts ("124", "124-KH"). Exact matches win."""
        text = text.strip()
        exact = [p for p in self if text in (p.plan.id, p.plan.number)]
        if exact:
            return exact
        key = _key(text)
        if not key:
            return []
        same = [p for p in self if key in (_key(p.plan.id), _key(p.plan.number))]
        if same:
            return same
        return [
            p for p in self if any(_key(n).startswith(key + "-") for n in (p.plan.id, p.plan.number))
        ]

    def find(self, text: str) -> Plan | None:
        """The one plan ``text`` names (:meth:`matching`), or ``None`` (none, or several)."""
        found = self.matching(text)
        return found[0] if len(found) == 1 else None

    def in_force(self, day: date, cal: WorkingCalendar | None = None) -> list[Plan]:
        """The plans in force on ``day``; with the calendar, also those past their end whose
        last obligation is still open (the annual report due in January after the plan)."""
        if cal is None:
            return [p for p in self if p.plan.in_force.start <= day <= p.plan.in_force.end]
        from scheduler.deadlines import open_until

        return [p for p in self if p.plan.in_force.start <= day <= open_until(p, cal)]

    def agency_name(self, agency_id: str) -> str:
        """The agency's name in whichever plan knows it (the id when none does)."""
        for plan in self:
            agency = plan.agency_by_id.get(agency_id)
            if agency is not None:
                return agency.name
        return agency_id

    def replaced(self, plan: Plan) -> Plans:
        """A catalogue with ``plan`` taking the place of the plan with its id (or added)."""
        items = dict(self._by_id)
        items[plan.plan.id] = plan
        return Plans(items.values())

    def without(self, plan_id: str) -> Plans:
        """A catalogue without the plan ``plan_id`` (``ValueError`` if it is the last one)."""
        return Plans(p for p in self if p.plan.id != plan_id)

    # -- a plan named by people ---------------------------------------------------------------

    def named_in(self, text: str) -> list[Plan]:
        """The plans ``text`` names by number: "KH 124", "kế hoạch 124-KH/BCSĐ", "theo Kế
        hoạch số 45/KH-UBND", "124-KH/BCSĐ" (the full number anywhere), in catalogue order.
        A bare number names a plan only after "kế hoạch"/"KH" (``bare=False``, the default)."""
        return self._find(text, bare=False)

    def find_at_start(self, text: str) -> tuple[Plan | None, str]:
        """A plan named at the start of a command's argument ("124 quý I", "KH 45/KH-UBND NV3",
        "kế hoạch 124 CA tỉnh"), a bare number included, and the rest of the argument; ``(None,
        text)`` when the start names no plan (or names two)."""
        match = _AT_START.match(text)
        if match is None:
            return None, text
        found = self._match(match.group("digits"), match.group("suffix") or "")
        if len(found) != 1:
            return None, text
        return found[0], text[match.end() :].strip(" ,:;-")

    def _find(self, text: str, *, bare: bool) -> list[Plan]:
        folded = fold(text)
        squeezed = re.sub(r"\s*([-/])\s*", r"\1", folded)
        found: list[Plan] = []
        for plan in self:
            number = _number_key(plan.plan.number)
            if number and re.search(rf"(?<![\w/-]){re.escape(number)}(?![\w/-])", squeezed):
                found.append(plan)
        if found:
            return found
        for match in _NAMED.finditer(folded):
            for plan in self._match(match.group("digits"), match.group("suffix") or ""):
                if plan not in found:
                    found.append(plan)
        return [plan for plan in self if plan in found]

    def _match(self, digits: str, suffix: str) -> list[Plan]:
        """The plans whose number starts with ``digits`` (and, when several do, whose full
        number is ``digits + suffix``)."""
        digits = digits.lstrip("0") or "0"
        same = [p for p in self if _leading_digits(p.plan.number) == digits]
        if len(same) > 1 and suffix:
            full = _number_key(digits + re.sub(r"\s+", "", suffix))
            exact = [p for p in same if _number_key(p.plan.number) == full]
            return exact or same
        return same


def short_title(plan: Plan) -> str:
    """What a plan is about, in a few words of its title: "Kế hoạch thực hiện Chương trình trọng
    tâm công tác cải cách tư pháp năm 2024" → "cải cách tư pháp"."""
    title = " ".join(plan.plan.title.split())
    title = re.sub(r"^(?:kế hoạch|chương trình)\s+", "", title, flags=re.IGNORECASE)
    for lead in _TITLE_LEADS:
        title = re.sub(rf"^{lead}\s+", "", title, flags=re.IGNORECASE)
    title = re.sub(r"\s+(?:năm|giai đoạn)\s+\d{4}(?:\s*[-–]\s*\d{4})?.*$", "", title, flags=re.IGNORECASE)
    title = re.sub(r"\s+trên địa bàn\b.*$", "", title, flags=re.IGNORECASE)
    title = title.strip(" ,.;")
    if not title:
        return plan.plan.title
    return title[0].lower() + title[1:] if not title[:2].isupper() else title


_TITLE_LEADS = (
    r"(?:thực hiện|triển khai(?: thực hiện)?|tổ chức thực hiện)",
    r"chương trình\s+(?:trọng tâm|công tác)",
    r"(?:công tác)",
)
# "kế hoạch 124", "KH số 45/KH-UBND", "kh124"; fold() has made it lower-case and bare.
_NAMED = re.compile(r"(?<![a-z0-9])(?:ke\s*hoach|kh)\s*(?:so\s*)?(?P<digits>\d{1,5})(?P<suffix>(?:\s*[-/]\s*[a-z]+)*)(?![a-z0-9])")
_AT_START = re.compile(
    r"^\s*(?:(?:k[eế]\s*ho[aạ]ch|kh)\s*(?:s[oố]\s*)?)?(?P<digits>\d{1,5})(?P<suffix>(?:\s*[-/]\s*[a-zA-ZÀ-ỹĐđ]+)*)(?![\w])",
    re.IGNORECASE,
)


def _number_key(number: str) -> str:
    return re.sub(r"\s+", "", fold(number))


def _leading_digits(number: str) -> str:
    match = re.match(r"\s*0*(\d+)", number)
    return (match.group(1) or "0") if match else ""
