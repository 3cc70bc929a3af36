"""The consolidated report (báo cáo tổng hợp) of a period: Word draft, Excel annex, chart,
Markdown.

``gather`` (:mod:`reports.data`) reads what the report states; the renderers format it::

    data = gather(session, plan, "2024-Q1", now, tz, cal=cal)
    render(data, "docx")  # bytes; also "xlsx", "png", "md" (UTF-8)

Shared by ``baocao report`` and the bot's ``/tonghop`` (and the chart by ``/tinhhinh``).
Renderers import their library (python-docx, openpyxl, matplotlib) on first use.
"""

from __future__ import annotations

from collections.abc import Callable

from reports.data import ReportData, gather

FORMATS: dict[str, tuple[str, str]] = {  # format → (file extension, MIME type)
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "png": ("png", "image/png"),
    "md": ("md", "text/markdown; charset=utf-8"),
}
# What each format needs from gather(): (revisions, history).
NEEDS: dict[str, tuple[bool, bool]] = {
    "docx": (False, False),
    "xlsx": (True, True),  # every revision; the earlier periods for the on-time sheet
    "png": (False, True),
    "md": (False, False),
}


def _renderer(fmt: str) -> Callable[[ReportData], bytes]:
    if fmt == "docx":
        from reports.docx import render_docx

        return render_docx
    if fmt == "xlsx":
        from reports.xlsx import render_xlsx

        return render_xlsx
    if fmt == "png":
        from reports.chart import render_chart

        return render_chart
    if fmt == "md":
        from reports.markdown import render_markdown

        return lambda data: render_markdown(data).encode("utf-8")
    raise ValueError(f"unknown report format {fmt!r}; one of {', '.join(FORMATS)}")


def render(data: ReportData, fmt: str) -> bytes:
    """``data`` as a file of format ``fmt`` (``docx``, ``xlsx``, ``png`` or ``md``)."""
    return _renderer(fmt)(data)


def filename(data: ReportData, fmt: str) -> str:
    """``bao-cao-124-kh-bcsd-2024-Q1.docx``; the annex ``phu-luc-…``, the chart ``bieu-do-…``."""
    stem = data.file_stem
    if fmt == "xlsx":
        stem = "phu-luc-" + stem.removeprefix("bao-cao-")
    elif fmt == "png":
        stem = "bieu-do-" + stem.removeprefix("bao-cao-")
    return f"{stem}.{FORMATS[fmt][0]}"


__all__ = ["FORMATS", "NEEDS", "ReportData", "filename", "gather", "render"]
