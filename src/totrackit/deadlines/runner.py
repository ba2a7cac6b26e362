"""The engine's schedule: scan, deliver and upkeep loops, in one process next to the others.

``totrackit worker`` runs it alone; ``totrackit serve`` runs it inside the HTTP server.
The loops survive database and receiver failures: they log, wait one interval and go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from totrackit.clock import Clock
from totrackit.db.failures import classify
from totrackit.deadlines.delivery import Deliverer, RetryPolicy
from totrackit.deadlines.heartbeat import EngineHeartbeat
from totrackit.deadlines.metrics import LAST_SCAN
from totrackit.deadlines.receivers import receivers_from
from totrackit.deadlines.retention import Retention
from totrackit.deadlines.scanner import Scanner
from totrackit.deadlines.upkeep import Upkeep
from totrackit.observability.context import request_context
from totrackit.settings import DeadlineSettings

logger = logging.getLogger(__name__)


class DeadlineEngine:
    def __init__(self, *, settings: DeadlineSettings, db: AsyncEngine, clock: Clock) -> None:
        endpoints = receivers_from(settings)
        timeout = settings.webhook_timeout
        self._interval = settings.notification_scan_interval.total_seconds()
        self._upkeep_interval = settings.deadline_gauge_interval.total_seconds()
        self._clock = clock
        self._client = httpx.AsyncClient(
            timeout=timeout.total_seconds(),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=settings.webhook_concurrency),
        )
        self.heartbeat = EngineHeartbeat(
            scan_interval=settings.notification_scan_interval,
            delivery_allowance=timeout,
            started_at=clock.now(),
        )
        self.scanner = Scanner(
            db=db,
            clock=clock,
            endpoints=endpoints,
            threshold=settings.warning_threshold,
            batch_size=settings.notification_batch_size,
            public_url=settings.public_url,
        )
        self.deliverer = Deliverer(
            db=db,
            clock=clock,
            endpoints=endpoints,
            client=self._client,
            policy=RetryPolicy(
                initial=settings.webhook_retry_initial,
                max_delay=settings.webhook_retry_max_delay,
                max_age=settings.webhook_max_age,
            ),
            concurrency=settings.webhook_concurrency,
            # Long enough that a live engine always finishes its requests within the lease.
            lease=timeout * 2 + settings.notification_scan_interval,
        )
        self.upkeep = Upkeep(
            db=db,
            clock=clock,
            threshold=settings.warning_threshold,
            max_age=settings.webhook_max_age,
            retention=settings.webhook_retention,
        )
        self.retention = Retention(
            db=db,
            clock=clock,
            keep=settings.run_retention,
            archive_dir=settings.run_archive_dir,
        )
        self._wake_delivery = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Start the loops in the background."""
        loops = {
            "scan": self._scan_loop,
            "delivery": self._delivery_loop,
            "upkeep": self._upkeep_loop,
        }
        for name, loop in loops.items():
            self._tasks.append(asyncio.create_task(loop(), name=f"deadline-engine-{name}"))
        logger.info("deadline engine started (scan every %ss)", self._interval)

    async def stop(self) -> None:
        """Stop the loops; a claim cut short is retried by any engine when its lease ends."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        await self._client.aclose()

    async def scan_once(self) -> None:
        """One scan, recorded in the heartbeat; wakes delivery when it produced events."""
        result = await self.scanner.scan()
        self.heartbeat.scanned(self._clock.now())
        LAST_SCAN.set(time.time())
        if result.enqueued:
            self._wake_delivery.set()

    async def deliver_due(self) -> None:
        """Delivery rounds until nothing is due, each recorded in the heartbeat."""
        while await self.deliverer.deliver_round():
            self.heartbeat.delivered(self._clock.now())
        self.heartbeat.delivered(self._clock.now())

    async def _scan_loop(self) -> None:
        # Fixed rate, not fixed delay: a scan starts every interval however long the last took,
        # so an event is produced at most one interval (plus its own scan) after it is due.
        while True:
            started = time.monotonic()
            await _guarded("deadline scan", self.scan_once)
            self.heartbeat.scan_cycled(self._clock.now())
            await asyncio.sleep(max(0.0, self._interval - (time.monotonic() - started)))

    async def _delivery_loop(self) -> None:
        while True:
            self._wake_delivery.clear()
            await _guarded("webhook delivery", self.deliver_due)
            self.heartbeat.delivery_cycled(self._clock.now())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake_delivery.wait(), timeout=self._interval)

    async def _upkeep_loop(self) -> None:
        while True:
            await _guarded("engine upkeep", self.upkeep.run)
            if self.retention.enabled:
                await _guarded("run retention", self.retention.run)
            await asyncio.sleep(self._upkeep_interval)


async def _guarded(what: str, action: Callable[[], Awaitable[object]]) -> None:
    """Run one cycle under its own correlation id (its log lines and the deliveries it makes
    share it); a failure is logged and the loop tries again next interval."""
    try:
        with request_context():
            await action()
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        if classify(exc) is None:
            logger.exception("%s failed; retrying next interval", what)
        else:  # the database is down or slow: expected in an outage, no traceback needed
            logger.warning("%s failed (%s); retrying next interval", what, classify(exc))
