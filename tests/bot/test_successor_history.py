"""/dabaocao of a successor (successor_of) for a period before it existed: its predecessor's
stored reports, named as the predecessor's (docs/directory.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlmodel import select

from common.clock import FixedClock
from common.paths import BUNDLED_DATA_DIR
from scheduler.plan import load_plan
from storage.db import session_scope
from storage.models import Contact, Obligation, ReportSource
from storage.queries import add_report
from tests.bot.chat import Chat, text_of


def _plan(tmp_path):
    raw = json.loads((BUNDLED_DATA_DIR / "plan.json").read_text(encoding="utf-8"))
    raw["plan"].update(id="T-2025", number="T-2025", year=2025, in_force={"from": "2025-01-01", "to": "2025-12-31"})
    raw["agencies"] = [
        {"id": "so-tu-phap", "name": "Sở Tư pháp"},
        {"id": "so-a", "name": "Sở A", "valid_to": "2025-06-30"},
        {"id": "so-b", "name": "Sở B", "valid_from": "2025-07-01", "successor_of": ["so-a"]},
    ]
    raw["groups"] = []
    raw["tasks"] = [{"no": "1", "title": "Nhiệm vụ 1", "text": "Nội dung.", "lead": ["so-a"],
                     "time_frame": {"kind": "from_year", "year": 2025}}]
    raw["reporting"]["onward"] = []
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return load_plan(path)


def test_dabaocao_of_a_successor_shows_the_predecessor_reports(engine, tmp_path):
    clock = FixedClock(datetime(2025, 9, 3, 2, 0, tzinfo=UTC))
    chat = Chat(engine, clock, "text", plan=_plan(tmp_path))
    with session_scope(engine, write=True) as session:
        session.add(Contact(channel="text", chat_id="100", user_id="100", display_name="Lê Thị C", agency_id="so-b",
                            role="focal", language="vi", created_at=clock.now()))
        h1 = session.exec(select(Obligation).where(Obligation.agency_id == "so-a", Obligation.period == "2025-H1")).one()
        add_report(session, h1.id, [{"task_no": "1", "status": "in_progress", "percent": 60, "text": "NV1: đạt 60%"}],
                   source=ReportSource.CLI, submitted_at=datetime(2025, 6, 10, 2, 0, tzinfo=UTC))
    out = text_of(chat.send("/dabaocao 2025-H1"))
    assert "Sở A (nay là Sở B)" in out and "60%" in out
    own = text_of(chat.send("/dabaocao 2025-9M"))
    assert "Sở A" not in own and "Sở B" in own


def test_editing_the_plan_directory_reloads_the_plan(engine, tmp_path):
    import os

    from baocao.config import Settings
    from baocao.runtime import PlanWatcher
    from baocao.services import Services
    from scheduler.calendar import WorkingCalendar

    folder = tmp_path / "directories"
    folder.mkdir()
    directory = {"schema_version": 1, "id": "thu", "name": "Thử", "province": "Khánh Hòa",
                 "agencies": [{"id": "so-tu-phap", "name": "Sở Tư pháp"}, {"id": "so-a", "name": "Sở A"}]}
    (folder / "thu.json").write_text(json.dumps(directory, ensure_ascii=False), encoding="utf-8")
    raw = json.loads((BUNDLED_DATA_DIR / "plan.json").read_text(encoding="utf-8"))
    raw.update(directory="thu", agencies=[], groups=[])
    raw["tasks"] = [{"no": "1", "title": "NV", "text": "Nội dung.", "lead": ["so-a"], "time_frame": {"kind": "ongoing"}}]
    raw["reporting"]["onward"] = []
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    clock = FixedClock(datetime(2024, 3, 4, 2, 0, tzinfo=UTC))
    services = Services(Settings(plan_path=path), clock, channels={}, engine=engine, plans=load_plan(path),
                        calendar=WorkingCalendar.load())
    services.sync()
    watcher = PlanWatcher(services, path)
    assert watcher.check() is False
    directory["agencies"][1]["name"] = "Sở A mới"
    edited = folder / "thu.json"
    edited.write_text(json.dumps(directory, ensure_ascii=False), encoding="utf-8")
    stat = edited.stat()
    os.utime(edited, (stat.st_atime, stat.st_mtime + 10))
    assert watcher.check() is True
    assert services.plans.default.agency("so-a").name == "Sở A mới"
