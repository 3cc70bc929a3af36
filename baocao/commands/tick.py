"""``baocao tick``: plan and send the reminders due now, once (for cron-style deployments)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket

from baocao.context import CliError, Context
from baocao.commands._common import calendar_or_fail, plan_or_fail
from baocao.commands.run import NO_TOKEN


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("tick", help="gửi một lần các tin nhắc hạn đến hạn (dùng với cron)")
    parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    settings = ctx.settings
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        raise CliError(NO_TOKEN)
    from bot.telegram import TelegramSender, protect_logs
    from scheduler import deadlines
    from scheduler.dispatch import Pacer, tick
    from scheduler.sync import sync_agencies, sync_obligations
    from storage.db import open_database, session_scope

    token = settings.bot_token.get_secret_value().strip()
    protect_logs(token)
    plan = plan_or_fail(settings.plan_path)
    cal = calendar_or_fail(ctx)
    engine = open_database(settings.database_url)
    now = ctx.now()
    years = list(plan.years_in_force())
    # The obligations must match the plan before anything is reminded (an edited plan.json
    # withdraws obligations and their pending reminders).
    with session_scope(engine) as session:
        sync_agencies(session, plan, now=now)
        sync_obligations(session, plan, [o for y in years for o in deadlines.obligations(plan, cal, y)], years=years, now=now)

    async def once():
        from telegram import Bot

        async with Bot(token, base_url=settings.api_base_url) as bot:
            return await tick(
                engine, plan, cal, TelegramSender(bot), ctx.clock,
                worker_id=f"tick-{socket.gethostname()}-{os.getpid()}", tz=settings.tz,
                office_hours=settings.office_window,
                pacer=Pacer(per_second=settings.send_rate),
            )

    report = asyncio.run(once())
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return 0
    d, e = report.dispatch, report.enqueue
    print(
        f"Đã gửi {d.sent} tin (nhắc hạn và tổng hợp); xếp hàng mới {e.enqueued}; "
        f"bỏ {e.dropped} tin không còn cần; thử lại sau {d.retried + d.transient}; thất bại {d.failed}."
    )
    if not plan.plan.in_force.start <= now.astimezone(settings.tz).date() <= plan.plan.in_force.end:
        print(f"Lưu ý: Kế hoạch số {plan.plan.number} không có hiệu lực vào thời điểm này; không có tin nhắc nào được tạo.")
    return 0
