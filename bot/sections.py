"""A report cut into the parts about each task, before anything is read from it.

A focal point who pastes the report written in Word sends headings and paragraphs:

    Kính gửi Sở Tư pháp, …            ← frame: addressed to, introduced by
    I. KẾT QUẢ THỰC HIỆN              ← frame
    1. Nhiệm vụ 4: …                   ← a task, named in the heading
    4. Tăng cường phối hợp … đạt 65%.  ← a task, numbered as in the plan
    a) …  b) …                         ← points of the task above
    II.9 - …                           ← a task, as "mục II.9" of the plan
    II. KHÓ KHĂN, VƯỚNG MẮC            ← general: the agency's, not the last task's
    III. PHƯƠNG HƯỚNG QUÝ II           ← next period's plans: not this period's report

Each line is classified by how it starts; a section runs from its heading to the next one.
Lines before the first heading are one ``body`` section (a chat reply is usually nothing
else), which the reader cuts further by sentence. Offsets are into the original text, so each
entry can quote its own part verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from common import tasks as taskrefs
from common.text import fold

__all__ = ["Section", "agencys_request", "split_sections", "split_trailing_refs"]

BODY, TASK, GENERAL, FRAME, FUTURE = "body", "task", "general", "frame", "future"
# A sentence set aside: a question about a task, or a promise to report on it later ("Chị cho em
# hỏi nhiệm vụ 10 bên em có phải báo cáo không ạ?", "nv6 e gửi sau ạ"), no report of it
ASIDE = "aside"


@dataclass(slots=True)
class Section:
    kind: str  # BODY, TASK (a numbered or named heading), GENERAL, FRAME, FUTURE, ASIDE
    start: int  # offsets into the original text
    end: int
    number: str | None = None  # the plan's task number a numbered heading gives ("4", "1a")
    letter: str | None = None  # a point "a)" under the heading
    outline: str | None = None  # the heading's own number ("1" of "1. Nhiệm vụ 10:"), for its "1.1."
    named: str | None = None  # the task a heading "Nhiệm vụ 1 (chủ trì)" names, for its points a), b)
    topic: bool = False  # a paragraph split off by its subject (the reader's, not the layout's)
    points: int = -1  # under a part heading naming one task ("I. Nhiệm vụ 5 (…)"): its points 1., 2. so far;
    # -2: a sub-item read from the report's numbering ("1.2." under "1. Nhiệm vụ 1" is 1b)
    trailing: tuple[str, ...] = ()  # the tasks a closing "(NV4)", "(thuộc nhiệm vụ số 6)" gives the part before it
    tail_at: int = -1  # where that closing reference starts


_BULLET = re.compile(r"^[\s\-–—+•*·●○■□▪►✓✔>]*")
_ROMAN = r"(?:i{1,3}|iv|v|vi{1,3}|ix|x)"
# "II.4", "mục II.4", "II.4 -": the plan's part II, task 4.
_ROMAN_TASK = re.compile(rf"^(?:muc\s*)?{_ROMAN}\s*\.\s*(?P<num>\d{{1,2}})(?!\d)(?:\s*\.\s*\d{{1,2}})?\s*[.):\-–—]?\s*(?=\S)")
# (not "V/v báo cáo …", "về việc": a letter's subject line)
_ROMAN_HEAD = re.compile(rf"^(?!v\s*/\s*v\b){_ROMAN}\s*[.)\-–—/]\s*(?P<rest>\S.*)?$")
# "4. …", "4) …", "4.1. …", "4.1 …" (task 4, its point 1): a numbered heading. Not "15/3", "4%".
_NUMBERED = re.compile(
    r"^(?P<num>\d{1,2})\s*(?:[.)]\s*(?:(?P<sub>\d{1,2})\s*[.)]?\s*)?|\.(?P<sub2>\d{1,2})\s+|\s+[-–—:]\s+|\s*/\s+|\s+(?=[a-z][^:\n]{0,40}:))(?=[^\W\d_])"
)
_POINT = re.compile(r"^(?P<letter>[a-gđ])\s*[.)]\s*(?=\S)")
_GENERAL_WORDS = re.compile(
    r"^(?:(?:cac|nhung|mot so|ve)\s+)?(?:kho khan|vuong mac|kien nghi|de xuat|ton tai|han che|nhung han che|"
    r"ton tai han che|nguyen nhan)\b"
    # a phone's "kk:", "vm:", "kn:" heading a line: khó khăn, vướng mắc, kiến nghị
    r"|^(?:kk|vm|kn)\s*:"
)
_FUTURE_WORDS = re.compile(
    r"^(?:phuong huong|nhiem vu (?:trong tam )?(?:quy|thoi gian|ky|nam|6 thang|9 thang)\s*(?:toi|sau|tiep theo|con lai)|"
    r"ke hoach (?:quy|thoi gian) toi|nhiem vu, giai phap|giai phap (?:thoi gian|quy) toi)"
)
_FRAME_WORDS = re.compile(
    r"^(?:kinh gui|ket qua|tinh hinh|danh gia|cong tac (?:lanh dao|chi dao)|noi dung|phan|bao cao|"
    r"viec (?:trien khai|thuc hien)|cac nhiem vu|ve (?:ket qua|tinh hinh)|nhiem vu (?:duoc giao|chu tri|phoi hop)\s*[:.]?\s*$)"
)
# "3. Kết quả thi hành án dân sự": the results of one field, a task's heading, not the report's
# "1. Kết quả thực hiện" / "1. Kết quả đạt được"
_RESULTS_OF_A_FIELD = re.compile(
    r"^ket qua\s+(?!(?:thuc hien|dat duoc|trien khai|cu the|chung|dat|nhu sau|bao cao|cong tac chung|cac nhiem vu|nhiem vu)(?![a-z]))[a-z]"
)
_REF_START = re.compile(
    r"^(?:(?:cac|doi voi|ve|voi)\s+){0,2}(?:nv|nhiem\s*vu|n\.\s?v\.?|nvu|#)\s*(?:(?:chu tri|phoi hop|con lai|khac|duoc giao)\s*){0,2}"
    r"\(?\s*(?:so\s*)?(?:thu\s*)?\(?\s*\d|^(?:tieu muc|diem)\s+[a-z]\b"
)


def _lines(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in re.finditer(r"\r\n|[\n\r\u2028\u2029]", text):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(text)))
    return out


_LETTER_LINE = re.compile(r"^(?:tieu muc|diem|y)\s+(?P<letter>[a-z])\b(?!\s*(?:cua\s+|thuoc\s+)?(?:nv|nhiem vu))")
_OUTLINE = re.compile(r"^(?P<num>\d{1,2})\s*\.\s*(?P<sub>\d{1,2})\b")
_LEAD_NUMBER = re.compile(r"^(?P<num>\d{1,2})\s*[.)/]")
_NAMED = re.compile(r"^(?:\d{1,2}\s*[.)/]\s*)?(?:nv|nhiem\s*vu)\s*(?:so\s*)?0*(?P<num>\d{1,2})(?![\d,/])(?!\s*(?:,|va|den|-)\s*\d)")


def _classify(stripped: str) -> tuple[str | None, str | None, str | None]:
    """(kind of heading or None, task number, point letter) of one line, folded and without
    its bullet."""
    if not stripped:
        return None, None, None
    m = _LETTER_LINE.match(stripped)
    if m:
        return None, None, m.group("letter")  # "- điểm b: …" under "NV 1 điểm a: …"
    if _REF_START.match(stripped):
        return TASK, None, None  # "NV4: …", "- Nhiệm vụ số 9 (phối hợp): …": read by the refs
    m = _ROMAN_TASK.match(stripped)
    if m:
        if _REF_START.match(stripped[m.end():]):
            return TASK, None, None  # "I.2. Nhiệm vụ 4: …": the report's own numbering; the named task wins
        return TASK, str(int(m.group("num"))), None
    m = _ROMAN_HEAD.match(stripped)
    if m:
        rest = m.group("rest") or ""
        if _PART_NAMING_TASK.match(rest):
            return TASK, None, None  # "I. Nhiệm vụ chủ trì (Nhiệm vụ 1)": the part is that task's
        if _NAMED.match(rest):
            return TASK, None, None  # "I. Nhiệm vụ 1 (chủ trì): …": a part headed by its one task (its points a), b) are 1a, 1b)
        if _GENERAL_WORDS.match(rest):
            return GENERAL, None, None
        if _FUTURE_WORDS.match(rest):
            return (GENERAL if _ASKS_TOO.search(rest) else FUTURE), None, None
        if _ROMAN_SUBJECT.match(rest) and not _FRAME_WORDS.match(rest):
            return TASK, None, None  # "Phần I. Quán triệt, tuyên truyền": a part about a task's subject, read by its words
        return FRAME, None, None
    m = _NUMBERED.match(stripped)
    if m:
        rest = stripped[m.end():]
        if _GENERAL_WORDS.match(rest):
            return GENERAL, None, None
        if _FUTURE_WORDS.match(rest):
            return (GENERAL if _ASKS_TOO.search(rest) else FUTURE), None, None
        if _REF_START.match(rest):
            return TASK, None, None  # "1. Nhiệm vụ 4: …": the named task wins over the numbering
        if _FRAME_WORDS.match(rest) and not _RESULTS_OF_A_FIELD.match(rest):
            return FRAME, None, None
        return TASK, str(int(m.group("num"))), None
    m = _POINT.match(stripped)
    if m:
        rest = stripped[m.end():]
        # "C. KHÓ KHĂN, VƯỚNG MẮC", "A. NHIỆM VỤ CHỦ TRÌ": a lettered part of the report
        if _GENERAL_WORDS.match(rest):
            return GENERAL, None, None
        if _FUTURE_WORDS.match(rest):
            return (GENERAL if _ASKS_TOO.search(rest) else FUTURE), None, None
        if _FRAME_WORDS.match(rest) or re.match(r"^nhiem vu (?:chu tri|phoi hop|duoc giao)\b(?!.*\d)", rest):
            return FRAME, None, None
        if _REF_START.match(rest):
            return TASK, None, None
        return None, None, m.group("letter")
    head = re.match(r"^[^.;]{0,60}?[:\-–]", stripped)
    if _GENERAL_WORDS.match(stripped) and head and not _names_task(head.group()) \
            and not (_names_task(stripped) and not _KIEN_NGHI_HEAD.match(stripped)):
        # "Khó khăn, vướng mắc: …" (not "Khó khăn NV4: …"); "Kiến nghị: Đề nghị Sở … hướng dẫn nội dung
        # tham gia nhiệm vụ 9": the agency's request, which names the task only as what it is about
        return GENERAL, None, None
    if _FUTURE_WORDS.match(stripped) and ":" in stripped[:60]:
        return FUTURE, None, None
    return None, None, None


# the subject of a task opening a part: "I. Quán triệt, tuyên truyền", "III. Phối hợp phòng ngừa tham nhũng …"
_ROMAN_SUBJECT = re.compile(r"^(?:quan triet|tuyen truyen|pho bien|phoi hop|kien toan|dao tao|boi duong|tham muu|giai quyet|"
                            r"thi hanh an|tiep cong dan|ho tro|bao dam|trung gian|xu ly|gop y|tham dinh)\b"
                            # "Phần II. Nhiệm vụ chủ trì: tham mưu triển khai …": the part's own task, said after its colon
                            r"|^nhiem vu (?:chu tri|phoi hop|duoc giao)\s*:\s*[a-z]")
# "Nhiệm vụ chủ trì (Nhiệm vụ 1)", "Nhiệm vụ phối hợp (NV 6):": a part of the report that names its one task
_PART_NAMING_TASK = re.compile(
    r"^nhiem vu (?:chu tri|phoi hop|duoc giao)\s*[(:\-–—]\s*(?:nv|nhiem\s*vu)\s*(?:so\s*)?\d{1,2}(?![\d,/])(?!\s*(?:,|va|den|-)\s*\d)"
)
_NAMED_ROMAN = re.compile(rf"^{_ROMAN}\s*[.)\-–—/]\s*(?:nv|nhiem\s*vu)\s*(?:so\s*)?0*(?P<num>\d{{1,2}})(?![\d,/])(?!\s*(?:,|va|den|-)\s*\d)")
_NAMED_IN_PART = re.compile(r"^[ivx]+\s*[.)\-–—/]\s*nhiem vu (?:chu tri|phoi hop|duoc giao)\s*[(:\-–—]\s*(?:nv|nhiem\s*vu)\s*(?:so\s*)?0*(?P<num>\d{1,2})")


# "I. Nhiệm vụ 5 (chủ trì cùng Văn phòng UBND tỉnh)", "A. NHIỆM VỤ SỐ 4": a part of the report
# headed by one task, alone on its line (its numbered lines are that task's points)
_PART_OF_ONE_TASK = re.compile(
    rf"^(?:{_ROMAN}|[a-e])\s*[.)\-–—/]\s*(?:nv|nhiem\s*vu)\s*(?:so\s*)?0*\d{{1,2}}(?![\d,/])(?!\s*(?:,|va|den|-)\s*\d)"
    r"\s*(?:\([^)]*\))?\s*[:.]?\s*$"
)
# "Phần I – Nhiệm vụ được giao chủ trì (nhiệm vụ 4)": a part written out, headed as "I. …" is
_PART_WORD = re.compile(rf"^phan\s+(?={_ROMAN}\s*[.)\-–—/:])")
# "I. Nhiệm vụ được giao chủ trì (nhiệm vụ 4)": a part whose one task is given in brackets
_PART_OF_ONE_TASK_BRACKETED = re.compile(
    rf"^{_ROMAN}\s*[.)\-–—/:]\s*nhiem vu[a-z ]{{0,40}}\(\s*(?:nv|nhiem\s*vu)?\s*(?:so\s*)?0*\d{{1,2}}\s*\)\s*[:.]?\s*$")
# "I. Nhiệm vụ chủ trì – Nhiệm vụ 11: Bổ sung kinh phí, …": a part naming its one task, then the
# task's title (no figures, no results): its numbered lines are that task's points too
_PART_OF_ONE_TASK_TITLED = re.compile(
    rf"^{_ROMAN}\s*[.)\-–—/]\s*(?:nhiem vu (?:chu tri|phoi hop|duoc giao)\s*[(:\-–—]\s*)?(?:nv|nhiem\s*vu)\s*(?:so\s*)?0*\d{{1,2}}"
    r"(?![\d,/])(?!\s*(?:,|va|den|-)\s*\d)\s*\)?\s*[:.\-–—]\s*[^\d%:;]{5,160}$"
)


# "Phương hướng, kiến nghị": next period's plans and the agency's requests under one heading
_ASKS_TOO = re.compile(r"^phuong huong[^:]{0,40}\b(?:kien nghi|de xuat|kho khan|vuong mac)\b")


_KIEN_NGHI_HEAD = re.compile(r"^(?:kien nghi|de xuat)(?:,\s*de xuat)?\s*:\s*de nghi\b")


def agencys_request(piece: str) -> bool:
    """A one-line "Kiến nghị: Đề nghị Sở … hướng dẫn nội dung tham gia nhiệm vụ 9": the agency's
    request (its general part), which names a task only as what it is about."""
    lines = [ln for ln in piece.strip().splitlines() if ln.strip()]
    return len(lines) == 1 and _KIEN_NGHI_HEAD.match(_BULLET.sub("", fold(lines[0]))) is not None


def _names_task(folded: str) -> bool:
    return re.search(r"(?<![a-z])(?:nv|nhiem vu)\s*(?:so\s*)?\d", folded) is not None


_ITEM_LINE = re.compile(r"^[\s\-–—+•*]*\d{1,2}\s*[.)]", re.M)


def _general_items(text: str, sec: Section) -> int:
    """How many numbered items "1.", "2." a general section's heading already has under it
    (-1 when the heading line itself says more than the heading: "Khó khăn: thiếu …")."""
    piece = text[sec.start:sec.end]
    first, _, rest = piece.partition("\n")
    if not re.match(r"^[\s\-–—+•*]*(?:[ivx]+|[a-e]|\d{1,2})\s*[.)\-–—/]\s*[^:]*:?\s*$", fold(first)):
        return -1
    return len(_ITEM_LINE.findall(rest))


def _is_outline_point(text: str, sec: Section) -> bool:
    """Whether a section's own heading is a point "4.1." (so a "4.2." after it is its sibling,
    not one of its points)."""
    first = text[sec.start:sec.end].split("\n", 1)[0]
    return _OUTLINE.match(_BULLET.sub("", fold(first))) is not None


def split_sections(text: str, sub_items: frozenset[str] = frozenset()) -> list[Section]:
    """The sections of ``text`` in order; one BODY section when it has no headings.
    ``sub_items``: the plan's sub-item references ("1a"), which a point "a)" under task 1 is."""
    sections: list[Section] = []
    for start, end in _lines(text):
        stripped = _PART_WORD.sub("", _BULLET.sub("", fold(text[start:end])))
        kind, number, letter = _classify(stripped)
        current = sections[-1] if sections else None
        if kind == FRAME and letter is None and current is not None and current.kind == TASK and (current.number or current.named):
            point = _POINT.match(stripped)
            if point and _BULLET.sub("", text[start:end])[:1].islower():
                # "1. Nhiệm vụ số 10 (chủ trì): …" then "a) Kết quả: Tổng số việc …": the task's point a),
                # not a part of the report ("A. KẾT QUẢ THỰC HIỆN")
                kind, letter = None, point.group("letter")
        outline = _OUTLINE.match(stripped)
        if kind in (TASK, GENERAL, FRAME) and outline and current is not None and current.kind == TASK \
                and (current.outline == outline.group("num")
                     # "Nhiệm vụ 4:" alone, then "4.1. Tiếp công dân: …", "4.2. …": its points too
                     or (current.outline is None and current.named == str(int(outline.group("num"))) and not current.letter)):
            own = current.number or current.named
            sub = int(outline.group("sub"))
            letter_of = chr(ord("a") + sub - 1) if 1 <= sub <= 5 else ""
            if own and letter_of and taskrefs.parent(own) + letter_of in sub_items and not _names_task(stripped) \
                    and (current.letter or not _is_outline_point(text, current)):
                # "1. Nhiệm vụ 1" then "1.1. Quán triệt …", "1.2. Đổi mới …": its sub-items 1a, 1b
                sections.append(Section(TASK, start, end, taskrefs.parent(own) + letter_of, letter_of, outline=outline.group("num"),
                                        points=-2))
                continue
            if current.letter or not _is_outline_point(text, current):
                kind = None  # "1.1. Kết quả thi hành án", "1.2. Khó khăn" under "1. Nhiệm vụ 10:": its points
        if kind == TASK and number is not None and current is not None and current.kind == GENERAL \
                and number == str(_general_items(text, current) + 1) and not _names_task(stripped):
            kind = None  # "II. KHÓ KHĂN, VƯỚNG MẮC" then "1. …", "2. …": its points, not tasks 1, 2
        if kind == TASK and number is not None and current is not None and current.points >= 0 \
                and number == str(current.points + 1) and not outline and not _names_task(stripped):
            current.points += 1
            kind = None  # "I. Nhiệm vụ 5 (chủ trì)" then "1. Tham mưu …", "2. Phối hợp …": its points, not tasks 1, 2
        if kind is None:
            parent = (current.number or current.named) if current is not None and current.kind == TASK else None
            if parent and current is not None and current.letter:
                parent = taskrefs.parent(parent)
            if letter and parent and parent + letter in sub_items:
                sections.append(Section(TASK, start, end, parent + letter, letter, outline=current.outline if current else None))
                continue
            if current is None:
                sections.append(Section(BODY, start, end))
            else:
                current.end = end
            continue
        lead = _LEAD_NUMBER.match(stripped)
        named = _NAMED.match(stripped) or _NAMED_IN_PART.match(stripped) or _NAMED_ROMAN.match(stripped)
        sections.append(Section(kind, start, end, number, outline=lead.group("num") if lead else None,
                                named=named.group("num") if named and kind == TASK else None,
                                points=0 if _PART_OF_ONE_TASK.match(stripped) or _PART_OF_ONE_TASK_TITLED.match(stripped)
                                or _PART_OF_ONE_TASK_BRACKETED.match(stripped) else -1))
    # A single block with no heading is the whole message.
    return _closed_sub_items(text, sections) or [Section(BODY, 0, len(text))]


