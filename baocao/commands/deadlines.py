"""``baocao deadlines``: every agency's reporting deadlines for a year."""

from __future__ import annotations

import argparse
import json
from itertools import groupby
from typing import TYPE_CHECKING

from baocao.context import CliError, Context
from baocao.commands._common import (
    add_period_argument,
    add_plan_argument,
    agency_ids,
    calendar_or_fail,
    local_now,
    period_words_or_fail,
    plan_by_id_or_fail,
    plans_or_fail,
)

if TYPE_CHECKING:
    from scheduler.deadlines import Obligation
    from scheduler.plan import Plan


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("deadlines", help="hạn báo cáo của các cơ quan trong một năm")
    parser.add_argument("--year", type=int, metavar="NĂM", help="năm (mặc định: năm của --period, nếu không thì năm hiện tại)")
    parser.add_argument("--agency", metavar="CƠ_QUAN", help="mã, tên hoặc tên viết tắt của cơ quan (hoặc một nhóm)")
    add_period_argument(parser, default="mặc định: mọi kỳ của năm")
    add_plan_argument(parser, default="mặc định: mọi kế hoạch có hiệu lực trong năm, lần lượt từng kế hoạch")
    parser.add_argument("--reminders", action="store_true", help="kèm lịch nhắc hạn")
    parser.add_argument("--json", action="store_true", help="in JSON")
    parser.set_defaults(func=run)


def _year_and_period(args: argparse.Namespace, ctx: Context, plans: list[Plan]) -> tuple[int, str | None]:
    """The year (``--year``, else the year ``--period`` names, else this year) and the period
    code (``None``: every period), which one of ``plans`` at least must have. A ``--period``
    naming a year must agree with ``--year``."""
    year, code = None, None
    if args.period:
        from common.periods import parse_words

        found = parse_words(args.period)
        having = [p for p in plans if found is not None and found[1] in p.period_by_code]
        year, code = period_words_or_fail(having[0] if having else plans[0], args.period)
    if year is not None and args.year is not None and year != args.year:
        raise CliError(
            f"kỳ báo cáo '{args.period}' thuộc năm {year}, không khớp với --year {args.year}; "
            "hãy bỏ một trong hai hoặc sửa cho khớp"
        )
    if year is None:
        year = args.year if args.year is not None else _this_year(ctx, plans)
    return year, code


def _this_year(ctx: Context, plans: list[Plan]) -> int:
    """The current year, or the year before while the last reports of a plan are still open
    and no plan has periods this year (the annual report of 2030 due 10/01/2031, asked for in
    January 2031 after the plan ended)."""
    from scheduler.deadlines import open_until

    today = local_now(ctx).date()
    if any(today.year in p.years_in_force() for p in plans):
        return today.year
    cal = calendar_or_fail(ctx)
    if any(today.year - 1 in p.years_in_force() and today <= open_until(p, cal) for p in plans):
        return today.year - 1
    return today.year


