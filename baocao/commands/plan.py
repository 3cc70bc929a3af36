"""``baocao plan check``: validate a plan file and summarise what it asks of whom."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from baocao.context import Context
from baocao.commands._common import calendar_or_fail, plan_or_fail

if TYPE_CHECKING:
    from scheduler.plan import Plan


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("plan", help="kiểm tra tệp kế hoạch")
    plan_sub = parser.add_subparsers(title="các lệnh", dest="plan_command", metavar="LỆNH")
    plan_sub.required = True
    check = plan_sub.add_parser(
        "check", help="kiểm tra tệp kế hoạch và in tóm tắt (mã thoát 2 nếu tệp lỗi)"
    )
    check.add_argument(
        "file", nargs="?", type=Path, metavar="TỆP", help="tệp kế hoạch (mặc định: cấu hình BAOCAO_PLAN_PATH)"
    )
    check.set_defaults(func=run_check)


def run_check(args: argparse.Namespace, ctx: Context) -> int:
    path = args.file or ctx.settings.plan_path
    plan = plan_or_fail(path)
    print(summary(plan, ctx, path))
    return 0


def summary(plan: Plan, ctx: Context, path: Path) -> str:
    from common.vndate import format_date_short
    from scheduler.deadlines import obligations
    from scheduler.plan import PERIOD_NAMES

    info = plan.plan
    lines = [
        f"Tệp {path}: hợp lệ.",
        f"Kế hoạch số {info.number} ngày {format_date_short(info.date)} của {info.issuer}",
        f"  {info.title}",
        f"  Hiệu lực: {format_date_short(info.in_force.start)} – {format_date_short(info.in_force.end)}",
        "  Báo cáo tổng hợp: "
        + ("thể thức văn bản của Đảng (Hướng dẫn 36-HD/VPTW)" if info.form == "party" else "thể thức văn bản hành chính (Nghị định 30/2020/NĐ-CP)")
        + ("" if info.report_form else ", theo tên cơ quan ban hành"),
    ]
    items = [item.no for task in plan.tasks for item in task.items]
    requests = [f"NV{t.no}" for t in plan.tasks if t.lead_is_request]
    task_line = f"Nhiệm vụ: {len(plan.tasks)}"
    if items:
        task_line += f" (tiểu mục: {', '.join(items)})"
    if requests:
        task_line += f"; chủ trì theo đề nghị: {', '.join(requests)}"
    lines.append(task_line)
    lines.append(f"Cơ quan trong danh mục: {len(plan.agencies)}; nhóm: {len(plan.groups)}")
    for group in plan.groups:
        lines.append(f"  - {group.name}: {len(plan.expand(group.id))} cơ quan")
    recipient = plan.agency(plan.reporting.recipient).name
    periods = ", ".join(f"{p.code} ({p.name})" for p in plan.reporting.periods)
    lines.append(f"Kỳ báo cáo: {periods}; gửi {recipient}")

    cal = calendar_or_fail(ctx)
    for year in plan.years_in_force():
        by_period: dict[str, list[str]] = {}
        for ob in obligations(plan, cal, year):
            by_period.setdefault(ob.period_code, []).append(ob.agency)
        lines.append(f"Cơ quan phải báo cáo năm {year}:")
        # The same agencies usually report every period; list them once.
        groups: dict[tuple[str, ...], list[str]] = {}
        for code, names in by_period.items():
            groups.setdefault(tuple(names), []).append(code)
        for names, codes in groups.items():
            label = ", ".join(f"{c} ({PERIOD_NAMES[c]})" for c in codes)
            lines.append(f"  {label}: {len(names)} cơ quan")
            lines.extend(f"    · {name}" for name in names)

    warnings = plan.warnings()
    if warnings:
        lines.append(f"Cảnh báo ({len(warnings)}):")
        lines.extend(f"  ! {w}" for w in warnings)
    else:
        lines.append("Không có cảnh báo.")
    return "\n".join(lines)
