"""Progress of a long transfer on stderr: count, rate and time left, on one rewritten line.

Quiet when stderr is not a terminal (logs and pipes get the final summary only) or when asked.
The total may be a number of items or of bytes read; the estimate uses whichever is known.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

REFRESH_SECONDS = 0.25


class Progress:
    def __init__(
        self,
        what: str,
        *,
        total: int | None = None,
        unit: str = "runs",
        stream: TextIO | None = None,
        enabled: bool | None = None,
    ) -> None:
        self._what, self._unit, self.total = what, unit, total
        self._stream = stream or sys.stderr
        self._enabled = self._stream.isatty() if enabled is None else enabled
        self._started = time.monotonic()
        self._shown_at = 0.0
        self.count = 0
        self.done_fraction: float | None = None

    def advance(self, count: int = 1, *, fraction: float | None = None) -> None:
        """``count`` more items; ``fraction`` (0..1) of the work done, when known otherwise."""
        self.count += count
        if fraction is not None:
            self.done_fraction = fraction
        now = time.monotonic()
        if self._enabled and now - self._shown_at >= REFRESH_SECONDS:
            self._shown_at = now
            self._stream.write(f"\r{self.line(now)}\x1b[K")
            self._stream.flush()

    def finish(self) -> None:
        if self._enabled:
            self._stream.write(f"\r{self.line(time.monotonic())}\x1b[K\n")
            self._stream.flush()

    @property
    def rate(self) -> float:
        return self.count / max(time.monotonic() - self._started, 1e-9)

    def line(self, now: float) -> str:
        elapsed = max(now - self._started, 1e-9)
        rate = self.count / elapsed
        text = f"{self._what}: {self.count:,} {self._unit}"
        fraction = self.done_fraction
        if fraction is None and self.total:
            fraction = self.count / self.total
            text += f" of {self.total:,}"
        text += f", {rate:,.0f}/s"
        if fraction:
            fraction = min(fraction, 1.0)
            text += f", {fraction:.0%}, ETA {_clock(elapsed * (1 - fraction) / fraction)}"
        return text


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"
