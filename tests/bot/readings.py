"""Helpers shared by the parser's reading tests (tests/bot/test_parser_readings_*.py)."""

from __future__ import annotations

from bot import intents
from bot.parser import DEFAULT_TASKS, parse_reply
from tests.bot import report_scoring as rs

# The seed plan's task numbers, without its sub-items (1a, 1b)
TASKS = [str(i) for i in range(1, 12)]


def seed_index():
    """The seed plan's task index and task references, as the bot reads with them."""
    _plan, index, refs, _duties = rs._plan()
    return index, refs


def entry(text: str, task: str):
    """The entry of ``task`` in ``text`` read with the default tasks; fails when there is none."""
    entries = [e for e in parse_reply(text, DEFAULT_TASKS) if e.task == task]
    assert entries, f"no entry for task {task} in {text!r}"
    return entries[0]


def kind(text: str, tasks: list[str] = TASKS) -> str | None:
    """What the conversation takes ``text`` for (``None``: a report), read with ``tasks``."""
    return intents.classify(text, parse_reply(text, tasks))


def by_task(text: str) -> dict[str, object]:
    """The entries of ``text`` that have a task, by task, read with :data:`TASKS`."""
    return {e.task: e for e in parse_reply(text, TASKS) if e.task}


def as_agency(agency: str, text: str):
    """The entries of ``text`` as the bot reads them from ``agency`` (the plan's index, its
    assignments, the extension-request check): :func:`report_scoring.parse_as_bot`."""
    return rs.parse_as_bot({"agency": agency, "text": text})[0]
