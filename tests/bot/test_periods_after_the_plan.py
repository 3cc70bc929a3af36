"""A focal point replying in January 2031 for the 2030 report of a 2026–2030 plan (due
10/01/2031): the plan ended on 31/12/2030, but its last obligation is still open."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlmodel import select

from common.clock import FixedClock
from scheduler.plan import load_plan
from storage.db import session_scope
from storage.models import Contact, Obligation
from storage.queries import latest_entries
from tests.bot.chat import Chat

ICT = timezone(timedelta(hours=7))
PLAN = load_plan(Path(__file__).resolve().parents[1] / "fixtures" / "periods" / "plan-2026-2030.json")
FOCAL = "100"


@pytest.fixture
def clock():
    return FixedClock(datetime(2031, 1, 6, 9, 0, tzinfo=ICT))


@pytest.fixture
def chat(engine, clock):
    chat = Chat(engine, clock, "text", plan=PLAN)
    with session_scope(engine, write=True) as session:
        session.add(Contact(channel="text", chat_id=FOCAL, user_id=FOCAL, display_name="Trần Văn B",
                            agency_id="cong-an-tinh", role="focal", language="vi", created_at=clock.now()))
    return chat


def test_a_report_for_the_last_year_is_taken_after_the_plans_end(chat, session):
    out = chat.send("NV1: đã hoàn thành")
    assert "năm 2030" in out[0].text and "hết hiệu lực" not in out[0].text
    out = chat.press(out, "✅")
    assert "Đã ghi nhận báo cáo năm 2030 của Công an tỉnh" in out[0].text
    ob = session.exec(select(Obligation).where(Obligation.agency_id == "cong-an-tinh", Obligation.period == "2030-FY")).one()
    assert latest_entries(session, ob.id)["1"].status == "done"


def test_deadlines_are_shown_until_the_last_obligation_closes(chat, clock):
    out = chat.send("/hanchot")
    assert "hết hiệu lực" not in out[0].text
    assert "Thứ Sáu, ngày 10 tháng 1 năm 2031" in out[0].text
    # 2030-FY: D+3 15/01/2031, consolidation 17/01/2031; after that the plan has ended.
    clock.set(datetime(2031, 2, 2, 9, 0, tzinfo=ICT))
    out = chat.send("/hanchot")
    assert "hết hiệu lực" in out[0].text
