"""Sở Tư pháp's coordinator and admin commands in the conversation core, on SQLite and
PostgreSQL and on both channels (Telegram's rendering and the text-only test channel):
/tinhhinh, /chuabaocao with its nudge choices, /tonghop, /moi, /dsdaumoi with revocation, the
role checks on every command and choice, and how long answers are split by the renderers.

The scripted quý I 2024 (due Friday 15/3): Công an tỉnh reports every task on time (NV4 through
the bot, the rest beforehand), Sở Tư pháp reports every task late, Sở Nội vụ answers NV3 only,
everybody else is silent. The coordinators look on Monday 18/3 at 09:00.
"""

from __future__ import annotations

import html
import re
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from bot.channels import telegram as tg
from bot.channels.render import CHOICE_HINT, Line, Part, cut_line, pack
from bot.guard import REFUSAL
from common.clock import FixedClock
from common.message import Choice, Message, bold
from storage.db import session_scope
from storage.models import AuditLog, Contact, Invitation, Obligation, ReportSource
from storage.queries import add_report
from tests.bot.chat import BOT, CHANNELS, Chat, buttons, plain, text_of

ICT = timezone(timedelta(hours=7))
POLICE_FOCAL, HOME_FOCAL = "100", "101"
COORD, ADMIN, CONFIG_ADMIN, STRANGER = "200", "300", "900", "999"
LIMITS = {"telegram": 4096, "text": 2000}  # characters per message of each channel
MAX_CHOICES = {"telegram": 90, "text": 1000}  # choices per message (Telegram allows 100 buttons)


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=ICT)


@pytest.fixture
def clock():
    return FixedClock(vn(2024, 3, 14, 10, 0))


@pytest.fixture(params=CHANNELS)
def channel(request):
    return request.param


def add_people(chat, engine, clock):
    people = [
        (POLICE_FOCAL, "Trần Văn B", "cong-an-tinh", "focal"),
        (HOME_FOCAL, "Lê Thị D", "so-noi-vu", "focal"),
        (COORD, "Phạm Văn Điều", "so-tu-phap", "coordinator"),
        (ADMIN, "Ngô Quản Trị", "so-tu-phap", "admin"),
    ]
    with session_scope(engine, write=True) as session:
        for user, name, agency, role in people:
            session.add(
                Contact(
                    channel=chat.name, chat_id=user, user_id=user, display_name=name, agency_id=agency, role=role,
                    language="vi", created_at=clock.now(),
                )
            )


@pytest.fixture
def chat(engine, clock, channel):
    chat = Chat(engine, clock, channel, admins=(CONFIG_ADMIN,))
    add_people(chat, engine, clock)
    return chat


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
    with session_scope(engine, write=True) as session:
        entries = [{"task_no": no, "status": "in_progress", "percent": 50, "text": f"NV{no}: đang thực hiện", **fields} for no in tasks]
        add_report(session, ob.id, entries, source=ReportSource.CLI, submitted_at=when)


def parts_of(chat, shown) -> list[Part]:
    """The parts of one reply as its channel renders them, each with its own choices."""
    if chat.name == "telegram":
        return tg.render(shown.reply.message)
    return chat.channel.render(shown.reply.message)


def within_limits(chat, out) -> bool:
    return all(
        len(part.text) <= LIMITS[chat.name] and part.choice_count <= MAX_CHOICES[chat.name]
        for shown in out
        for part in parts_of(chat, shown)
    )


def shown_lines(chat, part: Part) -> list[str]:
    """A part's lines as the person reads them, without the numbered choices of the text
    channel, markup removed; blank lines dropped."""
    out = []
    for line in part.text.split("\n"):
        if chat.name == "telegram":
            line = html.unescape(re.sub(r"</?(?:b|i|a)(?: [^>]*)?>", "", line))
        elif line == CHOICE_HINT or re.match(r"^\d+\. ", line):
            continue
        if line.strip():
            out.append(line)
    return out


@pytest.fixture
def scripted(chat, engine, clock):
    """The quarter of the module docstring; the clock left at Monday 18/3, 09:00."""
    police_tasks = [t["no"] for t in obligation(engine, "cong-an-tinh").tasks if t["no"] != "4"]
    report(engine, "cong-an-tinh", police_tasks, vn(2024, 3, 13, 15, 0))
    out = chat.send("NV4: hoàn thành 100%, vướng kinh phí", user=POLICE_FOCAL)
    assert "Đã ghi nhận" in chat.press(out, "✅", user=POLICE_FOCAL)[0].text
    report(engine, "so-tu-phap", [t["no"] for t in obligation(engine, "so-tu-phap").tasks], vn(2024, 3, 18, 8, 0))
    report(engine, "so-noi-vu", ["3"], vn(2024, 3, 12, 9, 0))
    clock.set(vn(2024, 3, 18, 9, 0))
    total = len(rows(engine, select(Obligation).where(Obligation.period == "2024-Q1", Obligation.status == "active")))
    return total


# --- /tinhhinh -----------------------------------------------------------------------------------


