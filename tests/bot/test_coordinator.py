"""Sở Tư pháp's coordinator and admin commands in the conversation core, on SQLite and
PostgreSQL: /tinhhinh, /chuabaocao with its nudge buttons, /moi, /dsdaumoi with revocation,
the role checks on every command and button, and split_message.

The scripted quý I 2024 (due Friday 15/3): Công an tỉnh reports every task on time (NV4 through
the bot, the rest beforehand), Sở Tư pháp reports every task late, Sở Nội vụ answers NV3 only,
everybody else is silent. The coordinators look on Monday 18/3 at 09:00.
"""

from __future__ import annotations

import itertools
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from common.clock import FixedClock
from common.paths import BUNDLED_DATA_DIR
from bot.conversation import Conversation, ConversationConfig
from bot.coordinator import MAX_BUTTONS, REFUSAL, Coordinator, _period_key, split_message
from bot.messages import Inbound
from scheduler.calendar import WorkingCalendar
from scheduler.plan import load_plan
from storage.db import session_scope
from storage.models import AuditLog, Contact, Invitation, Obligation, ReportSource
from storage.queries import add_report

ICT = timezone(timedelta(hours=7))
POLICE_FOCAL, HOME_FOCAL = "100", "101"
COORD, ADMIN, CONFIG_ADMIN, STRANGER = "200", "300", "900", "999"
BOT = "baocao_test_bot"
_ids = itertools.count(1)


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=ICT)


@pytest.fixture
def clock():
    return FixedClock(vn(2024, 3, 14, 10, 0))


@pytest.fixture
def conv(engine, clock):
    conversation = Conversation(
        engine=engine,
        plan=load_plan(BUNDLED_DATA_DIR / "plan.json"),
        calendar=WorkingCalendar.load(),
        clock=clock,
        config=ConversationConfig(rate_limit=1000, admin_user_ids=frozenset({CONFIG_ADMIN}), bot_username=BOT),
    )
    conversation.sync_plan()
    people = [
        (POLICE_FOCAL, "Trần Văn B", "cong-an-tinh", "focal"),
        (HOME_FOCAL, "Lê Thị D", "so-noi-vu", "focal"),
        (COORD, "Phạm Văn Điều", "so-tu-phap", "coordinator"),
        (ADMIN, "Ngô Quản Trị", "so-tu-phap", "admin"),
    ]
    with session_scope(engine) as session:
        for user, name, agency, role in people:
            session.add(
                Contact(chat_id=user, user_id=user, display_name=name, agency_id=agency, role=role, language="vi", created_at=clock.now())
            )
    return conversation


def send(conv, text="", user=COORD, **kw):
    msg = Inbound(channel="telegram", update_id=str(next(_ids)), chat_id=kw.pop("chat_id", user), user_id=user, text=text, **kw)
    return conv.handle(msg)


def buttons(out):
    return [c for o in out for row in o.choices for c in row]


def press(conv, out, label_start, user=COORD):
    choice = next(c for c in buttons(out) if c.label.startswith(label_start) or c.data.startswith(label_start))
    return send(conv, user=user, callback_data=choice.data)


def text_of(out, chat_id=None):
    return "\n".join(o.text for o in out if chat_id is None or o.chat_id == chat_id)


def rows(engine, statement):
    """Rows read in a short transaction of their own (an open read would block the bot's
    writes on SQLite); they stay readable afterwards."""
    with session_scope(engine) as session:
        return list(session.exec(statement).all())


def obligation(engine, agency_id, period="2024-Q1"):
    [row] = rows(engine, select(Obligation).where(Obligation.agency_id == agency_id, Obligation.period == period))
    return row


def report(engine, agency_id, tasks, when, **fields):
    ob = obligation(engine, agency_id)
    with session_scope(engine) as session:
        entries = [{"task_no": no, "status": "in_progress", "percent": 50, "text": f"NV{no}: đang thực hiện", **fields} for no in tasks]
        add_report(session, ob.id, entries, source=ReportSource.CLI, submitted_at=when)


