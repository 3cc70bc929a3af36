"""The plan as data: schema, loading and validation of ``data/plan.json``.

Structure is checked by pydantic; references between parts (agency ids, groups, the
recipient) are checked afterwards by :func:`_check_references`, so that every problem is
reported with the JSON path a person can find in the file, in Vietnamese, without a traceback.
"""

from __future__ import annotations

import calendar as _cal
import difflib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
import datetime as dt
from datetime import date
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from common.periods import PERIOD_NAMES, period_label  # noqa: F401 - re-exported for the plan's users
from common.text import fold
from scheduler.directory import (  # noqa: F401 - Agency, Group, SLUG and json_path re-exported for the plan's users
    SLUG,
    Agency,
    DirectoryError,
    check_agencies,
    directory_files,
    Group,
    json_path,
    load_directory,
    materialize_groups,
    validation_problem,
)

TASK_NO = re.compile(r"^[1-9][0-9]*$")
ITEM_NO = re.compile(r"^[1-9][0-9]*[a-zđ]$")


class PlanError(Exception):
    """A plan file that cannot be used. ``path`` is a JSON path such as ``tasks[3].lead[0]``."""

    def __init__(self, path: str, message: str, *, more: int = 0) -> None:
        self.path = path
        self.message = message
        self.more = more
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        tail = f" (và {self.more} lỗi khác)" if self.more else ""
        return f"{where}{self.message}{tail}"


class _Strict(BaseModel):
    # A misspelt key is a mistake an admin makes; refusing it beats silently ignoring it.
    model_config = ConfigDict(extra="forbid", frozen=True)


NonEmpty = Annotated[str, Field(min_length=1)]


class Role(StrEnum):
    LEAD = "lead"
    COORDINATOR = "coordinator"


class TimeFrameKind(StrEnum):
    ONGOING = "ongoing"  # "Thường xuyên"
    YEAR_ONLY = "year_only"  # "Năm 2024"
    FROM_YEAR = "from_year"  # "Năm 2024 và các năm tiếp theo"
    UNSTATED = "unstated"  # the plan says nothing (task 6)


class TimeFrame(_Strict):
    kind: TimeFrameKind
    year: int | None = Field(default=None, ge=1990, le=2200)
    text: str | None = None

    @model_validator(mode="after")
    def _year_when_needed(self) -> TimeFrame:
        if self.kind in (TimeFrameKind.YEAR_ONLY, TimeFrameKind.FROM_YEAR) and self.year is None:
            raise ValueError(f"thời gian thực hiện loại '{self.kind}' cần trường 'year'")
        return self


class TaskItem(_Strict):
    no: NonEmpty
    title: NonEmpty
    text: NonEmpty

    @field_validator("no")
    @classmethod
    def _item_no(cls, value: str) -> str:
        if not ITEM_NO.match(value):
            raise ValueError("số tiểu mục phải có dạng số + chữ cái, ví dụ 1a")
        return value


class Task(_Strict):
    no: NonEmpty
    title: NonEmpty
    text: NonEmpty
    items: list[TaskItem] = []
    lead: list[NonEmpty] = Field(min_length=1)
    lead_text: str | None = None
    # "Đề nghị Hội Luật gia tỉnh": the plan can only *ask* a body outside UBND's authority.
    lead_is_request: bool = False
    coordinators: list[NonEmpty] = []
    coordinators_text: str | None = None
    time_frame: TimeFrame
    note: str | None = None

    @field_validator("no")
    @classmethod
    def _task_no(cls, value: str) -> str:
        if not TASK_NO.match(value):
            raise ValueError("số nhiệm vụ phải là số nguyên dương, ví dụ \"4\"")
        return value

    @model_validator(mode="after")
    def _items_belong(self) -> Task:
        for index, item in enumerate(self.items):
            if not item.no.startswith(self.no) or not item.no[len(self.no) :].isalpha():
                raise ValueError(f"tiểu mục items[{index}] '{item.no}' không thuộc nhiệm vụ {self.no}")
        return self


