"""The consolidated report written from the stored entries, on SQLite and PostgreSQL: a scripted
quý I 2024 whose replies go through the real reply parser and are stored as the bot stores
them (one segment per task), then the Word draft, the Markdown and the Excel annex are opened
and read as an officer would.

The script (the seed plan; due Friday 15/3, looked at on 25/3 09:00, after consolidation):

- Báo Ninh Thuận, one message on all its five tasks, with a greeting and a difficulty;
- Ban Dân tộc tỉnh, a salutation and its self-introduction, then five of its ten tasks in one line;
- Sở Tư pháp, a pasted report: NV2 done (no percent), NV6 80 % with a difficulty, a
  recommendation and a request for more time (granted by Sở Tư pháp);
- Công an tỉnh, NV4 50 % on 12/3, then a correction "Xin sửa lại số liệu NV4: hoàn thành
  100%, …(số liệu gửi trước bị nhầm)";
- Sở Nội vụ, NV2 80 % (so NV2 has one agency done, one at 80 %: the mean is 90 %, not 80 %);
- nobody reports on NV11.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook

import reports as report
from bot.parser import parse_reply
from bot.task_match import TaskIndex
from common.tasks import covers, sorted_refs
from reports import prose
from reports.body import count, task_span
from reports.xlsx import ON_TIME_SHEET, SUMMARY_SHEET
from storage.models import Extension, ReportSource
from storage.queries import add_report
from tests.reports.test_report import CAL, PLAN, VN, _obligation, _sync, assigned, vn

PERIOD = "2024-Q1"
NOW = vn(2024, 3, 25, 9, 0)  # the working day after the consolidation due date (22/3)
INDEX = TaskIndex.from_plan(PLAN)
REFS = list(PLAN.task_refs())


def send(session, agency_id: str, text: str, at, period: str = PERIOD) -> None:  # type: ignore[no-untyped-def]
    """Store ``text`` as the bot does once the focal point presses ✅: the parser's entries."""
    owed = assigned()[agency_id]
    allowed = sorted_refs(owed + [ref for ref in REFS if ref not in owed and covers(owed, ref)])
    entries = parse_reply(text, REFS, index=INDEX, assigned=allowed)
    general = [e for e in entries if e.general]
    rows = [
        {"task_no": e.task, "status": e.status, "percent": e.percent, "difficulty": e.difficulty, "text": e.text,
         "figures": [f.as_dict() for f in e.figures] or None}
        for e in entries if e.task is not None and not e.general
    ]
    assert rows, entries
    add_report(session, _obligation(session, agency_id, period).id, rows, source=ReportSource.CHAT, channel="telegram", submitted_at=at,
               raw_text=text, general_text=general[0].text if general else None, general_difficulty=bool(general and general[0].difficulty))


def tasks_of(agency_id: str, limit: int | None = None) -> str:
    return ", ".join(f"NV{no}" for no in assigned()[agency_id][:limit])


