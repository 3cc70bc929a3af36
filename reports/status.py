"""Who has reported, who is late, and where each task stands: the coordinators' view.

Pure query functions: each takes the session explicitly, never commits, and returns plain
dataclasses (no Telegram types), so that the CLI (``baocao status``), the bot's ``/tinhhinh``
and the consolidated report share one computation.

Choices, recorded here because the plan does not make them:

- **What counts.** Only *active* obligations of the plan for the period; a withdrawn one (the
  plan no longer asks that agency) does not count, even if it has reports.
- **Latest revision wins** for the content of an answer (status, percent, text): a correction is
  a later revision of the same task.
- **Timeliness is judged by the first report, not the last correction**: a task is late only
  when *no* revision of it was submitted on time (every revision has ``late`` set). An agency
  that reported on 14/3 and corrected a figure on 18/3 reported on time.
- **Sub-items.** A task with sub-items (1 → 1a, 1b) counts as reported when "1" *or any* of
  its sub-items has an entry: focal points often answer only for the part their agency did,
  and chasing them for the other part would be noise. It is on time when any of those entries
  was first submitted on time. For the per-task summary an agency's answer on such a task is
  the entry for "1" when there is one; otherwise its sub-items combined (status: done only
  when every sub-item is reported done, not started when every reported one is, else in
  progress; percent: their mean; difficulty: any).
- **States** of an agency: ``on_time`` (every assigned task reported, all on time), ``late``
  (every task reported, at least one late), ``partial`` (some but not all), ``missing``
  (nothing). "Late" for a single revision is the ``late`` flag stored with it (set by
  :func:`storage.queries.add_report`: submitted, in local time, after the due date).
- **Extensions.** An agency whose extension (gia hạn) Sở Tư pháp approved has its own due date
  (``Obligation.extended_due``): its ``due``, ``overdue`` and the lateness of what it sends
  afterwards are judged against it (``plan_due`` keeps the plan's date). The period's own due
  date stays the plan's.
- **Review.** Sở Tư pháp's latest decision on an agency's report for the period
  (``Review``: tiếp nhận / yêu cầu bổ sung) is ``review``; ``review_state`` reads it with what
  was sent since: ``accepted``, ``returned`` (more was asked and nothing came since),
  ``supplemented`` (something came after the return: to be looked at again), or ``None``. A
  returned report is not an accepted one, whatever its reporting state.
- **Efficiency.** A period costs three queries whatever the number of agencies: obligations
  (with agency names and the latest review, joined), the latest revision per (obligation,
  task) with its first submission time and on-time flag aggregated in the same statement, and
  the active focal points. Extension requests are one more query, asked only where they are
  shown (:func:`extensions`).

Datetimes in the results are aware and in the display time zone; ``as_dict()`` renders them as
ISO 8601 with the offset, dates as ``YYYY-MM-DD``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from common import tasks as taskrefs
from scheduler.calendar import WorkingCalendar
from scheduler.deadlines import TaskDuty, period_dates
from scheduler.plan import PERIOD_NAMES, Plan, Role, find
from common.vndate import format_date_short
from storage.models import (
    Agency,
    Contact,
    ContactRole,
    EntryStatus,
    Extension,
    ExtensionStatus,
    Obligation,
    ObligationStatus,
    ReportEntry,
    Review,
    ReviewDecision,
)
from storage.queries import task_sort_key

ON_TIME = "on_time"
LATE = "late"
PARTIAL = "partial"
MISSING = "missing"
STATES: tuple[str, ...] = (ON_TIME, LATE, PARTIAL, MISSING)

# Sở Tư pháp's review of an agency's report (AgencyStatus.review_state).
ACCEPTED = ReviewDecision.ACCEPTED.value  # tiếp nhận
RETURNED = ReviewDecision.RETURNED.value  # yêu cầu bổ sung, nothing sent since
SUPPLEMENTED = "supplemented"  # yêu cầu bổ sung, and the agency has sent more since
UNREVIEWED = "unreviewed"  # reported something, no decision yet (counts only)
REVIEW_STATES: tuple[str, ...] = (ACCEPTED, RETURNED, SUPPLEMENTED, UNREVIEWED)

# Entry status counts in a task summary; "unspecified" is an answer that gave no status.
UNSPECIFIED = "unspecified"
STATUS_KEYS: tuple[str, ...] = (
    EntryStatus.DONE.value,
    EntryStatus.IN_PROGRESS.value,
    EntryStatus.NOT_STARTED.value,
    EntryStatus.NOT_ARISEN.value,
    UNSPECIFIED,
)

_PERIOD_KEY = re.compile(r"^(\d{4})-([0-9A-Za-z]+)$")
_TASK_REF = re.compile(r"^(?:nv|nhiem vu|nhiệm vụ)?\s*\.?\s*([1-9][0-9]*[a-zđ]?)\.?$", re.IGNORECASE)


# --- errors ------------------------------------------------------------------------------


class StatusError(ValueError):
    """A question that cannot be answered as asked; ``str()`` is one Vietnamese line for the user."""


class PeriodError(StatusError):
    """A period key that is malformed, not in the plan, or outside the plan's years in force."""


