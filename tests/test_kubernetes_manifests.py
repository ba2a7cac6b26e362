"""deploy/kubernetes: every overlay and component renders, validates and is restricted by default.

No cluster runs here. The manifests are rendered with kubectl's Kustomize and validated against
the Kubernetes JSON schemas of the three newest minor versions, strictly (unknown fields fail);
the custom resources against their operators' CRDs in tests/test_kubernetes_custom_resources.py;
the policy scan (checkov) is in tests/containers/test_kubernetes_policy.py and the pods run
under Docker in tests/containers/test_kubernetes_pods.py.
"""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.kubernetes import (
    COMBINATIONS,
    CUSTOM_KINDS,
    DOCS,
    KUBERNETES,
    KUBERNETES_VERSIONS,
    OVERLAYS,
    POLICY,
    RENDER,
    ROOT,
    VALIDATE,
    command,
    find,
    pod_specs,
    render,
    render_text,
)

Resources = list[dict[str, Any]]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every overlay and combination rendered once, as files named after them."""
    directory = tmp_path_factory.mktemp("rendered")
    files = {}
    for overlay, components in COMBINATIONS:
        name = "+".join((overlay, *components))
        files[name] = directory / f"{name}.yaml"
        files[name].write_text(render_text(overlay, components))
    return files


@pytest.fixture(scope="module", params=OVERLAYS)
def overlay(request: pytest.FixtureRequest) -> Resources:
    return render(request.param)


def test_every_overlay_and_component_combination_renders(rendered: dict[str, Path]) -> None:
    kinds = {
        name: {doc["kind"] for doc in yaml.safe_load_all(path.read_text()) if doc}
        for name, path in rendered.items()
    }

    assert {"Deployment", "Job", "NetworkPolicy", "Ingress"} <= kinds["dev"]
    assert "Cluster" in kinds["prod"] and "ExternalSecret" in kinds["prod"]
    assert "PeerAuthentication" in kinds["prod+istio"]
    assert "Server" in kinds["staging+linkerd"]
    assert "CronJob" in kinds["staging"]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_validates_strictly_against_the_kubernetes_schemas(
    rendered: dict[str, Path], version: str, tmp_path: Path
) -> None:
    # The combinations share most of their resources: each distinct one is validated once.
    distinct = {
        yaml.safe_dump(doc, sort_keys=True)
        for path in rendered.values()
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    }
    file = tmp_path / "rendered.yaml"
    file.write_text("---\n".join(sorted(distinct)))
    args = command(VALIDATE, version=version, file=str(file))
    result = subprocess.run(args, capture_output=True, text=True, check=False)

    assert result.returncode == 0, result.stdout + result.stderr
    # The only resources without a schema here are the listed custom resources, which
    # tests/test_kubernetes_custom_resources.py validates: nothing else is skipped silently.
    missing = set(
        re.findall(r"Couldn't find schema for kind (\S+) with api version (\S+)", result.stdout)
    )
    assert {(api, kind) for kind, api in missing} <= set(CUSTOM_KINDS)


def test_the_validator_refuses_an_unknown_field(tmp_path: Path) -> None:
    """Strict means strict: the check above would catch a misspelt field."""
    deployment = find(render("dev"), "Deployment", "totrackit-api")
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessprobe"] = {}
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(deployment))

    result = subprocess.run(
        command(VALIDATE, version=KUBERNETES_VERSIONS[-1], file=str(path)),
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "readinessprobe" in result.stdout + result.stderr


def test_every_pod_is_restricted(overlay: Resources) -> None:
    """Pod Security Standards "restricted", read-only root with /tmp, requests and limits."""
    for resource, pod in pod_specs(overlay):
        where = f"{resource['kind']} {resource['metadata']['name']}"
        assert pod["securityContext"]["runAsNonRoot"] is True, where
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", where
        assert pod["automountServiceAccountToken"] is False, where
        volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["capabilities"]["drop"] == ["ALL"], where
            assert "add" not in context["capabilities"], where
            tmp = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
            assert tmp and "emptyDir" in volumes[tmp[0]["name"]], where
            assert set(container["resources"]["requests"]) == {"cpu", "memory"}, where
            assert set(container["resources"]["limits"]) == {"cpu", "memory"}, where


def test_totrackit_pods_run_in_group_0_as_the_image_user(overlay: Resources) -> None:
    """Group 0 is what lets any UID (OpenShift) read the secrets and write the emptyDirs."""
    totrackit = [
        pod
        for resource, pod in pod_specs(overlay)
        if resource["metadata"]["labels"]["app.kubernetes.io/name"] == "totrackit"
    ]

    assert len(totrackit) >= 3
    for pod in totrackit:
        assert pod["securityContext"]["runAsGroup"] == 0
        assert pod["containers"][0]["args"][0] in {"api", "worker", "migrate", "backup"}


def test_the_namespace_enforces_the_restricted_profile(overlay: Resources) -> None:
    namespace = find(overlay, "Namespace", overlay[0]["metadata"]["name"])

    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert {r["metadata"].get("namespace") for r in overlay if r["kind"] != "Namespace"} == {
        namespace["metadata"]["name"]
    }


def test_deployments_roll_without_losing_capacity_and_spread_over_nodes(
    overlay: Resources,
) -> None:
    for name in ("totrackit-api", "totrackit-worker"):
        deployment = find(overlay, "Deployment", name)
        pod = deployment["spec"]["template"]["spec"]
        assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
        keys = [c["topologyKey"] for c in pod["topologySpreadConstraints"]]
        assert "kubernetes.io/hostname" in keys
        container = pod["containers"][0]
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["httpGet"]["path"].startswith("/health/"), (name, probe)


def test_termination_grace_covers_the_prestop_pause_and_the_drain(overlay: Resources) -> None:
    """preStop sleep, then SIGTERM: the drain (503 on readiness), then uvicorn's 10 s."""
    from totrackit.cli.server import GRACEFUL_SHUTDOWN_SECONDS

    config = find(overlay, "ConfigMap", "totrackit-config")["data"]
    pod = find(overlay, "Deployment", "totrackit-api")["spec"]["template"]["spec"]
    pause = pod["containers"][0]["lifecycle"]["preStop"]["sleep"]["seconds"]
    drain = float(config["TOTRACKIT_SHUTDOWN_DRAIN_SECONDS"])

    assert pause > 0 and drain > 0
    assert pod["terminationGracePeriodSeconds"] > pause + drain + GRACEFUL_SHUTDOWN_SECONDS


