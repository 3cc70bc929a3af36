"""Extension requests (đề nghị gia hạn): the recogniser (bot.extensions, pure), and in chat, on
SQLite and PostgreSQL and on both channels — the request is never a report entry, goes to the
coordinators with "Đồng ý" / "Không đồng ý", and an approval moves the agency's due date.

The scripted quý I 2024 of tests/bot/test_coordinator.py (due Friday 15/3); Monday 18/3, 09:00.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.extensions import MAX_DAYS, ExtensionError, mentions, named_task, parse
from bot.guard import REFUSAL
from reports import status as st
from storage.db import session_scope
from storage.models import AuditLog, Extension, Obligation, ReportEntry
from tests.bot.chat import buttons, text_of
from tests.bot.test_coordinator import (  # noqa: F401 - fixtures
    ADMIN,
    COORD,
    HOME_FOCAL,
    POLICE_FOCAL,
    channel,
    chat,
    clock,
    obligation,
    report,
    rows,
    scripted,
    vn,
)

DUE = date(2024, 3, 15)


# --- the recogniser ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "until", "task", "reason"),
    [
        ("đề nghị gia hạn đến 30/3", date(2024, 3, 30), None, ""),
        ("xin gia hạn đến ngày 30/3/2024", date(2024, 3, 30), None, ""),
        ("gia han den 30/3", date(2024, 3, 30), None, ""),
        ("NV4: đề nghị gia hạn đến 30/3 vì chưa tổng hợp xong số liệu", date(2024, 3, 30), "4", "chưa tổng hợp xong số liệu"),
        ("Nhiệm vụ 1a: xin được gia hạn đến 30-3-24, lý do: chờ số liệu", date(2024, 3, 30), "1a", "chờ số liệu"),
        ("Đề nghị Sở Tư pháp cho gia hạn đến ngày 25 tháng 3 năm 2024 do cán bộ nghỉ ốm", date(2024, 3, 25), None, "cán bộ nghỉ ốm"),
        ("Do chưa có số liệu, đề nghị gia hạn đến 30/3.", date(2024, 3, 30), None, "Do chưa có số liệu"),
        ("Xin gia hạn nộp báo cáo đến 20.3", date(2024, 3, 20), None, ""),
        ("đề nghị gia hạn thêm 10 ngày", date(2024, 3, 25), None, ""),
        ("Dạ, gia hạn đến 30/3 ạ", date(2024, 3, 30), None, ""),
        ("NV2, NV6: đề nghị gia hạn đến 22/3", date(2024, 3, 22), None, ""),
    ],
)
def test_recognised(text, until, task, reason):
    assert mentions(text)
    request = parse(text, due=DUE, today=date(2024, 3, 18))
    assert (request.until, request.task, request.reason) == (until, task, reason)


@pytest.mark.parametrize(
    "text",
    [
        "NV4: đang thực hiện 70%, vướng kinh phí",
        "NV4: đã gia hạn 5 hợp đồng thuê đất",
        "NV4: kiến nghị Bộ gia hạn đề án đến 2025",
        "NV6: thời hạn thẩm định 15/3",
        "",
    ],
)
def test_not_a_request(text):
    assert not mentions(text) and parse(text, due=DUE) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("đề nghị gia hạn đến quý III", "no_date"),
        ("xin gia hạn", "no_date"),
        ("đề nghị gia hạn đến 31/2", "bad_date"),
        ("đề nghị gia hạn đến 45/3", "bad_date"),
        ("đề nghị gia hạn đến 10/3", "not_after_due"),
        ("đề nghị gia hạn đến 15/3", "not_after_due"),
        ("đề nghị gia hạn đến 16/3", "past"),
        ("xin gia hạn đến 30/12", "too_far"),
        ("xin gia hạn đến 30/3/2026", "too_far"),
    ],
)
def test_refused(text, kind):
    with pytest.raises(ExtensionError) as caught:
        parse(text, due=DUE, today=date(2024, 3, 18))
    assert caught.value.kind == kind


def test_the_year_comes_from_the_due_date():
    assert parse("đề nghị gia hạn đến 10/1", due=date(2024, 12, 16)).until == date(2025, 1, 10)
    assert parse("đề nghị gia hạn đến 20/12", due=date(2024, 12, 16)).until == date(2024, 12, 20)
    assert parse("đề nghị gia hạn thêm 5 ngày làm việc", due=DUE, add_working_days=lambda d, n: date(2024, 3, 22)).until == date(2024, 3, 22)
    assert MAX_DAYS == 180 and named_task("NV 4: gia hạn") == "4" and named_task("NV4, NV5: gia hạn") is None


# --- in chat -------------------------------------------------------------------------------------


def extensions(engine):
    return rows(engine, select(Extension).order_by(Extension.id))


def audits(engine, action):
    return rows(engine, select(AuditLog).where(AuditLog.action == action))


def entries(engine, agency_id):
    ob = obligation(engine, agency_id)
    return rows(engine, select(ReportEntry).where(ReportEntry.obligation_id == ob.id))


REQUEST = "NV1: đề nghị gia hạn đến 29/3 vì chưa tổng hợp xong số liệu"


def test_a_request_goes_to_the_coordinators_and_is_no_report(chat, scripted, engine):
    before = len(entries(engine, "so-noi-vu"))
    out = chat.send(REQUEST, user=HOME_FOCAL)
    [answer] = [o for o in out if o.chat_id == HOME_FOCAL]
    assert "Đã gửi Sở Tư pháp đề nghị gia hạn báo cáo quý I năm 2024 (nhiệm vụ NV1) của Sở Nội vụ đến" in answer.text
    assert "Thứ Sáu, ngày 29 tháng 3 năm 2024" in answer.text and "hạn gửi hiện nay: Thứ Sáu, ngày 15 tháng 3 năm 2024" in answer.text
    assert "không được ghi nhận là báo cáo" in answer.text and buttons([answer]) == []
    # Nothing stored as a report: not an entry, not a difficulty, not a recommendation.
    assert len(entries(engine, "so-noi-vu")) == before
    [row] = extensions(engine)
    home = obligation(engine, "so-noi-vu")
    assert (row.obligation_id, row.task_no, row.until, row.status, row.text) == (home.id, "1", date(2024, 3, 29), "pending", REQUEST)
    [entry] = audits(engine, "extension.request")
    assert entry.target == f"extension:{row.id}" and entry.actor == f"{chat.name}:{HOME_FOCAL}"

    for user, name in ((COORD, "Phạm Văn Điều"), (ADMIN, "Ngô Quản Trị")):
        [notice] = [o for o in out if o.chat_id == user]
        assert f"Kính gửi đồng chí {name}," in notice.text
        assert f"{chat.b('Sở Nội vụ')} (Lê Thị D) đề nghị gia hạn báo cáo quý I năm 2024 (nhiệm vụ NV1) đến" in notice.text
        assert "Lý do: chưa tổng hợp xong số liệu" in notice.text
        if chat.name == "telegram":
            assert [(c.label, c.value) for c in notice.buttons] == [("Đồng ý", f"exa:{row.id}"), ("Không đồng ý", f"exd:{row.id}")]
        else:  # numbered choices only work in the chat being answered: the command instead
            assert notice.buttons == [] and "/tinhhinh Sở Nội vụ 2024-Q1" in notice.text

    # The same request again: told, not stored twice.
    again = chat.send(REQUEST, user=HOME_FOCAL)
    assert [o.chat_id for o in again] == [HOME_FOCAL] and "đã được gửi lúc 09:00" in again[0].text
    assert len(extensions(engine)) == 1


def _decide(chat, out, label, user=COORD):
    """Press the choice in the coordinator's notice (Telegram) or in /tinhhinh <cơ quan> (text)."""
    if chat.name == "telegram":
        return chat.press([o for o in out if o.chat_id == user], label, user=user)
    shown = chat.send("/tinhhinh Sở Nội vụ 2024-Q1", user=user)
    return chat.press(shown, label, user=user)


