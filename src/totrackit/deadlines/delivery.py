"""Delivery: send outbox events to their receivers, at least once, with retries.

A round claims due events (a lease, see ``repository.claim_due``), posts them concurrently and
records each outcome. Failures retry with exponential backoff and jitter until the event's max
age, then the event is dead (kept for ``totrackit webhooks replay``). A receiver that keeps
failing is paused, so a dead receiver costs a few requests per pause instead of one per event.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from totrackit import __version__
from totrackit.clock import Clock, epoch_seconds
from totrackit.deadlines import metrics, signing
from totrackit.deadlines import repository as repo
from totrackit.deadlines.models import OutboxEvent, OutboxStatus
from totrackit.deadlines.receivers import Receiver

logger = logging.getLogger(__name__)

USER_AGENT = f"ToTrackIt-Webhooks/{__version__}"
# Consecutive failures after which a receiver is paused (the original stops a pass after 5).
BREAKER_THRESHOLD = 5


@dataclass(frozen=True)
class RetryPolicy:
    initial: timedelta
    max_delay: timedelta
    max_age: timedelta

    def delay(self, attempts: int, rng: random.Random) -> timedelta:
        """Exponential backoff with "equal jitter": between half and all of the doubled delay."""
        base = min(self.max_delay, self.initial * (1 << min(max(attempts - 1, 0), 32)))
        return base * (0.5 + rng.random() * 0.5)


@dataclass(frozen=True)
class Outcome:
    """One request's result: a status code, or the reason no response came."""

    status_code: int | None = None
    reason: str | None = None
    error: str | None = None
    retry_after: timedelta | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class Deliverer:
    def __init__(
        self,
        *,
        db: AsyncEngine,
        clock: Clock,
        endpoints: Sequence[Receiver],
        client: httpx.AsyncClient,
        policy: RetryPolicy,
        concurrency: int,
        lease: timedelta,
        rng: random.Random | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._endpoints = {endpoint.name: endpoint for endpoint in endpoints}
        self._client = client
        self._policy = policy
        self._concurrency = concurrency
        self._lease = lease
        self._rng = rng or random.Random()
        self._failures: dict[str, int] = {}
        self._paused_until: dict[str, datetime] = {}

    async def deliver_round(self) -> int:
        """Claim and attempt one round of due events; returns how many were claimed."""
        now = self._clock.now()
        active = [name for name in self._endpoints if self._paused_until.get(name, now) <= now]
        async with self._db.begin() as conn:
            claimed = await repo.claim_due(
                conn,
                now=now,
                lease_until=now + self._lease,
                endpoints=active,
                limit=self._concurrency,
            )
        await asyncio.gather(*(self._deliver(event) for event in claimed))
        return len(claimed)

    async def _deliver(self, event: OutboxEvent) -> None:
        endpoint = self._endpoints[event.endpoint]
        if self._paused(endpoint.name):
            async with self._db.begin() as conn:
                await repo.release(conn, claimed=event, at=self._paused_until[endpoint.name])
            return
        outcome = await self._post(endpoint, event)
        self._track(endpoint.name, outcome)
        values = self._result(event, outcome)
        async with self._db.begin() as conn:
            kept = await repo.record_attempt(conn, claimed=event, values=values)
        if kept:
            self._observe(event, endpoint.name, outcome, values)

    async def _post(self, endpoint: Receiver, event: OutboxEvent) -> Outcome:
        request_id = uuid.uuid4().hex
        timestamp = epoch_seconds(self._clock.now())
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "x-request-id": request_id,
            **signing.headers(
                key=endpoint.key, event_id=event.event_id, timestamp=timestamp, body=event.payload
            ),
        }
        try:
            response = await self._client.post(
                endpoint.url, content=event.payload.encode(), headers=headers
            )
        except httpx.TimeoutException as exc:
            outcome = Outcome(reason="timeout", error=f"timeout: {type(exc).__name__}")
        except httpx.HTTPError as exc:
            outcome = Outcome(reason="connection", error=f"{type(exc).__name__}: {exc}"[:500])
        else:
            outcome = _response_outcome(response)
        logger.info(
            "webhook %s %s to %s attempt %d: %s",
            event.event_id,
            event.event.value,
            endpoint.name,
            event.attempts,
            outcome.status_code or outcome.reason,
            extra={"request_id": request_id, "event_id": event.event_id},
        )
        return outcome

    def _result(self, event: OutboxEvent, outcome: Outcome) -> dict[str, Any]:
        now = self._clock.now()
        if outcome.ok:
            return {
                "status": OutboxStatus.DELIVERED.value,
                "delivered_at": now,
                "last_status_code": outcome.status_code,
                "last_error": None,
            }
        values: dict[str, Any] = {
            "last_status_code": outcome.status_code,
            "last_error": outcome.error,
        }
        if now - event.enqueued_at >= self._policy.max_age:
            values["status"] = OutboxStatus.DEAD.value
            return values
        delay = self._policy.delay(event.attempts, self._rng)
        if outcome.retry_after is not None:
            delay = min(max(delay, outcome.retry_after), self._policy.max_delay)
        values["next_attempt_at"] = now + delay
        return values

    def _observe(
        self, event: OutboxEvent, endpoint: str, outcome: Outcome, values: dict[str, Any]
    ) -> None:
        metrics.DELIVERY_ATTEMPTS.labels(endpoint, "success" if outcome.ok else "failure").inc()
        if outcome.ok:
            latency = (values["delivered_at"] - event.enqueued_at).total_seconds()
            metrics.DELIVERY_LATENCY.labels(event.event.label).observe(max(0.0, latency))
            return
        metrics.DELIVERY_FAILURES.labels(endpoint, outcome.reason or "status").inc()
        if values.get("status") == OutboxStatus.DEAD.value:
            metrics.DEAD_EVENTS_TOTAL.labels(endpoint).inc()
            logger.warning("webhook %s to %s is dead: %s", event.event_id, endpoint, outcome.error)

    def _paused(self, endpoint: str) -> bool:
        until = self._paused_until.get(endpoint)
        return until is not None and until > self._clock.now()

    def _track(self, endpoint: str, outcome: Outcome) -> None:
        """Pause a receiver after consecutive failures, longer each time; a success resumes it."""
        if outcome.ok:
            self._failures.pop(endpoint, None)
            self._paused_until.pop(endpoint, None)
            return
        failures = self._failures.get(endpoint, 0) + 1
        self._failures[endpoint] = failures
        if failures >= BREAKER_THRESHOLD:
            pause = self._policy.delay(failures - BREAKER_THRESHOLD + 1, self._rng)
            self._paused_until[endpoint] = self._clock.now() + pause


def _response_outcome(response: httpx.Response) -> Outcome:
    if 200 <= response.status_code < 300:
        return Outcome(status_code=response.status_code)
    return Outcome(
        status_code=response.status_code,
        reason="status",
        error=f"HTTP {response.status_code}",
        retry_after=_retry_after(response.headers.get("retry-after")),
    )


def _retry_after(value: str | None) -> timedelta | None:
    """A Retry-After given in seconds (the HTTP-date form is rare for webhooks and ignored)."""
    if value is None or not value.strip().isdigit():
        return None
    return timedelta(seconds=int(value.strip()))
