"""The settings groups: each component receives its own group, never the whole settings.

Field names are the public ``TOTRACKIT_*`` names without the prefix; where a group would repeat
its own name (``db_pool_size`` in the database group), the field is short and the public name
is its alias.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cached_property
from ipaddress import ip_network
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator

from totrackit.settings.database_url import DatabaseURL, parse_database_url
from totrackit.settings.extras import check_tracing_available
from totrackit.settings.types import (
    Duration,
    JsonList,
    OptionalSecret,
    RateRule,
    WebhookSecret,
    comma_list,
)


class Group(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, validate_default=True
    )


def _check_origin(origin: str) -> str:
    origin = origin.rstrip("/")
    if origin != "*" and not re.fullmatch(r"https?://[^/\s]+", origin):
        raise ValueError(f"expected origins like https://ops.example.com, not {origin!r}")
    return origin


def _check_proxy(proxy: str) -> str:
    try:
        ip_network(proxy, strict=False)
    except ValueError:
        raise ValueError(f"expected IP addresses or CIDRs, not {proxy!r}") from None
    return proxy


class ServerSettings(Group):
    """The HTTP server: where it listens, its processes, TLS and the UI it serves."""

    host: str = Field("127.0.0.1", description="Address the HTTP server binds to.")
    port: int = Field(8080, ge=1, le=65535, description="Port the HTTP server listens on.")
    workers: int = Field(
        1,
        ge=1,
        le=64,
        description=(
            "HTTP server processes of `totrackit serve` and `totrackit api`, sharing the port "
            "(PostgreSQL only: SQLite takes one writer process). Metrics are merged across them."
        ),
    )
    hung_worker_seconds: float = Field(
        30.0,
        ge=1,
        le=3600,
        description=(
            "A server process whose event loop has not turned for this long (blocked, "
            "deadlocked), or whose deadline engine has completed no scan for this long past "
            "its stall limit, exits with status 70 so that its restart policy (or, with "
            "several server processes, the supervisor) replaces it."
        ),
    )
    shutdown_drain_seconds: float = Field(
        5.0,
        ge=0,
        le=300,
        description=(
            "On SIGTERM, seconds to keep serving with /health/ready answering 503 before "
            "stopping, so load balancers route away first (0 stops at once)."
        ),
    )
    ui_dir: Path | None = Field(
        None,
        description="Directory of a built web UI to serve at / (default: the one in the package).",
    )
    list_exact_count_limit: int = Field(
        10000,
        ge=0,
        description=(
            "List totals are exact up to this many matches; above it the total is a lower bound "
            "and the response says total_exact=false (keeps lists fast at millions of runs)."
        ),
    )
    tls_cert_file: Path | None = Field(
        None,
        description="PEM certificate (chain); with TLS_KEY_FILE the server speaks HTTPS itself.",
    )
    tls_key_file: Path | None = Field(None, description="PEM private key of TLS_CERT_FILE.")

    @field_validator("tls_cert_file", "tls_key_file")
    @classmethod
    def _check_tls_file(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"no such file: {value}")
        pair = info.data.get("tls_cert_file", value) if info.field_name == "tls_key_file" else value
        if (pair is None) != (value is None):
            raise ValueError("set both TOTRACKIT_TLS_CERT_FILE and TOTRACKIT_TLS_KEY_FILE")
        return value


class DatabaseSettings(Group):
    """Where the data lives: a URL, or PostgreSQL parts, or SQLite in the data directory."""

    database_url: OptionalSecret = Field(
        None,
        description=(
            "Database URL: sqlite:///PATH, postgresql://user:pass@host:port/db or the libpq "
            "socket form postgresql://user@/db?host=/socket/dir; overrides the TOTRACKIT_DB_* "
            "parts."
        ),
    )
    host: str | None = Field(
        None, alias="db_host", description="PostgreSQL host, used when DATABASE_URL is unset."
    )
    port: int = Field(5432, ge=1, le=65535, alias="db_port", description="PostgreSQL port.")
    name: str = Field("totrackit", alias="db_name", description="PostgreSQL database name.")
    user: str = Field("totrackit", alias="db_user", description="PostgreSQL user.")
    password: SecretStr = Field(
        SecretStr(""), alias="db_password", description="PostgreSQL password."
    )
    pool_size: int = Field(
        10, ge=1, le=1000, alias="db_pool_size", description="Connections kept in the pool."
    )
    max_overflow: int = Field(
        10, ge=0, le=1000, alias="db_max_overflow", description="Extra connections above the pool."
    )
    statement_timeout_ms: int = Field(
        15000,
        ge=0,
        alias="db_statement_timeout_ms",
        description="PostgreSQL statement timeout in milliseconds (0 disables).",
    )
    connect_timeout_ms: int = Field(
        5000,
        ge=100,
        le=600_000,
        alias="db_connect_timeout_ms",
        description=(
            "PostgreSQL connect timeout in milliseconds: a database that does not answer "
            "makes a request a 503 after it, instead of holding it."
        ),
    )
    pool_timeout_ms: int = Field(
        10000,
        ge=100,
        le=600_000,
        alias="db_pool_timeout_ms",
        description=(
            "Milliseconds a request waits for a free PostgreSQL connection when all of "
            "DB_POOL_SIZE + DB_MAX_OVERFLOW are busy (503 after it)."
        ),
    )
    data_dir: Path = Field(Path("data"), description="Directory of the embedded SQLite database.")
    auto_migrate: bool = Field(
        True, description="Apply database migrations when the service starts."
    )
    migration_backup: bool | None = Field(
        None,
        description=(
            "Back up a database that holds data before `totrackit migrate upgrade` changes it "
            "(into DATA_DIR/backups); unset: on for SQLite, off for PostgreSQL."
        ),
    )

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parse_database_url(value.get_secret_value())  # fail at start-up, not on first use
        return value

    @cached_property
    def location(self) -> DatabaseURL:
        """The database, resolved from DATABASE_URL, the DB_* parts or the data directory."""
        if self.database_url is not None:
            return parse_database_url(self.database_url.get_secret_value())
        if self.host:
            password = quote(self.password.get_secret_value(), safe="")
            user = quote(self.user, safe="")
            auth = f"{user}:{password}" if password else user
            return parse_database_url(
                f"postgresql://{auth}@{self.host}:{self.port}/{quote(self.name, safe='')}"
            )
        return parse_database_url(f"sqlite:///{self.data_dir / 'totrackit.db'}")


class ProtectionSettings(Group):
    """What stands between a client and the API: key, rate limit, CORS, body size, headers."""

    api_key: OptionalSecret = Field(
        None, description="When set, requests to /processes/** must send it in X-API-KEY."
    )
    rate_limit: RateRule = Field(
        None,
        description=(
            "Requests each client may make, e.g. 100/minute (also /second, /hour, /day): bursts "
            "up to the count, refilled evenly. Counted per API key, else per client address; "
            "unset: no limit."
        ),
    )
    redis_url: OptionalSecret = Field(
        None,
        description=(
            "Redis URL (redis://[:password@]host:6379/0, rediss:// for TLS) through which all "
            "processes share the rate-limit counts; unset: each process counts on its own."
        ),
    )
    redis_timeout_ms: int = Field(
        250,
        ge=1,
        le=60000,
        description=(
            "Redis connect and command timeout in milliseconds; while Redis fails or is slower, "
            "each process counts rate limits on its own."
        ),
    )
    cors_origins: comma_list(_check_origin) = Field(  # type: ignore[valid-type]
        (),
        description=(
            "Comma-separated browser origins allowed to call the API (CORS), e.g. "
            "https://ops.example.com; * allows any origin and is refused in production."
        ),
    )
    max_body_bytes: int = Field(
        1048576,
        ge=0,
        description=(
            "Largest request body accepted, checked on Content-Length and while streaming "
            "(413 beyond it); 0 disables the limit."
        ),
    )
    max_header_bytes: int = Field(
        32768,
        ge=0,
        description=(
            "Largest request line plus headers accepted, counted while they arrive (414 for a "
            "longer URL, 431 for more headers); 0 disables the limit."
        ),
    )
    header_timeout_seconds: float = Field(
        20.0,
        ge=0,
        le=3600,
        description=(
            "Seconds a client has to send a whole request line and headers, from opening the "
            "connection or starting its next request (408 after it, so slow clients cannot hold "
            "connections); 0 disables the limit."
        ),
    )
    import_max_bytes: int = Field(
        1073741824,
        ge=0,
        description=(
            "Largest upload POST /imports accepts (413 beyond it), instead of "
            "TOTRACKIT_MAX_BODY_BYTES; streamed to the database, never held in memory; 0 "
            "disables the limit."
        ),
    )
    security_headers: bool = Field(
        True,
        description=(
            "Send X-Content-Type-Options, X-Frame-Options, Referrer-Policy and "
            "Content-Security-Policy, plus Strict-Transport-Security over HTTPS."
        ),
    )
    trusted_proxies: comma_list(_check_proxy) = Field(  # type: ignore[valid-type]
        (),
        description=(
            "Comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For and "
            "X-Forwarded-Proto are believed; unset: no proxy is trusted."
        ),
    )

    @property
    def api_key_value(self) -> str | None:
        """The API key in clear, or None when the check is off."""
        return self.api_key.get_secret_value() if self.api_key else None


class WebhookEndpoint(BaseModel):
    """One extra webhook receiver, with optional filters on the events it gets."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-zA-Z0-9_-]{1,100}$")
    url: SecretStr
    secret: WebhookSecret = None
    events: tuple[str, ...] = ()
    names: tuple[str, ...] = ()