class NotFound(StatusError, LookupError):
    """An agency or task that is unknown, or has nothing to report in the period."""


# --- periods -----------------------------------------------------------------------------


def parse_period(plan: Plan, text: str, *, default_year: int | None = None) -> tuple[int, str]:
    """``"2024-Q1"`` → ``(2024, "Q1")``, checked against the plan.

    Case is ignored; a bare code (``"Q1"``) takes ``default_year`` when given. Raises
    :class:`PeriodError` for a malformed key, a period the plan does not have, or a year the
    plan is not in force.
    """
    raw = text.strip().upper()
    codes = ", ".join(plan.period_by_code)
    if default_year is not None and raw in PERIOD_NAMES:
        raw = f"{default_year}-{raw}"
    match = _PERIOD_KEY.match(raw)
    if match is None or match.group(2) not in PERIOD_NAMES:
        raise PeriodError(
            f"kỳ báo cáo '{text.strip()}' không hợp lệ; dùng dạng NĂM-KỲ, ví dụ 2024-Q1 (các kỳ của kế hoạch: {codes})"
        )
    year, code = int(match.group(1)), match.group(2)
    if code not in plan.period_by_code:
        raise PeriodError(f"kế hoạch không có kỳ báo cáo {code} ({PERIOD_NAMES[code]}); các kỳ: {codes}")
    if year not in plan.years_in_force():
        info = plan.plan
        raise PeriodError(
            f"Kế hoạch số {info.number} chỉ có hiệu lực từ {format_date_short(info.in_force.start)} "
            f"đến {format_date_short(info.in_force.end)}: năm {year} không có kỳ báo cáo nào"
        )
    if not plan.covers(plan.period_by_code[code], year):
        info = plan.plan
        raise PeriodError(
            f"Kế hoạch số {info.number} chỉ có hiệu lực từ {format_date_short(info.in_force.start)} "
            f"đến {format_date_short(info.in_force.end)}: kỳ {plan.period_name(period_key(year, code))} "
            "có số liệu ngoài thời gian đó, không phải báo cáo"
        )
    return year, code


def period_key(year: int, code: str) -> str:
    return f"{year}-{code}"


def period_name(plan: Plan, year: int, code: str) -> str:
    """``quý I năm 2024``, ``06 tháng năm 2024``, ``năm 2024``."""
    return plan.period_name(f"{year}-{code}")



def to_local(moment: datetime, zone: ZoneInfo) -> datetime:
    # A naive moment is read as local time (as ``--now`` does); stored ones are aware UTC.
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


def default_period(
    plan: Plan, cal: WorkingCalendar, now: datetime, *, tz: ZoneInfo | str | None = None
) -> str | None:
    """The period a coordinator most likely means by "how is reporting going?".

    1. the most recent period whose agency due date has passed but whose consolidation due
       date has not (Sở Tư pháp is chasing and consolidating it);
    2. else the next period due (today's due date included);
    3. else the latest past period.

    Only periods of the years the plan is in force (and with at least one active task) count;
    ``None`` when there are none.
    """
    today = to_local(now, plan.zone(tz)).date()
    windows: list[tuple[date, date, str]] = []
    for year in plan.years_in_force():
        if not any(year in plan.task_years(task) for task in plan.tasks):
            continue
        for period in plan.periods_of(year):
            _, _, _, due, consolidation = period_dates(period, year, cal, plan.reporting.consolidation_working_days)
            windows.append((due, consolidation, period_key(year, period.code)))
    if not windows:
        return None
    windows.sort()
    consolidating = [w for w in windows if w[0] < today <= w[1]]
    if consolidating:
        return consolidating[-1][2]
    upcoming = [w for w in windows if w[0] >= today]
    if upcoming:
        return upcoming[0][2]
    return windows[-1][2]


# --- results -----------------------------------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(frozen=True)
class TaskEntry:
    """The current answer of one agency on one task or sub-item (its latest revision)."""

    task: str
    status: str | None
    percent: int | None
    difficulty: bool
    text: str
    submitted_at: datetime  # of the latest revision, local time
    first_submitted_at: datetime  # of the first revision, local time
    revision: int
    late: bool  # no revision of this task was submitted on time
    figures: tuple[str, ...] = ()  # the counts the parser found in the text ("12/15 hội nghị")

    def as_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "status": self.status,
            "percent": self.percent,
            "difficulty": self.difficulty,
            "text": self.text,
            "submitted_at": _iso(self.submitted_at),
            "first_submitted_at": _iso(self.first_submitted_at),
            "revision": self.revision,
            "late": self.late,
        }


@dataclass(frozen=True)
class ContactInfo:
    """An active focal point (đầu mối) of an agency."""

    display_name: str | None
    chat_id: str
    channel: str

    def as_dict(self) -> dict[str, Any]:
        return {"display_name": self.display_name, "chat_id": self.chat_id, "channel": self.channel}


