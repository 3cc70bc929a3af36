"""Reminder dispatch on SQLite and PostgreSQL: planning the ladder into the outbox, claiming,
sending through a fake channel, and several processes ticking one database at once.

Quý I 2024 of the seed plan: due Friday 15/3, ladder D-7 6/3, D-3 12/3, D-1 14/3, D 15/3,
D+1 18/3, D+3 20/3 (escalation), all at 08:30; consolidation due 22/3.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time as _time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from common.clock import FixedClock
from common.paths import BUNDLED_DATA_DIR
from scheduler import dispatch as dp
from scheduler import reminders as rm
from scheduler.calendar import WorkingCalendar
from scheduler.deadlines import obligations
from scheduler.plan import load_plan, parse_plan
from scheduler.sync import sync_agencies, sync_obligations
from storage.db import session_scope
from storage.models import AuditLog, Contact, Obligation, Outbox, ReportSource
from storage.queries import add_report

PLAN = load_plan(BUNDLED_DATA_DIR / "plan.json")
CAL = WorkingCalendar.load(BUNDLED_DATA_DIR / "calendar-vn.json")
VN = ZoneInfo("Asia/Ho_Chi_Minh")
REPO = Path(__file__).resolve().parents[2]


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)


SYNCED = vn(2024, 3, 1, 8, 0)
D7 = vn(2024, 3, 6, 8, 30)

# name → (agency, role, chat, active)
CONTACTS = {
    "Nguyễn Văn An": ("cong-an-tinh", "focal", "101", True),
    "Lê Thị Bình": ("cong-an-tinh", "focal", "102", True),  # a second focal point, same agency
    "Phạm Văn Cường": ("hoi-luat-gia-tinh", "focal", "103", True),
    "Trần Thị Dung": ("so-noi-vu", "focal", "104", True),
    "Đỗ Văn Hải": ("so-y-te", "focal", "105", False),  # revoked: never reminded
    "Hoàng Văn Em": ("so-tu-phap", "coordinator", "901", True),
    "Vũ Thị Giang": ("so-tu-phap", "admin", "902", True),
}
FOCAL_ACTIVE = [name for name, (_, role, _, active) in CONTACTS.items() if role == "focal" and active]


# --- helpers -----------------------------------------------------------------------------


class FakeSender:
    """Records what it sends; ``fail[chat_id]`` is a list of exceptions raised one per send
    (``None`` = succeed this time) or a single exception raised every time."""

    def __init__(self) -> None:
        self.sent: list[Outbox] = []
        self.fail: dict[str, object] = {}
        self.calls = 0

    async def send(self, row: Outbox, progress=None) -> str:
        self.calls += 1
        plan = self.fail.get(row.chat_id)
        if isinstance(plan, list) and plan:
            exc = plan.pop(0)
            if exc is not None:
                raise exc
        elif isinstance(plan, BaseException):
            raise plan
        self.sent.append(row)
        return f"msg-{len(self.sent)}"

    def keys(self) -> list[str]:
        return [row.key for row in self.sent]

    def to(self, chat_id: str) -> list[Outbox]:
        return [row for row in self.sent if row.chat_id == chat_id]


def text_of(row: Outbox) -> str:
    """The row's message as Telegram would show it (HTML)."""
    from bot.channels.telegram import render
    from common.message import Message

    return "\n".join(part.text for part in render(Message.from_json(row.payload["message"])))


def seed(engine, plan=PLAN, contacts=CONTACTS) -> dict[str, int]:
    """Sync the plan's agencies and obligations, bind the contacts; return name → contact id."""
    years = list(plan.years_in_force())
    computed = [o for year in years for o in obligations(plan, CAL, year)]
    ids = {}
    with session_scope(engine) as session:
        sync_agencies(session, plan, now=SYNCED)
        sync_obligations(session, plan, computed, years=years, now=SYNCED)
        for name, (agency, role, chat, active) in contacts.items():
            contact = Contact(
                channel="telegram", chat_id=chat, user_id=chat, agency_id=agency, role=role, display_name=name, active=active, created_at=SYNCED
            )
            session.add(contact)
            session.flush()
            ids[name] = contact.id
    return ids


def ob_id(engine, agency: str, period: str = "2024-Q1") -> int:
    with session_scope(engine) as session:
        return session.exec(select(Obligation.id).where(Obligation.agency_id == agency, Obligation.period == period)).one()


def outbox(engine, **where) -> list[Outbox]:
    with session_scope(engine) as session:
        statement = select(Outbox).order_by(Outbox.id)
        for name, value in where.items():
            statement = statement.where(getattr(Outbox, name) == value)
        return list(session.exec(statement).all())


def report(engine, agency: str, tasks: list[str], when: datetime, period: str = "2024-Q1") -> None:
    with session_scope(engine) as session:
        add_report(
            session,
            ob_id(engine, agency, period),
            [{"task_no": no, "status": "in_progress", "percent": 50, "text": f"NV{no}"} for no in tasks],
            source=ReportSource.CLI,
            submitted_at=when,
        )


def plan_only(engine, at: datetime, plan=PLAN) -> dp.EnqueueStats:
    with session_scope(engine, write=True) as session:
        return dp.plan_reminders(session, plan, CAL, at, tz=VN)


