"""``baocao run``: the bot, by long polling (default) or webhook."""

from __future__ import annotations

import argparse
import logging
import secrets
import sys

from baocao.context import CliError, Context
from common.clock import FixedClock, OffsetClock
from baocao.commands._common import calendar_or_fail, local_now, plan_or_fail

log = logging.getLogger(__name__)

NO_TOKEN = (
    "chưa có mã bot Telegram. Tạo bot với @BotFather trên Telegram (lệnh /newbot), "
    "rồi đặt biến môi trường TELEGRAM_BOT_TOKEN=<mã> (hoặc ghi vào tệp .env) và chạy lại."
)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("run", help="chạy bot Telegram (long polling, hoặc --webhook)")
    parser.add_argument("--webhook", action="store_true", help="nhận cập nhật qua webhook thay vì long polling")
    parser.add_argument("--listen", default="127.0.0.1", help="địa chỉ lắng nghe webhook (mặc định 127.0.0.1, sau reverse proxy)")
    parser.add_argument("--port", type=int, default=8443, help="cổng webhook (mặc định 8443)")
    parser.add_argument("--url", metavar="PUBLIC_URL", help="địa chỉ công khai mà Telegram gọi tới, ví dụ https://bot.example.vn/telegram")
    parser.add_argument(
        "--secret",
        help="mã bí mật Telegram gửi kèm mỗi webhook (X-Telegram-Bot-Api-Secret-Token); mặc định BAOCAO_WEBHOOK_SECRET hoặc một mã ngẫu nhiên",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    settings = ctx.settings
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        raise CliError(NO_TOKEN)
    if args.webhook and not args.url:
        raise CliError("chế độ --webhook cần --url (địa chỉ công khai của webhook)")
    token = settings.bot_token.get_secret_value().strip()

    from bot.conversation import Conversation, ConversationConfig
    from bot.telegram import build_application, protect_logs
    from storage.db import open_database

    logging.getLogger().setLevel(min(logging.getLogger().level, logging.INFO))
    protect_logs(token)
    plan = plan_or_fail(settings.plan_path)
    cal = calendar_or_fail(ctx)
    engine = open_database(settings.database_url)
    # --now shifts the clock for a demo; the bot still has to move forward in time.
    clock = OffsetClock(ctx.clock.now()) if isinstance(ctx.clock, FixedClock) else ctx.clock
    conversation = Conversation(
        engine=engine,
        plan=plan,
        calendar=cal,
        clock=clock,
        config=ConversationConfig.from_settings(settings),
    )
    conversation.sync_plan()
    today = local_now(ctx).date()
    if not conversation.plan_is_current(today):
        info = plan.plan
        print(
            f"Lưu ý: Kế hoạch số {info.number} đã hết hiệu lực từ {info.in_force.end:%d/%m/%Y}; "
            "bot vẫn trả lời nhưng không có kỳ báo cáo nào để nhắc. "
            "Nạp kế hoạch mới bằng BAOCAO_PLAN_PATH.",
            file=sys.stderr,
        )
    app = build_application(
        conversation,
        token=token,
        base_url=settings.api_base_url,
        timezone=settings.tz,
        spool_path=settings.spool_path,
        plan_path=settings.plan_path,
    )
    mode = "webhook" if args.webhook else "long polling"
    print(f"baocao đang chạy ({mode}); nhấn Ctrl+C để dừng.", file=sys.stderr)
    if args.webhook:
        secret = args.secret or (settings.webhook_secret.get_secret_value() if settings.webhook_secret else None)
        app.run_webhook(
            listen=args.listen,
            port=args.port,
            url_path=_path_of(args.url),
            webhook_url=args.url,
            secret_token=secret or secrets.token_urlsafe(32),
        )
    else:
        app.run_polling()
    return 0


def _path_of(url: str) -> str:
    from urllib.parse import urlparse

    return urlparse(url).path.lstrip("/")
