"""The schedule of ``totrackit backup --every``: a backup each interval, the newest N kept,
and the outcome as Prometheus gauges on a small /metrics listener.

A loop in the service's own image instead of cron in a container: no extra daemon, the same
settings, logs on stdout, and a failure is a metric (``totrackit_backup_last_success_timestamp_seconds``
stops moving; the TotrackitBackupStale alert fires) rather than a mail nobody reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import click
from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server

PATTERN = "totrackit-backup-*.zip"


class BackupMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.last_success = Gauge(
            "totrackit_backup_last_success_timestamp_seconds",
            "When the last backup completed (Unix seconds); 0 until the first one.",
            registry=self.registry,
        )
        self.duration = Gauge(
            "totrackit_backup_last_duration_seconds",
            "How long the last successful backup took.",
            registry=self.registry,
        )
        self.size = Gauge(
            "totrackit_backup_last_size_bytes",
            "Size of the last backup file.",
            registry=self.registry,
        )
        self.failures = Counter(
            "totrackit_backup_failures",
            "Backups that failed (the schedule goes on).",
            registry=self.registry,
        )

    def serve(self, port: int) -> None:
        start_http_server(port, registry=self.registry)


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups (their names sort by time); returns them."""
    backups = sorted(directory.glob(PATTERN))
    doomed = backups[:-keep] if keep else []
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def run_schedule(
    take: Callable[[Path], None],
    *,
    directory: Path,
    every: float,
    keep: int,
    metrics: BackupMetrics,
    name: Callable[[], str],
    rounds: int | None = None,
) -> None:
    """Back up now and then every ``every`` seconds (``rounds`` limits it, for tests)."""
    done = 0
    while rounds is None or done < rounds:
        started = time.monotonic()
        target = directory / name()
        try:
            take(target)
        except Exception as exc:  # the schedule must outlive a database outage
            metrics.failures.inc()
            click.echo(f"Backup to {target} failed: {exc}", err=True)
        else:
            metrics.last_success.set(time.time())
            metrics.duration.set(time.monotonic() - started)
            metrics.size.set(target.stat().st_size)
            for old in prune(directory, keep):
                click.echo(f"Deleted {old} (keeping the newest {keep}).", err=True)
        done += 1
        if rounds is None or done < rounds:
            time.sleep(max(0.0, every - (time.monotonic() - started)))