def fast_pacer() -> dp.Pacer:
    return dp.Pacer(per_second=100_000, per_chat_interval=0)


async def run_tick(engine, sender, at: datetime, plan=PLAN, worker_id="test", **kw) -> dp.TickReport:
    return await dp.tick(
        engine, plan, CAL, {"telegram": sender}, FixedClock(at), worker_id=worker_id, pacers={"telegram": fast_pacer()}, **kw
    )


def variant(edit) -> object:
    raw = json.loads((BUNDLED_DATA_DIR / "plan.json").read_text(encoding="utf-8"))
    edit(raw)
    return parse_plan(json.dumps(raw, ensure_ascii=False))


def all_tasks(agency: str, period: str = "2024-Q1") -> list[str]:
    year, code = period.split("-")
    return next(
        [d.no for d in o.tasks] for o in obligations(PLAN, CAL, int(year)) if o.agency_id == agency and o.period_code == code
    )


# --- the reminder text (pure) ------------------------------------------------------------


def html(message) -> str:
    from bot.channels.telegram import render

    return "\n".join(part.text for part in render(message))


def test_reminder_text_is_formal_vietnamese_and_escaped():
    text = html(rm.reminder_message(
        rm.ReminderContent(
            step="D-3",
            agency="Hội Luật gia tỉnh",
            period_name="quý I năm 2024",
            due=date(2024, 3, 15),
            working_days_left=3,
            missing=[rm.DutyLine("8", "Trung gian <hòa giải> & kết nối", "lead", True), rm.DutyLine("4", "Phối hợp", "coordinator")],
            recipient_name="<b>Nguyễn</b> & Co",
            plan_number="124-KH/BCSĐ",
            report_to="UBND tỉnh (thông qua Sở Tư pháp)",
        )
    ))
    assert "Kính gửi đồng chí &lt;b&gt;Nguyễn&lt;/b&gt; &amp; Co," in text
    assert "Hội Luật gia tỉnh" in text and "quý I năm 2024" in text
    assert "<b>Thứ Sáu, ngày 15 tháng 3 năm 2024</b> (còn 3 ngày làm việc)" in text
    assert "• NV8 (đề nghị chủ trì): Trung gian &lt;hòa giải&gt; &amp; kết nối" in text
    assert "• NV4 (phối hợp): Phối hợp" in text
    assert "Đồng chí trả lời trực tiếp tin nhắn này hoặc dùng lệnh /baocao" in text
    assert "Theo Kế hoạch số 124-KH/BCSĐ" in text


def test_working_days_wording_and_escalation():
    assert rm.working_days_phrase(7) == "còn 7 ngày làm việc"
    assert rm.working_days_phrase(0) == "hôm nay"
    assert rm.working_days_phrase(-1) == "đã quá hạn 1 ngày làm việc"
    late = rm.ReminderContent(
        step="D+3", agency="Sở Y tế", period_name="quý I năm 2024", due=date(2024, 3, 15), working_days_left=-3,
        missing=[rm.DutyLine("1", "Tuyên truyền", "coordinator")], escalate=True, escalate_to="Sở Tư pháp",
    )
    text = html(rm.reminder_message(late))
    assert text.startswith("<b>Báo cáo quý I năm 2024 đã quá hạn</b>")
    assert "đã quá hạn 3 ngày làm việc" in text and "chuyển tới Sở Tư pháp" in text
    assert "Kính gửi đồng chí," in text  # no display name


def test_digest_lists_each_late_agency_once_and_is_split_within_a_message():
    from bot.channels.telegram import MAX_CHARS, render

    late = [rm.LateAgency(f"Cơ quan số {i} có tên rất dài để thử giới hạn độ dài tin nhắn", [rm.DutyLine("1")], False, ["x"]) for i in range(200)]
    message = rm.digest_message(
        rm.DigestContent("quý I năm 2024", date(2024, 3, 15), date(2024, 3, 22), 3, 2, late, 200, "Hoàng Văn Em")
    )
    parts = [part.text for part in render(message)]
    assert len(parts) > 1 and all(len(part) <= MAX_CHARS for part in parts)
    text = "\n".join(parts)
    assert "<b>200/200</b>" in text
    assert all(text.count(f"{i + 1}. Cơ quan số {i} ") == 1 for i in range(200))  # every agency, once
    small = html(rm.digest_message(
        rm.DigestContent(
            "quý I năm 2024", date(2024, 3, 15), date(2024, 3, 22), 3, 2,
            [rm.LateAgency("Sở Y tế", [rm.DutyLine("1"), rm.DutyLine("4")], True, []), rm.LateAgency("Công an tỉnh", [rm.DutyLine("4")], False, ["An"])],
            47,
        )
    ))
    assert "1. Sở Y tế: còn thiếu NV1, NV4 <i>(chưa có đầu mối)</i>" in small
    assert "2. Công an tỉnh: chưa báo cáo" in small
    assert "Hạn tổng hợp: Thứ Sáu, ngày 22 tháng 3 năm 2024 (còn 2 ngày làm việc)" in small


