#!/usr/bin/env python
"""Benchmark (issue 3): focal points' replies end to end, through the Bot API stand-in.

    python benchmarks/replies.py [--replies N] [--users U] [--pg URL | --pg none] [--latency MS]

What runs
    The parent process plays Telegram: one :class:`baocao.demo.telegram_api.BotApiStandIn` per bot on
    127.0.0.1 and the simulated focal points. Each bot runs in its OWN child process (this
    script with ``--child``), so its memory and CPU can be read from ``/proc/<pid>``:

    * ``echo``          a minimal python-telegram-bot Application with the same Bot API traffic
                        as baocao (text -> sendMessage with an inline keyboard; button ->
                        answerCallbackQuery + sendMessage), no database: the framework's
                        ceiling on this stand-in;
    * ``sqlite``        what ``baocao run`` runs (:class:`baocao.services.Services` built from
                        the settings in the environment, ``services.sync()``, then
                        :class:`baocao.runtime.Runtime`: the Telegram channel's own getUpdates
                        loop storing each update in the inbox before confirming it, the inbox
                        worker, the dispatcher sending the answers from the outbox) on a
                        migrated SQLite file in a temporary directory;
    * ``postgresql``    the same on a fresh PostgreSQL database that is created for the run
                        and dropped at the end;
    * ``sqlite+pacer``  as ``sqlite``, with the dispatcher's pacer at its deployed rate
                        (``BAOCAO_SEND_RATE``, 29 messages/s) against a stand-in that enforces
                        Telegram's 30 sends/s overall (429 + retry_after); ``--no-pacer-row``
                        leaves it out.

    Differences from ``baocao run``: the clock is an OffsetClock from 2024-03-06 09:00 +07:00
    (``--now``), so every reply lands on 2024-Q1; ``BAOCAO_RATE_LIMIT`` is high enough never to
    trigger; the reminder planner is off (``Runtime(tick_interval=0)``: its reminders would land
    in the chats being measured); and, except in ``sqlite+pacer``, the pacer is off (the
    channel's ``per_second`` set to 0), like the stand-in, which has no rate limits there.
    ``--latency MS`` adds a simulated network delay to every Bot API call (half on the way in,
    half on the way out). ``--what-if KEY`` adds bots with one setting changed, labelled
    what-if (not the real configuration).

What is measured (one "reply" = a report text and its confirmation)
    A focal point sends a varied report ("NV4: đang thực hiện 70%, vướng kinh phí"), waits
    for the bot's confirmation echo ("kiểm tra nội dung"), presses ✅ and waits for
    "Đã ghi nhận" (the report is stored). Latencies run from the simulated send/press to the
    moment the stand-in records the bot's sendMessage (same process, same monotonic clock).

    * under load: ``--users`` focal points reply at once, each waiting for its answers
      (closed loop), ``--replies`` replies per bot -> replies/s and p50/p95;
    * one at a time: ``--single`` replies, one focal point at a time -> p50/p95 without queue;
    * open loop: ``--open`` replies arriving at random, ``--open-rate`` per second on average
      (a busy but not saturated bot) -> p50/p95;
    * CPU seconds per reply of the bot process (and of its PostgreSQL backends) and of the
      stand-in process, resident memory idle (after start-up) and under load;
    * where each leg's time goes: the baocao children wrap the functions that carry a reply
      (the poller's getUpdates, the inbox insert, the worker's transaction, claim, send, the
      outcome write, the pacer's sleeps) with timers, observers only; with the inbox's and
      the outbox's timestamps (read from the database after the run) each leg is cut into
      stages (see :func:`breakdown`). ``--profile BOT`` also samples that bot with py-spy.

    After the run the reports are counted in each database and must equal the replies
    confirmed. Bots are measured in alternating rounds (``--rounds``), so that drift of the
    shared machine falls on all of them alike; compare the ratios, not absolute figures across
    runs. Everything stays on loopback, counts are bounded, and the run stops by itself
    (``--max-seconds``); children exit when the parent closes their stdin or dies.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import math
import os
import platform
import random
import resource
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ICT = timezone(timedelta(hours=7))
BENCH_NOW = datetime(2024, 3, 6, 9, 0, tzinfo=ICT)
PERIOD = "2024-Q1"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
FIRST_USER_ID = 7_100_001
ECHO_MARK = "kiểm tra nội dung"
STORED_MARK = "Đã ghi nhận"
LOOPBACK = "127.0.0.1,localhost,::1"
SUB_ITEMS = "abcdefghijklmnopqrstuvwxyzđ"  # "1a" is an item of task 1
PACKAGES = ("python-telegram-bot", "SQLAlchemy", "sqlmodel", "alembic", "psycopg", "httpx", "tornado", "APScheduler")


# ================================================================================= child side


def build_echo_application(token: str, base_url: str) -> Any:
    """The framework's ceiling: the same Bot API calls as baocao, no core, no database (a bare
    python-telegram-bot Application, whose Updater confirms updates before handling them)."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.constants import ParseMode
    from telegram.ext import ApplicationBuilder, ContextTypes, Defaults, TypeHandler

    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("✅ Xác nhận", callback_data="ok:echo")]])

    async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is not None:
            await query.answer(STORED_MARK)
            await context.bot.send_message(query.message.chat.id, f"{STORED_MARK} (echo).")
            return
        message = update.message
        if message is None or message.text is None:
            return
        text = f"Đồng chí {ECHO_MARK} báo cáo:\n«{html.escape(message.text, quote=False)}»"
        await context.bot.send_message(message.chat.id, text, reply_markup=keyboard)

    app = (
        ApplicationBuilder().token(token).base_url(base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML)).concurrent_updates(False).build()
    )
    app.add_handler(TypeHandler(Update, on_update))
    return app


class Trace:
    """Observers in the baocao child: the start and end (``time.monotonic``, the clock the
    parent and the stand-in use too) of every call of the functions that carry a reply. They
    wrap the same objects the runtime uses and change nothing else."""

    def __init__(self) -> None:
        import threading

        self.calls: dict[str, list] = {name: [] for name in ("poll", "store", "handle", "claim", "outcome", "send", "pacer_sleep")}
        self.local = threading.local()
        self.statements: dict[str, int] = {}  # SQL statements sent by each step (sync steps only)

    def sync_wrap(self, name: str, fn: Any, info: Any = None) -> Any:
        calls = self.calls[name]

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            started, cpu = time.monotonic(), time.thread_time()  # these run in worker threads
            self.local.step, self.local.count = name, 0
            try:
                result = fn(*args, **kwargs)
            finally:
                self.local.step = None
            calls.append((started, time.monotonic(), info(args, result) if info else None, time.thread_time() - cpu, self.local.count))
            return result

        return wrapped

    def async_wrap(self, name: str, fn: Any, info: Any = None) -> Any:
        calls = self.calls[name]

        async def wrapped(*args: Any, **kwargs: Any) -> Any:
            started = time.monotonic()
            result = await fn(*args, **kwargs)
            calls.append((started, time.monotonic(), info(args, result) if info else None))
            return result

        return wrapped

    def install(self, services: Any) -> None:
        from sqlalchemy import event

        from scheduler import dispatch

        writer, worker, dispatcher = services.writer, services.worker, services.dispatcher
        channel = services.channels["telegram"]

        def count(*_args: Any, **_kwargs: Any) -> None:
            if getattr(self.local, "step", None):
                self.local.count += 1

        event.listen(services.engine, "before_cursor_execute", count)
        writer._record = self.sync_wrap("store", writer._record, lambda a, r: a[1].get("update_id"))
        # Only the calls that handled an update are kept (the worker also polls for nothing).
        handled = self.sync_wrap("handle", worker.process_next, lambda a, r: r)
        worker.process_next = handled
        # dispatch_once claims through claim_batch (rows, more); claim() is a wrapper over it.
        dispatch.claim_batch = self.sync_wrap("claim", dispatch.claim_batch, lambda a, r: len(r[0]))
        dispatch._outcome = self.sync_wrap("outcome", dispatch._outcome)
        channel.send = self.async_wrap("send", channel.send, lambda a, r: a[0].key)
        channel._get_updates = self.async_wrap("poll", channel._get_updates, lambda a, r: len(r))
        for pacer in dispatcher.channels.pacers.values():
            sleep = pacer._sleep

            async def recorded(seconds: float, _sleep: Any = sleep) -> None:
                self.calls["pacer_sleep"].append((time.monotonic(), seconds, None))
                await _sleep(seconds)

            pacer._sleep = recorded

    def as_dict(self) -> dict:
        out = {name: [list(c) for c in calls] for name, calls in self.calls.items()}
        out["handle"] = [c for c in out["handle"] if c[2]]
        return out


