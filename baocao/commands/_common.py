"""Loading shared by several commands, turning domain errors into one-line CLI errors."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baocao.context import CliError, Context
from scheduler.calendar import CalendarError, WorkingCalendar
from scheduler.plan import Match, Plan, PlanError, closest_names, describe_matches, find, load_plan

if TYPE_CHECKING:
    from baocao.services import Services


def plan_or_fail(path: Path | str) -> Plan:
    try:
        return load_plan(path)
    except PlanError as exc:
        raise CliError(f"tệp kế hoạch {path} không hợp lệ — {exc}") from exc


def calendar_or_fail(ctx: Context) -> WorkingCalendar:
    try:
        return WorkingCalendar.load(ctx.settings.calendar_path)
    except CalendarError as exc:
        raise CliError(str(exc)) from exc


def services_or_fail(ctx: Context, **overrides: Any) -> Services:
    """The composition root for a command, its plan and calendar loaded (a broken file is one
    line, not a traceback)."""
    from baocao.services import Services

    overrides.setdefault("clock", ctx.clock)
    return Services(
        ctx.settings, plans=plan_or_fail(ctx.settings.plan_path), calendar=calendar_or_fail(ctx), **overrides
    )


def local_now(ctx: Context) -> datetime:
    return ctx.now().astimezone(ctx.settings.tz)


def match_or_fail(plan: Plan, query: str) -> Match:
    """The agency or group a user typed (id, name or alias); unknown → the closest names."""
    match = find(plan, query)
    if match is None:
        near = closest_names(plan, query)
        hint = f" Có phải: {describe_matches(near)}?" if near else ""
        raise CliError(f"không tìm thấy cơ quan '{query}'.{hint}")
    return match


def agency_ids(plan: Plan, query: str) -> list[str]:
    """Agency ids for what a user typed: an id, a name, an alias, or a group (its members)."""
    match = match_or_fail(plan, query)
    return [match.id] if match.kind == "agency" else plan.expand(match.id)


def period_or_fail(ctx: Context, plan: Plan, cal: WorkingCalendar, text: str | None) -> tuple[int, str]:
    """(year, code) of the period a user named (``2024-Q1``, ``Q1``), or by default the one a
    coordinator most likely means (the one being consolidated, else the next due)."""
    from reports.status import PeriodError, default_period, parse_period

    if not text:
        text = default_period(plan, cal, ctx.now(), tz=ctx.settings.tz)
        if text is None:
            raise CliError(f"kế hoạch số {plan.plan.number} không có kỳ báo cáo nào; hãy chỉ rõ --period")
    try:
        return parse_period(plan, text, default_year=local_now(ctx).year)
    except PeriodError as exc:
        raise CliError(str(exc)) from exc
