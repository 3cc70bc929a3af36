"""The consolidated report (reports, ``baocao report``) on SQLite and PostgreSQL.

The produced files are opened with python-docx, openpyxl and Pillow and their content is
checked for a scripted quý I 2024 of the seed plan (due Friday 15/3), looked at on 20/3 09:00:

- Công an tỉnh reports its nine tasks on 14/3 — NV4 (it leads) "70%, vướng kinh phí; đề nghị
  Sở Tài chính bổ sung kinh phí…" — then corrects NV4 through Telegram on 18/3 ("hoàn thành
  100%…", with an evidence file) → on time; the report states the correction only, the
  revisions sheet has both;
- Sở Tư pháp answers 1a, 2, 3 on the evening of the due date and 6, 7, 9 on 18/3 with a
  difficulty and a recommendation ("kiến nghị UBND tỉnh bổ sung 02 biên chế…") → partial;
- Sở Tài chính answers all ten of its tasks on 18/3, NV11 with "đề xuất bố trí…" → late;
- Sở Nội vụ answers NV3 only → partial;
- nobody answers NV8 (Hội Luật gia tỉnh leads it "by request");
- the 43 other agencies are silent.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from docx.shared import Pt
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import event
from sqlmodel import select

from common.paths import BUNDLED_DATA_DIR
import reports as report
from reports import status as st
from reports.chart import chart_size, render_chart
from reports.data import narrative, recommendation_clauses
from reports.docx import admin_date, render_docx
from reports.markdown import render_markdown
from reports.xlsx import ON_TIME_SHEET, REVISIONS_SHEET, SUMMARY_SHEET, render_xlsx
from scheduler.calendar import WorkingCalendar
from scheduler.deadlines import obligations
from scheduler.plan import load_plan, parse_plan
from scheduler.sync import sync_agencies, sync_obligations
from storage.models import Contact, ContactRole, Evidence, Obligation, ReportSource
from storage.queries import add_report

PLAN = load_plan(BUNDLED_DATA_DIR / "plan.json")
CAL = WorkingCalendar.load(BUNDLED_DATA_DIR / "calendar-vn.json")
VN = ZoneInfo("Asia/Ho_Chi_Minh")
PERIOD = "2024-Q1"


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)


SYNCED = vn(2024, 3, 1, 8, 0)
BEFORE = vn(2024, 3, 14, 16, 0)
DUE_EVENING = vn(2024, 3, 15, 23, 0)
AFTER = vn(2024, 3, 18, 9, 15)
NOW = vn(2024, 3, 20, 9, 0)

POLICE_NV4_FIRST = "NV4: đang thực hiện 70%, vướng kinh phí; đề nghị Sở Tài chính bổ sung kinh phí chuyển đổi số."
POLICE_NV4_FIXED = "NV4: hoàn thành 100%, đã rà soát 12 quy chế phối hợp *liên ngành*"
JUSTICE_LATE = "đang thực hiện 40%, khó khăn do thiếu biên chế; kiến nghị UBND tỉnh bổ sung 02 biên chế cho Phòng Bổ trợ tư pháp."
FINANCE_NV11 = "NV11: đang thực hiện 50%; đề xuất bố trí 2 tỷ đồng trong dự toán năm 2025 cho các cơ quan tư pháp"


def assigned(plan=PLAN, period=PERIOD):
    return {o.agency_id: [d.no for d in o.tasks] for o in obligations(plan, CAL, 2024) if o.period == period}


def _obligation(session, agency_id, period=PERIOD):
    return session.exec(select(Obligation).where(Obligation.agency_id == agency_id, Obligation.period == period)).one()


def _entries(tasks, text="NV{no}: đang thực hiện 60%, đã quán triệt đến cán bộ", **fields):
    return [{"task_no": no, "status": "in_progress", "percent": 60, "text": text.format(no=no), **fields} for no in tasks]


def _sync(session, plan=PLAN):
    sync_agencies(session, plan, now=SYNCED)
    sync_obligations(session, plan, obligations(plan, CAL, 2024), years=[2024], now=SYNCED)
    session.commit()


def seed(session, plan=PLAN):
    """The scripted quarter of the module docstring."""
    _sync(session, plan)
    tasks = assigned(plan)

    focal = Contact(
        channel="telegram", chat_id="100", user_id="100", display_name="Trần Văn B", agency_id="cong-an-tinh", role=ContactRole.FOCAL, created_at=SYNCED
    )
    session.add(focal)
    session.flush()
    police = _obligation(session, "cong-an-tinh")
    entries = _entries([no for no in tasks["cong-an-tinh"] if no != "4"])
    entries.append({"task_no": "4", "status": "in_progress", "percent": 70, "difficulty": True, "text": POLICE_NV4_FIRST})
    add_report(session, police.id, entries, source=ReportSource.CLI, submitted_at=BEFORE)
    fixed = add_report(
        session,
        police.id,
        [{"task_no": "4", "status": "done", "percent": 100, "text": POLICE_NV4_FIXED}],
        source=ReportSource.CHAT, channel="telegram",
        submitted_at=AFTER,
        contact_id=focal.id,
    )
    session.add(Evidence(report_id=fixed.id, contact_id=focal.id, channel="telegram", kind="document", file_id="F1", filename="bien-ban.pdf", received_at=AFTER))

    justice = _obligation(session, "so-tu-phap")
    add_report(
        session,
        justice.id,
        [
            {"task_no": "1a", "status": "done", "text": "NV1a: hoàn thành"},
            {"task_no": "2", "status": "done", "text": "NV2: hoàn thành, đã tổ chức 5 hội nghị quán triệt Nghị quyết 27-NQ/TW"},
            {"task_no": "3", "status": "done", "text": "NV3: hoàn thành"},
        ],
        source=ReportSource.CLI,
        submitted_at=DUE_EVENING,
    )
    add_report(
        session,
        justice.id,
        [{"task_no": no, "status": "in_progress", "percent": 40, "difficulty": True, "text": f"NV{no}: {JUSTICE_LATE}"} for no in ("6", "7", "9")],
        source=ReportSource.CLI,
        submitted_at=AFTER,
    )

    finance = _obligation(session, "so-tai-chinh")
    entries = _entries([no for no in tasks["so-tai-chinh"] if no != "11"])
    entries.append({"task_no": "11", "status": "in_progress", "percent": 50, "text": FINANCE_NV11})
    add_report(session, finance.id, entries, source=ReportSource.CLI, submitted_at=AFTER)

    home = _obligation(session, "so-noi-vu")
    add_report(
        session, home.id, [{"task_no": "3", "status": "not_started", "percent": 0, "text": "NV3: chưa triển khai"}],
        source=ReportSource.CLI, submitted_at=vn(2024, 3, 12, 9),
    )
    session.commit()


@pytest.fixture
def data(session):
    seed(session)
    return report.gather(session, PLAN, PERIOD, NOW, VN, cal=CAL)


# --- what the report states -----------------------------------------------------------------


def test_gather_states_the_latest_revision(data):
    assert data.period_name == "quý I năm 2024"
    assert data.status.counts == {"on_time": 1, "late": 1, "partial": 2, "missing": 43}
    assert (data.cutoff_from, data.cutoff_to) == (date(2023, 12, 15), date(2024, 3, 14))
    assert data.issuer == "Ban Cán sự Đảng UBND tỉnh" and data.number_suffix == "BCSĐ"
    tasks = {t.no: t for t in data.tasks}
    assert list(tasks) == [str(n) for n in range(1, 12)]

    four = tasks["4"]
    [lead] = four.leads
    assert (lead.agency, lead.role, lead.entry.status, lead.entry.percent, lead.entry.revision) == ("Công an tỉnh", "lead", "done", 100, 2)
    assert lead.text == "đã rà soát 12 quy chế phối hợp *liên ngành*"
    assert four.difficulties == ()  # the difficulty was corrected away

    eight = tasks["8"]
    assert not eight.reported and eight.lead_is_request and eight.silent_leads == ("Hội Luật gia tỉnh",)
    assert [t.no for t in data.silent_tasks] == ["8"]

    one = tasks["1"]  # Sở Tư pháp answered sub-item 1a only
    assert [(c.agency, c.entry.task) for c in one.coordinators if c.agency == "Sở Tư pháp"] == [("Sở Tư pháp", "1a")]
    assert one.silent_leads == ("Hội đồng Phối hợp phổ biến, giáo dục pháp luật tỉnh",)

    assert [(f.agency, f.task) for f in data.difficulties] == [("Sở Tư pháp", "6"), ("Sở Tư pháp", "7"), ("Sở Tư pháp", "9")]
    recommendations = [(f.agency, f.task, f.text) for f in data.recommendations]
    assert ("Sở Tư pháp", "6", "Kiến nghị UBND tỉnh bổ sung 02 biên chế cho Phòng Bổ trợ tư pháp") in recommendations
    assert ("Sở Tài chính", "11", "Đề xuất bố trí 2 tỷ đồng trong dự toán năm 2025 cho các cơ quan tư pháp") in recommendations
    assert not any("chuyển đổi số" in text for _, _, text in recommendations)  # superseded revision
    assert data.next_period is not None and (data.next_period.name, data.next_period.due) == ("06 tháng năm 2024", date(2024, 6, 17))


def test_gather_revisions_and_rows(data):
    police4 = [r for r in data.revisions if r.agency_id == "cong-an-tinh" and r.task == "4"]
    assert [(r.revision, r.latest, r.late, r.source, r.sender, r.evidence) for r in police4] == [
        (1, False, False, "cli", None, 0),
        (2, True, True, "telegram", "Trần Văn B", 1),
    ]
    assert police4[0].text == POLICE_NV4_FIRST and police4[1].submitted_at == AFTER
    assert police4[1].submitted_at.utcoffset().total_seconds() == 7 * 3600
    # One row per agency × task owed, plus answered sub-items in place of their task.
    owed = sum(len(nos) for nos in assigned().values())
    assert len(data.rows) == owed
    row = next(r for r in data.rows if r.agency_id == "so-tu-phap" and r.task.startswith("1"))
    assert (row.task, row.role, row.revisions) == ("1a", "coordinator", 1)


def test_gather_costs_a_fixed_number_of_queries(session, engine):
    seed(session)
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if "FROM" in statement.upper():
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        report.gather(session, PLAN, PERIOD, NOW, VN, cal=CAL, history=False)
        assert len(statements) == 6, statements  # period_status's three + every revision + extensions + general parts
        statements.clear()
        report.gather(session, PLAN, "2024-FY", NOW, VN, cal=CAL, revisions=False)
        assert len(statements) == 3 * 4 + 2  # four periods of status for the chart, extensions, general parts
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_gather_rejects_a_period_the_plan_does_not_have(session):
    with pytest.raises(st.PeriodError):
        report.gather(session, PLAN, "2024-Q2", NOW, VN, cal=CAL)


@pytest.mark.parametrize(
    ("text", "clauses"),
    [
        ("NV4: 70%, vướng kinh phí; đề nghị Sở Tài chính bổ sung.", ["Đề nghị Sở Tài chính bổ sung"]),
        ("Thiếu người, kien nghi tang bien che, som trong 2024", ["Kien nghi tang bien che, som trong 2024"]),
        ("Đã hoàn thành 2.5 đợt. Đề xuất tổ chức sơ kết", ["Đề xuất tổ chức sơ kết"]),
        ("Đang thực hiện theo đề nghị của Bộ", ["Đang thực hiện theo đề nghị của Bộ"]),
        ("Không có vướng mắc", []),
    ],
)
def test_recommendation_clauses(text, clauses):
    assert recommendation_clauses(text) == clauses


def test_narrative_drops_the_status_already_shown():
    assert narrative("NV4: đang thực hiện 70%, vướng kinh phí") == "vướng kinh phí"
    assert narrative("NV2: hoàn thành") == ""
    assert narrative("Hoàn thành 100% kế hoạch năm") == "Hoàn thành 100% kế hoạch năm"


def test_admin_date_pads_like_official_documents():
    assert admin_date(date(2024, 3, 20)) == "ngày 20 tháng 3 năm 2024"
    assert admin_date(date(2024, 2, 5)) == "ngày 05 tháng 02 năm 2024"
    assert admin_date(date(2024, 12, 1)) == "ngày 01 tháng 12 năm 2024"


# --- Word ---------------------------------------------------------------------------------------


def _docx(content: bytes):
    document = Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [p.text for table in document.tables for cell in table._cells for p in cell.paragraphs]
    return document, paragraphs, cells


def _after(paragraphs: list[str], heading: str, until: str) -> list[str]:
    start = paragraphs.index(heading)
    end = next(i for i in range(start + 1, len(paragraphs)) if paragraphs[i].startswith(until))
    return paragraphs[start + 1 : end]


def test_docx_layout(data):
    """The Party form's frame; each rule is checked for both forms in test_forms.py."""
    document, paragraphs, cells = _docx(render_docx(data))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.cm, 2) for m in margins] == [2, 2, 3, 2]  # stored in twips
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)
    assert document.styles["Heading 1"].font.name == "Times New Roman"
    assert section.different_first_page_header_footer
    assert section.first_page_header.paragraphs[0].text == "DỰ THẢO"
    assert 'PAGE' in section.header._element.xml  # page numbers from page 2

    # The header block: Party form (Hướng dẫn 36-HD/VPTW).
    assert cells[:4] == ["ĐẢNG BỘ TỈNH NINH THUẬN", "BAN CÁN SỰ ĐẢNG UBND TỈNH", "*", "Số      -BC/BCSĐ"]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in cells and "Ninh Thuận, ngày 20 tháng 3 năm 2024" in cells

    assert "BÁO CÁO" in paragraphs
    title = paragraphs[paragraphs.index("BÁO CÁO") + 1]
    assert title == "Kết quả thực hiện Chương trình trọng tâm công tác cải cách tư pháp quý I năm 2024"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "I. TÌNH HÌNH BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ",
        "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ",
        "III. KHÓ KHĂN, VƯỚNG MẮC",
        "IV. KIẾN NGHỊ, ĐỀ XUẤT",
        "V. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI",
    ]
    assert paragraphs[-1] == (
        "Trên đây là báo cáo kết quả thực hiện Kế hoạch số 124-KH/BCSĐ ngày 30/01/2024 của Ban Cán sự Đảng UBND tỉnh quý I năm 2024./."
    )


