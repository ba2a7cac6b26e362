"""10,000 deadlines falling due while a deadline worker is killed -9 (G9).

Two workers share the engine's work; one is killed in the middle of the deadlines and started
again. Every run's deadline_missed event is produced exactly once (the mark and the outbox row
commit together), none is produced later than two scan intervals after its deadline. Delivering a backlog of
10,000 takes minutes here, so delivery across kills is proven on 300 events in
tests/deadlines/test_processes.py; here deliveries only have to match produced events.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.deadlines.receiver import running_receiver
from tests.reliability.load import wait_for
from tests.support.postgres import PostgresServer
from tests.support.servers import run_cli, running_server

pytestmark = pytest.mark.reliability

RUNS = 10_000
SCAN_INTERVAL = timedelta(seconds=1)
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def query(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(url)
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    return asyncio.run(run())


def add_runs_due_over(url: str, seconds: int) -> None:
    """RUNS active runs whose deadlines fall due evenly over the next ``seconds``, from 3 s on."""
    query(
        url,
        "INSERT INTO processes (process_id, name, status, started_at, deadline, tags, context,"
        " created_at, updated_at)"
        " SELECT 'run-' || n, 'g9', 'ACTIVE', now(),"
        " now() + interval '3 seconds' + (n * $2::float / $1) * interval '1 second',"
        " '[]', '{}', now(), now()"
        " FROM generate_series(1, $1) AS n",
        RUNS,
        float(seconds),
    )


def produced(url: str) -> int:
    return int(query(url, "SELECT count(*) FROM webhook_outbox")[0][0])


def test_ten_thousand_deadlines_across_a_killed_worker(
    own_postgres: PostgresServer, tmp_path: Path
) -> None:
    url = own_postgres.url
    migrated = run_cli("migrate", "upgrade", env={"TOTRACKIT_DATABASE_URL": url})
    assert migrated.returncode == 0, migrated.stderr
    with running_receiver() as receiver:
        env = {
            "TOTRACKIT_DATABASE_URL": url,
            "TOTRACKIT_AUTO_MIGRATE": "false",
            "TOTRACKIT_NOTIFICATION_SCAN_INTERVAL": "1s",
            "TOTRACKIT_WEBHOOK_URL": receiver.url,
            "TOTRACKIT_WEBHOOK_SECRET": SECRET,
            "TOTRACKIT_WEBHOOK_TIMEOUT": "5s",
            "TOTRACKIT_WEBHOOK_CONCURRENCY": "50",
            "TOTRACKIT_SHUTDOWN_DRAIN_SECONDS": "0",
        }
        with (
            running_server(data_dir=tmp_path / "a", command="worker", env=env) as doomed,
            running_server(data_dir=tmp_path / "b", command="worker", env=env),
        ):
            add_runs_due_over(url, 20)
            wait_for(lambda: produced(url) >= RUNS // 3, timeout=60, what="a third produced")
            doomed.process.kill()  # SIGKILL in the middle of the deadlines
            doomed.process.wait()
            with running_server(data_dir=tmp_path / "a2", command="worker", env=env):
                wait_for(lambda: produced(url) >= RUNS, timeout=120, what="every event")
        deliveries = receiver.delivered()
    assert deliveries, "nothing was delivered"

    events = query(
        url,
        "SELECT o.event_id, o.process_id, o.event, o.status,"
        " extract(epoch FROM o.created_at - p.deadline) AS lateness"
        " FROM webhook_outbox o JOIN processes p ON p.id = o.process_pk",
    )
    per_run = Counter(row["process_id"] for row in events)
    assert len(per_run) == RUNS and set(per_run.values()) == {1}, "an event produced twice"
    assert {row["event"] for row in events} == {"process.deadline_missed"}
    unnotified = query(
        url, "SELECT count(*) FROM processes WHERE deadline_notified_at IS NULL AND name = 'g9'"
    )
    assert unnotified[0][0] == 0

    # Deliveries went on meanwhile (their guarantees across kills: tests/deadlines): each was
    # of an event produced here, and a duplicate only ever repeats its webhook-id.
    assert {r.webhook_id for r in deliveries} <= {row["event_id"] for row in events}
    latest = max(float(row["lateness"]) for row in events)
    assert latest < 2 * SCAN_INTERVAL.total_seconds(), f"an event {latest:.2f}s late"