def test_reminders_speak_the_contacts_language():
    from common.i18n import translator

    content = rm.ReminderContent(
        step="D-1", agency="Công an tỉnh", period_name="quý I năm 2024", due=date(2024, 3, 15), working_days_left=1,
        missing=[rm.DutyLine("4", "Phối hợp", "lead")],
    )
    english = rm.reminder_message(content, translator("en")).plain()
    assert "Dear" in english and "working day" in english
    assert "Thứ Sáu, ngày 15 tháng 3 năm 2024" in english  # dates stay the plan's words


async def test_pacer_spaces_sends_overall_and_per_chat():
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = dp.Pacer(per_second=10, per_chat_interval=1.0, monotonic=lambda: now[0], sleep=sleep)
    await pacer.wait("a")
    await pacer.wait("b")  # 0.1 s later overall
    await pacer.wait("a")  # a second after the first "a"
    assert slept == [pytest.approx(0.1), pytest.approx(0.9)]


def test_office_hours():
    window = dp.OfficeHours(CAL, VN)
    assert window.is_open(vn(2024, 3, 6, 8, 0)) and not window.is_open(vn(2024, 3, 6, 17, 0))
    assert window.next_opening(vn(2024, 3, 6, 17, 30)) == vn(2024, 3, 7, 8, 0)
    assert window.next_opening(vn(2024, 3, 8, 18, 0)) == vn(2024, 3, 11, 8, 0)  # Friday evening → Monday
    assert window.next_opening(vn(2024, 2, 8, 10, 0)) == vn(2024, 2, 15, 8, 0)  # Tết → first working day
    assert window.next_opening(vn(2024, 5, 3, 18, 0)) == vn(2024, 5, 4, 8, 0)  # make-up Saturday
    assert window.send_time(D7, vn(2024, 3, 6, 9, 0)) == D7
    assert window.send_time(vn(2024, 3, 6, 7, 0), vn(2024, 3, 6, 7, 30)) == vn(2024, 3, 6, 8, 0)


# --- planning and sending ----------------------------------------------------------------


async def test_d7_goes_to_every_focal_point_exactly_once_with_its_message_id(engine):
    ids = seed(engine)
    sender = FakeSender()
    first = await run_tick(engine, sender, D7)

    expected = {
        dp.reminder_key(ob_id(engine, CONTACTS[name][0]), ids[name], "D-7") for name in FOCAL_ACTIVE
    }
    assert sorted(sender.keys()) == sorted(expected)
    assert first.enqueue.enqueued == len(expected) and first.dispatch.sent == len(expected)
    assert not sender.to("105")  # inactive contact
    assert not sender.to("901") and not sender.to("902")  # no digest before the escalation

    police = text_of(sender.to("101")[0])
    assert "Kính gửi đồng chí Nguyễn Văn An," in police
    assert "<b>Công an tỉnh</b>" in police and "quý I năm 2024" in police
    assert "<b>Thứ Sáu, ngày 15 tháng 3 năm 2024</b> (còn 7 ngày làm việc)" in police
    assert "• NV4 (chủ trì):" in police and "• NV1 (phối hợp):" in police
    assert "Đồng chí trả lời trực tiếp tin nhắn này hoặc dùng lệnh /baocao" in police
    assert "• NV8 (đề nghị chủ trì):" in text_of(sender.to("103")[0])

    rows = outbox(engine, kind="reminder")
    assert {r.status for r in rows} == {"sent"}
    by_key = {row.key: row for row in sender.sent}
    for row in rows:
        # The conversation core attributes replies through message_id.
        assert row.message_id == f"msg-{sender.keys().index(row.key) + 1}"
        assert row.sent_at == D7 and row.attempts == 1 and row.claimed_by == "test"
        assert row.step == "D-7" and row.obligation_id is not None and row.contact_id is not None
        assert row.not_before == D7 and by_key[row.key].chat_id == row.chat_id

    again = await run_tick(engine, sender, D7)
    later = await run_tick(engine, sender, vn(2024, 3, 6, 15, 0))
    assert len(sender.sent) == len(expected)
    assert again.enqueue.enqueued == later.enqueue.enqueued == 0
    assert again.dispatch.claimed == later.dispatch.claimed == 0


async def test_after_a_downtime_only_the_latest_step_goes_out(engine):
    ids = seed(engine)
    sender = FakeSender()
    await run_tick(engine, sender, vn(2024, 3, 18, 9, 0))  # the first run ever
    assert {row.key.rsplit(":", 1)[1] for row in sender.sent} == {"D+1"}
    assert len(sender.sent) == len(FOCAL_ACTIVE)
    assert "đã quá hạn 1 ngày làm việc" in text_of(sender.to("104")[0])
    assert outbox(engine, kind="reminder", step="D-7") == []


async def test_unsent_older_steps_are_dropped_when_a_later_one_is_due(engine):
    ids = seed(engine)
    planned = plan_only(engine, D7)  # enqueued, never sent: the sender was down
    assert planned.enqueued == len(FOCAL_ACTIVE)
    sender = FakeSender()
    report_ = await run_tick(engine, sender, vn(2024, 3, 18, 9, 0))
    assert {row.step for row in sender.sent} == {"D+1"}
    assert report_.enqueue.superseded == len(FOCAL_ACTIVE)
    dropped = outbox(engine, step="D-7")
    assert {row.status for row in dropped} == {"dropped"}
    assert all("superseded by step D+1" in row.last_error for row in dropped)
    assert all(row.sent_at is None for row in dropped)


