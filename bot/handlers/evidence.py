"""Evidence files (minh chứng): a focal point's file kept with its report, and /minhchung.

A document or a photo a focal point sends is recorded in the turn (an
:class:`~storage.models.Evidence` row: the channel's reference, name, type, size, the period,
the report and the task); its bytes are fetched after the turn by :mod:`bot.evidence`. Where it
goes:

- with a caption: the caption is a report like a typed one (:func:`bot.handlers.reporting.text`)
  and the file goes with its draft;
- without one, while a draft waits for ✅: with the draft;
- within :data:`WINDOW` after a report was stored: on that report;
- otherwise it waits (its period guessed, no report) and goes with the report confirmed next
  within :data:`WINDOW`.

A report on several tasks asks which task its files back (or the report as a whole). A file over
the channel's limit (:attr:`~bot.context.Capabilities.max_file_bytes`) is refused at once.

``/minhchung CƠ_QUAN [kỳ]`` (coordinators) lists an agency's files of a period and sends them,
as documents on a channel that can; elsewhere it says how to export them
(``baocao evidence export``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select

from bot import attribution, evidence as store, state
from bot.handlers.periods import plan_of_command, resolve, split
from bot.messages import Attachment, OutFile
from bot.turn import Turn
from common.i18n import Translator
from common.message import Choice, Message, Text, bold, item
from scheduler.plan import closest_names, find
from storage.files import FileStoreError
from storage.models import Evidence, EvidenceCreate, Obligation, Report, ReportEntry

WINDOW = timedelta(minutes=30)
DRAFT_KEY = "evidence"  # the ids of the files going with a draft, in the draft's data
MAX_SENT = 10  # files sent in chat by one /minhchung; the export takes any number


# --- words -------------------------------------------------------------------------------------


def size_text(size: int | None) -> str:
    """``1,5 MB``, ``820 KB``, ``96 byte`` (binary units, as the channels count them)."""
    if size is None:
        return "?"
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            value = f"{size / scale:.1f}".rstrip("0").rstrip(".")
            return f"{value.replace('.', ',')} {unit}"
    return f"{size} byte"


def local_time(turn: Turn, at: datetime) -> str:
    return at.astimezone(turn.ctx.tz).strftime("%d/%m/%Y %H:%M")


def shown_name(row: Evidence) -> str:
    return store.original_name(row)


def count_text(t: Translator, n: int) -> Text:
    return t.n("{count} tệp minh chứng", "{count} tệp minh chứng", n)


def _names(rows: list[Evidence], limit: int = 3) -> str:
    names = [f"«{shown_name(r)}»" for r in rows[:limit]]
    return ", ".join(names) + (", …" if len(rows) > limit else "")


# --- a focal point sends a file ----------------------------------------------------------------


def too_big(turn: Turn, file: Attachment) -> bool:
    """Whether the file is over the channel's limit; if so, the person has been told."""
    limit = turn.ctx.capabilities(turn.msg.channel).max_file_bytes
    if limit is None or file.size is None or file.size <= limit:
        return False
    info = turn.ctx.channels.get(turn.msg.channel)
    title = info.title if info is not None else turn.msg.channel
    name = file.filename or turn.t.s("ảnh")
    turn.say(
        turn.t(
            "Tệp «{name}» có dung lượng {size}, vượt quá giới hạn {limit} của một tệp gửi cho hệ thống qua {channel}; "
            "tệp chưa được lưu. Đề nghị đồng chí nén hoặc chia nhỏ tệp (mỗi tệp không quá {limit}) rồi gửi lại.",
            name=name, size=size_text(file.size), limit=size_text(limit), channel=title,
        )
    )
    return True


def _focal_ids(turn: Turn) -> list[int]:
    return [c.id for c in turn.who.focal_contacts if c.id is not None]


