"""The Excel annex (phụ lục) of the consolidated report (openpyxl), made to be printed.

Three sheets, each opening with a title ("PHỤ LỤC", what it lists, "(Kèm theo Báo cáo số
…-BC/BCSĐ ngày … của …)", the number left blank as in the draft), then a bold header row that
is repeated on every printed page and stays in view, a filter on every column, and rows whose
height fits their wrapped text (Excel does not grow a row by itself for a file written by a
program). Printed on A4 landscape, one page wide, page numbers in the footer.

1. **Tổng hợp** — one row per agency × task it owes (or per sub-item it answered): agency,
   role, task, status of the latest revision, percent, the figures the parser found, the
   agency's segment for that task (latest revision), when it was sent, on time / late /
   extended ("Gia hạn đến 29/03/2024"), how many times it was sent, the evidence files sent
   with it, and Sở Tư pháp's review of the agency's report. A task not answered is one row
   "Chưa báo cáo".
2. **Các lần gửi** — every revision of every answer, oldest first within an agency's task.
3. **Đúng hạn theo kỳ** — each agency's record across the year's periods up to this one (on
   time, late, partial, not reported, not yet due), with the number of periods due, those
   reported on time, and the on-time rate provinces use to rate their units.

Times are local (the display time zone), written as Excel dates ("dd/mm/yyyy hh:mm"). The
workbook is written in openpyxl's write-only mode: a province's year with ten times the
agencies stays fast and small in memory.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from copy import copy
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from reports import status as st
from reports.body import period_title
from reports.data import REVIEW_LABELS, ROLE_LABELS, STATUS_LABELS, AnnexRow, ReportData, Revision, clean_text, source_label
from reports.forms import admin_date, form_of, number_code

SUMMARY_SHEET = "Tổng hợp"
REVISIONS_SHEET = "Các lần gửi"
ON_TIME_SHEET = "Đúng hạn theo kỳ"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
HEADER_ROW = 5  # rows 1–3 the title, 4 a gap

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FONT_NAME = "Times New Roman"
_HEAD_FONT = Font(name=_FONT_NAME, size=12, bold=True)
_HEAD_FILL = PatternFill("solid", start_color="DDEBF7")
_HEAD_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_FONT = Font(name=_FONT_NAME, size=12)
_MISSING_FONT = Font(name=_FONT_NAME, size=12, color="C00000")
_WRAP = Alignment(vertical="top", wrap_text=True)
_CENTER = Alignment(horizontal="center", vertical="top", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="top")
# A title line centred across the table's width without merging (write-only mode cannot merge).
_TITLE_ALIGN = Alignment(horizontal="centerContinuous", vertical="center")

LINE_PT = 15.75  # one line of 12 pt Times New Roman
CHARS_PER_WIDTH = 1.1  # characters of 12 pt Times New Roman per unit of Excel column width

# (header, width, kind): kind "text" wraps left, "center" centres, "number" right, "datetime".
SUMMARY_COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("STT", 5, "center"),
    ("Cơ quan, đơn vị", 24, "text"),
    ("Vai trò", 10, "center"),
    ("Nhiệm vụ", 8, "center"),
    ("Tiến độ", 13, "center"),
    ("Tỷ lệ (%)", 7, "number"),
    ("Số liệu", 16, "text"),
    ("Nội dung báo cáo (lần gửi mới nhất)", 46, "text"),
    ("Gửi lúc", 15, "datetime"),
    ("Thời hạn", 13, "center"),
    ("Số lần gửi", 7, "number"),
    ("Minh chứng", 9, "number"),
    ("Sở Tư pháp xem xét", 18, "text"),
)
REVISION_COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("STT", 5, "center"),
    ("Cơ quan, đơn vị", 24, "text"),
    ("Nhiệm vụ", 8, "center"),
    ("Lần gửi", 7, "number"),
    ("Gửi lúc", 15, "datetime"),
    ("Đúng hạn / muộn", 10, "center"),
    ("Tiến độ", 13, "center"),
    ("Tỷ lệ (%)", 7, "number"),
    ("Nội dung", 56, "text"),
    ("Gửi qua", 11, "center"),
    ("Người gửi", 18, "text"),
    ("Minh chứng gửi kèm", 10, "number"),
    ("Được tổng hợp", 10, "center"),
)
STATE_WORDS = {
    st.ON_TIME: "Đúng hạn",
    st.LATE: "Muộn",
    st.PARTIAL: "Chưa đầy đủ",
    st.MISSING: "Chưa báo cáo",
}


def _naive(moment: datetime | None) -> datetime | None:
    # Excel has no time zones: the local wall-clock time the coordinators read.
    return None if moment is None else moment.replace(tzinfo=None)


def _lines(value: object, width: float) -> int:
    if value is None:
        return 1
    text = value if isinstance(value, str) else str(value)
    per_line = max(1, int(width * CHARS_PER_WIDTH))
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def _height(values: Sequence[object], columns: Sequence[tuple[str, float, str]]) -> float:
    """The row height (points) at which every wrapped cell shows all its lines."""
    lines = max(_lines(v, w) if kind in ("text", "center") else 1 for v, (_, w, kind) in zip(values, columns, strict=True))
    return round(lines * LINE_PT + 3, 2)


def _title_lines(data: ReportData, what: str) -> list[tuple[str, Font]]:
    form = form_of(data.plan)
    number = form.number_line(number_code(data.plan.plan.number)).replace("Số:", "số").replace("Số", "số")
    return [
        ("PHỤ LỤC", Font(name=_FONT_NAME, size=13, bold=True)),
        (what, Font(name=_FONT_NAME, size=13, bold=True)),
        (
            f"(Kèm theo Báo cáo {number} {admin_date(data.generated_at.date())} của {data.issuer})",
            Font(name=_FONT_NAME, size=12, italic=True),
        ),
    ]


def _sheet(workbook: Workbook, title: str, columns: Sequence[tuple[str, float, str]], data: ReportData, rows: int, what: str):  # type: ignore[no-untyped-def]
    ws = workbook.create_sheet(title)
    for index, (_, width, _) in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = f"C{HEADER_ROW + 1}"
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + rows}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4 (Worksheet.PAPERSIZE_A4)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "Trang &P/&N"
    for text, font in _title_lines(data, what):
        first = WriteOnlyCell(ws, value=text)
        first.font, first.alignment = font, _TITLE_ALIGN
        rest = []
        for _ in columns[1:]:
            cell = WriteOnlyCell(ws)
            cell.alignment = _TITLE_ALIGN
            rest.append(cell)
        ws.append([first, *rest])
    ws.append([])
    header = []
    for name, _, _ in columns:
        cell = WriteOnlyCell(ws, value=name)
        cell.font, cell.fill, cell.alignment, cell.border = _HEAD_FONT, _HEAD_FILL, _HEAD_ALIGN, _BORDER
        header.append(cell)
    ws.row_dimensions[HEADER_ROW].height = _height([name for name, _, _ in columns], columns)
    ws.append(header)
    return ws


class _Styles:
    """One styled template cell per column (and per "not reported" variant); each written
    cell copies its template's style indices. Assigning fonts, borders and alignments cell
    by cell makes openpyxl hash them every time, which dominated the time of a large annex."""

    def __init__(self, ws, columns: Sequence[tuple[str, float, str]]) -> None:  # type: ignore[no-untyped-def]
        self.ws, self.columns = ws, columns
        self.templates: list[tuple[object, object]] = []
        self.row_index = HEADER_ROW
        for _, _, kind in columns:
            pair = []
            for missing in (False, True):
                cell = WriteOnlyCell(ws)
                cell.font = _MISSING_FONT if missing and kind != "number" else _FONT
                cell.border = _BORDER
                if kind == "text":
                    cell.alignment = _WRAP
                elif kind == "datetime":
                    cell.alignment = _CENTER
                    cell.number_format = DATETIME_FORMAT
                elif kind == "number":
                    cell.alignment = _RIGHT
                else:
                    cell.alignment = _CENTER
                pair.append(cell._style)
            self.templates.append((pair[0], pair[1]))

    def append(self, values: Sequence[object], *, missing: bool = False) -> None:
        cells = []
        for template, value in zip(self.templates, values, strict=True):
            cell = WriteOnlyCell(self.ws, value=value)
            cell._style = copy(template[1] if missing else template[0])
            cells.append(cell)
        self.row_index += 1
        self.ws.row_dimensions[self.row_index].height = _height(values, self.columns)
        self.ws.append(cells)


def _role(role: str, request: bool) -> str:
    label = ROLE_LABELS.get(role, role)
    return (label + " (đề nghị)" if request else label).capitalize()


def _status(status: str | None) -> str:
    return STATUS_LABELS.get(status or "unspecified", status or "").capitalize()


def _deadline(row: AnnexRow, today) -> str | None:  # type: ignore[no-untyped-def]
    """"Đúng hạn", "Muộn", "Gia hạn đến 29/03/2024" (an approved extension), "Quá hạn"."""
    entry = row.entry
    extended = ""
    if row.extended and row.agency_due is not None:
        extended = f"Gia hạn đến {row.agency_due:%d/%m/%Y}"
    if entry is None:
        overdue = row.agency_due is not None and today > row.agency_due
        return ("Quá hạn" + (f" ({extended[0].lower()}{extended[1:]})" if extended else "")) if overdue else (extended or None)
    said = "Muộn" if entry.late else "Đúng hạn"
    return f"{said} ({extended[0].lower()}{extended[1:]})" if extended else said


def _review(row: AnnexRow) -> str | None:
    if row.review_state is None:
        return None
    label = REVIEW_LABELS.get(row.review_state, row.review_state).capitalize()
    return f"{label}: {clean_text(row.review_reason)}" if row.review_reason and row.review_state == "returned" else label


def _summary_values(number: int, row: AnnexRow, files: int, today) -> tuple[list[object], bool]:  # type: ignore[no-untyped-def]
    entry = row.entry
    head: list[object] = [number, row.agency, _role(row.role, row.request), row.task]
    if entry is None:
        return [*head, "Chưa báo cáo", None, None, None, None, _deadline(row, today), 0, None, _review(row)], True
    return [
        *head,
        _status(entry.status),
        entry.percent,
        "; ".join(entry.figures) or None,
        clean_text(entry.text) or None,
        _naive(entry.submitted_at),
        _deadline(row, today),
        entry.revision,
        files or None,
        _review(row),
    ], False


def _revision_values(number: int, revision: Revision) -> list[object]:
    return [
        number,
        revision.agency,
        revision.task,
        revision.revision,
        _naive(revision.submitted_at),
        "Muộn" if revision.late else "Đúng hạn",
        _status(revision.status),
        revision.percent,
        clean_text(revision.text) or None,
        source_label(revision.source),
        revision.sender,
        revision.evidence or None,
        "Có" if revision.latest else None,
    ]


def on_time_record(data: ReportData) -> tuple[list[str], list[tuple[str, list[str], int, int]]]:
    """The periods of the year up to this one, and per agency (in directory order): its state
    in each period, the periods due, those reported on time. A period counts once its due date
    has passed or the agency has reported everything; before that it is "Chưa đến hạn"."""
    periods = [period_title_of(s) for s in data.history]
    order = {a.id: i for i, a in enumerate(data.plan.agencies)}
    agencies: dict[str, str] = {}
    for status in data.history:
        for agency in status.agencies:
            agencies.setdefault(agency.agency_id, agency.agency)
    rows = []
    for agency_id in sorted(agencies, key=lambda a: order.get(a, len(order))):
        states: list[str] = []
        due = on_time = 0
        for status in data.history:
            found = status.agency(agency_id)
            if found is None:
                states.append("—")
                continue
            complete = found.state in (st.ON_TIME, st.LATE)
            if not complete and status.now.date() <= found.due:
                states.append("Chưa đến hạn")
                continue
            due += 1
            on_time += found.state == st.ON_TIME
            states.append(STATE_WORDS[found.state] + (" (gia hạn)" if found.extended else ""))
        rows.append((agencies[agency_id], states, due, on_time))
    return periods, rows


def period_title_of(status: st.PeriodStatus) -> str:
    head = {"H1": "06 tháng", "9M": "09 tháng", "FY": "Năm"}.get(status.period_code)
    name = status.period_name.split(" năm ")[0]
    return head or name[:1].upper() + name[1:]


def render_xlsx(data: ReportData) -> bytes:
    """The annex of ``data`` as ``.xlsx`` bytes. ``data.revisions`` must have been gathered
    (``gather(..., revisions=True)``) for the second sheet and the evidence column, and
    ``history`` for the third sheet's earlier periods."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = f"Phụ lục báo cáo kết quả thực hiện Kế hoạch số {data.plan.plan.number}, {period_title(data)}"
    workbook.properties.creator = "baocao"
    workbook.properties.created = data.generated_at.replace(tzinfo=None)

    revisions = data.revisions or ()
    files: dict[tuple[str, str], int] = {}
    for revision in revisions:
        key = (revision.agency_id, revision.task)
        files[key] = files.get(key, 0) + revision.evidence

    ws = _sheet(workbook, SUMMARY_SHEET, SUMMARY_COLUMNS, data, len(data.rows),
                f"Tình hình, kết quả báo cáo của các cơ quan, đơn vị theo từng nhiệm vụ, {period_title(data)}")
    styles = _Styles(ws, SUMMARY_COLUMNS)
    for number, row in enumerate(data.rows, 1):
        values, missing = _summary_values(number, row, files.get((row.agency_id, row.task), 0), data.status.now.date())
        styles.append(values, missing=missing)

    ws = _sheet(workbook, REVISIONS_SHEET, REVISION_COLUMNS, data, len(revisions), f"Các lần gửi báo cáo của các cơ quan, đơn vị, {period_title(data)}")
    styles = _Styles(ws, REVISION_COLUMNS)
    for number, revision in enumerate(revisions, 1):
        styles.append(_revision_values(number, revision))

    periods, record = on_time_record(data)
    columns = (
        ("STT", 5, "center"),
        ("Cơ quan, đơn vị", 34, "text"),
        *((name, 13, "center") for name in periods),
        ("Số kỳ đã đến hạn", 10, "number"),
        ("Số kỳ đúng hạn", 10, "number"),
        ("Tỷ lệ đúng hạn (%)", 11, "number"),
    )
    ws = _sheet(workbook, ON_TIME_SHEET, columns, data, len(record),
                f"Tỷ lệ báo cáo đúng hạn của các cơ quan, đơn vị năm {data.status.year} (đến {period_title(data)})")
    styles = _Styles(ws, columns)
    for number, (agency, states, due, on_time) in enumerate(record, 1):
        rate = round(100 * on_time / due, 1) if due else None
        styles.append([number, agency, *states, due, on_time, rate], missing=rate is not None and rate < 50)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


__all__ = ["ON_TIME_SHEET", "REVISIONS_SHEET", "SUMMARY_SHEET", "on_time_record", "render_xlsx"]
