"""The reporting clause of a plan's text turned into periods (issue 12, part 3): the annual
report due in January of the year after, the half-yearly and the monthly schemes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from common.paths import BUNDLED_DATA_DIR
from scheduler.calendar import WorkingCalendar
from scheduler.deadlines import obligations
from scheduler.plan import Period, load_plan, parse_plan
from scheduler.plan_import import import_plan
from scheduler.plan_import.agencies import Directory
from scheduler.plan_import.wording import reporting_clause

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
CAL = WorkingCalendar.load(BUNDLED_DATA_DIR / "calendar-vn.json")


def clause(text: str):
    found = reporting_clause([[text]])
    for period in found.periods:
        Period.model_validate(period)  # every rule the importer writes is one the plan accepts
    return found


def test_annual_report_due_in_january_of_the_year_after():
    found = clause("Các cơ quan gửi báo cáo năm về UBND tỉnh (qua Sở Tư pháp) trước ngày 10/01 năm sau.")
    assert found.periods == [{
        "code": "FY", "name": "năm", "cutoff_from": {"month": 1, "day": 1}, "cutoff_to": {"month": 12, "day": 31},
        "due": {"month": 1, "day": 10, "next_year": True},
    }]
    assert [choice for choice, _ in found.doubts] == ["Kỳ năm: hạn 10/01 năm sau; số liệu từ 01/01 đến 31/12 của năm báo cáo"]


@pytest.mark.parametrize(
    "text",
    [
        "Các cơ quan báo cáo 6 tháng trước ngày 15/6 và 15/12 về Sở Tư pháp.",
        "Các cơ quan báo cáo 6 tháng đầu năm trước ngày 15/6, báo cáo 6 tháng cuối năm trước ngày 15/12 về Sở Tư pháp.",
    ],
)
def test_two_half_years(text):
    found = clause(text)
    assert [(p["code"], p["cutoff_from"], p["cutoff_to"], p["due"]) for p in found.periods] == [
        ("H1", {"month": 12, "day": 15, "previous_year": True}, {"month": 6, "day": 14}, {"month": 6, "day": 15}),
        ("H2", {"month": 6, "day": 15}, {"month": 12, "day": 14}, {"month": 12, "day": 15}),
    ]
    assert found.doubts == []


def test_half_year_and_year_before_15_6_and_15_12():
    found = clause("Định kỳ 6 tháng và năm, các cơ quan báo cáo gửi trước ngày 15/6 và 15/12 về Sở Tư pháp.")
    assert [(p["code"], p["due"]) for p in found.periods] == [
        ("H1", {"month": 6, "day": 15}), ("FY", {"month": 12, "day": 15}),
    ]
    assert found.doubts == []


def test_monthly_report_due_the_20th():
    found = clause("Định kỳ hằng tháng, các cơ quan báo cáo tháng gửi Sở Tư pháp trước ngày 20 hằng tháng.")
    assert [p["code"] for p in found.periods] == [f"M{m:02d}" for m in range(1, 13)]
    assert found.periods[0]["cutoff_from"] == {"month": 12, "day": 15, "previous_year": True}
    assert found.periods[4] == {
        "code": "M05", "name": "tháng 5", "cutoff_from": {"month": 4, "day": 15}, "cutoff_to": {"month": 5, "day": 14},
        "due": {"month": 5, "day": 20},
    }
    assert "12 kỳ tháng (M01–M12), hạn ngày 20" in found.doubts[0][0]


def test_monthly_report_due_early_in_the_month_after():
    found = clause("Báo cáo tháng gửi trước ngày 5 hằng tháng về Sở Tư pháp.")
    assert found.periods[1]["cutoff_to"] == {"month": 2, "day": 28}
    assert found.periods[11] == {
        "code": "M12", "name": "tháng 12", "cutoff_from": {"month": 12, "day": 1}, "cutoff_to": {"month": 12, "day": 31},
        "due": {"month": 1, "day": 5, "next_year": True},
    }


def test_an_imported_plan_reporting_in_january_runs_its_obligations(tmp_path):
    text = (FIXTURES / "giao-chu-tri.txt").read_text(encoding="utf-8")
    old = "định kỳ hằng quý báo cáo kết quả thực hiện về Sở Tư pháp trước ngày 15 của tháng cuối quý"
    assert old in text
    source = tmp_path / "ke-hoach-nam.txt"
    source.write_text(text.replace(old, "báo cáo năm về Sở Tư pháp trước ngày 10/01 năm sau"), encoding="utf-8")
    directory = Directory.from_plan(load_plan(BUNDLED_DATA_DIR / "plan.json"), "data/plan.json")
    plan = parse_plan(import_plan(source, directory).json())
    assert [p.code for p in plan.reporting.periods] == ["FY"]
    result = obligations(plan, CAL, 2024)
    assert {(o.period, o.due) for o in result} == {("2024-FY", date(2025, 1, 10))}
