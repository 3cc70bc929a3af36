"""A sync that would change nothing is skipped; everything it depends on makes it run again
(both databases): the plan's content, the working-day calendar, the year, the code version."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event
from sqlmodel import select

from common.paths import BUNDLED_DATA_DIR
from scheduler import dispatch
from scheduler import sync as sync_module
from scheduler.calendar import OverrideEntry, WorkingCalendar
from scheduler.plan import load_plan, parse_plan
from scheduler.plans import Plans
from storage.db import session_scope
from storage.models import Obligation, PlanSync

NOW = datetime(2024, 3, 6, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam, D-7 of quý I 2024


@pytest.fixture
def plan():
    return load_plan(BUNDLED_DATA_DIR / "plan.json")


@pytest.fixture
def cal():
    return WorkingCalendar.load()


@pytest.fixture
def spy(monkeypatch):
    """Counts the real syncs: every call of ``sync_obligations`` from ``sync_plan``."""
    calls: list[str] = []
    real = dispatch.sync_obligations

    def counting(session, plan, computed, **kwargs):
        calls.append(plan.plan.id)
        return real(session, plan, computed, **kwargs)

    monkeypatch.setattr(dispatch, "sync_obligations", counting)
    return calls


def _raw():
    return json.loads((BUNDLED_DATA_DIR / "plan.json").read_text(encoding="utf-8"))


def _obligation(engine, agency, period):
    with session_scope(engine) as session:
        return session.exec(select(Obligation).where(Obligation.agency_id == agency, Obligation.period == period)).one()


def test_unchanged_plan_is_not_synced_again(engine, plan, cal, spy):
    assert dispatch.sync_plans(engine, Plans([plan]), cal, NOW) == [plan.plan.id]
    assert spy == [plan.plan.id]
    with session_scope(engine) as session:
        row = session.get(PlanSync, plan.plan.id)
        assert row is not None and row.years == "2024" and row.code_version == sync_module.SYNC_VERSION
        assert row.synced_at == NOW

    # The same plan loaded again (another process, a restart), a minute later: nothing synced,
    # and no statement reads or writes the plan's tables.
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement.lower())

    event.listen(engine, "before_cursor_execute", record)
    try:
        later = NOW.replace(minute=1)
        assert dispatch.sync_plans(engine, Plans([load_plan(BUNDLED_DATA_DIR / "plan.json")]), WorkingCalendar.load(), later) == []
        stats = dispatch.sync_and_plan(engine, Plans([plan]), cal, later)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert spy == [plan.plan.id]
    assert stats.synced == [] and stats.sync_skipped == [plan.plan.id]
    sync_part = statements[: statements.index(next(s for s in statements if "from obligation" in s))]
    assert not [s for s in sync_part if "agency" in s or "into obligation" in s or "update obligation" in s]
    with session_scope(engine) as session:
        assert session.get(PlanSync, plan.plan.id).synced_at == NOW  # the last real sync


def test_same_content_written_differently_is_not_synced_again(engine, plan, cal, spy):
    dispatch.sync_plans(engine, Plans([plan]), cal, NOW)
    respaced = parse_plan(json.dumps(dict(reversed(list(_raw().items()))), ensure_ascii=False, indent=4))
    assert sync_module.plan_hash(respaced) == sync_module.plan_hash(plan)
    assert dispatch.sync_plans(engine, Plans([respaced]), cal, NOW) == []
    assert len(spy) == 1


def test_edited_plan_is_synced(engine, plan, cal, spy):
    dispatch.sync_plans(engine, Plans([plan]), cal, NOW)
    raw = _raw()
    for task in raw["tasks"]:
        task["coordinators"] = [c for c in task["coordinators"] if c != "hoi-luat-gia-tinh"]
    raw["tasks"][7]["lead"] = ["so-tu-phap"]
    raw["tasks"][7]["lead_is_request"] = False
    edited = parse_plan(json.dumps(raw, ensure_ascii=False))
    assert dispatch.sync_plans(engine, Plans([edited]), cal, NOW) == [plan.plan.id]
    assert _obligation(engine, "hoi-luat-gia-tinh", "2024-Q1").status == "withdrawn"
    # An edit the obligations do not read (a note) resyncs too: harmless, never skipped wrongly.
    raw["notes"][0]["reason"] += " (sửa)"
    assert dispatch.sync_plans(engine, Plans([parse_plan(json.dumps(raw, ensure_ascii=False))]), cal, NOW) == [plan.plan.id]
    assert len(spy) == 3


def test_edited_calendar_is_synced_and_moves_the_due_date(engine, plan, cal, spy):
    dispatch.sync_plans(engine, Plans([plan]), cal, NOW)
    assert _obligation(engine, "cong-an-tinh", "2024-Q1").due == date(2024, 3, 15)  # a Friday
    # The government declares Friday 15/3/2024 a day off: the due date moves to Monday.
    overrides = cal.overrides.model_copy(
        update={"days_off": [*cal.overrides.days_off, OverrideEntry(date=date(2024, 3, 15), name="Nghỉ (thử)", source="test")]}
    )
    edited = WorkingCalendar(overrides)
    assert not edited.is_working_day(date(2024, 3, 15))
    assert sync_module.calendar_hash(edited, plan, [2024, 2025]) != sync_module.calendar_hash(cal, plan, [2024, 2025])
    assert dispatch.sync_plans(engine, Plans([plan]), edited, NOW) == [plan.plan.id]
    assert _obligation(engine, "cong-an-tinh", "2024-Q1").due == date(2024, 3, 18)
    # A change of the table that moves no date (a comment) resyncs as well.
    commented = WorkingCalendar(overrides.model_copy(update={"comment": "sửa chú thích"}))
    assert dispatch.sync_plans(engine, Plans([plan]), commented, NOW) == [plan.plan.id]
    assert dispatch.sync_plans(engine, Plans([plan]), commented, NOW) == []
    assert len(spy) == 3


def _two_years():
    raw = _raw()
    raw["plan"]["in_force"]["to"] = "2025-12-31"
    return parse_plan(json.dumps(raw, ensure_ascii=False))


def test_a_new_year_and_a_new_code_version_sync_once(engine, cal, spy, monkeypatch):
    plan = _two_years()
    dispatch.sync_plans(engine, Plans([plan]), cal, NOW)
    assert dispatch.sync_plans(engine, Plans([plan]), cal, datetime(2024, 12, 31, 16, 59, tzinfo=UTC)) == []  # 23:59 in Vietnam
    new_year = datetime(2024, 12, 31, 17, 0, tzinfo=UTC)  # 00:00 of 1/1/2025 in Vietnam
    assert dispatch.sync_plans(engine, Plans([plan]), cal, new_year) == [plan.plan.id]
    assert dispatch.sync_plans(engine, Plans([plan]), cal, new_year.replace(hour=18)) == []
    with session_scope(engine) as session:
        assert session.exec(select(Obligation).where(Obligation.period == "2025-Q1", Obligation.status == "active")).first()

    monkeypatch.setattr(sync_module, "SYNC_VERSION", sync_module.SYNC_VERSION + 1)
    assert dispatch.sync_plans(engine, Plans([plan]), cal, new_year) == [plan.plan.id]
    with session_scope(engine) as session:
        assert session.get(PlanSync, plan.plan.id).code_version == sync_module.SYNC_VERSION
    assert dispatch.sync_plans(engine, Plans([plan]), cal, new_year) == []
    assert len(spy) == 3


def test_years_in_force_changed_is_synced(engine, plan, cal, spy):
    dispatch.sync_plans(engine, Plans([plan]), cal, NOW)  # in force 2024 only
    with session_scope(engine) as session:
        assert not session.exec(select(Obligation).where(Obligation.period == "2025-Q1")).first()
    longer = _two_years()
    assert dispatch.sync_plans(engine, Plans([longer]), cal, NOW) == [plan.plan.id]
    with session_scope(engine) as session:
        assert session.get(PlanSync, plan.plan.id).years == "2024,2025"
        assert session.exec(select(Obligation).where(Obligation.period == "2025-Q1")).first()


def test_force_syncs_regardless_and_repairs_the_tables(engine, plan, cal, spy):
    dispatch.sync_plans(engine, Plans([plan]), cal, NOW)
    # Someone changed a row by hand: an unchanged plan does not notice, --resync does.
    with session_scope(engine, write=True) as session:
        row = session.exec(select(Obligation).where(Obligation.agency_id == "cong-an-tinh", Obligation.period == "2024-Q1")).one()
        row.status = "withdrawn"
        session.add(row)
    assert dispatch.sync_plans(engine, Plans([plan]), cal, NOW) == []
    assert dispatch.sync_plans(engine, Plans([plan]), cal, NOW, force=True) == [plan.plan.id]
    assert _obligation(engine, "cong-an-tinh", "2024-Q1").status == "active"
    stats = dispatch.sync_and_plan(engine, Plans([plan]), cal, NOW, force=True)
    assert stats.synced == [plan.plan.id]
    assert len(spy) == 3


def test_fingerprint_is_written_with_the_sync_or_not_at_all(engine, plan, cal, spy, monkeypatch):
    """Planning fails after the sync: the whole transaction goes, fingerprint included, so the
    next pass syncs again."""

    def broken(*args, **kwargs):
        raise RuntimeError("planning failed")

    monkeypatch.setattr(dispatch, "_plan_reminders", broken)
    with pytest.raises(RuntimeError):
        dispatch.sync_and_plan(engine, Plans([plan]), cal, NOW)
    with session_scope(engine) as session:
        assert session.get(PlanSync, plan.plan.id) is None
        assert not session.exec(select(Obligation)).first()
    monkeypatch.undo()  # planning works again
    stats = dispatch.sync_and_plan(engine, Plans([plan]), cal, NOW)
    assert stats.synced == [plan.plan.id]
    with session_scope(engine) as session:
        assert session.get(PlanSync, plan.plan.id) is not None
        assert session.exec(select(Obligation)).first()


def test_each_plan_has_its_own_fingerprint(engine, plan, cal, spy):
    raw = _raw()
    raw["plan"]["id"] = "KH-KHAC-2024"
    other = parse_plan(json.dumps(raw, ensure_ascii=False))
    assert dispatch.sync_plans(engine, Plans([plan, other]), cal, NOW) == [plan.plan.id, "KH-KHAC-2024"]
    raw["tasks"][0]["title"] += " (sửa)"
    edited = parse_plan(json.dumps(raw, ensure_ascii=False))
    assert dispatch.sync_plans(engine, Plans([plan, edited]), cal, NOW) == ["KH-KHAC-2024"]
    assert spy == [plan.plan.id, "KH-KHAC-2024", "KH-KHAC-2024"]


def test_planning_reads_the_task_lists_only_of_obligations_that_may_be_reminded(engine, plan, cal, monkeypatch):
    """At D-7 of quý I the planner needs the tasks of quý I's obligations, not of the year's
    other periods (a large plan's bulk); every active obligation still counts as active."""
    dispatch.sync_plans(engine, Plans([plan]), cal, NOW)
    loaded: list[str] = []
    real = dispatch._load_tasks

    def spy_load(session, obs):
        loaded.extend(ob.period for ob in obs)
        return real(session, obs)

    monkeypatch.setattr(dispatch, "_load_tasks", spy_load)
    dispatch.sync_and_plan(engine, Plans([plan]), cal, NOW, sync=False)
    with session_scope(engine) as session:
        q1 = session.exec(select(Obligation).where(Obligation.period == "2024-Q1")).all()
    assert sorted(loaded) == ["2024-Q1"] * len(q1) and len(q1) > 40
