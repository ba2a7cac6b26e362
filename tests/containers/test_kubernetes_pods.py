"""Each overlay's Deployments and Jobs, run with Docker exactly as their pod specs say.

No cluster runs on these machines, so the pods' containers run under Docker
(kubernetes_pods.py): on one network where PostgreSQL and Redis answer to their Service names
(dev's totrackit-postgres, or the CloudNativePG Cluster's totrackit-db-rw in staging and prod;
totrackit-redis), with an arbitrary UID in group 0. The only change to the rendered manifests is
the image, the one the suite built (TOTRACKIT_IMAGE_NAME:TOTRACKIT_VERSION), also where prod
names its registry and digest. Staging and prod take their Secrets from External Secrets: the
Secrets the operator would write from the ExternalSecrets stand in, with values of the test's
(STORE) in the secret manager's place; PostgreSQL gets the roles the Cluster's bootstrap makes.
"""

from __future__ import annotations

import json
import random
import secrets
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.containers.conftest import keep_or
from tests.containers.kubernetes_pods import (
    config_data,
    docker_run_args,
    external_secrets,
    probe_once,
    probe_port,
    probe_until,
    secret_data,
)
from tests.containers.support import (
    ENV,
    IMAGE,
    KUBERNETES_PORTS,
    PREFIX,
    ROOT,
    docker,
    inspect,
    run,
    status,
)
from tests.support.kubernetes import OVERLAYS, find, render

pytestmark = pytest.mark.containers

NETWORK = f"{PREFIX}-kubernetes"
POSTGRES_IMAGE = ENV.get("POSTGRES_IMAGE", "postgres:16")
REDIS_IMAGE = ENV.get("REDIS_IMAGE", "redis:7")
# An arbitrary UID, as OpenShift assigns one: nothing may depend on the image's own 10001.
UID = random.randint(100000, 2000000)
# The secret manager of staging and prod, under the keys their ExternalSecrets read.
_REDIS_PASSWORD = secrets.token_hex(16)
STORE = {
    "totrackit/db-owner": {"username": "totrackit_owner", "password": secrets.token_hex(16)},
    "totrackit/db-app": {"username": "totrackit_app", "password": secrets.token_hex(16)},
    "totrackit/redis": {
        "password": _REDIS_PASSWORD,
        "url": f"redis://:{_REDIS_PASSWORD}@totrackit-redis:6379/0",
    },
    "totrackit/api": {"api-key": secrets.token_hex(16)},
}

Resources = list[dict[str, Any]]


def container_name(name: str) -> str:
    return f"{PREFIX}-k8s-{name}"


def remove(*names: str) -> None:
    for name in names:
        run(["docker", "rm", "-f", container_name(name)], timeout=60)


def logs(name: str) -> str:
    result = run(["docker", "logs", "--tail", "30", container_name(name)], timeout=60)
    return result.stdout + result.stderr


@pytest.fixture(scope="module", params=OVERLAYS)
def manifests(request: pytest.FixtureRequest) -> Resources:
    """The overlay's manifests (dev with the backup component, which the others have)."""
    overlay = request.param
    resources = render(overlay, ["backup"] if overlay == "dev" else [], images={"totrackit": IMAGE})
    return resources + external_secrets(resources, STORE)


def namespace(manifests: Resources) -> str:
    return str(manifests[0]["metadata"]["name"])


def superuser_password(manifests: Resources) -> str:
    """dev's in-cluster PostgreSQL has a superuser Secret; CloudNativePG's superuser is off."""
    statefulsets = {r["metadata"]["name"] for r in manifests if r["kind"] == "StatefulSet"}
    if "totrackit-postgres" in statefulsets:
        return secret_data(manifests, "totrackit-postgres")["password"]
    return secrets.token_hex(16)


