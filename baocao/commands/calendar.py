"""``baocao calendar``: the non-working weekdays and make-up days of a year.

Lets an admin check the working-day calendar the deadlines rest on, before a reporting cycle
starts and after editing ``data/calendar-vn.json``.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from baocao.context import Context

MIN_YEAR = 1900
MAX_YEAR = 2200


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "calendar",
        help="xem ngày nghỉ và ngày làm bù trong năm",
        description=(
            "In các ngày thường (thứ Hai–thứ Sáu) không làm việc và các ngày thứ Bảy/Chủ nhật "
            "làm bù của cán bộ, công chức, viên chức trong một năm."
        ),
    )
    parser.add_argument(
        "--year",
        type=_year_arg,
        metavar="NĂM",
        help="năm cần xem (mặc định: năm hiện tại theo giờ Việt Nam)",
    )
    parser.add_argument("--json", action="store_true", help="in dạng JSON")
    parser.set_defaults(func=run)


def _year_arg(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"năm phải là số nguyên, ví dụ 2024 (nhận được '{value}')") from None


def run(args: argparse.Namespace, ctx: Context) -> int:
    from baocao.context import CliError
    from common.vndate import format_date_vi
    from scheduler.calendar import CalendarError, WorkingCalendar

    year = args.year
    if year is None:
        year = ctx.clock.now().astimezone(ctx.settings.tz).year
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CliError(f"Năm {year} nằm ngoài khoảng hỗ trợ {MIN_YEAR}–{MAX_YEAR}.")
    try:
        cal = WorkingCalendar.load(ctx.settings.calendar_path)
        days_off = cal.days_off(year)
        working = cal.extra_working_days(year)
        cancelled = cal.not_days_off(year)
    except CalendarError as exc:
        raise CliError(exc.message) from None

    if args.json:
        payload = {
            "year": year,
            "days_off": [{"date": d.date.isoformat(), "name": d.name} for d in days_off],
            "working_days": [d.date.isoformat() for d in working],
            "estimated": cal.is_estimated(year),
            "not_days_off": [
                {"date": d.date.isoformat(), "name": d.name, "status": d.status, "reason": d.note}
                for d in cancelled
            ],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0

    lines = [f"Lịch nghỉ năm {year} của cán bộ, công chức, viên chức", ""]
    lines.append(f"Ngày thường không làm việc ({len(days_off)} ngày):")
    lines += [f"  {format_date_vi(d.date)} — {d.name}" for d in days_off] or ["  (không có)"]
    lines += ["", f"Thứ Bảy, Chủ nhật làm việc bù ({len(working)} ngày):"]
    lines += [f"  {format_date_vi(d.date)} — {d.name}" for d in working] or ["  (không có)"]
    if cancelled:
        lines += ["", "Vẫn là ngày làm việc (gói holidays liệt kê là ngày nghỉ, đã điều chỉnh):"]
        for d in cancelled:
            status = " [đang xem xét]" if d.status == "under_review" else ""
            lines.append(f"  {format_date_vi(d.date)} — {d.name}{status}: {d.note}")
    if cal.is_estimated(year):
        lines += [
            "",
            f"Lưu ý: lịch năm {year} chỉ là ước tính của gói holidays; bảng điều chỉnh mới được rà soát "
            f"đến năm {cal.reviewed_through}. Hãy đối chiếu với thông báo nghỉ lễ, Tết chính thức và "
            f"bổ sung vào {cal.path or 'tệp lịch'} khi có.",
        ]
    print("\n".join(lines))
    return 0

