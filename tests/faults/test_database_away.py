"""Faults 3 and 4: the database goes away, or hangs, while people write.

**Down** (both databases) for about 15 s while 10 focal points send 2 reports each. SQLite:
the bot runs in-process and every connection checkout fails (as a vanished server's would).
PostgreSQL: ``python -m baocao run`` talks to the server through a TCP proxy on 127.0.0.1,
which stops listening and drops every connection. Every update is spooled, each person is told
once that the message is kept, and when the database is back the spool is replayed in order:
each person's second echo comes after the first, and ✅ on the last echo stores the last value.

**Hung** (PostgreSQL only): the proxy accepts and never answers (nothing is forwarded either
way, new connections wait) for 15 s, with ``BAOCAO_DB_TIMEOUT=3``. Updates sent meanwhile are
spooled within the timeout (people told), and all are answered once the server answers again.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import col

from baocao.demo.telegram_api import BotApiStandIn
from storage.models import Inbox, ReportEntry
from tests.faults.support import (
    BUSY,
    ECHO,
    STORED,
    DatabaseSwitch,
    PgProxy,
    Process,
    VirtualTime,
    assert_no_error_reply,
    bind_focal_points,
    bot_env,
    button,
    delivered_vs_rows,
    figures,
    inprocess_bot,
    outbox_busy,
    q1_duties,
    rows,
    to,
    until,
)

pytestmark = pytest.mark.fault

USERS = 10
OUTAGE_S = 15.0


def _spooled(path: Path) -> list[dict]:
    try:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except FileNotFoundError:
        return []


def _people(engine) -> tuple[dict[int, str], dict[int, int]]:
    duties = q1_duties()[:USERS]
    users = {9101 + i: agency for i, (agency, _) in enumerate(duties)}
    task = {9101 + i: no for i, (_, no) in enumerate(duties)}
    return task, bind_focal_points(engine, users)


async def _write_during_outage(tg, task: dict[int, str], spool: Path, outage_s: float, gap_s: float = 1.0) -> float:
    """Each person sends two reports (first 11%…, then, ``gap_s`` later, 22%…) while the
    database is away; returns how long the outage lasted."""
    began = time.monotonic()
    for uid, no in task.items():
        tg.user(uid, first_name=f"Đầu mối {uid}").send(f"NV{no}: đang thực hiện 11%, tin {uid}-01")
    await until(lambda: all(to(tg, uid, BUSY) for uid in task), 20, "everyone told that the message is kept", dump=tg.dump)
    await asyncio.sleep(max(0.0, gap_s - (time.monotonic() - began)))
    for uid, no in task.items():
        tg.user(uid).send(f"NV{no}: đang thực hiện 22%, tin {uid}-02")
    await until(lambda: len(_spooled(spool)) >= 2 * len(task), 15, "every update in the spool", every=0.2)
    remaining = outage_s - (time.monotonic() - began)
    if remaining > 0:
        await asyncio.sleep(remaining)
    assert not [r for r in tg.sent if ECHO in (r.get("plain") or "")], "nothing is answered while the database is away"
    return time.monotonic() - began


async def _replayed_in_order(tg, engine, task: dict[int, str], contacts: dict[int, int], timeout: float) -> dict[str, float]:
    began = time.monotonic()
    await until(
        lambda: all(len(to(tg, uid, ECHO)) >= 2 for uid in task), timeout, "both echoes of everyone", every=0.1, dump=tg.dump
    )
    replayed = time.monotonic() - began
    for uid in task:
        first, second = to(tg, uid, ECHO)[:2]
        assert f"tin {uid}-01" in first["plain"] and f"tin {uid}-02" in second["plain"], (first["plain"], second["plain"])
        assert len(to(tg, uid, BUSY)) == 1, f"{uid} told {len(to(tg, uid, BUSY))} times"
        tg.user(uid).press(second, button(second, "✅"))
    await until(lambda: all(to(tg, uid, STORED) for uid in task), 60, "every ✅ answered", every=0.1, dump=tg.dump)
    stored = 0
    for uid, contact in contacts.items():
        entries = rows(engine, ReportEntry, col(ReportEntry.task_no) == task[uid])
        mine = [e for e in entries if _contact_of(engine, e) == contact]
        assert [e.percent for e in mine] == [22], (uid, [e.percent for e in mine])
        stored += 1
    mine = rows(engine, Inbox, col(Inbox.user_id).in_([str(uid) for uid in task]))
    assert Counter(r.status for r in mine) == {"processed": 3 * len(task)}  # two reports and a ✅ each
    await until(lambda: not outbox_busy(engine), 60, "the outbox to settle", every=0.2)
    taken, sent = delivered_vs_rows(tg, engine)
    told = sum(1 for r in tg.sent if BUSY in (r.get("plain") or ""))
    assert taken == sent + told  # sent = stored (and the "kept" notices, which are not queued)
    return {"replayed_s": replayed, "last_values_stored": stored, "messages_sent": taken, "told": told}


def _contact_of(engine, entry) -> int | None:
    from storage.models import Report

    report = rows(engine, Report, col(Report.id) == entry.report_id)[0]
    return report.contact_id


async def test_database_down_sqlite_in_process(tmp_path, sqlite_only_url):
    sqlite_url = sqlite_only_url
    from storage.db import open_database

    engine = open_database(sqlite_url)
    task, contacts = _people(engine)
    spool = tmp_path / "spool.jsonl"
    async with BotApiStandIn() as tg:
        async with inprocess_bot(tg, engine, tmp_path) as services:
            switch = DatabaseSwitch(engine)
            switch.down()
            try:
                outage = await _write_during_outage(tg, task, spool, OUTAGE_S)
                spooled = len(_spooled(spool))
            finally:
                switch.up()
            result = await _replayed_in_order(tg, engine, task, contacts, timeout=60)
            assert not services.spool.pending()
    assert_no_error_reply(tg)
    figures("database-down[sqlite]", users=len(task), spooled=spooled, outage_s=outage, **result)


async def test_database_down_postgresql_proxy(tmp_path, pg_url, pg_engine):
    engine = pg_engine
    task, contacts = _people(engine)
    spool = tmp_path / "spool.jsonl"
    proxy = await PgProxy(pg_url).start()
    try:
        async with BotApiStandIn() as tg:
            env = bot_env(tg, proxy.proxied_url, tmp_path)
            bot = await Process(["run"], env, tmp_path, VirtualTime().arg(), "bot").start()
            try:
                # Up and answering before the outage.
                tg.user(9999).send("xin chào")
                await until(lambda: to(tg, 9999, "chưa được đăng ký"), 60, "the bot to answer", dump=tg.dump)
                await proxy.down()
                try:
                    outage = await _write_during_outage(tg, task, spool, OUTAGE_S)
                    spooled = len(_spooled(spool))
                finally:
                    await proxy.up()
                result = await _replayed_in_order(tg, engine, task, contacts, timeout=60)
                await until(lambda: not _spooled(spool), 15, "the spool to be emptied", every=0.2)
            finally:
                code = await bot.stop()
            output = bot.output()
    finally:
        await proxy.close()
    assert code == 0, output[-3000:]
    assert_no_error_reply(tg, output)
    figures("database-down[postgresql]", users=len(task), spooled=spooled, outage_s=outage, **result)


LONG = os.environ.get("BAOCAO_FAULT_LONG") == "1"


@pytest.mark.parametrize(
    ("hang_s", "gap_s"),
    [
        pytest.param(OUTAGE_S, 1.0, id="15s"),
        # A long hang with a second burst late in it: the variant that found the thread
        # starvation fixed in bot/inbox.py (InboxWriter.drain, Spool.drain). 90 s; opt-in.
        pytest.param(75.0, 60.0, id="75s", marks=pytest.mark.skipif(not LONG, reason="BAOCAO_FAULT_LONG=1 runs it")),
    ],
)
async def test_database_hung_postgresql_proxy(tmp_path, pg_url, pg_engine, hang_s, gap_s):
    engine = pg_engine
    task, contacts = _people(engine)
    spool = tmp_path / "spool.jsonl"
    proxy = await PgProxy(pg_url).start()
    try:
        async with BotApiStandIn() as tg:
            env = bot_env(tg, proxy.proxied_url, tmp_path, BAOCAO_DB_TIMEOUT="3")
            bot = await Process(["run"], env, tmp_path, VirtualTime().arg(), "bot").start()
            try:
                tg.user(9999).send("xin chào")
                await until(lambda: to(tg, 9999, "chưa được đăng ký"), 60, "the bot to answer", dump=tg.dump)
                proxy.hang()
                began = time.monotonic()
                try:
                    outage = await _write_during_outage(tg, task, spool, hang_s, gap_s)
                    told_s = max(to(tg, uid, BUSY)[0]["ts"] for uid in task) - began
                    spooled = len(_spooled(spool))
                finally:
                    await proxy.up()
                result = await _replayed_in_order(tg, engine, task, contacts, timeout=90)
                await until(lambda: not _spooled(spool), 30, "the spool to be emptied", every=0.2)
            finally:
                code = await bot.stop()
            output = bot.output()
    finally:
        await proxy.close()
    assert code == 0, output[-3000:]
    assert_no_error_reply(tg, output)
    figures(f"database-hung[postgresql-{hang_s:.0f}s]", users=len(task), spooled=spooled, hang_s=outage, last_told_s=told_s, **result)
