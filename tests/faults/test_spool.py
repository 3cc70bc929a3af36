"""The spool under a hung database, in isolation (no database needed): the two waits that let a
long hang starve the bot of threads, so that updates arriving late in the hang were neither
spooled nor confirmed (found with the long variant of the hang case, see
docs/reliability.md)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from bot.inbox import InboxWriter, Spool

pytestmark = pytest.mark.fault


class _Clock:
    def now(self):
        return datetime(2024, 3, 6, 2, 0, tzinfo=UTC)


def _item(n: int) -> dict:
    return {"channel": "telegram", "raw": {"update_id": n}, "received_at": _Clock().now().isoformat()}


def test_a_drain_does_not_wait_behind_a_store_stuck_on_the_database(tmp_path):
    hung, entered = threading.Event(), threading.Event()
    writer = InboxWriter(engine=None, channels={}, spool=Spool(tmp_path / "spool.jsonl"), clock=_Clock())  # type: ignore[arg-type]

    def stuck(*_args):
        entered.set()
        hung.wait(30)

    writer._record = stuck  # type: ignore[method-assign]
    store = threading.Thread(target=writer.store, args=("telegram", {"update_id": 1}), daemon=True)
    store.start()
    assert entered.wait(5)
    started = time.monotonic()
    assert writer.drain() == 0  # the job's turn passes; it tries again next time
    assert time.monotonic() - started < 3
    hung.set()
    store.join(5)


def test_spooling_does_not_wait_behind_a_drain_stuck_on_the_database(tmp_path):
    spool = Spool(tmp_path / "spool.jsonl")
    spool.append(_item(1))
    spool.append(_item(2))
    hung, entered = threading.Event(), threading.Event()
    taken: list[int] = []

    def take(item):
        entered.set()
        hung.wait(30)
        taken.append(item["raw"]["update_id"])

    result: list[tuple[int, bool]] = []
    drain = threading.Thread(target=lambda: result.append(spool.drain(take)), daemon=True)
    drain.start()
    assert entered.wait(5)
    started = time.monotonic()
    spool.append(_item(3))  # a new update while the drain waits on the database
    assert time.monotonic() - started < 1
    hung.set()
    drain.join(5)
    assert taken == [1, 2] and result == [(2, False)]  # not all: 3 came meanwhile
    assert spool.drain(lambda item: taken.append(item["raw"]["update_id"])) == (1, True)
    assert taken == [1, 2, 3] and not spool.pending()


def test_an_update_spooled_after_a_torn_line_keeps_its_own_line(tmp_path):
    spool = Spool(tmp_path / "spool.jsonl")
    spool.append(_item(1))
    with spool.path.open("a", encoding="utf-8") as fp:
        fp.write('{"channel": "telegram", "raw": {"upd')  # the process died here
    spool.append(_item(2))
    taken: list[int] = []
    assert spool.drain(lambda item: taken.append(item["raw"]["update_id"])) == (2, True)
    assert taken == [1, 2]
    assert spool.quarantine.read_text(encoding="utf-8") == '{"channel": "telegram", "raw": {"upd\n'
