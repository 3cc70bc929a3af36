"""Each rule of both report forms (reports/forms.py) checked on a generated Word draft, on
SQLite and PostgreSQL: the Party form (Hướng dẫn 36-HD/VPTW) for the seed plan of a Ban Cán sự
Đảng, the administrative form (Nghị định 30/2020/NĐ-CP, Phụ lục I) for the same plan issued
by a UBND and by a Sở. On the scripted quý I 2024 of tests/reports/test_report.py.
"""

from __future__ import annotations

import io
import json

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

import reports as report
from common.paths import BUNDLED_DATA_DIR
from reports.forms import ADMINISTRATIVE, PARTY, Form, form_of, signature, unit_code
from scheduler.plan import PlanError, parse_plan
from tests.reports.test_report import CAL, NOW, PERIOD, PLAN, VN, seed

RAW = json.loads((BUNDLED_DATA_DIR / "plan.json").read_text(encoding="utf-8"))


def plan_issued_by(issuer: str, signer: str, number: str, *, form: str | None = None, drop_form: bool = True):
    raw = json.loads(json.dumps(RAW))
    raw["plan"].update(id=number, number=number, issuer=issuer, signer=signer)
    if drop_form:
        raw["plan"].pop("report_form", None)
    if form is not None:
        raw["plan"]["report_form"] = form
    return parse_plan(json.dumps(raw, ensure_ascii=False))


