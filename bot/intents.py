"""Messages that are not reports: greetings, thanks, a promise to report later, questions.

A focal point writes "Dạ em chào anh chị ạ", "cảm ơn", "em gửi sau ạ" or "hạn nộp báo cáo 6
tháng là ngày nào ạ?" as well as reports. Such a message names no task and gives no status or
percent; it gets a short courteous answer (a question about a deadline gets the deadline) and
nothing is stored as a report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot import classifier
from bot.parser import ParsedEntry
from common.message import Message
from common.text import fold
from common.vndate import format_date_vi

if TYPE_CHECKING:
    from bot.turn import Turn

GREETING = re.compile(r"^(?:(?:da|vang|kinh|xin)\s+)*(?:(?:em|anh|chi|toi)\s+)?(?:xin\s+)?(?:chao|hello|hi|alo)\b")
THANKS = re.compile(r"\b(?:cam on|cam ta|thank|thanks|tks|thks|camon|thank you|thanks a)\b|^(?:tk|ty)(?: a| nhe| nha| ak)?$")
# "ok", "Dạ vâng", "đã rõ": an acknowledgement
ACK = re.compile(r"^(?:(?:da|vang|ok|oke|okie|okay|uh|u|dc|duoc|ro|da ro|nhan|nhan duoc|roi|r|a|c|nhe|nha|ak|e|em|anh|chi)[\s,.!]*)+$")
LATER = re.compile(
    r"\b(?:gui sau|bao cao sau|se gui|se bao cao|dang tong hop|xin phep gui sau|gui bo sung sau|"
    r"chua co so lieu|cho so lieu|gui bc sau|bc sau|gui lien|gui ngay|gui bao cao lien|gui bao cao ngay|"
    r"xin y kien lanh dao|trinh lanh dao|bao lai sep|trinh ky|cho ky|mai (?:em |minh )?gui|chieu (?:em )?gui|"
    r"(?:em|e|minh|toi) gui (?:sau|lien|ngay)|de (?:em|e|minh) gui|mai (?:e|em) gui|"
    # "e đang đi công tác, về e bc ạ": once back from a trip
    r"(?:di cong tac|dang di|nghi phep)[^.;?!]{0,30}\bve (?:em|e|minh|toi) (?:se )?(?:bc|bao cao|gui|nop)|"
    # "thứ Hai em gửi báo cáo", "đầu tuần sau bên em nộp bc": a day ahead named for the sending
    r"(?:thu (?:hai|ba|tu|nam|sau|bay|[2-7])|chu nhat|tuan (?:sau|toi)|dau tuan(?: sau| toi)?|ngay mai|sang mai|chieu mai|toi mai|hom sau)"
    r"(?: (?:tuan (?:sau|toi)|nay))?,? (?:(?:em|e|minh|toi|ben em|chung em) )?(?:se )?(?:gui|nop) (?:bao cao|bc)|"
    # "xin phép gửi báo cáo 9 tháng chậm 2 ngày": asking to send late
    r"xin phep (?:gui|nop) [^.,;?!]{0,30}\b(?:cham|tre|muon)|(?:gui|nop) (?:bao cao |bc )?(?:cham|tre|muon) (?:\d+|vai|mot|hai|ba) ngay|"
    # "đang chờ các xã gửi số liệu", "đang chờ Ban Thường vụ duyệt báo cáo": waiting on others for the report
    r"dang cho [^.,;?!]{0,30}\b(?:gui|nop|bao cao) (?:so lieu|bao cao|bc)|dang cho [^.,;?!]{0,30}\b(?:duyet|ky|cho y kien) (?:bao cao|bc)|"
    # "thứ 2 tuần sau mới gửi bc được", "khoảng 18/9 em gửi chính thức"
    r"moi (?:gui|nop) (?:duoc )?(?:bao cao|bc)|(?:em|e|minh|toi|se) (?:gui|nop) (?:bao cao |bc )?chinh thuc|"
    # "sẽ bổ sung số liệu nhiệm vụ 10 vào báo cáo năm": the figures come in a later report
    r"se (?:bo sung|cap nhat|dua) (?:so lieu|noi dung|ket qua)\b[^.;?!]{0,40}\b(?:vao|trong) (?:bao cao|bc))\b"
)
_THANKED_MUCH = re.compile(r"\b(?:nhieu|lam|nhe|nha)\b")
# "em nhận được công văn rồi ạ": an acknowledgement of something received
RECEIVED = re.compile(r"^(?:(?:da|vang|ok|em|e|minh|toi|ben em|a|c|anh|chi)[\s,.!]+)*(?:da\s+)?nhan (?:duoc |dc )?(?:cong van|van ban|thong bao|tin nhan|ke hoach|roi|r)\b")
# "Em mới nhận Công văn số 1520/STP-VP, em sẽ báo lãnh đạo", "Văn phòng đã nhận Kế hoạch 124, sẽ
# triển khai và báo cáo theo định kỳ": a sentence saying a letter or the plan was received
# "Hội đã nhận được mẫu báo cáo", "Sở Tài chính nhận được nhắc nhở rồi ạ": a reminder, a form, guidance received
RECEIVED_SAID = re.compile(r"(?:^|[.!?;]\s*|,\s*)(?:[a-z&-]+\s+){0,5}(?:(?:da|moi|vua)\s+nhan (?:duoc |dc )?|nhan (?:duoc|dc) )"
                           r"(?:cong van|van ban|thong bao|ke hoach|mau bao cao|bieu mau|mau|huong dan|nhac nho|loi nhac|tin nhac|tin nhan nhac)\b")
# "Kính chúc anh chị năm mới an khang", "Chúc anh chị Ngày Pháp luật nhiều niềm vui": wishes, a greeting
WISHES = re.compile(r"\b(?:kinh chuc|chuc)\b[^.?!]{0,40}\b(?:nam moi|an khang|thinh vuong|suc khoe|vui ve|cuoi tuan|thanh cong|tet|giang sinh|ngay le|binh an|may man|niem vui|hanh phuc|ngay phap luat|tot lanh)\b")
# "em gửi báo cáo qua email rồi": a report sent some other way, which baocao cannot see
# A message that only says the report was sent ("đã nộp", "em đã nộp báo cáo rồi ạ")
SENT_ONLY = re.compile(r"(?:(?:em|ben em|don vi|minh)\s+)?(?:da\s+)?(?:nop|gui)(?:\s+(?:bao cao|bc))?(?:\s+(?:roi|r))?"
                       r"(?:\s+(?:a|nhe|nha|ak|chi|anh|c|a oi))*\s*[.!]*")
ELSEWHERE = re.compile(r"\b(?:gui|nop|chuyen)\b[^.?!]{0,50}\b(?:qua|bang|theo)\s+(?:email|e-mail|mail|thu dien tu|buu dien|van ban giay|ban giay|van ban|duong cong van|(?:duong )?buu (?:dien|chinh)|tin nhan ca nhan|"
                       r"(?:he thong|phan mem) (?:quan ly )?van ban(?: (?:dien tu|dieu hanh))?|he thong (?:van phong|quan ly) dien tu|van phong dien tu|"
                       # "đã gửi bc nv10 qua hệ thống QLVB", "qua hệ thống eOffice": the document system, by its short name
                       r"(?:(?:he thong|phan mem) )?(?:qlvb|qlvbdh|ioffice|voffice|eoffice|e-office))\b|"
                       # "xin phép gửi báo cáo chung trong báo cáo của UBND huyện, không gửi riêng": in another's report
                       r"\b(?:gui|nop|bao cao|tong hop)(?: bao cao| bc)? (?:chung|long ghep|gop) (?:trong|vao|voi|cung) (?:bao cao|bc)\b|\bkhong (?:gui|nop|bao cao) rieng\b|"
                       # "Công văn số 412/TA-VP gửi Sở Tư pháp … kèm báo cáo năm", "đề nghị kiểm tra hộp thư công vụ"
                       r"\b(?:cong van|van ban|to trinh)\b[^.?!]{0,60}\bkem (?:theo )?(?:bao cao|bc)\b|\bkiem tra (?:giup )?(?:hop thu|thu cong vu|email|mail|thu dien tu)\b")
# "anh gửi lại giúp em file mẫu", "xin mẫu báo cáo": a request about the reporting itself
# "cho em xin lại mẫu đề cương báo cáo năm": the outline of the report asked for again
REQUEST = re.compile(r"\b(?:giup (?:em|e|minh|toi)|gui lai (?:giup|cho)|xin (?:lai )?(?:file|mau|bieu mau|de cuong)|file mau|mau bao cao|bieu mau|"
                     r"de cuong (?:bao cao|bc)|theo mau nao|mau nao)\b")
# "đầu mối bên em đổi sang chị Lan": a change of focal point, which an invitation does
# "từ nay em thay chị Lan báo cáo", "từ tháng 7 em phụ trách báo cáo …": a person saying they take
# over the reporting (a bare "em là đầu mối mới" is a greeting)
CONTACT = re.compile(r"\b(?:doi dau moi|thay dau moi|thay doi dau moi|chuyen dau moi|doi sang (?:anh|chi|em|dong chi)|"
                     r"dau moi (?:bao cao )?(?:ben|cua) (?:em|minh|toi) (?:doi|thay|chuyen)|"
                     r"(?:em|e|toi|minh) (?:se )?(?:thay|thay cho) (?:anh|chi|a|c|dong chi|ong|ba) [a-z]+(?: [a-z]+)? "
                     r"(?:bao cao|lam dau moi|phu trach|theo doi)|"
                     r"(?:tu nay|tu thang \d+|tu ngay [\d/]+|ke tu [^,.]{1,20}),? (?:em|e|toi|minh) (?:se )?(?:phu trach (?:viec |cong tac )?bao cao|(?:nhan )?lam dau moi|thay)\b|"
                     # "đầu mối theo dõi, báo cáo Kế hoạch 124 là đồng chí Mai", "đầu mối … từ nay là anh Tuấn": a person named as focal point
                     r"\bdau moi\b[^.;?!]{0,60}\b(?:la|se la|giao cho|chuyen cho|chuyen sang|doi sang|giao lai cho) (?:dong chi|d/c|anh|chi|ong|ba)\b|"
                     # "đầu mối mới là Chamaléa Thị Lan, ĐT …", "đề nghị Sở cập nhật đầu mối": a new focal point named
                     r"\bdau moi moi (?:la|se la|cua (?:ben )?(?:em|minh|don vi|huyen|so|ban|hoi) la)\b|"
                     # "Đầu mối mới của LĐLĐ tỉnh: đ/c Phạm Văn Tú": a new focal point introduced
                     r"\bdau moi moi cua [^.;?!:]{1,40}:\s*(?:dong chi|d/c|dc|anh|chi|ong|ba)\b|\bcap nhat (?:lai )?(?:thong tin )?dau moi\b)")
# "Đ/c cho hỏi …", "Sở GTVT hỏi: …", "Cho Sở hỏi: …": a message that opens by asking
ASKING = re.compile(r"^(?:[^.?!:]{0,40}\s)?(?:(?:cho|xin) (?:em |e |minh |toi |anh |chi |so |hoi |ban |phong |huyen |cuc |don vi |ben (?:em|minh) )?hoi|hoi\s*:|muon hoi)\b")
# "nhiệm vụ 11 … thì Sở mình có phải báo cáo không", "nhiệm vụ 2 với 3 là Sở mình phối hợp phải không":
# a question whether a task is the agency's to report, not a report on it
DUTY = re.compile(r"\b(?:co phai|co can|phai|can) (?:bao cao|bc|thuc hien|gui bao cao|phoi hop|tham gia|chu tri)\b[^.?!]{0,40}\b(?:khong|ko|hay khong)\b|"
                  # "nhiệm vụ 9 có bắt buộc Sở LĐTBXH báo cáo không ạ?": whether the agency must report it
                  r"\b(?:co )?bat buoc (?:[a-z&-]+ ){0,4}(?:bao cao|bc|thuc hien|gui bao cao|phoi hop|tham gia)\b[^.?!]{0,40}\b(?:khong|ko|hay khong)\b|"
                  r"\bla (?:(?:so|ben|don vi|co quan|phong|hoi|ubnd)\s+)?(?:minh|em|e|toi|chung toi)?\s*(?:chu tri|phoi hop)\b[^.?!]{0,20}\b(?:phai khong|dung khong|phai ko|dung ko|phai k)\b")
# "nhiệm vụ 5 Thanh tra chủ trì hay Văn phòng mình chủ trì vậy", "bên nào chủ trì": asking who leads a task
WHO_LEADS = re.compile(r"\b(?:chu tri|phoi hop)\s+hay\s+(?:[^.?!]{0,40}\s)?(?:chu tri|phoi hop)\b|"
                       r"\b(?:ai|ben nao|don vi nao|co quan nao|so nao)\s+(?:se\s+)?(?:chu tri|phoi hop|lam dau moi)\b")
# "có kế hoạch mới chưa ạ?", "đã có hướng dẫn chưa chị?": a yes-or-no question ending on "chưa"
HAS_IT_YET = re.compile(r"\bco\b[^.?!]{0,60}\bchua\b(?:\s+(?:a|ak|ah|ha|nhi|chi|anh|em|c|e|vay|z))*\s*\?")
# "Cảm ơn Sở Tư pháp đã phối hợp tổ chức hội nghị", "Sở Nội vụ gửi lời cảm ơn Sở Tư pháp đã phối hợp …":
# thanks for what the one thanked did; its "đã" is theirs
THANKED = re.compile(r"^(?:(?:da|vang|kinh|em|e|ben em|chung toi|xin|chan thanh)\s+)*"
                     r"(?:(?:[a-z&-]+\s+){1,6}?(?:xin\s+)?(?:tran trong\s+)?gui\s+(?:loi\s+)?(?:chan thanh\s+)?"
                     # "Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh trân trọng cảm ơn Sở Tư pháp đã …"
                     r"|(?:[a-z&-]+\s+){1,10}?(?:xin\s+)?(?:tran trong|chan thanh)\s+)?cam on\s+(?:(?:so tu phap|so|stp|quy so|anh|chi|a|c|dong chi|cac anh chi|anh chi|ban)\s+)+"
                     r"(?:da|vi da|ve viec|trong viec|vi)\b[^,.;!?]*")
# The words a statement of progress has ("đã", "đang", "hoàn thành", "triển khai")
PROGRESS = re.compile(r"\b(?:da|dang|hoan thanh|xong|trien khai|thuc hien|to chuc|ban hanh)\b")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_TASK_NO = re.compile(r"\b(?:nhiem vu|nv|muc|phan)\s*\d+[a-z]?\b")
_COUNT = re.compile(r"\d")
_BEFORE_SAID = re.compile(r"\b(?:da|vua|moi|em|e|minh|ben em)(?:\s+(?:da|vua|moi|em|e|minh))*\s*$")
# "số liệu 12 tháng", "quý III": the period a report covers is no count
_PERIOD = re.compile(r"\b(?:\d+\s+thang|quy\s+[ivx\d]+|nam\s+\d{4}|\d{1,2}/\d{4}|(?:ngay\s+)?\d{1,2}/\d{1,2}(?:/\d{2,4})?)\b")
# "đã", "đang", "sẽ", "đã được" just before a clause of sending or waiting: that clause's own
_BEFORE_CLAUSE = re.compile(r"\b(?:da|dang|se|vua|moi|duoc|em|e|minh|ben em)(?:\s+(?:da|dang|se|vua|moi|duoc|em|e|minh|co))*\s*$")
# "Dạ, …", "Dạ em …", "Dạ chào chị": the polite "dạ", folded like "đã", opening a sentence or before whom
# it addresses; "Dạ SKHCN …", "Dạ HĐPH …": before an agency's initials (three letters or more, no vowel;
# "đã xg", "đã ht" are teencode for done)
_POLITE = re.compile(r"(?:^|(?<=[.,;!?]))\s*da\b(?=\s*(?:[,.!]|$|\s(?:vang|em|e|ben|toi|minh|chung|kinh|thua|xin|chi|anh|a|c|sep|lanh|so|hoi|huyen|phong|ubnd|cuc|ban|tinh|thanh|van|uy|lien|toa|vien|dai|bao|cong|chao)\b|\s[b-df-hj-np-tv-xz&]{3,}\b))")
# "lãnh đạo đang đi công tác", "em đã nhận", "chị đã nhắc", "ký xong", "đã có Công văn số …": the
# people and the papers around a report, no progress of a task
_ASIDE = re.compile(r"\b(?:(?:da|dang|vua|moi|se)\s+(?:duoc\s+)?(?:di cong tac|di hop|hop|nghi huu|nghi phep|nghi om|nghi|om|ban|vang mat|"
                    r"chuyen cong tac|nhan|nhac|gui|nop|chuyen|ky|co (?:cong van|van ban|to trinh|bao cao)|ban hanh (?:cong van|van ban)|"
                    r"cho|xin|trinh|tong hop(?: (?:so lieu|bao cao|bc))?)|ky xong|duyet xong)\b")
# What states progress once the report's own clauses are set aside: "đã giao dự toán", "đang tổng hợp nhu cầu …"
_RESULT = re.compile(r"\b(?:da|dang|vua|hoan thanh|xong)\b")
# "0912 345 678", "SĐT 0905…": a phone number is no count
# (what follows "SĐT", "ĐT:", "điện thoại" is the number, even written "0918 xxx 236")
_PHONE = re.compile(r"\b0\d{2,3}(?:[\s.]?\d{3,4}){1,3}\b|\b(?:sdt|dt|dtdd|dien thoai)\s*:?\s*\d[\dx.\s]*\d\b")
# "số 1456/BC-SGTVT", "Công văn 2316/SNN-VP": a document's number is no count
_DOC_NO = re.compile(r"\b\d+\s*/\s*[a-z&-]+(?:-[a-z&]+)*|\b(?:thu|t)\s*[2-7]\b|\bchu nhat\b|\b\d+h\d*\b|"
                     # "Kế hoạch 124", "tầng 2", "Điều 5": a number that names a paper or a place
                     r"\b(?:ke hoach|kh|so|tang|phong|dieu|khoan|muc|phu luc|quyet dinh|qd|cong van|cv|thong tu|nghi dinh|nghi quyet|"
                     r"chi thi|de an|bieu|mau|phu bieu)\s+\d+\b")
# "57 tin, bài", "4 phóng sự": a number of things, the count a result gives
_THINGS = re.compile(r"\b\d+(?:[.,]\d+)?\s+(?!(?:ngay|thang|nam|tuan|gio|h|phut|toi|nua|sau|truoc|em|e|chi|anh|a|c|voi|nhe|nha|roi|r|ak|ha)\b)[a-z]")
# "anh hướng dẫn giúp em với", "xin ý kiến hướng dẫn": asking for guidance
GUIDANCE = re.compile(r"\b(?:huong dan|chi dan|tu van|giai dap)\s+(?:giup|cho|ho)\b|\bxin (?:y kien )?huong dan\b|\bchua ro\b[^.?!]{0,40}\b(?:the nao|nhu the nao|ra sao|lam sao)\b")
# "đề nghị Sở Tư pháp cho biết thời điểm chốt số liệu …", "đề nghị Sở hướng dẫn thêm: … có được tính vào
# kết quả nhiệm vụ 11 hay không", "xin trao đổi: báo cáo … gửi riêng hay lồng ghép …?": a sentence asking
# Sở Tư pháp about the reporting itself, up to its end
ASKS_SO = re.compile(r"(?:\b(?:de nghi|kinh de nghi|xin|mong|nho)\s+(?:so tu phap|so|stp|quy so|chi|anh)\s+(?:cho biet|huong dan(?: them)?|phan hoi|giai dap|thong bao|xem giup|cho y kien)\b"
                     r"|^(?:[^.?!:]{0,60}\s)?xin trao doi\s*:)[^.?!]*[.?!]?")
DEADLINE = re.compile(r"\b(?:han|thoi han|bao gio|khi nao|ngay nao|truoc ngay)\b")
# A question typed without "?": it ends on a question word ("… từ ngày nào đến ngày nào vậy chị",
# "nộp khi nào ạ", "gửi bản mềm được không ạ"), maybe followed by a particle or whom it asks.
_ASKED = r"(?:\s+(?:a|ak|ah|ha|nhi|nhe|vay|z|the|chi|anh|em|c|e|oi|ban|dong chi))*\s*[.!]*\s*$"
QUESTION = re.compile(r"\?\s*$|\b(?:khong a|phai khong|the nao|lam sao|nhu the nao)\s*\??$|"
                      r"\b(?:ngay nao|khi nao|luc nao|bao gio|hom nao|thang nao|mau nao|cai nao|loai nao|nhu the nao|the nao|"
                      r"la gi|cai gi|gi a|tai sao|vi sao|sao a|lam sao|(?:duoc|phai|co|can) (?:khong|ko|k) a|dung (?:khong|ko) a)" + _ASKED +
                      r"|(?<!nhu )(?<!cho )\b(?:vay|z)(?:\s+(?:a|ak|ah|chi|anh|em|c|e|oi|ban|dong chi))*\s*[.!]*\s*$"
                      # "hạn chót là 15/3 hay 20/3 vậy ạ, kế hoạch em thấy không ghi": the question, then why it is asked
                      r"|\bhay\b[^,.;:]{1,40}(?<!nhu )(?<!cho )\b(?:vay|z)\s+(?:a|ak|ah)\s*,"
                      # "nv10 thì tính tỷ lệ về tiền theo số có điều kiện hay tổng số phải thi hành ạ", "số liệu tính
                      # từ 01/10 hay 15/10 ạ": either-or, ending on "ạ" (not "hay lắm ạ", "hay quá ạ": well done)
                      r"|[^,.;:]{3}\s+hay\s+(?!lam\b|qua\b)[^,.;:]{3,80}\s(?:a|ak|ah)\s*[.!]*\s*$")


def classify(text: str, entries: Sequence[ParsedEntry]) -> str | None:
    """"greeting", "thanks", "later", "deadline", "question", "contact", "elsewhere",
    "not_report", or None for a report.

    The rules below decide, unless the learned model of the kind of message (bot/classifier.py)
    is sure of the other answer: then a message the rules take for a report is "not_report" (the
    bot says it recorded nothing and how to report), and one they take for small talk is a
    report when the parser found something in it to confirm."""
    # the rules' kinds were written for the rules' reading of the parts: a status the model
    # gave a question's "nv4 lấy số liệu đến ngày nào" must not turn it into a report
    kind = _by_rules(text, [e.by_rules() for e in entries])
    folded = fold(text).strip()
    # the model is asked only where its answer can change the kind (it reads the whole message)
    if kind is None:
        # a count or a percent is a result ("Cho em hỏi …? Bên em đã tổ chức 3 hội nghị."): the
        # report stands whatever the rest of the message sounds like
        if any(e.figures or e.percent is not None for e in entries):
            return None
        return "not_report" if classifier.kind_opinion(folded) == "not_report" else None
    if any(e.says_something for e in entries) and not (kind == "thanks" and _acknowledged(folded)) \
            and classifier.kind_opinion(folded) == "report":
        return None
    return kind


def _by_rules(text: str, entries: Sequence[ParsedEntry]) -> str | None:
    facts = any(e.status or e.percent is not None for e in entries)
    named = any(e.task and e.how in ("named", "heading") for e in entries)
    folded = fold(text).strip()
    if not folded:
        return None
    if len(folded) > 300:
        return None  # a long text is a report without a task number, not small talk
    question = bool(QUESTION.search(folded))
    results = any(e.percent is not None or e.figures or e.status == "done" for e in entries)
    # "SĐT 0255 3864 112 thay đồng chí …", "nhiệm vụ 10 vào báo cáo": a phone's, a date's, a task's
    # number read as a count is none
    counted = any(e.figures for e in entries) and _counts(folded)
    if "?" in folded and not any(e.percent is not None or e.status == "done" for e in entries):
        if DUTY.search(folded) and not results:
            return "question"  # "NV11 … Sở mình có phải báo cáo không, vì không liên quan chuyên môn?"
        if HAS_IT_YET.search(folded) and not any(e.difficulty or e.status not in (None, "not_started") for e in entries) \
                and not _reports_besides(folded, HAS_IT_YET):
            return "question"  # "năm sau có kế hoạch mới chưa ạ?": its "chưa" asks, it is no status
    if "?" in folded and not any(e.percent is not None for e in entries):
        # "Cho Hội hỏi: nhiệm vụ 8 thì số liệu tính từ 01/01 hay từ 15/12 năm trước ạ?": a "done"
        # read from its dates is no result; a result of its own is found in its words below
        if ASKING.search(folded) and not any(e.difficulty for e in entries):
            # "Đ/c cho hỏi số liệu chốt đến ngày nào, 14/12 hay 30/11? Nhiệm vụ 4 bên anh có nhiều chỉ
            # tiêu …": what follows the question is its context when it states no progress and no count
            stated = " ".join(part for part in _SENTENCE.split(folded) if not part.rstrip().endswith("?"))
            asked_too = " ".join(part for part in _SENTENCE.split(folded) if part.rstrip().endswith("?"))
            if not PROGRESS.search(stated) and not _COUNT.search(_TASK_NO.sub(" ", stated)) \
                    and not _reports_besides(asked_too, ASKING):
                # "Cho em hỏi: quý này đã tổ chức 4 hội nghị, có cần gửi kèm ảnh không?" reports the count
                return "question"
    if WHO_LEADS.search(folded) and not facts and not results and not any(e.difficulty for e in entries):
        return "question"  # "nhiệm vụ 5 Thanh tra chủ trì hay Văn phòng mình chủ trì vậy, để em phân công"
    # "đề nghị Sở Tư pháp cho biết thời điểm chốt số liệu …", "đề nghị Sở hướng dẫn thêm: khoản kinh phí … có
    # được tính vào kết quả nhiệm vụ 11 hay không": a question to Sở Tư pháp, whether or not it names a task
    asks_so = bool(ASKS_SO.search(folded)) and not counted and not any(e.percent is not None for e in entries) \
        and not _reports_besides(folded, ASKS_SO)
    if named and asks_so:
        return "question"
    if named:
        # "Nhiệm vụ 5 thì số liệu lấy đến ngày nào?": a question about a task is no report
        if question and not facts and not any(e.difficulty for e in entries):
            return "deadline" if DEADLINE.search(folded) and ("nop" in folded or "gui" in folded) else "question"
        if not any(e.percent is not None or e.figures or e.difficulty for e in entries):
            # "da gui bc nv10 qua he thong qlvb r a, so lieu bo sung sau": the report went by
            # another way (its "đã … rồi" is the sending), what else it says is no progress
            said = ELSEWHERE.search(folded)
            if said and not _states_progress(folded, said):
                return "elsewhere"
        if not any(e.percent is not None or e.status == "done" or e.difficulty for e in entries):
            # "nhiệm vụ 10 bên Hội chưa rõ phối hợp thế nào, anh hướng dẫn giúp em với": asking
            # for help, with no progress and no count besides the task's number
            asked = REQUEST.search(folded) or GUIDANCE.search(folded)
            if asked and not PROGRESS.search(folded) and not _COUNT.search(_TASK_NO.sub(" ", folded)):
                return "question"
        if not any(e.percent is not None or e.status == "done" or e.difficulty for e in entries) and not counted:
            # "Cảm ơn Sở đã hướng dẫn, Hội sẽ bổ sung số liệu nhiệm vụ 10 vào báo cáo năm": a promise
            # to report the task later, the thanks set aside
            rest = _unthanked(folded)
            if LATER.search(rest) and not _reports_besides(rest, LATER):
                return "later"
        return None  # a task found by its words, or the agency's only one, is not yet a report
    if _acknowledged(folded) and not any(e.figures or e.percent is not None or e.difficulty for e in entries):
        return "thanks"  # "dc r a, tks a nhieu": its "được rồi" acknowledges (not "xong r a, tks chị")
    if CONTACT.search(folded) and not counted and not any(e.percent is not None or e.status == "done" for e in entries) \
            and not _reports_besides(_THANKS_CLAUSE.sub(" ", folded), CONTACT):
        return "contact"  # "từ tháng 7 em phụ trách báo cáo … thay anh Phúc": its words are no results
    if ELSEWHERE.search(folded) and not _reports_besides(folded, ELSEWHERE):
        return "elsewhere"  # "đã gửi báo cáo bằng văn bản rồi": its "rồi" is no report
    if SENT_ONLY.fullmatch(folded):
        return "elsewhere"  # "đã nộp", "em nộp rồi ạ": sent, and nothing of what
    if RECEIVED.search(folded):
        return "thanks"  # "dạ em nhận được công văn rồi ạ": the "rồi" is no report
    if RECEIVED_SAID.search(folded) and not counted and not any(e.percent is not None or e.difficulty for e in entries) \
            and (not results and not any(e.status not in (None, "not_started") for e in entries)
                 or not _reports_besides(_unthanked(folded), RECEIVED_SAID)):
        # "Văn phòng đã nhận Kế hoạch 124, sẽ triển khai …": its "sẽ" is no status; "em đã nhận được
        # hướng dẫn và biểu mẫu rồi ạ": its "đã … rồi" is the receiving
        return "thanks"
    if asks_so:
        return "question"
    if REQUEST.search(folded) and not facts and not _reports_besides(folded, REQUEST):
        return "question"  # "xin mẫu báo cáo"; "đã nhận mẫu báo cáo; đã tổ chức 3 hội nghị" reports
    if DEADLINE.search(folded) and (question or "nop" in folded or "gui" in folded or ASKING.search(folded)):
        return "deadline"  # "chị cho em hỏi hạn bc năm là 15/12 hay 14/12 ạ, vì 15/12 là chủ nhật"
    if LATER.search(folded) and not _reports_besides(_unthanked(folded), LATER):
        # "đang tổng hợp số liệu, chiều mai em gửi": its "đang" is the report's; "Cục trân trọng cảm
        # ơn Sở đã … Kết quả …, Cục sẽ báo cáo đầy đủ trong báo cáo năm": the "đã" is the one thanked
        return "later"
    if facts and not results and not any(e.difficulty for e in entries):
        thanked = THANKED.search(folded)
        if thanked and not _states_progress(folded, thanked):
            return "thanks"  # "Cảm ơn Sở Tư pháp đã phối hợp tổ chức hội nghị tập huấn"
    if facts:
        return None  # "đã tổ chức 3 hội nghị, đạt 80%": a report that names no task
    if question and not (ASKING.search(folded) and _reports_besides(folded, ASKING)):
        return "question"  # "cho em hỏi: quý này đã tổ chức 4 hội nghị, …?" reports the count
    if counted:
        return None  # "Cảm ơn Sở đã phối hợp, Sở đã tổ chức 2 lớp bồi dưỡng": the count is a result
    if THANKS.search(folded) or ACK.match(folded):
        return "thanks"
    if WISHES.search(folded) and len(folded.split()) <= 30:
        return "greeting"
    if GREETING.search(folded) and len(folded.split()) <= 20:
        return "greeting"
    return None


def _acknowledged(folded: str) -> bool:
    """Thanks and nothing but an acknowledgement ("dc r a, tks a nhieu", "ok r a cảm ơn chị")."""
    return bool(THANKS.search(folded)) and bool(ACK.match(_THANKED_MUCH.sub(" ", THANKS.sub(" ", folded)).strip(" ,.!")))


def _reports_besides(folded: str, pattern: re.Pattern[str]) -> bool:
    """Whether the message, without every clause ``pattern`` finds (and a "đã" just before each),
    still reports: a result (a count of things, "đã giao dự toán"), a task's progress ("đang tổng
    hợp nhu cầu bổ sung của Công an tỉnh") — so that "về tuyên truyền, 9 tháng đăng 57 tin, bài.
    Báo cáo đầy đủ sẽ gửi bằng văn bản sau" stays a report."""
    rest, end = [], 0
    for said in pattern.finditer(folded):
        rest.append(_BEFORE_CLAUSE.sub("", folded[end : said.start()]))
        end = said.end()
    rest.append(folded[end:])
    text = _ASIDE.sub(" ", _POLITE.sub(" ", " , ".join(rest)))
    return bool(_RESULT.search(text)) or _counts(text)