@dataclass(frozen=True)
class ReviewInfo:
    """Sở Tư pháp's latest decision on an agency's report for a period."""

    id: int
    decision: str  # accepted | returned
    reason: str | None
    at: datetime  # local time
    actor: str
    reviewer: str | None  # the coordinator's display name, when known

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "decision": self.decision,
            "reason": self.reason,
            "at": _iso(self.at),
            "actor": self.actor,
            "reviewer": self.reviewer,
        }


@dataclass(frozen=True)
class ExtensionInfo:
    """An agency's request for more time and Sở Tư pháp's answer."""

    id: int
    obligation_id: int
    task: str | None  # None: the whole report
    until: date
    text: str  # the message as the focal point wrote it
    status: str  # pending | approved | declined
    requested_at: datetime  # local time
    requested_by: str | None  # the focal point's display name
    decided_at: datetime | None  # local time
    decided_by: str | None  # "channel:user id" of the coordinator
    note: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "obligation_id": self.obligation_id,
            "task": self.task,
            "until": _iso(self.until),
            "text": self.text,
            "status": self.status,
            "requested_at": _iso(self.requested_at),
            "requested_by": self.requested_by,
            "decided_at": _iso(self.decided_at),
            "decided_by": self.decided_by,
            "note": self.note,
        }


@dataclass(frozen=True)
class AgencyStatus:
    """Where one agency stands in one period."""

    agency_id: str
    agency: str
    obligation_id: int
    state: str  # on_time | late | partial | missing
    due: date
    overdue: bool  # not fully reported and the due date has passed
    entries: tuple[TaskEntry, ...]  # latest per task/sub-item, in task order
    tasks: tuple[TaskDuty, ...]  # assigned, in task order
    missing_tasks: tuple[str, ...]
    late_tasks: tuple[str, ...]
    contacts: tuple[ContactInfo, ...]
    plan_due: date | None = None  # the plan's due date when an extension moved ``due``
    review: ReviewInfo | None = None  # Sở Tư pháp's latest decision

    @property
    def extended(self) -> bool:
        """An approved extension moved the agency's due date."""
        return self.plan_due is not None and self.plan_due != self.due

    @property
    def review_state(self) -> str | None:
        """``accepted``, ``returned``, ``supplemented`` or ``None`` (see the module docstring)."""
        if self.review is None:
            return None
        if self.review.decision == RETURNED:
            last = self.last_submitted_at
            return SUPPLEMENTED if last is not None and last > self.review.at else RETURNED
        return self.review.decision

    @property
    def reported_tasks(self) -> tuple[str, ...]:
        missing = set(self.missing_tasks)
        return tuple(t.no for t in self.tasks if t.no not in missing)

    @property
    def last_submitted_at(self) -> datetime | None:
        return max((e.submitted_at for e in self.entries), default=None)

    def role_of(self, task_no: str) -> TaskDuty | None:
        return next((t for t in self.tasks if t.no == task_no), None)

    def entries_for(self, refs: Iterable[str]) -> list[TaskEntry]:
        wanted = set(refs)
        return [e for e in self.entries if e.task in wanted]

    def as_dict(self) -> dict[str, Any]:
        return {
            "agency_id": self.agency_id,
            "agency": self.agency,
            "obligation_id": self.obligation_id,
            "state": self.state,
            "due": _iso(self.due),
            "overdue": self.overdue,
            "tasks": [t.as_dict() for t in self.tasks],
            "entries": [e.as_dict() for e in self.entries],
            "missing_tasks": list(self.missing_tasks),
            "late_tasks": list(self.late_tasks),
            "last_submitted_at": _iso(self.last_submitted_at),
            "contacts": [c.as_dict() for c in self.contacts],
            "plan_due": _iso(self.plan_due if self.plan_due is not None else self.due),
            "extended": self.extended,
            "review": None if self.review is None else self.review.as_dict(),
            "review_state": self.review_state,
        }


@dataclass(frozen=True)
class TaskStatus:
    """One task (or sub-item) across the agencies that must report on it."""

    no: str
    title: str
    lead: tuple[str, ...]  # lead agencies' names (groups expanded)
    lead_ids: tuple[str, ...]
    lead_is_request: bool
    reported_by: int
    assigned_to: int
    statuses: dict[str, int]  # done / in_progress / not_started / unspecified → agencies
    average_percent: float | None  # over agencies that gave a percent
    difficulties: int  # agencies reporting difficulties on it

    def as_dict(self) -> dict[str, Any]:
        return {
            "no": self.no,
            "title": self.title,
            "lead": list(self.lead),
            "lead_ids": list(self.lead_ids),
            "lead_is_request": self.lead_is_request,
            "reported_by": self.reported_by,
            "assigned_to": self.assigned_to,
            "statuses": dict(self.statuses),
            "average_percent": self.average_percent,
            "difficulties": self.difficulties,
        }


