"""``baocao run`` as an admin starts it: without a token it explains; with one it serves."""

from __future__ import annotations

import asyncio
import os
import signal
import sys


from baocao.cli import main
from baocao.demo.telegram_api import BotApiStandIn
from baocao.demo.zalo_api import ZaloStandIn


def test_without_token_explains_and_exits_2(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "BAOCAO_BOT_TOKEN", "ZALO_BOT_TOKEN", "BAOCAO_ZALO_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "@BotFather" in err and "TELEGRAM_BOT_TOKEN" in err
    assert "Zalo Bot Manager" in err and "ZALO_BOT_TOKEN" in err
    assert len(err.strip().splitlines()) == 1


def test_webhook_needs_a_url(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:x")
    assert main(["run", "--webhook"]) == 2
    assert "--url" in capsys.readouterr().err


async def test_run_serves_real_updates(tmp_path, database_url, engine, monkeypatch):
    """The README's run command, as a separate process, against the Bot API stand-in.

    ``engine`` migrates the database first: on PostgreSQL that is `baocao db upgrade`'s job."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    async with BotApiStandIn() as tg:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": tg.token,
            "TELEGRAM_API_BASE_URL": tg.base_url,
            "BAOCAO_DATABASE_URL": database_url,
            "NO_PROXY": "127.0.0.1,localhost",
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "baocao", "--now", "2024-03-06T09:00", "run",
            cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        try:
            tg.user(777).send("xin chào")
            reply = await tg.wait_for(777, "chưa được đăng ký", timeout=30)
            assert reply["parse_mode"] == "HTML"  # Defaults applied
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGINT)
            try:
                _, err = await asyncio.wait_for(proc.communicate(), timeout=20)
            except TimeoutError:
                proc.kill()
                raise
        text = err.decode()
        assert "đang chạy" in text
        assert tg.token not in text and "Traceback" not in text


async def test_tick_sends_due_reminders_once(tmp_path, database_url, engine, monkeypatch):
    """`baocao tick --now …` (cron mode) sends exactly the due reminders, and nothing the second time."""
    from datetime import UTC, datetime

    from bot.invitations import create_invitation, redeem
    from scheduler.plan import load_plan
    from scheduler.sync import sync_agencies
    from common.paths import BUNDLED_DATA_DIR
    from storage.db import session_scope

    now = datetime(2024, 3, 6, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam, D-7 of quý I
    with session_scope(engine) as session:
        sync_agencies(session, load_plan(BUNDLED_DATA_DIR / "plan.json"), now=now)
        for user, agency in ((801, "cong-an-tinh"), (802, "so-tai-chinh")):
            _, code = create_invitation(session, agency_id=agency, role="focal", created_by="t", now=now)
            redeem(session, code, channel="telegram", chat_id=str(user), user_id=str(user), display_name="x", language="vi", now=now)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    async with BotApiStandIn() as tg:
        tg.user(801), tg.user(802)
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE_URL": tg.base_url,
               "BAOCAO_DATABASE_URL": database_url, "NO_PROXY": "127.0.0.1,localhost"}

        async def tick_once() -> str:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "baocao", "--now", "2024-03-06T09:00", "tick",
                cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )
            out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
            assert proc.returncode == 0, err.decode()
            return out.decode()

        first = await tick_once()
        assert "Đã gửi 2 tin" in first
        assert {m["chat_id"] for m in tg.sent} == {801, 802}
        assert all("quý I năm 2024" in m["plain"] for m in tg.sent)
        second = await tick_once()
        assert "Đã gửi 0 tin" in second
        assert len(tg.sent) == 2


def test_a_webhook_secret_zalo_would_refuse_is_refused_before_starting(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZALO_BOT_TOKEN", "1:x")
    assert main(["run", "--webhook", "--url", "https://bot.example.vn", "--secret", "short"]) == 2
    assert "8–256" in capsys.readouterr().err


async def test_run_serves_zalo_and_telegram_in_one_process(tmp_path, database_url, engine, monkeypatch):
    """Both tokens: one `baocao run` answers on both platforms."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    async with BotApiStandIn() as tg, ZaloStandIn() as zalo:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": tg.token,
            "TELEGRAM_API_BASE_URL": tg.base_url,
            "ZALO_BOT_TOKEN": zalo.token,
            "ZALO_API_BASE_URL": zalo.base_url,
            "ZALO_BOT_NAME": zalo.bot_name,
            "BAOCAO_DATABASE_URL": database_url,
            "NO_PROXY": "127.0.0.1,localhost",
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "baocao", "--now", "2024-03-06T09:00", "run",
            cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        try:
            tg.user(777).send("xin chào")
            zalo.user("z777", "Lan").send("xin chào")
            await tg.wait_for(777, "chưa được đăng ký", timeout=30)
            answer = await zalo.wait_for("z777", "chưa được đăng ký", timeout=30)
            assert "trợ lý tự động" in answer["text"] and "<b>" not in answer["text"]
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGINT)
            try:
                _, err = await asyncio.wait_for(proc.communicate(), timeout=30)
            except TimeoutError:
                proc.kill()
                raise
        text = err.decode()
        assert "Telegram, Zalo" in text
        assert zalo.token not in text and tg.token not in text and "Traceback" not in text


async def test_tick_sends_through_every_channel(tmp_path, database_url, engine, monkeypatch):
    """A focal point on Telegram and one on Zalo: `baocao tick` reminds each on their own channel."""
    from datetime import UTC, datetime

    from bot.invitations import create_invitation, redeem
    from common.paths import BUNDLED_DATA_DIR
    from scheduler.plan import load_plan
    from scheduler.sync import sync_agencies
    from storage.db import session_scope

    now = datetime(2024, 3, 6, 2, 0, tzinfo=UTC)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    async with BotApiStandIn() as tg, ZaloStandIn() as zalo:
        tg.user(801)
        zalo.user("z802", "Lan").send("xin chào")  # Zalo learns a chat only when its person writes
        zalo.handed_out.append(zalo._pending.popleft())  # …and that message was read long ago
        with session_scope(engine) as session:
            sync_agencies(session, load_plan(BUNDLED_DATA_DIR / "plan.json"), now=now)
            for channel, user, agency in (("telegram", "801", "cong-an-tinh"), ("zalo", "z802", "so-tai-chinh")):
                _, code = create_invitation(session, agency_id=agency, role="focal", created_by="t", now=now)
                redeem(session, code, channel=channel, chat_id=user, user_id=user, display_name="x", language="vi", now=now)
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE_URL": tg.base_url,
               "ZALO_BOT_TOKEN": zalo.token, "ZALO_API_BASE_URL": zalo.base_url,
               "BAOCAO_DATABASE_URL": database_url, "NO_PROXY": "127.0.0.1,localhost"}
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "baocao", "--now", "2024-03-06T09:00", "tick",
            cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
        assert proc.returncode == 0, err.decode()
        assert "Đã gửi 2 tin" in out.decode()
        assert [m["chat_id"] for m in tg.sent] == [801]
        assert [m["chat_id"] for m in zalo.sent] == ["z802"]
        assert "quý I năm 2024" in zalo.sent[0]["text"] and "<b>" not in zalo.sent[0]["text"]
