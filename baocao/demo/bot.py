"""The real bot against the Bot API stand-in: what the demo and the sandbox share.

:func:`standin_services` builds the composition root (:class:`baocao.services.Services`) with
one real :class:`~bot.channels.telegram.TelegramChannel` that talks to a
:class:`~baocao.demo.telegram_api.BotApiStandIn` on 127.0.0.1 (python-telegram-bot's HTTP stack,
our own polling loop); :func:`running_bot` runs the real runtime (:mod:`baocao.runtime`:
polling into the inbox, the inbox worker, the dispatcher) without its reminder ticker, so the
caller ticks with its own clock; :func:`settled` waits until nothing is in flight, which a
caller whose clock jumps must do before each jump.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import col, select

from baocao.demo.telegram_api import BotApiStandIn
from baocao.demo.zalo_api import ZaloStandIn

# The stand-in has no rate limits and a demo year is compressed into seconds: no pacing.
UNTHROTTLED_PER_SECOND = 100_000.0
SETTLE_TIMEOUT_S = 15.0


def loopback_without_proxy() -> None:
    """httpx honours proxy variables; loopback calls to the stand-in must never use one."""
    for name in ("NO_PROXY", "no_proxy"):
        parts = [p for p in os.environ.get(name, "").split(",") if p.strip()]
        for host in ("127.0.0.1", "localhost", "::1"):
            if host not in parts:
                parts.append(host)
        os.environ[name] = ",".join(parts)


def standin_channel(standin: Any, *, unthrottled: bool = False, poll_timeout: int = 1, public: Any = None) -> Any:
    """The real channel of ``standin`` (Telegram's or Zalo's), pointed at it. ``unthrottled``:
    no pacing at all (the channel's pacer is what the runtime's dispatcher uses). ``public``: a
    :class:`storage.files.PublicFolder` for the files Zalo can only send as links."""
    from bot.channels.telegram import TelegramChannel

    if isinstance(standin, ZaloStandIn):
        from bot.channels.zalo import ZaloChannel

        zalo = ZaloChannel(
            standin.token, base_url=standin.base_url, bot_name=standin.bot_name, poll_timeout=poll_timeout, public=public,
            **({"per_second": UNTHROTTLED_PER_SECOND, "per_chat_interval": 0.0, "cool_down_s": 0.5} if unthrottled else {}),
        )
        return zalo

    channel = TelegramChannel(
        standin.token,
        base_url=standin.base_url,
        base_file_url=standin.base_file_url,
        username=standin.bot_username,
        poll_timeout=poll_timeout,
        **({"per_second": UNTHROTTLED_PER_SECOND} if unthrottled else {}),
    )
    if unthrottled:
        channel.per_chat_interval = 0.0
    return channel


def standin_services(settings: Any, clock: Any, standin: Any, *, unthrottled: bool = False, **parts: Any) -> Any:
    """:class:`~baocao.services.Services` whose only channel is the stand-in's (Telegram or
    Zalo); ``parts`` (``engine``, ``plans``, ``calendar``) as :class:`~baocao.services.Services`
    takes them. Zalo's files are published to the settings' public folder when one is set."""
    from baocao.services import Services
    from bot.channels.zalo import public_folder

    channel = standin_channel(standin, unthrottled=unthrottled, public=public_folder(settings))
    services = Services(settings, clock, channels={channel.name: channel}, **parts)
    channel.files = services.files
    return services


def unthrottled_pacers(services: Any) -> dict[str, Any]:
    """A pacer per channel that never waits (for :func:`scheduler.dispatch.tick`)."""
    from scheduler.dispatch import Pacer

    return {name: Pacer(per_second=UNTHROTTLED_PER_SECOND, per_chat_interval=0.0) for name in services.channels}


@contextlib.asynccontextmanager
async def running_bot(services: Any, *, spool_interval: float = 1.0) -> AsyncIterator[Any]:
    """The real runtime (:class:`baocao.runtime.Runtime`) polling the stand-in; stopped on exit
    (also when start-up is interrupted). No reminder ticker and no plan watcher: the caller
    ticks with its own clock."""
    from baocao.runtime import running

    async with running(services, tick_interval=0, spool_interval=spool_interval, plan_interval=None) as runtime:
        yield runtime


def buttons(record: dict) -> list[tuple[str, str]]:
    """(label, callback data or URL) of every inline button of a message the Telegram stand-in
    recorded; on Zalo, (label, number to type) of its numbered choices."""
    if "choices" in record:
        return [(label, number) for label, number in record["choices"]]
    markup = record.get("reply_markup") or {}
    return [
        (button.get("text", ""), button.get("callback_data") or button.get("url") or "")
        for row in markup.get("inline_keyboard", [])
        for button in row
    ]


def in_flight(services: Any) -> dict[str, int]:
    """What the bot has not finished yet, from the database: updates stored but not handled
    (inbox ``received``), messages being sent (outbox ``sending``) and messages due now but
    not sent (outbox ``pending`` with ``not_before`` reached)."""
    from storage.db import session_scope
    from storage.models import Inbox, InboxStatus, Outbox, OutboxStatus

    now = services.clock.now()
    with session_scope(services.engine) as session:
        received = session.exec(select(func.count()).select_from(Inbox).where(Inbox.status == InboxStatus.RECEIVED)).one()
        outbox = session.exec(
            select(Outbox.status, func.count())
            .where(
                or_(
                    col(Outbox.status) == OutboxStatus.SENDING.value,
                    (col(Outbox.status) == OutboxStatus.PENDING.value) & (col(Outbox.not_before) <= now),
                )
            )
            .group_by(Outbox.status)
        ).all()
    counts = {"received": int(received), "sending": 0, "pending": 0}
    for status, n in outbox:
        counts[str(status)] = int(n)
    return counts


def sent_rows(services: Any, *, kinds: tuple[str, ...] | None = None) -> int:
    """How many outbox rows have been sent: of ``kinds``, or every kind but answers."""
    from storage.db import session_scope
    from storage.models import Outbox, OutboxPriority, OutboxStatus

    statement = select(func.count()).select_from(Outbox).where(Outbox.status == OutboxStatus.SENT.value)
    if kinds is None:
        statement = statement.where(Outbox.priority != OutboxPriority.ANSWER)
    else:
        statement = statement.where(col(Outbox.kind).in_(list(kinds)))
    with session_scope(services.engine) as session:
        return int(session.exec(statement).one())


async def settled(services: Any, standin: BotApiStandIn | ZaloStandIn | None = None, *, timeout: float = SETTLE_TIMEOUT_S,
                  interval: float = 0.02) -> None:
    """Wait until the bot is idle: every update the stand-in holds was stored (confirmed by
    the poller), every stored update handled, every message due now sent.

    A caller whose clock jumps (a :class:`~common.clock.FixedClock`) waits for this before
    each jump: an outbox lease is reckoned in the injected clock (a jump would expire it while
    the row is being sent, and another worker could send it again), and an update's receipt
    time is the clock's time when it is stored. Pending rows due later (``not_before`` in the
    future) do not count: a jump only makes them due. Raises :class:`TimeoutError` after
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        waiting = len(standin.pending_updates()) if standin is not None else 0
        busy = await asyncio.to_thread(in_flight, services)
        if not waiting and not any(busy.values()):
            return
        if time.monotonic() >= deadline:
            raise TimeoutError(
                f"the bot did not settle within {timeout:g} s (updates not yet stored: {waiting}, "
                f"stored but not handled: {busy['received']}, being sent: {busy['sending']}, due: {busy['pending']})"
            )
        await asyncio.sleep(interval)


__all__ = [
    "UNTHROTTLED_PER_SECOND",
    "buttons",
    "in_flight",
    "loopback_without_proxy",
    "running_bot",
    "sent_rows",
    "settled",
    "standin_channel",
    "standin_services",
    "unthrottled_pacers",
]