def test_docx_content(data):
    document, paragraphs, cells = _docx(render_docx(data))
    text = "\n".join(paragraphs)
    assert "số liệu từ ngày 15 tháng 12 năm 2023 đến ngày 14 tháng 3 năm 2024" in text
    assert (
        "Kỳ báo cáo quý I năm 2024 có 47 cơ quan, đơn vị, địa phương phải báo cáo; hạn gửi báo cáo ngày 15 tháng 3 "
        "năm 2024. Đến 09 giờ 00 ngày 20 tháng 3 năm 2024: 02 cơ quan, đơn vị đã báo cáo đầy đủ (01 đúng hạn, 01 gửi "
        "sau hạn); 02 cơ quan, đơn vị báo cáo chưa đầy đủ; 43 cơ quan, đơn vị chưa báo cáo"
    ) in text

    # The corrected task: only the latest revision, the lead first.
    four = _after(paragraphs, "4. Phối hợp trong điều tra, truy tố, xét xử, thi hành án; tiếp công dân; chuyển đổi số", "5. ")
    assert four[0].startswith("Cơ quan chủ trì: Công an tỉnh; thời gian thực hiện: Năm 2024 và các năm tiếp theo. Có 02/39 cơ quan, đơn vị báo cáo nhiệm vụ 4: 01 hoàn thành, 01 đang thực hiện;")
    # Done counts as 100 %: Công an tỉnh 100 (done), Sở Tài chính 60.
    assert "tiến độ bình quân 80% (bình quân trên 02 cơ quan có nêu tỷ lệ)" in four[0]
    assert four[1] == "- Công an tỉnh (chủ trì, hoàn thành): Đã rà soát 12 quy chế phối hợp *liên ngành*."
    assert not any("70%" in p or "vướng kinh phí" in p for p in four)
    assert "vướng kinh phí" not in text and "chuyển đổi số." not in text

    # Sở Tài chính wrote the same words on ten tasks: once, under task 1, with its tasks.
    one = _after(paragraphs, "1. Tuyên truyền, phổ biến về chiến lược cải cách tư pháp", "2. ")
    assert "- Sở Tài chính (nhiệm vụ 1, 2, 3, 4, 5, 6, 7, 9 và 10); Công an tỉnh (nhiệm vụ 1, 2, 3, 5, 6, 9, 10 và 11): Đã quán triệt đến cán bộ." in one
    assert sum("Đã quán triệt đến cán bộ" in p for p in paragraphs) == 1
    assert "- Hội đồng Phối hợp phổ biến, giáo dục pháp luật tỉnh (chủ trì) chưa báo cáo kết quả thực hiện nhiệm vụ 1." in one

    # The task nobody reported on, led "by request".
    eight = _after(paragraphs, "8. Trung gian, kết nối nắm bắt tâm tư người dân, phòng ngừa khiếu kiện đông người", "9. ")
    assert eight[0] == (
        "Cơ quan chủ trì: Hội Luật gia tỉnh (theo đề nghị của Kế hoạch); thời gian thực hiện: Năm 2024. Chưa có cơ quan, "
        "đơn vị nào báo cáo kết quả thực hiện nhiệm vụ 8 trong kỳ (13 cơ quan, đơn vị phải báo cáo)."
    )
    assert "- Hội Luật gia tỉnh (chủ trì) chưa báo cáo kết quả thực hiện nhiệm vụ 8." in eight

    six = _after(paragraphs, "6. Thẩm định văn bản, phổ biến pháp luật, quản lý giám định và bổ trợ tư pháp", "7. ")
    assert "- Sở Tư pháp (chủ trì): nhiệm vụ 6 đang thực hiện, đạt 40%." in six
    assert "01 cơ quan nêu khó khăn, vướng mắc (mục III)" in six[0]

    situation = _after(paragraphs, "1. Cơ quan, đơn vị chưa báo cáo, báo cáo chưa đầy đủ, phải bổ sung", "2. Gia hạn")
    assert situation[0].startswith("- Chưa báo cáo (43 cơ quan, đơn vị): Văn phòng UBND tỉnh; ")
    assert "Sở Văn hóa, Thể thao và Du lịch;" in situation[0] and "Công an tỉnh" not in situation[0]
    assert situation[1] == (
        "- Báo cáo chưa đầy đủ (02 cơ quan, đơn vị): Sở Nội vụ (còn thiếu nhiệm vụ 1, 2, 4, 5, 6, 7, 9, 10 và 11); "
        "Sở Tư pháp (còn thiếu nhiệm vụ 4, 5, 8, 10 và 11)."
    )
    assert situation[2] == "- Gửi báo cáo sau hạn (01 cơ quan, đơn vị): Sở Tài chính."

    difficulties = _after(paragraphs, "III. KHÓ KHĂN, VƯỚNG MẮC", "IV.")
    assert difficulties == ["- Khó khăn do thiếu biên chế (Sở Tư pháp: nhiệm vụ 6, 7 và 9)."]
    recommendations = _after(paragraphs, "IV. KIẾN NGHỊ, ĐỀ XUẤT", "V.")
    assert recommendations == [
        "- Kiến nghị UBND tỉnh bổ sung 02 biên chế cho Phòng Bổ trợ tư pháp (Sở Tư pháp: nhiệm vụ 6, 7 và 9).",
        "- Đề xuất bố trí 2 tỷ đồng trong dự toán năm 2025 cho các cơ quan tư pháp (Sở Tài chính: nhiệm vụ 11).",
    ]
    next_period = _after(paragraphs, "V. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI", "Trên đây")[0]
    assert "đôn đốc 45 cơ quan, đơn vị chưa báo cáo hoặc báo cáo chưa đầy đủ" in next_period
    assert "báo cáo kết quả 06 tháng đầu năm 2024 về UBND tỉnh (thông qua Sở Tư pháp) trước ngày 17 tháng 6 năm 2024" in next_period

    # Nơi nhận: the plan's onward recipients, not the issuing body itself; the signature.
    assert "Nơi nhận:" in cells
    assert "- Ban Chỉ đạo Cải cách tư pháp tỉnh (qua Ban Nội chính Tỉnh ủy);" in cells
    assert not any(c.startswith("- Ban Cán sự Đảng UBND tỉnh") for c in cells) and "- Lưu: VT, STP." in cells
    assert "T/M BAN CÁN SỰ ĐẢNG" in cells and "BÍ THƯ" in cells and "Trần Quốc Nam" in cells


