"""Commands of Sở Tư pháp's coordinators (cán bộ điều phối) and of the admin.

``/tinhhinh`` (with the period's chart), ``/chuabaocao``, ``/tonghop`` (the consolidated
report: Word draft, Excel annex, chart), ``/moi`` and ``/dsdaumoi``, with their buttons (``nudge:``,
``rv:``, ``rvok:``, ``rvno:``). Registered from :meth:`Conversation._commands` and
:meth:`Conversation._callback`; channel-agnostic like the rest of the core: every handler
takes the :class:`~bot.conversation.Turn` and answers with ``turn.say`` (or, for a nudge,
:class:`~bot.messages.Outbound` messages addressed to the focal points' chats).

Choices made here:

- **The role is checked on every call**, commands and button presses alike: a button shown to
  a coordinator who has since been revoked does nothing. Strangers asking for these commands
  get the same refusal as focal points (``Conversation._route`` sends them here).
- **Periods** are written "Q1", "2024-Q1", "quý 1", "quy I", "6 tháng", "9 thang", "cả năm",
  "năm 2024"… A period without a year takes the current year, or the plan's nearest year when
  the plan is not in force this year: never a period the plan does not have. After the plan's
  end, ``/tinhhinh`` says so and shows the plan's last period.
- **Nudges** are rate-limited per obligation through the audit log (``action='nudge'``): one
  per 10 minutes, whoever presses. On PostgreSQL the obligation row is locked first, so two
  coordinators pressing at the same moment still send one nudge.
- **Long answers** are split at line boundaries (:func:`split_message`); buttons travel with
  the part that lists their agency or contact, at most :data:`MAX_BUTTONS` per message.
- **Pictures and files.** ``/tinhhinh`` without a subject ends with the period's chart (a
  photo); ``/tonghop [kỳ]`` answers with a short summary, then the Word draft and the Excel
  annex as documents and the chart as a photo (:mod:`reports`). A file that cannot be
  drawn is logged and left out, with a line saying so: the text answer never depends on
  matplotlib or python-docx working.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlmodel import col, select

from common.text import fold
import reports as report
from reports import status as st
from common.i18n import N_, Translator, translator
from bot.invitations import (
    DEFAULT_TTL,
    InvitationError,
    create_invitation,
    deactivate_contact,
    deep_link,
    list_contacts,
    normalize_bot_username,
)
from bot.messages import Choice, Inbound, Outbound
from scheduler.plan import closest_names, describe_matches, find
from common.vndate import format_date_short, format_date_vi
from storage.models import AuditLog, Contact, ContactRole, Obligation, ObligationStatus
from storage.queries import audit

if TYPE_CHECKING:
    from bot.conversation import Conversation, Turn

log = logging.getLogger(__name__)

MAX_MESSAGE = 4096  # Telegram's limit for one message
MAX_BUTTONS = 90  # Telegram allows 100 inline buttons per message; keep a margin
NUDGE_INTERVAL = timedelta(minutes=10)
MAX_RECOMMENDATIONS_SHOWN = 5  # in /tonghop's summary; the draft has them all
NUDGE_ACTION = "nudge"

# Texts and labels below are marked with N_ for extraction and translated with t(…) where shown.
REFUSAL = N_("Lệnh này dành cho cán bộ điều phối của Sở Tư pháp.")
ADMIN_ONLY = N_("Thao tác này chỉ dành cho quản trị viên.")

COMMANDS = ("tinhhinh", "chuabaocao", "tonghop", "moi", "dsdaumoi")
CALLBACKS = ("nudge", "rv", "rvok", "rvno")

STATE_LABELS = {
    st.ON_TIME: N_("đã báo cáo đúng hạn"),
    st.LATE: N_("đã báo cáo, có nhiệm vụ gửi muộn"),
    st.PARTIAL: N_("mới báo cáo một phần"),
    st.MISSING: N_("chưa báo cáo"),
}
ENTRY_LABELS = {
    "done": N_("hoàn thành"),
    "in_progress": N_("đang thực hiện"),
    "not_started": N_("chưa triển khai"),
    st.UNSPECIFIED: N_("chưa nêu tiến độ"),
}
DUTY_LABELS = {"lead": N_("chủ trì"), "coordinator": N_("phối hợp")}
FILE_LABELS = {"docx": "Word", "xlsx": "Excel", "png": N_("biểu đồ")}
CONTACT_ROLE_LABELS = {
    ContactRole.FOCAL: N_("đầu mối"),
    ContactRole.COORDINATOR: N_("điều phối"),
    ContactRole.ADMIN: N_("quản trị"),
}
# What /moi accepts after the agency's name (folded: no diacritics, lower case).
ROLE_WORDS = {
    "dau moi": ContactRole.FOCAL,
    "focal": ContactRole.FOCAL,
    "dieu phoi": ContactRole.COORDINATOR,
    "can bo dieu phoi": ContactRole.COORDINATOR,
    "coordinator": ContactRole.COORDINATOR,
    "quan tri": ContactRole.ADMIN,
    "quan tri vien": ContactRole.ADMIN,
    "admin": ContactRole.ADMIN,
}
_SUB_ITEM = "abcdefghijklmnopqrstuvwxyzđ"
_TASK_LIKE = re.compile(r"^(?:nv|nhiem vu)?\s*\.?\s*\d+[a-z]?\.?$")


def esc(text: object) -> str:
    return html.escape(str(text), quote=False)


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- splitting long messages -----------------------------------------------------------------


def _cut_line(line: str, limit: int) -> Iterable[str]:
    """A line longer than ``limit`` in pieces, cut after a comma or a space when possible."""
    while len(line) > limit:
        window = line[:limit]
        at = max(window.rfind(", ") + 1, window.rfind(" "))
        if at < limit // 2:  # no good break point: cut hard
            at = limit
        yield line[:at].rstrip()
        line = line[at:].lstrip()
    yield line


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, split between lines.

    Lines are never split unless one alone is longer than ``limit`` (then it is cut after a
    comma or a space). Blank lines at a split are dropped; every other line is kept, in order.
    The HTML the bot writes opens and closes its tags on one line, so parts stay well formed.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        for piece in _cut_line(line, limit):
            extra = len(piece) + (1 if current else 0)
            if current and size + extra > limit:
                parts.append("\n".join(current))
                current, size, extra = [], 0, len(piece)
            if not current and not piece.strip():
                continue  # no part starts with a blank line
            current.append(piece)
            size += extra
    if current:
        parts.append("\n".join(current))
    return [part.rstrip("\n") for part in parts if part.strip()] or [""]


def _rows(choices: Sequence[Choice], width: int = 2) -> list[list[Choice]]:
    return [list(choices[i : i + width]) for i in range(0, len(choices), width)]


# --- the commands ------------------------------------------------------------------------------


def is_staff_request(msg: Inbound) -> bool:
    """A command or a button of this module (so that a stranger gets this module's refusal)."""
    if msg.callback_data is not None:
        return msg.callback_data.partition(":")[0] in CALLBACKS
    command = msg.command
    return command is not None and command[0] in COMMANDS


class Coordinator:
    """The coordinators' and admin's commands of one :class:`Conversation`."""

    def __init__(self, conv: Conversation) -> None:
        self.conv = conv
        self.plan = conv.plan

    def commands(self) -> dict[str, Callable[[Turn, str], None]]:
        return {
            "tinhhinh": self.status,
            "chuabaocao": self.not_reported,
            "tonghop": self.consolidated,
            "moi": self.invite,
            "dsdaumoi": self.contacts,
        }

    def callback(self, turn: Turn, kind: str, arg: str) -> None:
        handlers: dict[str, Callable[[Turn, str], None]] = {
            "nudge": self.nudge,
            "rv": self.revoke_ask,
            "rvok": self.revoke_do,
            "rvno": self.revoke_cancel,
        }
        handlers[kind](turn, arg)

    # -- roles ---------------------------------------------------------------------------------

    def refuse(self, turn: Turn, *, admin: bool = False) -> None:
        t = turn.t
        text = t(ADMIN_ONLY) if admin else t(REFUSAL)
        pressed = turn.msg.callback_data is not None
        turn.say(text, answer_callback=t("Không có quyền") if pressed else None)

    def _coordinator(self, turn: Turn) -> bool:
        if turn.who.is_coordinator:
            return True
        self.refuse(turn)
        return False

    def _admin(self, turn: Turn) -> bool:
        if turn.who.is_admin:
            return True
        # A coordinator learns the button is for admins; anybody else gets the general refusal.
        self.refuse(turn, admin=turn.who.is_coordinator)
        return False

    @staticmethod
    def _actor(turn: Turn) -> str:
        return f"{turn.msg.channel}:{turn.msg.user_id}"

    def help_lines(self, turn: Turn) -> list[str]:
        t = turn.t
        lines: list[str] = []
        if turn.who.is_coordinator:
            lines += [
                t("<b>Cán bộ điều phối</b>"),
                t("/tinhhinh [kỳ] — tình hình báo cáo (ví dụ: /tinhhinh Q1)"),
                t("/tinhhinh NV4 hoặc /tinhhinh CA tỉnh — chi tiết một nhiệm vụ, một cơ quan"),
                t("/chuabaocao [kỳ] — cơ quan chưa báo cáo đủ, kèm nút nhắc"),
                t("/tonghop [kỳ] — dự thảo báo cáo tổng hợp (Word), phụ lục (Excel) và biểu đồ"),
                t("/moi &lt;cơ quan&gt; — tạo đường dẫn mời đầu mối"),
                t("/dsdaumoi [cơ quan] — danh sách tài khoản đã đăng ký"),
            ]
        if turn.who.is_admin:
            lines += [
                t("<b>Quản trị</b>"),
                t("/moi &lt;cơ quan&gt; điều phối|quản trị — mời cán bộ điều phối, quản trị viên"),
                t("/dsdaumoi — kèm nút thu hồi tài khoản"),
            ]
        return lines

    # -- periods -------------------------------------------------------------------------------

    def _today(self, turn: Turn) -> date:
        return self.conv._today(turn)

    def _default_year(self, today: date) -> int:
        years = list(self.plan.years_in_force())
        if not years or today.year in years:
            return today.year
        return years[-1] if today.year > years[-1] else years[0]

    def _split_period(self, arg: str) -> tuple[str, str | None]:
        """``(subject, period key or None)`` from what follows a command: the period may be
        the last words ("CA tỉnh quý 1") or the first ("Q1 NV4")."""
        words = arg.split()
        n = len(words)
        for k in range(min(5, n), 0, -1):
            key = _period_key(fold(" ".join(words[n - k :])), whole=k == n)
            if key is not None:
                return " ".join(words[: n - k]), key
        for k in range(min(5, n - 1), 0, -1):
            key = _period_key(fold(" ".join(words[:k])), whole=False)
            if key is not None:
                return " ".join(words[k:]), key
        return " ".join(words), None

    def _period(self, turn: Turn, given: str | None) -> tuple[str, list[str]] | None:
        """The period asked (or the default), and notes to show first; ``None`` after
        telling the user what is wrong."""
        t = turn.t
        today = self._today(turn)
        notes: list[str] = []
        ended = not self.conv.plan_is_current(today)
        if given is not None:
            try:
                year, code = st.parse_period(self.plan, given, default_year=self._default_year(today))
            except st.PeriodError as exc:
                turn.say(_sentence(str(exc)))
                return None
            if ended:
                notes.append(self.conv._plan_ended(turn))
            return st.period_key(year, code), notes
        key = st.default_period(self.plan, self.conv.cal, turn.now, tz=self.conv.tz)
        if key is None:
            turn.say(self.conv._plan_ended(turn) if ended else t("Kế hoạch không có kỳ báo cáo nào."))
            return None
        if ended:
            notes += [self.conv._plan_ended(turn), t("Dưới đây là tình hình kỳ báo cáo cuối cùng của kế hoạch."), ""]
        return key, notes

    # -- /tinhhinh -------------------------------------------------------------------------------

    def status(self, turn: Turn, arg: str) -> None:
        if not self._coordinator(turn):
            return None
        subject_text, period_text = self._split_period(arg)
        subject = None
        if subject_text:
            subject = st.resolve_subject(self.plan, subject_text)
            if subject is None:
                turn.say(self._unknown_subject(turn, subject_text))
                return None
        found = self._period(turn, period_text)
        if found is None:
            return None
        period, notes = found
        session, now, tz = turn.session, turn.now, self.conv.tz
        try:
            if subject is None:
                ps = st.period_status(session, self.plan, period, now, tz, cal=self.conv.cal)
                body = self._overview(turn, ps)
            elif subject.kind == "task":
                body = self._task_text(turn, st.task_detail(session, self.plan, subject.id, period, now, tz))
            elif subject.kind == "agency":
                agency = st.agency_detail(session, self.plan, subject.id, period, now, tz)
                body = self._agency_text(turn, agency, self.plan.period_name(period))
            else:
                ps = st.period_status(session, self.plan, period, now, tz, cal=self.conv.cal)
                body = self._group_text(turn, subject, ps)
        except st.StatusError as exc:
            turn.say("\n".join([*notes, _sentence(str(exc))]).strip())
            return None
        self._say_long(turn, "\n".join([*notes, body]))
        if subject is None:
            self._say_chart(turn, ps)
        return None

    def _say_chart(self, turn: Turn, ps: st.PeriodStatus) -> None:
        """The period's chart as a photo; nothing (and a log entry) if it cannot be drawn."""
        try:
            from reports.chart import status_chart
            from reports.data import period_history

            history = period_history(turn.session, self.plan, ps, turn.now, self.conv.tz, cal=self.conv.cal)
            png = status_chart(self.plan, ps, history)
        except Exception:  # noqa: BLE001 - the chart is an extra; the text has been answered
            log.exception("chart of %s could not be drawn", ps.period)
            return None
        turn.say(turn.t("Biểu đồ tình hình báo cáo {period}.", period=esc(ps.period_name)), photo=png)
        return None

    def _unknown_subject(self, turn: Turn, text: str) -> str:
        t = turn.t
        if _TASK_LIKE.match(fold(text)):
            return t(
                "Kế hoạch không có nhiệm vụ «{text}». Các nhiệm vụ: {tasks}.",
                text=esc(text),
                tasks=", ".join(f"NV{no}" for no in self.plan.task_refs()),
            )
        lines = [t("Không tìm thấy cơ quan hoặc nhiệm vụ «{text}».", text=esc(text))]
        near = closest_names(self.plan, text)
        if near:
            lines.append(t("Có phải: {names}?", names=esc("; ".join(m.name for m in near))))
        lines.append(t("Ví dụ: /tinhhinh NV4, /tinhhinh CA tỉnh, /tinhhinh Q1."))
        return "\n".join(lines)

    def _timing(self, turn: Turn, ps: st.PeriodStatus) -> str:
        t = turn.t
        today = ps.now.date()
        at = t("Tính đến {time} ngày {date}", time=f"{ps.now:%H:%M}", date=format_date_short(today))
        if today == ps.due:
            return at + ": " + t("hôm nay là hạn gửi báo cáo.")
        days = self.conv.cal.working_days_between(today, ps.due)
        if days > 0:
            return at + ": " + t("còn {n} ngày làm việc đến hạn gửi báo cáo.", n=days)
        if days < 0:
            return at + ": " + t("đã quá hạn gửi báo cáo {n} ngày làm việc.", n=-days)
        return at + ": " + (t("đã quá hạn gửi báo cáo.") if ps.overdue else t("chưa đến hạn gửi báo cáo."))

    @staticmethod
    def _tasks(numbers: Iterable[str]) -> str:
        return ", ".join(f"NV{no}" for no in numbers)

    def _contacts_text(self, turn: Turn, contacts: Sequence[st.ContactInfo]) -> str:
        t = turn.t
        if not contacts:
            return t("chưa có đầu mối")
        names = [c.display_name or t("(chưa có tên)") for c in contacts]
        return t("đầu mối: {names}", names=esc(", ".join(names)))

    def _task_summary(self, turn: Turn, task: st.TaskStatus) -> str:
        t = turn.t
        parts = [t("{n}/{total} cơ quan đã báo cáo", n=task.reported_by, total=task.assigned_to)]
        statuses = [f"{t(ENTRY_LABELS.get(key, key))} {n}" for key, n in task.statuses.items() if n]
        if statuses:
            parts.append(", ".join(statuses))
        if task.average_percent is not None:
            parts.append(t("bình quân {p}%", p=f"{task.average_percent:g}".replace(".", ",")))
        if task.difficulties:
            parts.append(t("{n} cơ quan nêu khó khăn", n=task.difficulties))
        return "; ".join(parts)

    def _overview(self, turn: Turn, ps: st.PeriodStatus) -> str:
        t = turn.t
        c = ps.counts
        lines = [
            t("<b>Tình hình báo cáo {period}</b>", period=esc(ps.period_name)),
            t("Hạn gửi: {due}; hạn tổng hợp: {consolidation}.", due=format_date_vi(ps.due), consolidation=format_date_vi(ps.consolidation_due)),
            self._timing(turn, ps),
            t(
                "Đã báo cáo đủ: <b>{n}/{total}</b> cơ quan (đúng hạn {on_time}, muộn {late}); "
                "báo cáo một phần: {partial}; chưa báo cáo: {missing}.",
                n=ps.reported,
                total=ps.total,
                on_time=c[st.ON_TIME],
                late=c[st.LATE],
                partial=c[st.PARTIAL],
                missing=c[st.MISSING],
            ),
        ]
        if not ps.agencies:
            lines.append(t("Không có cơ quan nào phải báo cáo trong kỳ này."))
            return "\n".join(lines)
        on_time, late = ps.by_state(st.ON_TIME), ps.by_state(st.LATE)
        partial, missing = ps.by_state(st.PARTIAL), ps.by_state(st.MISSING)
        if on_time:
            lines += ["", t("<b>Đúng hạn ({n}):</b>", n=len(on_time)) + " " + esc(", ".join(a.agency for a in on_time)) + "."]
        if late:
            lines += ["", t("<b>Gửi muộn ({n}):</b>", n=len(late))]
            lines += [f"• {esc(a.agency)} — " + t("muộn {tasks}", tasks=self._tasks(a.late_tasks)) for a in late]
        if partial:
            lines += ["", t("<b>Báo cáo một phần ({n}):</b>", n=len(partial))]
            lines += [f"• {esc(a.agency)} — " + t("còn thiếu {tasks}", tasks=self._tasks(a.missing_tasks)) for a in partial]
        if missing:
            head = t("<b>Chưa báo cáo ({n}):</b>", n=len(missing))
            lines += ["", head + " " + esc(", ".join(a.agency for a in missing)) + "."]
        if ps.tasks:
            lines += ["", t("<b>Theo nhiệm vụ</b>")]
            lines += [f"• NV{task.no}: {self._task_summary(turn, task)}" for task in ps.tasks]
        lines += ["", t("Chi tiết: /tinhhinh NV4, /tinhhinh CA tỉnh. Cơ quan chưa báo cáo và nút nhắc: /chuabaocao.")]
        return "\n".join(lines)

    def _entry_text(self, turn: Turn, entry: st.TaskEntry) -> str:
        t = turn.t
        parts = [t(ENTRY_LABELS[entry.status]) if entry.status in ENTRY_LABELS else t("chưa nêu tiến độ")]
        if entry.percent is not None:
            parts.append(f"{entry.percent}%")
        if entry.difficulty:
            parts.append(t("có khó khăn, vướng mắc"))
        sent = entry.submitted_at
        parts.append(t("gửi {when}", when=f"{format_date_short(sent.date())} {sent:%H:%M}"))
        if entry.revision > 1:
            parts.append(t("sửa lần {n}", n=entry.revision - 1))
        if entry.late:
            parts.append(t("muộn"))
        text = ", ".join(parts)
        if entry.text.strip():
            text += f"\n  «{esc(_cut(entry.text, 200))}»"
        return text

    def _duty_label(self, turn: Turn, role: str, request: bool) -> str:
        label = turn.t(DUTY_LABELS.get(str(role), str(role)))
        return label + (", " + turn.t("đề nghị") if request else "")

    def _state_text(self, turn: Turn, state: str, overdue: bool) -> str:
        text = turn.t(STATE_LABELS[state])
        return text + (", " + turn.t("đã quá hạn") if overdue else "")

    def _agency_text(self, turn: Turn, agency: st.AgencyStatus, period_name: str) -> str:
        t = turn.t
        lines = [
            f"<b>{esc(agency.agency)}</b> — {esc(period_name)}",
            t("Hạn gửi: {due}. Tình trạng: {state}.", due=format_date_vi(agency.due), state=self._state_text(turn, agency.state, agency.overdue)),
            _sentence(self._contacts_text(turn, agency.contacts)),
        ]
        for duty in agency.tasks:
            entries = [e for e in agency.entries if e.task == duty.no or e.task.rstrip(_SUB_ITEM) == duty.no]
            role = self._duty_label(turn, duty.role, duty.request)
            if not entries:
                lines.append(f"• NV{duty.no} ({role}): " + t("chưa báo cáo"))
            for entry in entries:
                lines.append(f"• NV{entry.task} ({role}): " + self._entry_text(turn, entry))
        return "\n".join(lines)

    def _group_text(self, turn: Turn, subject: st.Subject, ps: st.PeriodStatus) -> str:
        t = turn.t
        owing = [a for a in (ps.agency(m) for m in subject.members) if a is not None]
        full = sum(1 for a in owing if a.state in (st.ON_TIME, st.LATE))
        lines = [
            f"<b>{esc(subject.name)}</b> — {esc(ps.period_name)}",
            t("Hạn gửi: {due}. Đã báo cáo đủ: {n}/{total} cơ quan.", due=format_date_vi(ps.due), n=full, total=len(owing)),
        ]
        for member in subject.members:
            a = ps.agency(member)
            name = self.plan.agency_by_id[member].name if member in self.plan.agency_by_id else member
            if a is None:
                lines.append(f"• {esc(name)}: " + t("không phải báo cáo kỳ này"))
                continue
            text = self._state_text(turn, a.state, a.overdue)
            if a.state == st.PARTIAL:
                text += "; " + t("còn thiếu {tasks}", tasks=self._tasks(a.missing_tasks))
            if a.state in (st.PARTIAL, st.MISSING):
                text += "; " + self._contacts_text(turn, a.contacts)
            lines.append(f"• {esc(a.agency)}: {text}")
        return "\n".join(lines)

    def _task_text(self, turn: Turn, detail: st.TaskDetail) -> str:
        t = turn.t
        s = detail.summary
        lines = [f"<b>NV{esc(s.no)}. {esc(s.title)}</b>", t("Kỳ báo cáo: {period}.", period=esc(detail.period_name))]
        if detail.due is not None:
            lines[-1] = t("Kỳ báo cáo: {period}; hạn gửi: {due}.", period=esc(detail.period_name), due=format_date_vi(detail.due))
        if s.lead:
            lead = esc(", ".join(s.lead))
            lines.append(t("Chủ trì (đề nghị): {names}.", names=lead) if s.lead_is_request else t("Chủ trì: {names}.", names=lead))
        lines.append(_sentence(self._task_summary(turn, s)))
        # Leads one by one, answered or not; other agencies only when they answered, the rest
        # in one line (a task may have forty coordinating agencies).
        silent: list[str] = []
        for row in detail.agencies:
            role = self._duty_label(turn, row.role, row.request)
            head = f"• {esc(row.agency)} ({role})"
            if not row.entries and row.role != "lead":
                silent.append(row.agency)
            elif not row.entries:
                lines.append(f"{head}: " + t("chưa báo cáo") + "; " + self._contacts_text(turn, row.contacts))
            for entry in row.entries:
                label = f" NV{entry.task}" if entry.task != s.no else ""
                lines.append(f"{head}{label}: " + self._entry_text(turn, entry))
        if silent:
            lines.append(t("<b>Chưa báo cáo ({n}):</b>", n=len(silent)) + " " + esc(", ".join(silent)) + ".")
        return "\n".join(lines)

    def _period_only(self, turn: Turn, arg: str, usage: str) -> tuple[str, list[str]] | None:
        """The period of a command that takes nothing else; its usage line when more was typed."""
        rest, period_text = self._split_period(arg)
        if rest:
            turn.say(usage)
            return None
        return self._period(turn, period_text)

    # -- /tonghop --------------------------------------------------------------------------------

    def consolidated(self, turn: Turn, arg: str) -> None:
        if not self._coordinator(turn):
            return None
        t = turn.t
        found = self._period_only(turn, arg, t("Cú pháp: /tonghop [kỳ], ví dụ /tonghop Q1 hoặc /tonghop 2024-H1."))
        if found is None:
            return None
        period, notes = found
        try:
            data = report.gather(turn.session, self.plan, period, turn.now, self.conv.tz, cal=self.conv.cal)
        except st.StatusError as exc:
            turn.say("\n".join([*notes, _sentence(str(exc))]).strip())
            return None
        files: list[tuple[str, bytes | None]] = []
        for fmt in ("docx", "xlsx", "png"):
            try:
                files.append((fmt, report.render(data, fmt)))
            except Exception:  # noqa: BLE001 - one file failing must not cost the others
                log.exception("%s of %s could not be made", fmt, period)
                files.append((fmt, None))
        self._say_long(turn, "\n".join([*notes, self._consolidated_text(turn, data)]))
        captions = {
            "docx": t("Dự thảo báo cáo tổng hợp {period} (Word).", period=esc(data.period_name)),
            "xlsx": t("Phụ lục {period} (Excel): từng cơ quan, từng nhiệm vụ và mọi lần gửi.", period=esc(data.period_name)),
            "png": t("Biểu đồ tình hình báo cáo {period}.", period=esc(data.period_name)),
        }
        failed = []
        for fmt, content in files:
            if content is None:
                failed.append(fmt)
            elif fmt == "png":
                turn.say(captions[fmt], photo=content)
            else:
                turn.say(captions[fmt], document=content, filename=report.filename(data, fmt))
        if failed:
            turn.say(
                t(
                    "Không lập được tệp {formats}; đề nghị báo quản trị viên kiểm tra nhật ký của bot.",
                    formats=", ".join(t(FILE_LABELS[fmt]) for fmt in failed),
                )
            )
        return None

    def _consolidated_text(self, turn: Turn, data: report.ReportData) -> str:
        t = turn.t
        ps, c = data.status, data.status.counts
        lines = [
            t("<b>Báo cáo tổng hợp {period}</b> (dự thảo)", period=esc(data.period_name)),
            t(
                "Lập lúc {time} ngày {date} từ các báo cáo đã nhận (lần gửi mới nhất của mỗi nhiệm vụ); hạn gửi: {due}.",
                time=f"{ps.now:%H:%M}",
                date=format_date_short(ps.now.date()),
                due=format_date_vi(ps.due),
            ),
            t(
                "Đã báo cáo đủ: <b>{n}/{total}</b> cơ quan (đúng hạn {on_time}, muộn {late}); "
                "báo cáo một phần: {partial}; chưa báo cáo: {missing}.",
                n=ps.reported,
                total=ps.total,
                on_time=c[st.ON_TIME],
                late=c[st.LATE],
                partial=c[st.PARTIAL],
                missing=c[st.MISSING],
            ),
        ]
        silent = data.silent_tasks
        if silent:
            lines.append(t("Nhiệm vụ chưa có cơ quan nào báo cáo: {tasks}.", tasks=self._tasks(task.no for task in silent)))
        lines.append(
            t(
                "Khó khăn, vướng mắc: {difficulties} ý kiến; kiến nghị, đề xuất: {recommendations}.",
                difficulties=len(data.difficulties),
                recommendations=len(data.recommendations),
            )
        )
        shown = data.recommendations[:MAX_RECOMMENDATIONS_SHOWN]
        if shown:
            lines += ["", t("<b>Kiến nghị, đề xuất</b>")]
            lines += [f"• {esc(f.agency)} (NV{esc(f.task)}): {esc(_cut(f.text, 200))}" for f in shown]
            more = len(data.recommendations) - len(shown)
            if more:
                lines.append(t("… và {n} kiến nghị khác trong dự thảo.", n=more))
        lines += ["", t("Dự thảo Word, phụ lục Excel và biểu đồ gửi kèm dưới đây.")]
        return "\n".join(lines)

    # -- /chuabaocao -----------------------------------------------------------------------------

    def not_reported(self, turn: Turn, arg: str) -> None:
        if not self._coordinator(turn):
            return None
        t = turn.t
        found = self._period_only(
            turn, arg, t("Cú pháp: /chuabaocao [kỳ], ví dụ /chuabaocao Q1. Chi tiết một cơ quan: /tinhhinh &lt;cơ quan&gt;.")
        )
        if found is None:
            return None
        period, notes = found
        ps = st.period_status(turn.session, self.plan, period, turn.now, self.conv.tz, cal=self.conv.cal)
        missing, partial = ps.by_state(st.MISSING), ps.by_state(st.PARTIAL)
        head = [
            *notes,
            t("<b>Cơ quan chưa báo cáo đủ — {period}</b>", period=esc(ps.period_name)),
            t("Hạn gửi: {due}.", due=format_date_vi(ps.due)),
            self._timing(turn, ps),
        ]
        if not missing and not partial:
            head.append(t("Tất cả {n} cơ quan đã báo cáo đủ.", n=ps.total) if ps.total else t("Không có cơ quan nào phải báo cáo trong kỳ này."))
            self._say_long(turn, "\n".join(head))
            return None
        head.append(t("Chưa báo cáo: {missing}; báo cáo một phần: {partial} (trên tổng số {total} cơ quan).", missing=len(missing), partial=len(partial), total=ps.total))
        blocks: list[tuple[str, list[Choice]]] = []
        for title, agencies in ((t("<b>Chưa báo cáo ({n}):</b>", n=len(missing)), missing), (t("<b>Báo cáo một phần ({n}):</b>", n=len(partial)), partial)):
            if not agencies:
                continue
            blocks.append(("\n" + title, []))
            for a in agencies:
                text = f"• {esc(a.agency)} — "
                if a.state == st.PARTIAL:
                    text += t("còn thiếu {tasks}", tasks=self._tasks(a.missing_tasks)) + "; "
                text += self._contacts_text(turn, a.contacts)
                label = t("Nhắc {name}", name=self._short_name(a.agency_id, a.agency))
                blocks.append((text, [Choice(label, f"nudge:{a.obligation_id}")]))
        blocks.append(("\n" + t("Bấm «Nhắc …» để gửi ngay tin nhắc tới các đầu mối của cơ quan đó."), []))
        self._say_blocks(turn, "\n".join(head), blocks)
        return None

    def _short_name(self, agency_id: str, name: str) -> str:
        """A name short enough for a button: the name, else its first short alias."""
        if len(name) <= 24:
            return name
        agency = self.plan.agency_by_id.get(agency_id)
        aliases = list(agency.aliases) if agency is not None else []
        short = next((a for a in aliases if len(a) <= 24), None)
        return short or min(aliases, key=len, default=name)

    # -- nudge: button ---------------------------------------------------------------------------

    def nudge(self, turn: Turn, arg: str) -> None:
        if not self._coordinator(turn):
            return None
        t = turn.t
        session = turn.session
        if not arg.isdigit():
            turn.say(t("Nút này không còn dùng được."), answer_callback=t("Không hợp lệ"))
            return None
        # Lock the obligation (PostgreSQL; ignored on SQLite) so that two presses at the same
        # moment are serialised and the second one finds the first one's audit row.
        ob = session.exec(select(Obligation).where(Obligation.id == int(arg)).with_for_update()).first()
        if ob is None or ob.status != ObligationStatus.ACTIVE or ob.plan_id != self.plan.plan.id:
            turn.say(t("Nghĩa vụ báo cáo này không còn hiệu lực; không gửi nhắc."), answer_callback=t("Không gửi"))
            return None
        agency_name = self.plan.agency_by_id[ob.agency_id].name if ob.agency_id in self.plan.agency_by_id else ob.agency_id
        period = self.plan.period_name(ob.period)
        try:
            detail = st.agency_detail(session, self.plan, ob.agency_id, ob.period, turn.now, self.conv.tz)
        except st.StatusError as exc:
            turn.say(_sentence(str(exc)), answer_callback=t("Không gửi"))
            return None
        if detail.state in (st.ON_TIME, st.LATE):
            turn.say(
                t("{agency} đã báo cáo đủ kỳ {period}; không cần nhắc.", agency=esc(agency_name), period=esc(period)),
                answer_callback=t("Đã báo cáo đủ"),
            )
            return None
        target = f"obligation:{ob.id}"
        last = session.exec(
            select(AuditLog)
            .where(AuditLog.action == NUDGE_ACTION, AuditLog.target == target, col(AuditLog.at) > turn.now - NUDGE_INTERVAL)
            .order_by(col(AuditLog.at).desc())
        ).first()
        if last is not None:
            at = last.at.astimezone(self.conv.tz)
            again = (last.at + NUDGE_INTERVAL).astimezone(self.conv.tz)
            turn.say(
                t("Đã nhắc lúc {time}; có thể nhắc lại sau {again}.", time=f"{at:%H:%M}", again=f"{again:%H:%M}"),
                answer_callback=t("Đã nhắc lúc {time}", time=f"{at:%H:%M}"),
            )
            return None
        contacts = list(
            session.exec(
                select(Contact)
                .where(
                    Contact.agency_id == ob.agency_id,
                    Contact.active == True,  # noqa: E712 - SQL expression
                    Contact.role == ContactRole.FOCAL,
                    Contact.channel == turn.msg.channel,
                )
                .order_by(col(Contact.id))
            ).all()
        )
        if not contacts:
            turn.say(
                t(
                    "{agency} chưa có đầu mối đăng ký nên chưa gửi được tin nhắc. Tạo đường dẫn mời: /moi {agency}.",
                    agency=esc(agency_name),
                ),
                answer_callback=t("Chưa có đầu mối"),
            )
            return None
        for contact in contacts:
            text = self._nudge_text(translator(contact.language), contact, agency_name, period, ob, detail, self._today(turn))
            turn.out.extend(
                Outbound(chat_id=contact.chat_id, text=part, obligation_id=ob.id, contact_id=contact.id)
                for part in split_message(text)
            )
        audit(
            session,
            self._actor(turn),
            NUDGE_ACTION,
            target,
            {
                "agency_id": ob.agency_id,
                "period": ob.period,
                "contact_ids": [c.id for c in contacts],
                "missing": list(detail.missing_tasks),
            },
            at=turn.now,
        )
        turn.say(
            t("Đã gửi nhắc tới {n} đầu mối của {agency} ({period}).", n=len(contacts), agency=esc(agency_name), period=esc(period)),
            answer_callback=t("Đã gửi nhắc"),
        )
        return None

    def _nudge_text(
        self, t: Translator, contact: Contact, agency: str, period: str, ob: Obligation, detail: st.AgencyStatus, today: date
    ) -> str:
        name = (contact.display_name or "").strip()
        lines = [t("Kính gửi đồng chí {name},", name=esc(name)) if name else t("Kính gửi đồng chí,")]
        due = format_date_vi(ob.due)
        if today < ob.due:
            lines.append(t("Sở Tư pháp đề nghị {agency} gửi báo cáo {period}; hạn gửi: {due}.", agency=esc(agency), period=esc(period), due=due))
        elif today == ob.due:
            lines.append(t("Hôm nay ({due}) là hạn gửi báo cáo {period} của {agency}.", agency=esc(agency), period=esc(period), due=due))
        else:
            lines.append(
                t(
                    "Báo cáo {period} của {agency} đã quá hạn gửi ({due}). Sở Tư pháp đề nghị đồng chí gửi báo cáo sớm.",
                    agency=esc(agency),
                    period=esc(period),
                    due=due,
                )
            )
        lines.append(t("Các nhiệm vụ còn thiếu:") if detail.state == st.PARTIAL else t("Các nhiệm vụ cần báo cáo:"))
        for no in detail.missing_tasks:
            lines.append(f"• NV{esc(no)}: {esc(_cut(self.conv._task_title(no), 100))}")
        example = detail.missing_tasks[0] if detail.missing_tasks else "4"
        lines.append(
            t(
                "Để báo cáo, đồng chí trả lời tin nhắn này hoặc gõ /baocao; ví dụ: NV{no}: đang thực hiện 70%, vướng kinh phí.",
                no=esc(example),
            )
        )
        return "\n".join(lines)

    # -- /moi ------------------------------------------------------------------------------------

    def invite(self, turn: Turn, arg: str) -> None:
        if not self._coordinator(turn):
            return None
        t = turn.t
        words = arg.split()
        role = ContactRole.FOCAL
        for k in (3, 2, 1):
            if len(words) > k and fold(" ".join(words[-k:])) in ROLE_WORDS:
                role = ROLE_WORDS[fold(" ".join(words[-k:]))]
                words = words[:-k]
                break
        query = " ".join(words)
        if not query:
            turn.say(t("Cú pháp: /moi &lt;cơ quan&gt; [đầu mối|điều phối|quản trị]. Ví dụ: /moi CA tỉnh, /moi Sở Tư pháp điều phối."))
            return None
        if role != ContactRole.FOCAL and not turn.who.is_admin:
            turn.say(t("Chỉ quản trị viên được mời cán bộ điều phối hoặc quản trị viên. Đồng chí có thể mời đầu mối: /moi &lt;cơ quan&gt;."))
            return None
        match = self._agency(turn, query, t("Lời mời tạo cho từng cơ quan, mỗi cơ quan một đường dẫn."))
        if match is None:
            return None
        agency_id, agency_name = match
        username = (self.conv.config.bot_username or "").strip()
        try:
            username = normalize_bot_username(username) if username else ""
        except ValueError:
            username = ""
        if not username:
            turn.say(
                t(
                    "Chưa tạo lời mời: hệ thống chưa biết tên bot để lập đường dẫn. "
                    "Đề nghị quản trị viên đặt biến TELEGRAM_BOT_USERNAME rồi khởi động lại bot."
                )
            )
            return None
        try:
            invitation, code = create_invitation(
                turn.session, agency_id=agency_id, role=role, created_by=self._actor(turn), now=turn.now, ttl=DEFAULT_TTL
            )
        except InvitationError as exc:
            turn.say(_sentence(str(exc)))
            return None
        expires = invitation.expires_at.astimezone(self.conv.tz)
        turn.say(
            "\n".join(
                [
                    t(
                        "Đã tạo lời mời <b>{role}</b> của <b>{agency}</b>.",
                        role=t(CONTACT_ROLE_LABELS[role]),
                        agency=esc(agency_name),
                    ),
                    t(
                        "Hiệu lực đến {time}, {date}; chỉ dùng được một lần.",
                        time=f"{expires:%H:%M}",
                        date=format_date_vi(expires.date()),
                    ),
                    t("Đồng chí chuyển đường dẫn sau cho người được mời; mở đường dẫn và bấm Bắt đầu là đăng ký xong:"),
                    esc(deep_link(username, code)),
                ]
            )
        )
        return None

    def _agency(self, turn: Turn, query: str, group_hint: str) -> tuple[str, str] | None:
        """``(id, name)`` of one agency; a group or an unknown name gets an explanation."""
        t = turn.t
        match = find(self.plan, query)
        if match is None:
            near = closest_names(self.plan, query)
            text = t("Không tìm thấy cơ quan «{query}».", query=esc(query))
            if near:
                text += " " + t("Có phải: {names}?", names=esc("; ".join(m.name for m in near)))
            turn.say(text)
            return None
        if match.kind == "group":
            members = self.plan.expand(match.id)
            names = [self.plan.agency_by_id[m].name for m in members if m in self.plan.agency_by_id]
            shown = "; ".join(names[:5]) + ("; …" if len(names) > 5 else "")
            turn.say(
                t(
                    "«{group}» là một nhóm gồm {n} cơ quan. {hint} Hãy chọn một cơ quan, ví dụ: {names}.",
                    group=esc(match.name),
                    n=len(members),
                    hint=group_hint,
                    names=esc(shown),
                )
            )
            return None
        return match.id, match.name

    # -- /dsdaumoi -------------------------------------------------------------------------------

    def contacts(self, turn: Turn, arg: str) -> None:
        if not self._coordinator(turn):
            return None
        t = turn.t
        query = arg.strip()
        ids: list[str] | None = None
        title = t("<b>Tài khoản đã đăng ký</b>")
        if query:
            match = find(self.plan, query)
            if match is None:
                near = closest_names(self.plan, query)
                text = t("Không tìm thấy cơ quan «{query}».", query=esc(query))
                if near:
                    text += " " + t("Có phải: {names}?", names=esc(describe_matches(near)))
                turn.say(text)
                return None
            ids = [match.id] if match.kind == "agency" else self.plan.expand(match.id)
            title = t("<b>Tài khoản đã đăng ký — {name}</b>", name=esc(match.name))
        rows = list_contacts(turn.session, agency_id=ids)
        if not rows:
            turn.say(title + "\n" + t("Chưa có ai đăng ký. Tạo đường dẫn mời: /moi &lt;cơ quan&gt;."))
            return None
        order = {agency.id: i for i, agency in enumerate(self.plan.agencies)}
        by_agency: dict[str, list[Contact]] = {}
        for row in rows:
            by_agency.setdefault(row.agency_id, []).append(row)
        names = [c.display_name or "" for c in rows]
        admin = turn.who.is_admin
        blocks: list[tuple[str, list[Choice]]] = []
        for agency_id in sorted(by_agency, key=lambda a: (order.get(a, len(order)), a)):
            agency = self.plan.agency_by_id.get(agency_id)
            agency_name = agency.name if agency is not None else agency_id
            lines = ["", f"<b>{esc(agency_name)}</b>"]
            choices: list[Choice] = []
            for contact in by_agency[agency_id]:
                person = contact.display_name or t("(chưa có tên)")
                since = format_date_short(contact.created_at.astimezone(self.conv.tz).date())
                role = t(CONTACT_ROLE_LABELS.get(ContactRole(contact.role), str(contact.role)))
                lines.append(f"• {esc(person)} — {role} (" + t("từ {date}", date=since) + ")")
                if admin:
                    label = t("Thu hồi {name}", name=person)
                    if names.count(contact.display_name or "") > 1:
                        label += f" ({self._short_name(agency_id, agency_name)})"
                    choices.append(Choice(label, f"rv:{contact.id}"))
            blocks.append(("\n".join(lines), choices))
        head = title + "\n" + t("{n} tài khoản đang hoạt động.", n=len(rows))
        if admin:
            blocks.append(("\n" + t("Bấm «Thu hồi …» để thu hồi một tài khoản (sẽ hỏi xác nhận)."), []))
        self._say_blocks(turn, head, blocks, width=1)
        return None

    # -- revoke: buttons -------------------------------------------------------------------------

    def _contact_for(self, turn: Turn, arg: str) -> Contact | None:
        t = turn.t
        contact = turn.session.get(Contact, int(arg)) if arg.isdigit() else None
        if contact is None:
            turn.say(t("Không tìm thấy tài khoản này."), answer_callback=t("Không tìm thấy"))
            return None
        if not contact.active:
            turn.say(
                t("Tài khoản {name} đã được thu hồi trước đó.", name=esc(contact.display_name or f"#{contact.id}")),
                answer_callback=t("Đã thu hồi trước đó"),
            )
            return None
        if contact.channel == turn.msg.channel and contact.user_id == turn.msg.user_id:
            turn.say(t("Đồng chí không thể tự thu hồi tài khoản của mình."), answer_callback=t("Không thực hiện"))
            return None
        return contact

    def _describe_contact(self, turn: Turn, contact: Contact) -> str:
        agency = self.plan.agency_by_id.get(contact.agency_id)
        return turn.t(
            "{name} ({role} của {agency})",
            name=esc(contact.display_name or f"#{contact.id}"),
            role=turn.t(CONTACT_ROLE_LABELS.get(ContactRole(contact.role), str(contact.role))),
            agency=esc(agency.name if agency is not None else contact.agency_id),
        )

    def revoke_ask(self, turn: Turn, arg: str) -> None:
        if not self._admin(turn):
            return None
        t = turn.t
        contact = self._contact_for(turn, arg)
        if contact is None:
            return None
        turn.say(
            t(
                "Thu hồi tài khoản {who}? Người này sẽ không báo cáo và không nhận tin nhắc qua bot nữa.",
                who=self._describe_contact(turn, contact),
            ),
            [[Choice(t("Xác nhận thu hồi"), f"rvok:{contact.id}"), Choice(t("Hủy"), f"rvno:{contact.id}")]],
            answer_callback=t("Xác nhận thu hồi?"),
        )
        return None

    def revoke_do(self, turn: Turn, arg: str) -> None:
        if not self._admin(turn):
            return None
        t = turn.t
        contact = self._contact_for(turn, arg)
        if contact is None:
            return None
        assert contact.id is not None
        # deactivate_contact writes the audit row (contact.deactivate, actor = this admin).
        deactivate_contact(turn.session, contact.id, reason="thu hồi qua Telegram", actor=self._actor(turn), now=turn.now)
        turn.say(t("Đã thu hồi tài khoản {who}.", who=self._describe_contact(turn, contact)), answer_callback=t("Đã thu hồi"))
        return None

    def revoke_cancel(self, turn: Turn, arg: str) -> None:
        if not self._admin(turn):
            return None
        turn.say(turn.t("Đã hủy; không thu hồi tài khoản nào."), answer_callback=turn.t("Đã hủy"))
        return None

    # -- output ----------------------------------------------------------------------------------

    def _say_long(self, turn: Turn, text: str) -> None:
        for part in split_message(text):
            turn.say(part)

    def _say_blocks(self, turn: Turn, head: str, blocks: Sequence[tuple[str, list[Choice]]], *, width: int = 2) -> None:
        """``head`` then the blocks, packed into messages of at most :data:`MAX_MESSAGE`
        characters and :data:`MAX_BUTTONS` buttons; a block's buttons go with its text."""
        text: str = head
        choices: list[Choice] = []

        def flush() -> None:
            if text.strip():
                turn.say(text.strip("\n"), _rows(choices, width))

        for block, block_choices in blocks:
            joined = f"{text}\n{block}" if text else block
            if len(joined) <= MAX_MESSAGE and len(choices) + len(block_choices) <= MAX_BUTTONS:
                text, choices = joined, choices + block_choices
                continue
            flush()
            pieces = split_message(block.strip("\n"))
            for piece in pieces[:-1]:
                turn.say(piece)
            text, choices = pieces[-1], list(block_choices)
        flush()


# --- helpers -----------------------------------------------------------------------------------


def _sentence(text: str) -> str:
    """A library message ("kỳ báo cáo … không hợp lệ") as a sentence."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return esc(text if text.endswith((".", "?", "!")) else text + ".")


_QUARTERS = {"1": "Q1", "i": "Q1", "2": "Q2", "ii": "Q2", "3": "Q3", "iii": "Q3", "4": "Q4", "iv": "Q4"}


def _period_code(text: str, *, has_year: bool, whole: bool) -> str | None:
    text = re.sub(r"^ky (?:bao cao )?", "", text).strip()
    if text in ("q1", "q2", "q3", "q4", "h1", "9m", "fy"):
        return text.upper()
    match = re.fullmatch(r"quy\s*(1|2|3|4|i|ii|iii|iv)", text)
    if match:
        return _QUARTERS[match.group(1)]
    if re.fullmatch(r"(?:0?6|sau)\s*(?:thang|t)|6th", text):
        return "H1"
    if re.fullmatch(r"(?:0?9|chin)\s*(?:thang|t)|9th", text):
        return "9M"
    if text in ("ca nam", "nam") and (has_year or whole or text == "ca nam"):
        return "FY"
    return None


def _period_key(text: str, *, whole: bool) -> str | None:
    """A period key ("2024-Q1" or "Q1") from folded text, or ``None`` when it is not one.

    A bare "năm" counts only when it is all the user typed: "UBND huyện Thuận Nam" is an agency.
    """
    text = text.strip()
    if not text:
        return None
    year: str | None = None
    match = re.fullmatch(r"(\d{4})\s*[-/ ]\s*(.+)", text)
    if match:
        year, text = match.group(1), match.group(2)
    else:
        match = re.fullmatch(r"(.+?)\s*[-/ ]\s*(?:nam\s+)?(\d{4})", text)
        if match:
            text, year = match.group(1), match.group(2)
    code = _period_code(text, has_year=year is not None, whole=whole)
    if code is None:
        return None
    return f"{year}-{code}" if year else code


__all__ = [
    "CALLBACKS",
    "COMMANDS",
    "MAX_BUTTONS",
    "MAX_MESSAGE",
    "NUDGE_INTERVAL",
    "REFUSAL",
    "Coordinator",
    "is_staff_request",
    "split_message",
]