def _previous_dispatch() -> None:
    """What-if only: the dispatcher as it was before commit ``64e8b7d``, to compare with the
    current one in the same run. ``drain`` claims again until a claim comes back empty and
    never hands ``answers_waiting`` to ``dispatch_once`` (a batch of reminders is sent to its
    end even when answers are queued meanwhile), and ``Pacer.ready_at`` is 0 for every chat,
    so a batch goes out in claim order (answers first, then oldest first) instead of the order
    in which the chats' pacer slots free. Everything else is the current code."""
    from scheduler import dispatch

    async def drain(engine: Any, senders: Any, clock: Any, *, worker_id: str, limit: int = dispatch.DEFAULT_BATCH,
                    max_rounds: int = 200, pacers: Any = None, tz: Any = "Asia/Ho_Chi_Minh", channels: Any = None,
                    answers_waiting: Any = None) -> Any:
        channels = channels or dispatch._Channels(senders, pacers)
        total, rounds = dispatch.DispatchStats(), 0
        while rounds < max_rounds:
            rounds += 1
            batch = await dispatch.dispatch_once(engine, senders, clock, worker_id=worker_id, limit=limit, tz=tz, _channels=channels)
            total += batch
            if batch.claimed == 0:
                break
        return total, rounds

    dispatch.drain = drain
    dispatch.Pacer.ready_at = lambda self, chat: 0.0  # type: ignore[method-assign]