async def test_no_reminder_to_an_agency_that_reported_every_task(engine):
    ids = seed(engine)
    police = all_tasks("cong-an-tinh")
    # Task 1 answered through its sub-item 1a counts as reported (reports/status.py's rule).
    report(engine, "cong-an-tinh", [no if no != "1" else "1a" for no in police], vn(2024, 3, 5, 10, 0))
    report(engine, "so-noi-vu", ["3"], vn(2024, 3, 5, 10, 0))  # partial
    sender = FakeSender()
    result = await run_tick(engine, sender, D7)
    assert not sender.to("101") and not sender.to("102")
    assert result.enqueue.skipped_reported == 2
    home = sender.to("104")[0].payload
    assert "NV3" not in home["missing"] and "Đã ghi nhận báo cáo NV3" in text_of(sender.to("104")[0])
    assert "• NV3 " not in text_of(sender.to("104")[0])


async def test_a_pending_reminder_is_dropped_when_the_agency_reports_before_it_goes(engine):
    seed(engine)
    plan_only(engine, D7)
    report(engine, "hoi-luat-gia-tinh", all_tasks("hoi-luat-gia-tinh"), vn(2024, 3, 6, 8, 40))
    sender = FakeSender()
    result = await run_tick(engine, sender, vn(2024, 3, 6, 9, 0))
    assert not sender.to("103")
    assert result.enqueue.reported == 1
    [row] = outbox(engine, chat_id="103")
    assert row.status == "dropped" and "reported every task" in row.last_error


async def test_nothing_goes_out_of_office_hours_until_the_next_opening(engine):
    seed(engine)
    sender = FakeSender()
    # First run in the evening of the D-7 day: queued for tomorrow's opening.
    await run_tick(engine, sender, vn(2024, 3, 6, 18, 0))
    assert sender.sent == []
    rows = outbox(engine, kind="reminder")
    assert rows and {row.not_before for row in rows} == {vn(2024, 3, 7, 8, 0)}
    await run_tick(engine, sender, vn(2024, 3, 7, 7, 59))
    assert sender.sent == []
    await run_tick(engine, sender, vn(2024, 3, 7, 8, 0))
    assert len(sender.sent) == len(FOCAL_ACTIVE)
    # Rendered for the day it goes out: 7/3 → 15/3 is 6 working days.
    assert "(còn 6 ngày làm việc)" in text_of(sender.sent[0])


async def test_a_due_row_left_pending_at_closing_time_waits_for_the_morning(engine):
    seed(engine)
    plan_only(engine, D7)  # queued at 08:30, but no dispatcher ran during the day
    sender = FakeSender()
    result = await run_tick(engine, sender, vn(2024, 3, 6, 17, 30))
    assert sender.sent == [] and result.enqueue.updated == len(FOCAL_ACTIVE)
    assert {row.not_before for row in outbox(engine, kind="reminder")} == {vn(2024, 3, 7, 8, 0)}
    await run_tick(engine, sender, vn(2024, 3, 7, 8, 5))
    assert len(sender.sent) == len(FOCAL_ACTIVE)


async def test_nothing_goes_out_on_a_holiday(engine):
    # A variant plan with quý I due Friday 23/2/2024: D-7 falls on 7/2, the last working day
    # before Tết (8–14/2 off), D-3 on 20/2.
    def edit(raw):
        q1 = raw["reporting"]["periods"][0]
        q1["cutoff_to"] = {"month": 2, "day": 22}
        q1["due"] = {"month": 2, "day": 23}

    plan = variant(edit)
    seed(engine, plan)
    sender = FakeSender()
    for at in (vn(2024, 2, 8, 10, 0), vn(2024, 2, 9, 9, 0), vn(2024, 2, 12, 9, 0), vn(2024, 2, 14, 16, 0), vn(2024, 2, 15, 7, 59)):
        await run_tick(engine, sender, at, plan=plan)
        assert sender.sent == [], at
    assert {row.not_before for row in outbox(engine, kind="reminder")} == {vn(2024, 2, 15, 8, 0)}
    await run_tick(engine, sender, vn(2024, 2, 15, 8, 0), plan=plan)
    assert {row.step for row in sender.sent} == {"D-7"} and len(sender.sent) == len(FOCAL_ACTIVE)
    assert "Thứ Sáu, ngày 23 tháng 2 năm 2024" in text_of(sender.sent[0])
    # A step whose window passes entirely in a holiday is skipped, not sent late.
    await run_tick(engine, sender, vn(2024, 2, 20, 8, 30), plan=plan)
    assert {row.step for row in sender.sent} == {"D-7", "D-3"}


async def test_rate_limited_row_is_retried_later_not_lost(engine):
    ids = seed(engine)
    sender = FakeSender()
    sender.fail["101"] = [dp.RetryLater(30)]
    first = await run_tick(engine, sender, D7)
    assert first.dispatch.retried == 1 and not sender.to("101")
    [row] = outbox(engine, chat_id="101")
    assert row.status == "pending" and row.not_before == D7 + timedelta(seconds=30)
    assert row.attempts == 1 and "retry after 30" in row.last_error and row.claimed_by is None

    await run_tick(engine, sender, D7 + timedelta(seconds=10))
    assert not sender.to("101")
    await run_tick(engine, sender, D7 + timedelta(seconds=31))
    [sent] = sender.to("101")
    [row] = outbox(engine, chat_id="101")
    assert row.status == "sent" and row.attempts == 2 and row.message_id is not None
    assert Counter(sender.keys()).most_common(1)[0][1] == 1


