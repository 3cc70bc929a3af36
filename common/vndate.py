"""Vietnamese administrative date style.

Official documents write "ngày 15 tháng 3 năm 2024"; Babel's built-in ``vi`` formats do not
produce that, so the patterns are explicit (DESIGN.md §7) and pinned by tests.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from babel.dates import format_date

_LOCALE = "vi"
_ADMIN_PATTERN = "'ngày' d 'tháng' M 'năm' y"
_FULL_PATTERN = "EEEE, " + _ADMIN_PATTERN


# Deadline tables format the same few hundred dates thousands of times; Babel re-parses the
# pattern and looks up the locale on every call.
@lru_cache(maxsize=8192)
def format_date_vi(d: date, *, weekday: bool = True) -> str:
    """"Thứ Sáu, ngày 15 tháng 3 năm 2024" (or "ngày 15 tháng 3 năm 2024" without weekday)."""
    return format_date(d, _FULL_PATTERN if weekday else _ADMIN_PATTERN, locale=_LOCALE)


@lru_cache(maxsize=7)
def _weekday_name(weekday: int) -> str:
    # 2024-01-01 is a Monday, so day 1 + weekday has the wanted weekday.
    return format_date(date(2024, 1, 1 + weekday), "EEEE", locale=_LOCALE)


def weekday_vi(d: date) -> str:
    """"Thứ Hai" … "Thứ Bảy", "Chủ Nhật"."""
    return _weekday_name(d.weekday())


def format_date_short(d: date) -> str:
    """"15/03/2024": the compact form used in tables and chat buttons."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}"