async def run_baocao(spec: dict, stop: asyncio.Event) -> dict:
    """What ``baocao run`` does (Services from the settings in the environment, plans synced,
    the Runtime with its poller, inbox worker and dispatcher), with the differences listed in
    the module docstring."""
    from baocao.config import Settings
    from baocao.runtime import Runtime
    from baocao.services import Services
    from common.clock import OffsetClock

    what_if = spec.get("what_if") or ""
    if what_if == "switch":
        sys.setswitchinterval(0.0005)
    clock = OffsetClock(BENCH_NOW)  # what `baocao --now 2024-03-06T09:00 run` uses
    t0 = time.monotonic() - (clock.now() - BENCH_NOW).total_seconds()
    services = Services(Settings(), clock)
    if not spec["paced"]:
        # Like the stand-in, no rate limit: the dispatcher's pacer lets every answer go at once.
        for channel in services.channels.values():
            channel.per_second = 0.0
    if what_if == "previous-dispatch":
        _previous_dispatch()
    if what_if == "no-fsync":
        from sqlalchemy import event

        engine = services.engine
        statement = "PRAGMA synchronous=NORMAL" if engine.dialect.name == "sqlite" else "SET synchronous_commit = off"

        def no_fsync(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute(statement)
            cursor.close()
            if engine.dialect.name != "sqlite":
                dbapi_connection.commit()

        event.listen(engine, "connect", no_fsync)
        engine.dispose()  # pooled connections are opened again, with the setting
    services.sync()
    trace = Trace()
    trace.install(services)
    runtime = Runtime(services, tick_interval=0)  # no reminder planning: see the docstring
    await runtime.start()
    print(f"READY {t0!r}", flush=True)
    try:
        await asyncio.wait_for(stop.wait(), spec["max_seconds"])
    except TimeoutError:
        print("child: time limit reached, stopping", file=sys.stderr, flush=True)
    await runtime.stop()
    out = trace.as_dict()
    out["dispatcher"] = services.dispatcher.stats.as_dict()
    return out


async def run_echo(spec: dict, stop: asyncio.Event) -> dict:
    app = build_echo_application(spec["token"], spec["base_url"])
    async with app:
        await app.updater.start_polling(poll_interval=0, timeout=10)
        await app.start()
        print("READY", flush=True)
        try:
            await asyncio.wait_for(stop.wait(), spec["max_seconds"])
        except TimeoutError:
            print("child: time limit reached, stopping", file=sys.stderr, flush=True)
        await app.updater.stop()
        await app.stop()
    return {}


async def child_main(spec: dict) -> None:
    import logging

    # `baocao run` logs at INFO; nothing on the path of a reply logs at that level.
    logging.basicConfig(level=logging.INFO if spec["kind"] == "baocao" else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def on_stdin() -> None:  # the parent closed our stdin (or died): stop
        try:
            data = os.read(sys.stdin.fileno(), 4096)
        except OSError:
            data = b""
        if not data or b"stop" in data:
            loop.remove_reader(sys.stdin.fileno())
            stop.set()

    loop.add_reader(sys.stdin.fileno(), on_stdin)
    trace = await (run_baocao(spec, stop) if spec["kind"] == "baocao" else run_echo(spec, stop))
    if trace and spec.get("trace_path"):
        Path(spec["trace_path"]).write_text(json.dumps(trace), encoding="utf-8")


_STANDIN_CLASS: Any = None


def standin_class() -> Any:
    """:class:`BotApiStandIn` with an optional network latency: ``latency`` seconds per call, half
    before the call reaches the stand-in (where sends are recorded and rate-limited) and half
    before its answer leaves, as a round trip to Telegram would add. Imported lazily: the bot
    children must not load the stand-in (tornado) and have it counted in their memory."""
    global _STANDIN_CLASS
    if _STANDIN_CLASS is None:
        from baocao.demo.telegram_api import BotApiStandIn

        class LatencyStandIn(BotApiStandIn):
            def __init__(self, *args: Any, latency: float = 0.0, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                self.latency = latency

            async def _dispatch(self, token: str, method: str, request: Any, ctx: Any) -> Any:
                half = self.latency / 2
                if half > 0:
                    await asyncio.sleep(half)
                result = await super()._dispatch(token, method, request, ctx)
                if half > 0:
                    await asyncio.sleep(half)
                return result

        _STANDIN_CLASS = LatencyStandIn
    return _STANDIN_CLASS


# ================================================================================ parent side


@dataclass
class Focal:
    user_id: int
    agency_id: str
    tasks: list[str]


@dataclass
class Variant:
    name: str
    kind: str  # "echo" | "baocao"
    db_url: str | None = None
    paced: bool = False  # the dispatcher's Pacer at its deployed rate, the stand-in enforcing 30/s
    what_if: str = ""  # "" for the real configuration; a key of WHAT_IF otherwise
    pg: Any = None  # its PostgreSQL database (Postgres), for the backend's CPU
    standin: Any = None
    proc: Any = None
    stderr_path: Path | None = None
    startup_s: float = 0.0
    rss_idle_kb: int = 0
    rss_load_max_kb: int = 0
    hwm_kb: int = 0
    # measurements
    load_text: list[float] = field(default_factory=list)
    load_press: list[float] = field(default_factory=list)
    load_wall: float = 0.0
    load_replies: int = 0
    round_rates: list[float] = field(default_factory=list)
    single_text: list[float] = field(default_factory=list)
    single_press: list[float] = field(default_factory=list)
    open_text: list[float] = field(default_factory=list)
    open_press: list[float] = field(default_factory=list)
    open_wall: float = 0.0
    open_replies: int = 0
    fanout_text: list[float] = field(default_factory=list)  # one at a time while reminders go out
    fanout_press: list[float] = field(default_factory=list)
    fanout_rate: float = float("nan")  # reminders/s at the stand-in meanwhile
    fanout_window: float = 0.0
    bot_cpu: float = 0.0
    pg_cpu: float | None = None
    standin_cpu: float = 0.0
    cycles_total: int = 0
    rate_limited: int = 0  # 429s the stand-in answered
    legs: list[dict] = field(default_factory=list)  # every measured leg, for the breakdown
    t0: float | None = None  # the child's OffsetClock origin on time.monotonic
    trace: dict = field(default_factory=dict)  # the child's Trace
    trace_path: Path | None = None
    stages: dict = field(default_factory=dict)  # the breakdown (see breakdown())


class BenchError(Exception):
    pass


# -- the machine ----------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _mem_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "?"


def _fs_type(path: Path) -> str:
    best, kind = "", "?"
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            parts = line.split()
            if len(parts) > 2 and str(path).startswith(parts[1]) and len(parts[1]) > len(best):
                best, kind = parts[1], parts[2]
    except OSError:
        pass
    return kind


def _git_commit() -> str:
    try:
        rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain"], capture_output=True, text=True, timeout=10).stdout.strip()
        return rev + (" (+ uncommitted changes)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "?"


def describe_machine(tmpdir: Path, pg_info: dict | None) -> dict:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "-"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": _cpu_model(),
        "memory": _mem_total(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "packages": versions,
        "sqlite": sqlite3.sqlite_version,
        "sqlite_fs": f"{_fs_type(tmpdir)} ({tmpdir.parent})",
        "postgresql": pg_info,
        "loadavg_start": os.getloadavg(),
        "commit": _git_commit(),
    }


# -- /proc ----------------------------------------------------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_mem(pid: int) -> dict[str, int]:
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def proc_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process, or None if it cannot be read."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- databases ------------------------------------------------------------------------------


def setup_database(url: str, n_users: int) -> list[Focal]:
    """Migrate, copy the plan in (``sync_plans``, as the bot does at start) and bind
    ``n_users`` focal points to agencies (Telegram contacts, as an invitation would)."""
    from sqlmodel import select

    from common.paths import data_file
    from scheduler.calendar import WorkingCalendar
    from scheduler.dispatch import sync_plans
    from scheduler.plan import load_plan
    from scheduler.plans import Plans
    from storage.db import dispose_engine, open_database, session_scope, upgrade
    from storage.models import Contact, ContactRole, Obligation, ObligationStatus

    upgrade(url)
    engine = open_database(url)
    plan = load_plan(data_file("plan.json"))
    sync_plans(engine, Plans([plan]), WorkingCalendar.load(), BENCH_NOW)
    order = {agency.id: i for i, agency in enumerate(plan.agencies)}
    with session_scope(engine, write=True) as session:
        rows = session.exec(
            select(Obligation).where(Obligation.period == PERIOD, Obligation.status == ObligationStatus.ACTIVE)
        ).all()
        duties = sorted(((r.agency_id, [t["no"] for t in r.tasks]) for r in rows if r.tasks), key=lambda d: order.get(d[0], 1_000))
        if not duties:
            raise BenchError(f"no obligation for {PERIOD} in the plan")
        focals = []
        for i in range(n_users):
            agency_id, tasks = duties[i % len(duties)]
            user_id = FIRST_USER_ID + i
            focals.append(Focal(user_id, agency_id, tasks))
            session.add(
                Contact(
                    channel="telegram", chat_id=str(user_id), user_id=str(user_id), display_name=f"Đầu mối {i + 1}",
                    agency_id=agency_id, role=ContactRole.FOCAL, language="vi", created_at=BENCH_NOW,
                )
            )
    dispose_engine(url)
    return focals


def count_reports(url: str) -> int:
    from sqlalchemy import func
    from sqlmodel import select

    from storage.db import dispose_engine, get_engine, session_scope
    from storage.models import Report

    engine = get_engine(url)
    try:
        with session_scope(engine) as session:
            return int(session.exec(select(func.count()).select_from(Report)).one())
    finally:
        dispose_engine(url)


def read_timeline(url: str) -> tuple[dict, dict]:
    """When each update was stored and taken by the worker, and when each answer was sent, as
    the bot recorded them (its OffsetClock): inbox by update id, outbox by (chat, message id)."""
    from sqlmodel import select

    from storage.db import dispose_engine, get_engine, session_scope
    from storage.models import Inbox, Outbox

    engine = get_engine(url)
    try:
        with session_scope(engine) as session:
            inbox = {
                int(r.update_id): (r.received_at, r.processed_at)
                for r in session.exec(select(Inbox).where(Inbox.channel == "telegram")).all()
                if r.update_id.isdigit()
            }
            outbox = {
                (int(r.chat_id), int(r.message_id)): (r.key, r.created_at, r.sent_at)
                for r in session.exec(select(Outbox)).all()
                if r.message_id and r.message_id.isdigit()
            }
    finally:
        dispose_engine(url)
    return inbox, outbox


WHAT_IF = {
    # key: (label in the tables, what it changes)
    "no-fsync": "no fsync at commit",  # SQLite synchronous=NORMAL, PostgreSQL synchronous_commit=off
    "switch": "GIL switch 0.5 ms",  # sys.setswitchinterval(0.0005) instead of Python's 5 ms
    "previous-dispatch": "dispatch before 64e8b7d",  # batches not interrupted for answers, drain to an empty claim, claim order
}
WHAT_IF_HELP = {
    "no-fsync": "commits do not wait for the disk (SQLite PRAGMA synchronous=NORMAL, PostgreSQL synchronous_commit=off)",
    "switch": "the GIL's switch interval 0.5 ms instead of Python's 5 ms",
    "previous-dispatch": "the dispatcher as before commit 64e8b7d: a batch of reminders is sent to its end even when "
    "answers are queued meanwhile, drain claims until a claim comes back empty, a batch goes out in claim order; "
    "one bot, 'sqlite+pacer' otherwise (so that it takes part in the fan-out measurement)",
}
# What-ifs measured as one paced SQLite bot (as 'sqlite+pacer') instead of a SQLite and a PostgreSQL bot.
WHAT_IF_PACED = {"previous-dispatch"}

STAGES = ("deliver", "inbox_wait", "handle", "outbox_wait", "send")
STAGE_TITLES = {
    "deliver": "stand-in → stored",
    "inbox_wait": "stored → worker takes it",
    "handle": "worker's transaction",
    "outbox_wait": "committed → send starts",
    "send": "send → at stand-in",
}


def breakdown(variant: Variant, inbox: dict, outbox: dict) -> dict:
    """Each measured leg cut at the moments the bot recorded (all on CLOCK_MONOTONIC, shared by
    the processes of this machine):

    * deliver: the focal point's message (or press) is put at the stand-in → the poller hands
      the update to the inbox writer (``inbox.received_at``): waiting for the poller's
      getUpdates round, the HTTP answer, the updates before it in the batch being stored;
    * inbox_wait: → the worker starts its transaction (``inbox.processed_at``): the update's own
      inbox insert and commit, and the worker busy with older updates;
    * handle: → the worker's call returns (its commit included; the Trace's ``handle`` call
      that contains ``processed_at``);
    * outbox_wait: → the dispatcher calls the channel's ``send`` for the answer: the dispatcher
      finishing its current send (one at a time, each followed by its outcome write) and, for
      a batch of reminders, releasing the batch's unsent rows (or, with the what-if
      ``previous-dispatch``, sending the rest of the batch), claiming, the pacer;
    * send: → the answer arrives at the stand-in (answerCallbackQuery first for a press).
    """
    if variant.t0 is None or not variant.trace:
        return {}

    def mono(at: datetime | None) -> float | None:
        if at is None:
            return None
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        return variant.t0 + (at - BENCH_NOW).total_seconds()

    handles = sorted((c[0], c[1]) for c in variant.trace.get("handle", []))
    starts = [h[0] for h in handles]
    sends = {c[2]: c[0] for c in variant.trace.get("send", [])}
    import bisect

    out: dict[str, dict[str, list[float]]] = {}
    missing = 0
    for leg in variant.legs:
        ib = inbox.get(int(leg["update_id"]))
        ob = outbox.get((int(leg["chat_id"]), int(leg["message_id"])))
        if ib is None or ob is None or ib[1] is None:
            missing += 1
            continue
        received, processed = mono(ib[0]), mono(ib[1])
        i = bisect.bisect_right(starts, processed + 1e-4) - 1
        if i < 0 or ob[0] not in sends:
            missing += 1
            continue
        handled = max(handles[i][1], processed)
        send_start = sends[ob[0]]
        values = {
            "deliver": received - leg["t_user"],
            "inbox_wait": processed - received,
            "handle": handled - processed,
            "outbox_wait": send_start - handled,
            "send": leg["t_answer"] - send_start,
            "total": leg["t_answer"] - leg["t_user"],
        }
        bucket = out.setdefault(f"{leg['phase']}:{leg['leg']}", {k: [] for k in values})
        for k, v in values.items():
            bucket[k].append(v)
    return {"legs": out, "unmatched": missing}


class Postgres:
    """A fresh database on the server of ``admin_url``, dropped by :meth:`drop`."""

    def __init__(self, admin_url: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        from storage.db import normalize_url

        server = make_url(normalize_url(admin_url))
        self.name = f"baocao_bench_{secrets.token_hex(6)}"
        self.server = create_engine(server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 10})
        with self.server.connect() as connection:
            self.info = {
                "version": connection.exec_driver_sql("SHOW server_version").scalar(),
                "fsync": connection.exec_driver_sql("SHOW fsync").scalar(),
                "synchronous_commit": connection.exec_driver_sql("SHOW synchronous_commit").scalar(),
            }
            connection.exec_driver_sql(f'CREATE DATABASE "{self.name}"')
        self.url = server.set(database=self.name).render_as_string(hide_password=False)

    def backend_pids(self) -> list[int]:
        with self.server.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT pid FROM pg_stat_activity WHERE datname = %(name)s", {"name": self.name}
            ).all()
        return [int(r[0]) for r in rows]

    def backend_cpu(self) -> float | None:
        values = [proc_cpu(pid) for pid in self.backend_pids()]
        if not values or any(v is None for v in values):
            return None
        return float(sum(values))  # type: ignore[arg-type]

    def drop(self) -> None:
        from storage.db import dispose_engine

        dispose_engine(self.url)
        with self.server.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.server.dispose()


# -- the replies ----------------------------------------------------------------------------

TEMPLATES = (
    "NV{a}: đang thực hiện {p}%, vướng kinh phí",
    "NV{a} hoàn thành 100%",
    "nv{a}: chưa triển khai do thiếu cán bộ chuyên trách",
    "Nhiệm vụ {a}: đã hoàn thành, tổ chức {k} hội nghị tuyên truyền cho {n} lượt người",
    "NV{a}: đang thực hiện, đạt {p}%; khó khăn: thiếu kinh phí và nhân lực",
    "NV{a} - đã triển khai {p}%, không có khó khăn",
    "NV{a}: Đang thực hiện {p} %, chờ hướng dẫn của Bộ Tư pháp",
    "NV{a}: hoàn thành 100%. NV{b}: đang thực hiện {p}%, vướng mắc về cơ chế phối hợp",
)


def make_reply(rng: random.Random, focal: Focal, valid: list[str]) -> str:
    """A realistic report on the agency's own tasks; checked with the real parser."""
    from bot.parser import parse_reply

    for _ in range(20):
        template = rng.choice(TEMPLATES)
        a, b = (rng.sample(focal.tasks, 2) if len(focal.tasks) > 1 else (focal.tasks[0], focal.tasks[0]))
        if "{b}" in template and a == b:
            continue
        text = template.format(a=a, b=b, p=rng.randrange(10, 95, 5), k=rng.randint(2, 12), n=rng.randint(80, 900))
        entries = parse_reply(text, valid)
        if entries and all(e.known and e.task is not None and (e.task in focal.tasks or e.task.rstrip(SUB_ITEMS) in focal.tasks) for e in entries):
            return text
    return f"NV{focal.tasks[0]}: đang thực hiện 70%, vướng kinh phí"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))  # nearest rank
    return ordered[rank - 1]


async def one_reply(variant: Variant, user_id: int, text: str, timeout: float, phase: str | None = None) -> tuple[float, float]:
    """Send a report, check the echo, press ✅, check the stored message; the two latencies.
    With ``phase``, both legs are kept for the breakdown."""
    tg = variant.standin
    user = tg.user(user_id, first_name="Đầu mối", language_code="vi")
    sent = time.monotonic()
    update = user.send(text)
    echo = await tg.wait_for(user_id, None, timeout)
    if ECHO_MARK not in (echo.get("plain") or ""):
        raise BenchError(f"{variant.name}: unexpected answer to {text!r}: {echo.get('plain')!r}")
    t_echo = echo["ts"] - sent
    data = next(
        (b["callback_data"] for row in (echo.get("reply_markup") or {}).get("inline_keyboard", []) for b in row if b["text"].startswith("✅")),
        None,
    )
    if data is None:
        raise BenchError(f"{variant.name}: the echo has no ✅ button: {echo.get('reply_markup')!r}")
    pressed = time.monotonic()
    press = user.press(echo, data)
    stored = await tg.wait_for(user_id, None, timeout)
    if STORED_MARK not in (stored.get("plain") or ""):
        raise BenchError(f"{variant.name}: unexpected answer to ✅: {stored.get('plain')!r}")
    variant.cycles_total += 1
    if phase is not None:
        for leg, t_user, update_, answer in (("text", sent, update, echo), ("press", pressed, press, stored)):
            variant.legs.append(
                {"phase": phase, "leg": leg, "update_id": update_["update_id"], "chat_id": user_id,
                 "t_user": t_user, "t_answer": answer["ts"], "message_id": answer["message_id"]}
            )
    return t_echo, stored["ts"] - pressed


class Sampler:
    """Reads the child's VmRSS every ``interval`` seconds while a load phase runs."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid, self.interval, self.max_kb = pid, interval, 0
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        while True:
            self.max_kb = max(self.max_kb, proc_mem(self.pid).get("VmRSS", 0))
            await asyncio.sleep(self.interval)

    def __enter__(self) -> Sampler:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        self.max_kb = max(self.max_kb, proc_mem(self.pid).get("VmRSS", 0))


class Profiler:
    """py-spy sampling one bot process during its load phases (``--profile BOT``): collapsed
    stacks, CPU samples only (py-spy leaves idle threads out), summarised by :func:`profile_summary`."""

    def __init__(self, binary: str, outdir: Path, rate: int) -> None:
        self.binary, self.outdir, self.rate = binary, outdir, rate
        self.files: list[Path] = []
        self.proc: Any = None

    async def start(self, pid: int) -> None:
        out = self.outdir / f"profile-{len(self.files)}.txt"
        self.files.append(out)
        self.proc = await asyncio.create_subprocess_exec(
            self.binary, "record", "--pid", str(pid), "--rate", str(self.rate), "--format", "raw",
            "--output", str(out), "--nonblocking",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )
        await asyncio.sleep(0.5)  # attached before the load starts

    async def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.returncode is None:
            self.proc.send_signal(2)  # SIGINT: py-spy writes its file and exits
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except TimeoutError:
                self.proc.kill()  # our own child, by its handle
                await self.proc.wait()
        self.proc = None

    def stacks(self) -> list[tuple[list[str], int]]:
        out = []
        for path in self.files:
            if not path.exists():
                continue
            for line in path.read_text(errors="replace").splitlines():
                stack, _, count = line.rpartition(" ")
                if stack and count.isdigit():
                    out.append((stack.split(";"), int(count)))
        return out


PROFILE_GROUPS = (
    # (label, a frame that puts the sample in the group); the first match from the top of the stack wins
    ("poller: getUpdates and parsing the HTTP answer", ("_get_updates (bot/channels/telegram.py",)),
    ("inbox writer: storing an update", ("_record (bot/inbox.py",)),
    ("inbox worker: Conversation.handle", ("handle (bot/conversation.py",)),
    ("inbox worker: enqueue_replies", ("enqueue_replies (bot/inbox.py",)),
    ("inbox worker: parsing the stored update", ("parse (bot/channels/telegram.py",)),
    ("inbox worker: the rest of its transaction (next row, commit)", ("process_next (bot/inbox.py",)),
    ("dispatcher: claim", ("claim (scheduler/dispatch.py", "claim_batch (scheduler/dispatch.py")),
    ("dispatcher: outcome write", ("_outcome (scheduler/dispatch.py",)),
    ("dispatcher: rendering and sending (PTB, httpx)", ("send (bot/channels/telegram.py",)),
)


def profile_summary(stacks: list[tuple[list[str], int]], top: int = 12) -> dict:
    total = sum(n for _, n in stacks) or 1
    groups: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    for frames, n in stacks:
        label = "other (event loop, asyncio, threads)"
        for name, needles in PROFILE_GROUPS:
            if any(any(needle in f for needle in needles) for f in frames):
                label = name
                break
        groups[label] = groups.get(label, 0) + n
        for f in set(frames):
            inclusive[f] = inclusive.get(f, 0) + n
        own[frames[-1]] = own.get(frames[-1], 0) + n

    def key(item: tuple[str, float]) -> float:
        return -item[1]

    return {
        "samples": total,
        "groups": sorted(((k, v / total) for k, v in groups.items()), key=key),
        "inclusive": sorted(((k, v / total) for k, v in inclusive.items()), key=key)[: top * 3],
        "self": sorted(((k, v / total) for k, v in own.items()), key=key)[:top],
    }


async def load_phase(variant: Variant, jobs: list[tuple[int, str]], pg: Postgres | None, timeout: float,
                     profiler: Profiler | None = None) -> None:
    by_user: dict[int, list[str]] = {}
    for user_id, text in jobs:
        by_user.setdefault(user_id, []).append(text)

    async def focal_point(user_id: int, texts: list[str]) -> list[tuple[float, float]]:
        return [await one_reply(variant, user_id, text, timeout, "load") for text in texts]

    pid = variant.proc.pid
    if profiler is not None:
        await profiler.start(pid)
    pg_before = await asyncio.to_thread(pg.backend_cpu) if pg is not None else None
    bot_before, me_before = proc_cpu(pid) or 0.0, self_cpu()
    with Sampler(pid) as sampler:
        started = time.monotonic()
        results = await asyncio.gather(*(focal_point(u, t) for u, t in by_user.items()))
        wall = time.monotonic() - started
    if profiler is not None:
        await profiler.stop()
    variant.load_wall += wall
    variant.round_rates.append(len(jobs) / wall)
    variant.bot_cpu += (proc_cpu(pid) or 0.0) - bot_before
    variant.standin_cpu += self_cpu() - me_before
    if pg is not None:
        pg_after = await asyncio.to_thread(pg.backend_cpu)
        if pg_before is None or pg_after is None:
            variant.pg_cpu = float("nan")
        else:
            variant.pg_cpu = (variant.pg_cpu or 0.0) + pg_after - pg_before
    variant.rss_load_max_kb = max(variant.rss_load_max_kb, sampler.max_kb)
    for pairs in results:
        for t_echo, t_press in pairs:
            variant.load_text.append(t_echo)
            variant.load_press.append(t_press)
    variant.load_replies += len(jobs)


async def open_phase(variant: Variant, jobs: list[tuple[int, str]], rate: float, timeout: float, seed: int) -> None:
    """Open loop: replies start at random (Poisson) moments, ``rate`` per second on average,
    whether or not the earlier ones are answered; a focal point's next reply waits for its
    previous one to finish."""
    rng = random.Random(seed)
    busy: dict[int, asyncio.Task] = {}
    tasks = []

    async def cycle(user_id: int, text: str, before: asyncio.Task | None) -> None:
        if before is not None:
            await before
        t_echo, t_press = await one_reply(variant, user_id, text, timeout, "open")
        variant.open_text.append(t_echo)
        variant.open_press.append(t_press)

    started = time.monotonic()
    due = started
    for user_id, text in jobs:
        due += rng.expovariate(rate)
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        task = asyncio.create_task(cycle(user_id, text, busy.get(user_id)))
        busy[user_id] = task
        tasks.append(task)
    await asyncio.gather(*tasks)
    variant.open_wall += time.monotonic() - started
    variant.open_replies += len(jobs)


FIRST_FANOUT_CHAT = 7_300_001


def enqueue_reminders(url: str, n: int) -> None:
    """``n`` reminder-like outbox rows (bulk priority) to ``n`` other chats, due now: what the
    planner queues at a reminder step."""
    from common.message import Message, bold
    from storage.db import dispose_engine, get_engine, session_scope
    from storage.models import OutboxCreate
    from storage.queries import enqueue_outbox

    engine = get_engine(url)
    try:
        with session_scope(engine, write=True) as session:
            for i in range(n):
                enqueue_outbox(
                    session,
                    OutboxCreate(
                        key=f"bench-fanout:{i}", channel="telegram", chat_id=str(FIRST_FANOUT_CHAT + i), kind="reminder",
                        payload={"message": Message(bold("Nhắc hạn báo cáo"), f"Tin nhắc thử số {i + 1}.").to_json()},
                        not_before=BENCH_NOW,
                    ),
                    now=BENCH_NOW,
                )
    finally:
        dispose_engine(url)


async def fanout_phase(variant: Variant, jobs: list[tuple[int, str]], n: int, timeout: float) -> None:
    """``n`` reminders are queued (as the planner would at a reminder step); while the
    dispatcher sends them, focal points reply one at a time, as long as reminders remain."""
    tg = variant.standin
    chats = {FIRST_FANOUT_CHAT + i for i in range(n)}
    for chat in chats:
        tg.user(chat, first_name="Đầu mối khác", language_code="vi")
    start_seq = len(tg.sent)
    await asyncio.to_thread(enqueue_reminders, variant.db_url, n)

    def arrived() -> list[float]:
        return [r["ts"] for r in tg.sent[start_seq:] if r["chat_id"] in chats]

    await tg.wait_until(lambda: bool(arrived()), timeout=timeout)  # the dispatcher's next round
    for user_id, text in jobs:
        if len(arrived()) >= n:
            break
        t_echo, t_press = await one_reply(variant, user_id, text, timeout, "fanout")
        variant.fanout_text.append(t_echo)
        variant.fanout_press.append(t_press)
    await tg.wait_until(lambda: len(arrived()) >= n, timeout=max(timeout, n / 5))
    stamps = sorted(arrived())
    variant.fanout_window = stamps[-1] - stamps[0]
    variant.fanout_rate = (len(stamps) - 1) / variant.fanout_window if variant.fanout_window > 0 else float("nan")


async def single_phase(variant: Variant, jobs: list[tuple[int, str]], timeout: float) -> None:
    for user_id, text in jobs:
        t_echo, t_press = await one_reply(variant, user_id, text, timeout, "single")
        variant.single_text.append(t_echo)
        variant.single_press.append(t_press)


# -- children -------------------------------------------------------------------------------


async def start_child(variant: Variant, tmpdir: Path, max_seconds: float, focals: list[Focal], latency: float) -> None:
    index = {"echo": 1, "sqlite": 2, "postgresql": 3, "sqlite+pacer": 4}.get(variant.name, 5 + len(variant.name))
    options: dict[str, Any] = {}
    if variant.paced:
        # Telegram's overall limit; not the per-chat one: answers are not paced per chat (a
        # person waiting for an answer is not a fan-out), and Telegram tolerates such bursts.
        options = {"rate_limit": True, "global_per_second": 30, "per_chat_per_second": 0}
    variant.standin = standin_class()(
        token=f"{700000 + index}:BENCH-{index}", bot_username="baocao_bench_bot", latency=latency, **options
    )
    await variant.standin.start()
    for focal in focals:  # every focal point has opened the bot before
        variant.standin.user(focal.user_id, first_name="Đầu mối", language_code="vi")
    slug = "".join(ch if ch.isalnum() else "-" for ch in variant.name)
    variant.trace_path = tmpdir / f"trace-{slug}.json"
    spec = {
        "kind": variant.kind,
        "token": variant.standin.token,
        "base_url": variant.standin.base_url,
        "paced": variant.paced,
        "what_if": variant.what_if,
        "max_seconds": max_seconds,
        "trace_path": str(variant.trace_path),
    }
    # The baocao bot is configured as an administrator configures `baocao run`: the environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BAOCAO_", "TELEGRAM_"))}
    env.update(NO_PROXY=LOOPBACK, no_proxy=LOOPBACK, PYTHONUNBUFFERED="1")
    if variant.kind == "baocao":
        env.update(
            TELEGRAM_BOT_TOKEN=variant.standin.token,
            TELEGRAM_API_BASE_URL=variant.standin.base_url,
            TELEGRAM_BOT_USERNAME="baocao_bench_bot",
            BAOCAO_DATABASE_URL=variant.db_url or "",
            BAOCAO_SPOOL_PATH=str(tmpdir / f"spool-{slug}.jsonl"),
            BAOCAO_FILES_PATH=str(tmpdir / f"files-{slug}"),
            BAOCAO_RATE_LIMIT="1000000000",  # the per-person limit never triggers
        )
    variant.stderr_path = tmpdir / f"{slug}.stderr"
    started = time.monotonic()
    with variant.stderr_path.open("wb") as err:
        variant.proc = await asyncio.create_subprocess_exec(
            sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=err, cwd=str(tmpdir), env=env,
        )
    try:
        line = await asyncio.wait_for(variant.proc.stdout.readline(), 120)
    except TimeoutError:
        line = b""
    words = line.split()
    if not words or words[0] != b"READY":
        raise BenchError(f"{variant.name}: the bot did not start:\n{child_log(variant)}")
    variant.startup_s = time.monotonic() - started
    if len(words) > 1:
        variant.t0 = float(words[1])


def child_log(variant: Variant, last: int = 30) -> str:
    if variant.stderr_path is None or not variant.stderr_path.exists():
        return ""
    return "\n".join(variant.stderr_path.read_text(errors="replace").splitlines()[-last:])


async def stop_child(variant: Variant) -> None:
    proc = variant.proc
    if proc is None:
        return
    if proc.returncode is None:
        variant.hwm_kb = proc_mem(proc.pid).get("VmHWM", 0) or variant.hwm_kb
        if proc.stdin is not None and not proc.stdin.is_closing():
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 30)
        except TimeoutError:
            proc.kill()  # our own child, by its handle
            await proc.wait()
    if variant.trace_path is not None and variant.trace_path.exists():
        variant.trace = json.loads(variant.trace_path.read_text(encoding="utf-8"))
    if variant.standin is not None:
        variant.rate_limited = variant.standin.rate_limited
        await variant.standin.stop()


# -- the run --------------------------------------------------------------------------------


def split(jobs: list, parts: int) -> list[list]:
    size, extra = divmod(len(jobs), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(jobs[start:end])
        start = end
    return out


async def run(args: argparse.Namespace, tmpdir: Path) -> tuple[dict, list[Variant]]:
    from common.paths import data_file
    from scheduler.plan import load_plan
    from storage.db import dispose_all

    pg: Postgres | None = None
    extra_pgs: list[Postgres] = []
    variants = [Variant("echo", "echo")]
    profiler = None
    if args.profile:
        binary = args.py_spy or shutil.which("py-spy")
        if not binary:
            raise BenchError("--profile needs py-spy (on PATH, or --py-spy PATH)")
        profiler = Profiler(binary, tmpdir, args.profile_rate)
    try:
        sqlite_url = f"sqlite:///{tmpdir / 'bench.sqlite3'}"
        print("setting up SQLite…", file=sys.stderr)
        focals = await asyncio.to_thread(setup_database, sqlite_url, args.users)
        variants.append(Variant("sqlite", "baocao", sqlite_url))
        if args.pg.lower() != "none":
            print("setting up PostgreSQL…", file=sys.stderr)
            try:
                pg = await asyncio.to_thread(Postgres, args.pg)
            except Exception as exc:
                raise BenchError(f"PostgreSQL at {args.pg} cannot be used ({type(exc).__name__}: {exc}); pass --pg none to skip it") from exc
            pg_focals = await asyncio.to_thread(setup_database, pg.url, args.users)
            assert [(f.user_id, f.agency_id) for f in pg_focals] == [(f.user_id, f.agency_id) for f in focals]
            variants.append(Variant("postgresql", "baocao", pg.url))
            variants[-1].pg = pg
        if args.pacer_row:
            paced_url = f"sqlite:///{tmpdir / 'bench-paced.sqlite3'}"
            await asyncio.to_thread(setup_database, paced_url, args.users)
            variants.append(Variant("sqlite+pacer", "baocao", paced_url, paced=True))
        for key in args.what_if or []:
            # Not the real configuration: one setting changed in the bot process, to test a cause.
            url = f"sqlite:///{tmpdir / f'bench-{key}.sqlite3'}"
            await asyncio.to_thread(setup_database, url, args.users)
            if key in WHAT_IF_PACED:
                variants.append(Variant(f"sqlite+pacer, what-if: {WHAT_IF[key]}", "baocao", url, paced=True, what_if=key))
                continue
            variants.append(Variant(f"sqlite, what-if: {WHAT_IF[key]}", "baocao", url, what_if=key))
            if pg is not None:
                extra = await asyncio.to_thread(Postgres, args.pg)
                extra_pgs.append(extra)
                await asyncio.to_thread(setup_database, extra.url, args.users)
                variants.append(Variant(f"postgresql, what-if: {WHAT_IF[key]}", "baocao", extra.url, what_if=key, pg=extra))
        dispose_all()  # the parent keeps no connection open during the measurements
        machine = describe_machine(tmpdir, pg.info if pg else None)

        rng = random.Random(args.seed)
        valid = list(load_plan(data_file("plan.json")).task_refs())

        def jobs(n: int) -> list[tuple[int, str]]:
            """n replies, focal points taking turns."""
            return [(focals[k % len(focals)].user_id, make_reply(rng, focals[k % len(focals)], valid)) for k in range(n)]

        # Every bot gets the same texts, in the same order.
        warmup = jobs(len(focals))
        single_rounds = split(jobs(args.single), args.rounds)
        open_rounds = split(jobs(args.open), args.rounds)
        load_rounds = split(jobs(args.replies), args.rounds)

        for variant in variants:
            print(f"starting the {variant.name} bot…", file=sys.stderr)
            await start_child(variant, tmpdir, args.max_seconds, focals, args.latency / 1000)
        await asyncio.sleep(args.settle)
        for variant in variants:
            variant.rss_idle_kb = proc_mem(variant.proc.pid).get("VmRSS", 0)

        for variant in variants:  # first touch of every chat and code path; not measured
            await load_phase_unmeasured(variant, warmup, args.timeout)

        for r in range(args.rounds):
            order = variants[r % len(variants):] + variants[: r % len(variants)]
            for variant in order:
                print(f"round {r + 1}/{args.rounds}: {variant.name}", file=sys.stderr)
                await single_phase(variant, single_rounds[r], args.timeout)
                if open_rounds[r]:
                    await open_phase(variant, open_rounds[r], args.open_rate, args.timeout, args.seed + r)
                await load_phase(variant, load_rounds[r], variant.pg, args.timeout,
                                 profiler if variant.name == args.profile else None)

        if args.fanout:
            fanout_jobs = jobs(args.fanout_replies)  # the same texts for every paced bot
            for variant in variants:
                if variant.paced:
                    print(f"{variant.name}: replies during a fan-out of {args.fanout} reminders", file=sys.stderr)
                    await fanout_phase(variant, fanout_jobs, args.fanout, args.timeout)
        for variant in variants:
            errors = [e for e in variant.standin.errors if not (variant.paced and e.get("code") == 429)]
            if errors:
                raise BenchError(f"{variant.name}: the stand-in answered {len(errors)} API error(s), e.g. {errors[:3]}")
        machine["loadavg_end"] = os.getloadavg()
    finally:
        for variant in variants:
            await stop_child(variant)
        for variant in variants:
            log = child_log(variant)
            if "Traceback" in log or " ERROR " in log:
                print(f"--- {variant.name} bot stderr (last lines) ---\n{log}", file=sys.stderr)
        counted = {}
        try:
            for variant in variants:
                if variant.db_url is not None and variant.cycles_total:
                    counted[variant.name] = await asyncio.to_thread(count_reports, variant.db_url)
                    timeline = await asyncio.to_thread(read_timeline, variant.db_url)
                    variant.stages = breakdown(variant, *timeline)
        finally:
            for database in ([pg] if pg is not None else []) + extra_pgs:
                await asyncio.to_thread(database.drop)
    for variant in variants:
        if variant.name in counted and counted[variant.name] != variant.cycles_total:
            raise BenchError(f"{variant.name}: {variant.cycles_total} replies confirmed but {counted[variant.name]} reports stored")
    machine["reports_checked"] = counted
    if profiler is not None:
        machine["profile"] = dict(profile_summary(profiler.stacks()), bot=args.profile)
    return machine, variants


async def load_phase_unmeasured(variant: Variant, jobs: list[tuple[int, str]], timeout: float) -> None:
    by_user: dict[int, list[str]] = {}
    for user_id, text in jobs:
        by_user.setdefault(user_id, []).append(text)

    async def focal_point(user_id: int, texts: list[str]) -> None:
        for text in texts:
            await one_reply(variant, user_id, text, timeout)

    await asyncio.gather(*(focal_point(u, t) for u, t in by_user.items()))


# -- report ---------------------------------------------------------------------------------


def ms(value: float) -> str:
    return f"{value * 1000:.0f}" if value >= 0.01 else f"{value * 1000:.1f}"


def mib(kb: int) -> str:
    return f"{kb / 1024:.0f}"


def report(machine: dict, variants: list[Variant], args: argparse.Namespace) -> str:
    echo = next(v for v in variants if v.name == "echo")
    echo_rate = echo.load_replies / echo.load_wall if echo.load_wall else float("nan")
    pg = machine.get("postgresql")
    packages = ", ".join(f"{k} {v}" for k, v in machine["packages"].items())
    lines = [
        f"Machine: {machine['nproc']} cores ({machine['cpu']}), {machine['memory']} RAM, Linux {machine['kernel']}; "
        f"Python {machine['python']}; {packages}; SQLite {machine['sqlite']} on {machine['sqlite_fs']}; "
        + (f"PostgreSQL {pg['version']} on 127.0.0.1 (fsync={pg['fsync']}, synchronous_commit={pg['synchronous_commit']}); " if pg else "no PostgreSQL; ")
        + f"load average {machine['loadavg_start'][0]:.2f} at start, {machine.get('loadavg_end', (float('nan'),))[0]:.2f} at end; "
        f"{machine['date']}; commit {machine['commit']}.",
        "",
        f"Run: {args.replies} replies per bot from {args.users} focal points at once (closed loop), "
        f"{args.single} one at a time, {args.open} in an open loop ({args.open_rate:g} replies/s, Poisson), "
        f"in {args.rounds} alternating rounds, after {args.users} warm-up replies; "
        "the dispatcher's pacer off except in 'sqlite+pacer' (its deployed 29/s, the stand-in enforcing 30/s overall); "
        + (f"simulated network latency {args.latency:g} ms per Bot API call; " if args.latency else "no simulated network latency; ")
        + "one reply = report text -> confirmation echo, then ✅ -> 'Đã ghi nhận' (stored).",
        "",
        ("| bot | replies/s under load (updates/s) | vs echo | text→echo p50 / p95 ms | ✅→stored p50 / p95 ms | one at a time: text→echo p50 / p95 ms | ✅→stored p50 / p95 ms "
        f"| open loop {args.open_rate:g} replies/s: text→echo p50 / p95 ms | ✅→stored p50 / p95 ms |"),
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for v in variants:
        rate = v.load_replies / v.load_wall if v.load_wall else float("nan")
        lines.append(
            f"| {v.name} | {rate:.1f} ({2 * rate:.0f}) | {rate / echo_rate:.2f} | "
            f"{ms(percentile(v.load_text, 50))} / {ms(percentile(v.load_text, 95))} | "
            f"{ms(percentile(v.load_press, 50))} / {ms(percentile(v.load_press, 95))} | "
            f"{ms(percentile(v.single_text, 50))} / {ms(percentile(v.single_text, 95))} | "
            f"{ms(percentile(v.single_press, 50))} / {ms(percentile(v.single_press, 95))} | "
            f"{ms(percentile(v.open_text, 50))} / {ms(percentile(v.open_text, 95))} | "
            f"{ms(percentile(v.open_press, 50))} / {ms(percentile(v.open_press, 95))} |"
        )
    lines += [
        "",
        "| bot | bot process CPU ms/reply | PostgreSQL backend CPU ms/reply | stand-in + users CPU ms/reply | start-up s | RSS idle MiB | RSS peak under load MiB | VmHWM MiB | 429s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for v in variants:
        n = v.load_replies or 1
        pg_cpu = "—" if v.pg_cpu is None else ("n/a" if v.pg_cpu != v.pg_cpu else f"{v.pg_cpu / n * 1000:.1f}")
        lines.append(
            f"| {v.name} | {v.bot_cpu / n * 1000:.1f} | {pg_cpu} | {v.standin_cpu / n * 1000:.1f} | {v.startup_s:.1f} | "
            f"{mib(v.rss_idle_kb)} | {mib(v.rss_load_max_kb)} | {mib(v.hwm_kb)} | {v.rate_limited} |"
        )
    lines += ["", "Replies/s per round (drift of the shared machine): " + "; ".join(f"{v.name} " + " / ".join(f"{r:.1f}" for r in v.round_rates) for v in variants) + "."]
    fanned = [v for v in variants if v.fanout_text]
    if fanned:
        lines += [
            "",
            f"Replies one at a time while the paced bot sends {args.fanout} reminders (queued in its outbox at once, as at a reminder step):",
            "",
            "| bot | replies measured | text→echo p50 / p95 ms | ✅→stored p50 / p95 ms | reminders/s at the stand-in meanwhile |",
            "|---|---|---|---|---|",
        ] + [
            f"| {v.name} | {len(v.fanout_text)} | {ms(percentile(v.fanout_text, 50))} / {ms(percentile(v.fanout_text, 95))} | "
            f"{ms(percentile(v.fanout_press, 50))} / {ms(percentile(v.fanout_press, 95))} | {v.fanout_rate:.1f} |"
            for v in fanned
        ]
    lines += breakdown_tables(variants)
    prof = machine.get("profile")
    if prof:
        lines += [
            "",
            (f"py-spy profile of the {prof['bot']} bot under load ({prof['samples']} CPU samples; share of the samples "
            "whose stack contains the step, the first match from the top of this list):"),
            "",
            "| step | share |",
            "|---|---|",
        ] + [f"| {k} | {v:.0%} |" for k, v in prof["groups"]]
        lines += ["", "Top functions by own samples: " + "; ".join(f"{k} {v:.1%}" for k, v in prof["self"]) + "."]
    checked = machine.get("reports_checked") or {}
    if checked:
        lines += ["", "Reports stored, counted in the database after the run: " + ", ".join(f"{k} {v}" for k, v in checked.items()) + " (= replies confirmed)."]
    return "\n".join(lines)


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def breakdown_tables(variants: list[Variant]) -> list[str]:
    rows = [v for v in variants if v.stages.get("legs")]
    if not rows:
        return []
    lines = [
        "",
        "Where a leg's time goes (baocao bots; ms, mean / p95; the means add up to the total's mean): "
        + "; ".join(f"{k} = {t}" for k, t in STAGE_TITLES.items()) + ".",
        "",
        "| bot | leg | n | total | " + " | ".join(STAGES) + " |",
        "|---|---|---|---|" + "---|" * len(STAGES),
    ]
    for v in rows:
        for key in ("single:text", "single:press", "open:text", "open:press", "fanout:text", "fanout:press", "load:text", "load:press"):
            bucket = v.stages["legs"].get(key)
            if not bucket:
                continue
            phase, leg = key.split(":")
            label = {"single": "one at a time, ", "open": "open loop, ", "fanout": "during the fan-out, ", "load": "under load, "}[phase]
            label += "text→echo" if leg == "text" else "✅→stored"
            cells = [f"{ms(mean(bucket[k]))} / {ms(percentile(bucket[k], 95))}" for k in ("total", *STAGES)]
            lines.append(f"| {v.name} | {label} | {len(bucket['total'])} | " + " | ".join(cells) + " |")
    unmatched = {v.name: v.stages.get("unmatched") for v in rows if v.stages.get("unmatched")}
    if unmatched:
        lines += ["", "Legs not matched to the bot's records (left out above): " + ", ".join(f"{k} {n}" for k, n in unmatched.items()) + "."]
    lines += [
        "",
        ("Service times in the bot (every call during the run, warm-up included; wall ms mean / p95, and in brackets "
        "the calling thread's CPU ms mean where the call runs in a thread of its own, and the SQL statements it sends). "
        "The dispatcher sends one message "
        "at a time: its time per message (claim share + send + outcome write) bounds the answers per second."),
        "",
        ("| bot | updates per getUpdates | store (inbox insert) | worker transaction | claims (empty) | claim: rows per claim; ms | send (HTTP) "
        "| outcome write | rows released | dispatcher ms per message | pacer sleep ms per message |"),
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for v in rows:
        t = v.trace

        def cell(name: str, calls: list | None = None, t: dict = t) -> str:
            calls = t.get(name, []) if calls is None else calls
            if not calls:
                return "—"
            wall = [c[1] - c[0] for c in calls]
            cpu = [c[3] for c in calls if len(c) > 3 and c[3] is not None]
            statements = [c[4] for c in calls if len(c) > 4]
            extra = [f"{ms(mean(cpu))} CPU"] if cpu else []
            extra += [f"{mean(statements):.1f} SQL"] if statements else []
            return f"{ms(mean(wall))} / {ms(percentile(wall, 95))}" + (f" ({', '.join(extra)})" if extra else "")

        polls = [c[2] for c in t.get("poll", []) if c[2]]
        claims = [c for c in t.get("claim", []) if c[2]]
        messages = len(t.get("send", [])) or 1
        busy = sum(c[1] - c[0] for name in ("claim", "send", "outcome") for c in t.get(name, []))
        sleep = sum(c[1] for c in t.get("pacer_sleep", []))
        all_claims = len(t.get("claim", []))
        released = t.get("dispatcher", {}).get("released", 0)
        lines.append(
            f"| {v.name} | {mean(polls):.1f} | {cell('store')} | {cell('handle')} | {all_claims} ({all_claims - len(claims)}) | "
            f"{mean([c[2] for c in claims]):.1f}; {cell('claim', claims)} | {cell('send')} | {cell('outcome')} | "
            f"{released} | {ms(busy / messages)} | {ms(sleep / messages)} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replies", type=int, default=300, help="replies per bot under load (default 300)")
    parser.add_argument("--users", type=int, default=30, help="focal points replying at once (default 30)")
    parser.add_argument("--single", type=int, default=100, help="replies per bot sent one at a time (default 100)")
    parser.add_argument("--open", type=int, default=60, help="replies per bot in an open loop (Poisson arrivals; default 60; 0 skips it)")
    parser.add_argument("--open-rate", type=float, default=3.0, help="replies per second offered in the open loop (default 3)")
    parser.add_argument(
        "--fanout", type=int, default=600, metavar="N",
        help="after the rounds, queue N reminders in each paced bot's outbox and measure replies one at a time while "
        "they go out (default 600; 0 skips it)",
    )
    parser.add_argument("--fanout-replies", type=int, default=40, help="at most this many replies during the fan-out (default 40)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds over the bots (default 5)")
    parser.add_argument("--pg", default=DEFAULT_PG, help=f"PostgreSQL server URL; a fresh database is created there and dropped (default {DEFAULT_PG}; 'none' to skip)")
    parser.add_argument(
        "--pacer-row", action=argparse.BooleanOptionalAction, default=True,
        help="also measure baocao on SQLite with the dispatcher's pacer at its deployed rate (BAOCAO_SEND_RATE, 29/s) "
        "against a stand-in enforcing Telegram's 30/s overall; the other bots run unpaced (default: on)",
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, metavar="MS",
        help="simulated network latency per Bot API call, in ms (half before the stand-in sees the call, half before "
        "its answer leaves; default 0)",
    )
    parser.add_argument(
        "--what-if", action="append", choices=sorted(WHAT_IF),
        help="also run baocao on SQLite (and PostgreSQL) with one setting changed in the bot process, labelled what-if, "
        "not the real configuration: " + "; ".join(f"{k}: {v}" for k, v in WHAT_IF_HELP.items()) + " (repeatable)",
    )
    parser.add_argument("--profile", metavar="BOT", help="sample this bot's process with py-spy during its load phases (e.g. sqlite)")
    parser.add_argument("--py-spy", metavar="PATH", help="the py-spy binary (default: py-spy on PATH)")
    parser.add_argument("--profile-rate", type=int, default=100, help="py-spy samples per second (default 100)")
    parser.add_argument("--seed", type=int, default=3, help="seed of the reply texts (default 3)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for one answer (default 60)")
    parser.add_argument("--settle", type=float, default=2.0, help="seconds after start-up before idle memory is read (default 2)")
    parser.add_argument("--max-seconds", type=float, default=900.0, help="the whole run stops after this (default 900)")
    parser.add_argument("--json", metavar="FILE", help="also write the raw figures as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        asyncio.run(child_main(json.loads(args.child)))
        return 0
    if args.users < 1 or args.replies < args.rounds or args.single < 0 or args.rounds < 1 or args.open < 0 or args.open_rate <= 0:
        parser.error("need --users >= 1, --rounds >= 1, --replies >= --rounds, --single >= 0, --open >= 0, --open-rate > 0")
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = LOOPBACK
    tmpdir = Path(tempfile.mkdtemp(prefix="baocao-bench-"))
    started = time.monotonic()
    try:
        async def bounded() -> tuple[dict, list[Variant]]:
            async with asyncio.timeout(args.max_seconds):
                return await run(args, tmpdir)

        machine, variants = asyncio.run(bounded())
    except (BenchError, TimeoutError) as exc:
        print(f"benchmark failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    text = report(machine, variants, args)
    print(text)
    print(f"\n(total run time {time.monotonic() - started:.0f} s)")
    if args.json:
        raw = {
            "machine": machine,
            "args": {k: v for k, v in vars(args).items() if k not in ("child", "pg")},
            "bots": [
                {
                    "name": v.name, "load_replies": v.load_replies, "load_wall_s": v.load_wall,
                    "load_text_s": v.load_text, "load_press_s": v.load_press,
                    "single_text_s": v.single_text, "single_press_s": v.single_press,
                    "open_text_s": v.open_text, "open_press_s": v.open_press, "open_replies": v.open_replies, "open_wall_s": v.open_wall,
                    "fanout_text_s": v.fanout_text, "fanout_press_s": v.fanout_press, "fanout_rate": v.fanout_rate,
                    "bot_cpu_s": v.bot_cpu, "pg_cpu_s": v.pg_cpu, "standin_cpu_s": v.standin_cpu,
                    "startup_s": v.startup_s, "rss_idle_kb": v.rss_idle_kb,
                    "rss_load_max_kb": v.rss_load_max_kb, "vmhwm_kb": v.hwm_kb, "round_rates": v.round_rates,
                    "rate_limited": v.rate_limited, "stages": v.stages, "trace": v.trace, "legs": v.legs,
                }
                for v in variants
            ],
        }
        Path(args.json).write_text(json.dumps(raw, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