async def test_transient_errors_back_off_then_fail_and_keep_the_row(engine, caplog):
    seed(engine)
    sender = FakeSender()
    sender.fail["104"] = [dp.TransientError("502 Bad Gateway"), None]
    sender.fail["103"] = dp.TransientError("network down")
    at = D7
    await run_tick(engine, sender, at)
    [row] = outbox(engine, chat_id="104")
    assert row.status == "pending" and row.not_before == at + dp.BACKOFF_BASE and row.attempts == 1
    await run_tick(engine, sender, at + dp.BACKOFF_BASE)
    assert len(sender.to("104")) == 1

    for _ in range(dp.MAX_ATTEMPTS + 2):
        at += dp.BACKOFF_MAX
        await run_tick(engine, sender, at)
    [row] = outbox(engine, chat_id="103")
    assert row.status == "failed" and row.attempts == dp.MAX_ATTEMPTS and "network down" in row.last_error
    assert "failed after" in caplog.text


async def test_blocked_user_is_deactivated_and_coordinators_told(engine):
    ids = seed(engine)
    sender = FakeSender()
    sender.fail["103"] = dp.Blocked("Forbidden: bot was blocked by the user")
    result = await run_tick(engine, sender, D7)
    assert result.dispatch.blocked == 1
    [row] = outbox(engine, chat_id="103")
    assert row.status == "failed" and "blocked" in row.last_error
    with session_scope(engine) as session:
        contact = session.get(Contact, ids["Phạm Văn Cường"])
        assert contact.active is False and contact.deactivated_reason == "blocked"
        assert contact.deactivated_at == D7
        assert session.exec(select(AuditLog).where(AuditLog.action == "contact.blocked")).one().target == f"contact:{contact.id}"
    notices = outbox(engine, kind="notice")
    assert sorted(n.chat_id for n in notices) == ["901", "902"]
    assert all(n.key.startswith(f"blocked:{ids['Phạm Văn Cường']}:") for n in notices)
    # Sent within the same tick, and naming who and which agency.
    assert {n.status for n in notices} == {"sent"}
    text = text_of(sender.to("901")[0])
    assert "Phạm Văn Cường" in text and "Hội Luật gia tỉnh" in text and "chặn" in text

    sender.fail.clear()
    await run_tick(engine, sender, vn(2024, 3, 12, 8, 30))  # D-3: not to the blocked chat
    assert not sender.to("103")
    assert len(outbox(engine, kind="notice")) == 2


async def test_a_crashed_senders_rows_are_claimed_again_after_the_lease(engine):
    seed(engine)
    plan_only(engine, D7)
    crashed = dp.claim(engine, worker_id="crashed", now=D7, limit=100)
    assert len(crashed) == len(FOCAL_ACTIVE)
    assert {row.status for row in crashed} == {"sending"} and {row.claimed_by for row in crashed} == {"crashed"}
    assert dp.claim(engine, worker_id="other", now=D7, limit=100) == []  # nobody takes a leased row

    sender = FakeSender()
    soon = await dp.dispatch_once(engine, {"telegram": sender}, FixedClock(D7 + timedelta(seconds=20)), worker_id="rescuer", pacers={"telegram": fast_pacer()})
    assert soon.claimed == 0
    late = await dp.dispatch_once(engine, {"telegram": sender}, FixedClock(D7 + timedelta(seconds=40)), worker_id="rescuer", pacers={"telegram": fast_pacer()})
    assert late.sent == len(FOCAL_ACTIVE)
    rows = outbox(engine, kind="reminder")
    assert {row.status for row in rows} == {"sent"} and {row.claimed_by for row in rows} == {"rescuer"}


class GoneAfterSend(FakeSender):
    """Telegram takes the first message, and the database goes away before baocao can write
    that down (every connection checkout refused, as a vanished server's would be); it is back
    ``outage_s`` later, by which time the row's lease has run out on the clock."""

    def __init__(self, engine, outage_s: float) -> None:
        from tests.faults.support import DatabaseSwitch

        super().__init__()
        self.switch = DatabaseSwitch(engine)
        self.outage_s = outage_s

    async def send(self, row: Outbox, progress=None) -> str:
        import asyncio

        message_id = await super().send(row, progress)
        if len(self.sent) == 1:
            self.switch.down()
            asyncio.get_running_loop().call_later(self.outage_s, self.switch.up)
        return message_id


async def test_a_message_out_just_before_the_database_went_away_is_recorded_once_it_is_back_not_sent_again(engine):
    # The failure CI once caught in the fault suite (an answer delivered twice): the write
    # recording a delivered message met a refused connection, gave up at once, and the row went
    # out again after its lease.
    seed(engine)
    plan_only(engine, D7)
    sender = GoneAfterSend(engine, outage_s=1.5)
    stats = await dp.dispatch_once(engine, {"telegram": sender}, FixedClock(D7), worker_id="w", pacers={"telegram": fast_pacer()})
    assert stats.sent == len(FOCAL_ACTIVE) and stats.lost_lease == 0
    rows = outbox(engine, kind="reminder")
    assert {row.status for row in rows} == {"sent"} and all(row.message_id for row in rows)
    later = FixedClock(D7 + dp.DEFAULT_LEASE * 3)  # long past every lease
    again = await dp.dispatch_once(engine, {"telegram": sender}, later, worker_id="other", pacers={"telegram": fast_pacer()})
    assert again.claimed == 0
    assert Counter(sender.keys()) == Counter(row.key for row in rows)  # each once


