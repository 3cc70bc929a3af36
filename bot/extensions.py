"""An agency's request for more time (đề nghị gia hạn): recognised in a focal point's message.

    >>> parse("NV4: đề nghị gia hạn đến 30/3 vì chưa tổng hợp xong số liệu", due=date(2024, 3, 15))
    Request(until=datetime.date(2024, 3, 30), task='4', reason='chưa tổng hợp xong số liệu')

Pure: text in, a :class:`Request` (or ``None`` when the message asks for no extension) out; a
request that cannot stand raises :class:`ExtensionError` with a ``kind`` the bot words for the
person (the texts live with the handler, in the person's language).

What counts as a request (on the folded text, diacritics optional):

- a verb of asking before "gia hạn": "đề nghị", "xin", "kiến nghị", "đề xuất", "mong", "cho
  phép", possibly with "cho", "được" between ("đề nghị cho gia hạn", "xin được gia hạn");
- its synonyms after such a verb: "xin lùi hạn", "đề nghị giãn hạn", "xin hoãn hạn";
- or "gia hạn" opening the message, after an optional task reference ("gia han den 30/3",
  "NV4: gia hạn đến 30/3"). "đã gia hạn 5 hợp đồng" in the middle of a report is not one.

The date is the first one after "gia hạn": "30/3", "30-3", "30.3", "30/3/2024", "30/3/24",
"ngày 30 tháng 3 (năm 2024)"; or "thêm 10 ngày" (calendar days; "ngày làm việc" with
``add_working_days``) counted from the current due date. A date without a year takes the due
date's year, or the next year when that is the nearer date after the due date (a request
made in December for "10/1"). Refused: no date, an impossible date (31/2), a date not after
the current due date, a date already past, and one more than :data:`MAX_DAYS` after the due
date.

The task is the one reference the message names ("NV4", "nhiệm vụ 4", "NV 1a"); with none
or several, the request is for the whole report. The reason is what follows the date
("vì …", "do …", "lý do: …" without that word), else what precedes the request.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["MAX_DAYS", "ExtensionError", "Request", "mentions", "named_task", "parse", "remainder"]

# A request further out than this after the due date is taken for a typing mistake.
MAX_DAYS = 180

_ASK = r"(?:de nghi|xin|kien nghi|de xuat|mong|cho phep|kinh de nghi|xin phep)"
_LINK = r"(?:\s+(?:cho|duoc|phep|so tu phap|stp))*"
_TASK_PREFIX = r"(?:(?:nv|nhiem vu)\s*(?:so\s*)?\.?\s*\d{1,2}\s*[a-d]?\s*[:.)\-–]?\s*)?"
_REQUEST = re.compile(
    # "xin gửi báo cáo chậm 2 ngày", "đề nghị Sở Tư pháp cho phép gửi báo cáo 9 tháng chậm đến ngày 05/10": asking to be late is asking for time
    rf"(?:(?<![a-z]){_ASK}{_LINK}\s+(?:gui|nop)\s+(?:bao cao|bc)(?:\s+(?!cham\b|tre\b)[a-z0-9/]+){{0,4}}\s+(?:cham|tre)(?![a-z]))|"
    rf"(?:(?<![a-z]){_ASK}{_LINK}\s+(?:gia|lui|gian|hoan) han(?![a-z]))|(?:^\s*{_TASK_PREFIX}(?:(?:da\s*,|vang\s*,?|kinh gui so tu phap\s*[,:]?)\s*)?gia han(?![a-z]))"
)
_TASK = re.compile(r"(?<![a-z0-9])(?:nv|nhiem vu)\s*(?:so\s*)?\.?\s*(\d{1,2})\s*([a-d])?(?![0-9a-z])")
_NUMERIC = re.compile(r"(?<![0-9])(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{4}|\d{2}))?(?![0-9])")
_WORDS = re.compile(r"(?<![0-9])(\d{1,2})\s+thang\s+(\d{1,2})(?:\s*(?:nam|/|,)?\s*(\d{4}))?(?![0-9])")
# "thêm 10 ngày"; "gia hạn 5 ngày", "chậm 2 ngày" right after the request
_MORE = re.compile(r"(?:\bthem\s+|^\s*)(\d{1,3})\s+ngay(\s+lam\s+viec)?")
# "chậm 2 ngày, khoảng 17/12", "(đến 17/12)": the date that spells out the days asked for
_SPELLED_DATE = re.compile(r"[\s,(]*(?:khoang|tuc|tuc la|la|den|den ngay|ngay)?\s*(?:ngay\s+)?\d{1,2}\s*[/.\-]\s*\d{1,2}(?:\s*[/.\-]\s*\d{2,4})?\)?")
_REASON_HEAD = re.compile(r"^[\s,;:.\-–)]*(?:(?:(?:boi\s+)?vi|do|ly do|boi)(?![a-z]))?\s*[:,]?\s*")
# Sentence ends; a dot between digits (30.3) is not one.
_SENTENCE_END = re.compile(r"[;\n!?]|\.(?![0-9])")
# What opens a reason given before the request ("Do chưa có số liệu, đề nghị gia hạn …").
_CAUSE = re.compile(
    r"^\s*(?:(?:nv|nhiem vu)\s*(?:so\s*)?\.?\s*\d{1,2}\s*[a-d]?(?![a-z])[\s,;/&]*(?:va\s+)?)*[\s:.)\-–,]*"
    r"(?:do|vi|boi|ly do|chua|thieu|con|vuong|kho khan)(?![a-z])"
)
_PARTICLES = frozenset({"a", "a a", "nha", "nhe", "voi", "a nhe"})
_REASON_TAIL = re.compile(r"[\s,;:.\-–]*(?:(?<![a-z])(?:nen|vi vay|do do|vi the))?[\s,;:.\-–]*$")


@dataclass(frozen=True)
class Request:
    until: date
    task: str | None  # "4", "1a"; None: the whole report
    reason: str  # in the person's own words, possibly empty


class ExtensionError(ValueError):
    """A request that cannot stand. ``kind``: ``no_date``, ``bad_date``, ``not_after_due``,
    ``past``, ``too_far``; ``values`` what the sentence for it names (``until``, ``due``,
    ``text``)."""

    def __init__(self, kind: str, **values: object) -> None:
        super().__init__(kind)
        self.kind = kind
        self.values = values


def _fold_map(text: str) -> tuple[str, list[int]]:
    """The text folded character by character (lower case, no diacritics, đ → d, blanks as
    one space each) and, for each folded character, its index in ``text``."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            folded = " "
        else:
            base = unicodedata.normalize("NFD", ch.replace("đ", "d").replace("Đ", "D"))
            folded = "".join(c for c in base if not unicodedata.combining(c)).casefold()
        out.append(folded)
        index.extend([i] * len(folded))
    return "".join(out), index


