"""Readings added in round 10, on the misses of held-out-36/-37 once they were scored blind."""

from __future__ import annotations

from bot.parser import parse_reply
from tests.bot.readings import as_agency as _as, kind as _kind, seed_index


def test_a_point_a_opened_on_the_tasks_heading_line_is_point_a():
    text = ("UBND huyện Ninh Sơn\nBáo cáo 6 tháng năm 2024\n"
            "I. Nhiệm vụ 1: a) quán triệt đến cán bộ, đảng viên toàn huyện; hoàn thành.\n"
            "b) tuyên truyền qua 30 tin, bài trên đài truyền thanh.\n"
            "II. Nhiệm vụ 4: tiếp 40 lượt công dân.")
    index, refs = seed_index()
    got = [(e.task, e.status) for e in parse_reply(text, refs, index=index, assigned=["1", "1a", "1b", "4"]) if e.task]
    assert got == [("1a", "done"), ("1b", "in_progress"), ("4", "in_progress")]


def test_a_task_heading_without_its_point_a_stays_the_task():
    # no "a)" after the heading: the task itself, its point b) beside it
    text = ("I. Nhiệm vụ 1: quán triệt đến cán bộ, đảng viên toàn huyện; hoàn thành.\n"
            "b) tuyên truyền qua 30 tin, bài trên đài truyền thanh.")
    index, refs = seed_index()
    tasks = [e.task for e in parse_reply(text, refs, index=index, assigned=["1", "1a", "1b"]) if e.task]
    assert "1a" not in tasks and "1b" in tasks


def test_the_reports_own_numbering_i_1_i_2_names_no_task():
    # "I.1.", "I.2.", "I.3." under the report's part I: each read by its words, as "1.", "2.", "3." are
    text = ("Sở Giao thông vận tải báo cáo 6 tháng năm 2024:\n"
            "I.1 Tuyên truyền pháp luật về trật tự an toàn giao thông: 20 đợt ra quân, 900 lượt người; hoàn thành.\n"
            "I.2 Phối hợp với Công an tỉnh cung cấp hồ sơ 12 vụ tai nạn giao thông phục vụ điều tra.\n"
            "I.3 Góp ý 03 dự thảo văn bản quy phạm pháp luật.")
    tasks = [e.task for e in _as("so-giao-thong-van-tai", text) if e.task]
    assert "2" not in tasks and "3" not in tasks
    assert tasks[1:] == ["4", "6"]


def test_ii_4_still_names_task_4():
    # the plan's own numbering "II.4" stays a task's number
    index, refs = seed_index()
    got = parse_reply("II.4 - Tiếp 40 lượt công dân; II.9 - Gỡ 3 bài viết sai sự thật.", refs, index=index)
    assert [e.task for e in got] == ["4", "9"]


def test_a_subject_line_with_its_results_after_the_colon_is_a_part():
    text = ("Về kinh phí, trang thiết bị bảo đảm hoạt động: năm 2024 Công an tỉnh được hỗ trợ 2,5 tỷ đồng, đã giải ngân hết.\n"
            "Về chuyển đổi số, cải cách hành chính: toàn bộ hồ sơ cấp căn cước thực hiện trực tuyến.")
    tasks = [e.task for e in _as("cong-an-tinh", text)]
    assert tasks == ["11", "4"]


def test_a_subject_line_alone_is_still_a_title():
    # a subject and too few words after it to say what was done: a title, no part of its own
    text = ("Về kinh phí, trang thiết bị bảo đảm hoạt động: năm 2024 Công an tỉnh được hỗ trợ 2,5 tỷ đồng, đã giải ngân hết.\n"
            "Về chuyển đổi số, cải cách hành chính: như trên.")
    assert [e.task for e in _as("cong-an-tinh", text)] == ["11"]


def test_an_either_or_question_with_its_reason_after_it_is_a_question():
    assert _kind("A ơi báo cáo quý I hạn chót là 15/3 hay 20/3 vậy ạ, kế hoạch 124 em thấy không ghi.") == "deadline"
    # a result stays a report
    assert _kind("NV4 tiếp 30 lượt công dân hay hơn quý trước, đạt 80% kế hoạch") is None


def test_kn_opening_a_line_is_a_request_of_the_agency():
    # "kn:" is "kiến nghị:" on a phone: the agency's request, the general part of a reply about two tasks
    got = parse_reply("nv4 9 thang tiep nhan 120 tin bao\nnv10 bao ve 6 cuoc cuong che\nkn: tinh ho tro kinh phi duong truyen")
    assert [(e.task, e.difficulty, e.general) for e in got] == [("4", False, False), ("10", False, False), (None, True, True)]
    # of one task, its request
    (only,) = parse_reply("nv4 dang lam\nkn: tinh ho tro kinh phi")
    assert only.task == "4" and only.difficulty


def test_kn_inside_a_sentence_is_no_request():
    (only,) = parse_reply("nv4 dang lam, co kn tot tu ky truoc")
    assert not only.difficulty


def test_an_either_or_question_ending_on_a_is_a_question():
    assert _kind("anh oi nv10 thi tinh ty le ve tien theo so co dieu kien hay tong so phai thi hanh a") == "question"
    # "hay quá ạ" praises, it asks nothing
    assert _kind("Sở tổ chức hội nghị tập huấn hay quá ạ") != "question"