def script(session) -> None:  # type: ignore[no-untyped-def]
    _sync(session)
    send(session, "bao-ninh-thuan",
         f"Dạ, em xin báo cáo: {tasks_of('bao-ninh-thuan')} (phối hợp): đang thực hiện, đã lồng ghép tuyên truyền trong "
         "10 buổi sinh hoạt chuyên đề, còn vướng mắc về cơ chế phối hợp liên ngành.", vn(2024, 3, 11, 10))
    send(session, "ban-dan-toc-tinh",
         f"Kính gửi Sở Tư pháp, Ban Dân tộc tỉnh báo cáo quý I năm 2024: {tasks_of('ban-dan-toc-tinh', 5)} (phối hợp): đang "
         "thực hiện, đã lồng ghép tuyên truyền trong 9 buổi sinh hoạt chuyên đề.", vn(2024, 3, 12, 14))
    send(session, "so-tu-phap",
         "NV2 (chủ trì): hoàn thành, đã tổ chức 13 hội nghị triển khai Nghị quyết 27-NQ/TW.\n"
         "NV6 (chủ trì): đang thực hiện 80%, đã thẩm định 24 dự thảo, vướng kinh phí, đề nghị Sở Tài chính bố trí bổ sung, "
         "đề nghị gia hạn đến 29/3.", vn(2024, 3, 14, 9))
    send(session, "cong-an-tinh", "NV4 (chủ trì): đang thực hiện 50%, đã xử lý 10 vụ án.", vn(2024, 3, 12, 9))
    send(session, "cong-an-tinh",
         "Xin sửa lại số liệu NV4: hoàn thành 100%, đã xử lý 12 vụ án, số hóa 450 hồ sơ (số liệu gửi trước bị nhầm).",
         vn(2024, 3, 14, 16))
    send(session, "so-noi-vu", "NV2: đang thực hiện 80%, đã quán triệt cho 120 công chức.", vn(2024, 3, 13, 8))
    justice = _obligation(session, "so-tu-phap")
    justice.extended_due = date(2024, 3, 29)
    session.add(justice)
    session.add(Extension(obligation_id=justice.id, task_no="6", until=date(2024, 3, 29), text="đề nghị gia hạn đến 29/3",
                          requested_at=vn(2024, 3, 14, 9), status="approved", decided_by="telegram:901", decided_at=vn(2024, 3, 14, 11)))
    session.commit()


@pytest.fixture
def data(session):
    script(session)
    return report.gather(session, PLAN, PERIOD, NOW, VN, cal=CAL)


def _paragraphs(content: bytes) -> list[str]:
    document = Document(io.BytesIO(content))
    return [p.text for p in document.paragraphs if p.text.strip()]


def _section(paragraphs: list[str], heading: str, until: str) -> list[str]:
    start = paragraphs.index(heading)
    end = next(i for i in range(start + 1, len(paragraphs)) if paragraphs[i].startswith(until))
    return paragraphs[start + 1 : end]


def test_the_parser_stored_one_segment_per_task(data):
    # What the report starts from: the multi-task line is one segment on each of five tasks.
    press = [c for t in data.tasks for c in t.coordinators if c.agency == "Báo Ninh Thuận"]
    assert len(press) == len(assigned()["bao-ninh-thuan"]) == 5
    assert len({c.entry.text for c in press}) == 1


def test_each_result_once_under_its_first_task_without_chat_wording(data):
    paragraphs = _paragraphs(report.render(data, "docx"))
    text = "\n".join(paragraphs)
    repeated = [p for p, n in Counter(paragraphs).items() if n > 1]
    assert repeated == []
    sentences = [s for p in paragraphs for s in re.split(r"(?<=\.)\s+", p) if len(s) > 25]
    assert [s for s, n in Counter(sentences).items() if n > 1] == []

    for chat in ("Dạ", "em xin", "Kính gửi", "báo cáo quý I năm 2024:", "Xin sửa", "nhầm", "NV1,", "(phối hợp):", "(chủ trì):  "):
        assert chat not in text, chat

    one = _section(paragraphs, "1. Tuyên truyền, phổ biến về chiến lược cải cách tư pháp", "2. ")
    press = f"- Báo Ninh Thuận (nhiệm vụ {task_span(assigned()['bao-ninh-thuan'])}): Đã lồng ghép tuyên truyền trong 10 buổi sinh hoạt chuyên đề."
    assert press in one
    assert text.count("10 buổi sinh hoạt chuyên đề") == 1  # figures kept, once
    assert any(p.startswith("- Ban Dân tộc tỉnh (nhiệm vụ ") and p.endswith("Đã lồng ghép tuyên truyền trong 9 buổi sinh hoạt chuyên đề.") for p in one)

    # The other tasks of those messages say where their answer was written.
    four = _section(paragraphs, "4. Phối hợp trong điều tra, truy tố, xét xử, thi hành án; tiếp công dân; chuyển đổi số", "5. ")
    assert "02 cơ quan báo cáo chung nhiều nhiệm vụ, nội dung đã nêu tại điểm 1" in four[0]
    # The correction only, its figures kept; the lead first with its status.
    assert four[1] == "- Công an tỉnh (chủ trì, hoàn thành): Đã xử lý 12 vụ án, số hóa 450 hồ sơ."
    assert "10 vụ án" not in text and "50%" not in "\n".join(four)