def mentions(text: str) -> bool:
    """Whether ``text`` asks for an extension (even one that cannot stand)."""
    return _REQUEST.search(_fold_map(text)[0]) is not None


def _year_for(day: int, month: int, due: date) -> date | None:
    try:
        candidate = date(due.year, month, day)
    except ValueError:
        try:
            return date(due.year + 1, month, day) if (month, day) == (2, 29) else None
        except ValueError:
            return None
    if candidate <= due:
        try:
            following = date(due.year + 1, month, day)
        except ValueError:
            return candidate
        if (following - due).days <= MAX_DAYS:
            return following
    return candidate


def _date(match: re.Match[str], due: date, text: str) -> date:
    day, month = int(match.group(1)), int(match.group(2))
    year_text = match.group(3)
    if year_text is None:
        found = _year_for(day, month, due) if 1 <= month <= 12 and 1 <= day <= 31 else None
        if found is None:
            raise ExtensionError("bad_date", text=text)
        return found
    year = int(year_text)
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        raise ExtensionError("bad_date", text=text) from None


def _task(folded: str) -> str | None:
    found = {m.group(1).lstrip("0") + (m.group(2) or "") for m in _TASK.finditer(folded)}
    return found.pop() if len(found) == 1 else None


def named_task(text: str) -> str | None:
    """The one task ``text`` names ("NV4" → "4"), or ``None`` (none, or several)."""
    return _task(_fold_map(text)[0])


def _original(text: str, index: list[int], start: int, end: int) -> str:
    """The slice of ``text`` that folded ``[start, end)`` came from."""
    if start >= end or start >= len(index):
        return ""
    return text[index[start] : index[end - 1] + 1]


