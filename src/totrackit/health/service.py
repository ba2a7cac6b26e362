"""The health model (status UP / DEGRADED / DOWN with per-component details).

``/health`` reports every component; ``/health/ready`` only what decides whether to send
traffic; ``/health/live`` does no I/O at all. Optional components (Redis, the deadline worker)
register a check with ``HealthService.add_component``; a failing optional component makes the
service DEGRADED, never DOWN.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from totrackit import __version__
from totrackit.clock import Clock
from totrackit.db import migrate
from totrackit.lifecycle import Lifecycle
from totrackit.observability.context import request_context

UP, DOWN, DEGRADED = "UP", "DOWN", "DEGRADED"
# Read once: os.cpu_count() reads /sys each time, and liveness probes ask for it constantly.
AVAILABLE_PROCESSORS = os.cpu_count() or 1

ComponentCheck = Callable[[], Awaitable[dict[str, Any]]]

#: /health/ready answers from a database check at most this old (seconds).
READY_MAX_AGE = 1.0
#: How often the background refresh checks the database while the app runs.
READY_REFRESH_INTERVAL = 0.5
#: A database check that has not answered in this many seconds reports the database DOWN: a
#: database that accepts connections but never answers must not hold probes past their timeout.
DATABASE_CHECK_TIMEOUT = 2.0


@dataclass
class HealthService:
    db: AsyncEngine
    lifecycle: Lifecycle
    optional: dict[str, ComponentCheck] = field(default_factory=dict)
    monotonic: Callable[[], float] = time.monotonic
    # The last database check and when it finished (monotonic seconds).
    _checked: tuple[float, dict[str, Any]] | None = field(default=None, init=False)

    @contextlib.asynccontextmanager
    async def refreshing(
        self, quiet: Callable[[], contextlib.AbstractContextManager[Any]] = contextlib.nullcontext
    ) -> AsyncIterator[None]:
        """Keep the readiness check fresh in the background while the app runs.

        A readiness probe then costs no database round trip and none of the migration
        bookkeeping (about 2 ms of CPU per probe before), and is at most READY_MAX_AGE stale.
        The checks run inside ``quiet()``: what they log is treated as a probe's lines.
        """
        task = asyncio.create_task(self._refresh_forever(quiet))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _refresh_forever(
        self, quiet: Callable[[], contextlib.AbstractContextManager[Any]]
    ) -> None:
        with quiet():
            while True:
                with request_context():  # each check's lines under a correlation id of its own
                    await self._check_database()
                await asyncio.sleep(READY_REFRESH_INTERVAL)

    async def _check_database(self) -> dict[str, Any]:
        report = await self.database()
        self._checked = (self.monotonic(), report)
        return report

    async def recent_database(self) -> dict[str, Any]:
        """The database check, at most READY_MAX_AGE old; checked now when the background
        refresh has fallen behind (a database that hangs is never reported from the past)."""
        if self._checked is not None and self.monotonic() - self._checked[0] <= READY_MAX_AGE:
            return self._checked[1]
        return await self._check_database()

    def add_component(self, name: str, check: ComponentCheck) -> None:
        """Report an optional component; its check returns ``{"status": ..., "details": ...}``."""
        self.optional[name] = check

    async def full(self) -> dict[str, Any]:
        """Every component, for /health."""
        components = {"database": await self.database(), "application": self.application()}
        for name, check in self.optional.items():
            components[name] = await check()
        return {
            "status": _overall(components),
            "timestamp": iso_now(),
            "version": __version__,
            "components": components,
        }

    async def readiness(self) -> dict[str, Any]:
        """What decides whether this instance should receive traffic, for /health/ready."""
        database = await self.recent_database()
        if self.lifecycle.draining:
            status, reason = DOWN, "draining: shutting down"
        elif not self.lifecycle.ready:
            status, reason = DOWN, f"starting: waiting for the {self.lifecycle.waiting_for}"
        else:
            status, reason = database["status"], None
        body: dict[str, Any] = {
            "status": status,
            "timestamp": iso_now(),
            "database": {"status": database["status"], **_flat(database)},
            "migrations": database["details"].get("migrations", {}),
        }
        if reason:
            body["reason"] = reason
        return body

    async def database(self) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(DATABASE_CHECK_TIMEOUT):
                current = await migrate.current_revision(self.db)
        except Exception as exc:  # any failure is the answer: the database is not usable
            return {
                "status": DOWN,
                "details": {"connectionPool": "unavailable", "error": type(exc).__name__},
            }
        elapsed_ms = (time.perf_counter() - started) * 1000
        head = migrate.head_revision()
        state = migrate.schema_state(current)
        return {
            "status": DOWN if state == migrate.PENDING else UP,
            "details": {
                "connectionPool": "healthy",
                "pool": _pool_details(self.db),
                "migrations": {
                    "status": state,
                    "current": current or "none",
                    "head": head,
                },
                "responseTime": f"{elapsed_ms:.0f}ms",
                "backend": self.db.dialect.name,
            },
        }

    def application(self, *, with_memory: bool = True) -> dict[str, Any]:
        """Process details; ``with_memory=False`` reads no files (for /health/live)."""
        uptime = self.lifecycle.uptime_seconds
        details: dict[str, Any] = {
            "uptime": format_uptime(uptime),
            "uptimeSeconds": int(uptime),
            "availableProcessors": AVAILABLE_PROCESSORS,
            # Which worker answered, when several share the port (--workers).
            "pid": os.getpid(),
            "ready": self.lifecycle.ready,
            "draining": self.lifecycle.draining,
        }
        if with_memory:
            details["memoryUsage"] = memory_usage()
        return {"status": UP, "details": details}


class ReportsProgress(Protocol):
    def to_health(self, now: datetime) -> dict[str, Any]: ...


def worker_health(heartbeat: ReportsProgress, clock: Clock) -> ComponentCheck:
    """The deadline engine's component: DOWN (so the service DEGRADED) when its loop stalls."""

    async def check() -> dict[str, Any]:
        report = heartbeat.to_health(clock.now())
        return {
            "status": report["status"],
            "details": {k: v for k, v in report.items() if k != "status"},
        }

    return check


