"""Readings added while tuning on reports-held-out-16/-17: which tasks a report's headings and
points give (short examples written for the test, not corpus rows)."""

from __future__ import annotations

import pytest

from bot.parser import parse_reply
from tests.bot.readings import seed_index

SUB = [str(i) for i in range(1, 12)] + ["1a", "1b"]


def read(text: str, tasks: list[str] | None = None) -> list[tuple[str | None, str | None]]:
    return [(e.task, e.status) for e in parse_reply(text, tasks)]


# "I.1. Về quán triệt các chủ trương … (điểm a mục 1)": a heading that opens on task 1 and ends
# its title on which of the task's points it is, in brackets, is that point's, not task 1 besides.
@pytest.mark.parametrize(
    "text, want",
    [
        ("I.1. Về quán triệt chủ trương của Đảng về cải cách tư pháp (điểm a mục 1)\nĐã quán triệt cho 100% công chức. Hoàn thành.\n"
         "I.2. Về xây dựng Nhà nước pháp quyền\nTổ chức 02 hội thảo.", [("1a", "done"), ("2", "in_progress")]),
        ("1. Nhiệm vụ 1 - Đổi mới hình thức tuyên truyền (điểm b mục 1)\nPhát 120 tin trên Zalo, đang tiếp tục.", [("1b", "in_progress")]),
    ],
)
def test_a_heading_naming_its_point_in_brackets_is_that_point(text, want):
    assert read(text, SUB) == want


def test_a_status_before_the_bracketed_point_keeps_the_task():
    assert read("nv1 xong (diem b thi dang lam)", SUB) == [("1", "done"), ("1b", "in_progress")]


# "1. Nhiệm vụ số 10 (chủ trì): …" then "a) Kết quả: …", "b) …": the task's own points a), b), not a
# part of the report ("A. KẾT QUẢ THỰC HIỆN") that leaves the heading without its results.
@pytest.mark.parametrize(
    "text",
    [
        "1. Nhiệm vụ số 10 (chủ trì): Tháo gỡ khó khăn trong thi hành án dân sự\na) Kết quả: đã thi hành xong 3.100 việc, "
        "đang tiếp tục.\nb) Ban Chỉ đạo họp 02 phiên.\n2. Nhiệm vụ số 4: đã hoàn thành.",
        "1. Nhiem vu 10\na) Tinh hinh: dang thuc hien, thi hanh xong 900 viec\nb) BCD hop 2 phien\n2. Nhiem vu 4: da hoan thanh",
    ],
)
def test_a_point_under_a_task_heading_is_the_tasks_even_when_it_opens_on_results(text):
    entries = parse_reply(text, SUB)
    assert [(e.task, e.status) for e in entries] == [("10", "in_progress"), ("4", "done")]
    assert "02 phiên" in entries[0].text or "2 phien" in entries[0].text


def test_a_lettered_part_of_the_report_is_still_a_part():
    text = "I. Nhiệm vụ 4: đang thực hiện.\nA. KẾT QUẢ THỰC HIỆN\nNhiệm vụ 6: đã hoàn thành."
    assert read(text, SUB) == [("4", "in_progress"), ("6", "done")]


# "nv10 họp BCĐ THADS 2 lần": how many times something was done is a result, so the task is under
# way; "lần thứ 2", "sửa đổi lần 2" count no work.
@pytest.mark.parametrize(
    "text, want",
    [
        ("nv 2 dang lam; nv10 hop bcd 2 lan; nv8 k co", [("2", "in_progress"), ("10", "in_progress"), ("8", "not_arisen")]),
        ("NV5: kiểm tra liên ngành 03 lần", [("5", "in_progress")]),
    ],
)
def test_a_count_of_times_is_a_result(text, want):
    assert read(text) == want


# "Về thông tin tuyên truyền cải cách tư pháp trên đài: duy trì chuyên mục …; phát 64 tin, bài về
# hoạt động điều tra, xét xử": after a ";" on the line that opens on a subject clearly one task's,
# the results stay that subject's, whatever fields they name (the news was about trials, the work is
# the propaganda).
@pytest.mark.parametrize(
    "text",
    [
        "Về thông tin tuyên truyền cải cách tư pháp trên sóng phát thanh: duy trì chuyên mục Pháp luật và đời sống; "
        "phát 64 tin, bài về hoạt động điều tra, xét xử, thi hành án dân sự.",
        "Đài tỉnh báo cáo 6 tháng:\nVề thông tin tuyên truyền cải cách tư pháp trên đài: duy trì chuyên mục hằng tuần; "
        "phát 30 tin về điều tra, truy tố, xét xử các vụ án.",
    ],
)
@pytest.mark.parametrize("assigned", [["1", "4", "9", "10"], None])
def test_results_after_a_semicolon_stay_the_subject_headings(text, assigned):
    index, refs = seed_index()
    assert [e.task for e in parse_reply(text, refs, index=index, assigned=assigned)] == ["9"]


# "Nhiệm vụ 4:" alone on its line, then "4.1. Tiếp công dân: …", "4.2. Phòng, chống tham nhũng: …":
# the task's own points, one part (not the plan's task 4 again, read by its words as another task).
@pytest.mark.parametrize(
    "text, want",
    [
        ("Nhiệm vụ 4:\n4.1. Tiếp công dân: tiếp 80 lượt công dân.\n4.2. Phòng, chống tham nhũng: triển khai 03 cuộc thanh tra.\n"
         "Nhiệm vụ 8: Chưa phát sinh.", [("4", "in_progress"), ("8", "not_arisen")]),
        ("Nhiệm vụ 10: Tháo gỡ vướng mắc trong thi hành án\n10.1. Về việc: thi hành xong 900 việc.\n10.2. Về tiền: thu 40 tỷ đồng.\n"
         "Đã hoàn thành chỉ tiêu năm.", [("10", "done")]),
    ],
)
def test_outline_points_under_a_named_task_are_its_points(text, want):
    index, refs = seed_index()
    assert [(e.task, e.status) for e in parse_reply(text, refs, index=index)] == want


def test_outline_points_under_named_task_1_are_its_sub_items():
    index, refs = seed_index()
    text = "Nhiệm vụ 1:\n1.1. Quán triệt Nghị quyết 27: đã xong.\n1.2. Đổi mới hình thức tuyên truyền: đang làm."
    assert [(e.task, e.status) for e in parse_reply(text, refs, index=index)] == [("1a", "done"), ("1b", "in_progress")]
