"""Sở Tư pháp's view in chat: /tinhhinh (a period, a task, an agency or a group; the period's
chart), /chuabaocao (who has not reported, each with a "Nhắc" choice) and the nudge itself.

An agency's detail also shows Sở Tư pháp's review of its report and its extensions (gia hạn),
with the choices "Tiếp nhận" / "Yêu cầu bổ sung" (once it has sent something) and, for each
pending extension request, "Đồng ý" / "Không đồng ý"; those choices run in
:mod:`bot.handlers.review`.

Nudges are rate-limited per obligation through the audit log (``action='nudge'``): one per
10 minutes, whoever presses. On PostgreSQL the obligation row is locked first, so two
coordinators pressing at the same moment still send one nudge. A nudge goes to every active
focal point of the agency, on each one's own channel and in each one's language.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import timedelta

from sqlmodel import col, select

from bot import obligations
from bot.handlers.periods import only_period, plan_of_command, resolve, sentence, split
from bot.messages import OutFile, Reply
from bot.turn import Turn
from common import tasks as taskrefs
from common.i18n import N_, translator
from common.labels import DUTY_ROLES, ENTRY_STATUSES, UNSPECIFIED_LABEL
from common.message import Choice, Message, Text, bold, gap, item
from common.text import fold
from common.vndate import format_date_short, format_date_vi
from reports import status as st
from scheduler import reminders
from scheduler.plan import Plan, closest_names
from scheduler.plans import short_title
from storage.models import AuditLog, Contact, ContactRole, Obligation, ObligationStatus
from storage.queries import audit

log = logging.getLogger(__name__)

NUDGE_INTERVAL = timedelta(minutes=10)
NUDGE_ACTION = "nudge"
MAX_ROW_ID = 2**31 - 1  # ids are INTEGER columns: PostgreSQL refuses a larger number outright

STATE_LABELS = {
    st.ON_TIME: N_("đã báo cáo đúng hạn"),
    st.LATE: N_("đã báo cáo, có nhiệm vụ gửi muộn"),
    st.PARTIAL: N_("mới báo cáo một phần"),
    st.MISSING: N_("chưa báo cáo"),
}
REVIEW_LABELS = {
    st.ACCEPTED: N_("Sở Tư pháp đã tiếp nhận"),
    st.RETURNED: N_("Sở Tư pháp yêu cầu bổ sung"),
    st.SUPPLEMENTED: N_("Sở Tư pháp yêu cầu bổ sung, cơ quan đã gửi bổ sung"),
}
ENTRY_LABELS = {**ENTRY_STATUSES, st.UNSPECIFIED: UNSPECIFIED_LABEL}
DUTY_LABELS = DUTY_ROLES
_TASK_LIKE = re.compile(r"^(?:nv|nhiem vu)?\s*\.?\s*\d+[a-z]?\.?$")


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def task_list(numbers: Iterable[str]) -> str:
    return ", ".join(f"NV{no}" for no in numbers)


def row_id(arg: str) -> int | None:
    """The row id a choice carries ("12" of "nudge:12"), or None when it cannot be one: a
    forged or garbled value must get an answer, not an error from the database (an id beyond
    INTEGER on PostgreSQL) or from ``int`` (digits such as "²" that ``isdigit`` accepts)."""
    if not (arg.isascii() and arg.isdigit()) or len(arg) > len(str(MAX_ROW_ID)):
        return None
    value = int(arg)
    return value if 0 < value <= MAX_ROW_ID else None


# --- /tinhhinh -----------------------------------------------------------------------------------


def overview(turn: Turn, arg: str) -> None:
    chosen = plan_of_command(turn, "tinhhinh", arg)
    if chosen is None:
        return None
    plan, arg, heading = chosen
    subject_text, period_text = split(arg)
    subject = None
    if subject_text:
        subject = st.resolve_subject(plan, subject_text)
        if subject is None:
            unknown = _unknown_subject(turn, subject_text, plan)
            unknown.blocks[:0] = Message(*heading).blocks
            turn.say(message=unknown)
            return None
    found = resolve(turn, plan, period_text)
    if found is None:
        return None
    period, notes = found
    notes = heading + notes
    session, now, tz = turn.session, turn.now, turn.ctx.tz
    try:
        if subject is None:
            ps = st.period_status(session, plan, period, now, tz, cal=turn.ctx.calendar)
            body = _overview(turn, ps)
        elif subject.kind == "task":
            body = _task_text(turn, st.task_detail(session, plan, subject.id, period, now, tz))
        elif subject.kind == "agency":
            agency = st.agency_detail(session, plan, subject.id, period, now, tz)
            requests = st.extensions(session, [agency.obligation_id], tz).get(agency.obligation_id, [])
            body = _agency_text(turn, agency, plan.period_name(period), requests)
        else:
            ps = st.period_status(session, plan, period, now, tz, cal=turn.ctx.calendar)
            body = _group_text(turn, subject, ps)
    except st.StatusError as exc:
        turn.say(*notes, sentence(str(exc)))
        return None
    body.blocks[:0] = Message(*notes).blocks
    turn.say(message=body)
    if subject is None:
        _say_chart(turn, ps, plan)
    return None


def _say_chart(turn: Turn, ps: st.PeriodStatus, plan: Plan | None = None) -> None:
    """The period's chart as a picture; nothing (and a log entry) if it cannot be drawn or
    the channel shows no pictures."""
    if not turn.ctx.capabilities(turn.msg.channel).photos:
        return None
    try:
        from reports.chart import status_chart
        from reports.data import period_history

        plan = plan or turn.ctx.plan
        history = period_history(turn.session, plan, ps, turn.now, turn.ctx.tz, cal=turn.ctx.calendar)
        png = status_chart(plan, ps, history)
    except Exception:  # noqa: BLE001 - the chart is an extra; the text has been answered
        log.exception("chart of %s could not be drawn", ps.period)
        return None
    turn.say(
        turn.t("Biểu đồ tình hình báo cáo {period}.", period=ps.period_name),
        file=OutFile(f"bieu-do-{ps.period}.png", png, "image/png", kind="photo"),
    )
    return None


def _unknown_subject(turn: Turn, text: str, plan: Plan | None = None) -> Message:
    t = turn.t
    plan = plan or turn.ctx.plan
    if _TASK_LIKE.match(fold(text)):
        return Message(
            t("Kế hoạch không có nhiệm vụ «{text}». Các nhiệm vụ: {tasks}.", text=text, tasks=task_list(plan.task_refs()))
        )
    message = Message(t("Không tìm thấy cơ quan hoặc nhiệm vụ «{text}».", text=text))
    near = closest_names(plan, text)
    if near:
        message.add(t("Có phải: {names}?", names="; ".join(m.name for m in near)))
    message.add(t("Ví dụ: /tinhhinh NV4, /tinhhinh CA tỉnh, /tinhhinh Q1."))
    return message


def timing(turn: Turn, ps: st.PeriodStatus) -> Text:
    t = turn.t
    today = ps.now.date()
    at = t("Tính đến {time} ngày {date}", time=f"{ps.now:%H:%M}", date=format_date_short(today))
    if today == ps.due:
        return at + ": " + t("hôm nay là hạn gửi báo cáo.")
    days = turn.ctx.calendar.working_days_between(today, ps.due)
    if days > 0:
        return at + ": " + t("còn {n} ngày làm việc đến hạn gửi báo cáo.", n=days)
    if days < 0:
        return at + ": " + t("đã quá hạn gửi báo cáo {n} ngày làm việc.", n=-days)
    return at + ": " + (t("đã quá hạn gửi báo cáo.") if ps.overdue else t("chưa đến hạn gửi báo cáo."))


def contacts_text(turn: Turn, contacts: Sequence[st.ContactInfo]) -> Text:
    t = turn.t
    if not contacts:
        return t("chưa có đầu mối")
    names = [c.display_name or t.s("(chưa có tên)") for c in contacts]
    return t("đầu mối: {names}", names=", ".join(names))


def _task_summary(turn: Turn, task: st.TaskStatus) -> Text:
    t = turn.t
    parts = [t("{n}/{total} cơ quan đã báo cáo", n=task.reported_by, total=task.assigned_to)]
    statuses = [f"{t.s(ENTRY_LABELS.get(key, key))} {n}" for key, n in task.statuses.items() if n]
    if statuses:
        parts.append(Text(", ".join(statuses)))
    if task.average_percent is not None:
        parts.append(t("bình quân {p}%", p=f"{task.average_percent:g}".replace(".", ",")))
    if task.difficulties:
        parts.append(t("{n} cơ quan nêu khó khăn", n=task.difficulties))
    return _joined("; ", parts)


def _joined(separator: str, parts: Sequence[Text]) -> Text:
    out = Text()
    for index, part in enumerate(parts):
        out = out + (separator if index else "") + part
    return out


def counts_line(turn: Turn, ps: st.PeriodStatus) -> Text:
    c = ps.counts
    return turn.t(
        "Đã báo cáo đủ: <b>{n}/{total}</b> cơ quan (đúng hạn {on_time}, muộn {late}); "
        "báo cáo một phần: {partial}; chưa báo cáo: {missing}.",
        n=ps.reported, total=ps.total, on_time=c[st.ON_TIME], late=c[st.LATE], partial=c[st.PARTIAL], missing=c[st.MISSING],
    )


def _overview(turn: Turn, ps: st.PeriodStatus) -> Message:
    t = turn.t
    message = Message(
        bold(t("Tình hình báo cáo {period}", period=ps.period_name)),
        t("Hạn gửi: {due}; hạn tổng hợp: {consolidation}.", due=format_date_vi(ps.due), consolidation=format_date_vi(ps.consolidation_due)),
        timing(turn, ps),
        counts_line(turn, ps),
    )
    if not ps.agencies:
        message.add(t("Không có cơ quan nào phải báo cáo trong kỳ này."))
        return message
    on_time, late = ps.by_state(st.ON_TIME), ps.by_state(st.LATE)
    partial, missing = ps.by_state(st.PARTIAL), ps.by_state(st.MISSING)
    if on_time:
        message.add("", Text(bold(t("Đúng hạn ({n}):", n=len(on_time))), " ", ", ".join(a.agency for a in on_time), "."))
    if late:
        message.add("", bold(t("Gửi muộn ({n}):", n=len(late))))
        message.add(*(item(a.agency, " — ", t("muộn {tasks}", tasks=task_list(a.late_tasks))) for a in late))
    if partial:
        message.add("", bold(t("Báo cáo một phần ({n}):", n=len(partial))))
        message.add(*(item(a.agency, " — ", t("còn thiếu {tasks}", tasks=task_list(a.missing_tasks))) for a in partial))
    if missing:
        message.add("", Text(bold(t("Chưa báo cáo ({n}):", n=len(missing))), " ", ", ".join(a.agency for a in missing), "."))
    _review_lines(turn, ps, message)
    if ps.tasks:
        message.add("", bold(t("Theo nhiệm vụ")))
        message.add(*(item(f"NV{task.no}: ", _task_summary(turn, task)) for task in ps.tasks))
    message.add("", t("Chi tiết: /tinhhinh NV4, /tinhhinh CA tỉnh. Cơ quan chưa báo cáo và lựa chọn nhắc: /chuabaocao."))
    return message


def _review_lines(turn: Turn, ps: st.PeriodStatus, message: Message) -> None:
    """Sở Tư pháp's reviews and the extensions granted in the period, when there are any."""
    t = turn.t
    counts = ps.review_counts
    if counts[st.ACCEPTED] or counts[st.RETURNED] or counts[st.SUPPLEMENTED]:
        parts = [
            t("Sở Tư pháp đã tiếp nhận: {n}", n=counts[st.ACCEPTED]),
            t("yêu cầu bổ sung: {n}", n=counts[st.RETURNED] + counts[st.SUPPLEMENTED]),
        ]
        if counts[st.SUPPLEMENTED]:
            parts.append(t("đã gửi bổ sung, chờ xem xét lại: {n}", n=counts[st.SUPPLEMENTED]))
        parts.append(t("chưa xem xét: {n}", n=counts[st.UNREVIEWED]))
        message.add("", _joined("; ", parts) + ".")
        returned = ps.by_review(st.RETURNED)
        if returned:
            names = ", ".join(a.agency for a in returned)
            message.add(Text(bold(t("Yêu cầu bổ sung ({n}):", n=len(returned))), " ", names, "."))
    extended = ps.extended
    if extended:
        message.add(
            Text(
                bold(t("Được gia hạn ({n}):", n=len(extended))),
                " ",
                ", ".join(f"{a.agency} ({format_date_short(a.due)})" for a in extended),
                ".",
            )
        )


