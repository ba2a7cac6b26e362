"""Prometheus metrics: every metric name of the HTTP and process families lives here.

Names follow the original ToTrackIt (``totrackit_processes_*``) and the deployment design
(``totrackit_http_*``, ``totrackit_database_*``). Labels are bounded: HTTP metrics use the route
template, never the raw path, and process names beyond a cap collapse into ``_other``.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Summary,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client import REGISTRY as DEFAULT_REGISTRY

from totrackit.observability import multiprocess
from totrackit.processes.metrics import Operation
from totrackit.processes.models import ProcessRun
from totrackit.processes.rules import DeadlineStatus, Status

# The per-series "_created" timestamps double the series count for nothing Prometheus uses.
disable_created_metrics()  # type: ignore[no-untyped-call]

MAX_PROCESS_NAMES = 500
OTHER_NAME = "_other"
_seen_names: set[str] = set()

HTTP_REQUESTS = Counter(
    "totrackit_http_requests",
    "HTTP requests served, by method, route template and status.",
    ["method", "endpoint", "status"],
)
HTTP_DURATION = Histogram(
    "totrackit_http_request_duration_seconds",
    "HTTP request duration, by method, route template and status.",
    ["method", "endpoint", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
DB_QUERY_DURATION = Histogram(
    "totrackit_database_query_duration_seconds",
    "Database statement duration.",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 15.0),
)
DB_CONNECTIONS_ACTIVE = Gauge(
    "totrackit_database_connections_active",
    "Database connections currently checked out of the pool.",
    multiprocess_mode="livesum",
)
DB_OPERATIONS = Counter(
    "totrackit_database_operations",
    "Process-table operations by kind and outcome.",
    ["operation", "table", "success"],
)
# prometheus_client reserves "<name>_created" for every counter, so totrackit_processes_total
# (the deployment design's name) cannot share a registry with totrackit_processes_created_total
# (the original's name); it lives in its own registry and both are rendered together.
_DESIGN_REGISTRY = CollectorRegistry(auto_describe=True)
PROCESSES = Counter(
    "totrackit_processes", "Process runs started.", ["process_name"], registry=_DESIGN_REGISTRY
)
PROCESSES_CREATED = Counter(
    "totrackit_processes_created", "Process runs started (original name).", ["process_name"]
)
PROCESSES_COMPLETED = Counter(
    "totrackit_processes_completed", "Runs completed.", ["process_name", "status"]
)
PROCESSES_FAILED = Counter("totrackit_processes_failed", "Runs failed.", ["process_name", "status"])
COMPLETED_ON_TIME = Counter(
    "totrackit_processes_completed_on_time",
    "Runs completed at or before their deadline.",
    ["process_name"],
)
COMPLETED_LATE = Counter(
    "totrackit_processes_completed_late", "Runs completed after their deadline.", ["process_name"]
)
# The original's timer: _count and _sum per name and outcome, and the longest run as _max. No
# buckets: sixteen series per process name would make every scrape several times larger, and
# per-tag percentiles come from the analytics endpoints instead.
PROCESS_DURATION = Summary(
    "totrackit_process_duration_seconds",
    "Run duration from start to completion or failure.",
    ["process_name", "status"],
)
PROCESS_DURATION_MAX = Gauge(
    "totrackit_process_duration_seconds_max",
    "Longest run completed or failed since the process started.",
    ["process_name", "status"],
    multiprocess_mode="livemax",
)


def process_label(name: str) -> str:
    """The label value for a process name, capped so a misuse cannot explode cardinality."""
    if name in _seen_names:
        return name
    if len(_seen_names) >= MAX_PROCESS_NAMES:
        return OTHER_NAME
    _seen_names.add(name)
    return name


class PrometheusProcessMetrics:
    """The process service's ``ProcessMetrics``, as the original's Prometheus families."""

    def __init__(self) -> None:
        # The longest duration seen per (name, status), for the livemax gauge.
        self._longest: dict[tuple[str, str], float] = {}

    def started(self, run: ProcessRun) -> None:
        label = process_label(run.name)
        PROCESSES.labels(label).inc()
        PROCESSES_CREATED.labels(label).inc()
        DB_OPERATIONS.labels("create", "processes", "true").inc()

    def finished(self, run: ProcessRun, deadline_status: DeadlineStatus | None) -> None:
        label, status = process_label(run.name), run.status.value
        DB_OPERATIONS.labels("update", "processes", "true").inc()
        seconds = ((run.completed_at or run.started_at) - run.started_at).total_seconds()
        PROCESS_DURATION.labels(label, status).observe(seconds)
        if seconds > self._longest.get((label, status), -1.0):
            self._longest[label, status] = seconds
            PROCESS_DURATION_MAX.labels(label, status).set(seconds)
        if run.status is Status.FAILED:
            PROCESSES_FAILED.labels(label, status).inc()
            return
        PROCESSES_COMPLETED.labels(label, status).inc()
        if deadline_status is DeadlineStatus.COMPLETED_ON_TIME:
            COMPLETED_ON_TIME.labels(label).inc()
        elif deadline_status is DeadlineStatus.COMPLETED_LATE:
            COMPLETED_LATE.labels(label).inc()

    def refused(self, operation: Operation) -> None:
        DB_OPERATIONS.labels(operation, "processes", "false").inc()

    def deleted(self, run: ProcessRun) -> None:
        DB_OPERATIONS.labels("delete", "processes", "true").inc()


def render() -> tuple[bytes, str]:
    """The exposition text; merges every worker's files when running with several processes."""
    directory = multiprocess.active_directory()
    if directory is not None:
        return multiprocess.collect(directory), CONTENT_TYPE_LATEST
    return generate_latest(DEFAULT_REGISTRY) + generate_latest(
        _DESIGN_REGISTRY
    ), CONTENT_TYPE_LATEST