def test_docx_takes_names_numbers_and_dates_from_the_plan(session):
    raw = json.loads((BUNDLED_DATA_DIR / "plan.json").read_text(encoding="utf-8"))
    raw["plan"].update(
        id="57-KH/BCSĐ",
        number="57-KH/BCSĐ",
        date="2024-02-20",
        issuer="Ban Cán sự Đảng UBND tỉnh Khánh Hòa",
        province="Khánh Hòa",
        title="Kế hoạch triển khai công tác tư pháp năm 2024",
        signer="Nguyễn Văn A, Phó Bí thư Ban Cán sự Đảng UBND tỉnh",
    )
    raw["reporting"]["onward"] = ["Ban Nội chính Tỉnh ủy", "Ban Cán sự Đảng UBND tỉnh"]
    raw["reporting"]["recipient_text"] = "UBND tỉnh (qua Sở Tư pháp)"
    police = next(a for a in raw["agencies"] if a["id"] == "cong-an-tinh")
    police["name"] = "Công an tỉnh Khánh Hòa"
    other = parse_plan(json.dumps(raw, ensure_ascii=False))
    seed(session, other)
    data = report.gather(session, other, PERIOD, vn(2024, 3, 20, 8), VN, cal=CAL)
    _, paragraphs, cells = _docx(render_docx(data))
    text = "\n".join(paragraphs + cells)
    assert "ĐẢNG BỘ TỈNH KHÁNH HÒA" in cells and "Số      -BC/BCSĐ" in cells
    assert "Khánh Hòa, ngày 20 tháng 3 năm 2024" in cells
    assert "Kết quả thực hiện triển khai công tác tư pháp quý I năm 2024" in paragraphs
    assert "Thực hiện Kế hoạch số 57-KH/BCSĐ ngày 20/02/2024 của Ban Cán sự Đảng UBND tỉnh;" in text
    assert "gửi UBND tỉnh (qua Sở Tư pháp)" in text
    assert "- Công an tỉnh Khánh Hòa (chủ trì, hoàn thành): Đã rà soát 12 quy chế phối hợp *liên ngành*." in text
    # A deputy secretary signs on behalf of the ban (HD 36), with his own title.
    assert "- Ban Nội chính Tỉnh ủy;" in cells and "T/M BAN CÁN SỰ ĐẢNG" in cells and "PHÓ BÍ THƯ" in cells
    assert "Nguyễn Văn A" in cells and "K/T BÍ THƯ" not in cells
    # (The directory still names "Báo Ninh Thuận": an agency's name is data too.)
    assert "ĐẢNG BỘ TỈNH NINH THUẬN" not in text and not any(cell.startswith("Ninh Thuận") for cell in cells)
    assert "124-KH" not in text and "Trần Quốc Nam" not in text


