"""What the conversation core reads and writes, with no channel in it.

A channel module (``bot/channels/<name>.py``) turns its updates into :class:`Inbound` and
renders each :class:`Reply` (a :class:`~common.message.Message` with an address and,
perhaps, a file) in its own way. No python-telegram-bot type, no HTML, no limit crosses this
line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from common.message import Choice, Message


@dataclass(frozen=True)
class Attachment:
    """A file or medium that came with a message. ``ref`` is the channel's own handle on it
    (a file id, a URL) for :meth:`bot.channels.base.Channel.download`."""

    kind: str  # "document" | "photo" | "sticker" | "voice" | "other"
    ref: str | None = None
    filename: str | None = None
    mime: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class Inbound:
    channel: str
    update_id: str
    chat_id: str
    user_id: str
    text: str = ""  # the text, or a file's caption
    chat_type: str = "private"
    reply_to: str | None = None  # the channel's id of the message this one answers
    choice: str | None = None  # the value of a pressed button
    ack: str | None = None  # the channel's handle for acknowledging the press (a toast)
    language_code: str | None = None
    display_name: str | None = None
    attachment: Attachment | None = None
    edited: bool = False  # an edit of an earlier message, not a new one
    payload: dict[str, Any] = field(default_factory=dict)  # the raw update, for the inbox

    @property
    def command(self) -> tuple[str, str] | None:
        """("start", "abc") for "/start abc" or "/start@baocao_bot abc"; None for plain text."""
        text = self.text.strip()
        if not text.startswith("/") or len(text) < 2:
            return None
        head, _, rest = text[1:].partition(" ")
        name = head.split("@", 1)[0].lower()
        return (name, rest.strip()) if name.isascii() and name.replace("_", "").isalnum() else None


@dataclass(frozen=True)
class OutFile:
    """A file the bot sends: a document, or a photo shown in the chat."""

    name: str
    data: bytes
    mime: str = "application/octet-stream"
    kind: str = "document"  # "document" | "photo"


@dataclass
class Reply:
    """One message of the bot's answer. Without ``chat_id`` it goes to the chat being answered;
    a nudge names the focal point's chat (and ``obligation_id``, so that a reply to it lands
    on that period)."""

    message: Message
    chat_id: str | None = None
    channel: str | None = None
    reply_to: str | None = None
    file: OutFile | None = None
    toast: str | None = None  # a short acknowledgement of a pressed button
    kind: str = "answer"  # "answer" | "nudge"
    obligation_id: int | None = None
    contact_id: int | None = None
    plan_id: str | None = None

    @property
    def text(self) -> str:
        """The message as plain text (tests, logs)."""
        return self.message.plain()

    @property
    def choices(self) -> list[Choice]:
        return self.message.all_choices()