@pytest.fixture
def scripted(conv, engine, clock):
    """The quarter of the module docstring; the clock left at Monday 18/3, 09:00."""
    police_tasks = [t["no"] for t in obligation(engine, "cong-an-tinh").tasks if t["no"] != "4"]
    report(engine, "cong-an-tinh", police_tasks, vn(2024, 3, 13, 15, 0))
    out = send(conv, "NV4: hoàn thành 100%, vướng kinh phí", user=POLICE_FOCAL)
    assert "Đã ghi nhận" in press(conv, out, "✅", user=POLICE_FOCAL)[0].text
    report(engine, "so-tu-phap", [t["no"] for t in obligation(engine, "so-tu-phap").tasks], vn(2024, 3, 18, 8, 0))
    report(engine, "so-noi-vu", ["3"], vn(2024, 3, 12, 9, 0))
    clock.set(vn(2024, 3, 18, 9, 0))
    total = len(rows(engine, select(Obligation).where(Obligation.period == "2024-Q1", Obligation.status == "active")))
    return total


# --- /tinhhinh -----------------------------------------------------------------------------------


def test_status_counts_and_tasks(conv, scripted, engine):
    total = scripted
    out = send(conv, "/tinhhinh")
    text = text_of(out)
    assert all(len(o.text) <= 4096 and o.chat_id == COORD for o in out)
    assert "<b>Tình hình báo cáo quý I năm 2024</b>" in text
    assert "Thứ Sáu, ngày 15 tháng 3 năm 2024" in text
    assert "đã quá hạn gửi báo cáo 1 ngày làm việc" in text
    assert f"Đã báo cáo đủ: <b>2/{total}</b> cơ quan (đúng hạn 1, muộn 1); báo cáo một phần: 1; chưa báo cáo: {total - 3}." in text
    assert "<b>Đúng hạn (1):</b> Công an tỉnh." in text
    assert "• Sở Tư pháp — muộn NV" in text
    assert "• Sở Nội vụ — còn thiếu NV1, NV2, NV4" in text
    owing_4 = sum(1 for o in rows(engine, select(Obligation).where(Obligation.period == "2024-Q1")) if any(t["no"] == "4" for t in o.tasks))
    assert f"• NV4: 2/{owing_4} cơ quan đã báo cáo; hoàn thành 1, đang thực hiện 1; bình quân 75%; 1 cơ quan nêu khó khăn" in text
    assert "• NV3: 3/" in text  # police, justice and Sở Nội vụ


@pytest.mark.parametrize("arg", ["Q1", "q1", "2024-Q1", "quy 1", "quý I", "kỳ quý 1 năm 2024"])
def test_status_period_argument(conv, scripted, arg):
    assert "<b>Tình hình báo cáo quý I năm 2024</b>" in send(conv, f"/tinhhinh {arg}")[0].text


def test_status_other_period_and_bad_ones(conv, scripted):
    assert "Tình hình báo cáo 06 tháng năm 2024" in send(conv, "/tinhhinh 6 tháng")[0].text
    assert "Tình hình báo cáo năm 2024" in send(conv, "/tinhhinh cả năm")[0].text
    assert "không có kỳ báo cáo Q2" in send(conv, "/tinhhinh Q2")[0].text
    assert "chỉ có hiệu lực" in send(conv, "/tinhhinh 2025-Q1")[0].text


def test_status_of_a_task(conv, scripted):
    for command in ("/tinhhinh NV4", "/tinhhinh nv4 Q1", "/tinhhinh nhiệm vụ 4"):
        text = text_of(send(conv, command))
        assert "<b>NV4. Phối hợp trong điều tra" in text
        assert "Chủ trì: Công an tỉnh." in text
        assert "• Công an tỉnh (chủ trì): hoàn thành, 100%, có khó khăn, vướng mắc" in text
        assert "• Sở Tư pháp (phối hợp): đang thực hiện, 50%" in text and "muộn" in text
        assert "Chưa báo cáo (" in text and "Sở Nội vụ" in text