# --- Excel ----------------------------------------------------------------------------------------


def _rows(ws, header_row=5):
    header = [c.value for c in ws[header_row]]
    return header, [dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=header_row + 1)]


def test_xlsx_summary_sheet(data):
    workbook = load_workbook(io.BytesIO(render_xlsx(data)))
    assert workbook.sheetnames == [SUMMARY_SHEET, REVISIONS_SHEET, ON_TIME_SHEET]
    ws = workbook[SUMMARY_SHEET]
    assert ws["A1"].value == "PHỤ LỤC"
    assert ws["A2"].value == "Tình hình, kết quả báo cáo của các cơ quan, đơn vị theo từng nhiệm vụ, quý I năm 2024"
    assert ws["A3"].value == "(Kèm theo Báo cáo số      -BC/BCSĐ ngày 20 tháng 3 năm 2024 của Ban Cán sự Đảng UBND tỉnh)"
    header, rows = _rows(ws)
    assert header == [
        "STT", "Cơ quan, đơn vị", "Vai trò", "Nhiệm vụ", "Tiến độ", "Tỷ lệ (%)", "Số liệu", "Nội dung báo cáo (lần gửi mới nhất)",
        "Gửi lúc", "Thời hạn", "Số lần gửi", "Minh chứng", "Sở Tư pháp xem xét",
    ]
    assert all(cell.font.b for cell in ws[5])
    assert ws.freeze_panes == "C6"
    assert ws.auto_filter.ref == f"A5:{ws.cell(5, len(header)).column_letter}{len(rows) + 5}"
    assert ws.cell(6, header.index("Nội dung báo cáo (lần gửi mới nhất)") + 1).alignment.wrap_text
    assert len(rows) == sum(len(nos) for nos in assigned().values())
    assert [r["STT"] for r in rows] == list(range(1, len(rows) + 1))

    police4 = next(r for r in rows if r["Cơ quan, đơn vị"] == "Công an tỉnh" and r["Nhiệm vụ"] == "4")
    assert (police4["Vai trò"], police4["Tiến độ"], police4["Tỷ lệ (%)"]) == ("Chủ trì", "Hoàn thành", 100)
    assert police4["Nội dung báo cáo (lần gửi mới nhất)"] == "hoàn thành 100%, đã rà soát 12 quy chế phối hợp *liên ngành*"
    assert police4["Gửi lúc"] == datetime(2024, 3, 18, 9, 15)  # local time
    assert (police4["Thời hạn"], police4["Số lần gửi"], police4["Minh chứng"]) == ("Đúng hạn", 2, 1)
    sent = ws.cell(rows.index(police4) + 6, header.index("Gửi lúc") + 1)
    assert sent.number_format == "dd/mm/yyyy hh:mm"

    lawyers8 = next(r for r in rows if r["Cơ quan, đơn vị"] == "Hội Luật gia tỉnh" and r["Nhiệm vụ"] == "8")
    assert (lawyers8["Vai trò"], lawyers8["Tiến độ"], lawyers8["Gửi lúc"], lawyers8["Số lần gửi"], lawyers8["Thời hạn"]) == (
        "Chủ trì (đề nghị)", "Chưa báo cáo", None, 0, "Quá hạn")
    justice = [r for r in rows if r["Cơ quan, đơn vị"] == "Sở Tư pháp"]
    assert [r["Nhiệm vụ"] for r in justice][:3] == ["1a", "2", "3"]
    late = next(r for r in justice if r["Nhiệm vụ"] == "6")
    assert late["Thời hạn"] == "Muộn"


