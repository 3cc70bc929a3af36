"""Sở Tư pháp closes the loop: a report accepted (tiếp nhận) or returned for more (yêu cầu bổ
sung), and an agency's request for more time (đề nghị gia hạn) approved or declined.

**Review.** ``/tinhhinh <cơ quan> [kỳ]`` offers "Tiếp nhận" (``rva:<obligation id>``) and "Yêu
cầu bổ sung" (``rvr:<obligation id>``) once the agency has sent something. Returning needs a
reason: after the choice the bot asks for it, and the coordinator sends it with ``/bosung
<lý do>`` (the choice is kept in the conversation state), or at once, without the choice, with
``/bosung <cơ quan> [kỳ]: <lý do>``; ``/tiepnhan <cơ quan> [kỳ]`` accepts without the choice. A
coordinator's plain text is not routed to handlers (only focal points' is), hence a command for
the reason. Each decision is a ``Review`` row (the latest one stands), an audit row
(``review.accept`` / ``review.return``) and a message to every active focal point of the agency
— a reply to it lands on that period. A returned report that nothing supplements gets its own
reminder the next working day (:mod:`scheduler.dispatch`).

**Extension.** A focal point's "đề nghị gia hạn đến 30/3" (:mod:`bot.extensions`) is taken
before anything else in :func:`bot.handlers.reporting.text`: it is never a report entry. A
request inside a report ("NV4: đang thực hiện 70%, đề nghị gia hạn đến 30/3") is sent too, and
the rest goes on as a report (the parser does not count the request as a difficulty, nor the
consolidated report as a recommendation). The
agency and period are found as for a report (:mod:`bot.attribution`; when two periods are
equally likely, the older one the date can extend); the request is an ``Extension`` row, an
audit row (``extension.request``), a confirmation to the focal point and a message to each
coordinator with "Đồng ý" (``exa:<extension id>``) / "Không đồng ý" (``exd:<extension id>``) —
on a channel without buttons, the command that shows the same choices (``/tinhhinh <cơ quan>
<kỳ>``), since numbered choices only work in the chat that was just answered. Approving sets
``Obligation.extended_due`` (never earlier than an extension already approved): reminders,
status and the lateness of what is sent later follow it. Either decision is audited
(``extension.approve`` / ``extension.decline``) and told to the agency's focal points.

On PostgreSQL the obligation (and the extension) row is locked first, so two coordinators
pressing at once make one decision; the second is told it was made.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlmodel import col, select

from bot import attribution, extensions, state
from bot.handlers.periods import resolve, sentence, split
from bot.handlers.status import row_id
from bot.messages import Reply
from bot.parser import parse_reply
from bot.turn import ADMIN, COORDINATOR, Turn
from common import tasks as taskrefs
from common.i18n import Translator, translator
from common.message import Choice, Message, Text
from common.vndate import format_date_short, format_date_vi
from reports import status as st
from scheduler import reminders
from storage.models import (
    Contact,
    ContactRole,
    Extension,
    ExtensionStatus,
    Obligation,
    ObligationStatus,
    Review,
    ReviewDecision,
)
from storage.queries import audit

log = logging.getLogger(__name__)

REASON_STATE = "review_reason"  # a coordinator chose "Yêu cầu bổ sung" and is to give the reason
MAX_REASON = 1000
MAX_REQUEST_TEXT = 4000


# --- shared -------------------------------------------------------------------------------------


def _stale(turn: Turn) -> None:
    turn.say(turn.t("Nút này không còn hiệu lực."), toast=turn.t.s("Không hợp lệ"))


def _locked_obligation(turn: Turn, obligation_id: int) -> Obligation | None:
    """The obligation, locked (PostgreSQL), if it is active in a plan the bot runs."""
    ob = turn.session.exec(select(Obligation).where(Obligation.id == obligation_id).with_for_update()).first()
    if ob is None or ob.status != ObligationStatus.ACTIVE or ob.plan_id not in turn.ctx.plans:
        return None
    return ob


def _names(turn: Turn, ob: Obligation) -> tuple[str, str]:
    plan = turn.ctx.plan_of(ob.plan_id)
    agency = plan.agency_by_id[ob.agency_id].name if ob.agency_id in plan.agency_by_id else turn.ctx.plans.agency_name(ob.agency_id)
    return agency, plan.period_name(ob.period)


def _focal_points(turn: Turn, agency_id: str) -> list[Contact]:
    return list(
        turn.session.exec(
            select(Contact)
            .where(Contact.agency_id == agency_id, col(Contact.active).is_(True), Contact.role == ContactRole.FOCAL)
            .order_by(col(Contact.id))
        ).all()
    )


def _coordinators(turn: Turn) -> list[Contact]:
    """Active coordinators and admins, one per chat."""
    rows = turn.session.exec(
        select(Contact)
        .where(col(Contact.active).is_(True), col(Contact.role).in_([COORDINATOR, ADMIN]))
        .order_by(col(Contact.id))
    ).all()
    seen: set[tuple[str, str]] = set()
    out = []
    for row in rows:
        if (row.channel, row.chat_id) not in seen:
            seen.add((row.channel, row.chat_id))
            out.append(row)
    return out


def _tell(turn: Turn, ob: Obligation, contacts: list[Contact], build: Callable[[Contact, Translator], Message]) -> None:
    """A message to each focal point of ``ob``'s agency, in their language and on their
    channel; a reply to it lands on ``ob``'s period."""
    for contact in contacts:
        turn.out.append(
            Reply(
                message=build(contact, translator(contact.language)),
                chat_id=contact.chat_id,
                channel=contact.channel,
                kind="nudge",
                obligation_id=ob.id,
                contact_id=contact.id,
                plan_id=ob.plan_id,
            )
        )