def _entry_text(turn: Turn, entry: st.TaskEntry) -> tuple[Text, Text | None]:
    t = turn.t
    parts = [t(ENTRY_LABELS[entry.status]) if entry.status in ENTRY_LABELS else t("chưa nêu tiến độ")]
    if entry.percent is not None:
        parts.append(Text(f"{entry.percent}%"))
    if entry.difficulty:
        parts.append(t("có khó khăn, vướng mắc"))
    sent = entry.submitted_at
    parts.append(t("gửi {when}", when=f"{format_date_short(sent.date())} {sent:%H:%M}"))
    if entry.revision > 1:
        parts.append(t("sửa lần {n}", n=entry.revision - 1))
    if entry.late:
        parts.append(t("muộn"))
    quote = Text("  «", _cut(entry.text, 200), "»") if entry.text.strip() else None
    return _joined(", ", parts), quote


def _duty_label(turn: Turn, role: str, request: bool) -> str:
    label = turn.t.s(DUTY_LABELS.get(str(role), str(role)))
    return label + (", " + turn.t.s("đề nghị") if request else "")


def _state_text(turn: Turn, state: str, overdue: bool) -> Text:
    text = turn.t(STATE_LABELS[state])
    return text + (Text(", ") + turn.t("đã quá hạn") if overdue else Text())


