"""The working-day calendar against the government's official lists (DESIGN.md §3)."""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.calendar import CalendarError, WorkingCalendar
from common.vndate import format_date_vi, weekday_vi

CALENDAR_FILE = Path(__file__).resolve().parents[2] / "data" / "calendar-vn.json"


def d(text: str) -> date:
    return date.fromisoformat(text)


def ds(*texts: str) -> list[date]:
    return [d(t) for t in texts]


OFFICIAL_DAYS_OFF = {
    2024: ds(
        "2024-01-01",
        "2024-02-08", "2024-02-09", "2024-02-12", "2024-02-13", "2024-02-14",
        "2024-04-18",
        "2024-04-29", "2024-04-30", "2024-05-01",
        "2024-09-02", "2024-09-03",
    ),
    2025: ds(
        "2025-01-01",
        "2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31",
        "2025-04-07",
        "2025-04-30", "2025-05-01", "2025-05-02",
        "2025-09-01", "2025-09-02",
    ),
    2026: ds(
        "2026-01-01", "2026-01-02",
        "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20",
        "2026-04-27",
        "2026-04-30", "2026-05-01",
        "2026-08-31", "2026-09-01", "2026-09-02",
    ),
}  # fmt: skip

MAKE_UP_SATURDAYS = {
    2024: ds("2024-05-04"),
    2025: ds("2025-04-26"),
    2026: ds("2026-01-10", "2026-08-22"),
}


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar.load(CALENDAR_FILE)


# -- the official lists ------------------------------------------------------------------------


@pytest.mark.parametrize("year", sorted(OFFICIAL_DAYS_OFF))
def test_days_off_match_official_list_exactly(cal: WorkingCalendar, year: int) -> None:
    assert [x.date for x in cal.days_off(year)] == OFFICIAL_DAYS_OFF[year]


@pytest.mark.parametrize("year", sorted(MAKE_UP_SATURDAYS))
def test_make_up_saturdays(cal: WorkingCalendar, year: int) -> None:
    assert [x.date for x in cal.extra_working_days(year)] == MAKE_UP_SATURDAYS[year]
    for day in MAKE_UP_SATURDAYS[year]:
        assert day.weekday() == 5
        assert cal.is_working_day(day)


@pytest.mark.parametrize("year", sorted(OFFICIAL_DAYS_OFF))
def test_is_working_day_agrees_with_the_lists_all_year(cal: WorkingCalendar, year: int) -> None:
    off = set(OFFICIAL_DAYS_OFF[year])
    extra = set(MAKE_UP_SATURDAYS[year])
    day = date(year, 1, 1)
    while day.year == year:
        expected = (day.weekday() < 5 and day not in off) or day in extra
        assert cal.is_working_day(day) is expected, day
        day += timedelta(days=1)


def test_package_gaps_are_corrected(cal: WorkingCalendar) -> None:
    jan2 = next(x for x in cal.days_off(2026) if x.date == d("2026-01-02"))
    assert jan2.source == "override"
    assert jan2.reference  # every correction says which notice it rests on
    assert cal.is_working_day(d("2026-01-10"))
    # Ngày Văn hóa Việt Nam: listed by holidays.VN, not (yet) an official day off.
    assert cal.is_working_day(d("2026-11-24"))
    (culture,) = cal.not_days_off(2026)
    assert culture.date == d("2026-11-24")
    assert culture.status == "under_review"
    assert "Bộ luật Lao động" in (culture.note or "")


def test_names_are_vietnamese_with_diacritics(cal: WorkingCalendar) -> None:
    names = {x.date: x.name for x in cal.days_off(2024)}
    assert names[d("2024-01-01")] == "Tết Dương lịch"
    assert names[d("2024-04-18")] == "Ngày Giỗ Tổ Hùng Vương"
    assert names[d("2024-09-02")] == "Quốc khánh"
    assert "Tết Nguyên Đán" in names[d("2024-02-09")]
    assert "Tết Dương lịch" in next(x.name for x in cal.days_off(2026) if x.date == d("2026-01-02"))
    assert all(x.name.strip() for y in (2024, 2025, 2026) for x in cal.days_off(y) + cal.extra_working_days(y))


def test_days_off_are_weekdays_and_sorted(cal: WorkingCalendar) -> None:
    for year in range(2020, 2031):
        dates = [x.date for x in cal.days_off(year)]
        assert dates == sorted(dates)
        assert all(x.weekday() < 5 and x.year == year for x in dates)
        assert all(x.date.weekday() >= 5 for x in cal.extra_working_days(year))


