#!/usr/bin/env python
"""Benchmark (issue 3): focal points' replies end to end, through the Bot API stand-in.

    python benchmarks/replies.py [--replies N] [--users U] [--pg URL | --pg none]

What runs
    The parent process plays Telegram: one :class:`baocao.demo.telegram_api.BotApiStandIn` per bot on
    127.0.0.1 (no Telegram rate limits) and the simulated focal points. Each bot runs in its
    OWN child process (this script with ``--child``), polling its stand-in with the real
    python-telegram-bot stack, so its memory can be read from ``/proc/<pid>/status``:

    * ``echo``        a minimal PTB bot with the same Bot API traffic as baocao (text ->
                      sendMessage with an inline keyboard; button -> answerCallbackQuery +
                      sendMessage), no database: the framework's ceiling on this stand-in;
    * ``sqlite``      the real baocao Application (``bot.telegram.build_application``) on a
                      migrated SQLite file in a temporary directory;
    * ``postgresql``  the same on a fresh PostgreSQL database (``storage.db.upgrade``) that
                      is created for the run and dropped at the end.

    The baocao children do what ``baocao run`` does (open_database, Conversation, sync_plan,
    build_application, post_init, polling) with three differences: a fixed clock
    (2024-03-06 09:00 +07:00, so every reply lands on 2024-Q1), a per-user rate limit high
    enough never to trigger, and no reminder ticker (where build_application has one): its
    reminders would land in the chats being measured. Like the stand-in, they run without
    PTB's AIORateLimiter; a fourth
    bot, ``sqlite+limiter``, keeps it on as deployed (it caps sends at 30/s overall;
    ``--no-limiter-row`` leaves it out).

What is measured (one "reply" = a report text and its confirmation)
    A focal point sends a varied report ("NV4: đang thực hiện 70%, vướng kinh phí"), waits
    for the bot's confirmation echo ("kiểm tra nội dung"), presses ✅ and waits for
    "Đã ghi nhận" (the report is stored). Latencies run from the simulated send/press to the
    moment the stand-in records the bot's sendMessage (same process, same monotonic clock).

    * under load: ``--users`` focal points reply at once, each waiting for its answers
      (closed loop), ``--replies`` replies per bot -> replies/s and p50/p95;
    * one at a time: ``--single`` replies, one focal point at a time -> p50/p95 without queue;
    * CPU seconds per reply of the bot process (and of its PostgreSQL backends) and of the
      stand-in process, resident memory idle (after start-up) and under load.

    Bots are measured in alternating rounds (``--rounds``), so that drift of the shared
    machine falls on all of them alike; compare the ratios, not absolute figures across runs.
    Everything stays on loopback, counts are bounded, and the run stops by itself
    (``--max-seconds``); children exit when the parent closes their stdin or dies.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import inspect
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


def build_echo_application(token: str, base_url: str, rate_limiter: bool) -> Any:
    """The framework's ceiling: the same Bot API calls as baocao, no core, no database."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.constants import ParseMode
    from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, Defaults, TypeHandler

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

    builder = (
        ApplicationBuilder().token(token).base_url(base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML)).concurrent_updates(False)
    )
    if rate_limiter:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    app = builder.build()
    app.add_handler(TypeHandler(Update, on_update))
    return app


def build_baocao_application(spec: dict) -> Any:
    """What ``baocao run`` builds, with a fixed clock and a rate limit that never triggers."""
    from common.clock import FixedClock
    from bot.conversation import Conversation, ConversationConfig
    from bot.telegram import build_application
    from scheduler.calendar import WorkingCalendar
    from scheduler.plan import load_plan
    from common.paths import data_file
    from storage.db import open_database

    engine = open_database(spec["db"])
    conversation = Conversation(
        engine=engine,
        plan=load_plan(data_file("plan.json")),
        calendar=WorkingCalendar.load(),
        clock=FixedClock(BENCH_NOW),
        config=ConversationConfig(bot_username="baocao_bench_bot", rate_limit=1_000_000_000),
    )
    conversation.sync_plan()
    options: dict[str, Any] = {}
    if "tick_interval_s" in inspect.signature(build_application).parameters:
        # The reminder ticker would send reminders into the focal points' chats (the clock
        # stands a week before the Q1 due date) and mix them into the answers measured here.
        options["tick_interval_s"] = None
    return build_application(
        conversation,
        token=spec["token"],
        base_url=spec["base_url"],
        timezone=ICT,
        spool_path=Path(spec["spool"]),
        rate_limiter=spec["limiter"],
        **options,
    )


