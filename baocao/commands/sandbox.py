"""``baocao sandbox``: try the bot by hand, as a simulated Telegram user, without Telegram."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from typing import Any
from pathlib import Path

from baocao.context import CliError, Context
from common.clock import FixedClock
from baocao.commands._common import calendar_or_fail, plan_or_fail

DEFAULT_PORT = 8081


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "sandbox",
        help="thử bot bằng tay: máy chủ Bot API giả lập và bàn phím đóng vai người dùng Telegram",
        description=(
            "Khởi động máy chủ Bot API giả lập trên 127.0.0.1 và bot thật kết nối vào đó (SQLite tạm, trừ khi "
            "đặt BAOCAO_DATABASE_URL), rồi mở bàn phím: mỗi dòng gõ vào là một tin nhắn của người dùng mô phỏng. "
            "Gõ :help để xem các lệnh. Đọc từ stdin, dừng khi hết dữ liệu (Ctrl+D) hoặc :quit."
        ),
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"cổng của máy chủ Bot API giả lập (mặc định {DEFAULT_PORT}; 0 = cổng ngẫu nhiên)")
    parser.add_argument("--channel", choices=("telegram", "zalo"), default="telegram",
                        help="máy chủ giả lập của kênh nào: telegram (nút bấm, mặc định) hoặc zalo (lựa chọn đánh số)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    if not 0 <= args.port <= 65535:
        raise CliError("--port phải từ 0 đến 65535")
    asyncio.run(_sandbox(args, ctx))
    return 0


async def _sandbox(args: argparse.Namespace, ctx: Context) -> None:
    from baocao.demo.bot import loopback_without_proxy, running_bot, standin_services
    from baocao.demo.console import Console, MovingClock, sandbox_start, stdin_lines
    from baocao.demo.telegram_api import BotApiStandIn
    from baocao.demo.zalo_api import ZaloStandIn
    from storage.db import dispose_engine

    settings = ctx.settings
    loopback_without_proxy()
    plan = plan_or_fail(settings.plan_path)
    cal = calendar_or_fail(ctx)
    note = None
    if isinstance(ctx.clock, FixedClock):  # baocao --now … sandbox
        start = ctx.now()
    else:
        start, note = sandbox_start(plan, cal, settings.tz, ctx.now())
    clock = MovingClock(start)
    with tempfile.TemporaryDirectory(prefix="baocao-sandbox-") as tmp:
        workdir = Path(tmp)
        own_database = "database_url" not in settings.model_fields_set
        # The sandbox's own spool and files always; its own database unless BAOCAO_DATABASE_URL.
        overrides: dict[str, object] = {"spool_path": workdir / "spool.jsonl", "files_path": workdir / "files"}
        if own_database:
            overrides["database_url"] = f"sqlite:///{workdir / 'sandbox.sqlite3'}"
        sandbox_settings = settings.model_copy(update=overrides)
        zalo = getattr(args, "channel", "telegram") == "zalo"
        standin_class: Any = ZaloStandIn if zalo else BotApiStandIn
        standin = standin_class(port=args.port, clock=lambda: clock.now().timestamp())
        try:
            await standin.start()
        except OSError as exc:
            raise CliError(f"không mở được cổng {args.port} trên 127.0.0.1 ({exc.strerror or exc}); chọn cổng khác bằng --port") from exc
        services = None
        try:
            services = standin_services(sandbox_settings, clock, standin, plans=plan, calendar=cal)
            services.sync()
            interactive = sys.stdin.isatty()
            if zalo:
                print(f"Máy chủ Zalo Bot API giả lập: {standin.base_url} (token {standin.token}, {standin.bot_name})")
                print(f"  Bot khác có thể dùng: ZALO_API_BASE_URL={standin.base_url} ZALO_BOT_TOKEN={standin.token}"
                      " (mỗi lúc chỉ một bot được nhận tin bằng getUpdates)")
            else:
                print(f"Máy chủ Bot API giả lập: {standin.base_url} (token {standin.token}, bot @{standin.bot_username})")
                print(f"  Bot khác có thể dùng: TELEGRAM_API_BASE_URL={standin.base_url} TELEGRAM_BOT_TOKEN={standin.token}"
                      " (mỗi lúc chỉ một bot được nhận tin bằng getUpdates)")
            where = "SQLite tạm (xóa khi thoát)" if own_database else "BAOCAO_DATABASE_URL"
            print(f"Cơ sở dữ liệu: {where}. Đồng hồ mô phỏng: {clock.now().astimezone(settings.tz):%d/%m/%Y %H:%M} (giờ Việt Nam).")
            if note:
                print(note)
            print("Tin nhắc hạn chỉ gửi khi gõ :tick. Gõ :help để xem hướng dẫn, :quit để thoát.", flush=True)
            async with running_bot(services):
                console = Console(standin, services, clock, sys.stdout, echo=not interactive)
                if interactive:
                    print(console.help, flush=True)
                await console.run(stdin_lines(), interactive=interactive)
        finally:
            await standin.stop()
            if services is not None and "engine" in services.__dict__:
                dispose_engine(services.engine)
    print("Đã dừng bot và máy chủ giả lập.", flush=True)
