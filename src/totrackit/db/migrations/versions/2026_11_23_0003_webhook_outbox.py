"""Create the webhook_outbox table of the deadline engine.

Deadline events are written here in the transaction that marks their run, then delivered (at
least once) to the configured receivers; one row per (event, receiver).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from totrackit.db.types import Timestamp

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# Adds a table; code that does not know it never touches it.
phase: str = "expand"

# Migrations keep their own copies of these definitions so that later changes to the code's
# tables never rewrite history.
BigIntId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
PENDING_ONLY = sa.text("status = 'PENDING'")


def upgrade() -> None:
    op.create_table(
        "webhook_outbox",
        sa.Column("id", BigIntId, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(40), nullable=False),
        sa.Column("endpoint", sa.String(100), nullable=False),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("process_pk", sa.BigInteger(), nullable=False),
        sa.Column("process_name", sa.String(100), nullable=False),
        sa.Column("process_id", sa.String(50), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False),
        sa.Column("enqueued_at", Timestamp(), nullable=False),
        sa.Column("next_attempt_at", Timestamp(), nullable=False),
        sa.Column("last_attempt_at", Timestamp(), nullable=True),
        sa.Column("delivered_at", Timestamp(), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.CheckConstraint(
            "status IN ('PENDING', 'DELIVERED', 'DEAD')", name=op.f("ck_webhook_outbox_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_outbox")),
    )
    op.create_index("uq_webhook_outbox_event_id", "webhook_outbox", ["event_id"], unique=True)
    op.create_index(
        "ix_webhook_outbox_next_attempt_at",
        "webhook_outbox",
        ["next_attempt_at"],
        postgresql_where=PENDING_ONLY,
        sqlite_where=PENDING_ONLY,
    )
    op.create_index(
        "ix_webhook_outbox_status_created_at", "webhook_outbox", ["status", "created_at"]
    )


def downgrade() -> None:
    op.drop_table("webhook_outbox")
