"""The conversation core: channel-neutral, state in the database.

``Conversation.handle(session, inbound, now=…)`` finds who is writing, routes the message to
its handler (:mod:`bot.handlers`, through the one guard of :mod:`bot.guard`) and returns the
:class:`~bot.messages.Reply` messages. It works inside the caller's transaction: the inbox
worker (:mod:`bot.inbox`) commits the replies (into the outbox) together with the inbox row,
so a crash in between leaves nothing half done and the update is simply handled again.

On a channel without buttons the choices of a turn are numbered; the core keeps them in the
conversation state, so a typed "1" (or the label itself) means the same as a press.
"""

from __future__ import annotations

import logging
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, col, select

from bot import guard, state
from bot.context import BotContext
from bot.guard import Need
from bot.handlers import CALLBACKS, COMMANDS, SLOW_COMMANDS, guided, registration, reporting, review
from bot.messages import Inbound, Reply
from bot.turn import Turn, Who
from common.i18n import translator
from common.message import Choice, Message
from storage.models import Contact, Inbox, InboxStatus

log = logging.getLogger(__name__)


@dataclass
class Handled:
    replies: list[Reply]
    status: str
    roles: set[str] | None = None  # the person's roles, when this turn changed them


class RateLimiter:
    """Per-user sliding window, in memory: a flood from one user must not starve the others."""

    def __init__(self, limit: int, window_s: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.monotonic = limit, window_s, monotonic
        self.hits: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        return self.wait(key) is None

    def wait(self, key: str) -> float | None:
        """None when the message may go through (and counts); else the seconds to wait."""
        now = self.monotonic()
        hits = self.hits[key]
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return hits[0] + self.window - now
        hits.append(now)
        return None


class Conversation:
    def __init__(self, ctx: BotContext) -> None:
        self.ctx = ctx
        self.limiter = RateLimiter(ctx.config.rate_limit, ctx.config.rate_window_s)

    def handle(self, session: Session, msg: Inbound, *, now: datetime, inbox_id: int | None = None) -> Handled:
        """The replies to ``msg`` and the inbox status it ends in (``processed`` or
        ``ignored``). Writes (reports, state) go into ``session``; the caller commits."""
        config = self.ctx.config
        if msg.chat_type != "private" and f"{msg.channel}:{msg.chat_id}" not in config.allowed_groups:
            return Handled([], InboxStatus.IGNORED)
        contacts = list(
            session.exec(
                select(Contact).where(
                    Contact.channel == msg.channel, Contact.user_id == msg.user_id, col(Contact.active).is_(True)
                )
            ).all()
        )
        who = Who(msg.channel, msg.user_id, msg.chat_id, contacts, f"{msg.channel}:{msg.user_id}" in config.admin_users)
        lang = next((c.language for c in contacts if c.language), None) or msg.language_code
        turn = Turn(session, msg, who, translator(lang), now, self.ctx, inbox_id)

        if msg.choice is None and msg.text and msg.command is None and not self.ctx.capabilities(msg.channel).buttons:
            value = state.typed_choice(turn, msg.text)
            if value is not None:
                turn.msg = replace(msg, choice=value)

        wait = None if turn.msg.choice is not None else self.limiter.wait(f"{msg.channel}:{msg.user_id}")
        if wait is not None:
            # Answered, never dropped silently: the person knows when to send it again.
            turn.say(
                turn.t(
                    "Đồng chí gửi quá nhiều tin trong thời gian ngắn; tin nhắn này chưa được xử lý. "
                    "Đề nghị gửi lại sau {n} giây.",
                    n=max(1, int(wait + 0.999)),
                )
            )
        else:
            self._route(turn)
        self._number_choices(turn)
        self._notice_automation(turn, contacts, inbox_id)
        return Handled(turn.out, InboxStatus.PROCESSED, turn.who.roles if turn.roles_changed else None)

    # -- routing -----------------------------------------------------------------------------

    def _route(self, turn: Turn) -> None:
        msg, t = turn.msg, turn.t
        command = msg.command
        if command and command[0] == "start":
            return guard.run(turn, COMMANDS["start"], command[1])
        if not turn.who.registered:
            if command is None and msg.choice is None and registration.is_code(msg.text.strip()):
                return registration.redeem_code(turn, msg.text.strip())
            if msg.choice is not None:
                action = CALLBACKS.get(msg.choice.partition(":")[0])
            else:
                action = COMMANDS.get(command[0]) if command else None
            return guard.refuse(turn, action.need if action is not None else Need.REGISTERED)
        if msg.choice is not None:
            kind, _, rest = msg.choice.partition(":")
            action = CALLBACKS.get(kind)
            if action is None:
                turn.say(t("Nút này không còn hiệu lực."), toast=t.s("Không hợp lệ"))
                return None
            return guard.run(turn, action, rest)
        if command:
            action = COMMANDS.get(command[0])
            if action is None:
                turn.say(t("Không có lệnh /{name}. Gõ /trogiup để xem các lệnh.", name=command[0]))
                return None
            return guard.run(turn, action, command[1])
        if msg.attachment is not None:
            if not turn.who.is_focal:
                return guard.refuse(turn, Need.FOCAL)
            return reporting.attachment(turn, msg.attachment)
        if not msg.text.strip():
            turn.say(t("Tin nhắn trống. Đồng chí gửi nội dung báo cáo, ví dụ: NV4: đang thực hiện 70%."))
            return None
        current = state.get(turn)
        if current is not None and current.state == review.REASON_STATE and turn.who.is_coordinator:
            # The reason a coordinator gives for returning a report, typed after "Yêu cầu bổ sung".
            return review.supplement(turn, msg.text)
        if not turn.who.is_focal:
            return guard.refuse(turn, Need.FOCAL)
        if current is not None and current.state == "guided_notes":
            return guided.notes(turn, current, msg.text)
        return reporting.text(turn, msg.text)

    # -- choices -----------------------------------------------------------------------------

    def slow(self, msg: Inbound) -> bool:
        """Whether answering ``msg`` takes a while (a report, a chart): the channel may show
        that the bot is typing meanwhile."""
        command = msg.command
        return command is not None and command[0] in SLOW_COMMANDS

    def _notice_automation(self, turn: Turn, contacts: list[Contact], inbox_id: int | None) -> None:
        """On a platform whose terms ask for it (Zalo), a person's first answer from the bot
        says that a program answers, not an officer."""
        msg = turn.msg
        if contacts or not turn.out or not self.ctx.capabilities(msg.channel).automated_notice:
            return
        earlier = select(Inbox.id).where(Inbox.channel == msg.channel, Inbox.user_id == msg.user_id)
        if inbox_id is not None:
            earlier = earlier.where(col(Inbox.id) < inbox_id)
        if inbox_id is None or turn.session.exec(earlier.limit(1)).first() is not None:
            return
        plan = self.ctx.plan
        office = plan.agency(plan.reporting.recipient).name if plan.reporting.recipient in plan.agency_by_id else None
        notice = turn.t(
            "Đây là trợ lý tự động (bot) của {office}: tin nhắn do máy trả lời, không phải cán bộ trực.",
            office=office or turn.t.s("Sở Tư pháp"),
        )
        first = next((r for r in turn.out if r.chat_id in (None, msg.chat_id)), None)
        if first is not None:
            first.message.blocks[:0] = Message(notice, "").blocks

    def _number_choices(self, turn: Turn) -> None:
        """Number the choices of the replies to this chat, 1, 2, … across the turn, and keep
        them in the state: on a channel without buttons, the person types the number."""
        offered: list[Choice] = []
        counter = 1
        mine = [r for r in turn.out if r.chat_id in (None, turn.msg.chat_id) and r.message.all_choices()]
        fixed = _task_numbers([c for r in mine for c in r.message.all_choices()])
        for reply in mine:
            reply.message, counter = reply.message.numbered(counter, fixed)
            offered.extend(reply.message.all_choices())
        if offered:
            state.remember_offered(turn, offered)


def _task_numbers(choices: list[Choice]) -> dict[str, int] | None:
    """When every choice offered is a task ("NV9", "NV9: Phổ biến…"), each is numbered by its
    task: on a channel without buttons a person who types "9" means NV9, not the ninth line."""
    numbers: dict[str, int] = {}
    for choice in choices:
        found = _TASK_LABEL.match(choice.label)
        if found is None:
            return None
        numbers[choice.value] = int(found.group(1))
    return numbers if numbers and len(set(numbers.values())) == len(numbers) else None


_TASK_LABEL = re.compile(r"NV(\d+)(?![\w])")


__all__ = ["Conversation", "Handled", "RateLimiter"]
