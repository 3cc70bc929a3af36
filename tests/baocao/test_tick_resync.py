"""``baocao tick`` from cron: the plan is synced by the first tick only, and an unchanged tick
does not plan either; ``--resync`` syncs and plans again regardless; an edited plan file is
synced by the next tick (both databases)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys

from common.paths import BUNDLED_DATA_DIR
from baocao.demo.telegram_api import BotApiStandIn

PLAN_ID = "124-KH/BCSĐ"


async def test_tick_syncs_only_what_changed(tmp_path, database_url, engine, monkeypatch):
    from sqlmodel import select

    from storage.db import session_scope
    from storage.models import Obligation, PlanSync

    plan_path = tmp_path / "plan.json"
    shutil.copy(BUNDLED_DATA_DIR / "plan.json", plan_path)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    async with BotApiStandIn() as tg:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE_URL": tg.base_url,
               "BAOCAO_DATABASE_URL": database_url, "BAOCAO_PLAN_PATH": str(plan_path), "NO_PROXY": "127.0.0.1,localhost"}

        async def tick(*extra: str) -> dict:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "baocao", "--now", "2024-03-06T09:00", "tick", "--json", *extra,
                cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )
            out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
            assert proc.returncode == 0, err.decode()
            return json.loads(out.decode())["enqueue"]

        first = await tick()
        assert first["synced"] == [PLAN_ID] and first["sync_skipped"] == []
        with session_scope(engine) as session:
            synced_at = session.get(PlanSync, PLAN_ID).synced_at
        again = await tick()
        assert again["synced"] == [] and again["sync_skipped"] == [PLAN_ID]
        assert again["planning_skipped"] == [PLAN_ID]  # nothing changed since the first tick's pass
        forced = await tick("--resync")
        assert forced["synced"] == [PLAN_ID] and forced["planning_skipped"] == []

        raw = json.loads(plan_path.read_text(encoding="utf-8"))
        for task in raw["tasks"]:
            task["coordinators"] = [c for c in task["coordinators"] if c != "hoi-luat-gia-tinh"]
        raw["tasks"][7]["lead"] = ["so-tu-phap"]
        raw["tasks"][7]["lead_is_request"] = False
        plan_path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
        edited = await tick()
        assert edited["synced"] == [PLAN_ID]
        with session_scope(engine) as session:
            assert session.get(PlanSync, PLAN_ID).synced_at == synced_at  # same --now
            statuses = {o.status for o in session.exec(select(Obligation).where(Obligation.agency_id == "hoi-luat-gia-tinh")).all()}
            assert statuses == {"withdrawn"}
