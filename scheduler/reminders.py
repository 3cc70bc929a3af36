"""What the reminders say: pure functions from facts to formal Vietnamese HTML.

The dispatcher (:mod:`scheduler.dispatch`) gathers the facts (who, which agency, which period,
the due date, the working days left, the tasks still missing) and stores the rendered text in
the outbox row's payload; the channel adapter only sends it. Nothing here touches the database
or the clock, so every wording is pinned by plain unit tests.

Style (DESIGN.md §7): short, respectful, full diacritics, "Kính gửi đồng chí …"; dates in the
administrative form with the weekday ("Thứ Sáu, ngày 15 tháng 3 năm 2024"). Every piece of user
or directory text is HTML-escaped: the messages are sent with parse mode HTML.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from common.vndate import format_date_vi

# Telegram's limit is 4096 characters per message; keep a margin for the channel's own touches.
MAX_MESSAGE_CHARS = 4000

ROLE_LABELS = {"lead": "chủ trì", "coordinator": "phối hợp"}
REPLY_HINT = "Đồng chí trả lời trực tiếp tin nhắn này hoặc dùng lệnh /baocao."
EXAMPLE_HINT = "Ví dụ: <i>NV4: đang thực hiện 70%, đã xử lý 12 vụ</i>."


def esc(text: object) -> str:
    """User or directory text inside an HTML message."""
    return html.escape(str(text), quote=False)


def role_label(role: str, request: bool = False) -> str:
    """"chủ trì", "phối hợp", or "đề nghị chủ trì" for a lead by request (NV8: "Đề nghị Hội
    Luật gia tỉnh …": the plan can only ask a body outside UBND's authority)."""
    label = ROLE_LABELS.get(role, role)
    return f"đề nghị {label}" if request else label


@dataclass(frozen=True)
class DutyLine:
    """One task an agency still owes, with its role."""

    no: str
    title: str = ""
    role: str = "lead"  # "lead" | "coordinator"
    request: bool = False

    def render(self, *, with_title: bool = True) -> str:
        head = f"NV{esc(self.no)} ({role_label(self.role, self.request)})"
        return f"{head}: {esc(self.title)}" if with_title and self.title else head


def working_days_phrase(left: int) -> str:
    """``left`` = working days from today to the due date (see
    :meth:`~scheduler.calendar.WorkingCalendar.working_days_between`): positive before it,
    0 on it, negative after it."""
    if left > 0:
        return f"còn {left} ngày làm việc"
    if left == 0:
        return "hạn cuối là hôm nay"
    return f"đã quá hạn {-left} ngày làm việc"


def salutation(name: str | None) -> str:
    return f"Kính gửi đồng chí {esc(name.strip())}," if name and name.strip() else "Kính gửi đồng chí,"


# --- the agency's reminder ---------------------------------------------------------------


@dataclass(frozen=True)
class ReminderContent:
    step: str  # "D-7", …, "D+3"
    agency: str
    period_name: str  # "quý I năm 2024"
    due: date
    working_days_left: int  # as in working_days_phrase
    missing: Sequence[DutyLine]
    recipient_name: str | None = None  # the focal point's display name
    plan_number: str | None = None  # "124-KH/BCSĐ"
    report_to: str | None = None  # "UBND tỉnh (thông qua Sở Tư pháp)"
    escalate: bool = False
    escalate_to: str | None = None  # "Sở Tư pháp"; None: no escalation sentence (it is the recipient itself)
    reported: Sequence[str] = field(default=())  # task numbers already answered


def reminder_title(content: ReminderContent) -> str:
    period = esc(content.period_name)
    if content.working_days_left < 0:
        return f"Báo cáo {period} đã quá hạn"
    if content.working_days_left == 0:
        return f"Hôm nay là hạn gửi báo cáo {period}"
    return f"Nhắc gửi báo cáo {period}"


def reminder_text(content: ReminderContent) -> str:
    """The reminder to one focal point (HTML)."""
    c = content
    lines = [f"<b>{reminder_title(c)}</b>", "", salutation(c.recipient_name), f"Đầu mối báo cáo của <b>{esc(c.agency)}</b>.", ""]
    basis = f"Theo Kế hoạch số {esc(c.plan_number)}, đề nghị" if c.plan_number else "Đề nghị"
    to = f" về {esc(c.report_to)}" if c.report_to else ""
    lines.append(f"{basis} {esc(c.agency)} gửi báo cáo kết quả thực hiện {esc(c.period_name)}{to}.")
    lines.append(f"Hạn gửi báo cáo: <b>{format_date_vi(c.due)}</b> ({working_days_phrase(c.working_days_left)}).")
    lines.append("")
    if c.reported:
        done = ", ".join(f"NV{esc(no)}" for no in c.reported)
        lines.append(f"Đã ghi nhận báo cáo {done}. Nhiệm vụ còn chưa báo cáo:")
    else:
        lines.append("Nhiệm vụ cần báo cáo:")
    lines.extend(f"• {duty.render()}" for duty in c.missing)
    lines.append("")
    if c.working_days_left < 0:
        lines.append("Đề nghị đồng chí khẩn trương gửi báo cáo.")
    if c.escalate and c.escalate_to:
        lines.append(f"Danh sách cơ quan chưa gửi báo cáo đã được chuyển tới {esc(c.escalate_to)} để theo dõi, đôn đốc.")
    lines.append(REPLY_HINT)
    lines.append(EXAMPLE_HINT)
    return _fit("\n".join(lines))


# --- the coordinators' digest -------------------------------------------------------------


@dataclass(frozen=True)
class LateAgency:
    agency: str
    missing: Sequence[DutyLine]
    partial: bool = False  # some tasks reported, not all
    contacts: Sequence[str] = field(default=())  # the focal points' names; empty = nobody bound


@dataclass(frozen=True)
class DigestContent:
    period_name: str
    due: date
    consolidation_due: date
    overdue_days: int  # working days since the due date
    consolidation_days_left: int  # working days to the consolidation due date (0 = today)
    late: Sequence[LateAgency]
    total_agencies: int
    recipient_name: str | None = None


def _late_line(index: int, late: LateAgency) -> str:
    # Compact: a coordinator scans 40-odd lines on a phone. Roles are in /tinhhinh.
    if late.partial:
        state = "còn thiếu " + ", ".join(f"NV{esc(duty.no)}" for duty in late.missing)
    else:
        state = "chưa báo cáo"
    who = "" if late.contacts else " <i>(chưa có đầu mối)</i>"
    return f"{index}. {esc(late.agency)}: {state}{who}"


def digest_text(content: DigestContent, *, max_chars: int = MAX_MESSAGE_CHARS) -> str:
    """One message per coordinator listing every late agency of the period (HTML).

    Too long a list (Telegram's 4096 characters) is cut with a count of the rest and a pointer
    to ``/tinhhinh``, which pages the full picture.
    """
    c = content
    if c.consolidation_days_left > 0:
        left = f"còn {c.consolidation_days_left} ngày làm việc"
    elif c.consolidation_days_left == 0:
        left = "hôm nay là ngày cuối cùng"
    else:
        left = f"đã quá {-c.consolidation_days_left} ngày làm việc"
    head = [
        f"<b>Tổng hợp cơ quan chưa gửi báo cáo {esc(c.period_name)}</b>",
        "",
        salutation(c.recipient_name),
        f"Hạn gửi báo cáo của các cơ quan là {format_date_vi(c.due)} "
        f"(đã quá hạn {c.overdue_days} ngày làm việc). Hạn tổng hợp: {format_date_vi(c.consolidation_due)} ({left}).",
        f"Đến nay còn <b>{len(c.late)}/{c.total_agencies}</b> cơ quan chưa báo cáo đầy đủ:",
    ]
    tail = ["", "Các cơ quan có đầu mối đã được hệ thống nhắc trực tiếp. Xem chi tiết bằng lệnh /tinhhinh."]
    body: list[str] = []
    used = sum(len(line) + 1 for line in head + tail)
    for index, late in enumerate(c.late, start=1):
        line = _late_line(index, late)
        rest = len(c.late) - index + 1
        more = f"… và {rest} cơ quan khác (xem /tinhhinh)."
        if used + len(line) + 1 + len(more) + 1 > max_chars and index < len(c.late):
            body.append(more)
            break
        body.append(line)
        used += len(line) + 1
    return _fit("\n".join(head + body + tail), max_chars)


# --- notices to coordinators -------------------------------------------------------------


def blocked_notice_text(
    *,
    person: str | None,
    agencies: Sequence[str],
    at: datetime,
    recipient_name: str | None = None,
) -> str:
    """A focal point blocked the bot: reminders to them stop; someone must act (HTML)."""
    who = f"đồng chí {esc(person)}" if person else "đầu mối"
    names = ", ".join(esc(a) for a in agencies) or "(không rõ cơ quan)"
    return _fit(
        "\n".join(
            [
                "<b>Đầu mối đã chặn tin nhắn của hệ thống</b>",
                "",
                salutation(recipient_name),
                f"Ngày {at.day} tháng {at.month} năm {at.year}, lúc {at:%H:%M}, hệ thống không gửi được tin nhắn "
                f"cho {who}, đầu mối báo cáo của {names}: người dùng đã chặn bot.",
                "Hệ thống đã ngừng gửi nhắc báo cáo tới tài khoản này.",
                "Đề nghị đồng chí liên hệ cơ quan để đầu mối mở lại bot, hoặc cử đầu mối khác "
                "và gửi lời mời mới (lệnh /moi).",
            ]
        )
    )


def _fit(text: str, max_chars: int = MAX_MESSAGE_CHARS) -> str:
    # A last guard; the builders above keep well under the limit. Never cut inside a tag: cut
    # at a line break.
    if len(text) <= max_chars:
        return text
    cut = text.rfind("\n", 0, max_chars - 2)
    return text[: cut if cut > 0 else max_chars - 2] + "\n…"


__all__ = [
    "EXAMPLE_HINT",
    "MAX_MESSAGE_CHARS",
    "REPLY_HINT",
    "DigestContent",
    "DutyLine",
    "LateAgency",
    "ReminderContent",
    "blocked_notice_text",
    "digest_text",
    "esc",
    "reminder_text",
    "reminder_title",
    "role_label",
    "salutation",
    "working_days_phrase",
]
