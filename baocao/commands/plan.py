"""``baocao plan check``: validate a plan file (or every file of a folder of plans) and
summarise what it asks of whom. ``baocao plan list``: the plans baocao runs, one line each.
``baocao plan import``: draft a plan file from a plan's official text (.txt, .docx, .pdf)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from baocao.context import CliError, Context
from baocao.commands._common import calendar_or_fail, local_now, plan_or_fail, plans_or_fail

if TYPE_CHECKING:
    from scheduler.plan import Plan
    from scheduler.plan_import.agencies import Directory


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("plan", help="danh sách kế hoạch, kiểm tra tệp kế hoạch, soạn tệp kế hoạch từ văn bản")
    plan_sub = parser.add_subparsers(title="các lệnh", dest="plan_command", metavar="LỆNH")
    plan_sub.required = True
    listing = plan_sub.add_parser(
        "list",
        help="các kế hoạch đang theo dõi (BAOCAO_PLAN_PATH), mỗi kế hoạch một dòng: số, ngày, tên, hiệu lực, "
        "số nhiệm vụ, số cơ quan, còn hiệu lực hôm nay (theo --now) hay không",
    )
    listing.add_argument(
        "path", nargs="?", type=Path, metavar="TỆP_HOẶC_THƯ_MỤC",
        help="tệp hoặc thư mục kế hoạch (mặc định: cấu hình BAOCAO_PLAN_PATH)",
    )
    listing.add_argument("--json", action="store_true", help="in JSON: mỗi kế hoạch một dòng, có khóa \"plan\" (mã kế hoạch)")
    listing.set_defaults(func=run_list)
    check = plan_sub.add_parser(
        "check",
        help="kiểm tra tệp kế hoạch, hoặc mọi tệp .json của một thư mục kế hoạch, và in tóm tắt "
        "(mã thoát 2 nếu có tệp lỗi hoặc hai tệp trùng mã kế hoạch)",
    )
    check.add_argument(
        "file", nargs="?", type=Path, metavar="TỆP",
        help="tệp hoặc thư mục kế hoạch (mặc định: cấu hình BAOCAO_PLAN_PATH)",
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
    if not Path(path).is_dir():
        plan = plan_or_fail(path)
        print(summary(plan, ctx, path))
        return 0
    return _check_folder(Path(path), ctx)


def _check_folder(folder: Path, ctx: Context) -> int:
    """Every ``*.json`` of a folder, each summarised or its error printed; exit 2 when any file
    is broken or two files have the same plan id."""
    import sys

    from scheduler.plan import PlanError, load_plan
    from scheduler.plans import link_target, plan_files

    files = plan_files(folder)
    if not files:
        raise CliError(f"thư mục kế hoạch {folder} không có tệp .json nào")
    ids: dict[str, Path] = {}
    problems: list[str] = []
    parts: list[str] = [f"Thư mục kế hoạch {folder}: {len(files)} tệp."]
    for file in files:
        try:
            plan = load_plan(link_target(file))
        except PlanError as exc:
            problems.append(f"tệp kế hoạch {file} không hợp lệ — {exc}")
            continue
        if plan.plan.id in ids:
            problems.append(
                f"tệp kế hoạch {file} không hợp lệ — plan.id: mã kế hoạch '{plan.plan.id}' trùng với tệp "
                f"{ids[plan.plan.id]}; mỗi kế hoạch một mã"
            )
            continue
        ids[plan.plan.id] = file
        parts.append("")
        parts.append(summary(plan, ctx, file))
    print("\n".join(parts))
    if problems:
        for problem in problems:
            print(f"baocao: lỗi: {problem}", file=sys.stderr)
        print(f"baocao: {len(problems)}/{len(files)} tệp kế hoạch có lỗi", file=sys.stderr)
        return 2
    return 0


def plan_row(plan: Plan, today: object) -> dict[str, object]:
    """One plan of ``plan list --json``."""
    info = plan.plan
    return {
        "plan": info.id,
        "number": info.number,
        "date": info.date.isoformat(),
        "issuer": info.issuer,
        "title": info.title,
        "in_force_from": info.in_force.start.isoformat(),
        "in_force_to": info.in_force.end.isoformat(),
        "tasks": len(plan.tasks),
        "agencies": len(plan.agencies),
        "in_force_today": info.in_force.start <= today <= info.in_force.end,  # type: ignore[operator]
    }


def run_list(args: argparse.Namespace, ctx: Context) -> int:
    import json

    from common.vndate import format_date_short

    plans = plans_or_fail(args.path or ctx.settings.plan_path)
    today = local_now(ctx).date()
    rows = [plan_row(plan, today) for plan in plans]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    lines = [f"Các kế hoạch ({len(rows)}), tính đến ngày {format_date_short(today)}:"]
    for plan, row in zip(plans, rows, strict=True):
        info = plan.plan
        number = info.number if info.number == info.id else f"{info.number} (mã {info.id})"
        state = "đang có hiệu lực" if row["in_force_today"] else (
            "chưa có hiệu lực" if today < info.in_force.start else "hết hiệu lực"
        )
        lines.append(
            f"  {number} ngày {format_date_short(info.date)} — {info.title} — hiệu lực "
            f"{format_date_short(info.in_force.start)}–{format_date_short(info.in_force.end)} — "
            f"{row['tasks']} nhiệm vụ, {row['agencies']} cơ quan — {state}"
        )
    print("\n".join(lines))
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
        if path.is_dir():
            # A folder of plans (the default): the agencies of its default plan, the latest one.
            return Directory.from_plan(plans_or_fail(path).default, source=str(path))
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

    from scheduler.deadlines import period_warnings

    warnings = plan.warnings() + period_warnings(plan, cal)
    if warnings:
        lines.append(f"Cảnh báo ({len(warnings)}):")
        lines.extend(f"  ! {w}" for w in warnings)
    else:
        lines.append("Không có cảnh báo.")
    return "\n".join(lines)
