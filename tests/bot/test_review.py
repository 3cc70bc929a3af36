"""Sở Tư pháp accepts (tiếp nhận) or returns (yêu cầu bổ sung) an agency's report, on SQLite and
PostgreSQL and on both channels: the choices of /tinhhinh <cơ quan>, the reason through /bosung,
the message to the focal points, the audit log, and how status shows the decision.

The scripted quý I 2024 of tests/bot/test_coordinator.py: Công an tỉnh reported every task on
time, Sở Tư pháp late, Sở Nội vụ NV3 only, everybody else nothing; Monday 18/3, 09:00.
"""

from __future__ import annotations

from sqlmodel import select

from bot.guard import REFUSAL
from storage.models import AuditLog, ConversationState, Review
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
    rows,
    scripted,
    vn,
)


def reviews(engine):
    return rows(engine, select(Review).order_by(Review.id))


def audits(engine, action):
    return rows(engine, select(AuditLog).where(AuditLog.action == action))


def detail(chat, agency="CA tỉnh", user=COORD):
    return chat.send(f"/tinhhinh {agency}", user=user)


def test_the_agency_detail_offers_accept_and_return_once_it_has_reported(chat, scripted, engine):
    police = obligation(engine, "cong-an-tinh").id
    out = detail(chat)
    values = [c.value for c in buttons(out)]
    assert values == [f"rva:{police}", f"rvr:{police}"]
    assert [c.label for c in buttons(out)] == ["Tiếp nhận", "Yêu cầu bổ sung"]
    if chat.name == "text":
        assert "1. Tiếp nhận" in text_of(out) and "2. Yêu cầu bổ sung" in text_of(out)
    # Nothing to accept from an agency that has sent nothing.
    assert buttons(detail(chat, "Sở Y tế")) == []


def test_accepting_tells_the_focal_points_and_is_audited(chat, scripted, engine):
    police = obligation(engine, "cong-an-tinh").id
    out = chat.press(detail(chat), "Tiếp nhận", user=COORD)
    [told] = [o for o in out if o.chat_id == POLICE_FOCAL]
    assert (told.reply.kind, told.obligation_id, told.reply.channel) == ("nudge", police, chat.name)
    assert "Kính gửi đồng chí Trần Văn B," in told.text
    assert f"Sở Tư pháp đã tiếp nhận báo cáo quý I năm 2024 của {chat.b('Công an tỉnh')}." in told.text
    [answer] = [o for o in out if o.chat_id == COORD]
    assert "Đã tiếp nhận báo cáo quý I năm 2024 của Công an tỉnh." in answer.text
    assert "Đã báo tới 1 đầu mối của cơ quan." in answer.text and answer.toast
    [row] = reviews(engine)
    assert (row.obligation_id, row.decision, row.reason, row.actor) == (police, "accepted", None, f"{chat.name}:{COORD}")
    assert row.contact_id is not None
    [entry] = audits(engine, "review.accept")
    assert entry.target == f"obligation:{police}" and entry.detail["review_id"] == row.id
    assert "Sở Tư pháp đã tiếp nhận báo cáo lúc 09:00 18/03/2024 (Phạm Văn Điều)." in text_of(detail(chat))

    # A second press (anyone's) changes nothing.
    again = chat.press_value(f"rva:{police}", user=ADMIN)
    assert [o.chat_id for o in again] == [ADMIN] and "đã được tiếp nhận lúc 09:00" in again[0].text
    assert len(reviews(engine)) == 1


def test_returning_asks_for_the_reason_and_tells_the_focal_points(chat, scripted, engine, clock):
    police = obligation(engine, "cong-an-tinh").id
    asked = chat.press(detail(chat), "Yêu cầu bổ sung", user=COORD)
    assert [o.chat_id for o in asked] == [COORD]
    assert "/bosung" in asked[0].text and "Công an tỉnh" in asked[0].text
    assert reviews(engine) == []

    out = chat.send("/bosung Đề nghị bổ sung số liệu NV4, kèm biên bản", user=COORD)
    [told] = [o for o in out if o.chat_id == POLICE_FOCAL]
    assert (told.reply.kind, told.obligation_id) == ("nudge", police)
    assert chat.b("Đề nghị bổ sung báo cáo quý I năm 2024") in told.text
    assert f"Sở Tư pháp đề nghị {chat.b('Công an tỉnh')} bổ sung báo cáo quý I năm 2024." in told.text
    assert "Nội dung cần bổ sung: Đề nghị bổ sung số liệu NV4, kèm biên bản" in told.text
    assert "trả lời tin nhắn này" in told.text
    [answer] = [o for o in out if o.chat_id == COORD]
    assert "Đã đề nghị Công an tỉnh bổ sung báo cáo quý I năm 2024." in answer.text
    assert "nhắc lại vào ngày làm việc tiếp theo" in answer.text
    [row] = reviews(engine)
    assert (row.decision, row.reason) == ("returned", "Đề nghị bổ sung số liệu NV4, kèm biên bản")
    [entry] = audits(engine, "review.return")
    assert entry.detail["reason"] == row.reason and entry.actor == f"{chat.name}:{COORD}"
    state = rows(engine, select(ConversationState).where(ConversationState.user_id == COORD))[0]
    assert state.state == "idle"  # the reason is taken once

    # Status shows it: the agency, the period overview, the group.
    text = text_of(detail(chat))
    assert "Sở Tư pháp yêu cầu bổ sung lúc 09:00 18/03/2024 (Phạm Văn Điều): «Đề nghị bổ sung số liệu NV4, kèm biên bản»." in text
    assert "Cơ quan chưa gửi bổ sung." in text
    overview = text_of(chat.send("/tinhhinh", user=COORD))
    assert "Sở Tư pháp đã tiếp nhận: 0; yêu cầu bổ sung: 1; chưa xem xét: 2." in overview
    assert f"{chat.b('Yêu cầu bổ sung (1):')} Công an tỉnh." in overview

    # The focal point supplements: the agency's report is to be looked at again.
    clock.set(vn(2024, 3, 18, 14, 0))
    sent = chat.send("NV4: hoàn thành 100%, đã xử lý 12 vụ", user=POLICE_FOCAL)
    assert "Đã ghi nhận" in chat.press(sent, "✅", user=POLICE_FOCAL)[0].text
    text = text_of(detail(chat))
    assert "Cơ quan đã gửi bổ sung lúc 14:00 18/03/2024; chờ xem xét lại." in text
    assert "đã gửi bổ sung, chờ xem xét lại: 1" in text_of(chat.send("/tinhhinh", user=COORD))
    # Accepted now.
    chat.press(detail(chat), "Tiếp nhận", user=COORD)
    assert [r.decision for r in reviews(engine)] == ["returned", "accepted"]


