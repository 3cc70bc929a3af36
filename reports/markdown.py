"""The consolidated report as Markdown, for pasting into a chat or an e-mail.

The same body as the Word draft (:mod:`reports.body`: the same blocks, so the two always say
the same thing), under a title line and a line saying when and from what it was drafted.
Text written by the agencies is escaped so that a ``*`` or ``_`` in a reply cannot change the
formatting.
"""

from __future__ import annotations

import re

from common.vndate import format_date_short
from reports import body as bodytext
from reports.data import ReportData

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def md_escape(text: str) -> str:
    """Text as it reads, whatever Markdown characters it contains (spaces at its ends kept)."""
    inner = " ".join(text.split())
    if not inner:
        return " " if text else ""
    lead = " " if text[:1].isspace() and inner else ""
    tail = " " if text[-1:].isspace() and inner else ""
    return lead + _SPECIAL.sub(r"\\\1", inner) + tail


def _runs(block: bodytext.Block) -> str:
    out = []
    for style, text in block.runs:
        text = md_escape(text)
        if not text.strip():
            out.append(text)
            continue
        lead, core, tail = re.match(r"^(\s*)(.*?)(\s*)$", text).groups()  # type: ignore[union-attr]
        if "b" in style and "i" in style:
            core = f"***{core}***"
        elif "b" in style:
            core = f"**{core}**"
        elif "i" in style:
            core = f"_{core}_"
        out.append(lead + core + tail)
    return "".join(out)


def render_markdown(data: ReportData) -> str:
    """The Markdown text of ``data``."""
    s = data.status
    info = data.plan.plan
    lines = [
        f"# Báo cáo kết quả thực hiện Kế hoạch số {info.number} — {bodytext.period_title(data)}",
        "",
        f"_Dự thảo tổng hợp lúc {s.now:%H:%M} ngày {format_date_short(s.now.date())} từ báo cáo của các cơ quan, "
        f"đơn vị; số liệu từ {format_date_short(data.cutoff_from)} đến {format_date_short(data.cutoff_to)}; "
        f"hạn gửi báo cáo {format_date_short(s.due)}._",
    ]
    previous = ""
    for block in bodytext.blocks(data):
        if block.kind.startswith("h"):
            lines += ["", "#" * (int(block.kind[1]) + 1) + " " + md_escape(block.text), ""]
        elif block.kind == "item":
            if previous != "item" and lines[-1]:
                lines.append("")
            lines.append(_runs(block))
        else:
            if lines[-1]:
                lines.append("")
            lines.append(_runs(block))
        previous = block.kind
    return "\n".join(lines) + "\n"


__all__ = ["md_escape", "render_markdown"]
