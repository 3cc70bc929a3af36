"""The channel-neutral message: what the bot says, before any channel renders it.

The conversation core and the reminder texts build :class:`Message` objects: lines of
:class:`Text` (runs of plain text with emphasis and links), list items, blank lines between
paragraphs, and choices (a short label and a value). Nothing here knows HTML, a character
limit or a button limit: each channel module renders a message its own way (Telegram as HTML
with inline keyboards, a text-only channel as plain text with numbered choices) and splits it
within its own limits. User text is kept as data and escaped by the renderer, once.

A message round-trips through JSON (:meth:`Message.to_json` / :meth:`Message.from_json`) so
that the outbox can keep it until it is sent.

Authors rarely build :class:`Span` by hand: ``common.i18n`` turns a translated template such as
``"Đã ghi nhận báo cáo <b>{period}</b> của {agency}."`` into :class:`Text`, the placeholders
filled with data that is never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Union

__all__ = [
    "Block",
    "Choice",
    "Message",
    "Span",
    "Text",
    "bold",
    "gap",
    "italic",
    "item",
    "join",
    "link",
    "line",
]


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text with one style. ``link`` is a URL the text points to."""

    text: str
    bold: bool = False
    italic: bool = False
    link: str | None = None

    def to_json(self) -> Any:
        if not (self.bold or self.italic or self.link):
            return self.text
        out: dict[str, Any] = {"t": self.text}
        if self.bold:
            out["b"] = 1
        if self.italic:
            out["i"] = 1
        if self.link:
            out["a"] = self.link
        return out

    @classmethod
    def from_json(cls, data: Any) -> Span:
        if isinstance(data, str):
            return cls(data)
        return cls(str(data.get("t", "")), bool(data.get("b")), bool(data.get("i")), data.get("a") or None)


Part = Union["Text", Span, str, int, float]


def _spans(parts: Iterable[Part]) -> Iterator[Span]:
    for part in parts:
        if isinstance(part, Text):
            yield from part.spans
        elif isinstance(part, Span):
            if part.text:
                yield part
        elif part is None:
            continue
        else:
            text = str(part)
            if text:
                yield Span(text)


def _merge(spans: Iterable[Span]) -> tuple[Span, ...]:
    out: list[Span] = []
    for span in spans:
        if out and (out[-1].bold, out[-1].italic, out[-1].link) == (span.bold, span.italic, span.link):
            out[-1] = replace(out[-1], text=out[-1].text + span.text)
        else:
            out.append(span)
    return tuple(out)


class Text:
    """Rich text: an immutable sequence of :class:`Span`. ``str(text)`` is the plain text.

    ``Text("Đã gửi ", bold("NV4"), ".")`` — strings are plain text, never markup. Texts add up
    with ``+`` (also with plain strings) and join with :func:`join`.
    """

    __slots__ = ("spans",)

    def __init__(self, *parts: Part) -> None:
        self.spans: tuple[Span, ...] = _merge(_spans(parts))

    def plain(self) -> str:
        return "".join(span.text for span in self.spans)

    __str__ = plain

    def __repr__(self) -> str:
        return f"Text({', '.join(repr(s) for s in self.spans)})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Text):
            return self.spans == other.spans
        if isinstance(other, str):
            return self.plain() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.spans)

    def __bool__(self) -> bool:
        return bool(self.spans)

    def __add__(self, other: Part) -> Text:
        return Text(self, other)

    def __radd__(self, other: Part) -> Text:
        return Text(other, self)

    def __contains__(self, needle: str) -> bool:
        return needle in self.plain()

    def styled(self, *, bold: bool | None = None, italic: bool | None = None, link: str | None = None) -> Text:
        """The same text with a style added to every span."""
        out = Text()
        out.spans = _merge(
            Span(
                s.text,
                s.bold or bool(bold),
                s.italic or bool(italic),
                link if link is not None else s.link,
            )
            for s in self.spans
        )
        return out

    def strip(self) -> Text:
        spans = list(self.spans)
        while spans and not spans[0].text.strip():
            spans.pop(0)
        while spans and not spans[-1].text.strip():
            spans.pop()
        if spans:
            spans[0] = replace(spans[0], text=spans[0].text.lstrip())
            spans[-1] = replace(spans[-1], text=spans[-1].text.rstrip())
        out = Text()
        out.spans = _merge(spans)
        return out

    def to_json(self) -> list[Any]:
        return [span.to_json() for span in self.spans]

    @classmethod
    def from_json(cls, data: Sequence[Any] | str | None) -> Text:
        if data is None:
            return cls()
        if isinstance(data, str):
            return cls(data)
        return cls(*(Span.from_json(item) for item in data))


def bold(*parts: Part) -> Text:
    return Text(*parts).styled(bold=True)


def italic(*parts: Part) -> Text:
    return Text(*parts).styled(italic=True)


def link(label: Part, url: str) -> Text:
    return Text(label).styled(link=url)


def join(separator: Part, parts: Iterable[Part]) -> Text:
    items: list[Part] = []
    for index, part in enumerate(parts):
        if index:
            items.append(separator)
        items.append(part)
    return Text(*items)


