"""The consolidated report as a Word draft (python-docx), in Vietnamese administrative style.

The report is the Ban Cán sự Đảng's (the plan says the agencies' reports go to UBND tỉnh
through Sở Tư pháp "để tổng hợp chung, tham mưu xây dựng báo cáo của Ban Cán sự Đảng UBND
tỉnh"), so it takes the form of a Party document (Hướng dẫn 36-HD/VPTW ngày 03/4/2018 của Văn
phòng Trung ương Đảng về thể thức và kỹ thuật trình bày văn bản của Đảng), not the state form
of Nghị định 30/2020/NĐ-CP:

- header, left: the superior Party body ("ĐẢNG BỘ TỈNH NINH THUẬN", from ``plan.province``;
  some provinces write "TỈNH ỦY …" there, a one-line change in :func:`_header`), the issuing
  body in bold ("BAN CÁN SỰ ĐẢNG UBND TỈNH", from ``plan.issuer`` less the province), an
  asterisk, and the number left blank for the clerk, "Số      -BC/BCSĐ" (a Party document
  number has no colon after "Số"; the suffix is the plan number's);
- header, right: "ĐẢNG CỘNG SẢN VIỆT NAM" bold and underlined, then the place and date in
  italics, "Ninh Thuận, ngày 20 tháng 3 năm 2024" (the generation date; days below 10 and
  the months January and February get a leading zero, as official documents write them);
- "BÁO CÁO" and its summary line centred in bold; body in Times New Roman 14 pt, justified,
  first lines indented; A4 with margins 2 cm top and bottom, 3 cm left, 2 cm right; page
  numbers centred at the top from page 2; "DỰ THẢO" in the first page's header;
- sections I–VI (reporting situation — with a short part "Gia hạn thời hạn báo cáo" listing
  the extensions Sở Tư pháp granted and declined, with their dates —, results per task,
  agencies not reported, difficulties, recommendations, next period), "Nơi nhận" with the plan's onward recipients (less the
  issuing body itself) and "Lưu VT", and the signature block of the issuing body.

Times New Roman is named in the file whether or not it is installed where the file is made:
Word renders it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from lxml import etree

from common import tasks as taskrefs
from common.text import fold
from reports import status as st
from reports.data import Contribution, Finding, ReportData, TaskReport, extension_text, names, percent_text
from common.vndate import format_date_short, format_date_vi

FONT = "Times New Roman"
BODY_PT = 14
HEADER_PT = 13  # the header block's lines: long names must fit their half of the page
INDENT = Cm(1.27)
# Coordinating agencies that have not answered a task are named in the task's section up to
# this many; beyond it, counted (the annex lists every one).
MAX_SILENT_NAMED = 10


# --- low-level formatting ----------------------------------------------------------------------


def _fonts(element, name: str = FONT) -> None:  # type: ignore[no-untyped-def]
    """Name the font for every script, and drop theme fonts (they would win over the name)."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attr), None)


def _setup(document) -> None:  # type: ignore[no-untyped-def]
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.header_distance = section.footer_distance = Cm(1)

    # Defaults for every run (docDefaults), then the styles used.
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None and rpr_default.find(qn("w:rPr")) is not None:
            fonts = rpr_default.find(qn("w:rPr")).find(qn("w:rFonts"))
            if fonts is not None:
                for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
                    fonts.attrib.pop(qn(attr), None)
                for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
                    fonts.set(qn(attr), FONT)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    _fonts(normal.element)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(6)
    fmt.line_spacing = 1.1
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.first_line_indent = INDENT
    for name, size, italic in (("Heading 1", BODY_PT, False), ("Heading 2", BODY_PT, False), ("Heading 3", BODY_PT, True)):
        style = document.styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.italic = italic
        style.font.color.rgb = RGBColor(0, 0, 0)
        _fonts(style.element)
        pf = style.paragraph_format
        pf.space_before, pf.space_after = Pt(6), Pt(6)
        pf.first_line_indent = INDENT
        pf.keep_with_next = True
        pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _page_numbers(section)