def _told(turn: Turn, n: int) -> Text:
    t = turn.t
    return t("Đã báo tới {n} đầu mối của cơ quan.", n=n) if n else t("Cơ quan chưa có đầu mối đăng ký nên chưa báo được.")


def _reviewer(turn: Turn) -> int | None:
    return next((c.id for c in turn.who.contacts if str(c.role) in (COORDINATOR, ADMIN)), None)


def _detail(turn: Turn, ob: Obligation) -> st.AgencyStatus | None:
    plan = turn.ctx.plan_of(ob.plan_id)
    try:
        return st.agency_detail(turn.session, plan, ob.agency_id, ob.period, turn.now, turn.ctx.tz)
    except st.StatusError as exc:
        turn.say(sentence(str(exc)), toast=turn.t.s("Không thực hiện"))
        return None


def _when(turn: Turn, moment: Any) -> str:
    local = moment.astimezone(turn.ctx.tz)
    return f"{local:%H:%M} {format_date_short(local.date())}"


# --- accept ---------------------------------------------------------------------------------------


def accept_pressed(turn: Turn, arg: str) -> None:
    """ "Tiếp nhận" of /tinhhinh <cơ quan>: ``rva:<obligation id>``."""
    obligation_id = row_id(arg)
    if obligation_id is None:
        return _stale(turn)
    ob = _locked_obligation(turn, obligation_id)
    if ob is None:
        turn.say(turn.t("Nghĩa vụ báo cáo này không còn hiệu lực."), toast=turn.t.s("Không hợp lệ"))
        return None
    return _accept(turn, ob)


def accept_command(turn: Turn, arg: str) -> None:
    """``/tiepnhan <cơ quan> [kỳ]``."""
    t = turn.t
    found = _named_obligation(turn, arg.strip(), t("Cú pháp: /tiepnhan <cơ quan> [kỳ], ví dụ /tiepnhan CA tỉnh Q1."))
    if found is not None:
        _accept(turn, found)
    return None