def test_status_line_counts_done_as_100_percent(data):
    paragraphs = _paragraphs(report.render(data, "docx"))
    two = _section(paragraphs, "2. Quán triệt, triển khai Nghị quyết 27-NQ/TW về Nhà nước pháp quyền", "3. ")
    assert two[0].startswith("Cơ quan chủ trì: Sở Tư pháp; thời gian thực hiện: Thường xuyên. Có 03/29 cơ quan, đơn vị báo cáo nhiệm vụ 2: 01 hoàn thành, 02 đang thực hiện;")
    # Sở Tư pháp done (no percent: 100), Sở Nội vụ 80 %: 90 %, not "bình quân 80%".
    assert "tiến độ bình quân 90% (bình quân trên 02 cơ quan có nêu tỷ lệ, trong đó 01 cơ quan báo cáo hoàn thành tính là 100%)" in two[0]
    assert two[1] == "- Sở Tư pháp (chủ trì, hoàn thành): Đã tổ chức 13 hội nghị triển khai Nghị quyết 27-NQ/TW."
    assert "- Sở Nội vụ: Đã quán triệt cho 120 công chức." in two


def test_a_task_nobody_reported_on(data):
    paragraphs = _paragraphs(report.render(data, "docx"))
    eleven = _section(paragraphs, "11. Bổ sung kinh phí, bảo đảm điều kiện hoạt động của các cơ quan tư pháp", "III.")
    owing = sum(1 for tasks in assigned().values() if "11" in tasks)
    assert eleven[0].endswith(f"Chưa có cơ quan, đơn vị nào báo cáo kết quả thực hiện nhiệm vụ 11 trong kỳ ({count(owing)} phải báo cáo).")
    assert eleven[1] == "- Sở Tài chính (chủ trì) chưa báo cáo kết quả thực hiện nhiệm vụ 11."


def test_difficulties_recommendations_and_the_extension_each_in_their_part(data):
    paragraphs = _paragraphs(report.render(data, "docx"))
    difficulties = _section(paragraphs, "III. KHÓ KHĂN, VƯỚNG MẮC", "IV.")
    assert difficulties == [
        f"- Còn vướng mắc về cơ chế phối hợp liên ngành (Báo Ninh Thuận: nhiệm vụ {task_span(assigned()['bao-ninh-thuan'])}).",
        "- Vướng kinh phí (Sở Tư pháp: nhiệm vụ 6).",
    ]
    assert _section(paragraphs, "IV. KIẾN NGHỊ, ĐỀ XUẤT", "V.") == ["- Đề nghị Sở Tài chính bố trí bổ sung (Sở Tư pháp: nhiệm vụ 6)."]
    extension = _section(paragraphs, "2. Gia hạn thời hạn báo cáo", "II.")
    assert extension[1] == (
        "- Sở Tư pháp (nhiệm vụ 6) đề nghị gia hạn đến ngày 29 tháng 3 năm 2024 (hạn gửi ngày 15 tháng 3 năm 2024); "
        "Sở Tư pháp đồng ý ngày 14/03/2024."
    )
    others = [p for p in paragraphs if p not in extension and p != "2. Gia hạn thời hạn báo cáo"]
    assert not any("gia hạn" in p for p in others)
    six = _section(paragraphs, "6. Thẩm định văn bản, phổ biến pháp luật, quản lý giám định và bổ trợ tư pháp", "7. ")
    assert "- Sở Tư pháp (chủ trì, đang thực hiện 80%): Đã thẩm định 24 dự thảo." in six


