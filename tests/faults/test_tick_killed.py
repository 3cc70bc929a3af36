"""Fault 5: four ``baocao tick`` at once, one of them killed (``kill -9``) in the middle of a
send (both databases).

- 40 focal points are due their D-7 reminder on a database that has never been ticked (no
  obligation, no outbox row: the four ticks are its first, and sync the plan at once). The
  stand-in answers each send 0.25 s after taking it, and once a few reminders are out one tick
  is killed while Telegram holds a message of it that it has not heard back about. A later
  tick (after the 30 s lease, reckoned in ``--now``) sends what the killed one had claimed.
  Every reminder is delivered (0 missing), at most one twice, and every tick but the killed
  one exits 0.
- SQLite: four simultaneous first ticks on a file that does not exist yet (each may be the one
  that creates the schema) all exit 0. (PostgreSQL is migrated by ``baocao db upgrade``, not
  by a tick; its first ticks are the ones above.)
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter

import pytest
from sqlmodel import col

from baocao.demo.telegram_api import BotApiStandIn
from storage.models import Outbox
from tests.faults.support import (
    ICT,
    START,
    Process,
    assert_no_error_reply,
    bind_focal_points,
    bot_env,
    count_duplicates,
    delivered_vs_rows,
    figures,
    q1_duties,
    rows,
    run_cli,
    until,
)

pytestmark = pytest.mark.fault

TICKS = 4
FOCAL = 40
AT = START.strftime("%Y-%m-%dT%H:%M")
LATER = (START.replace(minute=2)).astimezone(ICT).strftime("%Y-%m-%dT%H:%M")  # past every lease


async def _ticks_at_once(env, tmp_path, name: str) -> list[Process]:
    return list(await asyncio.gather(*(Process(["tick"], env, tmp_path, AT, f"{name}-{i}").start() for i in range(TICKS))))


async def test_simultaneous_first_ticks_on_a_new_sqlite_file(tmp_path, sqlite_only_url):
    sqlite_url = sqlite_only_url
    async with BotApiStandIn() as tg:
        env = bot_env(tg, sqlite_url, tmp_path)
        ticks = await _ticks_at_once(env, tmp_path, "first")
        codes = [await t.wait(120) for t in ticks]
    outputs = [t.output() for t in ticks]
    assert codes == [0] * TICKS, "\n\n".join(o[-2000:] for o in outputs)
    for out in outputs:
        assert "Traceback" not in out and "Đã gửi 0 tin" in out, out[-2000:]
    assert_no_error_reply(tg, *outputs)


async def test_tick_killed_mid_send(tmp_path, database_url, engine, backend):
    users = {6101 + i: agency for i, (agency, _) in enumerate(q1_duties()[:FOCAL])}
    bind_focal_points(engine, users)
    async with BotApiStandIn(send_delay=0.25) as tg:
        for uid in users:
            tg.user(uid, first_name=f"Đầu mối {uid}")
        env = bot_env(tg, database_url, tmp_path)
        started = time.monotonic()
        ticks = await _ticks_at_once(env, tmp_path, "tick")
        by_pid = {t.pid: t for t in ticks}
        victim: Process | None = None

        def in_flight() -> bool:
            """A tick whose claimed row Telegram has taken (it is in ``sent``) while the row is
            still 'sending': that tick has not heard back yet."""
            nonlocal victim
            taken = {str(r["chat_id"]) for r in tg.sent}
            for row in rows(engine, Outbox, col(Outbox.status) == "sending"):
                match = re.search(r"-(\d+)-[0-9a-f]+$", row.claimed_by or "")
                if match and int(match.group(1)) in by_pid and row.chat_id in taken and tg.sends_in_flight and len(tg.sent) >= 5:
                    victim = by_pid[int(match.group(1))]
                    return True
            return False

        await until(in_flight, 120, "a tick with a send in flight", every=0.05, dump=tg.dump)
        assert victim is not None
        await victim.kill9()
        killed_at = time.monotonic() - started
        sent_at_kill = len(tg.sent)
        others = [t for t in ticks if t is not victim]
        codes = [await t.wait(120) for t in others]
        stuck = rows(engine, Outbox, col(Outbox.status) == "sending")
        # What the killed tick had claimed goes out once its lease has passed.
        code, later = await run_cli(["tick"], env, tmp_path, LATER, "tick-later", timeout=120)
        elapsed = time.monotonic() - started

    outputs = [t.output() for t in others] + [later]
    assert codes == [0] * (TICKS - 1), "\n\n".join(o[-2000:] for o in outputs)
    assert code == 0, later[-2000:]
    reminders = Counter(r["chat_id"] for r in tg.sent if "quý I năm 2024" in (r.get("plain") or ""))
    missing = set(users) - set(reminders)
    duplicates = count_duplicates(reminders.values())
    assert not missing, sorted(missing)
    assert duplicates <= 1, {c: n for c, n in reminders.items() if n > 1}
    assert {r.status for r in rows(engine, Outbox)} == {"sent"}
    taken, sent = delivered_vs_rows(tg, engine)
    assert sent <= taken <= sent + 1  # sent = stored, plus at most the one in flight
    assert_no_error_reply(tg, *outputs)
    figures(
        f"tick-killed[{backend}]",
        focal_points=len(users),
        delivered=len(reminders),
        missing=len(missing),
        duplicates=duplicates,
        sent_at_kill=sent_at_kill,
        left_sending_by_the_killed=len(stuck),
        killed_at_s=killed_at,
        elapsed_s=elapsed,
    )
