"""Editing plan.json while the bot runs: obligations recomputed, reminders of withdrawn ones
stop, stored reports stay; a broken edit is ignored (both databases)."""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime, timedelta, timezone

from sqlmodel import select

from baocao.config import Settings
from baocao.runtime import PlanWatcher
from baocao.services import Services
from common.clock import FixedClock
from common.paths import BUNDLED_DATA_DIR
from scheduler import dispatch
from scheduler.calendar import WorkingCalendar
from scheduler.plan import load_plan
from storage.db import session_scope
from storage.models import Contact, Obligation, Outbox, ReportSource
from storage.queries import add_report, latest_entries

ICT = timezone(timedelta(hours=7))


class Recorder:
    def __init__(self):
        self.rows = []

    async def send(self, row, progress):
        self.rows.append(row)
        return str(len(self.rows))


def _touch(path, data):
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime + 10))  # a distinct mtime even on coarse clocks


async def test_edited_plan_is_reloaded(engine, tmp_path):
    path = tmp_path / "plan.json"
    shutil.copy(BUNDLED_DATA_DIR / "plan.json", path)
    clock = FixedClock(datetime(2024, 3, 4, 9, 0, tzinfo=ICT))
    services = Services(Settings(plan_path=path), clock, channels={}, engine=engine, plans=load_plan(path), calendar=WorkingCalendar.load())
    services.sync()
    with session_scope(engine, write=True) as session:
        for uid, agency in (("1", "hoi-luat-gia-tinh"), ("2", "cong-an-tinh")):
            session.add(Contact(channel="telegram", chat_id=uid, user_id=uid, agency_id=agency, role="focal", created_at=clock.now()))
        police = session.exec(select(Obligation).where(Obligation.agency_id == "cong-an-tinh", Obligation.period == "2024-Q1")).one()
        add_report(session, police.id, [{"task_no": "4", "status": "done"}], source=ReportSource.CLI, submitted_at=clock.now())
    watcher = PlanWatcher(services, path)
    assert watcher.check() is False  # unchanged

    # A broken edit: ignored, the bot keeps its plan.
    _touch(path, {"plan": "hỏng"})
    assert watcher.check() is False
    assert services.plans.default.plan.number == "124-KH/BCSĐ"

    # Hội Luật gia tỉnh leaves the plan.
    raw = json.loads((BUNDLED_DATA_DIR / "plan.json").read_text(encoding="utf-8"))
    for task in raw["tasks"]:
        task["coordinators"] = [c for c in task["coordinators"] if c != "hoi-luat-gia-tinh"]
    raw["tasks"][7]["lead"] = ["so-tu-phap"]
    raw["tasks"][7]["lead_is_request"] = False
    _touch(path, raw)
    assert watcher.check() is True
    with session_scope(engine) as session:
        statuses = {o.status for o in session.exec(select(Obligation).where(Obligation.agency_id == "hoi-luat-gia-tinh")).all()}
        assert statuses == {"withdrawn"}
        police = session.exec(select(Obligation).where(Obligation.agency_id == "cong-an-tinh", Obligation.period == "2024-Q1")).one()
        assert latest_entries(session, police.id)["4"].status == "done"  # nothing lost

    clock.set(datetime(2024, 3, 6, 9, 0, tzinfo=ICT))  # D-7
    sender = Recorder()
    assert "hoi-luat-gia-tinh" not in {a for t in services.context.plan.tasks for a in t.coordinators}
    await dispatch.tick(engine, services.plans, services.calendar, {"telegram": sender}, clock, worker_id="t")
    assert {row.chat_id for row in sender.rows} == {"2"}  # the police, not the withdrawn agency
    with session_scope(engine) as session:
        assert not session.exec(select(Outbox).where(Outbox.chat_id == "1")).all()
