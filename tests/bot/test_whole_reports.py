"""A focal point pastes the report written in Word, or names tasks by their content: the bot
reads it as a Sở Tư pháp officer would — each task's own part, the agency's general part,
the figures — asks when two tasks are equally likely, and stores it all; on both channels and
both databases."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from common.clock import FixedClock
from storage.db import session_scope
from storage.models import Contact, Obligation, Report, ReportEntry
from storage.queries import latest_entries
from tests.bot.chat import CHANNELS, Chat

ICT = timezone(timedelta(hours=7))
THADS = "cuc-thi-hanh-an-dan-su-tinh"  # tasks 1–6 (phối hợp) and 10 (chủ trì)
FOCAL = "100"

WORD_REPORT = """Kính gửi: Sở Tư pháp
Cục Thi hành án dân sự tỉnh báo cáo kết quả thực hiện Kế hoạch 124-KH/BCSĐ quý I năm 2024 như sau:

I. KẾT QUẢ THỰC HIỆN
1. Nhiệm vụ 10 (chủ trì): Tổng số việc phải thi hành 2.830 việc; đã thi hành xong 2.140/2.830 việc, thu 186,3 tỷ đồng. Đang tiếp tục thực hiện.
2. Nhiệm vụ 4: Phối hợp Công an tỉnh tổ chức 12/15 hội nghị tuyên truyền.
3. Nhiệm vụ 5: Trong kỳ không phát sinh vụ việc.

II. KHÓ KHĂN, VƯỚNG MẮC
Biên chế thiếu, cán bộ kiêm nhiệm nhiều việc.

