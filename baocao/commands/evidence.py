"""``baocao evidence export``: the evidence files (minh chứng) of a period, written to a folder.

Each file is named ``<agency-id>_NV<task>_<n>_<original name>`` (``cong-an-tinh_NV4_1_bien-ban.pdf``;
a file backing several tasks of one report: ``NV2-6``; a file still waiting for its report:
``NVchung``), from the bytes baocao keeps in its file store (``BAOCAO_FILES_PATH``).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from baocao.context import CliError
from baocao.commands._common import add_period_argument, agency_ids, period_or_fail, services_or_fail

if TYPE_CHECKING:
    from baocao.context import Context


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "evidence",
        help="tệp minh chứng các cơ quan gửi kèm báo cáo",
        description="Tệp minh chứng (tài liệu, ảnh) các đầu mối gửi kèm báo cáo, do hệ thống lưu trong kho tệp (BAOCAO_FILES_PATH).",
    )
    commands = parser.add_subparsers(title="các lệnh", dest="evidence_command", metavar="LỆNH")
    commands.required = True
    export = commands.add_parser(
        "export",
        help="ghi mọi tệp minh chứng của một kỳ vào một thư mục",
        description=(
            "Ghi mọi tệp minh chứng của một kỳ vào thư mục THƯ_MỤC (tạo nếu chưa có), mỗi tệp đặt tên "
            "<mã cơ quan>_NV<nhiệm vụ>_<số thứ tự>_<tên gốc>; tệp cùng tên đã có được ghi đè."
        ),
    )
    add_period_argument(export, default="không kèm năm là năm hiện tại; mặc định: kỳ đang tổng hợp hoặc kỳ sắp đến hạn")
    export.add_argument(
        "--agency",
        metavar="CƠ_QUAN",
        help="chỉ một cơ quan hoặc một nhóm: mã (cong-an-tinh), tên hoặc tên gọi tắt (CA tỉnh)",
    )
    export.add_argument("-o", "--output", metavar="THƯ_MỤC", required=True, help="thư mục ghi các tệp")
    export.set_defaults(func=run_export)


def _size(size: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            value = f"{size / scale:.1f}".rstrip("0").rstrip(".")
            return f"{value.replace('.', ',')} {unit}"
    return f"{size} byte"


def run_export(args: argparse.Namespace, ctx: Context) -> int:
    from sqlalchemy.exc import SQLAlchemyError
    from sqlmodel import col, select

    from bot.evidence import period_files
    from storage.db import mask_url_text, session_scope
    from storage.files import FileStoreError
    from storage.models import Obligation

    services = services_or_fail(ctx)
    plan = services.plans.default
    year, code = period_or_fail(ctx, plan, services.calendar, args.period)
    period = f"{year}-{code}"
    wanted = agency_ids(plan, args.agency) if args.agency else None
    try:
        with session_scope(services.engine) as session:
            statement = select(Obligation.id).where(Obligation.period == period, Obligation.plan_id == plan.plan.id)
            if wanted is not None:
                statement = statement.where(col(Obligation.agency_id).in_(wanted))
            items = period_files(session, [i for i in session.exec(statement).all() if i is not None])
    except SQLAlchemyError as exc:
        reason = mask_url_text(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
        raise CliError(f"lỗi cơ sở dữ liệu khi đọc tệp minh chứng: {reason}") from exc
    period_name = plan.period_name(period)
    where = f" của {plan.agency_by_id[wanted[0]].name}" if wanted is not None and len(wanted) == 1 else ""
    if not items:
        print(f"Không có tệp minh chứng nào{where} trong {period_name}.")
        return 0
    target = Path(args.output)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"không tạo được thư mục {target}: {exc.strerror or exc}") from exc
    files = services.files
    written = total = 0
    agencies: set[str] = set()
    pending: list[str] = []
    unreadable: list[str] = []
    for item in items:
        if item.row.sha256 is None:
            pending.append(item.name)
            continue
        try:
            data = files.get(item.row.sha256)
        except FileStoreError as exc:
            unreadable.append(f"{item.name} ({exc})")
            continue
        path = target / item.name
        temporary = target / f".{item.name}.{os.getpid()}.tmp"
        try:
            temporary.write_bytes(data)
            temporary.replace(path)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise CliError(f"không ghi được tệp {path}: {exc.strerror or exc}") from exc
        print(f"  {item.name} ({_size(len(data))})")
        written += 1
        total += len(data)
        agencies.add(item.agency_id)
    print(
        f"Đã ghi {written} tệp minh chứng{where} của {period_name} ({len(agencies)} cơ quan, {_size(total)}) vào {target}."
    )
    if pending:
        print(
            f"{len(pending)} tệp chưa được tải về từ kênh nhắn tin (bot đang chạy sẽ tự tải; chạy lại lệnh này sau): "
            + ", ".join(pending)
        )
    if unreadable:
        print(f"{len(unreadable)} tệp không đọc được trong kho tệp {files.root}: " + "; ".join(unreadable))
        return 1
    return 0
