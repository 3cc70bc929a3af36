"""/baocao: a report in three steps (task → status → percent and notes), with choices at
each step; the result goes through the same confirmation as a report typed in one message."""

from __future__ import annotations

from bot import attribution, obligations, state
from bot.handlers.reporting import STATUS_LABELS, confirm, no_period, rows_of
from bot.parser import parse_reply
from bot.turn import Turn
from common import tasks as taskrefs
from common.message import Choice
from storage.models import ConversationState, Obligation


def start(turn: Turn, arg: str) -> None:
    t = turn.t
    contacts = list({c.agency_id: c for c in turn.who.focal_contacts}.values())
    if len(contacts) > 1:
        token = state.new_token()
        state.put(turn, "guided_agency", {"token": token, "period_text": arg})
        turn.say(
            t("Đồng chí là đầu mối của nhiều cơ quan. Báo cáo cho cơ quan nào?"),
            choices=[[Choice(obligations.agency_name(turn, c.agency_id), f"ga:{token}:{c.id}")] for c in contacts],
        )
        return None
    return _for_agency(turn, contacts[0], arg)


def _for_agency(turn: Turn, contact, period_text: str) -> None:  # noqa: ANN001 - a Contact
    """Step 0: the period (named after /baocao, else by the attribution rule, else asked)."""
    t = turn.t
    # Several plans: the plan first (as for a report); when it cannot tell, each plan's period.
    which = attribution.plan(turn, contact.agency_id, period_text)
    if which.ask:
        found = attribution.Attribution(how="ask")
        for plan_id in which.ask:
            of_plan = attribution.period(turn, contact.agency_id, period_text, plan_id)
            found.ask += [of_plan.obligation] if of_plan.obligation is not None else of_plan.ask
    else:
        found = attribution.period(turn, contact.agency_id, period_text, which.plan_id)
    if found.ask:
        token = state.new_token()
        state.put(turn, "guided_period", {"token": token, "contact_id": contact.id})
        turn.say(
            t("Báo cáo kỳ nào?"),
            choices=[[Choice(attribution.choice_label(turn, ob), f"gp:{token}:{ob.id}")] for ob in found.ask],
        )
        return None
    ob = found.obligation
    if ob is None:
        return no_period(turn)
    return _begin(turn, contact, ob)


def _begin(turn: Turn, contact, ob: Obligation) -> None:  # noqa: ANN001 - a Contact
    t = turn.t
    plan = turn.ctx.plan_of(ob.plan_id)
    token = state.new_token()
    state.put(turn, "guided_task", {"token": token, "obligation_id": ob.id, "plan_id": ob.plan_id, "contact_id": contact.id})
    refs = taskrefs.sorted_refs(task["no"] for task in ob.tasks)
    turn.say(
        t("Báo cáo {period}. Bước 1/3: chọn nhiệm vụ:", period=plan.period_name(ob.period)),
        choices=[[Choice(f"NV{no}", f"gt:{token}:{no}") for no in row] for row in rows_of(refs, 4)],
    )
    return None


def agency_chosen(turn: Turn, arg: str) -> None:
    found = _live(turn, arg)
    if found is None:
        return None
    current, contact_id = found
    contact = next((c for c in turn.who.focal_contacts if str(c.id) == contact_id), None)
    if current.state != "guided_agency" or contact is None:
        turn.say(turn.t("Nút này không còn hiệu lực."))
        return None
    return _for_agency(turn, contact, str(current.data.get("period_text") or ""))


def period_chosen(turn: Turn, arg: str) -> None:
    found = _live(turn, arg)
    if found is None:
        return None
    current, ob_id = found
    contact = next((c for c in turn.who.focal_contacts if c.id == current.data.get("contact_id")), None)
    ob = turn.session.get(Obligation, int(ob_id)) if ob_id.isascii() and ob_id.isdigit() and len(ob_id) <= 9 else None
    if current.state != "guided_period" or contact is None or ob is None or ob.agency_id != contact.agency_id:
        turn.say(turn.t("Nút này không còn hiệu lực."))
        return None
    return _begin(turn, contact, ob)


def _live(turn: Turn, arg: str) -> tuple[ConversationState, str] | None:
    token, _, rest = arg.partition(":")
    current = state.live(turn, token, turn.t("Gõ /baocao để bắt đầu lại."))
    return (current, rest) if current is not None else None


def task_chosen(turn: Turn, arg: str) -> None:
    t = turn.t
    found = _live(turn, arg)
    if found is None:
        return None
    current, no = found
    ob = turn.session.get(Obligation, current.data.get("obligation_id"))
    if current.state != "guided_task" or ob is None or not taskrefs.covers([x["no"] for x in ob.tasks], no):
        turn.say(t("Nút này không còn hiệu lực."))
        return None
    data = dict(current.data)
    data["task"] = no
    state.put(turn, "guided_status", data)
    token = data["token"]
    turn.say(
        t("Bước 2/3: tình trạng của NV{no}:", no=no),
        choices=[[Choice(t.s(label), f"gs:{token}:{code}")] for code, label in STATUS_LABELS.items()],
    )
    return None


def status_chosen(turn: Turn, arg: str) -> None:
    t = turn.t
    found = _live(turn, arg)
    if found is None:
        return None
    current, code = found
    if current.state != "guided_status" or code not in STATUS_LABELS:
        turn.say(t("Nút này không còn hiệu lực."))
        return None
    data = dict(current.data)
    data["status"] = code
    state.put(turn, "guided_notes", data)
    turn.say(
        t("Bước 3/3: gửi tỷ lệ hoàn thành và kết quả, khó khăn (ví dụ: 70%, đã tổ chức 3 hội nghị, vướng kinh phí), hoặc chọn Bỏ qua."),
        choices=[[Choice(t.s("Bỏ qua"), f"gn:{data['token']}:")]],
    )
    return None


def notes_skipped(turn: Turn, arg: str) -> None:
    found = _live(turn, arg)
    if found is None:
        return None
    current, _ = found
    if current.state != "guided_notes":
        turn.say(turn.t("Nút này không còn hiệu lực."))
        return None
    return notes(turn, current, "")


def notes(turn: Turn, current: ConversationState, text: str) -> None:
    data = dict(current.data)
    ob = turn.session.get(Obligation, data["obligation_id"])
    plan = turn.ctx.plan_of(ob.plan_id if ob is not None else data.get("plan_id", ""))
    parsed = parse_reply(text, list(plan.task_refs()))[0] if text.strip() else None
    status = data["status"]
    percent = parsed.percent if parsed else None
    if status == "done" and percent is None:
        percent = 100
    entry = {
        "task": data["task"],
        "status": status,
        "percent": percent,
        "difficulty": bool(parsed and parsed.difficulty),
        "text": text.strip() or turn.t.s(STATUS_LABELS[status]),
    }
    draft = {
        "token": state.new_token(),
        "obligation_id": data["obligation_id"],
        "plan_id": data.get("plan_id"),
        "contact_id": data["contact_id"],
        "inbox_id": turn.inbox_id,
        "raw_text": text,
        "entries": [entry],
    }
    confirm(turn, draft)
