"""A focal point reports in a sentence: the draft, its confirmation, corrections, evidence.

Free text is parsed (:mod:`bot.parser`) into one entry per task, attributed to a period
(:func:`bot.obligations.attribute`), echoed back with ✅ Xác nhận / ✏️ Sửa / ✖ Hủy, and stored
only when confirmed. A correction is a later revision of the same task.
"""

from __future__ import annotations

from typing import Any

from bot import obligations, state
from bot.messages import Attachment
from bot.parser import ParsedEntry, parse_reply
from bot.turn import Turn
from common import tasks as taskrefs
from common.labels import ENTRY_STATUSES
from common.message import Choice, Message, Text, bold, item
from common.vndate import format_date_vi
from storage.models import Evidence, EvidenceCreate, Obligation, ObligationStatus, ReportSource
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
    """A message that is not a command: a report (or a correction of the draft)."""
    t = turn.t
    contact = turn.who.focal
    assert contact is not None  # the conversation routes only focal points here
    current = state.get(turn)
    ob = None
    if current is not None and current.state == "correct":
        # A correction of a draft stays on the draft's period (it may have come from a reply).
        ob = turn.session.get(Obligation, current.data.get("obligation_id"))
    ob = ob or obligations.attribute(turn, contact.agency_id)
    if ob is None:
        return no_period(turn)
    plan = turn.ctx.plan_of(ob.plan_id)
    entries = parse_reply(body, list(plan.task_refs()))
    assigned = [task["no"] for task in ob.tasks]
    problems: list[Text] = []
    kept: list[ParsedEntry] = []
    for entry in entries:
        if entry.task is None:
            kept.append(entry)
        elif not entry.known:
            problems.append(t("Kế hoạch không có nhiệm vụ {no}.", no=entry.task))
        elif not taskrefs.covers(assigned, entry.task):
            problems.append(t("Cơ quan không được giao nhiệm vụ {no}.", no=entry.task))
        else:
            kept.append(entry)
    if not kept:
        turn.say(*problems, t("Các nhiệm vụ của cơ quan: {tasks}.", tasks=", ".join(f"NV{no}" for no in assigned)))
        return None
    if turn.msg.edited:
        problems.insert(
            0,
            t("Đồng chí vừa sửa một tin nhắn đã gửi. Nếu xác nhận, nội dung mới sẽ thay nội dung đã ghi nhận của các nhiệm vụ dưới đây."),
        )
    drafts = [entry_dict(e) for e in kept]
    draft: dict[str, Any] = {
        "token": state.new_token(),
        "obligation_id": ob.id,
        "plan_id": ob.plan_id,
        "contact_id": contact.id,
        "inbox_id": turn.inbox_id,
        "raw_text": body,
        "entries": drafts,
        "problems": [p.to_json() for p in problems],
    }
    if any(d["task"] is None for d in drafts):
        if len(assigned) == 1:
            for d in drafts:
                d["task"] = assigned[0]
        else:
            state.put(turn, "pick_task", draft)
            choices = [
                [Choice(f"NV{no}", f"t:{draft['token']}:{no}") for no in row]
                for row in rows_of(taskrefs.sorted_refs(assigned), 4)
            ]
            turn.say(t("Nội dung này thuộc nhiệm vụ nào? Đồng chí chọn nhiệm vụ:"), choices=choices)
            return None
    return confirm(turn, draft)


def entry_dict(entry: ParsedEntry) -> dict[str, Any]:
    return {
        "task": entry.task,
        "status": entry.status,
        "percent": entry.percent,
        "difficulty": entry.difficulty,
        "text": entry.text,
    }


