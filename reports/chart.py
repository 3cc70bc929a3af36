"""The picture of a period (PNG, matplotlib): something to look at rather than read.

Two panels:

- **left**, per period of the year up to the one asked: the agencies that must report,
  stacked by state (on time, late, partial, missing), with the count in each segment;
- **right**, per task of the asked period: the agencies that owe it, stacked by the status of
  their latest answer (done, in progress, not started, no status given) and "not reported",
  with "reported/owing" at the end of each bar.

Rendering uses matplotlib's object API with the Agg canvas (no ``pyplot``: no global figure
state, safe in the bot's worker thread) and DejaVu Sans, which matplotlib ships and which has
every Vietnamese glyph. The size is fixed by :func:`chart_size` (no tight bounding box), so
that callers and tests know it in advance.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from reports import status as st
from reports.data import ReportData, percent_text
from scheduler.plan import Plan
from common.vndate import format_date_short

DPI = 100
WIDTH_IN = 12.0
FONT = "DejaVu Sans"

STATE_STYLE = (  # state, label, colour
    (st.ON_TIME, "Đúng hạn", "#2e7d32"),
    (st.LATE, "Muộn", "#f9a825"),
    (st.PARTIAL, "Một phần", "#64b5f6"),
    (st.MISSING, "Chưa báo cáo", "#c62828"),
)
STATUS_STYLE = (  # status key, label, colour
    ("done", "Hoàn thành", "#2e7d32"),
    ("in_progress", "Đang thực hiện", "#1e88e5"),
    ("not_started", "Chưa triển khai", "#fb8c00"),
    ("not_arisen", "Không phát sinh", "#8d6e63"),
    (st.UNSPECIFIED, "Chưa nêu tiến độ", "#90a4ae"),
    ("silent", "Chưa báo cáo", "#e0e0e0"),
)


def chart_size(tasks: int) -> tuple[int, int]:
    """(width, height) in pixels of the chart of a period with ``tasks`` tasks."""
    height_in = max(6.5, 2.2 + 0.42 * max(tasks, 1))
    return round(WIDTH_IN * DPI), round(height_in * DPI)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;") + "…"


def _period_label(plan: Plan, code: str) -> str:
    """"Quý I", "06 tháng", "Cả năm": the plan's name of a period without the year (the
    panel's title has it)."""
    period = plan.period_by_code.get(code)
    name = period.name if period is not None else code
    return "Cả năm" if name == "năm" else name[:1].upper() + name[1:]


def _segment_labels(ax, bars, values: Sequence[int], *, horizontal: bool, minimum: float) -> None:  # type: ignore[no-untyped-def]
    for bar, value in zip(bars, values, strict=True):
        size = bar.get_width() if horizontal else bar.get_height()
        if value <= 0 or size < minimum:
            continue
        x = bar.get_x() + bar.get_width() / 2
        y = bar.get_y() + bar.get_height() / 2
        ax.text(x, y, str(value), ha="center", va="center", fontsize=8.5, color="#212121")


def render_chart(data: ReportData) -> bytes:
    """The PNG of ``data`` (its ``history`` gives the left panel's periods)."""
    return status_chart(data.plan, data.status, data.history)


