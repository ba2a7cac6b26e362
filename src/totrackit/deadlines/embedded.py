"""The deadline engine inside the API process (`totrackit serve`), loaded only when it runs.

`totrackit api` never runs the engine, so it does not import it either: the webhook client
(httpx, with the command-line helpers it loads) alone is about 5 MB of an idle process.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncEngine

from totrackit.clock import Clock
from totrackit.deadlines.heartbeat import EngineHeartbeat
from totrackit.settings import DeadlineSettings


@contextlib.asynccontextmanager
async def embedded_engine(
    settings: DeadlineSettings, *, db: AsyncEngine, clock: Clock
) -> AsyncIterator[EngineHeartbeat | None]:
    """Run the engine for the duration of the block when ``settings.run_engine`` is set."""
    if not settings.run_engine:
        yield None
        return
    from totrackit.deadlines.runner import DeadlineEngine

    deadlines = DeadlineEngine(settings=settings, db=db, clock=clock)
    await deadlines.start()
    try:
        yield deadlines.heartbeat
    finally:
        await deadlines.stop()