def _accept(turn: Turn, ob: Obligation) -> None:
    t = turn.t
    agency, period = _names(turn, ob)
    detail = _detail(turn, ob)
    if detail is None:
        return None
    if detail.state == st.MISSING:
        turn.say(
            t("{agency} chưa gửi báo cáo {period}; chưa có nội dung để tiếp nhận.", agency=agency, period=period),
            toast=t.s("Chưa có báo cáo"),
        )
        return None
    review = detail.review
    if review is not None and review.decision == st.ACCEPTED and (detail.last_submitted_at or review.at) <= review.at:
        turn.say(
            t("Báo cáo {period} của {agency} đã được tiếp nhận lúc {when}.", period=period, agency=agency, when=_when(turn, review.at)),
            toast=t.s("Đã tiếp nhận"),
        )
        return None
    row = Review(
        obligation_id=ob.id or 0,
        decision=ReviewDecision.ACCEPTED.value,
        contact_id=_reviewer(turn),
        actor=turn.who.actor,
        at=turn.now,
    )
    turn.session.add(row)
    turn.session.flush()
    contacts = _focal_points(turn, ob.agency_id)
    audit(
        turn.session,
        turn.who.actor,
        "review.accept",
        f"obligation:{ob.id}",
        {"review_id": row.id, "agency_id": ob.agency_id, "period": ob.period, "missing": list(detail.missing_tasks),
         "contact_ids": [c.id for c in contacts]},
        at=turn.now,
    )
    _clear_reason_state(turn, ob.id)
    _tell(
        turn,
        ob,
        contacts,
        lambda contact, tc: reminders.review_message(
            reminders.ReviewNotice(agency=agency, period_name=period, accepted=True, recipient_name=contact.display_name), tc
        ),
    )
    message = Message(t("Đã tiếp nhận báo cáo {period} của {agency}.", period=period, agency=agency), _told(turn, len(contacts)))
    if detail.missing_tasks:
        message.add(t("Lưu ý: cơ quan còn thiếu {tasks}.", tasks=", ".join(f"NV{no}" for no in detail.missing_tasks)))
    turn.say(message=message, toast=t.s("Đã tiếp nhận"))
    return None


# --- return ---------------------------------------------------------------------------------------


def return_pressed(turn: Turn, arg: str) -> None:
    """ "Yêu cầu bổ sung" of /tinhhinh <cơ quan>: ``rvr:<obligation id>``; asks for the reason."""
    t = turn.t
    obligation_id = row_id(arg)
    if obligation_id is None:
        return _stale(turn)
    ob = _locked_obligation(turn, obligation_id)
    if ob is None:
        turn.say(t("Nghĩa vụ báo cáo này không còn hiệu lực."), toast=t.s("Không hợp lệ"))
        return None
    agency, period = _names(turn, ob)
    detail = _detail(turn, ob)
    if detail is None:
        return None
    if detail.state == st.MISSING:
        turn.say(
            t("{agency} chưa gửi báo cáo {period}; để nhắc cơ quan, dùng /chuabaocao.", agency=agency, period=period),
            toast=t.s("Chưa có báo cáo"),
        )
        return None
    state.put(turn, REASON_STATE, {"obligation_id": ob.id})
    turn.say(
        t(
            "Đồng chí gửi nội dung đề nghị {agency} bổ sung báo cáo {period} trong tin nhắn tiếp theo "
            "(hoặc /bosung <nội dung>), ví dụ: Đề nghị bổ sung số liệu NV4. Gõ /huy để thôi.",
            agency=agency, period=period,
        ),
        toast=t.s("Gửi nội dung cần bổ sung"),
    )
    return None


def supplement(turn: Turn, arg: str) -> None:
    """``/bosung <nội dung>`` after "Yêu cầu bổ sung", or ``/bosung <cơ quan> [kỳ]: <nội dung>``."""
    t = turn.t
    text = arg.strip()
    usage = t(
        "Cú pháp: /bosung <cơ quan> [kỳ]: <nội dung cần bổ sung>, ví dụ /bosung CA tỉnh Q1: Đề nghị bổ sung số liệu NV4. "
        "Hoặc chọn «Yêu cầu bổ sung» trong /tinhhinh <cơ quan>."
    )
    head, colon, rest = text.partition(":")
    if colon:
        subject_text, _ = split(head)
        subject = st.resolve_subject(turn.ctx.plan, subject_text) if subject_text else None
        if subject is not None and subject.kind == "agency":
            ob = _named_obligation(turn, head.strip(), usage)
            if ob is not None:
                _return(turn, ob, rest)
            return None
    current = state.get(turn)
    if current is None or current.state != REASON_STATE or not isinstance(current.data.get("obligation_id"), int):
        turn.say(usage)
        return None
    ob = _locked_obligation(turn, current.data["obligation_id"])
    if ob is None:
        state.clear(turn)
        turn.say(t("Nghĩa vụ báo cáo này không còn hiệu lực."))
        return None
    return _return(turn, ob, text)