class DayOfYear(_Strict):
    """A day in the period's year, in the year before (``previous_year``: the Q1 cut-off starts
    15/12) or in the year after (``next_year``: the annual report due "trước ngày 10/01 năm
    sau"). The period's year is the year its data cover, whichever year its due date falls in."""

    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
    previous_year: bool = False
    next_year: bool = False

    @model_validator(mode="after")
    def _exists_every_year(self) -> DayOfYear:
        # 29/2 exists only in leap years; a deadline rule must hold in every year.
        if self.day > _cal.monthrange(2023, self.month)[1]:
            raise ValueError(f"ngày {self.day}/{self.month} không tồn tại (hoặc không có ở mọi năm)")
        if self.previous_year and self.next_year:
            raise ValueError("một ngày không thể vừa thuộc năm trước (previous_year) vừa thuộc năm sau (next_year)")
        return self

    def in_year(self, year: int) -> date:
        return date(year - 1 if self.previous_year else year + 1 if self.next_year else year, self.month, self.day)


class Period(_Strict):
    code: NonEmpty
    name: NonEmpty
    cutoff_from: DayOfYear
    cutoff_to: DayOfYear
    due: DayOfYear

    @field_validator("code")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in PERIOD_NAMES:
            known = ", ".join(PERIOD_NAMES)
            raise ValueError(f"kỳ báo cáo '{value}' không được hỗ trợ; các kỳ hợp lệ: {known}")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        # Checked on real dates, so that a rule across years (cut-off 31/12, due 10/01 of the
        # year after) is ordered as it is meant.
        start, end, due = (self.cutoff_from.in_year(2023), self.cutoff_to.in_year(2023), self.due.in_year(2023))
        if not start <= end:
            raise ValueError("ngày bắt đầu chốt số liệu sau ngày kết thúc")
        if not end < due:
            raise ValueError("hạn gửi báo cáo phải sau ngày chốt số liệu (Nghị định 09/2019/NĐ-CP, Điều 8)")
        return self

    def window(self, year: int) -> tuple[date, date]:
        """The data window (cut-off from, cut-off to) of the period of ``year``."""
        return self.cutoff_from.in_year(year), self.cutoff_to.in_year(year)


class ReminderStep(_Strict):
    step: NonEmpty
    working_days: int = Field(ge=-60, le=60, description="relative to the due date; negative = before")
    escalate: bool = False


class Reminders(_Strict):
    time: dt.time = dt.time(8, 30)
    timezone: str = "Asia/Ho_Chi_Minh"
    steps: list[ReminderStep] = Field(min_length=1)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(value)
        except (KeyError, ValueError) as exc:
            raise ValueError(f"múi giờ không tồn tại: {value}") from exc
        return value

    @model_validator(mode="after")
    def _unique_steps(self) -> Reminders:
        names = [s.step for s in self.steps]
        if len(set(names)) != len(names):
            raise ValueError("tên bước nhắc bị trùng")
        return self


class Reporting(_Strict):
    recipient: NonEmpty
    recipient_text: str | None = None
    onward: list[NonEmpty] = []
    text: str | None = None
    periods: list[Period] = Field(min_length=1)
    # BLDS 2015 Art. 148(5): a deadline on a non-working day moves to the next working day.
    due_on_non_working_day: str = Field(default="next_working_day", pattern="^next_working_day$")
    consolidation_working_days: int = Field(default=5, ge=0, le=60)
    reminders: Reminders

    @model_validator(mode="after")
    def _unique_periods(self) -> Reporting:
        codes = [p.code for p in self.periods]
        if len(set(codes)) != len(codes):
            raise ValueError("kỳ báo cáo bị trùng")
        return self


class InForce(_Strict):
    start: date = Field(alias="from")
    end: date = Field(alias="to")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _ordered(self) -> InForce:
        if self.end < self.start:
            raise ValueError("ngày hết hiệu lực trước ngày bắt đầu")
        return self


class Note(_Strict):
    about: NonEmpty
    choice: NonEmpty
    reason: NonEmpty


class ReportForm(StrEnum):
    """The form of the consolidated report, by the kind of body that issued the plan."""

    PARTY = "party"  # Hướng dẫn 36-HD/VPTW: a ban cán sự đảng, a đảng ủy
    ADMINISTRATIVE = "administrative"  # Nghị định 30/2020/NĐ-CP, Phụ lục I: a UBND, a Sở


