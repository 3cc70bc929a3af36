"""Readings added in the held-out-12/-13 tuning round (not-reports and tasks by content)."""

from __future__ import annotations

import pytest

from bot import intents
from bot.parser import parse_reply
from tests.bot.readings import seed_index


_plan = seed_index  # (index, refs) of the seed plan


def _kind(text: str) -> str | None:
    index, refs = _plan()
    return intents.classify(text, parse_reply(text, refs, index=index))


# A message that reports anything (a count of things, a result, a task's progress) stays a
# report whatever not-report clause it also has: only what remains once that clause (and the
# people and papers around the report: "đã nhận", "lãnh đạo đang đi công tác", "số 12/BC-…") are
# set aside decides.
@pytest.mark.parametrize("text", [
    # sent elsewhere
    "Về tuyên truyền pháp luật, quý III đã đăng 35 tin bài trên cổng thông tin. Báo cáo chi tiết gửi bằng văn bản sau ạ.",
    "ve tuyen truyen, 6 thang dang 40 tin bai tren trang tin, bc day du e gui qua email sau a",
    # later
    "Phần kinh phí: đã cấp bổ sung cho Tòa án, đang tổng hợp nhu cầu của Viện kiểm sát, em gửi bảng chi tiết sau.",
    "da to chuc 3 hoi nghi tap huan cho can bo xa, so lieu chi tiet e gui sau nha",
    # contact change
    "Đã tổ chức 2 lớp bồi dưỡng cho hòa giải viên. Từ tháng 10 em thay chị Lan phụ trách báo cáo ạ.",
])
def test_a_message_that_reports_stays_a_report(text):
    assert _kind(text) is None


@pytest.mark.parametrize("text,kind", [
    # sent elsewhere: its "đã", a document number, a date are the sending
    ("Sở đã gửi Báo cáo số 123/BC-SXD ngày 12/9 qua hệ thống quản lý văn bản rồi ạ, chị kiểm tra giúp.", "elsewhere"),
    ("Công văn số 77/UBND-VP đã có từ hôm qua kèm báo cáo 6 tháng, đề nghị kiểm tra hộp thư công vụ.", "elsewhere"),
    ("Dạ em đã gửi báo cáo qua email lúc 9h sáng nay rồi ạ.", "elsewhere"),
    # later: "đang tổng hợp số liệu", the signer away, "ký xong"
    ("Dạ em đang tổng hợp số liệu các phòng, thứ 5 em gửi sau ạ.", "later"),
    ("Lãnh đạo đang đi công tác, ký xong em gửi liền ạ.", "later"),
    ("Dạ em đã nhận, bên em đang xin ý kiến lãnh đạo rồi gửi sau ạ.", "later"),
    # contact change: a phone number, a retirement are no counts or results
    ("Đầu mối báo cáo bên em đổi sang chị Hoa, số 0913 222 333 ạ.", "contact"),
    ("Anh Bình đã nghỉ hưu, đầu mối mới là chị Thảo, SĐT 0905123456.", "contact"),
    # question, thanks, acknowledgement stay what they are
    ("Cho em hỏi báo cáo 9 tháng chốt số liệu ngày nào ạ?", "question"),
    ("Dạ em cảm ơn chị ạ", "thanks"),
    ("ok a", "thanks"),
])
def test_a_not_report_with_no_result_stays_one(text, kind):
    assert _kind(text) == kind


@pytest.mark.parametrize("text", [
    # question: a count besides the question is a report
    "Cho em hỏi: quý này bên em đã tổ chức 4 hội nghị, có cần gửi kèm ảnh không ạ?",
    # thanks: a result after the thanks is a report
    "Cảm ơn chị đã nhắc, bên em đã tổ chức 3 hội nghị tuyên truyền, đạt 100% kế hoạch.",
    # acknowledgement: "dạ vâng" followed by a result
    "Dạ vâng, đã ban hành kế hoạch triển khai và tổ chức 2 lớp tập huấn ạ.",
])
def test_a_question_thanks_or_acknowledgement_that_reports_is_a_report(text):
    assert _kind(text) is None


