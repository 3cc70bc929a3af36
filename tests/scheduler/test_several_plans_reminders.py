"""Two plans in force at once, sharing agencies (issue 12): one reminder per plan per step,
each naming its plan; keys never collide; with one plan the texts stay as they were."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import select

from common.clock import FixedClock
from common.paths import BUNDLED_DATA_DIR
from scheduler import dispatch as dp
from scheduler.calendar import WorkingCalendar
from scheduler.plan import load_plan
from scheduler.plans import Plans, short_title
from storage.db import session_scope
from storage.models import Contact, Obligation, Outbox

SEED = load_plan(BUNDLED_DATA_DIR / "plan.json")
PBGDPL = load_plan(Path(__file__).resolve().parents[1] / "fixtures" / "plan_pbgdpl_2024.json")
CAL = WorkingCalendar.load(BUNDLED_DATA_DIR / "calendar-vn.json")
VN = ZoneInfo("Asia/Ho_Chi_Minh")
SYNCED = datetime(2024, 3, 1, 8, 0, tzinfo=VN)
D7 = datetime(2024, 3, 6, 8, 30, tzinfo=VN)  # quý I: D-7 of both plans (due 15/3)
D3 = datetime(2024, 3, 12, 8, 30, tzinfo=VN)
ESCALATED = datetime(2024, 3, 20, 8, 30, tzinfo=VN)


class Sender:
    def __init__(self) -> None:
        self.sent: list[Outbox] = []

    async def send(self, row: Outbox, progress=None) -> str:
        self.sent.append(row)
        return f"msg-{len(self.sent)}"


def text_of(row: Outbox) -> str:
    from bot.channels.telegram import render
    from common.message import Message

    return "\n".join(part.text for part in render(Message.from_json(row.payload["message"])))


def seed(engine, plans: Plans) -> None:
    dp.sync_plans(engine, plans, CAL, SYNCED)
    with session_scope(engine) as session:
        for chat, agency, role in (("101", "cong-an-tinh", "focal"), ("901", "so-tu-phap", "coordinator")):
            session.add(Contact(channel="telegram", chat_id=chat, user_id=chat, agency_id=agency, role=role,
                                display_name="Nguyễn Văn An", created_at=SYNCED))


async def tick(engine, plans: Plans, at: datetime, sender: Sender) -> None:
    await dp.tick(engine, plans, CAL, {"telegram": sender}, FixedClock(at), worker_id="t",
                  pacers={"telegram": dp.Pacer(per_second=100_000, per_chat_interval=0)})


def test_short_titles():
    assert short_title(SEED) == "cải cách tư pháp"
    assert short_title(PBGDPL) == "phổ biến, giáo dục pháp luật"


async def test_one_reminder_per_plan_each_naming_its_plan_and_sent_once(engine):
    plans = Plans([SEED, PBGDPL])
    seed(engine, plans)
    sender = Sender()
    await tick(engine, plans, D7, sender)
    await tick(engine, plans, D7, sender)  # a second tick sends nothing again
    police = [row for row in sender.sent if row.chat_id == "101"]
    assert len(police) == 2, [row.key for row in police]
    assert len({row.key for row in police}) == 2
    with session_scope(engine) as session:
        obs = {ob.id: ob.plan_id for ob in session.exec(select(Obligation).where(Obligation.agency_id == "cong-an-tinh",
                                                                                   Obligation.period == "2024-Q1")).all()}
    assert sorted(obs.values()) == sorted([SEED.plan.id, PBGDPL.plan.id])
    by_plan = {row.payload["plan_id"]: row for row in police}
    assert set(by_plan) == {SEED.plan.id, PBGDPL.plan.id}
    for plan_id, row in by_plan.items():
        assert obs[row.obligation_id] == plan_id
    seed_text, pb_text = text_of(by_plan[SEED.plan.id]), text_of(by_plan[PBGDPL.plan.id])
    assert "<b>Kế hoạch số 124-KH/BCSĐ (cải cách tư pháp)</b>" in seed_text
    assert "<b>Kế hoạch số 45/KH-UBND (phổ biến, giáo dục pháp luật)</b>" in pb_text
    assert "45/KH-UBND" not in seed_text and "124-KH/BCSĐ" not in pb_text
    assert "Theo Kế hoạch số 45/KH-UBND, đề nghị Công an tỉnh" in pb_text
    # Each names the plan's own tasks: NV1 (chủ trì) and NV2 (phối hợp) of the second plan.
    assert "NV1 (chủ trì): Phổ biến pháp luật về phòng, chống tội phạm" in pb_text
    assert "NV2 (phối hợp): Ngày Pháp luật Việt Nam" in pb_text


async def test_digest_of_each_plan_names_it(engine):
    plans = Plans([SEED, PBGDPL])
    seed(engine, plans)
    sender = Sender()
    await tick(engine, plans, ESCALATED, sender)
    digests = [row for row in sender.sent if row.chat_id == "901"]
    assert sorted(row.key for row in digests) == sorted(
        [f"digest:{SEED.plan.id}:2024-Q1:{digests[0].contact_id}", f"digest:{PBGDPL.plan.id}:2024-Q1:{digests[0].contact_id}"]
    )
    texts = {row.payload["plan_id"]: text_of(row) for row in digests}
    assert "báo cáo quý I năm 2024 — Kế hoạch số 45/KH-UBND (phổ biến, giáo dục pháp luật)</b>" in texts[PBGDPL.plan.id]
    assert "báo cáo quý I năm 2024 — Kế hoạch số 124-KH/BCSĐ (cải cách tư pháp)</b>" in texts[SEED.plan.id]


async def test_one_plan_reminder_names_no_plan_title(engine):
    plans = Plans([SEED])
    seed(engine, plans)
    sender = Sender()
    await tick(engine, plans, D7, sender)
    text = text_of(next(row for row in sender.sent if row.chat_id == "101"))
    assert text.startswith("<b>Nhắc gửi báo cáo quý I năm 2024</b>\n\nKính gửi đồng chí Nguyễn Văn An,")
    assert "(cải cách tư pháp)" not in text


async def test_planning_one_plan_of_several_still_names_it(engine):
    # `baocao tick --plan 45` plans that plan only; the other plan still runs, so the reminder
    # must name its plan as a tick of both would.
    plans = Plans([SEED, PBGDPL])
    seed(engine, plans)
    sender = Sender()
    await dp.tick(engine, plans, CAL, {"telegram": sender}, FixedClock(D7), worker_id="t", only=[PBGDPL.plan.id],
                  pacers={"telegram": dp.Pacer(per_second=100_000, per_chat_interval=0)})
    police = [row for row in sender.sent if row.chat_id == "101"]
    assert [row.payload["plan_id"] for row in police] == [PBGDPL.plan.id]
    assert f"Kế hoạch số {PBGDPL.plan.number} ({short_title(PBGDPL)})" in text_of(police[0])
