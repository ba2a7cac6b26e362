"""What the running application holds: created in the lifespan, disposed on shutdown."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from totrackit.analytics.service import AnalyticsService
from totrackit.clock import Clock
from totrackit.deadlines.heartbeat import EngineHeartbeat
from totrackit.health.service import HealthService
from totrackit.lifecycle import Lifecycle
from totrackit.processes.service import ProcessService
from totrackit.ratelimit.limiter import RateLimiter
from totrackit.settings import Settings


@dataclass
class AppState:
    settings: Settings
    db: AsyncEngine
    clock: Clock
    processes: ProcessService
    analytics: AnalyticsService
    lifecycle: Lifecycle
    health: HealthService
    limiter: RateLimiter | None
    # The deadline engine's progress when this process runs it (`totrackit serve`), else None.
    deadline_engine: EngineHeartbeat | None = None