def test_estimated_years(cal: WorkingCalendar) -> None:
    assert cal.reviewed_through == 2026
    assert not cal.is_estimated(2024)
    assert not cal.is_estimated(2026)
    assert cal.is_estimated(2027)


# -- day arithmetic ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2024-06-15", "2024-06-17"),  # Saturday → Monday
        ("2024-09-15", "2024-09-16"),
        ("2024-12-15", "2024-12-16"),
        ("2024-03-15", "2024-03-15"),  # already a working day
        ("2024-02-08", "2024-02-15"),  # Tết
        ("2024-08-31", "2024-09-04"),  # Quốc khánh 2–3/9
        ("2025-12-31", "2025-12-31"),
        ("2026-01-01", "2026-01-05"),  # the day holidays.VN misses
        ("2022-12-31", "2023-01-03"),  # across the year boundary, 2/1/2023 off for Sunday 1/1
    ],
)
def test_next_working_day(cal: WorkingCalendar, start: str, expected: str) -> None:
    assert cal.next_working_day(d(start)) == d(expected)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2024-02-14", "2024-02-07"),
        ("2026-01-04", "2025-12-31"),
        ("2024-03-15", "2024-03-15"),
        ("2026-01-11", "2026-01-10"),
    ],
)
def test_previous_working_day(cal: WorkingCalendar, start: str, expected: str) -> None:
    assert cal.previous_working_day(d(start)) == d(expected)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2024-03-15", 5, "2024-03-22"),
        ("2024-03-15", 3, "2024-03-20"),
        ("2024-03-15", -7, "2024-03-06"),
        ("2024-03-15", 0, "2024-03-15"),
        ("2024-03-16", 0, "2024-03-16"),  # n=0 never moves, even off a Saturday
        ("2024-02-07", 1, "2024-02-15"),  # across Tết 2024
        ("2024-02-15", -1, "2024-02-07"),
        ("2024-04-26", 2, "2024-05-03"),  # 29/4–1/5 off
        ("2024-05-03", 1, "2024-05-04"),  # the make-up Saturday counts
        ("2026-01-09", 1, "2026-01-10"),
        ("2025-12-31", 1, "2026-01-05"),  # across the year boundary
        ("2026-01-05", -1, "2025-12-31"),
        ("2024-06-15", 1, "2024-06-17"),  # from a Saturday
        ("2024-06-16", -1, "2024-06-14"),  # backwards from a Sunday
        ("2024-12-16", 250, "2025-12-16"),  # 11 left in 2024, then the 239th of 2025's 250
        ("2025-12-16", -250, "2024-12-16"),
    ],
)
def test_add_working_days(cal: WorkingCalendar, start: str, n: int, expected: str) -> None:
    assert cal.add_working_days(d(start), n) == d(expected)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("2024-03-15", "2024-03-22", 5),
        ("2024-03-22", "2024-03-15", -5),
        ("2024-03-15", "2024-03-15", 0),
        ("2024-03-15", "2024-03-16", 0),  # Saturday: no working day passed
        ("2024-03-15", "2024-03-18", 1),
        ("2024-02-07", "2024-02-15", 1),  # Tết
        ("2024-03-20", "2024-03-18", -2),  # overdue since Monday, today Wednesday
        ("2024-12-31", "2025-12-31", 250),  # 261 weekdays − 12 off + Saturday 26/4
    ],
)
def test_working_days_between(cal: WorkingCalendar, a: str, b: str, expected: int) -> None:
    assert cal.working_days_between(d(a), d(b)) == expected


def _slow_add(cal: WorkingCalendar, start: date, n: int) -> date:
    step = timedelta(days=1 if n > 0 else -1)
    day, left = start, abs(n)
    while left:
        day += step
        if cal.is_working_day(day):
            left -= 1
    return day


days = st.dates(min_value=date(2022, 1, 1), max_value=date(2028, 12, 31))


@settings(max_examples=300, deadline=None)
@given(start=days, n=st.integers(min_value=-300, max_value=300))
def test_add_working_days_agrees_with_counting_day_by_day(cal: WorkingCalendar, start: date, n: int) -> None:
    result = cal.add_working_days(start, n)
    assert result == _slow_add(cal, start, n)
    if n != 0:
        assert cal.is_working_day(result)
    if n > 0 or cal.is_working_day(start):
        assert cal.working_days_between(start, result) == n


