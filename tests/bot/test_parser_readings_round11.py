"""Readings added in round 11, on the misses of held-out-39 once it was scored blind."""

from __future__ import annotations

import pytest

from bot.parser import parse_reply
from tests.bot.readings import as_agency as _as


@pytest.mark.parametrize("text", [
    "nv4 6t: khoi to 210 vu 300 bc, gq tin bao 86%, dang lam",
    "vks tinh: nv4 ks 980 tin bao, gq 84,3%; truy to 120 vu",
    "Về kiểm sát giải quyết tin báo, tố giác tội phạm và truy tố: 9 tháng thụ lý 1.200 tin, giải quyết 85,9%. Đang thực hiện.",
])
def test_a_rate_of_cases_settled_is_no_progress(text):
    (entry,) = [e for e in _as("vien-kiem-sat-nhan-dan-tinh", text) if e.task]
    assert entry.task == "4" and entry.percent is None


def test_settling_cases_as_planned_is_progress():
    # the plan's share: "đạt 80% kế hoạch" after the verb stays the task's progress
    (entry,) = parse_reply("NV4: giải quyết đạt 80% kế hoạch năm")
    assert entry.percent == 80


def test_muc_numbering_the_reports_own_points_names_no_task():
    text = ("Cục Thi hành án dân sự tỉnh báo cáo quý I:\n"
            "Mục 1. Nhiệm vụ số 1 (phối hợp): quán triệt tại 01 hội nghị; hoàn thành.\n"
            "Mục 2. Nhiệm vụ số 10 (chủ trì): thụ lý 4.380 việc, thi hành xong 612 việc.\n"
            "Mục 3 (tương ứng nhiệm vụ 6): chưa phát sinh yêu cầu góp ý; không phát sinh.\n"
            "Mục 4. Vướng mắc: chấp hành viên kiêm nhiệm nhiều việc.")
    got = _as("cuc-thi-hanh-an-dan-su-tinh", text)
    assert [e.task for e in got] == ["1", "10", "6", None]
    assert got[-1].general and got[-1].difficulty


def test_muc_alone_still_names_a_task():
    assert [e.task for e in parse_reply("mục 4 đang thực hiện, mục 9 xong")] == ["4", "9"]


def test_a_part_written_phan_i_over_its_one_tasks_points():
    text = ("Công an tỉnh báo cáo 6 tháng:\n"
            "Phần I – Nhiệm vụ được giao chủ trì (nhiệm vụ 4)\n"
            "1. Điều tra: khởi tố 601 vụ, 880 bị can.\n"
            "2. Phối hợp liên ngành: tổ chức 02 hội nghị.\n"
            "3. Tiếp công dân: 211 lượt.\n"
            "Phần II – Nhiệm vụ phối hợp (1, 2, 9)\n"
            "- Nhiệm vụ 1 và nhiệm vụ 2: lồng ghép quán triệt trong 18 buổi sinh hoạt chi bộ.\n"
            "- Nhiệm vụ 9: phát hiện 19 trang có nội dung xấu độc.\n"
            "Phần III – Khó khăn: Không có.")
    tasks = [e.task for e in _as("cong-an-tinh", text)]
    # points 1., 2., 3. of task 4's part are no tasks 1, 2, 3 (1 and 2 are reported in part II)
    assert tasks == ["4", "1", "2", "9"]
    assert "Tiếp công dân" in _as("cong-an-tinh", text)[0].text
