"""``totrackit webhooks``: dead letters are visible and can be replayed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.deadlines.conftest import add_run, outbox_events
from tests.deadlines.receiver import Receiver
from tests.support import T0, FakeClock
from tests.support.servers import run_cli
from totrackit.deadlines.models import OutboxStatus


async def dead_event(db: AsyncEngine, clock: FakeClock, make_deadlines: Any) -> str:
    """One event to a receiver that refuses connections, retried past its max age."""
    deadlines = make_deadlines(webhook_url="http://127.0.0.1:9/hooks", webhook_max_age="1h")
    await add_run(db, started_at=T0, budget=timedelta(seconds=100), process_id="stuck")
    clock.current = T0 + timedelta(seconds=200)
    await deadlines.scanner.scan()
    for _ in range(10):
        await deadlines.deliver_due()
        clock.advance(minutes=30)
    (event,) = await outbox_events(db)
    assert event.status is OutboxStatus.DEAD
    return event.event_id


async def test_list_dead_then_replay_by_id_and_all_dead(
    db: AsyncEngine, database_url: str, clock: FakeClock, make_deadlines: Any
) -> None:
    event_id = await dead_event(db, clock, make_deadlines)
    cli_env = {"TOTRACKIT_DATABASE_URL": database_url}

    dead = run_cli("webhooks", "list", "--status", "dead", env=cli_env)
    pending = run_cli("webhooks", "list", "--status", "pending", env=cli_env)
    replayed = run_cli("webhooks", "replay", "--id", event_id, env=cli_env)
    after = (await outbox_events(db))[0]
    unknown = run_cli("webhooks", "replay", "--id", "msg_nope", env=cli_env)
    neither = run_cli("webhooks", "replay", env=cli_env)

    assert dead.returncode == 0, dead.stderr
    (line,) = dead.stdout.splitlines()[1:]
    assert line.startswith(f"{event_id}\tdead\t")
    assert "account-activation/stuck" in line
    assert pending.stdout.splitlines()[1:] == []
    assert replayed.stdout.strip() == "Queued 1 event(s) for delivery.", replayed.stderr
    assert (after.status, after.attempts, after.event_id) == (OutboxStatus.PENDING, 0, event_id)
    assert unknown.returncode == 1
    assert neither.returncode == 2


async def test_list_shows_the_last_error_only_for_failures_and_the_last_status_apart(
    db: AsyncEngine,
    database_url: str,
    clock: FakeClock,
    make_deadlines: Any,
    receiver: Receiver,
) -> None:
    await dead_event(db, clock, make_deadlines)
    deadlines = make_deadlines(webhook_url=receiver.url)
    started = clock.now() - timedelta(seconds=200)
    await add_run(db, started_at=started, budget=timedelta(seconds=100), process_id="late")
    await deadlines.scanner.scan()
    await deadlines.deliver_due()
    env = {"TOTRACKIT_DATABASE_URL": database_url, "TOTRACKIT_WEBHOOK_URL": receiver.url}

    listed = run_cli("webhooks", "list", env=env)

    header, *rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert header[-2:] == ["last status", "last error"]
    by_status = {row[1]: row for row in rows}
    assert by_status["delivered"][-2:] == ["200", "-"]
    dead_status, dead_error = by_status["dead"][-2:]
    assert dead_status == "-"  # the receiver never answered
    assert dead_error not in ("-", "200")
    assert "No webhook receiver is configured" not in listed.stderr


def test_list_without_a_receiver_says_which_variable_to_set(database_url: str) -> None:
    listed = run_cli("webhooks", "list", env={"TOTRACKIT_DATABASE_URL": database_url})

    assert listed.returncode == 0, listed.stderr
    assert "No webhook receiver is configured" in listed.stderr
    assert "TOTRACKIT_WEBHOOK_URL" in listed.stderr


async def test_replay_dead_requeues_every_dead_event(
    db: AsyncEngine, database_url: str, clock: FakeClock, make_deadlines: Any
) -> None:
    await dead_event(db, clock, make_deadlines)

    result = run_cli("webhooks", "replay", "--dead", env={"TOTRACKIT_DATABASE_URL": database_url})

    assert result.stdout.strip() == "Queued 1 event(s) for delivery."
    assert [e.status for e in await outbox_events(db)] == [OutboxStatus.PENDING]