# An issuer whose name starts so is a Party body (its reports take the Party form).
_PARTY_ISSUERS = ("ban can su dang", "dang uy", "dang doan", "tinh uy", "thanh uy", "huyen uy", "ban thuong vu")


class PlanInfo(_Strict):
    id: NonEmpty
    number: NonEmpty
    date: dt.date
    issuer: NonEmpty
    # The consolidated report's form; omitted, it follows the issuer's name (a "Ban Cán sự
    # Đảng …" plan gets the Party form, a UBND or a Sở the administrative one).
    report_form: ReportForm | None = None
    # The header's first line above the issuer ("ĐẢNG BỘ TỈNH NINH THUẬN", "UBND TỈNH NINH
    # THUẬN"); omitted, derived from the form and the province.
    issuer_parent: str | None = None
    signer: str | None = None
    title: NonEmpty
    year: int = Field(ge=1990, le=2200)

    @field_validator("report_form", mode="before")
    @classmethod
    def _form(cls, value: Any) -> Any:
        if value is not None and value not in tuple(ReportForm):
            raise ValueError(
                "thể thức báo cáo phải là \"party\" (văn bản của Đảng, Hướng dẫn 36-HD/VPTW) hoặc "
                "\"administrative\" (văn bản hành chính, Nghị định 30/2020/NĐ-CP)"
            )
        return value
    province: str | None = None
    in_force: InForce
    source: str | None = None
    basis: str | None = None

    @property
    def form(self) -> ReportForm:
        """:attr:`report_form`, or the one the issuer's name implies."""
        if self.report_form is not None:
            return self.report_form
        return ReportForm.PARTY if fold(self.issuer).startswith(_PARTY_ISSUERS) else ReportForm.ADMINISTRATIVE


class Section(_Strict):
    no: NonEmpty
    text: NonEmpty