def merge_same_task(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Two parts of one message about the same task: keep them together as one entry."""
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


def confirm(turn: Turn, draft: dict[str, Any]) -> None:
    t = turn.t
    draft["entries"] = merge_same_task(draft["entries"])
    ob = turn.session.get(Obligation, draft["obligation_id"])
    assert ob is not None
    plan = turn.ctx.plan_of(ob.plan_id)
    state.put(turn, "confirm", draft)
    message = Message(*(Text.from_json(p) for p in draft.get("problems") or []))
    message.add(t("Đồng chí kiểm tra nội dung báo cáo <b>{period}</b>:", period=plan.period_name(ob.period)))
    reported = latest_entries(turn.session, ob.id)
    for e in draft["entries"]:
        revision = (reported[e["task"]].revision + 1) if e["task"] in reported else None
        message.add(*describe_entry(turn, e, revision=revision))
    if turn.today() > ob.due:
        message.add(t("Lưu ý: hạn gửi là {date}; báo cáo sẽ được ghi nhận là gửi muộn.", date=format_date_vi(ob.due)))
    token = draft["token"]
    message.choices = [
        [Choice(t.s("✅ Xác nhận"), f"ok:{token}"), Choice(t.s("✏️ Sửa"), f"fix:{token}"), Choice(t.s("✖ Hủy"), f"no:{token}")]
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
        if e["task"] is None:
            e["task"] = no
    return confirm(turn, draft)


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
    return all(e.get("task") and taskrefs.covers(assigned, e["task"]) for e in entries)


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
        {"task_no": e["task"], "status": e["status"], "percent": e["percent"], "difficulty": e["difficulty"], "text": e["text"]}
        for e in draft["entries"]
    ]
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
    )
    state.put(turn, "reported", {"report_id": report.id, "obligation_id": ob.id, "plan_id": ob.plan_id})
    audit(turn.session, turn.who.actor, "report", f"obligation:{ob.id}", {"report_id": report.id}, at=turn.now)
    message = Message(
        t(
            "Đã ghi nhận báo cáo {period} của {agency}.",
            period=plan.period_name(ob.period),
            agency=turn.ctx.plans.agency_name(ob.agency_id),
        )
    )
    if report.late:
        message.add(t("Báo cáo được ghi nhận là gửi muộn (hạn {date}).", date=format_date_vi(ob.due)))
    missing = obligations.missing(turn.session, ob)
    if missing:
        message.add(t("Còn thiếu: {tasks}.", tasks=", ".join(f"NV{no}" for no in missing)))
    else:
        message.add(t("Cơ quan đã báo cáo đủ các nhiệm vụ của kỳ này. Cảm ơn đồng chí."))
    message.add(
        t("Muốn sửa, đồng chí gửi lại nội dung của nhiệm vụ đó; bản mới sẽ thay bản cũ. Có thể gửi kèm tệp minh chứng.")
    )
    turn.say(message=message, toast=t.s("Đã ghi nhận"))


# --- evidence and other media -----------------------------------------------------------------


def attachment(turn: Turn, file: Attachment) -> None:
    t = turn.t
    if file.kind in ("document", "photo"):
        current = state.get(turn)
        if current is not None and current.state == "reported" and file.ref:
            turn.session.add(
                Evidence.model_validate(
                    EvidenceCreate(
                        report_id=current.data["report_id"],
                        contact_id=turn.who.focal.id if turn.who.focal else None,
                        inbox_id=turn.inbox_id,
                        channel=turn.msg.channel,
                        kind=file.kind,
                        file_id=file.ref[:255],
                        filename=file.filename,
                        caption=turn.msg.text or None,
                        received_at=turn.now,
                    )
                )
            )
            turn.say(t("Đã lưu tệp làm minh chứng cho báo cáo vừa gửi."))
            return None
        turn.say(t("Đã nhận tệp. Để lưu làm minh chứng, đồng chí gửi báo cáo trước rồi gửi tệp ngay sau đó."))
        return None
    if file.kind == "voice":
        turn.say(t("Hệ thống chưa nghe được tin nhắn thoại. Đề nghị đồng chí gõ nội dung báo cáo, ví dụ: NV4: đang thực hiện 70%."))
        return None
    turn.say(t("Hệ thống chỉ đọc được tin nhắn chữ. Đồng chí gõ nội dung báo cáo, hoặc /trogiup để xem hướng dẫn."))
    return None
