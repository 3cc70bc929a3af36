"""A focal point reports in a sentence: the draft, its confirmation, corrections, evidence.

Free text is parsed (:mod:`bot.parser`) into one entry per task, attributed to a period
(:mod:`bot.attribution`: asked when two are equally likely), echoed back with ✅ Xác nhận / ✏️ Sửa / ✖ Hủy, and stored
only when confirmed. A correction is a later revision of the same task.
"""

from __future__ import annotations

import re
from typing import Any

from bot import attribution, intents, obligations, state
from bot.handlers import evidence, review
from bot.messages import Attachment
from bot.parser import ParsedEntry, parse_reply
from bot.turn import Turn
from common import tasks as taskrefs
from common.labels import ENTRY_STATUSES
from common.message import Choice, Message, Text, bold, item
from common.text import fold
from common.vndate import format_date_vi
from storage.models import Contact, Obligation, ObligationStatus, ReportSource
from storage.queries import add_report, audit, latest_entries

STATUS_LABELS = ENTRY_STATUSES


def rows_of(items: list[str], width: int) -> list[list[str]]:
    return [items[i : i + width] for i in range(0, len(items), width)]


def no_period(turn: Turn) -> None:
    t = turn.t
    if not obligations.any_plan_current(turn):
        turn.say(obligations.plan_ended(t, turn.ctx.plan))
    else:
        turn.say(t("Cơ quan hiện không có kỳ báo cáo nào."))


def text(turn: Turn, body: str) -> None:
    """A message that is not a command: a report, a correction of the draft, or something
    that is not a report at all (a greeting, thanks, a question: answered, nothing stored)."""
    t = turn.t
    current = state.get(turn)
    correcting = current is not None and current.state == "correct"
    if review.extension_request(turn, body):
        return None  # "đề nghị gia hạn đến 30/3": sent to Sở Tư pháp, never a report entry
    entries = parse_reply(body, _task_refs(turn), index=turn.ctx.task_index(), assigned=_assigned_tasks(turn))
    if not correcting and intents.answer(turn, body, entries):
        return None
    draft: dict[str, Any] = {
        "token": state.new_token(),
        "obligation_id": None,
        "plan_id": None,
        "contact_id": None,
        "inbox_id": turn.inbox_id,
        "raw_text": body,
        "entries": [entry_dict(e) for e in entries],
        "problems": [],
    }
    if correcting:
        assert current is not None
        # A correction stays on the draft's agency and period, and on its task when it names none.
        old = current.data
        draft["contact_id"], draft["obligation_id"], draft["plan_id"] = old.get("contact_id"), old.get("obligation_id"), old.get("plan_id")
        old_tasks = [e.get("task") for e in old.get("entries") or [] if e.get("task")]
        if len(old_tasks) == 1:
            for e in draft["entries"]:
                if e["task"] is None:
                    e["task"] = old_tasks[0]
    if turn.msg.edited:
        draft["problems"].append(
            t("Đồng chí vừa sửa một tin nhắn đã gửi. Nếu xác nhận, nội dung mới sẽ thay nội dung đã ghi nhận của các nhiệm vụ dưới đây.").to_json()
        )
    return proceed(turn, draft)


def _assigned_tasks(turn: Turn) -> list[str] | None:
    """The tasks (and their sub-items) the person's agencies owe now: a report that names a
    task by its content can only mean one of them. None for someone who is no focal point."""
    agencies = {c.agency_id for c in turn.who.focal_contacts}
    if not agencies:
        return None
    owed: list[str] = []
    for agency_id in agencies:
        for ob in obligations.of_agency(turn.session, agency_id, turn.ctx.plans.ids):
            owed.extend(task["no"] for task in ob.tasks if task["no"] not in owed)
    refs = _task_refs(turn)
    return owed + [ref for ref in refs if ref not in owed and taskrefs.covers(owed, ref)]


def _task_refs(turn: Turn) -> list[str]:
    refs: list[str] = []
    for plan in turn.ctx.plans:
        refs.extend(ref for ref in plan.task_refs() if ref not in refs)
    return refs


