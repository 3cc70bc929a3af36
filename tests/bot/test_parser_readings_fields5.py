"""Readings added in the held-out-14/-15 tuning round (status, percent and difficulty)."""

from __future__ import annotations

import pytest

from tests.bot.readings import by_task as _by_task

@pytest.mark.parametrize("text", [
    "Nhiệm vụ 3, 5: chưa có kết quả trong quý, sẽ báo cáo kỳ sau.",
    "Nhiem vu 3, 5: chua co ket qua.",
    "nv3 nv5 chua co kq",
])
def test_no_result_yet_means_not_started(text):
    got = _by_task(text)
    assert got["3"].status == "not_started" and got["5"].status == "not_started"


@pytest.mark.parametrize("text", [
    "Nhiệm vụ 3, 5: chưa có kết quả nổi bật, đang thực hiện lồng ghép.",
    "Nhiệm vụ 3: đã gửi văn bản, chưa có kết quả giải quyết.",
])
def test_no_result_worth_naming_is_still_in_progress(text):
    assert _by_task(text)["3"].status == "in_progress"


@pytest.mark.parametrize("text", [
    "Nhiệm vụ 2, 6: thực hiện lồng ghép trong chuyên môn, không có kết quả riêng.",
    "nv2 nv6 long ghep, khong co ket qua rieng",
])
def test_no_result_of_its_own_means_not_arisen(text):
    got = _by_task(text)
    assert got["2"].status == "not_arisen" and got["6"].status == "not_arisen"


@pytest.mark.parametrize("text", [
    "nv 9 xong dot ra quan 1",
    "Nhiệm vụ 9: đã hoàn thành đợt cao điểm 1.",
    "NV9 xong đợt 1.",
])
def test_a_first_round_named_after_done_is_in_progress(text):
    assert _by_task(text)["9"].status == "in_progress"


def test_a_named_round_without_a_first_is_done():
    assert _by_task("NV2: hoàn thành đợt kiểm tra cuối năm.")["2"].status == "done"


@pytest.mark.parametrize("text", [
    "Nhiệm vụ 3: Còn thiếu 02 công chức Tư pháp - Hộ tịch tại xã A; đang tuyển dụng.",
    "Nhiệm vụ 3: bố trí 01 công chức còn thiếu tại xã B; đang hoàn thiện thủ tục tuyển dụng.",
    "nv3 con thieu 2 cong chuc, dag tuyen dung",
])
def test_a_shortage_being_recruited_for_is_no_difficulty(text):
    e = _by_task(text)["3"]
    assert e.status == "in_progress" and e.difficulty is False


@pytest.mark.parametrize("text", [
    "Nhiệm vụ 3: còn thiếu 03 công chức do không có người đăng ký; đang tuyển dụng.",
    "Nhiệm vụ 3: còn thiếu 09 Thẩm phán so với định biên, áp lực công việc lớn.",
])
def test_a_shortage_not_being_filled_is_a_difficulty(text):
    assert _by_task(text)["3"].difficulty is True


@pytest.mark.parametrize("text", [
    "Nhiệm vụ 7: Chưa triển khai do không có cán bộ thuộc diện đào tạo tư pháp.",
    "nv7 chua trien khai vi ko co can bo thuoc dien dao tao",
])
def test_none_the_task_applies_to_is_no_difficulty(text):
    e = _by_task(text)["7"]
    assert e.status == "not_started" and e.difficulty is False


def test_a_lack_of_funds_as_cause_is_still_a_difficulty():
    assert _by_task("Nhiệm vụ 7: Chưa triển khai do không có kinh phí.")["7"].difficulty is True
