"""Alembic environment. Runs on a connection handed in by storage.migrate (the bot and
`psp-bot db upgrade`), or on `sqlalchemy.url` when Alembic's own CLI is used."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from storage.schema import metadata

config = context.config
target_metadata = metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.connect() as conn:
        _run(conn)
