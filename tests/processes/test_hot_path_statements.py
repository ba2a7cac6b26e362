"""The create, read and complete path: what it writes, and that its SQL is compiled only once.

SQLAlchemy compiles a statement whose construct has no cache key again on every execution,
which cost a sixth of a create's CPU; every statement on this path must come from the cache
once it has run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import event, select
from sqlalchemy.engine import Connection
from sqlalchemy.engine.default import CacheStats, DefaultExecutionContext
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import finish_run, start_run
from totrackit.db.tables import process_tags, processes


@contextmanager
def cache_use(client: httpx.AsyncClient) -> Iterator[list[tuple[str, CacheStats]]]:
    """(first SQL keyword, compiled-cache outcome) of each statement the app runs meanwhile."""
    db: AsyncEngine = client._transport.app.state.totrackit.db  # type: ignore[attr-defined]
    seen: list[tuple[str, CacheStats]] = []

    def note(
        conn: Connection,
        cursor: object,
        statement: str,
        parameters: object,
        context: DefaultExecutionContext,
        executemany: bool,
    ) -> None:
        seen.append((statement.split()[0], context.cache_hit))

    event.listen(db.sync_engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.sync_engine, "before_cursor_execute", note)


async def test_every_statement_of_create_read_and_complete_comes_from_the_cache(
    client: httpx.AsyncClient,
) -> None:
    tags = {"country": "DE", "channel": "web"}
    await start_run(client, "billing", "warm-up", tags=tags)
    await client.get("/processes/billing/warm-up")
    await finish_run(client, "billing", "warm-up")

    with cache_use(client) as recorded:
        await start_run(client, "billing", "run-1", tags=tags, context={"customer": "C1"})
        await start_run(client, "billing", "run-2")
        await client.get("/processes/billing/run-1")
        await finish_run(client, "billing", "run-1")
        refused = await client.post("/processes/billing", json={"id": "run-2"})

    assert refused.status_code == 409
    assert recorded, "no statement was seen"
    assert [stats for _, stats in recorded] == [CacheStats.CACHE_HIT] * len(recorded), recorded


async def test_a_create_writes_one_tag_row_per_tag_in_order(
    client: httpx.AsyncClient, db: AsyncEngine
) -> None:
    tags = [("country", "DE"), ("channel", "web"), ("country", "FR")]
    await start_run(client, "billing", "run-1", tags=tags)
    await start_run(client, "billing", "untagged")

    async with db.connect() as conn:
        run = (await conn.execute(select(processes).where(processes.c.process_id == "run-1"))).one()
        rows = (
            await conn.execute(
                select(process_tags).order_by(process_tags.c.process_pk, process_tags.c.position)
            )
        ).all()

    assert [(row.process_pk, row.position, row.key, row.value) for row in rows] == [
        (run.id, 0, "country", "DE"),
        (run.id, 1, "channel", "web"),
        (run.id, 2, "country", "FR"),
    ]
    assert {row.started_at for row in rows} == {run.started_at}
    assert run.tags == [{"key": key, "value": value} for key, value in tags]
