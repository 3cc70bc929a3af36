"""``baocao db``: bring the database schema up to date and show its version."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from baocao.context import Context


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "db",
        help="quản lý cơ sở dữ liệu (nâng cấp lược đồ, xem phiên bản)",
        description="Quản lý cơ sở dữ liệu. Địa chỉ lấy từ BAOCAO_DATABASE_URL (mặc định: tệp SQLite baocao.sqlite3).",
    )
    sub = parser.add_subparsers(title="các lệnh", dest="db_command", metavar="LỆNH")
    sub.required = True

    upgrade = sub.add_parser("upgrade", help="nâng cấp lược đồ cơ sở dữ liệu lên phiên bản mới nhất")
    upgrade.add_argument("revision", nargs="?", default="head", metavar="PHIÊN_BẢN", help="phiên bản đích (mặc định: head, mới nhất)")
    upgrade.set_defaults(func=run_upgrade)

    current = sub.add_parser("current", help="in phiên bản lược đồ hiện tại của cơ sở dữ liệu")
    current.set_defaults(func=run_current)


def run_upgrade(args: argparse.Namespace, ctx: Context) -> int:
    from storage import db

    url = ctx.settings.database_url
    before = db.current_revision(url)
    reached = db.upgrade(url, args.revision)
    where = db.mask_url(url)
    if reached == before:
        print(f"Cơ sở dữ liệu {where} đã ở phiên bản {reached or '(trống)'}; không có gì để nâng cấp.")
    else:
        print(f"Đã nâng cấp cơ sở dữ liệu {where} từ {before or '(trống)'} lên phiên bản {reached}.")
    return 0


def run_current(args: argparse.Namespace, ctx: Context) -> int:
    from storage import db

    url = ctx.settings.database_url
    current = db.current_revision(url)
    head = db.head_revision()
    where = db.mask_url(url)
    if current is None:
        print(f"{where}: chưa có lược đồ (phiên bản mới nhất: {head}). Chạy `baocao db upgrade`.")
    elif current == head:
        print(f"{where}: phiên bản {current} (mới nhất).")
    else:
        print(f"{where}: phiên bản {current}; mới nhất là {head}. Chạy `baocao db upgrade`.")
    return 0


