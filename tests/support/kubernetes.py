"""The Kubernetes manifests under deploy/kubernetes, rendered the way docs/deployment/kubernetes.md says.

The commands are written once here, as the docs show them; the tests run exactly these (with
the programs of the project's venv) and tests/test_kubernetes_manifests.py checks that the docs
still show them.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
OVERLAYS = ("dev", "staging", "prod")
DOCS = ROOT / "docs" / "deployment" / "kubernetes.md"

# The commands of the docs; {placeholders} are filled in by the tests and shown as is in the docs.
RENDER = "kubectl kustomize deploy/kubernetes/overlays/{overlay}"
VALIDATE = "kubernetes-validate --strict -k {version} {file}"
POLICY = "checkov --config-file deploy/kubernetes/.checkov.yaml -f {file}"

# The three newest minor versions whose schemas the pinned kubernetes-validate ships.
KUBERNETES_VERSIONS = ("1.35.0", "1.36.0", "1.37.0")


@dataclass(frozen=True)
class CRD:
    """Where a custom kind's CRD comes from: a file of its operator's repository at a release."""

    operator: str
    repository: str
    path: str
    release: str
    commit: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


# The operators' releases the custom resources are checked against, with their commits.
OPERATOR_RELEASES = {
    "cloudnative-pg/cloudnative-pg": ("v1.30.0", "4b5e244a7d031f67e025c83c1555e7726ecbbfa1"),
    "external-secrets/external-secrets": ("v2.9.0", "378bdb622ed9712ef4a58370f6a17af033b7d343"),
    "cert-manager/cert-manager": ("v1.21.1", "24e33194fb39488eff2bbf10c6dc640f407cad44"),
    "prometheus-operator/prometheus-operator": (
        "v0.93.0",
        "f8fafd475f3d132e239432ae6172de60a6cb6516",
    ),
    "istio/istio": ("1.30.3", "56df41f63e513f834c9a3af33d8aed82d1d961f2"),
    "linkerd/linkerd2": ("edge-26.8.3", "19a0d90d5a4a65e0b976f079ba8a5f1dab12c005"),
}


def _crd(operator: str, repository: str, path: str) -> CRD:
    return CRD(operator, repository, path, *OPERATOR_RELEASES[repository])


# Custom resources have no schema in kubernetes-validate, which only knows the built-in kinds:
# tests/test_kubernetes_manifests.py validates them against their operators' CRDs instead
# (tests/support/crd_schemas.py extracts the schemas into .crd-schemas/).
CUSTOM_KINDS = {
    ("postgresql.cnpg.io/v1", "Cluster"): _crd(
        "CloudNativePG",
        "cloudnative-pg/cloudnative-pg",
        "config/crd/bases/postgresql.cnpg.io_clusters.yaml",
    ),
    ("external-secrets.io/v1", "ExternalSecret"): _crd(
        "External Secrets Operator",
        "external-secrets/external-secrets",
        "config/crds/bases/external-secrets.io_externalsecrets.yaml",
    ),
    ("cert-manager.io/v1", "Certificate"): _crd(
        "cert-manager", "cert-manager/cert-manager", "deploy/crds/cert-manager.io_certificates.yaml"
    ),
    ("monitoring.coreos.com/v1", "ServiceMonitor"): _crd(
        "Prometheus Operator",
        "prometheus-operator/prometheus-operator",
        "example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml",
    ),
    ("monitoring.coreos.com/v1", "PrometheusRule"): _crd(
        "Prometheus Operator",
        "prometheus-operator/prometheus-operator",
        "example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml",
    ),
    ("security.istio.io/v1", "PeerAuthentication"): _crd(
        "Istio", "istio/istio", "manifests/charts/base/files/crd-all.gen.yaml"
    ),
    ("security.istio.io/v1", "AuthorizationPolicy"): _crd(
        "Istio", "istio/istio", "manifests/charts/base/files/crd-all.gen.yaml"
    ),
    ("policy.linkerd.io/v1beta3", "Server"): _crd(
        "Linkerd", "linkerd/linkerd2", "charts/linkerd-crds/templates/policy/server.yaml"
    ),
    ("policy.linkerd.io/v1alpha1", "MeshTLSAuthentication"): _crd(
        "Linkerd",
        "linkerd/linkerd2",
        "charts/linkerd-crds/templates/policy/meshtls-authentication.yaml",
    ),
    ("policy.linkerd.io/v1alpha1", "AuthorizationPolicy"): _crd(
        "Linkerd",
        "linkerd/linkerd2",
        "charts/linkerd-crds/templates/policy/authorization-policy.yaml",
    ),
}

# Optional components each overlay can take on top of its own: the meshes. Every other
# component is part of an overlay already (postgres in dev; cloudnative-pg, external-secrets,
# cert-manager, monitoring and backup in staging and prod; redis in all three), and the
# alternatives exclude each other (one database, one mesh, dev's example secrets).
EXTRA_COMPONENTS = {
    "dev": ("linkerd", "istio"),
    "staging": ("linkerd", "istio"),
    "prod": ("linkerd", "istio"),
}
COMBINATIONS = [(overlay, ()) for overlay in OVERLAYS] + [
    (overlay, (component,)) for overlay in OVERLAYS for component in EXTRA_COMPONENTS[overlay]
]


def tool(name: str) -> str:
    """A program of the venv the tests run in (make install puts kubectl and the validator there)."""
    path = Path(sys.executable).parent / name
    return str(path) if path.exists() else name


def command(template: str, **values: str) -> list[str]:
    args = shlex.split(template.format(**values))
    return [tool(args[0]), *args[1:]]


def _kustomize(directory: Path) -> str:
    args = [tool("kubectl"), "kustomize", str(directory)]
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"$ {shlex.join(args)}\n{result.stderr}"
    return result.stdout


def render_text(
    overlay: str, components: Sequence[str] = (), images: dict[str, str] | None = None
) -> str:
    """The overlay's manifests as YAML, with extra components and image overrides if asked for."""
    if not components and not images:
        result = subprocess.run(
            command(RENDER, overlay=overlay), cwd=ROOT, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
        return result.stdout
    with tempfile.TemporaryDirectory() as scratch:
        here = Path(scratch)

        def relative(path: Path) -> str:
            # Kustomize takes only relative paths to other kustomizations.
            return os.path.relpath(path, here)

        kustomization: dict[str, Any] = {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": [relative(KUBERNETES / "overlays" / overlay)],
            "components": [relative(KUBERNETES / "components" / name) for name in components],
        }
        # What a component adds gets the overlay's namespace and images only when the
        # kustomization that adds it says them again (docs/deployment/kubernetes.md).
        own = yaml.safe_load((KUBERNETES / "overlays" / overlay / "kustomization.yaml").read_text())
        kustomization["namespace"] = own["namespace"]
        kustomization["images"] = own["images"]
        if images:
            # The overlay's images have been renamed already (prod's to its registry, by digest):
            # an override names the image as the overlay leaves it.
            renamed = {
                image["name"]: image.get("newName", image["name"]) for image in own["images"]
            }
            kustomization["images"] = [
                {
                    "name": renamed.get(name, name),
                    "newName": new.rsplit(":", 1)[0],
                    "newTag": new.rsplit(":", 1)[1],
                }
                for name, new in images.items()
            ]
        (here / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
        return _kustomize(here)


def render(
    overlay: str, components: Sequence[str] = (), images: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(render_text(overlay, components, images)) if doc]


def pod_specs(resources: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(resource, pod spec) of every workload: Deployments, StatefulSets, Jobs and CronJobs."""
    for resource in resources:
        spec = resource.get("spec", {})
        if resource["kind"] in ("Deployment", "StatefulSet", "Job"):
            yield resource, spec["template"]["spec"]
        elif resource["kind"] == "CronJob":
            yield resource, spec["jobTemplate"]["spec"]["template"]["spec"]


def find(resources: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    """The resource of that kind and name (generated ones carry a hash suffix)."""
    pattern = re.compile(rf"{re.escape(name)}(-[a-z0-9]{{10}})?")
    matches = [
        r for r in resources if r["kind"] == kind and pattern.fullmatch(r["metadata"]["name"])
    ]
    assert matches, f"no {kind} {name} among {[r['metadata']['name'] for r in resources]}"
    return matches[0]
