#!/usr/bin/env python
"""Benchmark (issue 4): fan-out of reminders through a stand-in that enforces Telegram's limits.

    python benchmarks/fanout.py [--chats 600] [--multi 200x3] [--workers 2] [--latency 50,100] [--pg URL | --pg none]

What runs
    The parent process plays Telegram: a fresh :class:`baocao.demo.telegram_api.BotApiStandIn` per run on
    127.0.0.1 with ``rate_limit=True`` (30 sends/s overall and 1/s per chat over a sliding
    window; a send over either limit gets 429 with ``retry_after``). The dispatchers run in
    their OWN child processes (this script with ``--child``), each doing what ``baocao tick``
    does, on the real path:

    * the database is migrated (a SQLite file in a temporary directory, or a fresh PostgreSQL
      database ``baocao_bench_<random>`` that is dropped afterwards), the seed plan's agencies
      and obligations are synced into it and N focal-point contacts (channel ``telegram``) are
      bound to the agencies that owe the 2024-Q1 report;
    * the clock is an :class:`common.clock.OffsetClock` starting at 2024-03-06 09:00 +07:00,
      when step D-7 of Q1 is due, so the first :func:`scheduler.dispatch.tick` plans one
      outbox row per contact (``sync_and_plan``) and then sends them (``drain`` /
      ``dispatch_once``: claims of 25 rows, at most one per chat, sent ONE AT A TIME per
      channel so that a crash repeats at most one message) through a real
      :class:`bot.channels.telegram.TelegramChannel` (python-telegram-bot's ``Bot`` against the
      stand-in), ``senders={"telegram": channel}``, ``pacers={"telegram": Pacer(...)}`` built
      from the channel's figures as ``Services.pacers()`` does (29/s, 1.05 s per chat);
    * a worker calls ``tick`` again every ``--tick-interval`` seconds (rows put back after a
      429 come due again after ``retry_after``) until no row is pending or sending, with the
      same Pacer (the bot's Dispatcher also keeps one for its life). The bot's own planner
      runs every 60 s; the short interval only keeps the benchmark short.

    Runs (SQLite and PostgreSQL side by side, the order alternating):

    * ``N×1``: N distinct chats, one row each (default 600);
    * ``C×K``: C chats with K rows each (default 200×3: each chat is the focal point of K
      agencies);
    * ``N×1, 2 workers``: two dispatcher processes on one database, each with its own Pacer
      at the default rate (as two bot processes or a bot and a cron ``baocao tick`` would be);
    * ``no database`` (``—``): a reference without the outbox: one child sends N rows to N
      chats through the same Pacer and channel, one at a time, with no claim and no outcome
      write. The ceiling of the pacing and of one-at-a-time sending on this machine;
    * latency runs (``--latency``, default 50 and 100 ms): N×1 and C×K on SQLite and the
      reference, with every Bot API call answered that much later (half on the way in, half
      on the way out, in the benchmark's own stand-in subclass), as a round trip to Telegram's
      servers would be: one-at-a-time sending pays it once per message;
    * what-if (``--what-if``, on by default; not the default configuration): two workers with
      the budget divided, ``BAOCAO_SEND_RATE`` = 29 / workers each, without and with the
      largest latency; and C×K on SQLite with the dispatcher as before commit ``64e8b7d``
      (``replies._previous_dispatch``: a batch sent in claim order instead of the order in
      which the chats' Pacer slots free, ``drain`` claiming until a claim comes back empty),
      without and with the largest latency, next to the real C×K runs.

What is measured
    From the stand-in's arrival times of the accepted sends: achieved rate over the send
    window, (n - 1) / (last - first), and its ratio to the 30/s limit (goal >= 0.9); the
    same from the start signal (planning included); 429s answered; time lost against a perfect
    30/s spacing (the sum of gaps longer than 2/30 s). From the database after the run: every
    row ``sent`` exactly once, its ``message_id`` matching one message at the stand-in
    (lost = rows not sent, or sent rows with no message at the stand-in; duplicates = a
    (chat, text) received more than once, or more messages than rows). From the workers:
    their CPU, and where their time went (the module functions ``claim_batch`` (which
    ``dispatch_once`` calls; empty claims counted), ``_outcome`` and ``sync_and_plan`` are
    wrapped with timers in the child, and the channel's ``send``;
    nothing else is changed), hence the one-at-a-time ceiling: 1 / (claim share + send +
    outcome write per message).

Everything stays on loopback, counts are bounded, and the whole run stops by itself
(``--max-seconds``); the children stop at the same limit or when the parent goes away.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, Path(__file__).resolve().parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from replies import DEFAULT_PG, LOOPBACK, BenchError, Postgres, describe_machine, percentile, standin_class  # noqa: E402

ICT = timezone(timedelta(hours=7))
# Wednesday 6 March 2024, 09:00: step D-7 of the Q1 report (due Friday 15/3) came at 08:30.
BENCH_NOW = datetime(2024, 3, 6, 9, 0, tzinfo=ICT)
PERIOD = "2024-Q1"
FIRST_CHAT = 8_200_001
TOKEN = "8200000:FANOUT-BENCH"
LIMIT_PER_SECOND = 30.0
PER_CHAT_PER_SECOND = 1.0


# ================================================================================= child side


class Timer:
    """Durations of calls to one function (the child wraps module functions with it)."""

    def __init__(self) -> None:
        self.durations: list[float] = []
        self.items = 0
        self.empty = 0  # calls that returned no item

    def wrap(self, fn: Any, items: Any = None) -> Any:
        """``items(result)``: how many items a call returned (counted, and the calls with none)."""

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                result = fn(*args, **kwargs)
            finally:
                self.durations.append(time.perf_counter() - started)
            if items is not None:
                n = items(result)
                self.items += n
                self.empty += n == 0
            return result

        return wrapped

    def summary(self) -> dict:
        d = self.durations
        return {
            "calls": len(d), "items": self.items, "empty": self.empty, "total_s": sum(d),
            "mean_ms": 1000 * sum(d) / len(d) if d else None,
            "p50_ms": 1000 * percentile(d, 50) if d else None,
            "p95_ms": 1000 * percentile(d, 95) if d else None,
            "max_ms": 1000 * max(d) if d else None,
        }


def _timed_pacer(sleeps: list[float], per_second: float, per_chat_interval: float) -> Any:
    """The dispatcher's Pacer, recording how long it made callers sleep."""
    from scheduler.dispatch import Pacer

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        await asyncio.sleep(seconds)

    return Pacer(per_second=per_second, per_chat_interval=per_chat_interval, sleep=sleep)


