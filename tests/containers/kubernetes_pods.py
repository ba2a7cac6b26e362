"""Running a rendered pod's containers with Docker, as the kubelet would run them.

``docker run`` gets what the pod spec says: the image, ``command`` as the entrypoint and
``args``, the environment from ``env`` and ``envFrom`` with the ConfigMap and Secret values
resolved, projected Secret volumes as read-only files (mode and group 0 as the kubelet writes
them), emptyDirs as tmpfs, the security context as ``--user UID:GID`` (any UID the caller
chooses, as OpenShift would), ``--read-only``, ``--cap-drop ALL`` and
``--security-opt no-new-privileges``, and the limits as ``--memory`` and ``--cpus``. Probes
are HTTP GETs on the probe's path and port, at its period.
"""

from __future__ import annotations

import base64
import re
import time
from pathlib import Path
from typing import Any

from tests.containers.support import request
from tests.support.kubernetes import find

Resources = list[dict[str, Any]]


def quantity_bytes(value: str) -> int:
    units = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30}
    for suffix, factor in units.items():
        if value.endswith(suffix):
            return int(float(value[: -len(suffix)]) * factor)
    return int(value)


def quantity_cpus(value: str) -> str:
    return str(int(value[:-1]) / 1000) if value.endswith("m") else value


def config_data(resources: Resources, name: str) -> dict[str, str]:
    data: dict[str, str] = find(resources, "ConfigMap", name)["data"]
    return data


def secret_data(resources: Resources, name: str) -> dict[str, str]:
    secret = find(resources, "Secret", name)
    return {key: base64.b64decode(value).decode() for key, value in secret["data"].items()}


def external_secrets(resources: Resources, store: dict[str, dict[str, str]]) -> Resources:
    """The Secrets the External Secrets Operator writes for the ExternalSecrets, from ``store``.

    ``store`` stands in for the secret manager: its keys with their properties. A target's
    template, if any, makes the Secret's data (its ``{{ .name }}`` filled in) and type.
    """
    secrets = []
    for external in (r for r in resources if r["kind"] == "ExternalSecret"):
        spec = external["spec"]
        values = {
            item["secretKey"]: store[item["remoteRef"]["key"]][item["remoteRef"]["property"]]
            for item in spec["data"]
        }
        template = spec["target"].get("template", {})
        data = {name: _fill(text, values) for name, text in template.get("data", values).items()}
        secrets.append(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": spec["target"]["name"], **_namespace(external)},
                "type": template.get("type", "Opaque"),
                "data": {key: base64.b64encode(v.encode()).decode() for key, v in data.items()},
            }
        )
    return secrets


def _fill(template: str, values: dict[str, str]) -> str:
    return re.sub(r"\{\{ \.(\w+) \}\}", lambda match: values[match[1]], template)


def _namespace(resource: dict[str, Any]) -> dict[str, str]:
    namespace = resource["metadata"].get("namespace")
    return {"namespace": namespace} if namespace else {}


