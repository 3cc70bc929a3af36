"""A tracking table pasted from Excel or Word (bot/tables.py), read by its columns."""

from __future__ import annotations

import pytest

from bot.tables import find_table, percent_of, states_difficulty
from tests.bot.readings import as_agency

PIPES = ("Phòng Tư pháp TP gửi bảng tổng hợp quý I/2024 ạ:\n"
         "STT | Nhiệm vụ | Kết quả | Tiến độ (%) | Khó khăn\n"
         "1 | NV1b - Tuyên truyền CCTP | Tổ chức 06 hội nghị, 1.240 lượt người dự | 60 | Không\n"
         "2 | NV4 - Tiếp công dân, xử lý đơn | Tiếp 37 lượt công dân, nhận 21 đơn | 100 | Không\n"
         "3 | NV10 - Phối hợp THADS | Phối hợp cưỡng chế 02 vụ | | Thiếu lực lượng hỗ trợ cưỡng chế\n"
         "4 | NV11 - Kinh phí | Không phát sinh | | -")
TABS = ("STT\tNhiệm vụ\tKết quả thực hiện\tTiến độ (%)\tKhó khăn, vướng mắc\tGhi chú\n"
        "1\tNhiệm vụ 11 (chủ trì)\tĐã tham mưu UBND tỉnh bổ sung 4,75 tỷ đồng\t80\tNguồn dự phòng ngân sách hạn hẹp\tSố liệu chốt đến 14/6/2024\n"
        "2\tNhiệm vụ 3 (phối hợp)\tRà soát vị trí việc làm khối tài chính\t\tKhông\tĐề nghị Sở cập nhật lại đầu mối\n"
        "3\tNhiệm vụ 9 (phối hợp)\tKhông phát sinh\t\t\t")


def test_the_columns_of_a_table_with_bars():
    table = find_table(PIPES)
    assert table is not None and len(table.rows) == 4
    assert table.rows[0].cells == {"number": "1", "task": "NV1b - Tuyên truyền CCTP",
                                   "result": "Tổ chức 06 hội nghị, 1.240 lượt người dự", "percent": "60", "difficulty": "Không"}


def test_empty_cells_of_a_tab_table_keep_their_column():
    table = find_table(TABS)
    assert [r.cells.get("percent") for r in table.rows] == ["80", "", ""]
    assert table.rows[1].cells["difficulty"] == "Không" and table.rows[1].cells["note"] == "Đề nghị Sở cập nhật lại đầu mối"


@pytest.mark.parametrize("text", [
    "NV4 | đang làm | 70%",  # no header
    "Kết quả: 12 | 15 hội nghị",
    "nv1 xong, nv2 dang lam",
])
def test_no_table(text):
    assert find_table(text) is None


@pytest.mark.parametrize("cell, pct", [("60", 60), ("60%", 60), ("65,5 %", 65), ("", None), ("Đang thực hiện", None), ("120", None)])
def test_a_progress_cell(cell, pct):
    assert percent_of(cell) == pct


@pytest.mark.parametrize("cell, says", [("Không", False), ("-", False), ("", False), ("không có", False),
                                        ("Địa bàn rộng, đồng bào dân tộc thiểu số đông", True), ("Trang thiết bị xuống cấp", True)])
def test_a_difficulty_cell(cell, says):
    assert states_difficulty(cell) is says


def _as(agency, text):
    return {e.task: (e.status, e.percent, e.difficulty) for e in as_agency(agency, text)}


def test_a_pasted_table_read_row_by_row():
    assert _as("ubnd-thanh-pho-phan-rang-thap-cham", PIPES) == {
        "1b": ("in_progress", 60, False), "4": ("done", 100, False),
        "10": ("in_progress", None, True), "11": ("not_arisen", None, False)}


def test_a_procedural_remark_is_no_difficulty_and_an_obstacle_in_its_column_is():
    assert _as("so-tai-chinh", TABS) == {"11": ("in_progress", 80, True), "3": ("in_progress", None, False),
                                         "9": ("not_arisen", None, False)}


def test_an_obstacle_in_the_remarks_column_still_counts():
    got = _as("dai-phat-thanh-va-truyen-hinh-tinh", "Nhiệm vụ | Tỷ lệ hoàn thành | Ghi chú\nNV1 | 90% | \nNV9 | 100% | đã xong\nNV6 | 50% | thiếu phóng viên")
    assert got == {"1": ("in_progress", 90, False), "9": ("done", 100, False), "6": ("in_progress", 50, True)}


def test_rows_parted_by_dashes_without_a_header():
    text = ("UBND huyện Ninh Phước gửi trích bảng theo dõi 9 tháng:\nNV2 – Hoàn thành – 100% – Không\n"
            "NV5 – Đang thực hiện – 50% – Chưa có vụ án hành chính mới để phối hợp\n"
            "NV7 – Đang thực hiện – – Thiếu công chức tư pháp xã Phước Hậu\nNV8 – Không phát sinh – – –")
    assert _as("ubnd-huyen-ninh-phuoc", text) == {
        "2": ("done", 100, False), "5": ("in_progress", 50, False), "7": ("in_progress", None, True), "8": ("not_arisen", None, False)}


def test_a_dash_in_a_sentence_is_no_row():
    assert _as("cong-an-tinh", "NV4 - đang làm, còn vướng kinh phí") == {"4": ("in_progress", None, True)}
