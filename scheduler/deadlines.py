"""The deadline engine: for a year, every obligation (agency × reporting period).

An obligation says who must report, for which kỳ báo cáo, on which tasks and in which role,
the data cut-off, the due date (moved past non-working days) and Sở Tư pháp's consolidation
due date. Everything comes from the plan and the working-day calendar; nothing is hard-coded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from scheduler.calendar import WorkingCalendar
from scheduler.plan import PERIOD_NAMES, Period, Plan, ReminderStep, Role, Task, period_label


@dataclass(frozen=True)
class TaskDuty:
    """One task an agency reports on, and its role in it."""

    no: str
    role: Role
    request: bool = False  # lead by request ("Đề nghị ...")

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"no": self.no, "role": str(self.role)}
        if self.request:
            out["request"] = True
        return out


@dataclass(frozen=True)
class Reminder:
    step: str
    at: datetime  # aware, in the plan's reminder time zone
    escalate: bool = False

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"step": self.step, "at": self.at.isoformat()}
        if self.escalate:
            out["escalate"] = True
        return out


@dataclass(frozen=True)
class Obligation:
    plan_id: str
    agency_id: str
    agency: str
    year: int
    period_code: str
    cutoff_from: date
    cutoff_to: date
    nominal_due: date  # the day the rule names, before moving past non-working days
    due: date
    consolidation_due: date
    tasks: tuple[TaskDuty, ...]
    reminders: tuple[Reminder, ...] = field(default=())

    @property
    def period(self) -> str:
        """The period key used everywhere: ``2024-Q1``."""
        return f"{self.year}-{self.period_code}"

    @property
    def period_name(self) -> str:
        """Vietnamese name: ``quý I năm 2024``, ``06 tháng năm 2024``, ``năm 2024``."""
        return period_label(PERIOD_NAMES[self.period_code], self.year)

    def as_dict(self, *, with_reminders: bool = False) -> dict[str, object]:
        out: dict[str, object] = {
            "plan_id": self.plan_id,
            "agency_id": self.agency_id,
            "agency": self.agency,
            "period": self.period,
            "period_name": self.period_name,
            "cutoff_from": self.cutoff_from.isoformat(),
            "cutoff": self.cutoff_to.isoformat(),
            "due": self.due.isoformat(),
            "nominal_due": self.nominal_due.isoformat(),
            "consolidation_due": self.consolidation_due.isoformat(),
            "tasks": [duty.as_dict() for duty in self.tasks],
        }
        if with_reminders:
            out["reminders"] = [r.as_dict() for r in self.reminders]
        return out


def _task_sort_key(no: str) -> int:
    return int(no)


def duties_by_agency(plan: Plan, tasks: Iterable[Task]) -> dict[str, list[TaskDuty]]:
    """Who reports on which task, after expanding groups. Lead outranks coordinator."""
    duties: dict[str, dict[str, TaskDuty]] = {}
    for task in tasks:
        for ref in task.lead:
            for agency_id in plan.expand(ref):
                duties.setdefault(agency_id, {})[task.no] = TaskDuty(task.no, Role.LEAD, task.lead_is_request)
        for ref in task.coordinators:
            for agency_id in plan.expand(ref):
                duties.setdefault(agency_id, {}).setdefault(task.no, TaskDuty(task.no, Role.COORDINATOR))
    return {
        agency_id: sorted(by_task.values(), key=lambda d: _task_sort_key(d.no))
        for agency_id, by_task in duties.items()
    }


def duties_on(plan: Plan, duties: dict[str, list[TaskDuty]], day: date) -> dict[str, list[TaskDuty]]:
    """The duties of the agencies valid on ``day``: an agency that has ended passes its duties
    to its successors valid then (``successor_of``, following chains); a lead stays a lead and
    outranks a coordinator's role the successor had itself."""
    if not plan.successors:
        return {a: d for a, d in duties.items() if plan.agency_by_id[a].valid_on(day)}
    out: dict[str, dict[str, TaskDuty]] = {}
    for agency_id, agency_duties in duties.items():
        for heir in plan.heirs_on(agency_id, day):
            mine = out.setdefault(heir, {})
            for duty in agency_duties:
                held = mine.get(duty.no)
                if held is None or (held.role is not Role.LEAD and duty.role is Role.LEAD):
                    mine[duty.no] = duty
    return {
        agency_id: sorted(by_task.values(), key=lambda d: _task_sort_key(d.no)) for agency_id, by_task in out.items()
    }


def period_dates(period: Period, year: int, cal: WorkingCalendar, consolidation_days: int) -> tuple[date, date, date, date, date]:
    """cut-off from/to, nominal due, due, consolidation due for one period of one year."""
    nominal = period.due.in_year(year)
    # Bộ luật Dân sự 2015 Art. 148(5): a deadline on a day off moves to the next working day.
    due = cal.next_working_day(nominal)
    consolidation = cal.add_working_days(due, consolidation_days)
    return period.cutoff_from.in_year(year), period.cutoff_to.in_year(year), nominal, due, consolidation