def test_status_of_an_agency_and_a_group(conv, scripted):
    text = text_of(send(conv, "/tinhhinh CA tỉnh"))
    assert "<b>Công an tỉnh</b> — quý I năm 2024" in text
    assert "Tình trạng: đã báo cáo đúng hạn." in text
    assert "Đầu mối: Trần Văn B." in text
    assert "• NV4 (chủ trì): hoàn thành, 100%" in text and "• NV1 (phối hợp): đang thực hiện" in text
    text = text_of(send(conv, "/tinhhinh so noi vu q1"))
    assert "mới báo cáo một phần, đã quá hạn" in text and "• NV1 (phối hợp): chưa báo cáo" in text
    text = text_of(send(conv, "/tinhhinh UBND cấp huyện"))
    assert "Đã báo cáo đủ: 0/7 cơ quan." in text and "• UBND huyện Thuận Nam: chưa báo cáo, đã quá hạn; chưa có đầu mối" in text


def test_status_unknown_subject_suggests(conv, scripted):
    text = send(conv, "/tinhhinh cong an tinhh")[0].text
    assert "Không tìm thấy" in text and "Công an tỉnh" in text
    assert "không có nhiệm vụ «NV15»" in send(conv, "/tinhhinh NV15")[0].text
    assert "&lt;b&gt;" in send(conv, "/tinhhinh <b>xyz</b>")[0].text


def test_status_after_the_plan_ended(conv, clock):
    clock.set(vn(2025, 2, 3, 9, 0))
    out = send(conv, "/tinhhinh")
    text = text_of(out)
    assert "hết hiệu lực" in out[0].text
    assert "Tình hình báo cáo năm 2024" in text and "năm 2025" not in text
    assert "chỉ có hiệu lực" in send(conv, "/tinhhinh 2025-Q1")[0].text
    # A bare period takes the plan's year, not this one.
    assert "Tình hình báo cáo quý I năm 2024" in text_of(send(conv, "/tinhhinh Q1"))


# --- /chuabaocao and nudges --------------------------------------------------------------------


def test_not_reported_lists_agencies_with_buttons(conv, scripted, engine):
    total = scripted
    out = send(conv, "/chuabaocao")
    text = text_of(out)
    assert "Cơ quan chưa báo cáo đủ — quý I năm 2024" in text
    assert f"Chưa báo cáo: {total - 3}; báo cáo một phần: 1" in text
    assert "• Sở Nội vụ — còn thiếu NV1, NV2, NV4" in text and "đầu mối: Lê Thị D" in text
    assert "• Sở Y tế — chưa có đầu mối" in text
    assert "Công an tỉnh" not in text and "• Sở Tư pháp" not in text
    nudges = [c for c in buttons(out) if c.data.startswith("nudge:")]
    assert len(nudges) == total - 2
    assert all(len(c.data.encode()) <= 64 for c in nudges)
    home = next(c for c in nudges if c.label == "Nhắc Sở Nội vụ")
    assert home.data == f"nudge:{obligation(engine, 'so-noi-vu').id}"
    assert all(len(o.text) <= 4096 and sum(len(r) for r in o.choices) <= MAX_BUTTONS for o in out)


def test_nudge_sends_to_focal_points_and_is_rate_limited(conv, scripted, clock, engine):
    out = send(conv, "/chuabaocao")
    sent = press(conv, out, "Nhắc Sở Nội vụ")
    reminder = text_of(sent, HOME_FOCAL)
    assert "Kính gửi đồng chí Lê Thị D," in reminder
    assert "quý I năm 2024" in reminder and "Thứ Sáu, ngày 15 tháng 3 năm 2024" in reminder
    assert "đã quá hạn" in reminder
    assert "• NV1:" in reminder and "• NV4: Phối hợp trong điều tra" in reminder and "• NV3" not in reminder
    assert "trả lời tin nhắn này" in reminder and "/baocao" in reminder
    confirmation = [o for o in sent if o.chat_id == COORD]
    assert "Đã gửi nhắc tới 1 đầu mối của Sở Nội vụ" in confirmation[0].text
    assert confirmation[0].answer_callback
    row = rows(engine, select(AuditLog).where(AuditLog.action == "nudge"))[0]
    assert (row.actor, row.target) == (f"telegram:{COORD}", f"obligation:{obligation(engine, 'so-noi-vu').id}")
    assert row.detail["contact_ids"] and "1" in row.detail["missing"]

    # A second tap, by anyone, within ten minutes: nothing sent.
    clock.set(vn(2024, 3, 18, 9, 5))
    again = press(conv, out, "Nhắc Sở Nội vụ", user=ADMIN)
    assert [o.chat_id for o in again] == [ADMIN]
    assert "Đã nhắc lúc 09:00" in again[0].text
    assert len(rows(engine, select(AuditLog).where(AuditLog.action == "nudge"))) == 1
    # After ten minutes it may be sent again.
    clock.set(vn(2024, 3, 18, 9, 11))
    assert HOME_FOCAL in [o.chat_id for o in press(conv, out, "Nhắc Sở Nội vụ")]