III. PHƯƠNG HƯỚNG QUÝ II
Tiếp tục thực hiện nhiệm vụ 1, 2, 3."""


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=ICT)


@pytest.fixture
def clock():
    return FixedClock(vn(2024, 3, 14, 9, 0))


@pytest.fixture(params=CHANNELS)
def chat(request, engine, clock):
    chat = Chat(engine, clock, request.param)
    with session_scope(engine, write=True) as session:
        session.add(Contact(channel=chat.name, chat_id=FOCAL, user_id=FOCAL, display_name="Đầu mối", agency_id=THADS,
                            role="focal", created_at=clock.now()))
    return chat


def obligation(engine, agency, period="2024-Q1"):
    with session_scope(engine) as session:
        return session.exec(select(Obligation).where(Obligation.agency_id == agency, Obligation.period == period)).one()


def stored(engine, agency=THADS, period="2024-Q1"):
    with session_scope(engine) as session:
        return latest_entries(session, obligation(engine, agency, period).id)


def test_a_report_pasted_from_word_lands_task_by_task_with_its_general_part(chat, engine):
    out = chat.send(WORD_REPORT)
    text = out[0].text
    # Each task with its own part; the closing difficulties are the agency's; next quarter's plans
    # (phương hướng) are not this quarter's report.
    assert "NV10" in text and "NV4" in text and "NV5" in text and "NV1:" not in text
    assert "không phát sinh" in text and "Chung" in text
    assert "12/15 hội nghị" in text  # the figures, for the person to check
    chat.press(out, "✅")
    entries = stored(engine)
    assert set(entries) == {"4", "5", "10"}
    assert entries["10"].status == "in_progress" and entries["10"].percent is None and not entries["10"].difficulty
    assert entries["10"].text.startswith("1. Nhiệm vụ 10") and "Nhiệm vụ 4" not in entries["10"].text
    assert entries["4"].status == "in_progress"  # 12 of 15 conferences
    assert entries["5"].status == "not_arisen"
    figures = {f["text"] for f in entries["10"].figures}
    assert {"2.830 việc", "2.140/2.830 việc", "186,3 tỷ đồng"} <= figures
    assert [f["value"] for f in entries["10"].figures if f["text"] == "186,3 tỷ đồng"] == [186.3]
    with session_scope(engine) as session:
        report = session.exec(select(Report)).one()
        assert report.raw_text == WORD_REPORT  # the whole message, as it came
        assert report.general_difficulty and "kiêm nhiệm" in report.general_text


def test_a_task_named_by_its_content_lands_on_it(chat, engine):
    out = chat.send("Phần thi hành án dân sự quý I đã thi hành xong 1.020 việc, đang tiếp tục thực hiện")
    assert "NV10" in out[0].text
    chat.press(out, "✅")
    assert stored(engine)["10"].status == "in_progress"


def test_two_tasks_equally_likely_are_offered_as_the_choice(chat, engine):
    # "Phổ biến pháp luật" is task 6's (phổ biến, giáo dục pháp luật) and task 1's (tuyên
    # truyền, phổ biến): the bot asks, offering those two rather than every task of the agency.
    out = chat.send("Công tác tuyên truyền, phổ biến pháp luật: hoàn thành")
    assert "có thể thuộc một trong các nhiệm vụ" in out[0].text
    assert "NV6 — Thẩm định văn bản" in out[0].text and "NV1 — Tuyên truyền" in out[0].text
    assert [c.label for c in out[0].buttons] == ["NV6", "NV1"]
    out = chat.press(out, "NV6")
    chat.press(out, "✅")
    assert stored(engine)["6"].status == "done" and "1" not in stored(engine)


def test_a_part_the_learned_model_is_sure_of_lands_without_asking(chat, engine):
    # the rules leave it to task 4 or 10 (both speak of thi hành án); the model, trained on what
    # focal points wrote, is sure "vận động … tự nguyện thi hành án" is task 10's (bot/classifier.py)
    out = chat.send("Về phối hợp vận động thi hành án: đã vận động 07 đương sự tự nguyện thi hành án.")
    assert "có thể thuộc một trong các nhiệm vụ" not in out[0].text and "NV10" in out[0].text
    chat.press(out, "✅")
    assert set(stored(engine)) == {"10"} and stored(engine)["10"].status == "in_progress"


def test_a_list_of_task_numbers_gives_each_task(chat, engine):
    out = chat.send("Các nhiệm vụ phối hợp (1, 2, 3) đang triển khai thường xuyên; nhiệm vụ chủ trì số 10: đạt kế hoạch.")
    chat.press(out, "✅")
    entries = stored(engine)
    assert {no: e.status for no, e in entries.items()} == {"1": "in_progress", "2": "in_progress", "3": "in_progress", "10": "done"}


def test_a_chat_list_with_status_signs_gives_each_task(chat, engine):
    # "✅" done, "⏳" under way, "❌" not begun, as focal points mark a list in chat
    out = chat.send("✅ NV4\nNV10 ⏳ 60%\nNV5: ❌ chưa làm")
    chat.press(out, "✅")
    entries = stored(engine)
    assert {no: (e.status, e.percent) for no, e in entries.items()} == {
        "4": ("done", None), "10": ("in_progress", 60), "5": ("not_started", None)}
    assert entries["10"].text == "NV10 ⏳ 60%"  # each task's own line, its sign as written


def test_a_tracking_table_pasted_from_excel_gives_each_row_its_columns(chat, engine):
    # a bare "60" under "Tiến độ (%)" is the percent; the difficulty column states one or denies it
    out = chat.send("STT | Nhiệm vụ | Kết quả | Tiến độ (%) | Khó khăn\n"
                    "1 | NV10 | Thi hành xong 512 việc | 60 | Thiếu chấp hành viên\n"
                    "2 | NV4 | Ký 01 quy chế phối hợp với Công an tỉnh | 100 | Không\n"
                    "3 | NV5 | Không phát sinh | | -")
    chat.press(out, "✅")
    assert {no: (e.status, e.percent, e.difficulty) for no, e in stored(engine).items()} == {
        "10": ("in_progress", 60, True), "4": ("done", 100, False), "5": ("not_arisen", None, False)}


@pytest.mark.parametrize(
    "text, answer",
    [
        ("em gửi báo cáo qua email rồi ạ", "chỉ ghi nhận báo cáo gửi trong cuộc trò chuyện này"),
        ("Đầu mối báo cáo bên em đổi sang chị Lan nhé", "lời mời"),
        ("đang tổng hợp số liệu, em gửi sau", "chưa có gì được ghi nhận"),
        ("Nhiệm vụ 10 thì số liệu lấy đến ngày nào vậy anh?", "liên hệ trực tiếp Sở Tư pháp"),
        ("Hạn nộp báo cáo nhiệm vụ 10 quý này là ngày nào ạ?", "Hạn gửi báo cáo"),
        ("Dạ vâng, em nhận được công văn rồi ạ.", "Cảm ơn"),
        # the rules would draft a report of it; the learned model (bot/classifier.py) is sure it is none
        ("Dạ số liệu quý III bên em còn chờ các phòng gửi lên, đầu tuần sau em tổng hợp rồi gửi Sở ạ.",
         "chưa được ghi nhận là báo cáo"),
    ],
)
def test_what_is_not_a_report_is_answered_and_nothing_stored(chat, engine, text, answer):
    out = chat.send(text)
    assert answer in out[0].text, out[0].text
    assert "✅" not in " ".join(c.label for c in out[0].buttons)
    with session_scope(engine) as session:
        assert session.exec(select(ReportEntry)).all() == []
