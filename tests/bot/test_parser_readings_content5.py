"""Readings added in the held-out-14/-15 tuning round (not-reports and tasks by content)."""

from __future__ import annotations

import pytest

from bot.parser import parse_reply
from tests.bot.readings import kind as _kind, seed_index

@pytest.mark.parametrize("text", [
    "Chúc anh chị Sở Tư pháp Ngày Pháp luật Việt Nam nhiều niềm vui ạ!",
    "chuc cac anh chi ngay phap luat vui ve a",
    "Kính chúc các anh chị luôn hạnh phúc ạ.",
])
def test_wishes_for_a_day_or_happiness_are_a_greeting(text):
    assert _kind(text) == "greeting"


@pytest.mark.parametrize("text", [
    "Dạ báo cáo quý III của Sở đã gửi qua hệ thống eOffice ngày 3/10 rồi ạ.",
    "da bao cao nam gui qua e-office r a",
    "Dạ chào anh, Sở Xây dựng đã gửi Báo cáo số 77/BC-SXD qua hệ thống quản lý văn bản điều hành rồi ạ.",
    "Dạ STTTT đã gửi qua hệ thống văn bản Báo cáo số 12/BC-STTTT rồi ạ.",
])
def test_a_report_sent_through_the_document_system_after_a_polite_da_is_sent_elsewhere(text):
    assert _kind(text) == "elsewhere"


@pytest.mark.parametrize("text", [
    "Dạ HĐPH PBGDPL huyện đang tổng hợp số liệu quý IV, tuần sau em gửi báo cáo ạ.",
    "da hdph dang tong hop so lieu, mai e gui a",
])
def test_a_polite_da_before_initials_is_no_progress(text):
    assert _kind(text) == "later"


@pytest.mark.parametrize("text", [
    "Cho Sở hỏi: nhiệm vụ 4 thì số liệu tính từ 01/01 hay từ 15/12 năm trước ạ? Để Sở tổng hợp cho đúng.",
    "cho em hoi nv9 so lieu tinh tu 1/1 hay tu 15/12 a?",
])
def test_a_question_about_a_period_opened_by_asking_is_no_report(text):
    assert _kind(text) == "question"


@pytest.mark.parametrize("text", [
    "Dạ em cảm ơn anh, em đã nhận được hướng dẫn và biểu mẫu rồi ạ.",
    "da e cam on chi, e da nhan dc huong dan roi a",
])
def test_guidance_received_is_thanks_though_its_da_roi_reads_done(text):
    assert _kind(text) == "thanks"


@pytest.mark.parametrize("text", [
    "Sở Công Thương gửi lời cảm ơn Sở Tư pháp đã phối hợp tổ chức hội nghị tập huấn.",
    "Ban xin gửi lời chân thành cảm ơn Sở Tư pháp đã hỗ trợ tổ chức lớp bồi dưỡng. Chúc các anh chị cuối tuần vui vẻ.",
])
def test_sending_thanks_for_what_the_one_thanked_did_is_thanks(text):
    assert _kind(text) == "thanks"


@pytest.mark.parametrize("text", [
    "Cảm ơn Sở Tư pháp đã hướng dẫn, Sở sẽ bổ sung số liệu nhiệm vụ 4 vào báo cáo năm.",
    "cam on so da huong dan, ben em se bo sung so lieu nv6 vao bao cao 6 thang",
])
def test_a_promise_to_add_a_tasks_figures_to_a_later_report_is_later(text):
    assert _kind(text) == "later"


@pytest.mark.parametrize("text", [
    "Kính gửi Sở Tư pháp, Phòng Tư pháp thay đổi đầu mối báo cáo: đồng chí Lê Văn Nam, SĐT 0259 3822 115 thay đồng chí Hà nghỉ hưu.",
])
def test_a_phone_number_in_a_change_of_focal_point_is_no_count(text):
    assert _kind(text, ["6"]) == "contact"


@pytest.mark.parametrize("text", [
    # a count, a status, a result or a difficulty beside the same words keeps a report a report
    "Cảm ơn Sở đã hướng dẫn, Sở đã tổ chức 3 hội nghị, sẽ bổ sung số liệu nhiệm vụ 4 vào báo cáo năm.",
    "Dạ em đã nhận được hướng dẫn, NV4 đã hoàn thành 100%.",
    "Em đã nhận được biểu mẫu, đã tổ chức 5 lớp tập huấn rồi ạ.",
    "Dạ SKHCN đã gửi qua hệ thống văn bản, nhiệm vụ 3 đã tuyên truyền 12 tin bài.",
    "Cho em hỏi: quý này đã tổ chức 4 hội nghị, số liệu tính từ 01/01 hay 15/12 ạ?",
    "Sở Nội vụ gửi lời cảm ơn Sở Tư pháp đã phối hợp, Sở đã tổ chức 2 lớp bồi dưỡng.",
    "Đổi đầu mối sang chị Lan, SĐT 0912 345 678; nhiệm vụ 6 đã tổ chức 3 hội nghị.",
    "Dạ HĐPH đang gặp khó khăn về kinh phí, số liệu gửi sau ạ.",
])
def test_a_message_stating_results_stays_a_report(text):
    assert _kind(text) is None


