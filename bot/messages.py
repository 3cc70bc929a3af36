"""Channel-agnostic messages: what the conversation core reads and writes.

A channel adapter (Telegram today, Zalo later) turns its updates into :class:`Inbound` and
renders :class:`Outbound`; choices become inline buttons on Telegram and numbered options on a
channel without buttons. No python-telegram-bot type crosses this line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Attachment:
    kind: str  # "document" | "photo" | "sticker" | "voice" | "other"
    file_id: str | None = None
    filename: str | None = None


@dataclass(frozen=True)
class Inbound:
    channel: str
    update_id: str
    chat_id: str
    user_id: str
    text: str = ""
    chat_type: str = "private"
    reply_to: str | None = None  # the channel's id of the message this one answers
    callback_data: str | None = None
    callback_message_id: str | None = None
    language_code: str | None = None
    display_name: str | None = None
    attachment: Attachment | None = None
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
class Choice:
    label: str
    data: str  # ≤ 64 bytes: Telegram's limit for callback data


@dataclass
class Outbound:
    chat_id: str
    text: str  # HTML: user text inside must be escaped
    choices: list[list[Choice]] = field(default_factory=list)
    reply_to: str | None = None
    edit_message_id: str | None = None  # edit this message instead of sending a new one
    document: bytes | None = None
    filename: str | None = None
    photo: bytes | None = None
    answer_callback: str | None = None  # short toast for a button press
    # Set on a message that asks for a report (a nudge): once sent, the channel records its
    # message id against this obligation so that a reply to it lands on that period.
    obligation_id: int | None = None
    contact_id: int | None = None
