"""Readings added in tuning round 6 on held-out-16/-17 (kind, status, percent and difficulty)."""

from __future__ import annotations

import pytest

from bot.figures import find_figures
from tests.bot.readings import by_task as _by_task, kind as _kind

# --- not reports ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Dạ nhiệm vụ 7 có bắt buộc Sở Xây dựng báo cáo không ạ?",
    "nv11 co bat buoc ben em bao cao khong chi?",
    "Anh ơi nhiệm vụ 4 Hội em có phải báo cáo không hay chỉ báo cáo nhiệm vụ 2 và 8 thôi ạ?",
])
def test_asking_whether_a_task_must_be_reported_is_a_question(text):
    assert _kind(text) == "question"


@pytest.mark.parametrize("text", [
    "Chúc anh buổi chiều tốt lành. Em đang nghỉ phép, thứ Ba em gửi báo cáo ạ.",
    "hom nay e di cong tac, thu 2 e gui bc nhe chi",
    "Dạ đầu tuần sau bên em nộp báo cáo ạ.",
])
def test_a_day_ahead_named_for_sending_the_report_is_later(text):
    assert _kind(text) == "later"


@pytest.mark.parametrize("text", [
    "Dạ anh cho em xin lại mẫu đề cương báo cáo 6 tháng với ạ, em lỡ xóa mất.",
    "chi cho e xin lai mau bc nam voi a",
])
def test_asking_for_the_outline_again_is_a_request(text):
    assert _kind(text) == "question"


def test_a_task_number_and_only_are_no_figures():
    assert find_figures("nhiệm vụ 9 Hội em có phải báo cáo không, chỉ nhiệm vụ 1 và 6 thôi ạ") == []


# --- status --------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "nv10 hop bcd thads 2 lan; nv4 dang lam",
    "Nhiệm vụ 10: Ban Chỉ đạo họp 3 lần trong quý. Nhiệm vụ 4: đang thực hiện.",
])
def test_times_something_was_done_is_work_under_way(text):
    assert _by_task(text)["10"].status == "in_progress"


# --- difficulty ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Nhiệm vụ 8: tư vấn pháp luật cho 640 lượt người tại 15 xã khó khăn. Hoàn thành.",
    "NV6: tuyên truyền ở các thôn khó khăn, 12 buổi.",
])
def test_disadvantaged_communes_are_whom_the_work_is_for(text):
    assert next(iter(_by_task(text).values())).difficulty is False


def test_communes_in_difficulty_are_one():
    assert _by_task("NV3: các xã khó khăn về biên chế, đang tuyển dụng bổ sung.")["3"].difficulty is True


@pytest.mark.parametrize("text", [
    "NV11: đã cấp 2,1 tỷ đồng cho Công an tỉnh; phần còn lại chờ nguồn tăng thu.",
    "nv11 da cap 3 ty, con lai cho nguon thu",
    "Nhiệm vụ 11: đang chờ nguồn vốn để bố trí tiếp.",
])
def test_waiting_for_a_source_of_money_is_a_difficulty(text):
    assert _by_task(text)["11"].difficulty is True


@pytest.mark.parametrize("text", [
    "nv4 da ket noi phan mem, van con loi dong bo",
    "Nhiệm vụ 4: phần mềm một cửa đã vận hành, còn lỗi khi liên thông.",
])
def test_software_still_failing_is_a_difficulty(text):
    assert _by_task(text)["4"].difficulty is True


# --- status and percent --------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Nhiệm vụ 4: tiếp nhận 09 người chấp hành xong án phạt tù về địa phương, giới thiệu việc làm cho 03 người.",
    "nv4 tiep nhan 5 nguoi chap hanh xong hinh phat tu",
])
def test_people_who_served_their_sentence_are_no_status(text):
    assert _by_task(text)["4"].status == "in_progress"


def test_directing_is_work_under_way():
    assert _by_task("Nhiệm vụ 9: Chỉ đạo các trường quán triệt học sinh không chia sẻ tin giả.")["9"].status == "in_progress"