def reminder_schedule(
    due: date, steps: Iterable[ReminderStep], at_time: object, zone: ZoneInfo, cal: WorkingCalendar
) -> tuple[Reminder, ...]:
    out = []
    for step in steps:
        # Counting working days from a working day always lands on a working day, so a
        # reminder never falls on a weekend or holiday.
        day = cal.add_working_days(due, step.working_days)
        out.append(Reminder(step.step, datetime.combine(day, at_time, tzinfo=zone), step.escalate))  # type: ignore[arg-type]
    return tuple(out)


def obligations(
    plan: Plan,
    cal: WorkingCalendar,
    year: int,
    *,
    agencies: Iterable[str] | None = None,
    periods: Iterable[str] | None = None,
) -> list[Obligation]:
    """Every obligation of ``year``, ordered by due date, then the directory order.

    ``year`` is the year the data cover: a period's due date may fall in the next year (the
    annual report due 10/01 of the year after). Only the periods whose data window ends within
    the plan's ``in_force`` are obligations (:meth:`Plan.covers`). ``agencies`` and
    ``periods`` filter by agency id and period code. A year the plan is not in force gives an
    empty list: no reminder is ever invented for a plan past its end.
    """
    if year not in plan.years_in_force():
        return []
    wanted_agencies = set(agencies) if agencies is not None else None
    wanted_periods = set(periods) if periods is not None else None
    active = [task for task in plan.tasks if year in plan.task_years(task)]
    duties = duties_by_agency(plan, active)
    settings = plan.reporting
    zone = ZoneInfo(settings.reminders.timezone)

    out: list[Obligation] = []
    for period in plan.periods_of(year):
        if wanted_periods is not None and period.code not in wanted_periods:
            continue
        cutoff_from, cutoff_to, nominal, due, consolidation = period_dates(
            period, year, cal, settings.consolidation_working_days
        )
        reminders = reminder_schedule(due, settings.reminders.steps, settings.reminders.time, zone, cal)
        # Who reports is decided on the due date: an agency that no longer exists then has
        # nothing to report, and its successor valid then carries its duties.
        duties_then = duties_on(plan, duties, due)
        for agency in plan.agencies:
            if wanted_agencies is not None and agency.id not in wanted_agencies:
                continue
            agency_duties = duties_then.get(agency.id)
            if not agency_duties:
                continue
            out.append(
                Obligation(
                    plan_id=plan.plan.id,
                    agency_id=agency.id,
                    agency=agency.name,
                    year=year,
                    period_code=period.code,
                    cutoff_from=cutoff_from,
                    cutoff_to=cutoff_to,
                    nominal_due=nominal,
                    due=due,
                    consolidation_due=consolidation,
                    tasks=tuple(agency_duties),
                    reminders=reminders,
                )
            )
    out.sort(key=lambda o: (o.due, _period_order(plan, o.period_code)))
    return out


def _period_order(plan: Plan, code: str) -> int:
    return [p.code for p in plan.reporting.periods].index(code)


def open_until(plan: Plan, cal: WorkingCalendar) -> date:
    """The last day the plan has an obligation still open: the latest of ``in_force.end``, its
    last period's last reminder step and its consolidation due date.

    A plan ended on 31/12/2025 whose annual report of 2025 is due 10/01/2026 still reminds in
    January 2026: what gates reminders is this day, not ``in_force.end``."""
    last = plan.plan.in_force.end
    settings = plan.reporting
    after = max((s.working_days for s in settings.reminders.steps), default=0)
    for year in plan.years_in_force():
        for period in plan.periods_of(year):
            _, _, _, due, consolidation = period_dates(period, year, cal, settings.consolidation_working_days)
            last = max(last, cal.add_working_days(due, after), consolidation)
    return last


def periods_in_force(plan: Plan) -> list[tuple[int, Period]]:
    """Every (year, period) that is an obligation of the plan, in due-date order."""
    out = [(year, period) for year in plan.years_in_force() for period in plan.periods_of(year)]
    out.sort(key=lambda yp: (yp[1].due.in_year(yp[0]), yp[0], _period_order(plan, yp[1].code)))
    return out


def period_warnings(plan: Plan, cal: WorkingCalendar) -> list[str]:
    """What ``plan check`` says of the periods: a period of the plan that is no obligation in
    any year (its data window never ends within ``in_force``), and (for information) a
    period due after the plan's last day."""
    from common.vndate import format_date_short

    info = plan.plan.in_force
    out: list[str] = []
    years = plan.years_in_force()
    for index, period in enumerate(plan.reporting.periods):
        if not any(plan.covers(period, year) for year in range(info.start.year - 1, info.end.year + 2)):
            out.append(
                f"reporting.periods[{index}] ({period.code}, {period.name}): không có kỳ nào có số liệu kết thúc "
                f"trong thời gian hiệu lực {format_date_short(info.start)} – {format_date_short(info.end)}; "
                "kỳ này sẽ không phải báo cáo."
            )
    settings = plan.reporting
    for year in years:
        for period in plan.periods_of(year):
            _, _, _, due, _ = period_dates(period, year, cal, settings.consolidation_working_days)
            if due > info.end:
                out.append(
                    f"kỳ {plan.period_name(f'{year}-{period.code}')} hạn {format_date_short(due)}, "
                    "sau khi kế hoạch hết hiệu lực; vẫn được nhắc hạn đến khi hết hạn."
                )
    return out
