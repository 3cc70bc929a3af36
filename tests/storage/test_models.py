"""Input models validate what table models would accept blindly."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from storage.models import (
    AgencyIn,
    Contact,
    ContactCreate,
    ContactRole,
    ObligationCreate,
    OutboxStatus,
    ReportEntryIn,
)


def _obligation(**changes) -> ObligationCreate:
    data = {
        "plan_id": "124-KH/BCSĐ",
        "agency_id": "stp",
        "period": "2024-Q1",
        "cutoff_from": date(2023, 12, 15),
        "cutoff_to": date(2024, 3, 14),
        "due": date(2024, 3, 15),
        "consolidation_due": date(2024, 3, 22),
        "tasks": [{"no": "4", "role": "lead"}],
    }
    return ObligationCreate.model_validate({**data, **changes})


def test_obligation_validation() -> None:
    assert _obligation().tasks == [{"no": "4", "role": "lead"}]
    assert _obligation(tasks=[{"no": "4", "role": "lead", "title": "x"}]).tasks[0]["title"] == "x"
    for bad in (
        {"period": "Q1-2024"},
        {"tasks": [{"no": "4"}]},
        {"tasks": [{"no": "4", "role": "lead"}, {"no": "4", "role": "coordinate"}]},
        {"cutoff_from": date(2024, 4, 1)},
        {"consolidation_due": date(2024, 3, 1)},
        {"status": "deleted"},
    ):
        with pytest.raises(ValidationError):
            _obligation(**bad)


def test_contact_role_and_channel_are_checked() -> None:
    contact = ContactCreate(channel="telegram", chat_id="1", user_id="2", agency_id="stp", role="focal")
    assert contact.role is ContactRole.FOCAL and contact.channel == "telegram"
    assert ContactCreate(channel="zalo", chat_id="1", user_id="2", agency_id="stp", role="focal").channel == "zalo"
    with pytest.raises(ValidationError):
        ContactCreate(channel="telegram", chat_id="1", user_id="2", agency_id="stp", role="boss")
    for bad in ("", "Fax Machine", "x" * 40, "tele gram"):  # a channel is named by its module
        with pytest.raises(ValidationError):
            ContactCreate(chat_id="1", user_id="2", agency_id="stp", role="focal", channel=bad)
    with pytest.raises(ValidationError):  # no default: every identity says which channel it is on
        ContactCreate(chat_id="1", user_id="2", agency_id="stp", role="focal")


def test_table_model_validate_runs_validation() -> None:
    with pytest.raises(ValidationError):
        Contact.model_validate({"channel": "telegram", "chat_id": "1", "user_id": "2", "agency_id": "stp", "role": "boss"})
    row = Contact.model_validate(
        ContactCreate(channel="telegram", chat_id="1", user_id="2", agency_id="stp", role="focal"),
        update={"created_at": datetime(2024, 1, 1, tzinfo=UTC)},
    )
    assert row.active and row.id is None


def test_report_entry_percent_range() -> None:
    assert ReportEntryIn(task_no="4", percent=100).percent == 100
    for percent in (-1, 101):
        with pytest.raises(ValidationError):
            ReportEntryIn(task_no="4", percent=percent)
    with pytest.raises(ValidationError):
        ReportEntryIn(task_no="4", status="half-done")


def test_agency_validation() -> None:
    assert AgencyIn(id="so-tu-phap", name="Sở Tư pháp", kind="department").short_name is None
    with pytest.raises(ValidationError):
        AgencyIn(id="Sở Tư pháp", name="x", kind="department")
    with pytest.raises(ValidationError):
        AgencyIn(id="a", name="A", kind="k", valid_from=date(2025, 7, 1), valid_to=date(2025, 6, 30))
    with pytest.raises(ValidationError):
        AgencyIn(id="a", name="A", kind="k", parent_id="a")


def test_statuses_are_plain_strings() -> None:
    assert OutboxStatus.PENDING == "pending" and str(OutboxStatus.SENDING) == "sending"
