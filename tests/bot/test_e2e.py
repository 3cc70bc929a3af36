"""End to end: the real runtime (baocao.runtime: polling, inbox, worker, outbox, dispatcher)
with the real Telegram channel, through python-telegram-bot's HTTP stack, against the Bot API
stand-in on 127.0.0.1, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from baocao.config import Settings
from baocao.runtime import Runtime
from baocao.services import Services
from bot.channels.telegram import TelegramChannel, protect_logs
from bot.invitations import create_invitation
from common.clock import FixedClock
from common.paths import BUNDLED_DATA_DIR
from scheduler.calendar import WorkingCalendar
from scheduler.plan import load_plan
from storage.db import session_scope
from storage.models import Inbox, Obligation, Report
from storage.queries import latest_entries

ICT = timezone(timedelta(hours=7))
POLICE, STRANGER = 5001, 5009


@pytest.fixture
def clock():
    return FixedClock(datetime(2024, 3, 6, 9, 0, tzinfo=ICT))


@pytest.fixture
def services(standin, engine, clock, tmp_path):
    channel = TelegramChannel(standin.token, base_url=standin.base_url, base_file_url=standin.base_file_url, poll_timeout=1)
    services = Services(
        Settings(spool_path=tmp_path / "spool.jsonl", files_path=tmp_path / "files"),
        clock,
        channels={"telegram": channel},
        engine=engine,
        plans=load_plan(BUNDLED_DATA_DIR / "plan.json"),
        calendar=WorkingCalendar.load(),
    )
    channel.files = services.files
    services.sync()
    return services


@pytest.fixture
async def bot(services):
    # The tests tick explicitly, with their clock: no ticker.
    runtime = Runtime(services, tick_interval=0, spool_interval=0.2, plan_interval=None)
    async with asyncio.timeout(30):
        await runtime.start()
        try:
            yield runtime
        finally:
            await runtime.stop()


def invite(engine, clock, agency="cong-an-tinh", role="focal"):
    with session_scope(engine, write=True) as session:
        _, code = create_invitation(session, agency_id=agency, role=role, created_by="test", now=clock.now())
    return code


async def settled(engine):
    """Every queued message sent (before a test moves its clock: a lease is reckoned in it)."""
    from storage.models import Outbox

    for _ in range(200):
        with session_scope(engine) as session:
            busy = session.exec(select(Outbox).where(Outbox.status.in_(["pending", "sending"]))).all()
        if not busy:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"outbox not settled: {[r.key for r in busy]}")


def button(message, prefix):
    return next(b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row if b["text"].startswith(prefix))


async def test_invite_start_report_confirm_correct(standin, bot, engine, clock):
    code = invite(engine, clock)
    user = standin.user(POLICE, first_name="Trần Văn B")
    user.send(f"/start {code}")
    greeting = await standin.wait_for(POLICE, "Công an tỉnh")
    assert "đầu mối báo cáo" in greeting["plain"]
    assert "Thứ Sáu, ngày 15 tháng 3 năm 2024" in greeting["plain"]

    user.send("NV4: đang thực hiện 70%, vướng kinh phí")
    echo = await standin.wait_for(POLICE, "kiểm tra nội dung")
    assert "70%" in echo["plain"] and "khó khăn" in echo["plain"]
    user.press(echo, button(echo, "✅"))
    stored = await standin.wait_for(POLICE, "Đã ghi nhận")
    assert "quý I năm 2024" in stored["plain"]
    assert standin.callback_answers, "the button press was answered"

    user.send("nv4 hoan thanh 100%")
    echo = await standin.wait_for(POLICE, "sửa lần 1")
    user.press(echo, button(echo, "✅"))
    await standin.wait_for(POLICE, "Đã ghi nhận")
    with session_scope(engine) as session:
        ob = session.exec(select(Obligation).where(Obligation.agency_id == "cong-an-tinh", Obligation.period == "2024-Q1")).one()
        entry = latest_entries(session, ob.id)["4"]
        assert (entry.status, entry.percent, entry.revision) == ("done", 100, 2)


async def test_stranger_refused_and_redelivery_is_harmless(standin, bot, engine):
    stranger = standin.user(STRANGER)
    update = stranger.send("NV4: hoàn thành")
    refusal = await standin.wait_for(STRANGER, "chưa được đăng ký")
    standin.redeliver(update["update_id"])
    await asyncio.sleep(0.5)
    assert [m for m in standin.messages_to(STRANGER) if m["seq"] > refusal["seq"]] == []
    with session_scope(engine) as session:
        assert session.exec(select(Report)).all() == []
        assert len(session.exec(select(Inbox).where(Inbox.user_id == str(STRANGER))).all()) == 1


async def test_media_and_unknown_commands_are_answered(standin, bot, engine, clock):
    code = invite(engine, clock)
    user = standin.user(POLICE)
    user.send(f"/start {code}")
    await standin.wait_for(POLICE, "Công an tỉnh")
    user.send_sticker()
    assert (await standin.wait_for(POLICE))["plain"]
    user.send_voice()
    assert "thoại" in (await standin.wait_for(POLICE))["plain"]
    user.send("/khongcolenhnay")
    assert "/trogiup" in (await standin.wait_for(POLICE))["plain"]


async def test_command_menus_registered(standin, bot):
    await standin.wait_until(lambda: standin.commands, timeout=5)
    scopes = " ".join(str(key) for key in standin.commands)
    assert "all_private_chats" in scopes


async def test_database_away_spools_and_replays(standin, bot, services, engine, clock, monkeypatch):
    from storage.db import DatabaseUnavailable

    code = invite(engine, clock)
    user = standin.user(POLICE)
    user.send(f"/start {code}")
    await standin.wait_for(POLICE, "Công an tỉnh")
    writer = services.writer
    real = writer._record

    def down(*args, **kwargs):
        raise DatabaseUnavailable("sqlite:///x", "server closed the connection")

    monkeypatch.setattr(writer, "_record", down)
    user.send("NV4: đang thực hiện 40%")
    user.send("NV2: hoàn thành")
    await standin.wait_for(POLICE, "tạm thời gián đoạn")
    assert services.spool.pending()
    monkeypatch.setattr(writer, "_record", real)
    echo = await standin.wait_for(POLICE, "kiểm tra nội dung", timeout=5)  # replayed by the spool job
    assert "40%" in echo["plain"]
    echo = await standin.wait_for(POLICE, "kiểm tra nội dung", timeout=5)  # then the next, in order
    assert "NV2" in echo["plain"]
    assert len([m for m in standin.messages_to(POLICE) if "tạm thời gián đoạn" in (m.get("text") or "")]) == 1


def test_token_never_in_logs(caplog):
    token = "123456:SECRET-TOKEN-VALUE"
    logging.getLogger().addHandler(caplog.handler)
    protect_logs(token)
    logging.getLogger("httpx").warning("POST https://api.telegram.org/bot%s/getMe", token)
    assert token not in caplog.text and "<token>" in caplog.text


async def test_reply_to_a_reminder_lands_on_its_period(standin, bot, engine, clock, services):
    """A reminder for 06 tháng goes out; the reply lands on 2024-H1 although 2024-Q1 is
    overdue and unreported (free text would go there)."""
    from scheduler.dispatch import tick

    code = invite(engine, clock)
    user = standin.user(POLICE)
    user.send(f"/start {code}")
    await standin.wait_for(POLICE, "Công an tỉnh")
    await settled(engine)
    clock.set(datetime(2024, 6, 6, 9, 0, tzinfo=ICT))  # H1 D-7
    report = await tick(engine, services.plans, services.calendar, services.senders(), clock, worker_id="t")
    assert report.dispatch.sent == 1, report.enqueue.keys
    reminder = await standin.wait_for(POLICE, "06 tháng năm 2024")
    assert "Thứ Hai, ngày 17 tháng 6 năm 2024" in reminder["plain"]
    again = await tick(engine, services.plans, services.calendar, services.senders(), clock, worker_id="t")
    assert again.dispatch.sent == 0  # never twice

    user.send("NV4: đang thực hiện 60%", reply_to=reminder["message_id"])
    echo = await standin.wait_for(POLICE, "kiểm tra nội dung")
    assert "06 tháng năm 2024" in echo["plain"]
    user.press(echo, button(echo, "✅"))
    await standin.wait_for(POLICE, "Đã ghi nhận")
    with session_scope(engine) as session:
        h1 = session.exec(select(Obligation).where(Obligation.agency_id == "cong-an-tinh", Obligation.period == "2024-H1")).one()
        assert latest_entries(session, h1.id)["4"].percent == 60


async def test_coordinator_sees_status_and_who_has_not_reported(standin, bot, engine, clock):
    focal_code, coord_code = invite(engine, clock), invite(engine, clock, "so-tu-phap", "coordinator")
    police, coordinator = standin.user(POLICE), standin.user(5100, first_name="Phạm Thị D")
    police.send(f"/start {focal_code}")
    await standin.wait_for(POLICE, "Công an tỉnh")
    police.send("NV4 xong")
    echo = await standin.wait_for(POLICE, "kiểm tra nội dung")
    police.press(echo, button(echo, "✅"))
    await standin.wait_for(POLICE, "Đã ghi nhận")

    coordinator.send(f"/start {coord_code}")
    await standin.wait_for(5100, "điều phối")
    coordinator.send("/tinhhinh")
    status = await standin.wait_for(5100, "quý I năm 2024")
    assert "1/47" in status["plain"] or "báo cáo một phần: 1" in status["plain"]
    coordinator.send("/chuabaocao")
    missing = await standin.wait_for(5100, lambda m: m.get("reply_markup") is not None)
    assert "Công an tỉnh" in missing["plain"]
    police.send("/tinhhinh")
    assert "dành cho cán bộ điều phối" in (await standin.wait_for(POLICE))["plain"]


async def test_reply_to_a_nudge_lands_on_the_nudged_period(standin, bot, engine, clock):
    clock.set(datetime(2024, 6, 20, 9, 0, tzinfo=ICT))  # 06 tháng overdue; quý I too, unreported
    focal_code, coord_code = invite(engine, clock), invite(engine, clock, "so-tu-phap", "coordinator")
    police, coordinator = standin.user(POLICE), standin.user(5100)
    police.send(f"/start {focal_code}")
    await standin.wait_for(POLICE, "Công an tỉnh")
    coordinator.send(f"/start {coord_code}")
    await standin.wait_for(5100, "điều phối")
    coordinator.send("/chuabaocao 2024-H1")
    listing = await standin.wait_for(5100, lambda m: m.get("reply_markup") is not None and "Công an tỉnh" in m["plain"])
    nudge_data = next(
        b["callback_data"] for row in listing["reply_markup"]["inline_keyboard"] for b in row if "Công an" in b["text"]
    )
    coordinator.press(listing, nudge_data)
    nudge = await standin.wait_for(POLICE, "06 tháng năm 2024")
    police.send("NV4: hoàn thành", reply_to=nudge["message_id"])
    echo = await standin.wait_for(POLICE, "kiểm tra nội dung")
    assert "06 tháng năm 2024" in echo["plain"]
