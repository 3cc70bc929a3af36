"""Helpers shared by the parser's reading tests (tests/bot/test_parser_readings_*.py)."""

from __future__ import annotations

from bot.parser import DEFAULT_TASKS, parse_reply
from tests.bot import report_scoring as rs


def seed_index():
    """The seed plan's task index and task references, as the bot reads with them."""
    _plan, index, refs, _duties = rs._plan()
    return index, refs


def entry(text: str, task: str):
    """The entry of ``task`` in ``text`` read with the default tasks; fails when there is none."""
    entries = [e for e in parse_reply(text, DEFAULT_TASKS) if e.task == task]
    assert entries, f"no entry for task {task} in {text!r}"
    return entries[0]