async def child_main(spec: dict) -> None:
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if spec["kind"] == "echo":
        app = build_echo_application(spec["token"], spec["base_url"], spec["limiter"])
    else:
        app = build_baocao_application(spec)
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
    async with app:
        if app.post_init is not None:
            await app.post_init(app)  # run_polling() calls it; start_polling() does not
        await app.updater.start_polling(poll_interval=0, timeout=10)
        await app.start()
        print("READY", flush=True)
        try:
            await asyncio.wait_for(stop.wait(), spec["max_seconds"])
        except TimeoutError:
            print("child: time limit reached, stopping", file=sys.stderr, flush=True)
        await app.updater.stop()
        await app.stop()


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
    limiter: bool = False
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
    bot_cpu: float = 0.0
    pg_cpu: float | None = None
    standin_cpu: float = 0.0
    cycles_total: int = 0


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
    """Migrate, copy the plan in (sync_plan) and bind ``n_users`` focal points to agencies."""
    from sqlmodel import select

    from common.clock import FixedClock
    from common.paths import data_file
    from bot.conversation import Conversation
    from scheduler.calendar import WorkingCalendar
    from scheduler.plan import load_plan
    from storage.db import open_database, session_scope, upgrade
    from storage.models import Contact, ContactRole, Obligation, ObligationStatus

    upgrade(url)
    engine = open_database(url)
    plan = load_plan(data_file("plan.json"))
    conversation = Conversation(engine=engine, plan=plan, calendar=WorkingCalendar.load(), clock=FixedClock(BENCH_NOW))
    conversation.sync_plan()
    order = {agency.id: i for i, agency in enumerate(plan.agencies)}
    with session_scope(engine) as session:
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
                    chat_id=str(user_id), user_id=str(user_id), display_name=f"Đầu mối {i + 1}",
                    agency_id=agency_id, role=ContactRole.FOCAL, created_at=BENCH_NOW,
                )
            )
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


async def one_reply(variant: Variant, user_id: int, text: str, timeout: float) -> tuple[float, float]:
    """Send a report, check the echo, press ✅, check the stored message; the two latencies."""
    tg = variant.standin
    user = tg.user(user_id, first_name="Đầu mối", language_code="vi")
    sent = time.monotonic()
    user.send(text)
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
    user.press(echo, data)
    stored = await tg.wait_for(user_id, None, timeout)
    if STORED_MARK not in (stored.get("plain") or ""):
        raise BenchError(f"{variant.name}: unexpected answer to ✅: {stored.get('plain')!r}")
    variant.cycles_total += 1
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


async def load_phase(variant: Variant, jobs: list[tuple[int, str]], pg: Postgres | None, timeout: float) -> None:
    by_user: dict[int, list[str]] = {}
    for user_id, text in jobs:
        by_user.setdefault(user_id, []).append(text)

    async def focal_point(user_id: int, texts: list[str]) -> list[tuple[float, float]]:
        return [await one_reply(variant, user_id, text, timeout) for text in texts]

    pid = variant.proc.pid
    pg_before = await asyncio.to_thread(pg.backend_cpu) if pg is not None else None
    bot_before, me_before = proc_cpu(pid) or 0.0, self_cpu()
    with Sampler(pid) as sampler:
        started = time.monotonic()
        results = await asyncio.gather(*(focal_point(u, t) for u, t in by_user.items()))
        wall = time.monotonic() - started
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


