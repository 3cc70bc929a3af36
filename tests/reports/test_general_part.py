"""A report's general part ("Khó khăn, vướng mắc" naming no task) and its figures reach the
consolidated report as the agency's, not as any task's; on SQLite and PostgreSQL.

On the scripted quý I 2024 of tests/reports/test_report.py (looked at on 20/3 09:00).
"""

from __future__ import annotations

import io

from docx import Document

import reports as report
from reports.docx import render_docx
from reports.markdown import render_markdown
from storage.models import ReportEntry
from storage.queries import add_report
from tests.reports.test_report import CAL, NOW, PERIOD, PLAN, VN, _obligation, seed, vn
from sqlmodel import select


def test_the_general_part_is_the_agencys_difficulty_and_figures_are_kept(session):
    seed(session)
    home = _obligation(session, "so-noi-vu")
    add_report(
        session, home.id,
        [{"task_no": "3", "status": "in_progress", "text": "3. Kiện toàn tổ chức: đã thẩm định 4/6 đề án.",
          "figures": [{"value": 4, "total": 6, "unit": "đề án", "text": "4/6 đề án"}]}],
        source="chat", channel="telegram", submitted_at=vn(2024, 3, 19, 9),
        raw_text="…", general_text="II. KHÓ KHĂN, VƯỚNG MẮC\nBiên chế thiếu, cán bộ kiêm nhiệm.", general_difficulty=True,
    )
    session.commit()
    entry = session.exec(select(ReportEntry).where(ReportEntry.obligation_id == home.id, ReportEntry.task_no == "3")).all()[-1]
    assert entry.figures == [{"value": 4, "total": 6, "unit": "đề án", "text": "4/6 đề án"}]

    data = report.gather(session, PLAN, PERIOD, NOW, VN, cal=CAL)
    general = [f for f in data.difficulties if f.agency_id == "so-noi-vu" and f.task == ""]
    assert [f.text for f in general] == ["Biên chế thiếu, cán bộ kiêm nhiệm"]
    markdown = render_markdown(data)
    assert "- Biên chế thiếu, cán bộ kiêm nhiệm _(Sở Nội vụ)_." in markdown
    document = Document(io.BytesIO(render_docx(data)))
    lines = [p.text for p in document.paragraphs]
    start = lines.index("III. KHÓ KHĂN, VƯỚNG MẮC")
    assert "- Biên chế thiếu, cán bộ kiêm nhiệm (Sở Nội vụ)." in lines[start:start + 40]
    # The figures reach the annex; the report's own heading "3. Kiện toàn tổ chức:" is not repeated.
    three = lines[lines.index("3. Kiện toàn tổ chức, bộ máy, nâng cao chất lượng cán bộ các cơ quan tư pháp"):]
    assert "- Sở Nội vụ (chủ trì, đang thực hiện): Đã thẩm định 4/6 đề án." in three