def _return(turn: Turn, ob: Obligation, reason_text: str) -> None:
    t = turn.t
    agency, period = _names(turn, ob)
    reason = " ".join(reason_text.split())
    if not reason:
        state.put(turn, REASON_STATE, {"obligation_id": ob.id})
        turn.say(t("Đồng chí ghi rõ nội dung cần bổ sung, ví dụ: /bosung Đề nghị bổ sung số liệu NV4."))
        return None
    if len(reason) > MAX_REASON:
        reason = reason[: MAX_REASON - 1].rstrip() + "…"
    detail = _detail(turn, ob)
    if detail is None:
        return None
    if detail.state == st.MISSING:
        turn.say(t("{agency} chưa gửi báo cáo {period}; để nhắc cơ quan, dùng /chuabaocao.", agency=agency, period=period))
        return None
    row = Review(
        obligation_id=ob.id or 0,
        decision=ReviewDecision.RETURNED.value,
        reason=reason,
        contact_id=_reviewer(turn),
        actor=turn.who.actor,
        at=turn.now,
    )
    turn.session.add(row)
    turn.session.flush()
    contacts = _focal_points(turn, ob.agency_id)
    audit(
        turn.session,
        turn.who.actor,
        "review.return",
        f"obligation:{ob.id}",
        {"review_id": row.id, "agency_id": ob.agency_id, "period": ob.period, "reason": reason,
         "contact_ids": [c.id for c in contacts]},
        at=turn.now,
    )
    _clear_reason_state(turn, ob.id)
    _tell(
        turn,
        ob,
        contacts,
        lambda contact, tc: reminders.review_message(
            reminders.ReviewNotice(agency=agency, period_name=period, accepted=False, reason=reason, recipient_name=contact.display_name),
            tc,
        ),
    )
    message = Message(t("Đã đề nghị {agency} bổ sung báo cáo {period}.", agency=agency, period=period), _told(turn, len(contacts)))
    if contacts:
        message.add(t("Nếu cơ quan chưa gửi bổ sung, hệ thống nhắc lại vào ngày làm việc tiếp theo."))
    turn.say(message=message, toast=t.s("Đã yêu cầu bổ sung"))
    return None


def _clear_reason_state(turn: Turn, obligation_id: int | None) -> None:
    current = state.get(turn)
    if current is not None and current.state == REASON_STATE and current.data.get("obligation_id") == obligation_id:
        state.clear(turn)


def _named_obligation(turn: Turn, text: str, usage: Text) -> Obligation | None:
    """The active obligation of the agency and period ``text`` names ("CA tỉnh Q1"); None after
    telling the coordinator what is wrong."""
    t = turn.t
    plan = turn.ctx.plan
    subject_text, period_text = split(text)
    if not subject_text:
        turn.say(usage)
        return None
    subject = st.resolve_subject(plan, subject_text)
    if subject is None or subject.kind != "agency":
        turn.say(t("Không tìm thấy cơ quan «{text}».", text=subject_text), usage)
        return None
    found = resolve(turn, plan, period_text)
    if found is None:
        return None
    period, _ = found
    ob = turn.session.exec(
        select(Obligation)
        .where(
            Obligation.plan_id == plan.plan.id,
            Obligation.agency_id == subject.id,
            Obligation.period == period,
            Obligation.status == ObligationStatus.ACTIVE,
        )
        .with_for_update()
    ).first()
    if ob is None:
        turn.say(t("{agency} không phải báo cáo {period}.", agency=subject.name, period=plan.period_name(period)))
        return None
    return ob


# --- an extension request (a focal point's message) ----------------------------------------------