class Plan(_Strict):
    schema_version: int = Field(alias="schema_version", ge=1, le=1)
    plan: PlanInfo
    notes: list[Note] = []
    purposes: list[Section] = []
    # The province's agency directory the plan refers to (an id in data/directories/, or a
    # path); its agencies and groups come before the plan's own, which add to or override them.
    directory: str | None = None
    agencies: list[Agency] = []
    groups: list[Group] = []
    tasks: list[Task] = Field(min_length=1)
    organization: list[Section] = []
    reporting: Reporting

    # With a directory: id → where each agency or group is defined ("agencies[3]" in the plan,
    # "khanh-hoa-2025.json, agencies[5]"), and which of them come from the directory.
    _paths: dict[str, str] = PrivateAttr(default_factory=dict)
    _from_directory: frozenset[str] = PrivateAttr(default=frozenset())

    @model_validator(mode="after")
    def _some_agencies(self) -> Plan:
        if not self.agencies and self.directory is None:
            raise ValueError("kế hoạch cần danh sách 'agencies' hoặc một danh mục cơ quan 'directory'")
        return self

    # -- lookups ---------------------------------------------------------------------------

    def origin(self, entry_id: str) -> str | None:
        """Where a directory's agency or group is defined (None: in the plan's own lists)."""
        return self._paths.get(entry_id) if entry_id in self._from_directory else None

    def _path(self, key: str, index: int, entry_id: str) -> str:
        return self._paths.get(entry_id, f"{key}[{index}]")

    @cached_property
    def successors(self) -> dict[str, tuple[str, ...]]:
        """Predecessor id → the agencies that name it in ``successor_of``, in directory order."""
        out: dict[str, list[str]] = {}
        for agency in self.agencies:
            for predecessor in agency.successor_of:
                out.setdefault(predecessor, []).append(agency.id)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def predecessors(self) -> dict[str, tuple[str, ...]]:
        """Agency id → every agency it succeeds, directly or through a chain (nearest first)."""
        out: dict[str, tuple[str, ...]] = {}
        for agency in self.agencies:
            seen: dict[str, None] = {}
            pending = list(agency.successor_of)
            while pending:
                ref = pending.pop(0)
                if ref in seen or ref == agency.id or ref not in self.agency_by_id:
                    continue
                seen[ref] = None
                pending.extend(self.agency_by_id[ref].successor_of)
            if seen:
                out[agency.id] = tuple(seen)
        return out

    def heirs_on(self, agency_id: str, day: date) -> list[str]:
        """Who carries ``agency_id``'s duties on ``day``: itself while valid, else its
        successors valid then (following a chain of mergers), else nobody."""
        agency = self.agency_by_id[agency_id]
        if agency.valid_on(day):
            return [agency_id]
        out: dict[str, None] = {}
        seen = {agency_id}
        pending = list(self.successors.get(agency_id, ()))
        while pending:
            ref = pending.pop(0)
            if ref in seen:
                continue
            seen.add(ref)
            successor = self.agency_by_id[ref]
            if successor.valid_on(day):
                out.setdefault(ref)
            elif successor.valid_from is None or successor.valid_from <= day:
                # ended too: its own successors take over
                pending.extend(self.successors.get(ref, ()))
        return list(out)

    @cached_property
    def agency_by_id(self) -> dict[str, Agency]:
        return {a.id: a for a in self.agencies}

    @cached_property
    def group_by_id(self) -> dict[str, Group]:
        return {g.id: g for g in self.groups}

    @cached_property
    def task_by_no(self) -> dict[str, Task]:
        return {t.no: t for t in self.tasks}

    @cached_property
    def period_by_code(self) -> dict[str, Period]:
        return {p.code: p for p in self.reporting.periods}

    def zone(self, tz: ZoneInfo | str | None = None) -> ZoneInfo:
        """``tz`` as a zone, defaulting to the plan's reminder time zone."""
        if tz is None:
            return ZoneInfo(self.reporting.reminders.timezone)
        return ZoneInfo(tz) if isinstance(tz, str) else tz

    def period_name(self, period: str) -> str:
        """``2024-Q1`` → ``quý I năm 2024``, with the plan's own name for the period."""
        year, _, code = period.partition("-")
        known = self.period_by_code.get(code)
        return period_label(known.name if known is not None else PERIOD_NAMES.get(code, code), int(year))

    def agency(self, agency_id: str) -> Agency:
        return self.agency_by_id[agency_id]

    @cached_property
    def _expanded(self) -> dict[str, tuple[str, ...]]:
        return {}

    def expand(self, ref: str) -> list[str]:
        """Agency ids a reference stands for (a group expands recursively, in order).

        Each group is expanded once and kept: a large plan names its groups in hundreds of
        tasks, and a list search for duplicates made this quadratic (benchmarks/obligations.py)."""
        if ref in self.agency_by_id:
            return [ref]
        expanded = self._expanded.get(ref)
        if expanded is None:
            seen: dict[str, None] = {}
            for member in self.group_by_id[ref].members:
                for agency_id in self.expand(member):
                    seen.setdefault(agency_id)
            expanded = self._expanded[ref] = tuple(seen)
        return list(expanded)

    def task_refs(self) -> Iterator[str]:
        """Every reference that can be reported on: task numbers and sub-item numbers."""
        for task in self.tasks:
            yield task.no
            for item in task.items:
                yield item.no

    def task_years(self, task: Task) -> range:
        """Years in which a task is active, within the plan's years in force."""
        first, last = self.plan.in_force.start.year, self.plan.in_force.end.year
        frame = task.time_frame
        if frame.kind is TimeFrameKind.ONGOING:
            return range(first, last + 1)
        if frame.kind is TimeFrameKind.YEAR_ONLY:
            assert frame.year is not None
            return range(frame.year, frame.year + 1) if first <= frame.year <= last else range(0)
        if frame.kind is TimeFrameKind.FROM_YEAR:
            assert frame.year is not None
            return range(max(frame.year, first), last + 1)
        # Unstated: the plan's own year (plan check warns about it).
        return range(self.plan.year, self.plan.year + 1)

    def covers(self, period: Period, year: int) -> bool:
        """Whether the period of ``year`` is an obligation of the plan: its data window ends
        within ``in_force`` (from ≤ cut-off to ≤ to).

        The end, not the whole window: the seed plan is in force from 30/1/2024 and its Q1
        window starts 15/12/2023 (Nghị định 09/2019/NĐ-CP, Art. 12), and its first report is
        still due. The cut-off is the rule's, not clipped to the plan's start."""
        end = period.cutoff_to.in_year(year)
        return self.plan.in_force.start <= end <= self.plan.in_force.end

    def periods_of(self, year: int) -> list[Period]:
        """The plan's periods of ``year`` that are obligations (:meth:`covers`), in the plan's order."""
        return [p for p in self.reporting.periods if self.covers(p, year)]

    @cached_property
    def _years(self) -> range:
        # A period belongs to the year its data cover: a cut-off in the year before or the
        # year after the period's year (previous_year/next_year) makes the year one off.
        first, last = self.plan.in_force.start.year - 1, self.plan.in_force.end.year + 1
        years = [y for y in range(first, last + 1) if self.periods_of(y)]
        return range(years[0], years[-1] + 1) if years else range(0)

    def years_in_force(self) -> range:
        """The years that have at least one period whose data window ends within ``in_force``
        (:meth:`covers`); a year's due dates may fall in the next year."""
        return self._years

    def warnings(self) -> list[str]:
        """Problems that do not stop the plan from being used but that an admin should see."""
        out: list[str] = []
        for index, task in enumerate(self.tasks):
            if task.time_frame.kind is TimeFrameKind.UNSTATED:
                out.append(
                    f"tasks[{index}] (NV{task.no}): kế hoạch không ghi thời gian thực hiện; "
                    f"tạm coi là chỉ năm {self.plan.year}."
                )
        involved: set[str] = set()
        for task in self.tasks:
            for ref in [*task.lead, *task.coordinators]:
                involved.update(self.expand(ref))
        for index, agency in enumerate(self.agencies):
            if agency.id in self._from_directory:
                continue  # a directory lists the whole province; most agencies are in no given plan
            if agency.id not in involved and agency.id != self.reporting.recipient:
                out.append(
                    f"agencies[{index}] ({agency.name}): không chủ trì hay phối hợp nhiệm vụ nào, "
                    "sẽ không phải báo cáo."
                )
        out.extend(self._validity_warnings())
        return out

    def _due_days(self) -> list[tuple[str, date]]:
        """(period key, the due date its rule names) of every period of every year in force."""
        return [
            (f"{year}-{period.code}", period.due.in_year(year))
            for year in self.years_in_force()
            for period in self.reporting.periods
        ]

    def _validity_warnings(self) -> list[str]:
        """Agencies' validity against the plan's periods: a task left without a lead, a period
        nobody reports in, an agency that ends without a successor while it still has duties."""
        out: list[str] = []
        due_days = self._due_days()
        reporting: dict[str, bool] = {}
        for index, task in enumerate(self.tasks):
            years = self.task_years(task)
            leads = [agency_id for ref in task.lead for agency_id in self.expand(ref)]
            others = [agency_id for ref in task.coordinators for agency_id in self.expand(ref)]
            orphaned: list[str] = []
            for period, day in due_days:
                if int(period[:4]) not in years:
                    continue
                leads_then = [h for a in leads for h in self.heirs_on(a, day)]
                if not leads_then:
                    orphaned.append(period)
                if leads_then or any(self.heirs_on(a, day) for a in others):
                    reporting[period] = True
                else:
                    reporting.setdefault(period, False)
            if orphaned:
                out.append(
                    f"tasks[{index}] (NV{task.no}): không có cơ quan chủ trì hoạt động vào hạn báo cáo "
                    f"kỳ {', '.join(orphaned)} (cơ quan chủ trì chưa thành lập, hoặc đã hết hiệu lực mà không "
                    "có cơ quan kế thừa): nhiệm vụ không có ai chủ trì báo cáo."
                )
        for period, anyone in reporting.items():
            if not anyone:
                out.append(f"reporting.periods: kỳ {period} không có cơ quan nào phải báo cáo (vào hạn báo cáo, không cơ quan nào của kế hoạch còn hoạt động).")
        end = self.plan.in_force.end
        duties: set[str] = set()
        for task in self.tasks:
            for ref in [*task.lead, *task.coordinators]:
                duties.update(self.expand(ref))
        for index, agency in enumerate(self.agencies):
            if agency.id not in duties or agency.valid_to is None or agency.valid_to >= end:
                continue
            if not self.successors.get(agency.id):
                out.append(
                    f"{self._path('agencies', index, agency.id)} ({agency.name}): hết hiệu lực từ sau ngày "
                    f"{agency.valid_to:%d/%m/%Y} nhưng còn nhiệm vụ trong kế hoạch và không có cơ quan kế thừa "
                    "(successor_of); nhiệm vụ của cơ quan này sau ngày đó không ai báo cáo."
                )
        return out


