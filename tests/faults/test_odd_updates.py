"""Odd input, end to end through the stand-in (both databases): control characters, forged
button values, an update the library cannot read, an edited message. Each gets a plain answer
(or, for the unreadable one, is kept and skipped) and never an error reply.
"""

from __future__ import annotations

import copy

import pytest
from sqlmodel import col

from baocao.demo.telegram_api import BotApiStandIn
from storage.models import Inbox, ReportEntry
from tests.faults.support import (
    ECHO,
    STORED,
    assert_no_error_reply,
    bind_focal_points,
    button,
    inprocess_bot,
    rows,
    text_of,
    to,
    until,
)

pytestmark = pytest.mark.fault

POLICE, COORDINATOR = 6501, 6502


@pytest.fixture
async def bot(tmp_path, engine):
    bind_focal_points(engine, {POLICE: "cong-an-tinh"})
    bind_focal_points(engine, {COORDINATOR: "so-tu-phap"}, role="coordinator")
    async with BotApiStandIn() as tg:
        tg.user(POLICE, first_name="Trần Văn B")
        tg.user(COORDINATOR, first_name="Phạm Thị D")
        async with inprocess_bot(tg, engine, tmp_path):
            yield tg


def _last(tg, chat: int, after: int = -1) -> dict:
    return to(tg, chat, after=after)[-1]


async def _answer(tg, chat: int, after: int, what: str) -> dict:
    await until(lambda: to(tg, chat, after=after), 30, what, dump=tg.dump)
    return to(tg, chat, after=after)[0]


async def test_nul_and_control_characters_are_stored_and_answered(bot, engine):
    tg = bot
    user = tg.user(POLICE)
    user.send("NV4: đang thực hiện 50%\x00, vướng\x01 kinh\x1b[31m phí\x7f\tđợt 2")
    echo = await _answer(tg, POLICE, -1, "the echo")
    assert ECHO in echo["plain"] and "50%" in echo["plain"]
    user.press(echo, button(echo, "✅"))
    stored = await _answer(tg, POLICE, echo["seq"], "the ✅ answer")
    assert STORED in stored["plain"]
    entry = rows(engine, ReportEntry, col(ReportEntry.task_no) == "4")[-1]
    assert entry.percent == 50 and entry.difficulty
    assert not any(ch in entry.text for ch in "\x00\x01\x1b\x7f")
    inbox = rows(engine, Inbox, col(Inbox.user_id) == str(POLICE))
    assert [r.status for r in inbox] == ["processed", "processed"]
    assert "\x00" not in repr(inbox[0].payload)
    assert_no_error_reply(tg)


async def test_forged_task_in_a_button_and_a_huge_nudge_id(bot, engine):
    tg = bot
    police, coordinator = tg.user(POLICE), tg.user(COORDINATOR)
    police.send("đang thực hiện 70%")  # no task: the bot asks which one
    ask = await _answer(tg, POLICE, -1, "which task")
    token = button(ask, "NV").split(":")[1]
    police.press(ask, f"t:{token}:99", strict=False)  # the agency has no NV99
    refused = await _answer(tg, POLICE, ask["seq"], "the forged task")
    assert "Nút này không còn hiệu lực" in refused["plain"]

    coordinator.send("/trogiup")
    helped = await _answer(tg, COORDINATOR, -1, "help")
    coordinator.press(helped, "nudge:12345678901234567890123", strict=False)  # 23 digits
    nudged = await _answer(tg, COORDINATOR, helped["seq"], "the forged nudge")
    assert "không còn hiệu lực" in nudged["plain"]
    assert not to(tg, POLICE, after=refused["seq"])  # nobody was nudged
    assert {r.status for r in rows(engine, Inbox)} == {"processed"}
    assert_no_error_reply(tg)


async def test_an_unreadable_update_is_kept_and_the_next_one_answered(bot, engine):
    tg = bot
    broken = {  # "from" without is_bot and first_name: python-telegram-bot refuses it
        "message_id": 41, "date": 1709690400, "chat": {"id": POLICE, "type": "private"}, "from": {"id": POLICE}, "text": "NV4: xong",
    }
    update = tg._enqueue("message", copy.deepcopy(broken), POLICE)
    tg.user(POLICE).send("NV4: đang thực hiện 60%")
    echo = await _answer(tg, POLICE, -1, "the next update's echo")
    assert ECHO in echo["plain"] and "60%" in echo["plain"]
    kept = rows(engine, Inbox, col(Inbox.update_id) == str(update["update_id"]))[0]
    assert kept.status == "failed" and kept.error.startswith("unreadable")
    assert kept.payload["message"] == broken  # stored raw
    assert len(to(tg, POLICE)) == 1  # the unreadable one got no answer, and no error reply
    assert_no_error_reply(tg)


async def test_an_edited_message_is_asked_about(bot, engine):
    tg = bot
    user = tg.user(POLICE)
    sent = user.send("NV4: đang thực hiện 30%")
    first = await _answer(tg, POLICE, -1, "the echo")
    user.press(first, button(first, "✅"))
    stored = await _answer(tg, POLICE, first["seq"], "stored")
    edited = dict(copy.deepcopy(sent["message"]), text="NV4: đang thực hiện 40%", edit_date=sent["message"]["date"] + 60)
    tg._enqueue("edited_message", edited, POLICE)
    echo = await _answer(tg, POLICE, stored["seq"], "the edit's echo")
    assert "Đồng chí vừa sửa một tin nhắn" in echo["plain"] and "40%" in echo["plain"]
    assert text_of(echo).count("kiểm tra nội dung") == 1
    assert_no_error_reply(tg)
