"""``baocao report``: the consolidated report of a period as Word, Excel, a chart or Markdown."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from baocao.context import CliError, Context
from baocao.commands._common import (
    add_period_argument,
    add_plan_argument,
    calendar_or_fail,
    period_or_fail,
    plans_for_period_or_fail,
)

FORMAT_NAMES = {"docx": "Word", "xlsx": "Excel", "png": "biểu đồ PNG", "md": "Markdown"}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "report",
        help="báo cáo tổng hợp của một kỳ: dự thảo Word, phụ lục Excel, biểu đồ PNG hoặc Markdown",
        description=(
            "Báo cáo tổng hợp kết quả thực hiện kế hoạch của một kỳ, lập từ các báo cáo đã nhận (lần gửi mới nhất "
            "của mỗi nhiệm vụ). Trước khi lập, đồng bộ danh mục cơ quan và nghĩa vụ báo cáo của năm từ tệp kế "
            "hoạch vào cơ sở dữ liệu (như baocao status)."
        ),
    )
    add_period_argument(parser, default="không kèm năm là năm hiện tại; mặc định: kỳ đang tổng hợp hoặc kỳ sắp đến hạn")
    add_plan_argument(
        parser,
        default="mặc định: kế hoạch duy nhất đang có hiệu lực; có nhiều kế hoạch thì phải chọn một "
        "(mỗi kế hoạch một báo cáo tổng hợp)",
    )
    parser.add_argument(
        "--format",
        choices=tuple(FORMAT_NAMES),
        help="docx (dự thảo Word), xlsx (phụ lục Excel), png (biểu đồ), md (Markdown); "
        "mặc định: theo đuôi tệp của -o, không có -o thì md",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="TỆP",
        help="tệp ghi ra; '-' là màn hình (stdout); mặc định: md ra màn hình, định dạng khác ra tệp "
        "bao-cao-…-KỲ.docx (phu-luc-….xlsx, bieu-do-….png) trong thư mục hiện tại",
    )
    parser.set_defaults(func=run)


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    if args.output and args.output != "-":
        suffix = Path(args.output).suffix.lower().lstrip(".")
        if suffix in FORMAT_NAMES:
            return suffix
        if suffix == "markdown":
            return "md"
        raise CliError(f"không đoán được định dạng từ tên tệp '{args.output}'; thêm --format docx|xlsx|png|md")
    return "md"


def run(args: argparse.Namespace, ctx: Context) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from reports import NEEDS, filename, gather, render
    from reports.status import PeriodError
    from scheduler.deadlines import obligations
    from scheduler.sync import sync_agencies, sync_obligations
    from storage.db import get_session, mask_url_text, open_database

    fmt = _format(args)
    (plan,) = plans_for_period_or_fail(ctx, args.plan, args.period, several=False)
    cal = calendar_or_fail(ctx)
    year, code = period_or_fail(ctx, plan, cal, args.period)
    now = ctx.now()
    revisions, history = NEEDS[fmt]
    engine = open_database(ctx.settings.database_url)
    try:
        with get_session(engine) as session:
            # As `baocao status`: the plan file is the truth, synced before anything is counted.
            sync_agencies(session, plan, now=now)
            sync_obligations(session, plan, obligations(plan, cal, year), years=[year], now=now)
            session.commit()
            data = gather(
                session, plan, f"{year}-{code}", now, ctx.settings.tz, cal=cal, revisions=revisions, history=history
            )
            session.rollback()  # read-only from here; end the transaction
    except PeriodError as exc:
        raise CliError(str(exc)) from exc
    except SQLAlchemyError as exc:
        reason = mask_url_text(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
        raise CliError(f"lỗi cơ sở dữ liệu khi lập báo cáo: {reason}") from exc
    content = render(data, fmt)

    target = args.output if args.output else ("-" if fmt == "md" else filename(data, fmt))
    if target == "-":
        if fmt != "md" and sys.stdout.isatty():
            raise CliError(f"tệp {FORMAT_NAMES[fmt]} là dữ liệu nhị phân, không in ra màn hình; dùng -o TỆP")
        sys.stdout.flush()
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return 0
    path = Path(target)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(content)
        temporary.replace(path)  # never a half-written report under the wanted name
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise CliError(f"không ghi được tệp {path}: {exc.strerror or exc}") from exc
    size = f"{len(content):,}".replace(",", ".")
    print(f"Đã ghi {FORMAT_NAMES[fmt]} {data.period_name} vào {path} ({size} byte).")
    return 0
