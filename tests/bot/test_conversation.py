"""The conversation core, on SQLite and PostgreSQL, and on two channels (Telegram's rendering
and the text-only test channel): a focal point reports, confirms, corrects; strangers and
groups change nothing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from bot.messages import Attachment
from common.clock import FixedClock
from storage.db import session_scope
from storage.models import Contact, Evidence, Inbox, Obligation, Report
from storage.queries import latest_entries
from tests.bot.chat import CHANNELS, Chat

ICT = timezone(timedelta(hours=7))
FOCAL, STRANGER = "100", "999"


@pytest.fixture
def clock():
    return FixedClock(datetime(2024, 3, 6, 9, 0, tzinfo=ICT))


@pytest.fixture(params=CHANNELS)
def chat(request, engine, clock):
    chat = Chat(engine, clock, request.param)
    with session_scope(engine, write=True) as session:
        session.add(
            Contact(
                channel=chat.name, chat_id=FOCAL, user_id=FOCAL, display_name="Trần Văn B", agency_id="cong-an-tinh",
                role="focal", language="vi", created_at=clock.now(),
            )
        )
    return chat


def police_q1(session):
    return session.exec(select(Obligation).where(Obligation.agency_id == "cong-an-tinh", Obligation.period == "2024-Q1")).one()


def test_report_confirm_store(chat, session):
    out = chat.send("NV4: đang thực hiện 70%, vướng kinh phí")
    [reply] = out
    assert "quý I năm 2024" in reply.text
    assert "NV4" in reply.text and "đang thực hiện" in reply.text and "70%" in reply.text
    assert "khó khăn" in reply.text
    out = chat.press(out, "✅")
    assert "Đã ghi nhận báo cáo quý I năm 2024 của Công an tỉnh" in out[0].text
    entry = latest_entries(session, police_q1(session).id)["4"]
    assert (entry.status, entry.percent, entry.difficulty, entry.revision) == ("in_progress", 70, True, 1)
    assert entry.text.startswith("NV4")
    assert not entry.late


def test_choices_are_buttons_on_telegram_and_numbers_on_a_text_channel(chat):
    [reply] = chat.send("NV4: đang thực hiện 70%")
    labels = [c.label for c in reply.buttons]
    assert labels == ["✅ Xác nhận", "✏️ Sửa", "✖ Hủy", "📅 Đổi kỳ báo cáo"]
    if chat.name == "text":
        assert "1. ✅ Xác nhận   2. ✏️ Sửa   3. ✖ Hủy   4. 📅 Đổi kỳ báo cáo" in reply.text
    else:
        assert "1." not in reply.text


def test_typing_the_label_on_a_text_channel(chat, session):
    out = chat.send("NV4: đang thực hiện 70%")
    if chat.name != "text":
        pytest.skip("buttons are pressed on Telegram")
    assert "Đã ghi nhận" in chat.send("xac nhan")[0].text
    assert latest_entries(session, police_q1(session).id)["4"].percent == 70
    del out


def test_typing_the_sign_of_a_choice_on_a_text_channel(chat, session):
    # "✅" alone answers the choice "✅ Xác nhận" (the parser would read it as "done" of no task)
    if chat.name != "text":
        pytest.skip("buttons are pressed on Telegram")
    chat.send("NV4: đang thực hiện 70%")
    assert "Đã ghi nhận" in chat.send("✅")[0].text
    assert latest_entries(session, police_q1(session).id)["4"].percent == 70
    chat.send("nv4 da hoan thanh")
    assert "hủy" in chat.send("✖")[0].text.lower()
    assert latest_entries(session, police_q1(session).id)["4"].percent == 70


def test_correction_is_a_new_revision(chat, session):
    chat.press(chat.send("NV4: đang thực hiện 70%"), "✅")
    out = chat.send("nv4 da hoan thanh")
    assert "sửa lần 1" in out[0].text
    chat.press(out, "✅")
    entry = latest_entries(session, police_q1(session).id)["4"]
    assert (entry.status, entry.revision) == ("done", 2)


def test_fix_button_then_resend(chat, session):
    out = chat.press(chat.send("NV4: đang thực hiện 50%"), "✏️")
    assert "gửi lại nội dung đúng" in out[0].text
    chat.press(chat.send("NV4: đang thực hiện 60%"), "✅")
    assert latest_entries(session, police_q1(session).id)["4"].percent == 60


def test_stale_button_does_nothing(chat, session):
    first = chat.send("NV4: đang thực hiện 50%")
    chat.send("NV4: đang thực hiện 60%")
    ok = next(c for c in first[0].buttons if c.value.startswith("ok:"))
    out = chat.press_value(ok.value)
    assert "hết hiệu lực" in out[0].text
    assert latest_entries(session, police_q1(session).id) == {}


def test_unclear_task_asks_with_choices(chat, session):
    out = chat.send("Đã tổ chức 3 hội nghị, đạt 80%")
    assert "nhiệm vụ nào" in out[0].text
    labels = [c.label for c in out[0].buttons]
    assert "NV4" in labels
    out = chat.press(out, "t:")  # the first task offered
    assert "Đồng chí kiểm tra" in out[0].text


def test_task_not_assigned_or_unknown(chat, session):
    out = chat.send("NV15: hoàn thành")
    assert "không có nhiệm vụ 15" in out[0].text
    assert latest_entries(session, police_q1(session).id) == {}


def test_stranger_is_refused(chat, session):
    out = chat.send("NV4: hoàn thành", user=STRANGER)
    assert "chưa được đăng ký" in out[0].text
    assert session.exec(select(Report)).all() == []


def test_group_chats_are_ignored(chat):
    assert chat.send("NV4: hoàn thành", chat_type="group", chat_id="-500") == []


def test_late_report_is_marked_late_not_refused(chat, session, clock):
    clock.set(datetime(2024, 3, 19, 10, 0, tzinfo=ICT))
    out = chat.send("NV4: hoàn thành")
    assert "gửi muộn" in out[0].text
    out = chat.press(out, "✅")
    assert "gửi muộn" in out[0].text
    assert latest_entries(session, police_q1(session).id)["4"].late


def test_deadlines_command(chat):
    out = chat.send("/hanchot")
    assert "Thứ Sáu, ngày 15 tháng 3 năm 2024" in out[0].text
    assert "còn 7 ngày làm việc" in out[0].text


def test_plan_past_its_end(chat, clock):
    clock.set(datetime(2026, 11, 27, 9, 0, tzinfo=ICT))
    out = chat.send("/hanchot")
    assert "hết hiệu lực" in out[0].text and "BAOCAO_PLAN_PATH" in out[0].text


def test_guided_report(chat, session):
    out = chat.press(chat.send("/baocao"), "NV4")
    out = chat.press(out, "gs:")  # the first status offered: chưa triển khai
    assert "Bước 3/3" in out[0].text
    out = chat.send("dự kiến triển khai quý II, vướng kinh phí")
    chat.press(out, "✅")
    entry = latest_entries(session, police_q1(session).id)["4"]
    assert entry.status == "not_started" and entry.difficulty


def test_evidence_after_a_report(chat, session):
    chat.press(chat.send("NV4: hoàn thành"), "✅")
    out = chat.send(attachment=Attachment("document", "FILE1", "bien-ban.pdf"))
    assert "minh chứng" in out[0].text
    evidence = session.exec(select(Evidence)).one()
    assert (evidence.file_id, evidence.filename, evidence.kind, evidence.channel) == ("FILE1", "bien-ban.pdf", "document", chat.name)
    report = session.exec(select(Report)).one()
    assert evidence.report_id == report.id
    assert (report.source, report.channel) == ("chat", chat.name)


def test_sticker_and_voice_get_an_answer(chat):
    assert chat.send(attachment=Attachment("sticker"))[0].text
    assert "thoại" in chat.send(attachment=Attachment("voice"))[0].text


def test_unknown_command(chat):
    assert "/trogiup" in chat.send("/xyz")[0].text


def test_user_text_is_escaped_once_by_the_renderer(chat):
    out = chat.send("NV4: <b>hoàn thành</b> & xong")
    assert chat.esc("<b>hoàn thành</b> & xong") in out[0].text
    if chat.name == "telegram":
        assert "<b>hoàn" not in out[0].text and "&amp;lt;" not in out[0].text


def test_start_with_invitation_binds_and_greets(chat, engine, clock):
    from bot.invitations import create_invitation

    with session_scope(engine, write=True) as s:
        _, code = create_invitation(s, agency_id="so-tu-phap", role="focal", created_by="test", now=clock.now())
    text = chat.send(f"/start {code}", user="200", display_name="Lê Thị C")[0].text
    assert f"đầu mối báo cáo của {chat.b('Sở Tư pháp')}" in text
    assert "NV2 (chủ trì)" in text
    assert "Thứ Sáu, ngày 15 tháng 3 năm 2024" in text
    # The same code again: still bound, nothing new consumed; another person: refused.
    assert "Sở Tư pháp" in chat.send(f"/start {code}", user="200")[0].text
    assert "đã được sử dụng" in chat.send(f"/start {code}", user="300")[0].text
    assert "không hợp lệ" in chat.send("/start khong-co-ma", user="301")[0].text


def test_an_invitation_code_typed_alone_registers(chat, engine, clock):
    from bot.invitations import create_invitation

    with session_scope(engine, write=True) as s:
        _, code = create_invitation(s, agency_id="so-y-te", role="focal", created_by="test", now=clock.now())
    assert "Sở Y tế" in chat.send(f"  {code} ", user="400")[0].text
    assert "NV4" in chat.send("/nhiemvu", user="400")[0].text


# --- through the inbox: a redelivered update changes nothing ------------------------------------


def test_redelivered_update_is_handled_once(engine, clock):
    from baocao.config import Settings
    from baocao.demo.text_channel import TextChannel
    from baocao.services import Services
    from bot.inbox import InboxWorker, InboxWriter, Spool

    channel = TextChannel()
    services = Services(Settings(), clock, channels={"text": channel}, engine=engine)
    services.sync()
    with session_scope(engine, write=True) as session:
        session.add(Contact(channel="text", chat_id=FOCAL, user_id=FOCAL, agency_id="cong-an-tinh", role="focal", created_at=clock.now()))
    writer = InboxWriter(engine, {"text": channel}, Spool(services.settings.spool_path.with_name("unused-spool.jsonl")), clock)
    worker = InboxWorker(engine, services.conversation, {"text": channel}, clock)
    report = channel.update(FOCAL, "NV4: đang thực hiện 70%")
    for _ in range(3):
        writer.store("text", report)
    assert worker.process_all() == 1
    ok = channel.update(FOCAL, "1")
    writer.store("text", ok)
    writer.store("text", ok)
    assert worker.process_all() == 1
    with session_scope(engine) as session:
        assert len(session.exec(select(Report)).all()) == 1
        assert [row.status for row in session.exec(select(Inbox).order_by(Inbox.id)).all()] == ["processed", "processed"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_the_rate_limit_counts_messages_not_choices(engine, clock, channel):
    chat = Chat(engine, clock, channel, rate_limit=2)
    with session_scope(engine, write=True) as session:
        session.add(Contact(channel=channel, chat_id=FOCAL, user_id=FOCAL, agency_id="cong-an-tinh", role="focal", created_at=clock.now()))
    chat.send("/hanchot")
    out = chat.send("NV4: đang thực hiện 70%")
    assert "Đã ghi nhận" in chat.press(out, "✅")[0].text  # a third input, but a choice
    assert "quá nhiều tin" in chat.send("NV4: hoàn thành")[0].text
