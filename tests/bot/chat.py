"""Driving the conversation core as a person would, on a channel's rendering.

The core's tests run on two channels: ``telegram`` (HTML, inline buttons, 4 096 characters)
and ``text`` (the text-only test channel: plain text, numbered choices answered by typing the
number, 2 000 characters). A :class:`Chat` hands an :class:`~bot.messages.Inbound` to the real
:class:`~bot.conversation.Conversation` in a transaction of its own, as the inbox worker does,
and shows each reply the way its channel renders it.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from baocao.config import Settings
from baocao.demo.text_channel import TextChannel
from baocao.services import Services
from bot.channels import telegram as tg
from bot.messages import Inbound, Reply
from common.message import Choice
from storage.db import session_scope

CHANNELS = ("telegram", "text")
BOT = "baocao_test_bot"
_ids = itertools.count(1)


@dataclass
class Shown:
    """One reply as the person sees it: every part's text, joined, and its choices."""

    chat_id: str
    text: str
    buttons: list[Choice]
    reply: Reply
    parts: list[str] = field(default_factory=list)

    @property
    def choices(self) -> list[list[Choice]]:
        return [self.buttons] if self.buttons else []

    @property
    def photo(self) -> bytes | None:
        return self.reply.file.data if self.reply.file is not None and self.reply.file.kind == "photo" else None

    @property
    def document(self) -> bytes | None:
        return self.reply.file.data if self.reply.file is not None and self.reply.file.kind == "document" else None

    @property
    def filename(self) -> str | None:
        return self.reply.file.name if self.reply.file is not None else None

    @property
    def obligation_id(self) -> int | None:
        return self.reply.obligation_id

    @property
    def toast(self) -> str | None:
        return self.reply.toast


def make_channel(name: str, *, username: str | None = BOT) -> Any:
    if name == "telegram":
        return tg.TelegramChannel("123:TEST", base_url="http://127.0.0.1:9/bot", username=username)
    return TextChannel()


class Chat:
    def __init__(self, engine: Any, clock: Any, channel: str = "telegram", *, plan: Any = None, calendar: Any = None,
                 admins: tuple[str, ...] = (), groups: tuple[str, ...] = (), username: str | None = BOT,
                 files_path: Any = None, **settings: Any) -> None:
        from common.paths import BUNDLED_DATA_DIR
        from scheduler.calendar import WorkingCalendar
        from scheduler.plan import load_plan

        self.engine = engine
        self.clock = clock
        self.name = channel
        self.channel = make_channel(channel, username=username)
        self.settings = Settings(rate_limit=settings.pop("rate_limit", 1000), **settings)
        self.services = Services(
            self.settings,
            clock,
            channels={channel: self.channel},
            engine=engine,
            plans=plan or load_plan(BUNDLED_DATA_DIR / "plan.json"),
            calendar=calendar or WorkingCalendar.load(),
            files_path=files_path,
        )
        ctx = self.services.context
        ctx.config.admin_users = frozenset(f"{channel}:{a}" for a in admins)
        ctx.config.allowed_groups = frozenset(f"{channel}:{g}" for g in groups)
        self.conv = self.services.conversation
        self.services.sync()

    @property
    def ctx(self) -> Any:
        return self.services.context

    # -- rendering ---------------------------------------------------------------------------

    def render(self, reply: Reply) -> tuple[list[str], list[Choice]]:
        if self.name == "telegram":
            parts = tg.render(reply.message)
        else:
            parts = self.channel.render(reply.message)
        texts = [p.text for p in parts]
        buttons = [c for p in parts for row in p.choices for c in row]
        return texts, buttons

    def show(self, replies: list[Reply], chat_id: str) -> list[Shown]:
        out = []
        for reply in replies:
            texts, buttons = self.render(reply)
            out.append(Shown(reply.chat_id or chat_id, "\n".join(texts), buttons, reply, texts))
        return out

    def b(self, text: str) -> str:
        """How bold text reads on this channel."""
        return f"<b>{text}</b>" if self.name == "telegram" else text

    def esc(self, text: str) -> str:
        """How user text with markup characters reads on this channel."""
        if self.name == "telegram":
            return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return text

    # -- a person writes ---------------------------------------------------------------------

    def inbound(self, text: str = "", user: str = "100", **kw: Any) -> Inbound:
        return Inbound(channel=self.name, update_id=str(next(_ids)), chat_id=str(kw.pop("chat_id", user)), user_id=str(user), text=text, **kw)

    def send(self, text: str = "", user: str = "100", **kw: Any) -> list[Shown]:
        msg = self.inbound(text, user, **kw)
        return self.handle(msg)

    def handle(self, msg: Inbound) -> list[Shown]:
        with session_scope(self.engine, write=True) as session:
            handled = self.conv.handle(session, msg, now=self.clock.now())
        return self.show(handled.replies, msg.chat_id)

    def press(self, out: list[Shown], label_start: str, user: str = "100") -> list[Shown]:
        """Press (Telegram) or type the number of (text) the choice whose label or value
        starts with ``label_start``, among the choices of ``out``."""
        choice = next(
            c for shown in out for c in shown.buttons if c.label.startswith(label_start) or c.value.startswith(label_start)
        )
        return self.choose(choice, user)

    def choose(self, choice: Choice, user: str = "100") -> list[Shown]:
        if self.name == "telegram":
            return self.send(user=user, choice=choice.value, ack="q1")
        return self.send(str(choice.number), user=user)

    def press_value(self, value: str, user: str = "100") -> list[Shown]:
        """A button press with a raw value (forged, stale): on the text channel as a choice too."""
        return self.send(user=user, choice=value, ack="q1")


def text_of(out: list[Shown], chat_id: str | None = None) -> str:
    return "\n".join(o.text for o in out if chat_id is None or o.chat_id == chat_id)


def buttons(out: list[Shown]) -> list[Choice]:
    return [c for o in out for c in o.buttons]


def plain(text: str) -> str:
    return re.sub(r"</?[bi]>", "", text)
