"""The ``baocao`` command line.

One parser; each feature registers its sub-commands from a module in ``baocao.commands`` so
that features stay apart. Errors a user can cause end in one clear line and exit code 2;
nothing a user types produces a traceback (``--debug`` shows one for developers).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from baocao.config import Settings
from baocao.context import CliError, Context
from common.clock import Clock, FixedClock, SystemClock, parse_now


def build_parser() -> argparse.ArgumentParser:
    from baocao.commands import COMMAND_MODULES

    parser = argparse.ArgumentParser(
        prog="baocao",
        description="baocao: nhắc hạn, nhận và tổng hợp báo cáo định kỳ của kế hoạch tỉnh.",
    )
    parser.add_argument(
        "--now",
        metavar="ISO",
        help="chạy như thể lúc này là thời điểm ISO (ví dụ 2024-03-06T08:30); giờ không kèm múi giờ hiểu theo giờ Việt Nam",
    )
    parser.add_argument("--debug", action="store_true", help="in traceback khi có lỗi (dành cho lập trình viên)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def _load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "?"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise CliError(f"Cấu hình không hợp lệ ({where}): {message}") from exc


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = _load_settings()
        clock: Clock = FixedClock(parse_now(args.now, settings.tz)) if args.now else SystemClock()
        return int(args.func(args, Context(settings=settings, clock=clock)) or 0)
    except CliError as exc:
        print(f"baocao: {exc.message}", file=sys.stderr)
        return exc.code
    except ValueError as exc:  # bad --now and similar argument values
        if args.debug:
            raise
        print(f"baocao: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the reader left: not an error worth a message.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if args.debug:
            raise
        # An unreachable database or a schema not at head is the user's to fix: one line, exit 2.
        # storage.db is looked up, not imported: Alembic costs ~0.25 s at start-up, and a
        # command that never loaded it cannot have raised its errors.
        storage_db = sys.modules.get("storage.db")
        if storage_db is not None and isinstance(exc, storage_db.StorageError):
            print(f"baocao: {exc}", file=sys.stderr)
            return 2
        print(
            f"baocao: lỗi không mong đợi ({type(exc).__name__}: {exc}). Chạy lại với --debug để xem chi tiết.",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
