"""Fault 2: one SQLite file, many writers at once (SQLite only).

The bot (``python -m baocao run``), a ``baocao tick`` every 2 s, a ``baocao invite`` every
4 s, and 20 focal points each sending 10 reports and confirming each one with ✅, for about
40 s: every report is stored, every invitation is made, every process ends well, and nobody
ever sees "database is locked" (WAL plus ``BEGIN IMMEDIATE`` for every write: writers queue
instead of failing).
"""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlmodel import col

from baocao.demo.telegram_api import BotApiStandIn
from storage.models import Invitation, Report
from tests.faults.support import (
    ECHO,
    STORED,
    Process,
    VirtualTime,
    assert_no_error_reply,
    bind_focal_points,
    bot_env,
    button,
    delivered_vs_rows,
    figures,
    outbox_busy,
    q1_duties,
    rows,
    run_cli,
    to,
    until,
)

pytestmark = pytest.mark.fault

USERS = 20
REPORTS = 10
DURATION_S = 40.0


async def test_bot_ticks_invites_and_reports_share_one_sqlite_file(tmp_path, sqlite_only_url):
    sqlite_url = sqlite_only_url
    from storage.db import open_database

    engine = open_database(sqlite_url)
    duties = q1_duties()[:USERS]
    users = {8001 + i: agency for i, (agency, _) in enumerate(duties)}
    task = {8001 + i: no for i, (_, no) in enumerate(duties)}
    contacts = bind_focal_points(engine, users)
    invitations_before = len(rows(engine, Invitation))

    async with BotApiStandIn() as tg:
        env = bot_env(tg, sqlite_url, tmp_path)
        story = VirtualTime()
        bot = await Process(["run"], env, tmp_path, story.arg(), "bot").start()
        started = time.monotonic()
        outputs: list[str] = []
        ticks: list[int] = []
        invites: list[tuple[int, str]] = []
        done = asyncio.Event()

        async def ticking() -> None:
            n = 0
            while not done.is_set() or time.monotonic() - started < DURATION_S:
                n += 1
                code, out = await run_cli(["tick"], env, tmp_path, story.arg(), f"tick-{n}", timeout=90)
                ticks.append(code)
                outputs.append(out)
                await asyncio.sleep(2.0)

        async def inviting() -> None:
            n = 0
            while not done.is_set() or time.monotonic() - started < DURATION_S:
                n += 1
                code, out = await run_cli(["invite", "CA tỉnh"], env, tmp_path, story.arg(), f"invite-{n}", timeout=90)
                invites.append((code, out))
                outputs.append(out)
                await asyncio.sleep(4.0)

        async def reporting(uid: int) -> None:
            user = tg.user(uid, first_name=f"Đầu mối {uid}")
            last = -1
            for k in range(REPORTS):
                tag = f"tin {uid}-{k:02d}"
                user.send(f"NV{task[uid]}: đang thực hiện {10 * (k + 1)}%, {tag}")
                await until(lambda tag=tag, last=last: to(tg, uid, tag, after=last), 90, f"echo {tag}", every=0.1)
                echo = to(tg, uid, tag, after=last)[0]
                assert ECHO in echo["plain"]
                user.press(echo, button(echo, "✅"))
                await until(lambda seq=echo["seq"]: to(tg, uid, STORED, after=seq), 90, f"stored {tag}", every=0.1)
                last = to(tg, uid, STORED, after=echo["seq"])[0]["seq"]

        try:
            async with asyncio.timeout(200):
                background = [asyncio.create_task(ticking()), asyncio.create_task(inviting())]
                await asyncio.gather(*(reporting(uid) for uid in users))
                reported = time.monotonic() - started
                done.set()
                await asyncio.gather(*background)
                await until(lambda: not outbox_busy(engine), 60, "the outbox to settle", every=0.2)
        finally:
            done.set()
            code = await bot.stop()
        elapsed = time.monotonic() - started
        outputs.append(bot.output())

    reports = rows(engine, Report, col(Report.contact_id).in_(list(contacts.values())))
    assert len(reports) == USERS * REPORTS
    taken, sent = delivered_vs_rows(tg, engine)
    assert taken == sent  # sent = stored: nothing twice, nothing lost
    assert code == 0, bot.output()[-3000:]
    assert ticks and all(c == 0 for c in ticks), [o[-2000:] for o in outputs]
    assert invites and all(c == 0 and "https://t.me/" in out.strip().splitlines()[-1] for c, out in invites)
    assert len(rows(engine, Invitation)) == invitations_before + len(invites)
    assert_no_error_reply(tg, *outputs)
    for out in outputs:
        assert "Traceback" not in out, out[-3000:]
    figures(
        "sqlite-concurrency",
        reports_stored=len(reports),
        ticks=len(ticks),
        invites=len(invites),
        reports_done_s=reported,
        elapsed_s=elapsed,
        messages_sent=taken,
    )