def test_two_coordinators_pressing_at_once_send_one_nudge(conv, scripted, engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks (SELECT … FOR UPDATE) are PostgreSQL's; SQLite serialises writers itself")
    home_q1 = obligation(engine, "so-noi-vu").id
    barrier = threading.Barrier(2)
    results: dict[str, list] = {}

    def tap(user):
        barrier.wait()
        results[user] = send(conv, user=user, callback_data=f"nudge:{home_q1}")

    threads = [threading.Thread(target=tap, args=(user,)) for user in (COORD, ADMIN)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    sent = [o for out in results.values() for o in out if o.chat_id == HOME_FOCAL]
    assert len(sent) == 1
    assert len(rows(engine, select(AuditLog).where(AuditLog.action == "nudge"))) == 1
    assert any("Đã nhắc lúc" in o.text for out in results.values() for o in out)


def test_nudge_without_focal_points_tells_the_coordinator(conv, scripted, engine):
    out = press(conv, send(conv, "/chuabaocao"), "Nhắc Sở Y tế")
    assert [o.chat_id for o in out] == [COORD]
    assert "chưa có đầu mối" in out[0].text and "/moi" in out[0].text
    assert rows(engine, select(AuditLog).where(AuditLog.action == "nudge")) == []


def test_nudge_when_the_agency_has_since_reported(conv, scripted, engine):
    out = send(conv, "/chuabaocao")
    rest = [t["no"] for t in obligation(engine, "so-noi-vu").tasks if t["no"] != "3"]
    report(engine, "so-noi-vu", rest, vn(2024, 3, 18, 9, 0))
    sent = press(conv, out, "Nhắc Sở Nội vụ")
    assert [o.chat_id for o in sent] == [COORD] and "không cần nhắc" in sent[0].text


# --- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize("user", [POLICE_FOCAL, STRANGER])
def test_focal_points_and_strangers_are_refused(conv, scripted, user, engine):
    def counts():
        return (
            len(rows(engine, select(Invitation))),
            len(rows(engine, select(AuditLog))),
            len(rows(engine, select(Contact).where(Contact.active == True))),  # noqa: E712
        )

    before = counts()
    home_q1 = obligation(engine, "so-noi-vu").id
    police_contact = rows(engine, select(Contact).where(Contact.user_id == POLICE_FOCAL))[0].id
    for text in ("/tinhhinh", "/tinhhinh NV4", "/chuabaocao", "/moi CA tỉnh", "/moi CA tỉnh quản trị", "/dsdaumoi"):
        out = send(conv, text, user=user)
        assert [(o.chat_id, o.text) for o in out] == [(user, REFUSAL)], text
    for data in (f"nudge:{home_q1}", f"rv:{police_contact}", f"rvok:{police_contact}", "rvno:1"):
        out = send(conv, user=user, callback_data=data)
        assert [(o.chat_id, o.text) for o in out] == [(user, REFUSAL)], data
        assert out[0].answer_callback
    assert counts() == before
    help_text = send(conv, "/trogiup", user=POLICE_FOCAL)[0].text
    assert "/tinhhinh" not in help_text and "/moi" not in help_text


def test_revoked_coordinator_buttons_stop_working(conv, scripted, engine):
    out = send(conv, "/chuabaocao")
    with session_scope(engine) as s:
        coordinator = s.exec(select(Contact).where(Contact.user_id == COORD)).one()
        coordinator.active = False
        s.add(coordinator)
    sent = press(conv, out, "Nhắc Sở Nội vụ")
    assert [o.chat_id for o in sent] == [COORD] and "chưa được đăng ký" not in sent[0].text
    assert sent[0].text == REFUSAL


# --- /moi ----------------------------------------------------------------------------------------


def test_coordinator_invites_a_focal_point(conv, engine):
    out = send(conv, "/moi CA tỉnh")
    text = out[0].text
    assert "Đã tạo lời mời <b>đầu mối</b> của <b>Công an tỉnh</b>" in text
    assert "ngày 28 tháng 3 năm 2024" in text  # 14 days
    link = text.splitlines()[-1]
    assert link.startswith(f"https://t.me/{BOT}?start=")
    invitation = rows(engine, select(Invitation))[0]
    assert (invitation.agency_id, invitation.role, invitation.created_by) == ("cong-an-tinh", "focal", f"telegram:{COORD}")
    # The link works.
    greeting = send(conv, f"/start {link.split('start=')[1]}", user="500", display_name="Đỗ Văn E")[0].text
    assert "đầu mối báo cáo của <b>Công an tỉnh</b>" in greeting
    assert "Đã tạo lời mời <b>đầu mối</b> của <b>Sở Y tế</b>" in send(conv, "/moi so y te dau moi")[0].text


def test_only_admins_invite_coordinators_and_admins(conv, engine):
    for text in ("/moi Sở Tư pháp điều phối", "/moi STP quản trị", "/moi STP coordinator", "/moi STP admin"):
        assert "Chỉ quản trị viên" in send(conv, text)[0].text
    assert rows(engine, select(Invitation)) == []
    assert "Đã tạo lời mời <b>điều phối</b> của <b>Sở Tư pháp</b>" in send(conv, "/moi Sở Tư pháp điều phối", user=ADMIN)[0].text
    assert "Đã tạo lời mời <b>quản trị</b> của <b>Sở Tư pháp</b>" in send(conv, "/moi STP admin", user=ADMIN)[0].text
    roles = sorted(i.role for i in rows(engine, select(Invitation)))
    assert roles == ["admin", "coordinator"]


def test_invite_refuses_groups_and_unknown_names(conv, engine):
    text = send(conv, "/moi UBND các huyện, thành phố")[0].text
    assert "là một nhóm gồm 7 cơ quan" in text and "UBND huyện Bác Ái" in text
    text = send(conv, "/moi Cong an tinhh")[0].text
    assert "Không tìm thấy cơ quan" in text and "Công an tỉnh" in text
    assert "Cú pháp" in send(conv, "/moi")[0].text
    assert rows(engine, select(Invitation)) == []


def test_invite_without_bot_username_creates_nothing(conv, engine):
    conv.config.bot_username = None
    text = send(conv, "/moi CA tỉnh")[0].text
    assert "TELEGRAM_BOT_USERNAME" in text and "t.me" not in text
    assert rows(engine, select(Invitation)) == []
    assert rows(engine, select(AuditLog)) == []


# --- /dsdaumoi and revocation ------------------------------------------------------------------


def test_contacts_list_and_revoke_flow(conv, engine):
    out = send(conv, "/dsdaumoi")  # a coordinator: the list, no buttons
    text = text_of(out)
    assert "<b>Công an tỉnh</b>" in text and "• Trần Văn B — đầu mối" in text
    assert "• Phạm Văn Điều — điều phối" in text and "• Ngô Quản Trị — quản trị" in text
    assert buttons(out) == []
    assert "Lê Thị D" in send(conv, "/dsdaumoi Sở Nội vụ")[0].text
    assert "Trần Văn B" not in send(conv, "/dsdaumoi Sở Nội vụ")[0].text

    out = send(conv, "/dsdaumoi", user=ADMIN)
    assert {c.label for c in buttons(out)} >= {"Thu hồi Trần Văn B", "Thu hồi Lê Thị D"}
    # A coordinator pressing an admin's button is refused.
    assert "quản trị viên" in press(conv, out, "Thu hồi Trần Văn B", user=COORD)[0].text
    ask = press(conv, out, "Thu hồi Trần Văn B", user=ADMIN)
    assert "Thu hồi tài khoản Trần Văn B (đầu mối của Công an tỉnh)?" in ask[0].text
    assert [c.data.split(":")[0] for c in buttons(ask)] == ["rvok", "rvno"]
    assert "không thu hồi" in press(conv, ask, "rvno", user=ADMIN)[0].text
    done = press(conv, ask, "rvok", user=ADMIN)
    assert "Đã thu hồi tài khoản Trần Văn B" in done[0].text
    police = rows(engine, select(Contact).where(Contact.user_id == POLICE_FOCAL))[0]
    assert not police.active
    row = rows(engine, select(AuditLog).where(AuditLog.action == "contact.deactivate"))[0]
    assert (row.actor, row.target) == (f"telegram:{ADMIN}", f"contact:{police.id}")
    assert "đã được thu hồi trước đó" in press(conv, ask, "rvok", user=ADMIN)[0].text
    assert "chưa được đăng ký" in send(conv, "NV4: hoàn thành", user=POLICE_FOCAL)[0].text
    # Nobody revokes themselves by accident.
    admin_id = rows(engine, select(Contact).where(Contact.user_id == ADMIN))[0].id
    assert "tự thu hồi" in send(conv, user=ADMIN, callback_data=f"rvok:{admin_id}")[0].text


def test_long_contact_list_is_split(conv, engine, clock):
    with session_scope(engine) as session:
        for i in range(150):
            agency = ["so-y-te", "so-tai-chinh", "ubnd-huyen-bac-ai"][i % 3]
            session.add(Contact(chat_id=f"7{i}", user_id=f"7{i}", display_name=f"Người thứ {i} có tên khá dài", agency_id=agency, role="focal", created_at=clock.now()))
    out = send(conv, "/dsdaumoi", user=CONFIG_ADMIN)
    assert len(out) >= 2
    assert all(len(o.text) <= 4096 and sum(len(r) for r in o.choices) <= MAX_BUTTONS for o in out)
    assert len([c for c in buttons(out) if c.data.startswith("rv:")]) == 154
    text = text_of(out)
    assert all(f"Người thứ {i} có tên khá dài" in text for i in range(150))


# --- the config admin, help ---------------------------------------------------------------------


def test_config_admin_without_a_contact_can_use_everything(conv, scripted, engine):
    assert "Tình hình báo cáo quý I năm 2024" in send(conv, "/tinhhinh", user=CONFIG_ADMIN)[0].text
    out = send(conv, "/chuabaocao", user=CONFIG_ADMIN)
    assert HOME_FOCAL in [o.chat_id for o in press(conv, out, "Nhắc Sở Nội vụ", user=CONFIG_ADMIN)]
    assert "t.me/" in send(conv, "/moi Sở Tư pháp quản trị", user=CONFIG_ADMIN)[0].text
    out = send(conv, "/dsdaumoi", user=CONFIG_ADMIN)
    assert "Thu hồi Lê Thị D" in {c.label for c in buttons(out)}
    help_text = send(conv, "/trogiup", user=CONFIG_ADMIN)[0].text
    assert "/tinhhinh" in help_text and "/chuabaocao" in help_text and "điều phối|quản trị" in help_text
    coordinator_help = send(conv, "/trogiup")[0].text
    assert "/tinhhinh" in coordinator_help and "điều phối|quản trị" not in coordinator_help


# --- helpers ------------------------------------------------------------------------------------


def test_split_message_keeps_every_line():
    lines = [f"• Dòng {i}: " + "nội dung " * (i % 40) for i in range(900)]
    text = "\n".join(lines)
    parts = split_message(text)
    assert len(parts) > 1
    assert all(len(p) <= 4096 for p in parts)
    assert [line for p in parts for line in p.split("\n")] == lines
    assert split_message("ngắn") == ["ngắn"]


def test_split_message_drops_only_blank_lines_at_a_split():
    text = "\n\n".join(f"<b>Đoạn {i}</b>\n" + "\n".join(f"• dòng {i}.{j}" for j in range(30)) for i in range(40))
    parts = split_message(text, limit=1000)
    assert all(len(p) <= 1000 and p == p.strip("\n") for p in parts)
    assert [line for p in parts for line in p.split("\n") if line] == [line for line in text.split("\n") if line]


def test_split_message_cuts_an_overlong_line_between_words():
    line = ", ".join(f"Cơ quan {i}" for i in range(1000))
    parts = split_message("Đầu\n" + line + "\nCuối", limit=500)
    assert all(len(p) <= 500 for p in parts)
    joined = " ".join(parts).replace("\n", " ")
    assert all(f"Cơ quan {i}," in joined for i in range(999))
    assert parts[0].startswith("Đầu") and parts[-1].endswith("Cuối")


@pytest.mark.parametrize(
    ("text", "whole", "key"),
    [
        ("q1", True, "Q1"),
        ("2024-q1", True, "2024-Q1"),
        ("quy 1", True, "Q1"),
        ("quy iv", True, "Q4"),
        ("6 thang", True, "H1"),
        ("09 thang 2024", True, "2024-9M"),
        ("nam 2024", True, "2024-FY"),
        ("ca nam", False, "FY"),
        ("nam", True, "FY"),
        ("nam", False, None),  # "UBND huyện Thuận Nam"
        ("nv4", True, None),
        ("2024", True, None),
    ],
)
def test_period_words(text, whole, key):
    assert _period_key(text, whole=whole) == key


def test_subject_and_period_are_told_apart(conv):
    split = Coordinator(conv)._split_period
    assert split("UBND huyện Thuận Nam") == ("UBND huyện Thuận Nam", None)
    assert split("UBND huyện Thuận Nam Q1") == ("UBND huyện Thuận Nam", "Q1")
    assert split("nv4 quý 1 năm 2024") == ("nv4", "2024-Q1")
    assert split("Q1 NV4") == ("NV4", "Q1")


# --- the chart with /tinhhinh, and /tonghop (issue 5) ----------------------------------------------


def _png_size(data):
    import io

    from PIL import Image

    return Image.open(io.BytesIO(data)).size


def test_status_overview_ends_with_the_chart(conv, scripted):
    from reports.chart import chart_size

    out = send(conv, "/tinhhinh")
    *texts, chart = out
    assert texts and all(o.photo is None and o.document is None for o in texts)
    assert chart.chat_id == COORD and chart.photo[:8] == b"\x89PNG\r\n\x1a\n"
    assert chart.text == "Biểu đồ tình hình báo cáo quý I năm 2024." and len(chart.text) <= 1024
    assert _png_size(chart.photo) == chart_size(11)
    # A task or an agency asked about: text only.
    assert all(o.photo is None for o in send(conv, "/tinhhinh NV4") + send(conv, "/tinhhinh CA tỉnh"))


def test_status_answers_even_when_the_chart_fails(conv, scripted, monkeypatch):
    import reports.chart as chart

    def broken(*args, **kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(chart, "status_chart", broken)
    out = send(conv, "/tinhhinh")
    assert "<b>Tình hình báo cáo quý I năm 2024</b>" in out[0].text
    assert all(o.photo is None for o in out)


def test_consolidated_report_in_chat(conv, scripted, engine):
    import io

    from docx import Document
    from openpyxl import load_workbook

    total = scripted
    out = send(conv, "/tonghop")
    assert all(o.chat_id == COORD for o in out)
    summary = text_of([o for o in out if o.document is None and o.photo is None])
    assert "<b>Báo cáo tổng hợp quý I năm 2024</b> (dự thảo)" in summary
    assert "Lập lúc 09:00 ngày 18/03/2024" in summary and "Thứ Sáu, ngày 15 tháng 3 năm 2024" in summary
    assert f"Đã báo cáo đủ: <b>2/{total}</b> cơ quan (đúng hạn 1, muộn 1); báo cáo một phần: 1; chưa báo cáo: {total - 3}." in summary
    assert "Nhiệm vụ chưa có cơ quan nào báo cáo" not in summary  # Sở Tư pháp answered every task
    assert "Khó khăn, vướng mắc: 1 ý kiến; kiến nghị, đề xuất: 0." in summary

    documents = [o for o in out if o.document is not None]
    assert [o.filename for o in documents] == ["bao-cao-124-kh-bcsd-2024-Q1.docx", "phu-luc-124-kh-bcsd-2024-Q1.xlsx"]
    assert documents[0].text == "Dự thảo báo cáo tổng hợp quý I năm 2024 (Word)."
    assert all(len(o.text) <= 1024 for o in documents)  # Telegram's caption limit
    paragraphs = [p.text for p in Document(io.BytesIO(documents[0].document)).paragraphs]
    assert "BÁO CÁO" in paragraphs
    assert any(p.startswith("- Công an tỉnh: hoàn thành, 100%. Vướng kinh phí") for p in paragraphs)
    workbook = load_workbook(io.BytesIO(documents[1].document))
    revisions = [[c.value for c in row] for row in workbook["Các lần gửi"].iter_rows(min_row=2)]
    assert any(row[1] == "Công an tỉnh" and row[2] == "4" and "Telegram" in row and "Trần Văn B" in row for row in revisions)

    [photo] = [o for o in out if o.photo is not None]
    assert photo.text == "Biểu đồ tình hình báo cáo quý I năm 2024." and _png_size(photo.photo)[0] == 1200
    assert out[-1] is photo


def test_consolidated_report_period_argument(conv, scripted):
    out = send(conv, "/tonghop 6 tháng")
    assert "<b>Báo cáo tổng hợp 06 tháng năm 2024</b>" in out[0].text
    assert [o.filename for o in out if o.document is not None] == ["bao-cao-124-kh-bcsd-2024-H1.docx", "phu-luc-124-kh-bcsd-2024-H1.xlsx"]
    assert [o.text for o in send(conv, "/tonghop Q2")] == [
        "Kế hoạch không có kỳ báo cáo Q2 (quý II); các kỳ: Q1, H1, 9M, FY."
    ]
    out = send(conv, "/tonghop CA tỉnh")
    assert len(out) == 1 and out[0].text.startswith("Cú pháp: /tonghop [kỳ]") and out[0].document is None


@pytest.mark.parametrize("user", [POLICE_FOCAL, STRANGER])
def test_consolidated_report_is_for_coordinators_only(conv, scripted, user):
    out = send(conv, "/tonghop Q1", user=user)
    assert [(o.chat_id, o.text, o.document, o.photo) for o in out] == [(user, REFUSAL, None, None)]
    assert "/tonghop" not in send(conv, "/trogiup", user=POLICE_FOCAL)[0].text
    assert "/tonghop [kỳ]" in send(conv, "/trogiup")[0].text


def test_consolidated_report_says_which_file_failed(conv, scripted, monkeypatch):
    import reports as report

    real = report.render

    def render(data, fmt):
        if fmt == "xlsx":
            raise RuntimeError("disk full")
        return real(data, fmt)

    monkeypatch.setattr(report, "render", render)
    out = send(conv, "/tonghop")
    assert [o.filename for o in out if o.document is not None] == ["bao-cao-124-kh-bcsd-2024-Q1.docx"]
    assert any(o.photo is not None for o in out)
    assert "Không lập được tệp Excel" in out[-1].text


def test_consolidated_report_in_english(conv, scripted, engine):
    with session_scope(engine) as session:
        coordinator = session.exec(select(Contact).where(Contact.user_id == COORD)).one()
        coordinator.language = "en"
        session.add(coordinator)
    out = send(conv, "/tonghop")
    assert "<b>Consolidated report for quý I năm 2024</b> (draft)" in out[0].text
    assert [o.text for o in out if o.document is not None][0] == "Draft consolidated report for quý I năm 2024 (Word)."


def test_consolidated_summary_lists_recommendations_escaped(conv, scripted, engine, clock):
    report(
        engine, "so-noi-vu", ["4"], vn(2024, 3, 18, 8, 30),
        text="NV4: đang thực hiện 30%, thiếu người; đề nghị bổ sung <b>02</b> biên chế", difficulty=True,
    )
    out = send(conv, "/tonghop Q1")
    summary = out[0].text
    assert "Khó khăn, vướng mắc: 2 ý kiến; kiến nghị, đề xuất: 1." in summary
    assert "<b>Kiến nghị, đề xuất</b>\n• Sở Nội vụ (NV4): Đề nghị bổ sung &lt;b&gt;02&lt;/b&gt; biên chế" in summary
