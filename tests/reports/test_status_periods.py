"""Periods asked for by a coordinator, checked against the plan's force."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from common.paths import BUNDLED_DATA_DIR
from reports.status import PeriodError, default_period, parse_period
from scheduler.calendar import WorkingCalendar
from scheduler.plan import load_plan

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "periods"
MID_YEAR = load_plan(FIXTURES / "plan-2024-2025.json")
FIVE_YEARS = load_plan(FIXTURES / "plan-2026-2030.json")
CAL = WorkingCalendar.load(BUNDLED_DATA_DIR / "calendar-vn.json")
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_a_period_whose_data_end_before_the_plan_is_refused():
    assert parse_period(MID_YEAR, "2024-9M") == (2024, "9M")
    with pytest.raises(PeriodError) as caught:
        parse_period(MID_YEAR, "2024-Q1")
    assert "quý I năm 2024 có số liệu ngoài thời gian đó" in str(caught.value)
    with pytest.raises(PeriodError):
        parse_period(MID_YEAR, "2025-9M")


def test_the_default_period_follows_the_plans_periods():
    assert default_period(MID_YEAR, CAL, datetime(2024, 7, 10, 9, tzinfo=VN)) == "2024-9M"
    assert default_period(MID_YEAR, CAL, datetime(2025, 5, 1, 9, tzinfo=VN)) == "2025-H1"
    # January 2031: the 2030 report, due 10/01/2031, is the one being chased.
    assert default_period(FIVE_YEARS, CAL, datetime(2031, 1, 5, 9, tzinfo=VN)) == "2030-FY"
    assert default_period(FIVE_YEARS, CAL, datetime(2031, 1, 13, 9, tzinfo=VN)) == "2030-FY"
