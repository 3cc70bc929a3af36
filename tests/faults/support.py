"""What the fault cases share: the bot as a process (``python -m baocao run``) or in-process
(:class:`baocao.runtime.Runtime`), focal points bound directly in the database, a TCP proxy in
front of PostgreSQL that can drop or hang every connection, and the checks every case ends
with (no error reply, nothing twice beyond the stated bound).

Everything listens on 127.0.0.1 and every wait has a deadline, so a case that goes wrong fails
(with what was sent so far) instead of hanging the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlmodel import col, select

ICT = timezone(timedelta(hours=7))
START = datetime(2024, 3, 6, 9, 0, tzinfo=ICT)  # a Wednesday, D-7 of quý I: reports are due
ECHO = "kiểm tra nội dung"  # the confirmation prompt (echo) of a report
STORED = "Đã ghi nhận"
BUSY = "tạm thời gián đoạn"  # bot.inbox.BUSY_TEXT: "the message is kept"
# Never in anything the bot sends, nor in any process's output.
ERROR_TEXTS = ("Xin lỗi, hệ thống gặp lỗi", "database is locked")
TAG = re.compile(r"tin (\d+)-(\d+)")


# --- the plan ----------------------------------------------------------------------------------


@cache
def plan() -> Any:
    from common.paths import BUNDLED_DATA_DIR
    from scheduler.plan import load_plan

    return load_plan(BUNDLED_DATA_DIR / "plan.json")


@cache
def calendar() -> Any:
    from scheduler.calendar import WorkingCalendar

    return WorkingCalendar.load()


@cache
def q1_duties() -> list[tuple[str, str]]:
    """(agency id, one of its tasks) for every agency that reports quý I 2024, plan order."""
    from scheduler.deadlines import obligations

    return [(o.agency_id, o.tasks[0].no) for o in obligations(plan(), calendar(), 2024) if o.period_code == "Q1"]


def bind_focal_points(
    engine: Any, users: dict[Any, str], *, now: datetime = START, role: str = "focal", channel: str = "telegram"
) -> dict[Any, int]:
    """Each user id (Telegram's, or ``channel``'s) bound to its agency as focal point (or
    ``role``), through an invitation code created and redeemed in the database; returns user
    id → contact id."""
    from bot.invitations import create_invitation, redeem
    from scheduler.sync import sync_agencies
    from storage.db import session_scope

    contacts: dict[int, int] = {}
    with session_scope(engine, write=True) as session:
        sync_agencies(session, plan(), now=now)
        for user, agency in users.items():
            _, code = create_invitation(session, agency_id=agency, role=role, created_by="faults", now=now)
            result = redeem(
                session, code, channel=channel, chat_id=str(user), user_id=str(user),
                display_name=f"Đầu mối {user}", language="vi", now=now,
            )
            assert result.contact is not None, result
            contacts[user] = result.contact.id
    return contacts


# --- what was sent -----------------------------------------------------------------------------


def text_of(record: dict[str, Any]) -> str:
    return record.get("plain") or record.get("text") or ""


def to(tg: Any, chat_id: int, needle: str | None = None, *, after: int = -1) -> list[dict[str, Any]]:
    """Messages sent to ``chat_id`` (containing ``needle``) after sequence number ``after``."""
    return [
        r for r in tg.sent
        if r["chat_id"] == chat_id and r["seq"] > after and r["kind"] == "message" and (needle is None or needle in text_of(r))
    ]


def echo_tags(tg: Any) -> Counter[str]:
    """How many times each tagged report ("… tin 6001-07") was echoed."""
    tags: Counter[str] = Counter()
    for record in tg.sent:
        text = text_of(record)
        if ECHO in text:
            for match in TAG.finditer(text):
                tags[match.group(0)] += 1
    return tags


def button(record: dict[str, Any], prefix: str) -> str:
    return next(
        b["callback_data"] for row in record["reply_markup"]["inline_keyboard"] for b in row if b["text"].startswith(prefix)
    )


def assert_no_error_reply(tg: Any, *outputs: str) -> None:
    for record in tg.sent:
        for bad in ERROR_TEXTS:
            assert bad not in text_of(record), f"error reply to {record['chat_id']}: {text_of(record)!r}"
    for output in outputs:
        for bad in ERROR_TEXTS:
            assert bad not in output, f"{bad!r} in a process's output:\n{_around(output, bad)}"


def _around(text: str, needle: str, width: int = 1500) -> str:
    at = text.find(needle)
    return text[max(0, at - width) : at + width]


async def until(
    condition: Callable[[], bool], timeout: float, what: str, *, every: float = 0.05, dump: Callable[[], str] | None = None
) -> float:
    """Wait until ``condition()`` (checked every ``every`` s); returns the seconds it took.
    AssertionError after ``timeout``."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            detail = f"\n{dump()}" if dump is not None else ""
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{detail}")
        await asyncio.sleep(every)
    return time.monotonic() - started


