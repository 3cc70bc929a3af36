"""``baocao demo``: the real bot (the runtime, the Telegram channel) against the Bot API stand-in.

The demo's simulation runs in-process (``baocao.demo.simulation.run_demo``) and is checked against its own
database; the command runs as a user starts it, in a subprocess. The sandbox console is
tests/baocao/demo/test_console.py.
"""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlmodel import select

from common.paths import BUNDLED_DATA_DIR
from baocao.demo import simulation as demo
from bot.parser import parse_reply
from scheduler import deadlines
from scheduler.calendar import WorkingCalendar
from scheduler.plan import load_plan

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_proxy_for_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,::1")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost,::1")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BAOCAO_DATABASE_URL", "BAOCAO_PLAN_PATH", "BAOCAO_CALENDAR_PATH")}
    env.update({"NO_PROXY": "127.0.0.1,localhost,::1", "no_proxy": "127.0.0.1,localhost,::1", "PYTHONIOENCODING": "utf-8"})
    env.update(extra)
    return env


# --- the script ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def year_2024():
    plan = load_plan(BUNDLED_DATA_DIR / "plan.json")
    cal = WorkingCalendar.load()
    obligations = deadlines.obligations(plan, cal, 2024)
    settings = plan.reporting.reminders
    periods = []
    for key in dict.fromkeys(o.period for o in obligations):
        ob = next(o for o in obligations if o.period == key)
        ladder = deadlines.reminder_schedule(ob.due, settings.steps, settings.time, ZoneInfo(settings.timezone), cal)
        periods.append(demo.PeriodInfo(key, key.split("-")[1], plan.period_name(key), ob.due, ob.consolidation_due,
                                       tuple((r.step, r.at, r.escalate) for r in ladder)))
    duties = {(o.agency_id, o.period): [(t.no, t.role) for t in o.tasks] for o in obligations}
    names = {a.id: a.name for a in plan.agencies}
    return plan, periods, duties, names


def test_script_is_deterministic_and_the_parser_reads_it(year_2024):
    plan, periods, duties, names = year_2024
    script = demo.write_script(7, periods, duties, names)
    assert script == demo.write_script(7, periods, duties, names)
    assert script != demo.write_script(8, periods, duties, names)
    valid = list(plan.task_refs())
    for answer in script.answers:
        entries = parse_reply(answer.text, valid)
        expected = {no for no, _ in answer.tasks}
        got = {e.task for e in entries}
        if got == {None}:  # a single task written without its number: the bot assigns it
            assert len(duties[(answer.agency_id, answer.period)]) == 1, answer.text
        else:
            assert got == expected, answer.text
        # An extension request ("đề nghị gia hạn đến …") is sent to Sở Tư pháp on its own
        # (bot.extensions), not read as a difficulty.
        difficulty = bool(answer.difficulty) and "gia hạn" not in answer.difficulty
        assert any(e.difficulty for e in entries) == difficulty, answer.text
    correction = script.correction
    assert correction is not None
    assert {e.task for e in parse_reply(correction.text, valid)} == {correction.task}
    for period in periods:
        kinds = script.kinds(period.key)
        assert sum(kinds.values()) == 47
        assert kinds[demo.SILENT] and kinds[demo.LATE] and kinds[demo.PARTIAL] and kinds[demo.ON_TIME] > 25


def test_summary_table_has_vietnamese_header():
    rows = [demo.PeriodSummary("2024-Q1", "quý I năm 2024", 8, 5, 1, 1, 1, 26, 8, 1)]
    table = demo.format_summary(rows)
    assert table.startswith(demo.SUMMARY_TITLE)
    for label in ("Kỳ báo cáo", "Số cơ quan", "Đúng hạn", "Muộn", "Một phần", "Chưa báo cáo", "Tin nhắc đã gửi", "Báo cáo đã lưu", "Bản sửa"):
        assert label in table
    assert "Cả năm (cộng các kỳ)" in table


# --- the demo, in-process -------------------------------------------------------------------------


