"""``baocao parse``: show how the bot reads a focal point's reply (for admins and for tuning)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from baocao.commands._common import agency_ids, plan_or_fail
from baocao.context import CliError, Context

if TYPE_CHECKING:
    from bot.parser import ParsedEntry
    from bot.task_match import TaskIndex

# Keyed by bot.parser's statuses, spelled out so that registering the command does not import
# the parser; a test checks that the keys agree.
STATUS_VI = {
    "not_started": "chưa triển khai",
    "in_progress": "đang thực hiện",
    "done": "hoàn thành",
    "not_arisen": "không phát sinh",
}
HOW_VI = {
    "named": "nêu số nhiệm vụ",
    "heading": "theo đề mục của kế hoạch",
    "content": "theo nội dung",
    "only": "nhiệm vụ duy nhất của cơ quan",
    "learned": "theo mô hình học",
}
LEARNED_VI = {"status": "tình trạng", "difficulty": "khó khăn", "task": "nhiệm vụ"}
# bot.intents.classify's kinds of message that are no report
KIND_VI = {
    "greeting": "lời chào",
    "thanks": "lời cảm ơn, xác nhận",
    "later": "hẹn gửi báo cáo sau",
    "deadline": "hỏi hạn báo cáo",
    "question": "câu hỏi",
    "contact": "thay đổi đầu mối",
    "elsewhere": "báo cáo gửi qua kênh khác",
    "not_report": "không nêu kết quả thực hiện, theo mô hình học",
}
SECTION_VI = {
    "body": "nội dung",
    "task": "nhiệm vụ",
    "general": "khó khăn, kiến nghị chung",
    "frame": "mở đầu, đề mục",
    "future": "phương hướng kỳ sau (không tính)",
}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "parse",
        help="phân tích thử một câu trả lời của đầu mối (nhiệm vụ, tình trạng, %%, khó khăn)",
        description="Phân tích một câu trả lời hoặc một báo cáo như bot sẽ hiểu: các phần của tin nhắn, "
        "nhiệm vụ (và căn cứ xác định), tình trạng, tỷ lệ, khó khăn, số liệu. Ví dụ: "
        "baocao parse 'NV4: đang thực hiện 70%, vướng kinh phí'; "
        "baocao parse --agency 'Cục Thi hành án dân sự tỉnh' - < baocao.txt",
    )
    parser.add_argument("--json", action="store_true", help="in JSON")
    parser.add_argument(
        "--agency", metavar="CƠ_QUAN",
        help="phân tích như tin nhắn của cơ quan này (mã, tên hoặc tên viết tắt): chỉ các nhiệm vụ cơ quan được giao",
    )
    parser.add_argument("text", nargs="+", metavar="NỘI_DUNG", help="nội dung câu trả lời; '-' để đọc từ stdin")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from bot.intents import classify
    from bot.parser import parse_reply, sections_of
    from bot.task_match import TaskIndex
    from common.tasks import covers, sorted_refs
    from scheduler.deadlines import duties_by_agency

    text = _read_stdin() if args.text == ["-"] else " ".join(args.text)
    plan = plan_or_fail(ctx.settings.plan_path)
    refs = list(plan.task_refs())
    index = TaskIndex.from_plan(plan)
    assigned = None
    agency_name = None
    if args.agency:
        ids = agency_ids(plan, args.agency)
        duties = duties_by_agency(plan, plan.tasks)
        owed = sorted_refs({d.no for agency_id in ids for d in duties.get(agency_id, [])})
        if not owed:
            raise CliError(f"cơ quan '{args.agency}' không được giao nhiệm vụ nào trong kế hoạch {plan.plan.number}")
        assigned = sorted_refs(owed + [ref for ref in refs if ref not in owed and covers(owed, ref)])
        agency_name = plan.agency(ids[0]).name if len(ids) == 1 else args.agency
    entries = parse_reply(text, refs, index=index, assigned=assigned)
    sections = sections_of(text, refs, index=index, assigned=assigned)
    answered = classify(text, entries)  # a kind of message that is no report, or None
    if args.json:
        out = json.dumps(
            {
                "sections": [{"kind": s.kind, "number": s.number, "text": text[s.start:s.end]} for s in sections],
                "entries": [_with_scores(e.details(), e, index, assigned) for e in entries],
                "not_report": answered,
            },
            ensure_ascii=False,
        )
    else:
        lines = []
        if agency_name:
            lines.append(f"Phân tích như tin nhắn của {agency_name} (nhiệm vụ được giao: {', '.join('NV' + n for n in assigned or [])}).")
        if len(sections) > 1:
            lines.append(f"Tin nhắn có {len(sections)} phần:")
            for n, s in enumerate(sections, 1):
                kind = SECTION_VI.get(s.kind, s.kind) + (f" {s.number}" if s.number else "")
                lines.append(f"  {n}. {kind}: «{_clip(text[s.start:s.end])}»")
        if answered is not None:
            lines.append(f"Không phải báo cáo ({KIND_VI.get(answered, answered)}): bot trả lời, không ghi nhận gì.")
        else:
            lines.extend(describe(e, index, assigned) for e in entries)
        out = "\n".join(lines)
    print(_printable(out))
    return 0


def _with_scores(data: dict, entry: ParsedEntry, index: TaskIndex, assigned: list[str] | None) -> dict:
    data["scores"] = [[ref, round(score, 1)] for ref, score in index.scores(entry.text, assigned)[:3]]
    return data


def _clip(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def describe(entry: ParsedEntry, index: TaskIndex | None = None, assigned: list[str] | None = None) -> str:
    """One entry in Vietnamese: ``NV4 — đang thực hiện, 70%, có khó khăn/vướng mắc: «…»``, with
    how the task was found (and, by content, how sure) and the figures on a second line."""
    if entry.general:
        label = "Chung (cả báo cáo)"
    elif entry.task is None:
        label = "(chưa rõ nhiệm vụ)"
        if entry.candidates:
            label = f"(chưa rõ nhiệm vụ: có thể {' hoặc '.join('NV' + c for c in entry.candidates)}; bot sẽ hỏi)"
    elif not entry.known:
        label = f"NV{entry.task} (kế hoạch không có nhiệm vụ {entry.task})"
    else:
        label = f"NV{entry.task}"
    if entry.task is not None and entry.how and entry.how != "named":
        how = HOW_VI.get(entry.how, entry.how)
        if entry.how == "content" and index is not None:
            ranked = index.scores(entry.text, assigned)[:2]
            how += " (" + ", ".join(f"NV{ref}: {score:.1f} điểm" for ref, score in ranked) + ")"
        elif entry.how == "learned":
            asked = dict(entry.ruled).get("candidates") or ()
            how += " (thay vì hỏi: " + ", ".join(f"NV{ref}" for ref in asked) + ")"
        label += f" [{how}]"
    parts = [STATUS_VI.get(entry.status or "", "chưa rõ tình trạng")] if not entry.general else []
    if entry.percent is not None:
        parts.append(f"{entry.percent}%")
    if entry.difficulty:
        parts.append("có khó khăn/vướng mắc")
    if entry.learned:
        # the rules read these fields otherwise; the learned model (bot/classifier.py) was sure
        parts.append("theo mô hình học: " + ", ".join(LEARNED_VI.get(f, f) for f in entry.learned))
    quoted = " ".join(entry.text.split())  # one line per entry, whatever the message's layout
    line = f"{label} — {', '.join(parts)}: «{quoted}»"
    if entry.figures:
        line += "\n    số liệu: " + "; ".join(f.text for f in entry.figures)
    return line


def _read_stdin() -> str:
    # Bytes, decoded leniently: a message pasted from anywhere must not end in a decode error.
    buffer = getattr(sys.stdin, "buffer", None)
    data = buffer.read().decode("utf-8", errors="replace") if buffer is not None else sys.stdin.read()
    return data.removesuffix("\n").removesuffix("\r")  # the newline `echo ... |` adds


def _printable(text: str) -> str:
    # Undecodable command-line bytes arrive as lone surrogates, which stdout cannot encode.
    return text.encode("utf-8", errors="replace").decode("utf-8")
