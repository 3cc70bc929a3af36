"""Several plans at once (issue 12): BAOCAO_PLAN_PATH naming a folder of plan files, the
``data/plans/`` default (the seed as a symlink), ``plan list``, ``plan check`` of a folder,
``--plan`` on deadlines/status/report/invite/tick, the ``"plan"`` of JSON rows, a broken file
or two files with one id, and the running bot's reload of each file of the folder."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from baocao.cli import main
from common.paths import BUNDLED_DATA_DIR, PROJECT_ROOT
from scheduler.plan import PlanError, load_plan
from scheduler.plans import PlanFileError, Plans, load_plans

SEED = BUNDLED_DATA_DIR / "plan.json"
SECOND = PROJECT_ROOT / "tests" / "fixtures" / "plans" / "5375-KH-UBND-pbgdpl-2024.json"
SEED_ID = "124-KH/BCSĐ"
SECOND_ID = "5375/KH-UBND"
ICT = timezone(timedelta(hours=7))


def _folder(root: Path) -> Path:
    """A folder of plans as an admin keeps it: both plans, a README and a stray text file."""
    folder = root / "plans"
    folder.mkdir()
    shutil.copy(SEED, folder / "124-KH-BCSD.json")
    shutil.copy(SECOND, folder / "5375-KH-UBND.json")
    (folder / "README.md").write_text("các kế hoạch\n", encoding="utf-8")
    (folder / "ghi-chu.txt").write_text("không phải kế hoạch\n", encoding="utf-8")
    return folder


def _write(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _raw(path: Path = SECOND) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("BAOCAO_PLAN_PATH", "BAOCAO_CALENDAR_PATH", "BAOCAO_DATABASE_URL", "TELEGRAM_BOT_TOKEN",
                 "BAOCAO_BOT_TOKEN", "TELEGRAM_BOT_USERNAME", "BAOCAO_BOT_USERNAME", "ZALO_BOT_TOKEN",
                 "BAOCAO_ZALO_BOT_TOKEN", "ZALO_BOT_NAME", "BAOCAO_ZALO_BOT_NAME"):
        monkeypatch.delenv(name, raising=False)
    path = _folder(tmp_path)
    monkeypatch.setenv("BAOCAO_PLAN_PATH", str(path))
    return path


@pytest.fixture
def db(folder, monkeypatch, sqlite_url):
    monkeypatch.setenv("BAOCAO_DATABASE_URL", sqlite_url)
    return sqlite_url


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- loading -----------------------------------------------------------------------------


def test_a_folder_loads_every_json_file_in_name_order(folder):
    plans, broken = load_plans(folder)
    assert plans.ids == [SEED_ID, SECOND_ID] and broken == []
    assert len(plans[SECOND_ID].tasks) == 4
    # The second plan shares agencies with the seed (one province directory).
    shared = set(plans[SEED_ID].agency_by_id) & set(plans[SECOND_ID].agency_by_id)
    assert {"so-tu-phap", "hoi-luat-gia-tinh", "ubnd-huyen-bac-ai"} <= shared


def test_one_file_is_still_one_plan():
    plans, broken = load_plans(SEED)
    assert plans.ids == [SEED_ID] and broken == []


def test_the_default_is_the_data_plans_folder_holding_the_seed_as_a_symlink(tmp_path, monkeypatch):
    from baocao.config import Settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BAOCAO_PLAN_PATH", raising=False)
    path = Settings(_env_file=None).plan_path
    assert path == BUNDLED_DATA_DIR / "plans"
    link = path / "124-KH-BCSD.json"
    assert link.is_symlink() and os.readlink(link) == "../plan.json"  # relative: works from any clone
    plans, broken = load_plans(path)
    assert plans.ids == [SEED_ID] and broken == []
    assert plans[SEED_ID] == load_plan(SEED)


def test_git_stores_the_seed_link_as_a_symlink():
    if shutil.which("git") is None or not (PROJECT_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(
        ["git", "ls-files", "-s", "data/plans/124-KH-BCSD.json"], cwd=PROJECT_ROOT, capture_output=True, text=True
    ).stdout
    if not out:
        pytest.skip("data/plans not committed in this checkout")
    assert out.startswith("120000 ")  # a symlink, not a copy of plan.json


def test_a_working_directory_with_its_own_plan_json_keeps_it(tmp_path, monkeypatch):
    from baocao.config import Settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BAOCAO_PLAN_PATH", raising=False)
    (tmp_path / "data").mkdir()
    shutil.copy(SECOND, tmp_path / "data" / "plan.json")
    assert Settings(_env_file=None).plan_path == tmp_path / "data" / "plan.json"


def test_a_broken_file_names_the_file_and_the_json_path(folder):
    raw = _raw()
    raw["tasks"][1]["lead"] = ["cong-an-xa"]
    _write(folder / "5375-KH-UBND.json", raw)
    with pytest.raises(PlanFileError) as caught:
        load_plans(folder)
    message = str(caught.value)
    assert "5375-KH-UBND.json" in message and "tasks[1].lead[0]" in message
    plans, broken = load_plans(folder, skip_broken=True)
    assert plans.ids == [SEED_ID]
    assert [b.file.name for b in broken] == ["5375-KH-UBND.json"]


def test_a_folder_of_broken_files_or_no_file_is_refused(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(PlanError, match="không có tệp .json"):
        load_plans(empty)
    (empty / "a.json").write_text("{", encoding="utf-8")
    with pytest.raises(PlanFileError, match="a.json"):
        load_plans(empty, skip_broken=True)


def test_two_files_with_the_same_plan_id_are_refused(folder):
    shutil.copy(SEED, folder / "zz-copy.json")
    with pytest.raises(PlanFileError) as caught:
        load_plans(folder, skip_broken=True)
    assert "zz-copy.json" in str(caught.value) and "124-KH-BCSD.json" in str(caught.value)
    assert "trùng" in str(caught.value)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("124-KH/BCSĐ", SEED_ID),
        ("124-KH/BCSD", SEED_ID),
        ("124-kh-bcsd", SEED_ID),
        ("124", SEED_ID),
        ("124-KH", SEED_ID),
        ("  5375/KH-UBND ", SECOND_ID),
        ("5375", SECOND_ID),
        ("kế hoạch số 5375", SECOND_ID),
        ("KH 5375", SECOND_ID),
        ("999", None),
        ("KH", None),
        ("", None),
    ],
)
def test_a_plan_is_found_as_written_folded_or_by_its_number(folder, text, expected):
    plans, _ = load_plans(folder)
    found = plans.find(text)
    assert (found.plan.id if found else None) == expected


def test_an_ambiguous_number_finds_no_plan(folder):
    raw = _raw()
    raw["plan"]["id"] = raw["plan"]["number"] = "124/KH-UBND"
    _write(folder / "5375-KH-UBND.json", raw)
    plans, _ = load_plans(folder)
    assert {p.plan.id for p in plans.matching("124")} == {SEED_ID, "124/KH-UBND"}
    assert plans.find("124") is None
    assert plans.find("124/KH-UBND").plan.id == "124/KH-UBND"  # as written wins


def test_without_drops_a_plan_but_never_the_last():
    plans = Plans([load_plan(SEED), load_plan(SECOND)])
    assert plans.without(SECOND_ID).ids == [SEED_ID]
    with pytest.raises(ValueError):
        plans.without(SECOND_ID).without(SEED_ID)


def test_services_skip_a_broken_file_with_a_logged_error(folder, caplog):
    from baocao.config import Settings
    from baocao.services import Services

    (folder / "5375-KH-UBND.json").write_text("{", encoding="utf-8")
    with caplog.at_level(logging.ERROR):
        plans = Services(Settings(_env_file=None, plan_path=folder)).plans
    assert plans.ids == [SEED_ID]
    assert "5375-KH-UBND.json" in caplog.text


# --- plan list, plan check ---------------------------------------------------------------


def test_plan_list_one_line_per_plan(folder, capsys):
    code, out, err = run(capsys, "--now", "2024-03-01T09:00", "plan", "list")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0] == "Các kế hoạch (2), tính đến ngày 01/03/2024:"
    assert lines[1].startswith("  124-KH/BCSĐ ngày 30/01/2024 — Kế hoạch thực hiện Chương trình trọng tâm")
    assert "hiệu lực 30/01/2024–31/12/2024 — 11 nhiệm vụ, 47 cơ quan — đang có hiệu lực" in lines[1]
    assert lines[2].startswith("  5375/KH-UBND ngày 26/12/2023 — Kế hoạch phổ biến, giáo dục pháp luật")
    assert "4 nhiệm vụ, 14 cơ quan — đang có hiệu lực" in lines[2]


def test_plan_list_respects_now_and_gives_json_rows(folder, capsys):
    code, out, _ = run(capsys, "--now", "2024-01-15T09:00", "plan", "list")
    assert "124-KH/BCSĐ" in out and "chưa có hiệu lực" in out.splitlines()[1]
    code, out, err = run(capsys, "--now", "2025-02-01T09:00", "plan", "list", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["plan"] for r in rows] == [SEED_ID, SECOND_ID]
    assert rows[1] == {
        "plan": SECOND_ID, "number": SECOND_ID, "date": "2023-12-26", "issuer": "UBND tỉnh Ninh Thuận",
        "title": rows[1]["title"], "in_force_from": "2024-01-01", "in_force_to": "2024-12-31",
        "tasks": 4, "agencies": 14, "in_force_today": False,
    }
    code, out, _ = run(capsys, "--now", "2024-06-01T09:00", "plan", "list", "--json")
    assert [r["in_force_today"] for r in json.loads(out)] == [True, True]


def test_plan_check_of_a_folder_checks_every_file(folder, capsys):
    code, out, err = run(capsys, "plan", "check")
    assert code == 0, err
    assert f"Thư mục kế hoạch {folder}: 2 tệp." in out
    assert "124-KH-BCSD.json: hợp lệ." in out and "5375-KH-UBND.json: hợp lệ." in out
    assert "Nhiệm vụ: 11" in out and "Nhiệm vụ: 4" in out


def test_plan_check_refuses_a_folder_with_a_broken_file(folder, capsys):
    raw = _raw()
    raw["plan"]["date"] = "2023-02-30"
    _write(folder / "5375-KH-UBND.json", raw)
    code, out, err = run(capsys, "plan", "check")
    assert code == 2
    assert "124-KH-BCSD.json: hợp lệ." in out  # the good file is still summarised
    assert f"tệp kế hoạch {folder / '5375-KH-UBND.json'} không hợp lệ — plan.date:" in err
    assert "Traceback" not in err


def test_plan_check_refuses_two_files_with_one_id(folder, capsys):
    shutil.copy(SECOND, folder / "6000-copy.json")
    code, out, err = run(capsys, "plan", "check")
    assert code == 2
    assert "6000-copy.json" in err and "trùng với tệp" in err and "5375-KH-UBND.json" in err


def test_commands_refuse_two_files_with_one_id(folder, capsys):
    shutil.copy(SECOND, folder / "6000-copy.json")
    code, out, err = run(capsys, "--now", "2024-03-01T09:00", "deadlines")
    assert code == 2 and out == ""
    assert err.startswith("baocao: tệp kế hoạch ") and "trùng với tệp" in err


# --- deadlines ---------------------------------------------------------------------------


def test_deadlines_cover_every_plan_of_the_year_without_plan(folder, capsys):
    code, out, err = run(capsys, "--now", "2024-03-01T09:00", "deadlines")
    assert code == 0, err
    assert "Hạn báo cáo theo Kế hoạch số 124-KH/BCSĐ — năm 2024" in out
    assert "Hạn báo cáo theo Kế hoạch số 5375/KH-UBND — năm 2024" in out
    assert out.index("124-KH/BCSĐ") < out.index("5375/KH-UBND")


def test_deadlines_of_one_plan(folder, capsys):
    code, out, err = run(capsys, "--now", "2024-03-01T09:00", "deadlines", "--plan", "5375")
    assert code == 0, err
    assert "Kế hoạch số 5375/KH-UBND" in out and "124-KH/BCSĐ" not in out
    assert "Hạn gửi báo cáo: Thứ Tư, ngày 5 tháng 6 năm 2024" in out
    code, seed_only, _ = run(capsys, "--now", "2024-03-01T09:00", "deadlines", "--plan", "124-KH/BCSD")
    assert "5375" not in seed_only and "Kế hoạch số 124-KH/BCSĐ" in seed_only


def test_deadlines_json_rows_carry_the_plan(folder, capsys):
    code, out, err = run(capsys, "deadlines", "--year", "2024", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert {r["plan"] for r in rows} == {SEED_ID, SECOND_ID}
    assert sum(r["plan"] == SEED_ID for r in rows) == 47 * 4
    assert sum(r["plan"] == SECOND_ID for r in rows) == 14 * 2
    assert all(r["plan"] == r["plan_id"] for r in rows)
    code, out, _ = run(capsys, "deadlines", "--year", "2024", "--json", "--plan", "5375/KH-UBND")
    assert {r["plan"] for r in json.loads(out)} == {SECOND_ID}


def test_deadlines_of_a_period_only_one_plan_has(folder, capsys):
    code, out, err = run(capsys, "deadlines", "--period", "2024-Q1", "--json")
    assert code == 0, err
    assert {r["plan"] for r in json.loads(out)} == {SEED_ID}  # 5375/KH-UBND has no Q1
    code, out, err = run(capsys, "deadlines", "--period", "2024-Q1", "--plan", "5375")
    assert code == 2 and "không có kỳ báo cáo Q1" in err


def test_deadlines_of_an_agency_in_one_plan_only(folder, capsys):
    code, out, err = run(capsys, "deadlines", "--year", "2024", "--agency", "CA tỉnh", "--json")
    assert code == 0, err
    assert {r["plan"] for r in json.loads(out)} == {SEED_ID}  # Công an tỉnh is not in 5375
    code, out, err = run(capsys, "deadlines", "--year", "2024", "--agency", "Sở Tư pháp", "--json")
    assert {r["plan"] for r in json.loads(out)} == {SEED_ID, SECOND_ID}


def test_an_unknown_plan_id_lists_the_known_ones(folder, capsys):
    for command in (["deadlines"], ["status"], ["report"], ["tick"], ["invite", "STP"]):
        code, out, err = run(capsys, "--now", "2024-03-01T09:00", *command, "--plan", "999/KH")
        assert code == 2 and out == "", command
        assert err.startswith("baocao: không có kế hoạch '999/KH'. Các kế hoạch: 124-KH/BCSĐ ("), command
        assert "5375/KH-UBND (Kế hoạch phổ biến" in err and "Traceback" not in err


def test_a_broken_file_is_skipped_with_a_loud_warning(folder, capsys):
    (folder / "5375-KH-UBND.json").write_text('{"plan": ', encoding="utf-8")
    code, out, err = run(capsys, "--now", "2024-03-01T09:00", "deadlines", "--json")
    assert code == 0
    assert {r["plan"] for r in json.loads(out)} == {SEED_ID}
    assert err.startswith(f"CẢNH BÁO: bỏ qua tệp kế hoạch {folder / '5375-KH-UBND.json'} vì không hợp lệ")
    assert "baocao plan check" in err


# --- status, report ----------------------------------------------------------------------


def test_status_covers_each_plan_in_force(db, capsys):
    code, out, err = run(capsys, "--now", "2024-03-01T09:00", "status")
    assert code == 0, err
    assert "Kế hoạch số 124-KH/BCSĐ: Kế hoạch thực hiện" in out
    assert "Kế hoạch số 5375/KH-UBND: Kế hoạch phổ biến" in out
    assert "Tình hình báo cáo quý I năm 2024" in out and "Tình hình báo cáo 06 tháng năm 2024" in out
    code, out, err = run(capsys, "--now", "2024-03-01T09:00", "status", "--json")
    rows = json.loads(out)
    assert [(r["plan"], r["period"]) for r in rows] == [(SEED_ID, "2024-Q1"), (SECOND_ID, "2024-H1")]


def test_status_of_one_plan(db, capsys):
    code, out, err = run(capsys, "--now", "2024-03-01T09:00", "status", "--plan", "5375", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["plan"] == SECOND_ID and data["period"] == "2024-H1" and len(data["agencies"]) == 14
    code, out, _ = run(capsys, "--now", "2024-03-01T09:00", "status", "--plan", "124")
    assert out.startswith("Tình hình báo cáo quý I năm 2024")  # one plan: the output of one plan


def test_status_with_no_plan_in_force_asks_for_one(db, capsys):
    code, out, err = run(capsys, "--now", "2026-03-01T09:00", "status")
    assert code == 2 and out == ""
    assert "không có kế hoạch nào có hiệu lực vào ngày 01/03/2026; chọn kế hoạch bằng --plan" in err
    code, out, err = run(capsys, "--now", "2026-03-01T09:00", "status", "--period", "2024-FY", "--json")
    assert code == 0, err
    assert [r["plan"] for r in json.loads(out)] == [SEED_ID, SECOND_ID]


def test_report_with_several_plans_in_force_asks_for_plan(db, capsys):
    code, out, err = run(capsys, "--now", "2024-07-01T09:00", "report", "--period", "06 tháng", "-o", "-")
    assert code == 2 and out == ""
    assert err.startswith("baocao: có 2 kế hoạch có hiệu lực vào ngày 01/07/2024: 124-KH/BCSĐ (")
    assert "chọn một bằng --plan" in err


def test_report_of_each_plan(db, capsysbinary):
    for text, number in (("124", SEED_ID), ("5375/KH-UBND", SECOND_ID)):
        code = main(["--now", "2024-07-01T09:00", "report", "--plan", text, "--period", "06 tháng", "-o", "-"])
        out, err = capsysbinary.readouterr()
        assert code == 0, err.decode()
        assert out.decode().startswith(f"# Báo cáo kết quả thực hiện Kế hoạch số {number} — 06 tháng đầu năm 2024")


def test_report_with_a_period_only_one_plan_has(db, capsysbinary):
    code = main(["--now", "2024-03-20T09:00", "report", "--period", "2024-Q1", "-o", "-"])
    out, err = capsysbinary.readouterr()
    assert code == 0, err.decode()
    assert out.decode().startswith("# Báo cáo kết quả thực hiện Kế hoạch số 124-KH/BCSĐ")


# --- invite ------------------------------------------------------------------------------


def test_invite_resolves_the_agency_in_the_plans_and_names_the_plan(db, capsys, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "baocao_test_bot")
    code, out, err = run(capsys, "--now", "2024-03-01T08:30", "invite", "CA tỉnh", "--json")
    assert code == 0, err
    assert json.loads(out)["plan"] == SEED_ID and json.loads(out)["agency"] == "cong-an-tinh"
    code, out, err = run(capsys, "--now", "2024-03-01T08:30", "invite", "STP", "--plan", "5375", "--json")
    assert code == 0, err
    assert json.loads(out)["plan"] == SECOND_ID and json.loads(out)["agency"] == "so-tu-phap"
    code, out, err = run(capsys, "--now", "2024-03-01T08:30", "invite", "CA tỉnh", "--plan", "5375")
    assert code == 2 and "không tìm thấy cơ quan 'CA tỉnh'" in err


# --- tick --------------------------------------------------------------------------------


async def test_tick_plans_every_plan_or_the_one_named(tmp_path, database_url, engine, monkeypatch):
    from baocao.demo.telegram_api import BotApiStandIn

    folder = _folder(tmp_path)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    async with BotApiStandIn() as tg:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE_URL": tg.base_url,
               "BAOCAO_DATABASE_URL": database_url, "BAOCAO_PLAN_PATH": str(folder), "NO_PROXY": "127.0.0.1,localhost",
               "PYTHONPATH": str(PROJECT_ROOT)}

        warnings = []

        async def tick(*extra: str) -> dict:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "baocao", "--now", "2024-03-06T09:00", "tick", "--json", *extra,
                cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )
            out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
            assert proc.returncode == 0, err.decode()
            warnings.append(err.decode())
            return json.loads(out.decode())

        one = await tick("--plan", "5375")
        assert one["plans"] == [SECOND_ID] and one["enqueue"]["synced"] == [SECOND_ID]
        every = await tick()
        assert every["plans"] == [SEED_ID, SECOND_ID]
        assert every["enqueue"]["synced"] == [SEED_ID] and every["enqueue"]["sync_skipped"] == [SECOND_ID]
        assert "CẢNH BÁO" not in "".join(warnings)

        # A broken file in the folder: tick warns, names it, and runs the other plans.
        (folder / "zz-moi.json").write_text('{"plan": {"id": ', encoding="utf-8")
        skipped = await tick()
        assert skipped["plans"] == [SEED_ID, SECOND_ID]
        assert f"CẢNH BÁO: bỏ qua tệp kế hoạch {folder / 'zz-moi.json'} vì không hợp lệ" in warnings[-1]


# --- the running bot: each file of the folder reloaded on its own ------------------------


def _touch(path: Path, data: dict | str) -> None:
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime + 10))  # a distinct mtime even on coarse clocks


def test_the_watcher_reloads_each_file_of_a_folder(engine, tmp_path):
    from baocao.config import Settings
    from baocao.runtime import PlanWatcher
    from baocao.services import Services
    from common.clock import FixedClock
    from scheduler.calendar import WorkingCalendar

    folder = _folder(tmp_path)
    clock = FixedClock(datetime(2024, 3, 4, 9, 0, tzinfo=ICT))
    settings = Settings(_env_file=None, plan_path=folder)
    services = Services(settings, clock, channels={}, engine=engine, calendar=WorkingCalendar.load())
    services.sync()
    seed = services.plans[SEED_ID]
    watcher = PlanWatcher(services, folder)
    assert watcher.check() is False  # nothing changed

    # An edit of one file replaces that plan only.
    raw = _raw()
    raw["plan"]["title"] = "Kế hoạch đã sửa"
    _touch(folder / "5375-KH-UBND.json", raw)
    assert watcher.check() is True
    assert services.plans[SECOND_ID].plan.title == "Kế hoạch đã sửa"
    assert services.plans[SEED_ID] is seed

    # A broken edit is ignored; the plan stays.
    _touch(folder / "5375-KH-UBND.json", '{"plan": "hỏng"}')
    assert watcher.check() is False
    assert services.plans[SECOND_ID].plan.title == "Kế hoạch đã sửa"

    # A file taking another file's plan id is refused.
    raw["plan"]["id"] = SEED_ID
    _touch(folder / "5375-KH-UBND.json", raw)
    assert watcher.check() is False
    assert services.plans[SEED_ID] is seed

    # A new file adds its plan; removing it drops the plan.
    third = _raw()
    third["plan"]["id"] = third["plan"]["number"] = "77/KH-STP"
    _touch(folder / "77-KH-STP.json", third)
    assert watcher.check() is True
    assert services.plans.ids == [SEED_ID, SECOND_ID, "77/KH-STP"]
    (folder / "77-KH-STP.json").unlink()
    assert watcher.check() is True
    assert services.plans.ids == [SEED_ID, SECOND_ID]

    # A file whose plan id is changed: the old plan goes, the new one comes.
    fixed = _raw()
    fixed["plan"]["id"] = "5376/KH-UBND"
    _touch(folder / "5375-KH-UBND.json", fixed)
    assert watcher.check() is True
    assert services.plans.ids == [SEED_ID, "5376/KH-UBND"]


def test_a_checkout_without_symlinks_still_finds_the_seed(tmp_path):
    # git with core.symlinks=false (Windows) writes the link as a file holding its target.
    (tmp_path / "data" / "plans").mkdir(parents=True)
    shutil.copy(SEED, tmp_path / "data" / "plan.json")
    (tmp_path / "data" / "plans" / "124-KH-BCSD.json").write_text("../plan.json", encoding="utf-8")
    plans, broken = load_plans(tmp_path / "data" / "plans")
    assert plans.ids == [SEED_ID] and broken == []


def test_the_watcher_takes_a_file_fixed_after_start(engine, tmp_path):
    from baocao.config import Settings
    from baocao.runtime import PlanWatcher
    from baocao.services import Services
    from common.clock import FixedClock
    from scheduler.calendar import WorkingCalendar

    folder = _folder(tmp_path)
    _touch(folder / "5375-KH-UBND.json", '{"plan": ')  # broken when the bot starts: skipped
    clock = FixedClock(datetime(2024, 3, 4, 9, 0, tzinfo=ICT))
    services = Services(Settings(_env_file=None, plan_path=folder), clock, channels={}, engine=engine,
                        calendar=WorkingCalendar.load())
    assert services.plans.ids == [SEED_ID]
    watcher = PlanWatcher(services, folder)
    assert watcher.check() is False
    _touch(folder / "5375-KH-UBND.json", _raw())
    assert watcher.check() is True
    assert services.plans.ids == [SEED_ID, SECOND_ID]
    # The last plan is never dropped: removing every file keeps the bot running on one of them.
    (folder / "5375-KH-UBND.json").unlink()
    (folder / "124-KH-BCSD.json").unlink()
    assert watcher.check() is True
    assert len(services.plans) == 1