def proceed(turn: Turn, draft: dict[str, Any]) -> None:
    """Take the draft as far as it can go: agency, period, tasks, values, then the
    confirmation; at the first question that needs the person, ask it (with choices) and wait."""
    t = turn.t
    token = draft["token"]
    if draft.get("contact_id") is None:
        named = [e["task"] for e in draft["entries"] if e.get("task")]
        contact, choices = attribution.agency(turn, named)
        if contact is None and not choices:
            turn.say(t("Đồng chí không phải đầu mối báo cáo của cơ quan nào."))
            return None
        if contact is None:
            state.put(turn, "pick_agency", draft)
            turn.say(
                t("Đồng chí là đầu mối của nhiều cơ quan. Báo cáo này của cơ quan nào?"),
                choices=[[Choice(_short(obligations.agency_name(turn, c.agency_id)), f"pa:{token}:{c.id}")] for c in choices],
            )
            return None
        draft["contact_id"] = contact.id
    contact = turn.session.get(Contact, draft["contact_id"])
    if contact is None or not contact.active:
        return _stale_button(turn)
    if draft.get("obligation_id") is None and draft.get("plan_id") is None:
        named = [e["task"] for e in draft["entries"] if e.get("task")]
        which = attribution.plan(turn, contact.agency_id, draft["raw_text"], named)
        if which.named_missing:
            draft["problems"].append(
                t("Cơ quan không có nhiệm vụ trong Kế hoạch số {number}.", number=which.named_missing).to_json()
            )
        if which.ask:
            draft["plan_choices"] = which.ask
            state.put(turn, "pick_plan", draft)
            turn.say(
                t("Cơ quan có nhiệm vụ trong nhiều kế hoạch. Báo cáo này theo kế hoạch nào?"),
                choices=[[Choice(attribution.plan_label(turn, pid), f"pk:{token}:{i}")] for i, pid in enumerate(which.ask)],
            )
            return None
        draft["plan_id"] = which.plan_id
    if draft.get("obligation_id") is None:
        found = attribution.period(turn, contact.agency_id, draft["raw_text"], draft.get("plan_id"))
        if found.named_missing:
            draft["problems"].append(t("Cơ quan không có kỳ báo cáo {period}.", period=found.named_missing).to_json())
        if found.ask:
            state.put(turn, "pick_period", draft)
            turn.say(
                t("Báo cáo này thuộc kỳ nào?"),
                choices=[[Choice(attribution.choice_label(turn, ob), f"pp:{token}:{ob.id}")] for ob in found.ask],
            )
            return None
        if found.obligation is None:
            return no_period(turn)
        draft["obligation_id"], draft["plan_id"] = found.obligation.id, found.obligation.plan_id
    ob = turn.session.get(Obligation, draft["obligation_id"])
    if ob is None:
        return no_period(turn)
    assigned = [task["no"] for task in ob.tasks]
    problems = [Text.from_json(p) for p in draft.get("problems") or []]
    plan = turn.ctx.plan_of(ob.plan_id)
    known = set(plan.task_refs())
    kept = []
    entries = draft["entries"]
    if all(e.get("general") for e in entries):
        # Only a "Khó khăn, vướng mắc" part: it is about some task, which the person names.
        for e in entries:
            e["general"] = False
    for entry in entries:
        no = entry.get("task")
        if no is None:
            kept.append(entry)
        elif no not in known:
            problems.append(t("Kế hoạch không có nhiệm vụ {no}.", no=no))
        elif not taskrefs.covers(assigned, no):
            problems.append(t("Cơ quan không được giao nhiệm vụ {no}.", no=no))
        else:
            kept.append(entry)
    if not kept:
        state.clear(turn)
        turn.say(*problems, t("Các nhiệm vụ của cơ quan: {tasks}.", tasks=", ".join(f"NV{no}" for no in assigned)))
        return None
    draft["entries"], draft["problems"] = kept, [p.to_json() for p in problems]
    if not any(e["task"] is not None for e in kept) and any(e.get("general") for e in kept):
        for e in kept:
            e["general"] = False  # the general part of a report with no task: ask for the task
    unplaced = [e for e in kept if e["task"] is None and not e.get("general")]
    if unplaced:
        if len(assigned) == 1:
            for e in unplaced:
                e["task"] = assigned[0]
        else:
            state.put(turn, "pick_task", draft)
            # Two tasks the text is about equally: those two; else every task of the agency.
            close = [no for no in unplaced[0].get("candidates") or [] if taskrefs.covers(assigned, no)]
            offered = close if len(close) >= 2 else taskrefs.sorted_refs(assigned)
            choices = [[Choice(f"NV{no}", f"t:{token}:{no}") for no in row] for row in rows_of(offered, 4)]
            if len(close) >= 2:
                names = "; ".join(f"NV{no} — {obligations.task_title(plan, no)}" for no in close)
                turn.say(
                    t("Nội dung này có thể thuộc một trong các nhiệm vụ: {tasks}. Đồng chí chọn nhiệm vụ:", tasks=names),
                    Text("«", _clip(unplaced[0]["text"], 200), "»"),
                    choices=choices,
                )
            else:
                turn.say(t("Nội dung này thuộc nhiệm vụ nào? Đồng chí chọn nhiệm vụ:"), choices=choices)
            return None
    # Values a reader would not take as they are.
    for entry in kept:
        wrong = _percent_out_of_range(entry["text"])
        if wrong is not None:
            state.put(turn, "correct", draft)
            turn.say(
                t(
                    "Tỷ lệ {percent}% của NV{no} không hợp lệ: tỷ lệ hoàn thành từ 0% đến 100%. "
                    "Chưa ghi nhận; đồng chí gửi lại nội dung đúng.",
                    percent=wrong, no=entry["task"],
                )
            )
            return None
    for entry in kept:
        folded = fold(entry["text"])
        says_done = entry["status"] == "done" or (
            _SAYS_DONE.search(folded) is not None and _SAYS_ONGOING.search(folded) is None
        )
        if says_done and entry["percent"] is not None and entry["percent"] < 100 and not entry.get("checked"):
            state.put(turn, "pick_value", draft)
            no, percent = entry["task"], entry["percent"]
            turn.say(
                t("NV{no} ghi «hoàn thành» nhưng tỷ lệ là {percent}%. Đồng chí chọn nội dung đúng:", no=no, percent=percent),
                choices=[
                    [Choice(t.s("Hoàn thành (100%)"), f"hv:{token}:{no}:done")],
                    [Choice(t.s("Đang thực hiện ({percent}%)", percent=percent), f"hv:{token}:{no}:prog")],
                ],
            )
            return None
    return confirm(turn, draft)