def _reports_something(turn: Turn, text: str) -> bool:
    """Whether ``text`` (a message without its extension request) still reports progress."""
    if not text.strip():
        return False
    refs: list[str] = []
    for plan in turn.ctx.plans:
        refs.extend(ref for ref in plan.task_refs() if ref not in refs)
    return any(e.says_something for e in parse_reply(text, refs))


def extension_request(turn: Turn, body: str) -> bool:
    """Take the extension request ``body`` makes, if any. True: ``body`` was only that (answered,
    nothing else to do); False: no request, or one made inside a report ("NV4: đang thực hiện
    70%, đề nghị gia hạn đến 30/3"), which then goes on as a report (the request is sent, and
    is neither a difficulty nor a recommendation of it)."""
    if not extensions.mentions(body):
        return False
    t = turn.t
    mixed = _reports_something(turn, extensions.remainder(body))
    handled = not mixed
    task = extensions.named_task(body)
    contact, choices = attribution.agency(turn, [task] if task else [])
    if contact is None:
        if not choices:
            return False  # not a focal point: the report path says so
        names = ", ".join(turn.ctx.plans.agency_name(c.agency_id) for c in choices)
        turn.say(
            t(
                "Đồng chí là đầu mối của nhiều cơ quan ({names}). Để đề nghị gia hạn, đồng chí trả lời tin nhắc hạn "
                "của cơ quan cần gia hạn.",
                names=names,
            )
        )
        return handled
    which = attribution.plan(turn, contact.agency_id, body, [task] if task else [])
    if which.ask:
        turn.say(
            t(
                "Cơ quan có nhiệm vụ trong nhiều kế hoạch ({plans}). Để đề nghị gia hạn, đồng chí ghi số kế hoạch "
                "(ví dụ: KH {number}: đề nghị gia hạn đến 30/3) hoặc trả lời tin nhắc hạn của kế hoạch đó.",
                plans="; ".join(attribution.plan_label(turn, pid) for pid in which.ask),
                number=turn.ctx.plans[which.ask[0]].plan.number,
            )
        )
        return handled
    found = attribution.period(turn, contact.agency_id, body, which.plan_id)
    candidates = [found.obligation] if found.obligation is not None else list(found.ask)
    if not candidates:
        if handled:
            turn.say(t("Cơ quan hiện không có kỳ báo cáo nào để đề nghị gia hạn."))
        return handled
    request: extensions.Request | None = None
    error: extensions.ExtensionError | None = None
    ob = candidates[0]
    for candidate in candidates:
        try:
            request = extensions.parse(
                body, due=candidate.extended_due or candidate.due, today=turn.today(), add_working_days=turn.ctx.calendar.add_working_days
            )
        except extensions.ExtensionError as exc:
            error = error or exc
            continue
        ob = candidate
        break
    agency, period = _names(turn, ob)
    if request is None:
        refusal = _refusal(turn, error, period) if error is not None else t("Đồng chí ghi rõ ngày đề nghị gia hạn, ví dụ: đề nghị gia hạn đến 30/3.")
        turn.say(t("Chưa gửi được đề nghị gia hạn.") + " " + refusal if mixed else refusal)
        return handled
    assigned = [item["no"] for item in ob.tasks]
    if request.task is not None and not taskrefs.covers(assigned, request.task):
        turn.say(
            t("Cơ quan không được giao nhiệm vụ {no}.", no=request.task),
            t("Các nhiệm vụ của cơ quan: {tasks}.", tasks=", ".join(f"NV{no}" for no in assigned)),
        )
        return handled
    due = ob.extended_due or ob.due
    same = turn.session.exec(
        select(Extension).where(
            Extension.obligation_id == ob.id,
            Extension.status == ExtensionStatus.PENDING.value,
            Extension.until == request.until,
            Extension.task_no == request.task if request.task is not None else col(Extension.task_no).is_(None),
        )
    ).first()
    if same is not None:
        turn.say(
            t(
                "Đề nghị gia hạn báo cáo {period} đến {until} đã được gửi lúc {when}; Sở Tư pháp đang xem xét.",
                period=period, until=format_date_vi(request.until), when=_when(turn, same.requested_at),
            )
        )
        return handled
    row = Extension(
        obligation_id=ob.id or 0,
        task_no=request.task,
        until=request.until,
        text=body[:MAX_REQUEST_TEXT],
        contact_id=contact.id,
        requested_at=turn.now,
        status=ExtensionStatus.PENDING.value,
    )
    turn.session.add(row)
    turn.session.flush()
    audit(
        turn.session,
        turn.who.actor,
        "extension.request",
        f"extension:{row.id}",
        {"obligation_id": ob.id, "agency_id": ob.agency_id, "period": ob.period, "task": request.task,
         "until": request.until.isoformat(), "due": due.isoformat()},
        at=turn.now,
    )
    coordinators = [c for c in _coordinators(turn) if (c.channel, c.chat_id) != (turn.msg.channel, turn.msg.chat_id)]
    own = any(str(c.role) in (COORDINATOR, ADMIN) for c in turn.who.contacts)
    for coordinator in coordinators:
        tc = translator(coordinator.language)
        buttons = turn.ctx.capabilities(coordinator.channel).buttons
        message = reminders.extension_request_message(
            reminders.ExtensionNotice(
                agency=agency,
                period_name=period,
                until=request.until,
                due=due,
                task=request.task,
                reason=request.reason or None,
                requester=contact.display_name,
                recipient_name=coordinator.display_name,
                decide_with=None if buttons else f"/tinhhinh {agency} {ob.period}",
            ),
            tc,
        )
        if buttons:
            message.choices = [[Choice(tc.s("Đồng ý"), f"exa:{row.id}"), Choice(tc.s("Không đồng ý"), f"exd:{row.id}")]]
        turn.out.append(
            Reply(message=message, chat_id=coordinator.chat_id, channel=coordinator.channel, contact_id=coordinator.id, plan_id=ob.plan_id)
        )
    if not coordinators and not own:
        log.warning("no active coordinator to decide extension %s", row.id)
    what = t("báo cáo {period} (nhiệm vụ NV{no})", period=period, no=request.task) if request.task else t("báo cáo {period}", period=period)
    message = Message(
        t(
            "Đã gửi Sở Tư pháp đề nghị gia hạn {what} của {agency} đến <b>{until}</b> (hạn gửi hiện nay: {due}).",
            what=what, agency=agency, until=format_date_vi(request.until), due=format_date_vi(due),
        ),
        t("Hệ thống sẽ báo lại khi Sở Tư pháp trả lời; đến khi đó, hạn gửi chưa thay đổi."),
        t("Nội dung báo cáo trong tin nhắn được xử lý dưới đây.")
        if mixed
        else t("Tin nhắn này không được ghi nhận là báo cáo; nội dung báo cáo (nếu có), đồng chí gửi trong tin nhắn riêng."),
    )
    if own:
        message.add(
            t("Đồng chí cũng là cán bộ điều phối: có thể quyết định đề nghị này trong /tinhhinh {agency} {period}.", agency=agency, period=ob.period)
        )
    turn.say(message=message)
    return handled


