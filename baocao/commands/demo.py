"""``baocao demo``: see it work, offline — one plan year with the real bot and simulated people."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from baocao.context import CliError, Context

# baocao.demo.simulation's defaults, repeated so that building the parser (every command) does
# not import the simulation and SQLAlchemy with it; tests/baocao/test_cli_startup.py keeps them equal.
DEFAULT_SEED = 2024
DEFAULT_TIMEOUT_S = 120.0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "demo",
        help="chạy thử ngoại tuyến: một năm báo cáo với bot thật và các đầu mối mô phỏng (dưới một phút)",
        description=(
            "Chạy thử không cần Telegram: bot thật chạy với máy chủ Bot API giả lập trên 127.0.0.1 và một "
            "cơ sở dữ liệu SQLite tạm (xóa khi xong). Mỗi cơ quan có một đầu mối mô phỏng đăng ký qua đường "
            "dẫn mời, nhận tin nhắc hạn và trả lời bằng tiếng Việt; cán bộ Sở Tư pháp hỏi /tinhhinh sau mỗi kỳ. "
            "Cuối cùng in bảng tổng kết từng kỳ, tính từ cơ sở dữ liệu."
        ),
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="N",
                        help=f"hạt giống ngẫu nhiên của hành vi các đầu mối (mặc định {DEFAULT_SEED})")
    parser.add_argument("--agencies", type=int, metavar="N", help="chỉ mô phỏng N cơ quan (chạy nhanh hơn)")
    parser.add_argument("--quiet", action="store_true", help="chỉ in bảng tổng kết")
    parser.add_argument("--out", default="baocao-demo", metavar="THƯ_MỤC",
                        help="nơi ghi dự thảo báo cáo tổng hợp (Word, Excel, biểu đồ, Markdown) của từng kỳ (mặc định ./baocao-demo)")
    parser.add_argument("--no-files", action="store_true", help="không ghi báo cáo tổng hợp ra tệp")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="GIÂY",
                        help=f"dừng nếu chạy quá số giây này (mặc định {DEFAULT_TIMEOUT_S:g})")
    parser.add_argument("--channel", choices=("telegram", "zalo"), default="telegram",
                        help="kênh của người dùng mô phỏng: telegram (nút bấm, mặc định) hoặc zalo (lựa chọn đánh số)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from baocao.demo.simulation import DemoError, DemoOptions, run_demo

    if args.agencies is not None and args.agencies < 1:
        raise CliError("--agencies phải là số nguyên dương")
    if args.timeout <= 0:
        raise CliError("--timeout phải là số dương")
    settings = ctx.settings
    options = DemoOptions(
        seed=args.seed,
        agencies=args.agencies,
        quiet=args.quiet,
        timeout_s=args.timeout,
        plan_path=settings.plan_path,
        calendar_path=settings.calendar_path,
        timezone=settings.timezone,
        output_dir=None if args.no_files else Path(args.out),
        channel=args.channel,
    )
    try:
        asyncio.run(run_demo(options))
    except DemoError as exc:
        raise CliError(str(exc), code=1) from exc
    return 0
