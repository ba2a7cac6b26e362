"""Point-in-time recovery of the production stack's PostgreSQL (pgBackRest): the procedure of
docs/backup-and-restore.md, run for real. Runs written before the chosen time come back, runs
written and changes made after it do not, and the original volume is left as it was."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from tests.containers.support import PROXY, Compose, docker, wait_http

pytestmark = pytest.mark.containers

PROD = ["docker-compose.prod.yml"]
RESTORED = [*PROD, "deploy/postgres/restored-volume.yml"]
STANZA = "--stanza=totrackit"


def sql(prod: Compose, query: str) -> str:
    return docker(
        "exec", prod.container("postgres"), "psql", "-U", "postgres", "-d", "totrackit", "-Atc",
        query,
    ).strip()  # fmt: skip


def backups(prod: Compose) -> list[dict[str, object]]:
    info = json.loads(
        docker("exec", prod.container("pgbackrest"), "pgbackrest", STANZA, "info", "--output=json")
    )
    return [backup for stanza in info for backup in stanza.get("backup", [])]


def wait_for_first_backup(prod: Compose, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if backups(prod):
                return
        except AssertionError:  # the stanza does not exist yet
            pass
        time.sleep(3)
    raise AssertionError(f"no pgBackRest backup after {seconds}s:\n{prod.diagnostics()}")


def stored_runs() -> dict[str, str]:
    """Every run the service holds: ``name/id`` -> status."""
    runs, offset = {}, 0
    while True:
        page = httpx.get(
            f"{PROXY}/processes", params={"limit": 100, "offset": offset}, timeout=10
        ).json()
        runs.update({f"{run['name']}/{run['id']}": run["status"] for run in page["data"]})
        offset += len(page["data"])
        if not page["has_more"]:
            return runs


def write(name: str, run_id: str) -> None:
    response = httpx.post(f"{PROXY}/processes/{name}", json={"id": run_id}, timeout=10)
    assert response.status_code == 201, response.text


def test_a_restore_to_a_chosen_time_brings_back_exactly_the_runs_written_before_it(
    prod: Compose,
) -> None:
    wait_for_first_backup(prod)  # the pgbackrest service takes one when it starts
    for number in range(5):
        write("pitr", f"before-{number}")
    before = stored_runs()
    time.sleep(1.5)  # commit timestamps are exact; the gap keeps the target unambiguous
    target = sql(prod, "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US+00')")
    time.sleep(1.5)
    for number in range(5):
        write("pitr", f"after-{number}")
    completed = httpx.put(f"{PROXY}/processes/pitr/before-0/complete", timeout=10)
    assert completed.status_code == 200
    # Archive the WAL holding the later writes: recovery stops at the first commit after the
    # target, so it must be able to read one.
    docker("exec", prod.container("pgbackrest"), "pgbackrest", STANZA, "check")

    original, restored = (
        Compose(prod.project, PROD, env=prod.env),
        Compose(prod.project, RESTORED, env=prod.env),
    )
    try:
        restored("stop", "api", "worker", "pgbackrest", "postgres")
        restored(
            "run", "--rm", "--no-deps", "postgres", "pgbackrest", STANZA, "restore",
            "--type=time", f"--target={target}", "--target-action=promote",
        )  # fmt: skip
        restored("up", "-d", "--no-build", "--scale", "api=3")
        wait_http(f"{PROXY}/health/ready", 180)

        assert stored_runs() == before
        assert before["pitr/before-0"] == "ACTIVE"
        assert sql(restored, "SELECT pg_is_in_recovery()") == "f"  # promoted, takes writes
        write("pitr", "on-the-restored-cluster")
    finally:
        original("up", "-d", "--no-build", "--scale", "api=3")
        wait_http(f"{PROXY}/health/ready", 180)
        docker("volume", "rm", "-f", f"{prod.project}_postgres-restored")

    # Back on the original volume, which the restore did not touch.
    runs = stored_runs()
    assert {"pitr/after-0", "pitr/before-0"} <= runs.keys()
    assert runs["pitr/before-0"] == "COMPLETED"