def _sentence_end(folded: str, start: int) -> int:
    found = _SENTENCE_END.search(folded, start)
    return found.start() if found else len(folded)


def _reason(text: str, folded: str, index: list[int], request: re.Match[str], after: int) -> str:
    end = _sentence_end(folded, after)
    head = _REASON_HEAD.match(folded[after:end])
    start = after + (head.end() if head else 0)
    reason = _original(text, index, start, end).strip(" \t\n,;:.-–")
    if _fold_map(reason)[0].strip(" .!") in _PARTICLES:
        reason = ""  # "… đến 30/3 ạ": politeness, not a reason
    if reason:
        return " ".join(reason.split())
    sentence = max((m.end() for m in _SENTENCE_END.finditer(folded, 0, request.start())), default=0)
    before = folded[sentence : request.start()]
    if not _CAUSE.match(before):
        return ""  # what precedes is a report ("NV4: đang thực hiện, đề nghị gia hạn …"), not a reason
    tail = _REASON_TAIL.search(before)
    end = tail.start() if tail else len(before)
    prefix = re.match(r"^\s*(?:(?:nv|nhiem vu)\s*(?:so\s*)?\.?\s*\d{1,2}\s*[a-d]?(?![a-z])[\s,;/&]*(?:va\s+)?)*[\s:.)\-–,]*", before)
    begin = sentence + (prefix.end() if prefix else 0)
    return " ".join(_original(text, index, begin, sentence + end).strip(" \t\n,;:.-–").split())


def remainder(text: str) -> str:
    """``text`` without its extension request (from the asking word to the end of the
    sentence that gives the date): what else the message says, e.g. a report. ``text`` itself
    when it asks for no extension."""
    folded, index = _fold_map(text)
    request = _REQUEST.search(folded)
    if request is None:
        return text
    window = folded[request.end() :]
    dates = [m.end() for m in (_NUMERIC.search(window), _WORDS.search(window), _MORE.search(window)) if m]
    after = request.end() + (min(dates) if dates else 0)
    end = _sentence_end(folded, after)
    start = index[request.start()] if request.start() < len(index) else len(text)
    stop = index[end - 1] + 1 if 0 < end <= len(index) else len(text)
    if end >= len(folded):
        stop = len(text)
    return (text[:start] + text[stop:]).strip()


def parse(
    text: str,
    *,
    due: date,
    today: date | None = None,
    add_working_days: Callable[[date, int], date] | None = None,
) -> Request | None:
    """The extension ``text`` asks for, judged against the agency's current due date ``due``
    (and ``today``, when given); ``None`` when ``text`` asks for none. Raises
    :class:`ExtensionError` for a request that cannot stand."""
    folded, index = _fold_map(text)
    request = _REQUEST.search(folded)
    if request is None:
        return None
    window = folded[request.end() :]
    found = [(m.start(), "numeric", m) for m in [_NUMERIC.search(window)] if m]
    found += [(m.start(), "words", m) for m in [_WORDS.search(window)] if m]
    found += [(m.start(), "more", m) for m in [_MORE.search(window)] if m]
    if not found:
        raise ExtensionError("no_date", due=due)
    _, how, match = min(found, key=lambda item: item[0])
    written = _original(text, index, request.end() + match.start(), request.end() + match.end()).strip()
    if how == "more":
        days = int(match.group(1))
        if match.group(2) and add_working_days is not None:
            until = add_working_days(due, days)
        else:
            until = due + timedelta(days=days)
    else:
        until = _date(match, due, written)
    if until <= due:
        raise ExtensionError("not_after_due", until=until, due=due)
    if today is not None and until < today:
        raise ExtensionError("past", until=until, due=due)
    if (until - due).days > MAX_DAYS:
        raise ExtensionError("too_far", until=until, due=due, days=MAX_DAYS)
    after = request.end() + match.end()
    if how == "more":
        # "chậm 2 ngày, khoảng 17/12": the date that spells the days out is no reason
        spelled = _SPELLED_DATE.match(folded, after)
        after = spelled.end() if spelled else after
    reason = _reason(text, folded, index, request, after)
    return Request(until=until, task=_task(folded), reason=reason)