class TimedSender:
    """The Telegram channel as the dispatcher's sender, with the duration of each call (render,
    HTTP round trip through python-telegram-bot) recorded."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.timer = Timer()

    async def send(self, row: Any, progress: Any) -> str:
        started = time.perf_counter()
        try:
            return await self.inner.send(row, progress)
        finally:
            self.timer.durations.append(time.perf_counter() - started)


async def child_main(spec: dict) -> dict:
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from bot.channels.telegram import TelegramChannel

    # What `baocao tick` builds from the settings: the channel (its per_second is
    # BAOCAO_SEND_RATE) and, in Services.pacers(), a Pacer from the channel's figures.
    channel = TelegramChannel(spec["token"], base_url=spec["base_url"], username="baocao_bench_bot")
    if spec.get("send_rate"):
        channel.per_second = float(spec["send_rate"])
    await channel.start()  # setMyCommands: not sends, not rate-limited
    sleeps: list[float] = []
    pacer = _timed_pacer(sleeps, channel.per_second, channel.per_chat_interval)
    sender = TimedSender(channel)
    if spec["kind"] == "worker":
        run = await _prepare_worker(spec, sender, pacer)
    else:
        run = _prepare_bare(spec, sender, pacer)
    print("READY", flush=True)
    go = await asyncio.to_thread(sys.stdin.readline)
    if not go.strip():
        raise SystemExit(0)  # the parent went away
    usage0 = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    async with asyncio.timeout(spec["max_seconds"]):
        result = await run()
    usage1 = resource.getrusage(resource.RUSAGE_SELF)
    result.update(
        wall_s=time.monotonic() - started,
        cpu_s=(usage1.ru_utime - usage0.ru_utime) + (usage1.ru_stime - usage0.ru_stime),
        send=sender.timer.summary(),
        pacer_sleep_s=sum(sleeps),
        pacer_sleeps=len(sleeps),
        per_second=channel.per_second,
    )
    await channel.stop()
    return result


async def _prepare_worker(spec: dict, sender: TimedSender, pacer: Any) -> Any:
    from sqlalchemy import func
    from sqlmodel import select

    from common.clock import OffsetClock
    from common.paths import data_file
    from scheduler import dispatch
    from scheduler.calendar import WorkingCalendar
    from scheduler.plan import load_plan
    from scheduler.plans import Plans
    from storage.db import open_database, session_scope
    from storage.models import Outbox, OutboxStatus

    if spec.get("previous_dispatch"):
        from replies import _previous_dispatch

        _previous_dispatch()  # what-if: the dispatcher as before commit 64e8b7d (see replies.py)
    engine = open_database(spec["db"])
    plans = Plans([load_plan(data_file("plan.json"))])
    cal = WorkingCalendar.load()
    cal.is_working_day(BENCH_NOW.date())  # build the year now, not during the measurement
    # Observers only: the same functions, timed (tick and dispatch_once look them up by name).
    timers = {"claim": Timer(), "outcome": Timer(), "plan": Timer()}
    # dispatch_once claims through claim_batch, which returns (rows, more); claim() wraps it.
    dispatch.claim_batch = timers["claim"].wrap(dispatch.claim_batch, items=lambda result: len(result[0]))
    dispatch._outcome = timers["outcome"].wrap(dispatch._outcome)
    dispatch.sync_and_plan = timers["plan"].wrap(dispatch.sync_and_plan)

    def unsent() -> int:
        with session_scope(engine) as session:
            return int(
                session.exec(
                    select(func.count()).select_from(Outbox).where(
                        Outbox.status.in_([OutboxStatus.PENDING.value, OutboxStatus.SENDING.value])  # type: ignore[attr-defined]
                    )
                ).one()
            )

    async def run() -> dict:
        clock = OffsetClock(BENCH_NOW)
        total = dispatch.DispatchStats()
        enqueued = ticks = 0
        while True:
            ticks += 1
            # One Pacer for the worker's life, as the bot's Dispatcher keeps one.
            report = await dispatch.tick(
                engine, plans, cal, {"telegram": sender}, clock, worker_id=spec["worker_id"], pacers={"telegram": pacer}
            )
            total += report.dispatch
            enqueued += report.enqueue.enqueued
            if await asyncio.to_thread(unsent) == 0:
                break
            await asyncio.sleep(spec["tick_interval"])
        return {
            "ticks": ticks, "enqueued": enqueued, "dispatch": total.as_dict(),
            "timers": {name: timer.summary() for name, timer in timers.items()},
        }

    return run


def _prepare_bare(spec: dict, sender: TimedSender, pacer: Any) -> Any:
    """N rows to N chats through the Pacer and the Telegram channel, one message at a time as the
    dispatcher sends them, without the database (no claim, no outcome write)."""
    from types import SimpleNamespace

    from common.message import Message, bold
    from scheduler import dispatch

    rows = [
        SimpleNamespace(
            key=f"bare:{i}", chat_id=str(chat), parts_sent=0, channel="telegram",
            payload={"message": Message(bold("Nhắc hạn"), f"thử số {i + 1}").to_json()},
        )
        for i, chat in enumerate(spec["chats"])
    ]

    async def progress(part: int, message_id: str) -> None:
        pass

    async def run() -> dict:
        todo, retried, rounds = list(rows), 0, 0
        while todo:
            rounds += 1
            again: list[tuple[float, Any]] = []
            for row in todo:
                await pacer.wait(f"telegram:{row.chat_id}")
                try:
                    await sender.send(row, progress)
                except dispatch.RetryLater as exc:
                    again.append((time.monotonic() + max(exc.seconds, 1.0), row))
            retried += len(again)
            if again:
                await asyncio.sleep(max(0.0, max(t for t, _ in again) - time.monotonic()))
            todo = [row for _, row in again]
        return {"rounds": rounds, "dispatch": {"sent": len(rows), "retried": retried}}

    return run


def child_entry(spec: dict) -> int:
    try:
        result = asyncio.run(child_main(spec))
    except TimeoutError:
        print("child: time limit reached", file=sys.stderr, flush=True)
        return 3
    print("RESULT " + json.dumps(result), flush=True)
    return 0


# ================================================================================ parent side


@dataclass
class Run:
    name: str  # "600×1"
    database: str  # "sqlite" | "postgresql" | "—"
    chats: int
    per_chat: int
    workers: int
    what_if: str = ""  # "" for the real configuration
    send_rate: float = 0.0  # BAOCAO_SEND_RATE of each worker (the channel's per_second); 0: the default
    latency_ms: float = 0.0  # simulated network latency per Bot API call at the stand-in
    previous_dispatch: bool = False  # what-if: the dispatcher as before commit 64e8b7d
    # results
    sent_at_standin: int = 0
    window_s: float = float("nan")
    go_to_last_s: float = float("nan")
    go_to_first_s: float = float("nan")
    wall_s: float = float("nan")
    rate_limited: int = 0
    lost_vs_pacing_s: float = float("nan")
    lost: int = 0
    duplicates: int = 0
    statuses: dict = field(default_factory=dict)
    retried_rows: int = 0  # rows with more than one attempt
    children: list[dict] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    stamps: list[float] = field(default_factory=list)  # arrival of each send at the stand-in, from the start signal

    @property
    def rows(self) -> int:
        return self.chats * self.per_chat

    @property
    def label(self) -> str:
        workers = f", {self.workers} workers" if self.workers > 1 else ""
        latency = f", latency {self.latency_ms:g} ms" if self.latency_ms else ""
        what_if = f", what-if: {self.what_if}" if self.what_if else ""
        return f"{self.name}{workers}{latency}{what_if}"

    @property
    def rate(self) -> float:
        return (self.sent_at_standin - 1) / self.window_s if self.window_s > 0 else float("nan")

    @property
    def rate_from_go(self) -> float:
        return self.sent_at_standin / self.go_to_last_s if self.go_to_last_s > 0 else float("nan")

    @property
    def cpu_s(self) -> float:
        return sum(c.get("cpu_s", 0.0) for c in self.children)


def setup_database(url: str, chats: int, per_chat: int, seed: int) -> int:
    """Migrate, sync the seed plan, bind ``chats`` × ``per_chat`` focal-point contacts."""
    from sqlmodel import select

    from common.paths import data_file
    from scheduler import deadlines
    from scheduler.calendar import WorkingCalendar
    from scheduler.plan import load_plan
    from scheduler.sync import sync_agencies, sync_obligations
    from storage.db import dispose_engine, open_database, session_scope, upgrade
    from storage.models import Contact, ContactRole, Obligation, ObligationStatus

    upgrade(url)
    engine = open_database(url)
    plan = load_plan(data_file("plan.json"))
    cal = WorkingCalendar.load()
    years = list(plan.years_in_force())
    computed = [o for y in years for o in deadlines.obligations(plan, cal, y)]
    with session_scope(engine) as session:
        sync_agencies(session, plan, now=BENCH_NOW)
        sync_obligations(session, plan, computed, years=years, now=BENCH_NOW)
    order = {agency.id: i for i, agency in enumerate(plan.agencies)}
    rng = random.Random(seed)
    with session_scope(engine) as session:
        owing = sorted(
            {
                row.agency_id
                for row in session.exec(
                    select(Obligation).where(Obligation.period == PERIOD, Obligation.status == ObligationStatus.ACTIVE)
                ).all()
                if row.tasks
            },
            key=lambda a: order.get(a, 10_000),
        )
        if per_chat > len(owing):
            raise BenchError(f"{per_chat} rows per chat need as many agencies; only {len(owing)} owe {PERIOD}")
        for c in range(chats):
            chat_id = str(FIRST_CHAT + c)
            agencies = [owing[c % len(owing)]] if per_chat == 1 else rng.sample(owing, per_chat)
            for agency_id in agencies:
                session.add(
                    Contact(
                        channel="telegram", chat_id=chat_id, user_id=chat_id, display_name=f"Đầu mối {c + 1}",
                        agency_id=agency_id, role=ContactRole.FOCAL, created_at=BENCH_NOW,
                    )
                )
    dispose_engine(url)
    return len(owing)


def check_database(url: str, run: Run, sends: list[dict]) -> None:
    """Every row sent once and found at the stand-in; nothing twice."""
    from sqlmodel import select

    from storage.db import dispose_engine, get_engine, session_scope
    from storage.models import Outbox

    engine = get_engine(url)
    try:
        with session_scope(engine) as session:
            rows = session.exec(select(Outbox)).all()
            data = [(r.status, r.chat_id, r.message_id, r.attempts, r.kind) for r in rows]
    finally:
        dispose_engine(url)
    run.statuses = dict(collections.Counter(status for status, *_ in data))
    run.retried_rows = sum(1 for *_, attempts, _kind in data if attempts > 1)
    at_standin = collections.Counter((str(s["chat_id"]), str(s["message_id"])) for s in sends)
    sent_rows = [(chat, mid) for status, chat, mid, _a, _k in data if status == "sent"]
    in_db = collections.Counter(sent_rows)
    if len(data) != run.rows:
        run.checks.append(f"{len(data)} outbox rows, expected {run.rows}")
    missing_at_standin = sum(1 for key in in_db if key not in at_standin)
    run.lost = (run.rows - len(sent_rows)) + missing_at_standin
    extra = sum(1 for key in at_standin if key not in in_db)
    run.duplicates = max(run.duplicates, sum(n - 1 for n in in_db.values() if n > 1) + extra)
    if missing_at_standin:
        run.checks.append(f"{missing_at_standin} rows marked sent have no message at the stand-in")
    if extra:
        run.checks.append(f"{extra} messages at the stand-in belong to no sent row")


def analyse_sends(run: Run, sends: list[dict], t_go: float) -> None:
    stamps = sorted(s["ts"] for s in sends)
    run.sent_at_standin = len(stamps)
    if not stamps:
        return
    run.window_s = stamps[-1] - stamps[0]
    run.go_to_first_s = stamps[0] - t_go
    run.go_to_last_s = stamps[-1] - t_go
    spacing = 1.0 / LIMIT_PER_SECOND
    run.stamps = [round(t - t_go, 4) for t in stamps]
    run.lost_vs_pacing_s = sum(b - a - spacing for a, b in zip(stamps, stamps[1:]) if b - a > 2 * spacing)
    texts = collections.Counter((s["chat_id"], s.get("text")) for s in sends)
    run.duplicates = sum(n - 1 for n in texts.values() if n > 1)


async def start_children(specs: list[dict], tmpdir: Path, tag: str) -> list[tuple[Any, Path]]:
    env = dict(os.environ, NO_PROXY=LOOPBACK, no_proxy=LOOPBACK, PYTHONUNBUFFERED="1")
    out = []
    for i, spec in enumerate(specs):
        err_path = tmpdir / f"{tag}-{i}.stderr"
        with err_path.open("wb") as err:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=err, cwd=str(tmpdir), env=env,
            )
        out.append((proc, err_path))
    for proc, err_path in out:
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), 120)
        except TimeoutError:
            line = b""
        if line.strip() != b"READY":
            raise BenchError(f"a worker did not start:\n{tail(err_path)}")
    return out


def tail(path: Path, last: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-last:])
    except OSError:
        return ""


async def stop_children(children: list[tuple[Any, Path]]) -> None:
    for proc, _ in children:
        if proc.returncode is None:
            if proc.stdin is not None and not proc.stdin.is_closing():
                proc.stdin.close()
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                proc.kill()  # our own child, by its handle
                await proc.wait()


async def one_run(run: Run, args: argparse.Namespace, tmpdir: Path, pg_url: str | None, seq: int) -> None:
    pg: Postgres | None = None
    db_url: str | None = None
    label = f"{run.label} on {run.database}"
    print(f"run {label}: setting up…", file=sys.stderr)
    if run.database == "sqlite":
        db_url = f"sqlite:///{tmpdir / f'fanout-{seq}.sqlite3'}"
    elif run.database == "postgresql":
        assert pg_url is not None
        pg = await asyncio.to_thread(Postgres, pg_url)
        db_url = pg.url
    standin = standin_class()(
        token=TOKEN, bot_username="baocao_bench_bot", rate_limit=True,
        global_per_second=LIMIT_PER_SECOND, per_chat_per_second=PER_CHAT_PER_SECOND, latency=run.latency_ms / 1000,
    )
    children: list[tuple[Any, Path]] = []
    try:
        if db_url is not None:
            await asyncio.to_thread(setup_database, db_url, run.chats, run.per_chat, args.seed)
        await standin.start()
        chat_ids = [FIRST_CHAT + c for c in range(run.chats)]
        for chat_id in chat_ids:  # every focal point has opened the bot before
            standin.user(chat_id, first_name="Đầu mối", language_code="vi")
        common = {"token": standin.token, "base_url": standin.base_url, "max_seconds": args.max_seconds, "send_rate": run.send_rate}
        if db_url is None:
            specs = [dict(common, kind="bare", chats=chat_ids)]
        else:
            specs = [
                dict(common, kind="worker", db=db_url, worker_id=f"bench-{i + 1}", tick_interval=args.tick_interval,
                     previous_dispatch=run.previous_dispatch)
                for i in range(run.workers)
            ]
        children = await start_children(specs, tmpdir, f"run-{seq}")
        print(f"run {label}: sending…", file=sys.stderr)
        t_go = time.monotonic()
        for proc, _ in children:
            proc.stdin.write(b"go\n")
        await asyncio.gather(*(proc.stdin.drain() for proc, _ in children))
        results = []
        for proc, err_path in children:
            out, _ = await asyncio.wait_for(proc.communicate(), args.max_seconds + 30)
            lines = [line for line in out.decode(errors="replace").splitlines() if line.startswith("RESULT ")]
            if proc.returncode != 0 or not lines:
                raise BenchError(f"{label}: a worker failed (exit {proc.returncode}):\n{tail(err_path)}")
            results.append(json.loads(lines[-1][len("RESULT "):]))
            log = tail(err_path)
            if "Traceback" in log or " ERROR " in log:
                print(f"--- {label}: worker stderr (last lines) ---\n{log}", file=sys.stderr)
        run.wall_s = time.monotonic() - t_go
        run.children = results
        sends = [record for record in standin.sent if record["kind"] == "message"]
        run.rate_limited = standin.rate_limited
        other_errors = [e for e in standin.errors if e.get("code") != 429]
        if other_errors:
            run.checks.append(f"{len(other_errors)} other API errors, e.g. {other_errors[:2]}")
        analyse_sends(run, sends, t_go)
        if db_url is not None:
            await asyncio.to_thread(check_database, db_url, run, sends)
        else:
            run.lost = run.rows - len({(s["chat_id"], s.get("text")) for s in sends})
            run.statuses = {"sent": len(sends)}
    finally:
        await stop_children(children)
        await standin.stop()
        if pg is not None:
            await asyncio.to_thread(pg.drop)


def build_runs(args: argparse.Namespace) -> list[Run]:
    databases = ["sqlite"] + ([] if args.pg.lower() == "none" else ["postgresql"])
    single, multi = f"{args.chats}×1", f"{args.multi_chats}×{args.multi_rows}"
    runs: list[Run] = []
    if args.bare:
        runs.append(Run(single, "—", args.chats, 1, 1))
    layouts = [(single, args.chats, 1, 1), (multi, args.multi_chats, args.multi_rows, 1)]
    if args.workers > 1:
        layouts.append((single, args.chats, 1, args.workers))
    # Not the current code: the dispatcher as before commit 64e8b7d (a batch sent in claim order),
    # next to the real C×K runs, to tell what the order by Pacer.ready_at changes.
    previous = "dispatch before 64e8b7d"
    for i, (name, chats, per_chat, workers) in enumerate(layouts):
        order = databases if i % 2 == 0 else list(reversed(databases))
        runs.extend(Run(name, database, chats, per_chat, workers) for database in order)
        if args.what_if and name == multi and workers == 1:
            runs.append(Run(name, "sqlite", chats, per_chat, workers, what_if=previous, previous_dispatch=True))
    for latency in args.latencies:
        # The same real configuration, with the stand-in answering each call `latency` ms later
        # (a round trip to Telegram): the dispatcher's one-message-at-a-time sending pays it.
        if args.bare:
            runs.append(Run(single, "—", args.chats, 1, 1, latency_ms=latency))
        runs.append(Run(single, "sqlite", args.chats, 1, 1, latency_ms=latency))
        runs.append(Run(multi, "sqlite", args.multi_chats, args.multi_rows, 1, latency_ms=latency))
        if args.what_if and latency == args.latencies[-1]:
            runs.append(Run(multi, "sqlite", args.multi_chats, args.multi_rows, 1, latency_ms=latency,
                            what_if=previous, previous_dispatch=True))
    if args.what_if and args.workers > 1:
        # Not the deployed default: the budget divided between the dispatchers, as the setting's
        # help says to do (BAOCAO_SEND_RATE = 29 / workers).
        share = round(29.0 / args.workers, 2)
        runs.append(Run(single, databases[-1], args.chats, 1, args.workers, what_if=f"BAOCAO_SEND_RATE={share:g} each", send_rate=share))
        for latency in args.latencies[-1:]:
            runs.append(Run(single, databases[-1], args.chats, 1, args.workers, what_if=f"BAOCAO_SEND_RATE={share:g} each",
                            send_rate=share, latency_ms=latency))
    return runs


async def run_all(args: argparse.Namespace, tmpdir: Path) -> tuple[dict, list[Run]]:
    pg_info = None
    if args.pg.lower() != "none":
        try:
            probe = await asyncio.to_thread(Postgres, args.pg)
        except Exception as exc:  # noqa: BLE001 - say what to do instead of a traceback
            raise BenchError(f"PostgreSQL at {args.pg} cannot be used ({type(exc).__name__}: {exc}); pass --pg none to skip it") from exc
        pg_info = probe.info
        await asyncio.to_thread(probe.drop)
    machine = describe_machine(tmpdir, pg_info)
    runs = build_runs(args)
    for seq, run in enumerate(runs):
        await one_run(run, args, tmpdir, None if args.pg.lower() == "none" else args.pg, seq)
        await asyncio.sleep(args.pause)  # let the machine settle between runs
    machine["loadavg_end"] = os.getloadavg()
    return machine, runs


# -- report ---------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None or value != value:
        return "—"
    return f"{value:.{digits}f}"


def ceiling(r: Run) -> str:
    """Each worker sends one message at a time: claim share + send + outcome write per message
    (its own time, not the pacer's sleeps) bounds its rate."""
    out = []
    for c in r.children:
        timers = c.get("timers") or {}
        busy = c.get("send", {}).get("total_s", 0.0) + sum(timers.get(k, {}).get("total_s", 0.0) for k in ("claim", "outcome"))
        n = c.get("send", {}).get("calls", 0)
        if n:
            per = busy / n
            out.append(f"{per * 1000:.1f} ({1 / per:.0f})")
    return " + ".join(out) if out else "—"


def report(machine: dict, runs: list[Run], args: argparse.Namespace) -> str:
    pg = machine.get("postgresql")
    packages = ", ".join(f"{k} {v}" for k, v in machine["packages"].items())
    lines = [
        f"Machine: {machine['nproc']} cores ({machine['cpu']}), {machine['memory']} RAM, Linux {machine['kernel']}; "
        f"Python {machine['python']}; {packages}; SQLite {machine['sqlite']} on {machine['sqlite_fs']}; "
        + (f"PostgreSQL {pg['version']} on 127.0.0.1 (fsync={pg['fsync']}, synchronous_commit={pg['synchronous_commit']}); " if pg else "no PostgreSQL; ")
        + f"load average {machine['loadavg_start'][0]:.2f} at start, {machine.get('loadavg_end', (float('nan'),))[0]:.2f} at end; "
        f"{machine['date']}; commit {machine['commit']}.",
        "",
        f"Stand-in limits: {LIMIT_PER_SECOND:g} sends/s overall, {PER_CHAT_PER_SECOND:g}/s per chat (sliding 1 s window, 429 + retry_after). "
        f"Workers re-tick every {args.tick_interval:g} s until no row is pending; each sends one message at a time, paced at its "
        "channel's per_second (BAOCAO_SEND_RATE, default 29/s) and 1.05 s per chat. Latency runs: every Bot API call answered that "
        "much later (half before the stand-in sees it). Rate = (n - 1) / (last send - first send) at the stand-in.",
        "",
        "| run | database | rows | sent | rate msgs/s | ÷ 30/s | from start signal: msgs/s (÷ 30) | first send after s | 429s | rows retried | lost | duplicates | wall s | worker CPU ms/msg |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        n = r.sent_at_standin or 1
        lines.append(
            f"| {r.label} | {r.database} | {r.rows} | {r.statuses.get('sent', 0)} | {fmt(r.rate)} | {fmt(r.rate / LIMIT_PER_SECOND, 2)} | "
            f"{fmt(r.rate_from_go)} ({fmt(r.rate_from_go / LIMIT_PER_SECOND, 2)}) | {fmt(r.go_to_first_s, 2)} | {r.rate_limited} | "
            f"{r.retried_rows if r.database != '—' else sum(c['dispatch'].get('retried', 0) for c in r.children)} | {r.lost} | {r.duplicates} | "
            f"{fmt(r.wall_s)} | {fmt(r.cpu_s / n * 1000)} |"
        )
    lines += [
        "",
        "Where the workers' time went (sums over the workers of a run; ms are per call):",
        "",
        "| run | database | ticks | planning s (first tick) | claims (rows; empty) | claim mean / max ms | outcome writes | outcome p50 / p95 / max ms | send (HTTP) p50 / p95 ms | Pacer sleep s | time lost vs 30/s spacing s | one at a time: ms per message (ceiling msgs/s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        ticks = sum(c.get("ticks", c.get("rounds", 0)) for c in r.children)
        timers = [c.get("timers") or {} for c in r.children]
        plan_first = [t["plan"]["max_ms"] / 1000 for t in timers if t.get("plan", {}).get("calls")]
        claim_calls = sum(t.get("claim", {}).get("calls", 0) for t in timers)
        claim_rows = sum(t.get("claim", {}).get("items", 0) for t in timers)
        claim_empty = sum(t.get("claim", {}).get("empty", 0) for t in timers)
        claim_total = sum(t.get("claim", {}).get("total_s", 0.0) for t in timers)
        claim_max = max((t.get("claim", {}).get("max_ms") or 0.0 for t in timers), default=0.0)
        outcome_calls = sum(t.get("outcome", {}).get("calls", 0) for t in timers)
        out_p = [t["outcome"] for t in timers if t.get("outcome", {}).get("calls")]
        send = [c["send"] for c in r.children if c.get("send", {}).get("calls")]
        lines.append(
            f"| {r.label} | {r.database} | {ticks} | {fmt(max(plan_first), 2) if plan_first else '—'} | "
            f"{claim_calls} ({claim_rows}; {claim_empty}) | {fmt(claim_total / claim_calls * 1000 if claim_calls else None)} / {fmt(claim_max)} | "
            f"{outcome_calls} | "
            + (" / ".join(fmt(max(o[k] for o in out_p)) for k in ("p50_ms", "p95_ms", "max_ms")) if out_p else "—")
            + " | "
            + (" / ".join(fmt(max(s[k] for s in send)) for k in ("p50_ms", "p95_ms")) if send else "—")
            + f" | {fmt(sum(c.get('pacer_sleep_s', 0.0) for c in r.children))} | {fmt(r.lost_vs_pacing_s)} | {ceiling(r)} |"
        )
    problems = [f"{r.label} on {r.database}: {c}" for r in runs for c in r.checks]
    if problems:
        lines += ["", "Checks that failed: " + "; ".join(problems) + "."]
    else:
        lines += ["", "Checks: every outbox row is 'sent' once, its message_id is a message at the stand-in, and no (chat, text) arrived twice."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chats", type=int, default=600, help="distinct chats of the N×1 runs, one reminder each (default 600)")
    parser.add_argument("--multi", default="200x3", help="chats × rows per chat of the multi-row run (default 200x3)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the last run; 1 leaves it out (default 2)")
    parser.add_argument("--bare", action=argparse.BooleanOptionalAction, default=True, help="the 'no database' reference run (default: on)")
    parser.add_argument(
        "--what-if", action=argparse.BooleanOptionalAction, default=True,
        help="also run two workers with the send budget divided between them (BAOCAO_SEND_RATE = 29 / workers), "
        "without and with the largest --latency, and the C×K run on SQLite with the dispatcher as before commit 64e8b7d "
        "(a batch sent in claim order, drain to an empty claim), without and with the largest --latency (default: on)",
    )
    parser.add_argument(
        "--latency", default="50,100", metavar="MS[,MS…]",
        help="simulated network latencies per Bot API call for the latency runs (600×1 and 200×3 on SQLite, and the "
        "no-database reference), comma-separated; 0 or '' leaves them out (default 50,100)",
    )
    parser.add_argument("--pg", default=DEFAULT_PG, help=f"PostgreSQL server URL; a fresh database per run is created there and dropped (default {DEFAULT_PG}; 'none' to skip)")
    parser.add_argument("--tick-interval", type=float, default=0.5, help="seconds between a worker's ticks while rows remain (default 0.5; the bot ticks every 60 s)")
    parser.add_argument("--pause", type=float, default=2.0, help="seconds between runs (default 2)")
    parser.add_argument("--seed", type=int, default=4, help="seed of the agencies given to each chat of the multi-row run (default 4)")
    parser.add_argument("--max-seconds", type=float, default=900.0, help="the whole run, and each worker, stop after this (default 900)")
    parser.add_argument("--json", metavar="FILE", help="also write the raw figures as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_entry(json.loads(args.child))
    try:
        chats, rows = (int(x) for x in args.multi.lower().replace("×", "x").split("x"))
    except ValueError:
        parser.error("--multi takes CHATSxROWS, e.g. 200x3")
    args.multi_chats, args.multi_rows = chats, rows
    try:
        args.latencies = [float(x) for x in args.latency.split(",") if x.strip() and float(x) > 0]
    except ValueError:
        parser.error("--latency takes milliseconds, e.g. 50,100")
    if args.chats < 2 or chats < 2 or rows < 1 or args.workers < 1:
        parser.error("need --chats >= 2, --multi with >= 2 chats and >= 1 row, --workers >= 1")
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = LOOPBACK
    tmpdir = Path(tempfile.mkdtemp(prefix="baocao-fanout-"))
    started = time.monotonic()
    try:
        async def bounded() -> tuple[dict, list[Run]]:
            async with asyncio.timeout(args.max_seconds):
                return await run_all(args, tmpdir)

        machine, runs = asyncio.run(bounded())
    except (BenchError, TimeoutError) as exc:
        print(f"benchmark failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    print(report(machine, runs, args))
    print(f"\n(total run time {time.monotonic() - started:.0f} s)")
    if args.json:
        raw = {
            "machine": machine,
            "args": {k: v for k, v in vars(args).items() if k not in ("child", "pg")},
            "runs": [
                {
                    "label": r.label, "what_if": r.what_if, "send_rate": r.send_rate, "latency_ms": r.latency_ms,
                    "stamps": r.stamps, "database": r.database, "rows": r.rows, "chats": r.chats, "per_chat": r.per_chat,
                    "workers": r.workers, "sent_at_standin": r.sent_at_standin, "window_s": r.window_s,
                    "rate": r.rate, "rate_from_go": r.rate_from_go, "go_to_first_s": r.go_to_first_s,
                    "go_to_last_s": r.go_to_last_s, "wall_s": r.wall_s, "rate_limited": r.rate_limited,
                    "lost_vs_pacing_s": r.lost_vs_pacing_s, "lost": r.lost, "duplicates": r.duplicates,
                    "statuses": r.statuses, "retried_rows": r.retried_rows, "children": r.children, "checks": r.checks,
                }
                for r in runs
            ],
        }
        Path(args.json).write_text(json.dumps(raw, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if not any(r.checks for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
