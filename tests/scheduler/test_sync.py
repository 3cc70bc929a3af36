"""The plan's agency directory copied into the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from common.paths import BUNDLED_DATA_DIR
from scheduler.plan import load_plan
from scheduler.sync import sync_agencies
from storage.models import Agency

NOW = datetime(2024, 3, 1, 1, 30, tzinfo=UTC)


def test_every_plan_agency_fits_and_resync_changes_nothing(session):
    plan = load_plan(BUNDLED_DATA_DIR / "plan.json")
    first = sync_agencies(session, plan, now=NOW)
    session.commit()
    assert len(first.inserted) == len(plan.agencies) == 47
    rows = {a.id: a for a in session.exec(select(Agency)).all()}
    longest = max(plan.agencies, key=lambda a: len(a.id))
    assert rows[longest.id].name == longest.name  # 75-character slug survives the round trip
    assert rows["hoi-dong-phoi-hop-pho-bien-giao-duc-phap-luat-tinh"].parent_id == "so-tu-phap"
    assert rows["ubnd-huyen-ninh-hai"].valid_to.isoformat() == "2025-06-30"

    again = sync_agencies(session, plan, now=NOW)
    session.commit()
    assert again.inserted == [] and again.updated == []
    assert len(again.unchanged) == 47


def _computed(plan, year=2024):
    from scheduler.calendar import WorkingCalendar
    from scheduler.deadlines import obligations

    return obligations(plan, WorkingCalendar.load(), year)


def test_obligations_sync_is_idempotent_and_withdraws_what_the_plan_drops(session):
    import json

    from scheduler.plan import parse_plan
    from scheduler.sync import sync_obligations
    from storage.models import Obligation, ReportSource
    from storage.queries import add_report, latest_entries

    plan = load_plan(BUNDLED_DATA_DIR / "plan.json")
    sync_agencies(session, plan, now=NOW)
    first = sync_obligations(session, plan, _computed(plan), years=[2024], now=NOW)
    session.commit()
    assert (first.inserted, first.updated, first.withdrawn) == (188, 0, 0)
    again = sync_obligations(session, plan, _computed(plan), years=[2024], now=NOW)
    assert (again.inserted, again.updated, again.withdrawn, again.unchanged) == (0, 0, 0, 188)

    police_q1 = session.exec(
        select(Obligation).where(Obligation.agency_id == "cong-an-tinh", Obligation.period == "2024-Q1")
    ).one()
    add_report(
        session,
        police_q1.id,
        [{"task_no": "4", "status": "in_progress", "percent": 70, "text": "NV4: đang thực hiện 70%"}],
        source=ReportSource.CLI,
        submitted_at=NOW,
    )
    session.commit()

    # An admin edits the plan: Hội Luật gia tỉnh no longer takes part anywhere, and the
    # police stop coordinating task 9 (the only task where they are named and not in a group).
    raw = json.loads((BUNDLED_DATA_DIR / "plan.json").read_text(encoding="utf-8"))
    for task in raw["tasks"]:
        task["coordinators"] = [c for c in task["coordinators"] if c != "hoi-luat-gia-tinh"]
        if task["no"] == "9":
            task["coordinators"] = [c for c in task["coordinators"] if c != "cong-an-tinh"]
    raw["tasks"][7]["lead"] = ["so-tu-phap"]
    edited = parse_plan(json.dumps(raw, ensure_ascii=False))
    result = sync_obligations(session, edited, _computed(edited), years=[2024], now=NOW)
    session.commit()
    assert result.inserted == 0
    assert result.withdrawn == 4  # Hội Luật gia tỉnh × 4 periods
    assert result.updated >= 4  # the police's task lists, and Sở Tư pháp now leads task 8
    session.refresh(police_q1)
    assert "9" not in {t["no"] for t in police_q1.tasks}
    # The report already stored is untouched.
    assert latest_entries(session, police_q1.id)["4"].percent == 70
    withdrawn = session.exec(select(Obligation).where(Obligation.agency_id == "hoi-luat-gia-tinh")).all()
    assert {o.status for o in withdrawn} == {"withdrawn"}

    # Putting it back re-activates the same rows rather than creating new ones.
    back = sync_obligations(session, plan, _computed(plan), years=[2024], now=NOW)
    assert back.inserted == 0 and back.withdrawn == 0