def _add_entry(message: Message, head: Text, turn: Turn, entry: st.TaskEntry) -> None:
    line, quote = _entry_text(turn, entry)
    message.add(item(head, line))
    if quote is not None:
        message.add(quote)


def _review_text(turn: Turn, agency: st.AgencyStatus) -> Text | None:
    t = turn.t
    review = agency.review
    if review is None:
        return None
    at = review.at.astimezone(turn.ctx.tz)
    when = f"{at:%H:%M} {format_date_short(at.date())}"
    who = f" ({review.reviewer})" if review.reviewer else ""
    if review.decision == st.ACCEPTED:
        text = t("Sở Tư pháp đã tiếp nhận báo cáo lúc {when}{who}.", when=when, who=who)
        last = agency.last_submitted_at
        if last is not None and last > review.at:
            text = text + " " + t("Cơ quan đã gửi thêm nội dung sau đó.")
        return text
    text = t("Sở Tư pháp yêu cầu bổ sung lúc {when}{who}: «{reason}».", when=when, who=who, reason=_cut(review.reason or "", 300))
    if agency.review_state == st.SUPPLEMENTED and agency.last_submitted_at is not None:
        sent = agency.last_submitted_at
        text = text + " " + t("Cơ quan đã gửi bổ sung lúc {when}; chờ xem xét lại.", when=f"{sent:%H:%M} {format_date_short(sent.date())}")
    else:
        text = text + " " + t("Cơ quan chưa gửi bổ sung.")
    return text


