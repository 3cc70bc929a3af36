"""Sở Tư pháp's decisions in the status and the consolidated report, on SQLite and PostgreSQL:
the latest review per agency (tiếp nhận / yêu cầu bổ sung), an approved extension as the
agency's due date, the annex's columns, the report's "Gia hạn" part, and extension requests
kept out of difficulties and recommendations.

On the scripted quý I 2024 of tests/reports/test_report.py (looked at on 20/3 09:00).
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook

import reports as report
from reports import status as st
from reports.data import (
    is_extension_request,
    recommendation_clauses,
    without_extension_requests,
)
from reports.docx import render_docx
from reports.markdown import render_markdown
from reports.xlsx import SUMMARY_SHEET, render_xlsx
from storage.models import Extension, Review
from storage.queries import add_report
from tests.reports.test_report import (
    AFTER,
    CAL,
    NOW,
    PERIOD,
    PLAN,
    VN,
    _obligation,
    seed,
    vn,
)


def decide(session):
    """Công an tỉnh accepted; Sở Nội vụ returned (nothing since); Sở Tư pháp returned, then it
    sent more; Sở Tài chính granted an extension to 29/3, Sở Y tế declined one."""
    police, home, justice = (_obligation(session, a) for a in ("cong-an-tinh", "so-noi-vu", "so-tu-phap"))
    finance, health = _obligation(session, "so-tai-chinh"), _obligation(session, "so-y-te")
    session.add(Review(obligation_id=police.id, decision="returned", reason="thiếu", actor="telegram:901", at=vn(2024, 3, 18, 10)))
    session.add(Review(obligation_id=police.id, decision="accepted", actor="telegram:901", at=vn(2024, 3, 19, 10)))
    session.add(Review(obligation_id=home.id, decision="returned", reason="Đề nghị báo cáo NV1, NV2", actor="telegram:901", at=vn(2024, 3, 19, 10)))
    session.add(Review(obligation_id=justice.id, decision="returned", reason="Bổ sung NV4", actor="telegram:901", at=vn(2024, 3, 18, 8, 30)))
    session.flush()
    add_report(session, justice.id, [{"task_no": "4", "status": "in_progress", "text": "NV4: đang thực hiện"}],
               source="cli", submitted_at=vn(2024, 3, 19, 15))
    finance.extended_due = date(2024, 3, 29)
    session.add(finance)
    session.add(Extension(obligation_id=finance.id, task_no="11", until=date(2024, 3, 29), text="NV11: đề nghị gia hạn đến 29/3",
                          requested_at=vn(2024, 3, 14, 9), status="approved", decided_by="telegram:901", decided_at=vn(2024, 3, 14, 15)))
    session.add(Extension(obligation_id=health.id, until=date(2024, 3, 22), text="xin gia hạn đến 22/3",
                          requested_at=vn(2024, 3, 15, 9), status="declined", decided_by="telegram:901", decided_at=vn(2024, 3, 15, 10)))
    session.add(Extension(obligation_id=health.id, until=date(2024, 3, 25), text="xin gia hạn đến 25/3",
                          requested_at=vn(2024, 3, 16, 9), status="pending"))
    session.commit()


@pytest.fixture
def decided(session):
    seed(session)
    decide(session)
    return session


def test_status_carries_the_latest_review_and_the_extended_due_date(decided):
    ps = st.period_status(decided, PLAN, PERIOD, NOW, VN)
    police, home, justice = ps.agency("cong-an-tinh"), ps.agency("so-noi-vu"), ps.agency("so-tu-phap")
    assert (police.review.decision, police.review_state) == ("accepted", st.ACCEPTED)
    assert (home.review_state, home.review.reason) == (st.RETURNED, "Đề nghị báo cáo NV1, NV2")
    assert home.review.at == vn(2024, 3, 19, 10) and home.review.at.utcoffset().total_seconds() == 7 * 3600
    assert justice.review_state == st.SUPPLEMENTED
    assert ps.agency("so-y-te").review is None
    assert ps.review_counts == {"accepted": 1, "returned": 1, "supplemented": 1, "unreviewed": 1}  # Sở Tài chính
    assert [a.agency_id for a in ps.by_review(st.RETURNED)] == ["so-noi-vu"]

    finance = ps.agency("so-tai-chinh")
    assert (finance.due, finance.plan_due, finance.extended) == (date(2024, 3, 29), date(2024, 3, 15), True)
    assert ps.due == date(2024, 3, 15) and [a.agency_id for a in ps.extended] == ["so-tai-chinh"]
    assert (police.plan_due, police.extended) == (None, False)
    # Overdue is judged against the agency's own date.
    assert home.overdue and not ps.agency("so-tai-chinh").overdue
    as_dict = finance.as_dict()
    assert (as_dict["due"], as_dict["plan_due"], as_dict["extended"]) == ("2024-03-29", "2024-03-15", True)
    assert home.as_dict()["review"]["decision"] == "returned" and home.as_dict()["review_state"] == "returned"


def test_extensions_of_obligations(decided):
    health = _obligation(decided, "so-y-te")
    found = st.extensions(decided, [health.id], VN)
    assert [(e.until, e.status) for e in found[health.id]] == [(date(2024, 3, 22), "declined"), (date(2024, 3, 25), "pending")]
    pending = st.extensions(decided, [health.id], VN, statuses=[st.PENDING_EXTENSION])
    assert [e.until for e in pending[health.id]] == [date(2024, 3, 25)]


def test_period_status_still_costs_three_queries(decided, engine):
    from sqlalchemy import event

    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if "FROM" in statement.upper():
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        st.period_status(decided, PLAN, PERIOD, NOW, VN)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 3


def test_the_annex_shows_the_review_and_the_agencys_due_date(decided):
    data = report.gather(decided, PLAN, PERIOD, NOW, VN, cal=CAL)
    ws = load_workbook(io.BytesIO(render_xlsx(data)))[SUMMARY_SHEET]
    header = [c.value for c in ws[5]]
    assert header[-4:] == ["Thời hạn", "Số lần gửi", "Minh chứng", "Sở Tư pháp xem xét"]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=6)]

    def first(agency):
        return next(r for r in rows if r["Cơ quan, đơn vị"] == agency)

    assert first("Sở Nội vụ")["Sở Tư pháp xem xét"] == "Yêu cầu bổ sung: Đề nghị báo cáo NV1, NV2"
    assert first("Công an tỉnh")["Sở Tư pháp xem xét"] == "Tiếp nhận"
    assert first("Sở Tư pháp")["Sở Tư pháp xem xét"] == "Yêu cầu bổ sung, cơ quan đã gửi bổ sung"
    assert first("Sở Y tế")["Sở Tư pháp xem xét"] is None
    # Sở Tài chính's answers of 18/3 were stored late, before the extension was granted: the
    # stored flag stands, and the annex says the due date moved.
    assert first("Sở Tài chính")["Thời hạn"] == "Muộn (gia hạn đến 29/03/2024)"
    assert first("Sở Y tế")["Thời hạn"] == "Quá hạn"


def test_the_report_lists_extensions_and_their_decisions(decided):
    data = report.gather(decided, PLAN, PERIOD, NOW, VN, cal=CAL)
    assert [(row.agency, row.info.status) for row in data.extensions] == [
        ("Sở Tài chính", "approved"), ("Sở Y tế", "declined"), ("Sở Y tế", "pending")]
    document = Document(io.BytesIO(render_docx(data)))
    paragraphs = [p.text for p in document.paragraphs]
    start = paragraphs.index("2. Gia hạn thời hạn báo cáo")
    assert paragraphs.index("I. TÌNH HÌNH BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ") < start < paragraphs.index("II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ")
    assert paragraphs[start + 1] == (
        "Trong quý I năm 2024, có 03 đề nghị gia hạn thời hạn gửi báo cáo; Sở Tư pháp đồng ý 01, không đồng ý 01, đang xem xét 01:"
    )
    assert paragraphs[start + 2] == (
        "- Sở Tài chính (nhiệm vụ 11) đề nghị gia hạn đến ngày 29 tháng 3 năm 2024 (hạn gửi ngày 15 tháng 3 năm 2024); "
        "Sở Tư pháp đồng ý ngày 14/03/2024."
    )
    assert paragraphs[start + 3] == (
        "- Sở Y tế đề nghị gia hạn đến ngày 22 tháng 3 năm 2024 (hạn gửi ngày 15 tháng 3 năm 2024); Sở Tư pháp không đồng ý ngày 15/03/2024."
    )
    assert paragraphs[start + 4].endswith("đến ngày 25 tháng 3 năm 2024 (hạn gửi ngày 15 tháng 3 năm 2024); Sở Tư pháp đang xem xét.")
    # Requests for more time are their own part, never a recommendation to the Ban Chỉ đạo.
    recommendations = paragraphs[paragraphs.index("IV. KIẾN NGHỊ, ĐỀ XUẤT"):]
    assert not any("gia hạn" in p for p in recommendations)
    # Those asked to supplement their report, with Sở Tư pháp's reason.
    missing = paragraphs[paragraphs.index("1. Cơ quan, đơn vị chưa báo cáo, báo cáo chưa đầy đủ, phải bổ sung"):start]
    assert "- Sở Tư pháp đề nghị bổ sung (02 cơ quan, đơn vị): Sở Nội vụ (Đề nghị báo cáo NV1, NV2); Sở Tư pháp (Bổ sung NV4), đã gửi bổ sung." in missing
    text = render_markdown(data)
    assert "\n### 2. Gia hạn thời hạn báo cáo\n" in text and "- **Sở Tài chính (nhiệm vụ 11)** đề nghị gia hạn đến ngày 29 tháng 3 năm 2024" in text


def test_a_period_without_extensions_says_so(session):
    seed(session)
    data = report.gather(session, PLAN, PERIOD, NOW, VN, cal=CAL)
    assert data.extensions == ()
    assert "Trong quý I năm 2024, không có cơ quan, đơn vị nào đề nghị gia hạn thời hạn gửi báo cáo." in render_markdown(data)
    paragraphs = [p.text for p in Document(io.BytesIO(render_docx(data))).paragraphs]
    assert "Trong quý I năm 2024, không có cơ quan, đơn vị nào đề nghị gia hạn thời hạn gửi báo cáo." in paragraphs


def test_an_extension_request_stored_as_an_answer_is_no_finding(session):
    """Before requests were told apart, "đề nghị gia hạn" was stored as an answer with a
    difficulty: it is neither a difficulty nor a recommendation in the report."""
    seed(session)
    home = _obligation(session, "so-noi-vu")
    add_report(
        session, home.id,
        [{"task_no": "1", "difficulty": True, "text": "NV1: đề nghị gia hạn đến 30/3"},
         {"task_no": "2", "difficulty": True, "text": "NV2: vướng kinh phí, đề nghị gia hạn đến 30/3"}],
        source="cli", submitted_at=AFTER,
    )
    session.commit()
    data = report.gather(session, PLAN, PERIOD, NOW, VN, cal=CAL)
    home_findings = [(f.task, f.text) for f in data.difficulties if f.agency_id == "so-noi-vu"]
    assert home_findings == [("2", "Vướng kinh phí")]
    assert not any("gia hạn" in f.text for f in data.recommendations)


@pytest.mark.parametrize(
    ("text", "clauses"),
    [
        ("vướng kinh phí; đề nghị gia hạn đến 30/3.", []),
        ("Đề nghị Sở Tài chính bổ sung kinh phí, đề nghị gia hạn đến 30/9", ["Đề nghị Sở Tài chính bổ sung kinh phí"]),
    ],
)
def test_recommendations_leave_out_extension_requests(text, clauses):
    assert recommendation_clauses(text) == clauses


def test_without_extension_requests():
    assert is_extension_request("NV4: đề nghị cho gia hạn đến 30/3") and not is_extension_request("đề nghị bổ sung kinh phí")
    assert without_extension_requests("NV4: 70%, vướng kinh phí; đề nghị gia hạn đến 30/3.") == "NV4: 70%, vướng kinh phí"
    assert without_extension_requests("vướng kinh phí, xin gia hạn đến 30/3") == "vướng kinh phí"


def test_baocao_status_shows_reviews_and_extensions(decided):
    from baocao.commands.status import render

    text = render(st.period_status(decided, PLAN, PERIOD, NOW, VN), CAL)
    assert "Sở Tư pháp đã tiếp nhận: 1; yêu cầu bổ sung: 2 (đã gửi bổ sung: 1); chưa xem xét: 1" in text
    assert "Được gia hạn (1): Sở Tài chính đến 29/03/2024" in text
    assert "  - Sở Nội vụ (còn thiếu NV 1, 2, 4, 5, 6, 7, 9, 10, 11; gửi lần cuối 12/03/2024; chưa có đầu mối; Sở Tư pháp yêu cầu bổ sung: Đề nghị báo cáo NV1, NV2)" in text
    assert "; gia hạn đến 29/03/2024)" in text and "Sở Tư pháp yêu cầu bổ sung, cơ quan đã gửi bổ sung)" in text
    assert "Công an tỉnh (gửi lần cuối 18/03/2024; Sở Tư pháp đã tiếp nhận)" in text
