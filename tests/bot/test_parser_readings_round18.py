"""Readings added in round 18, on the misses of held-out-51 and -52 (-51 scored blind first)."""

from __future__ import annotations

import pytest

from tests.bot.readings import as_agency as _as


def _read(agency: str, text: str) -> list[tuple]:
    return [(e.task, e.status, e.percent) for e in _as(agency, text) if e.task]


@pytest.mark.parametrize("agency, text, want", [
    # numbers as voice typing writes them
    ("ubnd-huyen-ninh-hai", "nhiệm vụ chín thì đạt chín mươi phần trăm kế hoạch rồi", [("9", "in_progress", 90)]),
    ("ubnd-huyen-thuan-bac", "nhiệm vụ hai với nhiệm vụ ba xong rồi, nhiệm vụ mười một thì chưa làm chị ơi",
     [("2", "done", None), ("3", "done", None), ("11", "not_started", None)]),
    ("tinh-doan", "nhiệm vụ số một và số chín đoàn thanh niên đã tổ chức hai mươi lăm buổi sinh hoạt chuyên đề pháp luật",
     [("1", "in_progress", None), ("9", "in_progress", None)]),
    ("van-phong-ubnd-tinh", "nhiệm vụ năm là quy chế phối hợp với tòa án đang chờ thanh tra tỉnh góp ý lần cuối",
     [("5", "in_progress", None)]),
])
def test_spoken_numbers(agency, text, want):
    assert _read(agency, text) == want


@pytest.mark.parametrize("text", [
    "Hội đã hoàn thành nhiệm vụ năm. Nhiệm vụ 4: tiếp 12 lượt công dân.",  # the year's tasks
    "Sở triển khai nhiệm vụ năm của ngành; nhiệm vụ 4: tiếp 12 lượt công dân.",
    "Kết quả thực hiện nhiệm vụ sáu tháng đầu năm: nhiệm vụ 4 tiếp 12 lượt công dân.",  # six months
])
def test_words_that_only_sound_like_a_task_number(text):
    assert [t for t, _s, _p in _read("van-phong-ubnd-tinh", text)] == ["4"]


def test_status_signs_over_lines_of_bare_task_numbers():
    got = _read("ubnd-huyen-ninh-son", "Ninh Sơn cập nhật tiếp:\n✅ 5, 6, 7\n⏳ 9, 10\n❌ 11")
    assert got == [("5", "done", None), ("6", "done", None), ("7", "done", None),
                   ("9", "in_progress", None), ("10", "in_progress", None), ("11", "not_started", None)]


@pytest.mark.parametrize("agency, text, task", [
    # the field's things in the focal points' own words
    ("hoi-cuu-chien-binh-tinh", "Việc tham gia đấu tranh với các quan điểm sai trái, thù địch trên mạng xã hội: 02 tổ dư luận "
                                "xã hội của Hội đăng 210 bài viết, báo cáo Công an tỉnh 06 tài khoản có nội dung xuyên tạc.", "9"),
    ("lien-doan-lao-dong-tinh", "Nội dung tư vấn pháp luật: Văn phòng tư vấn pháp luật công đoàn tư vấn 64 lượt.", "6"),
])
def test_the_plans_things_in_other_words(agency, text, task):
    assert [t for t, _s, _p in _read(agency, text)] == [task]


def test_a_subject_line_longer_than_a_hundred_characters_opens_its_part():
    text = ("Hội Cựu chiến binh tỉnh kính báo cáo kết quả 9 tháng năm 2024:\n"
            "Việc tham gia đấu tranh với các quan điểm sai trái, thù địch trên mạng xã hội: đăng 210 bài viết.\n"
            "Việc phối hợp trong công tác thi hành án, giúp đỡ người chấp hành xong án phạt tù tái hòa nhập cộng đồng "
            "(nhiệm vụ 4): các cơ sở Hội nhận giúp đỡ 11 người.")
    assert [t for t, _s, _p in _read("hoi-cuu-chien-binh-tinh", text)] == ["9", "4"]


def test_a_letters_subject_line_is_no_roman_heading():
    text = ("V/v báo cáo kết quả thực hiện KH 124-KH/BCSĐ 9 tháng năm 2024\nKính gửi: Sở Tư pháp\n"
            "- Về bảo đảm điều kiện cơ sở vật chất cho các cơ quan tư pháp (nhiệm vụ 11): Sở đã tham mưu bố trí vốn cho 03 dự án.\n"
            "- Về kiện toàn tổ chức bộ máy: Sở đã sắp xếp lại còn 05 phòng chuyên môn.")
    assert [t for t, _s, _p in _read("so-ke-hoach-va-dau-tu", text)] == ["11", "3"]


def test_an_obstacle_said_in_a_clause_of_its_own_stays_with_the_learned_second_opinion():
    text = ("NV1, NV2, NV3, NV4, NV5 (phối hợp): đang thực hiện, đã cử cán bộ tham gia 11 cuộc họp liên ngành, vướng kinh phí. "
            "NV6, NV7, NV9, NV10, NV11 (phối hợp): đang thực hiện, đã lồng ghép tuyên truyền trong 4 buổi sinh hoạt chuyên đề.")
    got = {e.task: e.difficulty for e in _as("so-xay-dung", text) if e.task}
    assert all(got[t] for t in ("1", "2", "3", "4", "5")) and not any(got[t] for t in ("6", "7", "9", "10", "11"))