_plan = seed_index  # (index, refs) of the seed plan


def _tasks(text: str) -> tuple[set, set]:
    index, refs = _plan()
    entries = parse_reply(text, refs, index=index)
    return {e.task for e in entries if e.task}, {c for e in entries for c in e.candidates}


# A heading that leaves two tasks equally likely ("Về nâng cao chất lượng đội ngũ cán bộ tư pháp":
# NV3's staff quality, NV7's training of that staff) is not decided by results after it that lean
# to one of them only a little ("mở 02 lớp bồi dưỡng"); the conversation asks.
@pytest.mark.parametrize("text", [
    "Về nâng cao chất lượng đội ngũ cán bộ tư pháp, Sở đã phối hợp mở 02 lớp bồi dưỡng chuyên môn cho 80 công chức.",
    "Sở Nội vụ báo cáo quý I: Về nâng cao chất lượng đội ngũ cán bộ tư pháp, đã phối hợp mở 01 lớp bồi dưỡng cho 60 công chức.",
    "ve nang cao chat luong doi ngu can bo tu phap, so da phoi hop mo 02 lop boi duong chuyen mon cho 90 cong chuc",
])
def test_a_heading_two_tasks_share_asks_though_its_results_lean(text):
    assert _tasks(text) == (set(), {"3", "7"})


@pytest.mark.parametrize("text, task", [
    # results that lean far to one task decide it, as before
    ("Về công tác tuyên truyền, phổ biến chiến lược cải cách tư pháp bên em đã làm xong rồi ạ.", "1"),
    ("Về đào tạo, bồi dưỡng cán bộ tư pháp: Sở đã phối hợp mở 02 lớp bồi dưỡng cho công chức Tư pháp - Hộ tịch cấp xã.", "7"),
])
def test_a_clear_heading_or_far_leaning_results_keep_their_task(text, task):
    assert _tasks(text)[0] == {task}


# A document named by its number and kind's letters ("Kế hoạch số 2197/KH-UBND", "Nghị quyết số
# 77/NQ-CP") that only one task of the plan names decides for that task when the others close to it
# name none of their own.
@pytest.mark.parametrize("text", [
    "Về triển khai Kế hoạch số 2197/KH-UBND của UBND tỉnh thực hiện Nghị quyết số 77/NQ-CP: huyện đã ban hành kế hoạch, tổ chức 01 hội nghị quán triệt.",
    "ve trien khai ke hoach so 2197/kh-ubnd thuc hien nghi quyet 77/nq-cp: huyen da quan triet cho can bo chu chot, hoan thanh",
])
def test_a_document_only_one_task_names_decides(text):
    assert _tasks(text)[0] == {"2"}


def test_a_document_number_with_a_slash_is_read():
    from bot.task_match import _pairs
    assert {"kh #2197", "nq #77"} <= _pairs("Kế hoạch số 2197/KH-UBND thực hiện Nghị quyết số 77/NQ-CP")


# A heading clearly one task's ("Về kiện toàn tổ chức bộ máy các cơ quan tư pháp", "Về giải quyết án
# hành chính") which the whole part leads to as well keeps that task when the rival is brought by
# the results' words (whom the work was for: "Trung tâm Trợ giúp pháp lý", "thẩm định đề án"), not
# the heading's runner-up.
@pytest.mark.parametrize("text, task", [
    ("Về kiện toàn tổ chức bộ máy các cơ quan tư pháp, bổ trợ tư pháp: Sở đã thẩm định đề án vị trí việc làm của Trung tâm Trợ giúp pháp lý; đang chờ phê duyệt.", "3"),
    ("ve kien toan to chuc bo may cac co quan tu phap: so da tham dinh de an vi tri viec lam cua trung tam tro giup phap ly, dang cho phe duyet", "3"),
])
def test_a_clear_heading_keeps_its_task_against_a_rival_of_its_results(text, task):
    assert _tasks(text)[0] == {task}


@pytest.mark.parametrize("text", [
    # the heading's own runner-up is the rival: it still asks
    "Phần tuyên truyền pháp luật cho hội viên nông dân 6 tháng: tổ chức 18 buổi cho 1.200 lượt hội viên.",
])
def test_a_heading_whose_runner_up_the_results_lean_to_still_asks(text):
    index, refs = _plan()
    allowed = ["1", "10", "11", "4", "6", "9"]
    entries = parse_reply(text, refs, index=index, assigned=allowed)
    assert not any(e.task for e in entries) and {"9", "6"} <= {c for e in entries for c in e.candidates}
