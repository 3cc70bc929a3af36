"""The one small interface every channel module implements.

A channel (``bot/channels/<name>.py``) is everything baocao knows about one chat platform:

- **receiving**: long polling (:meth:`Channel.poll`) or a webhook (:meth:`Channel.webhook`),
  handing each raw update to the inbox *before* confirming it to the platform;
- **reading**: :meth:`Channel.identify` (the update's id, chat and user, for the inbox row)
  and :meth:`Channel.parse` (the stored raw update as an :class:`~bot.messages.Inbound`: text
  or caption, file, reply-to, a pressed choice);
- **sending**: :meth:`Channel.send`, the outbox's sender for this channel: it renders the
  channel-neutral message (markup, numbered choices, splitting within its limit), sends it part
  by part and maps the platform's errors onto :mod:`scheduler.dispatch`'s outcomes;
- **files**: :meth:`Channel.download`;
- **invitations**: :meth:`Channel.invitation` (a deep link, or "type the code");
- **limits and pacing**: :attr:`Channel.per_second`, :attr:`Channel.per_chat_interval`, and the
  :class:`~bot.context.Capabilities` the core may know.

Nothing outside a channel's module and the settings names a channel, its markup or its limits.
"""

from __future__ import annotations

import asyncio
import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.context import Capabilities, InvitationHint
from bot.messages import Attachment, Inbound
from common.i18n import Translator
from scheduler.dispatch import Progress
from storage.files import FileStore
from storage.models import Outbox


@dataclass(frozen=True)
class UpdateKey:
    """What the inbox row of a raw update is keyed and found by."""

    update_id: str
    chat_id: str | None = None
    user_id: str | None = None


# Stores one raw update durably (the inbox, or the spool while the database is away); raises
# when it could do neither, so that the update is not confirmed to the platform.
Store = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Webhook:
    """A channel's webhook: the path under the public URL, and how to read one call.

    ``read(headers, body)`` returns the raw updates of a call, or ``None`` when the call must be
    refused (a wrong or missing secret): then nothing is stored."""

    path: str
    read: Callable[[dict[str, str], bytes], list[dict[str, Any]] | None]


class TokenFilter(logging.Filter):
    """Redacts the bot token from every log record: httpx logs request URLs, which contain it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.pattern = re.compile(re.escape(token)) if token else None

    def filter(self, record: logging.LogRecord) -> bool:
        if self.pattern is not None:
            message = record.getMessage()
            if self.pattern.search(message):
                record.msg = self.pattern.sub("<token>", message)
                record.args = None
        return True


def protect_logs(token: str) -> None:
    token_filter = TokenFilter(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(token_filter)
    # Request URLs at INFO carry the token; they are noise in production anyway.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for name in ("httpx", "telegram", "apscheduler", "bot.channels"):
        logging.getLogger(name).addFilter(token_filter)



async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Wait ``seconds``, or less if ``stop`` is set meanwhile (a poller's backoff)."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass


class Channel(ABC):
    name: str
    title: str
    capabilities: Capabilities
    per_second: float = 29.0
    per_chat_interval: float = 1.05

    def __init__(self, files: FileStore | None = None) -> None:
        self.files = files

    # -- life ------------------------------------------------------------------------------

    async def start(self) -> None:  # noqa: B027 - optional
        """Open connections; called once before receiving or sending."""

    async def stop(self) -> None:  # noqa: B027 - optional
        """Close connections."""

    # -- receiving ---------------------------------------------------------------------------

    @abstractmethod
    async def poll(self, store: Store, stop: asyncio.Event) -> None:
        """Long-poll until ``stop``: every update goes through ``store`` before the platform
        is told it was received."""

    def webhook(self, secret: str) -> Webhook | None:
        """The webhook of this channel, checking ``secret`` on every call; None if it has none."""
        return None

    async def register_webhook(self, url: str, secret: str) -> None:  # noqa: B027 - optional
        """Tell the platform where to call."""

    # -- reading -----------------------------------------------------------------------------

    @abstractmethod
    def identify(self, raw: dict[str, Any]) -> UpdateKey | None:
        """The key of a raw update; None for a payload that is no update at all."""

    @abstractmethod
    def parse(self, raw: dict[str, Any]) -> Inbound | None:
        """The update as the core reads it; None when there is nothing to answer."""

    # -- sending -----------------------------------------------------------------------------

    @abstractmethod
    async def send(self, row: Outbox, progress: Progress) -> str:
        """Deliver one outbox row (see :class:`scheduler.dispatch.Sender`)."""

    async def tell(self, chat_id: str, text: str) -> None:  # noqa: B027 - optional
        """Send a short plain notice directly, bypassing the outbox (the database is away)."""

    async def typing(self, chat_id: str) -> None:  # noqa: B027 - optional
        """Show that an answer is being prepared (a report, a chart); best effort."""

    async def download(self, attachment: Attachment) -> bytes:
        raise NotImplementedError(f"{self.name} cannot download files")

    async def roles_changed(self, chat_id: str, roles: set[str]) -> None:  # noqa: B027 - optional
        """A person's roles changed (menus that depend on them may follow)."""

    # -- invitations -------------------------------------------------------------------------

    @abstractmethod
    def invitation(self, code: str | None, t: Translator) -> InvitationHint:
        """How to use ``code`` on this channel; with ``None``, only whether it can be done."""


__all__ = ["Channel", "Store", "TokenFilter", "UpdateKey", "Webhook", "pause", "protect_logs"]
