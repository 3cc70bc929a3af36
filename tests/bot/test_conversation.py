"""The conversation core in-process, on SQLite and PostgreSQL: a focal point reports,
confirms, corrects; redeliveries and strangers change nothing."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from common.clock import FixedClock
from common.paths import BUNDLED_DATA_DIR
from bot.conversation import Conversation, ConversationConfig
from bot.messages import Attachment, Inbound
from scheduler.calendar import WorkingCalendar
from scheduler.plan import load_plan
from storage.models import Contact, Evidence, Inbox, Obligation, Report
from storage.queries import latest_entries

ICT = timezone(timedelta(hours=7))
FOCAL, STRANGER = "100", "999"
_ids = itertools.count(1)


@pytest.fixture
def clock():
    return FixedClock(datetime(2024, 3, 6, 9, 0, tzinfo=ICT))


@pytest.fixture
def conv(engine, clock):
    conversation = Conversation(
        engine=engine,
        plan=load_plan(BUNDLED_DATA_DIR / "plan.json"),
        calendar=WorkingCalendar.load(),
        clock=clock,
        config=ConversationConfig(rate_limit=1000),
    )
    conversation.sync_plan()
    from storage.db import session_scope

    with session_scope(engine) as session:
        session.add(
            Contact(
                chat_id=FOCAL, user_id=FOCAL, display_name="Trần Văn B", agency_id="cong-an-tinh",
                role="focal", language="vi", created_at=clock.now(),
            )
        )
    return conversation


def send(conv, text="", user=FOCAL, **kw):
    msg = Inbound(channel="telegram", update_id=str(next(_ids)), chat_id=kw.pop("chat_id", user), user_id=user, text=text, **kw)
    return msg, conv.handle(msg)


def press(conv, out, label_start, user=FOCAL):
    choice = next(c for row in out[-1].choices for c in row if c.label.startswith(label_start) or c.data.startswith(label_start))
    return send(conv, user=user, callback_data=choice.data)[1]


def police_q1(session):
    return session.exec(select(Obligation).where(Obligation.agency_id == "cong-an-tinh", Obligation.period == "2024-Q1")).one()


def test_report_confirm_store(conv, session):
    _, out = send(conv, "NV4: đang thực hiện 70%, vướng kinh phí")
    [reply] = out
    assert "quý I năm 2024" in reply.text
    assert "NV4" in reply.text and "đang thực hiện" in reply.text and "70%" in reply.text
    assert "khó khăn" in reply.text
    out = press(conv, out, "✅")
    assert "Đã ghi nhận báo cáo quý I năm 2024 của Công an tỉnh" in out[0].text
    entry = latest_entries(session, police_q1(session).id)["4"]
    assert (entry.status, entry.percent, entry.difficulty, entry.revision) == ("in_progress", 70, True, 1)
    assert entry.text.startswith("NV4")
    assert not entry.late


def test_correction_is_a_new_revision(conv, session):
    _, out = send(conv, "NV4: đang thực hiện 70%")
    press(conv, out, "✅")
    _, out = send(conv, "nv4 da hoan thanh")
    assert "sửa lần 1" in out[0].text
    press(conv, out, "✅")
    entry = latest_entries(session, police_q1(session).id)["4"]
    assert (entry.status, entry.revision) == ("done", 2)


def test_fix_button_then_resend(conv, session):
    _, out = send(conv, "NV4: đang thực hiện 50%")
    out = press(conv, out, "✏️")
    assert "gửi lại nội dung đúng" in out[0].text
    _, out = send(conv, "NV4: đang thực hiện 60%")
    press(conv, out, "✅")
    assert latest_entries(session, police_q1(session).id)["4"].percent == 60


def test_stale_button_does_nothing(conv, session):
    _, first = send(conv, "NV4: đang thực hiện 50%")
    _, second = send(conv, "NV4: đang thực hiện 60%")
    out = press(conv, first, "✅")
    assert "hết hiệu lực" in out[0].text
    assert latest_entries(session, police_q1(session).id) == {}


def test_unclear_task_asks_with_buttons(conv, session):
    _, out = send(conv, "Đã tổ chức 3 hội nghị, đạt 80%")
    assert "nhiệm vụ nào" in out[0].text
    labels = [c.label for row in out[0].choices for c in row]
    assert "NV4" in labels and "NV3" not in labels[:0]
    out = press(conv, out, "t:")  # first task offered
    assert "Đồng chí kiểm tra" in out[0].text


def test_task_not_assigned_or_unknown(conv, session):
    _, out = send(conv, "NV15: hoàn thành")
    assert "không có nhiệm vụ 15" in out[0].text
    assert latest_entries(session, police_q1(session).id) == {}


def test_redelivered_update_changes_nothing(conv, session):
    msg, out = send(conv, "NV4: đang thực hiện 70%")
    ok = next(c for c in out[0].choices[0] if c.data.startswith("ok:"))
    press_msg = Inbound(channel="telegram", update_id="press-1", chat_id=FOCAL, user_id=FOCAL, callback_data=ok.data)
    assert conv.handle(press_msg)
    assert conv.handle(press_msg) == []  # redelivery
    assert conv.handle(msg) == []
    assert len(session.exec(select(Report)).all()) == 1


def test_stranger_is_refused_and_only_the_inbox_keeps_a_trace(conv, session):
    _, out = send(conv, "NV4: hoàn thành", user=STRANGER)
    assert "chưa được đăng ký" in out[0].text
    assert session.exec(select(Report)).all() == []
    assert session.exec(select(Inbox).where(Inbox.user_id == STRANGER)).one().status == "processed"


def test_group_chats_are_ignored(conv, session):
    _, out = send(conv, "NV4: hoàn thành", chat_type="group", chat_id="-500")
    assert out == []
    assert session.exec(select(Inbox).where(Inbox.chat_id == "-500")).one().status == "ignored"


def test_late_report_is_marked_late_not_refused(conv, session, clock):
    clock.set(datetime(2024, 3, 19, 10, 0, tzinfo=ICT))
    _, out = send(conv, "NV4: hoàn thành")
    assert "gửi muộn" in out[0].text
    out = press(conv, out, "✅")
    assert "gửi muộn" in out[0].text
    assert latest_entries(session, police_q1(session).id)["4"].late


def test_deadlines_command(conv):
    _, out = send(conv, "/hanchot")
    assert "Thứ Sáu, ngày 15 tháng 3 năm 2024" in out[0].text
    assert "còn 7 ngày làm việc" in out[0].text


def test_plan_past_its_end(conv, clock):
    clock.set(datetime(2026, 11, 27, 9, 0, tzinfo=ICT))
    _, out = send(conv, "/hanchot")
    assert "hết hiệu lực" in out[0].text and "BAOCAO_PLAN_PATH" in out[0].text


def test_guided_report(conv, session):
    _, out = send(conv, "/baocao")
    out = press(conv, out, "NV4")
    out = press(conv, out, "gs:")  # the first status offered: chưa triển khai
    assert "Bước 3/3" in out[0].text
    _, out = send(conv, "dự kiến triển khai quý II, vướng kinh phí")
    out = press(conv, out, "✅")
    entry = latest_entries(session, police_q1(session).id)["4"]
    assert entry.status == "not_started" and entry.difficulty


def test_evidence_after_a_report(conv, session):
    _, out = send(conv, "NV4: hoàn thành")
    press(conv, out, "✅")
    _, out = send(conv, attachment=Attachment("document", "FILE1", "bien-ban.pdf"))
    assert "minh chứng" in out[0].text
    evidence = session.exec(select(Evidence)).one()
    assert (evidence.file_id, evidence.filename, evidence.kind) == ("FILE1", "bien-ban.pdf", "document")
    report = session.exec(select(Report)).one()
    assert evidence.report_id == report.id


def test_sticker_and_voice_get_an_answer(conv):
    assert send(conv, attachment=Attachment("sticker"))[1][0].text
    assert "thoại" in send(conv, attachment=Attachment("voice"))[1][0].text


def test_unknown_command(conv):
    assert "/trogiup" in send(conv, "/xyz")[1][0].text


def test_user_text_is_escaped(conv):
    _, out = send(conv, "NV4: <b>hoàn thành</b> & xong")
    assert "&lt;b&gt;" in out[0].text and "<b>hoàn" not in out[0].text


def test_start_with_invitation_binds_and_greets(conv, engine, clock):
    from bot.invitations import create_invitation
    from storage.db import session_scope

    with session_scope(engine) as s:
        _, code = create_invitation(s, agency_id="so-tu-phap", role="focal", created_by="test", now=clock.now())
    _, out = send(conv, f"/start {code}", user="200", display_name="Lê Thị C")
    text = out[0].text
    assert "đầu mối báo cáo của <b>Sở Tư pháp</b>" in text
    assert "NV2 (chủ trì)" in text
    assert "Thứ Sáu, ngày 15 tháng 3 năm 2024" in text
    # The same link again: still bound, nothing new consumed; another person: refused.
    assert "Sở Tư pháp" in send(conv, f"/start {code}", user="200")[1][0].text
    assert "đã được sử dụng" in send(conv, f"/start {code}", user="300")[1][0].text
    assert "không hợp lệ" in send(conv, "/start khong-co-ma", user="301")[1][0].text
