"""From the plan to the database: the agency directory and the obligations.

The plan file is the source of truth; the ``agency`` and ``obligation`` tables are its copy,
so that contacts, invitations, reports and the outbox can refer to them with foreign keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from sqlmodel import Session, select

from scheduler import deadlines
from scheduler.plan import Plan
from storage.models import AgencyIn, Obligation, ObligationCreate, ObligationStatus
from storage.queries import UpsertResult, upsert_agencies


def agencies_from_plan(plan: Plan) -> list[AgencyIn]:
    return [
        AgencyIn(
            id=agency.id,
            name=agency.name,
            short_name=agency.aliases[0] if agency.aliases and len(agency.aliases[0]) <= 64 else None,
            kind=agency.kind or "co-quan",
            parent_id=agency.parent,
            valid_from=agency.valid_from,
            valid_to=agency.valid_to,
        )
        for agency in plan.agencies
    ]


def sync_agencies(session: Session, plan: Plan, *, now: datetime) -> UpsertResult:
    return upsert_agencies(session, agencies_from_plan(plan), now=now)


class ObligationSync(NamedTuple):
    inserted: int
    updated: int
    withdrawn: int
    unchanged: int


def sync_obligations(
    session: Session, plan: Plan, computed: Iterable[deadlines.Obligation], *, years: Iterable[int], now: datetime
) -> ObligationSync:
    """Make the ``obligation`` table match the deadline engine for ``years``.

    Rows are keyed by (plan, agency, period) and never deleted: reports point at them. An
    obligation the plan no longer asks for is marked withdrawn (its reminders stop); one that
    comes back is re-activated with its reports intact. Call it after editing plan.json.
    """
    years = set(years)
    existing = {
        (row.agency_id, row.period): row
        for row in session.exec(select(Obligation).where(Obligation.plan_id == plan.plan.id)).all()
        if int(row.period[:4]) in years
    }
    inserted = updated = unchanged = 0
    seen: set[tuple[str, str]] = set()
    for ob in computed:
        key = (ob.agency_id, ob.period)
        seen.add(key)
        values = ObligationCreate(
            plan_id=ob.plan_id,
            agency_id=ob.agency_id,
            period=ob.period,
            cutoff_from=ob.cutoff_from,
            cutoff_to=ob.cutoff_to,
            due=ob.due,
            consolidation_due=ob.consolidation_due,
            tasks=[duty.as_dict() for duty in ob.tasks],  # type: ignore[misc]
            status=ObligationStatus.ACTIVE,
        ).model_dump()
        row = existing.get(key)
        if row is None:
            session.add(Obligation.model_validate(values, update={"created_at": now, "updated_at": now}))
            inserted += 1
            continue
        changed = {name: value for name, value in values.items() if getattr(row, name) != value}
        if changed:
            for name, value in changed.items():
                setattr(row, name, value)
            row.updated_at = now
            session.add(row)
            updated += 1
        else:
            unchanged += 1
    withdrawn = 0
    for key, row in existing.items():
        if key not in seen and row.status != ObligationStatus.WITHDRAWN:
            row.status = ObligationStatus.WITHDRAWN
            row.updated_at = now
            session.add(row)
            withdrawn += 1
    session.flush()
    return ObligationSync(inserted, updated, withdrawn, unchanged)
