"""The custom resources' schemas: each operator's CRD, at the release named in CUSTOM_KINDS.

    python -m tests.support.crd_schemas [--repo OWNER/NAME=CHECKOUT ...]

writes, into .crd-schemas/ (not part of the repository: the CRDs are the operators' files), the
``openAPIV3Schema`` of each custom kind's served version, without its descriptions, as JSON, with
the source it came from, and a README.md listing the sources. It reads each CRD file at the
pinned commit from a local clone (``--repo``: any git checkout or bare repository of it) or, for
the repositories not given, downloads it from GitHub.

``validator`` turns such a schema into a JSON Schema that checks a custom resource strictly, the
way the API server prunes: an object takes only the properties its schema names, unless the CRD
says ``x-kubernetes-preserve-unknown-fields`` or gives ``additionalProperties``. The CEL rules
(``x-kubernetes-validations``) and the formats are the API server's alone and not checked here.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import urllib.request
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml
from jsonschema import Draft4Validator

from tests.support.kubernetes import CRD, CUSTOM_KINDS, KUBERNETES_VERSIONS, ROOT

SCHEMAS = ROOT / ".crd-schemas"
REFRESH = "python -m tests.support.crd_schemas"
# The schema keywords whose values are schemas, lists of schemas or maps of them.
_ONE = ("items", "additionalProperties", "not")
_MANY = ("allOf", "anyOf", "oneOf")
# Every object has these; the API server checks metadata itself (ObjectMeta).
_EMBEDDED = {"apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {}}


def schema_path(api_version: str, kind: str) -> Path:
    group, version = api_version.split("/")
    return SCHEMAS / f"{group}_{version}_{kind.lower()}.json"


def _walk(node: dict[str, Any], visit: Any) -> dict[str, Any]:
    """The schema with ``visit`` applied to every schema in it, innermost first."""
    out = dict(node)
    if isinstance(node.get("properties"), dict):
        out["properties"] = {name: _walk(s, visit) for name, s in node["properties"].items()}
    for key in _ONE:
        if isinstance(node.get(key), dict):
            out[key] = _walk(node[key], visit)
    for key in _MANY:
        if key in node:
            out[key] = [_walk(s, visit) for s in node[key]]
    result: dict[str, Any] = visit(out)
    return result


def _undescribed(node: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in node.items() if key != "description"}


def extract(text: str, api_version: str, kind: str) -> dict[str, Any]:
    """The openAPIV3Schema of that served version, from a CRD file (a Helm template may do)."""
    group, version = api_version.split("/")
    # Helm charts template only the metadata of their CRDs: those lines go.
    lines = [line for line in text.splitlines() if "{{" not in line]
    for crd in yaml.safe_load_all("\n".join(lines)):
        if not crd or crd.get("kind") != "CustomResourceDefinition":
            continue
        spec = crd["spec"]
        if spec["group"] != group or spec["names"]["kind"] != kind:
            continue
        for served in spec["versions"]:
            if served["name"] == version:
                assert served["served"], f"{api_version} {kind} is not served"
                return _walk(served["schema"]["openAPIV3Schema"], _undescribed)
    raise LookupError(f"no CRD for {api_version} {kind}")


def _strict(node: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in node.items() if not k.startswith("x-kubernetes-") and k != "nullable"}
    if node.get("x-kubernetes-int-or-string") and "type" not in node and "anyOf" not in node:
        out["type"] = ["integer", "string"]
    if node.get("nullable") and "type" in node:
        out["type"] = [node["type"], "null"]
    if "pattern" in node:
        # Go's regular expressions take a flag group anywhere; Python's only at the start.
        out["pattern"] = re.sub(r"^\^(\(\?[a-z]+\))", r"\1^", node["pattern"])
    if node.get("x-kubernetes-list-type") == "set":
        out["uniqueItems"] = True
    if node.get("x-kubernetes-embedded-resource"):
        out["properties"] = {**_EMBEDDED, **node.get("properties", {})}
    if (
        node.get("type") == "object"
        and "additionalProperties" not in node
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


def strict_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The CRD's schema as strict JSON Schema; the resource's metadata is left to ObjectMeta's."""
    converted = _walk(schema, _strict)
    converted["properties"] = {**converted.get("properties", {}), **_EMBEDDED}
    return converted


