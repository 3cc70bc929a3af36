"""The outbox: from the plan's obligations to reminders, and from every queued message to its
channel.

Two halves, both safe to run in any number of processes on one database:

**Planning** (:func:`plan_reminders`) reconciles one plan's pending reminders with what should
be pending *now*. For every active obligation it finds the latest reminder step that is due;
for each active focal point of the agency it wants one row ``rem:<obligation_id>:<contact_id>:<step>``,
unless the agency has reported every task. Older steps that were never sent are superseded (a
bot that was down for a week sends the D+1 reminder, not six reminders at once) and a step is
stale once the next step's day has come, or after the consolidation due date for the last one.
After the escalation step each coordinator gets one digest ``digest:<plan>:<period>:<contact_id>``
listing the late agencies. An agency whose extension (gia hạn) Sở Tư pháp approved has its own
due date (``Obligation.extended_due``): its ladder, staleness and texts follow that date, and its
keys carry it (``rem:<obligation>:<contact>:<step>@<YYYY-MM-DD>``), so the new date's steps are
not taken for the old date's, already sent. A report Sở Tư pháp returned (yêu cầu bổ sung)
gets one reminder of its own, ``ret:<obligation_id>:<contact_id>:<review_id>``, on the working day
after the return, when nothing was sent since; it is dropped once the agency sends more (or
Sở Tư pháp decides again). Rows go out only on working days within office hours: ``not_before``
is moved to the next opening otherwise. Pending rows that are no longer wanted are marked
``dropped`` with the reason in ``last_error`` (and logged); nothing is deleted. Keys are unique,
so planning twice, or in two processes at once, enqueues nothing twice. Planning (and the sync
of the plan into the database before it, :func:`sync_and_plan`) runs under a lock (SQLite:
``BEGIN IMMEDIATE``; PostgreSQL: a transaction-level advisory lock), so that two planners never
interleave, and simultaneous first ticks on a fresh database never collide.

**An unchanged tick does not plan.** After a pass that changed nothing, :func:`sync_and_plan`
keeps a *planning stamp* (table ``planning_stamp``, one row per plan, written in the pass's
transaction under the lock): the fingerprint of every input planning reads
(:func:`planning_fingerprint`: the plan, the calendar and settings, the active contacts, the
obligations, reports and reviews, the plan's reminder/digest/return rows and the unsent ones
among them) and the first moment after the pass at which the clock alone can change what
planning wants (``next_change_at``: the next reminder step of any due date, the office's next
opening or closing, the next midnight, the first lease of a row being sent to run out). A later
pass with the same fingerprint at a moment in ``[planned_at, next_change_at)`` would change
nothing, so it is skipped (``EnqueueStats.planning_skipped``). A pass that queued, re-rendered
or dropped anything, or whose inputs changed while it ran, leaves an empty fingerprint: the
next tick plans again (and, finding nothing to change, stamps).

Every row carries a channel-neutral message (``payload["message"]``, see
:mod:`common.message`) in the recipient's language; the answers of the conversation core are
rows too (kind ``answer``, priority 0, enqueued by ``bot.inbox``).

**Sending** (:func:`claim`, :func:`dispatch_once`, :class:`Dispatcher`) hands each row to the
:class:`Sender` of its channel. A worker claims due rows with a conditional
``UPDATE … SET status='sending'`` that only one worker can win (plus ``FOR UPDATE SKIP LOCKED``
on PostgreSQL; on SQLite the IMMEDIATE transaction serialises claimers), answers first, at most
one row per chat and never a chat that has a row being sent, so a chat's messages keep their
order. A claim is a lease (:data:`DEFAULT_LEASE`): a crashed worker's rows are claimed again
once it has expired. Each outcome is written right after its send, with a condition on
``claimed_by``, so a worker whose lease ran out cannot overwrite the row's new owner.

**The duplicate bound.** A channel gives no idempotency key: a worker that dies between the
channel's "ok" and the database write makes that message go out again after the lease. A
worker sends one message at a time per channel, and a long message records each part as it
goes, so a crashed worker repeats **at most one message (one part) per channel**; its other
claimed rows go out, once, within a lease (30 s) of the crash. A row is never lost: rate
limits and transient errors put it back to ``pending`` with a later ``not_before`` (and the
chat's other due rows with it, so they keep their order).

The channel's :class:`Sender` renders the message and returns the channel's message id, stored
in ``Outbox.message_id`` and ``outbox_message``: the conversation core attributes a reply to a
reminder or a nudge through it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time as _time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, and_, exists, func, or_, text, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from common import tasks as taskrefs
from common.clock import Clock
from common.i18n import translator
from scheduler import reminders as content
from scheduler.calendar import WorkingCalendar
from scheduler.deadlines import Reminder, obligations, open_until, reminder_schedule
from scheduler.plan import Plan
from scheduler.plans import Plans, short_title
from scheduler.sync import (
    SyncInputs,
    last_sync,
    record_sync,
    sync_agencies,
    sync_inputs,
    sync_obligations,
    sync_years,
    why_resync,
)
from storage.db import begin_write, is_outage, session_scope
from storage.models import (
    Contact,
    ContactRole,
    Obligation,
    ObligationStatus,
    Outbox,
    OutboxCreate,
    OutboxMessage,
    OutboxPriority,
    OutboxStatus,
    PlanningStamp,
    Report,
    ReportEntry,
    Review,
    ReviewDecision,
)
from storage.queries import audit, enqueue_outbox, reported_refs

log = logging.getLogger(__name__)

REMINDER = "reminder"
RETURN = "return"  # the reminder of a returned report
DIGEST = "digest"
NOTICE = "notice"
ANSWER = "answer"
NUDGE = "nudge"

DEFAULT_OFFICE_HOURS: tuple[time, time] = (time(8), time(17))
# Short, so that a crashed sender's unsent rows go out within a minute; a sender never starts
# a send with less than LEASE_MARGIN left, and claims no more than it can send in the rest.
DEFAULT_LEASE = timedelta(seconds=30)
LEASE_MARGIN = timedelta(seconds=10)
DEFAULT_BATCH = 25
# A transient failure is retried with exponential backoff: 30 s, 1 min, 2 min, … at most 1 h;
# the row fails for good (logged, kept) after this many attempts.
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
# Telegram's documented limits are ~30 messages per second overall and 1 per second in one
# chat. Pacing exactly at them let timing jitter put a 31st send into a second (about one
# 429 in 33, each delaying its row by a retry); a small margin gave none and a higher rate
# (benchmarks/fanout.py: 0.95 of 30/s, zero 429s). A channel module gives its own figures.
GLOBAL_PER_SECOND = 29.0
PER_CHAT_INTERVAL_S = 1.05

_PLANNING_LOCK = 0x62616F63  # "baoc": PostgreSQL advisory lock taken while planning
_CLAIM_LOCK = 0x62616F64  # taken while claiming outbox rows
_COORDINATOR_ROLES = (ContactRole.COORDINATOR.value, ContactRole.ADMIN.value)


# --- keys --------------------------------------------------------------------------------


def reminder_key(obligation_id: int, contact_id: int, step: str, extended_due: date | None = None) -> str:
    base = f"rem:{obligation_id}:{contact_id}:{step}"
    return base if extended_due is None else f"{base}@{extended_due.isoformat()}"


def return_key(obligation_id: int, contact_id: int, review_id: int) -> str:
    return f"ret:{obligation_id}:{contact_id}:{review_id}"


def due_of(ob: Obligation | _Ob) -> date:
    """The agency's due date for the period: an approved extension's, else the plan's."""
    return ob.extended_due or ob.due


def _closing_of(ob: Obligation | _Ob) -> date:
    """The last day reminders of ``ob`` may go out: the consolidation due date, moved with an
    extension by as many days as the extension moved the due date."""
    if ob.extended_due is None or ob.extended_due <= ob.due:
        return ob.consolidation_due
    return max(ob.consolidation_due, ob.extended_due + (ob.consolidation_due - ob.due))


def digest_key(plan_id: str, period: str, contact_id: int) -> str:
    return f"digest:{plan_id}:{period}:{contact_id}"


def blocked_key(contact_id: int, coordinator_id: int, at: datetime) -> str:
    # One notice per coordinator; the moment keeps a second block (after re-registration)
    # from being swallowed by the first one's key.
    return f"blocked:{contact_id}:{coordinator_id}:{at.astimezone(UTC):%Y%m%dT%H%M%S}"


# --- results -----------------------------------------------------------------------------


@dataclass
class EnqueueStats:
    """What one planning pass did."""

    enqueued: int = 0  # new rows (reminders and digests)
    digests: int = 0  # of which digests
    existing: int = 0  # wanted rows already in the outbox (pending, sent, …)
    updated: int = 0  # pending rows moved to office hours or re-rendered
    superseded: int = 0  # pending rows dropped: a later step is due
    stale: int = 0  # pending rows dropped: too late to matter
    reported: int = 0  # pending rows dropped: the agency has reported every task
    inactive: int = 0  # pending rows dropped: contact or obligation gone, plan ended
    skipped_stale: int = 0  # (obligation, contact) pairs whose latest due step is too late
    skipped_reported: int = 0  # (obligation, contact) pairs not reminded: all reported
    keys: list[str] = field(default_factory=list)  # the keys enqueued
    synced: list[str] = field(default_factory=list)  # plans synced before planning (their inputs changed)
    sync_skipped: list[str] = field(default_factory=list)  # plans not synced: unchanged since their last sync
    planning_skipped: list[str] = field(default_factory=list)  # plans not planned: inputs and time as at their last quiet pass

    @property
    def dropped(self) -> int:
        return self.superseded + self.stale + self.reported + self.inactive

    def __iadd__(self, other: EnqueueStats) -> EnqueueStats:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

    def as_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["dropped"] = self.dropped
        return out


