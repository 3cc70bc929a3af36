"""Fault 1: ``kill -9`` of ``python -m baocao run`` in the middle of a burst, then a restart
(both databases).

300 reports from 10 focal points: half wait in the stand-in before the bot starts, the rest
come in a burst (10 a second) that goes on across the kill and the restart. The bot is killed
once about a third have been answered, and started again. Every report gets its
confirmation prompt, every inbox row ends ``processed`` with exactly one queued answer, and at
most one message goes out twice (the one a killed sender had handed to Telegram without
learning it: one channel, one crashed sender). The stand-in answers each send 50 ms late, and
the kill waits for a send in flight, so that this message exists.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest
from sqlmodel import col

from baocao.demo.telegram_api import BotApiStandIn
from storage.models import Inbox, Outbox
from tests.faults.support import (
    Process,
    VirtualTime,
    assert_no_error_reply,
    bind_focal_points,
    bot_env,
    count_duplicates,
    delivered_vs_rows,
    echo_tags,
    figures,
    outbox_busy,
    q1_duties,
    rows,
    text_of,
    until,
)

pytestmark = pytest.mark.fault

USERS = 10
PER_USER = 30


async def test_kill9_mid_burst_then_restart(tmp_path, database_url, engine, backend):
    duties = q1_duties()[:USERS]
    users = {7001 + i: agency for i, (agency, _) in enumerate(duties)}
    task = {7001 + i: no for i, (_, no) in enumerate(duties)}
    bind_focal_points(engine, users)

    messages = [
        (uid, f"NV{task[uid]}: đang thực hiện {k + 1}%, tin {uid}-{k:02d}") for k in range(PER_USER) for uid in users
    ]
    tags = [f"tin {uid}-{k:02d}" for k in range(PER_USER) for uid in users]
    total = len(messages)

    # Each send is answered 50 ms after Telegram took it: the kill lands while one is in flight.
    async with BotApiStandIn(send_delay=0.05) as tg:
        for uid in users:
            tg.user(uid, first_name=f"Đầu mối {uid}")
        # Half wait before the bot starts; the rest come in a burst of 10 a second that goes on
        # across the kill and the restart (some handed out to the killed bot, unconfirmed).
        for uid, text in messages[: total // 2]:
            tg.user(uid).send(text)

        async def burst() -> None:
            for uid, text in messages[total // 2 :]:
                tg.user(uid).send(text)
                await asyncio.sleep(0.1)

        env = bot_env(tg, database_url, tmp_path)
        story = VirtualTime()
        started = time.monotonic()

        first = await Process(["run"], env, tmp_path, story.arg(), "bot-1").start()
        feeding = asyncio.create_task(burst())
        try:
            await until(
                lambda: len(echo_tags(tg)) >= total // 3 and tg.sends_in_flight > 0, 120, "a third of the echoes", every=0.01, dump=tg.dump
            )
        finally:
            await first.kill9()
        killed_at = time.monotonic() - started
        answered_at_kill = len(echo_tags(tg))
        inbox_at_kill = len(rows(engine, Inbox))
        unconfirmed_at_kill = len(tg.pending_updates())
        in_flight = len([r for r in rows(engine, Outbox, col(Outbox.status) == "sending")])

        second = await Process(["run"], env, tmp_path, story.arg(), "bot-2").start()
        try:
            await until(lambda: len(echo_tags(tg)) >= total, 150, "every echo after the restart", every=0.2, dump=tg.dump)
            answered = time.monotonic() - started
            await feeding
            # The killed sender's leased rows go out once the lease (30 s) has passed.
            await until(lambda: not outbox_busy(engine), 90, "the outbox to settle", every=0.5)
            settled = time.monotonic() - started
        finally:
            feeding.cancel()
            code = await second.stop()
        output = first.output() + second.output()

    echoes = echo_tags(tg)
    assert set(echoes) == set(tags), f"missing echoes: {sorted(set(tags) - set(echoes))[:10]}"
    sent = Counter((r["chat_id"], text_of(r)) for r in tg.sent if r["kind"] == "message")
    duplicates = count_duplicates(sent.values())
    assert duplicates <= 1, [k for k, n in sent.items() if n > 1]
    assert count_duplicates(echoes.values()) <= 1
    taken, rows_sent = delivered_vs_rows(tg, engine)
    assert rows_sent <= taken <= rows_sent + 1  # sent = stored, plus at most the one in flight

    inbox = rows(engine, Inbox)
    assert len(inbox) == total and len({r.update_id for r in inbox}) == total
    assert Counter(r.status for r in inbox) == {"processed": total}
    answers = rows(engine, Outbox, col(Outbox.key).like("ans:%"))
    assert sorted(r.key for r in answers) == sorted(f"ans:{r.id}:0" for r in inbox)  # one answer each
    assert {r.status for r in answers} == {"sent"}
    assert code == 0, second.output()[-3000:]
    assert_no_error_reply(tg, output)
    figures(
        f"bot-killed[{backend}]",
        reports=total,
        echoed=len(echoes),
        answered_at_kill=answered_at_kill,
        stored_at_kill=inbox_at_kill,
        unconfirmed_at_kill=unconfirmed_at_kill,
        sending_at_kill=in_flight,
        messages_sent=taken,
        outbox_rows_sent=rows_sent,
        duplicates=duplicates,
        killed_at_s=killed_at,
        all_answered_s=answered,
        settled_s=settled,
    )
