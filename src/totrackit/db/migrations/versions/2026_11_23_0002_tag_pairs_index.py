"""Index tag pairs with GIN on PostgreSQL, for fast multi-tag filters.

An AND of tags becomes one array containment, which GIN answers by intersecting posting lists
(milliseconds even when nothing matches), where separate per-tag checks made the planner walk
the whole table. SQLite keeps using the process_tags table.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# Adds an index and the function it uses; code that predates them never calls either.
phase: str = "expand"

# COST: evaluating it row by row is far dearer than the GIN index that stores its result, and
# the planner must know, or it scans the table calling it. chr(31), the ASCII unit separator, cannot appear in a tag key a client would send, so
# "key<US>value" is unambiguous.
CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION totrackit_tag_pairs(tags jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 10000 AS $$
    SELECT coalesce(array_agg((tag ->> 'key') || chr(31) || (tag ->> 'value')), '{}')
    FROM jsonb_array_elements(
        CASE WHEN jsonb_typeof(tags) = 'array' THEN tags ELSE '[]'::jsonb END
    ) AS tag
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(CREATE_FUNCTION)
    op.execute(
        "CREATE INDEX ix_processes_tag_pairs ON processes USING gin (totrackit_tag_pairs(tags))"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_processes_tag_pairs")
    op.execute("DROP FUNCTION totrackit_tag_pairs(jsonb)")
