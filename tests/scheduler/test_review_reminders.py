"""Reminders after Sở Tư pháp's decisions, on SQLite and PostgreSQL: an approved extension (gia
hạn) moves an agency's ladder to its new due date, and a returned report (yêu cầu bổ sung) gets
a reminder of its own the working day after, unless the agency has sent more.

Quý I 2024 of the seed plan (due Friday 15/3, ladder at 08:30: D-7 6/3 … D+1 18/3, D+3 20/3,
consolidation 22/3). Công an tỉnh is granted an extension to Friday 29/3: its new ladder is
D-7 20/3, D-3 26/3, D-1 28/3, D 29/3, D+1 1/4, D+3 3/4.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import select

from scheduler import dispatch as dp
from storage.db import session_scope
from storage.models import Obligation, Review
from tests.scheduler.test_dispatch import (
    CONTACTS,
    D7,
    FakeSender,
    ob_id,
    outbox,
    plan_only,
    report,
    run_tick,
    seed,
    text_of,
    vn,
)

NEW_DUE = date(2024, 3, 29)


def extend(engine, agency: str, until: date, period: str = "2024-Q1") -> None:
    with session_scope(engine, write=True) as session:
        ob = session.exec(select(Obligation).where(Obligation.agency_id == agency, Obligation.period == period)).one()
        ob.extended_due = until
        session.add(ob)


def review(engine, agency: str, decision: str, at: datetime, reason: str | None = None) -> int:
    with session_scope(engine, write=True) as session:
        row = Review(obligation_id=ob_id(engine, agency), decision=decision, reason=reason, actor="telegram:901", at=at)
        session.add(row)
        session.flush()
        return row.id


def police_keys(sender: FakeSender) -> list[str]:
    return [key for key in sender.keys() if sender.sent[sender.keys().index(key)].chat_id in ("101", "102")]


# --- an approved extension ------------------------------------------------------------------------


async def test_the_ladder_follows_the_extended_due_date(engine):
    ids = seed(engine)
    sender = FakeSender()
    await run_tick(engine, sender, D7)  # the plan's D-7 went to everybody, police included
    police = ob_id(engine, "cong-an-tinh")
    assert dp.reminder_key(police, ids["Nguyễn Văn An"], "D-7") in sender.keys()

    plan_only(engine, vn(2024, 3, 18, 8, 31))  # D+1 of the plan planned, not sent yet…
    extend(engine, "cong-an-tinh", NEW_DUE)  # … then the extension is approved
    sender.sent.clear()
    result = await run_tick(engine, sender, vn(2024, 3, 18, 9, 0))
    assert not sender.to("101") and not sender.to("102")  # nothing due on the new ladder yet
    assert sender.to("104")  # the others get their D+1
    dropped = [row for row in outbox(engine, obligation_id=police) if row.status == "dropped"]
    assert {row.step for row in dropped} == {"D+1"} and result.enqueue.dropped >= 2
    assert all("due date changed" in row.last_error for row in dropped)

    # The escalation digest of 20/3 does not count the extended agency as late.
    sender.sent.clear()
    await run_tick(engine, sender, vn(2024, 3, 20, 9, 0))
    digest = text_of(sender.to("901")[0])
    assert "Công an tỉnh" not in digest and "Sở Nội vụ" in digest
    # The new D-7 (20/3) goes out although the plan's D-7 was sent: its key carries the date.
    [first, _] = sender.to("101") + sender.to("102")
    assert first.key == dp.reminder_key(police, ids["Nguyễn Văn An"], "D-7", NEW_DUE) == f"rem:{police}:{ids['Nguyễn Văn An']}:D-7@2024-03-29"
    assert first.step == "D-7"
    text = text_of(first)
    assert "<b>Thứ Sáu, ngày 29 tháng 3 năm 2024</b> (còn 7 ngày làm việc)" in text

    # After the plan's consolidation date the extended agency is still reminded, up to its D+3.
    sender.sent.clear()
    await run_tick(engine, sender, vn(2024, 4, 3, 9, 0))
    [late] = sender.to("101")
    assert late.step == "D+3" and "đã quá hạn 3 ngày làm việc" in text_of(late)
    assert not sender.to("104")  # the others' ladder ended with the plan's consolidation date


async def test_reports_after_an_extension_are_on_time_until_the_new_date(engine):
    seed(engine)
    extend(engine, "cong-an-tinh", NEW_DUE)
    report(engine, "cong-an-tinh", ["4"], vn(2024, 3, 20, 10, 0))
    report(engine, "so-noi-vu", ["3"], vn(2024, 3, 20, 10, 0))
    from storage.models import ReportEntry

    with session_scope(engine) as session:
        entries = {e.obligation_id: e.late for e in session.exec(select(ReportEntry)).all()}
    assert entries[ob_id(engine, "cong-an-tinh")] is False
    assert entries[ob_id(engine, "so-noi-vu")] is True


# --- a returned report ---------------------------------------------------------------------------


async def test_a_returned_report_is_reminded_the_next_working_day(engine):
    ids = seed(engine)
    report(engine, "cong-an-tinh", ["4"], vn(2024, 3, 14, 10, 0))
    review_id = review(engine, "cong-an-tinh", "returned", vn(2024, 3, 15, 16, 0), "Bổ sung số liệu NV4")
    police = ob_id(engine, "cong-an-tinh")
    sender = FakeSender()
    await run_tick(engine, sender, vn(2024, 3, 15, 16, 30))  # Friday: not before the next working day
    assert not [row for row in sender.sent if row.key.startswith("ret:")]
    [pending, _] = outbox(engine, kind="return")
    assert pending.key == dp.return_key(police, ids["Nguyễn Văn An"], review_id)
    assert pending.not_before == vn(2024, 3, 18, 8, 30)  # Monday, at the ladder's time

    await run_tick(engine, sender, vn(2024, 3, 18, 9, 0))
    returned = [row for row in sender.sent if row.kind == "return"]
    assert sorted(row.chat_id for row in returned) == ["101", "102"]
    text = text_of(returned[0])
    assert "<b>Nhắc bổ sung báo cáo quý I năm 2024</b>" in text
    assert "Sở Tư pháp đã đề nghị <b>Công an tỉnh</b> bổ sung báo cáo quý I năm 2024 từ ngày 15 tháng 3 năm 2024" in text
    assert "Nội dung cần bổ sung: Bổ sung số liệu NV4" in text
    assert returned[0].obligation_id == police  # a reply to it lands on the period

    # Once, however often planning runs.
    sender.sent.clear()
    await run_tick(engine, sender, vn(2024, 3, 18, 15, 0))
    assert not [row for row in sender.sent if row.kind == "return"]


async def test_a_returned_reports_reminder_is_dropped_once_the_agency_sends_more(engine):
    seed(engine)
    report(engine, "cong-an-tinh", ["4"], vn(2024, 3, 14, 10, 0))
    review(engine, "cong-an-tinh", "returned", vn(2024, 3, 18, 10, 0), "Bổ sung số liệu NV4")
    plan_only(engine, vn(2024, 3, 18, 11, 0))
    assert {row.status for row in outbox(engine, kind="return")} == {"pending"}
    report(engine, "cong-an-tinh", ["4"], vn(2024, 3, 18, 15, 0))  # supplemented
    sender = FakeSender()
    result = await run_tick(engine, sender, vn(2024, 3, 19, 9, 0))
    assert not [row for row in sender.sent if row.kind == "return"]
    rows = outbox(engine, kind="return")
    assert {row.status for row in rows} == {"dropped"} and result.enqueue.reported >= 2
    assert all("sent more" in row.last_error for row in rows)


async def test_no_reminder_when_the_report_was_accepted_after_the_return(engine):
    seed(engine)
    report(engine, "cong-an-tinh", ["4"], vn(2024, 3, 14, 10, 0))
    review(engine, "cong-an-tinh", "returned", vn(2024, 3, 18, 10, 0), "Bổ sung")
    plan_only(engine, vn(2024, 3, 18, 11, 0))
    review(engine, "cong-an-tinh", "accepted", vn(2024, 3, 18, 14, 0))
    sender = FakeSender()
    await run_tick(engine, sender, vn(2024, 3, 19, 9, 0))
    assert not [row for row in sender.sent if row.kind == "return"]
    assert {row.status for row in outbox(engine, kind="return")} == {"dropped"}


async def test_a_returned_reports_reminder_goes_stale_after_a_long_downtime(engine):
    seed(engine)
    report(engine, "cong-an-tinh", ["4"], vn(2024, 3, 14, 10, 0))
    review(engine, "cong-an-tinh", "returned", vn(2024, 3, 18, 10, 0), "Bổ sung")
    sender = FakeSender()
    await run_tick(engine, sender, vn(2024, 3, 29, 9, 0))  # the first tick in eleven days
    assert not [row for row in sender.sent if row.kind == "return"]
    assert CONTACTS["Nguyễn Văn An"][0] == "cong-an-tinh"
