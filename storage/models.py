"""The tables.

Each table model sits next to the non-table model that validates its input: SQLModel skips
validation in a ``table=True`` model's ``__init__``, so code that builds rows from outside data
(the plan, a chat message) validates with the ``…In``/``…Create`` model first and then builds
the row with ``Table.model_validate(data, update={...})``, which does validate.

Statuses are plain strings in the database (a new status must not need a PostgreSQL ``ALTER
TYPE``); the allowed values are the ``StrEnum``\\ s below, enforced by the input models.

Timestamps are :class:`~storage.types.UTCDateTime` (aware UTC in, aware UTC out) and have no
defaults: time is injected (``Clock``), so callers pass ``now`` explicitly. JSON columns are
``sa.JSON`` (JSON on PostgreSQL, text on SQLite); in-place mutation of a loaded dict is not
tracked, so assign a new value to change one.

``import sqlmodel`` of this module registers the tables on ``SQLModel.metadata``, which is what
Alembic compares against.
"""

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, ConfigDict, field_validator, model_validator
from sqlalchemy import JSON, CheckConstraint, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel
from typing_extensions import TypedDict

from storage.types import UTCDateTime

# Set before any table is declared: constraint names are computed when a constraint is attached.
# Explicit names let Alembic drop/alter constraints later (SQLite batch mode needs them).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION

metadata = SQLModel.metadata

_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_PERIOD = re.compile(r"^\d{4}-[0-9A-Za-z]+$")


# --- enums -------------------------------------------------------------------------------


# A channel is named by its module (``bot/channels/<name>.py``); storage only checks the shape.
CHANNEL_NAME = re.compile(r"^[a-z][a-z0-9_]{1,15}$")


def check_channel(value: str) -> str:
    if not isinstance(value, str) or not CHANNEL_NAME.match(value):
        raise ValueError(f"channel must be a short lowercase name, got {value!r}")
    return value


class ContactRole(StrEnum):
    FOCAL = "focal"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class ObligationStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class ReportSource(StrEnum):
    CHAT = "chat"  # a focal point's message; the channel is in ``Report.channel``
    CLI = "cli"
    IMPORT = "import"


class EntryStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_ARISEN = "not_arisen"  # "không phát sinh": nothing to do this period


class OutboxPriority:
    """Claim order: answers to a person who is waiting go before reminders and digests."""

    ANSWER = 0
    BULK = 1


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"


class InboxStatus(StrEnum):
    RECEIVED = "received"
    PROCESSED = "processed"
    FAILED = "failed"
    IGNORED = "ignored"


def _enum_column(length: int = 16) -> Any:
    return String(length)


# --- agency ------------------------------------------------------------------------------


class AgencyIn(SQLModel):
    """One agency of the plan's directory (``data/plan.json`` is the source of truth)."""

    id: str = Field(primary_key=True, max_length=128)
    name: str = Field(min_length=1, max_length=255)
    short_name: str | None = Field(default=None, max_length=64)
    kind: str = Field(min_length=1, max_length=32)
    parent_id: str | None = Field(default=None, foreign_key="agency.id", max_length=128)
    valid_from: date | None = None
    valid_to: date | None = None

    @field_validator("id", "parent_id")
    @classmethod
    def _slug(cls, value: str | None) -> str | None:
        if value is not None and not _SLUG.match(value):
            raise ValueError(f"agency id must be a lowercase slug, got {value!r}")
        return value

    @model_validator(mode="after")
    def _validity(self) -> "AgencyIn":
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValueError("valid_from is after valid_to")
        if self.parent_id == self.id:
            raise ValueError("an agency cannot be its own parent")
        return self


class Agency(AgencyIn, table=True):
    __tablename__ = "agency"

    updated_at: datetime = Field(sa_type=UTCDateTime)


# --- contact and invitation --------------------------------------------------------------


class ContactCreate(SQLModel):
    """A chat identity bound to one agency and one role."""

    channel: str = Field(max_length=16, sa_type=_enum_column())
    chat_id: str = Field(min_length=1, max_length=64)
    user_id: str = Field(min_length=1, max_length=64)
    display_name: str | None = Field(default=None, max_length=255)

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        return check_channel(value)
    agency_id: str = Field(foreign_key="agency.id", max_length=128, index=True)
    role: ContactRole = Field(sa_type=_enum_column())
    language: str | None = Field(default=None, max_length=16)


