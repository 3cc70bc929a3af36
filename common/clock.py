"""Injected time.

Every component that needs "now" takes a :class:`Clock`. Production uses :class:`SystemClock`;
tests and ``--now`` use :class:`FixedClock`, so nothing ever sleeps until a deadline.
All clocks return aware UTC datetimes; convert to the local zone only for display.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from collections.abc import Callable
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime:  # aware, UTC
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved; used for ``--now`` and tests."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._at += delta


class OffsetClock:
    """Real time shifted to start at ``at``: ``baocao run --now …`` for demos, where the bot
    must keep moving (a fixed clock would freeze every reminder and timestamp)."""

    def __init__(self, at: datetime, monotonic: Callable[[], float] | None = None) -> None:
        import time

        if at.tzinfo is None:
            raise ValueError("OffsetClock needs an aware datetime")
        self._start = at.astimezone(UTC)
        self._monotonic = monotonic or time.monotonic
        self._t0 = self._monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._monotonic() - self._t0)


def parse_now(value: str, tz: str | ZoneInfo) -> datetime:
    """Parse a ``--now`` value.

    Accepts an ISO date (midnight local time) or datetime; a naive datetime is read in the
    local time zone ``tz`` because that is how an officer thinks of "8:30 on 6 March".
    """
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(
            f"'{value}' không phải là thời điểm hợp lệ; dùng dạng ISO, ví dụ 2024-03-06 hoặc 2024-03-06T08:30"
        ) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)
