"""Registration by invitation: who may talk to the bot for which agency, in which role.

An admin or coordinator creates an invitation for one agency and one role and hands the
invitee the code, the way each channel takes it (a deep link that sends ``/start <code>``,
or the code typed into the chat: ``bot.channels``); the bot calls :func:`redeem` and binds
the chat identity to the agency (a :class:`~storage.models.Contact`).

Channel-agnostic. Every function takes the session explicitly and never commits; the caller
owns the transaction (``with session_scope(engine) as session: ...``). Time is passed in
(aware datetimes).

Codes
    ``secrets.token_urlsafe(16)``: 128 random bits as 22 characters of ``[A-Za-z0-9_-]``,
    an alphabet that survives deep links and typing alike (≤ 64 characters).
    The code is shown once, when created, and only its SHA-256 is stored. A plain, unsalted
    fast hash is enough here because the input is uniformly random with 128 bits of entropy:
    a leaked hash cannot be reversed or brute-forced (2^128 guesses), so the slow, salted KDFs
    that passwords need (bcrypt, argon2: human-chosen, low entropy) would add nothing, and a
    deterministic hash lets the unique index on ``code_hash`` find the invitation in one look-up.

Concurrency
    An invitation is consumed by a conditional ``UPDATE … SET used_at = :now WHERE id = :id
    AND used_at IS NULL AND revoked_at IS NULL AND expires_at > :now``; only the transaction
    whose UPDATE changed a row goes on to bind the contact, so two redemptions racing on two
    connections (or two processes) cannot both succeed. On PostgreSQL the loser's UPDATE waits
    for the winner's row lock and then finds nothing to update; on SQLite :func:`redeem`
    begins its transaction ``IMMEDIATE`` (when the caller has not begun one), so redemptions
    queue on the write lock instead of failing with "database is locked".
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import ValidationError
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from common.clock import SystemClock
from storage.db import begin_write
from storage.models import (
    Agency,
    Contact,
    ContactCreate,
    ContactRole,
    Invitation,
    InvitationCreate,
    check_channel,
)
from storage.queries import audit

log = logging.getLogger(__name__)

DEFAULT_TTL = timedelta(days=14)
# 16 bytes = 128 bits of entropy (the brief asks for ≥ 96); token_urlsafe gives 22 characters.
CODE_BYTES = 16
# What a code may look like; anything else is rejected before touching the database. 16 is a
# floor well below the 22 we generate.
_CODE_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")

# Limits of the contact columns (storage.models.ContactCreate); chat data is cut to fit.
_DISPLAY_NAME_MAX = 255
_LANGUAGE_MAX = 16
_REASON_MAX = 255


class InvitationError(ValueError):
    """An invitation cannot be created as asked (unknown agency, bad role, bad duration)."""


class RedeemOutcome(StrEnum):
    OK = "ok"  # a new binding (a new contact, a re-activated one, or a changed role)
    ALREADY = "already"  # this identity already holds that agency and role; nothing consumed
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"
    UNKNOWN = "unknown"  # no such code, or not even shaped like one


@dataclass(frozen=True)
class RedeemResult:
    outcome: RedeemOutcome
    # The bound contact for ``ok`` and ``already``; ``None`` otherwise.
    contact: Contact | None = None
    # The invitation the code belongs to (``None`` for ``unknown``).
    invitation: Invitation | None = None
    # ``ok`` only: an earlier, deactivated contact of this identity and agency was re-activated.
    reactivated: bool = False
    # ``ok`` only: the role the identity held for this agency before (an active contact whose
    # role the invitation changed), else ``None``.
    previous_role: ContactRole | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is RedeemOutcome.OK


# --- codes and links ---------------------------------------------------------------------


def new_code() -> str:
    # Drawn again in the rare case (about 3 in 100) a code could pass for a word when typed
    # alone into a chat (no digit): the 128 random bits stay.
    while True:
        code = secrets.token_urlsafe(CODE_BYTES)
        if looks_like_code(code):
            return code


def hash_code(code: str) -> str:
    """The stored form of a code (hex SHA-256; see the module docstring for why that is enough)."""
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def _clean_code(code: object) -> str | None:
    """The code if ``code`` is shaped like one, else ``None``; never raises."""
    if not isinstance(code, str):
        return None
    text = code.strip()
    return text if _CODE_RE.fullmatch(text) else None


def looks_like_code(text: str) -> bool:
    """Whether a message typed alone is an invitation code rather than words: the shape of a
    code, long, with letters and digits (no report reads like that)."""
    clean = _clean_code(text)
    if clean is None or len(clean) < 20 or not any(ch.isalpha() for ch in clean):
        return False
    mixed_case = sum(ch.isupper() for ch in clean) >= 3 and sum(ch.islower() for ch in clean) >= 3
    return any(ch.isdigit() for ch in clean) or mixed_case


# --- invitations -------------------------------------------------------------------------


def _aware(now: datetime) -> datetime:
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime (e.g. clock.now())")
    return now


def _role(role: ContactRole | str) -> ContactRole:
    try:
        return ContactRole(role)
    except ValueError:
        allowed = ", ".join(r.value for r in ContactRole)
        raise InvitationError(f"vai trò {role!r} không hợp lệ; chọn một trong: {allowed}") from None


def create_invitation(
    session: Session,
    *,
    agency_id: str,
    role: ContactRole | str,
    created_by: str,
    now: datetime,
    ttl: timedelta = DEFAULT_TTL,
) -> tuple[Invitation, str]:
    """Create an invitation; return ``(invitation, code)``.

    The plain code is returned here and nowhere else: only its hash is stored. The agency must
    already be in the ``agency`` table (``scheduler.sync.sync_agencies`` copies the plan's).
    """
    now = _aware(now)
    checked_role = _role(role)
    if ttl <= timedelta(0):
        raise InvitationError("thời hạn của lời mời phải dương")
    if session.get(Agency, agency_id) is None:
        raise InvitationError(
            f"không có cơ quan mã {agency_id!r} trong cơ sở dữ liệu; hãy đồng bộ danh mục cơ quan từ kế hoạch trước"
        )
    try:
        data = InvitationCreate(agency_id=agency_id, role=checked_role, created_by=created_by, expires_at=now + ttl)
    except ValidationError as exc:
        raise InvitationError(f"lời mời không hợp lệ: {exc.errors()[0]['msg']}") from exc

    # A collision of 128-bit random codes will not happen; the loop only makes the unique index
    # the final word instead of an unhandled IntegrityError if it ever did.
    for _ in range(3):
        code = new_code()
        invitation = Invitation.model_validate(data, update={"code_hash": hash_code(code), "created_at": now})
        session.flush()
        try:
            with session.begin_nested():
                session.add(invitation)
        except IntegrityError:  # pragma: no cover - astronomically unlikely
            continue
        break
    else:  # pragma: no cover
        raise RuntimeError("could not generate a unique invitation code")

    audit(
        session,
        created_by,
        "invitation.create",
        f"invitation:{invitation.id}",
        {"agency_id": agency_id, "role": checked_role.value, "expires_at": invitation.expires_at.isoformat()},
        at=now,
    )
    return invitation, code


def is_pending(invitation: Invitation, now: datetime) -> bool:
    return invitation.used_at is None and invitation.revoked_at is None and invitation.expires_at > now


def list_invitations(
    session: Session,
    pending_only: bool = True,
    now: datetime | None = None,
    *,
    agency_id: str | Sequence[str] | None = None,
) -> list[Invitation]:
    """Invitations, newest first; by default only those still usable at ``now``."""
    statement = select(Invitation)
    if pending_only:
        at = _aware(now) if now is not None else SystemClock().now()
        statement = statement.where(
            col(Invitation.used_at).is_(None),
            col(Invitation.revoked_at).is_(None),
            col(Invitation.expires_at) > at,
        )
    if agency_id is not None:
        ids = [agency_id] if isinstance(agency_id, str) else list(agency_id)
        statement = statement.where(col(Invitation.agency_id).in_(ids))
    statement = statement.order_by(col(Invitation.created_at).desc(), col(Invitation.id).desc())
    return list(session.exec(statement).all())


def revoke_invitation(session: Session, invitation_id: int, *, actor: str, now: datetime) -> Invitation | None:
    """Revoke an unused invitation; return it (``None`` if there is no such invitation).

    A used or already revoked invitation is returned unchanged: check ``revoked_at``. The
    update is conditional, so a revocation racing a redemption leaves exactly one of them done.
    """
    now = _aware(now)
    result: Any = session.exec(
        update(Invitation)
        .where(
            col(Invitation.id) == invitation_id,
            col(Invitation.used_at).is_(None),
            col(Invitation.revoked_at).is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    invitation = _reload_invitation(session, invitation_id)
    if invitation is not None and result.rowcount == 1:
        audit(
            session,
            actor,
            "invitation.revoke",
            f"invitation:{invitation.id}",
            {"agency_id": invitation.agency_id, "role": invitation.role},
            at=now,
        )
    return invitation


def _reload_invitation(session: Session, invitation_id: int) -> Invitation | None:
    statement = select(Invitation).where(col(Invitation.id) == invitation_id).execution_options(populate_existing=True)
    return session.exec(statement).first()


# --- redeeming ---------------------------------------------------------------------------


def _find_contact(session: Session, channel: str, user_id: str, agency_id: str, role: str) -> Contact | None:
    statement = (
        select(Contact)
        .where(
            col(Contact.channel) == channel,
            col(Contact.user_id) == user_id,
            col(Contact.agency_id) == agency_id,
            col(Contact.role) == role,
        )
        .execution_options(populate_existing=True)
    )
    return session.exec(statement).first()


def roles_held(session: Session, channel: str, user_id: str) -> list[Contact]:
    """Every active binding of one identity (roles add up: each is a contact of its own)."""
    return list(
        session.exec(
            select(Contact)
            .where(col(Contact.channel) == channel, col(Contact.user_id) == user_id, col(Contact.active).is_(True))
            .order_by(col(Contact.id))
        ).all()
    )


def _already_bound(contact: Contact | None, invitation: Invitation) -> bool:
    return contact is not None and contact.active and contact.role == invitation.role




def _refused(invitation: Invitation, now: datetime) -> RedeemOutcome:
    if invitation.revoked_at is not None:
        return RedeemOutcome.REVOKED
    if invitation.used_at is not None:
        return RedeemOutcome.USED
    if invitation.expires_at <= now:
        return RedeemOutcome.EXPIRED
    # Pending by every column, yet the claim matched nothing: only a row that vanished can do
    # that. Treat the code as unknown rather than raising.
    return RedeemOutcome.UNKNOWN  # pragma: no cover


def _cut(value: object, limit: int) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text[:limit] or None


def redeem(
    session: Session,
    code: object,
    *,
    channel: str,
    chat_id: str | int,
    user_id: str | int,
    display_name: str | None,
    language: str | None,
    now: datetime,
) -> RedeemResult:
    """Bind the chat identity to the invitation's agency and role.

    Never raises because of ``code`` (anything that is not a live code is ``unknown``).
    Outcomes are checked in this order: ``unknown``; ``already`` (this identity already holds
    that agency and role, whatever the invitation's state, so a second tap on the link is
    harmless and consumes nothing); ``revoked``; ``used``; ``expired``; then ``ok``.
    Only programming errors raise: an unknown ``channel`` or a naive ``now`` (ValueError).
    Display name and language are cut to their column sizes rather than refused.
    """
    now = _aware(now)
    channel = check_channel(channel)
    user = str(user_id)
    chat = str(chat_id)
    clean = _clean_code(code)
    if clean is None:
        return RedeemResult(RedeemOutcome.UNKNOWN)

    begin_write(session)
    invitation = session.exec(
        select(Invitation)
        .where(col(Invitation.code_hash) == hash_code(clean))
        .execution_options(populate_existing=True)
    ).first()
    if invitation is None:
        return RedeemResult(RedeemOutcome.UNKNOWN)
    assert invitation.id is not None

    existing = _find_contact(session, channel, user, invitation.agency_id, invitation.role)
    if _already_bound(existing, invitation):
        return RedeemResult(RedeemOutcome.ALREADY, contact=existing, invitation=invitation)
    if not is_pending(invitation, now):
        outcome = _refused(invitation, now)
        log.info("invitation %s refused for %s:%s: %s", invitation.id, channel, user, outcome)
        return RedeemResult(outcome, invitation=invitation)

    # The claim: the only step that decides between two concurrent redemptions.
    claimed: Any = session.exec(
        update(Invitation)
        .where(
            col(Invitation.id) == invitation.id,
            col(Invitation.used_at).is_(None),
            col(Invitation.revoked_at).is_(None),
            col(Invitation.expires_at) > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        # Someone else got there first (or revoked it) between our read and our update.
        invitation = _reload_invitation(session, invitation.id)
        if invitation is None:  # pragma: no cover - invitations are never deleted
            return RedeemResult(RedeemOutcome.UNKNOWN)
        existing = _find_contact(session, channel, user, invitation.agency_id, invitation.role)
        if _already_bound(existing, invitation):  # the same person, tapping twice at once
            return RedeemResult(RedeemOutcome.ALREADY, contact=existing, invitation=invitation)
        return RedeemResult(_refused(invitation, now), invitation=invitation)

    role = ContactRole(invitation.role)
    contact, reactivated, previous_role = _bind(
        session,
        ContactCreate(
            channel=channel,
            chat_id=chat,
            user_id=user,
            display_name=_cut(display_name, _DISPLAY_NAME_MAX),
            agency_id=invitation.agency_id,
            role=role,
            language=_cut(language, _LANGUAGE_MAX),
        ),
        now=now,
    )
    invitation = _reload_invitation(session, invitation.id)
    assert invitation is not None
    invitation.used_by_contact_id = contact.id
    session.add(invitation)
    session.flush()
    audit(
        session,
        f"{channel}:{user}",
        "invitation.redeem",
        f"contact:{contact.id}",
        {
            "invitation_id": invitation.id,
            "agency_id": invitation.agency_id,
            "role": role.value,
            "chat_id": chat,
            "reactivated": reactivated,
            "previous_role": previous_role.value if previous_role else None,
        },
        at=now,
    )
    return RedeemResult(
        RedeemOutcome.OK, contact=contact, invitation=invitation, reactivated=reactivated, previous_role=previous_role
    )


def _bind(session: Session, data: ContactCreate, *, now: datetime) -> tuple[Contact, bool, ContactRole | None]:
    """Insert the contact, or re-activate the one this identity already had for the agency and
    role. Another role the identity holds is left as it is: roles add up, and a role is lost only
    by revocation.

    Returns ``(contact, reactivated, previous_role)`` (``previous_role`` is always ``None`` now:
    an invitation never changes a role).
    """
    for _ in range(2):
        row = _find_contact(session, data.channel, data.user_id, data.agency_id, data.role)
        if row is not None:
            reactivated = not row.active
            previous_role = None
            row.chat_id = data.chat_id
            row.display_name = data.display_name or row.display_name
            row.language = data.language or row.language
            row.active = True
            row.deactivated_at = None
            row.deactivated_reason = None
            session.add(row)
            session.flush()
            return row, reactivated, previous_role
        contact = Contact.model_validate(data, update={"created_at": now, "active": True})
        session.flush()  # so that an error below can only come from this row
        try:
            # The SAVEPOINT confines a unique violation (the same person redeeming another
            # invitation for this agency at the same moment) to this insert; we then update.
            with session.begin_nested():
                session.add(contact)
        except IntegrityError:
            continue
        return contact, False, None
    raise RuntimeError("could not bind the contact")  # pragma: no cover


# --- contacts ----------------------------------------------------------------------------


def contacts_of(session: Session, user_id: str | int, channel: str, active_only: bool = True) -> list[Contact]:
    """Every agency binding of one chat identity (a person may be focal point of several)."""
    statement = select(Contact).where(col(Contact.channel) == channel, col(Contact.user_id) == str(user_id))
    if active_only:
        statement = statement.where(col(Contact.active).is_(True))
    return list(session.exec(statement.order_by(col(Contact.agency_id), col(Contact.id))).all())


def list_contacts(
    session: Session,
    agency_id: str | Sequence[str] | None = None,
    role: ContactRole | str | None = None,
    include_inactive: bool = False,
) -> list[Contact]:
    """Contacts by agency, then role, then age."""
    statement = select(Contact)
    if agency_id is not None:
        ids = [agency_id] if isinstance(agency_id, str) else list(agency_id)
        statement = statement.where(col(Contact.agency_id).in_(ids))
    if role is not None:
        statement = statement.where(col(Contact.role) == ContactRole(role))
    if not include_inactive:
        statement = statement.where(col(Contact.active).is_(True))
    statement = statement.order_by(col(Contact.agency_id), col(Contact.role), col(Contact.created_at), col(Contact.id))
    return list(session.exec(statement).all())


def deactivate_contact(
    session: Session, contact_id: int, *, reason: str, actor: str, now: datetime
) -> Contact | None:
    """Revoke a binding; ``None`` if there is no such contact. Idempotent: an inactive contact
    is returned as it is (its first deactivation time and reason are kept)."""
    now = _aware(now)
    contact = session.get(Contact, contact_id)
    if contact is None:
        return None
    if not contact.active:
        return contact
    contact.active = False
    contact.deactivated_at = now
    contact.deactivated_reason = _cut(reason, _REASON_MAX)
    session.add(contact)
    session.flush()
    audit(
        session,
        actor,
        "contact.deactivate",
        f"contact:{contact.id}",
        {"agency_id": contact.agency_id, "role": contact.role, "user_id": contact.user_id, "reason": reason},
        at=now,
    )
    return contact


__all__ = [
    "CODE_BYTES",
    "DEFAULT_TTL",
    "InvitationError",
    "RedeemOutcome",
    "RedeemResult",
    "contacts_of",
    "create_invitation",
    "deactivate_contact",
    "hash_code",
    "is_pending",
    "list_contacts",
    "list_invitations",
    "new_code",
    "looks_like_code",
    "redeem",
    "revoke_invitation",
]
