"""``baocao parse``: show how the bot reads a focal point's reply (for admins and for tuning)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from baocao.context import Context
from baocao.commands._common import plan_or_fail

if TYPE_CHECKING:
    from bot.parser import ParsedEntry

# Keyed by bot.parser's NOT_STARTED, IN_PROGRESS and DONE, spelled out so that registering the
# command does not import the parser; a test checks that the keys agree.
STATUS_VI = {
    "not_started": "chưa triển khai",
    "in_progress": "đang thực hiện",
    "done": "hoàn thành",
}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "parse",
        help="phân tích thử một câu trả lời của đầu mối (nhiệm vụ, tình trạng, %%, khó khăn)",
        description="Phân tích một câu trả lời như bot sẽ hiểu. Ví dụ: "
        "baocao parse 'NV4: đang thực hiện 70%, vướng kinh phí'",
    )
    parser.add_argument("--json", action="store_true", help="in JSON")
    parser.add_argument("text", nargs="+", metavar="NỘI_DUNG", help="nội dung câu trả lời; '-' để đọc từ stdin")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from bot.parser import parse_reply

    text = _read_stdin() if args.text == ["-"] else " ".join(args.text)
    plan = plan_or_fail(ctx.settings.plan_path)
    entries = parse_reply(text, list(plan.task_refs()))
    if args.json:
        out = json.dumps([e.as_dict() for e in entries], ensure_ascii=False)
    else:
        out = "\n".join(describe(e) for e in entries)
    print(_printable(out))
    return 0


def describe(entry: ParsedEntry) -> str:
    """One line in Vietnamese: ``NV4 — đang thực hiện, 70%, có khó khăn/vướng mắc: «…»``."""
    if entry.task is None:
        label = "(chưa rõ nhiệm vụ)"
    elif not entry.known:
        label = f"NV{entry.task} (kế hoạch không có nhiệm vụ {entry.task})"
    else:
        label = f"NV{entry.task}"
    parts = [STATUS_VI.get(entry.status or "", "chưa rõ tình trạng")]
    if entry.percent is not None:
        parts.append(f"{entry.percent}%")
    if entry.difficulty:
        parts.append("có khó khăn/vướng mắc")
    quoted = " ".join(entry.text.split())  # one line per entry, whatever the message's layout
    return f"{label} — {', '.join(parts)}: «{quoted}»"


def _read_stdin() -> str:
    # Bytes, decoded leniently: a message pasted from anywhere must not end in a decode error.
    buffer = getattr(sys.stdin, "buffer", None)
    data = buffer.read().decode("utf-8", errors="replace") if buffer is not None else sys.stdin.read()
    return data.removesuffix("\n").removesuffix("\r")  # the newline `echo ... |` adds


def _printable(text: str) -> str:
    # Undecodable command-line bytes arrive as lone surrogates, which stdout cannot encode.
    return text.encode("utf-8", errors="replace").decode("utf-8")
