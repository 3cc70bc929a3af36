"""The plan's agency directory copied into the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from baocao.paths import BUNDLED_DATA_DIR
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
