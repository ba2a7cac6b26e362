"""Store each run's warning point, so the warning scan is an index range.

The warning predicate ``now >= started_at + (deadline - started_at) * threshold`` depends on
two columns, so an index on ``deadline`` cannot bound it: with nothing due, the scan walked
every open run (about 1 s per scan at 1M open runs). The point is now computed when a run
starts and indexed. Open runs get it here with the default threshold, 0.75.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from totrackit.db.types import Timestamp

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# Adds a nullable column, and swaps one partial index for another; code that
# predates the column never writes or reads it, and indexes only change how fast it reads.
phase: str = "expand"

# Migrations keep their own copies of these definitions so that later changes to the code's
# tables never rewrite history.
UNWARNED = sa.text(
    "status = 'ACTIVE' AND warning_due_at IS NOT NULL AND deadline_warned_at IS NULL "
    "AND deadline_notified_at IS NULL"
)
OLD_UNWARNED = sa.text("status = 'ACTIVE' AND deadline IS NOT NULL AND deadline_warned_at IS NULL")
DEFAULT_THRESHOLD = 0.75


def upgrade() -> None:
    op.add_column("processes", sa.Column("warning_due_at", Timestamp(), nullable=True))
    point = f"started_at + (deadline - started_at) * {DEFAULT_THRESHOLD}"
    if op.get_bind().dialect.name == "sqlite":  # integer microseconds there
        point = f"CAST({point} AS INTEGER)"
    op.execute(
        f"UPDATE processes SET warning_due_at = {point} WHERE status = 'ACTIVE' "
        "AND deadline IS NOT NULL AND deadline > started_at AND deadline_warned_at IS NULL "
        "AND deadline_notified_at IS NULL"
    )
    op.drop_index("ix_processes_unwarned_deadline", table_name="processes")
    op.create_index(
        "ix_processes_unwarned_warning_due_at",
        "processes",
        ["warning_due_at"],
        postgresql_where=UNWARNED,
        sqlite_where=UNWARNED,
    )


def downgrade() -> None:
    op.drop_index("ix_processes_unwarned_warning_due_at", table_name="processes")
    op.create_index(
        "ix_processes_unwarned_deadline",
        "processes",
        ["deadline"],
        postgresql_where=OLD_UNWARNED,
        sqlite_where=OLD_UNWARNED,
    )
    with op.batch_alter_table("processes") as batch:
        batch.drop_column("warning_due_at")
