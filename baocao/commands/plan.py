"""``baocao plan check``: validate a plan file and summarise what it asks of whom.
``baocao plan import``: draft a plan file from a plan's official text (.txt, .docx, .pdf)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from baocao.context import Context
from baocao.commands._common import calendar_or_fail, plan_or_fail

if TYPE_CHECKING:
    from scheduler.plan import Plan
    from scheduler.plan_import.agencies import Directory


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("plan", help="kiểm tra tệp kế hoạch, soạn tệp kế hoạch từ văn bản")
    plan_sub = parser.add_subparsers(title="các lệnh", dest="plan_command", metavar="LỆNH")
    plan_sub.required = True
    check = plan_sub.add_parser(
        "check", help="kiểm tra tệp kế hoạch và in tóm tắt (mã thoát 2 nếu tệp lỗi)"
    )
    check.add_argument(
        "file", nargs="?", type=Path, metavar="TỆP", help="tệp kế hoạch (mặc định: cấu hình BAOCAO_PLAN_PATH)"
    )
    check.set_defaults(func=run_check)
    imp = plan_sub.add_parser(
        "import",
        help="soạn tệp kế hoạch (bản nháp) từ văn bản kế hoạch .txt, .docx, .pdf; in danh sách cần xem lại",
    )
    imp.add_argument("source", type=Path, metavar="TỆP", help="văn bản kế hoạch: .txt, .docx hoặc .pdf")
    imp.add_argument(
        "-o",
        "--output",
        metavar="TỆP_RA",
        help="tệp kế hoạch ghi ra (mặc định: cùng tên, đuôi .json, cạnh văn bản); '-' in ra màn hình",
    )
    imp.add_argument(
        "--directory",
        metavar="DANH_MỤC",
        help="danh mục cơ quan để đối chiếu tên: mã danh mục trong data/directories/ (ví dụ khanh-hoa-2025), "
        "tệp danh mục .json, hoặc tệp kế hoạch .json (mặc định: cấu hình BAOCAO_PLAN_PATH)",
    )
    imp.add_argument("--force", action="store_true", help="ghi đè tệp ra nếu đã có")
    imp.set_defaults(func=run_import)


def run_check(args: argparse.Namespace, ctx: Context) -> int:
    path = args.file or ctx.settings.plan_path
    plan = plan_or_fail(path)
    print(summary(plan, ctx, path))
    return 0


def run_import(args: argparse.Namespace, ctx: Context) -> int:
    import sys

    from baocao.context import CliError
    from scheduler.plan_import import PlanImportError, import_plan, write_draft
    from scheduler.plan_import.agencies import Directory

    directory = _import_directory(args.directory, ctx)
    source: Path = args.source
    stdout = args.output == "-"
    out = None if stdout else Path(args.output) if args.output else source.with_suffix(".json")
    if out is not None and source.suffix.lower() == ".json" and out.resolve() == source.resolve():
        raise CliError(f"{source} đã là tệp .json: cần văn bản kế hoạch .txt, .docx hoặc .pdf")
    if out is not None and out.exists() and not args.force:
        raise CliError(f"đã có tệp {out}: dùng -o để ghi tệp khác, hoặc --force để ghi đè")
    try:
        draft = import_plan(source, directory, today=ctx.now().astimezone(ctx.settings.tz).date())
    except PlanImportError as exc:
        raise CliError(str(exc)) from exc
    info = draft.data["plan"]
    tasks = draft.data["tasks"]
    periods = ", ".join(f"{p['code']} ({p['name']})" for p in draft.data["reporting"]["periods"])
    lines = []
    if stdout:
        sys.stdout.write(draft.json())
    else:
        assert out is not None
        try:
            write_draft(draft, out)
        except OSError as exc:
            raise CliError(f"không ghi được {out}: {exc.strerror}") from exc
        lines.append(f"Đã ghi bản nháp {out}")
    lines += [
        f"Kế hoạch số {info['number']} ngày {info['date']} của {info['issuer']}",
        f"  {info['title']}",
        f"Nhiệm vụ: {len(tasks)}; cơ quan: "
        + (f"danh mục {draft.data['directory']}, thêm " if draft.data.get("directory") else "")
        + f"{len(draft.data['agencies'])} (mới: {draft.new_agencies}); "
        f"nhóm: {len(draft.data['groups'])}; kỳ báo cáo: {periods}",
        f"Cần xem lại ({len(draft.review)}; cũng ghi trong notes của tệp):",
    ]
    lines += [f"  {n}. {r.line()}" for n, r in enumerate(draft.review, start=1)]
    if out is not None:
        lines.append(f"Sau khi sửa, kiểm tra bằng: baocao plan check {out}")
    print("\n".join(lines), file=sys.stderr if stdout else sys.stdout)
    return 0


def _import_directory(arg: str | None, ctx: Context) -> Directory:
    """What ``--directory`` names: a directory id, a directory file, or a plan file."""
    import json

    from baocao.context import CliError
    from scheduler.directory import DirectoryError, load_directory, resolve
    from scheduler.plan_import.agencies import Directory

    if arg is None:
        path = Path(ctx.settings.plan_path)
    elif not arg.lower().endswith(".json") and "/" not in arg and "\\" not in arg and not Path(arg).exists():
        try:
            found = resolve(arg)
            return Directory.from_directory(load_directory(found), arg, source=f"danh mục {arg}")
        except DirectoryError as exc:
            where = f" ({exc.file}" + (f", {exc.path}" if exc.path else "") + ")" if exc.file else ""
            raise CliError(f"--directory {arg}{where}: {exc.message}") from exc
    else:
        path = Path(arg)
    if path.is_dir() or path.suffix.lower() != ".json":
        raise CliError(
            f"--directory {path}: cần một tệp kế hoạch .json (danh mục cơ quan lấy từ các cơ quan và nhóm của "
            "kế hoạch đó), một tệp danh mục .json hoặc mã danh mục trong data/directories/ (ví dụ khanh-hoa-2025)"
        )
    try:
        is_directory = "province" in json.loads(path.read_text(encoding="utf-8")) and "plan" not in json.loads(
            path.read_text(encoding="utf-8")
        )
    except (OSError, ValueError):
        is_directory = False  # plan_or_fail says what is wrong with it
    if not is_directory:
        return Directory.from_plan(plan_or_fail(path), source=str(path))
    try:
        loaded = load_directory(path)
    except DirectoryError as exc:
        where = f", {exc.path}" if exc.path else ""
        raise CliError(f"--directory {path}{where}: {exc.message}") from exc
    # A file of data/directories/ is referred to by its id; another by its absolute path.
    try:
        ref = loaded.id if resolve(loaded.id).resolve() == path.resolve() else str(path.resolve())
    except DirectoryError:
        ref = str(path.resolve())
    return Directory.from_directory(loaded, ref, source=str(path))


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
    where = f" (danh mục {plan.directory} và của kế hoạch)" if plan.directory else ""
    lines.append(f"Cơ quan trong danh mục{where}: {len(plan.agencies)}; nhóm: {len(plan.groups)}")
    named = {ref for task in plan.tasks for ref in [*task.lead, *task.coordinators]}
    for group in plan.groups:
        if plan.origin(group.id) is not None and group.id not in named:
            continue  # a directory's group the plan does not name
        rule = " (theo quy tắc)" if group.rule is not None else ""
        lines.append(f"  - {group.name}: {len(plan.expand(group.id))} cơ quan{rule}")
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
