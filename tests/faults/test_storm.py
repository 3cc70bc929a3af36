"""Fault 6: a 429 storm while people report (both databases).

The stand-in answers 40 % of the sendMessage calls with 429 and ``retry_after`` = 1 s,
whatever the rate, while 10 focal points each send 2 reports and confirm them. Every
confirmation prompt and every "stored" reaches its person (the outbox retries after
``retry_after``, the chat's later answers wait behind it), none twice, no error reply.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from baocao.demo.telegram_api import BotApiStandIn
from storage.models import Outbox
from tests.faults.support import (
    ECHO,
    STORED,
    assert_no_error_reply,
    bind_focal_points,
    button,
    delivered_vs_rows,
    figures,
    inprocess_bot,
    q1_duties,
    rows,
    to,
    until,
)

pytestmark = pytest.mark.fault

USERS = 10
ROUNDS = 2


async def test_every_prompt_gets_through_a_429_storm(tmp_path, engine, backend):
    duties = q1_duties()[:USERS]
    users = {6201 + i: agency for i, (agency, _) in enumerate(duties)}
    task = {6201 + i: no for i, (_, no) in enumerate(duties)}
    bind_focal_points(engine, users)
    async with BotApiStandIn(storm_share=0.4, storm_retry_after=1, storm_seed=7) as tg:
        async with inprocess_bot(tg, engine, tmp_path):
            started = time.monotonic()

            async def reporting(uid: int) -> None:
                user = tg.user(uid, first_name=f"Đầu mối {uid}")
                last = -1
                for k in range(ROUNDS):
                    tag = f"tin {uid}-{k:02d}"
                    user.send(f"NV{task[uid]}: đang thực hiện {50 + k}%, {tag}")
                    await until(lambda tag=tag, last=last: to(tg, uid, tag, after=last), 60, f"echo {tag}", every=0.1, dump=tg.dump)
                    echo = to(tg, uid, tag, after=last)[0]
                    assert ECHO in echo["plain"]
                    user.press(echo, button(echo, "✅"))
                    await until(lambda seq=echo["seq"]: to(tg, uid, STORED, after=seq), 60, f"stored {tag}", every=0.1, dump=tg.dump)
                    last = to(tg, uid, STORED, after=echo["seq"])[0]["seq"]

            async with asyncio.timeout(120):
                await asyncio.gather(*(reporting(uid) for uid in users))
            elapsed = time.monotonic() - started
            await until(lambda: {r.status for r in rows(engine, Outbox)} <= {"sent"}, 30, "the outbox to settle", every=0.2)

    answers = rows(engine, Outbox)
    assert {r.status for r in answers} == {"sent"}
    retried = sum(1 for r in answers if r.attempts > 1)
    taken, sent = delivered_vs_rows(tg, engine)
    assert taken == sent  # sent = stored: nothing twice, nothing lost
    assert tg.stormed > 0 and retried > 0
    assert_no_error_reply(tg)
    figures(
        f"429-storm[{backend}]",
        users=len(users),
        prompts=USERS * ROUNDS,
        messages_sent=taken,
        answered_429=tg.stormed,
        rows_retried=retried,
        max_attempts=max(r.attempts for r in answers),
        elapsed_s=elapsed,
    )