def environment(resources: Resources, container: dict[str, Any]) -> dict[str, str]:
    """The container's variables: envFrom first, then env (which wins), all resolved."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(config_data(resources, source["configMapRef"]["name"]))
        if "secretRef" in source:
            env.update(secret_data(resources, source["secretRef"]["name"]))
    for variable in container.get("env", []):
        if "value" in variable:
            env[variable["name"]] = variable["value"]
            continue
        ref = variable["valueFrom"]
        if "configMapKeyRef" in ref:
            key = ref["configMapKeyRef"]
            env[variable["name"]] = config_data(resources, key["name"])[key["key"]]
        else:
            key = ref["secretKeyRef"]
            env[variable["name"]] = secret_data(resources, key["name"])[key["key"]]
    return env


def _write_volume(resources: Resources, volume: dict[str, Any], directory: Path) -> None:
    """A Secret or projected Secret volume as the kubelet writes it: files root:root, mode as given."""
    directory.mkdir(parents=True)
    directory.chmod(0o755)
    sources = volume["projected"]["sources"] if "projected" in volume else [volume]
    mode = (volume.get("projected") or volume.get("secret") or {}).get("defaultMode", 0o644)
    for source in sources:
        secret = source["secret"]
        data = secret_data(resources, secret.get("name") or secret["secretName"])
        for item in secret.get("items") or [{"key": k, "path": k} for k in data]:
            path = directory / item["path"]
            path.write_text(data[item["key"]])
            path.chmod(mode)


def docker_run_args(
    resources: Resources,
    pod: dict[str, Any],
    container: dict[str, Any],
    *,
    uid: int,
    scratch: Path,
    claims: dict[str, Path] | None = None,
) -> list[str]:
    """The ``docker run`` options and arguments (after ``docker run``) for one container."""
    context = {**pod.get("securityContext", {}), **container.get("securityContext", {})}
    group = context.get("runAsGroup", 0)
    args = ["--user", f"{uid}:{group}"]
    if context.get("readOnlyRootFilesystem"):
        args.append("--read-only")
    for capability in context.get("capabilities", {}).get("drop", []):
        args += ["--cap-drop", capability]
    if context.get("allowPrivilegeEscalation") is False:
        args += ["--security-opt", "no-new-privileges"]
    limits = container["resources"]["limits"]
    args += [
        "--memory",
        str(quantity_bytes(limits["memory"])),
        "--cpus",
        quantity_cpus(limits["cpu"]),
    ]
    volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
    for mount in container.get("volumeMounts", []):
        volume = volumes[mount["name"]]
        if "emptyDir" in volume:
            size = volume["emptyDir"].get("sizeLimit")
            args += [
                "--tmpfs",
                mount["mountPath"] + (f":size={quantity_bytes(size)}" if size else ""),
            ]
        elif "projected" in volume or "secret" in volume:
            directory = scratch / mount["name"]
            _write_volume(resources, volume, directory)
            args += ["-v", f"{directory}:{mount['mountPath']}:ro"]
        elif "persistentVolumeClaim" in volume and claims:
            claim = claims[volume["persistentVolumeClaim"]["claimName"]]
            args += ["-v", f"{claim}:{mount['mountPath']}"]
        else:
            raise AssertionError(f"no Docker equivalent for volume {volume}")
    for key, value in sorted(environment(resources, container).items()):
        args += ["-e", f"{key}={value}"]
    if container.get("command"):
        args += ["--entrypoint", container["command"][0]]
    args.append(container["image"])
    args += container.get("command", [])[1:]
    args += container.get("args", [])
    return args


def probe_port(container: dict[str, Any], probe: dict[str, Any]) -> int:
    port = probe["httpGet"]["port"]
    if isinstance(port, int):
        return port
    named = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    return int(named[port])


def probe_once(base_url: str, probe: dict[str, Any]) -> int:
    """One kubelet probe: an HTTP GET within the probe's timeout; its status, 0 for no answer."""
    response = request("GET", base_url + probe["httpGet"]["path"])
    return response.status_code if response is not None else 0


def probe_until(base_url: str, probe: dict[str, Any], *, success: bool = True) -> int:
    """Probe at the probe's period until it succeeds (2xx/3xx) or its failures run out.

    Returns the number of probes it took; fails the test when the kubelet would give up
    (startup: the container is restarted; readiness: the pod never gets traffic).
    """
    time.sleep(probe.get("initialDelaySeconds", 0))
    period = probe.get("periodSeconds", 10)
    attempts = probe.get("failureThreshold", 3)
    statuses = []
    for attempt in range(1, attempts + 1):
        status = probe_once(base_url, probe)
        statuses.append(status)
        if (200 <= status < 400) == success:
            return attempt
        time.sleep(period)
    raise AssertionError(f"{probe['httpGet']['path']}: {statuses} after {attempts} probes")