@dataclass(frozen=True)
class PeriodStatus:
    """The whole picture of one period."""

    plan_id: str
    period: str  # 2024-Q1
    year: int
    period_code: str
    period_name: str  # quý I năm 2024
    due: date
    consolidation_due: date
    now: datetime  # local time
    overdue: bool  # the due date has passed
    counts: dict[str, int]
    agencies: tuple[AgencyStatus, ...]  # in the plan's directory order
    tasks: tuple[TaskStatus, ...]

    @property
    def total(self) -> int:
        return len(self.agencies)

    @property
    def reported(self) -> int:
        """Agencies that reported every task (on time or late)."""
        return self.counts[ON_TIME] + self.counts[LATE]

    def by_state(self, state: str) -> list[AgencyStatus]:
        return [a for a in self.agencies if a.state == state]

    def by_review(self, review_state: str) -> list[AgencyStatus]:
        """Agencies whose report is ``accepted``, ``returned``, ``supplemented``, or
        ``unreviewed`` (something reported, no decision yet)."""
        if review_state == UNREVIEWED:
            return [a for a in self.agencies if a.review is None and a.state != MISSING]
        return [a for a in self.agencies if a.review_state == review_state]

    @property
    def review_counts(self) -> dict[str, int]:
        return {key: len(self.by_review(key)) for key in REVIEW_STATES}

    @property
    def extended(self) -> list[AgencyStatus]:
        """Agencies whose due date an approved extension moved."""
        return [a for a in self.agencies if a.extended]

    def agency(self, agency_id: str) -> AgencyStatus | None:
        return next((a for a in self.agencies if a.agency_id == agency_id), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "plan_id": self.plan_id,
            "period": self.period,
            "period_name": self.period_name,
            "due": _iso(self.due),
            "consolidation_due": _iso(self.consolidation_due),
            "now": _iso(self.now),
            "overdue": self.overdue,
            "reported": self.reported,
            "total": self.total,
            "counts": dict(self.counts),
            "review_counts": self.review_counts,
            "agencies": [a.as_dict() for a in self.agencies],
            "tasks": [t.as_dict() for t in self.tasks],
        }


@dataclass(frozen=True)
class TaskAgencyRow:
    """One agency's answer on one task, for ``/tinhhinh NV4``."""

    agency_id: str
    agency: str
    role: str
    request: bool
    reported: bool
    late: bool
    state: str  # the agency's overall state in the period
    entries: tuple[TaskEntry, ...]  # the task's and its sub-items' latest entries
    contacts: tuple[ContactInfo, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "agency_id": self.agency_id,
            "agency": self.agency,
            "role": self.role,
            "request": self.request,
            "reported": self.reported,
            "late": self.late,
            "state": self.state,
            "entries": [e.as_dict() for e in self.entries],
            "contacts": [c.as_dict() for c in self.contacts],
        }


@dataclass(frozen=True)
class TaskDetail:
    """Every agency's latest answer on one task (or sub-item) in one period."""

    period: str
    period_name: str
    due: date | None
    summary: TaskStatus
    agencies: tuple[TaskAgencyRow, ...]  # leads first, then the directory order

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "period_name": self.period_name,
            "due": _iso(self.due),
            "task": self.summary.as_dict(),
            "agencies": [row.as_dict() for row in self.agencies],
        }


# --- computation -------------------------------------------------------------------------


class _TaskRefs:
    """Task numbers, sub-items and titles of a plan."""

    def __init__(self, plan: Plan) -> None:
        self.parent: dict[str, str] = {}
        self.refs: dict[str, tuple[str, ...]] = {}
        self.items: dict[str, tuple[str, ...]] = {}
        self.title: dict[str, str] = {}
        for task in plan.tasks:
            items = tuple(item.no for item in task.items)
            self.parent[task.no] = task.no
            self.refs[task.no] = (task.no, *items)
            self.items[task.no] = items
            self.title[task.no] = task.title
            for item in task.items:
                self.parent[item.no] = task.no
                self.refs[item.no] = (item.no,)
                self.items[item.no] = ()
                self.title[item.no] = item.title

    def parent_of(self, ref: str) -> str:
        known = self.parent.get(ref)
        return known if known is not None else taskrefs.parent(ref) or ref

    def refs_of(self, no: str) -> tuple[str, ...]:
        return self.refs.get(no, (no,))


@dataclass
class _Loaded:
    rows: list[tuple[Obligation, str | None]]
    entries: dict[int, list[TaskEntry]] = field(default_factory=dict)
    contacts: dict[str, list[ContactInfo]] = field(default_factory=dict)
    reviews: dict[int, ReviewInfo] = field(default_factory=dict)


def _active_obligations(plan: Plan, period: str, agency_id: str | None) -> Any:
    statement = select(Obligation.id).where(
        Obligation.plan_id == plan.plan.id,
        Obligation.period == period,
        Obligation.status == ObligationStatus.ACTIVE,
    )
    if agency_id is not None:
        statement = statement.where(Obligation.agency_id == agency_id)
    return statement