@pytest.mark.parametrize("text,kind", [
    # a paper report by post is sent elsewhere
    ("Huyện đã gửi bản giấy báo cáo 6 tháng qua đường bưu điện hôm 11/6, nhờ chị kiểm tra giúp ạ.", "elsewhere"),
    ("bc nam ben e gui qua buu dien roi a", "elsewhere"),
    # a reminder, a form, guidance received
    ("Dạ, Sở Xây dựng nhận được nhắc nhở rồi ạ, mai bên em gửi.", "thanks"),
    ("Cảm ơn chị đã hướng dẫn, Hội đã nhận được mẫu báo cáo và sẽ thực hiện đúng hạn.", "thanks"),
    ("so e nhan duoc nhac nho roi a, chieu nay e gui", "thanks"),
    # asking who leads a task
    ("Anh ơi nhiệm vụ 3 Sở Nội vụ chủ trì hay Sở mình chủ trì vậy, để em phân công người viết.", "question"),
    ("nv7 ben nao chu tri vay chi, e chua ro", "question"),
    # a yes-or-no question ending on "chưa"
    ("Chị ơi năm sau đã có kế hoạch mới chưa ạ?", "question"),
    ("Kế hoạch 124 có hiệu lực đến 31/12 phải không, đã có hướng dẫn báo cáo năm chưa chị?", "question"),
])
def test_not_reports_of_the_held_out_12_13_kinds(text, kind):
    assert _kind(text) == kind


@pytest.mark.parametrize("text", [
    # a result or count besides those clauses keeps a report
    "Đã nhận được mẫu báo cáo; quý III Sở đã tổ chức 3 hội nghị tuyên truyền cho 250 lượt người.",
    "NV3 Sở Nội vụ chủ trì, bên em phối hợp: đã cử 2 cán bộ tham gia đoàn kiểm tra.",
    "Nhiệm vụ 8 bên em đã có kế hoạch chưa? Có rồi, đã ban hành Kế hoạch số 12/KH-HLG và tổ chức 2 buổi tập huấn.",
])
def test_those_clauses_beside_a_result_stay_a_report(text):
    assert _kind(text) is None


def _tasks(text: str) -> tuple[set, set]:
    index, refs = _plan()
    entries = parse_reply(text, refs, index=index)
    return {e.task for e in entries if e.task}, {c for e in entries for c in e.candidates}


# A sentence saying how or when the full report is sent ("Báo cáo đầy đủ sẽ gửi bằng văn bản
# sau") is about no task: the part's task is read from the rest, as without it.
@pytest.mark.parametrize("content", [
    "Về thi hành án dân sự, 9 tháng đã thi hành xong 1.200 việc, thu 35 tỷ đồng.",
    "Về tiếp công dân, giải quyết khiếu nại, tố cáo: 6 tháng tiếp 120 lượt công dân, giải quyết 45 đơn.",
    "Về tuyên truyền cải cách tư pháp, 9 tháng đăng 57 tin, bài trên báo in.",
])
@pytest.mark.parametrize("sending", [
    "Báo cáo đầy đủ sẽ gửi bằng văn bản sau.",
    "bc chi tiet e gui qua mail sau a",
    "Báo cáo chính thức sẽ được gửi qua hệ thống văn bản điện tử.",
])
def test_the_reports_own_sending_names_no_task(content, sending):
    assert _tasks(f"{content} {sending}") == _tasks(content)


# A document a task's title names ("Quán triệt, triển khai Nghị quyết 27-NQ/TW về Nhà nước pháp
# quyền"), named with that title's words, is that task's, over a task listing the document among
# others in its text.
@pytest.mark.parametrize("text,task", [
    ("Sở đã tổ chức quán triệt Nghị quyết 27-NQ/TW về tiếp tục xây dựng và hoàn thiện Nhà nước pháp quyền "
     "xã hội chủ nghĩa Việt Nam cho công chức; đã hoàn thành.", "2"),
    ("da quan triet NQ 27 ve xay dung nha nuoc phap quyen XHCN cho 100% dang vien", "2"),
    # Nghị quyết 49 on the strategy stays the strategy's task
    ("Đã quán triệt Nghị quyết 49-NQ/TW về Chiến lược cải cách tư pháp và Nghị quyết 27-NQ/TW cho cán bộ.", "1"),
])
def test_a_document_a_title_names_decides(text, task):
    assert _tasks(text) == ({task}, set())


# A headquarters, facilities, equipment of the judicial agencies are what the plan calls their
# "điều kiện hoạt động" (NV11: "Bổ sung kinh phí, bảo đảm điều kiện hoạt động của các cơ quan tư pháp").
@pytest.mark.parametrize("text", [
    "Về đầu tư trụ sở, cơ sở vật chất cho các cơ quan tư pháp: đã thẩm định chủ trương đầu tư 01 dự án trụ sở Chi cục THADS.",
    "Về trang thiết bị cho các cơ quan tư pháp: đã mua sắm 20 máy tính cho Tòa án huyện.",
    "ve co so vat chat cho cac co quan tu phap: da bo tri von sua chua tru so Vien kiem sat huyen",
])
def test_working_conditions_are_nv11s(text):
    assert _tasks(text) == ({"11"}, set())