def _field(paragraph, instruction: str) -> None:  # type: ignore[no-untyped-def]
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "2"), ("end", None)):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == instruction:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _page_numbers(section) -> None:  # type: ignore[no-untyped-def]
    """Page numbers centred at the top from page 2; "DỰ THẢO" at the top of page 1."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Cm(0)
    _field(paragraph, "PAGE")
    first = section.first_page_header.paragraphs[0]
    first.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    first.paragraph_format.first_line_indent = Cm(0)
    run = first.add_run("DỰ THẢO")
    run.bold = True
    run.font.size = Pt(12)


def _para(
    document,  # type: ignore[no-untyped-def]
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    align=WD_ALIGN_PARAGRAPH.JUSTIFY,  # type: ignore[no-untyped-def]
    indent: bool = True,
    size: float | None = None,
    after: float | None = None,
):
    # Normal is justified with an indented first line: body paragraphs carry no properties.
    paragraph = document.add_paragraph()
    if align != WD_ALIGN_PARAGRAPH.JUSTIFY:
        paragraph.alignment = align
    if not indent:
        paragraph.paragraph_format.first_line_indent = Cm(0)
    if after is not None:
        paragraph.paragraph_format.space_after = Pt(after)
    if text and size is None:
        _runs(paragraph, [(("b" if bold else "") + ("i" if italic else ""), text)])
    elif text:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold or None, italic or None
        run.font.size = Pt(size)
    return paragraph


_W_R, _W_RPR, _W_B, _W_I, _W_T = qn("w:r"), qn("w:rPr"), qn("w:b"), qn("w:i"), qn("w:t")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _runs(paragraph, parts: Iterable[tuple[str, str]]) -> None:  # type: ignore[no-untyped-def]
    """Append runs: ``("b", text)`` bold, ``("i", text)`` italic, ``("", text)`` plain.

    Written as XML directly (``<w:r><w:rPr><w:b/></w:rPr><w:t>…</w:t></w:r>``): a province
    with 500 agencies makes tens of thousands of runs, and python-docx's ``add_run`` and
    ``run.bold`` search the element's children on every call, several times slower. The text
    is on one line (no tabs or breaks to convert)."""
    element = paragraph._p
    for style, text in parts:
        run = etree.SubElement(element, _W_R)
        if "b" in style or "i" in style:
            properties = etree.SubElement(run, _W_RPR)
            if "b" in style:
                etree.SubElement(properties, _W_B)
            if "i" in style:
                etree.SubElement(properties, _W_I)
        node = etree.SubElement(run, _W_T)
        node.text = " ".join(text.split()) if ("\n" in text or "\t" in text) else text
        node.set(_XML_SPACE, "preserve")


def _cell_lines(cell, lines: Sequence[tuple[str, str, float]], align=WD_ALIGN_PARAGRAPH.CENTER) -> None:  # type: ignore[no-untyped-def]
    """Fill a table cell with lines ``(style, text, size)``; style letters b, i, u."""
    for index, (style, text, size) in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        paragraph.alignment = align
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.paragraph_format.first_line_indent = Cm(0)
        run = paragraph.add_run(text)
        run.bold, run.italic, run.underline = "b" in style, "i" in style, "u" in style
        run.font.size = Pt(size)


def _two_columns(document, widths: tuple[Cm, Cm]):  # type: ignore[no-untyped-def]
    """A borderless one-row table of two cells (header block, recipients and signature); the
    row never splits across pages."""
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    row_properties = table.rows[0]._tr.get_or_add_trPr()
    cant_split = OxmlElement("w:cantSplit")
    row_properties.append(cant_split)
    for cell, width in zip(table.rows[0].cells, widths, strict=True):
        cell.width = width
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    return table.rows[0].cells


# --- words -------------------------------------------------------------------------------------


def admin_date(day: date) -> str:
    """"ngày 05 tháng 02 năm 2024", "ngày 20 tháng 3 năm 2024": days below 10 and months
    below 3 with a leading zero, as official documents write the date of issue."""
    d = f"{day.day:02d}" if day.day < 10 else str(day.day)
    m = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {d} tháng {m} năm {day.year}"


def _plan_reference(data: ReportData) -> str:
    info = data.plan.plan
    return f"Kế hoạch số {info.number} ngày {format_date_short(info.date)} của {data.issuer}"


def _plan_subject(data: ReportData) -> str:
    """"thực hiện Chương trình …" from the plan's title "Kế hoạch thực hiện Chương trình …"."""
    title = data.plan.plan.title.strip()
    if fold(title).startswith("ke hoach "):
        title = title[len("Kế hoạch ") :].strip()
    return title[:1].lower() + title[1:]