def _load(
    session: Session, plan: Plan, period: str, zone: ZoneInfo, agency_id: str | None = None, until: datetime | None = None
) -> _Loaded:
    """Three queries, whatever the number of agencies. ``until``: only what was stored by then
    (the answers submitted, the reviews made), for a report that states the situation as of
    an earlier moment."""
    # 1. the active obligations of the period, with the agency's name as stored and the latest
    #    review (the highest id: reviews are only ever added) with its coordinator's name.
    reviews = select(Review.obligation_id.label("obligation_id"), func.max(Review.id).label("id")).where(  # type: ignore[union-attr]
        col(Review.obligation_id).in_(_active_obligations(plan, period, agency_id))
    )
    if until is not None:
        reviews = reviews.where(col(Review.at) <= until)
    latest_review = reviews.group_by(Review.obligation_id).subquery()
    reviewer = aliased(Contact)
    statement = (
        select(Obligation, Agency.name, Review, reviewer.display_name)
        .join(Agency, Agency.id == Obligation.agency_id, isouter=True)
        .join(latest_review, latest_review.c.obligation_id == Obligation.id, isouter=True)
        .join(Review, Review.id == latest_review.c.id, isouter=True)  # type: ignore[arg-type]
        .join(reviewer, reviewer.id == Review.contact_id, isouter=True)  # type: ignore[arg-type]
        .where(
            Obligation.plan_id == plan.plan.id,
            Obligation.period == period,
            Obligation.status == ObligationStatus.ACTIVE,
        )
    )
    if agency_id is not None:
        statement = statement.where(Obligation.agency_id == agency_id)
    found = session.exec(statement).all()
    rows = [(obligation, name) for obligation, name, _, _ in found]
    loaded = _Loaded(rows=rows)
    for obligation, _, review, reviewer_name in found:
        if review is not None and obligation.id is not None:
            loaded.reviews[obligation.id] = ReviewInfo(
                id=review.id or 0,
                decision=str(review.decision),
                reason=review.reason,
                at=to_local(review.at, zone),
                actor=review.actor,
                reviewer=reviewer_name,
            )
    if not rows:
        return loaded

    ids = _active_obligations(plan, period, agency_id)
    # 2. per (obligation, task): the newest revision, when it was first answered, and whether
    #    every revision is late (min over 0/1); then the newest revision's row itself.
    newest = select(
        ReportEntry.obligation_id.label("obligation_id"),  # type: ignore[attr-defined]
        ReportEntry.task_no.label("task_no"),  # type: ignore[attr-defined]
        func.max(ReportEntry.revision).label("revision"),
        func.min(ReportEntry.submitted_at).label("first_at"),
        func.min(case((ReportEntry.late, 1), else_=0)).label("all_late"),  # type: ignore[arg-type]
    ).where(ReportEntry.obligation_id.in_(ids))  # type: ignore[attr-defined]
    if until is not None:
        newest = newest.where(col(ReportEntry.submitted_at) <= until)
    newest = newest.group_by(ReportEntry.obligation_id, ReportEntry.task_no).subquery()
    latest = select(ReportEntry, newest.c.first_at, newest.c.all_late).join(
        newest,
        and_(
            ReportEntry.obligation_id == newest.c.obligation_id,
            ReportEntry.task_no == newest.c.task_no,
            ReportEntry.revision == newest.c.revision,
        ),
    )
    for entry, first_at, all_late in session.exec(latest).all():
        first = first_at if isinstance(first_at, datetime) else entry.submitted_at
        loaded.entries.setdefault(entry.obligation_id, []).append(
            TaskEntry(
                task=entry.task_no,
                status=None if entry.status is None else str(entry.status),
                percent=entry.percent,
                difficulty=bool(entry.difficulty),
                text=entry.text,
                submitted_at=to_local(entry.submitted_at, zone),
                first_submitted_at=to_local(first, zone),
                revision=entry.revision,
                late=bool(all_late),
                figures=tuple(str(f.get("text")) for f in (entry.figures or ()) if isinstance(f, dict) and f.get("text")),
            )
        )
    for entries in loaded.entries.values():
        entries.sort(key=lambda e: task_sort_key(e.task))

    # 3. active focal points of those agencies.
    agencies = select(Obligation.agency_id).where(Obligation.id.in_(ids))  # type: ignore[union-attr]
    contacts = (
        select(Contact)
        .where(
            Contact.agency_id.in_(agencies),  # type: ignore[attr-defined]
            Contact.active == True,  # noqa: E712 - SQL expression
            Contact.role == ContactRole.FOCAL,
        )
        .order_by(Contact.id)  # type: ignore[arg-type]
    )
    for contact in session.exec(contacts).all():
        loaded.contacts.setdefault(contact.agency_id, []).append(
            ContactInfo(display_name=contact.display_name, chat_id=contact.chat_id, channel=str(contact.channel))
        )
    return loaded


