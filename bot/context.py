"""What the conversation core needs from the world, in one small object.

The composition root (``baocao.services``) builds one :class:`BotContext`; every handler gets it
through its :class:`~bot.turn.Turn` (``turn.ctx``). Handlers never reach into the
conversation's internals or build their own services.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.task_match import TaskIndex
from common.i18n import Translator
from common.message import Text
from scheduler.calendar import WorkingCalendar
from scheduler.plan import Plan
from scheduler.plans import Plans


@dataclass(frozen=True)
class Capabilities:
    """What a channel can do, in the core's terms (not its limits: those stay in the channel)."""

    buttons: bool = True  # choices can be pressed; without them they are numbered
    documents: bool = True  # the bot can send a file
    photos: bool = True  # the bot can send a picture
    deep_links: bool = True  # an invitation can be a link that starts the chat
    # Files the bot cannot send are published and sent as links (a channel without documents
    # whose files are published at a public address).
    file_links: bool = False
    # The platform's terms require telling a new person that the bot answers, not a human.
    automated_notice: bool = False
    # The largest file the bot can take from a person (the channel's own limit, set by the
    # channel module); None when the channel states none.
    max_file_bytes: int | None = None


@dataclass(frozen=True)
class InvitationHint:
    """How an invitee uses a code on one channel: a link, a sentence, or why it cannot be done."""

    text: Text | None = None
    link: str | None = None
    problem: Text | None = None


class ChannelInfo(Protocol):
    """The part of a channel the core may know."""

    name: str
    title: str  # "Telegram", shown to people
    capabilities: Capabilities

    def invitation(self, code: str | None, t: Translator) -> InvitationHint:
        """How to use ``code`` on this channel; with ``None``, only whether it can be done
        (``problem``)."""
        ...


@dataclass
class ConversationConfig:
    timezone: str = "Asia/Ho_Chi_Minh"
    # "channel:user id" of people who are admins without an invitation.
    admin_users: frozenset[str] = frozenset()
    # "channel:chat id" of group chats the bot answers in; every other group is ignored.
    allowed_groups: frozenset[str] = frozenset()
    rate_limit: int = 20  # messages …
    rate_window_s: float = 60.0  # … per this many seconds and user


@dataclass
class BotContext:
    plans: Plans
    calendar: WorkingCalendar
    config: ConversationConfig = field(default_factory=ConversationConfig)
    channels: Mapping[str, ChannelInfo] = field(default_factory=dict)
    files: Any = None  # the file store (storage.files.FileStore): evidence, files to send

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.config.timezone)

    @property
    def plan(self) -> Plan:
        """The plan meant when nobody names one (see :attr:`scheduler.plans.Plans.default`)."""
        return self.plans.default

    def plan_of(self, plan_id: str) -> Plan:
        plan = self.plans.get(plan_id)
        return plan if plan is not None else self.plans.default

    def today(self, now: datetime) -> date:
        return now.astimezone(self.tz).date()

    def capabilities(self, channel: str) -> Capabilities:
        info = self.channels.get(channel)
        return info.capabilities if info is not None else Capabilities()

    def replace_plans(self, plans: Plans) -> None:
        self.plans = plans

    def task_index(self) -> TaskIndex:
        """The plans' tasks by their words, for reports that name a task by its content (built
        once per set of plans: a reload replaces ``plans``)."""
        cached = self.__dict__.get("_task_index")
        if cached is None or cached[0] is not self.plans:
            cached = (self.plans, TaskIndex.from_plans(self.plans))
            self.__dict__["_task_index"] = cached
        return cached[1]

    def extra(self) -> dict[str, Any]:
        return {}
