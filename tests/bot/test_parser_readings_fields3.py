"""Field readings added in the tuning round on reports-held-out-10 and -11 (status, percent, difficulty).

Short examples written for each reading, not corpus rows; each states what a Sở Tư pháp officer
would conclude from such a part.
"""

from __future__ import annotations

import pytest

from bot.parser import DONE, IN_PROGRESS, NOT_ARISEN, NOT_STARTED, parse_reply
from tests.bot.readings import entry as _entry




# The statistics of a procedural task are no obstacle: the legal ground of a dismissal ("đình chỉ
# do không phạm tội"), proposals counted as results ("đề xuất sửa đổi 02 quy chế"), citizens'
# petitions ("đơn phản ánh, kiến nghị"), others' delays the task acts on ("đôn đốc 03 trường hợp
# chậm thi hành"), laws "thông qua tại Kỳ họp", "giải đáp vướng mắc pháp luật" as legal aid.
@pytest.mark.parametrize("text, task", [
    ("NV4: truy tố 120 vụ; không có trường hợp đình chỉ do không phạm tội. Đang tiếp tục thực hiện.", "4"),
    ("nv4 truy to 80 vu, ko co truong hop dinh chi do khong pham toi", "4"),
    ("NV4: rà soát 05 quy chế phối hợp, đề xuất sửa đổi 01 quy chế; tiếp 90 lượt công dân.", "4"),
    ("NV4: rà soát văn bản, kiến nghị bãi bỏ 03 văn bản.", "4"),
    ("NV4: tiếp nhận 12 đơn khiếu nại, kiến nghị; đã giải quyết 12/12 đơn.", "4"),
    ("NV4: tiep nhan 9 don phan anh, kien nghi; da giai quyet 9/9 don.", "4"),
    ("NV5: theo dõi 07 bản án hành chính, đã đôn đốc 02 trường hợp chậm thi hành.", "5"),
    ("NV6: tổ chức 03 hội nghị giới thiệu các luật thông qua tại Kỳ họp thứ 7 Quốc hội.", "6"),
    ("NV8: phát 05 chương trình giải đáp vướng mắc pháp luật cho người dân.", "8"),
])
def test_statistics_of_the_work_are_no_obstacle(text: str, task: str) -> None:
    assert _entry(text, task).difficulty is False


@pytest.mark.parametrize("text, task", [
    ("NV4: còn 03 vụ chậm thi hành do đương sự vắng mặt", "4"),
    ("NV4: đề nghị UBND tỉnh bổ sung 02 biên chế", "4"),
    ("NV6: luật mới ban hành nhiều, cán bộ quá tải", "6"),
    ("NV4: hồ sơ chậm do thiếu giám định viên", "4"),
])
def test_real_obstacles_stay(text: str, task: str) -> None:
    assert _entry(text, task).difficulty is True


# A training task not started while the province's course is awaited ("chưa triển khai do chờ
# lớp của Sở Tư pháp") is not started, with no obstacle of the unit; a delay with that cause is one.
@pytest.mark.parametrize("text, task, status, difficulty", [
    ("NV7 chưa triển khai do chờ lớp của Sở Tư pháp.", "7", NOT_STARTED, False),
    ("NV7 chua trien khai vi so tu phap chua mo lop boi duong", "7", NOT_STARTED, False),
    ("NV7 chưa triển khai do chưa có kế hoạch đào tạo của tỉnh", "7", NOT_STARTED, False),
    ("nv7 cham vi chua co lop", "7", IN_PROGRESS, True),
    ("NV7 chưa triển khai do chưa có kinh phí", "7", NOT_STARTED, True),
])
def test_waiting_for_the_provinces_course(text: str, task: str, status: str, difficulty: bool) -> None:
    e = _entry(text, task)
    assert (e.status, e.difficulty) == (status, difficulty)


