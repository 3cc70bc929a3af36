"""Fault 8: a damaged spool (both databases).

A previous process spooled six updates while the database was away, but died in the middle of
writing a seventh: the spool holds a torn line, and the updates spooled after the restart
follow it. At the next start the six are replayed in order (six echoes, in order), the torn
line is set aside in ``<spool>.quarantine`` with a log line, and the spool is emptied.
(The torn update itself was never confirmed to Telegram, which hands it out again.)
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from baocao.demo.telegram_api import BotApiStandIn
from bot.inbox import Spool
from tests.faults.support import (
    ECHO,
    START,
    assert_no_error_reply,
    bind_focal_points,
    figures,
    inprocess_bot,
    to,
    until,
)

pytestmark = pytest.mark.fault

POLICE = 6401


def _update(update_id: int, text: str) -> dict:
    user = {"id": POLICE, "is_bot": False, "first_name": "Trần Văn B", "language_code": "vi"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id - 900_000_000,
            "from": user,
            "chat": {"id": POLICE, "type": "private", "first_name": "Trần Văn B"},
            "date": int(START.timestamp()),
            "text": text,
        },
    }


def _item(n: int) -> dict:
    at = START + timedelta(seconds=n)
    return {"channel": "telegram", "raw": _update(900_000_000 + n, f"NV4: đang thực hiện {n}%, tin {POLICE}-{n:02d}"), "received_at": at.isoformat()}


async def test_torn_spool_line_is_set_aside_and_the_rest_replayed(tmp_path, engine, backend, caplog):
    bind_focal_points(engine, {POLICE: "cong-an-tinh"})
    path = tmp_path / "spool.jsonl"
    spool = Spool(path)
    for n in (1, 2, 3):
        spool.append(_item(n))
    torn = json.dumps(_item(99), ensure_ascii=False)[:57]  # a crash in the middle of a write
    with path.open("a", encoding="utf-8") as fp:
        fp.write(torn)
    for n in (4, 5, 6):  # spooled after the restart, behind the torn line
        spool.append(_item(n))

    caplog.set_level(logging.INFO, logger="bot.inbox")
    async with BotApiStandIn() as tg:
        tg.user(POLICE, first_name="Trần Văn B")
        async with inprocess_bot(tg, engine, tmp_path) as services:  # start() replays the spool first
            took = await until(lambda: len(to(tg, POLICE, ECHO)) >= 6, 30, "six echoes", dump=tg.dump)
            assert not services.spool.pending()

    echoes = [e["plain"] for e in to(tg, POLICE, ECHO)]
    assert len(echoes) == 6
    for n, echo in enumerate(echoes, start=1):
        assert f"tin {POLICE}-{n:02d}" in echo, (n, echo)
    quarantined = (tmp_path / "spool.jsonl.quarantine").read_text(encoding="utf-8").splitlines()
    assert quarantined == [torn]
    assert any("damaged spool line set aside" in r.getMessage() for r in caplog.records)
    assert not path.exists()
    assert_no_error_reply(tg)
    figures(f"damaged-spool[{backend}]", replayed=len(echoes), quarantined=len(quarantined), replayed_s=took)