def test_agencies_not_reported_in_administrative_style(data):
    paragraphs = _paragraphs(report.render(data, "docx"))
    situation = _section(paragraphs, "I. TÌNH HÌNH BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ", "2. Gia hạn")
    assert situation[0].startswith("Kỳ báo cáo quý I năm 2024 có 47 cơ quan, đơn vị, địa phương phải báo cáo; hạn gửi báo cáo ngày 15 tháng 3 năm 2024. Đến 09 giờ 00 ngày 25 tháng 3 năm 2024: 01 cơ quan, đơn vị đã báo cáo đầy đủ (01 đúng hạn, 0 gửi sau hạn); 04 cơ quan, đơn vị báo cáo chưa đầy đủ; 42 cơ quan, đơn vị chưa báo cáo")
    assert any(p.startswith("- Chưa báo cáo (42 cơ quan, đơn vị): Văn phòng UBND tỉnh; ") for p in situation)
    assert any(p.startswith("- Báo cáo chưa đầy đủ (04 cơ quan, đơn vị): ") and "Sở Tư pháp (còn thiếu nhiệm vụ 1, 3, 4, 5, 7, 8, 9, 10 và 11)" in p for p in situation)


def test_markdown_says_the_same(data):
    text = report.render(data, "md").decode("utf-8")
    assert "- **Công an tỉnh** (chủ trì, hoàn thành): Đã xử lý 12 vụ án, số hóa 450 hồ sơ." in text
    assert "- Đề nghị Sở Tài chính bố trí bổ sung _(Sở Tư pháp: nhiệm vụ 6)_." in text
    assert "Dạ" not in text and "Kính gửi" not in text


def test_the_annex_prints_on_a4(data):
    workbook = load_workbook(io.BytesIO(report.render(data, "xlsx")))
    for ws in workbook:
        assert ws["A1"].value == "PHỤ LỤC" and ws["A3"].value.startswith("(Kèm theo Báo cáo số      -BC/BCSĐ ngày 25 tháng 3 năm 2024")
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$5:$5"
        assert ws.oddFooter.center.text == "Trang &P/&N"
    ws = workbook[SUMMARY_SHEET]
    header = [c.value for c in ws[5]]
    column = header.index("Nội dung báo cáo (lần gửi mới nhất)") + 1
    width = ws.column_dimensions[ws.cell(5, column).column_letter].width
    for row in range(6, ws.max_row + 1):
        value = ws.cell(row, column).value
        if value:
            lines = -(-len(value) // int(width * 1.1))
            assert ws.row_dimensions[row].height >= lines * 15, (row, value)  # the wrapped text fits
    police = next(r for r in ws.iter_rows(min_row=6, values_only=True) if r[1] == "Công an tỉnh" and r[3] == "4")
    row = dict(zip(header, police, strict=True))
    assert (row["Tiến độ"], row["Tỷ lệ (%)"], row["Số lần gửi"]) == ("Hoàn thành", 100, 2)
    assert row["Số liệu"].startswith("12 vụ án; 450 hồ")  # the parser's figures, as it found them
    justice = next(dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=6, values_only=True) if r[1] == "Sở Tư pháp" and r[3] == "6")
    assert justice["Thời hạn"] == "Đúng hạn (gia hạn đến 29/03/2024)"


def test_the_on_time_sheet_across_the_year(session):
    script(session)
    send(session, "bao-ninh-thuan", f"{tasks_of('bao-ninh-thuan')}: đang thực hiện, đã phối hợp theo chức năng.", vn(2024, 6, 20, 9), "2024-H1")  # late
    session.commit()
    data = report.gather(session, PLAN, "2024-9M", vn(2024, 9, 10, 9), VN, cal=CAL)
    ws = load_workbook(io.BytesIO(report.render(data, "xlsx")))[ON_TIME_SHEET]
    header = [c.value for c in ws[5]]
    assert header == ["STT", "Cơ quan, đơn vị", "Quý I", "06 tháng", "09 tháng", "Số kỳ đã đến hạn", "Số kỳ đúng hạn", "Tỷ lệ đúng hạn (%)"]
    rows = {r[1]: r for r in ws.iter_rows(min_row=6, values_only=True)}
    # 9M is not due yet on 10/9: not counted.
    assert rows["Báo Ninh Thuận"][2:] == ("Đúng hạn", "Muộn", "Chưa đến hạn", 2, 1, 50)
    assert rows["Sở Y tế"][2:] == ("Chưa báo cáo", "Chưa báo cáo", "Chưa đến hạn", 2, 0, 0)