# "hoàn thành", "xong", "đã xong" — not "chưa hoàn thành", "sắp xong", "sẽ hoàn thành".
# "hoàn thành" / "xong" as the task's status, not as a result: "đã thi hành xong 6 việc", "hoàn
# thành 3 hội nghị" count what was done (a number and its unit follow); a segment that says the
# task is under way ("đang thực hiện 35%") has its status already.
_SAYS_DONE = re.compile(
    r"(?<!chua )(?<!khong )(?<!sap )(?<!se )(?<!chua duoc )\b(?:hoan thanh|xong)\b"
    r"(?!\s+(?:duoc\s+)?\d+(?:[.,]\d+)?\s*(?!%)[^\W\d])"
)
_SAYS_ONGOING = re.compile(r"\bdang (?:thuc hien|trien khai|tiep tuc|lam)\b")
_PERCENT = re.compile(r"(?<![\d.,])(\d{1,5})(?:[.,]\d+)?\s*%")


def _percent_out_of_range(text: str) -> int | None:
    for match in _PERCENT.finditer(text):
        value = int(match.group(1))
        if value > 100:
            return value
    return None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short(name: str, limit: int = 40) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def entry_dict(entry: ParsedEntry) -> dict[str, Any]:
    return {
        "task": entry.task,
        "status": entry.status,
        "percent": entry.percent,
        "difficulty": entry.difficulty,
        "text": entry.text,
        "candidates": list(entry.candidates),
        "general": entry.general,
        "figures": [f.as_dict() for f in entry.figures],
    }