@pytest.fixture(scope="module")
def network(manifests: Resources, free_ports: None) -> Iterator[None]:
    """PostgreSQL and Redis on a network of their own, under the names of their Services."""
    remove("postgres", "redis", "api", "worker")
    run(["docker", "network", "rm", NETWORK], timeout=60)
    docker("network", "create", NETWORK)
    owner = secret_data(manifests, "totrackit-db-owner")["password"]
    app = secret_data(manifests, "totrackit-db-app")["password"]
    superuser = superuser_password(manifests)
    redis_password = secret_data(manifests, "totrackit-redis")["redis.conf"].split()[-1]
    host = config_data(manifests, "totrackit-config")["TOTRACKIT_DB_HOST"]
    docker(
        "run", "-d", "--name", container_name("postgres"), "--network", NETWORK,
        "--network-alias", host, "--tmpfs", "/var/lib/postgresql/data",
        "-e", f"POSTGRES_PASSWORD={superuser}", "-e", f"TOTRACKIT_DB_OWNER_PASSWORD={owner}",
        "-e", f"TOTRACKIT_DB_APP_PASSWORD={app}",
        "-v", f"{ROOT}/deploy/postgres/init:/docker-entrypoint-initdb.d:ro", POSTGRES_IMAGE,
    )  # fmt: skip
    docker(
        "run", "-d", "--name", container_name("redis"), "--network", NETWORK,
        "--network-alias", "totrackit-redis", REDIS_IMAGE,
        "redis-server", "--requirepass", redis_password,
    )  # fmt: skip
    deadline = time.monotonic() + 90
    check = [
        "docker",
        "exec",
        container_name("postgres"),
        "pg_isready",
        "-q",
        "-h",
        "127.0.0.1",
        "-d",
        "totrackit",
    ]
    while run(check, timeout=30).returncode != 0:
        assert time.monotonic() < deadline, logs("postgres")
        time.sleep(1)
    yield
    keep_or(teardown)


def teardown() -> None:
    remove("postgres", "redis", "api", "worker")
    run(["docker", "network", "rm", NETWORK])


def pod_of(manifests: Resources, kind: str, name: str) -> dict[str, Any]:
    resource = find(manifests, kind, name)
    spec = resource["spec"]
    template = spec["jobTemplate"]["spec"]["template"] if kind == "CronJob" else spec["template"]
    pod: dict[str, Any] = template["spec"]
    return pod


def start(
    manifests: Resources,
    kind: str,
    name: str,
    tmp_path: Path,
    *,
    detach: bool,
    publish: Sequence[str] = (),
) -> Any:
    pod = pod_of(manifests, kind, name)
    container = pod["containers"][0]
    short = container["name"]
    remove(short)
    args = docker_run_args(manifests, pod, container, uid=UID, scratch=tmp_path / short)
    options = ["--name", container_name(short), "--network", NETWORK, *publish]
    if detach:
        return docker("run", "-d", *options, *args)
    return run(["docker", "run", *options, *args], timeout=600)