def test_status_counts_and_tasks(chat, scripted, engine):
    total = scripted
    out = chat.send("/tinhhinh", user=COORD)
    text = text_of(out)
    assert all(o.chat_id == COORD for o in out)
    assert within_limits(chat, out)
    assert chat.b("Tình hình báo cáo quý I năm 2024") in text
    assert "Thứ Sáu, ngày 15 tháng 3 năm 2024" in text
    assert "đã quá hạn gửi báo cáo 1 ngày làm việc" in text
    assert (
        f"Đã báo cáo đủ: {chat.b(f'2/{total}')} cơ quan (đúng hạn 1, muộn 1); báo cáo một phần: 1; chưa báo cáo: {total - 3}."
        in text
    )
    assert f"{chat.b('Đúng hạn (1):')} Công an tỉnh." in text
    assert "• Sở Tư pháp — muộn NV" in text
    assert "• Sở Nội vụ — còn thiếu NV1, NV2, NV4" in text
    owing_4 = sum(1 for o in rows(engine, select(Obligation).where(Obligation.period == "2024-Q1")) if any(t["no"] == "4" for t in o.tasks))
    assert f"• NV4: 2/{owing_4} cơ quan đã báo cáo; hoàn thành 1, đang thực hiện 1; bình quân 75%; 1 cơ quan nêu khó khăn" in text
    assert "• NV3: 3/" in text  # police, justice and Sở Nội vụ


@pytest.mark.parametrize("arg", ["Q1", "q1", "2024-Q1", "quy 1", "quý I", "kỳ quý 1 năm 2024"])
def test_status_period_argument(chat, scripted, arg):
    assert chat.b("Tình hình báo cáo quý I năm 2024") in chat.send(f"/tinhhinh {arg}", user=COORD)[0].text


def test_status_other_period_and_bad_ones(chat, scripted):
    assert "Tình hình báo cáo 06 tháng năm 2024" in chat.send("/tinhhinh 6 tháng", user=COORD)[0].text
    assert "Tình hình báo cáo năm 2024" in chat.send("/tinhhinh cả năm", user=COORD)[0].text
    assert "không có kỳ báo cáo Q2" in chat.send("/tinhhinh Q2", user=COORD)[0].text
    assert "chỉ có hiệu lực" in chat.send("/tinhhinh 2025-Q1", user=COORD)[0].text


def test_status_of_a_task(chat, scripted):
    for command in ("/tinhhinh NV4", "/tinhhinh nv4 Q1", "/tinhhinh nhiệm vụ 4"):
        text = text_of(chat.send(command, user=COORD))
        title = text.splitlines()[0]
        assert plain(title).startswith("NV4. Phối hợp trong điều tra") and title == chat.b(plain(title))
        assert "Chủ trì: Công an tỉnh." in text
        assert "• Công an tỉnh (chủ trì): hoàn thành, 100%, có khó khăn, vướng mắc" in text
        assert "• Sở Tư pháp (phối hợp): đang thực hiện, 50%" in text and "muộn" in text
        assert "Chưa báo cáo (" in text and "Sở Nội vụ" in text


def test_status_of_an_agency_and_a_group(chat, scripted):
    text = text_of(chat.send("/tinhhinh CA tỉnh", user=COORD))
    assert f"{chat.b('Công an tỉnh')} — quý I năm 2024" in text
    assert "Tình trạng: đã báo cáo đúng hạn." in text
    assert "Đầu mối: Trần Văn B." in text
    assert "• NV4 (chủ trì): hoàn thành, 100%" in text and "• NV1 (phối hợp): đang thực hiện" in text
    text = text_of(chat.send("/tinhhinh so noi vu q1", user=COORD))
    assert "mới báo cáo một phần, đã quá hạn" in text and "• NV1 (phối hợp): chưa báo cáo" in text
    text = text_of(chat.send("/tinhhinh UBND cấp huyện", user=COORD))
    assert "Đã báo cáo đủ: 0/7 cơ quan." in text and "• UBND huyện Thuận Nam: chưa báo cáo, đã quá hạn; chưa có đầu mối" in text


def test_status_unknown_subject_suggests(chat, scripted):
    text = chat.send("/tinhhinh cong an tinhh", user=COORD)[0].text
    assert "Không tìm thấy" in text and "Công an tỉnh" in text
    assert "không có nhiệm vụ «NV15»" in chat.send("/tinhhinh NV15", user=COORD)[0].text
    text = chat.send("/tinhhinh <b>xyz</b>", user=COORD)[0].text
    assert chat.esc("«<b>xyz</b>»") in text
    if chat.name == "telegram":
        assert "&lt;b&gt;" in text and "<b>xyz" not in text


def test_status_after_the_plan_ended(chat, clock):
    clock.set(vn(2025, 2, 3, 9, 0))
    out = chat.send("/tinhhinh", user=COORD)
    text = text_of(out)
    assert "hết hiệu lực" in out[0].text
    assert "Tình hình báo cáo năm 2024" in text and "năm 2025" not in text
    assert "chỉ có hiệu lực" in chat.send("/tinhhinh 2025-Q1", user=COORD)[0].text
    # A bare period takes the plan's year, not this one.
    assert "Tình hình báo cáo quý I năm 2024" in text_of(chat.send("/tinhhinh Q1", user=COORD))


# --- /chuabaocao and nudges --------------------------------------------------------------------


def test_not_reported_lists_agencies_with_choices(chat, scripted, engine):
    total = scripted
    out = chat.send("/chuabaocao", user=COORD)
    text = text_of(out)
    assert f"{chat.b('Cơ quan chưa báo cáo đủ — quý I năm 2024')}" in text
    assert f"Chưa báo cáo: {total - 3}; báo cáo một phần: 1" in text
    assert "• Sở Nội vụ — còn thiếu NV1, NV2, NV4" in text and "đầu mối: Lê Thị D" in text
    assert "• Sở Y tế — chưa có đầu mối" in text
    assert "Công an tỉnh" not in text and "• Sở Tư pháp" not in text
    nudges = [c for c in buttons(out) if c.value.startswith("nudge:")]
    assert len(nudges) == total - 2
    assert all(len(c.value.encode()) <= 64 for c in nudges)
    home = next(c for c in nudges if c.label == "Nhắc Sở Nội vụ")
    assert home.value == f"nudge:{obligation(engine, 'so-noi-vu').id}"
    assert within_limits(chat, out)
    if chat.name == "text":  # choices are numbered lines to type
        assert f"{home.number}. Nhắc Sở Nội vụ" in text
    else:
        assert "Nhắc Sở Nội vụ" not in text


