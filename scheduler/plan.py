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

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from common.periods import PERIOD_NAMES, period_label  # noqa: F401 - re-exported for the plan's users
from common.text import fold

TASK_NO = re.compile(r"^[1-9][0-9]*$")
ITEM_NO = re.compile(r"^[1-9][0-9]*[a-zđ]$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


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


class Agency(_Strict):
    id: NonEmpty
    name: NonEmpty
    aliases: list[NonEmpty] = []
    kind: str | None = None
    parent: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    note: str | None = None

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("mã cơ quan phải là chữ thường không dấu, số và dấu gạch ngang (ví dụ cong-an-tinh)")
        return value

    @model_validator(mode="after")
    def _validity(self) -> Agency:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to trước valid_from")
        return self

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class Group(_Strict):
    """A name in the plan that stands for several agencies ("UBND các huyện, thành phố")."""

    id: NonEmpty
    name: NonEmpty
    aliases: list[NonEmpty] = []
    members: list[NonEmpty] = Field(min_length=1)
    note: str | None = None

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("mã nhóm phải là chữ thường không dấu, số và dấu gạch ngang")
        return value


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
    agencies: list[Agency] = Field(min_length=1)
    groups: list[Group] = []
    tasks: list[Task] = Field(min_length=1)
    organization: list[Section] = []
    reporting: Reporting

    # -- lookups ---------------------------------------------------------------------------

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
            if agency.id not in involved and agency.id != self.reporting.recipient:
                out.append(
                    f"agencies[{index}] ({agency.name}): không chủ trì hay phối hợp nhiệm vụ nào, "
                    "sẽ không phải báo cáo."
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

# pydantic's English messages, in the words an admin editing the file would use.
_MESSAGES = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được hỗ trợ (gõ nhầm tên?)",
    "too_short": "danh sách không được để trống",
    "string_too_short": "không được để trống",
    "string_type": "phải là chuỗi ký tự",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "bool_type": "phải là true hoặc false",
    "bool_parsing": "phải là true hoặc false",
    "list_type": "phải là một danh sách [...]",
    "model_type": "phải là một đối tượng {...}",
    "dict_type": "phải là một đối tượng {...}",
    "date_from_datetime_parsing": "ngày không hợp lệ hoặc không tồn tại (dạng YYYY-MM-DD)",
    "date_parsing": "ngày không hợp lệ hoặc không tồn tại (dạng YYYY-MM-DD)",
    "date_type": "phải là ngày dạng YYYY-MM-DD",
    "date_from_datetime_inexact": "phải là ngày, không kèm giờ",
    "time_parsing": "giờ không hợp lệ (dạng HH:MM)",
    "time_type": "giờ không hợp lệ (dạng HH:MM)",
    "greater_than_equal": "giá trị quá nhỏ",
    "less_than_equal": "giá trị quá lớn",
    "string_pattern_mismatch": "giá trị không hợp lệ",
    "enum": "giá trị không hợp lệ",
}


def json_path(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _from_validation_error(exc: ValidationError) -> PlanError:
    errors = exc.errors()
    first = errors[0]
    kind = first["type"]
    if kind == "value_error":
        message = str(first["msg"]).removeprefix("Value error, ")
    elif kind == "enum":
        expected = first.get("ctx", {}).get("expected", "")
        message = f"giá trị không hợp lệ; chấp nhận: {expected}"
    else:
        message = _MESSAGES.get(kind, str(first["msg"]))
    if kind not in ("missing", "extra_forbidden") and "input" in first:
        shown = json.dumps(first["input"], ensure_ascii=False)
        if len(shown) <= 60:
            message += f" (giá trị: {shown})"
    return PlanError(json_path(first["loc"]), message, more=len(errors) - 1)


def _unknown(plan: Plan, path: str, ref: str, what: str = "cơ quan hoặc nhóm") -> PlanError:
    near = closest_names(plan, ref)
    hint = f"; gần giống: {describe_matches(near)}" if near else ""
    return PlanError(path, f"không có {what} mã '{ref}' trong danh mục{hint}")


def _check_references(plan: Plan) -> None:
    """Cross-references pydantic cannot see: duplicates, unknown ids, cyclic groups."""
    seen: dict[str, str] = {}
    for key, items in (("agencies", plan.agencies), ("groups", plan.groups)):
        for index, item in enumerate(items):
            path = f"{key}[{index}].id"
            if item.id in seen:
                raise PlanError(path, f"mã '{item.id}' bị trùng (đã dùng ở {seen[item.id]})")
            seen[item.id] = f"{key}[{index}]"

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
            raise _unknown(plan, f"agencies[{index}].parent", agency.parent, "cơ quan")

    for index, group in enumerate(plan.groups):
        for m, member in enumerate(group.members):
            if member not in plan.agency_by_id and member not in plan.group_by_id:
                raise _unknown(plan, f"groups[{index}].members[{m}]", member)
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
    index_of = {g.id: i for i, g in enumerate(plan.groups)}

    def visit(group_id: str, trail: list[str]) -> None:
        for m, member in enumerate(plan.group_by_id[group_id].members):
            if member not in plan.group_by_id:
                continue
            if member in trail or member == group_id:
                chain = " → ".join([*trail, group_id, member])
                raise PlanError(
                    f"groups[{index_of[group_id]}].members[{m}]",
                    f"nhóm '{member}' chứa chính nó ({chain})",
                )
            visit(member, [*trail, group_id])

    for group in plan.groups:
        visit(group.id, [])


def parse_plan(raw: str) -> Plan:
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
    return parse_plan(raw)