def merge_same_task(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Two parts of one message about the same task: keep them together as one entry."""
    merged: dict[str, dict[str, Any]] = {}
    for e in entries:
        key = "*general" if e.get("general") else e["task"]
        if key in merged:
            m = merged[key]
            m["status"] = e["status"] or m["status"]
            m["percent"] = e["percent"] if e["percent"] is not None else m["percent"]
            m["difficulty"] = m["difficulty"] or e["difficulty"]
            m["text"] = f"{m['text']} {e['text']}".strip()
            m["figures"] = (m.get("figures") or []) + (e.get("figures") or [])
        else:
            merged[key] = dict(e)
    return list(merged.values())


def confirm(turn: Turn, draft: dict[str, Any]) -> None:
    t = turn.t
    draft["entries"] = merge_same_task(draft["entries"])
    ob = turn.session.get(Obligation, draft["obligation_id"])
    assert ob is not None
    plan = turn.ctx.plan_of(ob.plan_id)
    files = evidence.for_draft(turn, draft)  # before the state changes: it reads the draft replaced
    state.put(turn, "confirm", draft)
    message = Message(*(Text.from_json(p) for p in draft.get("problems") or []))
    message.add(
        t(
            "Đồng chí kiểm tra nội dung báo cáo <b>{period}</b> của <b>{agency}</b>:",
            period=plan.period_name(ob.period),
            agency=obligations.agency_name(turn, ob.agency_id),
        )
    )
    if len(turn.ctx.plans) > 1:
        message.add(t("Theo {plan}.", plan=attribution.plan_label(turn, ob.plan_id)))
    reported = latest_entries(turn.session, ob.id)
    for e in draft["entries"]:
        if e.get("general"):
            continue
        revision = (reported[e["task"]].revision + 1) if e["task"] in reported else None
        message.add(*describe_entry(turn, e, revision=revision))
    for e in draft["entries"]:
        if e.get("general"):
            message.add(*describe_general(turn, e))
    due = ob.extended_due or ob.due
    if turn.today() > due:
        message.add(t("Lưu ý: hạn gửi là {date}; báo cáo sẽ được ghi nhận là gửi muộn.", date=format_date_vi(due)))
    if files:
        message.add(evidence.draft_line(turn, files))
    token = draft["token"]
    message.choices = [
        [Choice(t.s("✅ Xác nhận"), f"ok:{token}"), Choice(t.s("✏️ Sửa"), f"fix:{token}"), Choice(t.s("✖ Hủy"), f"no:{token}")],
        [Choice(t.s("📅 Đổi kỳ báo cáo"), f"chp:{token}")],
    ]
    turn.say(message=message)


def describe_entry(turn: Turn, e: dict[str, Any], revision: int | None = None) -> list:
    t = turn.t
    parts = [t(STATUS_LABELS[e["status"]]) if e["status"] else t("chưa rõ tình trạng")]
    if e["percent"] is not None:
        parts.append(Text(f"{e['percent']}%"))
    if e["difficulty"]:
        parts.append(t("có khó khăn, vướng mắc"))
    head = Text(bold(f"NV{e['task']}"), ": ")
    for index, part in enumerate(parts):
        head = head + (", " if index else "") + part
    if revision:
        head = head + " " + t("(sửa lần {n})", n=revision - 1)
    body = e["text"] if len(e["text"]) <= 300 else e["text"][:297] + "…"
    out = [item(head), Text("  «", body, "»")]
    if e.get("figures"):
        out.append(Text("  ", t("Số liệu: {figures}", figures="; ".join(f["text"] for f in e["figures"]))))
    return out


def describe_general(turn: Turn, e: dict[str, Any]) -> list:
    """The part of a report that names no task: the agency's, for the period."""
    t = turn.t
    head = Text(bold(t.s("Chung")), ": ", t("có khó khăn, vướng mắc") if e["difficulty"] else t("nội dung chung của báo cáo"))
    body = e["text"] if len(e["text"]) <= 300 else e["text"][:297] + "…"
    return [item(head), Text("  «", body, "»")]


# --- buttons -----------------------------------------------------------------------------------


def _draft(turn: Turn, arg: str) -> tuple[Any, str] | None:
    token, _, rest = arg.partition(":")
    current = state.live(turn, token, turn.t("Đồng chí gửi lại báo cáo nếu cần."))
    return (current, rest) if current is not None else None


def pick_task(turn: Turn, arg: str) -> None:
    found = _draft(turn, arg)
    if found is None:
        return None
    current, no = found
    draft = dict(current.data)
    if current.state != "pick_task":
        return _stale_button(turn)
    ob = turn.session.get(Obligation, draft.get("obligation_id"))
    if ob is None or not taskrefs.covers([task["no"] for task in ob.tasks], no):
        # Forged or from an older plan: nothing of it is taken.
        return _stale_button(turn)
    for e in draft["entries"]:
        if e["task"] is None and not e.get("general"):
            e["task"] = no
    return confirm(turn, draft)


def agency_picked(turn: Turn, arg: str) -> None:
    found = _draft(turn, arg)
    if found is None:
        return None
    current, contact_id = found
    draft = dict(current.data)
    chosen = next((c for c in turn.who.focal_contacts if str(c.id) == contact_id), None)
    if current.state != "pick_agency" or chosen is None:
        return _stale_button(turn)
    draft["contact_id"] = chosen.id
    return proceed(turn, draft)


def _agency_obligation(turn: Turn, draft: dict[str, Any], ob_id: str) -> Obligation | None:
    """The obligation a choice names, if it is one of the draft's agency's active ones."""
    contact = turn.session.get(Contact, draft.get("contact_id")) if draft.get("contact_id") else None
    if contact is None or not ob_id.isascii() or not ob_id.isdigit() or len(ob_id) > 9:
        return None
    ob = turn.session.get(Obligation, int(ob_id))
    if ob is None or ob.agency_id != contact.agency_id or ob.status != ObligationStatus.ACTIVE:
        return None
    return ob


def plan_picked(turn: Turn, arg: str) -> None:
    """A plan chosen among those the agency has duties in; the period is looked for in it."""
    found = _draft(turn, arg)
    if found is None:
        return None
    current, index = found
    draft = dict(current.data)
    offered = draft.get("plan_choices") or []
    if current.state != "pick_plan" or not (index.isascii() and index.isdigit()) or int(index) >= len(offered):
        return _stale_button(turn)
    plan_id = offered[int(index)]
    if plan_id not in turn.ctx.plans:
        return _stale_button(turn)
    draft["plan_id"], draft["obligation_id"] = plan_id, None
    return proceed(turn, draft)


def period_picked(turn: Turn, arg: str) -> None:
    found = _draft(turn, arg)
    if found is None:
        return None
    current, ob_id = found
    draft = dict(current.data)
    ob = _agency_obligation(turn, draft, ob_id)
    if current.state not in ("pick_period", "confirm") or ob is None:
        return _stale_button(turn)
    draft["obligation_id"], draft["plan_id"] = ob.id, ob.plan_id
    return proceed(turn, draft)


def change_period(turn: Turn, arg: str) -> None:
    """The confirmation's "Đổi kỳ báo cáo": the agency's recent and next periods to choose from."""
    found = _draft(turn, arg)
    if found is None:
        return None
    current, _ = found
    draft = dict(current.data)
    contact = turn.session.get(Contact, draft.get("contact_id")) if draft.get("contact_id") else None
    if current.state != "confirm" or contact is None:
        return _stale_button(turn)
    plan_ids = [draft["plan_id"]] if draft.get("plan_id") in turn.ctx.plans else turn.ctx.plans.ids
    obs = obligations.of_agency(turn.session, contact.agency_id, plan_ids)
    today = turn.today()
    past = [ob for ob in obs if ob.due < today][-3:]
    upcoming = [ob for ob in obs if ob.due >= today][:1]
    offered = [ob for ob in past + upcoming if ob.id != draft.get("obligation_id")]
    if not offered:
        turn.say(turn.t("Cơ quan không có kỳ báo cáo nào khác để chọn."))
        return None
    turn.say(
        turn.t("Đồng chí chọn kỳ báo cáo:"),
        choices=[[Choice(attribution.choice_label(turn, ob), f"pp:{draft['token']}:{ob.id}")] for ob in offered],
    )
    return None


def value_picked(turn: Turn, arg: str) -> None:
    found = _draft(turn, arg)
    if found is None:
        return None
    current, rest = found
    no, _, which = rest.partition(":")
    draft = dict(current.data)
    entry = next((e for e in draft.get("entries") or [] if e.get("task") == no), None)
    if current.state != "pick_value" or entry is None or which not in ("done", "prog"):
        return _stale_button(turn)
    if which == "done":
        entry["percent"] = 100
    else:
        entry["status"] = "in_progress"
    entry["checked"] = True
    return proceed(turn, draft)


def confirm_pressed(turn: Turn, arg: str) -> None:
    found = _draft(turn, arg)
    if found is None:
        return None
    current, _ = found
    if current.state != "confirm":
        return _stale_button(turn)
    return store(turn, dict(current.data))


def fix_pressed(turn: Turn, arg: str) -> None:
    found = _draft(turn, arg)
    if found is None:
        return None
    current, _ = found
    state.put(turn, "correct", dict(current.data))
    turn.say(turn.t("Đồng chí gửi lại nội dung đúng (ví dụ: NV4: hoàn thành 100%). Gõ /huy để bỏ qua."))
    return None


def cancel_pressed(turn: Turn, arg: str) -> None:
    found = _draft(turn, arg)
    if found is None:
        return None
    state.clear(turn)
    turn.say(turn.t("Đã hủy; chưa có gì được ghi nhận."))
    return None


def _stale_button(turn: Turn) -> None:
    turn.say(turn.t("Nút này không còn hiệu lực."), toast=turn.t.s("Không hợp lệ"))


def _still_owed(turn: Turn, ob: Obligation | None, entries: list[dict[str, Any]]) -> bool:
    """Whether the draft can still be stored: the plan still asks the agency for the period
    and for every task of the draft (an admin may have edited the plan meanwhile)."""
    if ob is None or ob.status != ObligationStatus.ACTIVE or ob.plan_id not in turn.ctx.plans:
        return False
    plan = turn.ctx.plan_of(ob.plan_id)
    if ob.agency_id not in plan.agency_by_id:
        return False
    assigned = [task["no"] for task in ob.tasks]
    return all(e.get("general") or (e.get("task") and taskrefs.covers(assigned, e["task"])) for e in entries)


def store(turn: Turn, draft: dict[str, Any]) -> None:
    t = turn.t
    ob = turn.session.get(Obligation, draft["obligation_id"])
    if not _still_owed(turn, ob, draft.get("entries") or []):
        # The draft stays (state unchanged): if the plan comes back, ✅ works again.
        turn.say(
            t(
                "Chưa ghi nhận: kế hoạch vừa được điều chỉnh và không còn yêu cầu cơ quan báo cáo nội dung này "
                "trong kỳ này. Nội dung đồng chí gửi vẫn được giữ lại; đề nghị đồng chí liên hệ Sở Tư pháp."
            ),
            toast=t.s("Chưa ghi nhận"),
        )
        return None
    assert ob is not None
    plan = turn.ctx.plan_of(ob.plan_id)
    entries = [
        {"task_no": e["task"], "status": e["status"], "percent": e["percent"], "difficulty": e["difficulty"], "text": e["text"],
         "figures": e.get("figures") or None}
        for e in draft["entries"]
        if not e.get("general")
    ]
    general = [e for e in draft["entries"] if e.get("general")]
    report = add_report(
        turn.session,
        ob.id,
        entries,
        source=ReportSource.CHAT,
        channel=turn.msg.channel,
        submitted_at=turn.now,
        raw_text=draft["raw_text"],
        contact_id=draft.get("contact_id"),
        inbox_id=draft.get("inbox_id"),
        tz=turn.ctx.config.timezone,
        general_text="\n".join(e["text"] for e in general) or None,
        general_difficulty=any(e["difficulty"] for e in general),
    )
    files = evidence.attach(turn, draft, report)
    state.put(turn, "reported", {"report_id": report.id, "obligation_id": ob.id, "plan_id": ob.plan_id})
    audit(turn.session, turn.who.actor, "report", f"obligation:{ob.id}", {"report_id": report.id}, at=turn.now)
    message = Message(
        t(
            "Đã ghi nhận báo cáo {period} của {agency}.",
            period=plan.period_name(ob.period),
            agency=obligations.agency_name(turn, ob.agency_id),
        )
    )
    if len(turn.ctx.plans) > 1:
        message.add(t("Theo {plan}.", plan=attribution.plan_label(turn, ob.plan_id)))
    if report.late:
        message.add(t("Báo cáo được ghi nhận là gửi muộn (hạn {date}).", date=format_date_vi(ob.extended_due or ob.due)))
    missing = obligations.missing(turn.session, ob)
    if missing:
        message.add(t("Còn thiếu: {tasks}.", tasks=", ".join(f"NV{no}" for no in missing)))
    else:
        message.add(t("Cơ quan đã báo cáo đủ các nhiệm vụ của kỳ này. Cảm ơn đồng chí."))
    message.add(
        t("Muốn sửa, đồng chí gửi lại nội dung của nhiệm vụ đó; bản mới sẽ thay bản cũ. Có thể gửi kèm tệp minh chứng.")
    )
    evidence.confirmed(turn, message, report, files)
    turn.say(message=message, toast=t.s("Đã ghi nhận"))


# --- evidence and other media -----------------------------------------------------------------


def attachment(turn: Turn, file: Attachment) -> None:
    t = turn.t
    if file.kind in ("document", "photo"):
        # Kept as evidence (bot.handlers.evidence); a caption is read as a report, like text.
        return evidence.received(turn, file, text)
    if file.kind == "voice":
        turn.say(t("Hệ thống chưa nghe được tin nhắn thoại. Đề nghị đồng chí gõ nội dung báo cáo, ví dụ: NV4: đang thực hiện 70%."))
        return None
    turn.say(t("Hệ thống chỉ đọc được tin nhắn chữ. Đồng chí gõ nội dung báo cáo, hoặc /trogiup để xem hướng dẫn."))
    return None