def _agency_status(
    plan: Plan,
    refs: _TaskRefs,
    obligation: Obligation,
    stored_name: str | None,
    entries: Sequence[TaskEntry],
    contacts: Sequence[ContactInfo],
    today: date,
    review: ReviewInfo | None = None,
) -> AgencyStatus:
    tasks = tuple(
        sorted(
            (
                TaskDuty(no=str(t["no"]), role=Role(t["role"]), request=bool(t.get("request", False)))
                for t in obligation.tasks
            ),
            key=lambda t: task_sort_key(t.no),
        )
    )
    # Task reported when it or any of its sub-items has an entry; on time when any of those
    # entries has an on-time revision.
    answered: dict[str, bool] = {}  # parent task → on time?
    for entry in entries:
        parent = refs.parent_of(entry.task)
        answered[parent] = answered.get(parent, False) or not entry.late
    missing = tuple(t.no for t in tasks if t.no not in answered)
    late = tuple(t.no for t in tasks if t.no in answered and not answered[t.no])
    if len(missing) == len(tasks) and tasks:
        state = MISSING
    elif missing:
        state = PARTIAL
    elif late:
        state = LATE
    else:
        state = ON_TIME
    known = plan.agency_by_id.get(obligation.agency_id)
    name = known.name if known is not None else (stored_name or obligation.agency_id)
    due = obligation.extended_due or obligation.due
    return AgencyStatus(
        agency_id=obligation.agency_id,
        agency=name,
        obligation_id=obligation.id or 0,
        state=state,
        due=due,
        overdue=state in (PARTIAL, MISSING) and today > due,
        entries=tuple(entries),
        tasks=tasks,
        missing_tasks=missing,
        late_tasks=late,
        contacts=tuple(contacts),
        plan_due=obligation.due if obligation.extended_due else None,
        review=review,
    )


def _directory_order(plan: Plan) -> dict[str, int]:
    return {agency.id: index for index, agency in enumerate(plan.agencies)}


def _agencies(
    session: Session, plan: Plan, period: str, zone: ZoneInfo, today: date, agency_id: str | None = None,
    until: datetime | None = None,
) -> tuple[list[AgencyStatus], list[tuple[date, date]]]:
    """The agencies' states, in directory order, and the (due, consolidation due) pairs synced."""
    refs = _TaskRefs(plan)
    loaded = _load(session, plan, period, zone, agency_id, until)
    order = _directory_order(plan)
    out = [
        _agency_status(
            plan,
            refs,
            obligation,
            name,
            loaded.entries.get(obligation.id or 0, []),
            loaded.contacts.get(obligation.agency_id, []),
            today,
            loaded.reviews.get(obligation.id or 0),
        )
        for obligation, name in loaded.rows
    ]
    out.sort(key=lambda a: (order.get(a.agency_id, len(order)), a.agency))
    return out, [(obligation.due, obligation.consolidation_due) for obligation, _ in loaded.rows]


def _combined(no: str, refs: _TaskRefs, entries: Sequence[TaskEntry]) -> tuple[str, int | None, bool] | None:
    """One agency's answer on task ``no`` as (status, percent, difficulty); ``None`` if unanswered."""
    if not entries:
        return None
    difficulty = any(e.difficulty for e in entries)
    own = next((e for e in entries if e.task == no), None)
    if own is not None and own.status is not None:
        status: str = own.status
    else:
        parts = [e for e in entries if e.task != no and e.status is not None]
        items = refs.items.get(no, ())
        if not parts:
            status = UNSPECIFIED
        elif all(e.status == EntryStatus.NOT_STARTED for e in parts):
            status = EntryStatus.NOT_STARTED.value
        elif len(parts) == len(items) and all(e.status == EntryStatus.DONE for e in parts):
            status = EntryStatus.DONE.value
        else:
            status = EntryStatus.IN_PROGRESS.value
    if own is not None and own.percent is not None:
        percent: int | None = own.percent
    else:
        given = [e.percent for e in entries if e.task != no and e.percent is not None]
        percent = round(sum(given) / len(given)) if given else None
    return status, percent, difficulty


def _task_summary(plan: Plan, refs: _TaskRefs, no: str, agencies: Sequence[AgencyStatus]) -> TaskStatus:
    parent = refs.parent_of(no)
    task = plan.task_by_no.get(parent)
    lead_ids: list[str] = []
    if task is not None:
        for ref in task.lead:
            for agency_id in plan.expand(ref):
                if agency_id not in lead_ids:
                    lead_ids.append(agency_id)
    statuses = dict.fromkeys(STATUS_KEYS, 0)
    percents: list[int] = []
    reported = assigned = difficulties = 0
    wanted = refs.refs_of(no)
    for agency in agencies:
        if agency.role_of(parent) is None:
            continue
        assigned += 1
        answer = _combined(no, refs, agency.entries_for(wanted))
        if answer is None:
            continue
        status, percent, difficulty = answer
        reported += 1
        statuses[status] = statuses.get(status, 0) + 1
        if percent is not None:
            percents.append(percent)
        difficulties += difficulty
    return TaskStatus(
        no=no,
        title=refs.title.get(no, ""),
        lead=tuple(plan.agency_by_id[a].name for a in lead_ids if a in plan.agency_by_id),
        lead_ids=tuple(lead_ids),
        lead_is_request=bool(task and task.lead_is_request),
        reported_by=reported,
        assigned_to=assigned,
        statuses=statuses,
        average_percent=round(sum(percents) / len(percents), 1) if percents else None,
        difficulties=difficulties,
    )