def _extension_blocks(turn: Turn, requests: Sequence[st.ExtensionInfo]) -> list:
    t = turn.t
    blocks: list = []
    for request in requests:
        what = Text(f"NV{request.task}: ") if request.task else Text()
        asked = t(
            "đề nghị gia hạn đến {until} (gửi {when})",
            until=format_date_short(request.until), when=format_date_short(request.requested_at.date()),
        )
        if request.status == st.PENDING_EXTENSION:
            choices = [Choice(t.s("Đồng ý"), f"exa:{request.id}"), Choice(t.s("Không đồng ý"), f"exd:{request.id}")]
            blocks.append(item(what, asked, "; ", t("chờ Sở Tư pháp quyết định"), choices=choices))
            blocks.append(Text("  «", _cut(request.text, 200), "»"))
        else:
            decided = format_date_short(request.decided_at.date()) if request.decided_at is not None else ""
            answer = t("đã đồng ý {date}", date=decided) if request.status == st.APPROVED_EXTENSION else t("không đồng ý {date}", date=decided)
            blocks.append(item(what, asked, "; ", answer))
    return blocks


def _agency_text(
    turn: Turn, agency: st.AgencyStatus, period_name: str, requests: Sequence[st.ExtensionInfo] = ()
) -> Message:
    t = turn.t
    if agency.extended and agency.plan_due is not None:
        due = t("Hạn gửi: {due} (đã gia hạn; hạn theo kế hoạch: {plan_due}).", due=format_date_vi(agency.due), plan_due=format_date_vi(agency.plan_due))
    else:
        due = t("Hạn gửi: {due}.", due=format_date_vi(agency.due))
    message = Message(
        Text(bold(agency.agency), " — ", period_name),
        due + " " + t("Tình trạng: {state}.", state=_state_text(turn, agency.state, agency.overdue)),
        sentence(contacts_text(turn, agency.contacts).plain()),
    )
    review = _review_text(turn, agency)
    if review is not None:
        message.add(review)
    if requests:
        message.add(bold(t("Gia hạn")))
        message.add(*_extension_blocks(turn, requests))
    for duty in agency.tasks:
        entries = [e for e in agency.entries if e.task == duty.no or taskrefs.parent(e.task) == duty.no]
        role = _duty_label(turn, duty.role, duty.request)
        if not entries:
            message.add(item(f"NV{duty.no} ({role}): ", t("chưa báo cáo")))
        for entry in entries:
            _add_entry(message, Text(f"NV{entry.task} ({role}): "), turn, entry)
    if agency.state != st.MISSING:
        message.add(gap(), t("Sở Tư pháp tiếp nhận báo cáo, hoặc yêu cầu cơ quan bổ sung (kèm nội dung cần bổ sung):"))
        message.choices = [
            [Choice(t.s("Tiếp nhận"), f"rva:{agency.obligation_id}"), Choice(t.s("Yêu cầu bổ sung"), f"rvr:{agency.obligation_id}")]
        ]
    return message


