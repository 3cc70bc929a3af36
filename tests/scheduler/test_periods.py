"""Periods that follow the plan (issue 12, part 3): only periods whose data window ends within
``in_force``; a period belongs to the year its data cover and may be due in the next year;
monthly and half-yearly schemes; a plan spanning years."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from common.paths import BUNDLED_DATA_DIR
from scheduler import dispatch as dp
from scheduler.calendar import WorkingCalendar
from scheduler.deadlines import obligations, open_until, period_dates, period_warnings, periods_in_force
from scheduler.plan import PlanError, load_plan, parse_plan
from scheduler.sync import sync_agencies, sync_obligations, sync_years
from storage.db import session_scope
from storage.models import Contact, Outbox

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "periods"
SEED = load_plan(BUNDLED_DATA_DIR / "plan.json")
MID_YEAR = load_plan(FIXTURES / "plan-2024-2025.json")  # in force 1/7/2024 – 30/6/2025
FIVE_YEARS = load_plan(FIXTURES / "plan-2026-2030.json")  # yearly, due 10/01 of the year after
MONTHLY = load_plan(FIXTURES / "plan-monthly-2026.json")  # due the 20th of every month
CAL = WorkingCalendar.load(BUNDLED_DATA_DIR / "calendar-vn.json")
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def periods(plan, year):
    return list(dict.fromkeys(o.period for o in obligations(plan, CAL, year)))


# --- only periods whose data fall in the plan's force -----------------------------------


def test_the_seed_keeps_exactly_its_2024_periods():
    assert list(SEED.years_in_force()) == [2024]
    assert periods(SEED, 2024) == ["2024-Q1", "2024-H1", "2024-9M", "2024-FY"]
    # The Q1 window starts before the plan (15/12/2023): the cut-off is the rule's, not clipped.
    q1 = obligations(SEED, CAL, 2024, periods=["Q1"])[0]
    assert (q1.cutoff_from, q1.cutoff_to) == (date(2023, 12, 15), date(2024, 3, 14))
    assert period_warnings(SEED, CAL) == []
    assert open_until(SEED, CAL) == date(2024, 12, 31)


def test_a_plan_in_force_mid_year_gets_only_the_periods_its_data_fall_in():
    assert list(MID_YEAR.years_in_force()) == [2024, 2025]
    assert periods(MID_YEAR, 2024) == ["2024-9M", "2024-FY"]
    assert periods(MID_YEAR, 2025) == ["2025-Q1", "2025-H1"]
    assert [f"{y}-{p.code}" for y, p in periods_in_force(MID_YEAR)] == ["2024-9M", "2024-FY", "2025-Q1", "2025-H1"]
    # Task 2 ("Năm 2025") is reported in 2025 only.
    assert {d.no for o in obligations(MID_YEAR, CAL, 2024) for d in o.tasks} == {"1"}
    assert {d.no for o in obligations(MID_YEAR, CAL, 2025) for d in o.tasks} == {"1", "2"}


def test_plan_check_warns_for_a_period_with_no_obligation_in_force():
    raw = json.loads((FIXTURES / "plan-2024-2025.json").read_text(encoding="utf-8"))
    raw["plan"]["in_force"] = {"from": "2024-07-01", "to": "2024-12-31"}
    plan = parse_plan(json.dumps(raw, ensure_ascii=False))
    warnings = period_warnings(plan, CAL)
    assert len(warnings) == 2
    assert warnings[0].startswith("reporting.periods[0] (Q1, quý I): không có kỳ nào")
    assert warnings[1].startswith("reporting.periods[1] (H1, 06 tháng)")


# --- due in the next year ----------------------------------------------------------------


def test_a_yearly_report_due_in_january_belongs_to_the_year_its_data_cover():
    assert list(FIVE_YEARS.years_in_force()) == [2026, 2027, 2028, 2029, 2030]
    assert sync_years(FIVE_YEARS) == [2026, 2027, 2028, 2029, 2030]
    dues = {}
    for year in FIVE_YEARS.years_in_force():
        (ob, *_) = obligations(FIVE_YEARS, CAL, year)
        assert ob.period == f"{year}-FY" and ob.period_name == f"năm {year}"
        assert (ob.cutoff_from, ob.cutoff_to) == (date(year, 1, 1), date(year, 12, 31))
        dues[ob.period] = (ob.nominal_due, ob.due)
    assert dues["2026-FY"] == (date(2027, 1, 10), date(2027, 1, 11))  # a Sunday: Monday 11/01
    assert dues["2030-FY"] == (date(2031, 1, 10), date(2031, 1, 10))  # the last one, after the plan
    # "Năm 2030" only: the sơ kết task is reported in 2030-FY, due 10/01/2031.
    tasks_2030 = {o.agency_id: {d.no for d in o.tasks} for o in obligations(FIVE_YEARS, CAL, 2030)}
    assert tasks_2030["so-noi-vu"] == {"1", "2"}
    assert {d.no for o in obligations(FIVE_YEARS, CAL, 2029) for d in o.tasks} == {"1"}
    assert obligations(FIVE_YEARS, CAL, 2025) == [] and obligations(FIVE_YEARS, CAL, 2031) == []


def test_a_due_date_in_the_next_year_uses_that_years_calendar():
    fy = FIVE_YEARS.period_by_code["FY"]
    # 10/01/2026 is a Saturday, but the make-up working day for 02/01/2026: it stays.
    assert period_dates(fy, 2025, CAL, 5)[2:4] == (date(2026, 1, 10), date(2026, 1, 10))


def test_plan_check_tells_a_due_date_after_the_plans_end():
    assert period_warnings(FIVE_YEARS, CAL) == [
        "kỳ năm 2030 hạn 10/01/2031, sau khi kế hoạch hết hiệu lực; vẫn được nhắc hạn đến khi hết hạn."
    ]


def test_the_plan_stays_open_until_its_last_reminder_and_consolidation():
    # 2030-FY due Friday 10/01/2031: D+3 Wednesday 15/01, consolidation (5 working days) 17/01.
    assert open_until(FIVE_YEARS, CAL) == date(2031, 1, 17)


@pytest.mark.parametrize(
    "due, message",
    [
        ({"month": 1, "day": 10}, "hạn gửi báo cáo phải sau ngày chốt số liệu"),
        ({"month": 1, "day": 10, "next_year": True, "previous_year": True}, "vừa thuộc năm trước"),
    ],
)
def test_a_rule_across_years_must_say_so(due, message):
    raw = json.loads((FIXTURES / "plan-2026-2030.json").read_text(encoding="utf-8"))
    raw["reporting"]["periods"][0]["due"] = due
    with pytest.raises(PlanError) as caught:
        parse_plan(json.dumps(raw, ensure_ascii=False))
    assert message in str(caught.value) and caught.value.path.startswith("reporting.periods[0]")


# --- monthly and half-yearly schemes -----------------------------------------------------


def test_a_monthly_plan_has_twelve_periods_due_the_20th_moved_past_tet_and_weekends():
    obs = {o.period: o for o in obligations(MONTHLY, CAL, 2026) if o.agency_id == "so-tu-phap"}
    assert list(obs) == [f"2026-M{m:02d}" for m in range(1, 13)]
    assert obs["2026-M05"].period_name == "tháng 5 năm 2026"
    assert MONTHLY.period_name("2026-M05") == "tháng 5 năm 2026"
    assert obs["2026-M01"].cutoff_from == date(2025, 12, 15)
    assert obs["2026-M02"].due == date(2026, 2, 23)  # 20/02/2026 is in the Tết break (16–20/02)
    assert obs["2026-M09"].due == date(2026, 9, 21)  # 20/09/2026 is a Sunday
    assert obs["2026-M04"].due == date(2026, 4, 20)


def test_a_half_yearly_scheme_with_the_second_half_year():
    raw = json.loads((FIXTURES / "plan-2024-2025.json").read_text(encoding="utf-8"))
    raw["plan"]["in_force"] = {"from": "2025-01-01", "to": "2025-12-31"}
    raw["reporting"]["periods"] = [
        {"code": "H1", "name": "06 tháng đầu năm", "cutoff_from": {"month": 12, "day": 15, "previous_year": True},
         "cutoff_to": {"month": 6, "day": 14}, "due": {"month": 6, "day": 15}},
        {"code": "H2", "name": "06 tháng cuối năm", "cutoff_from": {"month": 6, "day": 15},
         "cutoff_to": {"month": 12, "day": 14}, "due": {"month": 12, "day": 15}},
    ]
    plan = parse_plan(json.dumps(raw, ensure_ascii=False))
    obs = obligations(plan, CAL, 2025, agencies=["so-noi-vu"])
    assert [(o.period, o.due, o.period_name) for o in obs] == [
        ("2025-H1", date(2025, 6, 16), "06 tháng năm 2025"),  # 15/06/2025 is a Sunday
        ("2025-H2", date(2025, 12, 15), "06 tháng cuối năm 2025"),
    ]
    assert plan.period_name("2025-H2") == "06 tháng cuối năm 2025"
    assert plan.period_name("2025-H1") == "06 tháng đầu năm 2025"  # the plan's own name


# --- reminders while an obligation is still open -------------------------------------------


def _seed_db(engine, plan, at):
    years = list(plan.years_in_force())
    computed = [o for year in years for o in obligations(plan, CAL, year)]
    with session_scope(engine) as session:
        sync_agencies(session, plan, now=at)
        sync_obligations(session, plan, computed, years=years, now=at)
        session.add(Contact(channel="telegram", chat_id="101", user_id="101", agency_id="cong-an-tinh",
                            role="focal", display_name="Nguyễn Văn An", active=True, created_at=at))


def test_a_tick_after_the_plans_end_still_reminds_for_its_last_yearly_report(engine):
    _seed_db(engine, FIVE_YEARS, datetime(2030, 12, 1, 8, 0, tzinfo=VN))
    # D-3 of 2030-FY (due Friday 10/01/2031) is Tuesday 07/01/2031, after in_force.end 31/12/2030.
    at = datetime(2031, 1, 7, 9, 0, tzinfo=VN)
    with session_scope(engine, write=True) as session:
        dp.plan_reminders(session, FIVE_YEARS, CAL, at, tz=VN)
    with session_scope(engine) as session:
        rows = session.exec(select(Outbox).where(Outbox.chat_id == "101")).all()
    steps = {(row.payload.get("period"), row.payload.get("step")) for row in rows}
    assert rows and all(period == "2030-FY" for period, _ in steps), steps
    # After the last step and the consolidation, nothing is planned any more.
    late = datetime(2031, 1, 20, 9, 0, tzinfo=VN)
    assert late.date() > open_until(FIVE_YEARS, CAL)
    with session_scope(engine, write=True) as session:
        stats = dp.plan_reminders(session, FIVE_YEARS, CAL, late, tz=VN)
    assert stats.enqueued == 0


def test_a_plan_past_its_end_counts_as_in_force_while_its_last_report_is_open():
    from scheduler.plans import Plans

    plans = Plans([FIVE_YEARS, MONTHLY])
    assert plans.in_force(date(2031, 1, 6)) == []
    assert plans.in_force(date(2031, 1, 6), CAL) == [FIVE_YEARS]
    assert plans.in_force(date(2031, 1, 20), CAL) == []
