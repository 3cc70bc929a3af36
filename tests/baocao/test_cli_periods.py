"""``baocao deadlines`` and ``baocao plan check`` for plans whose periods follow their force:
a mid-year plan, a 2026–2030 plan reporting yearly on 10/01 of the year after, a monthly plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baocao.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "periods"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name in ("BAOCAO_PLAN_PATH", "BAOCAO_CALENDAR_PATH", "BAOCAO_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def run(capsys, monkeypatch, plan: str, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setenv("BAOCAO_PLAN_PATH", str(FIXTURES / plan))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_deadlines_of_the_last_year_lists_its_report_due_the_year_after(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "plan-2026-2030.json", "deadlines", "--year", "2030", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert {r["period"] for r in rows} == {"2030-FY"}
    assert {(r["period_name"], r["cutoff_from"], r["cutoff"], r["due"]) for r in rows} == {
        ("năm 2030", "2030-01-01", "2030-12-31", "2031-01-10")
    }
    assert [r["agency_id"] for r in rows] == ["so-tu-phap", "so-noi-vu", "cong-an-tinh"]


def test_deadlines_text_says_a_january_due_date_moved_past_a_sunday(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "plan-2026-2030.json", "deadlines", "--year", "2026")
    assert code == 0, err
    assert "Kỳ báo cáo năm 2026 (2026-FY)" in out
    assert "Số liệu: từ 01/01/2026 đến 31/12/2026" in out
    assert "Hạn gửi báo cáo: Thứ Hai, ngày 11 tháng 1 năm 2027 (ngày 10/01/2027 là Chủ Nhật, ngày nghỉ)" in out


def test_deadlines_period_words_name_the_year_the_data_cover(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "plan-2026-2030.json", "deadlines", "--period", "năm 2030", "--json")
    assert code == 0, err
    assert {r["due"] for r in json.loads(out)} == {"2031-01-10"}


def test_deadlines_of_a_mid_year_plan(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "plan-2024-2025.json", "deadlines", "--year", "2024", "--json")
    assert code == 0, err
    assert list(dict.fromkeys(r["period"] for r in json.loads(out))) == ["2024-9M", "2024-FY"]
    code, out, err = run(capsys, monkeypatch, "plan-2024-2025.json", "deadlines", "--year", "2025", "--json")
    assert list(dict.fromkeys(r["period"] for r in json.loads(out))) == ["2025-Q1", "2025-H1"]


def test_deadlines_of_a_monthly_plan_by_month_words(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "plan-monthly-2026.json", "deadlines", "--period", "tháng 2 năm 2026")
    assert code == 0, err
    assert "Kỳ báo cáo tháng 2 năm 2026 (2026-M02)" in out
    assert "Hạn gửi báo cáo: Thứ Hai, ngày 23 tháng 2 năm 2026" in out
    code, out, err = run(capsys, monkeypatch, "plan-monthly-2026.json", "deadlines", "--period", "T9", "--year", "2026", "--json")
    assert code == 0, err
    assert {(r["period"], r["due"]) for r in json.loads(out)} == {("2026-M09", "2026-09-21")}


def test_plan_check_informs_of_a_due_date_after_the_plans_end(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "plan-2026-2030.json", "plan", "check")
    assert code == 0, err
    assert "Cơ quan phải báo cáo năm 2030:" in out and "năm 2031" not in out.split("Cảnh báo")[0]
    assert "! kỳ năm 2030 hạn 10/01/2031, sau khi kế hoạch hết hiệu lực" in out


def test_plan_check_warns_for_a_period_that_is_never_an_obligation(capsys, monkeypatch, tmp_path):
    raw = json.loads((FIXTURES / "plan-2024-2025.json").read_text(encoding="utf-8"))
    raw["plan"]["in_force"]["to"] = "2024-12-31"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("BAOCAO_PLAN_PATH", str(path))
    code = main(["plan", "check"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "! reporting.periods[0] (Q1, quý I): không có kỳ nào có số liệu kết thúc trong thời gian hiệu lực" in out


def test_deadlines_in_january_after_the_plan_default_to_the_year_still_open(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "plan-2026-2030.json", "--now", "2031-01-06T09:00", "deadlines", "--json")
    assert code == 0, err
    assert {r["period"] for r in json.loads(out)} == {"2030-FY"}
    code, out, err = run(capsys, monkeypatch, "plan-2026-2030.json", "--now", "2031-02-06T09:00", "deadlines")
    assert code == 0 and "năm 2031 không có kỳ báo cáo nào" in out


def test_deadlines_say_when_the_due_dates_year_is_only_estimated(capsys, monkeypatch):
    # 2026's holidays are reviewed (calendar-vn.json), 2027's are not: 2026-FY is due 11/01/2027.
    code, out, _ = run(capsys, monkeypatch, "plan-2026-2030.json", "deadlines", "--year", "2026")
    assert "Lưu ý: lịch nghỉ lễ của năm này mới là ước tính" in out
    code, out, _ = run(capsys, monkeypatch, "plan-monthly-2026.json", "deadlines", "--year", "2026")
    assert "ước tính" not in out