def _group_text(turn: Turn, subject: st.Subject, ps: st.PeriodStatus) -> Message:
    t = turn.t
    plan = turn.ctx.plan
    owing = [a for a in (ps.agency(m) for m in subject.members) if a is not None]
    full = sum(1 for a in owing if a.state in (st.ON_TIME, st.LATE))
    message = Message(
        Text(bold(subject.name), " — ", ps.period_name),
        t("Hạn gửi: {due}. Đã báo cáo đủ: {n}/{total} cơ quan.", due=format_date_vi(ps.due), n=full, total=len(owing)),
    )
    for member in subject.members:
        a = ps.agency(member)
        name = plan.agency_by_id[member].name if member in plan.agency_by_id else member
        if a is None:
            message.add(item(name, ": ", t("không phải báo cáo kỳ này")))
            continue
        text = _state_text(turn, a.state, a.overdue)
        if a.state == st.PARTIAL:
            text = text + "; " + t("còn thiếu {tasks}", tasks=task_list(a.missing_tasks))
        if a.state in (st.PARTIAL, st.MISSING):
            text = text + "; " + contacts_text(turn, a.contacts)
        if a.review_state in REVIEW_LABELS:
            text = text + "; " + t(REVIEW_LABELS[a.review_state])
        if a.extended:
            text = text + "; " + t("gia hạn đến {date}", date=format_date_short(a.due))
        message.add(item(a.agency, ": ", text))
    return message


