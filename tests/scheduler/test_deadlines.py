"""Every agency's deadlines for a year, correct to the day."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from common.paths import BUNDLED_DATA_DIR
from scheduler.calendar import WorkingCalendar
from scheduler.deadlines import obligations
from scheduler.plan import Role, load_plan, parse_plan

PLAN_PATH = BUNDLED_DATA_DIR / "plan.json"
ICT = timezone(timedelta(hours=7))


@pytest.fixture(scope="module")
def plan():
    return load_plan(PLAN_PATH)


@pytest.fixture(scope="module")
def cal():
    return WorkingCalendar.load()


def test_2024_due_dates_move_past_weekends(plan, cal):
    result = obligations(plan, cal, 2024)
    dues = {o.period: o.due for o in result}
    assert dues == {
        "2024-Q1": date(2024, 3, 15),
        "2024-H1": date(2024, 6, 17),  # 15/6 is a Saturday
        "2024-9M": date(2024, 9, 16),  # 15/9 is a Sunday
        "2024-FY": date(2024, 12, 16),  # 15/12 is a Sunday
    }


def test_cutoffs_and_consolidation(plan, cal):
    q1 = next(o for o in obligations(plan, cal, 2024, periods=["Q1"]))
    assert (q1.cutoff_from, q1.cutoff_to) == (date(2023, 12, 15), date(2024, 3, 14))
    assert q1.consolidation_due == date(2024, 3, 22)  # 5 working days after Friday 15/3
    fy = next(o for o in obligations(plan, cal, 2024, periods=["FY"]))
    assert fy.cutoff_to == date(2024, 12, 14)
    assert fy.consolidation_due == date(2024, 12, 23)


def test_every_involved_agency_reports_every_period(plan, cal):
    result = obligations(plan, cal, 2024)
    per_period: dict[str, set[str]] = {}
    for o in result:
        per_period.setdefault(o.period, set()).add(o.agency_id)
    assert len(per_period) == 4
    assert all(len(agencies) == len(plan.agencies) for agencies in per_period.values())


def test_roles_and_tasks(plan, cal):
    by_agency = {o.agency_id: o for o in obligations(plan, cal, 2024, periods=["Q1"])}
    police = {d.no: d.role for d in by_agency["cong-an-tinh"].tasks}
    assert police["4"] is Role.LEAD
    assert police["1"] is Role.COORDINATOR
    # Sở Nội vụ leads task 3 and is also one of "các cơ quan chuyên môn": lead wins.
    assert {d.no: d.role for d in by_agency["so-noi-vu"].tasks}["3"] is Role.LEAD
    lawyers = {d.no: d for d in by_agency["hoi-luat-gia-tinh"].tasks}
    assert lawyers["8"].role is Role.LEAD and lawyers["8"].request
    # Two leads for task 5.
    assert {d.no: d.role for d in by_agency["van-phong-ubnd-tinh"].tasks}["5"] is Role.LEAD
    assert {d.no: d.role for d in by_agency["thanh-tra-tinh"].tasks}["5"] is Role.LEAD
    district = by_agency["ubnd-huyen-bac-ai"]
    assert all(d.role is Role.COORDINATOR for d in district.tasks)
    assert [d.no for d in district.tasks] == ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]


def test_reminder_ladder_q1_2024(plan, cal):
    q1 = obligations(plan, cal, 2024, agencies=["cong-an-tinh"], periods=["Q1"])[0]
    assert [r.at.date().day for r in q1.reminders] == [6, 12, 14, 15, 18, 20]
    assert all(r.at.utcoffset() == timedelta(hours=7) for r in q1.reminders)
    assert q1.reminders[0].at == datetime(2024, 3, 6, 8, 30, tzinfo=ICT)
    assert [r.escalate for r in q1.reminders] == [False] * 5 + [True]


def test_reminders_skip_holidays(plan, cal):
    # Around 30/4–1/5 2024 (29/4 bridged, Saturday 4/5 a make-up working day).
    for year in (2024,):
        for o in obligations(plan, cal, year, agencies=["so-tu-phap"]):
            for r in o.reminders:
                assert cal.is_working_day(r.at.date()), (o.period, r.step)


def test_plan_past_its_end_has_no_obligations(plan, cal):
    assert obligations(plan, cal, 2025) == []
    assert obligations(plan, cal, 2023) == []


def _extended_plan():
    raw = json.loads(PLAN_PATH.read_text(encoding="utf-8"))
    raw["plan"]["in_force"]["to"] = "2025-12-31"
    return parse_plan(json.dumps(raw, ensure_ascii=False))


def test_time_frames_limit_tasks_by_year(cal):
    plan = _extended_plan()
    q1 = {o.agency_id: o for o in obligations(plan, cal, 2025, periods=["Q1"])}
    tasks = {d.no for d in q1["so-tu-phap"].tasks}
    assert "8" not in tasks and "9" not in tasks  # "Năm 2024" only
    assert "6" not in tasks  # unstated: the plan's year only
    assert {"1", "2", "4", "7", "10", "11"} <= tasks  # ongoing / 2024 and following
    # Task 8's lead has nothing left to lead in 2025 but still coordinates others.
    assert "8" not in {d.no for d in q1["hoi-luat-gia-tinh"].tasks}


def test_abolished_agencies_stop_reporting(cal):
    plan = _extended_plan()
    result = obligations(plan, cal, 2025, agencies=["ubnd-huyen-ninh-hai"])
    # Districts end on 30/6/2025: they report Q1 and H1 (data cut off 14/6) but not 9M or FY.
    assert [o.period for o in result] == ["2025-Q1", "2025-H1"]


def test_filters(plan, cal):
    result = obligations(plan, cal, 2024, agencies=["so-tu-phap"], periods=["H1"])
    assert [(o.agency_id, o.period) for o in result] == [("so-tu-phap", "2024-H1")]


def test_period_names(plan, cal):
    names = [o.period_name for o in obligations(plan, cal, 2024, agencies=["so-tu-phap"])]
    assert names == ["quý I năm 2024", "06 tháng năm 2024", "09 tháng năm 2024", "năm 2024"]
