"""Small query helpers. Each takes the session explicitly and never commits: the caller owns
the transaction (``with session_scope(engine) as session: ...``).

Times are passed in (``now=``/``at=``, aware) because time is injected everywhere; when left
out, the system clock is used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from common import tasks
from common.clock import SystemClock
from storage.models import (
    Agency,
    AgencyIn,
    AuditLog,
    Inbox,
    InboxCreate,
    Obligation,
    Outbox,
    OutboxCreate,
    OutboxStatus,
    Report,
    ReportCreate,
    ReportEntry,
    ReportEntryIn,
    ReportSource,
)

DEFAULT_TZ = "Asia/Ho_Chi_Minh"

_Row = TypeVar("_Row", bound=SQLModel)


def _now(value: datetime | None) -> datetime:
    return SystemClock().now() if value is None else value


task_sort_key = tasks.sort_key


def _insert_once(session: Session, row: _Row, find: Callable[[], _Row | None]) -> tuple[_Row, bool]:
    """Insert ``row`` unless a row with the same unique key exists; return (row, created).

    The look-up first handles the common case (a redelivered update) without an error; the
    SAVEPOINT handles the race where another process inserts between look-up and insert, so
    the unique violation undoes only this insert, not the caller's transaction.
    """
    existing = find()
    if existing is not None:
        return existing, False
    session.flush()  # so that an error below can only come from this row
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        existing = find()
        if existing is None:
            raise
        return existing, False
    return row, True


# --- directory ---------------------------------------------------------------------------


class UpsertResult(NamedTuple):
    inserted: list[str]
    updated: list[str]
    unchanged: list[str]


_AGENCY_FIELDS = tuple(AgencyIn.model_fields)


def upsert_agencies(
    session: Session,
    agencies: Iterable[AgencyIn | Mapping[str, Any]],
    *,
    now: datetime | None = None,
) -> UpsertResult:
    """Copy the plan's agency directory into the database (insert new, update changed).

    Agencies missing from ``agencies`` are left alone: reports and contacts refer to them, and
    an agency that leaves the directory is ended with ``valid_to``, not deleted.
    """
    at = _now(now)
    items = [AgencyIn.model_validate(agency) for agency in agencies]
    by_id: dict[str, AgencyIn] = {}
    for item in items:
        if item.id in by_id:
            raise ValueError(f"agency {item.id!r} is listed twice")
        by_id[item.id] = item

    result = UpsertResult([], [], [])
    for item in _parents_first(by_id):
        row = session.get(Agency, item.id)
        if row is None:
            session.add(Agency.model_validate(item, update={"updated_at": at}))
            result.inserted.append(item.id)
        else:
            changed = [name for name in _AGENCY_FIELDS if getattr(row, name) != getattr(item, name)]
            for name in changed:
                setattr(row, name, getattr(item, name))
            if changed:
                row.updated_at = at
                result.updated.append(item.id)
            else:
                result.unchanged.append(item.id)
        # Flush per row so that a child's foreign key finds a parent inserted just before it.
        session.flush()
    return result


def _parents_first(by_id: dict[str, AgencyIn]) -> list[AgencyIn]:
    ordered: list[AgencyIn] = []
    state: dict[str, str] = {}  # "visiting" | "done"

    def visit(agency_id: str) -> None:
        if state.get(agency_id) == "done":
            return
        if state.get(agency_id) == "visiting":
            raise ValueError(f"agency hierarchy has a cycle through {agency_id!r}")
        state[agency_id] = "visiting"
        parent = by_id[agency_id].parent_id
        if parent is not None and parent in by_id:
            visit(parent)
        state[agency_id] = "done"
        ordered.append(by_id[agency_id])

    for agency_id in by_id:
        visit(agency_id)
    return ordered


# --- reports -----------------------------------------------------------------------------


def add_report(
    session: Session,
    obligation_id: int,
    entries: Sequence[ReportEntryIn | Mapping[str, Any]],
    *,
    source: ReportSource | str,
    submitted_at: datetime,
    channel: str | None = None,
    raw_text: str = "",
    contact_id: int | None = None,
    inbox_id: int | None = None,
    late: bool | None = None,
    tz: str = DEFAULT_TZ,
    general_text: str | None = None,
    general_difficulty: bool = False,
) -> Report:
    """Store one submission and one new revision per task it mentions.

    A correction is simply a later submission: each entry becomes revision n+1 of its task and
    points at the revision it supersedes; earlier rows are never updated. ``late`` defaults to
    "submitted (in local time ``tz``) after the obligation's due date" (its extended due date
    when Sở Tư pháp approved an extension; earlier revisions keep the flag they were given).

    Two submissions for the same task racing each other make the second one fail with
    ``IntegrityError`` (unique obligation/task/revision); the caller may retry.

    ``general_text``: the part of the report that names no task ("Khó khăn, vướng mắc: …"),
    the agency's for the period; ``general_difficulty``: whether it states an obstacle.
    """
    obligation = session.get(Obligation, obligation_id)
    if obligation is None:
        raise LookupError(f"obligation {obligation_id} does not exist")
    items = [ReportEntryIn.model_validate(entry) for entry in entries]
    numbers = [item.task_no for item in items]
    if len(set(numbers)) != len(numbers):
        raise ValueError("a report mentions the same task twice")
    assigned = {task["no"] for task in obligation.tasks}
    # A sub-item ("1a") may be reported on its own when its task ("1") is assigned.
    unknown = tasks.sorted_refs(n for n in set(numbers) if not tasks.covers(assigned, n))
    if unknown:
        raise ValueError(
            f"obligation {obligation_id} ({obligation.agency_id}, {obligation.period}) has no task {', '.join(unknown)}"
        )

    data = ReportCreate(
        obligation_id=obligation_id,
        contact_id=contact_id,
        inbox_id=inbox_id,
        raw_text=raw_text,
        source=ReportSource(source),
        channel=channel,
        submitted_at=submitted_at,
        general_text=general_text or None,
        general_difficulty=general_difficulty,
    )
    if late is None:
        # An approved extension (gia hạn) moves the agency's own due date.
        late = data.submitted_at.astimezone(ZoneInfo(tz)).date() > (obligation.extended_due or obligation.due)
    report = Report.model_validate(data, update={"late": late})
    session.add(report)
    session.flush()

    previous = _latest_for(session, obligation_id, numbers)
    for item in items:
        before = previous.get(item.task_no)
        session.add(
            ReportEntry.model_validate(
                item,
                update={
                    "report_id": report.id,
                    "obligation_id": obligation_id,
                    "revision": 1 if before is None else before.revision + 1,
                    "supersedes_id": None if before is None else before.id,
                    "submitted_at": report.submitted_at,
                    "late": late,
                },
            )
        )
    session.flush()
    return report


def _latest_for(
    session: Session, obligation_id: int, task_numbers: Iterable[str] | None = None
) -> dict[str, ReportEntry]:
    newest = select(ReportEntry.task_no, func.max(ReportEntry.revision).label("revision")).where(
        ReportEntry.obligation_id == obligation_id
    )
    if task_numbers is not None:
        newest = newest.where(ReportEntry.task_no.in_(list(task_numbers)))  # type: ignore[attr-defined]
    newest_sq = newest.group_by(ReportEntry.task_no).subquery()
    statement = (
        select(ReportEntry)
        .join(
            newest_sq,
            and_(ReportEntry.task_no == newest_sq.c.task_no, ReportEntry.revision == newest_sq.c.revision),
        )
        .where(ReportEntry.obligation_id == obligation_id)
    )
    rows = session.exec(statement).all()
    return {row.task_no: row for row in sorted(rows, key=lambda row: task_sort_key(row.task_no))}


def latest_entries(session: Session, obligation_id: int) -> dict[str, ReportEntry]:
    """The current answer per task of an obligation: ``{task_no: latest revision}``, in task order."""
    return _latest_for(session, obligation_id)


def reported_refs(session: Session, obligation_ids: Sequence[int]) -> dict[int, set[str]]:
    """The task references with at least one entry, per obligation (a sub-item also marks its
    task as reported: :func:`common.tasks.reported_refs`)."""
    out: dict[int, set[str]] = {}
    ids = list(obligation_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = session.exec(
            select(ReportEntry.obligation_id, ReportEntry.task_no)
            .where(ReportEntry.obligation_id.in_(chunk))  # type: ignore[attr-defined]
            .distinct()
        ).all()
        for obligation_id, task_no in rows:
            out.setdefault(obligation_id, set()).add(task_no)
    return {key: tasks.reported_refs(refs) for key, refs in out.items()}


def missing_tasks(session: Session, obligation: Obligation) -> list[str]:
    """The obligation's tasks that have no entry yet, in the obligation's order."""
    assert obligation.id is not None
    done = reported_refs(session, [obligation.id]).get(obligation.id, set())
    return tasks.missing([task["no"] for task in obligation.tasks], done)


# --- inbox / outbox ----------------------------------------------------------------------


def record_inbound(
    session: Session,
    channel: str,
    update_id: str | int,
    *,
    chat_id: str | int | None = None,
    user_id: str | int | None = None,
    payload: Mapping[str, Any] | None = None,
    received_at: datetime | None = None,
) -> tuple[Inbox, bool]:
    """Store an inbound update once; return ``(row, created)``.

    A redelivered update (same channel and update id) returns the stored row with
    ``created=False``, so the caller can skip acting on it again.
    """
    data = InboxCreate(
        channel=channel,
        update_id=str(update_id),
        chat_id=None if chat_id is None else str(chat_id),
        user_id=None if user_id is None else str(user_id),
        payload=dict(payload or {}),
        received_at=_now(received_at),
    )

    def find() -> Inbox | None:
        statement = select(Inbox).where(Inbox.channel == data.channel, Inbox.update_id == data.update_id)
        return session.exec(statement).first()

    return _insert_once(session, Inbox.model_validate(data), find)


def enqueue_outbox(
    session: Session,
    item: OutboxCreate | Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> tuple[Outbox, bool]:
    """Queue a message once per ``key``; return ``(row, created)``.

    Re-running the scheduler over the same obligations therefore never queues a reminder twice.
    """
    data = OutboxCreate.model_validate(item)

    def find() -> Outbox | None:
        return session.exec(select(Outbox).where(Outbox.key == data.key)).first()

    return _insert_once(session, Outbox.model_validate(data, update={"created_at": _now(now)}), find)


# --- audit -------------------------------------------------------------------------------


def record_sent(
    session: Session,
    *,
    key: str,
    channel: str,
    chat_id: str,
    message_id: str,
    kind: str,
    now: datetime,
    obligation_id: int | None = None,
    contact_id: int | None = None,
    payload: Mapping[str, Any] | None = None,
) -> Outbox:
    """Record a message that was sent directly (not through the dispatcher), so that a reply
    to it is attributed like a reply to a reminder (by channel, chat and message id)."""
    row, _ = enqueue_outbox(
        session,
        OutboxCreate(
            key=key,
            obligation_id=obligation_id,
            channel=channel,
            chat_id=chat_id,
            contact_id=contact_id,
            kind=kind,
            payload=dict(payload or {}),
            not_before=now,
        ),
        now=now,
    )
    row.status, row.sent_at, row.message_id, row.attempts = OutboxStatus.SENT, now, message_id, 1
    session.add(row)
    return row


def audit(
    session: Session,
    actor: str,
    action: str,
    target: str | None = None,
    detail: Mapping[str, Any] | None = None,
    *,
    at: datetime | None = None,
) -> AuditLog:
    """Record who did what to what. ``detail`` must be JSON-serialisable."""
    row = AuditLog(
        actor=actor, action=action, target=target, detail=None if detail is None else dict(detail), at=_now(at)
    )
    session.add(row)
    session.flush()
    return row