def _tasks(numbers: Iterable[str]) -> str:
    return ", ".join(numbers)


def _answer(contribution: Contribution) -> list[tuple[str, str]]:
    """"- **Công an tỉnh**: *đang thực hiện, 70%*. Vướng kinh phí." as runs."""
    entry = contribution.entry
    head = contribution.agency
    if taskrefs.is_sub_item(entry.task):  # a sub-item: "1a"
        head += f" (nội dung {entry.task})"
    facts = [contribution.status_label]
    if entry.percent is not None:
        facts.append(percent_text(entry.percent))
    text = contribution.text
    parts: list[tuple[str, str]] = [("", "- "), ("b", head), ("", ": "), ("i", ", ".join(facts))]
    if text:
        parts.append(("", ". " + text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?", "…")) else ".")))
    else:
        parts.append(("", "."))
    return parts


def _grouped(findings: Sequence[Finding]) -> list[tuple[str, list[str], str]]:
    """Findings with the same agency and text (raised on several tasks) as one line."""
    out: list[tuple[str, list[str], str]] = []
    index: dict[tuple[str, str], int] = {}
    for finding in findings:
        key = (finding.agency_id, fold(finding.text))
        if key in index:
            tasks = out[index[key]][1]
            if finding.task not in tasks:
                tasks.append(finding.task)
            continue
        index[key] = len(out)
        out.append((finding.agency, [finding.task], finding.text))
    return out


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "…")) else text + "."


# --- the document ------------------------------------------------------------------------------


def _header(document, data: ReportData) -> None:  # type: ignore[no-untyped-def]
    left, right = _two_columns(document, (Cm(7.6), Cm(8.4)))
    province = (data.province or "").strip()
    lines: list[tuple[str, str, float]] = []
    if province:
        lines.append(("", f"ĐẢNG BỘ TỈNH {province.upper()}", HEADER_PT))
    lines += [("b", data.issuer.upper(), HEADER_PT), ("", "*", HEADER_PT)]
    suffix = f"/{data.number_suffix}" if data.number_suffix else ""
    lines.append(("", f"Số      -BC{suffix}", HEADER_PT))
    _cell_lines(left, lines)
    place = f"{province}, " if province else ""
    _cell_lines(
        right,
        [("bu", "ĐẢNG CỘNG SẢN VIỆT NAM", 15), ("", "", 8), ("i", place + admin_date(data.generated_at.date()), HEADER_PT)],
    )


def _title(document, data: ReportData) -> None:  # type: ignore[no-untyped-def]
    _para(document, after=0, indent=False).paragraph_format.space_before = Pt(18)
    _para(document, "BÁO CÁO", bold=True, size=15, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, after=0)
    paragraph = _para(document, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, after=0)
    run = paragraph.add_run(f"Kết quả thực hiện {_plan_reference(data)} về {_plan_subject(data)}, {data.period_name}")
    run.bold = True
    _para(document, "-----", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, after=12)


def _opening(document, data: ReportData) -> None:  # type: ignore[no-untyped-def]
    recipient = data.plan.reporting.recipient_text or data.plan.agency_by_id[data.plan.reporting.recipient].name
    _para(
        document,
        f"Thực hiện {_plan_reference(data)} về {_plan_subject(data)}; trên cơ sở báo cáo của các "
        f"cơ quan, đơn vị, địa phương gửi về {recipient} (số liệu tính từ {format_date_vi(data.cutoff_from, weekday=False)} "
        f"đến {format_date_vi(data.cutoff_to, weekday=False)}), {data.issuer} báo cáo kết quả thực hiện "
        f"{data.period_name} như sau:",
    )


