"""``baocao tick``: plan and send the reminders due now, once (for cron-style deployments)."""

from __future__ import annotations

import argparse
import asyncio
import json

from baocao.commands._common import add_plan_argument, plan_by_id_or_fail, services_or_fail
from baocao.context import CliError, Context


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("tick", help="gửi một lần các tin nhắc hạn đến hạn, trên mọi kênh (dùng với cron)")
    parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    parser.add_argument(
        "--resync", action="store_true",
        help="đồng bộ lại kế hoạch vào cơ sở dữ liệu dù kế hoạch, lịch làm việc và phiên bản không đổi",
    )
    add_plan_argument(
        parser,
        default="mặc định: mọi kế hoạch (chỉ kế hoạch đang có hiệu lực mới có tin nhắc); với --plan chỉ lập "
        "tin nhắc của kế hoạch đó, các tin đã xếp hàng của kế hoạch khác vẫn được gửi",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from baocao.commands.run import no_channel_message
    from scheduler.dispatch import tick

    settings = ctx.settings
    services = services_or_fail(ctx)
    plans = services.plans
    # --plan: that plan only is synced and planned; the others still count (a reminder names
    # its plan whenever several run).
    only = [plan_by_id_or_fail(plans, args.plan).plan.id] if args.plan else None
    if not services.channels:
        raise CliError(no_channel_message())

    async def once():
        for channel in services.channels.values():
            await channel.start()
        try:
            # The plans are synced first, under the planning lock: an edited plan withdraws
            # obligations and their pending reminders before anything is sent. A plan whose
            # inputs (content, calendar, years, code version) are those of its last sync is
            # not synced again, unless --resync.
            return await tick(
                services.engine, plans, services.calendar, services.senders(), ctx.clock,
                worker_id=f"tick-{services.worker_id}", tz=settings.tz,
                office_hours=settings.reminders.office_hours, pacers=services.pacers(), sync=True,
                force_sync=args.resync, only=only,
            )
        finally:
            for channel in services.channels.values():
                await channel.stop()

    report = asyncio.run(once())
    if args.json:
        print(json.dumps({"plans": only or plans.ids, **report.as_dict()}, ensure_ascii=False, indent=2))
        return 0
    d, e = report.dispatch, report.enqueue
    print(
        f"Đã gửi {d.sent} tin (nhắc hạn và tổng hợp); xếp hàng mới {e.enqueued}; "
        f"bỏ {e.dropped} tin không còn cần; thử lại sau {d.retried + d.transient}; thất bại {d.failed}."
    )
    today = ctx.now().astimezone(settings.tz).date()
    from scheduler.deadlines import open_until

    for plan in plans:
        if only is not None and plan.plan.id not in only:
            continue
        # A plan past its end whose last report is still open (due in January after it) reminds.
        if not plan.plan.in_force.start <= today <= open_until(plan, services.calendar):
            print(f"Lưu ý: Kế hoạch số {plan.plan.number} không có hiệu lực vào thời điểm này; không có tin nhắc nào được tạo.")
    return 0
