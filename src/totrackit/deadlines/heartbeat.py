"""Proof that the engine makes progress, read by the health endpoints.

Liveness must fail when the loops stop turning, not only when the process dies: a scan stuck
on a hung connection or a blocked event loop leaves the process alive but useless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

# A loop is stalled after this many intervals without completing a cycle.
STALL_INTERVALS = 3


@dataclass
class EngineHeartbeat:
    scan_interval: timedelta
    # A delivery round may legitimately wait this long for its slowest receiver.
    delivery_allowance: timedelta
    started_at: datetime
    last_scan_at: datetime | None = None
    last_delivery_at: datetime | None = None
    # When each loop last finished a cycle, successful or not: a scan that fails because the
    # database is down still turns the loop (restarting the process would not help), a scan
    # that hangs does not.
    last_scan_cycle_at: datetime | None = None
    last_delivery_cycle_at: datetime | None = None

    def scanned(self, now: datetime) -> None:
        self.last_scan_at = now

    def delivered(self, now: datetime) -> None:
        self.last_delivery_at = now

    def is_stalled(self, now: datetime) -> bool:
        """No completed scan (or delivery round) for 3 intervals (plus a request timeout)."""
        limit = self.scan_interval * STALL_INTERVALS
        scan_stalled = now - (self.last_scan_at or self.started_at) > limit
        delivery_since = self.last_delivery_at or self.started_at
        return scan_stalled or now - delivery_since > limit + self.delivery_allowance

    def scan_cycled(self, now: datetime) -> None:
        self.last_scan_cycle_at = now

    def delivery_cycled(self, now: datetime) -> None:
        self.last_delivery_cycle_at = now

    def stall_reason(self, now: datetime) -> str | None:
        """Why the engine's loops have stopped turning (for the process watchdog), or None."""
        limit = self.scan_interval * STALL_INTERVALS
        scan_since = self.last_scan_cycle_at or self.started_at
        if now - scan_since > limit:
            return f"the deadline scan has not finished a cycle since {_iso(scan_since)}"
        delivery_since = self.last_delivery_cycle_at or self.started_at
        if now - delivery_since > limit + self.delivery_allowance:
            return f"webhook delivery has not finished a cycle since {_iso(delivery_since)}"
        return None

    def to_health(self, now: datetime) -> dict[str, Any]:
        """The ``worker`` health component."""
        return {
            "status": "DOWN" if self.is_stalled(now) else "UP",
            "lastScanAt": _iso(self.last_scan_at),
            "lastDeliveryAt": _iso(self.last_delivery_at),
            "scanIntervalSeconds": self.scan_interval.total_seconds(),
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None
