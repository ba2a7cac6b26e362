"""``totrackit doctor``: check the installation and say how to fix each problem found.

Configuration (loading it exits 78 naming every problem), the database (reachable, schema at
this version's head), clock skew between service and database (warning above 1 s: deadlines
are compared with the service's clock), free space where SQLite and backups live, Redis when
configured, and whether the webhook URL answers.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from dataclasses import dataclass
from datetime import UTC, datetime

import click

from totrackit.cli.settings import load_settings

MIN_FREE_BYTES = 1 << 30
MAX_SKEW_SECONDS = 1.0


@dataclass
class Finding:
    level: str  # ok | warn | fail
    check: str
    detail: str
    fix: str = ""


@click.command()
def doctor() -> None:
    """Check configuration, database, clock, disk, Redis and webhook receiver; exit 1 on failure."""
    settings = load_settings()
    findings = [Finding("ok", "configuration", "every setting is valid")]
    findings += asyncio.run(_database(settings))
    findings.append(_disk(settings))
    findings += asyncio.run(_redis(settings))
    findings += asyncio.run(_webhook(settings))
    for finding in findings:
        click.echo(f"[{finding.level.upper():4}] {finding.check}: {finding.detail}")
        if finding.fix:
            click.echo(f"       fix: {finding.fix}")
    if any(finding.level == "fail" for finding in findings):
        sys.exit(1)


async def _database(settings: object) -> list[Finding]:
    from totrackit.db import dialect, migrate
    from totrackit.db.connect import make_db

    database = settings.database  # type: ignore[attr-defined]
    db = make_db(database)
    where = database.location.redacted()
    try:
        async with db.connect() as conn:
            theirs = await dialect.database_now(conn)
        current, head = await migrate.current_revision(db), migrate.head_revision()
    except Exception as exc:
        return [
            Finding(
                "fail",
                "database",
                f"{where} does not answer: {exc}",
                "check TOTRACKIT_DATABASE_URL (or TOTRACKIT_DB_*) and that the server runs",
            )
        ]
    finally:
        await db.dispose()
    found = [Finding("ok", "database", f"{where} answers")]
    if current != head:
        found.append(
            Finding(
                "fail",
                "migrations",
                f"schema at {current or 'none'}, code at {head}",
                "run `totrackit migrate upgrade`",
            )
        )
    else:
        found.append(Finding("ok", "migrations", f"schema at head ({head})"))
    if theirs is None:
        found.append(Finding("ok", "clock", "SQLite uses the service's own clock"))
    else:
        skew = abs((datetime.now(UTC) - theirs).total_seconds())
        level = "warn" if skew > MAX_SKEW_SECONDS else "ok"
        found.append(
            Finding(
                level,
                "clock",
                f"service and database differ by {skew:.3f} s",
                "synchronise both hosts with NTP (chrony, systemd-timesyncd)"
                if level == "warn"
                else "",
            )
        )
    return found


def _disk(settings: object) -> Finding:
    directory = settings.database.data_dir  # type: ignore[attr-defined]
    probe = directory if directory.exists() else directory.resolve().parent
    while not probe.exists():
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if free < MIN_FREE_BYTES:
        return Finding(
            "warn",
            "disk",
            f"{free / 1e9:.1f} GB free in {probe}",
            "free space or move TOTRACKIT_DATA_DIR: SQLite and backups need room to grow",
        )
    return Finding("ok", "disk", f"{free / 1e9:.1f} GB free in {probe}")


async def _redis(settings: object) -> list[Finding]:
    url = settings.protection.redis_url  # type: ignore[attr-defined]
    if url is None:
        return [Finding("ok", "redis", "not configured (rate limits are counted per process)")]
    import redis.asyncio as redis

    client = redis.from_url(url.get_secret_value(), socket_timeout=3)  # type: ignore[no-untyped-call]
    try:
        await client.ping()
    except Exception as exc:
        return [
            Finding(
                "fail",
                "redis",
                f"does not answer: {exc}",
                "check TOTRACKIT_REDIS_URL and that Redis runs",
            )
        ]
    finally:
        await client.aclose()
    return [Finding("ok", "redis", "answers")]


async def _webhook(settings: object) -> list[Finding]:
    url = settings.deadlines.webhook_url  # type: ignore[attr-defined]
    if url is None:
        return [Finding("ok", "webhook", "no TOTRACKIT_WEBHOOK_URL configured")]
    import httpx

    target = url.get_secret_value()
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            response = await client.head(target)
    except httpx.HTTPError as exc:
        return [
            Finding(
                "fail",
                "webhook",
                f"{target.split('?')[0]} does not answer: {exc!r}",
                "check TOTRACKIT_WEBHOOK_URL and that the receiver is reachable from here",
            )
        ]
    return [Finding("ok", "webhook", f"the receiver answers (HTTP {response.status_code})")]