def test_a_draft_for_an_earlier_moment_states_the_situation_then(session):
    """`baocao report --now 2024-03-13T12:00`: dated then, and only what had come in by then."""
    script(session)
    data = report.gather(session, PLAN, PERIOD, vn(2024, 3, 13, 12), VN, cal=CAL)
    document = Document(io.BytesIO(report.render(data, "docx")))
    cells = [p.text for t in document.tables for c in t._cells for p in c.paragraphs]
    assert "Ninh Thuận, ngày 13 tháng 3 năm 2024" in cells
    paragraphs = [p.text for p in document.paragraphs if p.text.strip()]
    text = "\n".join(paragraphs)
    assert "- Công an tỉnh (chủ trì, đang thực hiện 50%): Đã xử lý 10 vụ án." in paragraphs  # before the correction
    assert "12 vụ án" not in text and "13 hội nghị" not in text  # Sở Tư pháp reported on 14/3
    assert "Đến 12 giờ 00 ngày 13 tháng 3 năm 2024" in text
    assert "không có cơ quan, đơn vị nào đề nghị gia hạn" in text
    revisions = load_workbook(io.BytesIO(report.render(data, "xlsx")))["Các lần gửi"]
    assert {r[1] for r in revisions.iter_rows(min_row=6, values_only=True)} == {"Công an tỉnh", "Báo Ninh Thuận", "Ban Dân tộc tỉnh", "Sở Nội vụ"}


def test_odd_input_gives_a_sensible_draft(session):
    """A plan without recipients, signer or province; segments that are empty, punctuation,
    emoji, control characters, a whole pasted page; a period with no replies at all."""
    import json

    from common.paths import BUNDLED_DATA_DIR
    from scheduler.plan import parse_plan

    raw = json.loads((BUNDLED_DATA_DIR / "plan.json").read_text(encoding="utf-8"))
    raw["reporting"]["onward"] = []
    raw["plan"]["signer"] = None
    raw["plan"]["province"] = None
    plan = parse_plan(json.dumps(raw, ensure_ascii=False))
    _sync(session, plan)
    home = _obligation(session, "so-noi-vu")
    odd = ["", "...", "🙂🙂", "NV1:", "Dạ ạ", "\x07\x1b", "đề nghị gia hạn", "a" * 3000, "NV5: " + "đã làm, " * 200]
    add_report(session, home.id, [{"task_no": no, "text": text} for no, text in zip(["1", "2", "3", "4", "5", "6", "7", "9", "10"], odd, strict=True)],
               source=ReportSource.CLI, submitted_at=vn(2024, 3, 12, 9))
    session.commit()
    for period in ("2024-Q1", "2024-H1"):
        data = report.gather(session, plan, period, NOW, VN, cal=CAL)
        for fmt in report.FORMATS:
            assert report.render(data, fmt)
        document = Document(io.BytesIO(report.render(data, "docx")))
        cells = [p.text for t in document.tables for c in t._cells for p in c.paragraphs if p.text]
        assert "Nơi nhận:" in cells and "- Lưu: VT, STP." in cells and "(họ và tên)" in cells
        paragraphs = [p.text for p in document.paragraphs if p.text.strip()]
        assert [p for p, n in Counter(paragraphs).items() if n > 1] == []
    assert any(p.startswith("Cơ quan chủ trì:") and "Chưa có cơ quan, đơn vị nào báo cáo kết quả thực hiện nhiệm vụ 4" in p for p in paragraphs)