def _situation(document, data: ReportData) -> None:  # type: ignore[no-untyped-def]
    s = data.status
    c = s.counts
    document.add_heading("I. TÌNH HÌNH BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ", level=1)
    if not s.agencies:
        _para(document, f"Kỳ báo cáo {data.period_name} không có cơ quan, đơn vị nào phải báo cáo.")
        return
    now = s.now
    _para(
        document,
        f"Kỳ báo cáo {data.period_name} có {s.total} cơ quan, đơn vị, địa phương phải báo cáo kết quả thực hiện "
        f"Kế hoạch; hạn gửi báo cáo là {format_date_vi(s.due, weekday=False)}. Tính đến {now:%H} giờ {now:%M} "
        f"{format_date_vi(now.date(), weekday=False)}: {s.reported} cơ quan, đơn vị đã báo cáo đầy đủ các nhiệm vụ "
        f"được giao ({c[st.ON_TIME]} báo cáo đúng hạn, {c[st.LATE]} có nhiệm vụ gửi sau hạn); {c[st.PARTIAL]} cơ "
        f"quan, đơn vị báo cáo chưa đầy đủ; {c[st.MISSING]} cơ quan, đơn vị chưa báo cáo (danh sách tại mục III; "
        "chi tiết từng cơ quan, từng nhiệm vụ tại Phụ lục kèm theo).",
    )
    silent = data.silent_tasks
    if silent:
        _para(
            document,
            "Chưa có cơ quan, đơn vị nào báo cáo về nhiệm vụ " + _tasks(t.no for t in silent) + ".",
        )


def _extensions(document, data: ReportData) -> None:  # type: ignore[no-untyped-def]
    document.add_heading("Gia hạn thời hạn báo cáo", level=2)
    if not data.extensions:
        _para(document, "Trong kỳ, không có cơ quan, đơn vị nào được gia hạn thời hạn gửi báo cáo.")
        return
    granted = sum(1 for row in data.extensions if row.approved)
    declined = len(data.extensions) - granted
    _para(document, f"Sở Tư pháp đã đồng ý {granted} và không đồng ý {declined} đề nghị gia hạn thời hạn gửi báo cáo:")
    for row in data.extensions:
        head, text = extension_text(row)
        _runs(_para(document), [("", "- "), ("b", head), ("", ": " + text + ".")])


def _task(document, task: TaskReport) -> None:  # type: ignore[no-untyped-def]
    document.add_heading(f"{task.no}. {task.title}", level=2)
    lead = names(task.lead_names) or (task.lead_text or "")
    if task.lead_is_request:
        lead += " (Kế hoạch đề nghị chủ trì)"
    facts = [("i", "Cơ quan chủ trì: "), ("", lead)]
    if task.time_frame:
        facts += [("i", "; thời gian thực hiện: "), ("", task.time_frame)]
    _runs(_para(document), [*facts, ("", ".")])
    s = task.summary
    if not task.reported:
        _para(document, "Chưa có cơ quan, đơn vị nào báo cáo kết quả thực hiện nhiệm vụ này trong kỳ.", italic=True)
    else:
        statuses = [
            f"{label} {s.statuses.get(key, 0)}"
            for key, label in (
                ("done", "hoàn thành"),
                ("in_progress", "đang thực hiện"),
                ("not_started", "chưa triển khai"),
                ("not_arisen", "không phát sinh"),
                (st.UNSPECIFIED, "chưa nêu tiến độ"),
            )
            if s.statuses.get(key, 0)
        ]
        text = f"Có {s.reported_by}/{s.assigned_to} cơ quan, đơn vị đã báo cáo ({', '.join(statuses)})"
        if s.average_percent is not None:
            text += f"; tiến độ bình quân {percent_text(s.average_percent)}"
        if s.difficulties:
            text += f"; {s.difficulties} cơ quan, đơn vị nêu khó khăn, vướng mắc"
        _para(document, text + ".")

    document.add_heading("a) Kết quả của cơ quan chủ trì", level=3)
    if not task.leads and not task.silent_leads:
        _para(document, "Cơ quan chủ trì không phải báo cáo trong kỳ này.")
    for contribution in task.leads:
        _runs(_para(document), _answer(contribution))
    for name in task.silent_leads:
        _runs(_para(document), [("", "- "), ("b", name), ("", ": "), ("i", "chưa báo cáo.")])

    document.add_heading("b) Kết quả phối hợp của các cơ quan, đơn vị", level=3)
    if not task.coordinators and not task.silent_coordinators:
        _para(document, "Nhiệm vụ không có cơ quan phối hợp phải báo cáo trong kỳ.")
    for contribution in task.coordinators:
        _runs(_para(document), _answer(contribution))
    if task.silent_coordinators:
        n = len(task.silent_coordinators)
        if n <= MAX_SILENT_NAMED:
            text = f"Chưa báo cáo ({n}): {names(task.silent_coordinators)}."
        else:
            text = f"Còn {n} cơ quan, đơn vị phối hợp chưa báo cáo về nhiệm vụ này (chi tiết tại Phụ lục)."
        _para(document, text, italic=True)

    if task.difficulties:
        document.add_heading("c) Khó khăn, vướng mắc", level=3)
        for agency, tasks, text in _grouped(task.difficulties):
            label = f" (nội dung {_tasks(tasks)})" if tasks != [task.no] else ""
            _runs(_para(document), [("", "- "), ("b", agency + label), ("", ": " + _sentence(text))])