def _closed_sub_items(text: str, sections: list[Section]) -> list[Section]:
    """Points "1.1.", "1.2." read as sub-items 1a, 1b, then a line of their own closing the task
    ("Đang thực hiện."): one status for the whole task, so the report's own sub-numbering of task 1."""
    result: list[Section] = []
    i = 0
    while i < len(sections):
        sec = sections[i]
        if sec.points != -2 or not result:
            result.append(sec)
            i += 1
            continue
        j = i
        while j < len(sections) and sections[j].points == -2:
            j += 1
        last = sections[j - 1]
        lines = [ln for ln in text[last.start:last.end].split("\n") if ln.strip()]
        if len(lines) > 1:
            result[-1].end = last.end  # the closing line speaks for the task: its own numbering
        else:
            result.extend(sections[i:j])
        i = j
    return result


# "… tham gia tố tụng. (NV4)", "… chưa có tài sản. (thuộc nhiệm vụ số 10)", "… (NV3, NV7)": a
# reference in brackets that closes what it follows, at the end of a line or before the next sentence
_TRAILING_REF = re.compile(
    r"\(\s*(?:(?:thu[oộ]c|xem|theo)\s+)?(?:c[aá]c\s+)?(?:nv|nhi[eệ]m\s*v[uụ])\s*(?:s[oố]\s*)?"
    r"(?P<nums>0*\d{1,2}[ab]?(?:\s*(?:,|;|/|v[aà])\s*(?:(?:nv|nhi[eệ]m\s*v[uụ])\s*(?:s[oố]\s*)?)?0*\d{1,2}[ab]?)*)"
    r"\s*(?:[,\-–]\s*(?:ch[uủ]\s*tr[iì]|ph[oố]i\s*h[oợ]p))?\s*\)"
    r"(?:[ \t]*[.;]?[ \t]*(?=\r?\n|$)|[ \t]*[.;][ \t]+(?=\S))",
    re.IGNORECASE,
)
# what a heading does not have: a subject then what was done ("…: hỗ trợ 08 trẻ em"), or a sentence ended
_SAYS_BEFORE = re.compile(r":\s*(?:\S+\s+){2,}\S|[.;]\s+\S")
_OWN_NUMBER = re.compile(r"^[\W_]*(?:(?:[ivx]+|\d{1,2}|[a-e])\s*[.)/]\s*)+")
_BLANK_LINE = re.compile(r"\n[ \t]*\r?\n")
# "Sở … báo cáo kết quả quý I như sau:": the report's introduction, no part of what follows it
_INTRO_LINE = re.compile(r"\b(?:bao cao|thuc hien (?:ke hoach|kh))\b[^:]*:\s*$")