def _task_text(turn: Turn, detail: st.TaskDetail) -> Message:
    t = turn.t
    s = detail.summary
    message = Message(bold(f"NV{s.no}. {s.title}"))
    if detail.due is not None:
        message.add(t("Kỳ báo cáo: {period}; hạn gửi: {due}.", period=detail.period_name, due=format_date_vi(detail.due)))
    else:
        message.add(t("Kỳ báo cáo: {period}.", period=detail.period_name))
    if s.lead:
        lead = ", ".join(s.lead)
        message.add(t("Chủ trì (đề nghị): {names}.", names=lead) if s.lead_is_request else t("Chủ trì: {names}.", names=lead))
    message.add(sentence(_task_summary(turn, s).plain()))
    # Leads one by one, answered or not; other agencies only when they answered, the rest
    # in one line (a task may have forty coordinating agencies).
    silent: list[str] = []
    for row in detail.agencies:
        role = _duty_label(turn, row.role, row.request)
        head = Text(f"{row.agency} ({role})")
        if not row.entries and row.role != "lead":
            silent.append(row.agency)
        elif not row.entries:
            message.add(item(head, ": ", t("chưa báo cáo"), "; ", contacts_text(turn, row.contacts)))
        for entry in row.entries:
            label = f" NV{entry.task}" if entry.task != s.no else ""
            _add_entry(message, head + label + ": ", turn, entry)
    if silent:
        message.add(Text(bold(t("Chưa báo cáo ({n}):", n=len(silent))), " ", ", ".join(silent), "."))
    return message


# --- /chuabaocao ---------------------------------------------------------------------------------


def short_name(turn: Turn, agency_id: str, name: str) -> str:
    """A name short enough for a choice: the name, else its first short alias."""
    if len(name) <= 24:
        return name
    agency = turn.ctx.plan.agency_by_id.get(agency_id)
    aliases = list(agency.aliases) if agency is not None else []
    short = next((a for a in aliases if len(a) <= 24), None)
    return short or min(aliases, key=len, default=name)


def not_reported(turn: Turn, arg: str) -> None:
    t = turn.t
    chosen = plan_of_command(turn, "chuabaocao", arg)
    if chosen is None:
        return None
    plan, arg, heading = chosen
    found = only_period(
        turn, plan, arg, t("Cú pháp: /chuabaocao [kỳ], ví dụ /chuabaocao Q1. Chi tiết một cơ quan: /tinhhinh <cơ quan>.")
    )
    if found is None:
        return None
    period, notes = found
    notes = heading + notes
    ps = st.period_status(turn.session, plan, period, turn.now, turn.ctx.tz, cal=turn.ctx.calendar)
    missing, partial = ps.by_state(st.MISSING), ps.by_state(st.PARTIAL)
    message = Message(
        *notes,
        bold(t("Cơ quan chưa báo cáo đủ — {period}", period=ps.period_name)),
        t("Hạn gửi: {due}.", due=format_date_vi(ps.due)),
        timing(turn, ps),
    )
    if not missing and not partial:
        message.add(t("Tất cả {n} cơ quan đã báo cáo đủ.", n=ps.total) if ps.total else t("Không có cơ quan nào phải báo cáo trong kỳ này."))
        turn.say(message=message)
        return None
    message.add(
        t(
            "Chưa báo cáo: {missing}; báo cáo một phần: {partial} (trên tổng số {total} cơ quan).",
            missing=len(missing), partial=len(partial), total=ps.total,
        )
    )
    for title, agencies in ((t("Chưa báo cáo ({n}):", n=len(missing)), missing), (t("Báo cáo một phần ({n}):", n=len(partial)), partial)):
        if not agencies:
            continue
        message.add(gap(), bold(title))
        for a in agencies:
            text = Text(a.agency, " — ")
            if a.state == st.PARTIAL:
                text = text + t("còn thiếu {tasks}", tasks=task_list(a.missing_tasks)) + "; "
            text = text + contacts_text(turn, a.contacts)
            label = t.s("Nhắc {name}", name=short_name(turn, a.agency_id, a.agency))
            message.add(item(text, choices=[Choice(label, f"nudge:{a.obligation_id}")]))
    message.add(gap(), t("Chọn «Nhắc …» để gửi ngay tin nhắc tới các đầu mối của cơ quan đó."))
    turn.say(message=message)
    return None