@dataclass
class DispatchStats:
    claimed: int = 0
    sent: int = 0
    retried: int = 0  # rate-limited (RetryLater): back to pending
    transient: int = 0  # transient errors: back to pending with backoff
    failed: int = 0  # given up: blocked, too many attempts
    blocked: int = 0  # of which the user had blocked the bot
    released: int = 0  # claimed but not attempted, back to pending (lease nearly over, chat rate-limited)
    dropped: int = 0  # claimed but not attempted: an earlier row showed the chat blocked the bot
    lost_lease: int = 0  # outcome not written: another worker owns the row now
    more: int = 0  # batches that left due rows behind (another batch follows at once)

    def __iadd__(self, other: DispatchStats) -> DispatchStats:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class TickReport:
    enqueue: EnqueueStats
    dispatch: DispatchStats
    rounds: int

    def as_dict(self) -> dict[str, Any]:
        return {"enqueue": self.enqueue.as_dict(), "dispatch": self.dispatch.as_dict(), "rounds": self.rounds}


# --- the channel -------------------------------------------------------------------------


class SendError(Exception):
    """Base of what a :class:`Sender` may raise."""


class RetryLater(SendError):
    """Rate-limited: try again after ``seconds`` (Telegram's ``retry_after``)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = float(seconds)


class Blocked(SendError):
    """The user blocked the bot (or never started it): sending to this chat cannot succeed."""


class TransientError(SendError):
    """A failure worth retrying later (network, server error)."""


class Rejected(SendError):
    """The channel refused the message itself (retrying the same request cannot help)."""


Progress = Callable[[int, str], Awaitable[None]]


class Sender(Protocol):
    """A channel's way of delivering outbox rows (``bot.channels.<name>``)."""

    async def send(self, row: Outbox, progress: Progress) -> str:
        """Deliver ``row.payload`` to ``row.chat_id``; return the (last) message id.

        A message the channel must split goes out part by part, starting at part
        ``row.parts_sent``; after each part but the last, ``await progress(part, message_id)``
        records it, so a crash repeats at most that one part. Raise :class:`RetryLater`,
        :class:`Blocked` or :class:`TransientError`."""
        ...


class Pacer:
    """Simple async pacing: at most ``per_second`` sends overall and one per
    ``per_chat_interval`` seconds in one chat, within this process. Slots are handed out in
    call order (each caller reserves the next free slot, then sleeps until it)."""

    def __init__(
        self,
        per_second: float = GLOBAL_PER_SECOND,
        per_chat_interval: float = PER_CHAT_INTERVAL_S,
        *,
        monotonic: Callable[[], float] = _time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.per_chat_interval = per_chat_interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._next_global = 0.0
        self._next_chat: dict[str, float] = {}

    def ready_at(self, chat: str) -> float:
        """When ``chat`` may next receive (monotonic seconds; 0 for a chat not sent to yet)."""
        return self._next_chat.get(chat, 0.0)

    async def wait(self, chat: str, *, per_chat: bool = True) -> None:
        now = self._monotonic()
        slot = max(now, self._next_global, self._next_chat.get(chat, 0.0) if per_chat else 0.0)
        self._next_global = slot + self.interval
        self._next_chat[chat] = slot + self.per_chat_interval
        if len(self._next_chat) > 10_000:  # forget chats whose slot has long passed
            self._next_chat = {k: v for k, v in self._next_chat.items() if v > now}
        if slot > now:
            await self._sleep(slot - now)


# --- sessions ----------------------------------------------------------------------------


def _is_sqlite(session_or_engine: Session | Engine) -> bool:
    bind = session_or_engine.get_bind() if isinstance(session_or_engine, Session) else session_or_engine
    return bind.dialect.name == "sqlite"


def lock_planning(session: Session) -> None:
    """Take the planning lock for the rest of the session's transaction (call it first)."""
    if _is_sqlite(session):
        begin_write(session)  # IMMEDIATE: planners (and claimers) take turns
    else:
        session.connection().execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PLANNING_LOCK})


# --- office hours ------------------------------------------------------------------------


class OfficeHours:
    """Working days (per the calendar) between ``hours[0]`` and ``hours[1]`` local time."""

    def __init__(self, cal: WorkingCalendar, zone: ZoneInfo, hours: tuple[time, time] = DEFAULT_OFFICE_HOURS) -> None:
        if not hours[0] < hours[1]:
            raise ValueError("office hours must open before they close")
        self.cal = cal
        self.zone = zone
        self.opens, self.closes = hours

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        return self.cal.is_working_day(local.date()) and self.opens <= local.time() < self.closes

    def next_opening(self, moment: datetime) -> datetime:
        """The first opening at or after ``moment`` (``moment`` itself is not checked for being open)."""
        local = moment.astimezone(self.zone)
        day = local.date()
        if not (self.cal.is_working_day(day) and local.time() < self.opens):
            day = self.cal.add_working_days(day, 1) if self.cal.is_working_day(day) else self.cal.next_working_day(day)
        return datetime.combine(day, self.opens, tzinfo=self.zone).astimezone(UTC)

    def send_time(self, step_at: datetime, now: datetime) -> datetime:
        """When a row for a step at ``step_at`` may go out, seen at ``now``: the step's time when
        that is within office hours, else the next opening; and if that moment has passed while
        the office is closed now, the next opening after now."""
        at = step_at if self.is_open(step_at) else self.next_opening(step_at)
        if at <= now and not self.is_open(now):
            at = self.next_opening(now)
        return at.astimezone(UTC)

    def midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.zone).astimezone(UTC)


# --- planning ----------------------------------------------------------------------------


@dataclass
class _Want:
    """A row that should be pending (or already exist) now."""

    key: str
    kind: str
    chat_id: str
    channel: str
    contact_id: int
    obligation_id: int | None
    step: str | None
    not_before: datetime
    expires: datetime  # a pending row at or past this moment is stale
    render: Callable[[date], dict[str, Any]]  # payload for a given send day


@dataclass
class _Candidate:
    ob: _Ob
    ladder: tuple[Reminder, ...]
    index: int  # of the latest due step
    send_at: datetime
    expires: datetime
    escalated_at: datetime | None  # first escalation step due, if any

    @property
    def step(self) -> Reminder:
        return self.ladder[self.index]



def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _duty_lines(plan: Plan, tasks: Iterable[dict[str, Any]]) -> list[content.DutyLine]:
    lines = []
    for task in tasks:
        known = plan.task_by_no.get(task["no"])
        lines.append(
            content.DutyLine(
                no=task["no"],
                title=known.title if known is not None else "",
                role=task.get("role", "lead"),
                request=bool(task.get("request")),
            )
        )
    return lines


def _coordinators(session: Session) -> list[Contact]:
    """Active coordinator/admin contacts, one per chat (a person bound twice gets one digest)."""
    rows = session.exec(
        select(Contact)
        .where(col(Contact.active).is_(True), col(Contact.role).in_(_COORDINATOR_ROLES))
        .order_by(col(Contact.id))
    ).all()
    seen: set[tuple[str, str]] = set()
    out = []
    for row in rows:
        if (row.channel, row.chat_id) not in seen:
            seen.add((row.channel, row.chat_id))
            out.append(row)
    return out


def plan_reminders(
    session: Session,
    plan: Plan,
    cal: WorkingCalendar,
    now: datetime,
    *,
    tz: ZoneInfo | str | None = None,
    office_hours: tuple[time, time] = DEFAULT_OFFICE_HOURS,
    several_plans: bool = False,
) -> EnqueueStats:
    """Bring the outbox's pending reminders and digests in line with ``now`` (see the module
    docstring). Never commits: the caller owns the transaction (the planning lock is held until
    it ends, so commit soon). Pass a session that has not begun a transaction yet, so that on
    SQLite it begins IMMEDIATE (:func:`tick` does this for you)."""
    return _plan_reminders(session, plan, cal, now, tz=tz, office_hours=office_hours, several_plans=several_plans)[0]


