"""Query helpers: directory upsert, report revisions, idempotent inbox/outbox, audit."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from storage import queries
from storage.models import (
    Agency,
    AuditLog,
    EntryStatus,
    Inbox,
    Obligation,
    ObligationCreate,
    Outbox,
    OutboxCreate,
    ReportEntry,
    ReportEntryIn,
    ReportSource,
)

T0 = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)


def _agencies(session: Session) -> None:
    queries.upsert_agencies(
        session,
        [
            {"id": "stp", "name": "Sở Tư pháp", "kind": "department"},
            {"id": "ca-tinh", "name": "Công an tỉnh", "kind": "department"},
        ],
        now=T0,
    )


def _obligation(session: Session, agency_id: str = "ca-tinh") -> Obligation:
    data = ObligationCreate(
        plan_id="124-KH/BCSĐ",
        agency_id=agency_id,
        period="2024-Q1",
        cutoff_from=date(2023, 12, 15),
        cutoff_to=date(2024, 3, 14),
        due=date(2024, 3, 15),
        consolidation_due=date(2024, 3, 22),
        tasks=[{"no": "1a", "role": "coordinate"}, {"no": "4", "role": "lead"}, {"no": "10", "role": "lead"}],
    )
    row = Obligation.model_validate(data, update={"created_at": T0, "updated_at": T0})
    session.add(row)
    session.flush()
    return row


def _count(session: Session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


# --- agencies ------------------------------------------------------------------------------


def test_upsert_agencies_inserts_children_listed_before_parents(session: Session) -> None:
    result = queries.upsert_agencies(
        session,
        [
            {"id": "ubnd-ninh-hai", "name": "UBND huyện Ninh Hải", "kind": "district", "parent_id": "ubnd-tinh"},
            {"id": "ubnd-tinh", "name": "UBND tỉnh Ninh Thuận", "kind": "province"},
        ],
        now=T0,
    )
    session.commit()
    assert sorted(result.inserted) == ["ubnd-ninh-hai", "ubnd-tinh"]
    assert session.get(Agency, "ubnd-ninh-hai").parent_id == "ubnd-tinh"


def test_upsert_agencies_updates_only_what_changed(session: Session) -> None:
    _agencies(session)
    session.commit()
    later = datetime(2025, 7, 1, tzinfo=UTC)
    result = queries.upsert_agencies(
        session,
        [
            {"id": "stp", "name": "Sở Tư pháp", "kind": "department", "valid_to": date(2025, 6, 30)},
            {"id": "ca-tinh", "name": "Công an tỉnh", "kind": "department"},
        ],
        now=later,
    )
    session.commit()
    session.expunge_all()
    assert result.updated == ["stp"] and result.unchanged == ["ca-tinh"] and result.inserted == []
    assert session.get(Agency, "stp").valid_to == date(2025, 6, 30)
    assert session.get(Agency, "stp").updated_at == later
    assert session.get(Agency, "ca-tinh").updated_at == T0


def test_upsert_agencies_validates_input(session: Session) -> None:
    with pytest.raises(ValidationError):
        queries.upsert_agencies(session, [{"id": "Sở Tư pháp", "name": "x", "kind": "department"}], now=T0)
    with pytest.raises(ValueError, match="twice"):
        queries.upsert_agencies(
            session, [{"id": "a", "name": "A", "kind": "k"}, {"id": "a", "name": "A", "kind": "k"}], now=T0
        )
    with pytest.raises(ValueError, match="cycle"):
        queries.upsert_agencies(
            session,
            [
                {"id": "a", "name": "A", "kind": "k", "parent_id": "b"},
                {"id": "b", "name": "B", "kind": "k", "parent_id": "a"},
            ],
            now=T0,
        )


def test_unknown_parent_is_a_foreign_key_error(session: Session) -> None:
    with pytest.raises(IntegrityError):
        queries.upsert_agencies(session, [{"id": "a", "name": "A", "kind": "k", "parent_id": "nowhere"}], now=T0)


# --- reports -------------------------------------------------------------------------------


def test_correction_creates_a_new_revision(session: Session) -> None:
    _agencies(session)
    obligation = _obligation(session)
    first = queries.add_report(
        session,
        obligation.id,
        [
            ReportEntryIn(task_no="4", status=EntryStatus.IN_PROGRESS, percent=70, text="đã xử lý 12 vụ"),
            {"task_no": "1a", "status": "done", "text": "đã tuyên truyền"},
        ],
        source=ReportSource.CHAT, channel="telegram",
        submitted_at=datetime(2024, 3, 10, 3, 0, tzinfo=UTC),
        raw_text="NV4: đang thực hiện 70%, đã xử lý 12 vụ. NV1a: xong",
    )
    session.commit()
    correction = queries.add_report(
        session,
        obligation.id,
        [{"task_no": "4", "status": "in_progress", "percent": 75, "text": "đã xử lý 14 vụ", "difficulty": True}],
        source="chat", channel="telegram",
        submitted_at=datetime(2024, 3, 11, 3, 0, tzinfo=UTC),
        raw_text="sửa NV4: 75%, 14 vụ",
    )
    session.commit()

    latest = queries.latest_entries(session, obligation.id)
    assert list(latest) == ["1a", "4"]
    assert latest["4"].revision == 2 and latest["4"].percent == 75 and latest["4"].difficulty
    assert latest["4"].report_id == correction.id
    assert latest["1a"].revision == 1 and latest["1a"].report_id == first.id

    # The first answer is still there, untouched, and superseded by the correction.
    history = session.exec(select(ReportEntry).where(ReportEntry.task_no == "4").order_by(ReportEntry.revision)).all()
    assert [(entry.revision, entry.percent) for entry in history] == [(1, 70), (2, 75)]
    assert history[1].supersedes_id == history[0].id
    assert history[0].text == "đã xử lý 12 vụ"


def test_latest_entries_orders_tasks_naturally(session: Session) -> None:
    _agencies(session)
    obligation = _obligation(session)
    queries.add_report(
        session,
        obligation.id,
        [{"task_no": "10"}, {"task_no": "4"}, {"task_no": "1a"}],
        source="cli",
        submitted_at=T0,
    )
    assert list(queries.latest_entries(session, obligation.id)) == ["1a", "4", "10"]
    assert queries.latest_entries(session, obligation.id + 1000) == {}


def test_late_is_judged_on_the_local_date(session: Session) -> None:
    _agencies(session)
    obligation = _obligation(session)  # due 2024-03-15
    # 23:30 on the 15th in Vietnam is 16:30 UTC: still on time.
    on_time = queries.add_report(
        session,
        obligation.id,
        [{"task_no": "4"}],
        source="chat", channel="telegram",
        submitted_at=datetime(2024, 3, 15, 16, 30, tzinfo=UTC),
    )
    # 00:30 on the 16th in Vietnam is 17:30 UTC on the 15th: late.
    late = queries.add_report(
        session,
        obligation.id,
        [{"task_no": "4"}],
        source="chat", channel="telegram",
        submitted_at=datetime(2024, 3, 15, 17, 30, tzinfo=UTC),
    )
    assert not on_time.late and late.late
    assert queries.latest_entries(session, obligation.id)["4"].late


def test_add_report_rejects_bad_input(session: Session) -> None:
    _agencies(session)
    obligation = _obligation(session)
    with pytest.raises(ValueError, match="no task 7"):
        queries.add_report(session, obligation.id, [{"task_no": "7"}], source="cli", submitted_at=T0)
    with pytest.raises(ValueError, match="twice"):
        queries.add_report(session, obligation.id, [{"task_no": "4"}, {"task_no": "4"}], source="cli", submitted_at=T0)
    with pytest.raises(ValidationError):
        queries.add_report(session, obligation.id, [{"task_no": "4", "percent": 120}], source="cli", submitted_at=T0)
    with pytest.raises(ValidationError):
        queries.add_report(session, obligation.id, [{"task_no": "4"}], source="cli", submitted_at=datetime(2024, 3, 1))
    with pytest.raises(ValueError):
        queries.add_report(session, obligation.id, [{"task_no": "4"}], source="fax", submitted_at=T0)
    with pytest.raises(LookupError):
        queries.add_report(session, 999_999, [{"task_no": "4"}], source="cli", submitted_at=T0)


def test_revision_is_unique_per_obligation_and_task(session: Session) -> None:
    _agencies(session)
    obligation = _obligation(session)
    report = queries.add_report(session, obligation.id, [{"task_no": "4"}], source="cli", submitted_at=T0)
    session.commit()
    session.add(ReportEntry(report_id=report.id, obligation_id=obligation.id, task_no="4", revision=1, submitted_at=T0))
    with pytest.raises(IntegrityError):
        session.commit()


def test_percent_is_checked_by_the_database_too(session: Session) -> None:
    _agencies(session)
    obligation = _obligation(session)
    report = queries.add_report(session, obligation.id, [], source="cli", submitted_at=T0)
    # Table models skip validation; the CHECK constraint is the last line of defence.
    session.add(
        ReportEntry(report_id=report.id, obligation_id=obligation.id, task_no="4", percent=150, submitted_at=T0)
    )
    with pytest.raises(IntegrityError):
        session.flush()


def test_obligation_is_unique_per_plan_agency_and_period(session: Session) -> None:
    _agencies(session)
    _obligation(session)
    session.commit()
    with pytest.raises(IntegrityError):
        _obligation(session)


# --- inbox / outbox --------------------------------------------------------------------------


def test_record_inbound_is_idempotent(session: Session) -> None:
    row, created = queries.record_inbound(
        session, "telegram", 1001, chat_id=-100123, user_id=42, payload={"text": "NV4: 70%"}, received_at=T0
    )
    session.commit()
    again, created_again = queries.record_inbound(
        session, "telegram", "1001", chat_id=-100123, user_id=42, payload={"text": "NV4: 70%"}, received_at=T0
    )
    session.commit()

    assert created and not created_again
    assert again.id == row.id
    assert row.chat_id == "-100123" and row.payload == {"text": "NV4: 70%"} and row.status == "received"
    assert _count(session, Inbox) == 1


def test_record_inbound_race_keeps_the_callers_transaction(session: Session, engine, monkeypatch) -> None:
    """Another process inserted the update between our look-up and our insert."""
    queries.record_inbound(session, "telegram", 7, received_at=T0)
    session.commit()

    # Work the caller did earlier in the same transaction must survive the unique violation.
    queries.audit(session, "bot", "before-insert", at=T0)
    real_insert_once = queries._insert_once
    looked_up = []

    def blind_insert_once(session_, row, find):
        def find_misses_first():
            looked_up.append(True)
            return None if len(looked_up) == 1 else find()

        return real_insert_once(session_, row, find_misses_first)

    monkeypatch.setattr(queries, "_insert_once", blind_insert_once)
    row, created = queries.record_inbound(session, "telegram", 7, received_at=T0)
    session.commit()

    assert len(looked_up) == 2  # the insert was attempted and the unique constraint answered
    assert not created and row.update_id == "7"
    assert _count(session, Inbox) == 1
    assert session.exec(select(AuditLog.action)).all() == ["before-insert"]


def test_same_update_id_on_another_channel_is_another_update(session: Session) -> None:
    _, first = queries.record_inbound(session, "telegram", 5, received_at=T0)
    _, second = queries.record_inbound(session, "zalo", 5, received_at=T0)
    assert first and second and _count(session, Inbox) == 2


def test_outbox_key_is_unique(session: Session) -> None:
    item = OutboxCreate(key="obligation:12:step:due", channel="telegram", chat_id="42", kind="reminder", not_before=T0)
    session.add(Outbox.model_validate(item, update={"created_at": T0}))
    session.commit()
    session.add(Outbox.model_validate(item, update={"created_at": T0}))
    with pytest.raises(IntegrityError):
        session.commit()


def test_enqueue_outbox_is_idempotent(session: Session) -> None:
    item = {"key": "obligation:12:step:due", "channel": "telegram", "chat_id": "42", "kind": "reminder", "not_before": T0, "payload": {"n": 1}}
    row, created = queries.enqueue_outbox(session, item, now=T0)
    session.commit()
    again, created_again = queries.enqueue_outbox(session, {**item, "payload": {"n": 2}}, now=T0)
    session.commit()
    assert created and not created_again
    assert again.id == row.id and again.payload == {"n": 1}
    assert row.status == "pending" and row.attempts == 0 and row.not_before == T0
    assert _count(session, Outbox) == 1


# --- audit -----------------------------------------------------------------------------------


def test_audit(session: Session) -> None:
    row = queries.audit(session, "admin:42", "contact.deactivate", "contact:3", {"reason": "nghỉ hưu"}, at=T0)
    session.commit()
    session.expunge_all()
    stored = session.get(AuditLog, row.id)
    assert (stored.actor, stored.action, stored.target, stored.detail, stored.at) == (
        "admin:42",
        "contact.deactivate",
        "contact:3",
        {"reason": "nghỉ hưu"},
        T0,
    )


def test_sub_item_of_an_assigned_task_is_accepted(session: Session) -> None:
    _agencies(session)
    data = ObligationCreate(
        plan_id="124-KH/BCSĐ",
        agency_id="stp",
        period="2024-Q1",
        cutoff_from=date(2023, 12, 15),
        cutoff_to=date(2024, 3, 14),
        due=date(2024, 3, 15),
        consolidation_due=date(2024, 3, 22),
        tasks=[{"no": "1", "role": "coordinator"}],
    )
    obligation = Obligation.model_validate(data, update={"created_at": T0, "updated_at": T0})
    session.add(obligation)
    session.flush()
    queries.add_report(session, obligation.id, [{"task_no": "1b", "status": "done"}], source=ReportSource.CLI, submitted_at=T0)
    with pytest.raises(ValueError, match="no task 2"):
        queries.add_report(session, obligation.id, [{"task_no": "2"}], source=ReportSource.CLI, submitted_at=T0)
