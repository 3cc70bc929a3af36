"""Readings added while tuning on reports-held-out-10 and -11: which task numbers a part names,
lists and sub-items, and how a message is cut into parts (short examples written for the
test, not corpus rows)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from report_scoring import parse_as_bot  # noqa: E402


def tasks(text: str, agency: str = "ubnd-huyen-ninh-son") -> list[str | None]:
    entries, _ = parse_as_bot({"text": text, "agency": agency})
    return [e.task for e in entries if not e.general]


# A single part about one point of task 1, named by that point's own words ("hòa giải ở cơ sở",
# "chuẩn tiếp cận pháp luật", "đổi mới hình thức tuyên truyền"): that point, 1b; a part whose
# words are task 1's own title ("tuyên truyền, phổ biến chiến lược cải cách tư pháp") stays task 1.
@pytest.mark.parametrize(
    "text, want",
    [
        ("Về hòa giải ở cơ sở: 40 tổ hòa giải, hòa giải thành 30/35 vụ việc.", ["1b"]),
        ("Ve xa dat chuan tiep can phap luat: 6/8 xa dat chuan, dang tiep tuc.", ["1b"]),
        ("Về đổi mới hình thức tuyên truyền: đã lập trang fanpage, đang duy trì.", ["1b"]),
        ("Về tuyên truyền, phổ biến chiến lược cải cách tư pháp: tổ chức 5 buổi, đang tiếp tục.", ["1"]),
        ("Tuyen truyen pho bien chien luoc cai cach tu phap tren dia ban huyen: da xong.", ["1"]),
    ],
)
def test_a_lone_part_named_by_a_points_own_words_is_that_point(text, want):
    assert tasks(text) == want


def statuses(text: str, agency: str = "ubnd-huyen-ninh-son") -> dict[str | None, str | None]:
    entries, _ = parse_as_bot({"text": text, "agency": agency})
    return {e.task: e.status for e in entries if not e.general}


# "phối hợp số 01-QC/BCSĐ": a document's number and symbol ("Quy chế phối hợp số 01-QC/…"),
# never task 1.
@pytest.mark.parametrize(
    "text, want",
    [
        ("Nhiệm vụ 5: rà soát Quy chế phối hợp số 02-QC/BCSĐ, đang thực hiện.", ["5"]),
        ("NV5: sua doi quy che phoi hop so 03-QCPH, dang lam", ["5"]),
        ("Phối hợp số 2, 3: đang thực hiện.", ["2", "3"]),
    ],
)
def test_a_document_number_after_phoi_hop_so_is_no_task(text, want):
    assert tasks(text, "van-phong-ubnd-tinh") == want


# "số 2/6/7 xong, số 10 chậm tiến độ …": "số N" then "chậm" is said of that task, like "số 10 vướng".
@pytest.mark.parametrize(
    "text, want",
    [
        ("so 2/6/7 da xong, so 10 cham tien do", {"2": "done", "6": "done", "7": "done", "10": "in_progress"}),
        ("Số 2 xong; số 7 chậm do thiếu cán bộ", {"2": "done", "7": "in_progress"}),
    ],
)
def test_so_n_then_cham_names_that_task(text, want):
    assert statuses(text) == want


# "thẩm định nội dung 04 đề cương": "nội dung" then a count of a noun is no task number
# ("Nội dung 4: đang làm" still is).
@pytest.mark.parametrize(
    "text, want",
    [
        ("Nhiệm vụ 6: tham gia thẩm định nội dung 04 đề cương tuyên truyền, đang làm.", ["6"]),
        ("NV6: gop y noi dung 3 van ban, xong", ["6"]),
        ("Nội dung 4: đang thực hiện.", ["4"]),
    ],
)
def test_noi_dung_before_a_counted_noun_is_no_task(text, want):
    assert tasks(text, "cong-an-tinh") == want


# A report's own numbering: headings 1., 2., 3. … from 1, one of them clearly about another task
# than its number; then every one of them is read by its heading's words ("3. Xét xử các loại
# án" is task 4), its number kept when those words fit it too.
@pytest.mark.parametrize(
    "text, agency, want",
    [
        ("1. Công tác quán triệt, tuyên truyền về cải cách tư pháp\nTổ chức 2 hội nghị.\n"
         "2. Công tác tổ chức cán bộ\nKiện toàn bộ máy, bổ nhiệm 3 Thẩm phán.\n"
         "3. Công tác giải quyết, xét xử các loại án\nGiải quyết 400 vụ.\n"
         "4. Phối hợp giải quyết án hành chính\nGiải quyết 5 vụ án hành chính.\n",
         "toa-an-nhan-dan-tinh", ["1", "3", "4", "5"]),
        ("1. Ve tuyen truyen chien luoc cai cach tu phap\nDa to chuc 5 buoi.\n"
         "2. Ve tro giup phap ly, quan ly hoat dong bo tro tu phap\nTro giup 40 vu viec.\n"
         "3. Ve tiep cong dan, giai quyet khieu nai\nTiep 20 luot.\n",
         "ubnd-huyen-ninh-hai", ["1", "6", "4"]),
    ],
)
def test_a_reports_own_numbering_is_read_by_its_headings_words(text, agency, want):
    assert tasks(text, agency) == want


# "3. Kết quả thi hành án dân sự": the results of one field are a task's heading, not the
# report's frame ("1. Kết quả thực hiện" is).
@pytest.mark.parametrize(
    "text, want",
    [
        ("1. Kết quả thực hiện\n2. Kết quả thi hành án dân sự\nThi hành xong 400 việc, đang tiếp tục.", ["10"]),
        ("1. Ket qua thuc hien\n2. Ket qua tiep cong dan\nTiep 40 luot, dang lam.", ["4"]),
    ],
)
def test_the_results_of_a_field_head_a_task(text, want):
    assert tasks(text, "cuc-thi-hanh-an-dan-su-tinh") == want


# "I. Nhiệm vụ chủ trì – Nhiệm vụ 11: Bổ sung kinh phí, …": a part of the report naming its one
# task and the task's title; its numbered lines 1., 2., 3. are that task's points, not tasks 1-3.
@pytest.mark.parametrize(
    "text, want",
    [
        ("I. Nhiệm vụ chủ trì – Nhiệm vụ 11: Bổ sung kinh phí cho các cơ quan tư pháp\n"
         "1. Thẩm định bổ sung dự toán 5 tỷ đồng.\n2. Hướng dẫn 07 huyện bố trí kinh phí.\n"
         "II. Nhiệm vụ phối hợp\n- Nhiệm vụ 6: Góp ý 3 dự thảo.", ["11", "6"]),
        ("I. Nhiem vu 11 - Bo sung kinh phi hoat dong\n1. Cap 2 ty dong.\n2. Dang tham dinh du toan.", ["11"]),
    ],
)
def test_a_part_naming_one_task_with_its_title_has_points_not_tasks(text, want):
    assert tasks(text, "so-tai-chinh") == want


# "Nhiệm vụ 1: 1a) …; 1b) …": a task named right before its own sub-item only heads its points.
@pytest.mark.parametrize(
    "text, want",
    [
        ("1) Nhiệm vụ 1: 1a) Tổ chức 3 hội nghị; hoàn thành. 1b) Tuyên truyền 52 buổi; đang thực hiện.\n2) Nhiệm vụ 2: Hoàn thành.",
         {"1a": "done", "1b": "in_progress", "2": "done"}),
        ("NV1: 1a xong, 1b dang lam", {"1a": "done", "1b": "in_progress"}),
        ("NV1 - 1a) đã xong", {"1a": "done"}),
    ],
)
def test_a_task_named_before_its_sub_item_only_heads_it(text, want):
    assert statuses(text) == want


# "Kiến nghị: Đề nghị Sở … hướng dẫn nội dung tham gia nhiệm vụ 9" closing a report: the agency's
# request, its general part, though it names the task it is about.
@pytest.mark.parametrize(
    "text",
    [
        "- Nhiệm vụ 4: Tham gia hòa giải 12 vụ việc.\n- Nhiệm vụ 9: Chưa triển khai do chưa nhận được hướng dẫn.\n"
        "- Kiến nghị: Đề nghị Sở Thông tin và Truyền thông hướng dẫn nội dung tham gia nhiệm vụ 9.",
        "NV4: dang lam\nNV9: chua trien khai\nKien nghi: De nghi So huong dan cach thuc hien nhiem vu 9.",
    ],
)
def test_a_closing_request_naming_a_task_is_the_agencys(text):
    entries, _ = parse_as_bot({"text": text, "agency": "hoi-lien-hiep-phu-nu-tinh"})
    general = [e for e in entries if e.general]
    assert len(general) == 1 and general[0].difficulty
    assert [e.task for e in entries if not e.general] == ["4", "9"]


# A table pasted as rows "4 | Nhiệm vụ 10, 11 | Không phát sinh | -": the cell's bar ends the
# list like a colon, so both tasks are named.
@pytest.mark.parametrize(
    "text, want",
    [
        ("STT | Nhiệm vụ | Kết quả\n4 | Nhiệm vụ 10, 11 | Không phát sinh | -", {"10": "not_arisen", "11": "not_arisen"}),
        ("nv 2, 3 | xong", {"2": "done", "3": "done"}),
    ],
)
def test_a_table_cells_bar_ends_a_list_of_tasks(text, want):
    assert statuses(text, "so-giao-duc-va-dao-tao") == want


# "I. Nhiệm vụ 1 (chủ trì): <title>" then "a) …", "b) …": a part of the report headed by its one
# task; its points a), b) are that task's sub-items 1a, 1b.
@pytest.mark.parametrize(
    "text, want",
    [
        ("I. Nhiệm vụ 1 (chủ trì): Tuyên truyền, phổ biến về chiến lược cải cách tư pháp\n"
         "a) Quán triệt chủ trương của Tỉnh ủy: 1 hội nghị. Đã hoàn thành.\n"
         "b) Đổi mới hình thức tuyên truyền: 14 video. Đang thực hiện.\n"
         "II. Nhiệm vụ 6 (phối hợp): Hướng dẫn 7 huyện. Đang thực hiện.",
         {"1a": "done", "1b": "in_progress", "6": "in_progress"}),
        ("I. Nhiem vu 1: tuyen truyen CCTP\na) quan triet: xong\nb) doi moi hinh thuc: dang lam",
         {"1a": "done", "1b": "in_progress"}),
    ],
)
def test_a_part_headed_by_task_1_has_its_points_as_sub_items(text, want):
    assert statuses(text, "hoi-dong-phoi-hop-pho-bien-giao-duc-phap-luat-tinh") == want
