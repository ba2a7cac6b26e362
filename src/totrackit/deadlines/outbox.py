"""Operator actions on the webhook outbox: inspect events, and replay them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from totrackit.clock import Clock
from totrackit.deadlines import repository as repo
from totrackit.deadlines.models import OutboxEvent, OutboxStatus


async def list_events(
    db: AsyncEngine, *, status: OutboxStatus | None, limit: int
) -> list[OutboxEvent]:
    """The newest outbox events, optionally of one status."""
    async with db.connect() as conn:
        return await repo.list_events(conn, status=status, limit=limit)


async def replay(db: AsyncEngine, *, clock: Clock, event_id: str | None, dead: bool) -> int:
    """Queue events for delivery again, due now and with a fresh max age; same webhook-id.

    ``event_id`` replays one event whatever its state; ``dead`` replays every dead event.
    """
    if event_id is None and not dead:
        raise ValueError("name an event or ask for the dead ones")
    async with db.begin() as conn:
        return await repo.requeue(conn, now=clock.now(), event_id=event_id, dead_only=dead)
