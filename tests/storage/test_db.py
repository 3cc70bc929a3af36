"""Engines, sessions and schema checks: what a component sees when it opens the database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import select

from storage import db
from storage.models import AuditLog, Contact

T0 = datetime(2024, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@h:5432/d", "postgresql+psycopg://u:p@h:5432/d"),
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:///baocao.sqlite3", "sqlite:///baocao.sqlite3"),
        ("sqlite:////var/lib/baocao/db.sqlite3", "sqlite:////var/lib/baocao/db.sqlite3"),
    ],
)
def test_normalize_url(given: str, expected: str) -> None:
    assert db.normalize_url(given) == expected


def test_normalize_url_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="không hợp lệ"):
        db.normalize_url("not a url")


def test_mask_url_hides_the_password() -> None:
    assert (
        db.mask_url("postgresql://baocao:s3cret@db.example:5432/baocao")
        == "postgresql://baocao:***@db.example:5432/baocao"
    )
    assert "s3cret" not in db.mask_url("postgresql://baocao:s3cret@@weird")


def test_get_engine_is_cached_per_url(sqlite_url: str) -> None:
    assert db.get_engine(sqlite_url) is db.get_engine(sqlite_url)


def test_sqlite_new_file_is_upgraded_on_first_use(tmp_path) -> None:
    path = tmp_path / "fresh.sqlite3"
    url = f"sqlite:///{path}"
    try:
        assert not path.exists()
        engine = db.open_database(url)
        assert path.exists()
        assert db.current_revision(engine) == db.head_revision()
        assert "outbox" in inspect(engine).get_table_names()
        # Second use: nothing to do, same engine.
        assert db.open_database(url) is engine
    finally:
        db.dispose_engine(url)


def test_ensure_schema_on_an_empty_database(database_url: str) -> None:
    """SQLite upgrades itself; PostgreSQL asks the admin to run `baocao db upgrade`."""
    engine = db.get_engine(database_url)
    if engine.dialect.name == "sqlite":
        assert db.ensure_schema(engine) == db.head_revision()
        assert db.current_revision(engine) == db.head_revision()
    else:
        with pytest.raises(db.DatabaseNotReady, match="baocao db upgrade") as caught:
            db.ensure_schema(engine)
        assert caught.value.current is None and caught.value.head == db.head_revision()
        assert db.current_revision(engine) is None  # nothing was changed behind the admin's back
        db.upgrade(engine)
        assert db.ensure_schema(engine) == db.head_revision()


def test_database_newer_than_the_code_is_refused(engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(db.DatabaseNotReady, match="9999"):
        db.ensure_schema(engine)
    with pytest.raises(db.DatabaseNotReady, match="9999"):
        db.upgrade(engine)


def test_unreachable_postgresql_is_database_unavailable() -> None:
    url = "postgresql://postgres:secret@127.0.0.1:1/test"
    try:
        with pytest.raises(db.DatabaseUnavailable) as caught:
            db.open_database(url)
    finally:
        db.dispose_engine(url)
    message = str(caught.value)
    assert "127.0.0.1:1" in message and "Không kết nối được" in message
    assert "secret" not in message
    assert isinstance(caught.value.error, OperationalError)
    assert caught.value.__cause__ is not None  # the driver's error, for --debug


def test_unreachable_postgresql_in_a_session_is_database_unavailable() -> None:
    url = "postgresql://postgres@127.0.0.1:1/test"
    try:
        with pytest.raises(db.DatabaseUnavailable), db.session_scope(db.get_engine(url)) as session:
            session.exec(select(AuditLog)).all()
    finally:
        db.dispose_engine(url)


def test_unopenable_sqlite_file_is_database_unavailable(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'missing-dir' / 'baocao.sqlite3'}"
    try:
        with pytest.raises(db.DatabaseUnavailable, match="missing-dir"):
            db.open_database(url)
    finally:
        db.dispose_engine(url)


def test_statement_errors_are_not_mistaken_for_unavailability(database_url: str) -> None:
    # SQLite reports "no such table" as an OperationalError too; it must stay what it is.
    engine = db.get_engine(database_url)
    with pytest.raises(Exception) as caught, db.session_scope(engine) as session:
        session.exec(select(AuditLog)).all()
    assert not isinstance(caught.value, db.DatabaseUnavailable)


def test_foreign_keys_are_enforced(session) -> None:
    session.add(Contact(channel="telegram", chat_id="1", user_id="1", agency_id="no-such-agency", role="focal", created_at=T0))
    with pytest.raises(IntegrityError):
        session.flush()


def test_session_scope_commits_or_rolls_back(engine) -> None:
    with db.session_scope(engine) as session:
        session.add(AuditLog(at=T0, actor="t", action="kept"))
    with pytest.raises(RuntimeError), db.session_scope(engine) as session:
        session.add(AuditLog(at=T0, actor="t", action="dropped"))
        session.flush()
        raise RuntimeError("boom")
    with db.session_scope(engine) as session:
        actions = session.exec(select(AuditLog.action)).all()
        row = session.exec(select(AuditLog)).one()
    assert actions == ["kept"]
    assert row.actor == "t"  # still readable after commit and close (expire_on_commit=False)


def test_concurrent_first_use_of_a_sqlite_file(tmp_path) -> None:
    """Two processes (here: two engines) starting on a new file both end up at head."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    engines = [db._create_engine(db.normalize_url(url)) for _ in range(3)]
    barrier = Barrier(len(engines))

    def start(engine):
        barrier.wait()
        return db.ensure_schema(engine)

    try:
        with ThreadPoolExecutor(len(engines)) as pool:
            results = list(pool.map(start, engines))
    finally:
        for engine in engines:
            engine.dispose()
    assert results == [db.head_revision()] * len(engines)


def test_connecting_to_a_new_file_another_connection_holds_waits_instead_of_failing(tmp_path) -> None:
    """Switching a new file to WAL gets "database is locked" at once, without the busy
    handler, while another connection writes to it (the second process starting while the
    first migrates): the connection waits for it instead."""
    import sqlite3
    import threading

    path = tmp_path / "new.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("CREATE TABLE t (x)")
    release = threading.Timer(0.5, lambda: holder.execute("COMMIT"))
    release.start()
    engine = db._create_engine(db.normalize_url(f"sqlite:///{path}"))
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        release.join()
        holder.close()
        engine.dispose()


def test_sqlite_begin_immediate_option(sqlite_url: str, tmp_path) -> None:
    import sqlite3

    db.upgrade(sqlite_url)
    engine = db.get_engine(sqlite_url).execution_options(sqlite_begin="IMMEDIATE")
    other = sqlite3.connect(tmp_path / "baocao.sqlite3", timeout=0, isolation_level=None)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("SELECT 1")
            # The write lock is taken at BEGIN, before anything was written.
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()
    with (
        pytest.raises(ValueError, match="sqlite_begin"),
        db.get_engine(sqlite_url).execution_options(sqlite_begin="NOW").begin(),
    ):
        pass