def _plan_reminders(
    session: Session,
    plan: Plan,
    cal: WorkingCalendar,
    now: datetime,
    *,
    tz: ZoneInfo | str | None = None,
    office_hours: tuple[time, time] = DEFAULT_OFFICE_HOURS,
    several_plans: bool = False,
) -> tuple[EnqueueStats, datetime]:
    """:func:`plan_reminders`, and the first moment after ``now`` at which the clock alone can
    change what it wants (:func:`_next_clock_change`, the next step of any due date)."""
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    zone = plan.zone(tz)
    window = OfficeHours(cal, zone, office_hours)
    stats = EnqueueStats()
    lock_planning(session)

    today = now.astimezone(zone).date()
    # Ended when no obligation is still open: an annual report due in January after the plan's
    # last day is still reminded (scheduler.deadlines.open_until).
    plan_ended = today > open_until(plan, cal)
    wants: dict[str, _Want] = {}
    drop_reason: dict[tuple[int, int], tuple[str, str]] = {}  # (obligation, contact) → (kind, text)
    active_obligations: set[int] = set()
    focal_ids: set[int] = set()
    next_change = _next_clock_change(window, ZoneInfo(plan.reporting.reminders.timezone), now)

    if not plan_ended:
        # The dates first, for every active obligation; the task lists (a large plan's bulk:
        # ~100 tasks per commune) only for the obligations that may get a reminder or a digest.
        obligations = _obligation_heads(session, plan.plan.id)
        active_obligations = {ob.id for ob in obligations}
        next_change = min(next_change, _next_step_at(plan, cal, obligations, now))
        candidates = _candidates(plan, cal, window, obligations, now)
        # Stale candidates need no tasks and no report look-up, unless their period's digest does.
        digest_periods = _live_digest_periods(candidates, window, now)
        live = [
            c for c in candidates
            if max(c.send_at, now) < c.expires or (c.escalated_at is not None and c.ob.period in digest_periods)
        ]
        _load_tasks(session, [c.ob for c in live])
        reported = reported_refs(session, [c.ob.id for c in live])
        focal: dict[str, list[Contact]] = defaultdict(list)
        for contact in session.exec(
            select(Contact)
            .where(col(Contact.active).is_(True), Contact.role == ContactRole.FOCAL)
            .order_by(col(Contact.id))
        ).all():
            focal[contact.agency_id].append(contact)
            focal_ids.add(contact.id or 0)

        for cand in candidates:
            ob = cand.ob
            contacts = focal.get(ob.agency_id, [])
            # Judged on when it would really go out: a step of a past quarter is due "now".
            if max(cand.send_at, now) >= cand.expires:
                for contact in contacts:
                    assert contact.id is not None
                    drop_reason[(ob.id, contact.id)] = ("stale", _stale_text(cand, zone))
                    stats.skipped_stale += 1
                    log.info("reminder %s skipped: %s", reminder_key(ob.id, contact.id, cand.step.step), _stale_text(cand, zone))
                continue
            if not contacts:
                continue
            done = reported.get(ob.id, set())
            missing_nos = set(taskrefs.missing([task["no"] for task in ob.tasks], done))
            missing = [task for task in ob.tasks if task["no"] in missing_nos]
            for contact in contacts:
                assert contact.id is not None
                pair = (ob.id, contact.id)
                if not missing:
                    drop_reason[pair] = ("reported", "the agency has reported every task of the period")
                    stats.skipped_reported += 1
                    continue
                drop_reason[pair] = ("superseded", f"superseded by step {cand.step.step} (sent instead)")
                want = _reminder_want(
                    plan, cal, zone, cand, contact, missing, sorted(done & {task["no"] for task in ob.tasks}), several_plans
                )
                wants[want.key] = want
        for want in _digest_wants(session, plan, cal, zone, window, candidates, reported, focal, now, several_plans):
            wants[want.key] = want
        for want in _return_wants(session, plan, cal, window, obligations, focal, now):
            wants[want.key] = want

    _reconcile(session, wants, stats, now, zone, plan, plan_ended, drop_reason, active_obligations, focal_ids)
    return stats, next_change


def _next_clock_change(window: OfficeHours, ladder_zone: ZoneInfo, now: datetime) -> datetime:
    """The next moment after ``now`` at which a pass's result can change by the clock alone,
    whatever the obligations: the next midnight (the day in the texts, every staleness limit,
    the plan's end, a return's window are midnights; in the ladder's zone too), and today's
    opening or closing of the office (a row due while the office is closed goes out at the next
    opening)."""
    moments = []
    for zone in (window.zone, ladder_zone):
        local = now.astimezone(zone)
        moments.append(datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone))
    local = now.astimezone(window.zone)
    for at in (window.opens, window.closes):
        moments.append(datetime.combine(local.date(), at, tzinfo=window.zone))
    return min(m.astimezone(UTC) for m in moments if m > now)


def _next_step_at(plan: Plan, cal: WorkingCalendar, obligations: Sequence[_Ob], now: datetime) -> datetime:
    """The first reminder step after ``now`` of any active obligation's due date (a handful of
    due dates per plan: each ladder worked out once); far in the future when there is none."""
    settings = plan.reporting.reminders
    ladder_zone = ZoneInfo(settings.timezone)
    out = datetime.max.replace(tzinfo=UTC)
    for due in {due_of(ob) for ob in obligations}:
        for step in reminder_schedule(due, settings.steps, settings.time, ladder_zone, cal):
            if step.at > now:
                out = min(out, step.at.astimezone(UTC))
    return out


@dataclass(slots=True)
class _Ob:
    """What planning reads of an obligation: its dates always, its tasks when it may be
    reminded (:func:`_load_tasks`)."""

    id: int
    agency_id: str
    period: str
    due: date
    extended_due: date | None
    consolidation_due: date
    tasks: list[dict[str, Any]] = field(default_factory=list)


def _obligation_heads(session: Session, plan_id: str) -> list[_Ob]:
    rows = session.exec(
        select(
            Obligation.id, Obligation.agency_id, Obligation.period, Obligation.due,
            Obligation.extended_due, Obligation.consolidation_due,
        )
        .where(Obligation.plan_id == plan_id, Obligation.status == ObligationStatus.ACTIVE)
        .order_by(col(Obligation.id))
    ).all()
    return [_Ob(*row) for row in rows]


def _load_tasks(session: Session, obs: Sequence[_Ob]) -> None:
    by_id = {ob.id: ob for ob in obs}
    for chunk in _chunks(list(by_id), 500):
        for ob_id, tasks in session.exec(select(Obligation.id, Obligation.tasks).where(col(Obligation.id).in_(chunk))).all():
            by_id[ob_id].tasks = list(tasks or [])


def _digest_window(cands: Sequence[_Candidate], window: OfficeHours, now: datetime) -> tuple[datetime, datetime]:
    """When a period's escalation digest goes out and when it is stale."""
    escalated_at = min(c.escalated_at for c in cands if c.escalated_at is not None)
    consolidation = max(c.ob.consolidation_due for c in cands)
    return window.send_time(escalated_at, now), window.midnight(consolidation + timedelta(days=1))


def _live_digest_periods(candidates: Sequence[_Candidate], window: OfficeHours, now: datetime) -> set[str]:
    by_period: dict[str, list[_Candidate]] = defaultdict(list)
    for cand in candidates:
        if cand.escalated_at is not None:
            by_period[cand.ob.period].append(cand)
    out = set()
    for period, cands in by_period.items():
        send_at, expires = _digest_window(cands, window, now)
        if max(send_at, now) < expires:
            out.add(period)
    return out


def _candidates(
    plan: Plan, cal: WorkingCalendar, window: OfficeHours, obligations: Sequence[_Ob], now: datetime
) -> list[_Candidate]:
    settings = plan.reporting.reminders
    ladder_zone = ZoneInfo(settings.timezone)
    # Every obligation with the same due and closing dates has the same ladder and latest step
    # (a plan has a handful of due dates): worked out once per pair.
    found: dict[tuple[date, date], tuple[tuple[Reminder, ...], int, datetime, datetime, datetime | None] | None] = {}
    out = []
    for ob in obligations:
        pair = (due_of(ob), _closing_of(ob))
        if pair not in found:
            found[pair] = _latest_step(pair[0], pair[1], settings, ladder_zone, cal, window, now)
        step = found[pair]
        if step is not None:
            out.append(_Candidate(ob, *step))
    return out


def _latest_step(
    due: date, closing: date, settings: Any, ladder_zone: ZoneInfo, cal: WorkingCalendar, window: OfficeHours, now: datetime
) -> tuple[tuple[Reminder, ...], int, datetime, datetime, datetime | None] | None:
    """(ladder, index of the latest due step, its send time, when it is stale, first escalation
    step due) of a due date; None before the first step."""
    ladder = reminder_schedule(due, settings.steps, settings.time, ladder_zone, cal)
    due_steps = [i for i, r in enumerate(ladder) if r.at <= now]
    if not due_steps:
        return None
    index = due_steps[-1]
    if index + 1 < len(ladder):
        # Once the next step's day has come, that step speaks for this one.
        expires = window.midnight(ladder[index + 1].at.astimezone(window.zone).date())
    else:
        expires = window.midnight(closing + timedelta(days=1))
    escalated = next((r.at for r in ladder if r.escalate and r.at <= now), None)
    return ladder, index, window.send_time(ladder[index].at, now), expires, escalated


def _stale_text(cand: _Candidate, zone: ZoneInfo) -> str:
    last = cand.index + 1 == len(cand.ladder)
    until = "the consolidation due date has passed" if last else f"step {cand.ladder[cand.index + 1].step} is due the same day"
    return f"stale: step {cand.step.step} of {cand.ob.period} could not go out before {until}"