@settings(max_examples=300, deadline=None)
@given(a=days, b=days, c=days)
def test_working_days_between_is_a_difference(cal: WorkingCalendar, a: date, b: date, c: date) -> None:
    assert cal.working_days_between(a, b) == -cal.working_days_between(b, a)
    assert cal.working_days_between(a, b) + cal.working_days_between(b, c) == cal.working_days_between(a, c)


def test_fast_enough_for_the_deadline_engine(cal: WorkingCalendar) -> None:
    # 500 tasks × 2000 agencies reuse a handful of dates; a million calls must stay cheap.
    start = time.perf_counter()
    base = date(2024, 3, 15)
    for i in range(200_000):
        day = base + timedelta(days=i % 400)
        cal.is_working_day(day)
        if i % 10 == 0:
            cal.add_working_days(cal.next_working_day(day), 5)
            cal.working_days_between(base, day)
    assert time.perf_counter() - start < 5


# -- Vietnamese dates --------------------------------------------------------------------------


def test_format_date_vi() -> None:
    assert format_date_vi(d("2024-03-15")) == "Thứ Sáu, ngày 15 tháng 3 năm 2024"
    assert format_date_vi(d("2024-01-01")) == "Thứ Hai, ngày 1 tháng 1 năm 2024"
    assert format_date_vi(d("2024-03-15"), weekday=False) == "ngày 15 tháng 3 năm 2024"
    assert [weekday_vi(d("2024-03-11")) for _ in range(1)] == ["Thứ Hai"]
    assert [weekday_vi(d("2024-03-11") + timedelta(days=i)) for i in range(7)] == [
        "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật",
    ]  # fmt: skip


# -- broken override files ---------------------------------------------------------------------

VALID = json.loads(CALENDAR_FILE.read_text(encoding="utf-8"))


def _write(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "calendar-vn.json"
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


def _with(section: str, index: int, **changes: object) -> dict:
    data = json.loads(json.dumps(VALID))
    data[section][index].update(changes)
    return data


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ('{"reviewed_through": 2026,', "dòng 1"),
        (_with("days_off", 0, date="2026-02-30"), "days_off[0].date"),
        (_with("days_off", 0, date="02/01/2026"), "days_off[0].date"),
        (_with("days_off", 0, date=20260102), "days_off[0].date"),
        (_with("working_days", 1, dat="2025-04-26"), "working_days[1].dat"),
        (_with("working_days", 2, name=5), "working_days[2].name"),
        (_with("not_days_off", 0, status="maybe"), "not_days_off[0].status"),
        ({**VALID, "reviewed_through": "2026"}, "reviewed_through"),
        ({**VALID, "days_of": []}, "days_of"),
        ({**VALID, "days_off": {"date": "2026-01-02"}}, "days_off"),
        (_with("days_off", 0, date="2026-01-03"), "days_off[0].date"),  # a Saturday
        (_with("working_days", 0, date="2024-05-03"), "working_days[0].date"),  # a Friday
        ('{"reviewed_through": 2026, "reviewed_through": 2027}', "reviewed_through"),
        ("[]", "đối tượng"),
    ],
)
def test_broken_override_file_names_the_spot(tmp_path: Path, content: object, where: str) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(CalendarError) as info:
        WorkingCalendar.load(path)
    message = info.value.message
    assert where in message
    assert str(path) in message
    assert "\n" not in message and "Traceback" not in message


def test_missing_override_file(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match="Không tìm thấy"):
        WorkingCalendar.load(tmp_path / "nope.json")


def test_admin_can_extend_the_table(tmp_path: Path) -> None:
    data = json.loads(json.dumps(VALID))
    data["reviewed_through"] = 2027
    data["days_off"].append({"date": "2027-02-11", "name": "Nghỉ Tết Nguyên Đán", "source": "Thông báo thử"})
    data["not_days_off"].append(
        {"date": "2027-11-24", "name": "Ngày Văn hóa Việt Nam", "source": "thử", "reason": "chưa có văn bản"}
    )
    cal = WorkingCalendar.load(_write(tmp_path, data))
    assert not cal.is_estimated(2027)
    assert not cal.is_working_day(d("2027-02-11"))
    assert cal.is_working_day(d("2027-11-24"))
    assert cal.not_days_off(2027)[0].status == "confirmed"


def test_bundled_file_is_documented() -> None:
    assert VALID["_comment"]
    assert VALID["reviewed_through"] == 2026
    for section in ("days_off", "working_days", "not_days_off"):
        for entry in VALID[section]:
            assert entry["name"] and entry["source"]


# -- the command -------------------------------------------------------------------------------