@dataclass(frozen=True, slots=True)
class Choice:
    """One thing the person can choose: a short ``label`` and the ``value`` the core gets back.

    Values are short ASCII tokens chosen by the core (``ok:3fa1c2d0``, ``nudge:12``), at most
    :data:`MAX_VALUE_BYTES` bytes; ``number`` is set by the core when the message is answered,
    counting every choice of the turn from 1, so that a channel without buttons can show
    "1. Xác nhận" and a typed "1" maps back to the same value.
    """

    label: str
    value: str
    number: int | None = None

    def to_json(self) -> list[Any]:
        return [self.label, self.value] if self.number is None else [self.label, self.value, self.number]

    @classmethod
    def from_json(cls, data: Sequence[Any]) -> Choice:
        return cls(str(data[0]), str(data[1]), int(data[2]) if len(data) > 2 and data[2] is not None else None)


# Long enough for "<kind>:<token>:<argument>"; a channel may carry no more than this.
MAX_VALUE_BYTES = 64


LINE, ITEM, GAP = "line", "item", "gap"


@dataclass(frozen=True, slots=True)
class Block:
    """One line of a message: a plain line, a list item, or a gap between paragraphs.

    ``choices`` belong to this line (a "Nhắc …" button next to the agency it reminds): a
    renderer that splits a long message keeps them with the part that shows the line."""

    kind: str
    text: Text = field(default_factory=Text)
    choices: tuple[Choice, ...] = ()

    def to_json(self) -> Any:
        out: dict[str, Any] = {"k": self.kind}
        if self.text:
            out["x"] = self.text.to_json()
        if self.choices:
            out["c"] = [c.to_json() for c in self.choices]
        return out

    @classmethod
    def from_json(cls, data: Any) -> Block:
        return cls(
            str(data.get("k", LINE)),
            Text.from_json(data.get("x")),
            tuple(Choice.from_json(c) for c in data.get("c", ())),
        )


def line(*parts: Part, choices: Sequence[Choice] = ()) -> Block:
    return Block(LINE, Text(*parts), tuple(choices))


def item(*parts: Part, choices: Sequence[Choice] = ()) -> Block:
    """A list item; renderers show a bullet."""
    return Block(ITEM, Text(*parts), tuple(choices))


def gap() -> Block:
    return Block(GAP)


def _block(part: Block | Part) -> Block:
    if isinstance(part, Block):
        return part
    text = Text(part)
    return Block(GAP) if not text else Block(LINE, text)


@dataclass
class Message:
    """What the bot says in one go: blocks, then choices (rows of :class:`Choice`).

    ``Message("Dòng một", "", item("NV4"), choices=[[Choice("Xác nhận", "ok:1")]])``: a
    string or :class:`Text` is a line, an empty one a gap between paragraphs.
    ``columns`` is how many of the blocks' own choices a renderer puts side by side.
    """

    blocks: list[Block] = field(default_factory=list)
    choices: list[list[Choice]] = field(default_factory=list)
    columns: int = 2

    def __init__(
        self,
        *lines: Block | Part,
        choices: Sequence[Sequence[Choice]] | None = None,
        columns: int = 2,
    ) -> None:
        self.blocks = [_block(part) for part in lines]
        self.choices = [list(row) for row in (choices or []) if row]
        self.columns = columns

    def add(self, *lines: Block | Part) -> Message:
        self.blocks.extend(_block(part) for part in lines)
        return self

    def all_choices(self) -> list[Choice]:
        """Every choice in reading order: the blocks' own, then the message's rows."""
        out = [c for block in self.blocks for c in block.choices]
        out += [c for row in self.choices for c in row]
        return out

    def numbered(self, start: int = 1, fixed: Mapping[str, int] | None = None) -> tuple[Message, int]:
        """A copy with every choice numbered from ``start``; returns it and the next number.
        ``fixed`` gives some choices (by value) their own number instead."""
        counter = start

        def number(choice: Choice) -> Choice:
            nonlocal counter
            if fixed is not None and choice.value in fixed:
                return replace(choice, number=fixed[choice.value])
            out = replace(choice, number=counter)
            counter += 1
            return out

        blocks = [replace(b, choices=tuple(number(c) for c in b.choices)) for b in self.blocks]
        rows = [[number(c) for c in row] for row in self.choices]
        copy = Message(columns=self.columns)
        copy.blocks, copy.choices = blocks, rows
        return copy, counter

    def plain(self) -> str:
        """The text without any style, one block a line (tests, logs, the sandbox)."""
        out = []
        for block in self.blocks:
            if block.kind == GAP:
                out.append("")
            elif block.kind == ITEM:
                out.append("• " + block.text.plain())
            else:
                out.append(block.text.plain())
        return "\n".join(out)

    @property
    def text(self) -> str:
        return self.plain()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"blocks": [b.to_json() for b in self.blocks]}
        if self.choices:
            out["choices"] = [[c.to_json() for c in row] for row in self.choices]
        if self.columns != 2:
            out["columns"] = self.columns
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Message:
        message = cls(columns=int(data.get("columns", 2)))
        message.blocks = [Block.from_json(b) for b in data.get("blocks", ())]
        message.choices = [[Choice.from_json(c) for c in row] for row in data.get("choices", ())]
        return message

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return (self.blocks, self.choices, self.columns) == (other.blocks, other.choices, other.columns)
