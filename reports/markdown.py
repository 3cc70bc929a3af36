"""The consolidated report as Markdown, for pasting into a chat or an e-mail.

The same content as the Word draft, shorter: the reporting situation, each task's lead and
contributing agencies' answers (latest revision), the agencies not reported, the extensions
granted and declined (gia hạn), the difficulties and the recommendations. Text written by the agencies is escaped so that a
``*`` or ``_`` in a reply cannot change the formatting.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from reports import status as st
from reports.data import ROLE_LABELS, Contribution, Finding, ReportData, TaskReport, extension_text, names, percent_text
from common.vndate import format_date_short

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def md_escape(text: str) -> str:
    """Text as it reads, whatever Markdown characters it contains."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _answer(contribution: Contribution) -> str:
    entry = contribution.entry
    head = f"**{md_escape(contribution.agency)}**"
    label = [contribution.status_label]
    if entry.percent is not None:
        label.append(percent_text(entry.percent))
    role = ROLE_LABELS.get(contribution.role, contribution.role) + (", đề nghị" if contribution.request else "")
    item = f", nội dung {entry.task}" if not entry.task.isdigit() else ""
    line = f"- {head} ({role}{item}): {', '.join(label)}"
    if contribution.text:
        line += f" — {md_escape(contribution.text)}"
    return line


def _findings(findings: Iterable[Finding]) -> list[str]:
    lines: list[str] = []
    for finding in findings:
        where = f" (NV{finding.task})" if finding.task else ""  # "": the agency's general part
        lines.append(f"- **{md_escape(finding.agency)}**{where}: {md_escape(finding.text)}")
    return lines


def _task(task: TaskReport) -> list[str]:
    s = task.summary
    lead = names(task.lead_names) or task.lead_text or ""
    if task.lead_is_request:
        lead += " (đề nghị chủ trì)"
    lines = ["", f"### NV{task.no}. {md_escape(task.title)}", "", f"Chủ trì: {md_escape(lead)}."]
    if not task.reported:
        lines.append(f"Chưa có cơ quan, đơn vị nào báo cáo (0/{s.assigned_to}).")
        if task.silent_leads:
            lines.append("")
            lines += [f"- **{md_escape(name)}** (chủ trì): chưa báo cáo" for name in task.silent_leads]
        return lines
    facts = [f"{s.reported_by}/{s.assigned_to} cơ quan, đơn vị đã báo cáo"]
    if s.average_percent is not None:
        facts.append(f"tiến độ bình quân {percent_text(s.average_percent)}")
    if s.difficulties:
        facts.append(f"{s.difficulties} nêu khó khăn, vướng mắc")
    lines.append("; ".join(facts) + ".")
    lines.append("")
    lines += [_answer(c) for c in task.leads]
    lines += [f"- **{md_escape(name)}** (chủ trì): chưa báo cáo" for name in task.silent_leads]
    lines += [_answer(c) for c in task.coordinators]
    if task.silent_coordinators:
        lines.append(f"- Cơ quan phối hợp chưa báo cáo: {len(task.silent_coordinators)}")
    return lines


def render_markdown(data: ReportData) -> str:
    """The Markdown text of ``data``."""
    s = data.status
    c = s.counts
    info = data.plan.plan
    lines = [
        f"# Báo cáo kết quả thực hiện Kế hoạch số {info.number} — {data.period_name}",
        "",
        f"_Dự thảo tổng hợp lúc {s.now:%H:%M} ngày {format_date_short(s.now.date())} từ báo cáo của các cơ quan, "
        f"đơn vị; số liệu từ {format_date_short(data.cutoff_from)} đến {format_date_short(data.cutoff_to)}; "
        f"hạn gửi báo cáo {format_date_short(s.due)}._",
        "",
        "## Tình hình báo cáo",
        "",
        f"- Phải báo cáo: {s.total} cơ quan, đơn vị",
        f"- Đã báo cáo đầy đủ: {s.reported} (đúng hạn {c[st.ON_TIME]}, có nhiệm vụ gửi sau hạn {c[st.LATE]})",
        f"- Báo cáo chưa đầy đủ: {c[st.PARTIAL]}",
        f"- Chưa báo cáo: {c[st.MISSING]}",
    ]
    silent = data.silent_tasks
    if silent:
        lines.append("- Nhiệm vụ chưa có cơ quan nào báo cáo: " + ", ".join(f"NV{t.no}" for t in silent))
    lines += ["", "## Kết quả theo nhiệm vụ"]
    if not data.tasks:
        lines += ["", "Không có nhiệm vụ nào phải báo cáo trong kỳ."]
    for task in data.tasks:
        lines += _task(task)

    lines += ["", "## Cơ quan, đơn vị chưa báo cáo đầy đủ", ""]
    missing, partial, late = data.by_state(st.MISSING), data.by_state(st.PARTIAL), data.by_state(st.LATE)
    if missing:
        lines.append(f"- Chưa báo cáo ({len(missing)}): " + md_escape(names(a.agency for a in missing)))
    for a in partial:
        lines.append(f"- {md_escape(a.agency)}: còn thiếu " + ", ".join(f"NV{no}" for no in a.missing_tasks))
    for a in late:
        lines.append(f"- {md_escape(a.agency)}: gửi sau hạn " + ", ".join(f"NV{no}" for no in a.late_tasks))
    if not s.agencies:
        lines.append("Không có cơ quan, đơn vị nào phải báo cáo trong kỳ.")
    elif not (missing or partial or late):
        lines.append("Tất cả các cơ quan, đơn vị đã báo cáo đầy đủ, đúng hạn.")

    lines += ["", "## Gia hạn", ""]
    if not data.extensions:
        lines.append("Không có cơ quan, đơn vị nào được gia hạn thời hạn gửi báo cáo.")
    for row in data.extensions:
        head, text = extension_text(row)
        lines.append(f"- **{md_escape(head)}**: {md_escape(text)}")

    lines += ["", "## Khó khăn, vướng mắc", ""]
    lines += _findings(data.difficulties) or ["Chưa có cơ quan, đơn vị nào nêu khó khăn, vướng mắc."]
    lines += ["", "## Kiến nghị, đề xuất", ""]
    lines += _findings(data.recommendations) or ["Chưa có kiến nghị, đề xuất."]
    return "\n".join(lines) + "\n"


__all__ = ["md_escape", "render_markdown"]
