"""The conversation core: channel-agnostic, state in the database.

``Conversation.handle(inbound)`` stores the update in the inbox first (a redelivered update is
recognised and changes nothing), finds who is writing, and answers. Conversation state (a
draft waiting for confirmation, a guided report half-way) lives in ``conversation_state`` so
that a restart loses nothing. Handlers return :class:`~bot.messages.Outbound` messages; the
channel adapter sends them.
"""

from __future__ import annotations

import html
import logging
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dt_time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session, select

from common.clock import Clock
from bot import coordinator
from common.i18n import LANGUAGE_NAMES, N_, SUPPORTED, Translator, translator
from bot.messages import Attachment, Choice, Inbound, Outbound
from bot.parser import ParsedEntry, parse_reply
from scheduler import deadlines
from scheduler.calendar import WorkingCalendar
from scheduler.plan import Plan
from scheduler.sync import sync_agencies, sync_obligations
from common.vndate import format_date_vi
from storage.db import session_scope
from storage.models import (
    Contact,
    ContactRole,
    ConversationState,
    Evidence,
    EvidenceCreate,
    Inbox,
    InboxStatus,
    Obligation,
    ObligationStatus,
    Outbox,
    ReportSource,
)
from storage.queries import add_report, audit, latest_entries, record_inbound, task_sort_key

log = logging.getLogger(__name__)

# Marked with N_ for extraction; translated with t(label) where they are shown.
STATUS_LABELS = {
    "not_started": N_("chưa triển khai"),
    "in_progress": N_("đang thực hiện"),
    "done": N_("hoàn thành"),
}
ROLE_LABELS = {"lead": N_("chủ trì"), "coordinator": N_("phối hợp")}
SUB_ITEM_LETTERS = "abcdefghijklmnopqrstuvwxyzđ"


def esc(text: object) -> str:
    """User and data text inside an HTML message."""
    return html.escape(str(text), quote=False)


@dataclass
class ConversationConfig:
    timezone: str = "Asia/Ho_Chi_Minh"
    admin_user_ids: frozenset[str] = frozenset()
    allowed_group_ids: frozenset[str] = frozenset()
    bot_username: str | None = None
    office_hours: tuple[dt_time, dt_time] = (dt_time(8), dt_time(17))  # when reminders may go out
    send_rate: float = 29.0  # reminders per second this process may send (Telegram: ~30 per bot)
    rate_limit: int = 20  # messages …
    rate_window_s: float = 60.0  # … per this many seconds and user

    @classmethod
    def from_settings(cls, settings: Any, **overrides: Any) -> ConversationConfig:
        """The bot's configuration from baocao.config.Settings (``baocao run``, ``sandbox``)."""
        values: dict[str, Any] = {
            "timezone": settings.timezone,
            "admin_user_ids": frozenset(str(i) for i in settings.admin_chat_ids),
            "allowed_group_ids": frozenset(str(i) for i in settings.group_chat_ids),
            "bot_username": settings.bot_username,
            "office_hours": settings.office_window,
            "send_rate": settings.send_rate,
        }
        return cls(**{**values, **overrides})


@dataclass
class Who:
    """The person writing, with their bindings (a person may represent several agencies)."""

    user_id: str
    chat_id: str
    contacts: list[Contact]
    is_config_admin: bool = False

    @property
    def registered(self) -> bool:
        return bool(self.contacts) or self.is_config_admin

    @property
    def focal(self) -> Contact | None:
        # The most recent binding is the one a person most likely reports for.
        focal = [c for c in self.contacts if c.role == ContactRole.FOCAL]
        return max(focal, key=lambda c: c.created_at) if focal else None

    @property
    def is_coordinator(self) -> bool:
        return self.is_config_admin or any(
            c.role in (ContactRole.COORDINATOR, ContactRole.ADMIN) for c in self.contacts
        )

    @property
    def is_admin(self) -> bool:
        return self.is_config_admin or any(c.role == ContactRole.ADMIN for c in self.contacts)


@dataclass
class Turn:
    """One inbound message being handled: the session, who, the translator and the answers."""

    session: Session
    msg: Inbound
    who: Who
    t: Translator
    now: datetime
    inbox_id: int | None = None
    out: list[Outbound] = field(default_factory=list)

    def say(self, text: str, choices: list[list[Choice]] | None = None, **kw: Any) -> None:
        self.out.append(Outbound(chat_id=self.msg.chat_id, text=text, choices=choices or [], **kw))