def _not_reported(document, data: ReportData) -> None:  # type: ignore[no-untyped-def]
    document.add_heading("III. CƠ QUAN, ĐƠN VỊ CHƯA BÁO CÁO, BÁO CÁO CHƯA ĐẦY ĐỦ HOẶC GỬI SAU HẠN", level=1)
    missing, partial, late = data.by_state(st.MISSING), data.by_state(st.PARTIAL), data.by_state(st.LATE)
    if not data.status.agencies:
        _para(document, "Không có cơ quan, đơn vị nào phải báo cáo trong kỳ.")
        return
    if not (missing or partial or late):
        _para(document, "Tất cả các cơ quan, đơn vị đã báo cáo đầy đủ, đúng hạn.")
        return
    number = 0
    if missing:
        number += 1
        document.add_heading(f"{number}. Chưa báo cáo ({len(missing)} cơ quan, đơn vị)", level=2)
        _para(document, names(a.agency for a in missing) + ".")
    if partial:
        number += 1
        document.add_heading(f"{number}. Báo cáo chưa đầy đủ ({len(partial)} cơ quan, đơn vị)", level=2)
        for a in partial:
            _runs(_para(document), [("", "- "), ("b", a.agency), ("", f": còn thiếu nhiệm vụ {_tasks(a.missing_tasks)}.")])
    if late:
        number += 1
        document.add_heading(f"{number}. Gửi báo cáo sau hạn ({len(late)} cơ quan, đơn vị)", level=2)
        for a in late:
            last = a.last_submitted_at
            when = f" (gửi {format_date_vi(last.date(), weekday=False)})" if last is not None else ""
            _runs(_para(document), [("", "- "), ("b", a.agency), ("", f": nhiệm vụ {_tasks(a.late_tasks)}{when}.")])


def _findings(document, title: str, findings: Sequence[Finding], empty: str) -> None:  # type: ignore[no-untyped-def]
    document.add_heading(title, level=1)
    if not findings:
        _para(document, empty)
        return
    for agency, tasks, text in _grouped(findings):
        named = [t for t in tasks if t]
        where = f" (nhiệm vụ {_tasks(named)})" if named else ""  # "": the agency's general part
        _runs(_para(document), [("", "- "), ("b", agency), ("", f"{where}: " + _sentence(text))])