def test_xlsx_revisions_sheet(data):
    ws = load_workbook(io.BytesIO(render_xlsx(data)))[REVISIONS_SHEET]
    header, rows = _rows(ws)
    assert all(cell.font.b for cell in ws[5]) and ws.freeze_panes == "C6" and ws.auto_filter.ref.startswith("A5:")
    police4 = [r for r in rows if r["Cơ quan, đơn vị"] == "Công an tỉnh" and r["Nhiệm vụ"] == "4"]
    assert [(r["Lần gửi"], r["Đúng hạn / muộn"], r["Gửi qua"], r["Người gửi"], r["Minh chứng gửi kèm"], r["Được tổng hợp"]) for r in police4] == [
        (1, "Đúng hạn", "dòng lệnh", None, None, None),
        (2, "Muộn", "Telegram", "Trần Văn B", 1, "Có"),
    ]
    assert police4[0]["Nội dung"] == "đang thực hiện 70%, vướng kinh phí; đề nghị Sở Tài chính bổ sung kinh phí chuyển đổi số."
    assert police4[1]["Nội dung"] == "hoàn thành 100%, đã rà soát 12 quy chế phối hợp *liên ngành*"
    assert police4[0]["Gửi lúc"] == datetime(2024, 3, 14, 16, 0)
    # Every stored revision of the period, nothing else: 9 + 1 + 3 + 3 + 10 + 1.
    assert len(rows) == 27