def keep(
    turn: Turn,
    file: Attachment,
    *,
    obligation_id: int | None,
    report_id: int | None = None,
    task_no: str | None = None,
    contact_id: int | None = None,
) -> Evidence:
    """The file's row, recorded now (its bytes come later, :mod:`bot.evidence`). An edited
    message (a caption changed) brings the same file again: its row is the one kept before."""
    if turn.msg.edited and file.ref:
        before = turn.session.exec(
            select(Evidence).where(
                Evidence.channel == turn.msg.channel,
                Evidence.file_id == file.ref[:255],
                col(Evidence.contact_id).in_(_focal_ids(turn)),
            )
        ).first()
        if before is not None:
            return before
    focal = turn.who.focal
    row = Evidence.model_validate(
        EvidenceCreate(
            report_id=report_id,
            obligation_id=obligation_id,
            contact_id=contact_id if contact_id is not None else (focal.id if focal else None),
            inbox_id=turn.inbox_id,
            channel=turn.msg.channel,
            kind=file.kind,
            file_id=(file.ref or "")[:255],
            filename=file.filename[:255] if file.filename else None,
            caption=turn.msg.text or None,
            mime=file.mime[:128] if file.mime else None,
            size=file.size,
            task_no=task_no,
            received_at=turn.now,
        )
    )
    turn.session.add(row)
    turn.session.flush()
    return row


def waiting(turn: Turn, since: datetime) -> list[Evidence]:
    """This person's files on no report yet, received since ``since``, oldest first."""
    ids = _focal_ids(turn)
    if not ids:
        return []
    return list(
        turn.session.exec(
            select(Evidence)
            .where(
                col(Evidence.report_id).is_(None),
                col(Evidence.contact_id).in_(ids),
                Evidence.channel == turn.msg.channel,
                col(Evidence.received_at) >= since,
            )
            .order_by(col(Evidence.received_at), col(Evidence.id))
        ).all()
    )


def _rows(turn: Turn, ids: list[Any]) -> list[Evidence]:
    """The rows of ``ids`` still on no report and this person's."""
    mine = set(_focal_ids(turn))
    rows = []
    for evidence_id in dict.fromkeys(ids):
        row = turn.session.get(Evidence, evidence_id) if isinstance(evidence_id, int) else None
        if row is not None and row.report_id is None and row.contact_id in mine:
            rows.append(row)
    return rows


def _is_draft(current: Any) -> bool:
    return current is not None and current.state != "reported" and isinstance(current.data, dict) and "entries" in current.data