# -- finding agencies by what people type ------------------------------------------------------


@dataclass(frozen=True)
class Match:
    kind: str  # "agency" | "group"
    id: str
    name: str


def _names(plan: Plan) -> Iterator[tuple[str, Match]]:
    for agency in plan.agencies:
        match = Match("agency", agency.id, agency.name)
        for label in (agency.id, agency.name, *agency.aliases):
            yield label, match
    for group in plan.groups:
        match = Match("group", group.id, group.name)
        for label in (group.id, group.name, *group.aliases):
            yield label, match


def find(plan: Plan, query: str) -> Match | None:
    """Find an agency or group by id, name or alias, ignoring case and diacritics."""
    wanted = fold(query)
    if not wanted:
        return None
    for label, match in _names(plan):
        if fold(label) == wanted:
            return match
    return None


def closest_names(plan: Plan, query: str, limit: int = 3) -> list[Match]:
    """Known agencies/groups whose id, name or alias is closest to ``query``."""
    labels: dict[str, Match] = {}
    for label, match in _names(plan):
        labels.setdefault(fold(label), match)
    hits = difflib.get_close_matches(fold(query), list(labels), n=limit * 3, cutoff=0.4)
    out: list[Match] = []
    for hit in hits:
        if labels[hit] not in out:
            out.append(labels[hit])
    return out[:limit]


