"""Readings added in round 15, on the misses of held-out-44…-47 once they were scored blind
(the tables of -44 are read in tests/bot/test_tables.py)."""

from __future__ import annotations

import pytest

from tests.bot import report_scoring as rs


def _as(agency: str, text: str):
    return rs.parse_as_bot({"agency": agency, "text": text})[0]


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