class SharesLimits(Protocol):
    @property
    def redis_healthy(self) -> bool | None: ...


def redis_health(limiter: SharesLimits) -> ComponentCheck:
    """Redis is optional: when it is lost, limits fall back to per-process counts (DEGRADED)."""

    async def check() -> dict[str, Any]:
        if limiter.redis_healthy:
            return {"status": UP, "details": {"rateLimits": "shared"}}
        return {"status": DEGRADED, "details": {"rateLimits": "per-process fallback"}}

    return check


def iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def format_uptime(seconds: float) -> str:
    """``Nd Nh Nm``, ``Nh Nm``, ``Nm Ns`` or ``Ns``, as the original reports it."""
    total = int(seconds)
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h {minutes}m"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"


def memory_usage() -> str:
    """Resident memory over the limit this process may use (cgroup limit, else RAM), in MB."""
    used = _resident_bytes()
    limit = _memory_limit_bytes()
    return f"{used // 2**20}MB/{limit // 2**20}MB"


def _resident_bytes() -> int:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _memory_limit_bytes() -> int:
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            value = Path(path).read_text().strip()
        except OSError:
            continue
        if value.isdigit() and int(value) < physical:
            return int(value)
    return physical


def _pool_details(db: AsyncEngine) -> dict[str, int]:
    pool = db.sync_engine.pool
    details = {"checkedOut": int(getattr(pool, "checkedout", lambda: 0)())}
    size = getattr(pool, "size", None)
    if callable(size):
        details["size"] = int(size())
    return details


def _flat(component: dict[str, Any]) -> dict[str, Any]:
    details = component.get("details", {})
    return {key: value for key, value in details.items() if key != "migrations"}


def _overall(components: dict[str, dict[str, Any]]) -> str:
    statuses = {name: component["status"] for name, component in components.items()}
    if statuses.get("database") == DOWN or statuses.get("application") == DOWN:
        return DOWN
    if any(status != UP for status in statuses.values()):
        return DEGRADED
    return UP