# --- Markdown and chart ---------------------------------------------------------------------------


def test_markdown(data):
    """The same body as the Word draft, in Markdown."""
    text = render_markdown(data)
    assert text.startswith("# Báo cáo kết quả thực hiện Kế hoạch số 124-KH/BCSĐ — quý I năm 2024\n")
    assert "\n## II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ\n" in text and "\n### 4. Phối hợp trong điều tra" in text
    assert "- **Công an tỉnh** (chủ trì, hoàn thành): Đã rà soát 12 quy chế phối hợp \\*liên ngành\\*." in text
    assert "- **Hội Luật gia tỉnh** (chủ trì) chưa báo cáo kết quả thực hiện nhiệm vụ 8." in text
    assert "- Đề xuất bố trí 2 tỷ đồng trong dự toán năm 2025 cho các cơ quan tư pháp _(Sở Tài chính: nhiệm vụ 11)_." in text
    assert "vướng kinh phí" not in text


def test_chart_renders_at_the_expected_size_and_is_not_blank(data):
    png = render_chart(data)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == chart_size(len(data.status.tasks)) == (1200, 682)
    import numpy as np

    pixels = np.asarray(image, dtype=float)
    assert pixels.std() > 20  # not a blank canvas
    colours = {tuple(c) for c in pixels.reshape(-1, 3)[::37].astype(int)}
    assert len(colours) > 20
    # The state colours are there: green (on time) and red (missing) bars.
    assert (46, 125, 50) in colours and (198, 40, 40) in colours