class DeadlineSettings(Group):
    """The deadline engine: how often it scans, and where and how it delivers events."""

    run_engine: bool = Field(
        False,
        description=(
            "Run the deadline engine (scanner and webhook delivery) inside the HTTP server. "
            "`totrackit serve` turns it on and `totrackit api` off; `totrackit worker` runs "
            "the engine alone."
        ),
    )
    warning_threshold: float = Field(
        0.75,
        description=(
            "Fraction of a run's deadline budget after which process.deadline_warning fires; "
            "a value outside (0, 1) disables warnings."
        ),
    )
    notification_scan_interval: Duration = Field(
        timedelta(seconds=5),
        description="Time between deadline scans (e.g. 500ms, 5s, 1m); events fire within one.",
    )
    notification_batch_size: int = Field(
        500, ge=1, le=10000, description="Runs marked per scanner transaction."
    )
    webhook_url: OptionalSecret = Field(
        None, description="Webhook receiver for deadline events; unset or blank disables it."
    )
    webhook_secret: WebhookSecret = Field(
        None,
        description=(
            "Signing secret (whsec_ + base64) for the Standard Webhooks webhook-signature "
            "header; unset sends unsigned requests."
        ),
    )
    webhook_endpoints: Annotated[tuple[WebhookEndpoint, ...], JsonList] = Field(
        (),
        description=(
            'More receivers, as JSON: [{"name": "ops", "url": "https://...", "secret": '
            '"whsec_...", "events": ["process.deadline_missed"], "names": ["billing-*"]}]; '
            "empty filters match everything, names are shell-style patterns."
        ),
    )
    webhook_timeout: Duration = Field(
        timedelta(seconds=10), description="Timeout of one delivery request."
    )
    webhook_retry_initial: Duration = Field(
        timedelta(seconds=5),
        description="Delay before the first retry; it doubles per attempt, with jitter.",
    )
    webhook_retry_max_delay: Duration = Field(
        timedelta(hours=1), description="Longest delay between two delivery attempts."
    )
    webhook_max_age: Duration = Field(
        timedelta(hours=24),
        description=(
            "An event still undelivered this long after it was queued is marked dead "
            "(see totrackit webhooks list --status dead)."
        ),
    )
    webhook_concurrency: int = Field(
        10, ge=1, le=500, description="Deliveries in flight at once per engine."
    )
    webhook_retention: Duration = Field(
        timedelta(days=7),
        description="Delivered and dead events are deleted from the outbox after this.",
    )
    run_retention: Duration = Field(
        timedelta(0),
        description=(
            "Finished runs (COMPLETED or FAILED) whose completion is older than this are "
            "deleted by the deadline engine, in small batches that never hold up writes "
            "(e.g. 90d); 0 keeps every run. At least 1d, so a number without a unit (seconds) "
            "cannot empty the database."
        ),
    )
    run_archive_dir: Path | None = Field(
        None,
        description=(
            "With RUN_RETENTION: write each run to a JSON Lines file in this directory (the "
            "export format, read back by `totrackit import`) before it is deleted."
        ),
    )
    public_url: str = Field(
        "", description="Base URL of the web UI, for the url deep link in webhook payloads."
    )
    deadline_gauge_interval: Duration = Field(
        timedelta(seconds=15),
        description="Refresh period of the overdue, active, backlog and outbox gauges.",
    )
    worker_port: int = Field(
        8081,
        ge=1,
        le=65535,
        description="Port of the health and metrics listener of `totrackit worker`.",
    )

    @field_validator("run_retention")
    @classmethod
    def _check_retention(cls, value: timedelta) -> timedelta:
        if timedelta(0) < value < timedelta(days=1):
            raise ValueError("must be 0 (keep every run) or at least 1d, e.g. 90d")
        return value

    @field_validator("webhook_endpoints")
    @classmethod
    def _check_endpoint_names(
        cls, value: tuple[WebhookEndpoint, ...]
    ) -> tuple[WebhookEndpoint, ...]:
        names = [endpoint.name for endpoint in value]
        if "default" in names or len(set(names)) != len(names):
            raise ValueError("endpoint names must be unique and not 'default'")
        return value


