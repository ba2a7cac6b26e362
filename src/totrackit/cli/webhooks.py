"""``totrackit webhooks``: inspect the outbox of deadline events and replay deliveries."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from totrackit.cli._db import run_with_db

if TYPE_CHECKING:
    from totrackit.deadlines.models import OutboxEvent

STATUSES = ("pending", "delivered", "dead")


@click.group()
def webhooks() -> None:
    """Inspect and replay webhook deliveries of deadline events."""


@webhooks.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only events in this state.")
@click.option("--limit", type=click.IntRange(1, 10000), default=50, show_default=True)
def list_(status: str | None, limit: int) -> None:
    """List the newest outbox events (newest first)."""
    from totrackit.deadlines import outbox
    from totrackit.deadlines.models import OutboxStatus

    wanted = OutboxStatus(status.upper()) if status else None
    events = run_with_db(lambda db: outbox.list_events(db, status=wanted, limit=limit))
    click.echo("webhook-id\tstatus\tattempts\tendpoint\tevent\tprocess\tcreated\tlast error")
    for event in events:
        click.echo(_row(event))


def _row(event: OutboxEvent) -> str:
    last = event.last_error or (str(event.last_status_code) if event.last_status_code else "-")
    return "\t".join(
        [
            event.event_id,
            event.status.value.lower(),
            str(event.attempts),
            event.endpoint,
            event.event.value,
            f"{event.process_name}/{event.process_id}",
            event.created_at.isoformat(timespec="seconds"),
            last,
        ]
    )


@webhooks.command()
@click.option("--id", "event_id", help="The webhook-id of one event to deliver again.")
@click.option("--dead", is_flag=True, help="Deliver every dead event again.")
def replay(event_id: str | None, dead: bool) -> None:
    """Queue events for delivery again (same webhook-id, so receivers can deduplicate)."""
    if (event_id is None) == (not dead):
        raise click.UsageError("give exactly one of --id ID or --dead")
    from totrackit.clock import SystemClock
    from totrackit.deadlines import outbox

    count = run_with_db(
        lambda db: outbox.replay(db, clock=SystemClock(), event_id=event_id, dead=dead)
    )
    if event_id is not None and count == 0:
        raise click.ClickException(f"no event with webhook-id {event_id}")
    click.echo(f"Queued {count} event(s) for delivery.")
