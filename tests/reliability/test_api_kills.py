"""The API process killed -9 under a steady write load: no acknowledged write lost (G8).

A create is acknowledged only after its transaction committed, so a kill can cost a client its
answer but never a stored run: every 2xx is in the database afterwards, and a client that
retries a create whose answer it lost is told 201 (it was not stored) or 409
PROCESS_ALREADY_EXISTS (it was), never given a second run.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.reliability.conftest import server_env, stored_runs
from tests.reliability.load import NAME, Load, steady_writes, wait_for
from tests.reliability.test_database_outage import retry_until_answered
from tests.support.postgres import PostgresServer
from tests.support.servers import probe_until_pids, running_server

pytestmark = pytest.mark.reliability


def assert_nothing_acknowledged_was_lost(load: Load, url: str, postgres: PostgresServer) -> None:
    unanswered = load.unanswered()
    retried = retry_until_answered(url, unanswered | {o.run_id for o in load.refused()})
    assert set(retried) <= {201, 409}, retried

    stored = stored_runs(postgres.url, NAME)
    assert load.acknowledged() <= set(stored), "a create that got a 2xx was lost"
    assert max(stored.values()) == 1, "a retried create made a second run"
    assert set(stored) == load.acknowledged() | unanswered | {o.run_id for o in load.refused()}


def test_a_single_process_killed_9_loses_no_acknowledged_create(
    own_postgres: PostgresServer, tmp_path: Path
) -> None:
    env = server_env(own_postgres)
    with (
        running_server(data_dir=tmp_path / "first", command="serve", env=env) as first,
        steady_writes(first.url) as load,
    ):
        wait_for(lambda: len(load.acknowledged()) >= 100, timeout=30, what="creates")
        first.process.kill()
        first.process.wait()
        wait_for(lambda: load.unanswered() != set(), timeout=30, what="a lost answer")

        with running_server(data_dir=tmp_path / "second", command="serve", env=env) as second:
            load.url = second.url  # the clients fail over to the restarted service
            wait_for(lambda: len(load.acknowledged()) >= 200, timeout=30, what="creates")
            load.stop()
            assert_nothing_acknowledged_was_lost(load, second.url, own_postgres)

    assert {o.status for o in load.snapshot()} <= {201, None}


def test_a_worker_of_two_killed_9_is_replaced_and_loses_no_acknowledged_create(
    own_postgres: PostgresServer, tmp_path: Path
) -> None:
    env = server_env(own_postgres)
    with running_server(data_dir=tmp_path, command="api", env=env, args=["--workers", "2"]) as api:
        pids, _ = probe_until_pids(api.url, 2)
        with steady_writes(api.url) as load:
            wait_for(lambda: len(load.acknowledged()) >= 100, timeout=30, what="creates")
            killed = min(pids)
            os.kill(killed, signal.SIGKILL)
            replacement, _ = probe_until_pids(api.url, 1, excluding=frozenset(pids))
            created_before = len(load.acknowledged())
            wait_for(
                lambda: len(load.acknowledged()) >= created_before + 100,
                timeout=30,
                what="creates after the replacement",
            )
            load.stop()

        assert len(replacement) == 1
        assert_nothing_acknowledged_was_lost(load, api.url, own_postgres)

    # The other worker went on serving: the kill cost at most the answers in flight at it.
    assert {o.status for o in load.snapshot()} <= {201, None}