def _send_day(not_before: datetime, now: datetime, zone: ZoneInfo) -> date:
    return max(not_before, now).astimezone(zone).date()


def _reminder_want(
    plan: Plan,
    cal: WorkingCalendar,
    zone: ZoneInfo,
    cand: _Candidate,
    contact: Contact,
    missing: list[dict[str, Any]],
    reported: list[str],
    several_plans: bool = False,
) -> _Want:
    ob = cand.ob
    step = cand.step
    agency = plan.agency_by_id.get(ob.agency_id)
    recipient = plan.agency_by_id.get(plan.reporting.recipient)

    def render(day: date) -> dict[str, Any]:
        # Rendered only when a row is queued or compared: an unchanged pass renders nothing.
        duties = _duty_lines(plan, missing)
        t = translator(contact.language)
        message = content.reminder_message(
            content.ReminderContent(
                step=step.step,
                agency=agency.name if agency is not None else ob.agency_id,
                period_name=plan.period_name(ob.period),
                due=due_of(ob),
                working_days_left=cal.working_days_between(day, due_of(ob)),
                missing=duties,
                recipient_name=contact.display_name,
                plan_number=plan.plan.number,
                plan_title=short_title(plan) if several_plans else None,
                report_to=plan.reporting.recipient_text or (recipient.name if recipient else None),
                escalate=step.escalate,
                escalate_to=recipient.name if recipient is not None and recipient.id != ob.agency_id else None,
                reported=reported,
            ),
            t,
        )
        return {
            "message": message.to_json(),
            "plan_id": plan.plan.id,
            "period": ob.period,
            "agency_id": ob.agency_id,
            "step": step.step,
            "escalate": step.escalate,
            "missing": [task["no"] for task in missing],
            "day": day.isoformat(),
        }

    assert ob.id is not None and contact.id is not None
    return _Want(
        key=reminder_key(ob.id, contact.id, step.step, ob.extended_due),
        kind=REMINDER,
        chat_id=contact.chat_id,
        channel=contact.channel,
        contact_id=contact.id,
        obligation_id=ob.id,
        step=step.step,
        not_before=cand.send_at,
        expires=cand.expires,
        render=render,
    )


def _digest_wants(
    session: Session,
    plan: Plan,
    cal: WorkingCalendar,
    zone: ZoneInfo,
    window: OfficeHours,
    candidates: Sequence[_Candidate],
    reported: dict[int, set[str]],
    focal: dict[str, list[Contact]],
    now: datetime,
    several_plans: bool = False,
) -> list[_Want]:
    by_period: dict[str, list[_Candidate]] = defaultdict(list)
    for cand in candidates:
        if cand.escalated_at is not None:
            by_period[cand.ob.period].append(cand)
    if not by_period:
        return []
    coordinators = _coordinators(session)
    if not coordinators:
        log.warning("no active coordinator: the escalation digest of %s has nobody to go to", ", ".join(sorted(by_period)))
        return []
    order = {agency.id: index for index, agency in enumerate(plan.agencies)}
    escalate_step = next((s.step for s in plan.reporting.reminders.steps if s.escalate), None)
    out: list[_Want] = []
    for period, cands in sorted(by_period.items()):
        due = min(c.ob.due for c in cands)
        consolidation = max(c.ob.consolidation_due for c in cands)
        send_at, expires = _digest_window(cands, window, now)
        if max(send_at, now) >= expires:
            continue
        late: list[tuple[int, content.LateAgency, str]] = []
        for cand in cands:
            assert cand.ob.id is not None
            done = reported.get(cand.ob.id, set())
            missing_nos = set(taskrefs.missing([task["no"] for task in cand.ob.tasks], done))
            missing = [task for task in cand.ob.tasks if task["no"] in missing_nos]
            if not missing:
                continue
            agency = plan.agency_by_id.get(cand.ob.agency_id)
            name = agency.name if agency is not None else cand.ob.agency_id
            people = [c.display_name or c.chat_id for c in focal.get(cand.ob.agency_id, [])]
            partial = any(task["no"] in done for task in cand.ob.tasks)
            late.append((order.get(cand.ob.agency_id, len(order)), content.LateAgency(name, _duty_lines(plan, missing), partial, people), cand.ob.agency_id))
        if not late:
            continue
        late.sort(key=lambda item: (item[0], item[1].agency))
        total = len(cands)

        for coordinator in coordinators:
            assert coordinator.id is not None

            def render(
                day: date, _name: str | None = coordinator.display_name, _period: str = period, _lang: str | None = coordinator.language
            ) -> dict[str, Any]:
                return {
                    "message": content.digest_message(
                        content.DigestContent(
                            period_name=plan.period_name(_period),
                            due=due,
                            consolidation_due=consolidation,
                            overdue_days=cal.working_days_between(due, day),
                            consolidation_days_left=cal.working_days_between(day, consolidation),
                            late=[item[1] for item in late],
                            total_agencies=total,
                            recipient_name=_name,
                            plan_number=plan.plan.number if several_plans else None,
                            plan_title=short_title(plan) if several_plans else None,
                        ),
                        translator(_lang),
                    ).to_json(),
                    "plan_id": plan.plan.id,
                    "period": _period,
                    "late": [item[2] for item in late],
                    "day": day.isoformat(),
                }

            out.append(
                _Want(
                    key=digest_key(plan.plan.id, period, coordinator.id),
                    kind=DIGEST,
                    chat_id=coordinator.chat_id,
                    channel=coordinator.channel,
                    contact_id=coordinator.id,
                    obligation_id=None,
                    step=escalate_step,
                    not_before=send_at,
                    expires=expires,
                    render=render,
                )
            )
    return out


# A returned report's reminder may go out within this many working days after its day.
RETURN_WINDOW_DAYS = 3


def _return_wants(
    session: Session,
    plan: Plan,
    cal: WorkingCalendar,
    window: OfficeHours,
    obligations: Sequence[_Ob],
    focal: dict[str, list[Contact]],
    now: datetime,
) -> list[_Want]:
    """One reminder per focal point of each agency whose report Sở Tư pháp returned (its
    latest review asks for more) and that has sent nothing since: one query."""
    by_id = {ob.id: ob for ob in obligations if ob.id is not None}
    if not by_id:
        return []
    newest = (
        select(func.max(Review.id))
        .join(Obligation, col(Obligation.id) == Review.obligation_id)
        .where(Obligation.plan_id == plan.plan.id, Obligation.status == ObligationStatus.ACTIVE)
        .group_by(Review.obligation_id)
    )
    returned = session.exec(
        select(Review)
        .where(
            col(Review.id).in_(newest),
            Review.decision == ReviewDecision.RETURNED.value,
            ~exists().where(col(Report.obligation_id) == Review.obligation_id, col(Report.submitted_at) > Review.at),
        )
        .order_by(col(Review.id))
    ).all()
    settings = plan.reporting.reminders
    ladder_zone = ZoneInfo(settings.timezone)
    out: list[_Want] = []
    for review in returned:
        ob = by_id.get(review.obligation_id)
        if ob is None or review.id is None:
            continue
        returned_on = review.at.astimezone(window.zone).date()
        day = cal.add_working_days(returned_on, 1)
        send_at = window.send_time(datetime.combine(day, settings.time, tzinfo=ladder_zone), now)
        expires = window.midnight(cal.add_working_days(day, RETURN_WINDOW_DAYS))
        if max(send_at, now) >= expires:
            continue  # too late to matter (the planner was down): a pending row is dropped as stale
        agency = plan.agency_by_id.get(ob.agency_id)
        name = agency.name if agency is not None else ob.agency_id
        for contact in focal.get(ob.agency_id, []):
            assert contact.id is not None

            def render(
                day: date, _contact: Contact = contact, _review: Review = review, _ob: _Ob = ob, _name: str = name,
                _on: date = returned_on,
            ) -> dict[str, Any]:
                return {
                    "message": content.returned_reminder_message(
                        content.ReturnedReminder(
                            agency=_name,
                            period_name=plan.period_name(_ob.period),
                            returned_on=_on,
                            reason=_review.reason,
                            recipient_name=_contact.display_name,
                        ),
                        translator(_contact.language),
                    ).to_json(),
                    "plan_id": plan.plan.id,
                    "period": _ob.period,
                    "agency_id": _ob.agency_id,
                    "review_id": _review.id,
                    "day": day.isoformat(),
                }

            out.append(
                _Want(
                    key=return_key(ob.id, contact.id, review.id),
                    kind=RETURN,
                    chat_id=contact.chat_id,
                    channel=contact.channel,
                    contact_id=contact.id,
                    obligation_id=ob.id,
                    step=None,
                    not_before=send_at,
                    expires=expires,
                    render=render,
                )
            )
    return out


def _unsent(now: datetime) -> Any:
    """Rows planning may still change: pending ones, and those a crashed worker left in
    ``sending`` past their lease (a claimer would take them again as they are)."""
    return or_(
        col(Outbox.status) == OutboxStatus.PENDING.value,
        and_(col(Outbox.status) == OutboxStatus.SENDING.value, col(Outbox.lease_until) < now),
    )