EXPECTED_2026 = {
    "year": 2026,
    "days_off": [
        {"date": "2026-01-01", "name": "Tết Dương lịch"},
        {"date": "2026-01-02", "name": "Nghỉ Tết Dương lịch (hoán đổi, làm bù thứ Bảy 10/01/2026)"},
        {"date": "2026-02-16", "name": "Giao thừa Tết Nguyên Đán"},
        {"date": "2026-02-17", "name": "Tết Nguyên Đán"},
        {"date": "2026-02-18", "name": "Mùng hai Tết Nguyên Đán"},
        {"date": "2026-02-19", "name": "Mùng ba Tết Nguyên Đán"},
        {"date": "2026-02-20", "name": "Mùng bốn Tết Nguyên Đán"},
        {"date": "2026-04-27", "name": "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"},
        {"date": "2026-04-30", "name": "Ngày Chiến thắng"},
        {"date": "2026-05-01", "name": "Ngày Quốc tế Lao động"},
        {"date": "2026-08-31", "name": "Ngày nghỉ (thay cho ngày 22/08/2026)"},
        {"date": "2026-09-01", "name": "Quốc khánh"},
        {"date": "2026-09-02", "name": "Quốc khánh"},
    ],
    "working_days": ["2026-01-10", "2026-08-22"],
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    # The command must read the file the settings name, not whatever ./data holds.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BAOCAO_CALENDAR_PATH", str(CALENDAR_FILE))
    return tmp_path


@pytest.fixture
def main():
    from baocao.cli import main

    return main


def test_cli_json(env: Path, main, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calendar", "--year", "2026", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {k: out[k] for k in ("year", "days_off", "working_days")} == EXPECTED_2026
    assert out["estimated"] is False
    assert out["not_days_off"][0]["date"] == "2026-11-24"


def test_cli_text(env: Path, main, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calendar", "--year", "2026"]) == 0
    out = capsys.readouterr().out
    assert "Thứ Sáu, ngày 2 tháng 1 năm 2026" in out
    assert "Thứ Năm, ngày 1 tháng 1 năm 2026 — Tết Dương lịch" in out
    assert "Thứ Bảy, ngày 10 tháng 1 năm 2026" in out
    assert "ước tính" not in out


def test_cli_text_estimated_year(env: Path, main, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calendar", "--year", "2027"]) == 0
    assert "ước tính" in capsys.readouterr().out


def test_cli_default_year_is_local(env: Path, main, capsys: pytest.CaptureFixture[str]) -> None:
    # 17:30 UTC on 31/12/2024 is already 1/1/2025 in Việt Nam.
    assert main(["--now", "2024-12-31T17:30:00+00:00", "calendar", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["year"] == 2025


@pytest.mark.parametrize("year", ["1899", "2201"])
def test_cli_year_out_of_range(env: Path, main, capsys: pytest.CaptureFixture[str], year: str) -> None:
    assert main(["calendar", "--year", year]) == 2
    err = capsys.readouterr().err
    assert "1900" in err and "Traceback" not in err


def test_cli_broken_file(env: Path, main, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    broken = _write(env, _with("days_off", 0, date="2026-02-30"))
    monkeypatch.setenv("BAOCAO_CALENDAR_PATH", str(broken))
    assert main(["calendar", "--year", "2026"]) == 2
    err = capsys.readouterr().err
    assert "days_off[0].date" in err and "Traceback" not in err


def _import_command_module():
    try:
        from baocao.commands import calendar

        return calendar
    except ImportError:  # pragma: no cover - a sibling command module is not written yet
        import importlib.util

        import baocao

        file = Path(baocao.__file__).parent / "commands" / "calendar.py"
        spec = importlib.util.spec_from_file_location("_baocao_calendar_command", file)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


def test_command_module_on_its_own(capsys: pytest.CaptureFixture[str]) -> None:
    # Runs even when sibling command modules are missing: the parser and handler alone.
    from baocao.context import Context
    from common.clock import FixedClock
    from baocao.config import Settings

    command = _import_command_module()

    parser = argparse.ArgumentParser()
    command.register(parser.add_subparsers())
    args = parser.parse_args(["calendar", "--year", "2024"])
    ctx = Context(settings=Settings(calendar_path=CALENDAR_FILE), clock=FixedClock(datetime(2024, 1, 1, tzinfo=UTC)))
    assert args.func(args, ctx) == 0
    out = capsys.readouterr().out
    assert "Thứ Hai, ngày 1 tháng 1 năm 2024 — Tết Dương lịch" in out
    assert "Thứ Bảy, ngày 4 tháng 5 năm 2024" in out