async def test_a_crashed_senders_superseded_rows_are_dropped_not_sent_late(engine):
    seed(engine)
    plan_only(engine, D7)
    dp.claim(engine, worker_id="crashed", now=D7, limit=100)  # …and never came back
    sender = FakeSender()
    await run_tick(engine, sender, vn(2024, 3, 12, 8, 30))
    assert {row.step for row in sender.sent} == {"D-3"}
    old = outbox(engine, step="D-7")
    assert {row.status for row in old} == {"dropped"} and all("superseded" in row.last_error for row in old)


async def test_a_worker_that_lost_its_lease_does_not_overwrite_the_new_owner(engine):
    seed(engine)
    plan_only(engine, D7)
    [stale] = dp.claim(engine, worker_id="slow", now=D7, limit=1)
    [mine] = dp.claim(engine, worker_id="fast", now=D7 + timedelta(seconds=40), limit=1)
    assert mine.id == stale.id
    assert dp._outcome(engine, stale, "slow", status="sent", message_id="x") is False
    assert outbox(engine, id=stale.id)[0].claimed_by == "fast"


async def test_digest_to_each_coordinator_after_the_escalation_step_lists_late_agencies_once(engine):
    contacts = dict(CONTACTS)
    # The same person bound twice (coordinator here, admin elsewhere): one digest for the chat.
    contacts["Hoàng Văn Em (2)"] = ("van-phong-ubnd-tinh", "admin", "901", True)
    ids = seed(engine, contacts=contacts)
    report(engine, "cong-an-tinh", all_tasks("cong-an-tinh"), vn(2024, 3, 14, 10, 0))
    report(engine, "so-noi-vu", ["3"], vn(2024, 3, 14, 10, 0))
    sender = FakeSender()
    await run_tick(engine, sender, vn(2024, 3, 20, 9, 0))

    digests = outbox(engine, kind="digest")
    assert sorted(d.key for d in digests) == sorted(
        [dp.digest_key(PLAN.plan.id, "2024-Q1", ids["Hoàng Văn Em"]), dp.digest_key(PLAN.plan.id, "2024-Q1", ids["Vũ Thị Giang"])]
    )
    assert {d.status for d in digests} == {"sent"}
    text = text_of(sender.to("901")[0])
    assert "Kính gửi đồng chí Hoàng Văn Em," in text
    total = len([o for o in obligations(PLAN, CAL, 2024) if o.period == "2024-Q1"])
    assert f"<b>{total - 1}/{total}</b>" in text
    assert "Công an tỉnh" not in text
    assert text.count("Sở Nội vụ: còn thiếu NV1, NV2") == 1
    assert text.count("Hội Luật gia tỉnh: chưa báo cáo\n") == 1  # has a focal point
    assert "Sở Y tế: chưa báo cáo <i>(chưa có đầu mối)</i>" in text
    assert "cong-an-tinh" not in digests[0].payload["late"]
    # The late agencies themselves got the escalation step.
    assert {row.step for row in sender.sent if row.kind == "reminder"} == {"D+3"}
    assert "chuyển tới Sở Tư pháp" in text_of(sender.to("103")[0])

    before = len(sender.sent)
    await run_tick(engine, sender, vn(2024, 3, 21, 9, 0))
    await run_tick(engine, sender, vn(2024, 3, 22, 16, 0))
    assert len(sender.sent) == before
    # After the consolidation due date nothing of quý I goes out any more.
    await run_tick(engine, sender, vn(2024, 3, 25, 9, 0))
    assert len(sender.sent) == before


async def test_a_plan_past_its_end_enqueues_nothing(engine):
    seed(engine)
    sender = FakeSender()
    result = await run_tick(engine, sender, vn(2025, 3, 6, 8, 30))
    assert result.enqueue.enqueued == 0 and sender.sent == [] and outbox(engine) == []

    # A plan that ended early: what was still pending is dropped, nothing new is queued.
    plan_only(engine, D7)
    ended = variant(lambda raw: raw["plan"]["in_force"].update({"to": "2024-03-08"}))
    result = await run_tick(engine, sender, vn(2024, 3, 12, 8, 30), plan=ended)
    assert sender.sent == [] and result.enqueue.enqueued == 0
    rows = outbox(engine)
    assert rows and {row.status for row in rows} == {"dropped"}
    assert all("no longer in force" in row.last_error for row in rows)


async def test_withdrawn_obligation_and_revoked_contact_lose_their_pending_rows(engine):
    ids = seed(engine)
    plan_only(engine, D7)
    with session_scope(engine) as session:
        session.get(Contact, ids["Lê Thị Bình"]).active = False
        ob = session.get(Obligation, ob_id(engine, "so-noi-vu"))
        ob.status = "withdrawn"
    sender = FakeSender()
    result = await run_tick(engine, sender, vn(2024, 3, 6, 9, 0))
    assert not sender.to("102") and not sender.to("104")
    assert result.enqueue.inactive == 2
    reasons = {row.chat_id: row.last_error for row in outbox(engine) if row.status == "dropped"}
    assert "no longer an active focal point" in reasons["102"] and "withdrawn" in reasons["104"]


