"""From the plan to the database: the agency directory.

The plan file is the source of truth; the ``agency`` table is its copy, so that contacts,
invitations and obligations can refer to agencies with foreign keys.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from scheduler.plan import Plan
from storage.models import AgencyIn
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
