"""Time frames ("Thường xuyên", "Năm 2024 và các năm tiếp theo", "Quý II/2025") and the
reporting clause ("định kỳ quý I, 06 tháng, 09 tháng, năm báo cáo …", "báo cáo 6 tháng trước
ngày 15/6") in the plan model's terms."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from common.periods import PERIOD_NAMES, code_order
from common.text import fold


@dataclass
class Frame:
    kind: str  # a scheduler.plan.TimeFrameKind value
    year: int | None
    text: str | None
    exact: bool  # False: the text says more than the model keeps (a day, a quarter) or nothing usable


def time_frame(text: str | None, plan_year: int) -> Frame:
    if not text or not text.strip():
        return Frame("unstated", None, None, False)
    shown = text.strip().rstrip(".;")
    shown = shown[0].upper() + shown[1:]
    folded = fold(text)
    years = [int(y) for y in re.findall(r"(?<!\d)(20\d\d|19\d\d)(?!\d)", folded)]
    if re.search(r"thuong xuyen|hang nam|hàng năm|hang quy|hang thang|lien tuc", folded):
        return Frame("ongoing", None, shown, True)
    if years and re.search(r"(?:va )?cac nam tiep theo|tro di|nhung nam tiep theo", folded):
        return Frame("from_year", years[0], shown, True)
    if len(set(years)) > 1:
        # "2024 - 2025", "giai đoạn 2024-2026": from the first year to the plan's end.
        return Frame("from_year", min(years), shown, False)
    if years:
        exact = bool(re.fullmatch(r"(?:trong\s+)?nam\s+\d{4}", folded))
        return Frame("year_only", years[0], shown, exact)
    if re.search(r"quy|thang|truoc ngay|ngay \d", folded):
        return Frame("year_only", plan_year, shown, False)  # "Quý II", "trước 30/6": the plan's year
    return Frame("unstated", None, shown, False)


# --- the reporting clause -------------------------------------------------------------------

# The seed's defaults (Nghị định 09/2019/NĐ-CP Art. 12; 9 months by custom): cut-off from
# 15/12 of the year before (a quarter: the 15th of the month before it; the second half-year:
# 15/6) to the 14th of the period's last month; due the 15th of that month.
_LAST_MONTH = {"Q1": 3, "Q2": 6, "Q3": 9, "Q4": 12, "H1": 6, "H2": 12, "9M": 9, "FY": 12}


def default_period(code: str, due: tuple[int, int] | None = None) -> dict[str, Any]:
    """The period ``code`` due on ``due`` (month, day). A due month before the period's last
    month is of the year after ("năm … trước ngày 10/01 năm sau"): the data then cover the
    whole calendar year (or period) and the due date has ``next_year``."""
    last = _LAST_MONTH[code]
    month, day = due if due else (last, 15)
    if month < last - 2 and code in ("Q4", "H2", "FY"):
        first = {"Q4": 10, "H2": 7, "FY": 1}[code]
        return {
            "code": code,
            "name": PERIOD_NAMES[code],
            "cutoff_from": {"month": first, "day": 1},
            "cutoff_to": {"month": 12, "day": 31},
            "due": {"month": month, "day": day, "next_year": True},
        }
    end = dt.date(2023, month, day) - dt.timedelta(days=1)
    if code in ("Q2", "Q3", "Q4"):
        start: dict[str, Any] = {"month": last - 3, "day": 15}
    elif code == "H2":
        start = {"month": 6, "day": 15}
    else:
        start = {"month": 12, "day": 15, "previous_year": True}
    return {
        "code": code,
        "name": PERIOD_NAMES[code],
        "cutoff_from": start,
        "cutoff_to": {"month": end.month, "day": end.day},
        "due": {"month": month, "day": day},
    }


def monthly_period(month: int, day: int) -> dict[str, Any]:
    """Month ``month`` reported "trước ngày ``day`` hằng tháng". A day after the 14th: the
    data from the 15th of the month before to the 14th (Nghị định 09/2019/NĐ-CP, Art. 12),
    due that day of the month; an earlier day ("trước ngày 5 hằng tháng"): the whole month,
    due that day of the month after."""
    code = f"M{month:02d}"
    if day > 14:
        start: dict[str, Any] = {"month": 12, "day": 15, "previous_year": True} if month == 1 else {"month": month - 1, "day": 15}
        return {"code": code, "name": PERIOD_NAMES[code], "cutoff_from": start,
                "cutoff_to": {"month": month, "day": 14}, "due": {"month": month, "day": day}}
    last_day = (dt.date(2023, month % 12 + 1, 1) - dt.timedelta(days=1)).day if month < 12 else 31
    due: dict[str, Any] = {"month": month % 12 + 1, "day": day}
    if month == 12:
        due["next_year"] = True
    return {"code": code, "name": PERIOD_NAMES[code], "cutoff_from": {"month": month, "day": 1},
            "cutoff_to": {"month": month, "day": last_day}, "due": due}


@dataclass
class Reporting:
    periods: list[dict[str, Any]]
    text: str | None
    recipient_text: str | None
    doubts: list[tuple[str, str]] = field(default_factory=list)  # (choice, reason)


# Period words in a clause (folded), in the order tried.
_PERIOD_WORDS = [
    (r"hang quy|moi quy|dinh ky quy(?! i\b)|tung quy\b", "quarters"),
    (r"hang thang|moi thang|dinh ky thang|truoc ngay \d+ hang thang|bao cao thang\b(?! \d)", "months"),
    (r"quy (?:i|1)\b(?!i)", "Q1"),
    (r"quy (?:ii|2)\b(?!i)", "Q2"),
    (r"quy (?:iii|3)\b", "Q3"),
    (r"quy (?:iv|4)\b", "Q4"),
    (r"\b0?6 thang cuoi nam|sau thang cuoi nam", "H2"),
    (r"\b0?6 thang(?: dau nam)?|sau thang(?: dau nam)?|nua nam|so ket", "H1"),
    (r"\b0?9 thang(?: dau nam)?|chin thang", "9M"),
    (r"\bnam\b(?! \d)(?! hoc)(?! sau\b)(?! tiep theo)|hang nam|ca nam|tong ket|\bnam \d{4}", "FY"),
]
_DATE = re.compile(r"(?:truoc |cham nhat |truoc ngay |ngay |(?<=\d) va )(?:ngay )?(\d{1,2})\s*(?:/|thang\s+)(\d{1,2})\b")
_DAY_OF_MONTH = re.compile(r"ngay (\d{1,2}) (?:hang thang|cua thang cuoi (?:quy|ky))")


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<=[;.])\s+|\n", text) if c.strip()]


def _is_reporting(folded: str) -> bool:
    return "bao cao" in folded and bool(
        re.search(r"dinh ky|truoc ngay|hang (?:quy|thang|nam)|quy i|0?6 thang|0?9 thang|cham nhat", folded)
    )


def reporting_clause(places: list[list[str]]) -> Reporting:
    """The plan's reporting periods from the first group of paragraphs (most likely first:
    "Tổ chức thực hiện", then the rest) that has a reporting clause."""
    for paragraphs in places:
        for paragraph in paragraphs:
            for clause in _clauses(paragraph):
                folded = fold(clause)
                if _is_reporting(folded):
                    found = _periods(clause, folded)
                    if found is not None:
                        return found
    periods = [default_period(c) for c in ("Q1", "H1", "9M", "FY")]
    return Reporting(
        periods,
        None,
        None,
        [("Kỳ báo cáo tạm đặt quý I, 06 tháng, 09 tháng, năm (như kế hoạch 124-KH/BCSĐ)",
          "Không tìm thấy câu quy định chế độ báo cáo trong văn bản")],
    )


def _periods(clause: str, folded: str) -> Reporting | None:
    mentions: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern, code in _PERIOD_WORDS:
        for match in re.finditer(pattern, folded):
            span = match.span()
            if any(a < span[1] and span[0] < b for a, b in taken):
                continue
            taken.append(span)
            mentions.append((span[0], code))
    mentions.sort()
    if not mentions:
        return None
    doubts: list[tuple[str, str]] = []
    codes: list[str] = []
    monthly = False
    for _, code in mentions:
        if code == "quarters":
            codes += ["Q1", "Q2", "Q3", "Q4"]
        elif code == "months":
            monthly = True
        else:
            codes.append(code)
    named = [m for m in mentions if m[1] not in ("quarters", "months")]
    dates = [(m.start(), (int(m.group(2)), int(m.group(1)))) for m in _DATE.finditer(folded)]
    if [c for _, c in named] == ["H1"] and len(dates) == 2 and dates[1][1][0] > 6:
        # "báo cáo 6 tháng … trước ngày 15/6 và 15/12": the two half-years.
        codes.append("H2")
        named.append((dates[1][0], "H2"))
    codes = sorted(dict.fromkeys(codes), key=code_order)
    dues: dict[str, tuple[int, int]] = {}
    day_of_month = _DAY_OF_MONTH.search(folded)
    if dates and len(dates) == len(named):
        for (_, code), (_, due) in zip(named, dates):
            dues[code] = due
    elif len(dates) == 1 and len(codes) == 1:
        dues[codes[0]] = dates[0][1]
    elif dates and codes:
        doubts.append((
            "Hạn gửi theo mặc định (ngày 15 tháng cuối kỳ)",
            f"Không ghép được các ngày trong câu \"{clause}\" với từng kỳ báo cáo",
        ))
    if day_of_month:
        day = int(day_of_month.group(1))
        for code in codes:
            dues.setdefault(code, (_LAST_MONTH[code], day))
    periods = []
    if monthly:
        day = int(day_of_month.group(1)) if day_of_month else 15
        if not 1 <= day <= 28:
            doubts.append((f"Báo cáo hằng tháng: hạn để mặc định ngày 15", f"Ngày {day} không có ở mọi tháng"))
            day = 15
        periods += [monthly_period(month, day) for month in range(1, 13)]
        window = "từ ngày 15 tháng trước đến ngày 14" if day > 14 else "cả tháng, hạn sang tháng sau"
        doubts.append((
            f"Báo cáo hằng tháng: 12 kỳ tháng (M01–M12), hạn ngày {day}, số liệu {window}",
            "Văn bản nêu hạn gửi, không nêu ngày chốt số liệu (Nghị định 09/2019/NĐ-CP, Điều 12)"
            if day_of_month else "Văn bản không nêu ngày gửi báo cáo tháng",
        ))
    for code in codes:
        due = dues.get(code)
        if due is not None:
            try:
                dt.date(2023, due[0], due[1])
                period = default_period(code, due)
                next_year = bool(period["due"].get("next_year"))
                if not next_year and (due[0] < _LAST_MONTH[code] - 2 or due[0] > _LAST_MONTH[code]):
                    raise ValueError
            except ValueError:
                doubts.append((
                    f"Kỳ {PERIOD_NAMES[code]}: hạn gửi để mặc định ngày 15/{_LAST_MONTH[code]}",
                    f"Hạn {due[1]}/{due[0]} nằm ngoài kỳ — mô hình chưa biểu diễn được",
                ))
                period = default_period(code)
            else:
                if next_year:
                    start = period["cutoff_from"]
                    doubts.append((
                        f"Kỳ {PERIOD_NAMES[code]}: hạn {due[1]:02d}/{due[0]:02d} năm sau; số liệu từ "
                        f"{start['day']:02d}/{start['month']:02d} đến 31/12 của năm báo cáo",
                        "Văn bản nêu hạn gửi sang năm sau, không nêu ngày chốt số liệu",
                    ))
        else:
            period = default_period(code)
        periods.append(period)
    if not dues and not day_of_month and codes:
        doubts.append((
            "Chốt số liệu và hạn gửi theo mặc định của kế hoạch 124-KH/BCSĐ (Nghị định 09/2019/NĐ-CP Điều 12; hạn ngày 15 tháng cuối kỳ)",
            "Văn bản chỉ nêu kỳ báo cáo, không nêu ngày",
        ))
    recipient = re.search(
        r"(?:gửi về|gửi|về|cho)\s+((?:UBND|Ủy ban|Uỷ ban|Sở|Ban|Văn phòng|Thường trực)\b[^.;,]*?)"
        r"(?:\s+(?:để|trước|chậm nhất|định kỳ)\b|[.;,]|$)",
        clause,
    )
    return Reporting(periods, clause, recipient.group(1).strip(" ,") if recipient else None, doubts)