def _refusal(turn: Turn, error: extensions.ExtensionError, period: str) -> Text:
    t = turn.t
    values = error.values
    example = t("Ví dụ: đề nghị gia hạn đến 30/3 vì chưa tổng hợp xong số liệu.")
    if error.kind == "bad_date":
        return t("Ngày «{text}» không hợp lệ.", text=str(values.get("text", ""))) + " " + example
    if error.kind == "not_after_due":
        return t(
            "Ngày đề nghị gia hạn ({until}) phải sau hạn gửi báo cáo {period} hiện nay ({due}).",
            until=format_date_vi(values["until"], weekday=False), period=period, due=format_date_vi(values["due"], weekday=False),  # type: ignore[arg-type]
        )
    if error.kind == "past":
        return t(
            "Ngày đề nghị gia hạn ({until}) đã qua; đề nghị đồng chí ghi ngày gia hạn từ hôm nay trở đi.",
            until=format_date_vi(values["until"], weekday=False),  # type: ignore[arg-type]
        )
    if error.kind == "too_far":
        return t(
            "Ngày đề nghị gia hạn ({until}) quá xa hạn gửi hiện nay ({due}): tối đa {days} ngày. Đề nghị đồng chí kiểm tra lại ngày.",
            until=format_date_vi(values["until"], weekday=False), due=format_date_vi(values["due"], weekday=False), days=values["days"],  # type: ignore[arg-type]
        )
    return t("Đồng chí ghi rõ ngày đề nghị gia hạn báo cáo {period}.", period=period) + " " + example