# --- the database ------------------------------------------------------------------------------


def rows(engine: Any, model: Any, *where: Any) -> list[Any]:
    from storage.db import session_scope

    with session_scope(engine) as session:
        return list(session.exec(select(model).where(*where).order_by(col(model.id))).all())


def outbox_busy(engine: Any) -> list[Any]:
    from storage.models import Outbox

    return rows(engine, Outbox, col(Outbox.status).in_(["pending", "sending"]))


# --- the bot as a process ----------------------------------------------------------------------


class VirtualTime:
    """The ``--now`` of a process started later in the same story: a restarted bot goes on
    from where the killed one was (its leases and its queued answers are reckoned in it)."""

    def __init__(self, start: datetime = START) -> None:
        self.start = start
        self.t0 = time.monotonic()

    def now(self, ahead: timedelta = timedelta(0)) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.t0) + ahead

    def arg(self, ahead: timedelta = timedelta(0)) -> str:
        return self.now(ahead).astimezone(ICT).strftime("%Y-%m-%dT%H:%M:%S")


def _process_env(database_url: str, tmp_path: Path, channel: dict[str, str], extra: dict[str, str]) -> dict[str, str]:
    """The environment of a bot process: nothing of this machine's own baocao or channel
    settings, the test's database and folders, no rate limit per person, and ``channel``'s."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BAOCAO_", "TELEGRAM_", "ZALO_"))}
    env.update(
        BAOCAO_DATABASE_URL=database_url,
        BAOCAO_SPOOL_PATH=str(tmp_path / "spool.jsonl"),
        BAOCAO_FILES_PATH=str(tmp_path / "files"),
        BAOCAO_RATE_LIMIT="100000",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
    )
    env.update(channel)
    env.update(extra)
    return env


def bot_env(tg: Any, database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a bot on Telegram alone (the stand-in's address and token)."""
    channel = {
        "TELEGRAM_BOT_TOKEN": tg.token,
        "TELEGRAM_API_BASE_URL": tg.base_url,
        "TELEGRAM_BOT_USERNAME": tg.bot_username,
        "BAOCAO_SEND_RATE": "30",
    }
    return _process_env(database_url, tmp_path, channel, extra)


