"""Storage: SQLModel tables, the engine and sessions, Alembic migrations, query helpers.

``storage.db`` owns the engine; ``storage.models`` the tables; ``storage.queries`` small
functions that take a session explicitly. Nothing else in the project should create engines.
"""

from storage.db import (
    DatabaseNotReady,
    DatabaseUnavailable,
    StorageError,
    current_revision,
    ensure_schema,
    get_engine,
    get_session,
    head_revision,
    mask_url,
    normalize_url,
    open_database,
    session_scope,
    upgrade,
)

__all__ = [
    "DatabaseNotReady",
    "DatabaseUnavailable",
    "StorageError",
    "current_revision",
    "ensure_schema",
    "get_engine",
    "get_session",
    "head_revision",
    "mask_url",
    "normalize_url",
    "open_database",
    "session_scope",
    "upgrade",
]
