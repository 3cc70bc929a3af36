"""/baocao: a report in three steps (task → status → percent and notes), with choices at
each step; the result goes through the same confirmation as a report typed in one message."""

from __future__ import annotations

from bot import obligations, state
from bot.handlers.reporting import STATUS_LABELS, confirm, no_period, rows_of
from bot.parser import parse_reply
from bot.turn import Turn
from common import tasks as taskrefs
from common.message import Choice
from storage.models import ConversationState, Obligation


def start(turn: Turn, _: str) -> None:
    t = turn.t
    contact = turn.who.focal
    assert contact is not None
    ob = obligations.attribute(turn, contact.agency_id)
    if ob is None:
        return no_period(turn)
    plan = turn.ctx.plan_of(ob.plan_id)
    token = state.new_token()
    state.put(turn, "guided_task", {"token": token, "obligation_id": ob.id, "plan_id": ob.plan_id, "contact_id": contact.id})
    refs = taskrefs.sorted_refs(task["no"] for task in ob.tasks)
    turn.say(
        t("Báo cáo {period}. Bước 1/3: chọn nhiệm vụ:", period=plan.period_name(ob.period)),
        choices=[[Choice(f"NV{no}", f"gt:{token}:{no}") for no in row] for row in rows_of(refs, 4)],
    )
    return None


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
