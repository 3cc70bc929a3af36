"""Field readings added in the tuning round on reports-held-out-8 and -9 (status, percent, difficulty).

Short examples written for each reading, not corpus rows; each states what a Sở Tư pháp officer
would conclude from such a part.
"""

from __future__ import annotations

import pytest

from bot.parser import DONE, IN_PROGRESS, NOT_ARISEN, NOT_STARTED, parse_reply
from tests.bot.readings import entry as _entry




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


# Work going on with no status word is in progress: "lồng ghép", "vận động", "nâng cấp", "kết nối"
# say what was done, and "b) Nhiệm vụ 9 - …" is a heading like "Nhiệm vụ 9: …".
@pytest.mark.parametrize("text, task", [
    ("- Nhiệm vụ số 1, 4: Lồng ghép trong các chuyên mục trên sóng.", "1"),
    ("nv6: long ghep trong sinh hoat chi bo", "6"),
    ("3. Nhiệm vụ 9: Vận động đoàn viên không chia sẻ tin giả trên mạng xã hội.", "9"),
    ("2. Nhiệm vụ 4 (phối hợp): Nâng cấp phần mềm một cửa, kết nối các phòng chuyên môn.", "4"),
    ("b) Nhiệm vụ 9 - Hội viên tham gia các tổ an ninh mạng ở cơ sở, kịp thời phản ánh tin sai sự thật.", "9"),
])
def test_work_described_without_a_status_word(text: str, task: str) -> None:
    assert _entry(text, task).status == IN_PROGRESS


# Still stuck ("vẫn còn vướng mắc"), waiting for the province's funds, or a shortage the agency has
# already raised: the work is under way, with its difficulty.
@pytest.mark.parametrize("text, task", [
    ("nv10 van con vuong mac ve xac minh tai san", "10"),
    ("NV10: vẫn gặp khó khăn trong cưỡng chế do đương sự chống đối", "10"),
    ("nv 11 chờ tỉnh cấp kinh phí sửa chữa trụ sở", "11"),
    ("nv3 thieu 4 chap hanh vien, da de xuat bo sung", "3"),
])
def test_stuck_or_waiting_is_in_progress(text: str, task: str) -> None:
    e = _entry(text, task)
    assert (e.status, e.difficulty) == (IN_PROGRESS, True)


# Only a request or an obstacle, with nothing done or awaited: a task under way with its
# difficulty (docs/parser-corpus.md: only a general part has no status).
@pytest.mark.parametrize("text, task", [
    ("NV11 đề nghị tỉnh hỗ trợ kinh phí trang bị phòng xử án trực tuyến", "11"),
    ("nv10 vuong mac o khau xac minh, dan k hop tac", "10"),
])
def test_a_request_or_obstacle_alone_is_under_way(text: str, task: str) -> None:
    e = _entry(text, task)
    assert (e.status, e.difficulty) == (IN_PROGRESS, True)


# Phone shorthand for done: "xg" (xong), "đạt kh" (đạt kế hoạch), "ok r" (ok rồi).
@pytest.mark.parametrize("text, task", [
    ("nv6 xg", "6"),
    ("nv2 va nv3 dat kh", "3"),
    ("nv7 ok r", "7"),
])
def test_done_in_shorthand(text: str, task: str) -> None:
    assert _entry(text, task).status == DONE


def test_kh_after_a_percent_is_the_plan() -> None:
    assert _entry("nv5 dc 60% kh", "5").percent == 60


# "vượt chỉ tiêu (được giao)", "đạt và vượt các chỉ tiêu": the target met, the task done — even
# after partial counts when said last; "vượt chỉ tiêu … về việc" is one indicator only.
@pytest.mark.parametrize("text, status", [
    ("NV4: Tiếp 60 lượt công dân; giải quyết 30/32 đơn. Đạt và vượt các chỉ tiêu được giao.", DONE),
    ("NV10: thi hành xong 410/520 việc có điều kiện, vượt chỉ tiêu được giao.", DONE),
    ("NV10: thi hành xong 1.120 việc, vượt chỉ tiêu Tổng cục giao về việc.", IN_PROGRESS),
    ("NV4: Tiếp 40 lượt công dân. Tỷ lệ giải quyết đạt 92%, vượt chỉ tiêu Quốc hội giao. Đang thực hiện.", IN_PROGRESS),
])
def test_target_met(text: str, status: str) -> None:
    assert _entry(text, text[2:4].strip(":").strip()).status == status


# All of the period's cases settled ("xong 05/05 bản án") is throughput, not the task finished;
# all planned items ("xong 3/3 lớp") is done.
@pytest.mark.parametrize("text, status", [
    ("NV5: cử người tham gia đối thoại; thi hành xong 05/05 bản án có hiệu lực.", IN_PROGRESS),
    ("NV4: giai quyet xong 12/12 don", IN_PROGRESS),
    ("NV7: đã tổ chức xong 3/3 lớp bồi dưỡng theo kế hoạch.", DONE),
])
def test_all_cases_settled(text: str, status: str) -> None:
    assert _entry(text, text[2]).status == status
