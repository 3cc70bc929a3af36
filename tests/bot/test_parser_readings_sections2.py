"""Readings added while tuning on reports-held-out-8 and -9: which task numbers a part names,
lists and sub-items, and how a message is cut into parts (short examples written for the
test, not corpus rows)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from report_scoring import parse_as_bot  # noqa: E402

from bot.parser import parse_reply  # noqa: E402


def tasks(text: str, agency: str | None = None) -> list[str | None]:
    if agency is None:
        entries = parse_reply(text)
    else:
        entries, _ = parse_as_bot({"text": text, "agency": agency})
    return [e.task for e in entries if not e.general]


def read(text: str) -> dict[str | None, str | None]:
    return {e.task: e.status for e in parse_reply(text) if not e.general}


# "I.2. Nhiệm vụ 4: …": a report's own numbering (part I, item 2) before the task it names;
# the named task wins, the numbering is no task 2.
@pytest.mark.parametrize(
    "text, want",
    [
        ("I.1. Nhiệm vụ 3: Kiện toàn xong.\nI.2. Nhiệm vụ 7: Đang thực hiện.", ["3", "7"]),
        ("II.3 - Nhiệm vụ 9 (phối hợp): đang triển khai.\nII.4 - Nhiệm vụ số 10: hoàn thành.", ["9", "10"]),
        ("i.2. nhiem vu 6: dang lam", ["6"]),
    ],
)
def test_a_roman_numbering_before_a_named_task_is_the_reports_own(text, want):
    assert tasks(text) == want


@pytest.mark.parametrize("text, want", [("II.4 - Đang phối hợp giải quyết.", ["4"]), ("Theo mục II.9: đã xong.", ["9"])])
def test_a_roman_numbering_alone_still_names_the_plans_task(text, want):
    assert tasks(text) == want


# "số 10, 11 k phát sinh": "số" opening a clause before a list with commas names those tasks
# (a decimal "số 1,5" is no list).
@pytest.mark.parametrize(
    "text, want",
    [
        ("so 2 xong. So 9, 10 k phat sinh", {"2": "done", "9": "not_arisen", "10": "not_arisen"}),
        ("số 1 đang làm; số 6, 7 chưa phát sinh", {"1": "in_progress", "6": "not_arisen", "7": "not_arisen"}),
    ],
)
def test_so_before_a_comma_list_names_each_task(text, want):
    assert read(text) == want


# "chuyên mục 2 kỳ/tháng", "danh mục 15 văn bản": a column, a list — the word mục of a
# compound, not "mục 2" of the plan.
@pytest.mark.parametrize(
    "text, want",
    [
        ("nv9 mo chuyen muc 2 ky/thang", ["9"]),
        ("Nhiệm vụ 9: tăng thời lượng chuyên mục từ 15 lên 20 phút/kỳ.", ["9"]),
        ("nv6: rà soát danh mục 3 văn bản, đang làm", ["6"]),
        ("mục 2 đang làm", ["2"]),
    ],
)
def test_muc_in_a_compound_is_no_task(text, want):
    assert tasks(text) == want


# "I. Nhiệm vụ 5 (chủ trì)" alone on its line, then "1. …", "2. …": the points of that task,
# not tasks 1 and 2.
@pytest.mark.parametrize(
    "text, want",
    [
        ("I. Nhiệm vụ 5 (chủ trì)\n1. Ban hành 02 văn bản chỉ đạo.\n2. Tham gia 14 phiên đối thoại.\n"
         "II. Nhiệm vụ 8 (phối hợp)\nHướng dẫn 62 lượt công dân.", ["5", "8"]),
        ("A. NHIỆM VỤ SỐ 4\n1. Tiếp 120 lượt công dân.\n2. Giải quyết 30 đơn. Hoàn thành.", ["4"]),
    ],
)
def test_numbered_lines_under_a_part_headed_by_one_task_are_its_points(text, want):
    assert tasks(text) == want


def test_a_numbered_line_naming_a_task_under_such_a_part_is_that_task():
    assert tasks("I. Nhiệm vụ 5\n1. Tham mưu 02 văn bản.\n2. Nhiệm vụ 8: đang phối hợp.") == ["5", "8"]


# "1. Nhiệm vụ 1" then "1.1. …", "1.2. …", each with its own result: sub-items 1a, 1b; with
# one closing line for the whole task ("Đang thực hiện.") they are the report's own numbering.
def test_outline_points_of_task_1_are_its_sub_items():
    got = read("1. Nhiệm vụ 1\n1.1. Quán triệt Nghị quyết cho 200 cán bộ. Đã hoàn thành.\n"
               "1.2. Đổi mới hình thức tuyên truyền: 12 video clip.\n2. Nhiệm vụ 6: đang thẩm định 3 dự thảo.")
    assert got == {"1a": "done", "1b": "in_progress", "6": "in_progress"}


def test_outline_points_closed_by_one_status_are_the_task_itself():
    got = read("1. Nhiệm vụ 1\n1.1. Quán triệt cho cán bộ chủ chốt: 01 hội nghị.\n1.2. Tuyên truyền: 24 tin, bài.\n"
               "Đang thực hiện.\n2. Nhiệm vụ 6: hoàn thành.")
    assert got == {"1": "in_progress", "6": "done"}


def test_outline_points_of_a_task_without_sub_items_stay_its_points():
    assert read("1. Nhiệm vụ 10\n1.1. Thi hành xong 120 việc.\n1.2. Khó khăn: thiếu người.").keys() == {"10"}


# "nhiệm vụ 1 2 4 6 xong; 7 8 đang làm; 10 vướng …": after a short clause of tasks and their
# status, a clause opening on bare numbers and a status word goes on the list.
@pytest.mark.parametrize(
    "text, want",
    [
        ("nv 2 3 xong; 5 6 dang lam; 9 chua phat sinh",
         {"2": "done", "3": "done", "5": "in_progress", "6": "in_progress", "9": "not_arisen"}),
        ("Bac Ai: nv4 xong\n7 dag lam dc 60%\n10 chua phat sinh", {"4": "done", "7": "in_progress", "10": "not_arisen"}),
        ("1a 1b xong\n6 đang làm", {"1a": "done", "1b": "done", "6": "in_progress"}),
    ],
)
def test_bare_numbers_opening_a_clause_after_a_status_list_go_on_it(text, want):
    assert read(text) == want


@pytest.mark.parametrize(
    "text, want",
    [
        # a count after a clause that says results, not a status: no task
        ("Nhiệm vụ 4: đã giải quyết 40 đơn; 5 đang xác minh.", ["4"]),
        ("nv4 xong. Tiếp nhận 45 đơn; 5 đang xác minh", ["4"]),
    ],
)
def test_a_count_opening_a_clause_is_no_task(text, want):
    assert tasks(text) == want


# "nv 1.2.6 xong": three numbers or more joined by dots after the word are a list.
@pytest.mark.parametrize(
    "text, want",
    [
        ("nv 1.2.6 xong, 3 7 k phat sinh", {"1": "done", "2": "done", "6": "done", "3": "not_arisen", "7": "not_arisen"}),
        ("nhiệm vụ 4.9.10 đang làm", {"4": "in_progress", "9": "in_progress", "10": "in_progress"}),
    ],
)
def test_dotted_numbers_after_the_word_are_a_list(text, want):
    assert read(text) == want


# "Dạ em gửi bổ sung ạ." before a part named by its content: the message being sent, no
# task's words ("bổ sung" is no "bổ sung kinh phí").
@pytest.mark.parametrize(
    "text",
    [
        "Dạ em gửi bổ sung ạ. Phần thi hành án dân sự 9 tháng đạt 70% chỉ tiêu.",
        "Em gửi báo cáo ạ. Phần thi hành án dân sự: thi hành xong 120 việc.",
    ],
)
def test_a_sending_sentence_is_no_tasks(text):
    assert tasks(text, agency="ubnd-huyen-ninh-son") == ["10"]


def statuses(text: str, agency: str) -> dict[str | None, str | None]:
    entries, _ = parse_as_bot({"text": text, "agency": agency})
    return {e.task: e.status for e in entries if not e.general}


# Parts named by their content, one after another, about task 1's two points in turn ("Về
# quán triệt …", "Về đổi mới hình thức tuyên truyền …"): those points, 1a and 1b; one such part
# alone in the words of task 1's own title stays task 1 (one named by its point's own words is
# that point: tests/bot/test_parser_readings_sections3.py).
@pytest.mark.parametrize(
    "text",
    [
        "Về quán triệt các chủ trương, chỉ đạo của Trung ương, Tỉnh ủy về cải cách tư pháp: đã hoàn thành.\n"
        "Về đổi mới hình thức tuyên truyền, phổ biến về cải cách tư pháp: đang tổ chức cuộc thi trực tuyến.",
        "Báo cáo 6 tháng:\n- Quán triệt, triển khai chủ trương của Tỉnh ủy về cải cách tư pháp: 2 hội nghị. Hoàn thành.\n"
        "- Đổi mới nội dung, hình thức tuyên truyền: 8 video clip. Đang tiếp tục.",
    ],
)
def test_content_parts_about_task_1s_two_points_are_1a_and_1b(text):
    assert statuses(text, "hoi-dong-phoi-hop-pho-bien-giao-duc-phap-luat-tinh") == {"1a": "done", "1b": "in_progress"}


def test_one_content_part_about_a_point_of_task_1_stays_task_1():
    got = statuses("Về tuyên truyền, phổ biến chiến lược cải cách tư pháp: đang tổ chức cuộc thi trực tuyến.",
                   "hoi-dong-phoi-hop-pho-bien-giao-duc-phap-luat-tinh")
    assert got == {"1": "in_progress"}


# "Bổ sung số liệu 9 tháng của Sở Tư pháp:" opening the message introduces it, like "… báo cáo
# như sau:": no task's part.
@pytest.mark.parametrize(
    "text",
    [
        "Bổ sung số liệu 9 tháng của Sở Tư pháp:\n- Về thẩm định văn bản quy phạm pháp luật: thẩm định 40 dự thảo.",
        "Gửi số liệu quý III:\n- Về thẩm định văn bản quy phạm pháp luật: thẩm định 40 dự thảo.",
    ],
)
def test_a_line_sending_figures_introduces_the_message(text):
    assert tasks(text, agency="so-tu-phap") == ["6"]
