"""The consolidated report as a Word draft (python-docx), in the form of the plan's issuer.

The rules of presentation — header block, sizes, margins, page numbers, signature, "Nơi nhận"
— are data in :mod:`reports.forms` (the Party form of Hướng dẫn 36-HD/VPTW for a ban cán sự
đảng, the administrative form of Nghị định 30/2020/NĐ-CP Phụ lục I for a UBND or a Sở); the
body is :mod:`reports.body`, written from the stored entries. This module only lays them out:

- header: a borderless two-column table — left the parent body, the issuing body, the
  asterisk (Party) or a short rule (administrative), and the number left blank for the clerk;
  right "ĐẢNG CỘNG SẢN VIỆT NAM" or the quốc hiệu and tiêu ngữ, then the place and date in
  italics (the date the draft is made; days below 10 and January, February with a leading
  zero, as documents of issue write it);
- "BÁO CÁO" and the trích yếu centred in bold, "-----" or a short rule under it;
- the body: headings I. (caps, bold), 1. (bold), paragraphs justified with an indented first
  line, list items "- …";
- "Nơi nhận:" with the plan's onward recipients (less the issuing body itself), each "- …;",
  and "- Lưu: VT, <drafting unit>." last; the signature block of the issuing body;
- A4, the form's margins, page numbers centred at the top from page 2; "DỰ THẢO" at the top
  of page 1 (the draft is Sở Tư pháp's, to be edited and numbered before signature).

Times New Roman is named in the file whether or not it is installed where the file is made:
Word renders it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from lxml import etree

from common.text import fold
from reports import body as bodytext
from reports.data import ReportData
from reports.forms import Form, Text, admin_date, form_of, number_code, signature, unit_code

FONT = "Times New Roman"


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


def _style(style, rule: Text, form: Form, *, indent: bool = True) -> None:  # type: ignore[no-untyped-def]
    style.font.name = FONT
    style.font.size = Pt(rule.size)
    style.font.bold = rule.bold
    style.font.italic = rule.italic
    style.font.color.rgb = RGBColor(0, 0, 0)
    _fonts(style.element)
    pf = style.paragraph_format
    pf.space_before, pf.space_after = Pt(form.space_after_pt), Pt(form.space_after_pt)
    pf.first_line_indent = Cm(form.first_line_indent_cm) if indent else Cm(0)
    pf.keep_with_next = True
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
    pf.line_spacing = form.line_spacing


def _setup(document, form: Form) -> None:  # type: ignore[no-untyped-def]
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(form.page_mm[0]), Mm(form.page_mm[1])
    top, bottom, left, right = form.margins_mm
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    section.header_distance = section.footer_distance = Mm(10)

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
    normal.font.size = Pt(form.body.size)
    _fonts(normal.element)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(form.space_after_pt)
    fmt.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
    fmt.line_spacing = form.line_spacing
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.first_line_indent = Cm(form.first_line_indent_cm)
    for name, rule in (("Heading 1", form.heading1), ("Heading 2", form.heading2), ("Heading 3", form.heading3)):
        _style(document.styles[name], rule, form)
    _page_numbers(section, form)


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


def _page_numbers(section, form: Form) -> None:  # type: ignore[no-untyped-def]
    """Page numbers centred in the top margin from page 2; "DỰ THẢO" at the top of page 1."""
    section.different_first_page_header_footer = form.page_number_from > 1
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Cm(0)
    _field(paragraph, "PAGE")
    for run in paragraph.runs:
        run.font.size = Pt(form.page_number.size)
    first = section.first_page_header.paragraphs[0]
    first.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    first.paragraph_format.first_line_indent = Cm(0)
    run = first.add_run("DỰ THẢO")
    run.bold = True
    run.font.size = Pt(12)


_W_R, _W_RPR, _W_B, _W_I, _W_T = qn("w:r"), qn("w:rPr"), qn("w:b"), qn("w:i"), qn("w:t")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _runs(paragraph, parts: Iterable[tuple[str, str]]) -> None:  # type: ignore[no-untyped-def]
    """Append runs: ``("b", text)`` bold, ``("i", text)`` italic, ``("", text)`` plain.

    Written as XML directly (``<w:r><w:rPr><w:b/></w:rPr><w:t>…</w:t></w:r>``): a province
    with 500 agencies makes tens of thousands of runs, and python-docx's ``add_run`` and
    ``run.bold`` search the element's children on every call, several times slower."""
    element = paragraph._p
    for style, text in parts:
        if not text:
            continue
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


