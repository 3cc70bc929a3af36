"""Nothing a person sends is lost: store first, confirm after, handle in order, answer durably.

**Storing** (:class:`InboxWriter`). A channel hands every raw update to :meth:`InboxWriter.store`
before it confirms the update to the platform (Telegram's next offset, a webhook's 200). The
update becomes an ``inbox`` row, unique per (channel, update id), so a redelivery changes
nothing. When the database cannot take it (unreachable, hung, locked: any storage error) the
update goes to the spool, a local file written and flushed to disk before returning; the person
is told once that their message is kept. While the spool holds anything, newer updates join it
behind the older ones, and the spool is moved into the inbox, in arrival order, as soon as the
database answers again; a damaged spool line is set aside in a quarantine file, never blocking
the rest.

**Handling** (:class:`InboxWorker`). Stored updates are handled one at a time, oldest first,
never overtaking an older update of the same chat (also across processes). One update is one
transaction: the core's writes, its answers (outbox rows, priority "answer") and the inbox row
marked ``processed`` commit together, so a crash at any point leaves the update ``received``
and it is simply handled again at the next start (handling is idempotent because nothing of a
failed attempt was committed). The dispatcher is woken as soon as answers are queued, so on a
healthy channel they go out at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, exists, select as sa_select
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bot.channels.base import Channel
from bot.conversation import Conversation
from bot.messages import Inbound, Reply
from common.clock import Clock
from common.i18n import translator
from common.message import Message
from scheduler import dispatch
from storage.db import StorageError, session_scope
from storage.files import FileStore, FileStoreError
from storage.models import Inbox, InboxStatus, OutboxCreate, OutboxPriority
from storage.queries import enqueue_outbox, record_inbound

log = logging.getLogger(__name__)

BUSY_TEXT = (
    "Hệ thống đang tạm thời gián đoạn. Tin nhắn của đồng chí đã được giữ lại và sẽ được xử lý "
    "ngay khi hệ thống hoạt động trở lại."
)
SORRY = (
    "Xin lỗi, hệ thống gặp lỗi khi xử lý tin nhắn này; nội dung đã được lưu lại để kiểm tra. "
    "Đề nghị đồng chí thử lại sau ít phút."
)
# Ids are strings of at most 64 characters in every table.
MAX_ID = 64


def is_storage_error(exc: BaseException) -> bool:
    """The database could not do it (away, hung, locked, a timeout): worth spooling or retrying,
    not the update's fault."""
    return isinstance(exc, StorageError | sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.DBAPIError | TimeoutError)


