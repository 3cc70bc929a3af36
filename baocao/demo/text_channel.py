"""A text-only channel for tests and the sandbox: no markup, no buttons (choices are numbered
and answered by typing the number), messages of at most 2 000 characters; a person may send a
file (of at most 10 MB), the bot sends none.

It is what a channel without buttons looks like to the core (the shape of Zalo's Bot API), with
an in-memory transport: :meth:`TextChannel.deliver` queues what a person types, and every
message the bot sends is kept in :attr:`TextChannel.sent`. A file a person sends is in
:attr:`TextChannel.uploads` (its reference → its bytes), where :meth:`TextChannel.download`
finds it.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from bot.channels.base import Channel, Store, UpdateKey
from bot.channels.render import Part, render_plain
from bot.context import Capabilities, InvitationHint
from bot.messages import Attachment, Inbound
from common.i18n import Translator
from common.message import Message
from scheduler import dispatch
from scheduler.dispatch import Progress
from storage.models import Outbox

NAME = "text"
MAX_CHARS = 2000
MAX_FILE_BYTES = 10 * 1024 * 1024


@dataclass
class Sent:
    chat_id: str
    text: str
    message_id: str
    row_key: str = ""
    kind: str = ""
    obligation_id: int | None = None


@dataclass
class TextChannel(Channel):
    name: str = NAME
    title: str = "Tin nhắn văn bản"
    capabilities: Capabilities = field(default_factory=lambda: Capabilities(
        buttons=False, documents=False, photos=False, deep_links=False, max_file_bytes=MAX_FILE_BYTES
    ))
    per_second: float = 1000.0
    per_chat_interval: float = 0.0
    max_chars: int = MAX_CHARS

    def __post_init__(self) -> None:
        super().__init__(None)
        self.sent: list[Sent] = []
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.blocked: set[str] = set()
        self.fail: list[BaseException] = []
        self._ids = itertools.count(1)
        self._updates = itertools.count(1)
        self.uploads: dict[str, bytes] = {}

    # -- a person types -----------------------------------------------------------------------

    def update(self, user: str, text: str = "", **extra: Any) -> dict[str, Any]:
        return {"update_id": next(self._updates), "chat_id": str(extra.pop("chat_id", user)), "user_id": str(user), "text": text, **extra}

    def deliver(self, user: str, text: str = "", **extra: Any) -> dict[str, Any]:
        raw = self.update(user, text, **extra)
        self.queue.put_nowait(raw)
        return raw

    def upload(self, data: bytes, filename: str | None = None, kind: str = "document", mime: str | None = None) -> Attachment:
        """A file a person sends: kept for :meth:`download`; the attachment of the message."""
        ref = f"text-file-{len(self.uploads) + 1}"
        self.uploads[ref] = bytes(data)
        return Attachment(kind, ref, filename, mime, len(data))

    def to(self, chat_id: str) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == str(chat_id)]

    # -- the channel --------------------------------------------------------------------------

    async def poll(self, store: Store, stop: asyncio.Event) -> None:
        while not stop.is_set():
            getter = asyncio.ensure_future(self.queue.get())
            stopped = asyncio.ensure_future(stop.wait())
            done, _ = await asyncio.wait({getter, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
                break
            stopped.cancel()
            await store(getter.result())

    def identify(self, raw: dict[str, Any]) -> UpdateKey | None:
        if "update_id" not in raw:
            return None
        return UpdateKey(str(raw["update_id"]), str(raw.get("chat_id") or raw.get("user_id")), str(raw.get("user_id")))

    def parse(self, raw: dict[str, Any]) -> Inbound | None:
        attachment = raw.get("attachment")
        return Inbound(
            channel=self.name,
            update_id=str(raw["update_id"]),
            chat_id=str(raw.get("chat_id") or raw["user_id"]),
            user_id=str(raw["user_id"]),
            text=str(raw.get("text") or ""),
            chat_type=str(raw.get("chat_type") or "private"),
            reply_to=raw.get("reply_to"),
            display_name=raw.get("display_name"),
            language_code=raw.get("language_code"),
            attachment=Attachment(**attachment) if isinstance(attachment, dict) else None,
            payload=raw,
        )

    def render(self, message: Message) -> list[Part]:
        return render_plain(message, limit=self.max_chars)

    async def send(self, row: Outbox, progress: Progress) -> str:
        if self.fail:
            raise self.fail.pop(0)
        if row.chat_id in self.blocked:
            raise dispatch.Blocked("blocked")
        payload = row.payload or {}
        message = Message.from_json(payload["message"]) if payload.get("message") else Message()
        parts = self.render(message) if message.blocks or message.choices else []
        if payload.get("file"):
            parts.append(Part(f"[tệp {payload['file'].get('name')}]"))
        last = ""
        for index in range(row.parts_sent, len(parts)):
            last = str(next(self._ids))
            self.sent.append(Sent(row.chat_id, parts[index].text, last, row.key, row.kind, row.obligation_id))
            if index < len(parts) - 1:
                await progress(index, last)
        return last

    async def download(self, attachment: Attachment) -> bytes:
        if not attachment.ref or attachment.ref not in self.uploads:
            raise LookupError(f"no file {attachment.ref!r} on the text channel")
        return self.uploads[attachment.ref]

    def invitation(self, code: str | None, t: Translator) -> InvitationHint:
        if code is None:
            return InvitationHint()
        return InvitationHint(text=t("nhắn mã {code} cho bot.", code=code))


__all__ = ["MAX_CHARS", "MAX_FILE_BYTES", "NAME", "Sent", "TextChannel"]
