"""``baocao run``: the bot on every configured channel, by long polling (default) or webhook."""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import signal
import sys

from baocao.commands._common import services_or_fail
from baocao.context import CliError, Context
from common.clock import FixedClock, OffsetClock

log = logging.getLogger(__name__)


def no_channel_message() -> str:
    from bot import channels

    return "chưa cấu hình kênh nhắn tin nào. " + "; ".join(channels.how_to()) + ", rồi chạy lại."


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("run", help="chạy bot trên mọi kênh đã cấu hình (long polling, hoặc --webhook)")
    parser.add_argument("--webhook", action="store_true", help="nhận cập nhật qua webhook thay vì long polling")
    parser.add_argument("--listen", default="127.0.0.1", help="địa chỉ lắng nghe webhook (mặc định 127.0.0.1, sau reverse proxy)")
    parser.add_argument("--port", type=int, default=8443, help="cổng webhook (mặc định 8443)")
    parser.add_argument(
        "--url",
        metavar="ĐỊA_CHỈ",
        help="địa chỉ công khai của bot, ví dụ https://bot.example.vn; mỗi kênh thêm đường dẫn của mình (…/<tên kênh>)",
    )
    parser.add_argument(
        "--secret",
        help="mã bí mật nền tảng gửi kèm mỗi webhook; mặc định BAOCAO_WEBHOOK_SECRET hoặc một mã ngẫu nhiên",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from baocao.runtime import Runtime, WebhookOptions

    settings = ctx.settings
    if args.webhook and not args.url:
        raise CliError("chế độ --webhook cần --url (địa chỉ công khai của bot)")
    # --now shifts the clock for a demo; the bot still has to move forward in time.
    clock = OffsetClock(ctx.clock.now()) if isinstance(ctx.clock, FixedClock) else ctx.clock
    services = services_or_fail(ctx, clock=clock)
    if not services.channels:
        raise CliError(no_channel_message())
    logging.getLogger().setLevel(min(logging.getLogger().level, logging.INFO))
    services.sync()
    today = clock.now().astimezone(settings.tz).date()
    for plan in services.plans:
        info = plan.plan
        if today > info.in_force.end:
            print(
                f"Lưu ý: Kế hoạch số {info.number} đã hết hiệu lực từ {info.in_force.end:%d/%m/%Y}; "
                "bot vẫn trả lời nhưng không có kỳ báo cáo nào để nhắc. Thêm tệp kế hoạch mới vào thư mục kế hoạch "
                "(BAOCAO_PLAN_PATH, mặc định data/plans/).",
                file=sys.stderr,
            )
    webhook = None
    if args.webhook:
        secret = args.secret or (settings.webhook_secret.get_secret_value() if settings.webhook_secret else None)
        secret = secret or secrets.token_urlsafe(32)
        # Zalo takes 8 to 256 characters; Telegram 1 to 256 of A-Z a-z 0-9 _ -: one rule for both.
        if not 8 <= len(secret) <= 256 or not all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in secret):
            raise CliError("mã bí mật webhook (--secret, BAOCAO_WEBHOOK_SECRET) phải dài 8–256 ký tự, chỉ gồm chữ Latinh, chữ số, _ và -")
        webhook = WebhookOptions(url=args.url, secret=secret, listen=args.listen, port=args.port)
    names = ", ".join(channel.title for channel in services.channels.values())
    mode = "webhook" if webhook else "long polling"
    print(f"baocao đang chạy ({names}, {mode}); nhấn Ctrl+C để dừng.", file=sys.stderr)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
            except (NotImplementedError, RuntimeError):  # pragma: no cover - not the main thread
                pass
        await Runtime(services, webhook=webhook).run_until(stop)

    asyncio.run(main())
    return 0