def clean_text(text: str) -> str:
    """NUL and other control characters (but line breaks and tabs) removed: PostgreSQL refuses
    NUL in text, and nobody means the others."""
    if not text:
        return text
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def clean_payload(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {clean_payload(k): clean_payload(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_payload(v) for v in value]
    return value


# --- the spool ----------------------------------------------------------------------------------


class Spool:
    """Updates waiting for the database, one JSON object a line, in arrival order."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.quarantine = self.path.with_name(self.path.name + ".quarantine")
        self.lock = threading.RLock()  # the file
        self.draining = threading.Lock()  # one drain at a time

    def append(self, item: dict[str, Any]) -> None:
        data = (json.dumps(item, ensure_ascii=False) + "\n").encode("utf-8")
        with self.lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a+b") as fp:
                # A process that died in the middle of a write left a torn last line: start on
                # a line of our own, or this update would be glued to it and set aside with it.
                if fp.seek(0, os.SEEK_END) > 0:
                    fp.seek(-1, os.SEEK_END)
                    if fp.read(1) != b"\n":
                        data = b"\n" + data
                fp.write(data)  # append mode: always at the end
                fp.flush()
                os.fsync(fp.fileno())

    def pending(self) -> bool:
        try:
            return self.path.stat().st_size > 0
        except OSError:
            return False

    def drain(self, take: Callable[[dict[str, Any]], None]) -> tuple[int, bool]:
        """Hand each spooled item to ``take``, in order; returns (taken, everything taken).
        Stops at the first storage error and keeps that item and the rest.

        The spool's lock is held to read the file and to rewrite it, not while ``take`` works:
        ``take`` may wait on a hung database, and the updates spooled meanwhile (behind the
        ones being drained) must not wait for it."""
        with self.draining:
            with self.lock:
                if not self.pending():
                    return 0, True
                data = self.path.read_bytes()
            lines = data.decode("utf-8", errors="replace").splitlines()
            taken = 0
            kept: list[str] = []
            for index, line in enumerate(lines):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                    if not isinstance(item, dict) or "channel" not in item or not isinstance(item.get("raw"), dict):
                        raise ValueError("not a spooled update")
                except ValueError as exc:
                    self._quarantine(line, str(exc))
                    continue
                try:
                    take(item)
                except Exception as exc:
                    if not is_storage_error(exc):
                        self._quarantine(line, f"{type(exc).__name__}: {exc}")
                        continue
                    kept = lines[index:]
                    break
                taken += 1
            with self.lock:
                try:
                    current = self.path.read_bytes()
                except FileNotFoundError:
                    current = b""
                # Only appends happen while a drain runs: what follows what was read is new.
                added = [line for line in current[len(data) :].decode("utf-8", errors="replace").splitlines() if line.strip()]
                self._rewrite(kept + added)
            return taken, not kept and not added

    def _quarantine(self, line: str, reason: str) -> None:
        log.error("damaged spool line set aside in %s (%s)", self.quarantine, reason)
        with self.quarantine.open("a", encoding="utf-8") as fp:
            fp.write(line + "\n")

    def _rewrite(self, lines: list[str]) -> None:
        kept = [line for line in lines if line.strip()]
        if not kept:
            self.path.unlink(missing_ok=True)
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as fp:
            fp.write("\n".join(kept) + "\n")
            fp.flush()
            os.fsync(fp.fileno())
        os.replace(tmp, self.path)


# --- storing --------------------------------------------------------------------------------------


class InboxWriter:
    """Stores raw updates: the inbox when the database answers, the spool when it does not."""

    def __init__(
        self,
        engine: Engine,
        channels: Mapping[str, Channel],
        spool: Spool,
        clock: Clock,
        *,
        on_stored: Callable[[], None] | None = None,
    ) -> None:
        self.engine = engine
        self.channels = dict(channels)
        self.spool = spool
        self.clock = clock
        self.on_stored = on_stored
        self.lock = threading.Lock()
        self.told: set[tuple[str, str]] = set()  # chats told about the outage
        self.loop: asyncio.AbstractEventLoop | None = None
        self.degraded = False  # a call hung: new updates join the spool until it drains

    def _record(self, channel: str, raw: dict[str, Any], received_at: datetime) -> None:
        key = self.channels[channel].identify(raw) if channel in self.channels else None
        raw = clean_payload(raw)
        if key is None:
            # No update id: keyed by its content, so that a redelivery is still recognised.
            digest = json.dumps(raw, sort_keys=True, ensure_ascii=False)
            import hashlib

            update_id = "h:" + hashlib.sha256(digest.encode()).hexdigest()[:40]
            chat_id = user_id = None
        else:
            update_id, chat_id, user_id = key.update_id, key.chat_id, key.user_id
        with session_scope(self.engine, write=True) as session:
            record_inbound(
                session,
                channel,
                update_id[:MAX_ID],
                chat_id=chat_id[:MAX_ID] if chat_id else None,
                user_id=user_id[:MAX_ID] if user_id else None,
                payload=raw,
                received_at=received_at,
            )

    def _take(self, item: dict[str, Any]) -> None:
        self._record(item["channel"], item["raw"], datetime.fromisoformat(item["received_at"]))

    def store(self, channel: str, raw: dict[str, Any]) -> str:
        """Keep one raw update; returns "inbox" or "spool". Raises only when neither can take
        it (then the channel must not confirm the update)."""
        received_at = self.clock.now()
        with self.lock:
            if self.spool.pending():
                self.drain_locked()
            if not self.spool.pending():
                try:
                    self._record(channel, raw, received_at)
                    if self.on_stored:
                        self.on_stored()
                    return "inbox"
                except Exception as exc:
                    if not is_storage_error(exc):
                        raise
                    log.error("database unavailable (%s); update spooled", _first_line(exc))
            self.spool.append({"channel": channel, "raw": clean_payload(raw), "received_at": received_at.isoformat()})
        self._tell_busy(channel, raw)
        return "spool"

    def drain_locked(self) -> int:
        taken, complete = self.spool.drain(self._take)
        if taken:
            log.info("replayed %d spooled update(s) into the inbox", taken)
            if self.on_stored:
                self.on_stored()
        if complete:
            self.told.clear()
            self.degraded = False
        return taken

    def drain(self) -> int:
        """Move the spool into the inbox (a job calls it while nothing new arrives).

        Returns 0 at once when a store holds the writer (it may be stuck on a hung database):
        the job tries again next time, instead of leaving one more thread waiting behind it
        every time (enough of them take every worker thread, the spool's included)."""
        if not self.lock.acquire(timeout=1.0):
            return 0
        try:
            return self.drain_locked()
        finally:
            self.lock.release()

    def _tell_busy(self, channel: str, raw: dict[str, Any]) -> None:
        handler = self.channels.get(channel)
        key = handler.identify(raw) if handler is not None else None
        if handler is None or key is None or key.chat_id is None or (channel, key.chat_id) in self.told:
            return
        self.told.add((channel, key.chat_id))
        if self.loop is not None:
            asyncio.run_coroutine_threadsafe(handler.tell(key.chat_id, BUSY_TEXT), self.loop)

    def spool_only(self, channel: str, raw: dict[str, Any], received_at: datetime) -> None:
        self.spool.append({"channel": channel, "raw": clean_payload(raw), "received_at": received_at.isoformat()})
        self._tell_busy(channel, raw)

    def store_async(self, channel: str, timeout_s: float | None = None) -> Callable[[dict[str, Any]], Any]:
        """The channel's ``store`` callable (see :class:`bot.channels.base.Store`).

        With ``timeout_s``, a database that does not answer in time (hung: it accepts
        connections and never replies) is treated as away: the update is spooled and, until a
        drain of the spool succeeds, later ones go straight to the spool behind it. The stuck
        call may still land its row later; the spooled copy is then recognised as a
        redelivery."""

        async def store(raw: dict[str, Any]) -> None:
            if self.degraded:
                await asyncio.to_thread(self.spool_only, channel, raw, self.clock.now())
                return
            received_at = self.clock.now()
            call = asyncio.ensure_future(asyncio.to_thread(self.store, channel, raw))
            if timeout_s is None:
                await call
                return
            done, _ = await asyncio.wait({call}, timeout=timeout_s)
            if call in done:
                call.result()
                return
            log.error("database did not answer within %.0f s; update spooled", timeout_s)
            self.degraded = True
            await asyncio.to_thread(self.spool_only, channel, raw, received_at)

        return store


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# --- handling ---------------------------------------------------------------------------------------


def _next_row(session: Session, channels: list[str]) -> Inbox | None:
    older = aliased(Inbox)
    statement = (
        select(Inbox)
        .where(
            Inbox.status == InboxStatus.RECEIVED,
            col(Inbox.channel).in_(channels),
            ~exists(
                sa_select(older.id).where(
                    older.channel == Inbox.channel,
                    older.chat_id == Inbox.chat_id,
                    older.status == InboxStatus.RECEIVED,
                    older.id < Inbox.id,
                )
            ),
        )
        .order_by(col(Inbox.id))
        .limit(1)
    )
    if session.get_bind().dialect.name != "sqlite":
        # Another worker's row is skipped, not waited for (its chat's later rows wait for it
        # through the NOT EXISTS above, since it is still 'received' until it commits).
        statement = statement.with_for_update(skip_locked=True, of=Inbox)
    return session.exec(statement).first()


def enqueue_replies(
    session: Session, inbound: Inbound, replies: list[Reply], *, inbox_id: int, now: datetime, files: FileStore | None
) -> int:
    """The replies as outbox rows (``ans:<inbox id>:<n>``), in order; the press is acknowledged
    with the first reply to its chat (or a row of its own)."""
    ack_pending = inbound.ack is not None
    toast = next((r.toast for r in replies if r.toast and r.chat_id in (None, inbound.chat_id)), None)
    count = 0
    for index, reply in enumerate(replies):
        chat = reply.chat_id or inbound.chat_id
        channel = reply.channel or inbound.channel
        payload: dict[str, Any] = {"message": reply.message.to_json()}
        own_chat = (channel, chat) == (inbound.channel, inbound.chat_id)
        if ack_pending and own_chat:
            payload["ack"] = {"ref": inbound.ack, "text": toast}
            ack_pending = False
        if reply.reply_to:
            payload["reply_to"] = reply.reply_to
        if reply.file is not None:
            if files is None:
                raise FileStoreError("no file store to keep the file in")
            payload["file"] = {
                "sha256": files.put(reply.file.data),
                "name": reply.file.name,
                "mime": reply.file.mime,
                "kind": reply.file.kind,
                "size": len(reply.file.data),
            }
        enqueue_outbox(
            session,
            OutboxCreate(
                key=f"ans:{inbox_id}:{index}",
                plan_id=reply.plan_id,
                obligation_id=reply.obligation_id,
                channel=channel,
                chat_id=chat,
                contact_id=reply.contact_id,
                kind=dispatch.NUDGE if reply.kind == "nudge" else dispatch.ANSWER,
                priority=OutboxPriority.ANSWER,
                payload=payload,
                not_before=now,
            ),
            now=now,
        )
        count += 1
    if ack_pending:
        enqueue_outbox(
            session,
            OutboxCreate(
                key=f"ans:{inbox_id}:ack",
                channel=inbound.channel,
                chat_id=inbound.chat_id,
                kind=dispatch.ANSWER,
                priority=OutboxPriority.ANSWER,
                payload={"ack": {"ref": inbound.ack, "text": toast}},
                not_before=now,
            ),
            now=now,
        )
        count += 1
    return count


class InboxWorker:
    """Handles stored updates in order (see the module docstring)."""

    def __init__(
        self,
        engine: Engine,
        conversation: Conversation,
        channels: Mapping[str, Channel],
        clock: Clock,
        *,
        files: FileStore | None = None,
        on_answers: Callable[[], None] | None = None,
        on_roles: Callable[[str, str, set[str]], None] | None = None,
        on_busy: Callable[[str, str], None] | None = None,
        interval: float = 2.0,
    ) -> None:
        self.engine = engine
        self.conversation = conversation
        self.channels = dict(channels)
        self.clock = clock
        self.files = files
        self.on_answers = on_answers
        self.on_roles = on_roles
        self.on_busy = on_busy  # (channel, chat): a slow answer is being prepared
        self.interval = interval
        self._wake = asyncio.Event()
        self.handled = 0

    def wake(self) -> None:
        self._wake.set()

    def process_next(self) -> bool:
        """Handle the oldest update that may go next; False when there is none."""
        roles: tuple[str, str, set[str]] | None = None
        queued = 0
        # One transaction: the core's writes, its answers and the inbox row commit together.
        with session_scope(self.engine, write=True) as session:
            row = _next_row(session, list(self.channels))
            if row is None:
                return False
            assert row.id is not None
            now = self.clock.now()
            inbound: Inbound | None = None
            try:
                inbound = self.channels[row.channel].parse(row.payload)
            except Exception as exc:  # noqa: BLE001 - an update the library cannot read
                log.warning("update %s:%s unreadable, kept and skipped: %s", row.channel, row.update_id, exc)
                row.status, row.processed_at, row.error = InboxStatus.FAILED, now, f"unreadable: {exc}"[:2000]
                session.add(row)
                return True
            if inbound is None:
                row.status, row.processed_at = InboxStatus.IGNORED, now
                session.add(row)
                return True
            inbound = replace(inbound, text=clean_text(inbound.text), display_name=clean_text(inbound.display_name or "") or None)
            if self.on_busy is not None and self.conversation.slow(inbound):
                self.on_busy(inbound.channel, inbound.chat_id)
            try:
                with session.begin_nested():
                    handled = self.conversation.handle(session, inbound, now=row.received_at, inbox_id=row.id)
                    queued = enqueue_replies(
                        session, inbound, handled.replies, inbox_id=row.id, now=now, files=self.files
                    )
            except Exception as exc:
                if is_storage_error(exc):
                    raise
                log.exception("update %s:%s could not be handled", row.channel, row.update_id)
                row.status, row.processed_at, row.error = InboxStatus.FAILED, now, f"{type(exc).__name__}: {exc}"[:2000]
                session.add(row)
                queued = enqueue_replies(
                    session, inbound, [Reply(Message(translator("vi")(SORRY)))], inbox_id=row.id, now=now, files=None
                )
            else:
                row.status, row.processed_at = handled.status, now
                session.add(row)
                if handled.roles is not None:
                    roles = (inbound.channel, inbound.chat_id, handled.roles)
        self.handled += 1
        if queued and self.on_answers is not None:
            self.on_answers()
        if roles is not None and self.on_roles is not None:
            self.on_roles(*roles)
        return True

    def process_all(self, limit: int = 10_000) -> int:
        """Handle everything waiting (tests, start-up); returns how many were handled."""
        count = 0
        while count < limit and self.process_next():
            count += 1
        return count

    async def run(self, stop: asyncio.Event, on_error: Callable[[BaseException], None] | None = None) -> None:
        backoff = self.interval
        while not stop.is_set():
            self._wake.clear()
            try:
                while not stop.is_set() and await asyncio.to_thread(self.process_next):
                    pass
                backoff = self.interval
            except Exception as exc:  # noqa: BLE001 - the database is away: wait, then again
                (on_error or (lambda e: log.warning("inbox worker paused: %s", _first_line(e))))(exc)
                backoff = min(backoff * 2, 30.0)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=backoff)
            except TimeoutError:
                pass


__all__ = ["BUSY_TEXT", "InboxWorker", "InboxWriter", "Spool", "clean_payload", "clean_text", "enqueue_replies", "is_storage_error"]