# A part that says what was done, in any of its sentences, is under way: "Bổ sung 02 công chức",
# "Hỗ trợ kỹ thuật …", "Thành lập 07 tổ …", "…; tỷ lệ hồ sơ trực tuyến đạt 64%".
@pytest.mark.parametrize("text, task", [
    ("Nhiệm vụ 3: Bổ sung 01 công chức tư pháp - hộ tịch cho xã Phước Hà.", "3"),
    ("Nhiệm vụ 4: Hỗ trợ kỹ thuật đường truyền cho 03 phiên tòa trực tuyến.", "4"),
    ("Nhiệm vụ 9: Thành lập 05 nhóm tuyên truyền viên trên mạng xã hội.", "9"),
    ("Nhiệm vụ 4: Cổng dịch vụ công của tỉnh có 80 thủ tục lĩnh vực tư pháp; tỷ lệ hồ sơ trực tuyến đạt 55%.", "4"),
])
def test_work_said_in_any_sentence_is_under_way(text: str, task: str) -> None:
    assert _entry(text, task).status == IN_PROGRESS


# "vẫn thiếu …", "nv5 vướng hồ sơ lưu trữ": still short of, or stuck on, something: under way,
# with a difficulty.
@pytest.mark.parametrize("text, task", [
    ("nv6 van thieu giam dinh vien", "6"),
    ("NV10 vẫn thiếu chấp hành viên", "10"),
    ("nv5 vuong ho so luu tru", "5"),
    ("NV4 đang vướng thủ tục chuyển hồ sơ", "4"),
])
def test_still_short_or_stuck_is_under_way(text: str, task: str) -> None:
    e = _entry(text, task)
    assert (e.status, e.difficulty) == (IN_PROGRESS, True)


# "nv 11 k có", "không có án hành chính nào": nothing of the task arose this period.
@pytest.mark.parametrize("text, task", [
    ("SYT: nv1 xong, nv 11 k có", "11"),
    ("Nhiệm vụ 8: không có.", "8"),
    ("nv 5 k co an hanh chinh nao", "5"),
    ("NV5: không có vụ án hành chính nào trong kỳ", "5"),
])
def test_nothing_this_period(text: str, task: str) -> None:
    assert _entry(text, task).status == NOT_ARISEN


# A coordinating task whose lead has not yet called on the agency has not begun, and that is no
# obstacle of the agency ("chưa nhận được đề nghị phối hợp", "chưa được … mời phối hợp").
@pytest.mark.parametrize("text, task", [
    ("Nhiệm vụ 8: Chưa nhận được đề nghị phối hợp của Hội Luật gia tỉnh.", "8"),
    ("NV8: Sở chưa được Hội Luật gia mời phối hợp.", "8"),
    ("nv8 chua nhan duoc yeu cau phoi hop", "8"),
])
def test_not_yet_called_on(text: str, task: str) -> None:
    e = _entry(text, task)
    assert (e.status, e.difficulty) == (NOT_STARTED, False)


# Obstacles said without the word "khó khăn": a service "hay bị gián đoạn", others' absence that
# "làm kéo dài thời gian giải quyết", money "chưa đáp ứng nhu cầu", files "chờ tỉnh cân đối nguồn".
@pytest.mark.parametrize("text, task", [
    ("NV4: 100% xã dùng phần mềm; đường truyền ở vùng cao hay bị gián đoạn.", "4"),
    ("NV5: thụ lý 12 vụ; người bị kiện vắng mặt, làm kéo dài thời gian giải quyết.", "5"),
    ("NV11: được bố trí 2 tỷ đồng, tuy nhiên chưa đáp ứng nhu cầu thực tế.", "11"),
    ("NV11: đạt 50% kế hoạch, một số hồ sơ chờ tỉnh cân đối nguồn.", "11"),
])
def test_obstacles_without_the_word(text: str, task: str) -> None:
    assert _entry(text, task).difficulty is True


@pytest.mark.parametrize("text, task", [
    ("NV4: đường truyền ổn định, không bị gián đoạn.", "4"),
    ("NV11: kinh phí được bố trí đáp ứng nhu cầu.", "11"),
])
def test_no_obstacle_when_denied(text: str, task: str) -> None:
    assert _entry(text, task).difficulty is False
