"""Readings added in the held-out-8/-9 tuning round (not-reports and tasks by content)."""

from __future__ import annotations

import pytest

from bot.parser import parse_reply
from tests.bot.readings import kind as _kind

@pytest.mark.parametrize("text", [
    "Dạ Sở Y tế xin phép gửi báo cáo chậm 3 ngày ạ, chị phụ trách đang nghỉ phép.",
    "xin phep gui bc cham 2 ngay a",
    "Bên em đang chờ các phòng gửi số liệu, tuần sau mới gửi báo cáo được ạ.",
    "ben e dang cho lanh dao duyet bao cao, thu 5 e gui chinh thuc a",
])
def test_asking_to_send_late_or_waiting_on_others_is_a_promise(text):
    assert _kind(text) == "later"


@pytest.mark.parametrize("text", [
    "Sở Y tế xin báo: từ ngày 01/9 đầu mối theo dõi Kế hoạch 124 là đồng chí Nguyễn Văn A, số điện thoại 0912 345 678.",
    "dau moi bao cao cua ben em tu nay la chi Lan a",
    "Em chào anh, từ nay em nhận làm đầu mối báo cáo thay chị Hoa ạ",
])
def test_a_person_named_as_focal_point_is_a_contact_change(text):
    assert _kind(text) == "contact"


@pytest.mark.parametrize("text", [
    "Sở đã gửi Báo cáo số 45/BC-STC ngày 03/6/2024 qua hệ thống quản lý văn bản điện tử ạ.",
    "Hội đồng xin phép gửi báo cáo chung trong báo cáo của UBND huyện ạ.",
    "Phòng em không gửi riêng, đã tổng hợp vào báo cáo của huyện ạ",
    "Cục đã có Công văn số 88/CTHADS gửi Sở Tư pháp kèm báo cáo 6 tháng, đề nghị kiểm tra hộp thư công vụ.",
])
def test_a_report_sent_by_letter_or_inside_another_report_is_sent_elsewhere(text):
    assert _kind(text) == "elsewhere"


@pytest.mark.parametrize("text", [
    "Chào chị, chúc chị ngày mới vui vẻ. Em vừa nhận Công văn số 15/STP, em sẽ báo lãnh đạo ạ.",
    "Ban Dân tộc đã nhận Kế hoạch 124, sẽ triển khai và báo cáo theo định kỳ.",
])
def test_a_letter_or_the_plan_received_is_an_acknowledgement(text):
    assert _kind(text) == "thanks"


@pytest.mark.parametrize("text", [
    "Kính chúc anh chị năm mới an khang thịnh vượng ạ!",
    "Dạ em chúc anh chị cuối tuần vui vẻ ạ",
])
def test_wishes_are_a_greeting(text):
    assert _kind(text) == "greeting"


@pytest.mark.parametrize("text", [
    "Nhiệm vụ 11 thì bên em có phải báo cáo không chị, vì không thuộc chuyên môn của Sở?",
    "cho e hoi nv11 so minh co phai bao cao ko a?",
    "Nhiệm vụ 5 là Sở mình phối hợp phải không anh? Em chưa thấy ghi.",
    "Cho em hỏi số liệu chốt đến ngày nào ạ? Nhiệm vụ 4 bên em có nhiều chỉ tiêu theo năm.",
])
def test_a_question_about_a_task_or_its_duty_is_a_question(text):
    assert _kind(text) == "question"


@pytest.mark.parametrize("text", [
    "NV4 đã hoàn thành 100%. Cho em hỏi hạn nộp báo cáo năm là ngày nào?",
    "Cho em hỏi NV4 có phải báo cáo không? Bên em đã tổ chức 3 hội nghị.",
    "Cho em hỏi về NV6? Bên em đang triển khai tuyên truyền.",
    "Sở đã nhận kế hoạch và đã tổ chức 5 hội nghị tuyên truyền",
    "NV6: đã tổ chức tuyên truyền, chúc mừng năm mới",
    "NV4 đang chờ UBND tỉnh phê duyệt đề án",
])
def test_a_message_with_results_stays_a_report(text):
    assert _kind(text) is None


def _plan_index():
    from bot.task_match import TaskIndex
    from common.paths import data_file
    from scheduler.plan import load_plan

    plan = load_plan(data_file("plan.json"))
    return list(plan.task_refs()), TaskIndex.from_plan(plan)


@pytest.mark.parametrize("text", [
    "Về tiếp công dân, giải quyết đơn thư khiếu nại, tố cáo: tiếp 30 lượt công dân, nhận 12 đơn; không có đơn tồn đọng kéo dài.",
    "Phần tiếp công dân và chuyển đổi số: tiếp 20 lượt công dân; hồ sơ được chia sẻ với Viện Kiểm sát qua phần mềm.",
])
def test_a_sentence_under_a_subject_heading_stays_the_headings_task(text):
    refs, index = _plan_index()
    entries = parse_reply(text, refs, index=index, assigned=["1", "4", "6", "10"])
    assert [e.task for e in entries] == ["4"]


def test_an_agency_named_by_its_acronym_says_for_whom_not_the_field():
    refs, index = _plan_index()
    text = "Kinh phí cho các cơ quan tư pháp năm 2024 đã phân bổ đủ, bổ sung thêm 2 tỷ cho Cục THADS"
    assert [e.task for e in parse_reply(text, refs, index=index, assigned=["4", "10", "11"])] == ["11"]


def test_a_word_and_the_preposition_after_it_is_no_word_of_the_field():
    from bot.task_match import _pairs

    assert "hop trong" not in _pairs("phối hợp trong thi hành án dân sự")
    assert "hien theo" not in _pairs("thực hiện theo kế hoạch")
    refs, index = _plan_index()
    text = "Về giám sát, phối hợp trong thi hành án dân sự: vận động 27 trường hợp tự nguyện thi hành án."
    assert [e.task for e in parse_reply(text, refs, index=index, assigned=["1", "4", "10"])] == ["10"]
