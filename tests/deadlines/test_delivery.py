"""Delivery: signed Standard Webhooks requests, retries, dead letters and replay."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncEngine
from standardwebhooks import Webhook

from tests.deadlines.conftest import SECRET, add_run, outbox_events
from tests.deadlines.receiver import Receiver
from tests.support import FakeClock
from totrackit.deadlines import outbox
from totrackit.deadlines.delivery import RetryPolicy
from totrackit.deadlines.models import OutboxStatus

BUDGET = timedelta(seconds=100)


def dead_events() -> float:
    labels = {"endpoint": "default"}
    return REGISTRY.get_sample_value("totrackit_webhook_dead_events_total", labels) or 0.0


def real_time_clock(clock: FakeClock) -> datetime:
    """Signatures are checked against the receiver's wall clock: start the fake clock at now."""
    clock.current = datetime.now(UTC).replace(microsecond=0)
    return clock.current


async def test_payload_is_exact_and_signed_for_a_standard_webhooks_verifier(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any, receiver: Receiver
) -> None:
    start = real_time_clock(clock) - timedelta(seconds=80)
    deadlines = make_deadlines(webhook_url=receiver.url)
    await add_run(
        db,
        started_at=start,
        budget=BUDGET,
        name="account-activation",
        process_id="run 1/é~*",
        tags=[{"key": "country", "value": "DE"}],
        context={"customerId": "C1234"},
    )

    await deadlines.scanner.scan()
    await deadlines.deliver_due()

    (request,) = receiver.delivered()
    assert request.body == (
        b'{"event":"process.deadline_warning","name":"account-activation","id":"run 1/\xc3\xa9~*",'
        + f'"started_at":{int(start.timestamp())},"deadline":{int((start + BUDGET).timestamp())},'.encode()
        + b'"seconds_remaining":20,"tags":[{"key":"country","value":"DE"}],'
        + b'"context":{"customerId":"C1234"},'
        + b'"url":"https://tracker.example.com/?process=account-activation/run+1%2F%C3%A9%7E*"}'
    )
    assert Webhook(SECRET).verify(request.body, request.headers) == request.json
    assert request.headers["webhook-id"].startswith("msg_")
    assert request.headers["webhook-timestamp"] == str(int(clock.current.timestamp()))
    assert request.headers["content-type"] == "application/json"
    assert len(request.headers["x-request-id"]) == 32


async def test_a_missed_event_has_no_seconds_remaining_and_empty_tags_and_context(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any, receiver: Receiver
) -> None:
    start = real_time_clock(clock) - timedelta(seconds=200)
    deadlines = make_deadlines(webhook_url=receiver.url, public_url="")
    await add_run(db, started_at=start, budget=BUDGET)

    await deadlines.scanner.scan()
    await deadlines.deliver_due()

    (request,) = receiver.delivered()
    assert request.json == {
        "event": "process.deadline_missed",
        "name": "account-activation",
        "id": "run-001",
        "started_at": int(start.timestamp()),
        "deadline": int((start + BUDGET).timestamp()),
        "tags": [],
        "context": {},
    }


async def test_retries_keep_the_webhook_id_until_delivered(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any, receiver: Receiver
) -> None:
    start = real_time_clock(clock) - timedelta(seconds=200)
    deadlines = make_deadlines(webhook_url=receiver.url, webhook_retry_initial="10s")
    answers = iter([500, 503, 200])
    receiver.respond = lambda _headers, _body: next(answers)
    await add_run(db, started_at=start, budget=BUDGET)
    await deadlines.scanner.scan()

    for _ in range(3):
        await deadlines.deliver_due()
        clock.advance(minutes=1)  # past any backoff of the first retries

    assert [r.status for r in receiver.requests] == [500, 503, 200]
    assert len({r.webhook_id for r in receiver.requests}) == 1
    assert len({r.headers["x-request-id"] for r in receiver.requests}) == 3
    (event,) = await outbox_events(db)
    assert (event.status, event.attempts, event.last_status_code) == (
        OutboxStatus.DELIVERED,
        3,
        200,
    )


async def test_a_failed_attempt_waits_for_its_backoff(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any, receiver: Receiver
) -> None:
    start = real_time_clock(clock) - timedelta(seconds=200)
    deadlines = make_deadlines(webhook_url=receiver.url, webhook_retry_initial="10s")
    receiver.respond = lambda _headers, _body: 500
    await add_run(db, started_at=start, budget=BUDGET)
    await deadlines.scanner.scan()

    await deadlines.deliver_due()
    clock.advance(seconds=4)  # less than half the initial delay: the jitter's lower bound
    await deadlines.deliver_due()

    assert len(receiver.requests) == 1
    (event,) = await outbox_events(db)
    assert timedelta(seconds=5) <= event.next_attempt_at - event.last_attempt_at  # type: ignore[operator]


async def test_an_event_dies_after_its_max_age_and_replay_delivers_it_again(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any, receiver: Receiver
) -> None:
    start = real_time_clock(clock) - timedelta(seconds=200)
    deadlines = make_deadlines(webhook_url=receiver.url, webhook_max_age="1h")
    receiver.respond = lambda _headers, _body: 500
    await add_run(db, started_at=start, budget=BUDGET)
    await deadlines.scanner.scan()
    dead_before = dead_events()

    for _ in range(30):
        await deadlines.deliver_due()
        clock.advance(minutes=10)

    (event,) = await outbox_events(db)
    assert event.status is OutboxStatus.DEAD
    assert event.last_error == "HTTP 500"
    assert dead_events() == dead_before + 1
    attempts = len(receiver.requests)

    receiver.respond = lambda _headers, _body: 200
    assert await outbox.replay(db, clock=clock, event_id=None, dead=True) == 1
    await deadlines.deliver_due()

    (replayed,) = await outbox_events(db)
    assert replayed.status is OutboxStatus.DELIVERED
    assert len(receiver.requests) == attempts + 1
    assert receiver.requests[-1].webhook_id == event.event_id


async def test_two_engines_deliver_each_event_exactly_once(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any, receiver: Receiver
) -> None:
    start = real_time_clock(clock) - timedelta(seconds=200)
    first = make_deadlines(webhook_url=receiver.url, webhook_concurrency=4)
    second = make_deadlines(webhook_url=receiver.url, webhook_concurrency=4)
    for index in range(40):
        await add_run(db, started_at=start, budget=BUDGET, process_id=f"run-{index:02d}")
    await asyncio.gather(first.scanner.scan(), second.scanner.scan())

    await asyncio.gather(first.deliver_due(), second.deliver_due())

    ids = [request.webhook_id for request in receiver.requests]
    assert len(ids) == len(set(ids)) == 40
    assert {e.status for e in await outbox_events(db)} == {OutboxStatus.DELIVERED}


def test_backoff_doubles_with_jitter_up_to_the_max_delay() -> None:
    policy = RetryPolicy(
        initial=timedelta(seconds=5), max_delay=timedelta(minutes=1), max_age=timedelta(days=1)
    )
    rng = random.Random(7)

    for attempts, full in [(1, 5), (2, 10), (3, 20), (4, 40), (5, 60), (20, 60)]:
        delays = [policy.delay(attempts, rng).total_seconds() for _ in range(200)]
        assert full / 2 <= min(delays) < max(delays) <= full
