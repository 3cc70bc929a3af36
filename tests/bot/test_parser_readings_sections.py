"""Readings added while tuning on reports-held-out-7: how a message is cut into parts and which
task numbers a part names (short examples written for the test, not corpus rows)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from report_scoring import parse_as_bot  # noqa: E402

from bot.parser import parse_reply  # noqa: E402


def read(text: str, agency: str | None = None) -> list[tuple[str | None, str | None, bool]]:
    if agency is None:
        entries = parse_reply(text)
    else:
        entries, _ = parse_as_bot({"text": text, "agency": agency})
    return [(e.task, e.status, e.difficulty) for e in entries]


# "nv 2 3 4 k phát sinh": a list of bare numbers before teencode "k"/"kk" (không) keeps its
# last number, and "k phát sinh" / "kk phát sinh" after task numbers is không phát sinh.
@pytest.mark.parametrize(
    "text, tasks",
    [
        ("nv 3 5 k phat sinh", ["3", "5"]),
        ("nv2 4 kk phat sinh", ["2", "4"]),
        ("nv1 xong; nv 6 7 8 k phát sinh", ["1", "6", "7", "8"]),
        ("nv 9 10 kk ps", ["9", "10"]),
    ],
)
def test_a_list_before_teencode_not_arisen_keeps_its_last_number(text, tasks):
    got = read(text)
    assert [t for t, _, _ in got] == tasks
    assert all(s == "not_arisen" for t, s, _ in got if t != "1")
    assert not any(d for _, _, d in got)


@pytest.mark.parametrize(
    "text, want",
    [
        ("nv4 dang lam, kk phat sinh do thieu nguoi", ("4", "in_progress", True)),  # not after a number
        ("nv4 co kk phat sinh", ("4", None, True)),
    ],
)
def test_kk_phat_sinh_elsewhere_is_still_a_difficulty(text, want):
    assert read(text)[0][2] is want[2]


# "…, còn nv 4 6 k phát sinh": the word that turns to the next task opens that task's part.
@pytest.mark.parametrize(
    "text, first, second",
    [
        ("nv2 dag lam, con nv 5 k phat sinh", "nv2 dag lam", "con nv 5 k phat sinh"),
        ("nv3 xong, rieng nv7 dang lam", "nv3 xong", "rieng nv7 dang lam"),
    ],
)
def test_con_rieng_open_the_next_part(text, first, second):
    entries = parse_reply(text)
    assert entries[0].text == first
    assert entries[1].text == second


# In a reply about several tasks, a sentence that opens on the difficulty word and names no
# task is the agency's general part; in a one-task reply it stays on the task.
@pytest.mark.parametrize(
    "text",
    [
        "nv2 xong. nv5 dag lam. co kho khan: thieu kinh phi",
        "nv3 dang lam; nv7 xong; vuong mac chu yeu la thieu can bo",
        "NV1 hoàn thành, NV4 đang thực hiện. Khó khăn lớn nhất là thiếu biên chế",
    ],
)
def test_a_closing_difficulty_sentence_of_a_several_task_reply_is_general(text):
    entries = parse_reply(text)
    general = [e for e in entries if e.general]
    assert len(general) == 1 and general[0].difficulty
    assert not any(e.difficulty for e in entries if not e.general)


@pytest.mark.parametrize("text", ["nv5 dag lam. co kho khan: thieu kinh phi", "nv3 dang lam; vuong mac chu yeu la thieu can bo"])
def test_a_one_task_reply_keeps_its_difficulty(text):
    entries = parse_reply(text)
    assert [(e.task, e.difficulty) for e in entries] == [(text[2], True)]


# "số 2/6/7 xong hết, riêng số 10 …": "số N" opening a clause (or after "riêng", "còn") and
# followed by what is said of a task names the task; another document's number does not.
@pytest.mark.parametrize(
    "text, tasks",
    [
        ("so 3/5 xong roi, rieng so 9 dang lam", ["3", "5", "9"]),
        ("Số 1 đã hoàn thành; số 4 đang thực hiện", ["1", "4"]),
        ("nv2 xong, con so 6 chua trien khai", ["2", "6"]),
    ],
)
def test_bare_so_opening_a_clause_names_a_task(text, tasks):
    assert [t for t, _, _ in read(text)] == tasks


@pytest.mark.parametrize(
    "text",
    [
        "Theo Kế hoạch số 12/KH-UBND, đơn vị đã hoàn thành",
        "Thực hiện Công văn số 5, đã xong",
        "đã tổ chức 3 hội nghị, số 2 lớp còn lại đang làm",
        "Quyết định số 4-QĐ: đã xong",
    ],
)
def test_other_numbers_after_so_are_no_tasks(text):
    assert [t for t, _, _ in read(text)] == [None]


# "còn 2 vụ tồn đọng chưa xử lý": cases left to settle, the work is under way.
@pytest.mark.parametrize("text", ["nv10 con 3 vu chua xu ly", "NV5: còn vướng 2 hồ sơ chưa giải quyết được"])
def test_cases_left_to_settle_are_in_progress(text):
    assert read(text)[0][1] == "in_progress"


# "nv1 a) xong, b) đang làm": after sub-item 1a, an inline "b)" is the next point, 1b.
@pytest.mark.parametrize(
    "text, want",
    [
        ("nv1 a) xong, b) dang lam", [("1a", "done"), ("1b", "in_progress")]),
        ("NV1 a) hoàn thành; b) chưa triển khai; nv6 xong", [("1a", "done"), ("1b", "not_started"), ("6", "done")]),
    ],
)
def test_inline_points_after_a_sub_item_are_its_next_points(text, want):
    assert [(t, s) for t, s, _ in read(text)] == want


def test_inline_points_under_a_heading_with_no_sub_item_stay_one_task():
    got = read("Nhiệm vụ 1: a) Quán triệt đến 9 xã. b) Tuyên truyền 120 lượt.")
    assert [t for t, _, _ in got] == ["1"]


# A point a), b) under a heading numbered as the plan ("1. <task 1's title>") is that task's
# point, 1a / 1b, even when its words are closer to another task's.
@pytest.mark.parametrize(
    "text, agency, tasks",
    [
        ("I. KẾT QUẢ\n1. Tuyên truyền, phổ biến về chiến lược cải cách tư pháp\n"
         "a) Quán triệt cho 12 xã; hoàn thành.\nb) Đăng 20 tin bài trên cổng thông tin điện tử; đang tiếp tục.\n"
         "2. Nhiệm vụ 8: phối hợp nắm tình hình 3 vụ khiếu nại; đang làm.",
         "ubnd-huyen-thuan-nam", ["1a", "1b", "8"]),
    ],
)
def test_points_under_a_plan_numbered_heading_are_its_sub_items(text, agency, tasks):
    assert [t for t, _, _ in read(text, agency)] == tasks


# "I. Nhiệm vụ chủ trì (Nhiệm vụ 1)" names the task its points a), b) belong to; the report's
# title lines above the tasks' parts are its frame, no part of its own.
@pytest.mark.parametrize(
    "text, agency, tasks",
    [
        ("HỘI ĐỒNG PHỐI HỢP PHỔ BIẾN, GIÁO DỤC PHÁP LUẬT TỈNH\nBáo cáo kết quả thực hiện Kế hoạch 124 quý III\n"
         "I. Nhiệm vụ chủ trì (Nhiệm vụ 1)\na) Quán triệt: ban hành kế hoạch; hoàn thành.\n"
         "b) Tuyên truyền: tổ chức 3 cuộc thi; đạt 50% kế hoạch.\n"
         "II. Nhiệm vụ phối hợp (Nhiệm vụ 6): tổ chức 1 hội nghị.",
         "hoi-dong-phoi-hop-pho-bien-giao-duc-phap-luat-tinh", ["1a", "1b", "6"]),
        ("Hội Nông dân tỉnh\nBáo cáo quý III về thực hiện Kế hoạch 124\n"
         "I. Nhiệm vụ 1: quán triệt tới cán bộ Hội, xong.\nII. Nhiệm vụ 6: tuyên truyền cho 900 hội viên; đang làm.",
         None, ["1", "6"]),
    ],
)
def test_a_part_naming_its_task_and_the_title_above(text, agency, tasks):
    got = read(text, agency) if agency else read(text)
    assert [t for t, _, _ in got] == tasks


# "4.1. …" opening the tasks' parts, then "4.2. Nhiệm vụ 5: …": siblings, not 4.1's points; the
# 4.1 part is task 4 (its number, when its words agree).
def test_a_point_heading_is_no_parent_of_its_siblings():
    text = ("4.1. Công tác xét xử: thụ lý 300 vụ, đã giải quyết 120 vụ.\n"
            "4.2. Nhiệm vụ 5: thụ lý 6 vụ án hành chính; đang giải quyết.\n"
            "4.3. Nhiệm vụ 11: đang chờ tỉnh cấp kinh phí.")
    assert [t for t, _, _ in read(text, "toa-an-nhan-dan-tinh")] == ["4", "5", "11"]


def test_points_of_a_named_heading_stay_its_own():
    text = "1. Nhiệm vụ 10: thi hành án\n1.1. Về việc: xong 200 việc.\n1.2. Về tiền: đang tiếp tục.\n2. Nhiệm vụ 4: đang làm."
    assert [t for t, _, _ in read(text)] == ["10", "4"]


# "II. KHÓ KHĂN, VƯỚNG MẮC" then "1. …", "2. …": the numbered items are the general part's
# points, not tasks 1 and 2.
@pytest.mark.parametrize(
    "head",
    ["II. KHÓ KHĂN, VƯỚNG MẮC", "III. KHÓ KHĂN, VƯỚNG MẮC VÀ KIẾN NGHỊ", "III. KIẾN NGHỊ"],
)
def test_numbered_items_under_a_general_heading_stay_general(head):
    text = (f"I. KẾT QUẢ\n1. Nhiệm vụ 4: đang thực hiện.\n2. Nhiệm vụ 6: hoàn thành.\n{head}\n"
            "1. Thiếu biên chế, cán bộ kiêm nhiệm.\n2. Đề nghị UBND tỉnh bố trí kinh phí năm 2025.")
    got = read(text)
    assert [t for t, _, _ in got] == ["4", "6", None]
    assert got[2][2] and not got[0][2] and not got[1][2]


def test_a_plan_numbered_heading_after_a_general_line_is_a_task():
    # "Khó khăn: thiếu người." says more than a heading: a "5." after it is the plan's task 5
    text = "4. Nhiệm vụ 4: đang làm.\nKhó khăn: thiếu người.\n5. Tăng cường phối hợp giải quyết khiếu nại: hoàn thành."
    assert [(t, s) for t, s, _ in read(text)] == [("4", "in_progress"), (None, None), ("5", "done")]


# "III. Phương hướng, kiến nghị" whose body asks for support is the general part; one of
# plans only, or "Phương hướng quý tới" alone, stays left out.
@pytest.mark.parametrize(
    "tail, general",
    [
        ("III. Phương hướng, kiến nghị\nĐề nghị Sở Tài chính bố trí kinh phí năm 2025.", True),
        ("III. Phương hướng, đề xuất\nTiếp tục triển khai các nhiệm vụ còn lại.", False),
        ("III. Phương hướng quý IV\nTiếp tục triển khai; đề nghị bổ sung biên chế.", False),
    ],
)
def test_plans_and_requests_heading(tail, general):
    text = f"I. Kết quả\n1. Nhiệm vụ 4: đang thực hiện.\n2. Nhiệm vụ 6: hoàn thành.\n{tail}"
    got = read(text)
    assert [t for t, _, _ in got] == (["4", "6", None] if general else ["4", "6"])
    assert not got[0][2] and not got[1][2]
