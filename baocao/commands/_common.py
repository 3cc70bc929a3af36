"""Loading shared by several commands, turning domain errors into one-line CLI errors.

Imported when the parser is built, by every command: the domain modules (the plan, the
calendar, the services) are imported in the functions that need them, not here.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from baocao.context import CliError, Context

if TYPE_CHECKING:
    from baocao.services import Services
    from scheduler.calendar import WorkingCalendar
    from scheduler.plan import Match, Plan
    from scheduler.plans import Plans


def plan_or_fail(path: Path | str) -> Plan:
    """The plan of a plan file; for a folder of plans, the default one (the plan that started
    last, :attr:`scheduler.plans.Plans.default`)."""
    from scheduler.plan import PlanError, load_plan

    if Path(path).is_dir():
        return plans_or_fail(path).default
    try:
        return load_plan(path)
    except PlanError as exc:
        raise CliError(f"tệp kế hoạch {path} không hợp lệ — {exc}") from exc


def plans_or_fail(path: Path | str, *, strict: bool = False) -> Plans:
    """Every plan of ``BAOCAO_PLAN_PATH`` (a file or a folder). In a folder, a broken file is
    skipped with a warning on stderr and the other plans are used; ``strict`` (and a folder
    whose every file is broken, two files with the same plan id, an empty folder) → CliError."""
    import sys

    from scheduler.plan import PlanError
    from scheduler.plans import PlanFileError, load_plans

    try:
        plans, broken = load_plans(path, skip_broken=not strict)
    except PlanFileError as exc:
        raise CliError(f"tệp kế hoạch {exc.file} không hợp lệ — {exc.error}") from exc
    except PlanError as exc:
        if Path(path).is_dir():
            raise CliError(str(exc)) from exc
        raise CliError(f"tệp kế hoạch {path} không hợp lệ — {exc}") from exc
    for error in broken:
        print(
            f"CẢNH BÁO: bỏ qua tệp kế hoạch {error.file} vì không hợp lệ — {error.error}. "
            f"Các kế hoạch khác vẫn được dùng; sửa tệp rồi kiểm tra bằng: baocao plan check {error.file}",
            file=sys.stderr,
        )
    return plans


def describe_plans(plans: Iterable[Plan]) -> str:
    """``124-KH/BCSĐ (Kế hoạch thực hiện …), 5375/KH-UBND (…)``: the ids to choose from."""
    return "; ".join(f"{p.plan.id} ({p.plan.title})" for p in plans)


def plan_by_id_or_fail(plans: Plans, text: str) -> Plan:
    """The plan a user named with ``--plan`` (:meth:`scheduler.plans.Plans.matching`); unknown
    or ambiguous → CliError with the known ids."""
    found = plans.matching(text)
    if len(found) == 1:
        return found[0]
    if found:
        raise CliError(f"'{text}' khớp nhiều kế hoạch: {describe_plans(found)}; hãy ghi đầy đủ số kế hoạch")
    raise CliError(f"không có kế hoạch '{text}'. Các kế hoạch: {describe_plans(plans)}")


def add_plan_argument(parser: argparse.ArgumentParser, *, default: str) -> None:
    """``--plan SỐ``, the same in every command; ``default`` says what no ``--plan`` means."""
    parser.add_argument(
        "--plan",
        metavar="KẾ_HOẠCH",
        help="số (mã) kế hoạch, ghi đủ hoặc không dấu, hoặc phần đầu của số nếu không trùng: "
        f"124-KH/BCSĐ, 124-KH/BCSD, 124 (xem baocao plan list); {default}",
    )


def calendar_or_fail(ctx: Context) -> WorkingCalendar:
    from scheduler.calendar import CalendarError, WorkingCalendar

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
        ctx.settings, plans=plans_or_fail(ctx.settings.plan_path), calendar=calendar_or_fail(ctx), **overrides
    )


def local_now(ctx: Context) -> datetime:
    return ctx.now().astimezone(ctx.settings.tz)


def match_or_fail(plan: Plan, query: str) -> Match:
    """The agency or group a user typed (id, name or alias); unknown → the closest names."""
    from scheduler.plan import closest_names, describe_matches, find

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


# --- periods -----------------------------------------------------------------------------
# One vocabulary (common.periods) for every command that takes a period: the code ("Q1"), the
# key ("2024-Q1") or the words people use ("quý I", "6 tháng", "06 tháng đầu năm", "cả năm").

PERIOD_EXAMPLES = "Q1, 2024-Q1, quý I, 6 tháng, 06 tháng đầu năm, 9 tháng, cả năm, năm 2024"


class _Words(argparse.Action):
    """An option whose value may be several words (``--period 6 tháng``): joined by a space."""

    one_value_in_words = True  # the help shows one value (baocao.cli.HelpFormatter)

    def __call__(self, parser: Any, namespace: argparse.Namespace, values: Any, option_string: Any = None) -> None:
        setattr(namespace, self.dest, " ".join(values))


def add_period_argument(parser: argparse.ArgumentParser, *, default: str) -> None:
    """``--period KỲ``, the same in every command; ``default`` says what no ``--period`` means."""
    parser.add_argument(
        "--period",
        nargs="+",
        action=_Words,
        metavar="KỲ",
        help=f"kỳ báo cáo, theo mã hoặc theo tên, có thể kèm năm: {PERIOD_EXAMPLES}; {default}",
    )


def _plan_periods(plan: Plan) -> str:
    return ", ".join(f"{p.code} ({p.name})" for p in plan.reporting.periods)


def period_words_or_fail(plan: Plan, text: str) -> tuple[int | None, str]:
    """``(year or None, code)`` of the period a user named, which the plan must have; the year
    is ``None`` when the text gives none ("Q1", "quý I")."""
    from common.periods import PERIOD_NAMES, parse_words

    found = parse_words(text)
    if found is None:
        raise CliError(
            f"kỳ báo cáo '{text.strip()}' không hợp lệ; ghi theo mã hoặc theo tên kỳ, ví dụ {PERIOD_EXAMPLES} "
            f"(các kỳ của kế hoạch: {_plan_periods(plan)})"
        )
    code = found[1]
    if code not in plan.period_by_code:
        raise CliError(
            f"kế hoạch không có kỳ báo cáo {code} ({PERIOD_NAMES[code]}); các kỳ: {_plan_periods(plan)}"
        )
    return found


def period_or_fail(ctx: Context, plan: Plan, cal: WorkingCalendar, text: str | None) -> tuple[int, str]:
    """(year, code) of the period a user named (any form :func:`period_words_or_fail` reads; a
    period without a year is of the current year), or by default the one a coordinator most
    likely means (the one being consolidated, else the next due). The plan must be in force
    that year."""
    from common.periods import period_key
    from reports.status import PeriodError, default_period, parse_period

    if text:
        year, code = period_words_or_fail(plan, text)
        key = period_key(local_now(ctx).year if year is None else year, code)
    else:
        default = default_period(plan, cal, ctx.now(), tz=ctx.settings.tz)
        if default is None:
            raise CliError(f"kế hoạch số {plan.plan.number} không có kỳ báo cáo nào; hãy chỉ rõ --period")
        key = default
    try:
        return parse_period(plan, key)
    except PeriodError as exc:
        raise CliError(str(exc)) from exc


def plans_for_period_or_fail(ctx: Context, plan_text: str | None, period_text: str | None, *, several: bool) -> list[Plan]:
    """The plans a period command (``status``, ``report``) covers: ``--plan``; the only plan;
    else those in force today (or, when ``--period`` names a year, in force that year) that
    have the period asked for. None of them → CliError with the ids to choose from; several
    when the command makes one document (``several=False``) → CliError asking for ``--plan``."""
    from common.periods import parse_words
    from common.vndate import format_date_short

    plans = plans_or_fail(ctx.settings.plan_path)
    if plan_text:
        return [plan_by_id_or_fail(plans, plan_text)]
    if len(plans) == 1:
        return list(plans)
    found = parse_words(period_text) if period_text else None
    year, code = found if found is not None else (None, None)
    today = local_now(ctx).date()
    if year is not None:
        chosen = [p for p in plans if year in p.years_in_force()]
        when = f"trong năm {year}"
    else:
        # A plan past its end whose last reports are still open counts (the annual report due
        # in January after it).
        chosen = plans.in_force(today, calendar_or_fail(ctx))
        when = f"vào ngày {format_date_short(today)}"
    if code is not None:
        chosen = [p for p in chosen if code in p.period_by_code]
    if not chosen:
        raise CliError(
            f"không có kế hoạch nào có hiệu lực {when}"
            + (f" có kỳ báo cáo {period_text.strip()}" if code is not None and period_text else "")
            + f"; chọn kế hoạch bằng --plan. Các kế hoạch: {describe_plans(plans)}"
        )
    if len(chosen) > 1 and not several:
        raise CliError(
            f"có {len(chosen)} kế hoạch có hiệu lực {when}: {describe_plans(chosen)}. Báo cáo tổng hợp lập riêng "
            "cho từng kế hoạch: chọn một bằng --plan (ví dụ --plan " + chosen[0].plan.id + ")"
        )
    return chosen
