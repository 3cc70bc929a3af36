"""The one module that owns engines, sessions and the schema version.

- :func:`get_engine` gives one engine per URL for the whole process (a pool is per engine, so
  creating engines ad hoc would open connections without bound).
- :func:`open_database` is what a long-running component calls at start: the engine, with the
  schema checked (and, on SQLite, brought up to date).
- :func:`upgrade` runs Alembic programmatically from ``storage/migrations``; no ``alembic.ini``
  is needed at run time.

Errors the user can fix are :class:`DatabaseUnavailable` (cannot connect) and
:class:`DatabaseNotReady` (schema not at head); both carry a Vietnamese message that the CLI
prints as is.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, Engine, ExceptionContext, make_url
from sqlmodel import Session

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# How long SQLite waits for another process's write lock before giving up ("database is
# locked"): the bot and the dispatcher may share one file.
SQLITE_BUSY_TIMEOUT_S = 30
# How long one database call may take by default: connecting, a statement, a server that has
# stopped answering (BAOCAO_DB_TIMEOUT). Without it a firewalled or hung PostgreSQL host
# blocks a connection for about 15 minutes.
DEFAULT_TIMEOUT_S = 10.0
PG_CONNECT_TIMEOUT_S = 10
# Execution option choosing how a SQLite transaction begins. "IMMEDIATE" takes the write lock
# up front, so that two writers queue (busy timeout) instead of one failing with "database is
# locked" when both read first and then try to write:
#     engine.execution_options(sqlite_begin="IMMEDIATE")
# Ignored on other databases.
SQLITE_BEGIN = "sqlite_begin"
_SQLITE_BEGIN_MODES = frozenset({"", "DEFERRED", "IMMEDIATE", "EXCLUSIVE"})


class StorageError(Exception):
    """Base class of the storage errors a user can act on; ``str()`` is the message to show."""


class DatabaseUnavailable(StorageError):
    """The database cannot be reached (server down, wrong host/port, unreadable file)."""

    def __init__(self, url: str | URL, reason: object, error: BaseException | None = None) -> None:
        self.url = mask_url(url)
        # The SQLAlchemy OperationalError; __cause__ ends up being the driver's exception,
        # because SQLAlchemy re-chains whatever a handle_error hook raises.
        self.error = error
        self.location = describe_location(url)
        self.reason = _first_line(reason)
        super().__init__(
            f"Không kết nối được cơ sở dữ liệu {self.location}: {self.reason}. "
            "Kiểm tra BAOCAO_DATABASE_URL và máy chủ cơ sở dữ liệu."
        )


def is_outage(exc: BaseException) -> bool:
    """``exc`` says the database is away or hangs (connection refused or dropped, a timeout
    waiting for it), as opposed to a statement that failed on its own (an integrity error):
    the first is worth trying again once it answers, the second is not."""
    if isinstance(exc, (DatabaseUnavailable, sa_exc.OperationalError, sa_exc.DisconnectionError, sa_exc.TimeoutError, TimeoutError)):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and bool(exc.connection_invalidated)


class DatabaseNotReady(StorageError):
    """The schema is not at the revision this code expects."""

    def __init__(self, message: str, *, current: str | None = None, head: str | None = None) -> None:
        super().__init__(message)
        self.current = current
        self.head = head


# --- URLs --------------------------------------------------------------------------------


def normalize_url(url: str | URL) -> str:
    """Return the URL as a string with ``postgresql://``/``postgres://`` mapped to psycopg 3.

    SQLAlchemy's default PostgreSQL driver is psycopg2, which we do not install; users and
    hosting providers write plain ``postgresql://`` (or Heroku-style ``postgres://``).
    """
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except sa_exc.ArgumentError as exc:
        raise ValueError(f"Địa chỉ cơ sở dữ liệu không hợp lệ: {mask_url_text(str(url))!r}") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def mask_url(url: str | URL) -> str:
    """The URL with its password replaced by ``***``, safe to print or log."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except sa_exc.ArgumentError:
        return mask_url_text(str(url))
    return parsed.render_as_string(hide_password=True)


def mask_url_text(text: str) -> str:
    # For strings SQLAlchemy cannot parse: hide whatever sits between "user:" and "@".
    scheme, sep, rest = text.partition("://")
    if not sep or "@" not in rest:
        return text
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else text


