"""Readings added in tuning round 6 on held-out-16/-17 (kind, status, percent and difficulty)."""

from __future__ import annotations

import pytest

from bot import intents
from bot.figures import find_figures
from bot.parser import parse_reply

TASKS = [str(i) for i in range(1, 12)]


def _kind(text: str) -> str | None:
    return intents.classify(text, parse_reply(text, TASKS))


def _by_task(text: str) -> dict[str, object]:
    return {e.task: e for e in parse_reply(text, TASKS) if e.task}


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