def _drop(session: Session, row_id: int, reason: str, now: datetime) -> bool:
    result: Any = session.exec(
        update(Outbox)
        .where(col(Outbox.id) == row_id, _unsent(now))
        .values(status=OutboxStatus.DROPPED.value, last_error=reason, lease_until=None, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _reconcile(
    session: Session,
    wants: dict[str, _Want],
    stats: EnqueueStats,
    now: datetime,
    zone: ZoneInfo,
    plan: Plan,
    plan_ended: bool,
    drop_reason: dict[tuple[int, int], tuple[str, str]],
    active_obligations: set[int],
    focal_ids: set[int],
) -> None:
    # Only this plan's rows: planning one plan never touches another plan's reminders or digests.
    pending = session.exec(
        select(Outbox)
        .where(_unsent(now), col(Outbox.kind).in_([REMINDER, DIGEST, RETURN]), col(Outbox.plan_id) == plan.plan.id)
        .order_by(col(Outbox.id))
    ).all()
    seen: set[str] = set()
    for row in pending:
        assert row.id is not None
        want = wants.get(row.key)
        if want is not None:
            seen.add(row.key)
            not_before = max(row.not_before, want.not_before)  # keep a retry's backoff
            if max(not_before, now) >= want.expires:
                if _drop(session, row.id, f"stale: could not go out before {want.expires.astimezone(zone):%Y-%m-%d %H:%M}", now):
                    stats.stale += 1
                    log.info("outbox %s dropped: stale", row.key)
                continue
            payload = want.render(_send_day(not_before, now, zone))
            if not_before != row.not_before or payload != row.payload or row.status != OutboxStatus.PENDING.value:
                result: Any = session.exec(
                    update(Outbox)
                    .where(col(Outbox.id) == row.id, _unsent(now))
                    .values(
                        not_before=not_before,
                        payload=payload,
                        status=OutboxStatus.PENDING.value,
                        claimed_by=None,
                        lease_until=None,
                    )
                    .execution_options(synchronize_session=False)
                )
                stats.updated += result.rowcount
            stats.existing += 1
            continue
        kind, reason = _why_unwanted(row, plan_ended, drop_reason, active_obligations, focal_ids)
        if _drop(session, row.id, reason, now):
            setattr(stats, kind, getattr(stats, kind) + 1)
            log.info("outbox %s dropped: %s", row.key, reason)

    missing_keys = [key for key in wants if key not in seen]
    present: set[str] = set()
    for chunk in _chunks(missing_keys, 500):
        present.update(session.exec(select(Outbox.key).where(col(Outbox.key).in_(chunk))).all())
    for key in missing_keys:
        if key in present:
            stats.existing += 1
            continue
        want = wants[key]
        _, created = enqueue_outbox(
            session,
            OutboxCreate(
                key=want.key,
                plan_id=plan.plan.id,
                obligation_id=want.obligation_id,
                step=want.step,
                channel=want.channel,
                chat_id=want.chat_id,
                contact_id=want.contact_id,
                kind=want.kind,
                payload=want.render(_send_day(want.not_before, now, zone)),
                not_before=want.not_before,
            ),
            now=now,
        )
        if created:
            stats.enqueued += 1
            stats.digests += want.kind == DIGEST
            stats.keys.append(want.key)
        else:
            stats.existing += 1


def _why_unwanted(
    row: Outbox,
    plan_ended: bool,
    drop_reason: dict[tuple[int, int], tuple[str, str]],
    active_obligations: set[int],
    focal_ids: set[int],
) -> tuple[str, str]:
    if plan_ended:
        return "inactive", "the plan is no longer in force"
    if row.kind == DIGEST:
        return "inactive", "no late agency left, the coordinator is inactive, or the consolidation due date has passed"
    if row.obligation_id not in active_obligations:
        return "inactive", "the obligation was withdrawn from the plan"
    if row.contact_id not in focal_ids:
        return "inactive", "the contact is no longer an active focal point"
    if row.kind == RETURN:
        return "reported", "the agency sent more after the return, or Sở Tư pháp decided again"
    found = drop_reason.get((row.obligation_id or 0, row.contact_id or 0))
    if found is None:
        return "inactive", "the step is not due any more (the due date changed)"
    return found


# --- sync and plan ------------------------------------------------------------------------


def sync_plan(
    session: Session, plan: Plan, cal: WorkingCalendar, now: datetime, *, force: bool = False, inputs: SyncInputs | None = None
) -> bool:
    """Copy the plan's agencies and its obligations of every year in force into the database,
    unless the last sync was made from the same inputs (the plan's content, the calendar, the
    years, the year of ``now``, the sync code's version: :func:`scheduler.sync.sync_inputs`);
    ``force`` syncs regardless. True when it synced. The fingerprint is compared and written in
    the session's transaction: take the planning lock first (:func:`sync_and_plan` does), so
    that two processes starting on a fresh database never insert the same rows at once and a
    fingerprint is never stored for a sync another process undid. ``inputs``: the plan's
    :func:`~scheduler.sync.sync_inputs` for ``now``, when the caller has them already."""
    years = sync_years(plan)
    inputs = inputs or sync_inputs(plan, cal, now, years)
    reason = "forced" if force else why_resync(last_sync(session, plan.plan.id), inputs, plan)
    if reason is None:
        log.debug("plan %s unchanged since its last sync: not synced", plan.plan.id)
        return False
    started = _time.perf_counter()
    computed = [o for year in years for o in obligations(plan, cal, year)]
    agencies = sync_agencies(session, plan, now=now)
    result = sync_obligations(session, plan, computed, years=years, now=now)
    record_sync(session, inputs, now)
    log.info(
        "plan %s synced (%s) in %.2f s: agencies %d new, %d changed; obligations %d new, %d changed, %d withdrawn",
        plan.plan.id, reason, _time.perf_counter() - started, len(agencies.inserted), len(agencies.updated),
        result.inserted, result.updated, result.withdrawn,
    )
    return True


def sync_plans(
    engine: Engine, plans: Plans | Iterable[Plan], cal: WorkingCalendar, now: datetime, *, force: bool = False
) -> list[str]:
    """:func:`sync_plan` for every plan, under the planning lock; the ids of the plans synced."""
    synced = []
    with session_scope(engine, write=True) as session:
        lock_planning(session)
        for plan in plans:
            if sync_plan(session, plan, cal, now, force=force):
                synced.append(plan.plan.id)
    return synced


def sync_and_plan(
    engine: Engine,
    plans: Plans,
    cal: WorkingCalendar,
    now: datetime,
    *,
    tz: ZoneInfo | str | None = None,
    office_hours: tuple[time, time] = DEFAULT_OFFICE_HOURS,
    sync: bool = True,
    force: bool = False,
    only: Collection[str] | None = None,
) -> EnqueueStats:
    """Sync the plans (optional; skipped per plan when nothing changed, unless ``force``) and
    plan every plan's reminders (or those of the plan ids in ``only``: the other plans still
    count, so that reminders name their plan whenever several run), in one transaction under the planning lock. A plan whose
    planning inputs are those of its last quiet pass, before the moment the clock can change
    what it wants, is not planned (:func:`planning_fingerprint`; ``force`` plans regardless)."""
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    total = EnqueueStats()
    with session_scope(engine, write=True) as session:
        lock_planning(session)
        for plan in plans:
            if only is not None and plan.plan.id not in only:
                continue
            inputs = sync_inputs(plan, cal, now, sync_years(plan))
            if sync:
                if sync_plan(session, plan, cal, now, force=force, inputs=inputs):
                    total.synced.append(plan.plan.id)
                else:
                    total.sync_skipped.append(plan.plan.id)
            several = len(plans) > 1
            zone = plan.zone(tz)
            before = planning_fingerprint(session, plan, inputs, zone, office_hours, several, now)
            stamp = session.get(PlanningStamp, plan.plan.id)
            if (
                not force
                and stamp is not None
                and stamp.fingerprint == before.fingerprint
                and stamp.planned_at <= now < stamp.next_change_at
            ):
                log.debug("plan %s: planning inputs unchanged, nothing due before %s: not planned", plan.plan.id, stamp.next_change_at)
                total.planning_skipped.append(plan.plan.id)
                continue
            stats, next_change = _plan_reminders(
                session, plan, cal, now, tz=tz, office_hours=office_hours, several_plans=several
            )
            after = planning_fingerprint(session, plan, inputs, zone, office_hours, several, now)
            # Only a pass that changed nothing, over inputs nobody changed meanwhile, proves
            # that its inputs are a resting point: any other pass leaves no stamp to trust, and
            # the next tick plans again (and, finding nothing to change, stamps).
            quiet = not (stats.enqueued or stats.updated or stats.dropped) and after == before
            _record_stamp(
                session, plan.plan.id, before.fingerprint if quiet else "", now,
                min(next_change, before.next_lease, after.next_lease),
            )
            total += stats
    return total


# --- the planning stamp -------------------------------------------------------------------

# Bump when a change to planning (this module, the texts of scheduler/reminders.py) changes
# what a pass wants from the same inputs: every database then plans again on its next tick.
PLANNING_VERSION = 1

_PLANNED_KINDS = (REMINDER, DIGEST, RETURN)
_NEVER = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class PlanningInputs:
    fingerprint: str
    next_lease: datetime  # the first lease of the plan's rows in ``sending`` to run out after now


def planning_fingerprint(
    session: Session,
    plan: Plan,
    inputs: SyncInputs,
    zone: ZoneInfo,
    office_hours: tuple[time, time],
    several_plans: bool,
    now: datetime,
) -> PlanningInputs:
    """The fingerprint of everything a planning pass of ``plan`` reads, from a few queries:

    - the plan's content, the calendar, the years and the year of ``now`` (the sync's
      fingerprint), the zone, the office hours, whether several plans run, the planning code's
      version (:data:`PLANNING_VERSION`);
    - the plan's obligations: how many, how many active, the newest id and ``updated_at``
      (every sync writes it), and each approved extension's due date (``extended_due``, which
      the review of an extension writes without ``updated_at``);
    - the active contacts themselves (id, role, agency, chat, name, language: a new focal
      point, a blocked or re-registered one, a role changed), a few thousand short rows;
    - reports, their entries and reviews: how many and the newest id of each (rows are only
      ever added);
    - the plan's reminder, digest and return rows in the outbox: how many and the newest id
      (a row queued or removed), and every unsent one (pending or sending) with its status,
      ``not_before``, attempts and lease (a retry, a claim, a send).

    Indexes make each query a few milliseconds on both databases."""
    plan_id = plan.plan.id
    conn = session.connection()
    parts: list[str] = [
        f"v{PLANNING_VERSION}|{inputs.fingerprint}|zone={zone.key}|hours={office_hours[0]}-{office_hours[1]}"
        f"|several={several_plans}"
    ]
    parts.append(repr(tuple(conn.execute(
        text(
            "SELECT count(*), sum(CASE WHEN status = :active THEN 1 ELSE 0 END), max(id), max(updated_at)"
            " FROM obligation WHERE plan_id = :plan"
        ),
        {"plan": plan_id, "active": ObligationStatus.ACTIVE.value},
    ).one())))
    parts.append(repr(conn.execute(
        text("SELECT id, extended_due FROM obligation WHERE plan_id = :plan AND extended_due IS NOT NULL ORDER BY id"),
        {"plan": plan_id},
    ).all()))
    parts.append(repr(session.exec(
        select(Contact.id, Contact.role, Contact.agency_id, Contact.channel, Contact.chat_id, Contact.display_name, Contact.language)
        .where(col(Contact.active).is_(True))
        .order_by(col(Contact.id))
    ).all()))
    for table in (Report, ReportEntry, Review):
        parts.append(repr(tuple(session.exec(select(func.count(), func.max(table.id))).one())))  # type: ignore[attr-defined]
    kinds = col(Outbox.kind).in_(_PLANNED_KINDS)
    parts.append(repr(tuple(session.exec(
        select(func.count(), func.max(Outbox.id)).where(col(Outbox.plan_id) == plan_id, kinds)
    ).one())))
    # Sorted here, not by the query: ORDER BY id would make SQLite walk every row of the plan
    # in id order instead of seeking the few unsent ones in ix_outbox_plan_id_kind_status.
    unsent = sorted(session.exec(
        select(Outbox.id, Outbox.status, Outbox.not_before, Outbox.attempts, Outbox.lease_until, Outbox.claimed_by)
        .where(col(Outbox.status).in_([OutboxStatus.PENDING.value, OutboxStatus.SENDING.value]), col(Outbox.plan_id) == plan_id, kinds)
    ).all())
    parts.append(repr(unsent))
    leases = [row[4] for row in unsent if row[1] == OutboxStatus.SENDING.value and row[4] is not None and row[4] >= now]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
    return PlanningInputs(digest, min(leases, default=_NEVER))


def _record_stamp(session: Session, plan_id: str, fingerprint: str, now: datetime, next_change_at: datetime) -> None:
    row = session.get(PlanningStamp, plan_id)
    if row is None:
        row = PlanningStamp(plan_id=plan_id, fingerprint=fingerprint, planned_at=now, next_change_at=next_change_at)
    row.fingerprint = fingerprint
    row.planned_at = now
    row.next_change_at = next_change_at
    session.add(row)
    session.flush()


# --- claiming ----------------------------------------------------------------------------


def _claimable(now: datetime) -> Any:
    return or_(
        and_(col(Outbox.status) == OutboxStatus.PENDING.value, col(Outbox.not_before) <= now),
        and_(col(Outbox.status) == OutboxStatus.SENDING.value, col(Outbox.lease_until) < now),
    )


def claim(
    engine: Engine,
    *,
    worker_id: str,
    now: datetime,
    limit: int = DEFAULT_BATCH,
    lease: timedelta = DEFAULT_LEASE,
    channels: Iterable[str] | None = None,
) -> list[Outbox]:
    """See :func:`claim_batch`; the rows only."""
    return claim_batch(engine, worker_id=worker_id, now=now, limit=limit, lease=lease, channels=channels)[0]


def claim_batch(
    engine: Engine,
    *,
    worker_id: str,
    now: datetime,
    limit: int = DEFAULT_BATCH,
    lease: timedelta = DEFAULT_LEASE,
    channels: Iterable[str] | None = None,
) -> tuple[list[Outbox], bool]:
    """Claim up to ``limit`` due rows for ``worker_id``: pending rows with ``not_before <= now``
    and rows another worker left in ``sending`` past their lease, of ``channels`` (all when
    ``None``). Answers first, then oldest first; at most one row per chat, and none of a chat
    that has a row being sent by someone (a chat's messages keep their order; its next row
    goes in the next batch). The returned rows are detached, in ``sending``, leased until
    ``now + lease``."""
    if limit <= 0:
        return [], False
    claimed: list[int] = []
    more = False  # due rows left behind (a chat's next row, or past the limit)
    busy = aliased(Outbox)
    with session_scope(engine, write=True) as session:
        if not _is_sqlite(session):
            # Claimers take turns (as SQLite's IMMEDIATE transactions make them): with two at
            # once, one could take a chat's second row while the other holds its first, and
            # send them out of order. A claim is a few milliseconds.
            session.connection().execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CLAIM_LOCK})
        statement = (
            select(Outbox.id, Outbox.channel, Outbox.chat_id)
            .where(
                _claimable(now),
                ~exists().where(
                    busy.channel == Outbox.channel,
                    busy.chat_id == Outbox.chat_id,
                    busy.status == OutboxStatus.SENDING.value,
                    busy.lease_until >= now,  # type: ignore[operator]
                ),
            )
            .order_by(col(Outbox.priority), col(Outbox.not_before), col(Outbox.id))
            .limit(limit * 3)
        )
        if channels is not None:
            statement = statement.where(col(Outbox.channel).in_(list(channels)))
        if not _is_sqlite(session):
            # Rows another claimer holds are skipped, not waited for. (Ignored by SQLite, where
            # the IMMEDIATE transaction already serialises claimers.)
            statement = statement.with_for_update(skip_locked=True, of=Outbox)
        chats: set[tuple[str, str]] = set()
        found = session.exec(statement).all()
        more = len(found) == limit * 3
        for row_id, channel, chat_id in found:
            if (channel, chat_id) in chats or len(claimed) >= limit:
                more = True
                continue
            chats.add((channel, chat_id))  # even when lost: a later row of it must not jump ahead
            result: Any = session.exec(
                update(Outbox)
                .where(col(Outbox.id) == row_id, _claimable(now))
                .values(status=OutboxStatus.SENDING.value, claimed_by=worker_id[:64], lease_until=now + lease)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:
                claimed.append(row_id)
        rows = (
            list(
                session.exec(
                    select(Outbox)
                    .where(col(Outbox.id).in_(claimed))
                    .order_by(col(Outbox.priority), col(Outbox.not_before), col(Outbox.id))
                ).all()
            )
            if claimed
            else []
        )
    return rows, more


# --- sending -----------------------------------------------------------------------------


def _mine(row: Outbox, worker_id: str) -> Any:
    return and_(
        col(Outbox.id) == row.id,
        col(Outbox.status) == OutboxStatus.SENDING.value,
        col(Outbox.claimed_by) == worker_id[:64],
    )


def _outcome(engine: Engine, row: Outbox, worker_id: str, *, sent_part: tuple[int, str, datetime] | None = None, **values: Any) -> bool:
    """Write a send outcome if the row is still ours; False when the lease was lost.
    ``sent_part``: (part, message id, when) of a message delivered, recorded with it."""
    with session_scope(engine, write=True) as session:
        result: Any = session.exec(
            update(Outbox).where(_mine(row, worker_id)).values(**values).execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return False
        if sent_part is not None:
            part, message_id, at = sent_part
            _record_message(session, row, part, message_id, at)
        return True


# How long a worker keeps trying to record a message the platform has accepted while the
# database is away: far beyond a lease. Giving up lets the lease run out and the row go out
# again (a duplicate); the message is already out, and while the database is away nothing else
# can be claimed or sent anyway. The bound is only there so that a one-shot ``baocao tick``
# facing a database that never comes back ends, leaving the row to the lease.
AFTER_SEND_RETRY_S = 600.0


async def _after_send(fn: Callable[..., bool], *args: Any, **kwargs: Any) -> bool:
    """``fn`` (an outcome write) once a message is out, retried while the database is away or
    hangs (:func:`storage.db.is_outage`), for up to :data:`AFTER_SEND_RETRY_S` of real time."""
    deadline = _time.monotonic() + AFTER_SEND_RETRY_S
    delay = 0.1
    warned_at = -1e9
    while True:
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except Exception as exc:
            if not is_outage(exc):
                raise  # an integrity error or the like: retrying changes nothing
            now = _time.monotonic()
            if now + delay > deadline:
                raise
            if now - warned_at >= 30.0:  # once, then every 30 s: an outage is logged elsewhere too
                log.warning("a message is out but the database is away; recording it again until it answers: %s", exc)
                warned_at = now
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)


def _record_message(session: Session, row: Outbox, part: int, message_id: str, at: datetime) -> None:
    assert row.id is not None
    exists_ = session.exec(
        select(OutboxMessage.id).where(
            OutboxMessage.channel == row.channel, OutboxMessage.chat_id == row.chat_id, OutboxMessage.message_id == message_id
        )
    ).first()
    if exists_ is None:
        session.add(
            OutboxMessage(
                outbox_id=row.id, channel=row.channel, chat_id=row.chat_id, message_id=message_id[:64], part=part, sent_at=at
            )
        )


def _postpone_chat(engine: Engine, row: Outbox, until: datetime) -> None:
    """The chat's other due rows wait as long as the one that failed, so that they keep their
    order behind it."""
    with session_scope(engine, write=True) as session:
        session.exec(
            update(Outbox)
            .where(
                col(Outbox.channel) == row.channel,
                col(Outbox.chat_id) == row.chat_id,
                col(Outbox.status) == OutboxStatus.PENDING.value,
                col(Outbox.id) != row.id,
                col(Outbox.not_before) < until,
            )
            .values(not_before=until)
            .execution_options(synchronize_session=False)
        )


def _backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def _handle_blocked(engine: Engine, row: Outbox, worker_id: str, now: datetime, tz: ZoneInfo, error: str) -> bool:
    """The row fails; every active contact of that chat is deactivated ("blocked"), its other
    pending rows dropped, and each coordinator gets a notice. Returns False if the lease was lost."""
    with session_scope(engine, write=True) as session:
        result: Any = session.exec(
            update(Outbox)
            .where(_mine(row, worker_id))
            .values(
                status=OutboxStatus.FAILED.value,
                attempts=row.attempts + 1,
                last_error=f"blocked: {error}"[:2000],
                lease_until=None,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return False
        contacts = session.exec(
            select(Contact)
            .where(Contact.channel == row.channel, Contact.chat_id == row.chat_id, col(Contact.active).is_(True))
            .order_by(col(Contact.id))
        ).all()
        deactivated: list[Contact] = []
        for contact in contacts:
            flipped: Any = session.exec(
                update(Contact)
                .where(col(Contact.id) == contact.id, col(Contact.active).is_(True))
                .values(active=False, deactivated_at=now, deactivated_reason="blocked")
                .execution_options(synchronize_session=False)
            )
            if flipped.rowcount == 1:
                deactivated.append(contact)
        dropped: Any = session.exec(
            update(Outbox)
            .where(
                col(Outbox.channel) == row.channel,
                col(Outbox.chat_id) == row.chat_id,
                col(Outbox.status) == OutboxStatus.PENDING.value,
            )
            .values(status=OutboxStatus.DROPPED.value, last_error="the user blocked the bot")
            .execution_options(synchronize_session=False)
        )
        if not deactivated:
            return True
        log.warning(
            "chat %s:%s blocked the bot; %d contact(s) deactivated, %d pending row(s) dropped",
            row.channel, row.chat_id, len(deactivated), dropped.rowcount,
        )
        for contact in deactivated:
            audit(
                session,
                f"dispatcher:{worker_id}"[:128],
                "contact.blocked",
                f"contact:{contact.id}",
                {"agency_id": contact.agency_id, "chat_id": contact.chat_id, "outbox_key": row.key},
                at=now,
            )
        agencies = [_agency_name(session, c.agency_id) for c in deactivated]
        person = next((c.display_name for c in deactivated if c.display_name), None)
        first = deactivated[0]
        assert first.id is not None
        coordinators = [c for c in _coordinators(session) if (c.channel, c.chat_id) != (row.channel, row.chat_id)]
        if not coordinators:
            log.warning("no active coordinator to tell that chat %s blocked the bot", row.chat_id)
        for coordinator in coordinators:
            assert coordinator.id is not None
            enqueue_outbox(
                session,
                OutboxCreate(
                    key=blocked_key(first.id, coordinator.id, now),
                    channel=coordinator.channel,
                    chat_id=coordinator.chat_id,
                    contact_id=coordinator.id,
                    kind=NOTICE,
                    payload={
                        "message": content.blocked_notice_message(
                            person=person,
                            agencies=agencies,
                            at=now.astimezone(tz),
                            recipient_name=coordinator.display_name,
                            t=translator(coordinator.language),
                        ).to_json(),
                        "blocked_contact_ids": [c.id for c in deactivated],
                    },
                    not_before=now,
                ),
                now=now,
            )
        return True


def _agency_name(session: Session, agency_id: str) -> str:
    from storage.models import Agency

    agency = session.get(Agency, agency_id)
    return agency.name if agency is not None else agency_id


class _Channels:
    """Each channel's sender and pacer; one send in flight per channel (the duplicate bound)."""

    def __init__(self, senders: Mapping[str, Sender], pacers: Mapping[str, Pacer] | None) -> None:
        self.senders = dict(senders)
        self.pacers = {name: (pacers or {}).get(name) or Pacer() for name in self.senders}
        self.gates = {name: asyncio.Lock() for name in self.senders}


async def dispatch_once(
    engine: Engine,
    senders: Mapping[str, Sender],
    clock: Clock,
    *,
    worker_id: str,
    limit: int = DEFAULT_BATCH,
    lease: timedelta = DEFAULT_LEASE,
    pacers: Mapping[str, Pacer] | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    tz: ZoneInfo | str = "Asia/Ho_Chi_Minh",
    _channels: _Channels | None = None,
    answers_waiting: Callable[[], bool] | None = None,
) -> DispatchStats:
    """Claim one batch of due rows of the channels in ``senders`` and send them; every
    outcome is written right after its send. When ``answers_waiting()`` turns true during a
    batch of reminders (somebody was answered meanwhile), the batch's unsent reminders go back
    and the round ends, so that the next claim takes the answers first.

    - sent → ``sent``, ``sent_at``, ``message_id`` (and an ``outbox_message`` row);
    - :class:`RetryLater` → back to ``pending`` with ``not_before = now + retry_after``
      (attempt counted, never failed for it), the chat's other due rows behind it;
    - :class:`Blocked` → ``failed``; the chat's contacts deactivated ("blocked"), coordinators
      told (kind ``notice``);
    - :class:`TransientError` (or any other exception) → ``pending`` with exponential backoff,
      ``failed`` after ``max_attempts``.

    Channels send in parallel, each one message at a time through its pacer.
    """
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    channels = _channels or _Channels(senders, pacers)
    rows, more = await asyncio.to_thread(
        claim_batch, engine, worker_id=worker_id, now=clock.now(), limit=limit, lease=lease, channels=list(channels.senders)
    )
    stats = DispatchStats(claimed=len(rows))
    stats.more = int(more)
    if not rows:
        return stats
    by_channel: dict[str, list[Outbox]] = defaultdict(list)
    for row in rows:
        by_channel[row.channel].append(row)

    async def release(row: Outbox, reason: str, not_before: datetime | None = None) -> None:
        values: dict[str, Any] = {"status": OutboxStatus.PENDING.value, "claimed_by": None, "lease_until": None}
        if not_before is not None:
            values["not_before"] = not_before
        if await asyncio.to_thread(_outcome, engine, row, worker_id, **values):
            stats.released += 1
            log.info("outbox %s released: %s", row.key, reason)

    async def one(row: Outbox, sender: Sender, pacer: Pacer) -> None:
        assert row.lease_until is not None
        if clock.now() >= row.lease_until - LEASE_MARGIN:
            await release(row, "lease nearly over")
            return
        # An answer goes out as soon as it can: one person waiting is not a fan-out.
        await pacer.wait(f"{row.channel}:{row.chat_id}", per_chat=row.priority != OutboxPriority.ANSWER)

        async def progress(part: int, message_id: str) -> None:
            ok = await _after_send(
                _outcome, engine, row, worker_id, sent_part=(part, str(message_id), clock.now()), parts_sent=part + 1
            )
            if not ok:
                raise _LostLease()
            row.parts_sent = part + 1

        try:
            message_id = await sender.send(row, progress)
        except _LostLease:
            stats.lost_lease += 1
            return
        except RetryLater as exc:
            now = clock.now()
            wait = timedelta(seconds=max(exc.seconds, 1.0))
            ok = await asyncio.to_thread(
                _outcome, engine, row, worker_id,
                status=OutboxStatus.PENDING.value, not_before=now + wait, attempts=row.attempts + 1,
                claimed_by=None, lease_until=None, last_error=f"rate limited: retry after {exc.seconds:g} s",
            )
            if ok:
                stats.retried += 1
                await asyncio.to_thread(_postpone_chat, engine, row, now + wait)
                log.info("outbox %s rate-limited; again after %s", row.key, wait)
            else:
                stats.lost_lease += 1
            return
        except Rejected as exc:
            ok = await asyncio.to_thread(
                _outcome, engine, row, worker_id,
                status=OutboxStatus.FAILED.value, attempts=row.attempts + 1, lease_until=None,
                last_error=f"rejected: {exc}"[:2000],
            )
            if ok:
                stats.failed += 1
                log.error("outbox %s rejected by the channel: %s", row.key, exc)
            else:
                stats.lost_lease += 1
            return
        except Blocked as exc:
            now = clock.now()
            if await asyncio.to_thread(_handle_blocked, engine, row, worker_id, now, zone, str(exc) or "blocked"):
                stats.failed += 1
                stats.blocked += 1
            else:
                stats.lost_lease += 1
            return
        except asyncio.CancelledError:
            # Unknown whether it went out: leave it to the lease (at least once).
            raise
        except Exception as exc:  # noqa: BLE001 - TransientError and anything unexpected
            now = clock.now()
            attempts = row.attempts + 1
            error = f"{type(exc).__name__}: {exc}"[:2000]
            if isinstance(exc, TransientError):
                log.warning("outbox %s: transient error (attempt %d): %s", row.key, attempts, error)
            else:
                log.exception("outbox %s: unexpected error from the sender (attempt %d)", row.key, attempts)
            if attempts >= max_attempts:
                ok = await asyncio.to_thread(
                    _outcome, engine, row, worker_id,
                    status=OutboxStatus.FAILED.value, attempts=attempts, lease_until=None, last_error=error,
                )
                if ok:
                    stats.failed += 1
                    log.error("outbox %s failed after %d attempts: %s", row.key, attempts, error)
                else:
                    stats.lost_lease += 1
            else:
                until = now + _backoff(attempts)
                ok = await asyncio.to_thread(
                    _outcome, engine, row, worker_id,
                    status=OutboxStatus.PENDING.value, not_before=until, attempts=attempts,
                    claimed_by=None, lease_until=None, last_error=error,
                )
                if ok:
                    stats.transient += 1
                    await asyncio.to_thread(_postpone_chat, engine, row, until)
                else:
                    stats.lost_lease += 1
            return
        now = clock.now()
        ok = await _after_send(
            _outcome, engine, row, worker_id,
            sent_part=(row.parts_sent, str(message_id), now) if message_id else None,
            status=OutboxStatus.SENT.value, sent_at=now, message_id=str(message_id)[:64] if message_id else None,
            attempts=row.attempts + 1,
            lease_until=None, last_error=None,
        )
        if ok:
            stats.sent += 1
        else:
            stats.lost_lease += 1
            log.warning("outbox %s sent, but its lease had passed to another worker", row.key)

    async def channel(name: str, rows_: list[Outbox]) -> None:
        pacer = channels.pacers[name]
        # One row per chat: the chats whose next slot comes first go first, so that a chat
        # still inside its per-chat interval does not hold up the others.
        rows_ = sorted(rows_, key=lambda r: (r.priority, pacer.ready_at(f"{r.channel}:{r.chat_id}")))
        async with channels.gates[name]:
            for index, row in enumerate(rows_):
                if row.priority != OutboxPriority.ANSWER and answers_waiting is not None and answers_waiting():
                    for rest in rows_[index:]:
                        await release(rest, "answers are waiting")
                    stats.more = 1
                    return
                await one(row, channels.senders[name], pacer)

    await asyncio.gather(*(channel(name, group) for name, group in by_channel.items()))
    return stats


class _LostLease(Exception):
    pass



# --- one tick ----------------------------------------------------------------------------


def _as_plans(plans: Plans | Plan) -> Plans:
    return plans if isinstance(plans, Plans) else Plans([plans])


async def tick(
    engine: Engine,
    plans: Plans | Plan,
    cal: WorkingCalendar,
    senders: Mapping[str, Sender],
    clock: Clock,
    *,
    worker_id: str,
    tz: ZoneInfo | str | None = None,
    office_hours: tuple[time, time] = DEFAULT_OFFICE_HOURS,
    limit: int = DEFAULT_BATCH,
    max_rounds: int = 200,
    pacers: Mapping[str, Pacer] | None = None,
    sync: bool = False,
    force_sync: bool = False,
    only: Collection[str] | None = None,
) -> TickReport:
    """Plan (after syncing the plans, with ``sync``: only those whose inputs changed since
    their last sync, every one with ``force_sync``), then send until nothing is due (at most
    ``max_rounds`` batches). What ``baocao tick`` calls; run it as often as you like, from as
    many processes as you like."""
    catalogue = _as_plans(plans)
    zone = catalogue.default.zone(tz)
    planned = await asyncio.to_thread(
        sync_and_plan, engine, catalogue, cal, clock.now(), tz=zone, office_hours=office_hours, sync=sync,
        force=force_sync, only=only,
    )
    total, rounds = await drain(
        engine, senders, clock, worker_id=worker_id, limit=limit, max_rounds=max_rounds, pacers=pacers, tz=zone
    )
    if planned.enqueued or total.claimed:
        log.info("tick %s: planned %s, dispatched %s", worker_id, planned.as_dict(), total.as_dict())
    return TickReport(enqueue=planned, dispatch=total, rounds=rounds)


async def drain(
    engine: Engine,
    senders: Mapping[str, Sender],
    clock: Clock,
    *,
    worker_id: str,
    limit: int = DEFAULT_BATCH,
    max_rounds: int = 200,
    pacers: Mapping[str, Pacer] | None = None,
    tz: ZoneInfo | str = "Asia/Ho_Chi_Minh",
    channels: _Channels | None = None,
    answers_waiting: Callable[[], bool] | None = None,
) -> tuple[DispatchStats, int]:
    """Send batches until nothing is due (at most ``max_rounds``); the stats and the rounds.
    A batch that took every due row it saw ends the drain (no empty claim to find that out)."""
    channels = channels or _Channels(senders, pacers)
    total = DispatchStats()
    rounds = 0
    while rounds < max_rounds:
        rounds += 1
        batch = await dispatch_once(
            engine, senders, clock, worker_id=worker_id, limit=limit, tz=tz, _channels=channels,
            answers_waiting=answers_waiting,
        )
        total += batch
        # Rows that became due during the batch: retries, released ones, notices about a block.
        retry_due = batch.retried or batch.transient or batch.released or batch.blocked
        if batch.claimed == 0 or not (batch.more or retry_due):
            break
    return total, rounds


class Dispatcher:
    """The long-running sender of one process: drains the outbox whenever it is woken (an
    answer was queued) and at least every ``interval`` seconds (rows queued by others,
    retries coming due)."""

    def __init__(
        self,
        engine: Engine,
        senders: Mapping[str, Sender],
        clock: Clock,
        *,
        worker_id: str,
        pacers: Mapping[str, Pacer] | None = None,
        tz: ZoneInfo | str = "Asia/Ho_Chi_Minh",
        interval: float = 2.0,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.engine = engine
        self.senders = dict(senders)
        self.clock = clock
        self.worker_id = worker_id
        self.tz = tz
        self.interval = interval
        self.channels = _Channels(self.senders, pacers)
        self.on_error = on_error
        self._wake = asyncio.Event()
        self._answers = asyncio.Event()
        self.stats = DispatchStats()

    def wake(self, *, answers: bool = False) -> None:
        """Send what is due now; ``answers``: somebody is waiting for one (it goes before the
        rest of a batch of reminders)."""
        if answers:
            self._answers.set()
        self._wake.set()

    async def run_once(self) -> DispatchStats:
        self._answers.clear()
        batch, _ = await drain(
            self.engine, self.senders, self.clock, worker_id=self.worker_id, tz=self.tz, channels=self.channels,
            answers_waiting=self._take_answers,
        )
        self.stats += batch
        return batch

    def _take_answers(self) -> bool:
        if self._answers.is_set():
            self._answers.clear()
            return True
        return False

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self._wake.clear()
            try:
                await self.run_once()
            except Exception as exc:  # noqa: BLE001 - a storage outage must not end the loop
                if self.on_error is not None:
                    self.on_error(exc)
                else:
                    log.warning("dispatch round failed: %s", exc)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
            except TimeoutError:
                pass


__all__ = [
    "ANSWER",
    "DEFAULT_LEASE",
    "DEFAULT_OFFICE_HOURS",
    "DIGEST",
    "NOTICE",
    "NUDGE",
    "REMINDER",
    "RETURN",
    "Blocked",
    "Dispatcher",
    "DispatchStats",
    "EnqueueStats",
    "OfficeHours",
    "Pacer",
    "Progress",
    "Rejected",
    "RetryLater",
    "SendError",
    "Sender",
    "TickReport",
    "TransientError",
    "blocked_key",
    "claim",
    "digest_key",
    "dispatch_once",
    "due_of",
    "drain",
    "lock_planning",
    "plan_reminders",
    "planning_fingerprint",
    "reminder_key",
    "return_key",
    "sync_and_plan",
    "sync_plan",
    "sync_plans",
    "tick",
]
