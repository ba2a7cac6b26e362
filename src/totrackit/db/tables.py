"""The schema, as SQLAlchemy Core tables. Migrations in ``totrackit/db/migrations`` build it.

``processes`` holds one row per run. ``process_tags`` repeats each run's tags one row per tag so
that tag filters and per-tag analytics are index-backed on both databases (a JSON column alone
has no usable index on SQLite, and PostgreSQL's planner cannot estimate JSONB containment).
``webhook_outbox`` holds deadline events until a receiver has them (the deadline engine).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from totrackit.db.types import JSONDocument, Timestamp

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# BIGINT on PostgreSQL; SQLite only auto-increments a column declared exactly INTEGER.
BigIntId = BigInteger().with_variant(Integer(), "sqlite")

ACTIVE_ONLY = text("status = 'ACTIVE'")
# ACTIVE runs whose deadline warning may still come: warning_due_at is set at the start, and a
# run already notified as missed leaves the index (its warning can no longer fire).
UNWARNED = text(
    "status = 'ACTIVE' AND warning_due_at IS NOT NULL AND deadline_warned_at IS NULL "
    "AND deadline_notified_at IS NULL"
)
UNNOTIFIED = text("status = 'ACTIVE' AND deadline IS NOT NULL AND deadline_notified_at IS NULL")

processes = Table(
    "processes",
    metadata,
    Column("id", BigIntId, primary_key=True, autoincrement=True),
    Column("process_id", String(50), nullable=False),
    Column("name", String(100), nullable=False),
    Column("status", String(20), nullable=False),
    Column("started_at", Timestamp(), nullable=False),
    Column("completed_at", Timestamp()),
    Column("deadline", Timestamp()),
    Column("tags", JSONDocument),
    Column("context", JSONDocument),
    Column("deadline_warned_at", Timestamp()),
    Column("deadline_notified_at", Timestamp()),
    Column("namespace_id", BigInteger()),
    Column("created_at", Timestamp(), nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
    # started_at + (deadline - started_at) * warning threshold: when the warning is due.
    Column("warning_due_at", Timestamp()),
    CheckConstraint("status IN ('ACTIVE', 'COMPLETED', 'FAILED')", name="status"),
    # Only one ACTIVE run per (name, id); finished runs may share the id (contract 2.4).
    Index(
        "uq_processes_active_name_process_id",
        "name",
        "process_id",
        unique=True,
        postgresql_where=ACTIVE_ONLY,
        sqlite_where=ACTIVE_ONLY,
    ),
    Index("ix_processes_name_process_id", "name", "process_id"),
    # Every list sort order ends with "id DESC", so each list index carries it.
    Index("ix_processes_started_at_id", "started_at", "id"),
    Index("ix_processes_status_started_at_id", "status", "started_at", "id"),
    Index("ix_processes_name_started_at_id", "name", "started_at", "id"),
    Index("ix_processes_name_status_started_at_id", "name", "status", "started_at", "id"),
    Index("ix_processes_deadline_id", "deadline", "id"),
    Index("ix_processes_completed_at_id", "completed_at", "id"),
    # The deadline scanners read these small partial indexes as exact ranges: "warning due by
    # now" and "deadline passed by now" (an index on deadline alone cannot bound the warning
    # predicate, which also depends on started_at).
    Index(
        "ix_processes_unwarned_warning_due_at",
        "warning_due_at",
        postgresql_where=UNWARNED,
        sqlite_where=UNWARNED,
    ),
    Index(
        "ix_processes_unnotified_deadline",
        "deadline",
        postgresql_where=UNNOTIFIED,
        sqlite_where=UNNOTIFIED,
    ),
)

process_tags = Table(
    "process_tags",
    metadata,
    Column(
        "process_pk",
        BigIntId,
        ForeignKey("processes.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("position", Integer, primary_key=True),
    Column("key", String(50), nullable=False),
    Column("value", String(100), nullable=False),
    # Copied from the run (it never changes) so a tag's runs can be walked newest first.
    Column("started_at", Timestamp(), nullable=False),
    Index(
        "ix_process_tags_key_value_started_at_process_pk",
        "key",
        "value",
        "started_at",
        "process_pk",
    ),
)

OUTBOX_STATUSES = "status IN ('PENDING', 'DELIVERED', 'DEAD')"
PENDING_ONLY = text("status = 'PENDING'")

# One row per (event, receiver): written in the transaction that marks the run, so an event
# exists exactly when its run is marked, and each receiver's delivery is tracked on its own.
webhook_outbox = Table(
    "webhook_outbox",
    metadata,
    Column("id", BigIntId, primary_key=True, autoincrement=True),
    # The Standard Webhooks webhook-id: the receiver's idempotency key, the same on every retry.
    Column("event_id", String(40), nullable=False),
    Column("endpoint", String(100), nullable=False),
    Column("event", String(40), nullable=False),
    # No foreign key: deleting a run must not drop an event that is already due.
    Column("process_pk", BigInteger(), nullable=False),
    Column("process_name", String(100), nullable=False),
    Column("process_id", String(50), nullable=False),
    # The exact body bytes, so every retry sends (and signs) the same document.
    Column("payload", Text(), nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer(), nullable=False),
    Column("created_at", Timestamp(), nullable=False),
    # When the event (re-)entered the queue: the max age counts from here, and replay resets it.
    Column("enqueued_at", Timestamp(), nullable=False),
    # Due time of the next attempt; a claim pushes it past the claim's lease.
    Column("next_attempt_at", Timestamp(), nullable=False),
    Column("last_attempt_at", Timestamp()),
    Column("delivered_at", Timestamp()),
    Column("last_status_code", Integer()),
    Column("last_error", String(500)),
    CheckConstraint(OUTBOX_STATUSES, name="status"),
    Index("uq_webhook_outbox_event_id", "event_id", unique=True),
    Index(
        "ix_webhook_outbox_next_attempt_at",
        "next_attempt_at",
        postgresql_where=PENDING_ONLY,
        sqlite_where=PENDING_ONLY,
    ),
    Index("ix_webhook_outbox_status_created_at", "status", "created_at"),
)