def test_chart_of_a_later_period_has_one_bar_per_period(session):
    seed(session)
    data = report.gather(session, PLAN, "2024-9M", vn(2024, 9, 20, 9), VN, cal=CAL, revisions=False)
    assert [s.period for s in data.history] == ["2024-Q1", "2024-H1", "2024-9M"]
    assert data.history[0].counts["on_time"] == 1
    assert Image.open(io.BytesIO(render_chart(data))).size == chart_size(len(data.status.tasks))


def test_filenames(data):
    assert report.filename(data, "docx") == "bao-cao-124-kh-bcsd-2024-Q1.docx"
    assert report.filename(data, "xlsx") == "phu-luc-124-kh-bcsd-2024-Q1.xlsx"
    assert report.filename(data, "png") == "bieu-do-124-kh-bcsd-2024-Q1.png"
    assert report.filename(data, "md") == "bao-cao-124-kh-bcsd-2024-Q1.md"


def test_an_empty_period_still_makes_every_file(session):
    _sync(session)
    data = report.gather(session, PLAN, "2024-H1", vn(2024, 3, 20, 9), VN, cal=CAL)
    assert data.status.counts["missing"] == data.status.total > 0
    for fmt in report.FORMATS:
        assert report.render(data, fmt)
    _, paragraphs, _ = _docx(report.render(data, "docx"))
    assert "Các cơ quan, đơn vị chưa có kiến nghị, đề xuất trong 06 tháng đầu năm 2024." in paragraphs
    assert "Chưa có cơ quan, đơn vị nào báo cáo kết quả thực hiện nhiệm vụ 4" in "\n".join(paragraphs)


