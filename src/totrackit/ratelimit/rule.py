"""The GCRA rule: a rate such as ``100/minute`` and the decision for one request."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_UNITS = {
    **_SECONDS,
    **{f"{name}s": seconds for name, seconds in _SECONDS.items()},
    **{"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400},
}
_RATE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*([a-z]+)\s*$", re.IGNORECASE)
MICROS = 1_000_000


@dataclass(frozen=True)
class Rate:
    """``limit`` requests per ``period_us`` microseconds."""

    limit: int
    period_us: int
    # Microseconds between two requests at the sustained rate, and the burst allowance as time
    # (exactly ``limit`` intervals). Stored, not computed, because every request reads them.
    interval_us: int = field(init=False, repr=False, compare=False)
    capacity_us: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "interval_us", self.period_us // max(1, self.limit))
        object.__setattr__(self, "capacity_us", self.interval_us * self.limit)

    def __str__(self) -> str:
        names = {seconds * MICROS: name for name, seconds in _SECONDS.items()}
        return f"{self.limit}/{names.get(self.period_us, f'{self.period_us}us')}"


def parse_rate(text: str) -> Rate:
    """``100/minute`` (also ``/second``, ``/hour``, ``/day``, ``/s``, ``/min``, ``10 per hour``)."""
    match = _RATE.match(text)
    unit = match and _UNITS.get(match.group(2).lower())
    if not match or not unit:
        raise ValueError(
            f"expected COUNT/UNIT such as 100/minute (second, minute, hour), not {text!r}"
        )
    rate = Rate(limit=int(match.group(1)), period_us=unit * MICROS)
    if not 1 <= rate.limit <= rate.period_us:
        raise ValueError(f"the count must be between 1 and {rate.period_us:,} for that unit")
    return rate


class Decision(NamedTuple):
    """One request's verdict and what the RateLimit headers say."""

    allowed: bool
    limit: int
    remaining: int
    reset_us: int  # until the allowance is full again
    retry_after_us: int  # until the next request is allowed (0 when this one was)

    def headers(self) -> list[tuple[bytes, bytes]]:
        headers = [
            (b"ratelimit-limit", b"%d" % self.limit),
            (b"ratelimit-remaining", b"%d" % self.remaining),
            (b"ratelimit-reset", b"%d" % -(-self.reset_us // MICROS)),
        ]
        if not self.allowed:
            headers.append((b"retry-after", b"%d" % self.retry_after_seconds))
        return headers

    @property
    def retry_after_seconds(self) -> int:
        return max(1, -(-self.retry_after_us // MICROS))


def allowed(rate: Rate, backlog_us: int) -> Decision:
    """The verdict for an accepted request that leaves ``backlog_us`` of allowance used."""
    remaining = (rate.capacity_us - backlog_us) // rate.interval_us
    return Decision(True, rate.limit, remaining, backlog_us, 0)


def refused(rate: Rate, backlog_us: int) -> Decision:
    """The verdict for a refused request while ``backlog_us`` of allowance is used."""
    wait = backlog_us + rate.interval_us - rate.capacity_us
    return Decision(False, rate.limit, 0, backlog_us, wait)
