#!/usr/bin/env python3
"""Static checks of the container and monitoring configuration, plus optional live checks.

    python3 scripts/check-container-config.py              # files only (no Docker needed)
    python3 scripts/check-container-config.py --prometheus http://127.0.0.1:9090

Files (Grafana, Loki and Promtail cannot run on the project's CI machines, so their
configuration is checked here instead):
  - every alert rule has a promtool unit test in which it fires;
  - the Grafana dashboards are current (deploy/grafana/build_dashboards.py --check), parse as
    JSON, have unique uids and panel ids, and use only provisioned data sources;
  - the Grafana provisioning files parse, and every path they name is mounted from an existing
    directory by docker-compose.monitoring.yml;
  - the Loki and Promtail files parse and point at each other; every secret file the compose
    files name exists in deploy/secrets/dev;
  - every variable the compose files read is documented in .env.example, and every link to
    docs/troubleshooting.md (alert runbooks, scripts, docs) names a section that exists.
Live (--prometheus): every dashboard query is accepted by Prometheus (no syntax or type errors),
and every rule file loaded without errors.

Needs PyYAML. Exit status 1 on any problem, with one line per problem.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
problems: list[str] = []


def problem(message: str) -> None:
    problems.append(message)


def load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        problem(f"{path.relative_to(ROOT)}: {exc}")
        return None


def check_rule_tests() -> None:
    rules = load_yaml(DEPLOY / "prometheus/rules/totrackit.rules.yml") or {}
    alerts = {
        r["alert"] for g in rules.get("groups", []) for r in g.get("rules", []) if "alert" in r
    }
    fired: set[str] = set()
    for test_file in sorted((DEPLOY / "monitoring/tests").glob("*.yml")):
        tests = load_yaml(test_file) or {}
        for case in tests.get("tests", []):
            for check in case.get("alert_rule_test", []):
                if check.get("exp_alerts"):
                    fired.add(check["alertname"])
    for alert in sorted(alerts - fired):
        problem(f"alert {alert} has no promtool test in which it fires (deploy/monitoring/tests)")
    for alert in sorted(fired - alerts):
        problem(f"deploy/monitoring/tests tests {alert}, which no rule defines")
    print(f"rules: {len(alerts)} alerts, {len(alerts & fired)} with a firing test")


def compose_mounts(service: str) -> dict[str, Path]:
    compose = load_yaml(ROOT / "docker-compose.monitoring.yml") or {}
    mounts = {}
    for volume in compose.get("services", {}).get(service, {}).get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("./"):
            mounts[target] = ROOT / source
    return mounts


def check_grafana() -> list[dict[str, Any]]:
    result = subprocess.run(
        [sys.executable, str(DEPLOY / "grafana/build_dashboards.py"), "--check"],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        problem(result.stdout.strip() or result.stderr.strip())

    datasources = load_yaml(DEPLOY / "grafana/provisioning/datasources/datasources.yml") or {}
    uids = {d.get("uid") for d in datasources.get("datasources", [])}
    if "prometheus" not in uids:
        problem("datasources.yml: no data source with uid prometheus")

    mounts = compose_mounts("grafana")
    provisioning = mounts.get("/etc/grafana/provisioning")
    if provisioning is None or not provisioning.is_dir():
        problem(
            "docker-compose.monitoring.yml: grafana does not mount an existing provisioning directory"
        )
    providers = load_yaml(DEPLOY / "grafana/provisioning/dashboards/dashboards.yml") or {}
    dashboards: list[dict[str, Any]] = []
    seen_uids: set[str] = set()
    for provider in providers.get("providers", []):
        path = provider.get("options", {}).get("path", "")
        source = mounts.get(path)
        if source is None or not source.is_dir():
            problem(
                f"dashboards.yml: provider path {path} is not mounted from an existing directory"
            )
            continue
        files = sorted(source.glob("*.json"))
        if not files:
            problem(f"{source.relative_to(ROOT)}: no dashboards")
        for file in files:
            try:
                board = json.loads(file.read_text())
            except ValueError as exc:
                problem(f"{file.relative_to(ROOT)}: not JSON: {exc}")
                continue
            if board.get("uid") in seen_uids:
                problem(f"{file.relative_to(ROOT)}: duplicate uid {board.get('uid')}")
            seen_uids.add(board.get("uid"))
            ids = [p.get("id") for p in board.get("panels", [])]
            if len(ids) != len(set(ids)):
                problem(f"{file.relative_to(ROOT)}: duplicate panel ids")
            for panel in board.get("panels", []):
                if panel.get("type") == "row":
                    continue
                if panel.get("datasource", {}).get("uid") not in uids:
                    problem(
                        f"{file.relative_to(ROOT)}: panel {panel.get('title')!r} uses an unknown data source"
                    )
                if not panel.get("targets"):
                    problem(f"{file.relative_to(ROOT)}: panel {panel.get('title')!r} has no query")
            dashboards.append(board)
    home = load_yaml(ROOT / "docker-compose.monitoring.yml")["services"]["grafana"][
        "environment"
    ].get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH", "")
    if home and not (DEPLOY / "grafana/dashboards" / Path(home).name).is_file():
        problem(f"grafana home dashboard {home} does not exist")
    print(
        f"grafana: {len(dashboards)} dashboards, {sum(len(b['panels']) for b in dashboards)} panels"
    )
    return dashboards


def check_logs_pipeline() -> None:
    loki = load_yaml(DEPLOY / "loki/loki.yml") or {}
    for key in ("server", "schema_config", "common", "limits_config"):
        if key not in loki:
            problem(f"deploy/loki/loki.yml: missing {key}")
    port = loki.get("server", {}).get("http_listen_port")
    promtail = load_yaml(DEPLOY / "promtail/promtail.yml") or {}
    urls = [c.get("url", "") for c in promtail.get("clients", [])]
    if not any(f"loki:{port}/loki/api/v1/push" in url for url in urls):
        problem(f"deploy/promtail/promtail.yml: no client pushes to loki:{port}")
    if not str(promtail.get("positions", {}).get("filename", "")).startswith("/tmp/"):
        problem("deploy/promtail/promtail.yml: positions must live in /tmp (read-only root)")
    if not promtail.get("scrape_configs"):
        problem("deploy/promtail/promtail.yml: no scrape_configs")
    mounts = compose_mounts("loki") | compose_mounts("promtail")
    for target, source in mounts.items():
        if not source.exists():
            problem(
                f"docker-compose.monitoring.yml mounts missing {source.relative_to(ROOT)} at {target}"
            )
    print("logs: loki and promtail configuration consistent")


def check_secret_files() -> None:
    count = 0
    for compose_file in sorted(ROOT.glob("docker-compose*.yml")):
        text = compose_file.read_text()
        for name in re.findall(r"\$\{TOTRACKIT_SECRETS_DIR:-\./deploy/secrets/dev\}/(\w+)", text):
            count += 1
            if not (DEPLOY / "secrets/dev" / name).is_file():
                problem(
                    f"{compose_file.name}: development secret deploy/secrets/dev/{name} is missing"
                )
    print(f"secrets: {count} development secret references resolved")


def slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def check_docs() -> None:
    example = (ROOT / ".env.example").read_text()
    variables: set[str] = set()
    for compose_file in sorted(ROOT.glob("docker-compose*.yml")):
        variables |= set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", compose_file.read_text()))
    for name in sorted(variables):
        if not re.search(rf"^# {name}=", example, flags=re.MULTILINE):
            problem(f".env.example does not document {name}")
    guide = (ROOT / "docs/troubleshooting.md").read_text()
    anchors = {slug(h) for h in re.findall(r"^#+ (.+)$", guide, flags=re.MULTILINE)}
    links = 0
    sources = [
        *ROOT.glob("scripts/*"),
        *ROOT.glob("docs/**/*.md"),
        *DEPLOY.glob("**/*.yml"),
        *ROOT.glob("*.yml"),
    ]
    for source in sources:
        if not source.is_file():
            continue
        text = source.read_text(errors="replace")
        found = re.findall(r"troubleshooting\.md#([a-z0-9-]+)", text)
        if source.name == "quick-start.sh":  # anchors chosen at run time: `echo anchor`
            found += re.findall(r"\becho ([a-z][a-z0-9-]+-[a-z0-9-]+)", text)
            found += re.findall(r'fail "[^"]*" ([a-z][a-z0-9-]+)', text)
        for anchor in found:
            links += 1
            if anchor not in anchors:
                problem(
                    f"{source.relative_to(ROOT)} links to troubleshooting.md#{anchor}, which does not exist"
                )
    for anchor in re.findall(r"\]\(#([a-z0-9-]+)\)", guide):
        if anchor not in anchors:
            problem(f"docs/troubleshooting.md links to #{anchor}, which does not exist")
    print(
        f"docs: {len(variables)} compose variables documented, {links} troubleshooting links resolved"
    )


def check_live(prometheus: str, dashboards: list[dict[str, Any]]) -> None:
    def get(path: str, **params: str) -> Any:
        url = f"{prometheus.rstrip('/')}{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return json.load(response)
        except urllib.error.HTTPError as exc:
            return json.load(exc)

    queries = 0
    for board in dashboards:
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                expr = target["expr"].replace("$__rate_interval", "1m")
                answer = get("/api/v1/query", query=expr)
                queries += 1
                if answer.get("status") != "success":
                    problem(f"{board['uid']} / {panel['title']}: {answer.get('error')}")
    rules = get("/api/v1/rules")
    bad = [
        f"{rule['name']}: {rule.get('lastError')}"
        for group in rules.get("data", {}).get("groups", [])
        for rule in group.get("rules", [])
        if rule.get("health") == "err"
    ]
    for line in bad:
        problem(f"rule evaluation error: {line}")
    loaded = sum(len(g["rules"]) for g in rules.get("data", {}).get("groups", []))
    print(f"live: {queries} dashboard queries accepted, {loaded} rules loaded, {len(bad)} failing")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prometheus", help="base URL of a running Prometheus to query")
    args = parser.parse_args()
    check_rule_tests()
    dashboards = check_grafana()
    check_logs_pipeline()
    check_secret_files()
    check_docs()
    if args.prometheus:
        check_live(args.prometheus, dashboards)
    for line in problems:
        print(f"PROBLEM: {line}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
