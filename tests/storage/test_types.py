"""UTCDateTime: aware UTC in, aware UTC out, on every backend; naive values refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import StatementError
from sqlmodel import select

from storage.models import AuditLog, InboxCreate, Outbox, OutboxCreate
from storage.types import UTCDateTime

HANOI = timezone(timedelta(hours=7))


def _outbox(key: str, not_before: datetime, created_at: datetime) -> Outbox:
    return Outbox.model_validate(
        OutboxCreate(key=key, channel="telegram", chat_id="1", kind="reminder", not_before=not_before),
        update={"created_at": created_at},
    )


def test_round_trip_returns_aware_utc(engine, session) -> None:
    at = datetime(2024, 3, 15, 8, 30, 15, 123456, tzinfo=HANOI)
    session.add(AuditLog(at=at, actor="test", action="round-trip"))
    session.commit()
    session.expunge_all()

    if engine.dialect.name == "postgresql":
        # A server or session zone other than UTC must not leak into what we read back.
        session.execute(text("SET TIME ZONE 'Asia/Ho_Chi_Minh'"))
    row = session.exec(select(AuditLog)).one()

    assert row.at.tzinfo is UTC
    assert row.at == at
    assert row.at.hour == 1  # 08:30 in Hanoi is 01:30 UTC


def test_stored_as_utc(engine, session) -> None:
    session.add(AuditLog(at=datetime(2024, 1, 1, 6, 0, tzinfo=HANOI), actor="test", action="stored"))
    session.commit()
    raw = session.execute(
        text("SELECT CAST(at AS TEXT) FROM audit_log")
        if engine.dialect.name == "sqlite"
        else text("SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM audit_log")
    ).scalar_one()
    assert raw.startswith("2023-12-31 23:00:00")


def test_comparisons_in_queries_use_utc(session) -> None:
    created = datetime(2024, 3, 1, tzinfo=UTC)
    session.add(_outbox("early", datetime(2024, 3, 15, 1, 0, tzinfo=UTC), created))
    session.add(_outbox("late", datetime(2024, 3, 15, 3, 0, tzinfo=UTC), created))
    session.commit()

    # 09:00 in Hanoi = 02:00 UTC: only the 01:00 UTC row is due.
    now = datetime(2024, 3, 15, 9, 0, tzinfo=HANOI)
    due = session.exec(select(Outbox.key).where(Outbox.not_before <= now)).all()
    assert due == ["early"]


def test_naive_datetime_refused_on_flush(session) -> None:
    session.add(AuditLog(at=datetime(2024, 3, 15, 8, 30), actor="test", action="naive"))
    with pytest.raises(StatementError) as caught:
        session.flush()
    assert isinstance(caught.value.orig, ValueError)
    assert "naive datetime refused" in str(caught.value)


def test_naive_datetime_refused_in_where_clause(session) -> None:
    with pytest.raises(StatementError) as caught:
        session.exec(select(Outbox).where(Outbox.not_before <= datetime(2024, 1, 1))).all()
    assert isinstance(caught.value.orig, ValueError)


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "postgresql"])
def test_bind_param_refuses_naive_with_value_error(dialect) -> None:
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2024, 1, 1), dialect)


def test_bind_param_converts_to_utc() -> None:
    stored = UTCDateTime().process_bind_param(datetime(2024, 1, 1, 7, 0, tzinfo=HANOI), sqlite.dialect())
    assert stored == datetime(2024, 1, 1, 0, 0)  # naive UTC text on SQLite
    stored = UTCDateTime().process_bind_param(datetime(2024, 1, 1, 7, 0, tzinfo=HANOI), postgresql.dialect())
    assert stored == datetime(2024, 1, 1, 0, 0, tzinfo=UTC) and stored.tzinfo is UTC


def test_input_models_refuse_naive_datetimes() -> None:
    with pytest.raises(ValidationError):
        InboxCreate(update_id="1", received_at=datetime(2024, 1, 1))
