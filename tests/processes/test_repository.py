"""The list query's two tag strategies return the same runs (contract 1.7 tags)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import FakeClock, start_run
from totrackit.processes import repository
from totrackit.processes.query import ListFilter, Sort


@pytest.mark.parametrize("cap", [0, 1, 1000])
async def test_tag_filters_match_the_same_runs_whether_resolved_up_front_or_not(
    client: httpx.AsyncClient, db: AsyncEngine, clock: FakeClock, cap: int
) -> None:
    await start_run(client, "p", "de-web", tags={"country": "DE", "channel": "web"})
    await start_run(client, "p", "de-web-2", tags={"channel": "web", "country": "DE"})
    await start_run(client, "p", "de-app", tags={"country": "DE", "channel": "app"})
    where = ListFilter(tags={"country": "DE", "channel": "web"})

    async with db.connect() as conn:
        resolved = await repository.resolve_tags(conn, where=where, cap=cap)
        runs = await repository.list_runs(
            conn, where=resolved, sort=Sort(), limit=10, offset=0, now=clock.now()
        )
        total = await repository.count_runs(conn, where=resolved, now=clock.now(), cap=None)

    assert [run.process_id for run in runs] == ["de-web-2", "de-web"]
    assert total == 2


async def test_a_resolved_filter_with_no_match_lists_nothing(
    client: httpx.AsyncClient, db: AsyncEngine, clock: FakeClock
) -> None:
    await start_run(client, "p", "de-web", tags={"country": "DE", "channel": "web"})
    where = ListFilter(tags={"country": "DE", "channel": "app"})

    async with db.connect() as conn:
        resolved = await repository.resolve_tags(conn, where=where, cap=1000)
        runs = await repository.list_runs(
            conn, where=resolved, sort=Sort(), limit=10, offset=0, now=clock.now()
        )

    assert runs == []
