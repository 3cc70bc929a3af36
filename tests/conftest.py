"""Fixtures shared by every test package.

Database tests run once per backend: ``database_url`` is parametrised over ``sqlite`` (a new
file per test) and ``postgresql`` (only when ``BAOCAO_TEST_DATABASE_URL`` is set, else
skipped). For PostgreSQL a fresh database is created for the test session and dropped at the
end; each test gets its own schema in it (via ``search_path``), so tests share no state and
no test run sees another's leftovers.

Feature packages add their own fixtures in their own ``conftest.py``; keep this one small.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

PG_ENV = "BAOCAO_TEST_DATABASE_URL"


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[tuple[str, Engine]]:
    """``(url, autocommit engine)`` of a PostgreSQL database created for this test session."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} not set: PostgreSQL variant skipped")
    from storage.db import dispose_all, normalize_url

    server_url = make_url(normalize_url(base))
    name = f"baocao_test_{uuid.uuid4().hex[:12]}"
    server = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    test_url = server_url.set(database=name)
    admin = create_engine(test_url, isolation_level="AUTOCOMMIT")
    try:
        yield test_url.render_as_string(hide_password=False), admin
    finally:
        admin.dispose()
        dispose_all()
        with server.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.dispose()


@pytest.fixture
def pg_url(pg_admin: tuple[str, Engine]) -> Iterator[str]:
    """A URL whose connections work in a new, empty schema of the session's test database."""
    from storage.db import dispose_engine

    url, admin = pg_admin
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    scoped_url = scoped.render_as_string(hide_password=False)
    try:
        yield scoped_url
    finally:
        dispose_engine(scoped_url)
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    from storage.db import dispose_engine

    url = f"sqlite:///{tmp_path / 'baocao.sqlite3'}"
    try:
        yield url
    finally:
        dispose_engine(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """An empty database, once per backend."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def engine(database_url: str) -> Engine:
    """The engine for ``database_url`` with the schema migrated to head."""
    from storage.db import get_engine, upgrade

    engine = get_engine(database_url)
    upgrade(engine)
    return engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    from storage.db import get_session

    with get_session(engine) as session:
        yield session


@pytest.fixture(autouse=True)
def _no_proxy_for_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    # httpx (used by python-telegram-bot) honours proxy variables; loopback must bypass them.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,::1")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost,::1")


@pytest.fixture
async def standin():
    """A started Telegram Bot API stand-in without rate limits; stopped after the test."""
    from baocao.demo.telegram_api import BotApiStandIn

    async with BotApiStandIn() as server:
        yield server
