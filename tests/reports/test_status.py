"""Reporting status of a period (reports.status, ``baocao status``) on SQLite and PostgreSQL.

A scripted quý I 2024 of the seed plan (due Friday 15/3, consolidation 22/3):

- Công an tỉnh reports every task on 14/3, then corrects task 4 on 18/3 → on time, the
  correction's content wins;
- Sở Tư pháp answers task 1 through sub-item 1a only, tasks 1–3 on 14/3 and the rest on 18/3
  → late;
- Sở Nội vụ answers task 3 and sub-item 1b only → partial;
- Hội Luật gia tỉnh reports everything, but its obligation is withdrawn → does not count;
- Công an tỉnh's 06-tháng report does not leak into quý I;
- everybody else → missing.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlmodel import select

from common.paths import BUNDLED_DATA_DIR
from reports import status as st
from scheduler.calendar import WorkingCalendar
from scheduler.deadlines import obligations
from scheduler.plan import load_plan
from scheduler.sync import sync_agencies, sync_obligations
from storage.models import Contact, ContactRole, Obligation, ObligationStatus, ReportSource
from storage.queries import add_report

PLAN = load_plan(BUNDLED_DATA_DIR / "plan.json")
CAL = WorkingCalendar.load(BUNDLED_DATA_DIR / "calendar-vn.json")
VN = ZoneInfo("Asia/Ho_Chi_Minh")
PERIOD = "2024-Q1"


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)


SYNCED = vn(2024, 3, 1, 8, 0)
BEFORE = vn(2024, 3, 14, 16, 30)  # the day before the due date
DUE_EVENING = vn(2024, 3, 15, 23, 0)  # still the due date in Vietnam (16:00 UTC)
AFTER = vn(2024, 3, 18, 9, 15)  # Monday after the due date
NOW = vn(2024, 3, 20, 9, 0)

COMPUTED = obligations(PLAN, CAL, 2024)
Q1_ASSIGNED = {o.agency_id: [d.no for d in o.tasks] for o in COMPUTED if o.period == PERIOD}


def _report(session, obligation, task_nos, when, **fields):
    entries = [{"task_no": no, "status": "in_progress", "percent": 40, "text": f"NV{no}: đang thực hiện", **fields} for no in task_nos]
    return add_report(session, obligation.id, entries, source=ReportSource.CLI, submitted_at=when)


def _obligation(session, agency_id, period=PERIOD):
    return session.exec(select(Obligation).where(Obligation.agency_id == agency_id, Obligation.period == period)).one()


def _sync(session):
    sync_agencies(session, PLAN, now=SYNCED)
    sync_obligations(session, PLAN, COMPUTED, years=[2024], now=SYNCED)
    session.commit()


def _seed(session) -> None:
    """The scripted quarter described in the module docstring."""
    _sync(session)

    police = _obligation(session, "cong-an-tinh")
    tasks = Q1_ASSIGNED["cong-an-tinh"]
    _report(session, police, tasks, BEFORE)
    add_report(
        session,
        police.id,
        [{"task_no": "4", "status": "in_progress", "percent": 70, "difficulty": True, "text": "NV4: 70%, vướng kinh phí"}],
        source=ReportSource.CLI,
        submitted_at=BEFORE,
    )
    # The correction after the due date: later revision, on-time report.
    add_report(
        session,
        police.id,
        [{"task_no": "4", "status": "done", "percent": 100, "text": "NV4: đã hoàn thành"}],
        source=ReportSource.CHAT, channel="telegram",
        submitted_at=AFTER,
    )
    _report(session, _obligation(session, "cong-an-tinh", "2024-H1"), ["4"], vn(2024, 6, 10, 9))

    justice = _obligation(session, "so-tu-phap")
    first, rest = ["1a", "2", "3"], [no for no in Q1_ASSIGNED["so-tu-phap"] if no not in ("1", "2", "3")]
    _report(session, justice, first, DUE_EVENING, status="done", percent=None)
    _report(session, justice, rest, AFTER, difficulty=True)

    home = _obligation(session, "so-noi-vu")
    _report(session, home, ["3", "1b"], BEFORE, status="not_started", percent=0)

    lawyers = _obligation(session, "hoi-luat-gia-tinh")
    _report(session, lawyers, Q1_ASSIGNED["hoi-luat-gia-tinh"], BEFORE)
    lawyers.status = ObligationStatus.WITHDRAWN
    session.add(lawyers)

    created = datetime(2024, 3, 1, tzinfo=UTC)
    session.add(Contact(channel="telegram", chat_id="1001", user_id="1001", display_name="Nguyễn Văn An", agency_id="so-y-te", role=ContactRole.FOCAL, created_at=created))
    session.add(Contact(channel="telegram", chat_id="1002", user_id="1002", display_name="Trần Thị Bình", agency_id="so-y-te", role=ContactRole.FOCAL, active=False, created_at=created))
    session.add(Contact(channel="telegram", chat_id="1003", user_id="1003", display_name="Lê Chí", agency_id="so-y-te", role=ContactRole.COORDINATOR, created_at=created))
    session.commit()


# --- default period ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (vn(2023, 6, 1, 9), "2024-Q1"),  # before the plan: the first period due
        (vn(2024, 3, 6, 8, 30), "2024-Q1"),  # next due
        (vn(2024, 3, 15, 17), "2024-Q1"),  # the due date itself
        (vn(2024, 3, 18, 9), "2024-Q1"),  # past due, Sở Tư pháp consolidating (until 22/3)
        (vn(2024, 3, 22, 23), "2024-Q1"),  # the consolidation due date
        (vn(2024, 3, 25, 8), "2024-H1"),  # consolidated: the next period
        (vn(2024, 12, 20, 8), "2024-FY"),
        (vn(2025, 2, 1, 8), "2024-FY"),  # the plan is over: its last period
    ],
)
def test_default_period(now, expected):
    assert st.default_period(PLAN, CAL, now) == expected


def test_default_period_uses_local_date():
    # 17:30 UTC on 22/3 is already 23/3 in Vietnam: Q1's consolidation is over.
    assert st.default_period(PLAN, CAL, datetime(2024, 3, 22, 17, 30, tzinfo=UTC)) == "2024-H1"
    assert st.default_period(PLAN, CAL, datetime(2024, 3, 22, 16, 30, tzinfo=UTC)) == "2024-Q1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2024-Q7", "không hợp lệ"),
        ("Q1-2024", "không hợp lệ"),
        ("2024-Q2", "kế hoạch không có kỳ báo cáo Q2"),
        ("2025-Q1", "năm 2025 không có kỳ báo cáo nào"),
    ],
)
def test_parse_period_rejects(text, message):
    with pytest.raises(st.PeriodError, match=message):
        st.parse_period(PLAN, text)


def test_parse_period_accepts():
    assert st.parse_period(PLAN, " 2024-q1 ") == (2024, "Q1")
    assert st.parse_period(PLAN, "9m", default_year=2024) == (2024, "9M")


# --- period status -----------------------------------------------------------------------


def test_period_status_states_and_counts(session):
    _seed(session)
    result = st.period_status(session, PLAN, PERIOD, NOW, "Asia/Ho_Chi_Minh")

    assert (result.due, result.consolidation_due) == (date(2024, 3, 15), date(2024, 3, 22))
    assert result.period_name == "quý I năm 2024"
    assert result.overdue
    assert result.counts == {"on_time": 1, "late": 1, "partial": 1, "missing": 43}
    assert (result.reported, result.total) == (2, 46)
    ids = [a.agency_id for a in result.agencies]
    assert "hoi-luat-gia-tinh" not in ids  # withdrawn
    assert ids == [a.id for a in PLAN.agencies if a.id in ids]  # directory order

    police = result.agency("cong-an-tinh")
    assert police.state == "on_time" and police.missing_tasks == () and not police.overdue
    assert [t.no for t in police.tasks] == Q1_ASSIGNED["cong-an-tinh"]
    assert police.role_of("4").role == "lead" and police.role_of("1").role == "coordinator"
    task4 = next(e for e in police.entries if e.task == "4")
    # Latest revision wins on content; timeliness comes from the first report.
    assert (task4.status, task4.percent, task4.difficulty, task4.revision) == ("done", 100, False, 3)
    assert task4.submitted_at == AFTER and task4.submitted_at.utcoffset().total_seconds() == 7 * 3600
    assert task4.first_submitted_at == BEFORE
    assert task4.late is False

    justice = result.agency("so-tu-phap")
    assert justice.state == "late"
    assert justice.missing_tasks == ()  # task 1 answered through sub-item 1a
    assert "1a" in [e.task for e in justice.entries] and "1" not in [e.task for e in justice.entries]
    assert "1" not in justice.late_tasks and "2" not in justice.late_tasks  # 23:00 on the due date is on time
    assert set(justice.late_tasks) == set(Q1_ASSIGNED["so-tu-phap"]) - {"1", "2", "3"}

    home = result.agency("so-noi-vu")
    assert home.state == "partial" and home.overdue
    assert home.missing_tasks == tuple(no for no in Q1_ASSIGNED["so-noi-vu"] if no not in ("1", "3"))
    assert home.late_tasks == ()

    health = result.agency("so-y-te")
    assert health.state == "missing" and health.entries == () and health.overdue
    assert health.missing_tasks == tuple(Q1_ASSIGNED["so-y-te"])
    assert [(c.display_name, c.chat_id) for c in health.contacts] == [("Nguyễn Văn An", "1001")]


def test_period_status_before_the_due_date_is_not_overdue(session):
    _seed(session)
    result = st.period_status(session, PLAN, PERIOD, vn(2024, 3, 15, 8), VN)
    assert not result.overdue
    assert not result.agency("so-y-te").overdue
    # Reports submitted "later" than this moment are still shown: the view is of the database.
    assert result.counts["on_time"] == 1


def test_task_summary(session):
    _seed(session)
    result = st.period_status(session, PLAN, PERIOD, NOW, VN)
    tasks = {t.no: t for t in result.tasks}
    assert list(tasks) == [str(n) for n in range(1, 12)]

    four = tasks["4"]
    assert four.title.startswith("Phối hợp trong điều tra")
    assert four.lead == ("Công an tỉnh",) and four.lead_ids == ("cong-an-tinh",)
    owing_4 = sum(1 for agency, nos in Q1_ASSIGNED.items() if "4" in nos and agency != "hoi-luat-gia-tinh")
    assert (four.reported_by, four.assigned_to) == (2, owing_4)
    assert four.statuses == {"done": 1, "in_progress": 1, "not_started": 0, "not_arisen": 0, "unspecified": 0}
    assert four.average_percent == 70.0  # 100 (police, corrected) and 40 (justice)
    assert four.difficulties == 1  # the police's difficulty was corrected away

    one = tasks["1"]
    # police answered "1" (in progress), justice only 1a (done → task 1 in progress),
    # home affairs only 1b (not started).
    assert one.reported_by == 3
    assert one.statuses == {"done": 0, "in_progress": 2, "not_started": 1, "not_arisen": 0, "unspecified": 0}
    assert one.average_percent == pytest.approx((40 + 0) / 2)  # justice gave no percent

    eight = tasks["8"]
    assert eight.lead_is_request and eight.lead == ("Hội Luật gia tỉnh",)


def test_as_dict_is_json_with_local_offsets(session):
    _seed(session)
    data = st.period_status(session, PLAN, PERIOD, NOW, VN).as_dict()
    text = json.dumps(data, ensure_ascii=False)
    assert json.loads(text)["period"] == PERIOD
    assert data["due"] == "2024-03-15" and data["consolidation_due"] == "2024-03-22"
    assert data["now"] == "2024-03-20T09:00:00+07:00"
    police = next(a for a in data["agencies"] if a["agency_id"] == "cong-an-tinh")
    entry = next(e for e in police["entries"] if e["task"] == "4")
    assert entry["submitted_at"] == "2024-03-18T09:15:00+07:00"
    assert {"task", "status", "percent", "difficulty", "text", "submitted_at", "late"} <= set(entry)


def test_agency_detail(session):
    _seed(session)
    police = st.agency_detail(session, PLAN, "cong-an-tinh", PERIOD, NOW)
    assert police == st.period_status(session, PLAN, PERIOD, NOW).agency("cong-an-tinh")
    with pytest.raises(st.NotFound, match="Hội Luật gia tỉnh không phải báo cáo kỳ quý I năm 2024"):
        st.agency_detail(session, PLAN, "hoi-luat-gia-tinh", PERIOD, NOW)
    with pytest.raises(st.NotFound, match="không có cơ quan"):
        st.agency_detail(session, PLAN, "so-khong-co", PERIOD, NOW)


def test_task_detail(session):
    _seed(session)
    detail = st.task_detail(session, PLAN, "1", PERIOD, NOW)
    rows = {row.agency_id: row for row in detail.agencies}
    assert detail.agencies[0].role == "lead"
    assert detail.agencies[0].agency_id == "hoi-dong-phoi-hop-pho-bien-giao-duc-phap-luat-tinh"
    assert [e.task for e in rows["so-tu-phap"].entries] == ["1a"] and rows["so-tu-phap"].reported
    assert rows["so-noi-vu"].entries[0].status == "not_started"
    assert not rows["so-y-te"].reported and rows["so-y-te"].contacts[0].display_name == "Nguyễn Văn An"
    assert "hoi-luat-gia-tinh" not in rows
    assert detail.summary.reported_by == 3

    item = st.task_detail(session, PLAN, "1a", PERIOD, NOW)
    assert [row.agency_id for row in item.agencies if row.reported] == ["so-tu-phap"]
    assert item.summary.title and item.summary.statuses["done"] == 1

    with pytest.raises(st.NotFound, match="không có nhiệm vụ '12'"):
        st.task_detail(session, PLAN, "12", PERIOD, NOW)


def test_resolve_subject():
    assert st.resolve_subject(PLAN, "NV4").id == "4"
    assert st.resolve_subject(PLAN, "nv 1a") == st.Subject("task", "1a", PLAN.task_by_no["1"].items[0].title)
    assert st.resolve_subject(PLAN, "ca tinh").id == "cong-an-tinh"
    group = st.resolve_subject(PLAN, "UBND các huyện, thành phố")
    assert group.kind == "group" and "ubnd-huyen-ninh-hai" in group.members
    assert st.resolve_subject(PLAN, "không có") is None


def test_constant_number_of_queries(session, engine):
    _seed(session)
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if "FROM" in statement.upper():
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        result = st.period_status(session, PLAN, PERIOD, NOW, VN)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert result.total == 46
    assert len(statements) == 3, statements  # obligations, latest entries, contacts


def test_period_without_obligations_gets_its_dates_from_the_plan(session):
    result = st.period_status(session, PLAN, "2024-H1", NOW, VN)
    assert result.total == 0 and result.reported == 0
    assert (result.due, result.consolidation_due) == (date(2024, 6, 17), date(2024, 6, 24))
    with pytest.raises(st.PeriodError):
        st.period_status(session, PLAN, "2024-Q7", NOW, VN)


# --- the command line --------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch, tmp_path):
    """``baocao`` as an admin runs it, from an empty directory."""
    from baocao.cli import main

    monkeypatch.chdir(tmp_path)
    for name in ("BAOCAO_PLAN_PATH", "BAOCAO_CALENDAR_PATH", "BAOCAO_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)

    def run(capsys, *argv):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_cli_json_and_text(cli, capsys, monkeypatch, database_url, engine, session):
    monkeypatch.setenv("BAOCAO_DATABASE_URL", database_url)

    # A fresh database: the command syncs the plan first, so every agency owes the quarter.
    code, out, err = cli(capsys, "--now", "2024-03-20T09:00", "status", "--period", "2024-Q1", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["period"], data["reported"], data["total"]) == ("2024-Q1", 0, 47)
    assert {a["state"] for a in data["agencies"]} == {"missing"}

    _seed(session)  # also withdraws Hội Luật gia tỉnh's obligation...
    code, out, err = cli(capsys, "--now", "2024-03-20T09:00", "status", "--period", "2024-Q1", "--json")
    assert code == 0, err
    data = json.loads(out)
    # ...which the plan still asks for, so the command's sync re-activates it (with its report).
    assert (data["reported"], data["total"]) == (3, 47)
    assert data["due"] == "2024-03-15" and data["consolidation_due"] == "2024-03-22"
    by_id = {a["agency_id"]: a for a in data["agencies"]}
    assert by_id["hoi-luat-gia-tinh"]["state"] == "on_time"
    assert by_id["so-tu-phap"]["state"] == "late" and by_id["so-noi-vu"]["state"] == "partial"
    assert by_id["so-noi-vu"]["missing_tasks"] == [n for n in Q1_ASSIGNED["so-noi-vu"] if n not in ("1", "3")]
    entry = next(e for e in by_id["cong-an-tinh"]["entries"] if e["task"] == "4")
    assert {k: entry[k] for k in ("status", "percent", "difficulty", "text", "submitted_at")} == {
        "status": "done",
        "percent": 100,
        "difficulty": False,
        "text": "NV4: đã hoàn thành",
        "submitted_at": "2024-03-18T09:15:00+07:00",
    }
    assert "Tư pháp" in out and "\\u" not in out  # ensure_ascii=False
    four = next(t for t in data["tasks"] if t["no"] == "4")
    assert four["statuses"]["done"] == 1

    code, out, err = cli(capsys, "--now", "2024-03-20T09:00", "status", "--period", "2024-Q1")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Tình hình báo cáo quý I năm 2024 — hạn Thứ Sáu, ngày 15 tháng 3 năm 2024"
    assert "Hạn Sở Tư pháp tổng hợp: Thứ Sáu, ngày 22 tháng 3 năm 2024" in lines
    assert "Đã báo cáo: 3/47 (đúng hạn 2, muộn 1); báo cáo một phần: 1; chưa báo cáo: 43" in lines
    assert "Tính đến 09:00 ngày 20/03/2024: đã quá hạn gửi báo cáo 3 ngày làm việc." in lines
    assert "Đã báo cáo nhưng muộn (1):" in lines
    assert any(line.startswith("  - Sở Nội vụ (còn thiếu NV 2, 4") for line in lines)
    assert "  - Sở Y tế (đầu mối: Nguyễn Văn An)" in lines
    assert any(line.startswith("  NV4. Phối hợp trong điều tra") and "đã hoàn thành 1" in line for line in lines)


def test_cli_withdrawn_by_plan_edit_does_not_count(cli, capsys, monkeypatch, database_url, engine, tmp_path):
    # The admin edits the plan: Hội Luật gia tỉnh no longer takes part (as in test_sync).
    raw = json.loads((BUNDLED_DATA_DIR / "plan.json").read_text(encoding="utf-8"))
    for task in raw["tasks"]:
        task["coordinators"] = [c for c in task["coordinators"] if c != "hoi-luat-gia-tinh"]
        if task["lead"] == ["hoi-luat-gia-tinh"]:
            task["lead"] = ["so-tu-phap"]
            task["lead_is_request"] = False
    edited = tmp_path / "plan.json"
    edited.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("BAOCAO_DATABASE_URL", database_url)

    code, out, err = cli(capsys, "--now", "2024-03-20T09:00", "status", "--json")
    assert code == 0, err
    assert json.loads(out)["total"] == 47
    monkeypatch.setenv("BAOCAO_PLAN_PATH", str(edited))
    code, out, err = cli(capsys, "--now", "2024-03-20T09:00", "status", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["total"] == 46 and "hoi-luat-gia-tinh" not in {a["agency_id"] for a in data["agencies"]}


def test_cli_default_period(cli, capsys, monkeypatch, database_url, engine):
    monkeypatch.setenv("BAOCAO_DATABASE_URL", database_url)
    code, out, err = cli(capsys, "--now", "2024-03-25T08:00", "status")
    assert code == 0, err
    assert out.splitlines()[0] == "Tình hình báo cáo 06 tháng năm 2024 — hạn Thứ Hai, ngày 17 tháng 6 năm 2024"
    days = CAL.working_days_between(date(2024, 3, 25), date(2024, 6, 17))
    assert f"Tính đến 08:00 ngày 25/03/2024: còn {days} ngày làm việc đến hạn gửi báo cáo." in out


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2024-Q7", "baocao: kỳ báo cáo '2024-Q7' không hợp lệ"),
        ("2024-Q2", "baocao: kế hoạch không có kỳ báo cáo Q2"),
        ("2025-Q1", "baocao: Kế hoạch số 124-KH/BCSĐ chỉ có hiệu lực từ 30/01/2024 đến 31/12/2024"),
    ],
)
def test_cli_bad_period_is_one_line(cli, capsys, tmp_path, period, message):
    code, out, err = cli(capsys, "--now", "2024-03-20T09:00", "status", "--period", period)
    assert code == 2 and out == ""
    assert err.startswith(message) and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "baocao.sqlite3").exists()  # rejected before touching the database


def test_cli_unreachable_database_is_one_line(cli, capsys, monkeypatch):
    from storage import db

    url = "postgresql://postgres@127.0.0.1:1/x"
    monkeypatch.setenv("BAOCAO_DATABASE_URL", url)
    try:
        code, out, err = cli(capsys, "--now", "2024-03-20T09:00", "status", "--period", "2024-Q1")
    finally:
        db.dispose_engine(url)
    assert code == 2 and out == ""
    assert err.startswith("baocao: Không kết nối được cơ sở dữ liệu postgresql tại 127.0.0.1:1")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_cli_database_not_migrated_is_one_line(cli, capsys, monkeypatch, pg_url):
    monkeypatch.setenv("BAOCAO_DATABASE_URL", pg_url)
    code, out, err = cli(capsys, "--now", "2024-03-20T09:00", "status")
    assert code == 2 and out == ""
    assert "baocao db upgrade" in err and len(err.strip().splitlines()) == 1
