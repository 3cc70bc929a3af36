"""Rendering helpers the channel modules share: packing a message's lines into parts within a
channel's limits, and the plain-text rendering of a channel without markup or buttons."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from common.message import GAP, ITEM, Block, Choice, Message, Text

BULLET = "• "


@dataclass
class Line:
    """One rendered line, its choices, and a markup-free version to cut when it is too long."""

    text: str
    choices: list[Choice] = field(default_factory=list)
    fallback: str | None = None


@dataclass
class Part:
    """One message as the channel sends it."""

    text: str
    choices: list[list[Choice]] = field(default_factory=list)

    @property
    def choice_count(self) -> int:
        return sum(len(row) for row in self.choices)


def cut_line(line: str, limit: int) -> Iterable[str]:
    """A line longer than ``limit`` in pieces, cut after a comma or a space when possible."""
    while len(line) > limit:
        window = line[:limit]
        comma = window.rfind(", ") + 1
        at = comma if comma > limit // 2 else window.rfind(" ")
        if at < limit // 2:  # no good break point: cut hard
            at = limit
        yield line[:at].rstrip()
        line = line[at:].lstrip()
    yield line


def rows(choices: Sequence[Choice], width: int) -> list[list[Choice]]:
    width = max(width, 1)
    return [list(choices[i : i + width]) for i in range(0, len(choices), width)]


def pack(
    lines: Sequence[Line],
    *,
    limit: int,
    max_choices: int,
    tail: Sequence[Sequence[Choice]] = (),
    columns: int = 2,
    extra: Callable[[list[list[Choice]]], str] | None = None,
    paragraphs: bool = False,
) -> list[Part]:
    """The lines in parts of at most ``limit`` characters and ``max_choices`` choices.

    A line's choices travel with the part that shows it; ``tail`` (the message's own choice
    rows) goes with the last part. ``extra(choice_rows)`` is text a channel appends to a part
    for its choices (numbered lines on a channel without buttons): it counts against the
    limit. Lines are never split unless one alone is too long (then its ``fallback``, free of
    markup, is cut at a comma or a space); parts never start with a blank line. With
    ``paragraphs``, a part ends at a blank line when it can, so that a paragraph is not cut in
    two (a channel whose parts arrive as separate messages with no way to tell they belong
    together).
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    tail_rows = [list(row) for row in tail if row]
    parts: list[Part] = []
    current: list[tuple[str, list[Choice]]] = []

    def choices_of(items: list[tuple[str, list[Choice]]]) -> list[Choice]:
        return [c for _, cs in items for c in cs]

    def size(items: list[tuple[str, list[Choice]]], choice_rows: list[list[Choice]]) -> int:
        body = len("\n".join(text for text, _ in items))
        if extra is not None and choice_rows:
            body += len(extra(choice_rows)) + 1
        return body

    def emit(items: list[tuple[str, list[Choice]]], with_tail: bool = False) -> None:
        choice_rows = rows(choices_of(items), columns) + (tail_rows if with_tail else [])
        texts = [text for text, _ in items]
        while texts and not texts[-1].strip():
            texts.pop()
        if texts or choice_rows:
            text = "\n".join(texts)
            if extra is not None and choice_rows:
                text = (text + "\n" + extra(choice_rows)).strip("\n")
            parts.append(Part(text, choice_rows))

    def flush() -> None:
        """Close the current part; with ``paragraphs``, the unfinished paragraph moves on."""
        nonlocal current
        carry: list[tuple[str, list[Choice]]] = []
        if paragraphs:
            gaps = [i for i, (text, _) in enumerate(current) if not text.strip()]
            if gaps and gaps[-1] > 0 and gaps[-1] < len(current) - 1:
                cut = gaps[-1]
                current, carry = current[:cut], current[cut + 1 :]
        emit(current)
        current = carry

    def fits(items: list[tuple[str, list[Choice]]]) -> bool:
        found = choices_of(items)
        return size(items, rows(found, columns)) <= limit and len(found) <= max_choices

    for line in lines:
        pieces = [line.text]
        if len(line.text) > limit:
            pieces = list(cut_line(line.fallback if line.fallback is not None else line.text, limit))
        for index, piece in enumerate(pieces):
            choices = line.choices if index == len(pieces) - 1 else []
            if not current and not piece.strip():
                continue  # no part starts with a blank line
            if not fits(current + [(piece, list(choices))]) and current:
                flush()
                while current and not fits(current + [(piece, list(choices))]):
                    emit(current)  # a carried paragraph that cannot take this line: it goes alone
                    current = []
                if not current and not piece.strip():
                    continue
            current = current + [(piece, list(choices))]
    # The message's own choices go with the last part, or with a part of their own.
    if tail_rows:
        count = len(choices_of(current)) + sum(len(r) for r in tail_rows)
        if size(current, rows(choices_of(current), columns) + tail_rows) > limit or count > max_choices:
            emit(current)
            current = []
    emit(current, with_tail=True)
    return parts or [Part("")]


# --- plain text (a channel without markup and without buttons) ----------------------------------


def plain_text(text: Text) -> str:
    """Spans without style; a link shows its address after the label (unless they are one)."""
    out = []
    for span in text.spans:
        if span.link and span.link != span.text:
            out.append(f"{span.text} ({span.link})")
        else:
            out.append(span.text)
    return "".join(out)


def plain_line(block: Block) -> str:
    if block.kind == GAP:
        return ""
    text = plain_text(block.text)
    return BULLET + text if block.kind == ITEM else text


def numbered_choices(choice_rows: list[list[Choice]]) -> str:
    """"1. Xác nhận   2. Sửa   3. Hủy": how a channel without buttons offers choices; a long
    list goes one choice a line."""
    flat = [c for row in choice_rows for c in row]
    items = [f"{c.number if c.number is not None else i}. {c.label}" for i, c in enumerate(flat, start=1)]
    one_line = "   ".join(items)
    body = one_line if len(flat) <= 4 and len(one_line) <= 60 else "\n".join(items)
    return body


def render_plain(message: Message, *, limit: int, max_choices: int = 1000, paragraphs: bool = False) -> list[Part]:
    """A message as plain-text parts within ``limit`` characters, choices as numbered lines
    (``paragraphs``: see :func:`pack`)."""
    lines = [Line(plain_line(b), list(b.choices)) for b in message.blocks]
    return pack(
        lines,
        limit=limit,
        max_choices=max_choices,
        tail=message.choices,
        columns=message.columns,
        extra=lambda choice_rows: CHOICE_HINT + "\n" + numbered_choices(choice_rows),
        paragraphs=paragraphs,
    )


# Said once before the numbered choices, so a person on a phone knows what to type.
CHOICE_HINT = "Trả lời bằng số:"


__all__ = ["CHOICE_HINT", "Line", "Part", "cut_line", "numbered_choices", "pack", "plain_line", "plain_text", "render_plain", "rows"]
