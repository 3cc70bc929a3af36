"""Field readings added in the tuning round on reports-held-out-8 and -9 (status, percent, difficulty).

Short examples written for each reading, not corpus rows; each states what a Sở Tư pháp officer
would conclude from such a part.
"""

from __future__ import annotations

import pytest

from bot.parser import DEFAULT_TASKS, DONE, IN_PROGRESS, NOT_ARISEN, NOT_STARTED, parse_reply


def _entry(text: str, task: str):
    entries = [e for e in parse_reply(text, DEFAULT_TASKS) if e.task == task]
    assert entries, f"no entry for task {task} in {text!r}"
    return entries[0]


# A percent in parentheses right after a count with its unit is that count's share (an indicator),
# whatever the size of the count; a percent of the plan stays the task's progress.
@pytest.mark.parametrize("text, task, percent", [
    ("NV4: tiếp nhận 64 đơn, đã giải quyết 58 đơn (đạt 90,6%)", "4", None),
    ("NV4: đã giải quyết 1.540 vụ, việc (88,1%); tổ chức 20 phiên tòa rút kinh nghiệm", "4", None),
    ("NV8: hòa giải thành 47 vụ (85,5%)", "8", None),
    ("nv4 giai quyet 33 don (dat 91%)", "4", None),
    ("NV3: 12/12 xã, thị trấn đã bố trí đủ công chức tư pháp - hộ tịch (đạt 100%)", "3", None),
    ("NV4: đã tổ chức 12 hội nghị (đạt 80% kế hoạch)", "4", 80),
    ("Nhiệm vụ 6 (đạt 50%): góp ý 10/20 dự thảo", "6", 50),
])
def test_share_of_a_count_in_parentheses(text: str, task: str, percent: int | None) -> None:
    assert _entry(text, task).percent == percent


# "giải ngân được 40%": the rate of disbursement of the money, an indicator of the task.
@pytest.mark.parametrize("text", [
    "NV11: bố trí 12 tỷ đồng cho dự án trụ sở; giải ngân được 35%.",
    "NV11: dự án trụ sở mới giải ngân đạt 52%, đang thực hiện",
    "nv11 giai ngan dc 60%",
])
def test_disbursement_rate_is_no_progress(text: str) -> None:
    assert _entry(text, "11").percent is None


# "đạt 41,8% (chỉ tiêu 40%)": an indicator measured against its own target; neither is progress.
@pytest.mark.parametrize("text", [
    "NV10: về tiền đã thi hành xong 150 tỷ đồng; đã thu 85,2 tỷ đồng, đạt 56,8% (chỉ tiêu 50%).",
    "NV10: thi hành xong 2.100 việc, đạt 80,2% (chỉ tiêu Quốc hội giao là 78%)",
    "NV10: thu hồi 12 tỷ đồng, đạt 43% (chỉ tiêu giao 40%).",
])
def test_indicator_against_its_target(text: str) -> None:
    assert _entry(text, "10").percent is None


# "đạt 78,3% về việc": the về-việc tail is read after the decimal part too.
@pytest.mark.parametrize("text", [
    "NV10: thi hành xong 610/820 việc có điều kiện, đạt 74,4% về việc",
    "NV10: đạt 66,5% chỉ tiêu về tiền",
])
def test_decimal_rate_of_one_indicator(text: str) -> None:
    assert _entry(text, "10").percent is None