def test_nudge_sends_to_focal_points_and_is_rate_limited(chat, scripted, clock, engine):
    home_q1 = obligation(engine, "so-noi-vu").id
    out = chat.send("/chuabaocao", user=COORD)
    sent = chat.press(out, "Nhắc Sở Nội vụ", user=COORD)
    [nudge] = [o for o in sent if o.chat_id == HOME_FOCAL]
    assert (nudge.reply.kind, nudge.reply.channel, nudge.obligation_id) == ("nudge", chat.name, home_q1)
    reminder = nudge.text
    assert "Kính gửi đồng chí Lê Thị D," in reminder
    assert "quý I năm 2024" in reminder and "Thứ Sáu, ngày 15 tháng 3 năm 2024" in reminder
    assert "đã quá hạn" in reminder
    assert "• NV1:" in reminder and "• NV4: Phối hợp trong điều tra" in reminder and "• NV3" not in reminder
    assert "trả lời tin nhắn này" in reminder and "/baocao" in reminder
    confirmation = [o for o in sent if o.chat_id == COORD]
    assert "Đã gửi nhắc tới 1 đầu mối của Sở Nội vụ" in confirmation[0].text
    assert confirmation[0].toast
    row = rows(engine, select(AuditLog).where(AuditLog.action == "nudge"))[0]
    assert (row.actor, row.target) == (f"{chat.name}:{COORD}", f"obligation:{home_q1}")
    assert row.detail["contact_ids"] and "1" in row.detail["missing"]

    # A second request, by anyone, within ten minutes: nothing sent.
    clock.set(vn(2024, 3, 18, 9, 5))
    again = chat.press(chat.send("/chuabaocao", user=ADMIN), "Nhắc Sở Nội vụ", user=ADMIN)
    assert [o.chat_id for o in again] == [ADMIN]
    assert "Đã nhắc lúc 09:00" in again[0].text
    assert len(rows(engine, select(AuditLog).where(AuditLog.action == "nudge"))) == 1
    # After ten minutes it may be sent again, from the same list.
    clock.set(vn(2024, 3, 18, 9, 11))
    assert HOME_FOCAL in [o.chat_id for o in chat.press(out, "Nhắc Sở Nội vụ", user=COORD)]


def test_nudge_reaches_every_focal_point_in_their_language(chat, scripted, engine, clock):
    with session_scope(engine, write=True) as session:
        session.add(
            Contact(
                channel=chat.name, chat_id="102", user_id="102", display_name="Jane Roe", agency_id="so-noi-vu",
                role="focal", language="en", created_at=clock.now(),
            )
        )
    sent = chat.press(chat.send("/chuabaocao", user=COORD), "Nhắc Sở Nội vụ", user=COORD)
    assert sorted(o.chat_id for o in sent) == sorted([COORD, HOME_FOCAL, "102"])
    assert "Kính gửi" in text_of(sent, HOME_FOCAL) and "Kính gửi" not in text_of(sent, "102")
    assert "Đã gửi nhắc tới 2 đầu mối của Sở Nội vụ" in text_of(sent, COORD)


