"""Readings added in round 17, on the misses of held-out-50, -52 and -53 once they were scored blind."""

from __future__ import annotations

import pytest

from tests.bot.readings import as_agency as _as
from tests.bot.readings import kind


def _read(agency: str, text: str) -> list[tuple]:
    return [(e.task, e.status, e.percent) for e in _as(agency, text) if e.task]


@pytest.mark.parametrize("text, task, percent", [
    ("Ninh Sơn bc ạ: nv1 xong; nv6 80pt; nv8 k phát sinh", "6", 80),  # "pt": phần trăm on a phone
    ("tn bc: nv6 đạt 65 pt, vướng kp cho hòa giải ở cơ sở; nv9 xog", "6", 65),
    ("Dạ e báo cáo nhanh: NV7 đang bồi dưỡng cc tư pháp - hộ tịch cấp xã, đạt 7/10 kế hoạch", "7", 70),  # tenths of the plan
    ("HĐPH bc: nv6 pbgdpl đạt 8/10 kh, vướng ít kp nên chưa in được tài liệu", "6", 80),
])
def test_a_percent_written_the_phones_way(text, task, percent):
    got = {t: p for t, _s, p in _read("ubnd-huyen-ninh-son", text)}
    assert got[task] == percent


def test_a_count_of_a_target_stays_a_count():
    assert _read("ubnd-huyen-ninh-son", "nv1 tổ chức 12/15 hội nghị") == [("1", "in_progress", None)]


@pytest.mark.parametrize("agency, text, status, percent", [
    ("cong-an-tinh", "Em nhầm ạ, NV6 bên em đã xong rồi, không phải đang làm như tin nhắn sáng nay.", "done", None),
    ("ubnd-thanh-pho-phan-rang-thap-cham", "tp PRTC sua lai: nv8 la k phat sinh chu k phai chua trien khai nha chi", "not_arisen", None),
    ("hoi-lien-hiep-phu-nu-tinh", "Hoi PN sua lai nv1 la xong roi nha c, hom truoc e bao dang lam", "done", None),
    ("ubnd-huyen-ninh-hai", "Ninh Hải xin đính chính: nhiệm vụ 2 đã triển khai xong trong tháng 10, báo cáo 9 tháng ghi chưa "
                            "triển khai là đúng thời điểm đó ạ.", "done", None),
    ("hoi-dong-phoi-hop-pho-bien-giao-duc-phap-luat-tinh",
     "Thường trực Hội đồng xin sửa: nhiệm vụ 1 là đạt 95% chứ không phải đã hoàn thành như bản gửi lúc 9h ạ.", "in_progress", 95),
])
def test_a_correction_reads_the_new_status_not_the_one_taken_back(agency, text, status, percent):
    [(_task, got_status, got_percent)] = _read(agency, text)
    assert (got_status, got_percent) == (status, percent)


def test_nothing_arisen_said_with_its_noun():
    text = ("Về giám định: 3 vụ.\nKinh phí bảo đảm hoạt động cơ quan tư pháp: Sở không có nhiệm vụ phát sinh trong kỳ.")
    assert ("11", "not_arisen", None) in _read("so-van-hoa-the-thao-va-du-lich", text)


def test_a_subject_between_two_tasks_after_another_subject_asks():
    text = ("Sở VHTTDL báo cáo 9 tháng 2024 (KH 124-KH/BCSĐ):\n"
            "Về giám định tư pháp trong lĩnh vực văn hóa: Sở được Cơ quan CSĐT Công an tỉnh trưng cầu giám định 03 vụ (01 vụ "
            "cổ vật, 02 vụ nội dung văn hóa phẩm), đã có kết luận 02 vụ.\n"
            "Về tuyên truyền cải cách tư pháp qua thiết chế văn hóa cơ sở: treo 120 băng rôn, khẩu hiệu hưởng ứng Ngày Pháp "
            "luật; thư viện tỉnh trưng bày sách pháp luật 02 đợt.")
    got = [e for e in _as("so-van-hoa-the-thao-va-du-lich", text) if e.task or e.candidates]
    assert [e.task for e in got] == ["6", None]
    assert {"1", "9"} <= set(got[1].candidates)


@pytest.mark.parametrize("agency, text, task", [
    ("so-tai-chinh", "STC: kinh phi cho co quan tu phap nam 2024 da cap du 4,35 ty, xong. dinh gia ts 31 vu", "6"),  # định giá tài sản
])
def test_the_fields_shorthand_names_its_task(agency, text, task):
    assert task in [t for t, _s, _p in _read(agency, text)]


@pytest.mark.parametrize("text, said", [
    ("Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh trân trọng cảm ơn Sở Tư pháp đã cử báo cáo viên hỗ trợ hội nghị tập huấn "
     "cho cán bộ Mặt trận cơ sở ngày 14/8 vừa qua.", "thanks"),
    ("Sở Thông tin và Truyền thông đề nghị Sở Tư pháp cho biết thời điểm chốt số liệu của báo cáo năm 2024 (từ 01/01 đến "
     "15/11 hay đến 30/11/2024) để Sở thống nhất số liệu về xử lý thông tin xấu độc.", "question"),
    ("Sở Tài chính đề nghị Sở Tư pháp hướng dẫn thêm: khoản kinh phí bổ sung cho Công an tỉnh có được tính vào kết quả "
     "nhiệm vụ 11 của Sở hay không.", "question"),
    ("Viện Kiểm sát nhân dân tỉnh xin trao đổi: báo cáo theo Kế hoạch 124-KH/BCSĐ gửi riêng cho Sở Tư pháp hay lồng ghép "
     "trong báo cáo gửi Ban Nội chính Tỉnh ủy?", "question"),
    ("Dạ em chào anh chị. Từ 01/12 đầu mối báo cáo của UBND huyện Ninh Sơn chuyển sang đồng chí Hạnh, Phó Trưởng phòng "
     "Tư pháp. Em xin cảm ơn Sở đã hỗ trợ thời gian qua.", "contact"),
    ("Dạ chị cho em hỏi hạn bc năm là 15/12 hay 14/12 ạ, vì 15/12 là chủ nhật", "deadline"),
])
def test_what_is_no_report(text, said):
    assert kind(text) == said
