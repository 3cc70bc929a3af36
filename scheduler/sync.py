"""From the plan to the database: the agency directory and the obligations.

The plan file is the source of truth; the ``agency`` and ``obligation`` tables are its copy,
so that contacts, invitations, reports and the outbox can refer to them with foreign keys.

A sync whose inputs are those of the last one is skipped (:func:`sync_inputs`,
:func:`why_resync`): the ``plan_sync`` row of each plan keeps the fingerprint of what it was
last synced from — the plan's content, the working-day calendar, the years synced, the year
of the sync, and :data:`SYNC_VERSION` of this code.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import holidays
from sqlmodel import Session, select

from scheduler import deadlines
from scheduler.calendar import WorkingCalendar
from scheduler.plan import Plan
from storage.models import AgencyIn, Obligation, ObligationCreate, ObligationStatus, PlanSync
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


FLUSH_EVERY = 500


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
    inserted = updated = unchanged = pending = 0
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
        if pending >= FLUSH_EVERY:
            # A large plan's first sync builds thousands of rows: written as it goes, so that the
            # connection is never idle in its transaction for long (PostgreSQL ends a session
            # idle in a transaction after 6 × BAOCAO_DB_TIMEOUT) and memory stays flat.
            session.flush()
            pending = 0
        if row is None:
            session.add(Obligation.model_validate(values, update={"created_at": now, "updated_at": now}))
            inserted += 1
            pending += 1
            continue
        changed = {name: value for name, value in values.items() if getattr(row, name) != value}
        if changed:
            for name, value in changed.items():
                setattr(row, name, value)
            row.updated_at = now
            session.add(row)
            updated += 1
            pending += 1
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


# --- skipping a sync that would change nothing ---------------------------------------------

# Bump when a change to this module, the deadline engine (scheduler/deadlines.py), the plan
# model or the tables changes what a sync writes for the same plan and calendar: every
# database then re-syncs once on its next tick or start-up.
# 2: who reports is decided on the due date (was: the cut-off), successors inherit duties.
# 3: periods follow the plan's in_force (a period is synced only when its data window ends
# within it) and a period's due date may fall in the next year.
SYNC_VERSION = 3


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plan_hash(plan: Plan) -> str:
    """The plan's content as loaded (every field of the validated model, canonical JSON).

    The loaded model rather than the file's bytes: it is exactly what the sync reads, it
    exists for a plan that came from no file (an upload, a test), and a change of the model's
    defaults shows in it. An edit that changes nothing (spaces, key order) gives the same hash;
    any other edit, even one the sync does not read (a note), a different one: a resync.
    """
    data = plan.model_dump(mode="json", by_alias=True)
    return _sha256(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")))


def calendar_hash(cal: WorkingCalendar, plan: Plan, years: Iterable[int]) -> str:
    """The working-day calendar as far as the plan's obligations can see it.

    Three parts, each enough for what it covers: the dates the sync takes from the calendar
    (every period's due date, moved past days off, and its consolidation due date, for every
    year synced); every day off and make-up working day of those years and the years either
    side (a due date moves into the next year, a cut-off starts in the previous one); and the
    calendar's inputs themselves (the override table, the ``holidays`` package's version), so
    that an edit of ``calendar-vn.json`` resyncs even where it changes no date.
    """
    years = sorted(set(years))
    parts = [f"holidays={getattr(holidays, '__version__', '?')}"]
    overrides = getattr(cal, "overrides", None)
    if overrides is not None:
        parts.append(overrides.model_dump_json())
    settings = plan.reporting
    for year in years:
        for period in settings.periods:
            dates = deadlines.period_dates(period, year, cal, settings.consolidation_working_days)
            parts.append(f"{year}-{period.code}:" + ",".join(d.isoformat() for d in dates))
    if years:
        for year in range(years[0] - 1, years[-1] + 2):
            off = ",".join(d.date.isoformat() for d in cal.days_off(year))
            extra = ",".join(d.date.isoformat() for d in cal.extra_working_days(year))
            parts.append(f"{year}:off={off};work={extra}")
    return _sha256("\n".join(parts))


def sync_years(plan: Plan) -> list[int]:
    """The years whose obligations a sync writes: every year that has a period whose data
    window ends within the plan's ``in_force`` (its due dates may fall in the year after)."""
    return list(plan.years_in_force())


@dataclass(frozen=True)
class SyncInputs:
    """Everything a plan's sync depends on, and its fingerprint."""

    plan_id: str
    plan_hash: str
    calendar_hash: str
    years: str  # "2024,2025"
    year: int  # the year of "now" in the plan's time zone: a new year resyncs once
    code_version: int

    @property
    def fingerprint(self) -> str:
        return _sha256(
            f"v{self.code_version}|plan={self.plan_id}|{self.plan_hash}|calendar={self.calendar_hash}"
            f"|years={self.years}|now={self.year}"
        )


def sync_inputs(plan: Plan, cal: WorkingCalendar, now: datetime, years: Iterable[int] | None = None) -> SyncInputs:
    years = sorted(set(sync_years(plan) if years is None else years))
    return SyncInputs(
        plan_id=plan.plan.id,
        plan_hash=plan_hash(plan),
        calendar_hash=calendar_hash(cal, plan, years),
        years=",".join(str(y) for y in years),
        year=now.astimezone(plan.zone()).year,
        code_version=SYNC_VERSION,
    )


def last_sync(session: Session, plan_id: str) -> PlanSync | None:
    return session.get(PlanSync, plan_id)


def why_resync(previous: PlanSync | None, inputs: SyncInputs, plan: Plan) -> str | None:
    """Why a sync with ``inputs`` is needed after ``previous`` (None: it is not)."""
    if previous is None:
        return "never synced"
    if previous.fingerprint == inputs.fingerprint:
        return None
    reasons = []
    if previous.code_version != inputs.code_version:
        reasons.append(f"sync code version {previous.code_version} → {inputs.code_version}")
    if previous.plan_hash != inputs.plan_hash:
        reasons.append("the plan changed")
    if previous.calendar_hash != inputs.calendar_hash:
        reasons.append("the working-day calendar changed")
    if previous.years != inputs.years:
        reasons.append(f"years {previous.years} → {inputs.years}")
    if previous.synced_at.astimezone(plan.zone()).year != inputs.year:
        reasons.append(f"a new year ({inputs.year})")
    return ", ".join(reasons) or "the inputs changed"


def record_sync(session: Session, inputs: SyncInputs, now: datetime) -> PlanSync:
    """Write what the sync just made (in the sync's transaction)."""
    row = session.get(PlanSync, inputs.plan_id) or PlanSync(
        plan_id=inputs.plan_id, fingerprint="", plan_hash="", calendar_hash="", years="", code_version=0, synced_at=now
    )
    row.fingerprint = inputs.fingerprint
    row.plan_hash = inputs.plan_hash
    row.calendar_hash = inputs.calendar_hash
    row.years = inputs.years
    row.code_version = inputs.code_version
    row.synced_at = now
    session.add(row)
    session.flush()
    return row
