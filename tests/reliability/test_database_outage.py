"""PostgreSQL stopped or killed under a steady write load (G8, G10; issue: database faults).

While the database is away every create is a 503 with ``Retry-After`` (never a 500, never a
request held past the client's patience), liveness stays 200 so nothing restarts the API for
a fault that is not its own, readiness is 503 so no traffic is sent to it; when the database
returns, everything recovers without a restart, and every create that got a 2xx is stored.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.reliability.conftest import server_env, stored_runs
from tests.reliability.load import NAME, Load, answers, create, steady_writes, wait_for
from tests.support.postgres import PostgresServer
from tests.support.servers import running_server

pytestmark = pytest.mark.reliability

UNAVAILABLE_CODES = {"DATABASE_UNAVAILABLE", "QUERY_TIMEOUT"}


def probes_while_down(url: str, load: Load) -> tuple[list[int | None], list[int | None]]:
    """Liveness and readiness, asked while the writers see the outage."""
    seen = len(load.snapshot())
    wait_for(
        lambda: load.count(lambda o: o.status == 503) >= 10 + seen // 1000,
        timeout=30,
        what="503s while the database is down",
    )
    # Readiness answers from a check at most a second old (health/service.py): it turns within
    # moments, and then stays 503 for as long as the database is away.
    wait_for(lambda: answers(url, "/health/ready") == 503, timeout=10, what="not ready")
    live, ready = [], []
    for _ in range(10):
        live.append(answers(url, "/health/live"))
        ready.append(answers(url, "/health/ready"))
        time.sleep(0.1)
    return live, ready


def recovers(url: str, load: Load) -> None:
    before = len(load.snapshot())
    wait_for(
        lambda: any(o.status == 201 for o in load.snapshot()[before:]),
        timeout=30,
        what="creates succeed again once the database is back",
    )
    wait_for(lambda: answers(url, "/health/ready") == 200, timeout=30, what="ready again")


def assert_only_created_or_unavailable(load: Load) -> None:
    statuses = Counter(o.status for o in load.snapshot())
    unanswered = [o for o in load.snapshot() if o.status is None]
    # No 500, and no request left unanswered.
    assert set(statuses) <= {201, 503}, (statuses, unanswered)
    for refused in load.refused():
        assert refused.error in UNAVAILABLE_CODES, refused
        assert refused.retry_after is not None and int(refused.retry_after) > 0, refused


def retry_until_answered(url: str, run_ids: set[str]) -> Counter[int | None]:
    """A client retrying the creates it was not told succeeded: 201 or, where the first try was
    stored after all, 409 PROCESS_ALREADY_EXISTS; never a second run."""
    answers_seen: Counter[int | None] = Counter()
    with httpx.Client(timeout=30) as client:
        for run_id in sorted(run_ids):
            outcome = create(client, url, run_id)
            answers_seen[outcome.status] += 1
            if outcome.status == 409:
                assert outcome.error == "PROCESS_ALREADY_EXISTS", outcome
    return answers_seen


@pytest.mark.parametrize("fault", ["stop", "kill"])
def test_the_database_going_away_under_load_is_a_503_and_recovers_by_itself(
    own_postgres: PostgresServer, tmp_path: Path, fault: str
) -> None:
    env = server_env(own_postgres)
    with running_server(data_dir=tmp_path, command="serve", env=env) as server:
        with steady_writes(server.url) as load:
            wait_for(lambda: len(load.acknowledged()) >= 50, timeout=30, what="creates")

            own_postgres.stop() if fault == "stop" else own_postgres.kill()
            live, ready = probes_while_down(server.url, load)
            own_postgres.start()  # after a kill -9 this is crash recovery from the WAL

            recovers(server.url, load)
            wait_for(lambda: len(load.acknowledged()) >= 100, timeout=30, what="more creates")

        assert live == [200] * 10
        assert set(ready) == {503}
        assert_only_created_or_unavailable(load)
        refused = {o.run_id for o in load.refused()}
        assert refused, "the outage was never seen by a client"
        retried = retry_until_answered(server.url, refused)
        assert set(retried) <= {201, 409}, retried

    # A 503 is an answer, not a crash: no traceback, and the connection is kept for the next
    # request (a connection closed after each 503 costs keep-alive clients a request).
    assert "Exception in ASGI application" not in server.log.read_text()
    stored = stored_runs(own_postgres.url, NAME)
    assert load.acknowledged() <= set(stored), "a create that got a 2xx was lost"
    assert set(stored) == load.acknowledged() | refused
    assert max(stored.values()) == 1, "a retried create made a second run"
