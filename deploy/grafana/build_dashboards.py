"""Write the provisioned Grafana dashboards in deploy/grafana/dashboards/ from this description.

    python3 deploy/grafana/build_dashboards.py          # rewrite the JSON files
    python3 deploy/grafana/build_dashboards.py --check  # exit 1 when a file is stale

The dashboards are generated so that every panel follows the same conventions (datasource uid
``prometheus`` from deploy/grafana/provisioning, $__rate_interval, units) and so that the
container test suite can run every query against a live Prometheus (scripts/check-container-config.py).
Standard library only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent / "dashboards"
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}
GRID_WIDTH = 24


def target(expr: str, legend: str = "", ref: str = "A") -> dict[str, Any]:
    return {"datasource": DATASOURCE, "expr": expr, "legendFormat": legend, "refId": ref}


def panel(
    title: str,
    exprs: list[tuple[str, str]],
    *,
    kind: str = "timeseries",
    unit: str = "short",
    width: int = 12,
    height: int = 8,
    description: str = "",
    thresholds: list[tuple[float | None, str]] | None = None,
) -> dict[str, Any]:
    steps = [{"color": color, "value": value} for value, color in (thresholds or [(None, "green")])]
    result: dict[str, Any] = {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "gridPos": {"w": width, "h": height},
        "fieldConfig": {
            "defaults": {"unit": unit, "thresholds": {"mode": "absolute", "steps": steps}},
            "overrides": [],
        },
        "targets": [
            target(expr, legend, chr(ord("A") + index))
            for index, (expr, legend) in enumerate(exprs)
        ],
    }
    if kind == "timeseries":
        result["options"] = {"legend": {"displayMode": "list", "placement": "bottom"}}
        result["fieldConfig"]["defaults"]["custom"] = {"fillOpacity": 10, "lineWidth": 1}
    elif kind == "stat":
        result["options"] = {"reduceOptions": {"calcs": ["lastNotNull"]}, "colorMode": "value"}
    elif kind == "table":
        result["targets"][0]["format"] = "table"
        result["targets"][0]["instant"] = True
    return result


def row(title: str) -> dict[str, Any]:
    return {"type": "row", "title": title, "collapsed": False, "gridPos": {"w": GRID_WIDTH, "h": 1}}


def dashboard(
    uid: str, title: str, description: str, panels: list[dict[str, Any]]
) -> dict[str, Any]:
    x = y = line_height = 0
    for index, item in enumerate(panels, start=1):
        item["id"] = index
        grid = item["gridPos"]
        if item["type"] == "row" or x + grid["w"] > GRID_WIDTH:
            x, y, line_height = 0, y + line_height, 0
        grid["x"], grid["y"] = x, y
        if item["type"] == "row":
            y += grid["h"]
            continue
        x += grid["w"]
        line_height = max(line_height, grid["h"])
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["totrackit"],
        "timezone": "utc",
        "editable": True,
        "refresh": "30s",
        "schemaVersion": 39,
        "version": 1,
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": []},
        "annotations": {"list": []},
        "links": [
            {
                "title": "ToTrackIt dashboards",
                "type": "dashboards",
                "tags": ["totrackit"],
                "asDropdown": True,
            }
        ],
        "panels": panels,
    }


RATE = "$__rate_interval"


def deadlines() -> dict[str, Any]:
    return dashboard(
        "totrackit-deadlines",
        "ToTrackIt / Deadlines",
        "Runs, deadlines and deadline events: what is late right now and whether events fire on time.",
        [
            row("Now"),
            panel(
                "Active runs",
                [("sum(max by (instance) (totrackit_active_processes_current))", "")],
                kind="stat",
                width=6,
                height=5,
            ),
            panel(
                "Overdue runs",
                [("sum(totrackit_processes_overdue_current)", "")],
                kind="stat",
                width=6,
                height=5,
                thresholds=[(None, "green"), (1, "orange"), (100, "red")],
            ),
            panel(
                "Due events not produced",
                [("sum(totrackit_notifications_backlog)", "")],
                kind="stat",
                width=6,
                height=5,
                thresholds=[(None, "green"), (1, "orange"), (1000, "red")],
            ),
            panel(
                "Seconds since the last deadline scan",
                [("time() - max(totrackit_deadline_last_scan_timestamp_seconds > 0)", "")],
                kind="stat",
                unit="s",
                width=6,
                height=5,
                thresholds=[(None, "green"), (30, "orange"), (120, "red")],
            ),
            row("Runs"),
            panel(
                "Overdue runs by process name (top 10)",
                [
                    (
                        "topk(10, sum by (process_name) (totrackit_processes_overdue_current))",
                        "{{process_name}}",
                    )
                ],
            ),
            panel(
                "Runs started, completed and failed",
                [
                    (f"sum(rate(totrackit_processes_created_total[{RATE}]))", "started"),
                    (f"sum(rate(totrackit_processes_completed_total[{RATE}]))", "completed"),
                    (f"sum(rate(totrackit_processes_failed_total[{RATE}]))", "failed"),
                ],
                unit="reqps",
            ),
            panel(
                "Completed on time (share of completions with a deadline)",
                [
                    (
                        f"sum(rate(totrackit_processes_completed_on_time_total[{RATE}])) / (sum(rate(totrackit_processes_completed_on_time_total[{RATE}])) + sum(rate(totrackit_processes_completed_late_total[{RATE}])))",
                        "on time",
                    ),
                ],
                unit="percentunit",
            ),
            panel(
                "Mean run duration by process name (completed)",
                [
                    (
                        f'sum by (process_name) (rate(totrackit_process_duration_seconds_sum{{status="COMPLETED"}}[{RATE}])) / sum by (process_name) (rate(totrackit_process_duration_seconds_count{{status="COMPLETED"}}[{RATE}]))',
                        "{{process_name}}",
                    ),
                ],
                unit="s",
                description="Per-tag p50/p90/p99 of the same runs: the Analytics page.",
            ),
            row("Deadline events"),
            panel(
                "Deadlines missed and warnings",
                [
                    (
                        f"sum by (process_name) (rate(totrackit_processes_deadline_missed_total[{RATE}]))",
                        "missed {{process_name}}",
                    ),
                    (
                        f"sum by (process_name) (rate(totrackit_processes_deadline_warning_total[{RATE}]))",
                        "warning {{process_name}}",
                    ),
                ],
                unit="reqps",
            ),
            panel(
                "Event lag: due to produced (p50, p99)",
                [
                    (
                        f"histogram_quantile(0.5, sum by (le) (rate(totrackit_deadline_event_lag_seconds_bucket[{RATE}])))",
                        "p50",
                    ),
                    (
                        f"histogram_quantile(0.99, sum by (le) (rate(totrackit_deadline_event_lag_seconds_bucket[{RATE}])))",
                        "p99",
                    ),
                ],
                unit="s",
            ),
            panel(
                "Deadline scan duration (p99)",
                [
                    (
                        f"histogram_quantile(0.99, sum by (le) (rate(totrackit_deadline_scan_duration_seconds_bucket[{RATE}])))",
                        "p99",
                    ),
                ],
                unit="s",
            ),
            panel(
                "Due events not produced, by event",
                [("sum by (event) (totrackit_notifications_backlog)", "{{event}}")],
            ),
            row("Webhooks"),
            panel(
                "Delivery attempts by receiver and outcome",
                [
                    (
                        f"sum by (endpoint, outcome) (rate(totrackit_webhook_delivery_attempts_total[{RATE}]))",
                        "{{endpoint}} {{outcome}}",
                    ),
                ],
                unit="reqps",
            ),
            panel(
                "Delivery failures by reason",
                [
                    (
                        f"sum by (endpoint, reason) (rate(totrackit_webhook_delivery_failures_total[{RATE}]))",
                        "{{endpoint}} {{reason}}",
                    ),
                ],
                unit="reqps",
            ),
            panel(
                "Outbox: pending and dead events",
                [
                    ("max(totrackit_webhook_outbox_pending)", "pending"),
                    ("max(totrackit_webhook_outbox_dead)", "dead"),
                ],
            ),
            panel(
                "Delivery latency: queued to delivered (p99)",
                [
                    (
                        f"histogram_quantile(0.99, sum by (le, event) (rate(totrackit_webhook_delivery_latency_seconds_bucket[{RATE}])))",
                        "{{event}}",
                    ),
                ],
                unit="s",
            ),
        ],
    )


def http() -> dict[str, Any]:
    errors = 'status=~"5.."'
    return dashboard(
        "totrackit-http",
        "ToTrackIt / HTTP API",
        "Traffic, errors and latency of the API, by route template and by replica.",
        [
            row("Golden signals"),
            panel(
                "Requests per second",
                [(f"sum(rate(totrackit_http_requests_total[{RATE}]))", "")],
                kind="stat",
                unit="reqps",
                width=6,
                height=5,
            ),
            panel(
                "5xx ratio",
                [
                    (
                        f"sum(rate(totrackit_http_requests_total{{{errors}}}[{RATE}])) / sum(rate(totrackit_http_requests_total[{RATE}]))",
                        "",
                    )
                ],
                kind="stat",
                unit="percentunit",
                width=6,
                height=5,
                thresholds=[(None, "green"), (0.005, "orange"), (0.05, "red")],
            ),
            panel(
                "p99 latency",
                [
                    (
                        f'histogram_quantile(0.99, sum by (le) (rate(totrackit_http_request_duration_seconds_bucket{{endpoint!~"/metrics|/health.*"}}[{RATE}])))',
                        "",
                    )
                ],
                kind="stat",
                unit="s",
                width=6,
                height=5,
                thresholds=[(None, "green"), (0.5, "orange"), (1, "red")],
            ),
            panel(
                "API replicas up",
                [('sum(up{job="totrackit-api"})', "")],
                kind="stat",
                width=6,
                height=5,
                thresholds=[(None, "red"), (1, "green")],
            ),
            row("Traffic"),
            panel(
                "Requests by route",
                [
                    (
                        f"sum by (method, endpoint) (rate(totrackit_http_requests_total[{RATE}]))",
                        "{{method}} {{endpoint}}",
                    )
                ],
                unit="reqps",
            ),
            panel(
                "Requests by status",
                [(f"sum by (status) (rate(totrackit_http_requests_total[{RATE}]))", "{{status}}")],
                unit="reqps",
            ),
            panel(
                "Requests by replica",
                [
                    (
                        f"sum by (instance) (rate(totrackit_http_requests_total[{RATE}]))",
                        "{{instance}}",
                    )
                ],
                unit="reqps",
                description="Even spread means the proxy balances the replicas.",
            ),
            panel(
                "Errors by route (4xx, 5xx)",
                [
                    (
                        f'sum by (endpoint, status) (rate(totrackit_http_requests_total{{status=~"4..|5.."}}[{RATE}]))',
                        "{{status}} {{endpoint}}",
                    ),
                ],
                unit="reqps",
            ),
            row("Latency"),
            panel(
                "Latency by route (p99)",
                [
                    (
                        f'histogram_quantile(0.99, sum by (le, endpoint) (rate(totrackit_http_request_duration_seconds_bucket{{endpoint!~"/metrics|/health.*"}}[{RATE}])))',
                        "{{endpoint}}",
                    ),
                ],
                unit="s",
            ),
            panel(
                "Latency (p50, p90, p99)",
                [
                    (
                        f"histogram_quantile({q}, sum by (le) (rate(totrackit_http_request_duration_seconds_bucket[{RATE}])))",
                        f"p{int(q * 100)}",
                    )
                    for q in (0.5, 0.9, 0.99)
                ],
                unit="s",
            ),
            row("Processes"),
            panel(
                "Resident memory by replica",
                [('process_resident_memory_bytes{job=~"totrackit-.*"}', "{{job}} {{instance}}")],
                unit="bytes",
            ),
            panel(
                "CPU by replica",
                [
                    (
                        f'rate(process_cpu_seconds_total{{job=~"totrackit-.*"}}[{RATE}])',
                        "{{job}} {{instance}}",
                    )
                ],
                unit="percentunit",
            ),
        ],
    )


def database() -> dict[str, Any]:
    return dashboard(
        "totrackit-database",
        "ToTrackIt / Database and Redis",
        "PostgreSQL as ToTrackIt sees it (statement latency, pool) and as the exporters see it; Redis.",
        [
            row("PostgreSQL"),
            panel(
                "PostgreSQL up",
                [("max(pg_up)", "")],
                kind="stat",
                width=6,
                height=5,
                thresholds=[(None, "red"), (1, "green")],
            ),
            panel(
                "Connections used",
                [("sum(pg_stat_database_numbackends) / max(pg_settings_max_connections)", "")],
                kind="stat",
                unit="percentunit",
                width=6,
                height=5,
                thresholds=[(None, "green"), (0.6, "orange"), (0.8, "red")],
            ),
            panel(
                "Database size",
                [('sum(pg_database_size_bytes{datname!~"template.*|postgres"})', "")],
                kind="stat",
                unit="bytes",
                width=6,
                height=5,
            ),
            panel(
                "Redis up",
                [("max(redis_up)", "")],
                kind="stat",
                width=6,
                height=5,
                thresholds=[(None, "red"), (1, "green")],
            ),
            panel(
                "Statement duration seen by ToTrackIt (p50, p99)",
                [
                    (
                        f"histogram_quantile({q}, sum by (le) (rate(totrackit_database_query_duration_seconds_bucket[{RATE}])))",
                        f"p{int(q * 100)}",
                    )
                    for q in (0.5, 0.99)
                ],
                unit="s",
            ),
            panel(
                "Pool connections checked out, by replica",
                [("totrackit_database_connections_active", "{{job}} {{instance}}")],
            ),
            panel(
                "Process-table operations",
                [
                    (
                        f"sum by (operation, success) (rate(totrackit_database_operations_total[{RATE}]))",
                        "{{operation}} {{success}}",
                    ),
                ],
                unit="ops",
            ),
            panel(
                "Transactions per second",
                [
                    (
                        f'sum by (datname) (rate(pg_stat_database_xact_commit{{datname!~"template.*"}}[{RATE}]))',
                        "commit {{datname}}",
                    ),
                    (
                        f'sum by (datname) (rate(pg_stat_database_xact_rollback{{datname!~"template.*"}}[{RATE}]))',
                        "rollback {{datname}}",
                    ),
                ],
                unit="ops",
            ),
            panel(
                "Backends by database",
                [
                    (
                        'sum by (datname) (pg_stat_database_numbackends{datname!~"template.*"})',
                        "{{datname}}",
                    )
                ],
            ),
            panel(
                "Database size by database",
                [('pg_database_size_bytes{datname!~"template.*"}', "{{datname}}")],
                unit="bytes",
            ),
            row("Redis"),
            panel(
                "Redis memory used vs maxmemory",
                [
                    ("max(redis_memory_used_bytes)", "used"),
                    ("max(redis_memory_max_bytes)", "maxmemory"),
                ],
                unit="bytes",
            ),
            panel(
                "Redis commands per second",
                [(f"sum(rate(redis_commands_processed_total[{RATE}]))", "commands")],
                unit="ops",
            ),
            panel("Redis clients", [("max(redis_connected_clients)", "clients")]),
            panel(
                "Redis evicted and expired keys",
                [
                    (f"sum(rate(redis_evicted_keys_total[{RATE}]))", "evicted"),
                    (f"sum(rate(redis_expired_keys_total[{RATE}]))", "expired"),
                ],
                unit="ops",
            ),
        ],
    )


def containers() -> dict[str, Any]:
    fs = 'fstype!~"tmpfs|overlay|squashfs|nsfs|ramfs"'
    return dashboard(
        "totrackit-containers",
        "ToTrackIt / Containers and host",
        "Per-container CPU and memory against limits (cAdvisor, --profile cadvisor) and the host (node-exporter), including the filesystem with the data volumes.",
        [
            row("Host"),
            panel(
                "CPU busy",
                [(f'1 - avg(rate(node_cpu_seconds_total{{mode="idle"}}[{RATE}]))', "")],
                kind="stat",
                unit="percentunit",
                width=6,
                height=5,
                thresholds=[(None, "green"), (0.7, "orange"), (0.9, "red")],
            ),
            panel(
                "Memory available",
                [("min(node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)", "")],
                kind="stat",
                unit="percentunit",
                width=6,
                height=5,
                thresholds=[(None, "red"), (0.1, "orange"), (0.2, "green")],
            ),
            panel(
                "Least free space on a data filesystem",
                [
                    (
                        f"min(node_filesystem_avail_bytes{{{fs}}} / node_filesystem_size_bytes{{{fs}}})",
                        "",
                    )
                ],
                kind="stat",
                unit="percentunit",
                width=6,
                height=5,
                thresholds=[(None, "red"), (0.05, "orange"), (0.1, "green")],
            ),
            panel("Load (1 min)", [("max(node_load1)", "")], kind="stat", width=6, height=5),
            panel(
                "Filesystem free space",
                [
                    (
                        f"node_filesystem_avail_bytes{{{fs}}} / node_filesystem_size_bytes{{{fs}}}",
                        "{{mountpoint}}",
                    )
                ],
                unit="percentunit",
            ),
            panel(
                "Disk I/O",
                [
                    (
                        f"sum by (device) (rate(node_disk_read_bytes_total[{RATE}]))",
                        "read {{device}}",
                    ),
                    (
                        f"sum by (device) (rate(node_disk_written_bytes_total[{RATE}]))",
                        "write {{device}}",
                    ),
                ],
                unit="Bps",
            ),
            row("Containers"),
            panel(
                "CPU by container",
                [
                    (
                        f'sum by (name) (rate(container_cpu_usage_seconds_total{{name!=""}}[{RATE}]))',
                        "{{name}}",
                    )
                ],
                unit="percentunit",
            ),
            panel(
                "Memory by container (working set)",
                [('sum by (name) (container_memory_working_set_bytes{name!=""})', "{{name}}")],
                unit="bytes",
            ),
            panel(
                "Memory against the limit",
                [
                    (
                        'max by (name) (container_memory_working_set_bytes{name!=""} / container_spec_memory_limit_bytes{name!=""} and container_spec_memory_limit_bytes{name!=""} > 0)',
                        "{{name}}",
                    ),
                ],
                unit="percentunit",
            ),
            panel(
                "Network received by container",
                [
                    (
                        f'sum by (name) (rate(container_network_receive_bytes_total{{name!=""}}[{RATE}]))',
                        "{{name}}",
                    )
                ],
                unit="Bps",
            ),
            panel("Scrape targets", [("up", "")], kind="table", width=24),
        ],
    )


DASHBOARDS = {
    "totrackit-deadlines.json": deadlines,
    "totrackit-http.json": http,
    "totrackit-database.json": database,
    "totrackit-containers.json": containers,
}


def render() -> dict[str, str]:
    return {name: json.dumps(build(), indent=2) + "\n" for name, build in DASHBOARDS.items()}


def main(argv: list[str]) -> int:
    rendered = render()
    if "--check" in argv:
        stale = [
            name
            for name, text in rendered.items()
            if not (OUT / name).is_file() or (OUT / name).read_text() != text
        ]
        if stale:
            print(f"stale dashboards (run python3 {Path(__file__).as_posix()}): {', '.join(stale)}")
            return 1
        return 0
    OUT.mkdir(exist_ok=True)
    for name, text in rendered.items():
        (OUT / name).write_text(text)
        print(f"wrote {OUT / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