CASES = {
    "party": (PLAN, PARTY, ["ĐẢNG BỘ TỈNH NINH THUẬN", "BAN CÁN SỰ ĐẢNG UBND TỈNH"], "Số      -BC/BCSĐ",
              ["T/M BAN CÁN SỰ ĐẢNG", "BÍ THƯ"], "Trần Quốc Nam"),
    "ubnd": (plan_issued_by("UBND tỉnh Ninh Thuận", "Nguyễn Văn B, Phó Chủ tịch UBND tỉnh", "45/KH-UBND"), ADMINISTRATIVE,
             ["ỦY BAN NHÂN DÂN TỈNH NINH THUẬN"], "Số:      /BC-UBND", ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"],
             "Nguyễn Văn B"),
    "so": (plan_issued_by("Sở Tư pháp tỉnh Ninh Thuận", "Lê Thị C, Phó Giám đốc Sở Tư pháp", "12/KH-STP"), ADMINISTRATIVE,
           ["UBND TỈNH NINH THUẬN", "SỞ TƯ PHÁP"], "Số:      /BC-STP", ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"], "Lê Thị C"),
}


@pytest.fixture(params=list(CASES))
def case(request, session):
    plan, form, issuer_lines, number, authority, name = CASES[request.param]
    seed(session, plan)
    data = report.gather(session, plan, PERIOD, NOW, VN, cal=CAL)
    document = Document(io.BytesIO(report.render(data, "docx")))
    return document, form, issuer_lines, number, authority, name


def _cell_paragraphs(document, table: int, cell: int):
    return [p for p in document.tables[table]._cells[cell].paragraphs if p.text]


def _run(paragraph):
    [run] = [r for r in paragraph.runs if r.text]
    return run


def _check(run, rule) -> None:
    assert run.font.size.pt == rule.size, run.text
    assert bool(run.bold) == rule.bold, run.text
    assert bool(run.italic) == rule.italic, run.text
    assert bool(run.underline) == rule.underline, run.text
    if rule.caps:
        assert run.text == run.text.upper()


def _has_bottom_rule(paragraph) -> bool:
    ppr = paragraph._p.pPr
    return ppr is not None and ppr.find(qn("w:pBdr")) is not None and ppr.find(qn("w:pBdr")).find(qn("w:bottom")) is not None


def test_the_plan_chooses_the_form():
    assert form_of(PLAN) is PARTY  # "report_form": "party" in the seed plan
    assert form_of(CASES["ubnd"][0]) is ADMINISTRATIVE and form_of(CASES["so"][0]) is ADMINISTRATIVE  # from the issuer
    # Backward compatible: without the field, a Ban Cán sự Đảng still gets the Party form.
    assert form_of(plan_issued_by("Ban Cán sự Đảng UBND tỉnh Ninh Thuận", "A, Bí thư", "124-KH/BCSĐ")) is PARTY
    # An explicit form wins over the issuer's name.
    assert form_of(plan_issued_by("UBND tỉnh Ninh Thuận", "A, Chủ tịch", "45/KH-UBND", form="party")) is PARTY
    with pytest.raises(PlanError) as error:
        plan_issued_by("UBND tỉnh Ninh Thuận", "A, Chủ tịch", "45/KH-UBND", form="hành chính")
    assert str(error.value).startswith("plan.report_form: thể thức báo cáo phải là \"party\"")


def test_page_fonts_and_body_follow_the_form(case):
    document, form, *_ = case
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == form.page_mm
    margins = (section.top_margin.mm, section.bottom_margin.mm, section.left_margin.mm, section.right_margin.mm)
    assert [round(m) for m in margins] == list(form.margins_mm)
    assert 20 <= form.margins_mm[0] <= 25 and 30 <= form.margins_mm[2] <= 35 and 15 <= form.margins_mm[3] <= 20
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == form.body.size and 13 <= form.body.size <= 14
    pf = normal.paragraph_format
    assert pf.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert round(pf.first_line_indent.cm, 2) == form.first_line_indent_cm and 1 <= form.first_line_indent_cm <= 1.27
    assert pf.space_after.pt == form.space_after_pt >= 6
    for level, rule in ((1, form.heading1), (2, form.heading2), (3, form.heading3)):
        style = document.styles[f"Heading {level}"]
        assert style.font.size.pt == rule.size and bool(style.font.bold) == rule.bold and style.font.name == "Times New Roman"
    body = [p for p in document.paragraphs if p.style.name == "Normal" and p.text.startswith("- ")]
    assert body and all(p.alignment is None for p in body)  # justified, indented: Normal's own
    # Headings I., 1.: the parts and the tasks.
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"][0] == "I. TÌNH HÌNH BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ"
    assert any(p.text.startswith("4. ") for p in document.paragraphs if p.style.name == "Heading 2")


def test_page_numbers_from_page_two(case):
    document, form, *_ = case
    section = document.sections[0]
    assert form.page_number_from == 2 and section.different_first_page_header_footer
    header = section.header.paragraphs[0]
    assert "PAGE" in header._p.xml and header.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert all(run.font.size.pt == form.page_number.size for run in header.runs)
    assert "PAGE" not in section.first_page_header._element.xml


def test_header_block(case):
    document, form, issuer_lines, number, *_ = case
    left = _cell_paragraphs(document, 0, 0)
    right = _cell_paragraphs(document, 0, 1)
    texts = [p.text for p in left]
    assert texts[: len(issuer_lines)] == issuer_lines
    if len(issuer_lines) == 2:
        _check(_run(left[0]), form.parent)
    issuer = left[len(issuer_lines) - 1]
    _check(_run(issuer), form.issuer)
    if form.issuer_mark == "*":
        assert texts[len(issuer_lines)] == "*"
    else:
        assert _has_bottom_rule(issuer)
    number_paragraph = left[-1]
    assert number_paragraph.text == number
    _check(_run(number_paragraph), form.number)

    for paragraph, (text, rule) in zip(right, form.national, strict=False):
        assert paragraph.text == text
        _check(_run(paragraph), rule)
    if form.national_rule:
        assert _has_bottom_rule(right[len(form.national) - 1])
    place = right[-1]
    assert place.text == "Ninh Thuận, ngày 20 tháng 3 năm 2024"
    _check(_run(place), form.place_date)


def test_title_and_summary(case):
    document, form, *_ = case
    paragraphs = document.paragraphs
    index = next(i for i, p in enumerate(paragraphs) if p.text == "BÁO CÁO")
    _check(_run(paragraphs[index]), form.doc_type)
    summary = paragraphs[index + 1]
    assert summary.text == "Kết quả thực hiện Chương trình trọng tâm công tác cải cách tư pháp quý I năm 2024"
    _check(_run(summary), form.summary)
    mark = paragraphs[index + 2]
    if form.summary_mark == "rule":
        assert _has_bottom_rule(mark) and mark.text == ""
    else:
        assert mark.text == form.summary_mark


def test_signature_and_recipients(case):
    document, form, _, _, authority, name = case
    recipients = _cell_paragraphs(document, 1, 0)
    assert recipients[0].text == form.recipients_label
    _check(_run(recipients[0]), form.recipients_label_text)
    items = [p.text for p in recipients[1:]]
    assert items[-1] == "- Lưu: VT, STP."
    assert all(text.startswith("- ") and text.endswith(";") for text in items[:-1]) and items[:-1]
    assert all(_run(p).font.size.pt == form.recipients.size for p in recipients[1:])
    signed = _cell_paragraphs(document, 1, 1)
    assert [p.text for p in signed[: len(authority)]] == authority
    assert authority[0].split()[0] in (form.collective, form.deputy) or authority[0] == authority[-1]
    for paragraph in signed[: len(authority)]:
        _check(_run(paragraph), form.authority)
    assert signed[-1].text == name
    _check(_run(signed[-1]), form.signer)


@pytest.mark.parametrize(
    ("form", "issuer", "signer", "lines", "name"),
    [
        (PARTY, "Ban Cán sự Đảng UBND tỉnh", "A, Phó Bí thư Ban Cán sự Đảng UBND tỉnh", ("T/M BAN CÁN SỰ ĐẢNG", "PHÓ BÍ THƯ"), "A"),
        (ADMINISTRATIVE, "UBND tỉnh", "B, Chủ tịch UBND tỉnh", ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), "B"),
        (ADMINISTRATIVE, "Sở Tư pháp", "C, Giám đốc Sở Tư pháp", ("GIÁM ĐỐC",), "C"),
        (ADMINISTRATIVE, "Sở Tư pháp", None, ("GIÁM ĐỐC",), None),
        (PARTY, "Đảng ủy Khối", "", ("T/M ĐẢNG ỦY", "BÍ THƯ"), None),
    ],
)
def test_signature_rules(form: Form, issuer, signer, lines, name):
    signed = signature(form, issuer, signer)
    assert (signed.lines, signed.name) == (lines, name)


def test_unit_code():
    assert unit_code("Sở Tư pháp", ["STP", "so tu phap"]) == "STP"
    assert unit_code("Sở Tư pháp", []) == "STP"
