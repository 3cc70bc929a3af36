"""Readings added while tuning on reports-held-out-12 and -13: which task numbers a part names,
lists and sub-items, and how a message is cut into parts (short examples written for the
test, not corpus rows)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from report_scoring import parse_as_bot  # noqa: E402


def tasks(text: str, agency: str = "ubnd-huyen-ninh-son") -> list[str | None]:
    entries, _ = parse_as_bot({"text": text, "agency": agency})
    return [e.task for e in entries if not e.general]


# "Sở X báo cáo 6 tháng: Về …: …": the report's own introduction before the subject does not hide
# it: the subject still names the part's task (a later sentence naming another field stays the
# part's) and the point of task 1 it is about.
@pytest.mark.parametrize(
    "text, agency, want",
    [
        ("UBND huyện báo cáo quý III: Về hòa giải ở cơ sở: kiện toàn 40 tổ hòa giải, hòa giải thành 30/35 vụ việc.",
         "ubnd-huyen-ninh-son", ["1b"]),
        ("Huyen bc 6 thang: ve xa dat chuan tiep can phap luat: 6/8 xa dat chuan, dang tiep tuc.",
         "ubnd-huyen-ninh-son", ["1b"]),
        ("Sở Tài chính báo cáo quý II: Về bảo đảm kinh phí hoạt động cho các cơ quan tư pháp, Sở đã cấp 1,2 tỷ đồng; "
         "đang thẩm định đề xuất 300 triệu đồng của Hội Luật gia tỉnh.", "so-tai-chinh", ["11"]),
    ],
)
def test_the_reports_introduction_does_not_hide_the_subject(text, agency, want):
    assert tasks(text, agency) == want


# "SYT báo cáo số 2/6/7 xong hết": "báo cáo" (the verb), then "số" and task numbers joined by
# slashes and what is said of them, is a list of tasks; a report's own number ("Báo cáo số 12/BC-…",
# "số 2/6/2024") is not.
@pytest.mark.parametrize(
    "text, want",
    [
        ("SYT bao cao so 2/6/7 xong het a", ["2", "6", "7"]),
        ("Sở báo cáo số 2/6 đang làm, số 7 xong.", ["2", "6", "7"]),
        ("So bc so 6/7 da hoan thanh", ["6", "7"]),
        ("Theo Báo cáo số 12/BC-UBND, đã hoàn thành nhiệm vụ 6.", ["6"]),
    ],
)
def test_bao_cao_so_then_a_slash_list_of_tasks_names_them(text, want):
    assert tasks(text, "so-y-te") == want


def statuses(text: str, agency: str = "ubnd-huyen-ninh-son") -> dict[str | None, str | None]:
    entries, _ = parse_as_bot({"text": text, "agency": agency})
    return {e.task: e.status for e in entries if not e.general}


# After a short clause of tasks and their status ("nv1 nv9 đang làm bình thường", "4 đang làm được
# 80%"), "còn / còn lại / riêng" then bare task numbers and a status word goes on the list; a count
# of cases ("còn 4 vụ chưa giải quyết") does not, nor does a number after results ("đã giải quyết 16, còn 4 chưa").
@pytest.mark.parametrize(
    "text, want",
    [
        ("so 2 xong, 4 dang lam dc 80%, con 10 chua lam", {"2": "done", "4": "in_progress", "10": "not_started"}),
        ("nv1 nv9 dang lam binh thuong, con lai 4, 6, 10 k phat sinh",
         {"1": "in_progress", "9": "in_progress", "4": "not_arisen", "6": "not_arisen", "10": "not_arisen"}),
        ("NV4 đang làm; riêng 10 chưa phát sinh", {"4": "in_progress", "10": "not_arisen"}),
        ("nv10 da giai quyet 16 viec, con 4 chua giai quyet", {"10": "in_progress"}),
    ],
)
def test_con_then_bare_numbers_after_a_short_status_clause_are_tasks(text, want):
    assert statuses(text, "ubnd-thanh-pho-phan-rang-thap-cham") == want


@pytest.mark.parametrize(
    "text, want",
    [("nv4 xong, con 4 vu chua giai quyet", ["4"]), ("NV10: đã thi hành 16 việc, còn 4 chưa thi hành", ["10"])],
)
def test_con_then_a_count_is_no_task(text, want):
    assert tasks(text, "ubnd-thanh-pho-phan-rang-thap-cham") == want


# "1. Nhiệm vụ 1" alone on its line, over a part about one of its sub-items ("1.2. Về đổi mới … (điểm b
# nhiệm vụ 1): …"), only heads that part: no entry for task 1 besides its point.
@pytest.mark.parametrize(
    "text, want",
    [
        ("1. Nhiệm vụ 1\n1.2. Về đổi mới hình thức tuyên truyền (điểm b nhiệm vụ 1): phát 96 tin bài.\n"
         "2. Nhiệm vụ 4: tiếp 68 lượt công dân.", ["1b", "4"]),
        ("Nhiem vu 1:\n- Diem a nhiem vu 1: da to chuc 2 hoi nghi\n- Diem b nhiem vu 1: dang lam", ["1a", "1b"]),
    ],
)
def test_a_line_that_only_names_the_task_heads_its_sub_items_part(text, want):
    assert tasks(text, "ubnd-huyen-ninh-phuoc") == want


# A lone part whose subject names one point of task 1 by two or more words at most one other task
# uses too ("Chỉ thị 26-CT/TW", "Quy định 132-QĐ/TW"), none of task 1's title, and no word of its
# other point: that point, 1a; common words ("trên địa bàn") do not make task 1's title a point.
@pytest.mark.parametrize(
    "text, want",
    [
        ("Về quán triệt Chỉ thị 26-CT/TW và Quy định 132-QĐ/TW, Viện đã tổ chức hội nghị cho công chức hai cấp; hoàn thành.",
         ["1a"]),
        ("VKSND tinh bc quy II: ve quan triet Quy dinh 132-QD/TW va Chi thi 26-CT/TW, da to chuc 1 hoi nghi cho kiem sat vien.",
         ["1a"]),
        ("Về tuyên truyền, phổ biến Chiến lược cải cách tư pháp trên địa bàn huyện: tổ chức 14 buổi, đang tiếp tục.", ["1"]),
    ],
)
def test_a_lone_part_named_by_a_points_less_rare_words_is_that_point(text, want):
    assert tasks(text, "vien-kiem-sat-nhan-dan-tinh" if "sat vien" in text or "Viện" in text else "ubnd-huyen-ninh-son") == want