def _plans(args: argparse.Namespace, ctx: Context) -> list[Plan]:
    """The plans to list: ``--plan``, else every plan (those of the year chosen later)."""
    plans = plans_or_fail(ctx.settings.plan_path)
    if args.plan:
        return [plan_by_id_or_fail(plans, args.plan)]
    return list(plans)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from scheduler.deadlines import obligations

    candidates = _plans(args, ctx)
    year, code = _year_and_period(args, ctx, candidates)
    if not 1900 <= year <= 2200:
        raise CliError(f"năm {year} nằm ngoài khoảng hỗ trợ (1900–2200)")
    if len(candidates) > 1:
        # Several plans, none named: those in force in the year that have the period asked for.
        chosen = [
            p for p in candidates if year in p.years_in_force() and (code is None or code in p.period_by_code)
        ]
        candidates = chosen or [p for p in candidates if code is None or code in p.period_by_code] or candidates
    cal = calendar_or_fail(ctx)
    results: list[tuple[Plan, list[Obligation]]] = []
    for plan in candidates:
        if code is not None and code not in plan.period_by_code:
            period_words_or_fail(plan, args.period)  # the plan named with --plan lacks it: say so
        if args.agency:
            if len(candidates) > 1 and not _knows(plan, args.agency):
                continue
            wanted = agency_ids(plan, args.agency)
        else:
            wanted = None
        results.append((plan, obligations(plan, cal, year, agencies=wanted, periods=[code] if code else None)))
    if not results:  # the agency is in none of the plans: the first plan's message
        agency_ids(candidates[0], args.agency)

    if args.json:
        rows = [
            {"plan": plan.plan.id, **o.as_dict(with_reminders=args.reminders)} for plan, result in results for o in result
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        if not rows:
            for plan, _ in results:
                _explain_empty(plan, year, stderr=True)
        return 0
    shown = [(plan, result) for plan, result in results if result]
    if not shown:
        for plan, _ in results:
            _explain_empty(plan, year, stderr=False)
        return 0
    print(
        "\n\n".join(
            # The due dates' years: a report of one year may be due in January of the next.
            render(
                plan, result, with_reminders=args.reminders,
                estimated=cal.is_estimated(year) or any(cal.is_estimated(o.due.year) for o in result),
            )
            for plan, result in shown
        )
    )
    return 0


def _knows(plan: Plan, query: str) -> bool:
    from scheduler.plan import find

    return find(plan, query) is not None


def _explain_empty(plan: Plan, year: int, *, stderr: bool) -> None:
    import sys

    from common.vndate import format_date_short

    info = plan.plan
    if year not in plan.years_in_force():
        message = (
            f"Kế hoạch số {info.number} chỉ có hiệu lực từ {format_date_short(info.in_force.start)} "
            f"đến {format_date_short(info.in_force.end)}: năm {year} không có kỳ báo cáo nào. "
            "Để theo dõi năm khác, thêm tệp kế hoạch của năm đó vào thư mục kế hoạch (BAOCAO_PLAN_PATH, mặc định "
            "data/plans/) hoặc gia hạn plan.in_force trong tệp kế hoạch."
        )
    else:
        message = f"Không có nghĩa vụ báo cáo nào khớp điều kiện lọc trong năm {year}."
    print(message, file=sys.stderr if stderr else sys.stdout)


def _duties(ob: Obligation) -> str:
    from scheduler.plan import Role

    lead = [d.no + (" (đề nghị)" if d.request else "") for d in ob.tasks if d.role is Role.LEAD]
    coord = [d.no for d in ob.tasks if d.role is Role.COORDINATOR]
    parts = []
    if lead:
        parts.append("chủ trì NV " + ", ".join(lead))
    if coord:
        parts.append("phối hợp NV " + ", ".join(coord))
    return "; ".join(parts)


def render(plan: Plan, result: list[Obligation], *, with_reminders: bool, estimated: bool) -> str:
    from common.vndate import format_date_short, format_date_vi, weekday_vi

    lines = [f"Hạn báo cáo theo Kế hoạch số {plan.plan.number} — năm {result[0].year}"]
    if estimated:
        lines.append("Lưu ý: lịch nghỉ lễ của năm này mới là ước tính, chưa có thông báo chính thức.")
    # Obligations of one period share their dates unless the plan gives agencies their own.
    key = lambda o: (o.period, o.cutoff_from, o.cutoff_to, o.due, o.consolidation_due)  # noqa: E731
    for (period, cutoff_from, cutoff_to, due, consolidation), group in groupby(result, key=key):
        rows = list(group)
        first = rows[0]
        lines.append("")
        lines.append(f"Kỳ báo cáo {first.period_name} ({period})")
        lines.append(f"  Số liệu: từ {format_date_short(cutoff_from)} đến {format_date_short(cutoff_to)}")
        moved = ""
        if first.nominal_due != due:
            moved = f" (ngày {format_date_short(first.nominal_due)} là {weekday_vi(first.nominal_due)}, ngày nghỉ)"
        lines.append(f"  Hạn gửi báo cáo: {format_date_vi(due)}{moved}")
        lines.append(f"  Hạn Sở Tư pháp tổng hợp: {format_date_vi(consolidation)}")
        if with_reminders:
            steps = ", ".join(
                f"{r.step} {weekday_vi(r.at.date())} {format_date_short(r.at.date())} {r.at:%H:%M}"
                + (" (báo Sở Tư pháp)" if r.escalate else "")
                for r in first.reminders
            )
            lines.append(f"  Nhắc hạn: {steps}")
        lines.append(f"  Cơ quan phải báo cáo ({len(rows)}):")
        width = min(max(len(o.agency) for o in rows), 48)
        for o in rows:
            lines.append(f"    {o.agency:<{width}}  {_duties(o)}")
    return "\n".join(lines)