def test_an_approval_moves_the_due_date(chat, scripted, engine, clock):
    out = chat.send(REQUEST, user=HOME_FOCAL)
    [row] = extensions(engine)
    if chat.name == "text":
        pending = text_of(chat.send("/tinhhinh Sở Nội vụ", user=COORD))
        assert "• NV1: đề nghị gia hạn đến 29/03/2024 (gửi 18/03/2024); chờ Sở Tư pháp quyết định" in pending
    decided = _decide(chat, out, "Đồng ý")
    [told] = [o for o in decided if o.chat_id == HOME_FOCAL]
    assert (told.reply.kind, told.obligation_id) == ("nudge", row.obligation_id)
    assert f"Sở Tư pháp đồng ý gia hạn báo cáo quý I năm 2024 (nhiệm vụ NV1) của {chat.b('Sở Nội vụ')} đến" in told.text
    assert "hệ thống nhắc hạn theo ngày mới" in told.text
    [answer] = [o for o in decided if o.chat_id == COORD]
    assert "Đã đồng ý gia hạn báo cáo quý I năm 2024 của Sở Nội vụ đến Thứ Sáu, ngày 29 tháng 3 năm 2024." in answer.text
    home = obligation(engine, "so-noi-vu")
    assert home.extended_due == date(2024, 3, 29) and home.due == date(2024, 3, 15)
    [row] = extensions(engine)
    assert (row.status, row.decided_by) == ("approved", f"{chat.name}:{COORD}") and row.decided_at is not None
    [entry] = audits(engine, "extension.approve")
    assert entry.detail["due"] == "2024-03-29" and entry.detail["extended_due_before"] is None

    # Status shows the new date; the overview names the agency.
    text = text_of(chat.send("/tinhhinh Sở Nội vụ", user=COORD))
    assert "Hạn gửi: Thứ Sáu, ngày 29 tháng 3 năm 2024 (đã gia hạn; hạn theo kế hoạch: Thứ Sáu, ngày 15 tháng 3 năm 2024)." in text
    assert "Tình trạng: mới báo cáo một phần." in text  # no longer overdue
    assert "• NV1: đề nghị gia hạn đến 29/03/2024 (gửi 18/03/2024); đã đồng ý 18/03/2024" in text
    assert "Sở Nội vụ (29/03/2024)" in text_of(chat.send("/tinhhinh", user=COORD))

    # What the agency sends before the new date is on time.
    clock.set(vn(2024, 3, 20, 10, 0))
    sent = chat.send("NV1: hoàn thành 100%", user=HOME_FOCAL)
    stored = chat.press(sent, "✅", user=HOME_FOCAL)
    assert "Đã ghi nhận" in text_of(stored) and "được ghi nhận là gửi muộn" not in text_of(stored)
    assert [e.late for e in entries(engine, "so-noi-vu") if e.task_no == "1"] == [False]

    # A second coordinator's press, after the decision: told, nothing changes.
    late = chat.press_value(f"exd:{row.id}", user=ADMIN)
    assert [o.chat_id for o in late] == [ADMIN] and "đã được xử lý (đồng ý)" in late[0].text
    assert extensions(engine)[0].status == "approved" and audits(engine, "extension.decline") == []


