"""The ``baocao`` command line.

One parser; each feature registers its sub-commands from a module in ``baocao.commands`` so
that features stay apart. Errors a user can cause end in one clear line and exit code 2;
nothing a user types produces a traceback (``--debug`` shows one for developers).

One vocabulary for every command:

- the common options (``--now``, ``--debug``) go before or after the command's name
  (``baocao --now 2024-03-06T08:30 tick`` is ``baocao tick --now 2024-03-06T08:30``);
- argparse speaks Vietnamese like the rest: :class:`ArgumentParser` titles its help in
  Vietnamese and turns argparse's usage errors into one line ``baocao: …`` (exit code 2);
- a period (``--period``) reads the same everywhere (``baocao.commands._common``).

Start-up is kept cheap: this module and the command modules import only the standard library
and what every command needs at the top; a command imports its own dependencies (SQLAlchemy,
the channels, the renderers) when it runs, so ``baocao parse`` or ``baocao --help`` do not pay
for them.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from baocao.context import CliError, Context

if TYPE_CHECKING:
    from baocao.config import Settings

PROG = "baocao"
COMMAND_METAVAR = "LỆNH"


# --- argparse in Vietnamese --------------------------------------------------------------


class HelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "Cách dùng: " if prefix is None else prefix)

    def _format_args(self, action: argparse.Action, default_metavar: str) -> str:
        # An option whose one value may be typed as several words (``--period 6 tháng``) reads
        # ``--period KỲ``, not ``--period KỲ [KỲ ...]``.
        if getattr(action, "one_value_in_words", False):
            return str(self._metavar_formatter(action, default_metavar)(1)[0])
        return super()._format_args(action, default_metavar)


def _quoted_list(text: str) -> list[str]:
    # argparse lists choices as "'a', 'b'" (Python ≤ 3.12.7) or "a, b" (later versions).
    return [part.strip().strip("'\"") for part in text.split(",") if part.strip()]


def _invalid_value(match: re.Match[str]) -> str:
    kind = {"int": "số nguyên", "float": "số"}.get(match["type"])
    return f"{match['value']} không phải {kind}" if kind else f"giá trị {match['value']} không hợp lệ"


def _unknown_command(value: str, choices: str) -> str:
    import difflib

    names = _quoted_list(choices)
    near = difflib.get_close_matches(value.strip("'\""), names, n=1)
    hint = f" Có phải: {near[0]}?" if near else ""
    return f"không có lệnh {value}.{hint} Các lệnh: {', '.join(names)}"


_CHOICE = re.compile(r"invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)")

# argparse's messages (Python 3.11–3.13; argparse formats them in English through gettext's
# default domain) → Vietnamese. A message not listed passes through unchanged.
_MESSAGES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"the following arguments are required: (?P<names>.+)"),
     lambda m: f"thiếu tham số bắt buộc: {m['names']}"),
    (re.compile(r"unrecognized arguments: (?P<args>.+)"), lambda m: f"không nhận ra tham số: {m['args']}"),
    (re.compile(r"expected one argument"), lambda m: "thiếu giá trị đi kèm"),
    (re.compile(r"expected at most one argument"), lambda m: "chỉ nhận tối đa một giá trị"),
    (re.compile(r"expected at least one argument"), lambda m: "thiếu giá trị đi kèm"),
    (re.compile(r"expected (?P<n>\d+) arguments?"), lambda m: f"cần {m['n']} giá trị đi kèm"),
    (re.compile(r"invalid (?P<type>\S+) value: (?P<value>.+)"), _invalid_value),
    (_CHOICE,
     lambda m: f"giá trị {m['value']} không hợp lệ; chọn một trong: {', '.join(_quoted_list(m['choices']))}"),
    (re.compile(r"unknown parser (?P<value>.+?) \(choices: (?P<choices>.+)\)"),
     lambda m: _unknown_command(m["value"], m["choices"])),
    (re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.+)"),
     lambda m: f"tùy chọn {m['option']} chưa rõ, có thể là: {m['matches']}"),
    (re.compile(r"not allowed with argument (?P<other>.+)"), lambda m: f"không dùng được cùng với {m['other']}"),
    (re.compile(r"ignored explicit argument (?P<value>.+)"), lambda m: f"không nhận giá trị {m['value']}"),
    (re.compile(r"one of the arguments (?P<names>.+) is required"),
     lambda m: f"cần một trong các tham số: {m['names']}"),
    (re.compile(r"unexpected option string: (?P<option>.+)"), lambda m: f"tùy chọn không đúng chỗ: {m['option']}"),
]
_ARGUMENT = re.compile(r"argument (?P<name>.+?): (?P<message>.+)", re.DOTALL)


def translate(message: str, commands: Collection[str] = ()) -> str:
    """One of argparse's usage errors in Vietnamese.

    ``commands``: the names argparse gives the parser's sub-command arguments (their metavar),
    whose invalid choice is an unknown command.
    """
    message = message.strip()
    argument = _ARGUMENT.fullmatch(message)
    if argument is not None:
        name, inner = argument["name"], argument["message"]
        choice = _CHOICE.fullmatch(inner)
        if name in commands and choice is not None:
            return _unknown_command(choice["value"], choice["choices"])
        return f"tham số {name}: {translate(inner)}"
    for pattern, render in _MESSAGES:
        match = pattern.fullmatch(message)
        if match is not None:
            return render(match)
    return message


class ArgumentParser(argparse.ArgumentParser):
    """argparse in Vietnamese, taking the common options after any (sub-)command's name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)
        self.register("action", "parsers", _SubParsersAction)
        self._positionals.title = "tham số"
        self._optionals.title = "tùy chọn"
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = "in hướng dẫn này rồi thoát"

    def error(self, message: str) -> NoReturn:
        """One line ``baocao: …`` in Vietnamese naming the help to read; exit code 2."""
        commands = {a.metavar or a.dest for a in self._actions if isinstance(a, argparse._SubParsersAction)}
        text = " ".join(translate(message, commands).split())  # one line, whatever the message
        self.exit(2, f"{PROG}: {text} (xem: {self.prog} --help)\n")