# --- several processes -------------------------------------------------------------------

WORKER = r"""
import asyncio, os, sys, time
from datetime import datetime
from common.clock import FixedClock
from common.paths import BUNDLED_DATA_DIR
from scheduler import dispatch
from scheduler.calendar import WorkingCalendar
from scheduler.plan import load_plan
from storage.db import get_engine

url, folder, worker, at = sys.argv[1:5]
plan = load_plan(BUNDLED_DATA_DIR / "plan.json")
cal = WorkingCalendar.load(BUNDLED_DATA_DIR / "calendar-vn.json")
engine = get_engine(url)
log_path = os.path.join(folder, "sent.log")


class Recorder:
    async def send(self, row, progress):
        fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, f"{row.key}\t{worker}\n".encode())
        finally:
            os.close(fd)
        await asyncio.sleep(0.003)
        return f"{worker}-{row.id}"


async def main():
    engine.connect().close()  # connected before the start signal
    open(os.path.join(folder, f"ready.{worker}"), "w").close()
    deadline = time.monotonic() + 60
    while not os.path.exists(os.path.join(folder, "go")):
        if time.monotonic() > deadline:
            sys.exit("no start signal")
        await asyncio.sleep(0.002)
    clock = FixedClock(datetime.fromisoformat(at))
    pacer = dispatch.Pacer(per_second=100_000, per_chat_interval=0)
    for _ in range(3):
        await dispatch.tick(engine, plan, cal, {"telegram": Recorder()}, clock, worker_id=worker, limit=4, pacers={"telegram": pacer})


asyncio.run(main())
"""


def _run_workers(url: str, folder: Path, at: datetime, count: int) -> None:
    folder.mkdir()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, str(folder), f"w{index}", at.isoformat()],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for index in range(count)
    ]
    try:
        deadline = _time.monotonic() + 90
        while len(list(folder.glob("ready.*"))) < count:
            crashed = [p for p in procs if p.poll() is not None]
            if crashed:
                pytest.fail(f"a worker died before starting: {crashed[0].communicate()[1][-2000:]}")
            if _time.monotonic() > deadline:
                pytest.fail("workers did not start in time")
            _time.sleep(0.01)
        (folder / "go").touch()
        for proc in procs:
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err[-3000:]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@pytest.mark.parametrize("workers", [3])
def test_several_processes_ticking_at_once_send_everything_exactly_once(engine, database_url, tmp_path, workers):
    agencies = sorted({o.agency_id for o in obligations(PLAN, CAL, 2024) if o.period == "2024-Q1"})
    contacts = {}
    for index, agency in enumerate(agencies):
        contacts[f"Đầu mối {index}a"] = (agency, "focal", f"5{index:03d}", True)
        contacts[f"Đầu mối {index}b"] = (agency, "focal", f"6{index:03d}", True)
    contacts["Điều phối 1"] = ("so-tu-phap", "coordinator", "901", True)
    contacts["Điều phối 2"] = ("so-tu-phap", "admin", "902", True)
    ids = seed(engine, contacts=contacts)
    focal = [name for name, spec in contacts.items() if spec[1] == "focal"]
    url = engine.url.render_as_string(hide_password=False)
    obs = {agency: ob_id(engine, agency) for agency in agencies}
    participants: set[str] = set()

    for phase, (at, step) in enumerate([(D7, "D-7"), (vn(2024, 3, 20, 9, 0), "D+3")]):
        folder = tmp_path / f"phase{phase}"
        _run_workers(url, folder, at, workers)
        lines = [line.split("\t") for line in (folder / "sent.log").read_text().splitlines()]
        sent = Counter(key for key, _ in lines)
        participants |= {worker for _, worker in lines}
        expected = {dp.reminder_key(obs[contacts[name][0]], ids[name], step) for name in focal}
        if step == "D+3":
            expected |= {dp.digest_key(PLAN.plan.id, "2024-Q1", ids["Điều phối 1"]), dp.digest_key(PLAN.plan.id, "2024-Q1", ids["Điều phối 2"])}
        duplicates = {key: n for key, n in sent.items() if n > 1}
        assert duplicates == {}
        assert set(sent) == expected  # nothing missing, nothing extra
        rows = {row.key: row for row in outbox(engine) if row.key in expected}
        assert {row.status for row in rows.values()} == {"sent"}
        assert all(row.message_id == f"{row.claimed_by}-{row.id}" for row in rows.values())
    assert len(participants) >= 2, participants


async def test_a_past_quarter_is_never_reminded_after_a_long_downtime(engine):
    """First tick on 6/6 (H1 D-7): quý I's last step (D+3, 20/3) was never sent, but its time
    is long past the consolidation due date: only H1's D-7 goes out."""
    seed(engine)
    sender = FakeSender()
    await run_tick(engine, sender, vn(2024, 6, 6, 9, 0))
    assert sender.keys(), "H1 D-7 went out"
    assert all(key.endswith(":D-7") for key in sender.keys()), sender.keys()
    assert all("06 tháng năm 2024" in text_of(row) for row in sender.sent if row.kind == "reminder")