def test_a_decline_keeps_the_due_date(chat, scripted, engine):
    out = chat.send("đề nghị gia hạn đến 22/3", user=HOME_FOCAL)
    decided = _decide(chat, out, "Không đồng ý")
    [told] = [o for o in decided if o.chat_id == HOME_FOCAL]
    assert "Sở Tư pháp không đồng ý đề nghị gia hạn báo cáo quý I năm 2024" in told.text
    assert "Hạn gửi báo cáo vẫn là Thứ Sáu, ngày 15 tháng 3 năm 2024" in told.text
    assert obligation(engine, "so-noi-vu").extended_due is None
    [row] = extensions(engine)
    assert row.status == "declined" and row.task_no is None
    assert len(audits(engine, "extension.decline")) == 1
    assert "đã quá hạn" in text_of(chat.send("/tinhhinh Sở Nội vụ", user=COORD))


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("đề nghị gia hạn đến 10/3", "phải sau hạn gửi báo cáo quý I năm 2024 hiện nay"),
        ("đề nghị gia hạn đến 31/2", "Ngày «31/2» không hợp lệ"),
        ("xin gia hạn đến quý III", "ghi rõ ngày đề nghị gia hạn"),
        ("đề nghị gia hạn đến 16/3", "Ngày đề nghị gia hạn (ngày 16 tháng 3 năm 2024) đã qua"),
        ("gia han den 30/12", "quá xa hạn gửi hiện nay"),
        ("NV8: đề nghị gia hạn đến 29/3", "Cơ quan không được giao nhiệm vụ 8"),
    ],
)
def test_a_request_that_cannot_stand_is_answered_and_nothing_is_sent(chat, scripted, engine, text, answer):
    before = len(entries(engine, "so-noi-vu"))
    out = chat.send(text, user=HOME_FOCAL)
    assert [o.chat_id for o in out] == [HOME_FOCAL] and answer in out[0].text, out[0].text
    assert extensions(engine) == [] and len(entries(engine, "so-noi-vu")) == before


