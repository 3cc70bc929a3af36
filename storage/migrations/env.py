"""Alembic environment for baocao.

Two ways in: ``storage.db.upgrade()`` passes an open connection in
``config.attributes["connection"]``; the alembic CLI does not, and then the URL comes from
``-x url=...``, ``sqlalchemy.url`` in the ini, or the baocao settings (BAOCAO_DATABASE_URL).
"""

import os
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from storage.db import get_engine, migration_connection, normalize_url
from storage.types import UTCDateTime

config = context.config

if config.config_file_name is not None:  # only when run from the alembic CLI
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _database_url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        # The settings' variable, read directly: storage imports nothing from the command line.
        url = os.environ.get("BAOCAO_DATABASE_URL", "sqlite:///baocao.sqlite3")
    return normalize_url(url)


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Migrations must not import application types: a later rename of UTCDateTime would break
    # every old migration. In the database it is a plain timezone-aware DateTime.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        # Always batch: the same migration file must run on SQLite, which cannot ALTER most
        # things; on PostgreSQL batch operations are plain ALTERs.
        render_as_batch=True,
        compare_type=True,
        render_item=_render_item,
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=_database_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    with migration_connection(get_engine(_database_url())) as connection:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
