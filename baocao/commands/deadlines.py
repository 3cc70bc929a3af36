"""``baocao deadlines``: every agency's reporting deadlines for a year."""

from __future__ import annotations

import argparse
import json
from itertools import groupby
from typing import TYPE_CHECKING

from baocao.context import CliError, Context
from baocao.commands._common import (
    add_period_argument,
    agency_ids,
    calendar_or_fail,
    local_now,
    period_words_or_fail,
    plan_or_fail,
)

if TYPE_CHECKING:
    from scheduler.deadlines import Obligation
    from scheduler.plan import Plan


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("deadlines", help="hạn báo cáo của các cơ quan trong một năm")
    parser.add_argument("--year", type=int, metavar="NĂM", help="năm (mặc định: năm của --period, nếu không thì năm hiện tại)")
    parser.add_argument("--agency", metavar="CƠ_QUAN", help="mã, tên hoặc tên viết tắt của cơ quan (hoặc một nhóm)")
    add_period_argument(parser, default="mặc định: mọi kỳ của năm")
    parser.add_argument("--reminders", action="store_true", help="kèm lịch nhắc hạn")
    parser.add_argument("--json", action="store_true", help="in JSON")
    parser.set_defaults(func=run)


def _year_and_period(args: argparse.Namespace, ctx: Context, plan: Plan) -> tuple[int, str | None]:
    """The year (``--year``, else the year ``--period`` names, else this year) and the period
    code (``None``: every period). A ``--period`` naming a year must agree with ``--year``."""
    year, code = period_words_or_fail(plan, args.period) if args.period else (None, None)
    if year is not None and args.year is not None and year != args.year:
        raise CliError(
            f"kỳ báo cáo '{args.period}' thuộc năm {year}, không khớp với --year {args.year}; "
            "hãy bỏ một trong hai hoặc sửa cho khớp"
        )
    if year is None:
        year = args.year if args.year is not None else _this_year(ctx, plan)
    return year, code


def _this_year(ctx: Context, plan: Plan) -> int:
    """The current year, or the year before while its last reports are still open (the annual
    report of 2030 due 10/01/2031, asked for in January 2031 after the plan ended)."""
    from scheduler.deadlines import open_until

    today = local_now(ctx).date()
    years = plan.years_in_force()
    if today.year not in years and today.year - 1 in years and today <= open_until(plan, calendar_or_fail(ctx)):
        return today.year - 1
    return today.year


def run(args: argparse.Namespace, ctx: Context) -> int:
    from scheduler.deadlines import obligations

    plan = plan_or_fail(ctx.settings.plan_path)
    year, code = _year_and_period(args, ctx, plan)
    if not 1900 <= year <= 2200:
        raise CliError(f"năm {year} nằm ngoài khoảng hỗ trợ (1900–2200)")
    cal = calendar_or_fail(ctx)
    wanted = agency_ids(plan, args.agency) if args.agency else None
    result = obligations(plan, cal, year, agencies=wanted, periods=[code] if code else None)

    if args.json:
        print(json.dumps([o.as_dict(with_reminders=args.reminders) for o in result], ensure_ascii=False, indent=2))
        if not result:
            _explain_empty(plan, year, stderr=True)
        return 0
    if not result:
        _explain_empty(plan, year, stderr=False)
        return 0
    # The due dates' years: a report of one year may be due in January of the next.
    estimated = cal.is_estimated(year) or any(cal.is_estimated(o.due.year) for o in result)
    print(render(plan, result, with_reminders=args.reminders, estimated=estimated))
    return 0


def _explain_empty(plan: Plan, year: int, *, stderr: bool) -> None:
    import sys

    from common.vndate import format_date_short

    info = plan.plan
    if year not in plan.years_in_force():
        message = (
            f"Kế hoạch số {info.number} chỉ có hiệu lực từ {format_date_short(info.in_force.start)} "
            f"đến {format_date_short(info.in_force.end)}: năm {year} không có kỳ báo cáo nào. "
            "Để theo dõi năm khác, nạp kế hoạch của năm đó (BAOCAO_PLAN_PATH) hoặc gia hạn plan.in_force trong tệp kế hoạch."
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