async def single_phase(variant: Variant, jobs: list[tuple[int, str]], timeout: float) -> None:
    for user_id, text in jobs:
        t_echo, t_press = await one_reply(variant, user_id, text, timeout)
        variant.single_text.append(t_echo)
        variant.single_press.append(t_press)


# -- children -------------------------------------------------------------------------------


async def start_child(variant: Variant, tmpdir: Path, max_seconds: float, focals: list[Focal]) -> None:
    from baocao.demo.telegram_api import BotApiStandIn

    index = {"echo": 1, "sqlite": 2, "postgresql": 3}.get(variant.name, 4)
    variant.standin = BotApiStandIn(token=f"{700000 + index}:BENCH-{index}", bot_username="baocao_bench_bot")
    await variant.standin.start()
    for focal in focals:  # every focal point has opened the bot before
        variant.standin.user(focal.user_id, first_name="Đầu mối", language_code="vi")
    spec = {
        "kind": variant.kind,
        "token": variant.standin.token,
        "base_url": variant.standin.base_url,
        "db": variant.db_url,
        "limiter": variant.limiter,
        "spool": str(tmpdir / f"spool-{variant.name}.jsonl"),
        "max_seconds": max_seconds,
    }
    env = dict(os.environ, NO_PROXY=LOOPBACK, no_proxy=LOOPBACK, PYTHONUNBUFFERED="1")
    variant.stderr_path = tmpdir / f"{variant.name}.stderr"
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
    if line.strip() != b"READY":
        raise BenchError(f"{variant.name}: the bot did not start:\n{child_log(variant)}")
    variant.startup_s = time.monotonic() - started


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
    if variant.standin is not None:
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
    from scheduler.plan import load_plan
    from common.paths import data_file
    from storage.db import dispose_all

    pg: Postgres | None = None
    variants = [Variant("echo", "echo")]
    try:
        sqlite_url = f"sqlite:///{tmpdir / 'bench.sqlite3'}"
        print("setting up SQLite…", file=sys.stderr)
        focals = await asyncio.to_thread(setup_database, sqlite_url, args.users)
        variants.append(Variant("sqlite", "baocao", sqlite_url))
        if args.pg.lower() != "none":
            print("setting up PostgreSQL…", file=sys.stderr)
            try:
                pg = await asyncio.to_thread(Postgres, args.pg)
            except Exception as exc:  # noqa: BLE001 - say what to do instead of a traceback
                raise BenchError(f"PostgreSQL at {args.pg} cannot be used ({type(exc).__name__}: {exc}); pass --pg none to skip it") from exc
            pg_focals = await asyncio.to_thread(setup_database, pg.url, args.users)
            assert [(f.user_id, f.agency_id) for f in pg_focals] == [(f.user_id, f.agency_id) for f in focals]
            variants.append(Variant("postgresql", "baocao", pg.url))
        if args.limiter_row:
            limited_url = f"sqlite:///{tmpdir / 'bench-limiter.sqlite3'}"
            await asyncio.to_thread(setup_database, limited_url, args.users)
            variants.append(Variant("sqlite+limiter", "baocao", limited_url, limiter=True))
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
        load_rounds = split(jobs(args.replies), args.rounds)

        for variant in variants:
            print(f"starting the {variant.name} bot…", file=sys.stderr)
            await start_child(variant, tmpdir, args.max_seconds, focals)
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
                await load_phase(variant, load_rounds[r], pg if variant.name == "postgresql" else None, args.timeout)

        for variant in variants:
            errors = variant.standin.errors
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
        finally:
            if pg is not None:
                await asyncio.to_thread(pg.drop)
    for variant in variants:
        if variant.name in counted and counted[variant.name] != variant.cycles_total:
            raise BenchError(f"{variant.name}: {variant.cycles_total} replies confirmed but {counted[variant.name]} reports stored")
    machine["reports_checked"] = counted
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
        f"{args.single} one at a time, in {args.rounds} alternating rounds, after {args.users} warm-up replies; "
        "PTB's AIORateLimiter off except in 'sqlite+limiter'. One reply = report text -> confirmation echo, then ✅ -> 'Đã ghi nhận' (stored).",
        "",
        "| bot | replies/s under load (updates/s) | vs echo | text→echo p50 / p95 ms | ✅→stored p50 / p95 ms | one at a time: text→echo p50 / p95 ms | ✅→stored p50 / p95 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for v in variants:
        rate = v.load_replies / v.load_wall if v.load_wall else float("nan")
        lines.append(
            f"| {v.name} | {rate:.1f} ({2 * rate:.0f}) | {rate / echo_rate:.2f} | "
            f"{ms(percentile(v.load_text, 50))} / {ms(percentile(v.load_text, 95))} | "
            f"{ms(percentile(v.load_press, 50))} / {ms(percentile(v.load_press, 95))} | "
            f"{ms(percentile(v.single_text, 50))} / {ms(percentile(v.single_text, 95))} | "
            f"{ms(percentile(v.single_press, 50))} / {ms(percentile(v.single_press, 95))} |"
        )
    lines += [
        "",
        "| bot | bot process CPU ms/reply | PostgreSQL backend CPU ms/reply | stand-in + users CPU ms/reply | start-up s | RSS idle MiB | RSS peak under load MiB | VmHWM MiB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for v in variants:
        n = v.load_replies or 1
        pg_cpu = "—" if v.pg_cpu is None else ("n/a" if v.pg_cpu != v.pg_cpu else f"{v.pg_cpu / n * 1000:.1f}")
        lines.append(
            f"| {v.name} | {v.bot_cpu / n * 1000:.1f} | {pg_cpu} | {v.standin_cpu / n * 1000:.1f} | {v.startup_s:.1f} | "
            f"{mib(v.rss_idle_kb)} | {mib(v.rss_load_max_kb)} | {mib(v.hwm_kb)} |"
        )
    lines += ["", "Replies/s per round (drift of the shared machine): " + "; ".join(f"{v.name} " + " / ".join(f"{r:.1f}" for r in v.round_rates) for v in variants) + "."]
    checked = machine.get("reports_checked") or {}
    if checked:
        lines += ["", "Reports stored, counted in the database after the run: " + ", ".join(f"{k} {v}" for k, v in checked.items()) + " (= replies confirmed)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replies", type=int, default=300, help="replies per bot under load (default 300)")
    parser.add_argument("--users", type=int, default=30, help="focal points replying at once (default 30)")
    parser.add_argument("--single", type=int, default=100, help="replies per bot sent one at a time (default 100)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds over the bots (default 5)")
    parser.add_argument("--pg", default=DEFAULT_PG, help=f"PostgreSQL server URL; a fresh database is created there and dropped (default {DEFAULT_PG}; 'none' to skip)")
    parser.add_argument(
        "--limiter-row", action=argparse.BooleanOptionalAction, default=True,
        help="also measure baocao on SQLite with PTB's AIORateLimiter on, as deployed (30 sends/s overall); the other bots run without it (default: on)",
    )
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
    if args.users < 1 or args.replies < args.rounds or args.single < 0 or args.rounds < 1:
        parser.error("need --users >= 1, --rounds >= 1, --replies >= --rounds, --single >= 0")
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
                    "bot_cpu_s": v.bot_cpu, "pg_cpu_s": v.pg_cpu, "standin_cpu_s": v.standin_cpu,
                    "startup_s": v.startup_s, "rss_idle_kb": v.rss_idle_kb,
                    "rss_load_max_kb": v.rss_load_max_kb, "vmhwm_kb": v.hwm_kb, "round_rates": v.round_rates,
                }
                for v in variants
            ],
        }
        Path(args.json).write_text(json.dumps(raw, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