class ObservabilitySettings(Group):
    """Logs, metrics and traces."""

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        "INFO",
        description=(
            "Lowest level logged: DEBUG, INFO, WARNING (or WARN), ERROR or CRITICAL, in any "
            "case; DEBUG adds SQL statements and health-probe requests."
        ),
    )
    log_format: Literal["auto", "json", "console"] = Field(
        "auto",
        description=(
            "json (one object per line) or console (readable lines); auto means json when "
            "TOTRACKIT_ENV=production and console otherwise."
        ),
    )
    access_log: bool = Field(
        True, description="Log one line per HTTP request (health probes only at DEBUG)."
    )
    metrics_enabled: bool = Field(
        True,
        description=(
            "Serve Prometheus metrics at /metrics and /prometheus and time every request for "
            "them; false removes both endpoints and the per-request instrumentation."
        ),
    )
    tracing_enabled: bool = Field(
        False,
        description=(
            "Export OpenTelemetry spans over OTLP/HTTP, configured by the standard OTEL_* "
            "variables (OTEL_EXPORTER_OTLP_ENDPOINT...); needs pip install 'totrackit[tracing]'."
        ),
    )

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _normalise_log_choice(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str):
            return value
        if info.field_name == "log_format":
            return value.strip().lower()
        level = value.strip().upper()
        return "WARNING" if level == "WARN" else level

    @field_validator("tracing_enabled")
    @classmethod
    def _check_tracing_packages(cls, value: bool) -> bool:
        if value:
            check_tracing_available()
        return value
