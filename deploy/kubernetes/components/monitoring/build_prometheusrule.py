"""Write prometheusrule.yaml: the compose stack's alert rules as a Prometheus Operator resource.

    python deploy/kubernetes/components/monitoring/build_prometheusrule.py [--check]

The rules live once, in deploy/prometheus/rules/totrackit.rules.yml (unit-tested by promtool);
this copies their groups into a PrometheusRule. ``--check`` exits 1 when the file is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
RULES = HERE.parents[2] / "prometheus" / "rules" / "totrackit.rules.yml"
TARGET = HERE / "prometheusrule.yaml"
HEADER = (
    "# Generated from deploy/prometheus/rules/totrackit.rules.yml by build_prometheusrule.py;\n"
    "# edit the rules there and run it again.\n"
)


def render() -> str:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    resource = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {
            "name": "totrackit",
            "labels": {"app.kubernetes.io/name": "totrackit"},
        },
        "spec": {"groups": groups},
    }
    return HEADER + yaml.safe_dump(resource, sort_keys=False, allow_unicode=True, width=1000)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if TARGET.read_text() != text:
            print(f"{TARGET} is stale: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