def test_the_api_is_scaled_by_an_hpa_and_protected_by_pdbs(overlay: Resources) -> None:
    hpa = find(overlay, "HorizontalPodAutoscaler", "totrackit-api")
    deployment = find(overlay, "Deployment", "totrackit-api")

    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["minReplicas"] == deployment["spec"]["replicas"]
    assert find(overlay, "PodDisruptionBudget", "totrackit-api")["spec"]["maxUnavailable"] == 1
    assert find(overlay, "PodDisruptionBudget", "totrackit-worker")["spec"]["maxUnavailable"] == 1


def test_network_policies_deny_by_default_and_allow_the_database(overlay: Resources) -> None:
    policies = {r["metadata"]["name"]: r["spec"] for r in overlay if r["kind"] == "NetworkPolicy"}

    assert policies["totrackit-default-deny"] == {
        "podSelector": {},
        "policyTypes": ["Ingress", "Egress"],
    }
    ports = {
        port["port"]
        for spec in policies.values()
        for rule in spec.get("egress", [])
        for port in rule.get("ports", [])
    }
    assert {53, 5432, 443, 4318} <= ports


def test_no_secret_value_outside_the_dev_examples(overlay: Resources) -> None:
    """Secrets come as files from Secrets; only the dev overlay carries (marked) example values."""
    config = find(overlay, "ConfigMap", "totrackit-config")["data"]
    assert not [key for key in config if re.search("PASSWORD|SECRET|API_KEY$|TOKEN", key)]
    for _resource, pod in pod_specs(overlay):
        for container in pod["containers"]:
            for variable in container.get("env", []):
                secretish = re.search("PASSWORD|SECRET|KEY|TOKEN", variable["name"])
                assert not secretish or variable["name"].endswith("_FILE"), variable
    secrets = [r for r in overlay if r["kind"] == "Secret"]
    namespace = overlay[0]["metadata"]["name"]
    if namespace != "totrackit-dev":
        assert secrets == []
    for secret in secrets:
        data = secret["data"].items()
        values = [base64.b64decode(v).decode() for k, v in data if k != "username"]
        assert all("dev-only" in value for value in values), secret["metadata"]["name"]