def test_two_coordinators_pressing_at_once_send_one_nudge(chat, scripted, engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks (SELECT … FOR UPDATE) are PostgreSQL's; SQLite serialises writers itself")
    home_q1 = obligation(engine, "so-noi-vu").id
    barrier = threading.Barrier(2)
    results: dict[str, list] = {}

    def tap(user):
        barrier.wait()
        results[user] = chat.press_value(f"nudge:{home_q1}", user=user)

    threads = [threading.Thread(target=tap, args=(user,)) for user in (COORD, ADMIN)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    sent = [o for out in results.values() for o in out if o.chat_id == HOME_FOCAL]
    assert len(sent) == 1
    assert len(rows(engine, select(AuditLog).where(AuditLog.action == "nudge"))) == 1
    assert any("Đã nhắc lúc" in o.text for out in results.values() for o in out)


def test_nudge_without_focal_points_tells_the_coordinator(chat, scripted, engine):
    out = chat.press(chat.send("/chuabaocao", user=COORD), "Nhắc Sở Y tế", user=COORD)
    assert [o.chat_id for o in out] == [COORD]
    assert "chưa có đầu mối" in out[0].text and "/moi" in out[0].text
    assert rows(engine, select(AuditLog).where(AuditLog.action == "nudge")) == []


def test_nudge_when_the_agency_has_since_reported(chat, scripted, engine):
    out = chat.send("/chuabaocao", user=COORD)
    rest = [t["no"] for t in obligation(engine, "so-noi-vu").tasks if t["no"] != "3"]
    report(engine, "so-noi-vu", rest, vn(2024, 3, 18, 9, 0))
    sent = chat.press(out, "Nhắc Sở Nội vụ", user=COORD)
    assert [o.chat_id for o in sent] == [COORD] and "không cần nhắc" in sent[0].text


def test_forged_nudge_values_send_nothing(chat, scripted, engine):
    """Values no /chuabaocao offered (garbled, forged, beyond PostgreSQL's INTEGER): an
    answer, never an error."""
    forged = ("abc", "", "-1", "99999999", "2147483648", "999999999999", "1234567890123", "²")
    for value in (f"nudge:{v}" for v in forged):
        out = chat.press_value(value, user=COORD)
        assert [o.chat_id for o in out] == [COORD] and out[0].toast, value
    assert rows(engine, select(AuditLog).where(AuditLog.action == "nudge")) == []


def test_forged_revoke_values_change_nothing(chat, engine):
    forged = ("abc", "", "x1", "99999999", "2147483648", "999999999999", "1234567890123", "²")
    for value in (f"{kind}:{v}" for kind in ("rv", "rvok") for v in forged):
        out = chat.press_value(value, user=ADMIN)
        assert [o.chat_id for o in out] == [ADMIN] and "Không tìm thấy tài khoản" in out[0].text and out[0].toast, value
    assert len(rows(engine, select(Contact).where(Contact.active == True))) == 4  # noqa: E712
    assert rows(engine, select(AuditLog)) == []


# --- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize("user", [POLICE_FOCAL, STRANGER])
def test_focal_points_and_strangers_are_refused(chat, scripted, user, engine):
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
        out = chat.send(text, user=user)
        assert [(o.chat_id, o.text) for o in out] == [(user, REFUSAL)], text
    for value in (f"nudge:{home_q1}", f"rv:{police_contact}", f"rvok:{police_contact}", "rvno:1"):
        out = chat.press_value(value, user=user)
        assert [(o.chat_id, o.text) for o in out] == [(user, REFUSAL)], value
        assert out[0].toast
    assert counts() == before
    help_text = chat.send("/trogiup", user=POLICE_FOCAL)[0].text
    assert "/tinhhinh" not in help_text and "/moi" not in help_text


def test_revoked_coordinator_choices_stop_working(chat, scripted, engine):
    out = chat.send("/chuabaocao", user=COORD)
    with session_scope(engine, write=True) as s:
        coordinator = s.exec(select(Contact).where(Contact.user_id == COORD)).one()
        coordinator.active = False
        s.add(coordinator)
    sent = chat.press(out, "Nhắc Sở Nội vụ", user=COORD)
    assert [o.chat_id for o in sent] == [COORD] and "chưa được đăng ký" not in sent[0].text
    assert sent[0].text == REFUSAL
    assert rows(engine, select(AuditLog).where(AuditLog.action == "nudge")) == []


# --- /moi ----------------------------------------------------------------------------------------


def invitation_code(chat, text):
    """The code of an invitation answer, and (Telegram) its deep link."""
    match = re.search(r"Mã mời: (?:<b>)?([A-Za-z0-9_-]+)", text)
    assert match, text
    code = match.group(1)
    if chat.name == "telegram":
        assert f'href="https://t.me/{BOT}?start={code}"' in text
    else:
        assert f"nhắn mã {code} cho bot" in text and "t.me" not in text
    return code


def test_coordinator_invites_a_focal_point(chat, engine):
    text = chat.send("/moi CA tỉnh", user=COORD)[0].text
    assert f"Đã tạo lời mời {chat.b('đầu mối')} của {chat.b('Công an tỉnh')}" in text
    assert "ngày 28 tháng 3 năm 2024" in text  # 14 days
    code = invitation_code(chat, text)
    invitation = rows(engine, select(Invitation))[0]
    assert (invitation.agency_id, invitation.role, invitation.created_by) == ("cong-an-tinh", "focal", f"{chat.name}:{COORD}")
    # The code works.
    greeting = chat.send(f"/start {code}", user="500", display_name="Đỗ Văn E")[0].text
    assert f"đầu mối báo cáo của {chat.b('Công an tỉnh')}" in greeting
    assert f"Đã tạo lời mời {chat.b('đầu mối')} của {chat.b('Sở Y tế')}" in chat.send("/moi so y te dau moi", user=COORD)[0].text


def test_only_admins_invite_coordinators_and_admins(chat, engine):
    for text in ("/moi Sở Tư pháp điều phối", "/moi STP quản trị", "/moi STP coordinator", "/moi STP admin"):
        assert "Chỉ quản trị viên" in chat.send(text, user=COORD)[0].text
    assert rows(engine, select(Invitation)) == []
    text = chat.send("/moi Sở Tư pháp điều phối", user=ADMIN)[0].text
    assert f"Đã tạo lời mời {chat.b('điều phối')} của {chat.b('Sở Tư pháp')}" in text
    text = chat.send("/moi STP admin", user=ADMIN)[0].text
    assert f"Đã tạo lời mời {chat.b('quản trị')} của {chat.b('Sở Tư pháp')}" in text
    roles = sorted(i.role for i in rows(engine, select(Invitation)))
    assert roles == ["admin", "coordinator"]


def test_invite_refuses_groups_and_unknown_names(chat, engine):
    text = chat.send("/moi UBND các huyện, thành phố", user=COORD)[0].text
    assert "là một nhóm gồm 7 cơ quan" in text and "UBND huyện Bác Ái" in text
    text = chat.send("/moi Cong an tinhh", user=COORD)[0].text
    assert "Không tìm thấy cơ quan" in text and "Công an tỉnh" in text
    text = chat.send("/moi", user=COORD)[0].text
    assert "Cú pháp" in text and chat.esc("/moi <cơ quan>") in text
    assert rows(engine, select(Invitation)) == []


def test_invite_without_bot_username(engine, clock, channel):
    """Telegram cannot make a link without the bot's name: nothing is created. The text
    channel needs no name: the invitation is made, with a code to type."""
    chat = Chat(engine, clock, channel, admins=(CONFIG_ADMIN,), username=None)
    add_people(chat, engine, clock)
    text = chat.send("/moi CA tỉnh", user=COORD)[0].text
    assert "t.me" not in text
    if chat.name == "telegram":
        assert "TELEGRAM_BOT_USERNAME" in text and "Chưa tạo lời mời" in text
        assert rows(engine, select(Invitation)) == []
        assert rows(engine, select(AuditLog)) == []
    else:
        assert "TELEGRAM_BOT_USERNAME" not in text
        code = invitation_code(chat, text)
        assert [i.agency_id for i in rows(engine, select(Invitation))] == ["cong-an-tinh"]
        assert "Công an tỉnh" in chat.send(code, user="500")[0].text


# --- /dsdaumoi and revocation ------------------------------------------------------------------


def test_contacts_list_and_revoke_flow(chat, engine):
    out = chat.send("/dsdaumoi", user=COORD)  # a coordinator: the list, no choices
    text = text_of(out)
    assert chat.b("Công an tỉnh") in text and "• Trần Văn B — đầu mối" in text
    assert "• Phạm Văn Điều — điều phối" in text and "• Ngô Quản Trị — quản trị" in text
    assert buttons(out) == []
    assert "Lê Thị D" in chat.send("/dsdaumoi Sở Nội vụ", user=COORD)[0].text
    assert "Trần Văn B" not in chat.send("/dsdaumoi Sở Nội vụ", user=COORD)[0].text

    out = chat.send("/dsdaumoi", user=ADMIN)
    assert {c.label for c in buttons(out)} >= {"Thu hồi Trần Văn B", "Thu hồi Lê Thị D"}
    revoke_police = next(c for c in buttons(out) if c.label == "Thu hồi Trần Văn B")
    # A coordinator given an admin's choice is refused.
    assert "quản trị viên" in chat.press_value(revoke_police.value, user=COORD)[0].text
    ask = chat.press(out, "Thu hồi Trần Văn B", user=ADMIN)
    assert "Thu hồi tài khoản Trần Văn B (đầu mối của Công an tỉnh)?" in ask[0].text
    assert [c.value.split(":")[0] for c in buttons(ask)] == ["rvok", "rvno"]
    assert "không thu hồi" in chat.press(ask, "rvno", user=ADMIN)[0].text
    done = chat.press(ask, "rvok", user=ADMIN)
    assert "Đã thu hồi tài khoản Trần Văn B" in done[0].text
    police = rows(engine, select(Contact).where(Contact.user_id == POLICE_FOCAL))[0]
    assert not police.active
    row = rows(engine, select(AuditLog).where(AuditLog.action == "contact.deactivate"))[0]
    assert (row.actor, row.target) == (f"{chat.name}:{ADMIN}", f"contact:{police.id}")
    assert "đã được thu hồi trước đó" in chat.press(ask, "rvok", user=ADMIN)[0].text
    assert "chưa được đăng ký" in chat.send("NV4: hoàn thành", user=POLICE_FOCAL)[0].text
    # Nobody revokes themselves by accident.
    admin_id = rows(engine, select(Contact).where(Contact.user_id == ADMIN))[0].id
    assert "tự thu hồi" in chat.press_value(f"rvok:{admin_id}", user=ADMIN)[0].text


def test_typing_the_confirmation_label_on_the_text_channel(chat, engine):
    if chat.name != "text":
        pytest.skip("buttons are pressed on Telegram")
    chat.press(chat.send("/dsdaumoi", user=ADMIN), "Thu hồi Lê Thị D", user=ADMIN)
    assert "Đã thu hồi tài khoản Lê Thị D" in chat.send("xac nhan thu hoi", user=ADMIN)[0].text
    assert not rows(engine, select(Contact).where(Contact.user_id == HOME_FOCAL))[0].active


def test_long_contact_list_is_split(chat, engine, clock):
    with session_scope(engine, write=True) as session:
        for i in range(150):
            agency = ["so-y-te", "so-tai-chinh", "ubnd-huyen-bac-ai"][i % 3]
            session.add(
                Contact(
                    channel=chat.name, chat_id=f"7{i}", user_id=f"7{i}", display_name=f"Người thứ {i} có tên khá dài",
                    agency_id=agency, role="focal", created_at=clock.now(),
                )
            )
    [shown] = chat.send("/dsdaumoi", user=CONFIG_ADMIN)
    parts = parts_of(chat, shown)
    assert len(parts) >= 2
    assert within_limits(chat, [shown])
    revokes = [c for c in shown.buttons if c.value.startswith("rv:")]
    assert len(revokes) == 154 and len({c.number for c in revokes}) == 154
    text = shown.text
    assert all(f"Người thứ {i} có tên khá dài" in text for i in range(150))
    # Each "Thu hồi …" choice is in the part that lists the person.
    for part in parts:
        lines = shown_lines(chat, part)
        for choice in (c for row in part.choices for c in row):
            person = choice.label.removeprefix("Thu hồi ")
            assert any(line.startswith(f"• {person} — ") for line in lines), choice.label


# --- long answers are split by the channel -------------------------------------------------------


def test_long_not_reported_list_keeps_each_choice_with_its_agency(chat, scripted, engine, clock):
    with session_scope(engine, write=True) as session:
        agencies = sorted({o.agency_id for o in session.exec(select(Obligation).where(Obligation.period == "2024-Q1")).all()})
        for n, agency in enumerate(agencies):
            for k in range(4):
                session.add(
                    Contact(
                        channel=chat.name, chat_id=f"8{n}{k}", user_id=f"8{n}{k}", agency_id=agency, role="focal",
                        display_name=f"Đồng chí số {k} của cơ quan thứ {n}, có họ tên rất dài để danh sách dài ra",
                        created_at=clock.now(),
                    )
                )
    [shown] = chat.send("/chuabaocao", user=COORD)
    parts = parts_of(chat, shown)
    assert len(parts) >= 2
    assert within_limits(chat, [shown])
    # Every line kept, in order.
    message = shown.reply.message
    expected = [line for line in message.plain().split("\n") if line.strip()]
    assert [line for part in parts for line in shown_lines(chat, part)] == expected
    # Each agency's "Nhắc …" is in the part that lists that agency.
    names = {o.id: o.agency_id for o in rows(engine, select(Obligation).where(Obligation.period == "2024-Q1"))}
    plan = chat.ctx.plan
    nudges = 0
    for part in parts:
        lines = shown_lines(chat, part)
        for choice in (c for row in part.choices for c in row):
            agency = plan.agency_by_id[names[int(choice.value.removeprefix("nudge:"))]].name
            assert any(line.startswith(f"• {agency} — ") for line in lines), (choice.label, agency)
            nudges += 1
    assert nudges == len([c for c in message.all_choices() if c.value.startswith("nudge:")]) == scripted - 2
    # A choice of the last part (pressed, or its number typed) still works.
    last = parts[-1].choices[-1][-1]
    assert "Đã gửi nhắc" in text_of(chat.choose(last, user=COORD), COORD)


def test_pack_keeps_every_line():
    lines = [f"• Dòng {i}: " + "nội dung " * (i % 40) for i in range(900)]
    parts = pack([Line(text) for text in lines], limit=4096, max_choices=90)
    assert len(parts) > 1
    assert all(len(p.text) <= 4096 for p in parts)
    assert [line for p in parts for line in p.text.split("\n")] == lines
    assert pack([Line("ngắn")], limit=4096, max_choices=90) == [Part("ngắn")]
    assert pack([], limit=10, max_choices=1) == [Part("")]
    with pytest.raises(ValueError):
        pack([Line("x")], limit=0, max_choices=1)


def test_pack_drops_only_blank_lines_at_a_split():
    text = "\n\n".join(f"<b>Đoạn {i}</b>\n" + "\n".join(f"• dòng {i}.{j}" for j in range(30)) for i in range(40))
    parts = pack([Line(line) for line in text.split("\n")], limit=1000, max_choices=90)
    assert len(parts) > 1
    assert all(len(p.text) <= 1000 and p.text == p.text.strip("\n") for p in parts)
    assert [line for p in parts for line in p.text.split("\n") if line] == [line for line in text.split("\n") if line]


def test_pack_cuts_an_overlong_line_between_words():
    line = ", ".join(f"Cơ quan {i}" for i in range(1000))
    parts = pack([Line("Đầu"), Line(line), Line("Cuối")], limit=500, max_choices=90)
    assert all(len(p.text) <= 500 for p in parts)
    joined = " ".join(p.text for p in parts).replace("\n", " ")
    assert all(f"Cơ quan {i}," in joined for i in range(999))
    assert parts[0].text.startswith("Đầu") and parts[-1].text.endswith("Cuối")


def test_pack_cuts_the_fallback_of_an_overlong_line():
    """A line with markup that is too long is cut from its markup-free version."""
    names = ", ".join(f"Cơ quan {i}" for i in range(300))
    parts = pack([Line(f"<b>{names}</b>", fallback=names)], limit=500, max_choices=90)
    assert len(parts) > 1 and all(len(p.text) <= 500 and "<b>" not in p.text for p in parts)
    message = Message(bold(names))
    rendered = tg.render(message, limit=500)
    assert all(len(p.text) <= 500 and "<b>" not in p.text and "</b>" not in p.text for p in rendered)
    assert "Cơ quan 299" in rendered[-1].text


def test_pack_keeps_choices_with_their_lines():
    lines = [Line(f"• Cơ quan {i} — chưa có đầu mối " + "x" * 50, [Choice(f"Nhắc {i}", f"nudge:{i}")]) for i in range(100)]
    tail = [[Choice("Xong", "done:1")]]
    parts = pack(lines, limit=1000, max_choices=7, tail=tail, columns=2)
    assert len(parts) > 1
    for part in parts:
        assert len(part.text) <= 1000 and part.choice_count <= 7
        assert all(len(row) <= 2 for row in part.choices)
        for choice in (c for row in part.choices for c in row if c.value != "done:1"):
            assert f"• Cơ quan {choice.value.removeprefix('nudge:')} — " in part.text
    assert parts[-1].choices[-1] == [Choice("Xong", "done:1")]
    assert sum(p.choice_count for p in parts) == 101


def test_pack_counts_the_text_a_channel_adds_for_choices():
    lines = [Line(f"dòng {i}", [Choice(f"Lựa chọn số {i}", f"c:{i}")]) for i in range(60)]

    def extra(choice_rows):
        return "\n".join(f"{c.value}. {c.label}" for row in choice_rows for c in row)

    parts = pack(lines, limit=300, max_choices=1000, extra=extra)
    assert len(parts) > 1 and all(len(p.text) <= 300 for p in parts)
    for p in parts:
        for c in (c for row in p.choices for c in row):
            assert f"{c.value}. {c.label}" in p.text and f"dòng {c.value.removeprefix('c:')}" in p.text


def test_cut_line():
    line = ", ".join(f"Cơ quan {i}" for i in range(50))
    pieces = list(cut_line(line, 100))
    assert len(pieces) > 1 and all(len(p) <= 100 for p in pieces)
    assert " ".join(pieces) == line  # cut between words, nothing lost
    assert all(not p.startswith(" ") and not p.endswith(" ") for p in pieces)
    assert list(cut_line("ngắn", 100)) == ["ngắn"]
    # No space or comma in the window: cut hard at the limit.
    assert list(cut_line("x" * 250, 100)) == ["x" * 100, "x" * 100, "x" * 50]


# --- the config admin, help ---------------------------------------------------------------------


def test_config_admin_without_a_contact_can_use_everything(chat, scripted, engine):
    assert "Tình hình báo cáo quý I năm 2024" in chat.send("/tinhhinh", user=CONFIG_ADMIN)[0].text
    out = chat.send("/chuabaocao", user=CONFIG_ADMIN)
    assert HOME_FOCAL in [o.chat_id for o in chat.press(out, "Nhắc Sở Nội vụ", user=CONFIG_ADMIN)]
    text = chat.send("/moi Sở Tư pháp quản trị", user=CONFIG_ADMIN)[0].text
    assert f"Đã tạo lời mời {chat.b('quản trị')}" in text
    invitation_code(chat, text)
    out = chat.send("/dsdaumoi", user=CONFIG_ADMIN)
    assert "Thu hồi Lê Thị D" in {c.label for c in buttons(out)}
    help_text = chat.send("/trogiup", user=CONFIG_ADMIN)[0].text
    assert "/tinhhinh" in help_text and "/chuabaocao" in help_text and "điều phối|quản trị" in help_text
    coordinator_help = chat.send("/trogiup", user=COORD)[0].text
    assert "/tinhhinh" in coordinator_help and "điều phối|quản trị" not in coordinator_help
    assert chat.esc("/moi <cơ quan>") in coordinator_help


def test_subject_and_period_are_told_apart():
    from bot.handlers.periods import split

    assert split("UBND huyện Thuận Nam") == ("UBND huyện Thuận Nam", None)
    assert split("UBND huyện Thuận Nam Q1") == ("UBND huyện Thuận Nam", "Q1")
    assert split("nv4 quý 1 năm 2024") == ("nv4", "2024-Q1")
    assert split("Q1 NV4") == ("NV4", "Q1")
    assert split("") == ("", None)


# --- the chart with /tinhhinh, and /tonghop (issue 5) ----------------------------------------------


def _png_size(data):
    import io

    from PIL import Image

    return Image.open(io.BytesIO(data)).size


def test_status_overview_ends_with_the_chart(chat, scripted):
    from reports.chart import chart_size

    out = chat.send("/tinhhinh", user=COORD)
    if chat.name == "text":  # no pictures on this channel: the text only
        assert out and all(o.photo is None and o.document is None for o in out)
        assert "Tình hình báo cáo quý I năm 2024" in out[0].text
        return
    *texts, chart = out
    assert texts and all(o.photo is None and o.document is None for o in texts)
    assert chart.chat_id == COORD and chart.photo[:8] == b"\x89PNG\r\n\x1a\n"
    assert chart.text == "Biểu đồ tình hình báo cáo quý I năm 2024." and len(chart.text) <= tg.MAX_CAPTION
    assert _png_size(chart.photo) == chart_size(11)
    # A task or an agency asked about: text only.
    assert all(o.photo is None for o in chat.send("/tinhhinh NV4", user=COORD) + chat.send("/tinhhinh CA tỉnh", user=COORD))


def test_status_answers_even_when_the_chart_fails(chat, scripted, monkeypatch):
    import reports.chart as chart

    def broken(*args, **kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(chart, "status_chart", broken)
    out = chat.send("/tinhhinh", user=COORD)
    assert chat.b("Tình hình báo cáo quý I năm 2024") in out[0].text
    assert all(o.photo is None for o in out)


def _check_summary(chat, summary, total):
    assert f"{chat.b('Báo cáo tổng hợp quý I năm 2024')} (dự thảo)" in summary
    assert "Lập lúc 09:00 ngày 18/03/2024" in summary and "Thứ Sáu, ngày 15 tháng 3 năm 2024" in summary
    assert (
        f"Đã báo cáo đủ: {chat.b(f'2/{total}')} cơ quan (đúng hạn 1, muộn 1); báo cáo một phần: 1; chưa báo cáo: {total - 3}."
        in summary
    )
    assert "Nhiệm vụ chưa có cơ quan nào báo cáo" not in summary  # Sở Tư pháp answered every task
    assert "Khó khăn, vướng mắc: 1 ý kiến; kiến nghị, đề xuất: 0 ý kiến." in summary


def test_consolidated_report_in_chat(chat, scripted, engine):
    import io

    from docx import Document
    from openpyxl import load_workbook

    if chat.name == "text":
        pytest.skip("no files on the text channel: see test_consolidated_report_on_a_channel_without_files")
    total = scripted
    out = chat.send("/tonghop", user=COORD)
    assert all(o.chat_id == COORD for o in out)
    summary = text_of([o for o in out if o.document is None and o.photo is None])
    _check_summary(chat, summary, total)
    assert "gửi kèm dưới đây" in summary

    documents = [o for o in out if o.document is not None]
    assert [o.filename for o in documents] == ["bao-cao-124-kh-bcsd-2024-Q1.docx", "phu-luc-124-kh-bcsd-2024-Q1.xlsx"]
    assert documents[0].text == "Dự thảo báo cáo tổng hợp quý I năm 2024 (Word)."
    assert all(len(o.text) <= tg.MAX_CAPTION for o in documents)  # Telegram's caption limit
    paragraphs = [p.text for p in Document(io.BytesIO(documents[0].document)).paragraphs]
    assert "BÁO CÁO" in paragraphs
    # The lead's status under its task; its difficulty, once, in part III.
    assert "- Công an tỉnh (chủ trì): nhiệm vụ 4 hoàn thành." in paragraphs
    assert "- Vướng kinh phí (Công an tỉnh: nhiệm vụ 4)." in paragraphs
    workbook = load_workbook(io.BytesIO(documents[1].document))
    revisions = [[c.value for c in row] for row in workbook["Các lần gửi"].iter_rows(min_row=6)]
    assert any(row[1] == "Công an tỉnh" and row[2] == "4" and "Telegram" in row and "Trần Văn B" in row for row in revisions)

    [photo] = [o for o in out if o.photo is not None]
    assert photo.text == "Biểu đồ tình hình báo cáo quý I năm 2024." and _png_size(photo.photo)[0] == 1200
    assert out[-1] is photo


def test_consolidated_report_on_a_channel_without_files(chat, scripted, monkeypatch):
    if chat.name != "text":
        pytest.skip("Telegram carries the files")
    import reports as report

    def render(data, fmt):
        raise AssertionError(f"no {fmt} is made for a channel without files")

    monkeypatch.setattr(report, "render", render)
    out = chat.send("/tonghop", user=COORD)
    assert [o.chat_id for o in out] == [COORD]
    assert all(o.document is None and o.photo is None for o in out)
    _check_summary(chat, out[0].text, scripted)
    assert "Kênh này không gửi được tệp" in out[0].text
    assert "baocao report --period 2024-Q1 --format docx" in out[0].text
    assert "Không lập được tệp" not in out[0].text


def test_consolidated_report_period_argument(chat, scripted):
    out = chat.send("/tonghop 6 tháng", user=COORD)
    assert chat.b("Báo cáo tổng hợp 06 tháng năm 2024") in out[0].text
    if chat.name == "telegram":
        assert [o.filename for o in out if o.document is not None] == [
            "bao-cao-124-kh-bcsd-2024-H1.docx", "phu-luc-124-kh-bcsd-2024-H1.xlsx",
        ]
    else:
        assert "--period 2024-H1" in out[0].text
    assert [o.text for o in chat.send("/tonghop Q2", user=COORD)] == [
        "Kế hoạch không có kỳ báo cáo Q2 (quý II); các kỳ: Q1, H1, 9M, FY."
    ]
    out = chat.send("/tonghop CA tỉnh", user=COORD)
    assert len(out) == 1 and out[0].text.startswith("Cú pháp: /tonghop [kỳ]") and out[0].document is None


@pytest.mark.parametrize("user", [POLICE_FOCAL, STRANGER])
def test_consolidated_report_is_for_coordinators_only(chat, scripted, user):
    out = chat.send("/tonghop Q1", user=user)
    assert [(o.chat_id, o.text, o.document, o.photo) for o in out] == [(user, REFUSAL, None, None)]
    assert "/tonghop" not in chat.send("/trogiup", user=POLICE_FOCAL)[0].text
    assert "/tonghop [kỳ]" in chat.send("/trogiup", user=COORD)[0].text


def test_consolidated_report_says_which_file_failed(chat, scripted, monkeypatch):
    if chat.name == "text":
        pytest.skip("no files on the text channel")
    import reports as report

    real = report.render

    def render(data, fmt):
        if fmt == "xlsx":
            raise RuntimeError("disk full")
        return real(data, fmt)

    monkeypatch.setattr(report, "render", render)
    out = chat.send("/tonghop", user=COORD)
    assert [o.filename for o in out if o.document is not None] == ["bao-cao-124-kh-bcsd-2024-Q1.docx"]
    assert any(o.photo is not None for o in out)
    assert "Không lập được tệp Excel" in out[-1].text


def _english(engine):
    with session_scope(engine, write=True) as session:
        coordinator = session.exec(select(Contact).where(Contact.user_id == COORD)).one()
        coordinator.language = "en"
        session.add(coordinator)


def test_consolidated_report_in_english(chat, scripted, engine):
    with session_scope(engine, write=True) as session:
        coordinator = session.exec(select(Contact).where(Contact.user_id == COORD)).one()
        coordinator.language = "en"
        session.add(coordinator)
    out = chat.send("/tonghop", user=COORD)
    assert f"{chat.b('Consolidated report for quý I năm 2024')} (draft)" in out[0].text
    if chat.name == "telegram":
        assert [o.text for o in out if o.document is not None][0] == "Draft consolidated report for quý I năm 2024 (Word)."
    else:
        assert "baocao report --period 2024-Q1" in out[0].text and all(o.document is None for o in out)


def test_consolidated_summary_lists_recommendations_escaped(chat, scripted, engine, clock):
    report(
        engine, "so-noi-vu", ["4"], vn(2024, 3, 18, 8, 30),
        text="NV4: đang thực hiện 30%, thiếu người; đề nghị bổ sung <b>02</b> biên chế", difficulty=True,
    )
    out = chat.send("/tonghop Q1", user=COORD)
    summary = out[0].text
    assert "Khó khăn, vướng mắc: 2 ý kiến; kiến nghị, đề xuất: 1 ý kiến." in summary
    assert (
        f"{chat.b('Kiến nghị, đề xuất')}\n• Sở Nội vụ (NV4): " + chat.esc("Đề nghị bổ sung <b>02</b> biên chế")
    ) in summary