@pytest.fixture(scope="module")
def migrated(manifests: Resources, network: None, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The migration Job's container ran to completion, as the Job requires."""
    result = start(
        manifests, "Job", "totrackit-migrate", tmp_path_factory.mktemp("migrate"), detach=False
    )
    remove("migrate")
    assert result.returncode == 0, result.stdout + result.stderr


def serve(
    manifests: Resources, name: str, role: str, tmp_path: Path
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Start a Deployment's container; its base URL on the host, its pod spec and container."""
    pod = pod_of(manifests, "Deployment", name)
    container = pod["containers"][0]
    port = container["ports"][0]["containerPort"]
    publish = ["-p", f"127.0.0.1:{KUBERNETES_PORTS[role]}:{port}"]
    start(manifests, "Deployment", name, tmp_path, detach=True, publish=publish)
    return f"http://127.0.0.1:{KUBERNETES_PORTS[role]}", pod, container


def host_url(base: str, container: dict[str, Any], probe: dict[str, Any]) -> str:
    assert probe_port(container, probe) == container["ports"][0]["containerPort"]
    return base


@pytest.fixture(scope="module")
def api(
    manifests: Resources, migrated: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    started = serve(manifests, "totrackit-api", "api", tmp_path_factory.mktemp("api"))
    yield started
    keep_or(lambda: remove("api"))


@pytest.fixture(scope="module")
def worker(
    manifests: Resources, migrated: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    started = serve(manifests, "totrackit-worker", "worker", tmp_path_factory.mktemp("worker"))
    yield started
    keep_or(lambda: remove("worker"))


def passes_its_probes(base: str, container: dict[str, Any], name: str) -> None:
    """Startup first; then readiness and liveness, each within its failure threshold."""
    try:
        for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
            probe = container[kind]
            probe_until(host_url(base, container, probe), probe)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{logs(name)}") from None


def resident_mb(name: str) -> float:
    usage = docker("stats", "--no-stream", "--format", "{{.MemUsage}}", container_name(name))
    value, unit = usage.split("/")[0].strip()[:-3], usage.split("/")[0].strip()[-3:]
    return float(value) * {"KiB": 1 / 1024, "MiB": 1, "GiB": 1024}[unit]


def test_the_api_container_passes_its_probes_and_serves(
    api: tuple[str, dict[str, Any], dict[str, Any]],
    manifests: Resources,
    note: Callable[[str], None],
) -> None:
    base, _pod, container = api
    passes_its_probes(base, container, "api")
    key = secret_data(manifests, "totrackit-api")["api-key"]

    created = status(
        "POST", f"{base}/processes/k8s", json={"id": "run-k8s"}, headers={"X-API-KEY": key}
    )
    refused = status("POST", f"{base}/processes/k8s", json={"id": "run-k8s-2"})

    assert created == 201, logs("api")
    assert refused == 401
    # Some traffic before reading the resident memory that the overlays' limits are sized on.
    for number in range(100):
        headers = {"X-API-KEY": key}
        status("POST", f"{base}/processes/k8s", json={"id": f"load-{number}"}, headers=headers)
        status("GET", f"{base}/processes/k8s/load-{number}", headers=headers)
    facts = inspect(container_name("api"))[0]
    assert facts["Config"]["User"] == f"{UID}:0"
    assert facts["HostConfig"]["ReadonlyRootfs"] is True
    assert facts["Config"]["Image"] == IMAGE  # prod's digest too gives way to the built image
    note(
        f"kubernetes api pod ({namespace(manifests)}): {resident_mb('api'):.0f} MiB resident (limit {container['resources']['limits']['memory']})"
    )


def test_the_worker_container_passes_its_probes(
    worker: tuple[str, dict[str, Any], dict[str, Any]],
    manifests: Resources,
    note: Callable[[str], None],
) -> None:
    base, _pod, container = worker
    passes_its_probes(base, container, "worker")

    assert status("GET", f"{base}/metrics") == 200
    note(
        f"kubernetes worker pod ({namespace(manifests)}): {resident_mb('worker'):.0f} MiB resident (limit {container['resources']['limits']['memory']})"
    )


def test_the_backup_cronjob_writes_a_backup_of_the_runs(
    manifests: Resources, api: tuple[str, dict[str, Any], dict[str, Any]], tmp_path: Path
) -> None:
    """The CronJob's container, on a volume writable by group 0 as its fsGroup makes it."""
    base, _pod, container = api
    passes_its_probes(base, container, "api")
    key = secret_data(manifests, "totrackit-api")["api-key"]
    created = status(
        "POST", f"{base}/processes/k8s", json={"id": "run-backup"}, headers={"X-API-KEY": key}
    )
    backups = tmp_path / "backups"
    backups.mkdir()
    backups.chmod(0o770)  # root:root, so group 0 may write, as fsGroup 0 makes the PVC
    pod = pod_of(manifests, "CronJob", "totrackit-backup")
    job = pod["containers"][0]
    claims = {"totrackit-backups": backups}
    args = docker_run_args(manifests, pod, job, uid=UID, scratch=tmp_path / "backup", claims=claims)
    mount = next(m["mountPath"] for m in job["volumeMounts"] if m["name"] == "backups")

    result = run(["docker", "run", "--rm", "--network", NETWORK, *args])

    assert created == 201
    assert result.returncode == 0, result.stdout + result.stderr
    output = Path(job["args"][job["args"].index("--output") + 1])
    with zipfile.ZipFile(backups / output.relative_to(mount)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "totrackit-backup"
    assert manifest["source_backend"] == "postgresql"
    rows = {table["name"]: table["rows"] for table in manifest["tables"]}
    assert rows["processes"] >= 1  # at least the run created just before


def wait_exit(name: str, seconds: float) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state: dict[str, Any] = inspect(container_name(name))[0]["State"]
        if not state["Running"]:
            return state
        time.sleep(0.5)
    raise AssertionError(f"{name} still runs {seconds} s after SIGTERM\n{logs(name)}")


def test_readiness_turns_503_on_sigterm_while_the_api_still_answers(
    api: tuple[str, dict[str, Any], dict[str, Any]], manifests: Resources
) -> None:
    """What the kubelet does after the preStop pause: SIGTERM, then the grace period."""
    base, pod, container = api
    passes_its_probes(base, container, "api")
    readiness, liveness = container["readinessProbe"], container["livenessProbe"]
    pause = container["lifecycle"]["preStop"]["sleep"]["seconds"]

    docker("kill", "--signal", "TERM", container_name("api"))
    probes = [probe_until(base, readiness, success=False)]
    alive = probe_once(base, liveness)
    state = wait_exit("api", pod["terminationGracePeriodSeconds"] - pause)

    assert probes == [1], "readiness did not fail at the first probe after SIGTERM"
    assert alive == 200, "the server stopped answering before the drain ended"
    assert state["ExitCode"] == 0, logs("api")


def test_the_worker_stops_cleanly_on_sigterm_within_its_grace(
    worker: tuple[str, dict[str, Any], dict[str, Any]],
) -> None:
    base, pod, container = worker
    passes_its_probes(base, container, "worker")

    docker("kill", "--signal", "TERM", container_name("worker"))
    state = wait_exit("worker", pod["terminationGracePeriodSeconds"])

    assert state["ExitCode"] == 0, logs("worker")
