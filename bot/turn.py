"""One inbound message being handled: who wrote, in which language, and what the bot answers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from bot.context import BotContext
from bot.messages import Inbound, OutFile, Reply
from common.i18n import Translator
from common.message import Block, Choice, Message, Part
from storage.models import Contact, ContactRole

FOCAL, COORDINATOR, ADMIN = ContactRole.FOCAL.value, ContactRole.COORDINATOR.value, ContactRole.ADMIN.value


@dataclass
class Who:
    """The person writing, with every binding they hold: a person's roles are the union of
    their bindings (a Sở Tư pháp coordinator who is also its focal point keeps both)."""

    channel: str
    user_id: str
    chat_id: str
    contacts: list[Contact]
    is_config_admin: bool = False

    @property
    def registered(self) -> bool:
        return bool(self.contacts) or self.is_config_admin

    @property
    def roles(self) -> set[str]:
        roles = {str(c.role) for c in self.contacts}
        if self.is_config_admin:
            roles.add(ADMIN)
        return roles

    @property
    def focal_contacts(self) -> list[Contact]:
        return sorted((c for c in self.contacts if c.role == FOCAL), key=lambda c: c.created_at)

    @property
    def focal(self) -> Contact | None:
        # The most recent binding is the one a person most likely reports for.
        focal = self.focal_contacts
        return focal[-1] if focal else None

    @property
    def is_focal(self) -> bool:
        return FOCAL in self.roles

    @property
    def is_coordinator(self) -> bool:
        return bool(self.roles & {COORDINATOR, ADMIN})

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.roles

    @property
    def actor(self) -> str:
        return f"{self.channel}:{self.user_id}"


@dataclass
class Turn:
    """The session of this turn (it commits with the inbox row), the message, who wrote it,
    their translator, the moment it arrived, and the replies gathered so far."""

    session: Session
    msg: Inbound
    who: Who
    t: Translator
    now: datetime
    ctx: BotContext
    inbox_id: int | None = None
    out: list[Reply] = field(default_factory=list)
    roles_changed: bool = False  # a binding was added: the channel may refresh its menus

    def say(
        self,
        *lines: Block | Part,
        choices: Sequence[Sequence[Choice]] | None = None,
        toast: str | None = None,
        file: OutFile | None = None,
        columns: int = 2,
        message: Message | None = None,
    ) -> Reply:
        """Answer in this chat."""
        reply = Reply(
            message=message if message is not None else Message(*lines, choices=choices, columns=columns),
            file=file,
            toast=toast,
        )
        self.out.append(reply)
        return reply

    def today(self) -> date:
        return self.ctx.today(self.now)

    @property
    def pressed(self) -> bool:
        return self.msg.choice is not None