def test_the_reason_may_be_typed_as_the_next_message(chat, scripted, engine):
    chat.press(detail(chat), "Yêu cầu bổ sung", user=COORD)
    out = chat.send("Đề nghị bổ sung số liệu NV4", user=COORD)  # no /bosung
    assert any(o.chat_id == POLICE_FOCAL and "Đề nghị bổ sung số liệu NV4" in o.text for o in out)
    [row] = reviews(engine)
    assert (row.decision, row.reason) == ("returned", "Đề nghị bổ sung số liệu NV4")
    # Taken once: the next plain message of the coordinator is not another reason.
    assert len(reviews(engine)) == 1 and "Đồng chí không phải đầu mối" in chat.send("thêm nữa", user=COORD)[0].text


def test_returning_inline_names_the_agency_and_period(chat, scripted, engine):
    home = obligation(engine, "so-noi-vu").id
    out = chat.send("/bosung Sở Nội vụ Q1: Đề nghị báo cáo NV1, NV2, NV4", user=COORD)
    [told] = [o for o in out if o.chat_id == HOME_FOCAL]
    assert told.obligation_id == home and "Đề nghị báo cáo NV1, NV2, NV4" in told.text
    [row] = reviews(engine)
    assert (row.obligation_id, row.decision) == (home, "returned")
    text = text_of(chat.send("/tinhhinh Sở Nội vụ", user=COORD))
    assert "Sở Tư pháp yêu cầu bổ sung lúc" in text


def test_tiepnhan_accepts_by_name(chat, scripted, engine):
    out = chat.send("/tiepnhan Sở Tư pháp quý 1", user=COORD)
    assert "Đã tiếp nhận báo cáo quý I năm 2024 của Sở Tư pháp." in text_of(out, COORD)
    assert [r.obligation_id for r in reviews(engine)] == [obligation(engine, "so-tu-phap").id]
    assert "Cú pháp: /tiepnhan" in chat.send("/tiepnhan", user=COORD)[0].text
    assert "Không tìm thấy cơ quan «Sở Không Có»" in chat.send("/tiepnhan Sở Không Có", user=COORD)[0].text


def test_nothing_to_review_from_an_agency_that_sent_nothing(chat, scripted, engine):
    health = obligation(engine, "so-y-te").id
    for out in (
        chat.press_value(f"rva:{health}", user=COORD),
        chat.press_value(f"rvr:{health}", user=COORD),
        chat.send("/bosung Sở Y tế: bổ sung", user=COORD),
    ):
        assert [o.chat_id for o in out] == [COORD] and "chưa gửi báo cáo quý I năm 2024" in out[0].text
    assert reviews(engine) == [] and audits(engine, "review.return") == []


def test_bosung_without_a_choice_shows_how_and_huy_forgets_the_choice(chat, scripted, engine):
    assert "Cú pháp: /bosung" in chat.send("/bosung thiếu số liệu", user=COORD)[0].text
    chat.press(detail(chat), "Yêu cầu bổ sung", user=COORD)
    assert "ghi rõ nội dung" in chat.send("/bosung", user=COORD)[0].text
    chat.send("/huy", user=COORD)
    assert "Cú pháp: /bosung" in chat.send("/bosung thiếu số liệu", user=COORD)[0].text
    assert reviews(engine) == []


def test_forged_review_values_change_nothing(chat, scripted, engine):
    forged = ("abc", "", "-1", "99999999", "2147483648", "999999999999", "²")
    for value in (f"{kind}:{v}" for kind in ("rva", "rvr") for v in forged):
        out = chat.press_value(value, user=COORD)
        assert [o.chat_id for o in out] == [COORD] and out[0].toast, value
    assert reviews(engine) == []


def test_focal_points_may_not_review(chat, scripted, engine):
    police = obligation(engine, "cong-an-tinh").id
    for value in (f"rva:{police}", f"rvr:{police}"):
        out = chat.press_value(value, user=POLICE_FOCAL)
        assert [(o.chat_id, o.text) for o in out] == [(POLICE_FOCAL, REFUSAL)]
    for text in ("/bosung CA tỉnh: thiếu", "/tiepnhan CA tỉnh"):
        assert [o.text for o in chat.send(text, user=POLICE_FOCAL)] == [REFUSAL]
    assert reviews(engine) == []
