"""The fault suite's fixtures (the shared ones are in tests/conftest.py).

One pass per database. CI runs ``pytest`` twice: on SQLite, then with
``BAOCAO_TEST_DATABASE_URL`` set. Elsewhere in the tests the second pass runs the SQLite
variants again; here it does not, because the fault cases are minutes, not milliseconds: the
SQLite pass runs the SQLite variants (and the SQLite-only cases), the PostgreSQL pass the
PostgreSQL variants (and the PostgreSQL-only cases). ``BAOCAO_FAULT_BOTH=1`` runs every
variant the database settings allow, in one pass.
"""

from __future__ import annotations

import os

import pytest

PG_PASS = bool(os.environ.get("BAOCAO_TEST_DATABASE_URL"))
BOTH = os.environ.get("BAOCAO_FAULT_BOTH") == "1"
SQLITE_RAN = "the SQLite variant runs in the SQLite pass (without BAOCAO_TEST_DATABASE_URL); BAOCAO_FAULT_BOTH=1 runs it here too"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """As tests/conftest.py's, with the SQLite variant left to the SQLite pass."""
    if request.param == "sqlite" and PG_PASS and not BOTH:
        pytest.skip(SQLITE_RAN)
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def sqlite_only_url(sqlite_url: str) -> str:
    """For the SQLite-only cases, which run in the SQLite pass."""
    if PG_PASS and not BOTH:
        pytest.skip(SQLITE_RAN)
    return sqlite_url


@pytest.fixture
def backend(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


@pytest.fixture
def pg_engine(pg_url: str):
    """PostgreSQL only (skipped without BAOCAO_TEST_DATABASE_URL): the engine of a fresh
    schema at head (``baocao db upgrade``'s job in production)."""
    from storage.db import get_engine, upgrade

    engine = get_engine(pg_url)
    upgrade(engine)
    return engine
