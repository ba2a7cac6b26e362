"""Alembic environment: runs on a connection handed in by ``totrackit.db.migrate``."""

from __future__ import annotations

from alembic import context

from totrackit.db.migrate import COMPARE_OPTIONS
from totrackit.db.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    **COMPARE_OPTIONS,  # type: ignore[arg-type]
)
with context.begin_transaction():
    context.run_migrations()
