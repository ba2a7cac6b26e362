"""docker-compose.prod.yml on its own: load spread, workers, Redis, and hardening."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.containers.support import (
    PROXY,
    Compose,
    assert_non_root,
    docker,
    inspect,
    run,
    status,
    wait_healthy,
)

pytestmark = pytest.mark.containers

# Inside one replica: two worker processes answer, and every scrape counts both.
TWO_WORKERS = r"""
import json, time, urllib.request as r
pids, sent = set(), 0
while len(pids) < 2 and sent < 500:
    request = r.Request("http://127.0.0.1:8080/health/live", headers={"Connection": "close"})
    pids.add(json.load(r.urlopen(request, timeout=5))["application"]["details"]["pid"])
    sent += 1
def counted():
    text = r.urlopen("http://127.0.0.1:8080/metrics", timeout=5).read().decode()
    return [l for l in text.splitlines() if l.startswith("totrackit_http_requests_total") and "/health/live" in l]
deadline = time.monotonic() + 10  # the last probe is counted just after its answer
while counted() != ["totrackit_http_requests_total{method=\"GET\",endpoint=\"/health/live\",status=\"200\"} %.1f" % sent] and time.monotonic() < deadline:
    time.sleep(0.1)
scrapes = {tuple(counted()) for _ in range(6)}
print("workers", sorted(pids), "after", sent, "probes; scrapes agree:", len(scrapes) == 1)
assert len(pids) == 2 and len(scrapes) == 1, scrapes
"""


def test_the_stack_is_ready_through_the_proxy(prod: Compose) -> None:
    assert status("GET", f"{PROXY}/health/ready") == 200


def test_every_prod_service_is_healthy(prod: Compose) -> None:
    wait_healthy(prod, 120)


def test_requests_through_the_proxy_reach_all_three_api_replicas(prod: Compose) -> None:
    for _ in range(60):
        status("GET", f"{PROXY}/health/ready")
    assert status("POST", f"{PROXY}/processes/prod", json={"id": "run-prod"}) == 201
    assert status("GET", f"{PROXY}/processes/prod/run-prod") == 200

    access_log = run(["docker", "logs", prod.container("proxy")]).stdout
    answered = set(re.findall(r'"upstream":"([0-9.]*):8080', access_log))
    replicas = {
        "".join(network["IPAddress"] for network in api["NetworkSettings"]["Networks"].values())
        for api in inspect(*prod.ids("api"))
    }
    assert len(replicas) == 3, replicas
    assert answered == replicas


def test_two_worker_processes_per_replica_and_every_scrape_counts_both(prod: Compose) -> None:
    docker("exec", prod.container("api"), "python", "-c", TWO_WORKERS)


def test_the_api_uses_the_password_protected_redis_for_rate_limits(
    prod: Compose, secrets_dir: Path
) -> None:
    """The API reads the redis_url secret file and authenticates (script calls counted)."""
    password = (secrets_dir / "redis_password").read_text().strip()
    stats = docker(
        "exec",
        "-e",
        f"REDISCLI_AUTH={password}",
        prod.container("redis"),
        "redis-cli",
        "INFO",
        "commandstats",
    )
    assert re.search(r"^cmdstat_(evalsha|eval|fcall)", stats, re.MULTILINE), stats


def test_metrics_are_not_published_through_the_proxy(prod: Compose) -> None:
    assert status("GET", f"{PROXY}/metrics") == 404


def _hardening_gaps(container: dict[str, object]) -> list[str]:
    host = container["HostConfig"]
    assert isinstance(host, dict)
    gaps = [
        ("read-only root", host["ReadonlyRootfs"] is True),
        ("cap_drop ALL", host["CapDrop"] == ["ALL"]),
        ("no-new-privileges", any("no-new-privileges" in opt for opt in host["SecurityOpt"] or [])),
        ("memory limit", host["Memory"] != 0),
        ("memory reservation", host["MemoryReservation"] != 0),
        ("cpu limit", host["NanoCpus"] != 0),
        ("log rotation", bool((host["LogConfig"]["Config"] or {}).get("max-size"))),
    ]
    if "migrate" not in str(container["Name"]):  # the one-shot job is not restarted
        gaps.append(("restart unless-stopped", host["RestartPolicy"]["Name"] == "unless-stopped"))
    return [what for what, present in gaps if not present]


def test_prod_containers_are_hardened(prod: Compose) -> None:
    """Read-only root, cap_drop ALL, no-new-privileges, limits, restart policy, log rotation."""
    gaps = {c["Name"]: _hardening_gaps(c) for c in inspect(*prod.ids())}
    assert not {name: missing for name, missing in gaps.items() if missing}


def test_every_process_of_every_prod_container_runs_as_non_root(prod: Compose) -> None:
    """PostgreSQL and Redis included."""
    assert_non_root(prod)
