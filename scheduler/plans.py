"""The plans a province runs at once, by id.

Everything the scheduler and the outbox key on carries a plan's id; this catalogue is how the
rest of the code finds the plan behind an id. Today it is usually one plan (``data/plan.json``);
the plans issue adds a folder of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from scheduler.plan import Plan


class Plans:
    """An ordered, read-only catalogue of :class:`~scheduler.plan.Plan` by ``plan.plan.id``."""

    def __init__(self, plans: Iterable[Plan]) -> None:
        self._by_id: dict[str, Plan] = {}
        for plan in plans:
            if plan.plan.id in self._by_id:
                raise ValueError(f"two plans have the id {plan.plan.id!r}")
            self._by_id[plan.plan.id] = plan
        if not self._by_id:
            raise ValueError("no plan")

    def __iter__(self) -> Iterator[Plan]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, plan_id: object) -> bool:
        return plan_id in self._by_id

    def get(self, plan_id: str | None) -> Plan | None:
        return self._by_id.get(plan_id) if plan_id is not None else None

    def __getitem__(self, plan_id: str) -> Plan:
        return self._by_id[plan_id]

    @property
    def ids(self) -> list[str]:
        return list(self._by_id)

    @property
    def default(self) -> Plan:
        """The plan meant when nobody names one: the only plan, else the one that started last."""
        return max(self._by_id.values(), key=lambda p: (p.plan.in_force.start, p.plan.date))

    def in_force(self, day: date) -> list[Plan]:
        return [p for p in self if p.plan.in_force.start <= day <= p.plan.in_force.end]

    def agency_name(self, agency_id: str) -> str:
        """The agency's name in whichever plan knows it (the id when none does)."""
        for plan in self:
            agency = plan.agency_by_id.get(agency_id)
            if agency is not None:
                return agency.name
        return agency_id

    def replaced(self, plan: Plan) -> Plans:
        """A catalogue with ``plan`` taking the place of the plan with its id (or added)."""
        items = dict(self._by_id)
        items[plan.plan.id] = plan
        return Plans(items.values())
