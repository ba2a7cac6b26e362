"""Where the process is in its life: starting, serving, draining. Readiness is read from here."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Lifecycle:
    started_monotonic: float = field(default_factory=time.monotonic)
    #: True once the database answered and the schema is migrated.
    ready: bool = False
    #: True after SIGTERM: still serving, but telling load balancers to stop sending traffic.
    draining: bool = False
    #: Why the service is not ready yet, for /health/ready and the 503 it answers meanwhile.
    waiting_for: str = "database connection"

    @property
    def uptime_seconds(self) -> float:
        return time.monotonic() - self.started_monotonic
