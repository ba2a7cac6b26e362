"""Analytics use cases: tag impact, workspace summary, per-name rollups."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from totrackit.analytics import repository
from totrackit.analytics.percentiles import stats_from_row
from totrackit.clock import Clock, epoch_seconds


class AnalyticsService:
    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock

    async def tag_impact(
        self, conn: AsyncConnection, *, window_hours: int, name: str | None
    ) -> dict[str, Any]:
        """What the problem runs have in common: counts and latency per tag (contract 3.1)."""
        now = self._clock.now()
        since = now - timedelta(hours=window_hours)
        counts, durations = await repository.tag_totals(conn, now=now, since=since, name=name)
        groups, group_durations = await repository.tag_breakdown(
            conn, now=now, since=since, name=name
        )
        return {
            "window_hours": window_hours,
            "generated_at": epoch_seconds(now),
            "total_processes": int(counts["total"] or 0),
            "problem_processes": int(counts["problems"] or 0),
            "duration": _stats(durations),
            "tags": [
                _tag_entry(group, group_durations.get((group["key"], group["value"])))
                for group in groups
            ],
        }

    async def summary(self, conn: AsyncConnection) -> dict[str, Any]:
        """Headline counts over the whole workspace (contract 3.2)."""
        now = self._clock.now()
        row = await repository.summary(conn, now=now, day_ago=now - timedelta(hours=24))
        return {"generated_at": epoch_seconds(now), **{str(k): int(v or 0) for k, v in row.items()}}

    async def names(self, conn: AsyncConnection, *, limit: int, offset: int) -> dict[str, Any]:
        """Per-name rollups, busiest first (contract 3.3)."""
        rows, total = await repository.name_rollups(
            conn, now=self._clock.now(), limit=limit, offset=offset
        )
        data = [
            {
                **{str(key): value for key, value in row.items() if key != "last_started_at"},
                "last_started_at": epoch_seconds(row["last_started_at"]),
            }
            for row in rows
        ]
        return {
            "data": data,
            "total": total,
            "limit": limit,
            "offset": offset,
            "has_more": offset + len(data) < total,
        }


def _tag_entry(group: Any, durations: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        str(key): (value if key in ("key", "value") else int(value)) for key, value in group.items()
    }
    entry["duration"] = _stats(durations)
    return entry


def _stats(row: Any) -> dict[str, Any] | None:
    stats = stats_from_row(row) if row is not None else None
    return stats.to_wire() if stats else None