# --- nudge: a choice of /chuabaocao ---------------------------------------------------------------


def nudge(turn: Turn, arg: str) -> None:
    t = turn.t
    session = turn.session
    obligation_id = row_id(arg)
    if obligation_id is None:
        turn.say(t("Nút này không còn hiệu lực."), toast=t.s("Không hợp lệ"))
        return None
    # Lock the obligation (PostgreSQL; ignored on SQLite) so that two presses at the same
    # moment are serialised and the second one finds the first one's audit row.
    ob = session.exec(select(Obligation).where(Obligation.id == obligation_id).with_for_update()).first()
    if ob is None or ob.status != ObligationStatus.ACTIVE or ob.plan_id not in turn.ctx.plans:
        turn.say(t("Nghĩa vụ báo cáo này không còn hiệu lực; không gửi nhắc."), toast=t.s("Không gửi"))
        return None
    plan = turn.ctx.plan_of(ob.plan_id)
    agency_name = plan.agency_by_id[ob.agency_id].name if ob.agency_id in plan.agency_by_id else ob.agency_id
    period = plan.period_name(ob.period)
    try:
        detail = st.agency_detail(session, plan, ob.agency_id, ob.period, turn.now, turn.ctx.tz)
    except st.StatusError as exc:
        turn.say(sentence(str(exc)), toast=t.s("Không gửi"))
        return None
    if detail.state in (st.ON_TIME, st.LATE):
        turn.say(t("{agency} đã báo cáo đủ kỳ {period}; không cần nhắc.", agency=agency_name, period=period), toast=t.s("Đã báo cáo đủ"))
        return None
    target = f"obligation:{ob.id}"
    last = session.exec(
        select(AuditLog)
        .where(AuditLog.action == NUDGE_ACTION, AuditLog.target == target, col(AuditLog.at) > turn.now - NUDGE_INTERVAL)
        .order_by(col(AuditLog.at).desc())
    ).first()
    if last is not None:
        at = last.at.astimezone(turn.ctx.tz)
        again = (last.at + NUDGE_INTERVAL).astimezone(turn.ctx.tz)
        turn.say(
            t("Đã nhắc lúc {time}; có thể nhắc lại sau {again}.", time=f"{at:%H:%M}", again=f"{again:%H:%M}"),
            toast=t.s("Đã nhắc lúc {time}", time=f"{at:%H:%M}"),
        )
        return None
    contacts = list(
        session.exec(
            select(Contact)
            .where(Contact.agency_id == ob.agency_id, col(Contact.active).is_(True), Contact.role == ContactRole.FOCAL)
            .order_by(col(Contact.id))
        ).all()
    )
    if not contacts:
        turn.say(
            t("{agency} chưa có đầu mối đăng ký nên chưa gửi được tin nhắc. Tạo lời mời: /moi {agency}.", agency=agency_name),
            toast=t.s("Chưa có đầu mối"),
        )
        return None
    duties = [
        reminders.DutyLine(no, obligations.task_title(plan, no)) for no in detail.missing_tasks
    ]
    for contact in contacts:
        message = reminders.nudge_message(
            reminders.NudgeContent(
                agency=agency_name,
                period_name=period,
                due=ob.due,
                today=turn.today(),
                missing=duties,
                partial=detail.state == st.PARTIAL,
                recipient_name=contact.display_name,
                plan_number=plan.plan.number if len(turn.ctx.plans) > 1 else None,
                plan_title=short_title(plan) if len(turn.ctx.plans) > 1 else None,
            ),
            translator(contact.language),
        )
        turn.out.append(
            Reply(
                message=message,
                chat_id=contact.chat_id,
                channel=contact.channel,
                kind="nudge",
                obligation_id=ob.id,
                contact_id=contact.id,
                plan_id=ob.plan_id,
            )
        )
    audit(
        session,
        turn.who.actor,
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
        t("Đã gửi nhắc tới {n} đầu mối của {agency} ({period}).", n=len(contacts), agency=agency_name, period=period),
        toast=t.s("Đã gửi nhắc"),
    )
    return None