def test_images_are_pinned_by_tag_and_by_digest_in_prod(overlay: Resources) -> None:
    namespace = overlay[0]["metadata"]["name"]
    for _resource, pod in pod_specs(overlay):
        for container in pod["containers"]:
            image = container["image"]
            assert re.search(r":[\w.-]+$|@sha256:[0-9a-f]{64}$", image), image
            assert not image.endswith(":latest"), image
            if namespace == "totrackit" and container["name"] != "redis":
                assert "@sha256:" in image, image


def test_each_environment_sets_its_own_configuration() -> None:
    configs = {
        name: find(render(name), "ConfigMap", "totrackit-config")["data"] for name in OVERLAYS
    }
    per_environment = [
        "TOTRACKIT_LOG_LEVEL",
        "TOTRACKIT_DB_HOST",
        "TOTRACKIT_DB_POOL_SIZE",
        "TOTRACKIT_PUBLIC_URL",
        "TOTRACKIT_CORS_ORIGINS",
        "TOTRACKIT_RATE_LIMIT",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
    ]

    for key in per_environment:
        assert all(key in config for config in configs.values()), key
    assert configs["dev"]["TOTRACKIT_DB_HOST"] == "totrackit-postgres"
    assert configs["prod"]["TOTRACKIT_DB_HOST"] == "totrackit-db-rw"
    assert configs["prod"]["TOTRACKIT_ENV"] == "production"
    assert len({config["TOTRACKIT_PUBLIC_URL"] for config in configs.values()}) == 3


def test_the_configuration_names_only_real_settings() -> None:
    from totrackit.settings import Settings

    for name in OVERLAYS:
        config = find(render(name), "ConfigMap", "totrackit-config")["data"]
        assert Settings.unknown_variables(config) == [], name


def test_the_prometheus_rule_carries_the_compose_stacks_alert_rules() -> None:
    rules = yaml.safe_load((ROOT / "deploy/prometheus/rules/totrackit.rules.yml").read_text())
    rule = find(render("prod"), "PrometheusRule", "totrackit")
    script = KUBERNETES / "components/monitoring/build_prometheusrule.py"

    assert rule["spec"]["groups"] == rules["groups"]
    assert subprocess.run([sys.executable, script, "--check"], check=False).returncode == 0


def test_the_in_cluster_postgres_creates_the_compose_stacks_roles() -> None:
    original = ROOT / "deploy/postgres/init/10-totrackit-roles.sh"
    copy = KUBERNETES / "components/postgres/10-totrackit-roles.sh"

    assert copy.read_text() == original.read_text(), f"copy {original} to {copy}"


def test_the_docs_show_the_commands_the_tests_run() -> None:
    text = DOCS.read_text()
    shown = [RENDER.format(overlay=name) for name in OVERLAYS]
    shown += [
        VALIDATE.format(version=version, file="rendered.yaml") for version in KUBERNETES_VERSIONS
    ]
    shown += [POLICY.format(file="rendered.yaml")]

    assert [line for line in shown if line not in text] == []
    assert "kubectl apply -k deploy/kubernetes/overlays/dev" in text
