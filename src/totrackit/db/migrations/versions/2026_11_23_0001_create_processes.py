"""Create the processes and process_tags tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from totrackit.db.types import JSONDocument, Timestamp

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# Creates the first tables: nothing existed before.
phase: str = "expand"

# Migrations keep their own copies of these definitions so that later changes to the code's
# tables never rewrite history.
BigIntId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
ACTIVE_ONLY = sa.text("status = 'ACTIVE'")
UNWARNED = sa.text("status = 'ACTIVE' AND deadline IS NOT NULL AND deadline_warned_at IS NULL")
UNNOTIFIED = sa.text("status = 'ACTIVE' AND deadline IS NOT NULL AND deadline_notified_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "processes",
        sa.Column("id", BigIntId, autoincrement=True, nullable=False),
        sa.Column("process_id", sa.String(50), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_at", Timestamp(), nullable=False),
        sa.Column("completed_at", Timestamp(), nullable=True),
        sa.Column("deadline", Timestamp(), nullable=True),
        sa.Column("tags", JSONDocument, nullable=True),
        sa.Column("context", JSONDocument, nullable=True),
        sa.Column("deadline_warned_at", Timestamp(), nullable=True),
        sa.Column("deadline_notified_at", Timestamp(), nullable=True),
        sa.Column("namespace_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", Timestamp(), nullable=False),
        sa.Column("updated_at", Timestamp(), nullable=False),
        sa.CheckConstraint(
            "status IN ('ACTIVE', 'COMPLETED', 'FAILED')", name=op.f("ck_processes_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processes")),
    )
    op.create_index(
        "uq_processes_active_name_process_id",
        "processes",
        ["name", "process_id"],
        unique=True,
        postgresql_where=ACTIVE_ONLY,
        sqlite_where=ACTIVE_ONLY,
    )
    for name, columns in _LIST_INDEXES:
        op.create_index(name, "processes", columns)
    op.create_index(
        "ix_processes_unwarned_deadline",
        "processes",
        ["deadline"],
        postgresql_where=UNWARNED,
        sqlite_where=UNWARNED,
    )
    op.create_index(
        "ix_processes_unnotified_deadline",
        "processes",
        ["deadline"],
        postgresql_where=UNNOTIFIED,
        sqlite_where=UNNOTIFIED,
    )
    op.create_table(
        "process_tags",
        sa.Column("process_pk", BigIntId, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(50), nullable=False),
        sa.Column("value", sa.String(100), nullable=False),
        sa.Column("started_at", Timestamp(), nullable=False),
        sa.ForeignKeyConstraint(
            ["process_pk"],
            ["processes.id"],
            name=op.f("fk_process_tags_process_pk_processes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("process_pk", "position", name=op.f("pk_process_tags")),
    )
    op.create_index(
        "ix_process_tags_key_value_started_at_process_pk",
        "process_tags",
        ["key", "value", "started_at", "process_pk"],
    )


def downgrade() -> None:
    op.drop_table("process_tags")
    op.drop_table("processes")


_LIST_INDEXES = [
    ("ix_processes_name_process_id", ["name", "process_id"]),
    ("ix_processes_started_at_id", ["started_at", "id"]),
    ("ix_processes_status_started_at_id", ["status", "started_at", "id"]),
    ("ix_processes_name_started_at_id", ["name", "started_at", "id"]),
    ("ix_processes_name_status_started_at_id", ["name", "status", "started_at", "id"]),
    ("ix_processes_deadline_id", ["deadline", "id"]),
    ("ix_processes_completed_at_id", ["completed_at", "id"]),
]
