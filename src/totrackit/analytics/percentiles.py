"""Duration statistics with linear-interpolated percentiles (PostgreSQL ``percentile_cont``).

The database returns, per group, the count, the sum and the two order statistics around each
percentile's position ``p * (n - 1)``; interpolating between them here gives the same result on
PostgreSQL and SQLite.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PERCENTILES = {"p50": 500, "p90": 900, "p99": 990}  # per mille, so SQL can use integer division


@dataclass(frozen=True)
class DurationStats:
    count: int
    avg_seconds: float
    p50_seconds: float
    p90_seconds: float
    p99_seconds: float

    def to_wire(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "avg_seconds": self.avg_seconds,
            "p50_seconds": self.p50_seconds,
            "p90_seconds": self.p90_seconds,
            "p99_seconds": self.p99_seconds,
        }


def lower_rank(count_minus_one: Any, per_mille: int) -> Any:
    """Zero-based rank of the order statistic at or below the percentile (a SQL expression)."""
    return count_minus_one * per_mille // 1000


def stats_from_row(row: Mapping[Any, Any]) -> DurationStats | None:
    """Build the stats from a row with ``n``, ``total`` and ``<p>_lo``/``<p>_hi`` columns."""
    count = int(row["n"] or 0)
    if count == 0:
        return None
    values = {
        name: _interpolate(per_mille / 1000 * (count - 1), row[f"{name}_lo"], row[f"{name}_hi"])
        for name, per_mille in PERCENTILES.items()
    }
    return DurationStats(
        count=count,
        avg_seconds=round_half_up(float(row["total"]) / count),
        p50_seconds=round_half_up(values["p50"]),
        p90_seconds=round_half_up(values["p90"]),
        p99_seconds=round_half_up(values["p99"]),
    )


def interpolated_percentile(sorted_values: list[float], fraction: float) -> float:
    """Reference implementation of ``percentile_cont`` over already sorted values."""
    position = fraction * (len(sorted_values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return _interpolate(position, sorted_values[low], sorted_values[high])


def round_half_up(value: float) -> float:
    """One decimal, halves rounded up (Java's ``Math.round(x * 10) / 10.0``)."""
    return math.floor(value * 10 + 0.5) / 10


def _interpolate(position: float, low: Any, high: Any) -> float:
    fraction = position - math.floor(position)
    low_value = float(low)
    if high is None or fraction == 0:
        return low_value
    return low_value + fraction * (float(high) - low_value)
