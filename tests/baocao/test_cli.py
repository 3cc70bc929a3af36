"""The command line as an admin uses it: plan check and deadlines."""

from __future__ import annotations

import copy
import json

import pytest

from baocao.cli import main
from common.paths import BUNDLED_DATA_DIR

PLAN_PATH = BUNDLED_DATA_DIR / "plan.json"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    # Run from an empty directory so that no local .env or data/ changes the result.
    monkeypatch.chdir(tmp_path)
    for name in ("BAOCAO_PLAN_PATH", "BAOCAO_CALENDAR_PATH", "BAOCAO_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_plan_check_summary(capsys):
    code, out, err = run(capsys, "plan", "check", str(PLAN_PATH))
    assert code == 0, err
    assert "124-KH/BCSĐ" in out
    assert "Nhiệm vụ: 11" in out
    assert "Cơ quan trong danh mục: 47; nhóm: 5" in out
    assert "Q1 (quý I), H1 (06 tháng), 9M (09 tháng), FY (năm): 47 cơ quan" in out
    assert "NV6" in out  # the warning about the task without a time frame


def test_plan_check_uses_configured_path(capsys, monkeypatch):
    monkeypatch.setenv("BAOCAO_PLAN_PATH", str(PLAN_PATH))
    code, out, _ = run(capsys, "plan", "check")
    assert code == 0 and "hợp lệ" in out


def _bad_plan(tmp_path, mutate) -> str:
    data = json.loads(PLAN_PATH.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def _set(path, value):
    def mutate(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


BAD_PLANS = {
    "unknown agency": (_set(["tasks", 3, "lead"], ["cong-an"]), "tasks[3].lead[0]", "Công an tỉnh"),
    "duplicate id": (lambda d: d["agencies"].append(copy.deepcopy(d["agencies"][2])), "agencies[47].id", "trùng"),
    "impossible date": (_set(["plan", "date"], "2024-02-30"), "plan.date", "không tồn tại"),
    "unknown period": (_set(["reporting", "periods", 1, "code"], "6T"), "reporting.periods[1].code", "6T"),
    "empty task list": (_set(["tasks"], []), "tasks", "trống"),
    "group contains itself": (
        lambda d: d["groups"][2]["members"].append(d["groups"][2]["id"]),
        "groups[2].members[7]",
        "chứa chính nó",
    ),
}


@pytest.mark.parametrize("case", list(BAD_PLANS))
def test_bad_plan_gets_one_clear_line_and_exit_2(capsys, tmp_path, case):
    mutate, path, words = BAD_PLANS[case]
    code, out, err = run(capsys, "plan", "check", _bad_plan(tmp_path, mutate))
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert path in err and words in err


def test_broken_json(capsys, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"plan": ', encoding="utf-8")
    code, _, err = run(capsys, "plan", "check", str(path))
    assert code == 2 and "JSON" in err and "dòng 1" in err and "Traceback" not in err


def test_missing_plan_file(capsys, tmp_path):
    code, _, err = run(capsys, "plan", "check", str(tmp_path / "nope.json"))
    assert code == 2 and "không tìm thấy" in err


def test_deadlines_json_2024(capsys):
    code, out, _ = run(capsys, "deadlines", "--year", "2024", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 47 * 4
    dues = sorted({r["due"] for r in rows})
    assert dues == ["2024-03-15", "2024-06-17", "2024-09-16", "2024-12-16"]
    police_q1 = next(r for r in rows if r["agency_id"] == "cong-an-tinh" and r["period"] == "2024-Q1")
    assert police_q1["agency"] == "Công an tỉnh"
    assert police_q1["cutoff"] == "2024-03-14"
    assert police_q1["consolidation_due"] == "2024-03-22"
    assert {"no": "4", "role": "lead"} in police_q1["tasks"]
    assert "reminders" not in police_q1


def test_deadlines_agency_by_alias_with_reminders(capsys):
    code, out, _ = run(capsys, "deadlines", "--year", "2024", "--agency", "CA tinh", "--period", "Q1", "--reminders", "--json")
    assert code == 0
    [row] = json.loads(out)
    assert row["agency_id"] == "cong-an-tinh"
    assert [r["at"] for r in row["reminders"]] == [
        "2024-03-06T08:30:00+07:00",
        "2024-03-12T08:30:00+07:00",
        "2024-03-14T08:30:00+07:00",
        "2024-03-15T08:30:00+07:00",
        "2024-03-18T08:30:00+07:00",
        "2024-03-20T08:30:00+07:00",
    ]


def test_deadlines_agency_by_full_name_and_group(capsys):
    code, out, _ = run(capsys, "deadlines", "--year", "2024", "--agency", "Sở Tư pháp", "--json")
    assert code == 0 and {r["agency_id"] for r in json.loads(out)} == {"so-tu-phap"}
    code, out, _ = run(capsys, "deadlines", "--year", "2024", "--agency", "UBND các huyện, thành phố", "--period", "FY", "--json")
    assert code == 0 and len(json.loads(out)) == 7


def test_deadlines_text_table(capsys):
    code, out, _ = run(capsys, "deadlines", "--year", "2024", "--period", "H1")
    assert code == 0
    assert "Hạn gửi báo cáo: Thứ Hai, ngày 17 tháng 6 năm 2024" in out
    assert "Thứ Bảy" in out  # why it moved
    assert "Hạn Sở Tư pháp tổng hợp: Thứ Hai, ngày 24 tháng 6 năm 2024" in out
    assert "Công an tỉnh" in out and "chủ trì NV 4" in out


def test_unknown_agency_suggests(capsys):
    code, out, err = run(capsys, "deadlines", "--year", "2024", "--agency", "Cong an tin")
    assert code == 2 and out == ""
    assert "Công an tỉnh (cong-an-tinh)" in err


def test_default_year_comes_from_now(capsys):
    code, out, _ = run(capsys, "--now", "2024-05-01T09:00", "deadlines", "--json", "--agency", "so-tu-phap")
    assert code == 0 and {r["period"][:4] for r in json.loads(out)} == {"2024"}


def test_plan_past_its_end_says_so(capsys):
    code, out, err = run(capsys, "deadlines", "--year", "2026")
    assert code == 0
    assert "chỉ có hiệu lực" in out and "năm 2026 không có kỳ báo cáo" in out
    code, out, err = run(capsys, "deadlines", "--year", "2026", "--json")
    assert code == 0 and json.loads(out) == [] and "chỉ có hiệu lực" in err


def test_bad_now_is_a_clear_error(capsys):
    code, _, err = run(capsys, "--now", "hôm qua", "deadlines")
    assert code == 2 and "hôm qua" in err
    assert "Traceback" not in err


def test_broken_calendar_override_file(capsys, monkeypatch, tmp_path):
    path = tmp_path / "cal.json"
    path.write_text("{", encoding="utf-8")
    monkeypatch.setenv("BAOCAO_CALENDAR_PATH", str(path))
    code, _, err = run(capsys, "deadlines", "--year", "2024")
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_bad_setting_is_one_clear_line(capsys, monkeypatch):
    monkeypatch.setenv("BAOCAO_OFFICE_HOURS", "17:00-08:00")
    code, out, err = run(capsys, "deadlines", "--year", "2024")
    assert code == 2 and out == ""
    assert "office_hours" in err and "giờ bắt đầu phải trước giờ kết thúc" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
