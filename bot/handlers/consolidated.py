"""/tonghop: the consolidated report of a period — a short summary, then the Word draft, the
Excel annex and the chart as files (:mod:`reports`). A file that cannot be made is logged and
left out, with a line saying so: the text answer never depends on python-docx or matplotlib.
On a channel that cannot carry files, the summary says where to get them."""

from __future__ import annotations

import logging

import reports as report
from bot.handlers.periods import only_period, plan_of_command, sentence
from bot.handlers.status import counts_line, task_list
from bot.messages import OutFile
from bot.turn import Turn
from common.i18n import N_
from common.message import Message, Text, bold, item
from common.vndate import format_date_short, format_date_vi
from reports import prose
from reports import status as st

log = logging.getLogger(__name__)

MAX_RECOMMENDATIONS_SHOWN = 5  # in the summary; the draft has them all
FILE_LABELS = {"docx": "Word", "xlsx": "Excel", "png": N_("biểu đồ")}


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def consolidated(turn: Turn, arg: str) -> None:
    t = turn.t
    chosen = plan_of_command(turn, "tonghop", arg)
    if chosen is None:
        return None
    plan, arg, heading = chosen
    found = only_period(turn, plan, arg, t("Cú pháp: /tonghop [kỳ], ví dụ /tonghop Q1 hoặc /tonghop 2024-H1."))
    if found is None:
        return None
    period, notes = found
    notes = heading + notes
    try:
        data = report.gather(turn.session, plan, period, turn.now, turn.ctx.tz, cal=turn.ctx.calendar)
    except st.StatusError as exc:
        turn.say(*notes, sentence(str(exc)))
        return None
    caps = turn.ctx.capabilities(turn.msg.channel)
    # A channel without documents may still send them as links to published copies (Zalo).
    documents = caps.documents or caps.file_links
    wanted = [fmt for fmt, can in (("docx", documents), ("xlsx", documents), ("png", caps.photos)) if can]
    files: list[tuple[str, bytes | None]] = []
    for fmt in wanted:
        try:
            files.append((fmt, report.render(data, fmt)))
        except Exception:  # noqa: BLE001 - one file failing must not cost the others
            log.exception("%s of %s could not be made", fmt, period)
            files.append((fmt, None))
    summary = _summary(turn, data)
    summary.blocks[:0] = Message(*notes).blocks
    if not caps.documents and caps.file_links:
        summary.add("", t("Dự thảo Word và phụ lục Excel: tải về theo các đường dẫn gửi dưới đây."))
    elif not caps.documents:
        summary.add(
            "",
            t(
                "Kênh này không gửi được tệp. Dự thảo Word và phụ lục Excel lấy bằng dòng lệnh: "
                "baocao report --period {period} --format docx -o bao-cao.docx; phụ lục: --format xlsx -o phu-luc.xlsx.",
                period=period,
            ),
        )
        # Another channel of the same bot that carries files, if the province runs one.
        carriers = [c.title for c in turn.ctx.channels.values() if c.capabilities.documents]
        if carriers:
            summary.add(t("Hoặc gửi /tonghop {period} cho bot trên {channels}.", period=period, channels=", ".join(carriers)))
    else:
        summary.add("", t("Dự thảo Word, phụ lục Excel và biểu đồ gửi kèm dưới đây."))
    turn.say(message=summary)
    captions = {
        "docx": t("Dự thảo báo cáo tổng hợp {period} (Word).", period=data.period_name),
        "xlsx": t("Phụ lục {period} (Excel): từng cơ quan, từng nhiệm vụ và mọi lần gửi.", period=data.period_name),
        "png": t("Biểu đồ tình hình báo cáo {period}.", period=data.period_name),
    }
    failed = []
    for fmt, content in files:
        if content is None:
            failed.append(fmt)
            continue
        _, mime = report.FORMATS[fmt]
        kind = "photo" if fmt == "png" else "document"
        turn.say(captions[fmt], file=OutFile(report.filename(data, fmt), content, mime, kind=kind))
    if failed:
        turn.say(
            t(
                "Không lập được tệp {formats}; đề nghị báo quản trị viên kiểm tra nhật ký của bot.",
                formats=", ".join(t.s(FILE_LABELS[fmt]) for fmt in failed),
            )
        )
    return None


def _summary(turn: Turn, data: report.ReportData) -> Message:
    t = turn.t
    ps = data.status
    message = Message(
        Text(bold(t("Báo cáo tổng hợp {period}", period=data.period_name)), " ", t("(dự thảo)")),
        t(
            "Lập lúc {time} ngày {date} từ các báo cáo đã nhận (lần gửi mới nhất của mỗi nhiệm vụ); hạn gửi: {due}.",
            time=f"{ps.now:%H:%M}",
            date=format_date_short(ps.now.date()),
            due=format_date_vi(ps.due),
        ),
        counts_line(turn, ps),
    )
    silent = data.silent_tasks
    if silent:
        message.add(t("Nhiệm vụ chưa có cơ quan nào báo cáo: {tasks}.", tasks=task_list(task.no for task in silent)))
    message.add(
        t(
            "Khó khăn, vướng mắc: {difficulties} ý kiến; kiến nghị, đề xuất: {recommendations} ý kiến.",
            difficulties=len({prose.key(f.text) for f in data.difficulties}),
            recommendations=len({prose.key(f.text) for f in data.recommendations}),
        )
    )
    distinct = list({prose.key(f.text): f for f in reversed(data.recommendations)}.values())[::-1]
    shown = distinct[:MAX_RECOMMENDATIONS_SHOWN]
    if shown:
        message.add("", bold(t("Kiến nghị, đề xuất")))
        message.add(*(item(f"{f.agency}" + (f" (NV{f.task})" if f.task else "") + ": ", _cut(prose.sentence(f.text), 200)) for f in shown))
        more = len(distinct) - len(shown)
        if more:
            message.add(t("… và {n} kiến nghị khác trong dự thảo.", n=more))
    return message