# --- approve / decline ----------------------------------------------------------------------------


def approve(turn: Turn, arg: str) -> None:
    """ "Đồng ý": ``exa:<extension id>``."""
    return _decide(turn, arg, approved=True)


def decline(turn: Turn, arg: str) -> None:
    """ "Không đồng ý": ``exd:<extension id>``."""
    return _decide(turn, arg, approved=False)


def _decide(turn: Turn, arg: str, *, approved: bool) -> None:
    t = turn.t
    session = turn.session
    extension_id = row_id(arg)
    if extension_id is None:
        return _stale(turn)
    ext = session.exec(select(Extension).where(Extension.id == extension_id).with_for_update()).first()
    if ext is None:
        turn.say(t("Không tìm thấy đề nghị gia hạn này."), toast=t.s("Không hợp lệ"))
        return None
    if ext.status != ExtensionStatus.PENDING.value:
        answer = t.s("đồng ý") if ext.status == ExtensionStatus.APPROVED.value else t.s("không đồng ý")
        when = _when(turn, ext.decided_at) if ext.decided_at is not None else ""
        turn.say(
            t("Đề nghị gia hạn này đã được xử lý ({answer}) lúc {when}.", answer=answer, when=when),
            toast=t.s("Đã xử lý"),
        )
        return None
    ob = _locked_obligation(turn, ext.obligation_id)
    if ob is None:
        turn.say(t("Nghĩa vụ báo cáo này không còn hiệu lực."), toast=t.s("Không hợp lệ"))
        return None
    agency, period = _names(turn, ob)
    before = ob.extended_due
    if approved:
        if ext.until > (ob.extended_due or ob.due):
            ob.extended_due = ext.until
            ob.updated_at = turn.now
            session.add(ob)
        ext.status = ExtensionStatus.APPROVED.value
    else:
        ext.status = ExtensionStatus.DECLINED.value
    ext.decided_by, ext.decided_at = turn.who.actor, turn.now
    session.add(ext)
    session.flush()
    due = ob.extended_due or ob.due
    contacts = _focal_points(turn, ob.agency_id)
    audit(
        session,
        turn.who.actor,
        "extension.approve" if approved else "extension.decline",
        f"extension:{ext.id}",
        {"obligation_id": ob.id, "agency_id": ob.agency_id, "period": ob.period, "task": ext.task_no,
         "until": ext.until.isoformat(), "extended_due_before": before.isoformat() if before else None,
         "due": due.isoformat(), "contact_ids": [c.id for c in contacts]},
        at=turn.now,
    )
    _tell(
        turn,
        ob,
        contacts,
        lambda contact, tc: reminders.extension_decision_message(
            reminders.ExtensionDecision(
                agency=agency, period_name=period, until=ext.until, approved=approved, due=due, task=ext.task_no,
                recipient_name=contact.display_name,
            ),
            tc,
        ),
    )
    if approved:
        head = t("Đã đồng ý gia hạn báo cáo {period} của {agency} đến {until}.", period=period, agency=agency, until=format_date_vi(ext.until))
        if due != ext.until:
            head = head + " " + t("Hạn gửi của cơ quan vẫn là {due} (đã gia hạn trước đó).", due=format_date_vi(due))
    else:
        head = t("Đã không đồng ý đề nghị gia hạn báo cáo {period} của {agency}; hạn gửi vẫn là {due}.", period=period, agency=agency, due=format_date_vi(due))
    turn.say(head, _told(turn, len(contacts)), toast=t.s("Đã đồng ý") if approved else t.s("Đã không đồng ý"))
    return None


__all__ = [
    "REASON_STATE",
    "accept_command",
    "accept_pressed",
    "approve",
    "decline",
    "extension_request",
    "return_pressed",
    "supplement",
]
