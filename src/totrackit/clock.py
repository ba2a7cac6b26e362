"""Where the service reads the time: one injectable clock, so deadline rules are testable."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def epoch_seconds(moment: datetime) -> int:
    """Whole Unix seconds, rounded down (the wire format of every process timestamp)."""
    return int(moment.timestamp() // 1)