# --- the command line -----------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch, tmp_path):
    """``baocao`` as an admin runs it, from an empty directory."""
    from baocao.cli import main

    monkeypatch.chdir(tmp_path)
    for name in ("BAOCAO_PLAN_PATH", "BAOCAO_CALENDAR_PATH", "BAOCAO_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)

    def run(capsysbinary, *argv):
        code = main(list(argv))
        out, err = capsysbinary.readouterr()
        return code, out, err.decode("utf-8")

    return run


def test_cli_writes_each_format(cli, capsysbinary, monkeypatch, database_url, engine, session, tmp_path):
    monkeypatch.setenv("BAOCAO_DATABASE_URL", database_url)
    seed(session)
    now = ("--now", "2024-03-20T09:00")

    code, out, err = cli(capsysbinary, *now, "report", "--period", "2024-Q1", "--format", "docx", "-o", "bc.docx")
    assert code == 0, err
    assert out.decode().startswith("Đã ghi Word quý I năm 2024 vào bc.docx (")
    _, paragraphs, _ = _docx((tmp_path / "bc.docx").read_bytes())
    assert "- Công an tỉnh (chủ trì, hoàn thành): Đã rà soát 12 quy chế phối hợp *liên ngành*." in paragraphs
    assert "Ninh Thuận, ngày 20 tháng 3 năm 2024" in [p.text for t in Document(tmp_path / "bc.docx").tables for c in t._cells for p in c.paragraphs]

    code, _, err = cli(capsysbinary, *now, "report", "--period", "Q1", "-o", "phu-luc.xlsx")  # format from the name
    assert code == 0, err
    assert load_workbook(tmp_path / "phu-luc.xlsx").sheetnames == [SUMMARY_SHEET, REVISIONS_SHEET, ON_TIME_SHEET]

    code, _, err = cli(capsysbinary, *now, "report", "--format", "png")  # default period, default name
    assert code == 0, err
    assert Image.open(tmp_path / "bieu-do-124-kh-bcsd-2024-Q1.png").size == (1200, 682)

    code, out, err = cli(capsysbinary, *now, "report", "--period", "2024-Q1", "--format", "md", "-o", "-")
    assert code == 0, err
    assert out.decode("utf-8").startswith("# Báo cáo kết quả thực hiện Kế hoạch số 124-KH/BCSĐ — quý I năm 2024")
    code, plain, _ = cli(capsysbinary, *now, "report", "--period", "2024-Q1")  # md to stdout by default
    assert code == 0 and plain == out
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--period", "2024-Q7"), "kỳ báo cáo '2024-Q7' không hợp lệ"),
        (("--period", "2025-Q1"), "năm 2025 không có kỳ báo cáo nào"),
        (("--period", "2024-Q1", "-o", "x.pdf"), "không đoán được định dạng"),
        (("--period", "2024-Q1", "-o", "missing-dir/x.docx"), "không ghi được tệp missing-dir/x.docx"),
    ],
)
def test_cli_errors_are_one_line_exit_2(cli, capsysbinary, monkeypatch, database_url, engine, argv, message):
    monkeypatch.setenv("BAOCAO_DATABASE_URL", database_url)
    code, out, err = cli(capsysbinary, "--now", "2024-03-20T09:00", "report", *argv)
    assert code == 2 and out == b""
    assert err.count("\n") == 1 and err.startswith("baocao: ") and message in err, err


def test_cli_unreachable_database_is_exit_2(cli, capsysbinary, monkeypatch):
    monkeypatch.setenv("BAOCAO_DATABASE_URL", "postgresql://postgres@127.0.0.1:9/none")
    code, out, err = cli(capsysbinary, "report", "--period", "2024-Q1", "--format", "docx")
    assert code == 2 and out == b""
    assert err.count("\n") == 1 and "Không kết nối được cơ sở dữ liệu" in err, err


def test_timestamps_are_local_whatever_the_stored_zone(session):
    seed(session)
    data = report.gather(session, PLAN, PERIOD, datetime(2024, 3, 20, 2, 0, tzinfo=UTC), "Asia/Ho_Chi_Minh", cal=CAL)
    assert data.generated_at == NOW
    assert all(r.submitted_at.utcoffset().total_seconds() == 7 * 3600 for r in data.revisions)


def test_control_characters_in_a_reply_do_not_break_the_files(session):
    _sync(session)
    home = _obligation(session, "so-noi-vu")
    # (PostgreSQL refuses NUL in text, so the bot cannot have stored one; BEL and ESC it can.)
    text = "NV3: đang thực hiện 10%\x07, vướng\x08 kinh phí\x1b; đề nghị hỗ trợ"
    add_report(session, home.id, [{"task_no": "3", "status": "in_progress", "percent": 10, "difficulty": True, "text": text}],
               source=ReportSource.CHAT, channel="telegram", submitted_at=BEFORE)
    session.commit()
    data = report.gather(session, PLAN, PERIOD, NOW, VN, cal=CAL)
    _, paragraphs, _ = _docx(render_docx(data))
    assert "- Vướng kinh phí (Sở Nội vụ: nhiệm vụ 3)." in paragraphs
    assert "- Đề nghị hỗ trợ (Sở Nội vụ: nhiệm vụ 3)." in paragraphs
    ws = load_workbook(io.BytesIO(render_xlsx(data)))[REVISIONS_SHEET]
    assert ws.cell(6, 9).value == "đang thực hiện 10%, vướng kinh phí; đề nghị hỗ trợ"
