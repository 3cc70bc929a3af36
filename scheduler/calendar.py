"""The Vietnamese working-day calendar of cán bộ, công chức, viên chức.

A working day is Monday–Friday minus public holidays and the government's compensatory days
off, plus the Saturdays the government declares make-up working days (DESIGN.md §3). The
``holidays`` package supplies the bulk (lunar Tết, Giỗ Tổ, swaps); ``data/calendar-vn.json``
corrects what it gets wrong, with the government notice each correction rests on. The table is
data so that an admin can add next year's notice without a release.

Semantics shared by the counting methods: ``W(x)`` is the number of working days up to and
including ``x``. ``working_days_between(a, b) == W(b) - W(a)`` and
``add_working_days(a, n)`` for ``n > 0`` is the first day ``c`` with
``working_days_between(a, c) == n``; backwards, it is the n-th working day strictly before ``a``.
"""

from __future__ import annotations

import datetime as dt
import json
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import holidays
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from common.vndate import format_date_short

DEFAULT_FILE_NAME = "calendar-vn.json"

_ONE_DAY = dt.timedelta(days=1)


class CalendarError(Exception):
    """The override file is missing or broken; ``message`` is one Vietnamese line for a user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class DayOff:
    """One calendar exception: a weekday off, or a weekend day worked (make-up)."""

    date: dt.date
    name: str
    source: Literal["holidays", "override"]
    reference: str | None = None  # the government notice, for override entries
    status: str | None = None  # "under_review" / "confirmed", for not_days_off entries
    note: str | None = None


# ---------------------------------------------------------------------------------------------
# The override file
# ---------------------------------------------------------------------------------------------


class OverrideEntry(BaseModel):
    # strict: a bare number must not slip through as a Unix timestamp, nor "2026" as a year.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    date: dt.date
    name: str = Field(min_length=1)
    source: str = Field(min_length=1)
    note: str | None = None


class NotDayOffEntry(OverrideEntry):
    status: Literal["confirmed", "under_review"] = "confirmed"
    reason: str = Field(min_length=1)


class CalendarOverrides(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)

    comment: str | None = Field(default=None, alias="_comment")
    reviewed_through: int = Field(ge=1900, le=2200)
    days_off: list[OverrideEntry] = Field(default_factory=list)
    working_days: list[OverrideEntry] = Field(default_factory=list)
    not_days_off: list[NotDayOffEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> CalendarOverrides:
        # A Saturday "day off" or a Tuesday "working day" is almost always a typo in the date;
        # accepting it would silently change nothing.
        problems: list[str] = []
        seen: dict[dt.date, str] = {}
        sections: list[tuple[str, list[OverrideEntry], bool]] = [
            ("days_off", self.days_off, True),
            ("working_days", self.working_days, False),
            ("not_days_off", list(self.not_days_off), True),
        ]
        for section, entries, must_be_weekday in sections:
            for i, entry in enumerate(entries):
                where = f"{section}[{i}].date"
                d = entry.date
                if must_be_weekday and d.weekday() >= 5:
                    problems.append(f"{where}: {format_date_short(d)} là ngày cuối tuần, vốn đã là ngày nghỉ")
                if not must_be_weekday and d.weekday() < 5:
                    problems.append(
                        f"{where}: {format_date_short(d)} là ngày trong tuần; 'working_days' chỉ dành cho "
                        "thứ Bảy/Chủ nhật làm bù (muốn bỏ một ngày nghỉ thì dùng 'not_days_off')"
                    )
                if d in seen:
                    problems.append(f"{where}: {format_date_short(d)} đã có ở {seen[d]}")
                else:
                    seen[d] = f"{section}[{i}]"
        if problems:
            raise ValueError("; ".join(problems))
        return self


_ERROR_TEXT = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được phép (sai tên trường?)",
    "date_parsing": "không phải ngày có thật dạng YYYY-MM-DD",
    "date_type": "phải là ngày dạng chuỗi \"YYYY-MM-DD\"",
    "date_from_datetime_parsing": "không phải ngày có thật dạng YYYY-MM-DD",
    "string_type": "phải là chuỗi ký tự",
    "string_too_short": "không được để trống",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "list_type": "phải là danh sách [...]",
    "model_type": "phải là đối tượng JSON {...}",
    "dict_type": "phải là đối tượng JSON {...}",
}


def _json_path(loc: Iterable[int | str]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _describe(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        text = str(ctx.get("error", error["msg"]))
    elif kind == "literal_error":
        text = f"phải là một trong: {ctx.get('expected', '')}"
    elif kind == "greater_than_equal":
        text = f"phải từ {ctx.get('ge')} trở lên"
    elif kind == "less_than_equal":
        text = f"không được lớn hơn {ctx.get('le')}"
    else:
        text = _ERROR_TEXT.get(kind, error["msg"])
    if kind in {"date_parsing", "date_type", "date_from_datetime_parsing", "int_type", "string_type"}:
        text += f" (đang là {json.dumps(error.get('input'), ensure_ascii=False)})"
    where = _json_path(error["loc"])
    return f"{where}: {text}" if where else text


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of two equal keys; in a hand-edited file that hides a mistake.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"khóa \"{key}\" xuất hiện hai lần trong cùng một đối tượng")
        result[key] = value
    return result


def parse_overrides(text: str, where: str = "Tệp lịch") -> CalendarOverrides:
    """Validate the override table; raises :class:`CalendarError` naming the broken spot."""
    try:
        json.loads(text, object_pairs_hook=_reject_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise CalendarError(
            f"{where} không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno}): {exc.msg}"
        ) from None
    except ValueError as exc:
        raise CalendarError(f"{where} không hợp lệ: {exc}") from None
    try:
        return CalendarOverrides.model_validate_json(text)
    except ValidationError as exc:
        details = "; ".join(_describe(e) for e in exc.errors()[:5])
        more = f" (và {exc.error_count() - 5} lỗi khác)" if exc.error_count() > 5 else ""
        raise CalendarError(f"{where} không hợp lệ: {details}{more}") from None


def default_calendar_path() -> Path:
    from common.paths import data_file

    return data_file(DEFAULT_FILE_NAME)


# ---------------------------------------------------------------------------------------------
# The calendar
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Year:
    days_off: tuple[DayOff, ...]  # weekdays off, sorted
    extra: tuple[DayOff, ...]  # weekend days worked, sorted
    excluded: tuple[DayOff, ...]  # package holidays the override table cancels
    working: list[dt.date]  # every working day of the year, sorted: for bisect
    working_set: frozenset[dt.date]


class WorkingCalendar:
    """Working days of Vietnamese civil servants. Build with :meth:`load`."""

    def __init__(self, overrides: CalendarOverrides, path: Path | None = None) -> None:
        self.overrides = overrides
        self.path = path
        self._days_off = _by_year(overrides.days_off)
        self._working_days = _by_year(overrides.working_days)
        self._not_days_off = _by_year(overrides.not_days_off)
        self._years: dict[int, _Year] = {}

    @classmethod
    def load(cls, path: Path | None = None) -> WorkingCalendar:
        """Read and validate the override table (default: ``data/calendar-vn.json``)."""
        path = Path(path) if path is not None else default_calendar_path()
        where = f"Tệp lịch {path}"
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CalendarError(f"Không tìm thấy tệp lịch {path}") from None
        except UnicodeDecodeError:
            raise CalendarError(f"{where} không phải văn bản UTF-8") from None
        except OSError as exc:
            raise CalendarError(f"Không đọc được tệp lịch {path}: {exc.strerror or exc}") from None
        return cls(parse_overrides(text, where), path)

    # -- facts per year ------------------------------------------------------------------------

    @property
    def reviewed_through(self) -> int:
        return self.overrides.reviewed_through

    def is_estimated(self, year: int) -> bool:
        """True when no one has checked ``year`` against the government's notices."""
        return year > self.overrides.reviewed_through

    def days_off(self, year: int) -> list[DayOff]:
        """Non-working weekdays of ``year``, sorted."""
        return list(self._year(year).days_off)

    def extra_working_days(self, year: int) -> list[DayOff]:
        """Saturdays/Sundays of ``year`` declared working days (make-up days), sorted."""
        return list(self._year(year).extra)

    def not_days_off(self, year: int) -> list[DayOff]:
        """Days the ``holidays`` package lists for ``year`` that the override table cancels."""
        return list(self._year(year).excluded)

    # -- day arithmetic ------------------------------------------------------------------------

    def is_working_day(self, d: dt.date) -> bool:
        year = self._years.get(d.year) or self._year(d.year)
        return d in year.working_set

    def next_working_day(self, d: dt.date) -> dt.date:
        """``d`` itself if it is a working day, else the first working day after it."""
        year = self._year(d.year)
        index = bisect_left(year.working, d)
        if index < len(year.working):
            return year.working[index]
        return self._year(d.year + 1).working[0]

    def previous_working_day(self, d: dt.date) -> dt.date:
        """``d`` itself if it is a working day, else the last working day before it."""
        year = self._year(d.year)
        index = bisect_right(year.working, d)
        if index:
            return year.working[index - 1]
        return self._year(d.year - 1).working[-1]

    def add_working_days(self, d: dt.date, n: int) -> dt.date:
        """The n-th working day after ``d`` (n > 0) or before it (n < 0); ``d`` is not counted."""
        if n == 0:
            return d
        year_no = d.year
        year = self._year(year_no)
        if n > 0:
            index = bisect_right(year.working, d)  # first working day after d
            remaining = n
            while remaining > len(year.working) - index:
                remaining -= len(year.working) - index
                year_no += 1
                year = self._year(year_no)
                index = 0
            return year.working[index + remaining - 1]
        index = bisect_left(year.working, d)  # working days before d in its year
        remaining = -n
        while remaining > index:
            remaining -= index
            year_no -= 1
            year = self._year(year_no)
            index = len(year.working)
        return year.working[index - remaining]

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days in (a, b] when b > a; minus those in (b, a] when b < a.

        So from today to the due date it counts the days left including the due date, and
        from the due date to today the working days overdue.
        """
        if a == b:
            return 0
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        count = self._rank(b) - self._rank(a)
        for year_no in range(a.year, b.year):
            count += len(self._year(year_no).working)
        return sign * count

    def _rank(self, d: dt.date) -> int:
        return bisect_right(self._year(d.year).working, d)

    # -- building a year -----------------------------------------------------------------------

    def _year(self, year_no: int) -> _Year:
        year = self._years.get(year_no)
        if year is None:
            year = self._years[year_no] = self._build_year(year_no)
        return year

    def _build_year(self, year_no: int) -> _Year:
        package = holidays.VN(years=year_no, language="vi")
        off: dict[dt.date, DayOff] = {
            d: DayOff(d, name, "holidays")
            for d, name in package.items()
            if d.year == year_no and d.weekday() < 5
        }
        # Newer releases of the package know some make-up Saturdays; older ones none. The set
        # also carries swaps of neighbouring years, hence the year filter.
        extra: dict[dt.date, DayOff] = {
            d: DayOff(d, _make_up_name(d, package), "holidays")
            for d in getattr(package, "weekend_workdays", ())
            if d.year == year_no and d.weekday() >= 5
        }
        excluded: list[DayOff] = []
        for entry in self._not_days_off.get(year_no, ()):
            off.pop(entry.date, None)
            excluded.append(
                DayOff(entry.date, entry.name, "override", entry.source, entry.status, entry.reason)
            )
        for entry in self._days_off.get(year_no, ()):
            off[entry.date] = DayOff(entry.date, entry.name, "override", entry.source, None, entry.note)
        for entry in self._working_days.get(year_no, ()):
            extra[entry.date] = DayOff(entry.date, entry.name, "override", entry.source, None, entry.note)

        working: list[dt.date] = []
        d = dt.date(year_no, 1, 1)
        end = dt.date(year_no, 12, 31)
        while d <= end:
            if (d.weekday() < 5 and d not in off) or d in extra:
                working.append(d)
            d += _ONE_DAY
        return _Year(
            days_off=tuple(off[d] for d in sorted(off)),
            extra=tuple(extra[d] for d in sorted(extra)),
            excluded=tuple(sorted(excluded, key=lambda x: x.date)),
            working=working,
            working_set=frozenset(working),
        )


E = TypeVar("E", bound=OverrideEntry)


def _by_year(entries: Iterable[E]) -> dict[int, list[E]]:
    result: dict[int, list[E]] = {}
    for entry in entries:
        result.setdefault(entry.date.year, []).append(entry)
    return result


def _make_up_name(d: dt.date, package: holidays.HolidayBase) -> str:
    # The package names the swapped weekday "Ngày nghỉ (thay cho ngày 04/05/2024)"; find it to
    # say which day this Saturday pays back.
    marker = format_date_short(d)
    for other, name in sorted(package.items()):
        if marker in name:
            return f"Làm bù cho ngày nghỉ {format_date_short(other)}"
    return "Ngày làm việc bù"
