"""docker-compose.monitoring.yml joined to the prod stack: every target scraped and up.

Grafana, Loki, Promtail and cAdvisor have no image on the project's CI machines; their
configuration is checked statically (test_monitoring_config.py).
"""

from __future__ import annotations

import sys
import time
from collections import Counter

import httpx
import pytest

from tests.containers.support import (
    ALERTMANAGER,
    PROMETHEUS,
    Compose,
    assert_non_root,
    ok,
    wait_http,
)

pytestmark = pytest.mark.containers

EXPECTED_TARGETS = {"totrackit-api": 3, "totrackit-worker": 1, "postgres": 1, "redis": 1, "node": 1}


def targets() -> dict[str, tuple[int, int]]:
    """Active scrape targets per job: (up, total)."""
    answer = httpx.get(f"{PROMETHEUS}/api/v1/targets", params={"state": "active"}, timeout=10)
    active = answer.json()["data"]["activeTargets"]
    up = Counter(t["labels"]["job"] for t in active if t["health"] == "up")
    total = Counter(t["labels"]["job"] for t in active)
    return {job: (up[job], total[job]) for job in total}


def test_the_monitoring_overlay_joins_the_prod_stack(monitoring: Compose) -> None:
    assert httpx.get(f"{PROMETHEUS}/-/ready", timeout=10).status_code == 200


def test_prometheus_scrapes_every_replica_the_worker_and_the_exporters(monitoring: Compose) -> None:
    expected = {job: (count, count) for job, count in EXPECTED_TARGETS.items()}
    deadline = time.monotonic() + 90
    while any((seen := targets()).get(job) != n for job, n in expected.items()):
        if time.monotonic() > deadline:
            raise AssertionError(f"targets (up, total): {seen}")
        time.sleep(3)


def test_the_exporters_report_the_databases_up(monitoring: Compose) -> None:
    query = {"query": "min(pg_up)*min(redis_up)"}
    answer = httpx.get(f"{PROMETHEUS}/api/v1/query", params=query, timeout=10).json()
    assert [sample["value"][1] for sample in answer["data"]["result"]] == ["1"], answer


def test_every_rule_loaded_and_every_dashboard_query_is_accepted(monitoring: Compose) -> None:
    ok([sys.executable, "scripts/check-container-config.py", "--prometheus", PROMETHEUS])


def test_alertmanager_is_ready(monitoring: Compose) -> None:
    wait_http(f"{ALERTMANAGER}/-/ready", 30)


def test_every_process_of_the_monitoring_containers_runs_as_non_root(monitoring: Compose) -> None:
    assert_non_root(monitoring)
