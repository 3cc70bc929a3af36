"""What reminders, nudges, digests and notices say: pure functions from facts to a
channel-neutral :class:`~common.message.Message`, in the recipient's language.

The dispatcher (:mod:`scheduler.dispatch`) gathers the facts (who, which agency, which period,
the due date, the working days left, the tasks still missing) and stores the message in the
outbox row; a coordinator's nudge (``/chuabaocao``) uses the same texts, and so do Sở Tư
pháp's decisions told to the agencies (a report accepted or returned, an extension approved or
declined), the reminder of a returned report and an extension request told to the
coordinators. The channel renders
the message when it sends it. Nothing here touches the database or the clock, so every
wording is pinned by plain unit tests.

Style (DESIGN.md §7): short, respectful, full diacritics, "Kính gửi đồng chí …"; dates in the
administrative form with the weekday ("Thứ Sáu, ngày 15 tháng 3 năm 2024"). Dates and period
names stay Vietnamese in every language: they are the plan's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from common.i18n import N_, Translator, translator
from common.labels import DUTY_ROLES
from common.message import Message, Text, bold, italic, item, join
from common.vndate import format_date_vi

ROLE_LABELS = DUTY_ROLES
REPLY_HINT = N_("Đồng chí trả lời trực tiếp tin nhắn này hoặc dùng lệnh /baocao.")
EXAMPLE_HINT = N_("Ví dụ: <i>NV4: đang thực hiện 70%, đã xử lý 12 vụ</i>.")
VI = translator("vi")


def role_label(role: str, request: bool = False, t: Translator = VI) -> str:
    """"chủ trì", "phối hợp", or "đề nghị chủ trì" for a lead by request (NV8: "Đề nghị Hội
    Luật gia tỉnh …": the plan can only ask a body outside UBND's authority)."""
    label = t.s(ROLE_LABELS[role]) if role in ROLE_LABELS else role
    return t.s("đề nghị {role}", role=label) if request else label


@dataclass(frozen=True)
class DutyLine:
    """One task an agency still owes, with its role."""

    no: str
    title: str = ""
    role: str = "lead"  # "lead" | "coordinator"
    request: bool = False

    def render(self, t: Translator = VI, *, with_title: bool = True) -> Text:
        head = Text(f"NV{self.no} ({role_label(self.role, self.request, t)})")
        return head + ": " + self.title if with_title and self.title else head


def working_days_phrase(left: int, t: Translator = VI) -> Text:
    """``left`` = working days from today to the due date (see
    :meth:`~scheduler.calendar.WorkingCalendar.working_days_between`): positive before it,
    0 on it, negative after it."""
    if left > 0:
        return t("còn {n} ngày làm việc", n=left)
    if left == 0:
        return t("hôm nay")
    return t("đã quá hạn {n} ngày làm việc", n=-left)


def salutation(name: str | None, t: Translator = VI) -> Text:
    if name and name.strip():
        return t("Kính gửi đồng chí {name},", name=name.strip())
    return t("Kính gửi đồng chí,")


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
    # What the plan is about ("cải cách tư pháp"): given only when the province runs several
    # plans, so that two reminders of one period tell which plan each is for.
    plan_title: str | None = None
    report_to: str | None = None  # "UBND tỉnh (thông qua Sở Tư pháp)"
    escalate: bool = False
    escalate_to: str | None = None  # "Sở Tư pháp"; None: no escalation sentence (it is the recipient itself)
    reported: Sequence[str] = field(default=())  # task numbers already answered


def reminder_title(content: ReminderContent, t: Translator = VI) -> Text:
    period = content.period_name
    if content.working_days_left < 0:
        return t("Báo cáo {period} đã quá hạn", period=period)
    if content.working_days_left == 0:
        return t("Hôm nay là hạn gửi báo cáo {period}", period=period)
    return t("Nhắc gửi báo cáo {period}", period=period)


def plan_line(number: str, title: str | None, t: Translator = VI) -> Text:
    """"Kế hoạch số 124-KH/BCSĐ (cải cách tư pháp)": a plan named where several run at once."""
    if title:
        return t("Kế hoạch số {number} ({title})", number=number, title=title)
    return t("Kế hoạch số {number}", number=number)


def reminder_message(content: ReminderContent, t: Translator = VI) -> Message:
    """The reminder to one focal point."""
    c = content
    message = Message(bold(reminder_title(c, t)))
    if c.plan_title and c.plan_number:
        message.add(bold(plan_line(c.plan_number, c.plan_title, t)))
    message.add(
        "",
        salutation(c.recipient_name, t),
        t("Đồng chí là đầu mối báo cáo của <b>{agency}</b>.", agency=c.agency),
        "",
    )
    to = t(" về {recipient}", recipient=c.report_to) if c.report_to else Text()
    if c.plan_number:
        ask = t(
            "Theo Kế hoạch số {number}, đề nghị {agency} gửi báo cáo kết quả thực hiện {period}{to}.",
            number=c.plan_number, agency=c.agency, period=c.period_name, to=to,
        )
    else:
        ask = t("Đề nghị {agency} gửi báo cáo kết quả thực hiện {period}{to}.", agency=c.agency, period=c.period_name, to=to)
    message.add(
        ask,
        t("Hạn gửi báo cáo: <b>{date}</b> ({left}).", date=format_date_vi(c.due), left=working_days_phrase(c.working_days_left, t)),
        "",
    )
    if c.reported:
        message.add(t("Đã ghi nhận báo cáo {tasks}. Nhiệm vụ còn chưa báo cáo:", tasks=", ".join(f"NV{no}" for no in c.reported)))
    else:
        message.add(t("Nhiệm vụ cần báo cáo:"))
    message.add(*(item(duty.render(t)) for duty in c.missing))
    message.add("")
    if c.working_days_left < 0:
        message.add(t("Đề nghị đồng chí khẩn trương gửi báo cáo."))
    if c.escalate and c.escalate_to:
        message.add(t("Danh sách cơ quan chưa gửi báo cáo đã được chuyển tới {to} để theo dõi, đôn đốc.", to=c.escalate_to))
    message.add(t(REPLY_HINT), t(EXAMPLE_HINT))
    return message


# --- a coordinator's nudge ------------------------------------------------------------------


@dataclass(frozen=True)
class NudgeContent:
    agency: str
    period_name: str
    due: date
    today: date
    missing: Sequence[DutyLine]
    partial: bool = False  # some tasks answered already
    recipient_name: str | None = None
    plan_number: str | None = None  # given only when several plans run: the nudge names its plan
    plan_title: str | None = None


def nudge_message(content: NudgeContent, t: Translator = VI) -> Message:
    """Sở Tư pháp asks one focal point, now, for the period's report (``/chuabaocao``)."""
    c = content
    due = format_date_vi(c.due)
    if c.today < c.due:
        ask = t("Sở Tư pháp đề nghị {agency} gửi báo cáo {period}; hạn gửi: {due}.", agency=c.agency, period=c.period_name, due=due)
    elif c.today == c.due:
        ask = t("Hôm nay ({due}) là hạn gửi báo cáo {period} của {agency}.", agency=c.agency, period=c.period_name, due=due)
    else:
        ask = t(
            "Báo cáo {period} của {agency} đã quá hạn gửi ({due}). Sở Tư pháp đề nghị đồng chí gửi báo cáo sớm.",
            agency=c.agency, period=c.period_name, due=due,
        )
    message = Message(bold(plan_line(c.plan_number, c.plan_title, t))) if c.plan_number else Message()
    message.add(salutation(c.recipient_name, t), ask)
    message.add(t("Các nhiệm vụ còn thiếu:") if c.partial else t("Các nhiệm vụ cần báo cáo:"))
    message.add(*(item(f"NV{duty.no}: ", _cut(duty.title, 100)) for duty in c.missing))
    example = c.missing[0].no if c.missing else "4"
    message.add(
        t(
            "Để báo cáo, đồng chí trả lời tin nhắn này hoặc gõ /baocao; ví dụ: NV{no}: đang thực hiện 70%, vướng kinh phí.",
            no=example,
        )
    )
    return message


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- Sở Tư pháp's review of a report (tiếp nhận / yêu cầu bổ sung) -------------------------------

SUPPLEMENT_HINT = N_(
    "Để bổ sung, đồng chí trả lời tin nhắn này hoặc gửi lại nội dung của nhiệm vụ cần bổ sung "
    "(ví dụ: NV4: hoàn thành 100%, đã xử lý 12 vụ); nội dung mới thay nội dung đã gửi của nhiệm vụ đó. "
    "Có thể gửi kèm tệp minh chứng."
)


@dataclass(frozen=True)
class ReviewNotice:
    agency: str
    period_name: str
    accepted: bool  # tiếp nhận; else yêu cầu bổ sung
    reason: str | None = None  # why more is asked
    recipient_name: str | None = None


def review_message(content: ReviewNotice, t: Translator = VI) -> Message:
    """A coordinator accepted (tiếp nhận) or returned (yêu cầu bổ sung) the agency's report."""
    c = content
    if c.accepted:
        return Message(
            salutation(c.recipient_name, t),
            t("Sở Tư pháp đã tiếp nhận báo cáo {period} của <b>{agency}</b>.", period=c.period_name, agency=c.agency),
            t("Cảm ơn đồng chí."),
        )
    message = Message(
        bold(t("Đề nghị bổ sung báo cáo {period}", period=c.period_name)),
        "",
        salutation(c.recipient_name, t),
        t("Sở Tư pháp đề nghị <b>{agency}</b> bổ sung báo cáo {period}.", agency=c.agency, period=c.period_name),
    )
    if c.reason:
        message.add(t("Nội dung cần bổ sung: {reason}", reason=_cut(c.reason, 1000)))
    message.add("", t(SUPPLEMENT_HINT))
    return message


@dataclass(frozen=True)
class ReturnedReminder:
    agency: str
    period_name: str
    returned_on: date
    reason: str | None = None
    recipient_name: str | None = None


def returned_reminder_message(content: ReturnedReminder, t: Translator = VI) -> Message:
    """The reminder of a returned report that nothing has supplemented yet (the working day
    after the return)."""
    c = content
    message = Message(
        bold(t("Nhắc bổ sung báo cáo {period}", period=c.period_name)),
        "",
        salutation(c.recipient_name, t),
        t(
            "Sở Tư pháp đã đề nghị <b>{agency}</b> bổ sung báo cáo {period} từ {date}; "
            "đến nay hệ thống chưa nhận được nội dung bổ sung.",
            date=format_date_vi(c.returned_on, weekday=False), agency=c.agency, period=c.period_name,
        ),
    )
    if c.reason:
        message.add(t("Nội dung cần bổ sung: {reason}", reason=_cut(c.reason, 1000)))
    message.add("", t(SUPPLEMENT_HINT))
    return message


# --- extensions (gia hạn) -------------------------------------------------------------------------


@dataclass(frozen=True)
class ExtensionNotice:
    """An agency asks for more time; told to each coordinator."""

    agency: str
    period_name: str
    until: date
    due: date  # the agency's current due date
    task: str | None = None
    reason: str | None = None
    requester: str | None = None  # the focal point's name
    recipient_name: str | None = None
    decide_with: str | None = None  # a command to decide with, when the channel has no buttons


def extension_request_message(content: ExtensionNotice, t: Translator = VI) -> Message:
    c = content
    what = t("báo cáo {period}", period=c.period_name)
    if c.task:
        what = t("báo cáo {period} (nhiệm vụ NV{no})", period=c.period_name, no=c.task)
    who = Text(bold(c.agency)) + (Text(" (", c.requester, ")") if c.requester else Text())
    message = Message(
        bold(t("Đề nghị gia hạn báo cáo {period}", period=c.period_name)),
        "",
        salutation(c.recipient_name, t),
        t(
            "{who} đề nghị gia hạn {what} đến <b>{until}</b>; hạn gửi hiện nay: {due}.",
            who=who, what=what, until=format_date_vi(c.until), due=format_date_vi(c.due),
        ),
    )
    if c.reason:
        message.add(t("Lý do: {reason}", reason=_cut(c.reason, 500)))
    if c.decide_with:
        message.add("", t("Để đồng ý hoặc không đồng ý, đồng chí gõ {command}.", command=c.decide_with))
    else:
        message.add("", t("Đồng chí chọn «Đồng ý» hoặc «Không đồng ý»."))
    return message


@dataclass(frozen=True)
class ExtensionDecision:
    """Sở Tư pháp's answer to an extension request; told to the agency's focal points."""

    agency: str
    period_name: str
    until: date
    approved: bool
    due: date  # the agency's due date after the decision
    task: str | None = None
    recipient_name: str | None = None


def extension_decision_message(content: ExtensionDecision, t: Translator = VI) -> Message:
    c = content
    what = t("báo cáo {period}", period=c.period_name)
    if c.task:
        what = t("báo cáo {period} (nhiệm vụ NV{no})", period=c.period_name, no=c.task)
    message = Message(salutation(c.recipient_name, t))
    if c.approved:
        message.add(
            t(
                "Sở Tư pháp đồng ý gia hạn {what} của <b>{agency}</b> đến <b>{until}</b>.",
                what=what, agency=c.agency, until=format_date_vi(c.until),
            ),
            t("Hạn gửi báo cáo của cơ quan kỳ này là {due}; hệ thống nhắc hạn theo ngày mới.", due=format_date_vi(c.due)),
        )
    else:
        message.add(
            t(
                "Sở Tư pháp không đồng ý đề nghị gia hạn {what} của <b>{agency}</b> đến {until}.",
                what=what, agency=c.agency, until=format_date_vi(c.until),
            ),
            t("Hạn gửi báo cáo vẫn là {due}; đề nghị đồng chí gửi báo cáo đúng hạn.", due=format_date_vi(c.due)),
        )
    message.add(t(REPLY_HINT))
    return message


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
    plan_number: str | None = None  # named when the province runs several plans
    plan_title: str | None = None  # "cải cách tư pháp", with plan_number


def _late_line(index: int, late: LateAgency, t: Translator) -> Text:
    # Compact: a coordinator scans 40-odd lines on a phone. Roles are in /tinhhinh.
    if late.partial:
        state = t("còn thiếu {tasks}", tasks=", ".join(f"NV{duty.no}" for duty in late.missing))
    else:
        state = t("chưa báo cáo")
    who = Text(" ", italic(t("(chưa có đầu mối)"))) if not late.contacts else Text()
    return Text(f"{index}. ", late.agency, ": ", state, who)


def digest_message(content: DigestContent, t: Translator = VI) -> Message:
    """One message per coordinator listing every late agency of the period; a channel splits
    it when the list is longer than one of its messages."""
    c = content
    if c.consolidation_days_left > 0:
        left = t("còn {n} ngày làm việc", n=c.consolidation_days_left)
    elif c.consolidation_days_left == 0:
        left = t("hôm nay là ngày cuối cùng")
    else:
        left = t("đã quá hạn {n} ngày làm việc", n=-c.consolidation_days_left)
    title = t("Danh sách cơ quan chưa gửi báo cáo {period}", period=c.period_name)
    if c.plan_number:
        title = title + " — " + plan_line(c.plan_number, c.plan_title, t)
    message = Message(
        bold(title),
        "",
        salutation(c.recipient_name, t),
        t(
            "Hạn gửi báo cáo của các cơ quan là {due} (đã quá hạn {overdue} ngày làm việc). Hạn tổng hợp: {consolidation} ({left}).",
            due=format_date_vi(c.due), overdue=c.overdue_days, consolidation=format_date_vi(c.consolidation_due), left=left,
        ),
        t("Đến nay còn <b>{n}/{total}</b> cơ quan chưa báo cáo đầy đủ:", n=len(c.late), total=c.total_agencies),
    )
    message.add(*(_late_line(index, late, t) for index, late in enumerate(c.late, start=1)))
    message.add("", t("Các cơ quan có đầu mối đã được hệ thống nhắc trực tiếp. Xem chi tiết bằng lệnh /tinhhinh."))
    return message


# --- notices to coordinators -------------------------------------------------------------


def blocked_notice_message(
    *,
    person: str | None,
    agencies: Sequence[str],
    at: datetime,
    recipient_name: str | None = None,
    t: Translator = VI,
) -> Message:
    """A focal point blocked the bot: reminders to them stop; someone must act."""
    names = join(", ", agencies) if agencies else t("(không rõ cơ quan)")
    when = dict(day=at.day, month=at.month, year=at.year, time=f"{at:%H:%M}", agencies=names)
    if person:
        what = t(
            "Ngày {day} tháng {month} năm {year}, lúc {time}, hệ thống không gửi được tin nhắn cho đồng chí {name}, "
            "đầu mối báo cáo của {agencies}: người dùng đã chặn bot.",
            name=person, **when,
        )
    else:
        what = t(
            "Ngày {day} tháng {month} năm {year}, lúc {time}, hệ thống không gửi được tin nhắn cho đầu mối báo cáo "
            "của {agencies}: người dùng đã chặn bot.",
            **when,
        )
    return Message(
        bold(t("Đầu mối đã chặn tin nhắn của hệ thống")),
        "",
        salutation(recipient_name, t),
        what,
        t("Hệ thống đã ngừng gửi nhắc báo cáo tới tài khoản này."),
        t("Đề nghị đồng chí liên hệ cơ quan để đầu mối mở lại bot, hoặc cử đầu mối khác và gửi lời mời mới (lệnh /moi)."),
    )


__all__ = [
    "EXAMPLE_HINT",
    "REPLY_HINT",
    "SUPPLEMENT_HINT",
    "DigestContent",
    "DutyLine",
    "ExtensionDecision",
    "ExtensionNotice",
    "LateAgency",
    "NudgeContent",
    "ReminderContent",
    "ReturnedReminder",
    "ReviewNotice",
    "blocked_notice_message",
    "digest_message",
    "extension_decision_message",
    "extension_request_message",
    "nudge_message",
    "plan_line",
    "reminder_message",
    "reminder_title",
    "returned_reminder_message",
    "review_message",
    "role_label",
    "salutation",
    "working_days_phrase",
]