def _line(paragraph, text: str, rule: Text) -> None:  # type: ignore[no-untyped-def]
    run = paragraph.add_run(text.upper() if rule.caps else text)
    run.bold, run.italic, run.underline = rule.bold or None, rule.italic or None, rule.underline or None
    run.font.size = Pt(rule.size)


def _rule_under(paragraph, width_cm: float, cell_cm: float) -> None:  # type: ignore[no-untyped-def]
    """A short horizontal rule under ``paragraph``: its bottom border, indented to ``width_cm``."""
    side = max(0.0, (cell_cm - width_cm) / 2)
    paragraph.paragraph_format.left_indent = Cm(side)
    paragraph.paragraph_format.right_indent = Cm(side)
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attr, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(attr), value)
    borders.append(bottom)
    ppr.append(borders)


def _cell_paragraph(cell, first: bool, align=WD_ALIGN_PARAGRAPH.CENTER):  # type: ignore[no-untyped-def]
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.first_line_indent = Cm(0)
    paragraph.paragraph_format.line_spacing = 1.0
    return paragraph


def _two_columns(document, widths: tuple[float, float]):  # type: ignore[no-untyped-def]
    """A borderless one-row table of two cells (header block, recipients and signature); the
    row never splits across pages."""
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    row_properties = table.rows[0]._tr.get_or_add_trPr()
    row_properties.append(OxmlElement("w:cantSplit"))
    for cell, width in zip(table.rows[0].cells, widths, strict=True):
        cell.width = Cm(width)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    return table.rows[0].cells


# --- words -------------------------------------------------------------------------------------


def parent_body(data: ReportData, form: Form) -> str | None:
    """The header's line above the issuer: the plan's ``issuer_parent``, else "ĐẢNG BỘ TỈNH
    <PROVINCE>" for a Party body, "UBND TỈNH <PROVINCE>" for a Sở; a UBND has none."""
    info = data.plan.plan
    if info.issuer_parent:
        return info.issuer_parent
    province = (data.province or "").strip()
    if not province:
        return None
    if form.key == "party":
        return f"ĐẢNG BỘ TỈNH {province}"
    if fold(data.issuer).startswith(("uy ban nhan dan", "ubnd")):
        return None
    return f"UBND TỈNH {province}"


def drafting_unit(data: ReportData) -> str:
    """The unit that drafts the report (Sở Tư pháp, the plan's recipient), abbreviated."""
    agency = data.plan.agency_by_id.get(data.plan.reporting.recipient)
    if agency is None:
        return ""
    return unit_code(agency.name, agency.aliases)


def issuer_lines(data: ReportData) -> str:
    """The issuing body as the header names it: "BAN CÁN SỰ ĐẢNG UBND TỈNH", "SỞ TƯ PHÁP",
    "ỦY BAN NHÂN DÂN TỈNH NINH THUẬN" (a UBND with its province: it has no parent line)."""
    issuer = data.issuer
    folded = fold(issuer)
    if folded.startswith(("uy ban nhan dan", "ubnd")):
        # A UBND's header names it in full, with its place: it has no parent line (NĐ 30).
        issuer = "Ủy ban nhân dân" + issuer[4:] if folded.startswith("ubnd") else issuer
        if data.province and fold(data.province) not in fold(issuer):
            issuer = f"{issuer} {data.province}"
    elif form_of(data.plan).key == "administrative" and parent_body(data, form_of(data.plan)) and folded.endswith((" tinh", " thanh pho")):
        issuer = issuer.rsplit(" ", 1)[0]  # "Sở Tư pháp tỉnh" under "UBND TỈNH NINH THUẬN": "SỞ TƯ PHÁP"
    return issuer


# --- the document ------------------------------------------------------------------------------


LEFT_CM, RIGHT_CM = 7.2, 8.8  # the header's columns: 16 cm of text width (210 − 30 − 20 mm)


