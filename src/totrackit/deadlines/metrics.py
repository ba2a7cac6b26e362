"""Prometheus metrics of the deadline engine, on the default registry (served at /metrics).

Gauges are set by the engine's background refresh, never computed inside a scrape. In
multi-process mode they keep the most recent value of a live process.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from totrackit.deadlines.models import EventType

# Contract section 5: the original's names.
DEADLINE_MISSED = Counter(
    "totrackit_processes_deadline_missed",
    "Runs whose deadline passed while ACTIVE (counted once per run).",
    ["process_name"],
)
DEADLINE_WARNING = Counter(
    "totrackit_processes_deadline_warning",
    "Runs that used the warning threshold of their deadline budget (counted once per run).",
    ["process_name"],
)
OVERDUE = Gauge(
    "totrackit_processes_overdue_current",
    "ACTIVE runs past their deadline, per process name (the 100 names with most).",
    ["process_name"],
    multiprocess_mode="livemostrecent",
)
ACTIVE = Gauge(
    "totrackit_active_processes_current",
    "ACTIVE runs.",
    multiprocess_mode="livemostrecent",
)
BACKLOG = Gauge(
    "totrackit_notifications_backlog",
    "Runs whose deadline event is due but not yet produced, per event.",
    ["event"],
    multiprocess_mode="livemostrecent",
)

# Delivery.
DELIVERY_ATTEMPTS = Counter(
    "totrackit_webhook_delivery_attempts",
    "Webhook requests sent, per receiver and outcome (success or failure).",
    ["endpoint", "outcome"],
)
DELIVERY_FAILURES = Counter(
    "totrackit_webhook_delivery_failures",
    "Failed webhook requests, per receiver and reason (status, timeout, connection).",
    ["endpoint", "reason"],
)
DELIVERY_LATENCY = Histogram(
    "totrackit_webhook_delivery_latency_seconds",
    "Time from an event entering the outbox to its successful delivery.",
    ["event"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400),
)
DEAD_EVENTS_TOTAL = Counter(
    "totrackit_webhook_dead_events",
    "Events that reached the dead-letter state, per receiver.",
    ["endpoint"],
)
OUTBOX_PENDING = Gauge(
    "totrackit_webhook_outbox_pending",
    "Events waiting for delivery (outbox depth).",
    multiprocess_mode="livemostrecent",
)
OUTBOX_DEAD = Gauge(
    "totrackit_webhook_outbox_dead",
    "Dead events kept in the outbox (replay them with totrackit webhooks replay --dead).",
    multiprocess_mode="livemostrecent",
)

# Scanner.
FIRE_LAG = Histogram(
    "totrackit_deadline_event_lag_seconds",
    "Time from an event becoming due (warning point or deadline) to its production.",
    ["event"],
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600),
)
SCAN_DURATION = Histogram(
    "totrackit_deadline_scan_duration_seconds",
    "Duration of one complete deadline scan (every due batch drained).",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
LAST_SCAN = Gauge(
    "totrackit_deadline_last_scan_timestamp_seconds",
    "Unix time of the last completed deadline scan (alert when it stops moving).",
    multiprocess_mode="livemax",
)

PROCESS_COUNTERS = {
    EventType.DEADLINE_MISSED: DEADLINE_MISSED,
    EventType.DEADLINE_WARNING: DEADLINE_WARNING,
}

# Retention.
RETENTION_DELETED = Counter(
    "totrackit_retention_deleted_runs",
    "Finished runs deleted because they are older than TOTRACKIT_RUN_RETENTION.",
)
RETENTION_ARCHIVED = Counter(
    "totrackit_retention_archived_runs",
    "Runs written to TOTRACKIT_RUN_ARCHIVE_DIR before their deletion.",
)
RETENTION_LAST_ROUND = Gauge(
    "totrackit_retention_last_round_timestamp_seconds",
    "When the last retention round finished (it deletes nothing when nothing is due).",
    multiprocess_mode="livemax",
)
