"""Fault 9: ``kill -9`` of ``python -m baocao run`` on Zalo in the middle of a burst, then a
restart (both databases).

Zalo's getUpdates hands out one update per call and forgets it: there is no offset to confirm.
So the bot stores each update before it asks for the next, and what a kill can cost is bounded
by the platform, not by baocao: **at most the one update Zalo had just handed out** when the
process died (in the answer of the call in flight, or between that answer and its store).
200 tagged reports from 10 focal points on Zalo: half wait before the bot starts, the rest come
in a burst across the kill and the restart. Checked: every update Zalo handed out, except at
most one, is an inbox row, `processed`, with exactly one answer, `sent`; every stored report is
echoed; at most one message goes out twice; no error reply.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest
from sqlmodel import col

from baocao.demo.zalo_api import ZaloStandIn
from storage.models import Inbox, Outbox
from tests.faults.support import (
    TAG,
    Process,
    VirtualTime,
    assert_no_error_reply,
    bind_focal_points,
    count_duplicates,
    echo_tags,
    figures,
    outbox_busy,
    q1_duties,
    rows,
    text_of,
    until,
    zalo_env,
)

pytestmark = pytest.mark.fault

USERS = 10
PER_USER = 20


async def test_zalo_kill9_mid_burst_then_restart(tmp_path, database_url, engine, backend):
    duties = q1_duties()[:USERS]
    users = {f"z{7001 + i}": agency for i, (agency, _) in enumerate(duties)}
    task = {f"z{7001 + i}": no for i, (_, no) in enumerate(duties)}
    bind_focal_points(engine, users, channel="zalo")
    messages = [
        (uid, f"NV{task[uid]}: đang thực hiện {k + 1}%, tin {uid[1:]}-{k:02d}") for k in range(PER_USER) for uid in users
    ]
    total = len(messages)

    async with ZaloStandIn() as zalo:
        for uid in users:
            zalo.user(uid, f"Đầu mối {uid}")
        for uid, text in messages[: total // 2]:
            zalo.user(uid).send(text)

        async def burst() -> None:
            for uid, text in messages[total // 2 :]:
                zalo.user(uid).send(text)
                await asyncio.sleep(0.1)

        env = zalo_env(zalo, database_url, tmp_path)
        story = VirtualTime()
        started = time.monotonic()
        first = await Process(["run"], env, tmp_path, story.arg(), "bot-1").start()
        feeding = asyncio.create_task(burst())
        try:
            await until(lambda: len(echo_tags(zalo)) >= total // 3, 120, "a third of the echoes", every=0.01, dump=zalo.dump)
        finally:
            await first.kill9()
        killed_at = time.monotonic() - started
        handed_at_kill = len(zalo.handed_out)
        stored_at_kill = len(rows(engine, Inbox))

        second = await Process(["run"], env, tmp_path, story.arg(), "bot-2").start()
        try:
            await feeding
            await until(lambda: not zalo.pending_updates(), 150, "Zalo to hand out every update", every=0.2, dump=zalo.dump)
            await until(
                lambda: len(rows(engine, Inbox)) >= len(zalo.handed_out) - 1
                and all(r.status != "received" for r in rows(engine, Inbox)) and not outbox_busy(engine),
                150, "every stored update answered", every=0.5, dump=zalo.dump,
            )
            answered = time.monotonic() - started
        finally:
            feeding.cancel()
            code = await second.stop()
        output = first.output() + second.output()

    inbox = rows(engine, Inbox)
    handed = len(zalo.handed_out)
    lost = handed - len(inbox)
    assert handed == total
    assert 0 <= lost <= 1, f"{lost} updates handed out by Zalo were never stored"
    assert len({r.update_id for r in inbox}) == len(inbox)
    assert Counter(r.status for r in inbox) == {"processed": len(inbox)}
    answers = rows(engine, Outbox, col(Outbox.key).like("ans:%"))
    assert sorted(r.key for r in answers) == sorted(f"ans:{r.id}:0" for r in inbox)
    assert {r.status for r in answers} == {"sent"}
    stored_tags = {m.group(0) for r in inbox if (m := TAG.search(r.payload["message"]["text"])) is not None}
    echoes = echo_tags(zalo)
    assert stored_tags <= set(echoes), sorted(stored_tags - set(echoes))[:10]
    sent = Counter((r["chat_id"], text_of(r)) for r in zalo.sent if r["kind"] == "message")
    duplicates = count_duplicates(sent.values())
    assert duplicates <= 1
    assert code == 0, second.output()[-3000:]
    assert_no_error_reply(zalo, output)
    figures(
        f"zalo-killed[{backend}]",
        reports=total,
        handed_out=handed,
        stored=len(inbox),
        lost=lost,
        handed_at_kill=handed_at_kill,
        stored_at_kill=stored_at_kill,
        echoed=len(echoes),
        duplicates=duplicates,
        killed_at_s=killed_at,
        all_answered_s=answered,
    )
