"""Fault 7: the plan is edited under a draft that waits for ✅ (both databases).

Công an tỉnh's focal point has an unconfirmed report when an admin removes the agency from
``plan.json`` (from the agency list, every task and every group); the running bot reloads
the file (PlanWatcher). ✅ then says plainly that nothing was stored, nothing is stored
against the removed agency, the draft is kept, and /nhiemvu and /hanchot answer without error.
"""

from __future__ import annotations

import json
import os

import pytest
from sqlmodel import col

from baocao.demo.telegram_api import BotApiStandIn
from common.paths import BUNDLED_DATA_DIR
from storage.models import ConversationState, Report
from tests.faults.support import (
    ECHO,
    assert_no_error_reply,
    bind_focal_points,
    button,
    figures,
    inprocess_bot,
    rows,
    text_of,
    to,
    until,
)

pytestmark = pytest.mark.fault

POLICE = 6301
AGENCY = "cong-an-tinh"
NOT_STORED = "Chưa ghi nhận: kế hoạch vừa được điều chỉnh"  # bot/handlers/reporting.py::store


def _without(raw: dict, agency: str) -> dict:
    raw = json.loads(json.dumps(raw))
    raw["agencies"] = [a for a in raw["agencies"] if a["id"] != agency]
    for group in raw["groups"]:
        group["members"] = [m for m in group["members"] if m != agency]
    for task in raw["tasks"]:
        task["coordinators"] = [c for c in task["coordinators"] if c != agency]
        if agency in task["lead"]:
            task["lead"] = [a for a in task["lead"] if a != agency] or ["so-tu-phap"]
            task["lead_is_request"] = False
    return raw


async def test_confirming_a_draft_of_a_removed_agency(tmp_path, engine, backend):
    path = tmp_path / "plan.json"
    original = json.loads((BUNDLED_DATA_DIR / "plan.json").read_text(encoding="utf-8"))
    path.write_text(json.dumps(original, ensure_ascii=False), encoding="utf-8")
    contact = bind_focal_points(engine, {POLICE: AGENCY})[POLICE]
    async with BotApiStandIn() as tg:
        async with inprocess_bot(tg, engine, tmp_path, plan_path=path, plan_interval=0.5) as services:
            user = tg.user(POLICE, first_name="Trần Văn B")
            user.send("NV4: đang thực hiện 70%, vướng kinh phí")
            await until(lambda: to(tg, POLICE, ECHO), 30, "the echo", dump=tg.dump)
            echo = to(tg, POLICE, ECHO)[0]
            draft = rows(engine, ConversationState, col(ConversationState.chat_id) == str(POLICE))[0].data

            path.write_text(json.dumps(_without(original, AGENCY), ensure_ascii=False), encoding="utf-8")
            stat = path.stat()
            os.utime(path, (stat.st_atime, stat.st_mtime + 10))  # a distinct mtime on coarse clocks
            reloaded = await until(lambda: AGENCY not in services.plans.default.agency_by_id, 30, "the plan reload")

            user.press(echo, button(echo, "✅"))
            await until(lambda: to(tg, POLICE, NOT_STORED), 30, "the answer to ✅", dump=tg.dump)
            user.send("/nhiemvu")
            await until(lambda: len(to(tg, POLICE, after=to(tg, POLICE, NOT_STORED)[0]["seq"])) >= 1, 30, "/nhiemvu", dump=tg.dump)
            tasks = to(tg, POLICE)[-1]
            user.send("/hanchot")
            await until(lambda: to(tg, POLICE, after=tasks["seq"]), 30, "/hanchot", dump=tg.dump)
            deadlines = to(tg, POLICE)[-1]

    assert rows(engine, Report, col(Report.contact_id) == contact) == []  # nothing stored
    state = rows(engine, ConversationState, col(ConversationState.chat_id) == str(POLICE))[0]
    assert state.state == "confirm" and state.data["token"] == draft["token"]  # the draft is kept
    assert "Nội dung đồng chí gửi vẫn được giữ lại" in text_of(to(tg, POLICE, NOT_STORED)[0])
    assert text_of(tasks) and text_of(deadlines)
    assert_no_error_reply(tg)
    figures(f"plan-edit[{backend}]", reload_s=reloaded, nhiemvu=repr(text_of(tasks)), hanchot=repr(text_of(deadlines)))
