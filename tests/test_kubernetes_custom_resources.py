"""deploy/kubernetes: every custom resource validates strictly against its operator's CRD.

kubernetes-validate knows the built-in kinds only (tests/test_kubernetes_manifests.py); the
custom ones (CUSTOM_KINDS) are checked here against the openAPIV3Schema of the CRD of the
operator release named there, which ``python -m tests.support.crd_schemas`` extracts into
.crd-schemas/. The CRDs are the operators' files, not this repository's: without them the tests
that need them skip, and say how to get them. How a CRD's schema becomes a strict JSON Schema is
tested here on a small CRD of the test's own, with or without them.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from tests.support import crd_schemas
from tests.support.kubernetes import COMBINATIONS, CUSTOM_KINDS, find, render

Resource = dict[str, Any]

needs_schemas = pytest.mark.skipif(
    bool(crd_schemas.missing()),
    reason=f"no CRD schemas in .crd-schemas/: {crd_schemas.REFRESH} writes them",
)


@pytest.fixture(scope="module")
def custom_resources() -> dict[str, Resource]:
    """Every distinct custom resource of every overlay and component combination, by origin."""
    found: dict[str, Resource] = {}
    for overlay, components in COMBINATIONS:
        for resource in render(overlay, components):
            if (resource["apiVersion"], resource["kind"]) in CUSTOM_KINDS:
                name = f"{resource['kind']} {resource['metadata']['name']}"
                found.setdefault(f"{name} ({'+'.join((overlay, *components))})", resource)
    return found


@needs_schemas
def test_every_custom_resource_validates_strictly_against_its_crd(
    custom_resources: dict[str, Resource],
) -> None:
    refused = {where: crd_schemas.errors(r) for where, r in custom_resources.items()}

    assert {where: found for where, found in refused.items() if found} == {}
    # Every listed kind is used, so none is listed (or pinned) for nothing.
    used = {(r["apiVersion"], r["kind"]) for r in custom_resources.values()}
    assert used == set(CUSTOM_KINDS)


def _misspell_instances(cluster: Resource) -> None:
    cluster["spec"]["instance"] = cluster["spec"].pop("instances")


def _misspell_init_sql(cluster: Resource) -> None:
    initdb = cluster["spec"]["bootstrap"]["initdb"]
    initdb["postInitSql"] = initdb.pop("postInitSQL")


def _misspell_labels(cluster: Resource) -> None:
    cluster["metadata"]["lables"] = cluster["metadata"].pop("labels", {})


def _quote_the_instances(cluster: Resource) -> None:
    cluster["spec"]["instances"] = str(cluster["spec"]["instances"])


@needs_schemas
@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        (_misspell_instances, "spec: Additional properties are not allowed ('instance'"),
        (_misspell_init_sql, "spec.bootstrap.initdb: Additional properties are not allowed"),
        (_misspell_labels, "metadata: Additional properties are not allowed ('lables'"),
        (_quote_the_instances, "spec.instances: '3' is not of type 'integer'"),
    ],
)
def test_a_misspelt_field_of_the_cloudnative_pg_cluster_is_refused(
    change: Callable[[Resource], None], refusal: str
) -> None:
    cluster = find(render("prod"), "Cluster", "totrackit-db")
    assert crd_schemas.errors(cluster) == []

    change(cluster)

    assert [error for error in crd_schemas.errors(cluster) if error.startswith(refusal)]


@needs_schemas
@pytest.mark.parametrize("key", sorted(CUSTOM_KINDS), ids=lambda key: f"{key[0]} {key[1]}")
def test_every_custom_kind_refuses_an_unknown_spec_field(
    custom_resources: dict[str, Resource], key: tuple[str, str]
) -> None:
    resource = copy.deepcopy(
        next(r for r in custom_resources.values() if (r["apiVersion"], r["kind"]) == key)
    )
    resource["spec"]["misspelt"] = True

    assert crd_schemas.errors(resource) == [
        "spec: Additional properties are not allowed ('misspelt' was unexpected)"
    ]


@needs_schemas
def test_a_schema_from_another_release_than_pinned_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = ("cert-manager.io/v1", "Certificate")
    stale = crd_schemas.schema_path(*key).read_text().replace(CUSTOM_KINDS[key].commit, "0" * 40)
    monkeypatch.setattr(crd_schemas, "SCHEMAS", tmp_path)
    crd_schemas.schema_path(*key).write_text(stale)

    with pytest.raises(ValueError, match=re.escape(crd_schemas.REFRESH)):
        crd_schemas.read(*key)


# A CRD of the test's own, in the shape the operators' generators write, with a Helm chart's
# templated metadata: what crd_schemas makes of any CRD.
CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
  labels:
    helm.sh/chart: {{ .Chart.Name }}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
    - name: v1alpha1
      served: false
      storage: false
      schema: {openAPIV3Schema: {type: object}}
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          description: A widget.
          properties:
            apiVersion: {type: string}
            kind: {type: string}
            metadata: {type: object}
            spec:
              type: object
              required: [size]
              properties:
                size: {type: integer, description: How big.}
                description: {type: string}
                port: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
                surge: {x-kubernetes-int-or-string: true}
                mode: {type: string, pattern: "^(?i)(on|off)$"}
                note: {type: string, nullable: true}
                labels: {type: object, additionalProperties: {type: string}}
                tags: {type: array, x-kubernetes-list-type: set, items: {type: string}}
                extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
                template:
                  type: object
                  x-kubernetes-embedded-resource: true
                  properties: {data: {type: object, additionalProperties: {type: string}}}
                hooks:
                  type: array
                  items:
                    type: object
                    properties: {name: {type: string}}
"""


