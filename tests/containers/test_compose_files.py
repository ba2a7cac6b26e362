"""Every compose file and combination is valid; production refuses to guess."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.containers.support import ENV, PREFIX, ROOT, Compose, output, prod_env, run

pytestmark = pytest.mark.containers

MONITORING_PROFILES = ("grafana", "logs", "cadvisor")


COMBINATIONS = {
    "docker-compose.yml": (["docker-compose.yml"], ()),
    "docker-compose.yml + monitoring (all profiles)": (
        ["docker-compose.yml", "docker-compose.monitoring.yml"],
        MONITORING_PROFILES,
    ),
    "docker-compose.prod.yml + monitoring": (
        ["docker-compose.prod.yml", "docker-compose.monitoring.yml"],
        (),
    ),
    "docker-compose.prod.yml": (["docker-compose.prod.yml"], ()),
    "docker-compose.dev.yml (profile app)": (["docker-compose.dev.yml"], ("app",)),
    "docker-compose.test.yml": (["docker-compose.test.yml"], ()),
    "docker-compose.monitoring.yml on its own": (["docker-compose.monitoring.yml"], ()),
}


@pytest.mark.parametrize("name", COMBINATIONS)
def test_compose_config_is_valid(name: str, secrets_dir: Path) -> None:
    files, profiles = COMBINATIONS[name]
    env = prod_env(secrets_dir) if "prod" in name else {}
    Compose(f"{PREFIX}-config", files, profiles=profiles, env=env)("config", "-q")


@pytest.mark.parametrize("variable", ["TOTRACKIT_VERSION", "TOTRACKIT_SECRETS_DIR"])
def test_prod_refuses_to_run_without(variable: str, secrets_dir: Path) -> None:
    env = {**ENV, "TOTRACKIT_SECRETS_DIR": str(secrets_dir)}
    del env[variable]
    result = run(["scripts/compose.sh", "-f", "docker-compose.prod.yml", "config", "-q"], env=env)

    assert result.returncode != 0, output(result)
    assert f"Set {variable}" in result.stdout + result.stderr, output(result)


def test_every_prod_service_has_cpu_and_memory_limits_and_a_memory_reservation() -> None:
    services = yaml.safe_load((ROOT / "docker-compose.prod.yml").read_text())["services"]

    def resources(
        service: dict[str, dict[str, dict[str, dict[str, str]]]],
    ) -> dict[str, dict[str, str]]:
        return service.get("deploy", {}).get("resources", {})

    unlimited = [
        name
        for name, service in services.items()
        if not resources(service).get("limits", {}).get("memory")
        or not resources(service).get("reservations", {}).get("memory")
        or not resources(service).get("limits", {}).get("cpus")
    ]
    assert not unlimited, f"services without limits and reservations: {unlimited}"