# "Em xin cảm ơn Sở đã hỗ trợ thời gian qua": thanks closing a message, whose "đã" is the one thanked's
_THANKS_CLAUSE = re.compile(r"\b(?:xin\s+)?(?:chan thanh\s+|tran trong\s+)?cam on\b[^.;!?]*")


def _unthanked(folded: str) -> str:
    """The message without the clause of thanks for what the one thanked did ("Cảm ơn Sở Tư pháp đã
    hướng dẫn"): its "đã" is theirs."""
    thanked = THANKED.search(folded)
    return folded[: thanked.start()] + " , " + folded[thanked.end() :] if thanked else folded


def _counts(folded: str) -> bool:
    """Whether the message gives a count of things once phone, document and task numbers and the
    period are set aside."""
    return bool(_THINGS.search(_TASK_NO.sub(" ", _DOC_NO.sub(" ", _PERIOD.sub(" ", _PHONE.sub(" ", folded))))))


def _states_progress(folded: str, said: re.Match[str]) -> bool:
    """Whether the message, without the clause ``said`` (and a "đã" just before it), still
    states progress or gives a count."""
    before = _BEFORE_SAID.sub("", folded[: said.start()])
    rest = before + " " + folded[said.end() :]
    return bool(PROGRESS.search(rest) or _COUNT.search(_TASK_NO.sub(" ", _PERIOD.sub(" ", rest))))


