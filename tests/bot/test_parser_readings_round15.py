"""Readings added in round 15, on the misses of held-out-44…-47 once they were scored blind
(the tables of -44 are read in tests/bot/test_tables.py)."""

from __future__ import annotations

import pytest

from tests.bot.readings import as_agency as _as


@pytest.mark.parametrize("agency, text", [
    ("vien-kiem-sat-nhan-dan-tinh", "Về việc quán triệt các chủ trương của Trung ương và Tỉnh ủy về cải cách tư pháp, Viện đã tổ chức 03 hội nghị."),
    ("hoi-luat-gia-tinh", "Quán triệt chủ trương của TW, Tỉnh ủy về cải cách tư pháp cho cán bộ Hội: đã tổ chức 2 hội nghị, xong."),
    ("so-noi-vu", "phan quan triet cac chu truong cua TW, Tinh uy ve cai cach tu phap: da xong."),
])
def test_a_part_in_the_words_of_point_a_alone_is_point_a(agency, text):
    assert [e.task for e in _as(agency, text)] == ["1a"]


def test_a_part_in_the_words_of_the_tasks_title_stays_the_task():
    got = _as("cong-an-tinh", "Về tuyên truyền, phổ biến chiến lược cải cách tư pháp: Công an tỉnh tổ chức 12 buổi tuyên truyền.")
    assert [e.task for e in got] == ["1"]


@pytest.mark.parametrize("agency, text, tasks", [
    # a question about another task, after a report by content
    ("so-thong-tin-va-truyen-thong",
     "Dạ thưa chị, phần xử lý thông tin xấu độc trên không gian mạng quý I Sở đã phối hợp Công an tỉnh xác minh 17 tài khoản, "
     "yêu cầu gỡ bỏ 63 bài viết sai sự thật. Chị cho em hỏi nhiệm vụ 5 thì Sở là phối hợp, có cần báo cáo không ạ?", ["9"]),
    ("lien-doan-lao-dong-tinh",
     "Dạ em chào chị, em xin phép báo cáo nhanh: nhiệm vụ 6 bên em tổ chức 9 hội nghị cho 1.100 công nhân, nhiệm vụ 11 thì chưa "
     "triển khai. Chị cho em hỏi nhiệm vụ 10 bên em có phải báo cáo không ạ?", ["6", "11"]),
    # the report of some tasks promised later
    ("so-giao-duc-va-dao-tao", "sgd a: nv7 da cu 3 cc di hoc lop boi duong phap che, nv3 k phat sinh. con nv1 nv9 e bc sau a", ["7", "3"]),
    ("uy-ban-mat-tran-to-quoc-viet-nam-tinh", "mttq a: nv4 tiep nhan 5 don, da chuyen, nv10 dang phoi hop, nv11 k phat sinh. nv6 e gui sau a",
     ["4", "10", "11"]),
])
def test_a_task_asked_about_or_promised_later_gets_no_entry(agency, text, tasks):
    assert [e.task for e in _as(agency, text)] == tasks


@pytest.mark.parametrize("agency, text", [
    ("ubnd-huyen-bac-ai", "bac ai bc tiep: nv3 den nv5 dag lm binh thuong, nv8 ko phat sinh"),  # "báo cáo tiếp": more of the report
    ("so-tai-nguyen-va-moi-truong", "NV8: không phát sinh, báo cáo lồng ghép vào báo cáo tiếp công dân."),
    ("cong-an-tinh", "NV4 đang làm, em gửi số liệu chi tiết sau ạ"),  # a status said, the figures later
])
def test_what_only_looks_like_a_later_report_is_read(agency, text):
    assert any(e.task for e in _as(agency, text))


@pytest.mark.parametrize("text, tasks", [
    ("c oi nv1 4 6 e lm xong het r nha, con nv9 thi dag lm do", ["1", "4", "6", "9"]),
    ("skhdt: nv1 2 3 xog, nv4 k ps, nv6 7 dg lm", ["1", "2", "3", "4", "6", "7"]),
    ("CAT: nv 1 den 3 ht, nv5 6 bt, nv9 xu ly 19 tai khoan", ["1", "2", "3", "5", "6", "9"]),
    ("hnd bc nv1 dag lm dc 8 buoi, nv4 vs 6 bt ko co gi", ["1", "4", "6"]),
])
def test_the_last_number_of_a_phone_list_before_shorthand(text, tasks):
    assert sorted((e.task for e in _as("van-phong-ubnd-tinh", text) if e.task), key=int) == tasks