def test_claim_takes_one_row_per_chat_and_keeps_a_chats_order(engine):
    from storage.db import session_scope
    from storage.models import OutboxCreate
    from storage.queries import enqueue_outbox

    at = vn(2024, 3, 6, 9, 0)
    with session_scope(engine) as session:
        for key, chat in (("a1", "1"), ("a2", "1"), ("a3", "1"), ("b1", "2")):
            enqueue_outbox(session, OutboxCreate(key=key, channel="telegram", chat_id=chat, kind="notice", payload={}, not_before=at), now=at)
    first = dp.claim(engine, worker_id="w", now=at, limit=10)
    assert sorted((r.chat_id, r.key) for r in first) == [("1", "a1"), ("2", "b1")]
    # While a1 is being sent, nobody takes a2: the chat's messages keep their order.
    assert dp.claim(engine, worker_id="other", now=at, limit=10) == []
    a1 = next(r for r in first if r.key == "a1")
    assert dp._outcome(engine, a1, "w", status="sent", sent_at=at, lease_until=None)
    second = dp.claim(engine, worker_id="w", now=at, limit=10)
    assert [r.key for r in second] == ["a2"]


def test_answers_are_claimed_before_reminders(engine):
    from storage.models import OutboxCreate, OutboxPriority
    from storage.queries import enqueue_outbox

    at = vn(2024, 3, 6, 9, 0)
    with session_scope(engine, write=True) as session:
        for index in range(5):
            enqueue_outbox(session, OutboxCreate(key=f"r{index}", channel="telegram", chat_id=f"r{index}", kind="reminder", not_before=at), now=at)
        enqueue_outbox(
            session,
            OutboxCreate(key="answer", channel="telegram", chat_id="a", kind="answer", priority=OutboxPriority.ANSWER, not_before=at),
            now=at,
        )
    assert [r.key for r in dp.claim(engine, worker_id="w", now=at, limit=2)] == ["answer", "r0"]


async def test_a_long_message_resumes_after_the_parts_already_sent(engine):
    """A crash after part 1 of 3: the next sender starts at part 2 (one part at most repeats)."""
    from bot.channels.telegram import render
    from common.message import Message
    from storage.models import OutboxCreate
    from storage.queries import enqueue_outbox

    at = vn(2024, 3, 6, 9, 0)
    message = Message(*[f"Dòng số {i} " + "x" * 80 for i in range(120)])
    parts = render(message)
    assert len(parts) == 3
    with session_scope(engine, write=True) as session:
        enqueue_outbox(
            session, OutboxCreate(key="long", channel="telegram", chat_id="7", kind="notice", payload={"message": message.to_json()}, not_before=at),
            now=at,
        )
    sent: list[int] = []

    class Crash(BaseException):
        """The process dies (nothing in the dispatcher catches a BaseException)."""

    class Crashing:
        def __init__(self, crash_after: int | None) -> None:
            self.crash_after = crash_after

        async def send(self, row, progress):
            for index in range(row.parts_sent, len(parts)):
                sent.append(index)
                if index == self.crash_after:
                    raise Crash  # the process dies right after this part went out
                if index < len(parts) - 1:
                    await progress(index, f"m{index}")
            return f"m{len(parts) - 1}"

    with pytest.raises(Crash):
        await dp.dispatch_once(engine, {"telegram": Crashing(1)}, FixedClock(at), worker_id="dead", pacers={"telegram": fast_pacer()})
    later = FixedClock(at + dp.DEFAULT_LEASE + timedelta(seconds=1))
    stats = await dp.dispatch_once(engine, {"telegram": Crashing(None)}, later, worker_id="next", pacers={"telegram": fast_pacer()})
    assert stats.sent == 1
    assert sent == [0, 1, 1, 2]  # part 2 (index 1) went out twice: the one in flight at the crash
    from storage.models import OutboxMessage

    with session_scope(engine) as session:
        assert sorted(m.message_id for m in session.exec(select(OutboxMessage)).all()) == ["m0", "m1", "m2"]


async def test_a_message_out_while_the_database_blips_is_recorded_not_sent_again(engine, monkeypatch):
    """The platform took the message, then the database failed (twice) to record it: the worker
    keeps trying within the lease instead of leaving the row to be claimed and sent again."""
    from sqlalchemy.exc import OperationalError

    seed(engine)
    real = dp._outcome
    failures = {"left": 2}

    def flaky(engine_, row, worker_id, **values):
        if values.get("status") == "sent" and failures["left"]:
            failures["left"] -= 1
            raise OperationalError("UPDATE outbox", {}, Exception("server closed the connection unexpectedly"))
        return real(engine_, row, worker_id, **values)

    monkeypatch.setattr(dp, "_outcome", flaky)
    sender = FakeSender()
    await run_tick(engine, sender, D7)
    assert failures["left"] == 0
    rows_ = outbox(engine)
    assert rows_ and all(row.status == "sent" for row in rows_)
    # A later tick after the lease sends nothing again.
    await run_tick(engine, sender, D7 + dp.DEFAULT_LEASE + timedelta(seconds=5))
    assert Counter(sender.keys()).most_common(1)[0][1] == 1
