"""``baocao sandbox``: the console (baocao.demo.console) against the real runtime and the Bot API
stand-in, in-process and as a user starts it."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from baocao.config import Settings
from baocao.demo import console as sandbox
from baocao.demo.bot import running_bot, standin_services
from baocao.demo.telegram_api import BotApiStandIn
from common.paths import BUNDLED_DATA_DIR
from scheduler.calendar import WorkingCalendar
from scheduler.plan import load_plan

ICT = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def _no_proxy_for_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,::1")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost,::1")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BAOCAO_DATABASE_URL", "BAOCAO_PLAN_PATH", "BAOCAO_CALENDAR_PATH")}
    env.update({"NO_PROXY": "127.0.0.1,localhost,::1", "no_proxy": "127.0.0.1,localhost,::1", "PYTHONIOENCODING": "utf-8"})
    env.update(extra)
    return env


def test_cli_sandbox_piped_console(tmp_path):
    script = ":invite CA tỉnh\nNV4: đang thực hiện 70%\n!1\n:quit\n"
    proc = subprocess.run(
        [sys.executable, "-m", "baocao", "sandbox", "--port", "0"],
        cwd=tmp_path, env=_env(), input=script, capture_output=True, text=True, encoding="utf-8", timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "http://127.0.0.1:" in out and "/bot" in out  # the stand-in's address, for another client
    assert "đầu mối báo cáo của Công an tỉnh" in out
    assert "kiểm tra nội dung báo cáo quý I năm 2024" in out  # the bot's confirmation
    assert "[1] ✅ Xác nhận" in out
    assert "Đã ghi nhận báo cáo quý I năm 2024 của Công an tỉnh" in out
    assert "Đã dừng bot" in out
    assert list(tmp_path.iterdir()) == []  # its database, spool and files were temporary


def test_sandbox_clock_starts_at_the_first_reminder_outside_the_plan_years():
    plan = load_plan(BUNDLED_DATA_DIR / "plan.json")
    cal = WorkingCalendar.load()
    inside = datetime(2024, 5, 2, 9, 0, tzinfo=ICT)
    assert sandbox.sandbox_start(plan, cal, ICT, inside) == (inside, None)
    at, note = sandbox.sandbox_start(plan, cal, ICT, datetime(2031, 1, 5, 9, 0, tzinfo=ICT))
    assert at.astimezone(ICT).year == 2024 and note and ":now" in note


async def test_console_reply_to_a_reminder_and_coordinator(engine, tmp_path):
    """In-process: :tick sends a reminder, '>' answers it, a coordinator sees the result."""
    plan = load_plan(BUNDLED_DATA_DIR / "plan.json")
    cal = WorkingCalendar.load()
    clock = sandbox.MovingClock(datetime(2024, 3, 5, 9, 0, tzinfo=ICT))
    out = io.StringIO()
    async with BotApiStandIn() as standin:
        settings = Settings(spool_path=tmp_path / "spool.jsonl", files_path=tmp_path / "files", admin_chat_ids=[])
        services = standin_services(settings, clock, standin, engine=engine, plans=plan, calendar=cal)
        services.sync()
        async with running_bot(services):
            console = sandbox.Console(standin, services, clock, out, settle_s=0.2)

            async def lines():
                for line in [
                    ":help",
                    ":invite ca tinh",
                    ":tick 2024-03-06T08:30",
                    ">NV4: hoàn thành 100%, đã xử lý 15 vụ",
                    "!1",
                    ":user 2002 Lê Thị Cúc",
                    ":invite Sở Tư pháp điều phối",
                    "/tinhhinh Q1",
                    ":admin",
                    ":invite nhom khong co",
                    "!9",
                    ":quit",
                    "this line is never read",
                ]:
                    yield line + "\n"

            await asyncio.wait_for(console.run(lines()), 60)
        assert "telegram:2002" in services.context.config.admin_users
    text = out.getvalue()
    assert ":tick" in text and "Gõ như một người dùng Telegram" in text
    assert "nhắc hạn lúc 06/03/2024 08:30: đã gửi 1 tin" in text
    assert "Nhắc hạn" in text or "quý I năm 2024" in text
    assert "Đã ghi nhận báo cáo quý I năm 2024 của Công an tỉnh" in text
    assert "vai trò điều phối" in text
    assert "Tình hình báo cáo quý I năm 2024" in text
    assert "Lê Thị Cúc là quản trị viên" in text
    assert "không tìm thấy cơ quan «nhom khong co»" in text
    assert "this line is never read" not in text
    from storage.db import session_scope
    from storage.models import Outbox, Report

    with session_scope(engine) as session:
        report = session.exec(select(Report)).one()
        reminder = session.exec(select(Outbox).where(Outbox.kind == "reminder")).one()
        # The answer was a reply to the reminder: the inbox payload names its message.
        assert report.raw_text.startswith("NV4")
        assert reminder.status == "sent"


def test_cli_sandbox_on_zalo_numbered_choices(tmp_path):
    script = ":invite CA tỉnh\nNV4: đang thực hiện 70%\n1\n:photo NV2: hoàn thành\n2\n:sticker\n:quit\n"
    proc = subprocess.run(
        [sys.executable, "-m", "baocao", "--now", "2024-03-06T09:00", "sandbox", "--channel", "zalo", "--port", "0"],
        cwd=tmp_path, env=_env(), input=script, capture_output=True, text=True, encoding="utf-8", timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Máy chủ Zalo Bot API giả lập: http://127.0.0.1:" in out
    assert "trợ lý tự động" in out and "đầu mối báo cáo của Công an tỉnh" in out
    assert "Trả lời bằng số:" in out and "1. ✅ Xác nhận" in out
    assert "Đã ghi nhận báo cáo quý I năm 2024 của Công an tỉnh" in out
    assert "1 tệp minh chứng" in out  # the captioned picture
    assert "Traceback" not in proc.stderr and list(tmp_path.iterdir()) == []