def test_without_diacritics(chat, scripted, engine):
    out = chat.send("gia han den 29/3", user=POLICE_FOCAL)
    assert "Đã gửi Sở Tư pháp đề nghị gia hạn" in text_of(out, POLICE_FOCAL)
    assert [e.until for e in extensions(engine)] == [date(2024, 3, 29)]


def test_forged_and_refused_decisions(chat, scripted, engine):
    chat.send(REQUEST, user=HOME_FOCAL)
    [row] = extensions(engine)
    for value in ("exa:abc", "exd:", "exa:2147483648", "exd:99999"):
        out = chat.press_value(value, user=COORD)
        assert [o.chat_id for o in out] == [COORD] and out[0].toast, value
    for value in (f"exa:{row.id}", f"exd:{row.id}"):
        assert [o.text for o in chat.press_value(value, user=HOME_FOCAL)] == [REFUSAL]
    assert extensions(engine)[0].status == "pending" and obligation(engine, "so-noi-vu").extended_due is None


def test_status_and_the_report_list_the_extension(chat, scripted, engine):
    from common.paths import BUNDLED_DATA_DIR
    from reports import gather
    from reports.markdown import render_markdown
    from scheduler.calendar import WorkingCalendar

    out = chat.send(REQUEST, user=HOME_FOCAL)
    _decide(chat, out, "Đồng ý")
    with session_scope(engine) as session:
        ps = st.period_status(session, chat.ctx.plan, "2024-Q1", vn(2024, 3, 18, 10, 0), "Asia/Ho_Chi_Minh")
        home = ps.agency("so-noi-vu")
        assert (home.due, home.plan_due, home.extended, home.overdue) == (date(2024, 3, 29), date(2024, 3, 15), True, False)
        assert [a.agency_id for a in ps.extended] == ["so-noi-vu"]
        data = gather(session, chat.ctx.plan, "2024-Q1", vn(2024, 3, 18, 10, 0), "Asia/Ho_Chi_Minh",
                      cal=WorkingCalendar.load(BUNDLED_DATA_DIR / "calendar-vn.json"))
    [row] = data.extensions
    assert (row.agency, row.info.task, row.info.until, row.approved) == ("Sở Nội vụ", "1", date(2024, 3, 29), True)
    text = render_markdown(data)
    assert (
        "- **Sở Nội vụ (nhiệm vụ 1)** đề nghị gia hạn đến ngày 29 tháng 3 năm 2024 "
        "(hạn gửi ngày 15 tháng 3 năm 2024); Sở Tư pháp đồng ý ngày 18/03/2024."
    ) in text
    assert "gia hạn đến 29/3" not in text  # never a difficulty or a recommendation
    with session_scope(engine) as session:
        assert session.exec(select(Obligation).where(Obligation.extended_due.is_not(None))).all()  # type: ignore[union-attr]