@pytest.fixture(scope="module")
def widget_validator() -> Draft4Validator:
    schema = crd_schemas.strict_schema(crd_schemas.extract(CRD, "example.com/v1", "Widget"))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def widget(**spec: Any) -> Resource:
    return {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "labels": {"a": "b"}},
        "spec": {"size": 1, **spec},
    }


def test_the_extracted_schema_is_the_served_versions_without_descriptions() -> None:
    schema = crd_schemas.extract(CRD, "example.com/v1", "Widget")

    assert "description" not in schema
    assert schema["properties"]["spec"]["properties"]["size"] == {"type": "integer"}
    # A property named description is a property, not a description.
    assert schema["properties"]["spec"]["properties"]["description"] == {"type": "string"}
    with pytest.raises(AssertionError, match="not served"):
        crd_schemas.extract(CRD, "example.com/v1alpha1", "Widget")
    with pytest.raises(LookupError):
        crd_schemas.extract(CRD, "example.com/v1", "Gadget")


@pytest.mark.parametrize(
    "spec",
    [
        {"description": "any", "port": 8080, "mode": "ON", "note": None},
        {"port": "http", "labels": {"any": "thing"}, "tags": ["a", "b"]},
        {"surge": 1},
        {"surge": "25%"},
        {"extra": {"anything": {"at": ["all"]}}},
        {"template": {"apiVersion": "v1", "kind": "Secret", "metadata": {}, "data": {}}},
        {"hooks": [{"name": "a"}]},
    ],
)
def test_the_strict_schema_takes_what_the_crd_allows(
    widget_validator: Draft4Validator, spec: dict[str, Any]
) -> None:
    assert [e.message for e in widget_validator.iter_errors(widget(**spec))] == []


@pytest.mark.parametrize(
    ("spec", "refusal"),
    [
        ({"sise": 2}, "'sise' was unexpected"),
        ({"hooks": [{"nmae": "a"}]}, "'nmae' was unexpected"),
        ({"template": {"data": {}, "other": 1}}, "'other' was unexpected"),
        ({"port": 1.5}, "is not valid under any of the given schemas"),
        ({"surge": [1]}, "[1] is not of type 'integer', 'string'"),
        ({"mode": "maybe"}, "does not match"),
        ({"mode": "xon"}, "does not match"),
        ({"labels": {"n": 1}}, "1 is not of type 'string'"),
        ({"tags": ["a", "a"]}, "has non-unique elements"),
        ({"size": None}, "None is not of type 'integer'"),
    ],
)
def test_the_strict_schema_refuses_what_the_crd_does_not_allow(
    widget_validator: Draft4Validator, spec: dict[str, Any], refusal: str
) -> None:
    messages = [e.message for e in widget_validator.iter_errors(widget(**spec))]

    assert [m for m in messages if refusal in m], messages


def test_the_strict_schema_leaves_metadata_to_object_meta(
    widget_validator: Draft4Validator,
) -> None:
    """Every CRD says `metadata: {type: object}`; the API server checks it as an ObjectMeta."""
    resource = widget()
    resource["metadata"]["namespace"] = "n"

    assert list(widget_validator.iter_errors(resource)) == []


def test_the_schema_readme_names_the_source_of_every_custom_kind() -> None:
    text = crd_schemas.readme()
    rows = [line for line in text.splitlines() if line.startswith("| ") and ".json" in line]

    assert len(rows) == len(CUSTOM_KINDS)
    for (api_version, kind), crd in CUSTOM_KINDS.items():
        assert f"| {api_version} {kind} | {crd.repository} | {crd.path} | {crd.release} |" in text
