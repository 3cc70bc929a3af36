"""The planning stamp (issue 12): a tick whose planning inputs are those of the last quiet pass,
before the next moment the clock can change what planning wants, skips planning; every input
planning reads makes the next tick plan again (both databases).

Quý I 2024 of the seed plan (due Friday 15/3, ladder at 08:30: D-7 6/3, D-3 12/3, …). Most tests
start at 17:30 on 6/3, after closing: the D-7 rows are queued for the next opening (7/3 08:00)
and stay pending, so that what planning does to them shows.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from scheduler import dispatch as dp
from scheduler.plans import Plans
from storage.db import session_scope
from storage.models import Contact, Obligation, Outbox, PlanningStamp
from tests.scheduler.test_dispatch import CAL, PLAN, FakeSender, all_tasks, ob_id, outbox, report, run_tick, seed, vn
from tests.scheduler.test_review_reminders import NEW_DUE, extend, review

EVENING = vn(2024, 3, 6, 17, 30)  # D-7, after closing
PLAN_ID = PLAN.plan.id


@pytest.fixture
def passes(monkeypatch):
    """The planning passes made (their ``now``)."""
    made: list[datetime] = []
    real = dp._plan_reminders

    def counting(session, plan, cal, now, **kwargs):
        made.append(now)
        return real(session, plan, cal, now, **kwargs)

    monkeypatch.setattr(dp, "_plan_reminders", counting)
    return made


def stamp(engine) -> PlanningStamp | None:
    with session_scope(engine) as session:
        return session.get(PlanningStamp, PLAN_ID)


async def settle(engine, sender, at: datetime) -> None:
    """Tick until a pass changes nothing and stamps (at most three ticks, a minute apart)."""
    for minute in range(3):
        result = await run_tick(engine, sender, at.replace(minute=at.minute + minute))
        if result.enqueue.planning_skipped:
            return
        row = stamp(engine)
        if row is not None and row.fingerprint:
            return
    raise AssertionError("planning never settled")


async def evening(engine) -> tuple[dict[str, int], FakeSender]:
    """The D-7 rows queued after closing (pending until the morning), and a stamp."""
    ids = seed(engine)
    sender = FakeSender()
    first = await run_tick(engine, sender, EVENING)
    assert first.enqueue.enqueued == 4 and not sender.sent
    assert stamp(engine).fingerprint == ""  # a pass that queued rows proves nothing
    await settle(engine, sender, EVENING.replace(minute=31))
    assert stamp(engine).fingerprint
    return ids, sender


def pending(engine) -> dict[str, Outbox]:
    return {row.key: row for row in outbox(engine, status="pending")}


# --- an unchanged tick ---------------------------------------------------------------------


async def test_an_unchanged_tick_skips_planning(engine, passes):
    await evening(engine)
    before = pending(engine)
    made = len(passes)
    result = await run_tick(engine, FakeSender(), vn(2024, 3, 6, 20, 0))
    assert result.enqueue.planning_skipped == [PLAN_ID] and len(passes) == made
    assert pending(engine).keys() == before.keys()
    row = stamp(engine)
    assert row.next_change_at == vn(2024, 3, 7, 0, 0)  # midnight: the day in the texts changes
    assert row.planned_at <= vn(2024, 3, 6, 17, 33)


async def test_a_tick_at_the_next_change_plans_and_sends(engine, passes):
    ids, sender = await evening(engine)
    result = await run_tick(engine, sender, vn(2024, 3, 7, 8, 0))  # the opening
    assert not result.enqueue.planning_skipped and result.dispatch.sent == 4
    assert sorted(r.chat_id for r in sender.sent) == ["101", "102", "103", "104"]


async def test_a_tick_earlier_than_the_stamp_plans(engine, passes):
    await evening(engine)
    made = len(passes)
    await run_tick(engine, FakeSender(), vn(2024, 3, 6, 17, 0))  # the clock went back
    assert len(passes) == made + 1


async def test_force_plans_regardless(engine, passes):
    await evening(engine)
    made = len(passes)
    stats = dp.sync_and_plan(engine, Plans([PLAN]), CAL, vn(2024, 3, 6, 20, 0), sync=False, force=True)
    assert not stats.planning_skipped and len(passes) == made + 1


# --- time: the next step -------------------------------------------------------------------


async def test_the_next_step_is_planned_when_its_time_comes(engine, passes):
    seed(engine)
    sender = FakeSender()
    await settle(engine, sender, vn(2024, 3, 12, 8, 0))  # D-3 day, before 08:30: D-7 is stale
    assert not sender.sent
    assert stamp(engine).next_change_at == vn(2024, 3, 12, 8, 30)  # the D-3 step
    skipped = await run_tick(engine, sender, vn(2024, 3, 12, 8, 29))
    assert skipped.enqueue.planning_skipped == [PLAN_ID] and not sender.sent
    due = await run_tick(engine, sender, vn(2024, 3, 12, 8, 30))
    assert not due.enqueue.planning_skipped
    assert {row.step for row in sender.sent} == {"D-3"} and len(sender.sent) == 4


async def test_the_office_opening_and_closing_are_changes(engine):
    seed(engine)
    sender = FakeSender()
    await settle(engine, sender, vn(2024, 3, 6, 9, 0))  # D-7 sent at 09:00
    assert stamp(engine).next_change_at == vn(2024, 3, 6, 17, 0)
    await settle(engine, sender, vn(2024, 3, 7, 7, 0))
    assert stamp(engine).next_change_at == vn(2024, 3, 7, 8, 0)


# --- contacts ------------------------------------------------------------------------------


async def test_a_new_focal_point_gets_its_reminder_at_the_next_tick(engine, passes):
    await evening(engine)
    with session_scope(engine) as session:
        session.add(Contact(channel="telegram", chat_id="106", user_id="106", agency_id="so-y-te", role="focal",
                            display_name="Mai Văn Khoa", created_at=EVENING))
    result = await run_tick(engine, FakeSender(), vn(2024, 3, 6, 20, 0))
    assert not result.enqueue.planning_skipped and result.enqueue.enqueued == 1
    [row] = [r for r in pending(engine).values() if r.chat_id == "106"]
    assert row.step == "D-7" and row.obligation_id == ob_id(engine, "so-y-te")


@pytest.mark.parametrize("change", ["blocked", "role", "unblocked"])
async def test_a_contact_change_makes_the_next_tick_plan(engine, change):
    ids, _ = await evening(engine)
    with session_scope(engine) as session:
        if change == "unblocked":
            contact = session.get(Contact, ids["Đỗ Văn Hải"])  # revoked in the seed
            contact.active = True
        else:
            contact = session.get(Contact, ids["Trần Thị Dung"])
            if change == "blocked":
                contact.active, contact.deactivated_reason = False, "blocked"
            else:
                contact.role = "coordinator"
        session.add(contact)
    result = await run_tick(engine, FakeSender(), vn(2024, 3, 6, 20, 0))
    assert not result.enqueue.planning_skipped
    chats = sorted(r.chat_id for r in pending(engine).values())
    if change == "unblocked":
        assert result.enqueue.enqueued == 1 and chats == ["101", "102", "103", "104", "105"]
    else:
        assert result.enqueue.inactive == 1 and chats == ["101", "102", "103"]


async def test_a_new_name_re_renders_the_pending_reminder(engine):
    ids, _ = await evening(engine)
    with session_scope(engine) as session:
        contact = session.get(Contact, ids["Trần Thị Dung"])
        contact.display_name = "Trần Thị Dũng"
        session.add(contact)
    result = await run_tick(engine, FakeSender(), vn(2024, 3, 6, 20, 0))
    assert result.enqueue.updated == 1
    [row] = [r for r in pending(engine).values() if r.chat_id == "104"]
    assert "Trần Thị Dũng" in json.dumps(row.payload, ensure_ascii=False)


# --- reports, extensions, returns ----------------------------------------------------------


async def test_a_report_cancels_the_pending_reminder(engine):
    await evening(engine)
    report(engine, "so-noi-vu", all_tasks("so-noi-vu"), vn(2024, 3, 6, 19, 0))
    result = await run_tick(engine, FakeSender(), vn(2024, 3, 6, 20, 0))
    assert not result.enqueue.planning_skipped and result.enqueue.reported == 1
    assert "104" not in {r.chat_id for r in pending(engine).values()}


async def test_an_extension_moves_the_reminder(engine):
    await evening(engine)
    extend(engine, "cong-an-tinh", NEW_DUE)
    result = await run_tick(engine, FakeSender(), vn(2024, 3, 6, 20, 0))
    assert not result.enqueue.planning_skipped and result.enqueue.dropped == 2  # the police's D-7 of 15/3
    assert {r.chat_id for r in pending(engine).values()} == {"103", "104"}
    # Its own D-7 (20/3) comes when its time does.
    sender = FakeSender()
    await settle(engine, sender, vn(2024, 3, 19, 9, 0))
    police = {r.key for r in outbox(engine, obligation_id=ob_id(engine, "cong-an-tinh")) if r.status != "dropped"}
    assert not [k for k in police if "@" in k]
    await run_tick(engine, sender, vn(2024, 3, 20, 9, 0))
    assert [r.key for r in sender.sent if r.chat_id == "101"][-1].endswith("D-7@2024-03-29")


async def test_a_withdrawn_obligation_loses_its_pending_reminder(engine):
    await evening(engine)
    with session_scope(engine) as session:
        ob = session.get(Obligation, ob_id(engine, "so-noi-vu"))
        ob.status = "withdrawn"  # as the demo does it, without updated_at
        session.add(ob)
    result = await run_tick(engine, FakeSender(), vn(2024, 3, 6, 20, 0))
    assert result.enqueue.inactive == 1


async def test_a_returned_report_gets_its_reminder(engine):
    await evening(engine)
    report(engine, "hoi-luat-gia-tinh", ["8"], vn(2024, 3, 6, 10, 0))
    await settle(engine, FakeSender(), vn(2024, 3, 6, 18, 0))
    review(engine, "hoi-luat-gia-tinh", "returned", vn(2024, 3, 6, 18, 30), "Bổ sung")
    result = await run_tick(engine, FakeSender(), vn(2024, 3, 6, 20, 0))
    assert not result.enqueue.planning_skipped
    assert [r.chat_id for r in outbox(engine, kind="return")] == ["103"]


# --- the outbox ----------------------------------------------------------------------------


async def test_a_row_changed_by_someone_else_makes_the_next_tick_plan(engine):
    await evening(engine)
    with session_scope(engine) as session:
        row = session.exec(select(Outbox).where(Outbox.chat_id == "104")).one()
        row.not_before = vn(2024, 3, 8, 8, 0)  # a retry's backoff, past the day of the text
        session.add(row)
    result = await run_tick(engine, FakeSender(), vn(2024, 3, 6, 20, 0))
    assert not result.enqueue.planning_skipped and result.enqueue.updated == 1
    [row] = [r for r in pending(engine).values() if r.chat_id == "104"]
    assert row.payload["day"] == "2024-03-08"


async def test_a_sending_rows_lease_running_out_is_a_change(engine):
    await evening(engine)
    lease = datetime(2024, 3, 6, 13, 0, tzinfo=UTC)  # 20:00 in Vietnam
    with session_scope(engine) as session:
        row = session.exec(select(Outbox).where(Outbox.chat_id == "104")).one()
        row.status, row.claimed_by, row.lease_until = "sending", "crashed", lease
        session.add(row)
    await settle(engine, FakeSender(), vn(2024, 3, 6, 19, 0))
    assert stamp(engine).next_change_at == lease
    result = await run_tick(engine, FakeSender(), vn(2024, 3, 6, 20, 1))
    assert not result.enqueue.planning_skipped and result.enqueue.updated == 1
    assert "104" in {r.chat_id for r in pending(engine).values()}


# --- two planners, a failed pass ------------------------------------------------------------


async def test_a_failed_pass_leaves_the_stamp_as_it_was(engine, monkeypatch):
    await evening(engine)
    before = stamp(engine)
    with session_scope(engine) as session:
        session.add(Contact(channel="telegram", chat_id="106", user_id="106", agency_id="so-y-te", role="focal", created_at=EVENING))

    def broken(*args, **kwargs):
        raise RuntimeError("killed mid-pass")

    monkeypatch.setattr(dp, "_record_stamp", broken)
    with pytest.raises(RuntimeError):
        await run_tick(engine, FakeSender(), vn(2024, 3, 6, 20, 0))
    assert stamp(engine).fingerprint == before.fingerprint and stamp(engine).planned_at == before.planned_at
    assert "106" not in {r.chat_id for r in pending(engine).values()}  # rolled back with it
    monkeypatch.undo()
    result = await run_tick(engine, FakeSender(), vn(2024, 3, 6, 20, 1))
    assert result.enqueue.enqueued == 1  # the contact is new to the stamp: planned


async def test_a_second_planner_skips_only_after_a_quiet_pass(engine):
    """Two ticks at once take turns under the planning lock; the second one sees the first's
    stamp, which only a pass that changed nothing leaves: after a pass that queued rows, the
    next one plans."""
    seed(engine)
    results = [await run_tick(engine, FakeSender(), EVENING, worker_id=f"w{i}") for i in range(3)]
    assert results[0].enqueue.enqueued == 4
    assert not results[1].enqueue.planning_skipped and results[1].enqueue.enqueued == 0
    assert results[2].enqueue.planning_skipped == [PLAN_ID]
    assert len(outbox(engine, kind="reminder")) == 4
