"""Alert rules, Prometheus and Alertmanager configuration, dashboards and log shipping files.

promtool and amtool run inside the Prometheus and Alertmanager images the compose files use.
"""

from __future__ import annotations

import sys

import pytest

from tests.containers.support import ENV, ROOT, docker, ok

pytestmark = pytest.mark.containers

PROMETHEUS_IMAGE = ENV.get("PROMETHEUS_IMAGE", "prom/prometheus:v2.55.1")
ALERTMANAGER_IMAGE = ENV.get("ALERTMANAGER_IMAGE", "prom/alertmanager:v0.27.0")


def promtool(*args: str, mounts: tuple[str, ...] = (f"{ROOT}/deploy:/deploy:ro",)) -> str:
    volumes = [arg for mount in mounts for arg in ("-v", mount)]
    return docker("run", "--rm", *volumes, "--entrypoint", "/bin/promtool", PROMETHEUS_IMAGE, *args)


def test_promtool_check_rules() -> None:
    promtool("check", "rules", "/deploy/prometheus/rules/totrackit.rules.yml")


def test_promtool_test_rules() -> None:
    promtool("test", "rules", "/deploy/monitoring/tests/totrackit.rules.test.yml")


def test_promtool_check_config() -> None:
    mounts = (
        f"{ROOT}/deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
        f"{ROOT}/deploy/prometheus/rules:/etc/prometheus/rules:ro",
    )
    promtool("check", "config", "/etc/prometheus/prometheus.yml", mounts=mounts)


def test_amtool_check_config() -> None:
    docker(
        "run", "--rm", "-v", f"{ROOT}/deploy/alertmanager:/cfg:ro", "--entrypoint", "/bin/amtool",
        ALERTMANAGER_IMAGE, "check-config", "/cfg/alertmanager.yml",
    )  # fmt: skip


def test_dashboards_provisioning_loki_promtail_and_rule_coverage() -> None:
    ok([sys.executable, "scripts/check-container-config.py"])