def test_a_request_inside_a_report_is_sent_and_the_report_goes_on(chat, scripted, engine):
    out = chat.send("NV1: đang thực hiện 60%, đề nghị gia hạn đến 29/3 vì chờ số liệu của huyện", user=HOME_FOCAL)
    mine = text_of(out, HOME_FOCAL)
    assert "Đã gửi Sở Tư pháp đề nghị gia hạn báo cáo quý I năm 2024 (nhiệm vụ NV1)" in mine
    assert "Nội dung báo cáo trong tin nhắn được xử lý dưới đây." in mine
    assert "Đồng chí kiểm tra nội dung báo cáo" in mine and "đang thực hiện, 60%" in mine
    assert "có khó khăn" not in mine  # the request is not a difficulty
    [row] = extensions(engine)
    assert (row.task_no, row.until) == ("1", date(2024, 3, 29))
    assert any("Lý do: chờ số liệu của huyện" in o.text for o in out if o.chat_id == COORD)
    stored = chat.press(out, "✅", user=HOME_FOCAL)
    assert "Đã ghi nhận" in text_of(stored, HOME_FOCAL)
    [entry] = [e for e in entries(engine, "so-noi-vu") if e.task_no == "1"]
    assert (entry.status, entry.percent, entry.difficulty) == ("in_progress", 60, False)
    # A request inside a report that cannot stand: said, and the report still goes on.
    out = chat.send("NV2: hoàn thành, đề nghị gia hạn đến 10/3", user=HOME_FOCAL)
    mine = text_of(out, HOME_FOCAL)
    assert "Chưa gửi được đề nghị gia hạn." in mine and "Đồng chí kiểm tra nội dung báo cáo" in mine
    assert len(extensions(engine)) == 1


@pytest.mark.parametrize("text, due, until", [
    # asking to send the report late is asking for time
    ("Em xin gửi báo cáo chậm 2 ngày, khoảng 17/12 ạ.", date(2024, 12, 15), date(2024, 12, 17)),
    ("Ban Dân tộc tỉnh kính đề nghị Sở Tư pháp cho phép gửi báo cáo 9 tháng chậm đến ngày 05/10/2024 do lãnh đạo Ban "
     "đang đi kiểm tra.", date(2024, 9, 30), date(2024, 10, 5)),
    ("xin gia hạn 5 ngày vì chưa đủ số liệu", date(2024, 12, 15), date(2024, 12, 20)),
])
def test_asking_to_be_late_is_an_extension_request(text, due, until):
    assert parse(text, due=due).until == until


def test_the_date_that_spells_out_the_days_is_no_reason():
    request = parse("Em xin gửi báo cáo chậm 2 ngày (đến 17/12) vì 3 xã chưa gửi số liệu", due=date(2024, 12, 15))
    assert (request.until, request.reason) == (date(2024, 12, 17), "3 xã chưa gửi số liệu")


def test_a_report_sent_late_is_no_request():
    assert not mentions("bên em gửi báo cáo chậm vì mất điện")


def test_asking_to_send_late_goes_to_the_coordinators_as_an_extension_request(chat, scripted, engine):
    before = len(entries(engine, "so-noi-vu"))
    out = chat.send("Em xin gửi báo cáo chậm 5 ngày vì 3 xã chưa gửi số liệu ạ", user=HOME_FOCAL)
    assert "Đã gửi Sở Tư pháp đề nghị gia hạn báo cáo quý I năm 2024" in text_of(out, HOME_FOCAL)
    assert "Thứ Tư, ngày 20 tháng 3 năm 2024" in text_of(out, HOME_FOCAL)  # 5 days after the due date, 15/3
    [row] = extensions(engine)
    assert (row.until, row.task_no, row.status) == (date(2024, 3, 20), None, "pending")
    assert "Lý do: 3 xã chưa gửi số liệu" in text_of(out, COORD)
    assert len(entries(engine, "so-noi-vu")) == before  # no report, no difficulty stored
