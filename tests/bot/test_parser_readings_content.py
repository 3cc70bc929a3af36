"""Readings added in the held-out-7 tuning round (not-reports and tasks by content)."""

from __future__ import annotations

import pytest

from bot.parser import parse_reply
from tests.bot.readings import kind as _kind

@pytest.mark.parametrize("text", [
    "Em chào Sở Tư pháp, em là đầu mối mới của Sở Y tế, từ nay em thay anh Hùng báo cáo ạ.",
    "Dạ từ tháng 8 em phụ trách báo cáo của Ban Dân tộc thay chị Mai chuyển công tác.",
    "E la dau moi moi, tu nay e thay chi Hoa bao cao a",
])
def test_a_new_focal_point_introducing_themselves_is_a_contact_change(text):
    assert _kind(text) == "contact"


@pytest.mark.parametrize("text", [
    "Sở đã gửi báo cáo qua hệ thống văn bản điện tử ngày 5/7, đề nghị Sở Tư pháp tổng hợp.",
    "Ban em đã gửi báo cáo qua phần mềm quản lý văn bản rồi ạ.",
])
def test_a_report_sent_through_the_document_system_is_sent_elsewhere(text):
    assert _kind(text) == "elsewhere"


@pytest.mark.parametrize("text", [
    "anh oi nv4 lay so lieu den ngay nao vay anh",
    "Nhiệm vụ 6 báo cáo theo mẫu nào ạ",
    "chi oi bc nay gui bao gio vay",
    "nv2 co can gui kem phu luc khong a",
])
def test_a_question_without_a_question_mark_is_no_report(text):
    assert _kind(text) in ("question", "deadline")


@pytest.mark.parametrize("text", [
    "NV3: không phát sinh vụ nào",
    "NV5 đã xong, khó khăn: không có gì",
    "nv4 dang lam nhu vay",
])
def test_a_report_ending_on_such_a_word_stays_a_report(text):
    assert _kind(text) is None


@pytest.mark.parametrize("text", [
    "Phần hòa giải ở cơ sở 6 tháng: tổ chức 20 buổi cho 1.500 lượt người.",
    "Về hòa giải ở cơ sở: đã hòa giải thành 45 vụ.",
])
def test_a_part_offered_with_candidates_carries_its_status(text):
    from bot.task_match import TaskIndex

    others = ["Thi hành án dân sự", "Tiếp công dân", "Trợ giúp pháp lý", "Giám định tư pháp", "Kinh phí hoạt động",
              "Chuyển đổi số", "Bồi dưỡng cán bộ", "Xử lý thông tin xấu độc"]
    index = TaskIndex([("1", "Hòa giải ở cơ sở"), ("2", "Công tác hòa giải ở cơ sở")]
                      + [(str(n), words) for n, words in enumerate(others, 3)])
    entries = parse_reply(text, [str(n) for n in range(1, 11)], index=index)
    assert len(entries) == 1 and entries[0].task is None and set(entries[0].candidates) == {"1", "2"}
    assert entries[0].status == "in_progress"


@pytest.mark.parametrize("text, pair", [
    ("thụ lý 2.140 vụ, việc", "ly vu"),
    ("tội phạm 6 tháng: tiếp nhận 40 tin", "thang tiep"),
    ("Về xét xử. Án hành chính", "xu an"),
])
def test_a_number_or_a_stop_between_two_syllables_makes_no_word_pair(text, pair):
    from bot.task_match import _pairs

    assert pair not in _pairs(text)


def test_a_comma_between_two_syllables_still_pairs_them():
    from bot.task_match import _pairs

    assert "chuc bo" in _pairs("kiện toàn tổ chức, bộ máy")


@pytest.mark.parametrize("text, pair", [
    ("kiện toàn bộ máy và bồi dưỡng cán bộ", "may va"),
    ("kiện toàn bộ máy và bồi dưỡng cán bộ", "va boi"),
    ("Về công tác tuyên truyền", "ve cong"),
    ("tuyên truyền pháp luật cho hội viên", "luat cho"),
    ("cán bộ các cơ quan", "bo cac"),
])
def test_a_pair_across_a_joining_word_is_no_word_of_the_field(text, pair):
    from bot.task_match import _pairs

    assert pair not in _pairs(text)


@pytest.mark.parametrize("tail", [
    "Các nhiệm vụ phối hợp khác: thực hiện thường xuyên.",
    "Các nv còn lại: thực hiện thường xuyên.",
])
def test_a_line_about_the_other_tasks_is_no_tail_of_the_task_before(tail):
    refs, index = _plan_index()
    text = "Nhiệm vụ 10: Phối hợp Cục THADS xử lý 03 khoản thu hồi theo bản án. Hoàn thành.\n" + tail
    entries = parse_reply(text, refs, index=index)
    ten = [e for e in entries if e.task == "10"]
    assert len(ten) == 1 and "thường xuyên" not in ten[0].text and ten[0].status == "done"


def _plan_index():
    from bot.task_match import TaskIndex
    from common.paths import data_file
    from scheduler.plan import load_plan

    plan = load_plan(data_file("plan.json"))
    return list(plan.task_refs()), TaskIndex.from_plan(plan)


@pytest.mark.parametrize("text, task", [
    ("Về bảo đảm kinh phí cho các cơ quan tư pháp: đã cấp bổ sung 1,5 tỷ đồng cho Cục Thi hành án dân sự tỉnh.", "11"),
    ("Ve bao dam kinh phi cho cac co quan tu phap: da cap 800 trieu dong cho Cuc THADS tinh.", "11"),
])
def test_a_subject_heading_names_the_task_over_whom_the_results_were_for(text, task):
    refs, index = _plan_index()
    entries = parse_reply(text, refs, index=index, assigned=["4", "10", "11"])
    assert [e.task for e in entries] == [task]


@pytest.mark.parametrize("text, asked", [
    ("Về kiện toàn tổ chức, bộ máy và bồi dưỡng cán bộ các cơ quan tư pháp: đã thực hiện, hoàn thành.", {"3", "7"}),
    ("Ve kien toan to chuc, bo may va boi duong can bo tu phap: dang thuc hien.", {"3", "7"}),
])
def test_a_subject_heading_joining_two_tasks_subjects_asks_which(text, asked):
    refs, index = _plan_index()
    entries = parse_reply(text, refs, index=index, assigned=["3", "6", "7", "11"])
    assert len(entries) == 1 and entries[0].task is None and set(entries[0].candidates) == asked
    assert entries[0].status is not None


def test_a_subject_heading_joining_two_sides_of_one_task_is_that_task():
    refs, index = _plan_index()
    text = "Về tiếp công dân và tiếp nhận, xử lý đơn thư khiếu nại, tố cáo: tiếp 45 lượt công dân."
    assert [e.task for e in parse_reply(text, refs, index=index, assigned=["4", "5", "10"])] == ["4"]