def _add_common_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """``--now`` and ``--debug``, on the top-level parser and (``suppress``) on every
    sub-command's: there they default to ``argparse.SUPPRESS``, so that a value given before
    the command's name is not overwritten by the sub-command's default."""
    group = parser.add_argument_group("tùy chọn chung (đặt trước hoặc sau tên lệnh)")
    group.add_argument(
        "--now",
        metavar="ISO",
        default=argparse.SUPPRESS if suppress else None,
        help="chạy như thể lúc này là thời điểm ISO (ví dụ 2024-03-06T08:30); giờ không kèm múi giờ hiểu theo giờ Việt Nam",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="in traceback khi có lỗi (dành cho lập trình viên)",
    )


def _common_options() -> ArgumentParser:
    parent = ArgumentParser(add_help=False)
    _add_common_options(parent, suppress=True)
    return parent


_UNRECOGNIZED = getattr(argparse, "_UNRECOGNIZED_ARGS_ATTR", "_unrecognized_args")


class _SubParsersAction(argparse._SubParsersAction):  # type: ignore[type-arg]
    """Every sub-command (and sub-sub-command: ``plan check``) takes the common options."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        kwargs["parents"] = [*kwargs.get("parents", ()), _common_options()]
        return super().add_parser(name, **kwargs)

    def __call__(self, parser: Any, namespace: argparse.Namespace, values: Any, option_string: Any = None) -> None:
        super().__call__(parser, namespace, values, option_string)
        # What the sub-command did not take, no parser above it takes either (the common
        # options are the sub-command's too): the sub-command refuses it, and its help is
        # the one to read.
        extras = getattr(namespace, _UNRECOGNIZED, None)
        if extras:  # in argparse's words, which error() translates as it does argparse's own
            self._name_parser_map[values[0]].error("unrecognized arguments: " + " ".join(extras))


def build_parser() -> ArgumentParser:
    from baocao.commands import COMMAND_MODULES

    parser = ArgumentParser(
        prog=PROG,
        description="baocao: nhắc hạn, nhận và tổng hợp báo cáo định kỳ của kế hoạch tỉnh.",
    )
    _add_common_options(parser, suppress=False)
    sub = parser.add_subparsers(title="các lệnh", dest="command", metavar=COMMAND_METAVAR)
    sub.required = True
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


# --- running a command -------------------------------------------------------------------


def _load_settings() -> Settings:
    from pydantic import ValidationError

    from baocao.config import Settings

    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "?"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise CliError(f"Cấu hình không hợp lệ ({where}): {message}") from exc


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        from common.clock import Clock, FixedClock, SystemClock, parse_now

        settings = _load_settings()
        clock: Clock = FixedClock(parse_now(args.now, settings.tz)) if args.now else SystemClock()
        return int(args.func(args, Context(settings=settings, clock=clock)) or 0)
    except CliError as exc:
        print(f"{PROG}: {exc.message}", file=sys.stderr)
        return exc.code
    except ValueError as exc:  # bad --now and similar argument values
        if args.debug:
            raise
        print(f"{PROG}: {exc}", file=sys.stderr)
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
            print(f"{PROG}: {exc}", file=sys.stderr)
            return 2
        print(
            f"{PROG}: lỗi không mong đợi ({type(exc).__name__}: {exc}). Chạy lại với --debug để xem chi tiết.",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