class Contact(ContactCreate, table=True):
    __tablename__ = "contact"
    # A person may be focal point for two agencies, and hold two roles for one (a Sở Tư pháp
    # coordinator who is also its focal point): agency and role are part of the identity.
    __table_args__ = (UniqueConstraint("channel", "user_id", "agency_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)
    deactivated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    deactivated_reason: str | None = Field(default=None, max_length=255)


class InvitationCreate(SQLModel):
    agency_id: str = Field(foreign_key="agency.id", max_length=128)
    role: ContactRole = Field(sa_type=_enum_column())
    created_by: str = Field(min_length=1, max_length=128)
    expires_at: AwareDatetime = Field(sa_type=UTCDateTime)


class Invitation(InvitationCreate, table=True):
    __tablename__ = "invitation"

    id: int | None = Field(default=None, primary_key=True)
    # Only a hash is kept: a leaked database must not hand out working invitation codes.
    code_hash: str = Field(max_length=128, unique=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    used_by_contact_id: int | None = Field(default=None, foreign_key="contact.id")
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --- obligation --------------------------------------------------------------------------


class TaskRef(TypedDict):
    """A task an agency must report on in a period, e.g. ``{"no": "4", "role": "lead"}``."""

    __pydantic_config__ = ConfigDict(extra="allow")  # type: ignore[misc]

    no: str
    role: str


class ObligationCreate(SQLModel):
    """What one agency owes for one period of one plan."""

    plan_id: str = Field(min_length=1, max_length=64)
    agency_id: str = Field(foreign_key="agency.id", max_length=128, index=True)
    period: str = Field(max_length=16)
    cutoff_from: date
    cutoff_to: date
    due: date
    consolidation_due: date
    tasks: list[TaskRef] = Field(default_factory=list, sa_type=JSON)
    status: ObligationStatus = Field(default=ObligationStatus.ACTIVE, sa_type=_enum_column())

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        if not _PERIOD.match(value):
            raise ValueError(f"period must look like 2024-Q1, got {value!r}")
        return value

    @field_validator("tasks")
    @classmethod
    def _tasks(cls, value: list[TaskRef]) -> list[TaskRef]:
        numbers = [task["no"] for task in value]
        if any(not no.strip() for no in numbers):
            raise ValueError("task numbers must not be empty")
        if len(set(numbers)) != len(numbers):
            raise ValueError("a task is listed twice")
        return value

    @model_validator(mode="after")
    def _dates(self) -> "ObligationCreate":
        if self.cutoff_from > self.cutoff_to:
            raise ValueError("cutoff_from is after cutoff_to")
        if self.due > self.consolidation_due:
            raise ValueError("due is after consolidation_due")
        return self


class Obligation(ObligationCreate, table=True):
    __tablename__ = "obligation"
    __table_args__ = (
        UniqueConstraint("plan_id", "agency_id", "period"),
        # The planning stamp's aggregates over a plan's obligations, from the index alone.
        Index(None, "plan_id", "status", "extended_due", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # An approved extension (gia hạn): the agency's own due date for the period; the plan's
    # sync never touches it.
    extended_due: date | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)



class PlanSync(SQLModel, table=True):
    """What the last sync of a plan into ``agency``/``obligation`` was made from, one row per
    plan id: the fingerprint covers the plan's content, the working-day calendar, the years
    synced, the year of the sync and the sync code's version (``scheduler.sync``). A sync
    whose inputs have the same fingerprint is skipped; the row is written in the sync's own
    transaction, under the planning lock."""

    __tablename__ = "plan_sync"

    plan_id: str = Field(primary_key=True, min_length=1, max_length=64)
    fingerprint: str = Field(max_length=64)  # sha256 hex of everything below and more
    plan_hash: str = Field(max_length=64)
    calendar_hash: str = Field(max_length=64)
    years: str = Field(max_length=255)  # "2024,2025"
    code_version: int
    synced_at: datetime = Field(sa_type=UTCDateTime)


class PlanningStamp(SQLModel, table=True):
    """What the last planning pass of a plan that changed nothing saw, one row per plan id
    (``scheduler.dispatch``): the fingerprint of every input planning reads (the plan, the
    calendar, the settings, the active contacts, the obligations, the reports and reviews, the
    plan's rows in the outbox) and ``next_change_at``, the first moment at which the rows
    planning wants can change by the clock alone. A pass with the same fingerprint at a moment
    in ``[planned_at, next_change_at)`` would change nothing and is skipped. Written in the
    planning's transaction, under the planning lock; ``fingerprint`` is empty after a pass that
    changed the outbox (the next tick plans again)."""

    __tablename__ = "planning_stamp"

    plan_id: str = Field(primary_key=True, min_length=1, max_length=64)
    fingerprint: str = Field(max_length=64)
    planned_at: datetime = Field(sa_type=UTCDateTime)
    next_change_at: datetime = Field(sa_type=UTCDateTime)


# --- reports -----------------------------------------------------------------------------


class ReportCreate(SQLModel):
    """One submission (a message, a CLI entry); its per-task content is in ``report_entry``."""

    obligation_id: int = Field(foreign_key="obligation.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    inbox_id: int | None = Field(default=None, foreign_key="inbox.id")
    raw_text: str = Field(default="", sa_type=Text)
    source: ReportSource = Field(sa_type=_enum_column())
    channel: str | None = Field(default=None, max_length=16)  # for source "chat"
    submitted_at: AwareDatetime = Field(sa_type=UTCDateTime)
    # The report's general part ("Khó khăn, vướng mắc", "Kiến nghị" naming no task): the
    # agency's for the period as a whole, not any one task's.
    general_text: str | None = Field(default=None, sa_type=Text)
    general_difficulty: bool = False


class Report(ReportCreate, table=True):
    __tablename__ = "report"

    id: int | None = Field(default=None, primary_key=True)
    late: bool = False


class ReportEntryIn(SQLModel):
    """What a reply says about one task (the parser's output)."""

    task_no: str = Field(min_length=1, max_length=16)
    status: EntryStatus | None = Field(default=None, sa_type=_enum_column())
    percent: int | None = Field(default=None, ge=0, le=100)
    difficulty: bool = False
    text: str = Field(default="", sa_type=Text)
    # Counts with their unit in the entry's text ("12/15 hội nghị"): [{value, total, unit, text}]
    figures: list[dict[str, Any]] | None = Field(default=None, sa_type=JSON)


class ReportEntry(ReportEntryIn, table=True):
    """One revision of an agency's answer on one task; a correction is a new revision row."""

    __tablename__ = "report_entry"
    __table_args__ = (
        UniqueConstraint("obligation_id", "task_no", "revision"),
        CheckConstraint("percent IS NULL OR (percent >= 0 AND percent <= 100)", name="percent_range"),
        CheckConstraint("revision >= 1", name="revision_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    obligation_id: int = Field(foreign_key="obligation.id")
    revision: int = 1
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    late: bool = False
    supersedes_id: int | None = Field(default=None, foreign_key="report_entry.id")


class EvidenceCreate(SQLModel):
    """A file (minh chứng) a focal point sent to back a report.

    baocao keeps the bytes itself (``sha256`` in the file store, ``storage.files``): a channel's
    own reference (``file_id``) stops working when a token changes. A file sent before its report
    waits with no ``report_id`` and is attached to the report confirmed next."""

    report_id: int | None = Field(default=None, foreign_key="report.id", index=True)
    obligation_id: int | None = Field(default=None, foreign_key="obligation.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    inbox_id: int | None = Field(default=None, foreign_key="inbox.id")
    channel: str = Field(max_length=16, sa_type=_enum_column())
    kind: str = Field(min_length=1, max_length=16)  # "document" | "photo"
    # The channel's own file reference (kept for the record; the bytes are in the file store).
    file_id: str = Field(min_length=1, max_length=255)
    filename: str | None = Field(default=None, max_length=255)
    caption: str | None = Field(default=None, sa_type=Text)
    sha256: str | None = Field(default=None, max_length=64)
    size: int | None = None
    mime: str | None = Field(default=None, max_length=128)
    task_no: str | None = Field(default=None, max_length=16)
    received_at: AwareDatetime = Field(sa_type=UTCDateTime)


class Evidence(EvidenceCreate, table=True):
    __tablename__ = "evidence"

    id: int | None = Field(default=None, primary_key=True)


# --- Sở Tư pháp's decisions: review of a report, extensions ---------------------------------


class ReviewDecision(StrEnum):
    ACCEPTED = "accepted"  # tiếp nhận
    RETURNED = "returned"  # yêu cầu bổ sung


class Review(SQLModel, table=True):
    """A coordinator's decision on an agency's report for a period; the latest one stands."""

    __tablename__ = "review"

    id: int | None = Field(default=None, primary_key=True)
    obligation_id: int = Field(foreign_key="obligation.id", index=True)
    decision: str = Field(max_length=16)
    reason: str | None = Field(default=None, sa_type=Text)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    actor: str = Field(max_length=128)
    at: datetime = Field(sa_type=UTCDateTime)


class ExtensionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class Extension(SQLModel, table=True):
    """An agency's request to report later (đề nghị gia hạn), and Sở Tư pháp's answer. An
    approved one moves the agency's due date for that period (``Obligation.extended_due``)."""

    __tablename__ = "extension"

    id: int | None = Field(default=None, primary_key=True)
    obligation_id: int = Field(foreign_key="obligation.id", index=True)
    task_no: str | None = Field(default=None, max_length=16)
    until: date
    text: str = Field(default="", sa_type=Text)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    requested_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default=ExtensionStatus.PENDING, max_length=16)
    decided_by: str | None = Field(default=None, max_length=128)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str | None = Field(default=None, sa_type=Text)


# --- outbox / inbox ----------------------------------------------------------------------


class OutboxCreate(SQLModel):
    """A message to send; ``key`` makes enqueueing idempotent (``rem:12:7:D-1``, ``ans:<inbox id>:0``).

    ``payload["message"]`` is the channel-neutral message (:class:`common.message.Message` as
    JSON); the channel renders it when it sends the row."""

    key: str = Field(min_length=1, max_length=255, unique=True)
    plan_id: str | None = Field(default=None, max_length=64, index=True)
    obligation_id: int | None = Field(default=None, foreign_key="obligation.id", index=True)
    step: str | None = Field(default=None, max_length=32)
    channel: str = Field(max_length=16, sa_type=_enum_column())
    chat_id: str = Field(min_length=1, max_length=64)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    kind: str = Field(min_length=1, max_length=32)
    priority: int = OutboxPriority.BULK
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    not_before: AwareDatetime = Field(sa_type=UTCDateTime)

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        return check_channel(value)


class Outbox(OutboxCreate, table=True):
    __tablename__ = "outbox"
    __table_args__ = (
        # The dispatcher's query: due pending rows, oldest first.
        Index(None, "status", "not_before"),
        # A reply to a reminder is attributed through the message it replies to.
        Index(None, "channel", "chat_id", "message_id"),
        # The planning stamp: a plan's reminder, digest and return rows, the unsent ones.
        Index(None, "plan_id", "kind", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(default=OutboxStatus.PENDING, sa_type=_enum_column())
    attempts: int = 0
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=64)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    message_id: str | None = Field(default=None, max_length=64)  # the last part's
    # A long message goes out in parts; parts already sent are not sent again after a crash.
    parts_sent: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime)


class OutboxMessage(SQLModel, table=True):
    """A message the channel delivered for an outbox row (one per part), so that a reply to
    any part of a reminder or a nudge is attributed to it."""

    __tablename__ = "outbox_message"
    __table_args__ = (UniqueConstraint("channel", "chat_id", "message_id"),)

    id: int | None = Field(default=None, primary_key=True)
    outbox_id: int = Field(foreign_key="outbox.id", index=True)
    channel: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    message_id: str = Field(max_length=64)
    part: int = 0
    sent_at: datetime = Field(sa_type=UTCDateTime)


class InboxCreate(SQLModel):
    """An inbound update as received, stored before it is acted on."""

    channel: str = Field(max_length=16, sa_type=_enum_column())
    update_id: str = Field(min_length=1, max_length=64)
    chat_id: str | None = Field(default=None, max_length=64)
    user_id: str | None = Field(default=None, max_length=64)
    received_at: AwareDatetime = Field(sa_type=UTCDateTime)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class Inbox(InboxCreate, table=True):
    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("channel", "update_id"),)

    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(default=InboxStatus.RECEIVED, sa_type=_enum_column(), index=True)
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, sa_type=Text)


# --- conversation state and audit --------------------------------------------------------


class ConversationState(SQLModel, table=True):
    """Where a conversation stands, kept in the database so that a restart loses nothing."""

    __tablename__ = "conversation_state"
    __table_args__ = (UniqueConstraint("channel", "chat_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16, sa_type=_enum_column())
    chat_id: str = Field(max_length=64)
    user_id: str = Field(max_length=64)
    state: str = Field(max_length=64)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # The choices last offered to this person, numbered, so that on a channel without
    # buttons a typed "1" (or the label) means the same as pressing it.
    offered: list[Any] | None = Field(default=None, sa_type=JSON)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    actor: str = Field(max_length=128)
    action: str = Field(max_length=64)
    target: str | None = Field(default=None, max_length=255)
    detail: dict[str, Any] | None = Field(default=None, sa_type=JSON)


__all__ = [
    "NAMING_CONVENTION",
    "Agency",
    "AgencyIn",
    "AuditLog",
    "CHANNEL_NAME",
    "Contact",
    "ContactCreate",
    "ContactRole",
    "ConversationState",
    "EntryStatus",
    "Evidence",
    "EvidenceCreate",
    "Extension",
    "ExtensionStatus",
    "Inbox",
    "InboxCreate",
    "InboxStatus",
    "Invitation",
    "InvitationCreate",
    "Obligation",
    "ObligationCreate",
    "ObligationStatus",
    "Outbox",
    "OutboxCreate",
    "OutboxMessage",
    "OutboxPriority",
    "OutboxStatus",
    "PlanSync",
    "PlanningStamp",
    "Report",
    "ReportCreate",
    "ReportEntry",
    "ReportEntryIn",
    "ReportSource",
    "Review",
    "ReviewDecision",
    "TaskRef",
    "check_channel",
    "metadata",
]