@pytest.mark.parametrize("text, statuses", [
    ("nv10 k phat sinh, nv11 chi phoi hop k co so lieu rieng a", {"10": "not_arisen", "11": "not_arisen"}),
    ("4. Nhiệm vụ 10, 11: đơn vị chỉ phối hợp, không có số liệu riêng.", {"10": "not_arisen", "11": "not_arisen"}),
    # work done within other work is work going on; so is coordination that happened
    ("7. Nhiệm vụ 3, 5: thực hiện lồng ghép, không có số liệu riêng.", {"3": "in_progress", "5": "in_progress"}),
    ("nv9 co phoi hop nhung khong co so lieu rieng", {"9": "in_progress"}),
])
def test_only_coordinating_with_nothing_of_its_own(text, statuses):
    got = {e.task: e.status for e in _as("uy-ban-mat-tran-to-quoc-viet-nam-tinh", text) if e.task}
    assert got == statuses


def test_points_under_a_heading_naming_another_task_are_that_tasks():
    text = ("Tòa án nhân dân tỉnh báo cáo kết quả năm 2024:\n"
            "1. Về kiện toàn tổ chức bộ máy, nâng cao chất lượng đội ngũ (nhiệm vụ 3)\n"
            "a) Chuyển đổi vị trí công tác định kỳ đối với 14 công chức; bổ nhiệm lại 05 Thẩm phán.\n"
            "b) Tổ chức 02 cuộc kiểm tra công vụ.\n"
            "2. Về phối hợp giải quyết các vụ án, vụ việc (nhiệm vụ 4)\n"
            "- Án hình sự: giải quyết 812/846 vụ; không có án quá hạn luật định.\n"
            "- Tiếp 1.126 lượt công dân.\n"
            "3. Về giải quyết án hành chính (nhiệm vụ 5)\nGiải quyết 104/128 vụ.")
    got = {e.task: e for e in _as("toa-an-nhan-dan-tinh", text)}
    assert sorted(got) == ["3", "4", "5"]
    assert "14 công chức" in got["3"].text and "812/846 vụ" in got["4"].text


def test_points_under_the_reports_own_number_are_the_tasks_its_words_say():
    text = ("1. Về tháo gỡ khó khăn, vướng mắc trong công tác thi hành án dân sự, thi hành án hành chính\n"
            "a) Về việc: đã thi hành xong 3.689 việc.\n"
            "b) Về tiền: đã thi hành xong 241,5 tỷ đồng.\n"
            "2. Công tác tiếp công dân, giải quyết khiếu nại, tố cáo\nTiếp 312 lượt công dân.")
    assert sorted(e.task for e in _as("cuc-thi-hanh-an-dan-su-tinh", text) if e.task) == ["10", "4"]


def test_parts_headed_by_a_tasks_subject_are_read():
    text = ("THANH TRA TỈNH\nBÁO CÁO 9 THÁNG NĂM 2024 KẾT QUẢ THỰC HIỆN KẾ HOẠCH 124-KH/BCSĐ\n"
            "Phần I. Quán triệt, tuyên truyền\nThanh tra tỉnh tổ chức quán triệt Quy định 132-QĐ/TW cho 100% công chức (47 người).\n"
            "Phần II. Nhiệm vụ chủ trì: tham mưu rà soát quy chế phối hợp giải quyết án hành chính\n"
            "- Theo dõi 61 vụ án hành chính, trong đó 27 vụ đã có bản án.\n"
            "Phần III. Phối hợp phòng ngừa tham nhũng, tiêu cực và tiếp công dân\nTiến hành 14 cuộc thanh tra hành chính.\n"
            "Phần IV. Khó khăn, vướng mắc, kiến nghị\n- Hồ sơ lưu trữ không đầy đủ.")
    got = _as("thanh-tra-tinh", text)
    assert {e.task for e in got if e.task} >= {"5", "4"} and any(e.task in ("1", "1a") for e in got)
    assert [e.general for e in got].count(True) == 1