def answer(turn: Turn, text: str, entries: Sequence[ParsedEntry]) -> bool:
    """Answer a message that is not a report; False when it is one (nothing said)."""
    # the conversation's modules (and the database's) only here: ``classify`` serves
    # ``baocao parse``, which starts without them
    from bot import obligations
    kind = classify(text, entries)
    if kind is None:
        return False
    t = turn.t
    example = t("Ví dụ: NV4: đang thực hiện 70%, vướng kinh phí.")
    if kind == "greeting":
        turn.say(t("Kính chào đồng chí. Đồng chí gửi báo cáo bằng một tin nhắn, gõ /baocao để báo cáo từng bước, hoặc /trogiup để xem hướng dẫn."), example)
    elif kind == "thanks":
        turn.say(t("Cảm ơn đồng chí."))
    elif kind == "later":
        turn.say(
            t("Đã rõ. Khi có số liệu, đồng chí gửi báo cáo vào đây; chưa có gì được ghi nhận."),
            *_deadline_lines(turn, text),
        )
    elif kind == "elsewhere":
        turn.say(
            t("Hệ thống chỉ ghi nhận báo cáo gửi trong cuộc trò chuyện này. Đề nghị đồng chí gửi nội dung báo cáo "
              "(hoặc tệp báo cáo) vào đây để được ghi nhận đúng hạn.")
        )
    elif kind == "contact":
        turn.say(
            t("Đầu mối mới của cơ quan cần lời mời của Sở Tư pháp: đề nghị đồng chí báo Sở Tư pháp họ tên, "
              "số điện thoại của đầu mối mới; Sở Tư pháp gửi lời mời để đầu mối mới tham gia.")
        )
    elif kind == "not_report":
        turn.say(
            t("Tin nhắn chưa được ghi nhận là báo cáo vì chưa nêu kết quả thực hiện nhiệm vụ. "
              "Nếu đây là báo cáo, đề nghị đồng chí gửi lại, nêu rõ nhiệm vụ và kết quả."),
            example,
        )
    elif kind == "deadline":
        lines = _deadline_lines(turn, text)
        turn.say(message=Message(*lines) if lines else Message(obligations.plan_ended(t, turn.ctx.plan)))
    else:
        turn.say(
            t("Hệ thống này nhận báo cáo định kỳ của cơ quan. Câu hỏi khác, đồng chí liên hệ trực tiếp Sở Tư pháp; gõ /trogiup để xem hướng dẫn.")
        )
    return True