def split_trailing_refs(text: str, sections: list[Section], valid: frozenset[str]) -> list[Section]:
    """A paragraph (or sentence) closed by a reference in brackets is that task's part: "Lĩnh vực
    trẻ em: hỗ trợ 08 trẻ em … (NV4)\n\nLĩnh vực lao động: … (NV6)" is task 4's part, then task 6's,
    where a reference otherwise opens what follows it. The part runs back to the paragraph's start
    (a blank line, the introduction's line, or the part before)."""
    out: list[Section] = []
    for sec in sections:
        if sec.kind not in (BODY, TASK):
            out.append(sec)
            continue
        piece = text[sec.start:sec.end]
        cuts: list[tuple[int, int, int, tuple[str, ...]]] = []  # (start, end, ref start, tasks)
        lo = 0
        for m in _TRAILING_REF.finditer(piece):
            tasks = tuple(dict.fromkeys(str(int(n[:-1])) + n[-1] if n[-1] in "ab" else str(int(n))
                                        for n in re.findall(r"\d{1,2}[ab]?", m.group("nums"))))
            if not tasks or any(t not in valid for t in tasks):
                continue
            start = lo
            for blank in _BLANK_LINE.finditer(piece, lo, m.start()):
                start = blank.end()
            # the introduction's line ("… báo cáo như sau:") stays out of the task's part
            pos = start
            while True:
                nl = piece.find("\n", pos, m.start())
                if nl < 0:
                    break
                if _INTRO_LINE.search(fold(piece[pos:nl])):
                    start = nl + 1
                pos = nl + 1
            if not re.search(r"[^\W\d_]", piece[start:m.start()]):
                continue  # "(NV4)" alone: nothing before it to close
            line = _OWN_NUMBER.sub("", fold(piece[piece.rfind("\n", 0, m.start()) + 1:m.start()]))
            nl = piece.find("\n", m.end())
            at_end = not piece[m.end():nl if nl >= 0 else len(piece)].strip()
            if at_end and (not _SAYS_BEFORE.search(line) or not _closes(piece, m.end())):
                continue  # "1. Về kiện toàn tổ chức, bộ máy (Nhiệm vụ 3)" then its lines: a heading, for what follows it
            cuts.append((start, m.end(), m.start(), tasks))
            lo = m.end()
        if not cuts:
            out.append(sec)
            continue
        prev = 0
        first = True
        for start, end, ref_at, tasks in cuts:
            if piece[prev:start].strip():
                out.append(_part_of(sec, sec.start + prev, sec.start + start, first))
                first = False
            out.append(Section(TASK, sec.start + start, sec.start + end, trailing=tasks, tail_at=sec.start + ref_at))
            first = False
            prev = end
        if piece[prev:].strip():
            out.append(Section(BODY, sec.start + prev, sec.end, topic=True))
    return out


def _part_of(sec: Section, start: int, end: int, first: bool) -> Section:
    return replace(sec, start=start, end=end) if first else Section(BODY, start, end, topic=True)


def _closes(piece: str, at: int) -> bool:
    """Whether a reference in brackets ending at ``at`` ends its paragraph: more of the sentence's
    line after it, a blank line, the end, or a next line closed the same way."""
    nl = piece.find("\n", at)
    if nl < 0 or piece[at:nl].strip():
        return True
    nxt_end = piece.find("\n", nl + 1)
    nxt = piece[nl + 1:nxt_end if nxt_end >= 0 else len(piece)]
    return not nxt.strip() or _TRAILING_REF.search(nxt) is not None
