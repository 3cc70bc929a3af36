"""The migrations build the schema the models describe, on every backend."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from storage.db import (
    alembic_config,
    current_revision,
    get_engine,
    head_revision,
    migration_connection,
    upgrade,
)

TABLES = {
    "agency",
    "contact",
    "invitation",
    "obligation",
    "report",
    "report_entry",
    "outbox",
    "inbox",
    "conversation_state",
    "audit_log",
}


def _diff(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)


def test_upgrade_from_empty_to_head(database_url: str) -> None:
    engine = get_engine(database_url)
    assert current_revision(engine) is None

    reached = upgrade(engine)

    assert reached == head_revision() == current_revision(engine)
    assert TABLES <= set(inspect(engine).get_table_names())


def test_models_match_migrations(engine) -> None:
    assert _diff(engine) == []


def test_upgrade_twice_is_a_no_op(engine) -> None:
    assert upgrade(engine) == head_revision()
    assert _diff(engine) == []


def test_downgrade_to_base_and_back(engine) -> None:
    config = alembic_config()
    with migration_connection(engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert current_revision(engine) is None
    assert not TABLES & set(inspect(engine).get_table_names())

    upgrade(engine)
    assert _diff(engine) == []


def test_naming_convention_names_constraints(engine) -> None:
    inspector = inspect(engine)
    uniques = {constraint["name"] for constraint in inspector.get_unique_constraints("outbox")}
    assert "uq_outbox_key" in uniques
    indexes = {index["name"] for index in inspector.get_indexes("outbox")}
    assert "ix_outbox_status_not_before" in indexes
    foreign_keys = {fk["name"] for fk in inspector.get_foreign_keys("report_entry")}
    assert "fk_report_entry_report_id_report" in foreign_keys