def zalo_env(zalo: Any, database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a bot on Zalo alone (the stand-in's address and token)."""
    channel = {
        "ZALO_BOT_TOKEN": zalo.token,
        "ZALO_API_BASE_URL": zalo.base_url,
        "ZALO_BOT_NAME": zalo.bot_name,
        "BAOCAO_ZALO_SEND_RATE": "30",
    }
    return _process_env(database_url, tmp_path, channel, extra)


class Process:
    """``python -m baocao --now … <args>``, output to a file (kept after a kill -9)."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path, now: str, name: str) -> None:
        self.args, self.env, self.cwd, self.now, self.name = args, env, cwd, now, name
        self.log = cwd / f"{name}.log"
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> Process:
        with self.log.open("ab") as out:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "baocao", "--now", self.now, *self.args,
                cwd=self.cwd, env=self.env, stdout=out, stderr=asyncio.subprocess.STDOUT,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode if self.proc is not None else None

    def output(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    async def wait(self, timeout: float) -> int:
        assert self.proc is not None
        try:
            return await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            raise AssertionError(f"{self.name} did not end within {timeout:.0f} s:\n{self.output()[-3000:]}") from None

    async def kill9(self) -> None:
        assert self.proc is not None
        if self.proc.returncode is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        await self.proc.wait()

    async def stop(self, timeout: float = 30) -> int:
        """Ctrl+C, as an admin stops the bot."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGINT)
        return await self.wait(timeout)


async def run_cli(args: list[str], env: dict[str, str], cwd: Path, now: str, name: str, timeout: float = 60) -> tuple[int, str]:
    process = await Process(args, env, cwd, now, name).start()
    code = await process.wait(timeout)
    return code, process.output()


@contextlib.asynccontextmanager
async def bot_process(env: dict[str, str], cwd: Path, now: str, name: str = "bot") -> AsyncIterator[Process]:
    process = await Process(["run"], env, cwd, now, name).start()
    try:
        yield process
    finally:
        if process.returncode is None:
            with contextlib.suppress(AssertionError):
                await process.stop()


# --- the bot in-process ------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def inprocess_bot(
    tg: Any,
    engine: Any,
    tmp_path: Path,
    *,
    clock: Any = None,
    plan_path: Path | None = None,
    spool_interval: float = 5.0,
    plan_interval: float | None = None,
    start: bool = True,
) -> AsyncIterator[Any]:
    """Services + Runtime against the stand-in (as ``baocao run`` wires them), with a clock
    that moves (retries and leases are reckoned in it)."""
    from baocao.config import Settings
    from baocao.runtime import Runtime
    from baocao.services import Services
    from bot.channels.telegram import TelegramChannel
    from common.clock import OffsetClock
    from common.paths import BUNDLED_DATA_DIR
    from scheduler.plan import load_plan

    path = plan_path or BUNDLED_DATA_DIR / "plan.json"
    channel = TelegramChannel(tg.token, base_url=tg.base_url, base_file_url=tg.base_file_url, poll_timeout=1, username=tg.bot_username)
    services = Services(
        Settings(spool_path=tmp_path / "spool.jsonl", files_path=tmp_path / "files", rate_limit=100000, plan_path=path),
        clock or OffsetClock(START),
        channels={"telegram": channel},
        engine=engine,
        plans=load_plan(path),
        calendar=calendar(),
    )
    channel.files = services.files
    services.sync()
    runtime = Runtime(services, tick_interval=0, spool_interval=spool_interval, plan_interval=plan_interval)
    services.runtime = runtime
    if start:
        async with asyncio.timeout(30):
            await runtime.start()
    try:
        yield services
    finally:
        async with asyncio.timeout(40):
            await runtime.stop()


class DatabaseSwitch:
    """An in-process engine made unusable: every connection checkout fails as a vanished
    server's would (``DatabaseUnavailable``), until switched on again."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.is_down = False

    def _refuse(self, *_: Any) -> None:
        from storage.db import DatabaseUnavailable

        raise DatabaseUnavailable(self.engine.url, "connection refused (fault suite)")

    def down(self) -> None:
        from sqlalchemy import event

        if not self.is_down:
            event.listen(self.engine, "checkout", self._refuse)
            self.is_down = True

    def up(self) -> None:
        from sqlalchemy import event

        if self.is_down:
            event.remove(self.engine, "checkout", self._refuse)
            self.is_down = False


# --- a proxy in front of PostgreSQL ------------------------------------------------------------


class PgProxy:
    """A TCP proxy on 127.0.0.1 in front of the PostgreSQL server.

    - :meth:`down`: stop listening (connections are refused) and drop every connection;
    - :meth:`hang`: accept and never answer: bytes are no longer forwarded either way, new
      connections are accepted and left waiting (a hung server, a stalled network);
    - :meth:`up`: listen again / forward again (what a hang held back then flows on).
    """

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.upstream = (parsed.host or "127.0.0.1", parsed.port or 5432)
        self.url = url
        self.port = 0
        self.server: asyncio.base_events.Server | None = None
        self.flowing = asyncio.Event()
        self.flowing.set()
        self.conns: set[asyncio.StreamWriter] = set()
        self.tasks: set[asyncio.Task[Any]] = set()
        self.accepted = 0

    @property
    def proxied_url(self) -> str:
        return make_url(self.url).set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    async def start(self) -> PgProxy:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        task = asyncio.current_task()
        if task is not None:
            self.tasks.add(task)
        self.conns.add(writer)
        up_writer: asyncio.StreamWriter | None = None
        try:
            await self.flowing.wait()
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
            self.conns.add(up_writer)
            await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer))
        except (OSError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self.tasks.discard(task)  # type: ignore[arg-type]
            for w in (writer, up_writer):
                if w is not None:
                    self.conns.discard(w)
                    w.close()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                await self.flowing.wait()
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            with contextlib.suppress(OSError, RuntimeError):
                if writer.can_write_eof():
                    writer.write_eof()

    async def down(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in list(self.conns):
            writer.transport.abort()
        self.conns.clear()
        self.flowing.set()

    def hang(self) -> None:
        self.flowing.clear()

    async def up(self) -> None:
        self.flowing.set()
        if self.server is None:
            self.server = await asyncio.start_server(self._client, "127.0.0.1", self.port)

    async def close(self) -> None:
        await self.down()
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=5)


def count_duplicates(counts: Iterable[int]) -> int:
    return sum(n - 1 for n in counts if n > 1)


def figures(case: str, **values: Any) -> None:
    """The case's measured figures, one line (``pytest -rP`` shows it; docs/reliability.md
    quotes them)."""
    shown = ", ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items())
    print(f"FIGURES {case}: {shown}")


def delivered_vs_rows(tg: Any, engine: Any) -> tuple[int, int]:
    """(messages Telegram took, outbox rows sent that carry a message): the first exceeds the
    second by the messages that went out twice (each row here is one part)."""
    from storage.models import Outbox

    taken = sum(1 for r in tg.sent if r["kind"] == "message")
    sent = sum(1 for r in rows(engine, Outbox, col(Outbox.status) == "sent") if (r.payload or {}).get("message"))
    return taken, sent