def describe_matches(matches: Iterable[Match]) -> str:
    return "; ".join(f"{m.name} ({m.id})" for m in matches)


# -- loading and validation ------------------------------------------------------------------

def _from_validation_error(exc: ValidationError) -> PlanError:
    where, message, more = validation_problem(exc)
    return PlanError(where, message, more=more)


def _unknown(plan: Plan, path: str, ref: str, what: str = "cơ quan hoặc nhóm") -> PlanError:
    near = closest_names(plan, ref)
    hint = f"; gần giống: {describe_matches(near)}" if near else ""
    return PlanError(path, f"không có {what} mã '{ref}' trong danh mục{hint}")


def _check_references(plan: Plan) -> None:
    """Cross-references pydantic cannot see: duplicates, unknown ids, cyclic groups."""
    seen: dict[str, str] = {}
    for key, items in (("agencies", plan.agencies), ("groups", plan.groups)):
        for index, item in enumerate(items):
            path = plan._path(key, index, item.id)
            if item.id in seen:
                raise PlanError(f"{path}.id", f"mã '{item.id}' bị trùng (đã dùng ở {seen[item.id]})")
            seen[item.id] = path

    known_numbers: dict[str, str] = {}
    for index, task in enumerate(plan.tasks):
        for no, path in [(task.no, f"tasks[{index}].no")] + [
            (item.no, f"tasks[{index}].items[{i}].no") for i, item in enumerate(task.items)
        ]:
            if no in known_numbers:
                raise PlanError(path, f"số nhiệm vụ '{no}' bị trùng (đã dùng ở {known_numbers[no]})")
            known_numbers[no] = path

    for index, agency in enumerate(plan.agencies):
        if agency.parent is not None and agency.parent not in plan.agency_by_id:
            raise _unknown(plan, f"{plan._path('agencies', index, agency.id)}.parent", agency.parent, "cơ quan")
        for s, ref in enumerate(agency.successor_of):
            if ref not in plan.agency_by_id:
                raise _unknown(plan, f"{plan._path('agencies', index, agency.id)}.successor_of[{s}]", ref, "cơ quan")
    index_of = {a.id: i for i, a in enumerate(plan.agencies)}
    check_agencies(
        list(plan.agencies),
        lambda a: plan._path("agencies", index_of[a.id], a.id),
        lambda path, message: PlanError(path, message),
    )

    for index, group in enumerate(plan.groups):
        for m, member in enumerate(group.members):
            if member not in plan.agency_by_id and member not in plan.group_by_id:
                raise _unknown(plan, f"{plan._path('groups', index, group.id)}.members[{m}]", member)
    _check_group_cycles(plan)

    for index, task in enumerate(plan.tasks):
        for field in ("lead", "coordinators"):
            for r, ref in enumerate(getattr(task, field)):
                if ref not in plan.agency_by_id and ref not in plan.group_by_id:
                    raise _unknown(plan, f"tasks[{index}].{field}[{r}]", ref)

    recipient = plan.reporting.recipient
    if recipient not in plan.agency_by_id:
        raise _unknown(plan, "reporting.recipient", recipient, "cơ quan")