async def test_demo_simulation_end_to_end(tmp_path):
    from storage.db import dispose_engine, get_engine
    from storage.models import Obligation, ObligationStatus, Outbox, OutboxStatus, Report, ReportEntry

    out, err = io.StringIO(), io.StringIO()
    began = time.monotonic()
    result = await demo.run_demo(demo.DemoOptions(seed=2024, agencies=8, timeout_s=90), out=out, err=err, workdir=tmp_path)
    wall = time.monotonic() - began
    assert wall < 40, f"the 8-agency demo took {wall:.1f} s"
    assert len(result.agencies) == 8 and "cong-an-tinh" in result.agencies

    # Every period adds up to the agencies taking part.
    assert [s.period for s in result.summaries] == ["2024-Q1", "2024-H1", "2024-9M", "2024-FY"]
    for s in result.summaries:
        assert s.agencies == 8
        assert s.on_time + s.late + s.partial + s.missing == 8, s
        assert s.reminders > 0 and s.replies > 0
    assert sum(s.corrections for s in result.summaries) == 1

    engine = get_engine(result.database_url)
    try:
        from storage.db import session_scope

        with session_scope(engine) as session:
            active = select(Obligation.id).where(Obligation.status == ObligationStatus.ACTIVE)
            assert session.exec(select(func.count()).select_from(Report).where(Report.late == True, Report.obligation_id.in_(active))).one() >= 1  # noqa: E712
            reported = set(session.exec(select(Report.obligation_id)).all())
            obligations = session.exec(select(Obligation).where(Obligation.status == ObligationStatus.ACTIVE)).all()
            assert len({o.agency_id for o in obligations}) == 8
            assert any(o.id not in reported for o in obligations), "someone stays silent"
            assert session.exec(select(func.count()).select_from(ReportEntry).where(ReportEntry.difficulty == True)).one() >= 1  # noqa: E712
            revisions = Counter(session.exec(select(ReportEntry.revision)).all())
            assert revisions[2] == 1 and max(revisions) == 2, revisions

            # No reminder twice: unique keys, and each sent row reached its chat exactly once.
            rows = session.exec(select(Outbox).where(Outbox.kind == "reminder")).all()
            assert len({r.key for r in rows}) == len(rows)
            sent = [r for r in rows if r.status == OutboxStatus.SENT.value]
            assert sent
            for row in sent:
                parts = demo.telegram_texts(row)  # the reminder as the Telegram channel renders it
                assert parts, row.key
                for text in parts:
                    copies = [m for m in result.sent if m["chat_id"] == int(row.chat_id) and m["params"].get("text") == text]
                    assert len(copies) == 1, row.key
                assert str(copies[0]["message_id"]) == row.message_id  # the last part's
            assert result.duplicate_reminders == 0
            per_step = Counter((r.obligation_id, r.contact_id, r.step) for r in sent)
            assert max(per_step.values()) == 1
    finally:
        dispose_engine(result.database_url)

    # The Sở Tư pháp coordinator asked /tinhhinh after each period and got an answer.
    assert set(result.coordinator_answers) == {"2024-Q1", "2024-H1", "2024-9M", "2024-FY"}
    for period, text in result.coordinator_answers.items():
        assert "Tình hình báo cáo" in text and "/8 cơ quan" in text, text
    to_coordinator = [m for m in result.sent if m["chat_id"] == demo.COORDINATOR_USER_ID]
    assert any("Tình hình báo cáo quý I năm 2024" in (m.get("plain") or "") for m in to_coordinator)
    assert result.digests, "the D+3 escalation digest reached the coordinator"

    text = out.getvalue()
    assert demo.SUMMARY_TITLE in text and "Sở Tư pháp hỏi /tinhhinh Q1" in text
    assert "100%" in err.getvalue()  # the progress bar went to stderr


async def test_demo_timeout_stops_everything(tmp_path):
    with pytest.raises(demo.DemoTimeout) as raised:
        await demo.run_demo(demo.DemoOptions(agencies=4, timeout_s=1.5, quiet=True), out=io.StringIO(), err=io.StringIO(), workdir=tmp_path)
    assert "1.5 giây" in str(raised.value)
    # Nothing is left running: the stand-in's port and the bot's tasks are gone.
    leftover = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    assert leftover == []


# --- the commands, as a user runs them ------------------------------------------------------------


def test_cli_demo_runs_and_prints_the_summary(tmp_path):
    began = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "baocao", "demo", "--agencies", "6"],
        cwd=tmp_path, env=_env(), capture_output=True, text=True, encoding="utf-8", timeout=90,
    )
    assert proc.returncode == 0, proc.stderr
    assert demo.SUMMARY_TITLE in proc.stdout
    assert "Kỳ báo cáo" in proc.stdout and "Chưa báo cáo" in proc.stdout and "Bản sửa" in proc.stdout
    assert "6/47 cơ quan" in proc.stdout
    assert "Traceback" not in proc.stderr
    # The consolidated outputs of every period; nothing else (the database was temporary).
    assert [p.name for p in tmp_path.iterdir()] == ["baocao-demo"]
    files = sorted(p.name for p in (tmp_path / "baocao-demo").iterdir())
    assert len(files) == 16 and "bao-cao-124-kh-bcsd-2024-FY.docx" in files and "phu-luc-124-kh-bcsd-2024-Q1.xlsx" in files
    assert (tmp_path / "baocao-demo" / "bieu-do-124-kh-bcsd-2024-H1.png").read_bytes().startswith(b"\x89PNG")
    assert "baocao-demo" in proc.stdout
    assert time.monotonic() - began < 90


async def test_demo_on_zalo_uses_numbered_choices_and_sends_nothing_twice(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    result = await demo.run_demo(demo.DemoOptions(seed=2024, agencies=6, timeout_s=90, channel="zalo"), out=out, err=err,
                                 workdir=tmp_path)
    for s in result.summaries:
        assert s.agencies == 6 and s.on_time + s.late + s.partial + s.missing == 6, s
        assert s.reminders > 0 and s.replies > 0
    assert sum(s.corrections for s in result.summaries) == 1
    assert result.duplicate_reminders == 0 and result.reminders_sent > 0
    texts = [m["text"] for m in result.sent]
    assert all(1 <= len(t) <= 2000 for t in texts) and not any("<b>" in t for t in texts)
    assert any("Trả lời bằng số:\n1. ✅ Xác nhận" in t or "Trả lời bằng số:\n1. ✅ Xác nhận   2." in t for t in texts)
    assert set(result.coordinator_answers) == {"2024-Q1", "2024-H1", "2024-9M", "2024-FY"}
    narrative = out.getvalue()
    assert "máy chủ Zalo Bot API giả lập" in narrative and "nhắn mã mời cho bot" in narrative
    assert "Traceback" not in err.getvalue()


def test_cli_demo_on_zalo(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "baocao", "demo", "--channel", "zalo", "--agencies", "4", "--no-files", "--quiet"],
        cwd=tmp_path, env=_env(), capture_output=True, text=True, encoding="utf-8", timeout=90,
    )
    assert proc.returncode == 0, proc.stderr
    assert demo.SUMMARY_TITLE in proc.stdout and "Traceback" not in proc.stderr
