"""Readings added in round 14, on the misses of held-out-42/-43 once they were scored blind."""

from __future__ import annotations

import pytest

from tests.bot.readings import as_agency as _as


def test_a_reference_closing_each_paragraph_is_that_paragraphs_task():
    text = ("Kính gửi: Sở Tư pháp\nSở Lao động - Thương binh và Xã hội báo cáo kết quả quý I năm 2024:\n\n"
            "Lĩnh vực trẻ em, bình đẳng giới: hỗ trợ 08 trẻ em là bị hại tham gia tố tụng. (NV4)\n\n"
            "Lĩnh vực giáo dục nghề nghiệp, lao động: Tuyên truyền pháp luật lao động cho 1.350 người lao động. (NV6)\n\n"
            "Lĩnh vực tệ nạn xã hội: Tiếp nhận 31 người nghiện; cơ sở đang quá tải, đề nghị bổ sung kinh phí nâng cấp. (NV11)\n\n"
            "Trân trọng./.")
    got = {e.task: e for e in _as("so-lao-dong-thuong-binh-va-xa-hoi", text)}
    assert sorted(got) == ["11", "4", "6"]
    assert got["4"].text.startswith("Lĩnh vực trẻ em") and got["4"].text.endswith("(NV4)")
    assert not got["6"].difficulty and got["11"].difficulty
    assert all(e.status == "in_progress" for e in got.values())


def test_closing_references_within_a_line():
    got = {e.task: e for e in _as("so-lao-dong-thuong-binh-va-xa-hoi",
                                  "Hỗ trợ 08 trẻ em (NV4). Tuyên truyền pháp luật lao động cho 1.350 người, chưa xong (NV6).")}
    assert got["4"].text == "Hỗ trợ 08 trẻ em (NV4)." and got["6"].text.startswith("Tuyên truyền")


def test_a_heading_ending_in_its_task_stays_the_heading_of_the_lines_below():
    text = ("Kính gửi: Sở Tư pháp.\n\n"
            "1. Về kiện toàn tổ chức, bộ máy, nâng cao chất lượng cán bộ các cơ quan tư pháp (nhiệm vụ số 3 - chủ trì)\n"
            "Sở đã thẩm định đề án; phối hợp rà soát 47 công chức, trong đó 03 người chưa đạt chuẩn. Hiện đang tiếp tục hoàn thiện hồ sơ.\n\n"
            "2. Về quy hoạch, đào tạo, bồi dưỡng đội ngũ cán bộ tư pháp (nhiệm vụ số 7 - phối hợp)\n"
            "Cử 05 công chức tham gia lớp bồi dưỡng.")
    got = _as("so-noi-vu", text)
    assert [e.task for e in got] == ["3", "7"]
    assert "47 công chức" in got[0].text and "05 công chức" in got[1].text


def test_the_introduction_is_no_part_of_the_subject_after_it():
    text = ("Kính gửi: Sở Tư pháp\n\nSở Công Thương báo cáo 6 tháng đầu năm 2024 thực hiện Kế hoạch số 124-KH/BCSĐ:\n\n"
            "Công tác tuyên truyền: Tổ chức 04 lớp tập huấn pháp luật về bảo vệ quyền lợi người tiêu dùng cho 260 tiểu thương.\n\n"
            "Công tác thanh tra, xử lý vi phạm: Chuyển 02 vụ việc có dấu hiệu tội phạm sang Cơ quan Cảnh sát điều tra. (NV4)\n\n"
            "Khó khăn: không có.")
    got = _as("so-cong-thuong", text)
    assert len(got) == 2 and got[1].task == "4"
    # the subject the officer reads by its words, not by the introduction's
    assert got[0].text.startswith("Công tác tuyên truyền") and (got[0].task or got[0].candidates)


def test_a_subject_naming_its_task_after_subjects_that_name_none():
    text = ("Hội Cựu chiến binh tỉnh kính báo cáo kết quả 6 tháng năm 2024 thực hiện Kế hoạch số 124-KH/BCSĐ:\n\n"
            "- Tuyên truyền về cải cách tư pháp: Quán triệt Chỉ thị 26-CT/TW tại 100% cơ sở Hội; 08 bài viết trên Bản tin.\n"
            "- Đấu tranh phản bác quan điểm sai trái trên mạng (NV9): 46 hội viên tham gia, đăng 230 lượt bình luận.\n"
            "- Vận động thi hành án (NV10): vận động 05 hội viên tự nguyện thi hành án; hoàn thành.")
    got = {e.task: e for e in _as("hoi-cuu-chien-binh-tinh", text)}
    assert sorted(got) == ["1", "10", "9"]
    assert "46 hội viên" in got["9"].text and "05 hội viên" not in got["9"].text and got["10"].status == "done"


@pytest.mark.parametrize("agency, text", [
    ("so-thong-tin-va-truyen-thong", "nv9 go dc 284/319 link, con 35 link tren nen tang nuoc ngoai hong go dc"),
    ("cong-an-tinh", "NV4 đã khởi tố 287 vụ, còn 3 vụ chờ giám định"),
    ("so-giao-duc-va-dao-tao", "Nhiệm vụ 9: tổ chức 31 buổi ngoại khóa; 02 trường chưa bố trí được báo cáo viên."),
    ("ubnd-huyen-thuan-nam", "Nhiệm vụ 4: tiếp 93 lượt công dân; đường truyền Internet tại xã Phước Hà thường xuyên gián đoạn."),
    ("ubnd-huyen-ninh-hai", "Nhiệm vụ 10: thi hành xong 02/03 vụ tồn đọng; 01 vụ người phải thi hành án không có tài sản."),
    ("toa-an-nhan-dan-tinh", "phan an hanh chinh: nv5 thu ly 37 vu, xu 12 vu, chu tich huyen hay vang doi thoai"),
])
def test_an_obstacle_told_by_what_happened(agency, text):
    assert [e.difficulty for e in _as(agency, text) if e.task] == [True]


@pytest.mark.parametrize("agency, text, status", [
    ("ubnd-huyen-ninh-phuoc", "dạ bên e nv 8 chưa làm đc", "not_started"),
    ("hoi-luat-gia-tinh", "Nhiệm vụ 10: trong kỳ chưa nhận được đề nghị phối hợp của Cục THADS.", None),
    ("hoi-dong-phoi-hop-pho-bien-giao-duc-phap-luat-tinh", "NV6: tổ chức 214 hội nghị; chưa tổng hợp được số liệu từ các huyện.", None),
])
def test_not_done_yet_is_no_obstacle(agency, text, status):
    got = [e for e in _as(agency, text) if e.task]
    assert [e.difficulty for e in got] == [False]
    if status:
        assert got[0].status == status


def test_work_left_after_work_done_is_under_way():
    got = _as("ubnd-huyen-ninh-son", "Nhiệm vụ 10: Ban Chỉ đạo THADS huyện họp 03 phiên; còn 02 vụ cưỡng chế chưa thực hiện được do thiếu kinh phí.")
    assert [(e.task, e.status, e.difficulty) for e in got] == [("10", "in_progress", True)]
