"""Two plans at once, end to end on each channel's stand-in (issue 12): the real runtime, a
focal point whose agency has NV1 in both plans is asked which plan — buttons on Telegram,
numbered lines on Zalo — and the report lands on the plan chosen; a coordinator's /tinhhinh
asks for the plan the same way. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlmodel import select

from baocao.config import Settings
from baocao.demo.zalo_api import ZaloStandIn
from baocao.runtime import Runtime
from baocao.services import Services
from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.invitations import create_invitation
from common.clock import FixedClock
from common.paths import BUNDLED_DATA_DIR
from scheduler.calendar import WorkingCalendar
from scheduler.plan import load_plan
from scheduler.plans import Plans
from storage.db import session_scope
from storage.models import Obligation
from storage.queries import latest_entries

ICT = timezone(timedelta(hours=7))
PLANS = Plans([load_plan(BUNDLED_DATA_DIR / "plan.json"),
               load_plan(Path(__file__).resolve().parents[1] / "fixtures" / "plan_pbgdpl_2024.json")])


@pytest.fixture
def clock():
    return FixedClock(datetime(2024, 3, 6, 9, 0, tzinfo=ICT))


@pytest.fixture
async def zalo():
    async with ZaloStandIn() as server:
        yield server


def services_for(channel_name, channel, engine, clock, tmp_path):
    services = Services(
        Settings(spool_path=tmp_path / "spool.jsonl", files_path=tmp_path / "files"),
        clock, channels={channel_name: channel}, engine=engine, plans=PLANS, calendar=WorkingCalendar.load(),
    )
    channel.files = services.files
    services.sync()
    return services


async def running(services):
    runtime = Runtime(services, tick_interval=0, spool_interval=0.2, plan_interval=None)
    await runtime.start()
    return runtime


def invite(engine, clock, agency="cong-an-tinh", role="focal"):
    with session_scope(engine, write=True) as session:
        _, code = create_invitation(session, agency_id=agency, role=role, created_by="test", now=clock.now())
    return code


def police_entries(engine, plan_id):
    with session_scope(engine) as session:
        ob = session.exec(select(Obligation).where(Obligation.agency_id == "cong-an-tinh", Obligation.period == "2024-Q1",
                                                   Obligation.plan_id == plan_id)).one()
        return {no: (e.status, e.percent) for no, e in latest_entries(session, ob.id).items()}


def number(record, prefix):
    return next(n for label, n in record["choices"] if label.startswith(prefix))


def button(message, prefix):
    return next(b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row if b["text"].startswith(prefix))


async def test_zalo_plan_asked_with_numbered_choices(zalo, engine, clock, tmp_path):
    channel = ZaloChannel(zalo.token, base_url=zalo.base_url, bot_name=zalo.bot_name, poll_timeout=1, cool_down_s=0.3,
                          per_second=1000.0, per_chat_interval=0.0)
    runtime = await running(services_for("zalo", channel, engine, clock, tmp_path))
    try:
        async with asyncio.timeout(30):
            police = zalo.user("6ede9afa66b88fe6d6a9", "Trần Văn B")
            police.send(invite(engine, clock))
            await zalo.wait_for("6ede9afa66b88fe6d6a9", "đầu mối báo cáo")
            police.send("NV1: đang thực hiện 30%")
            asked = await zalo.wait_for("6ede9afa66b88fe6d6a9", "theo kế hoạch nào")
            assert "Trả lời bằng số:" in asked["text"]
            police.send(number(asked, "Kế hoạch số 45"))
            echo = await zalo.wait_for("6ede9afa66b88fe6d6a9", "kiểm tra nội dung")
            assert "Theo Kế hoạch số 45/KH-UBND" in echo["text"]
            police.send(number(echo, "✅"))
            await zalo.wait_for("6ede9afa66b88fe6d6a9", "Đã ghi nhận")
            assert police_entries(engine, "45/KH-UBND") == {"1": ("in_progress", 30)}
            assert police_entries(engine, "124-KH/BCSĐ") == {}

            coordinator = zalo.user("7a1b2c3d4e5f60718293", "Phạm Thị D")
            coordinator.send(invite(engine, clock, "so-tu-phap", "coordinator"))
            await zalo.wait_for("7a1b2c3d4e5f60718293", "điều phối")
            coordinator.send("/tinhhinh")
            asked = await zalo.wait_for("7a1b2c3d4e5f60718293", "chọn kế hoạch")
            coordinator.send(number(asked, "Kế hoạch số 45"))
            status = await zalo.wait_for("7a1b2c3d4e5f60718293", "Tình hình báo cáo quý I năm 2024")
            assert "Kế hoạch số 45/KH-UBND" in status["text"]
    finally:
        await runtime.stop()


async def test_telegram_plan_asked_with_buttons(standin, engine, clock, tmp_path):
    channel = TelegramChannel(standin.token, base_url=standin.base_url, base_file_url=standin.base_file_url, poll_timeout=1)
    runtime = await running(services_for("telegram", channel, engine, clock, tmp_path))
    try:
        async with asyncio.timeout(30):
            police = standin.user(5001, first_name="Trần Văn B")
            police.send(f"/start {invite(engine, clock)}")
            await standin.wait_for(5001, "Công an tỉnh")
            police.send("NV1: hoàn thành 100%")
            asked = await standin.wait_for(5001, "theo kế hoạch nào")
            police.press(asked, button(asked, "Kế hoạch số 124"))
            echo = await standin.wait_for(5001, "kiểm tra nội dung")
            assert "Theo Kế hoạch số 124-KH/BCSĐ" in echo["plain"]
            police.press(echo, button(echo, "✅"))
            await standin.wait_for(5001, "Đã ghi nhận")
            assert police_entries(engine, "124-KH/BCSĐ") == {"1": ("done", 100)}
            assert police_entries(engine, "45/KH-UBND") == {}
            police.send("KH 45: NV2 đang thực hiện 10%")
            echo = await standin.wait_for(5001, "Theo Kế hoạch số 45/KH-UBND")
            police.press(echo, button(echo, "✅"))
            await standin.wait_for(5001, "Đã ghi nhận")
            assert police_entries(engine, "45/KH-UBND") == {"2": ("in_progress", 10)}
    finally:
        await runtime.stop()