def _period_dates(
    plan: Plan, year: int, code: str, synced: Sequence[tuple[date, date]], cal: WorkingCalendar | None
) -> tuple[date, date]:
    if synced and cal is None:
        # The dates the obligations were synced with (all of a period's share them).
        return Counter(synced).most_common(1)[0][0]
    cal = cal if cal is not None else WorkingCalendar.load()
    _, _, _, due, consolidation = period_dates(
        plan.period_by_code[code], year, cal, plan.reporting.consolidation_working_days
    )
    return due, consolidation


def period_status(
    session: Session,
    plan: Plan,
    period: str,
    now: datetime,
    tz: ZoneInfo | str | None = None,
    *,
    cal: WorkingCalendar | None = None,
    as_of: bool = False,
) -> PeriodStatus:
    """Every active obligation of ``period`` with its state, and the period's aggregates.

    ``as_of``: count only what had been stored by ``now`` (the consolidated report of an
    earlier moment, ``baocao report --now …``); the chat's ``/tinhhinh`` asks at the present.

    The period's due and consolidation dates are those the obligations were synced with; with
    ``cal`` (or when the period has no obligation yet) they are computed from the plan. Raises
    :class:`PeriodError` for a period the plan does not have.
    """
    year, code = parse_period(plan, period)
    key = period_key(year, code)
    zone = plan.zone(tz)
    local_now = to_local(now, zone)
    agencies, synced = _agencies(session, plan, key, zone, local_now.date(), until=local_now if as_of else None)
    due, consolidation = _period_dates(plan, year, code, synced, cal)
    counts = dict.fromkeys(STATES, 0)
    for agency in agencies:
        counts[agency.state] += 1
    refs = _TaskRefs(plan)
    numbers = sorted({t.no for a in agencies for t in a.tasks}, key=task_sort_key)
    tasks = tuple(_task_summary(plan, refs, no, agencies) for no in numbers)
    return PeriodStatus(
        plan_id=plan.plan.id,
        period=key,
        year=year,
        period_code=code,
        period_name=period_name(plan, year, code),
        due=due,
        consolidation_due=consolidation,
        now=local_now,
        overdue=local_now.date() > due,
        counts=counts,
        agencies=tuple(agencies),
        tasks=tasks,
    )


def agency_detail(
    session: Session,
    plan: Plan,
    agency_id: str,
    period: str,
    now: datetime,
    tz: ZoneInfo | str | None = None,
) -> AgencyStatus:
    """One agency's state in ``period`` with every task it owes (three small queries).

    Raises :class:`NotFound` when the agency is not in the plan or owes nothing that period.
    An agency that owes nothing in a period before it existed gets its predecessor's state
    (the nearest one that owed the period; ``agency_id`` of the result says whose it is).
    """
    year, code = parse_period(plan, period)
    key = period_key(year, code)
    if agency_id not in plan.agency_by_id:
        raise NotFound(f"không có cơ quan mã '{agency_id}' trong danh mục của kế hoạch")
    zone = plan.zone(tz)
    found, _ = _agencies(session, plan, key, zone, to_local(now, zone).date(), agency_id)
    # A successor's earlier periods are its predecessors' (successor_of): what they stored
    # shows under it (docs/directory.md).
    for predecessor in plan.predecessors.get(agency_id, ()) if not found else ():
        found, _ = _agencies(session, plan, key, zone, to_local(now, zone).date(), predecessor)
        if found:
            break
    if not found:
        name = plan.agency_by_id[agency_id].name
        raise NotFound(f"{name} không phải báo cáo kỳ {period_name(plan, year, code)}")
    return found[0]