@pytest.mark.parametrize(
    ("text", "results", "difficulties", "recommendations"),
    [
        ("Dạ, em xin báo cáo: NV1, NV4 (phối hợp): đang thực hiện, đã phối hợp triển khai theo chức năng, nhiệm vụ, còn vướng mắc về cơ chế.",
         ["đã phối hợp triển khai theo chức năng, nhiệm vụ"], ["còn vướng mắc về cơ chế"], []),
        ("Kính gửi Sở Tư pháp, Sở Y tế báo cáo quý I năm 2024 như sau: NV6: đã thẩm định 4/6 đề án.", ["đã thẩm định 4/6 đề án"], [], []),
        ("NV10 (chủ trì): đang thực hiện 45%, đã thi hành xong 23 việc, thu 1,5 tỷ đồng, đề nghị gia hạn đến 30/3.",
         ["đã thi hành xong 23 việc, thu 1,5 tỷ đồng"], [], []),
        ("NV4: 70%, vướng kinh phí; đề nghị Sở Tài chính bổ sung.", [], ["vướng kinh phí"], ["đề nghị Sở Tài chính bổ sung"]),
        ("Đã tổ chức 3 hội nghị, đang thực hiện 45%, thiếu biên chế, kiến nghị bổ sung 02 biên chế, sớm trong năm 2024. Trân trọng.",
         ["Đã tổ chức 3 hội nghị"], ["thiếu biên chế"], ["kiến nghị bổ sung 02 biên chế, sớm trong năm 2024"]),
        ("Xin sửa lại số liệu NV4: hoàn thành 100%, đã xử lý 12 vụ (số liệu gửi trước bị nhầm).", ["đã xử lý 12 vụ"], [], []),
        ("3. Kiện toàn tổ chức: đã bổ sung 20 biên chế ạ", ["đã bổ sung 20 biên chế"], [], []),
        ("Hoàn thành 100% kế hoạch năm", ["Hoàn thành 100% kế hoạch năm"], [], []),
        ("Đang thực hiện theo đề nghị của Bộ", ["Đang thực hiện theo đề nghị của Bộ"], [], []),
        ("NV2: hoàn thành", [], [], []),
    ],
)
def test_prose_reads_a_segment(text, results, difficulties, recommendations):
    said = prose.read(text)
    assert (list(said.results), list(said.difficulties), list(said.recommendations)) == (results, difficulties, recommendations)


async def test_the_demo_dates_each_draft_when_it_is_made(tmp_path):
    """`baocao demo` writes each period's draft right after its consolidation date."""
    from baocao.demo import simulation as demo

    out = tmp_path / "out"
    await demo.run_demo(demo.DemoOptions(seed=2024, agencies=6, timeout_s=90, quiet=True, output_dir=out),
                        out=io.StringIO(), err=io.StringIO(), workdir=tmp_path)
    dates = {}
    for code in ("Q1", "H1", "9M", "FY"):
        document = Document(out / f"bao-cao-124-kh-bcsd-2024-{code}.docx")
        cells = [p.text for t in document.tables for c in t._cells for p in c.paragraphs]
        dates[code] = next(c for c in cells if c.startswith("Ninh Thuận, ngày"))
    assert dates == {
        "Q1": "Ninh Thuận, ngày 25 tháng 3 năm 2024",
        "H1": "Ninh Thuận, ngày 25 tháng 6 năm 2024",
        "9M": "Ninh Thuận, ngày 24 tháng 9 năm 2024",
        "FY": "Ninh Thuận, ngày 24 tháng 12 năm 2024",
    }


def test_a_line_on_tasks_led_and_coordinated_sits_under_the_task_led(session):
    _sync(session)
    send(session, "so-tu-phap", "NV1, NV2, NV3: đang thực hiện 60%, đã tổ chức 7 hội nghị.", vn(2024, 3, 11, 10))
    session.commit()
    data = report.gather(session, PLAN, PERIOD, NOW, VN, cal=CAL)
    paragraphs = _paragraphs(report.render(data, "docx"))
    two = _section(paragraphs, "2. Quán triệt, triển khai Nghị quyết 27-NQ/TW về Nhà nước pháp quyền", "3. ")
    assert "- Sở Tư pháp (chủ trì, đang thực hiện 60%; nhiệm vụ 1–3): Đã tổ chức 7 hội nghị." in two
    one = _section(paragraphs, "1. Tuyên truyền, phổ biến về chiến lược cải cách tư pháp", "2. ")
    assert "01 cơ quan báo cáo chung nhiều nhiệm vụ, nội dung đã nêu tại điểm 2" in one[0]
    assert sum("7 hội nghị" in p for p in paragraphs) == 1
