"""Field readings added in the tuning round on reports-held-out-7 (status, percent, difficulty).

Short examples written for each reading, not corpus rows; each states what a Sở Tư pháp officer
would conclude from such a part.
"""

from __future__ import annotations

import pytest

from bot.parser import DONE, IN_PROGRESS, NOT_ARISEN, NOT_STARTED, parse_reply
from tests.bot.readings import entry as _entry




# "không có vụ (việc) nào", "k co vu nao": nothing arose this period
@pytest.mark.parametrize("text", [
    "nv8 k co vu nao",
    "NV8: không có vụ việc nào trong kỳ",
    "Nhiệm vụ 8 - ko co don nao",
    "NV4: Không phát sinh đề nghị phối hợp.",
    "nv4 khong phat sinh de nghi phoi hop",
])
def test_nothing_arose(text: str) -> None:
    e = _entry(text, "8" if "8" in text else "4")
    assert e.status == NOT_ARISEN
    assert not e.difficulty


# "vướng kinh phí / biên chế / mặt bằng" alone: stuck midway on a resource, under way
@pytest.mark.parametrize("text", [
    "nv11 vướng kinh phi",
    "NV11: vướng mặt bằng",
    "nv11 vuong kinh phi a",
])
def test_stuck_on_a_resource_is_in_progress(text: str) -> None:
    e = _entry(text, "11")
    assert e.status == IN_PROGRESS
    assert e.difficulty


# Staff appointed, moved, recruited: work done this period, under way
@pytest.mark.parametrize("text", [
    "NV3: Bổ nhiệm 04 chấp hành viên, điều động 06 công chức giữa các Chi cục.\nNV5: xong",
    "NV3: Luân chuyển 03 công chức tư pháp cấp xã.\nNV5: xong",
])
def test_staff_changes_are_work_done(text: str) -> None:
    assert _entry(text, "3").status == IN_PROGRESS


# Waiting for an approval or an opinion is the normal course; waiting for funds is an obstacle
@pytest.mark.parametrize("text, difficulty", [
    ("NV5: Rà soát quy chế phối hợp; đang chờ ý kiến của các sở, ngành.", False),
    ("NV11: đã cấp 6,8 tỷ đồng; phần còn lại chờ UBND tỉnh phê duyệt.", False),
    ("NV11: đang chờ tỉnh phê duyệt chủ trương nên chưa giải ngân.", True),
    ("NV11: đang chờ tỉnh cấp phần kinh phí còn lại.", True),
    ("NV11: chờ tỉnh cấp kinh phí", True),
])
def test_waiting(text: str, difficulty: bool) -> None:
    assert _entry(text, text[2:4].strip(":")).difficulty is difficulty


# "không có căn cứ" is no lack of staff ("cán bộ")
def test_without_grounds_is_no_lack() -> None:
    e = _entry("NV4: Hủy 02 quyết định không khởi tố vụ án không có căn cứ; kiểm sát 534 tin báo.", "4")
    assert not e.difficulty


# "còn N … chưa / vướng / đang" after results: work remaining, in progress
@pytest.mark.parametrize("text", [
    "NV4: thực hiện 07 vụ giám định; còn 03 vụ chưa thực hiện được do không có giám định viên.",
    "NV10: đã chỉ đạo giải quyết xong 02 vụ việc phức tạp; còn 01 vụ vướng mắc do đương sự chống đối.",
    "nv10 xong 5 vu, con 2 vu dang xac minh",
])
def test_work_remaining_is_in_progress(text: str) -> None:
    assert _entry(text, "4" if text.startswith("NV4") else "10").status == IN_PROGRESS


# A full count of one activity among other results is not the task done
@pytest.mark.parametrize("text, status", [
    ("NV5: Theo dõi 23 vụ án hành chính, đã cử người tham gia đầy đủ 23/23 phiên đối thoại.\nNV4: xong", IN_PROGRESS),
    ("NV1: a) Quán triệt đến 09/09 xã. b) Tuyên truyền trên loa truyền thanh 120 lượt.\nNV4: xong", IN_PROGRESS),
    ("NV5: Tham gia 23/23 phiên đối thoại.\nNV4: xong", DONE),
])
def test_full_count_among_results(text: str, status: str) -> None:
    assert _entry(text, text[2]).status == status


# A rate over hundreds of cases is an indicator; a share of a few planned items stays progress
@pytest.mark.parametrize("text, percent", [
    ("NV4: tiếp nhận 412 tin, đã giải quyết 360 tin, đạt 87,4%", None),
    ("NV4: tiếp nhận 520 đơn, đã giải quyết 475 đơn (đạt 91%)", None),
    ("NV4: tiếp nhận 25 đơn, đã giải quyết 20 đơn, đạt 80%", 80),
    ("NV4: giải quyết 41/45 đơn thư, đạt 91%", 91),
    ("NV4: giải quyết 360 tin, đạt 90% kế hoạch", 90),
])
def test_rate_of_cases(text: str, percent: int | None) -> None:
    assert _entry(text, "4").percent == percent


# "chỉ có 01 công chức / 02 chấp hành viên": a shortage of staff
@pytest.mark.parametrize("text, difficulty", [
    ("NV3: kiện toàn 02 công chức; hiện còn 01 xã chỉ có 01 công chức tư pháp.", True),
    ("NV3: Chi cục huyện chỉ có 02 chấp hành viên", True),
    ("NV3: xã chỉ có 01/02 công chức tư pháp", True),
    ("NV6: chỉ có 02 vụ phát sinh, đã giải quyết xong", False),
])
def test_staff_shortage(text: str, difficulty: bool) -> None:
    assert _entry(text, text[2]).difficulty is difficulty


# A request that materials be provided or a list published asks for support; updating a contact does not
@pytest.mark.parametrize("text, difficulty", [
    ("NV6: tổ chức 29 hội nghị. Kiến nghị: Đề nghị Hội đồng PBGDPL tỉnh cung cấp tài liệu tuyên truyền song ngữ.", True),
    ("NV4: thực hiện 07 vụ. Đề nghị Sở Tư pháp tham mưu công bố danh sách giám định viên.", True),
    ("NV8: đã đối thoại 01 vụ. Đề nghị Sở Tư pháp cập nhật đầu mối báo cáo.", False),
])
def test_support_requests(text: str, difficulty: bool) -> None:
    assert _entry(text, text[2]).difficulty is difficulty


def test_not_started_stays_without_results() -> None:
    assert _entry("NV7: chưa triển khai", "7").status == NOT_STARTED