class RateLimiter:
    """Per-user sliding window, in memory: a flood from one user must not starve the others."""

    def __init__(self, limit: int, window_s: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.monotonic = limit, window_s, monotonic
        self.hits: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        now = self.monotonic()
        hits = self.hits[key]
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True


class Conversation:
    def __init__(
        self,
        *,
        engine: Engine,
        plan: Plan,
        calendar: WorkingCalendar,
        clock: Clock,
        config: ConversationConfig | None = None,
    ) -> None:
        self.engine = engine
        self.plan = plan
        self.cal = calendar
        self.clock = clock
        self.config = config or ConversationConfig()
        self.tz = ZoneInfo(self.config.timezone)
        self.limiter = RateLimiter(self.config.rate_limit, self.config.rate_window_s)
        self.valid_tasks = list(plan.task_refs())
        self.coordinator = coordinator.Coordinator(self)

    # -- setup -------------------------------------------------------------------------------

    def sync_plan(self) -> None:
        """Copy the plan's agencies and every obligation of its years into the database."""
        now = self.clock.now()
        years = list(self.plan.years_in_force())
        computed = [o for year in years for o in deadlines.obligations(self.plan, self.cal, year)]
        with session_scope(self.engine) as session:
            sync_agencies(session, self.plan, now=now)
            sync_obligations(session, self.plan, computed, years=years, now=now)

    def replace_plan(self, plan: Plan) -> None:
        """Switch to an edited plan: future obligations are recomputed, withdrawn ones stop
        their reminders, and reports already stored stay (see scheduler.sync)."""
        self.plan = plan
        self.valid_tasks = list(plan.task_refs())
        self.coordinator = coordinator.Coordinator(self)
        self.sync_plan()

    def plan_is_current(self, today: date) -> bool:
        return today <= self.plan.plan.in_force.end

    # -- entry point -------------------------------------------------------------------------

    def handle(self, msg: Inbound) -> list[Outbound]:
        now = self.clock.now()
        with session_scope(self.engine) as session:
            row, created = record_inbound(
                session,
                msg.channel,
                msg.update_id,
                chat_id=msg.chat_id,
                user_id=msg.user_id,
                payload=msg.payload,
                received_at=now,
            )
            if not created and row.status != InboxStatus.RECEIVED:
                log.info("update %s:%s already handled; ignoring the redelivery", msg.channel, msg.update_id)
                return []
            inbox_id = row.id
        # The inbox row is committed before anything is acted on: a crash from here on leaves
        # a 'received' row that a redelivery of the same update will process.
        try:
            with session_scope(self.engine) as session:
                out, status = self._dispatch(session, msg, now, inbox_id)
                inbox = session.get(Inbox, inbox_id)
                assert inbox is not None
                inbox.status = status
                inbox.processed_at = now
                session.add(inbox)
            return out
        except Exception as exc:
            log.exception("failed to handle update %s", msg.update_id)
            with session_scope(self.engine) as session:
                inbox = session.get(Inbox, inbox_id)
                if inbox is not None:
                    inbox.status = InboxStatus.FAILED
                    inbox.error = f"{type(exc).__name__}: {exc}"[:2000]
                    session.add(inbox)
            raise

    def _dispatch(self, session: Session, msg: Inbound, now: datetime, inbox_id: int | None) -> tuple[list[Outbound], str]:
        if msg.chat_type != "private" and msg.chat_id not in self.config.allowed_group_ids:
            return [], InboxStatus.IGNORED
        contacts = list(
            session.exec(
                select(Contact).where(
                    Contact.channel == msg.channel, Contact.user_id == msg.user_id, Contact.active == True  # noqa: E712
                )
            ).all()
        )
        who = Who(msg.user_id, msg.chat_id, contacts, msg.user_id in self.config.admin_user_ids)
        lang = next((c.language for c in contacts if c.language), None) or msg.language_code
        turn = Turn(session, msg, who, translator(lang), now, inbox_id)
        if not self.limiter.allow(f"{msg.channel}:{msg.user_id}"):
            turn.say(turn.t("Đồng chí gửi quá nhiều tin trong thời gian ngắn. Đề nghị chờ một phút rồi gửi tiếp."))
            return turn.out, InboxStatus.PROCESSED
        self._route(turn)
        return turn.out, InboxStatus.PROCESSED

    # -- routing -----------------------------------------------------------------------------

    def _route(self, turn: Turn) -> None:
        msg, t = turn.msg, turn.t
        command = msg.command
        if command and command[0] == "start":
            return self._start(turn, command[1])
        if not turn.who.registered:
            if coordinator.is_staff_request(msg):
                return self.coordinator.refuse(turn)
            turn.say(
                t(
                    "Kính chào đồng chí. Tài khoản này chưa được đăng ký với hệ thống nhận báo cáo "
                    "của Sở Tư pháp. Đề nghị đồng chí liên hệ Sở Tư pháp để nhận đường dẫn mời."
                )
            )
            return None
        if msg.callback_data is not None:
            return self._callback(turn, msg.callback_data)
        if command:
            handler = self._commands().get(command[0])
            if handler is None:
                turn.say(t("Lệnh /{name} không có. Gõ /trogiup để xem các lệnh.", name=esc(command[0])))
                return None
            return handler(turn, command[1])
        if msg.attachment is not None:
            return self._attachment(turn, msg.attachment)
        if not msg.text.strip():
            turn.say(t("Tin nhắn trống. Đồng chí gửi nội dung báo cáo, ví dụ: NV4: đang thực hiện 70%."))
            return None
        return self._text(turn, msg.text)

    def _commands(self) -> dict[str, Callable[[Turn, str], None]]:
        return {
            "trogiup": self._help,
            "help": self._help,
            "huy": self._cancel,
            "nhiemvu": self._my_tasks,
            "hanchot": self._my_deadlines,
            "baocao": self._guided_start,
            "ngonngu": self._language,
            **self.coordinator.commands(),
        }

    # -- state -------------------------------------------------------------------------------

    def _state(self, turn: Turn) -> ConversationState | None:
        return turn.session.exec(
            select(ConversationState).where(
                ConversationState.channel == turn.msg.channel,
                ConversationState.chat_id == turn.msg.chat_id,
                ConversationState.user_id == turn.msg.user_id,
            )
        ).first()

    def _set_state(self, turn: Turn, state: str, data: dict[str, Any]) -> None:
        row = self._state(turn)
        if row is None:
            row = ConversationState(
                channel=turn.msg.channel, chat_id=turn.msg.chat_id, user_id=turn.msg.user_id, state=state, data=data, updated_at=turn.now
            )
        else:
            row.state, row.data, row.updated_at = state, dict(data), turn.now
        turn.session.add(row)

    def _live_state(self, turn: Turn, token: str, then: str) -> ConversationState | None:
        """The state a button belongs to, or None (and a word to the user) when the button is
        from an older draft: each draft carries a token, so a stale press changes nothing."""
        state = self._state(turn)
        if state is None or state.data.get("token") != token:
            t = turn.t
            turn.say(t("Nội dung này đã được xử lý hoặc đã hết hiệu lực.") + " " + then, answer_callback=t("Đã hết hiệu lực"))
            return None
        return state

    def _clear_state(self, turn: Turn) -> None:
        row = self._state(turn)
        if row is not None:
            turn.session.delete(row)

    # -- registration ------------------------------------------------------------------------

    def _start(self, turn: Turn, code: str) -> None:
        from bot.invitations import RedeemOutcome, redeem

        t = turn.t
        if code:
            result = redeem(
                turn.session,
                code,
                channel=turn.msg.channel,
                chat_id=turn.msg.chat_id,
                user_id=turn.msg.user_id,
                display_name=turn.msg.display_name,
                language=translator(turn.msg.language_code).lang,
                now=turn.now,
            )
            if result.outcome in (RedeemOutcome.OK, RedeemOutcome.ALREADY):
                contact = result.contact
                assert contact is not None
                turn.who.contacts = [c for c in turn.who.contacts if c.id != contact.id] + [contact]
                return self._greet(turn, contact)
            reasons = {
                RedeemOutcome.EXPIRED: t("Mã mời đã hết hạn."),
                RedeemOutcome.USED: t("Mã mời đã được sử dụng."),
                RedeemOutcome.REVOKED: t("Mã mời đã bị thu hồi."),
            }
            reason = reasons.get(result.outcome, t("Mã mời không hợp lệ."))
            turn.say(reason + " " + t("Đề nghị đồng chí liên hệ Sở Tư pháp để nhận mã mời mới."))
            return None
        if turn.who.contacts:
            return self._greet(turn, turn.who.focal or turn.who.contacts[-1])
        if turn.who.is_config_admin:
            turn.say(t("Kính chào đồng chí quản trị. Gõ /trogiup để xem các lệnh."))
            return None
        turn.say(
            t(
                "Kính chào đồng chí. Để sử dụng hệ thống, đồng chí cần đường dẫn mời do Sở Tư pháp "
                "cấp (dạng https://t.me/…?start=…)."
            )
        )
        return None

    def _greet(self, turn: Turn, contact: Contact) -> None:
        t = turn.t
        agency = self.plan.agency_by_id.get(contact.agency_id)
        name = agency.name if agency else contact.agency_id
        lines = [t("Kính chào đồng chí {person}.", person=esc(turn.msg.display_name or ""))]
        if contact.role == ContactRole.FOCAL:
            lines.append(t("Đồng chí đã được đăng ký là đầu mối báo cáo của <b>{agency}</b>.", agency=esc(name)))
            lines.extend(self._tasks_lines(turn, contact.agency_id))
            lines.extend(self._next_due_lines(turn, contact.agency_id))
            lines.append(
                t("Để báo cáo, đồng chí trả lời tin nhắc hạn hoặc gửi tin dạng: NV4: đang thực hiện 70%, vướng kinh phí. Gõ /trogiup để xem hướng dẫn.")
            )
        else:
            role = t("quản trị") if contact.role == ContactRole.ADMIN else t("điều phối")
            lines.append(t("Đồng chí đã được đăng ký với vai trò {role} ({agency}).", role=role, agency=esc(name)))
            lines.append(t("Gõ /trogiup để xem các lệnh."))
        turn.say("\n".join(lines))

    # -- obligations -------------------------------------------------------------------------

    def _today(self, turn: Turn) -> date:
        return turn.now.astimezone(self.tz).date()

    def _obligations(self, session: Session, agency_id: str) -> list[Obligation]:
        rows = session.exec(
            select(Obligation).where(
                Obligation.agency_id == agency_id,
                Obligation.plan_id == self.plan.plan.id,
                Obligation.status == ObligationStatus.ACTIVE,
            )
        ).all()
        return sorted(rows, key=lambda o: o.due)

    @staticmethod
    def _missing(session: Session, ob: Obligation) -> list[str]:
        reported = set(latest_entries(session, ob.id))
        reported |= {no.rstrip(SUB_ITEM_LETTERS) for no in reported}
        return [task["no"] for task in ob.tasks if task["no"] not in reported]

    def _attribute(self, turn: Turn, agency_id: str) -> Obligation | None:
        """The period a report lands on (see the issue's attribution rule)."""
        session, msg = turn.session, turn.msg
        if msg.reply_to:
            row = session.exec(
                select(Outbox).where(
                    Outbox.channel == msg.channel, Outbox.chat_id == msg.chat_id, Outbox.message_id == msg.reply_to
                )
            ).first()
            if row is not None and row.obligation_id is not None:
                ob = session.get(Obligation, row.obligation_id)
                if ob is not None and ob.agency_id == agency_id:
                    return ob
        obligations = self._obligations(session, agency_id)
        today = self._today(turn)
        for ob in obligations:
            if ob.due < today and self._missing(session, ob):
                return ob
        upcoming = [ob for ob in obligations if ob.due >= today]
        if upcoming:
            return upcoming[0]
        return obligations[-1] if obligations else None

    def _period_name(self, ob: Obligation) -> str:
        return self.plan.period_name(ob.period)

    def _task_title(self, no: str) -> str:
        task = self.plan.task_by_no.get(no)
        if task is not None:
            return task.title
        parent = self.plan.task_by_no.get(no.rstrip(SUB_ITEM_LETTERS))
        if parent is not None:
            return next((i.title for i in parent.items if i.no == no), parent.title)
        return ""

    def _tasks_lines(self, turn: Turn, agency_id: str) -> list[str]:
        t = turn.t
        obligations = self._obligations(turn.session, agency_id)
        ob = self._attribute(turn, agency_id) if obligations else None
        if ob is None:
            return [t("Cơ quan hiện không có nhiệm vụ phải báo cáo theo kế hoạch.")]
        lines = [t("Nhiệm vụ phải báo cáo:")]
        for task in sorted(ob.tasks, key=lambda x: task_sort_key(x["no"])):
            role = t(ROLE_LABELS.get(task["role"], task["role"]))
            lines.append(f"• NV{task['no']} ({role}): {esc(self._task_title(task['no']))}")
        return lines

    def _next_due_lines(self, turn: Turn, agency_id: str) -> list[str]:
        t = turn.t
        today = self._today(turn)
        if not self.plan_is_current(today):
            return [self._plan_ended(turn)]
        upcoming = [ob for ob in self._obligations(turn.session, agency_id) if ob.due >= today]
        if not upcoming:
            return [t("Không còn kỳ báo cáo nào phía trước trong kế hoạch.")]
        ob = upcoming[0]
        return [t("Hạn báo cáo gần nhất ({period}): {date}.", period=self._period_name(ob), date=format_date_vi(ob.due))]

    def _plan_ended(self, turn: Turn) -> str:
        info = self.plan.plan
        return turn.t(
            "Kế hoạch số {number} đã hết hiệu lực từ {date}; không còn kỳ báo cáo nào. "
            "Đề nghị quản trị viên nạp kế hoạch mới (BAOCAO_PLAN_PATH).",
            number=esc(info.number),
            date=format_date_vi(info.in_force.end, weekday=False),
        )

    # -- reports from text ---------------------------------------------------------------------

    def _text(self, turn: Turn, text: str) -> None:
        t = turn.t
        state = self._state(turn)
        if state is not None and state.state == "guided_notes":
            return self._guided_notes(turn, state, text)
        contact = turn.who.focal
        if contact is None:
            turn.say(t("Đồng chí không phải đầu mối báo cáo của cơ quan nào. Gõ /trogiup để xem các lệnh."))
            return None
        ob = None
        if state is not None and state.state == "correct":
            # A correction of a draft stays on the draft's period (it may have come from a reply).
            ob = turn.session.get(Obligation, state.data.get("obligation_id"))
        ob = ob or self._attribute(turn, contact.agency_id)
        if ob is None:
            turn.say(self._plan_ended(turn) if not self.plan_is_current(self._today(turn)) else t("Cơ quan hiện không có kỳ báo cáo nào."))
            return None
        entries = parse_reply(text, self.valid_tasks)
        assigned = [task["no"] for task in ob.tasks]
        problems: list[str] = []
        kept: list[ParsedEntry] = []
        for entry in entries:
            if entry.task is None:
                kept.append(entry)
            elif not entry.known:
                problems.append(t("Kế hoạch không có nhiệm vụ {no}.", no=esc(entry.task)))
            elif entry.task not in assigned and entry.task.rstrip(SUB_ITEM_LETTERS) not in assigned:
                problems.append(t("Cơ quan không được giao nhiệm vụ {no}.", no=esc(entry.task)))
            else:
                kept.append(entry)
        if not kept:
            turn.say("\n".join(problems + [t("Các nhiệm vụ của cơ quan: {tasks}.", tasks=", ".join(f"NV{no}" for no in assigned))]))
            return None
        # Two parts of one message about the same task: keep them together as one entry.
        drafts = [self._entry_dict(e) for e in kept]
        draft = {
            "token": secrets.token_hex(4),
            "obligation_id": ob.id,
            "contact_id": contact.id,
            "inbox_id": turn.inbox_id,
            "raw_text": text,
            "entries": drafts,
            "problems": problems,
        }
        if any(d["task"] is None for d in drafts):
            if len(assigned) == 1:
                for d in drafts:
                    d["task"] = assigned[0]
            else:
                self._set_state(turn, "pick_task", draft)
                choices = [
                    [Choice(f"NV{no}", f"t:{draft['token']}:{no}") for no in row]
                    for row in _rows(sorted(assigned, key=task_sort_key), 4)
                ]
                turn.say(t("Nội dung này thuộc nhiệm vụ nào? Đồng chí chọn nhiệm vụ:"), choices)
                return None
        self._confirm(turn, draft)
        return None

    @staticmethod
    def _entry_dict(entry: ParsedEntry) -> dict[str, Any]:
        return {
            "task": entry.task,
            "status": entry.status,
            "percent": entry.percent,
            "difficulty": entry.difficulty,
            "text": entry.text,
        }

    def _merge_same_task(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        merged: dict[str, dict[str, Any]] = {}
        for e in entries:
            if e["task"] in merged:
                m = merged[e["task"]]
                m["status"] = e["status"] or m["status"]
                m["percent"] = e["percent"] if e["percent"] is not None else m["percent"]
                m["difficulty"] = m["difficulty"] or e["difficulty"]
                m["text"] = f"{m['text']} {e['text']}".strip()
            else:
                merged[e["task"]] = dict(e)
        return list(merged.values())

    def _confirm(self, turn: Turn, draft: dict[str, Any]) -> None:
        t = turn.t
        draft["entries"] = self._merge_same_task(draft["entries"])
        ob = turn.session.get(Obligation, draft["obligation_id"])
        assert ob is not None
        self._set_state(turn, "confirm", draft)
        lines = list(draft.get("problems") or [])
        lines.append(t("Đồng chí kiểm tra nội dung báo cáo <b>{period}</b>:", period=self._period_name(ob)))
        reported = latest_entries(turn.session, ob.id)
        for e in draft["entries"]:
            lines.append(self._describe_entry(turn, e, revision=(reported[e["task"]].revision + 1) if e["task"] in reported else None))
        if self._today(turn) > ob.due:
            lines.append(t("Lưu ý: hạn gửi là {date}; báo cáo sẽ được ghi nhận là gửi muộn.", date=format_date_vi(ob.due)))
        token = draft["token"]
        turn.say(
            "\n".join(lines),
            [[Choice(t("✅ Xác nhận"), f"ok:{token}"), Choice(t("✏️ Sửa"), f"fix:{token}"), Choice(t("✖ Hủy"), f"no:{token}")]],
        )

    def _describe_entry(self, turn: Turn, e: dict[str, Any], revision: int | None = None) -> str:
        t = turn.t
        parts = [t(STATUS_LABELS[e["status"]]) if e["status"] else t("chưa rõ tình trạng")]
        if e["percent"] is not None:
            parts.append(f"{e['percent']}%")
        if e["difficulty"]:
            parts.append(t("có khó khăn, vướng mắc"))
        head = f"• <b>NV{esc(e['task'])}</b>: " + ", ".join(parts)
        if revision:
            head += " " + t("(sửa lần {n})", n=revision - 1)
        text = e["text"] if len(e["text"]) <= 300 else e["text"][:297] + "…"
        return head + f"\n  «{esc(text)}»"

    # -- buttons -----------------------------------------------------------------------------

    def _callback(self, turn: Turn, data: str) -> None:
        t = turn.t
        kind, _, rest = data.partition(":")
        if kind == "lang":
            return self._set_language(turn, rest)
        if kind in coordinator.CALLBACKS:
            return self.coordinator.callback(turn, kind, rest)
        if kind.startswith("g"):
            return self._guided_callback(turn, kind, rest)
        token, _, arg = rest.partition(":")
        state = self._live_state(turn, token, t("Đồng chí gửi lại báo cáo nếu cần."))
        if state is None:
            return None
        draft = dict(state.data)
        if kind == "t" and state.state == "pick_task":
            for e in draft["entries"]:
                if e["task"] is None:
                    e["task"] = arg
            return self._confirm(turn, draft)
        if kind == "ok" and state.state == "confirm":
            return self._store(turn, draft)
        if kind == "fix":
            self._set_state(turn, "correct", draft)
            turn.say(t("Đồng chí gửi lại nội dung đúng (ví dụ: NV4: hoàn thành 100%). Gõ /huy để bỏ qua."))
            return None
        if kind == "no":
            self._clear_state(turn)
            turn.say(t("Đã hủy; chưa có gì được ghi nhận."))
            return None
        turn.say(t("Nút này không còn dùng được."))
        return None

    def _store(self, turn: Turn, draft: dict[str, Any]) -> None:
        t = turn.t
        ob = turn.session.get(Obligation, draft["obligation_id"])
        assert ob is not None
        entries = [
            {
                "task_no": e["task"],
                "status": e["status"],
                "percent": e["percent"],
                "difficulty": e["difficulty"],
                "text": e["text"],
            }
            for e in draft["entries"]
        ]
        report = add_report(
            turn.session,
            ob.id,
            entries,
            source=ReportSource.TELEGRAM,
            submitted_at=turn.now,
            raw_text=draft["raw_text"],
            contact_id=draft.get("contact_id"),
            inbox_id=draft.get("inbox_id"),
            tz=self.config.timezone,
        )
        self._set_state(turn, "reported", {"report_id": report.id, "obligation_id": ob.id})
        audit(turn.session, f"{turn.msg.channel}:{turn.msg.user_id}", "report", f"obligation:{ob.id}", {"report_id": report.id}, at=turn.now)
        lines = [t("Đã ghi nhận báo cáo {period} của {agency}.", period=self._period_name(ob), agency=esc(self.plan.agency_by_id[ob.agency_id].name))]
        if report.late:
            lines.append(t("Báo cáo được ghi nhận là gửi muộn (hạn {date}).", date=format_date_vi(ob.due)))
        missing = self._missing(turn.session, ob)
        if missing:
            lines.append(t("Còn thiếu: {tasks}.", tasks=", ".join(f"NV{no}" for no in missing)))
        else:
            lines.append(t("Cơ quan đã báo cáo đủ các nhiệm vụ của kỳ này. Cảm ơn đồng chí."))
        lines.append(t("Muốn sửa, đồng chí gửi lại nội dung của nhiệm vụ đó; bản mới sẽ thay bản cũ. Có thể gửi kèm tệp minh chứng."))
        turn.say("\n".join(lines), answer_callback=t("Đã ghi nhận"))

    # -- evidence and other media ----------------------------------------------------------------

    def _attachment(self, turn: Turn, attachment: Attachment) -> None:
        t = turn.t
        if attachment.kind in ("document", "photo"):
            state = self._state(turn)
            if state is not None and state.state == "reported" and attachment.file_id:
                turn.session.add(
                    Evidence.model_validate(
                        EvidenceCreate(
                            report_id=state.data["report_id"],
                            contact_id=turn.who.focal.id if turn.who.focal else None,
                            inbox_id=turn.inbox_id,
                            channel=turn.msg.channel,
                            kind=attachment.kind,
                            file_id=attachment.file_id,
                            filename=attachment.filename,
                            caption=turn.msg.text or None,
                            received_at=turn.now,
                        )
                    )
                )
                turn.say(t("Đã lưu tệp làm minh chứng cho báo cáo vừa gửi."))
                return None
            turn.say(t("Đã nhận tệp. Để lưu làm minh chứng, đồng chí gửi báo cáo trước rồi gửi tệp ngay sau đó."))
            return None
        if attachment.kind == "voice":
            turn.say(t("Hệ thống chưa nghe được tin nhắn thoại. Đề nghị đồng chí gõ nội dung báo cáo, ví dụ: NV4: đang thực hiện 70%."))
            return None
        turn.say(t("Hệ thống chỉ đọc được tin nhắn chữ. Đồng chí gõ nội dung báo cáo, hoặc /trogiup để xem hướng dẫn."))
        return None

    # -- commands ------------------------------------------------------------------------------

    def _help(self, turn: Turn, _: str) -> None:
        t = turn.t
        lines = [t("<b>Hướng dẫn</b>")]
        if turn.who.focal is not None:
            lines += [
                t("Báo cáo: trả lời tin nhắc hạn, hoặc gửi tin dạng «NV4: đang thực hiện 70%, vướng kinh phí». Nhiều nhiệm vụ: «NV2, NV6: hoàn thành; NV9 đang thực hiện»."),
                t("/baocao — báo cáo từng bước bằng nút bấm"),
                t("/nhiemvu — nhiệm vụ của cơ quan"),
                t("/hanchot — hạn báo cáo sắp tới"),
            ]
        lines += self.coordinator.help_lines(turn)
        lines += [t("/ngonngu — đổi ngôn ngữ"), t("/huy — hủy thao tác đang làm"), t("/trogiup — hướng dẫn này")]
        turn.say("\n".join(lines))

    def _cancel(self, turn: Turn, _: str) -> None:
        self._clear_state(turn)
        turn.say(turn.t("Đã hủy thao tác đang làm."))

    def _my_tasks(self, turn: Turn, _: str) -> None:
        contact = turn.who.focal
        if contact is None:
            turn.say(turn.t("Đồng chí không phải đầu mối báo cáo của cơ quan nào."))
            return None
        agency = self.plan.agency_by_id[contact.agency_id]
        turn.say("\n".join([f"<b>{esc(agency.name)}</b>", *self._tasks_lines(turn, contact.agency_id)]))
        return None

    def _my_deadlines(self, turn: Turn, _: str) -> None:
        t = turn.t
        contact = turn.who.focal
        today = self._today(turn)
        if not self.plan_is_current(today):
            turn.say(self._plan_ended(turn))
            return None
        if contact is None:
            turn.say(t("Đồng chí không phải đầu mối báo cáo của cơ quan nào."))
            return None
        lines = [t("<b>Hạn báo cáo của {agency}</b>", agency=esc(self.plan.agency_by_id[contact.agency_id].name))]
        for ob in self._obligations(turn.session, contact.agency_id):
            missing = self._missing(turn.session, ob)
            if ob.due < today and not missing:
                mark = t("đã báo cáo")
            elif ob.due < today:
                mark = t("quá hạn, còn thiếu {tasks}", tasks=", ".join(f"NV{no}" for no in missing))
            else:
                left = self.cal.working_days_between(today, ob.due)
                mark = t("còn {n} ngày làm việc", n=left) if missing else t("đã báo cáo")
            lines.append(f"• {self._period_name(ob)}: {format_date_vi(ob.due)} — {mark}")
        turn.say("\n".join(lines))
        return None

    def _language(self, turn: Turn, arg: str) -> None:
        if arg.strip().lower() in SUPPORTED:
            return self._set_language(turn, arg.strip().lower())
        turn.say(turn.t("Chọn ngôn ngữ:"), [[Choice(LANGUAGE_NAMES[code], f"lang:{code}") for code in SUPPORTED]])
        return None

    def _set_language(self, turn: Turn, code: str) -> None:
        if code not in SUPPORTED:
            return None
        for contact in turn.who.contacts:
            contact.language = code
            turn.session.add(contact)
        turn.t = translator(code)
        turn.say(turn.t("Đã chuyển sang tiếng Việt."), answer_callback=LANGUAGE_NAMES[code])
        return None

    # -- guided report (/baocao) -------------------------------------------------------------------

    def _guided_start(self, turn: Turn, _: str) -> None:
        t = turn.t
        contact = turn.who.focal
        if contact is None:
            turn.say(t("Đồng chí không phải đầu mối báo cáo của cơ quan nào."))
            return None
        ob = self._attribute(turn, contact.agency_id)
        if ob is None:
            turn.say(self._plan_ended(turn) if not self.plan_is_current(self._today(turn)) else t("Cơ quan hiện không có kỳ báo cáo nào."))
            return None
        token = secrets.token_hex(4)
        self._set_state(turn, "guided_task", {"token": token, "obligation_id": ob.id, "contact_id": contact.id})
        tasks = sorted((task["no"] for task in ob.tasks), key=task_sort_key)
        turn.say(
            t("Báo cáo {period}. Bước 1/3: chọn nhiệm vụ:", period=self._period_name(ob)),
            [[Choice(f"NV{no}", f"gt:{token}:{no}") for no in row] for row in _rows(tasks, 4)],
        )
        return None

    def _guided_callback(self, turn: Turn, kind: str, rest: str) -> None:
        t = turn.t
        token, _, arg = rest.partition(":")
        state = self._live_state(turn, token, t("Gõ /baocao để bắt đầu lại."))
        if state is None:
            return None
        data = dict(state.data)
        if kind == "gt" and state.state == "guided_task":
            data["task"] = arg
            self._set_state(turn, "guided_status", data)
            turn.say(
                t("Bước 2/3: tình trạng của NV{no}:", no=esc(arg)),
                [[Choice(t(label), f"gs:{token}:{code}")] for code, label in STATUS_LABELS.items()],
            )
            return None
        if kind == "gs" and state.state == "guided_status" and arg in STATUS_LABELS:
            data["status"] = arg
            self._set_state(turn, "guided_notes", data)
            turn.say(
                t("Bước 3/3: gửi tỷ lệ hoàn thành và kết quả, khó khăn (ví dụ: 70%, đã tổ chức 3 hội nghị, vướng kinh phí), hoặc bấm Bỏ qua."),
                [[Choice(t("Bỏ qua"), f"gn:{token}:")]],
            )
            return None
        if kind == "gn" and state.state == "guided_notes":
            return self._guided_notes(turn, state, "")
        turn.say(t("Nút này không còn dùng được."))
        return None

    def _guided_notes(self, turn: Turn, state: ConversationState, text: str) -> None:
        data = dict(state.data)
        parsed = parse_reply(text, self.valid_tasks)[0] if text.strip() else None
        status = data["status"]
        percent = parsed.percent if parsed else None
        if status == "done" and percent is None:
            percent = 100
        entry = {
            "task": data["task"],
            "status": status,
            "percent": percent,
            "difficulty": bool(parsed and parsed.difficulty),
            "text": text.strip() or turn.t(STATUS_LABELS[status]),
        }
        draft = {
            "token": secrets.token_hex(4),
            "obligation_id": data["obligation_id"],
            "contact_id": data["contact_id"],
            "inbox_id": turn.inbox_id,
            "raw_text": text,
            "entries": [entry],
        }
        self._confirm(turn, draft)


def _rows(items: Iterable[str], width: int) -> list[list[str]]:
    items = list(items)
    return [items[i : i + width] for i in range(0, len(items), width)]