def _check_group_cycles(plan: Plan) -> None:
    path_of = {g.id: plan._path("groups", i, g.id) for i, g in enumerate(plan.groups)}

    def visit(group_id: str, trail: list[str]) -> None:
        for m, member in enumerate(plan.group_by_id[group_id].members):
            if member not in plan.group_by_id:
                continue
            if member in trail or member == group_id:
                chain = " → ".join([*trail, group_id, member])
                raise PlanError(
                    f"{path_of[group_id]}.members[{m}]",
                    f"nhóm '{member}' chứa chính nó ({chain})",
                )
            visit(member, [*trail, group_id])

    for group in plan.groups:
        visit(group.id, [])


def _with_directory(plan: Plan, near: Path | None) -> Plan:
    """The plan with its directory's agencies and groups, its own adding to or overriding them."""
    assert plan.directory is not None
    for key, items in (("agencies", plan.agencies), ("groups", plan.groups)):
        seen: dict[str, str] = {}
        for index, item in enumerate(items):
            if item.id in seen:
                raise PlanError(f"{key}[{index}].id", f"mã '{item.id}' bị trùng (đã dùng ở {seen[item.id]})")
            seen[item.id] = f"{key}[{index}]"
    try:
        directory = load_directory(plan.directory, near)
    except DirectoryError as exc:
        where = f" ({exc.file}" + (f", {exc.path}" if exc.path else "") + ")" if exc.file else ""
        raise PlanError("directory", f"danh mục cơ quan '{plan.directory}'{where}: {exc.message}", more=exc.more) from exc
    paths = dict(directory.origin)
    agencies = {a.id: a for a in directory.agencies}
    groups = {g.id: g for g in directory.groups}
    for index, agency in enumerate(plan.agencies):
        agencies[agency.id] = agency  # an override keeps the directory's place
        paths[agency.id] = f"agencies[{index}]"
    for index, group in enumerate(plan.groups):
        groups[group.id] = group
        paths[group.id] = f"groups[{index}]"
    own = {a.id for a in plan.agencies} | {g.id for g in plan.groups}
    merged_agencies = list(agencies.values())
    merged = plan.model_copy(
        update={
            "agencies": merged_agencies,
            "groups": materialize_groups(list(groups.values()), merged_agencies, directory.inherited - own),
        }
    )
    merged._paths = paths
    merged._from_directory = frozenset(paths) - own
    return merged


def parse_plan(raw: str, near: Path | None = None) -> Plan:
    """A plan from its JSON text; ``near`` is the plan file's folder (where a directory id is
    looked up first: ``<folder>/directories/``, then beside it, then ``data/directories/``)."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise PlanError("", f"không phải JSON hợp lệ: dòng {exc.lineno}, cột {exc.colno}: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise PlanError("", "tệp kế hoạch phải là một đối tượng JSON {...}")
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        raise _from_validation_error(exc) from exc
    if plan.directory is not None:
        plan = _with_directory(plan, near)
    elif any(g.rule is not None for g in plan.groups):
        plan = plan.model_copy(update={"groups": materialize_groups(list(plan.groups), list(plan.agencies))})
    _check_references(plan)
    return plan


def load_plan(path: Path | str) -> Plan:
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PlanError("", f"không tìm thấy tệp kế hoạch {path}") from exc
    except UnicodeDecodeError as exc:
        raise PlanError("", f"tệp {path} không phải văn bản UTF-8") from exc
    except OSError as exc:
        raise PlanError("", f"không đọc được tệp {path}: {exc.strerror}") from exc
    return parse_plan(raw, path.parent)


def plan_sources(path: Path | str) -> list[Path]:
    """The plan file and the directory files it refers to (for a watcher). Never raises."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [path]
    ref = data.get("directory") if isinstance(data, dict) else None
    return [path, *directory_files(ref, path.parent)] if isinstance(ref, str) else [path]
