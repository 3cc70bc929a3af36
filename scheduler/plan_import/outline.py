"""The plan's outline: its sections (I., II., …) and the numbered tree of one section.

A paragraph's label says where it sits: "II." (a section) above "1." above "1.1." above "a)"
above "-" above "+". Paragraphs that are assignment fields ("Cơ quan chủ trì: …",
"b) Cơ quan phối hợp: …", "- Thời gian thực hiện: …") are not tree nodes: they are attached to
the node they follow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from common.text import fold

_LABEL = re.compile(
    r"^(?:(?P<roman>[IVXLC]+)[.)]"
    r"|(?P<dotted>\d+(?:\.\d+)+)\.?\)?"
    r"|(?P<arabic>\d+)[.)]"
    r"|(?P<letter>[a-zđ])[.)]"
    r"|(?P<dash>[-–—•*])"
    r"|(?P<plus>\+))(?:\s+|$)"
)

# The fields of an assignment, by the words plans use for them (folded).
FIELD_WORDS: dict[str, tuple[str, ...]] = {
    "lead": (
        "co quan chu tri thuc hien", "don vi chu tri thuc hien", "co quan chu tri", "don vi chu tri",
        "co quan thuc hien", "don vi thuc hien", "co quan chiu trach nhiem", "chu tri thuc hien", "chu tri",
    ),
    "coordinators": (
        "co quan phoi hop thuc hien", "don vi phoi hop thuc hien", "co quan phoi hop", "don vi phoi hop",
        "phoi hop thuc hien", "phoi hop",
    ),
    "time": (
        "thoi gian thuc hien", "thoi gian hoan thanh", "thoi han hoan thanh", "thoi han thuc hien",
        "thoi gian", "thoi han", "tien do thuc hien", "tien do",
    ),
    "product": ("san pham", "ket qua/san pham", "san pham dau ra", "hinh thuc san pham"),
}


@dataclass
class Label:
    kind: str  # roman, dotted, arabic, letter, dash, plus
    value: str  # "II", "1.2", "3", "a", "-", "+"

    @property
    def rank(self) -> int:
        if self.kind == "roman":
            return 0
        if self.kind == "arabic":
            return 1
        if self.kind == "dotted":
            return 1 + self.value.count(".")
        return {"letter": 6, "dash": 7, "plus": 8}[self.kind]


def split_label(text: str) -> tuple[Label | None, str]:
    match = _LABEL.match(text)
    if not match:
        return None, text
    kind = match.lastgroup or ""
    value = match.group(kind)
    if kind in ("dash", "plus"):
        value = "-" if kind == "dash" else "+"
    return Label(kind, value), text[match.end() :].strip()


def _field_pattern() -> re.Pattern[str]:
    words = sorted({w for ws in FIELD_WORDS.values() for w in ws}, key=len, reverse=True)
    alternatives = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
    # A field may follow another in the same paragraph: "…; c) Thời gian thực hiện: …".
    return re.compile(rf"(?:^|[;.]\s*(?:[a-zđ]\)\s*|[-+]\s*)?)(?P<word>{alternatives})\s*:\s*")


_FIELD = _field_pattern()
_KIND_OF_WORD = {w: kind for kind, ws in FIELD_WORDS.items() for w in ws}


def fields_of(text: str) -> dict[str, str] | None:
    """``{"lead": "Sở Tư pháp", …}`` when the paragraph is made of fields, else ``None``.

    Matching runs on the folded text (same length as the original for Vietnamese letters), so
    the values keep their diacritics."""
    folded = fold_keep_length(text)
    matches = list(_FIELD.finditer(folded))
    if not matches or matches[0].start() != 0:
        return None
    out: dict[str, str] = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        kind = _KIND_OF_WORD[" ".join(match.group("word").split())]
        value = text[match.end() : end].strip().rstrip(";.").strip()
        if kind in out:
            out[kind] = f"{out[kind]}; {value}"
        else:
            out[kind] = value
    return out


def fold_keep_length(text: str) -> str:
    """Folded text with the same length as ``text`` (one character for one), for regexes
    whose positions are used on the original."""
    return "".join((fold(ch) or " ") if not ch.isspace() else " " for ch in text)


@dataclass
class Node:
    label: Label | None
    text: str
    children: list[Node] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    # Labels of the field paragraphs ("letter", "dash", None): the layout, kept for the
    # rule that moves fields written after the last sub-item up to the task (tasks.py).
    field_kinds: list[str | None] = field(default_factory=list)
    more: list[str] = field(default_factory=list)  # unlabelled paragraphs that follow

    @property
    def full_text(self) -> str:
        return " ".join([self.text, *self.more]).strip()

    def has_fields(self) -> bool:
        return any(k in self.fields for k in ("lead", "coordinators", "time"))

    def any_fields(self) -> bool:
        return self.has_fields() or any(child.any_fields() for child in self.children)


@dataclass
class Section:
    label: Label | None
    heading: str
    paragraphs: list[str] = field(default_factory=list)

    @property
    def folded(self) -> str:
        return fold(self.heading)


def _is_caps_heading(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return 3 <= len(letters) and all(ch.isupper() for ch in letters) and len(text) <= 80


def sections(paragraphs: list[str]) -> tuple[list[str], list[Section]]:
    """``(header paragraphs, sections)``: sections begin at "I.", "II.", … (or, in a plan
    without Roman numerals, at headings written in capitals)."""
    has_roman = any((split_label(p)[0] or Label("", "")).kind == "roman" for p in paragraphs)
    header: list[str] = []
    out: list[Section] = []
    for paragraph in paragraphs:
        label, rest = split_label(paragraph)
        starts = (label is not None and label.kind == "roman") if has_roman else (
            _is_caps_heading(rest) and bool(out or header)
        )
        if starts and not (label is not None and label.kind == "roman" and len(rest) > 200):
            out.append(Section(label, rest))
        elif out:
            out[-1].paragraphs.append(paragraph)
        else:
            header.append(paragraph)
    return header, out


def tree(paragraphs: list[str]) -> Node:
    """The numbered tree of a section's paragraphs, under a root node without a label."""
    root = Node(None, "")
    stack: list[Node] = [root]
    for paragraph in paragraphs:
        label, rest = split_label(paragraph)
        found = fields_of(rest)
        if found is not None:
            target = stack[-1]
            for kind, value in found.items():
                target.fields[kind] = f"{target.fields[kind]}; {value}" if kind in target.fields else value
            target.field_kinds.append(label.kind if label else None)
            continue
        if label is None:
            stack[-1].more.append(rest)
            continue
        while len(stack) > 1 and stack[-1].label is not None and stack[-1].label.rank >= label.rank:
            stack.pop()
        node = Node(label, rest)
        stack[-1].children.append(node)
        stack.append(node)
    return root