def task_detail(
    session: Session,
    plan: Plan,
    task_no: str,
    period: str,
    now: datetime,
    tz: ZoneInfo | str | None = None,
) -> TaskDetail:
    """Every agency that owes task ``task_no`` (a task "4" or a sub-item "1a") in ``period``,
    with its role and latest answer; leads first. Raises :class:`NotFound` for an unknown task
    or one nobody reports on that period."""
    year, code = parse_period(plan, period)
    key = period_key(year, code)
    refs = _TaskRefs(plan)
    no = task_no.strip().lower()
    if no not in refs.parent:
        known = ", ".join(plan.task_refs())
        raise NotFound(f"kế hoạch không có nhiệm vụ '{task_no}'; các nhiệm vụ: {known}")
    zone = plan.zone(tz)
    local_now = to_local(now, zone)
    agencies, _ = _agencies(session, plan, key, zone, local_now.date())
    parent = refs.parent_of(no)
    owing = [a for a in agencies if a.role_of(parent) is not None]
    if not owing:
        raise NotFound(f"không cơ quan nào phải báo cáo nhiệm vụ {no} trong kỳ {period_name(plan, year, code)}")
    wanted = refs.refs_of(no)
    rows = []
    for agency in owing:
        duty = agency.role_of(parent)
        assert duty is not None
        entries = tuple(agency.entries_for(wanted))
        rows.append(
            TaskAgencyRow(
                agency_id=agency.agency_id,
                agency=agency.agency,
                role=duty.role,
                request=duty.request,
                reported=bool(entries),
                late=bool(entries) and all(e.late for e in entries),
                state=agency.state,
                entries=entries,
                contacts=agency.contacts,
            )
        )
    rows.sort(key=lambda row: row.role != "lead")  # stable: directory order within a role
    due = Counter(a.due for a in owing).most_common(1)[0][0]
    return TaskDetail(
        period=key,
        period_name=period_name(plan, year, code),
        due=due,
        summary=_task_summary(plan, refs, no, owing),
        agencies=tuple(rows),
    )


# --- extensions ----------------------------------------------------------------------------------


def extensions(
    session: Session,
    obligation_ids: Iterable[int],
    tz: ZoneInfo | str = "Asia/Ho_Chi_Minh",
    *,
    statuses: Iterable[str] | None = None,
) -> dict[int, list[ExtensionInfo]]:
    """The extension requests of these obligations (all, or only those in ``statuses``), per
    obligation, oldest first: one query (per 500 obligations)."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    ids = list(obligation_ids)
    wanted = [str(s) for s in statuses] if statuses is not None else None
    out: dict[int, list[ExtensionInfo]] = {}
    for start in range(0, len(ids), 500):
        statement = (
            select(Extension, Contact.display_name)
            .join(Contact, Contact.id == Extension.contact_id, isouter=True)  # type: ignore[arg-type]
            .where(col(Extension.obligation_id).in_(ids[start : start + 500]))
            .order_by(col(Extension.requested_at), col(Extension.id))
        )
        if wanted is not None:
            statement = statement.where(col(Extension.status).in_(wanted))
        for row, name in session.exec(statement).all():
            out.setdefault(row.obligation_id, []).append(
                ExtensionInfo(
                    id=row.id or 0,
                    obligation_id=row.obligation_id,
                    task=row.task_no,
                    until=row.until,
                    text=row.text,
                    status=str(row.status),
                    requested_at=to_local(row.requested_at, zone),
                    requested_by=name,
                    decided_at=None if row.decided_at is None else to_local(row.decided_at, zone),
                    decided_by=row.decided_by,
                    note=row.note,
                )
            )
    return out


PENDING_EXTENSION = ExtensionStatus.PENDING.value
APPROVED_EXTENSION = ExtensionStatus.APPROVED.value
DECLINED_EXTENSION = ExtensionStatus.DECLINED.value


# --- what "/tinhhinh <…>" names ------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    kind: str  # "task" | "agency" | "group"
    id: str  # task number, agency id or group id
    name: str
    members: tuple[str, ...] = ()  # a group's agency ids


def resolve_subject(plan: Plan, text: str) -> Subject | None:
    """What a coordinator typed after ``/tinhhinh``: a task ("NV4", "nv 4", "1a", "4") or an
    agency/group by id, name or alias (diacritics optional). ``None`` when nothing matches."""
    raw = " ".join(text.split())
    match = _TASK_REF.match(raw)
    if match is not None:
        no = match.group(1).lower()
        refs = _TaskRefs(plan)
        if no in refs.parent:
            return Subject("task", no, refs.title[no])
    found = find(plan, raw)
    if found is None:
        return None
    if found.kind == "group":
        return Subject("group", found.id, found.name, tuple(plan.expand(found.id)))
    return Subject("agency", found.id, found.name)


__all__ = [
    "ACCEPTED",
    "APPROVED_EXTENSION",
    "DECLINED_EXTENSION",
    "LATE",
    "MISSING",
    "ON_TIME",
    "PARTIAL",
    "PENDING_EXTENSION",
    "RETURNED",
    "REVIEW_STATES",
    "STATES",
    "STATUS_KEYS",
    "SUPPLEMENTED",
    "UNREVIEWED",
    "UNSPECIFIED",
    "AgencyStatus",
    "ContactInfo",
    "ExtensionInfo",
    "ReviewInfo",
    "NotFound",
    "PeriodError",
    "PeriodStatus",
    "StatusError",
    "Subject",
    "TaskAgencyRow",
    "TaskDetail",
    "TaskEntry",
    "TaskStatus",
    "agency_detail",
    "default_period",
    "extensions",
    "parse_period",
    "period_name",
    "period_status",
    "resolve_subject",
    "task_detail",
]
