"""Readings added in round 16, on the misses of held-out-48 and -49 once they were scored blind."""

from __future__ import annotations

import pytest

from tests.bot.readings import as_agency as _as


def _tasks(agency: str, text: str) -> list[str | None]:
    return [e.task for e in _as(agency, text)]


@pytest.mark.parametrize("agency, text, tasks", [
    # "còn <another subject>": the turn goes on as that subject's part
    ("so-tai-chinh", "nv11 bên em dag tham mưu bổ sung kinh phí cho TAND tỉnh 1,2 tỷ, chờ UBND tỉnh ký QĐ, "
                     "còn định giá tài sản trong tố tụng thì xog rồi, 14 vụ a nhé", ["11", "6"]),
    ("so-xay-dung", "an hanh chinh ve cap phep xay dung ben e dang phoi hop 2 vu, con tiep cong dan lien quan tu phap k phat sinh a",
     ["5", "4"]),
    ("thanh-tra-tinh", "Về tiếp công dân liên quan hoạt động tư pháp, quý III Thanh tra tỉnh tiếp 41 lượt; về án hành chính thì đã tham mưu 05 vụ.",
     ["4", "5"]),
])
def test_a_turn_to_another_subject_is_that_subjects_part(agency, text, tasks):
    assert _tasks(agency, text) == tasks


@pytest.mark.parametrize("agency, text, task", [
    # a number the agency gives as its own guess, or whose description in brackets is another task's
    ("so-tai-nguyen-va-moi-truong", "1. Phần giám định tư pháp trong lĩnh vực tài nguyên và môi trường (Sở xếp vào nhiệm vụ 4, "
     "đề nghị Sở Tư pháp điều chỉnh nếu chưa đúng): năm 2024 tiếp nhận 05 yêu cầu trưng cầu giám định, đã hoàn thành 03 vụ.", "6"),
    ("so-nong-nghiep-va-phat-trien-nong-thon", "- NV2 (giám định tư pháp nông nghiệp): 03 vụ giám định thiệt hại cây trồng theo trưng cầu "
     "của Công an huyện Ninh Sơn, xong 02 vụ\n- NV7: cử 05 công chức dự lớp bồi dưỡng nghiệp vụ pháp chế, hoàn thành", "6"),
])
def test_a_number_described_as_another_task_is_read_by_its_words(agency, text, task):
    assert _tasks(agency, text)[0] == task


def test_a_heading_naming_the_document_of_a_tasks_title_is_that_task():
    text = ("1. Về công tác quán triệt Nghị quyết 27-NQ/TW: Sở đã tổ chức quán triệt cho 100% cán bộ, công chức thông qua "
            "02 hội nghị.\n2. Về giám định tư pháp trong lĩnh vực xây dựng: Sở tiếp nhận 07 yêu cầu trưng cầu giám định.")
    assert _tasks("so-xay-dung", text) == ["2", "6"]


def test_enforcing_administrative_judgments_is_not_trying_administrative_cases():
    text = ("1. Quán triệt, triển khai Nghị quyết 27-NQ/TW về Nhà nước pháp quyền\nĐã quán triệt tại 08/09 xã.\n"
            "2. Phối hợp thi hành án: Chi cục THADS huyện giải quyết xong 41/63 việc.")
    assert _tasks("ubnd-huyen-bac-ai", text) == ["2", "10"]


def test_what_was_reported_in_an_earlier_letter_gets_no_entry():
    text = ("Thanh tra báo cáo phần việc làm trung gian nắm bắt tâm tư nguyện vọng người dân: phối hợp tiếp xúc 22 hộ dân, "
            "chưa phát sinh khiếu kiện đông người, còn việc tham mưu quy chế phối hợp án hành chính đã báo cáo trong văn bản trước")
    assert _tasks("thanh-tra-tinh", text) == ["8"]
    # what was done this time, said before the earlier letter is mentioned, stays
    assert _tasks("so-noi-vu", "NV3: đã kiện toàn xong. NV5: đã tham mưu xong quy chế, còn việc bổ sung biên chế "
                               "đã báo cáo trong văn bản trước.") == ["3", "5"]


def test_a_guess_asked_in_words_is_read_by_the_words_and_the_message_is_kept():
    # "em ghi nv8 được không": the number is the agency's guess; the part is read by its words
    # (it once raised inside the reader, and the whole message fell back to one task-less part)
    text = "Giám định tư pháp về đất đai: 3 vụ, đã có kết luận 2 vụ, em ghi nv8 được không chị"
    assert [(e.task, e.status) for e in _as("so-tai-nguyen-va-moi-truong", text)] == [("6", "in_progress")]