@pytest.mark.parametrize("text", [
    "Nhiệm vụ 10: thi hành xong 1.204 việc; theo dõi 12 bản án hành chính, đã thi hành xong 9 bản án. Nhiệm vụ năm 2024 hoàn thành.",
    "Nhiệm vụ 10: thi hành xong 1.204 việc; đã thi hành xong 9/12 bản án. Nhiệm vụ đã hoàn thành.",
])
def test_the_tasks_own_closing_sentence_says_done(text):
    assert _by_task(text)["10"].status == "done"


@pytest.mark.parametrize("text, percent", [
    ("nv6 dang lam, to chuc 27/30 buoi ke hoach nam (90%)", 90),
    ("Nhiệm vụ 6: duy trì 20/20 tổ hòa giải theo kế hoạch (đạt 100%).", 100),
    ("NV5 da giai quyet 21/25 vu an hanh chinh, dat 84%", None),
    ("Nhiệm vụ 4: giải quyết 40/46 đơn thuộc thẩm quyền, đạt 86,9%.", None),
])
def test_a_fraction_of_the_plan_is_progress_one_of_cases_is_not(text, percent):
    assert next(iter(_by_task(text).values())).percent == percent


@pytest.mark.parametrize("text", [
    "Nhiệm vụ 1, 2: Sở tiếp tục quán triệt các chủ trương cho cán bộ, không có phát sinh mới.",
    "nv1 2 tiep tuc quan triet trong chi bo, khong phat sinh moi",
])
def test_work_going_on_with_nothing_new_is_in_progress(text):
    got = _by_task(text)
    assert got["1"].status == "in_progress" and got["2"].status == "in_progress"


@pytest.mark.parametrize("text", [
    "Nhiệm vụ 7: đã mở 01 lớp cho 40 học viên; lớp thứ hai chưa triển khai do chưa có kinh phí.",
    "nv7 da to chuc 1 lop 45 hoc vien. lop 2 chua to chuc",
])
def test_one_part_done_and_the_rest_not_begun_is_in_progress(text):
    assert _by_task(text)["7"].status == "in_progress"


@pytest.mark.parametrize("text", [
    "Nhiệm vụ 7: kế hoạch đã trình, chưa mở lớp vì chưa có kinh phí.",
    "nv7 chua mo lop",
])
def test_no_course_opened_yet_is_not_started(text):
    assert _by_task(text)["7"].status == "not_started"


@pytest.mark.parametrize("text", [
    "Nhiệm vụ 3: Kiện toàn 02 công chức Tư pháp - Hộ tịch; hiện 7/7 xã có đủ 02 công chức.",
    "Nhiệm vụ 3: Đã bổ sung 01 công chức; hiện 06/06 xã đủ công chức Tư pháp - Hộ tịch.",
])
def test_staff_added_and_every_commune_staffed_is_work_under_way(text):
    assert _by_task(text)["3"].status == "in_progress"


def test_civil_servants_and_citizens_are_counted():
    units = [f.unit for f in find_figures("bổ sung 02 công chức, tiếp 86 lượt công dân; Nhiệm vụ 3 Công tác cán bộ")]
    assert units == ["công chức", "lượt công dân"]


def test_a_results_point_under_a_tasks_heading_is_the_tasks():
    text = ("1. Nhiệm vụ số 10 (chủ trì): Tháo gỡ khó khăn, vướng mắc trong thi hành án dân sự\n"
            "a) Kết quả: thi hành xong 3.120 việc; còn 05 bản án chưa thi hành xong do cơ quan phải thi hành chậm thực hiện.\n"
            "b) Ban Chỉ đạo họp 02 phiên.\n"
            "2. Nhiệm vụ số 4 (phối hợp): rà soát 40 bản án.")
    got = _by_task(text)
    assert got["10"].status == "in_progress" and got["10"].difficulty is True
    assert got["4"].status == "in_progress"