def read(api_version: str, kind: str) -> dict[str, Any]:
    """The stored schema, refused when it is missing or comes from another source than pinned."""
    path = schema_path(api_version, kind)
    stored: dict[str, Any] = json.loads(path.read_text())
    if stored["source"] != CUSTOM_KINDS[api_version, kind].as_dict():
        raise ValueError(f"{path} comes from {stored['source']}: run {REFRESH}")
    schema: dict[str, Any] = stored["openAPIV3Schema"]
    return schema


@cache
def validator(api_version: str, kind: str) -> Draft4Validator:
    # OpenAPI 3.0's schema objects are JSON Schema draft 4 (boolean exclusiveMinimum, say).
    schema = strict_schema(read(api_version, kind))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def errors(resource: dict[str, Any]) -> list[str]:
    """What the API server would refuse in a custom resource, as "path: message" lines."""
    found = [
        f"{'.'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator(resource["apiVersion"], resource["kind"]).iter_errors(resource)
    ]
    # Its metadata is an ObjectMeta, whose strict schema kubernetes-validate has; a ConfigMap
    # carries nothing else that is required.
    holder = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": resource["metadata"]}
    try:
        kubernetes_validate.validate(holder, KUBERNETES_VERSIONS[-1], strict=True)
    except kubernetes_validate.ValidationError as error:
        found.append(f"{'.'.join(map(str, error.path))}: {error.message}")
    return found


def missing() -> list[Path]:
    return [path for path in map(lambda key: schema_path(*key), CUSTOM_KINDS) if not path.exists()]


def _crd_text(crd: CRD, checkouts: dict[str, Path]) -> str:
    if crd.repository in checkouts:
        args = ["git", "-C", str(checkouts[crd.repository]), "show", f"{crd.commit}:{crd.path}"]
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout
    url = f"https://raw.githubusercontent.com/{crd.repository}/{crd.commit}/{crd.path}"
    with urllib.request.urlopen(url, timeout=60) as response:
        text: str = response.read().decode()
        return text


def readme() -> str:
    lines = [
        "# Custom resource schemas",
        "",
        "The `openAPIV3Schema` of each custom kind that deploy/kubernetes uses, from its",
        "operator's CRD, descriptions removed; tests/test_kubernetes_manifests.py validates the",
        f"rendered manifests against them. Written by `{REFRESH}`; run it again",
        "after changing a release in CUSTOM_KINDS (tests/support/kubernetes.py).",
        "",
        "| file | kind | repository | path | release | commit |",
        "|---|---|---|---|---|---|",
    ]
    for (api_version, kind), crd in CUSTOM_KINDS.items():
        lines.append(
            f"| {schema_path(api_version, kind).name} | {api_version} {kind} | {crd.repository}"
            f" | {crd.path} | {crd.release} | {crd.commit} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Write .crd-schemas/ from the operators' CRDs.")
    parser.add_argument(
        "--repo",
        action="append",
        default=[],
        metavar="OWNER/NAME=CHECKOUT",
        help="read that repository's CRDs from a local clone instead of downloading them",
    )
    checkouts = {}
    for value in parser.parse_args(argv).repo:
        repository, _, path = value.partition("=")
        checkouts[repository] = Path(path)
    SCHEMAS.mkdir(exist_ok=True)
    texts: dict[tuple[str, str], str] = {}
    for (api_version, kind), crd in CUSTOM_KINDS.items():
        key = (crd.repository, crd.path)
        texts[key] = texts.get(key) or _crd_text(crd, checkouts)
        stored = {
            "source": crd.as_dict(),
            "openAPIV3Schema": extract(texts[key], api_version, kind),
        }
        schema_path(api_version, kind).write_text(json.dumps(stored, indent=1) + "\n")
    (SCHEMAS / "README.md").write_text(readme())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
