"""Task references: "4", and sub-items "1a", "1b" of a task.

One place for the rules every layer uses: how references sort (1a, 1b, 2, …, 10, 11), which
task a sub-item belongs to, and which of an agency's tasks are still missing once some
references have been reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# Sub-items are lettered a), b), … in the plans' text; "đ" follows "d" in the Vietnamese alphabet.
SUB_ITEM_LETTERS = "abcdefghijklmnopqrstuvwxyzđ"
_PARTS = re.compile(r"(\d+)")


def sort_key(ref: str) -> tuple[Any, ...]:
    """Natural order of references: 1a, 1b, 2, …, 10, 11 (not 1a, 10, 11, 2)."""
    parts = _PARTS.split(ref)
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))


def sorted_refs(refs: Iterable[str]) -> list[str]:
    return sorted(refs, key=sort_key)


def parent(ref: str) -> str:
    """The task a reference belongs to: "1a" → "1"; a task is its own parent."""
    return ref.rstrip(SUB_ITEM_LETTERS)


def is_sub_item(ref: str) -> bool:
    return parent(ref) != ref


def covers(assigned: Iterable[str], ref: str) -> bool:
    """Whether an agency assigned ``assigned`` may report on ``ref`` (a sub-item of an
    assigned task counts)."""
    wanted = set(assigned)
    return ref in wanted or parent(ref) in wanted


def reported_refs(refs: Iterable[str]) -> set[str]:
    """The references that count as reported: each one, and the task of each sub-item (a
    focal point often answers only for the part of a task their agency did)."""
    out: set[str] = set()
    for ref in refs:
        out.add(ref)
        out.add(parent(ref))
    return out


def missing(assigned: Iterable[str], reported: Iterable[str]) -> list[str]:
    """The assigned tasks with no entry yet, in the order given (the "tasks still missing"
    rule used by the conversation, the reminders and the status)."""
    done = reported_refs(reported)
    return [no for no in assigned if no not in done]


__all__ = ["SUB_ITEM_LETTERS", "covers", "is_sub_item", "missing", "parent", "reported_refs", "sort_key", "sorted_refs"]