def _next(document, data: ReportData) -> None:  # type: ignore[no-untyped-def]
    document.add_heading("VI. NHIỆM VỤ TRỌNG TÂM KỲ TỚI", level=1)
    unfinished = [t.no for t in data.tasks if not t.leads or any(c.entry.status != "done" for c in t.leads)]
    parts = ["Tiếp tục chỉ đạo các cơ quan, đơn vị, địa phương triển khai các nhiệm vụ của Kế hoạch"]
    if unfinished:
        parts[0] += ", tập trung vào các nhiệm vụ chưa hoàn thành (nhiệm vụ " + _tasks(unfinished) + ")"
    behind = len(data.by_state(st.MISSING)) + len(data.by_state(st.PARTIAL))
    if behind:
        parts.append(f"đôn đốc {behind} cơ quan, đơn vị chưa báo cáo hoặc báo cáo chưa đầy đủ hoàn thành báo cáo {data.period_name}")
    if data.next_period is not None:
        recipient = data.plan.reporting.recipient_text or data.plan.agency_by_id[data.plan.reporting.recipient].name
        parts.append(
            f"các cơ quan, đơn vị báo cáo kết quả {data.next_period.name} về {recipient} "
            f"trước {format_date_vi(data.next_period.due, weekday=False)}"
        )
    _para(document, "; ".join(parts) + ".")


def _collective(issuer: str) -> str:
    """The body signing "T/M" (thay mặt): a ban cán sự đảng signs as "BAN CÁN SỰ ĐẢNG"
    (Hướng dẫn 36-HD/VPTW); any other issuer by its own name."""
    words = issuer.split()
    if fold(" ".join(words[:4])) == "ban can su dang":
        return " ".join(words[:4]).upper()
    return issuer.upper()


def _closing(document, data: ReportData) -> None:  # type: ignore[no-untyped-def]
    closing = _para(
        document,
        f"Trên đây là báo cáo kết quả thực hiện {_plan_reference(data)} {data.period_name}./.",
    )
    closing.paragraph_format.keep_with_next = True
    own = fold(data.issuer)
    onward = [name for name in data.plan.reporting.onward if fold(name) != own]
    left, right = _two_columns(document, (Cm(7.0), Cm(9.0)))
    lines: list[tuple[str, str, float]] = [("bi", "Nơi nhận:", 12)]
    lines += [("", f"- {name},", 11) for name in onward]
    lines.append(("", "- Lưu VT.", 11))
    _cell_lines(left, lines, align=WD_ALIGN_PARAGRAPH.LEFT)
    signer = (data.plan.plan.signer or "").split(",")
    position = ""
    if len(signer) > 1 and fold(signer[-1]).endswith(fold(data.issuer)):
        position = signer[-1].strip()[: -len(data.issuer)].strip()
    _cell_lines(
        right,
        [
            ("b", f"T/M {_collective(data.issuer)}", BODY_PT),
            ("b", position.upper() if position else "(chức vụ người ký)", BODY_PT),
            ("", "", BODY_PT),
            ("", "", BODY_PT),
            ("", "", BODY_PT),
            ("b" if position else "i", signer[0].strip() if position else "(họ và tên)", BODY_PT),
        ],
    )


def render_docx(data: ReportData) -> bytes:
    """The Word draft of ``data`` as ``.docx`` bytes."""
    document = Document()
    _setup(document)
    info = document.core_properties
    info.title = f"Báo cáo kết quả thực hiện Kế hoạch số {data.plan.plan.number}, {data.period_name}"
    info.subject = data.plan.plan.title
    info.author = data.issuer
    info.comments = "Dự thảo do baocao tổng hợp từ báo cáo của các cơ quan, đơn vị."
    info.created = data.generated_at.replace(tzinfo=None)

    _header(document, data)
    _title(document, data)
    _opening(document, data)
    _situation(document, data)
    _extensions(document, data)
    document.add_heading("II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ", level=1)
    if not data.tasks:
        _para(document, "Không có nhiệm vụ nào phải báo cáo trong kỳ.")
    for task in data.tasks:
        _task(document, task)
    _not_reported(document, data)
    _findings(
        document,
        "IV. KHÓ KHĂN, VƯỚNG MẮC",
        data.difficulties,
        "Các cơ quan, đơn vị chưa phản ánh khó khăn, vướng mắc trong kỳ.",
    )
    _findings(
        document,
        "V. KIẾN NGHỊ, ĐỀ XUẤT",
        data.recommendations,
        "Các cơ quan, đơn vị chưa có kiến nghị, đề xuất trong kỳ.",
    )
    _next(document, data)
    _closing(document, data)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


__all__ = ["admin_date", "render_docx"]