def _header(document, data: ReportData, form: Form) -> None:  # type: ignore[no-untyped-def]
    left, right = _two_columns(document, (LEFT_CM, RIGHT_CM))
    parent = parent_body(data, form)
    first = True
    if parent:
        _line(_cell_paragraph(left, first), parent, form.parent)
        first = False
    issuer = _cell_paragraph(left, first)
    _line(issuer, issuer_lines(data), form.issuer)
    if form.issuer_mark == "*":
        _line(_cell_paragraph(left, False), "*", form.number)
    else:
        _rule_under(issuer, LEFT_CM / 3, LEFT_CM)
    _line(_cell_paragraph(left, False), form.number_line(number_code(data.plan.plan.number)), form.number)

    last = None
    for index, (text, rule) in enumerate(form.national):
        last = _cell_paragraph(right, index == 0)
        _line(last, text, rule)
    if form.national_rule and last is not None:
        _rule_under(last, 5.6, RIGHT_CM)  # about the motto's length at 13 pt
    gap = _cell_paragraph(right, False)
    gap.paragraph_format.space_after = Pt(6)
    province = (data.province or "").strip()
    place = f"{province}, " if province else ""
    _line(_cell_paragraph(right, False), place + admin_date(data.generated_at.date()), form.place_date)


def _title(document, data: ReportData, form: Form) -> None:  # type: ignore[no-untyped-def]
    def centred(space_before: float = 0):  # type: ignore[no-untyped-def]
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.first_line_indent = Cm(0)
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.paragraph_format.space_before = Pt(space_before)
        paragraph.paragraph_format.keep_with_next = True
        return paragraph

    _line(centred(18), "BÁO CÁO", form.doc_type)
    summary = centred()
    _line(summary, bodytext.summary_line(data), form.summary)
    mark = centred()
    mark.paragraph_format.space_after = Pt(12)
    if form.summary_mark == "rule":
        _rule_under(mark, 4.0, 16.0)  # a short rule, about a third of the line (NĐ 30)
    else:
        _line(mark, form.summary_mark, form.summary)


def _body(document, data: ReportData) -> None:  # type: ignore[no-untyped-def]
    for block in bodytext.blocks(data):
        if block.kind.startswith("h"):
            paragraph = document.add_paragraph(style=f"Heading {block.kind[1]}")
            _runs(paragraph, [("", block.text)])
            continue
        paragraph = document.add_paragraph()
        _runs(paragraph, block.runs)
    paragraph.paragraph_format.keep_with_next = True  # the closing sentence stays with the signature


def _closing(document, data: ReportData, form: Form) -> None:  # type: ignore[no-untyped-def]
    own = fold(data.plan.plan.issuer)
    short = fold(data.issuer)
    onward = [name for name in data.plan.reporting.onward if fold(name) not in (own, short)]
    left, right = _two_columns(document, (7.0, 9.0))
    label = _cell_paragraph(left, True, WD_ALIGN_PARAGRAPH.LEFT)
    _line(label, form.recipients_label, form.recipients_label_text)
    for name in onward:
        _line(_cell_paragraph(left, False, WD_ALIGN_PARAGRAPH.LEFT), f"- {name};", form.recipients)
    unit = drafting_unit(data)
    archive = form.archive_pattern.format(unit=unit) if unit else "- Lưu: VT."
    _line(_cell_paragraph(left, False, WD_ALIGN_PARAGRAPH.LEFT), archive, form.recipients)

    sign = signature(form, data.issuer, data.plan.plan.signer)
    for index, line in enumerate(sign.lines):
        rule = form.authority if index < len(sign.lines) - 1 else form.position
        _line(_cell_paragraph(right, index == 0), line, rule)
    for _ in range(4):
        _cell_paragraph(right, False).add_run("").font.size = Pt(form.signer.size)
    if sign.name:
        _line(_cell_paragraph(right, False), sign.name, form.signer)
    else:
        _line(_cell_paragraph(right, False), "(họ và tên)", Text(form.signer.size, italic=True))


def render_docx(data: ReportData) -> bytes:
    """The Word draft of ``data`` as ``.docx`` bytes, in the form of the plan's issuer."""
    form = form_of(data.plan)
    document = Document()
    _setup(document, form)
    info = document.core_properties
    info.title = f"Báo cáo {bodytext.summary_line(data)}"
    info.subject = data.plan.plan.title
    info.author = data.issuer
    info.comments = f"Dự thảo do baocao tổng hợp từ báo cáo của các cơ quan, đơn vị; thể thức theo {form.basis}."
    info.created = data.generated_at.replace(tzinfo=None)

    _header(document, data, form)
    _title(document, data, form)
    _body(document, data)
    _closing(document, data, form)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


__all__ = ["admin_date", "drafting_unit", "number_code", "parent_body", "render_docx"]
