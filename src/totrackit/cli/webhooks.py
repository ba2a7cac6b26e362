"""``totrackit webhooks``: inspect the outbox of deadline events and replay deliveries."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from totrackit.cli._db import run_with_db
from totrackit.cli.settings import load_settings

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
    from totrackit.deadlines.receivers import receivers_from

    settings = load_settings()
    if not receivers_from(settings.deadlines):
        # On stderr: the table on stdout stays parseable.
        click.echo(
            "No webhook receiver is configured: deadline events are recorded but not sent. "
            "Set TOTRACKIT_WEBHOOK_URL (or TOTRACKIT_WEBHOOK_ENDPOINTS for several receivers); "
            "see docs/webhooks.md.",
            err=True,
        )
    wanted = OutboxStatus(status.upper()) if status else None
    events = run_with_db(
        lambda db: outbox.list_events(db, status=wanted, limit=limit), settings=settings
    )
    click.echo(
        "webhook-id\tstatus\tattempts\tendpoint\tevent\tprocess\tcreated\tlast status\tlast error"
    )
    for event in events:
        click.echo(_row(event))
    if not events:
        click.echo(f"No {status or 'outbox'} events.", err=True)


def _row(event: OutboxEvent) -> str:
    from totrackit.deadlines.models import OutboxStatus

    # The receiver's last answer, and why it failed: a delivered event has no error to show.
    last_status = str(event.last_status_code) if event.last_status_code else "-"
    failed = event.status is not OutboxStatus.DELIVERED
    last_error = (event.last_error if failed else None) or "-"
    return "\t".join(
        [
            event.event_id,
            event.status.value.lower(),
            str(event.attempts),
            event.endpoint,
            event.event.value,
            f"{event.process_name}/{event.process_id}",
            event.created_at.isoformat(timespec="seconds"),
            last_status,
            last_error,
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
