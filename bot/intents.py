"""Messages that are not reports: greetings, thanks, a promise to report later, questions.

A focal point writes "Dạ em chào anh chị ạ", "cảm ơn", "em gửi sau ạ" or "hạn nộp báo cáo 6
tháng là ngày nào ạ?" as well as reports. Such a message names no task and gives no status or
percent; it gets a short courteous answer (a question about a deadline gets the deadline) and
nothing is stored as a report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot import attribution, obligations
from bot.parser import ParsedEntry
from bot.turn import Turn
from common.message import Message
from common.text import fold
from common.vndate import format_date_vi

GREETING = re.compile(r"^(?:(?:da|vang|kinh|xin)\s+)*(?:(?:em|anh|chi|toi)\s+)?(?:xin\s+)?(?:chao|hello|hi|alo)\b")
THANKS = re.compile(r"\b(?:cam on|cam ta|thank|thanks|tks|thks|camon|thank you|thanks a)\b|^(?:tk|ty)(?: a| nhe| nha| ak)?$")
# "ok", "Dạ vâng", "đã rõ": an acknowledgement
ACK = re.compile(r"^(?:(?:da|vang|ok|oke|okie|okay|uh|u|dc|duoc|ro|da ro|nhan|nhan duoc|roi|r|a|c|nhe|nha|ak|e|em|anh|chi)[\s,.!]*)+$")
LATER = re.compile(
    r"\b(?:gui sau|bao cao sau|se gui|se bao cao|dang tong hop|xin phep gui sau|gui bo sung sau|"
    r"chua co so lieu|cho so lieu|gui bc sau|bc sau|gui lien|gui ngay|gui bao cao lien|gui bao cao ngay|"
    r"xin y kien lanh dao|trinh lanh dao|bao lai sep|trinh ky|cho ky|mai (?:em |minh )?gui|chieu (?:em )?gui|"
    r"(?:em|e|minh|toi) gui (?:sau|lien|ngay)|de (?:em|e|minh) gui|mai (?:e|em) gui)\b"
)
# "em nhận được công văn rồi ạ": an acknowledgement of something received
RECEIVED = re.compile(r"^(?:(?:da|vang|ok|em|e|minh|toi|ben em|a|c|anh|chi)[\s,.!]+)*(?:da\s+)?nhan (?:duoc |dc )?(?:cong van|van ban|thong bao|tin nhan|ke hoach|roi|r)\b")
# "em gửi báo cáo qua email rồi": a report sent some other way, which baocao cannot see
ELSEWHERE = re.compile(r"\b(?:gui|nop|chuyen)\b[^.?!]{0,30}\b(?:qua|bang|theo)\s+(?:email|e-mail|mail|thu dien tu|buu dien|van ban giay|ban giay|van ban|duong cong van|tin nhan ca nhan|"
                       r"(?:he thong|phan mem) (?:quan ly )?van ban(?: (?:dien tu|dieu hanh))?|he thong (?:van phong|quan ly) dien tu|van phong dien tu)\b")
# "anh gửi lại giúp em file mẫu", "xin mẫu báo cáo": a request about the reporting itself
REQUEST = re.compile(r"\b(?:giup (?:em|e|minh|toi)|gui lai (?:giup|cho)|xin (?:file|mau|bieu mau)|file mau|mau bao cao|bieu mau|theo mau nao|mau nao)\b")
# "đầu mối bên em đổi sang chị Lan": a change of focal point, which an invitation does
# "từ nay em thay chị Lan báo cáo", "từ tháng 7 em phụ trách báo cáo …": a person saying they take
# over the reporting (a bare "em là đầu mối mới" is a greeting)
CONTACT = re.compile(r"\b(?:doi dau moi|thay dau moi|thay doi dau moi|chuyen dau moi|doi sang (?:anh|chi|em|dong chi)|"
                     r"dau moi (?:bao cao )?(?:ben|cua) (?:em|minh|toi) (?:doi|thay|chuyen)|"
                     r"(?:em|e|toi|minh) (?:se )?(?:thay|thay cho) (?:anh|chi|a|c|dong chi|ong|ba) [a-z]+(?: [a-z]+)? "
                     r"(?:bao cao|lam dau moi|phu trach|theo doi)|"
                     r"(?:tu nay|tu thang \d+|tu ngay [\d/]+|ke tu [^,.]{1,20}),? (?:em|e|toi|minh) (?:se )?(?:phu trach (?:viec |cong tac )?bao cao|lam dau moi|thay)\b)")
DEADLINE = re.compile(r"\b(?:han|thoi han|bao gio|khi nao|ngay nao|truoc ngay)\b")
# A question typed without "?": it ends on a question word ("… từ ngày nào đến ngày nào vậy chị",
# "nộp khi nào ạ", "gửi bản mềm được không ạ"), maybe followed by a particle or whom it asks.
_ASKED = r"(?:\s+(?:a|ak|ah|ha|nhi|nhe|vay|z|the|chi|anh|em|c|e|oi|ban|dong chi))*\s*[.!]*\s*$"
QUESTION = re.compile(r"\?\s*$|\b(?:khong a|phai khong|the nao|lam sao|nhu the nao)\s*\??$|"
                      r"\b(?:ngay nao|khi nao|luc nao|bao gio|hom nao|thang nao|mau nao|cai nao|loai nao|nhu the nao|the nao|"
                      r"la gi|cai gi|gi a|tai sao|vi sao|sao a|lam sao|(?:duoc|phai|co|can) (?:khong|ko|k) a|dung (?:khong|ko) a)" + _ASKED +
                      r"|(?<!nhu )(?<!cho )\b(?:vay|z)(?:\s+(?:a|ak|ah|chi|anh|em|c|e|oi|ban|dong chi))*\s*[.!]*\s*$")


def classify(text: str, entries: Sequence[ParsedEntry]) -> str | None:
    """"greeting", "thanks", "later", "deadline", "question", "contact", "elsewhere", or None
    for a report."""
    facts = any(e.status or e.percent is not None for e in entries)
    named = any(e.task and e.how in ("named", "heading") for e in entries)
    folded = fold(text).strip()
    if not folded:
        return None
    if len(folded) > 300:
        return None  # a long text is a report without a task number, not small talk
    question = bool(QUESTION.search(folded))
    if named:
        # "Nhiệm vụ 5 thì số liệu lấy đến ngày nào?": a question about a task is no report
        if question and not facts and not any(e.difficulty for e in entries):
            return "deadline" if DEADLINE.search(folded) and ("nop" in folded or "gui" in folded) else "question"
        return None  # a task found by its words, or the agency's only one, is not yet a report
    if CONTACT.search(folded) and not any(e.percent is not None or e.figures or e.status == "done" for e in entries):
        return "contact"  # "từ tháng 7 em phụ trách báo cáo … thay anh Phúc": its words are no results
    if ELSEWHERE.search(folded):  # "đã gửi báo cáo bằng văn bản rồi": its "rồi" is no report
        return "elsewhere"
    if RECEIVED.search(folded):
        return "thanks"  # "dạ em nhận được công văn rồi ạ": the "rồi" is no report
    if REQUEST.search(folded) and not facts:
        return "question"
    if DEADLINE.search(folded) and (question or "nop" in folded or "gui" in folded):
        return "deadline"
    if LATER.search(folded):
        return "later"
    if facts:
        return None  # "đã tổ chức 3 hội nghị, đạt 80%": a report that names no task
    if question:
        return "question"
    if THANKS.search(folded) or ACK.match(folded):
        return "thanks"
    if GREETING.search(folded) and len(folded.split()) <= 20:
        return "greeting"
    return None


def answer(turn: Turn, text: str, entries: Sequence[ParsedEntry]) -> bool:
    """Answer a message that is not a report; False when it is one (nothing said)."""
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