def _deadline_lines(turn: Turn, text: str) -> list:
    """The due date the person most likely asks about, for each of their agencies."""
    from bot import attribution
    t = turn.t
    lines = []
    several = len(turn.ctx.plans) > 1
    asked: list[tuple[str, str | None]] = []
    for contact in {c.agency_id: c for c in turn.who.focal_contacts}.values():
        which = attribution.plan(turn, contact.agency_id, text) if several else None
        # Several plans and no telling which: the due date of each.
        for plan_id in (which.ask or [which.plan_id]) if which is not None else [None]:
            asked.append((contact.agency_id, plan_id))
    for agency_id, plan_id in asked:
        found = attribution.period(turn, agency_id, text, plan_id)
        ob = found.obligation or (found.ask[-1] if found.ask else None)
        if ob is None:
            continue
        plan = turn.ctx.plan_of(ob.plan_id)
        due = getattr(ob, "extended_due", None) or ob.due
        left = turn.ctx.calendar.working_days_between(turn.today(), due)
        if left > 0:
            when = t("còn {n} ngày làm việc", n=left)
        elif left == 0:
            when = t("hôm nay")
        else:
            when = t("đã quá hạn {n} ngày làm việc", n=-left)
        lines.append(
            t(
                "Hạn gửi báo cáo {period} của {agency}: {date} ({when}).",
                period=plan.period_name(ob.period),
                agency=turn.ctx.plans.agency_name(ob.agency_id),
                date=format_date_vi(due),
                when=when,
            )
        )
        if several:
            lines[-1] = lines[-1] + " " + t("(Kế hoạch số {number})", number=plan.plan.number)
    return lines


__all__ = ["answer", "classify"]