def status_chart(plan: Plan, status: st.PeriodStatus, history: Sequence[st.PeriodStatus] = ()) -> bytes:
    """The PNG of one period's ``status``; ``history`` is the year's periods up to it
    (:func:`reports.data.period_history`), ``status`` alone when empty."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    tasks = list(status.tasks)
    width, height = chart_size(len(tasks))
    history = list(history) or [status]

    with matplotlib.rc_context({"font.family": FONT, "font.size": 10, "axes.titlesize": 11}):
        fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor="white")
        FigureCanvasAgg(fig)
        # Axes placed by hand: the task labels need a fixed margin whatever the plan's titles.
        area_top, area_bottom = 1 - 1.2 / (height / DPI), 1.25 / (height / DPI)
        fig.suptitle(
            f"Tình hình báo cáo {status.period_name} — Kế hoạch số {plan.plan.number}",
            fontsize=14,
            fontweight="bold",
            y=1 - 0.18 / (height / DPI),
        )
        fig.text(
            0.5,
            1 - 0.68 / (height / DPI),
            f"Tính đến {status.now:%H:%M} ngày {format_date_short(status.now.date())}; hạn gửi báo cáo "
            f"{format_date_short(status.due)}. Đã báo cáo đủ {status.reported}/{status.total} cơ quan, đơn vị.",
            ha="center",
            fontsize=10.5,
            color="#424242",
        )

        # -- left: agencies by state, per period ---------------------------------------------
        ax = fig.add_axes((0.06, area_bottom, 0.26, area_top - area_bottom))
        labels = [_period_label(plan, p.period_code) for p in history]
        positions = list(range(len(history)))
        bottom = [0] * len(history)
        tallest = max((p.total for p in history), default=0) or 1
        for state, label, colour in STATE_STYLE:
            values = [p.counts.get(state, 0) for p in history]
            bars = ax.bar(positions, values, bottom=bottom, color=colour, width=0.55, label=label, edgecolor="white", linewidth=0.6)
            _segment_labels(ax, bars, values, horizontal=False, minimum=tallest * 0.045)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        for x, p in zip(positions, history, strict=True):
            ax.text(x, p.total + tallest * 0.015, str(p.total), ha="center", va="bottom", fontsize=9, color="#424242")
        ax.set_xticks(positions, labels, fontsize=9)
        centre, half = (len(history) - 1) / 2, max(len(history), 3) / 2
        ax.set_xlim(centre - half, centre + half)
        ax.set_ylim(0, tallest * 1.1)
        ax.set_ylabel("Số cơ quan, đơn vị")
        ax.set_title(f"Cơ quan, đơn vị theo kỳ báo cáo năm {status.year}", loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.45 / (height / DPI) / (area_top - area_bottom)), ncol=2, fontsize=9, frameon=False)

        # -- right: each task's answers by status --------------------------------------------
        ax = fig.add_axes((0.6, area_bottom, 0.34, area_top - area_bottom))
        rows = list(range(len(tasks)))
        left = [0] * len(tasks)
        widest = max((t.assigned_to for t in tasks), default=0) or 1
        for key, label, colour in STATUS_STYLE:
            if key == "silent":
                values = [t.assigned_to - t.reported_by for t in tasks]
            else:
                values = [t.statuses.get(key, 0) for t in tasks]
            bars = ax.barh(rows, values, left=left, color=colour, height=0.64, label=label, edgecolor="white", linewidth=0.6)
            _segment_labels(ax, bars, values, horizontal=True, minimum=widest * 0.035)
            left = [a + v for a, v in zip(left, values, strict=True)]
        for y, t in zip(rows, tasks, strict=True):
            note = f"{t.reported_by}/{t.assigned_to}"
            if t.average_percent is not None:
                note += f" · {percent_text(t.average_percent)}"
            ax.text(t.assigned_to + widest * 0.01, y, note, va="center", fontsize=8.5, color="#424242")
        ax.set_yticks(rows, [f"NV{t.no}. {_short(t.title, 40)}" for t in tasks], fontsize=8.5)
        ax.invert_yaxis()
        ax.set_xlim(0, widest * 1.16)
        ax.set_xlabel("Số cơ quan, đơn vị (đã báo cáo/phải báo cáo · tiến độ bình quân)")
        ax.set_title(f"Tiến độ từng nhiệm vụ, {status.period_name}", loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        if not tasks:
            ax.text(0.5, 0.5, "Không có nhiệm vụ nào phải báo cáo trong kỳ", transform=ax.transAxes, ha="center", va="center")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.55 / (height / DPI) / (area_top - area_bottom)), ncol=3, fontsize=9, frameon=False)

        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()


__all__ = ["DPI", "chart_size", "render_chart", "status_chart"]