def describe_location(url: str | URL) -> str:
    """A short Vietnamese description of where the database is, for messages."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except sa_exc.ArgumentError:
        return repr(mask_url_text(str(url)))
    if parsed.get_backend_name() == "sqlite":
        name = parsed.database or ":memory:"
        return f"SQLite (tệp {name})" if name != ":memory:" else "SQLite (trong bộ nhớ)"
    host = parsed.host or "localhost"
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.get_backend_name()} tại {host}{port} (cơ sở dữ liệu {parsed.database or '?'})"


def _first_line(reason: object) -> str:
    text = str(reason).strip()
    return text.splitlines()[0] if text else type(reason).__name__


# --- engines -----------------------------------------------------------------------------

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()
_ready: weakref.WeakSet[Engine] = weakref.WeakSet()


def get_engine(url: str | URL, *, timeout_s: float | None = None) -> Engine:
    """The process-wide engine for ``url`` (created on first use, with ``timeout_s``)."""
    key = normalize_url(url)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _create_engine(key, timeout_s or DEFAULT_TIMEOUT_S)
            _engines[key] = engine
        return engine


def dispose_engine(url_or_engine: str | URL | Engine) -> None:
    """Close the pool of one engine and forget it (tests; a process that switches databases)."""
    if isinstance(url_or_engine, Engine):
        engine: Engine | None = url_or_engine
        key = url_or_engine.url.render_as_string(hide_password=False)
    else:
        key = normalize_url(url_or_engine)
        engine = None
    with _engines_lock:
        cached = _engines.pop(key, None)
    for candidate in {id(e): e for e in (engine, cached) if e is not None}.values():
        _ready.discard(candidate)
        candidate.dispose()


def dispose_all() -> None:
    with _engines_lock:
        engines = list(_engines.values())
        _engines.clear()
    for engine in engines:
        _ready.discard(engine)
        engine.dispose()


def _create_engine(url: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> Engine:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
    else:
        connect_args: dict[str, Any] = {}
        if backend == "postgresql":
            if "connect_timeout" not in parsed.query:
                connect_args["connect_timeout"] = max(1, int(timeout_s))
            # TCP keepalives and a user timeout: a server that vanished (cable, firewall) is
            # noticed in seconds, not after the kernel's 15-minute retransmission limit.
            connect_args.update(
                keepalives=1,
                keepalives_idle=max(1, int(timeout_s)),
                keepalives_interval=max(1, int(timeout_s) // 3),
                keepalives_count=3,
                tcp_user_timeout=int(timeout_s * 1000),
            )
        # pre_ping: the bot runs for weeks; a PostgreSQL restart must not poison the pool.
        # pool_timeout: waiting for a free connection counts as a database call too.
        engine = create_engine(parsed, pool_pre_ping=True, pool_timeout=timeout_s, connect_args=connect_args)
        if backend == "postgresql":
            milliseconds = int(timeout_s * 1000)

            def _statement_timeout(dbapi_connection: Any, _record: Any) -> None:
                # The server ends a statement (a lock wait, a runaway query) after the timeout.
                cursor = dbapi_connection.cursor()
                try:
                    cursor.execute(f"SET statement_timeout = {milliseconds}")
                    cursor.execute(f"SET lock_timeout = {milliseconds}")
                    cursor.execute(f"SET idle_in_transaction_session_timeout = {milliseconds * 6}")
                finally:
                    cursor.close()
                dbapi_connection.commit()

            event.listen(engine, "connect", _statement_timeout)
    event.listen(engine, "handle_error", _translate_connect_errors)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # sqlite3's legacy transaction control does not BEGIN before SELECT or SAVEPOINT, which
    # breaks savepoints (used by the idempotent inserts) and transactional DDL (migrations).
    # We switch it off here and emit BEGIN ourselves in _sqlite_on_begin, as the SQLAlchemy
    # SQLite dialect documentation recommends for Python < 3.12.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        # Foreign keys are off by default in SQLite, per connection.
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        # WAL: readers never wait for the writer and the writer never waits for readers, so the
        # bot, a cron `baocao tick` and the CLI share one file; only writers take turns.
        # (A no-op for an in-memory database, which keeps its own journal.)
        _set_wal(cursor)
    finally:
        cursor.close()


def _set_wal(cursor: Any) -> None:
    """``PRAGMA journal_mode=WAL``, waiting while another connection holds the file.

    Switching a new file to WAL needs it to itself, and SQLite answers "database is locked" at
    once instead of calling the busy handler: two processes opening a new file together (the
    bot and a cron tick, while the first migrates) would fail at connect. So wait here, as the
    busy timeout would, and give up only after it."""
    import sqlite3
    import time

    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    pause = 0.01
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def _sqlite_on_begin(connection: Connection) -> None:
    mode = str(connection.get_execution_options().get(SQLITE_BEGIN, "")).upper()
    if mode not in _SQLITE_BEGIN_MODES:
        raise ValueError(f"{SQLITE_BEGIN} must be one of {sorted(_SQLITE_BEGIN_MODES)}, got {mode!r}")
    connection.exec_driver_sql(f"BEGIN {mode}".strip())


def _translate_connect_errors(context: ExceptionContext) -> None:
    # Only failures to reach the database become DatabaseUnavailable; an OperationalError from
    # a statement (SQLite's "no such table", "database is locked") stays what it is.
    if context.is_pre_ping:
        return  # the pool retries with a fresh connection; let it
    failed_to_connect = context.connection is None and isinstance(context.sqlalchemy_exception, sa_exc.OperationalError)
    if failed_to_connect or context.is_disconnect:
        url = context.engine.url if context.engine is not None else "?"
        raise DatabaseUnavailable(url, context.original_exception, context.sqlalchemy_exception)


# --- sessions ----------------------------------------------------------------------------


def get_session(engine: Engine) -> Session:
    """A new session; the caller closes it (``with get_session(engine) as session:``).

    ``expire_on_commit=False`` so that rows stay readable after commit (no lazy reload, which
    an async caller could not do anyway).
    """
    return Session(engine, expire_on_commit=False)


def begin_write(session: Session) -> None:
    """On SQLite, begin the session's transaction IMMEDIATE (taking the write lock at BEGIN):
    a reader that later writes would otherwise fail with "database is locked" when another
    process got there first. Elsewhere, or when the transaction has begun, nothing."""
    if session.get_bind().dialect.name == "sqlite" and not session.in_transaction():
        session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})


@contextmanager
def session_scope(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back on an exception.
    ``write=True``: the block will write and must not lose a race to another process on
    SQLite (see :func:`begin_write`)."""
    session = get_session(engine)
    try:
        if write:
            begin_write(session)
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# --- migrations --------------------------------------------------------------------------


