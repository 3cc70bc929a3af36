"""Column types shared by the tables.

:class:`UTCDateTime` is the one place where time zones are normalised: PostgreSQL hands back
aware datetimes in the session's ``TimeZone``, SQLite hands back naive ones, and a naive value
written by mistake would be read back as UTC without anyone noticing. So we refuse naive input
and always return aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that stores UTC and always returns aware UTC datetimes.

    Binding a naive datetime raises :class:`ValueError` (SQLAlchemy wraps it in
    ``StatementError`` when it happens during a flush or an execute).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UTCDateTime needs a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime refused ({value.isoformat()}); pass an aware datetime, e.g. clock.now()")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # SQLite stores text and ignores the offset; storing naive UTC keeps every row in one
            # format so that string comparison (not_before <= now) orders correctly.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
