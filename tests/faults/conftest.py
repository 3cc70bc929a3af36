"""The fault suite's fixtures (the shared ones are in tests/conftest.py)."""

from __future__ import annotations

import pytest


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