def alembic_config() -> Config:
    """An Alembic config pointing at the bundled migrations, without any ini file."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@cache
def _script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest revision shipped with this code."""
    head = _script_directory().get_current_head()
    if head is None:  # pragma: no cover - the initial migration always exists
        raise StorageError("Không tìm thấy migration nào trong storage/migrations.")
    return head


def _as_engine(url_or_engine: str | URL | Engine) -> Engine:
    return url_or_engine if isinstance(url_or_engine, Engine) else get_engine(url_or_engine)


def current_revision(url_or_engine: str | URL | Engine) -> str | None:
    """The revision the database is at, or ``None`` for a database without our tables."""
    engine = _as_engine(url_or_engine)
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _is_known(revision: str) -> bool:
    try:
        return _script_directory().get_revision(revision) is not None
    except CommandError:
        return False


def _newer_than_code(engine: Engine, current: str) -> DatabaseNotReady:
    return DatabaseNotReady(
        f"Cơ sở dữ liệu {mask_url(engine.url)} đang ở phiên bản {current}, "
        f"mà bản baocao này không biết (có thể do một bản baocao mới hơn đã nâng cấp). "
        f"Hãy cài bản baocao mới hơn; bản này hiểu tới phiên bản {head_revision()}.",
        current=current,
        head=head_revision(),
    )


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction, set up for running migrations.

    On SQLite, foreign keys are switched off for the duration: batch mode rebuilds a table by
    copying it and dropping the original, which enforced foreign keys would refuse (or, with
    ON DELETE, cascade). The PRAGMA is a no-op inside a transaction, so it is set on the raw
    connection before SQLAlchemy begins one, and the keys are checked before commit. The
    transaction begins IMMEDIATE so that concurrent migrations of one file run one at a time.
    """
    is_sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if is_sqlite:
            # Two processes opening a new file at once: the second waits for the first's
            # migration, then finds the schema at head, instead of failing half-way.
            connection.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
        raw = connection.connection.dbapi_connection if is_sqlite else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                yield connection
                if is_sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise StorageError(f"Migration để lại khóa ngoại sai: {broken[:5]!r}")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def upgrade(url_or_engine: str | URL | Engine, revision: str = "head") -> str | None:
    """Bring the schema to ``revision`` and return the revision reached."""
    engine = _as_engine(url_or_engine)
    current = current_revision(engine)
    if current is not None and not _is_known(current):
        raise _newer_than_code(engine, current)
    config = alembic_config()
    try:
        with migration_connection(engine) as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except CommandError as exc:
        raise StorageError(f"Không nâng cấp được cơ sở dữ liệu {mask_url(engine.url)}: {exc}") from exc
    _ready.discard(engine)
    return current_revision(engine)


def ensure_schema(engine: Engine) -> str:
    """Make sure the schema is at head before the engine is used; return the head revision.

    SQLite is the zero-setup default, so a new or outdated file is upgraded on the spot.
    PostgreSQL is shared by several processes and run by an admin: upgrading it is an explicit
    step (``baocao db upgrade``), so here we only refuse to work on an outdated schema.
    The check runs once per engine.
    """
    head = head_revision()
    if engine in _ready:
        return head
    current = current_revision(engine)
    if current != head:
        if current is not None and not _is_known(current):
            raise _newer_than_code(engine, current)
        if engine.dialect.name != "sqlite":
            raise DatabaseNotReady(
                f"Cơ sở dữ liệu {mask_url(engine.url)} chưa ở phiên bản mới nhất "
                f"(đang ở: {current or 'chưa có bảng nào'}, cần: {head}). "
                "Hãy chạy `baocao db upgrade` trước.",
                current=current,
                head=head,
            )
        upgrade(engine, head)
    _ready.add(engine)
    return head


def open_database(url: str | URL, *, timeout_s: float | None = None) -> Engine:
    """The engine for ``url`` with its schema checked; what the bot and dispatcher call first."""
    engine = get_engine(url, timeout_s=timeout_s)
    ensure_schema(engine)
    return engine
