"""The Excel annex (phụ lục) of the consolidated report (openpyxl).

Two sheets, each with a bold header row that stays in view (frozen with the first two
columns), a filter on every column, column widths a person can read, text that wraps, and a
print set-up (A4 landscape, one page wide, header row repeated, page numbers):

1. **Tổng hợp** — one row per agency × task it owes (or per sub-item it answered): role,
   status of the latest revision in Vietnamese, percent, difficulty, text, when it was sent
   (local time) and first sent, on time or late, how many times it was sent, the
   agency's overall state in the period, its due date (an approved extension — gia hạn —
   moves it, and says so) and Sở Tư pháp's review of its report ("Tiếp nhận", "Yêu cầu bổ
   sung: <lý do>", "Yêu cầu bổ sung, cơ quan đã gửi bổ sung"; empty before any decision).
   A task not answered is one row "Chưa báo cáo".
2. **Các lần gửi** — every revision of every answer, oldest first within an agency's task:
   the revision, when, on time or late, its content, how it came in (Telegram, command
   line), who sent it, the evidence files sent with it, and whether it is the revision the
   report states.

Times are local (the display time zone), written as Excel dates ("dd/mm/yyyy hh:mm").
The workbook is written in openpyxl's write-only mode: a province's year with ten times the
agencies stays fast and small in memory.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from copy import copy
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from reports.data import (
    REVIEW_LABELS,
    ROLE_LABELS,
    source_label,
    STATE_LABELS,
    STATUS_LABELS,
    AnnexRow,
    ReportData,
    Revision,
    clean_text,
)

SUMMARY_SHEET = "Tổng hợp"
REVISIONS_SHEET = "Các lần gửi"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"

_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FONT = Font(name="Times New Roman", size=12, bold=True)
_HEAD_FILL = PatternFill("solid", start_color="DDEBF7")
_HEAD_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_FONT = Font(name="Times New Roman", size=12)
_MISSING_FONT = Font(name="Times New Roman", size=12, color="C00000")
_WRAP = Alignment(vertical="top", wrap_text=True)
_CENTER = Alignment(horizontal="center", vertical="top", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="top")

# (header, width, kind): kind "text" wraps left, "center" centres, "number" right, "datetime".
SUMMARY_COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("STT", 6, "center"),
    ("Cơ quan, đơn vị", 32, "text"),
    ("Nhiệm vụ", 9, "center"),
    ("Tên nhiệm vụ", 38, "text"),
    ("Vai trò", 12, "center"),
    ("Báo cáo", 15, "center"),
    ("Tiến độ", 16, "center"),
    ("Tỷ lệ (%)", 9, "number"),
    ("Khó khăn, vướng mắc", 11, "center"),
    ("Nội dung báo cáo (lần gửi mới nhất)", 60, "text"),
    ("Gửi lúc", 17, "datetime"),
    ("Gửi lần đầu", 17, "datetime"),
    ("Đúng hạn / muộn", 11, "center"),
    ("Số lần gửi", 8, "number"),
    ("Tình trạng của cơ quan trong kỳ", 22, "text"),
    ("Hạn gửi của cơ quan", 16, "center"),
    ("Sở Tư pháp xem xét", 30, "text"),
)
REVISION_COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("STT", 6, "center"),
    ("Cơ quan, đơn vị", 32, "text"),
    ("Nhiệm vụ", 9, "center"),
    ("Lần gửi", 8, "number"),
    ("Gửi lúc", 17, "datetime"),
    ("Đúng hạn / muộn", 11, "center"),
    ("Tiến độ", 16, "center"),
    ("Tỷ lệ (%)", 9, "number"),
    ("Khó khăn, vướng mắc", 11, "center"),
    ("Nội dung", 60, "text"),
    ("Gửi qua", 12, "center"),
    ("Người gửi", 20, "text"),
    ("Minh chứng gửi kèm", 11, "number"),
    ("Được tổng hợp", 11, "center"),
)


def _naive(moment: datetime | None) -> datetime | None:
    # Excel has no time zones: the local wall-clock time the coordinators read.
    return None if moment is None else moment.replace(tzinfo=None)


def _sheet(workbook: Workbook, title: str, columns: Sequence[tuple[str, float, str]], data: ReportData, rows: int):  # type: ignore[no-untyped-def]
    ws = workbook.create_sheet(title)
    for index, (_, width, _) in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "C2"
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{rows + 1}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4 (Worksheet.PAPERSIZE_A4)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddHeader.center.text = f"Phụ lục: {title} — Kế hoạch số {data.plan.plan.number}, {data.period_name}"
    ws.oddFooter.center.text = "Trang &P/&N"
    header = []
    for name, _, _ in columns:
        cell = WriteOnlyCell(ws, value=name)
        cell.font, cell.fill, cell.alignment, cell.border = _HEAD_FONT, _HEAD_FILL, _HEAD_ALIGN, _BORDER
        header.append(cell)
    ws.append(header)
    return ws


class _Styles:
    """One styled template cell per column (and per "not reported" variant); each written
    cell copies its template's style indices. Assigning fonts, borders and alignments cell
    by cell makes openpyxl hash them every time, which dominated the time of a large annex."""

    def __init__(self, ws, columns: Sequence[tuple[str, float, str]]) -> None:  # type: ignore[no-untyped-def]
        self.templates: list[tuple[object, object]] = []
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

    def row(self, ws, values: Sequence[object], *, missing: bool = False) -> list[WriteOnlyCell]:  # type: ignore[no-untyped-def]
        cells = []
        for template, value in zip(self.templates, values, strict=True):
            cell = WriteOnlyCell(ws, value=value)
            cell._style = copy(template[1] if missing else template[0])
            cells.append(cell)
        return cells


def _role(role: str, request: bool) -> str:
    label = ROLE_LABELS.get(role, role)
    return (label + " (đề nghị)" if request else label).capitalize()


def _status(status: str | None) -> str:
    return STATUS_LABELS.get(status or "unspecified", status or "").capitalize()


def _due(row: AnnexRow) -> str | None:
    if row.agency_due is None:
        return None
    due = f"{row.agency_due.day:02d}/{row.agency_due.month:02d}/{row.agency_due.year}"
    return f"{due} (gia hạn)" if row.extended else due


def _review(row: AnnexRow) -> str | None:
    if row.review_state is None:
        return None
    label = REVIEW_LABELS.get(row.review_state, row.review_state).capitalize()
    return f"{label}: {clean_text(row.review_reason)}" if row.review_reason and row.review_state == "returned" else label


def _summary_values(number: int, row: AnnexRow) -> tuple[list[object], bool]:
    entry = row.entry
    common: list[object] = [number, row.agency, row.task, row.task_title, _role(row.role, row.request)]
    state = STATE_LABELS.get(row.agency_state, row.agency_state).capitalize()
    agency = [_due(row), _review(row)]
    if entry is None:
        return [*common, "Chưa báo cáo", None, None, None, None, None, None, None, 0, state, *agency], True
    return [
        *common,
        "Đã báo cáo",
        _status(entry.status),
        entry.percent,
        "Có" if entry.difficulty else None,
        clean_text(entry.text) or None,
        _naive(entry.submitted_at),
        _naive(entry.first_submitted_at),
        "Muộn" if entry.late else "Đúng hạn",
        entry.revision,
        state,
        *agency,
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
        "Có" if revision.difficulty else None,
        clean_text(revision.text) or None,
        source_label(revision.source),
        revision.sender,
        revision.evidence or None,
        "Có" if revision.latest else None,
    ]


def render_xlsx(data: ReportData) -> bytes:
    """The annex of ``data`` as ``.xlsx`` bytes. ``data.revisions`` must have been gathered
    (``gather(..., revisions=True)``) for the second sheet; otherwise it has only its header."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = f"Phụ lục báo cáo kết quả thực hiện Kế hoạch số {data.plan.plan.number}, {data.period_name}"
    workbook.properties.creator = "baocao"
    workbook.properties.created = data.generated_at.replace(tzinfo=None)

    ws = _sheet(workbook, SUMMARY_SHEET, SUMMARY_COLUMNS, data, len(data.rows))
    styles = _Styles(ws, SUMMARY_COLUMNS)
    for number, row in enumerate(data.rows, 1):
        values, missing = _summary_values(number, row)
        ws.append(styles.row(ws, values, missing=missing))

    revisions = data.revisions or ()
    ws = _sheet(workbook, REVISIONS_SHEET, REVISION_COLUMNS, data, len(revisions))
    styles = _Styles(ws, REVISION_COLUMNS)
    for number, revision in enumerate(revisions, 1):
        ws.append(styles.row(ws, _revision_values(number, revision)))

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


__all__ = ["REVISIONS_SHEET", "SUMMARY_SHEET", "render_xlsx"]