def received(turn: Turn, file: Attachment, as_report: Callable[[Turn, str], None]) -> None:
    """A document or a photo from a focal point (see the module's docstring)."""
    t = turn.t
    contact = turn.who.focal
    assert contact is not None  # the conversation routes only focal points here
    caption = (turn.msg.text or "").strip()
    if not file.ref:
        turn.say(t("Hệ thống không đọc được tệp này. Đề nghị đồng chí gửi lại."))
        return None
    if too_big(turn, file):
        if caption:
            turn.say(t("Nội dung gửi kèm tệp được xử lý như một báo cáo, không kèm tệp:"))
            as_report(turn, caption)
        return None
    current = state.get(turn)
    if caption:
        return _with_caption(turn, file, caption, as_report)
    if _is_draft(current):
        assert current is not None
        data = dict(current.data)
        row = keep(turn, file, obligation_id=data.get("obligation_id") or _guess(turn), contact_id=data.get("contact_id"))
        data[DRAFT_KEY] = list(dict.fromkeys([*(data.get(DRAFT_KEY) or []), row.id]))
        state.put(turn, current.state, data)
        turn.say(
            t(
                "Đã nhận tệp «{name}». Tệp sẽ được lưu làm minh chứng cùng báo cáo đang chờ khi đồng chí xác nhận báo cáo.",
                name=shown_name(row),
            )
        )
        return None
    report = _recent_report(turn, current)
    if report is not None:
        tasks = store.report_tasks(turn.session, [report.id]).get(report.id, [])
        row = keep(
            turn, file, obligation_id=report.obligation_id, report_id=report.id,
            task_no=tasks[0] if len(tasks) == 1 else None, contact_id=report.contact_id,
        )
        message = Message(t("Đã lưu tệp làm minh chứng cho báo cáo vừa gửi."))
        _ask_task(turn, message, tasks, [row], dict(current.data) if current is not None else {})
        turn.say(message=message)
        return None
    ob_id = _guess(turn)
    if ob_id is None:
        turn.say(t("Cơ quan hiện không có kỳ báo cáo nào; tệp chưa được lưu."))
        return None
    row = keep(turn, file, obligation_id=ob_id)
    turn.say(
        t(
            "Đã nhận tệp «{name}». Tệp được giữ lại và sẽ được lưu làm minh chứng cho báo cáo đồng chí gửi và xác nhận "
            "trong vòng {minutes} phút tới (ví dụ: NV4: hoàn thành 100%).",
            name=shown_name(row), minutes=int(WINDOW.total_seconds() // 60),
        )
    )
    return None


def _guess(turn: Turn) -> int | None:
    """The period a file most likely backs: where a report sent now would land (when two
    periods are as likely, the older); the report it is attached to settles it."""
    contact = turn.who.focal
    if contact is None:
        return None
    found = attribution.period(turn, contact.agency_id, turn.msg.text or "")
    ob = found.obligation or (found.ask[0] if found.ask else None)
    return ob.id if ob is not None else None


def _recent_report(turn: Turn, current: Any) -> Report | None:
    if current is None or current.state != "reported" or not isinstance(current.data, dict):
        return None
    report_id = current.data.get("report_id")
    report = turn.session.get(Report, report_id) if isinstance(report_id, int) else None
    if report is None or turn.now - report.submitted_at > WINDOW:
        return None
    return report


def _with_caption(turn: Turn, file: Attachment, caption: str, as_report: Callable[[Turn, str], None]) -> None:
    """A file with a caption: the caption is read as a report, the file kept for its draft
    (the confirmation gathers this person's waiting files, :func:`for_draft`)."""
    ob_id = _guess(turn)
    row = keep(turn, file, obligation_id=ob_id) if ob_id is not None else None
    as_report(turn, caption)
    if row is None:
        return None
    after = state.get(turn)
    if _is_draft(after):
        assert after is not None
        data = dict(after.data)
        ids = list(data.get(DRAFT_KEY) or [])
        if row.id not in ids:
            data[DRAFT_KEY] = [*ids, row.id]
            state.put(turn, after.state, data)
        return None
    turn.say(
        turn.t(
            "Tệp «{name}» được giữ lại và sẽ được lưu làm minh chứng cho báo cáo đồng chí xác nhận trong vòng {minutes} phút tới.",
            name=shown_name(row), minutes=int(WINDOW.total_seconds() // 60),
        )
    )
    return None


# --- the draft and its confirmation ---------------------------------------------------------------


def for_draft(turn: Turn, draft: dict[str, Any]) -> list[Evidence]:
    """The files going with ``draft`` (kept in it): those already with it or with the draft it
    replaces, and this person's files waiting since :data:`WINDOW` ago."""
    ids: list[Any] = list(draft.get(DRAFT_KEY) or [])
    previous = state.get(turn)
    if _is_draft(previous):
        assert previous is not None
        ids += [i for i in previous.data.get(DRAFT_KEY) or [] if i not in ids]
    ids += [r.id for r in waiting(turn, turn.now - WINDOW) if r.id not in ids]
    rows = _rows(turn, ids)
    draft[DRAFT_KEY] = [r.id for r in rows]
    return rows


def draft_line(turn: Turn, rows: list[Evidence]) -> Text:
    return turn.t("Kèm theo: {files} ({names}).", files=count_text(turn.t, len(rows)), names=_names(rows))


def attach(turn: Turn, draft: dict[str, Any], report: Report) -> list[Evidence]:
    """Put the draft's files (and any file of this person's still waiting) on ``report``."""
    ids: list[Any] = list(draft.get(DRAFT_KEY) or [])
    ids += [r.id for r in waiting(turn, turn.now - WINDOW) if r.id not in ids]
    rows = _rows(turn, ids)
    tasks = sorted({e["task"] for e in draft.get("entries") or [] if e.get("task")})
    for row in rows:
        row.report_id, row.obligation_id = report.id, report.obligation_id
        row.contact_id = report.contact_id or row.contact_id
        row.task_no = tasks[0] if len(tasks) == 1 else None
        turn.session.add(row)
    if rows:
        turn.session.flush()
    return rows


def confirmed(turn: Turn, message: Message, report: Report, rows: list[Evidence]) -> None:
    """The stored report's files, in its confirmation; which task they back when unclear."""
    if not rows:
        return None
    # Right under "Đã ghi nhận báo cáo …", where the person looks for what was stored.
    message.blocks[1:1] = Message(turn.t("Đã lưu kèm {files}.", files=count_text(turn.t, len(rows)))).blocks
    tasks = store.report_tasks(turn.session, [report.id]).get(report.id, [])
    current = state.get(turn)
    _ask_task(turn, message, tasks, rows, dict(current.data) if current is not None and current.state == "reported" else {})
    return None


def _ask_task(turn: Turn, message: Message, tasks: list[str], rows: list[Evidence], data: dict[str, Any]) -> None:
    """A report on several tasks: which one the files back (or all of it)."""
    if len(tasks) < 2 or not data:
        return None
    t = turn.t
    token = state.new_token()
    state.put(turn, "reported", {**data, "token": token, "files": [r.id for r in rows]})
    message.add(t("Tệp minh chứng này thuộc nhiệm vụ nào? (Không chọn thì tệp là minh chứng chung cho cả báo cáo.)"))
    row = [Choice(f"NV{no}", f"mc:{token}:{no}") for no in tasks[:8]]
    message.choices = [row, [Choice(t.s("Chung cho cả báo cáo"), f"mc:{token}:")]]
    return None


def task_chosen(turn: Turn, arg: str) -> None:
    """The answer to :func:`_ask_task`."""
    t = turn.t
    token, _, no = arg.partition(":")
    current = state.live(turn, token, t("Đồng chí gửi lại tệp nếu cần."))
    if current is None:
        return None
    if current.state != "reported":
        turn.say(t("Nút này không còn hiệu lực."), toast=t.s("Không hợp lệ"))
        return None
    report_id = current.data.get("report_id")
    tasks = store.report_tasks(turn.session, [report_id]).get(report_id, []) if isinstance(report_id, int) else []
    if no and no not in tasks:
        turn.say(t("Nút này không còn hiệu lực."), toast=t.s("Không hợp lệ"))
        return None
    rows = [r for r in (turn.session.get(Evidence, i) for i in current.data.get("files") or [] if isinstance(i, int))
            if r is not None and r.report_id == report_id]
    for row in rows:
        row.task_no = no or None
        turn.session.add(row)
    data = {k: v for k, v in current.data.items() if k not in ("token", "files")}
    state.put(turn, "reported", data)
    if no:
        turn.say(t("Đã ghi {files} cho NV{no}.", files=count_text(t, len(rows)), no=no), toast=t.s("Đã ghi nhận"))
    else:
        turn.say(t("Đã ghi {files} là minh chứng chung cho cả báo cáo.", files=count_text(t, len(rows))), toast=t.s("Đã ghi nhận"))
    return None


# --- /minhchung ----------------------------------------------------------------------------------


def files(turn: Turn, arg: str) -> None:
    """``/minhchung CƠ_QUAN [kỳ]``: the agency's files of the period, listed and sent."""
    t = turn.t
    chosen = plan_of_command(turn, "minhchung", arg)
    if chosen is None:
        return None
    plan, arg, heading = chosen
    usage = t("Cú pháp: /minhchung CƠ_QUAN [kỳ], ví dụ: /minhchung CA tỉnh Q1.")
    subject, period_text = split(arg)
    if not subject:
        turn.say(usage)
        return None
    match = find(plan, subject)
    if match is None or match.kind != "agency":
        message = Message(
            t("«{text}» là một nhóm cơ quan; đồng chí ghi tên một cơ quan.", text=subject)
            if match is not None
            else t("Không tìm thấy cơ quan «{text}».", text=subject)
        )
        near = [m for m in closest_names(plan, subject) if m.kind == "agency"] if match is None else []
        if near:
            message.add(t("Có phải: {names}?", names="; ".join(m.name for m in near)))
        message.add(usage)
        turn.say(message=message)
        return None
    found = resolve(turn, plan, period_text)
    if found is None:
        return None
    period, notes = found
    notes = heading + notes
    obs = turn.session.exec(
        select(Obligation).where(Obligation.agency_id == match.id, Obligation.period == period, Obligation.plan_id == plan.plan.id)
    ).all()
    period_name = plan.period_name(period)
    if not obs:
        turn.say(*notes, t("{agency} không có kỳ báo cáo {period}.", agency=match.name, period=period_name))
        return None
    items = store.period_files(turn.session, [ob.id for ob in obs if ob.id is not None])
    if not items:
        turn.say(*notes, t("{agency} chưa gửi tệp minh chứng nào cho {period}.", agency=match.name, period=period_name))
        return None
    message = Message(*notes)
    message.add(Text(bold(match.name), " — ", period_name, ": ", count_text(t, len(items))))
    for entry in items:
        message.add(item(*_file_line(turn, entry)))
    capabilities = turn.ctx.capabilities(turn.msg.channel)
    files_store = store.file_store(turn.ctx, turn.msg.channel)
    # Sent as documents, or as links to published copies on a channel without documents.
    can_send = capabilities.documents or capabilities.file_links
    sendable = [e for e in items if e.downloaded] if can_send and files_store is not None else []
    to_send = sendable[:MAX_SENT]
    export = Text(f"baocao evidence export --period {period} --agency {match.id} -o THƯ_MỤC")
    if not to_send:
        message.add(t("Để lấy các tệp, quản trị viên chạy trên máy chủ: {command}", command=export))
    elif len(to_send) < len(items):
        message.add(
            t(
                "Dưới đây gửi {sent}/{total} tệp; để lấy đủ, quản trị viên chạy trên máy chủ: {command}",
                sent=len(to_send), total=len(items), command=export,
            )
        )
    turn.say(message=message)
    assert files_store is not None or not to_send
    for entry in to_send:
        try:
            data = files_store.get(entry.row.sha256)  # type: ignore[union-attr, arg-type]
        except FileStoreError:
            turn.say(t("Không đọc được tệp «{name}» trong kho tệp của hệ thống.", name=entry.name))
            continue
        turn.say(
            Text(_tasks_label(turn, entry), " — ", match.name),
            file=OutFile(entry.name, data, entry.row.mime or "application/octet-stream", kind="document"),
        )
    return None


def _tasks_label(turn: Turn, entry: store.EvidenceFile) -> Text:
    if entry.tasks:
        return Text(", ".join(f"NV{no}" for no in entry.tasks))
    return turn.t("chưa gắn vào báo cáo")


def _file_line(turn: Turn, entry: store.EvidenceFile) -> list[Any]:
    t = turn.t
    parts: list[Any] = [_tasks_label(turn, entry), ": ", entry.name, f" ({size_text(entry.row.size)}), "]
    parts.append(t("gửi lúc {time}", time=local_time(turn, entry.row.received_at)))
    if not entry.downloaded:
        parts += ["; ", t("đang tải về")]
    return parts


# --- counts for /dabaocao ----------------------------------------------------------------------


def counts(turn: Turn, ob: Obligation) -> tuple[dict[str, int], int]:
    """Files per task of an obligation's reports, and how many wait for a report."""
    per_task: dict[str, int] = {}
    waiting_files = 0
    for entry in store.period_files(turn.session, [ob.id] if ob.id is not None else []):
        if not entry.attached:
            waiting_files += 1
        for no in entry.tasks:
            per_task[no] = per_task.get(no, 0) + 1
    return per_task, waiting_files


def entry_counts(turn: Turn, ob: Obligation) -> dict[str, int]:
    """Revisions per task of an obligation."""
    rows = turn.session.exec(select(ReportEntry.task_no).where(ReportEntry.obligation_id == ob.id)).all()
    out: dict[str, int] = {}
    for no in rows:
        out[no] = out.get(no, 0) + 1
    return out


__all__ = [
    "DRAFT_KEY",
    "WINDOW",
    "attach",
    "confirmed",
    "draft_line",
    "files",
    "for_draft",
    "received",
    "size_text",
    "task_chosen",
    "too_big",
]
