"""The one typed settings object, read from ``TOTRACKIT_*`` environment variables.

Every other module receives a ``Settings`` instance; nothing else reads the environment.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import timedelta
from enum import StrEnum
from functools import cached_property
from ipaddress import ip_network
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from totrackit.db.url import Backend, DatabaseURL, parse_database_url
from totrackit.ratelimit.rule import Rate, parse_rate
from totrackit.settings_sources import (
    SecretFilesSource,
    UnusableSecretFile,
    weak_production_secrets,
)


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"
    TEST = "test"


# Deadline engine: durations as operators write them ("500ms", "5s", "1m", "2h", "7d").
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: Any) -> Any:
    """``500ms``, ``5s``, ``1m``, ``2h``, ``7d`` or a bare number of seconds, as a timedelta."""
    if isinstance(value, timedelta) or not isinstance(value, str | int | float):
        return value
    match = _DURATION.match(str(value))
    if match is None:
        raise ValueError("expected a duration such as 500ms, 5s, 1m, 2h or 7d")
    return timedelta(seconds=float(match[1]) * _UNITS[match[2] or "s"])


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


def format_duration(value: timedelta) -> str:
    """The shortest spelling ``parse_duration`` reads back: ``500ms``, ``5s``, ``1h``, ``7d``."""
    milliseconds = round(value.total_seconds() * 1000)
    for unit in ("d", "h", "m", "s"):
        size = round(_UNITS[unit] * 1000)
        if milliseconds and milliseconds % size == 0:
            return f"{milliseconds // size}{unit}"
    return f"{milliseconds}ms"


def check_webhook_secret(value: SecretStr | None) -> SecretStr | None:
    """Accept ``whsec_`` followed by base64 (the Standard Webhooks secret format)."""
    if value is None or not value.get_secret_value():
        return value
    raw = value.get_secret_value()
    try:
        if not raw.startswith("whsec_") or not base64.b64decode(raw[6:], validate=True):
            raise ValueError
    except (ValueError, binascii.Error):
        raise ValueError("expected whsec_ followed by a base64-encoded key") from None
    return value


class WebhookEndpoint(BaseModel):
    """One extra webhook receiver, with optional filters on the events it gets."""

    model_config = {"frozen": True, "extra": "forbid"}

    name: str = Field(pattern=r"^[a-zA-Z0-9_-]{1,100}$")
    url: SecretStr
    secret: SecretStr | None = None
    events: tuple[str, ...] = ()
    names: tuple[str, ...] = ()

    @field_validator("secret")
    @classmethod
    def _check_secret(cls, value: SecretStr | None) -> SecretStr | None:
        return check_webhook_secret(value)


class Settings(BaseSettings):
    """Configuration of one ToTrackIt process."""

    model_config = SettingsConfigDict(
        env_prefix="TOTRACKIT_", extra="ignore", frozen=True, validate_default=True
    )

    env: Environment = Field(
        Environment.DEVELOPMENT,
        description="Deployment environment: development, production or test.",
    )
    host: str = Field("127.0.0.1", description="Address the HTTP server binds to.")
    port: int = Field(8080, ge=1, le=65535, description="Port the HTTP server listens on.")
    workers: int = Field(
        1,
        ge=1,
        le=64,
        description=(
            "HTTP worker processes of `totrackit serve` and `totrackit api`, sharing the port "
            "(PostgreSQL only: SQLite takes one writer process). Metrics are merged across them."
        ),
    )
    hung_worker_seconds: float = Field(
        30.0,
        ge=1,
        le=3600,
        description=(
            "With several workers: one whose event loop has not turned for this long (blocked, "
            "deadlocked) is killed and replaced."
        ),
    )

    database_url: SecretStr | None = Field(
        None,
        description=(
            "Database URL: sqlite:///PATH, postgresql://user:pass@host:port/db or the libpq "
            "socket form postgresql://user@/db?host=/socket/dir; overrides the TOTRACKIT_DB_* "
            "parts."
        ),
    )
    db_host: str | None = Field(
        None, description="PostgreSQL host, used when DATABASE_URL is unset."
    )
    db_port: int = Field(5432, ge=1, le=65535, description="PostgreSQL port.")
    db_name: str = Field("totrackit", description="PostgreSQL database name.")
    db_user: str = Field("totrackit", description="PostgreSQL user.")
    db_password: SecretStr = Field(SecretStr(""), description="PostgreSQL password.")
    db_pool_size: int = Field(10, ge=1, le=1000, description="Connections kept in the pool.")
    db_max_overflow: int = Field(10, ge=0, le=1000, description="Extra connections above the pool.")
    db_statement_timeout_ms: int = Field(
        15000, ge=0, description="PostgreSQL statement timeout in milliseconds (0 disables)."
    )
    data_dir: Path = Field(Path("data"), description="Directory of the embedded SQLite database.")
    auto_migrate: bool = Field(
        True, description="Apply database migrations when the service starts."
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
    api_key: SecretStr | None = Field(
        None, description="When set, requests to /processes/** must send it in X-API-KEY."
    )
    list_exact_count_limit: int = Field(
        10000,
        ge=0,
        description=(
            "List totals are exact up to this many matches; above it the total is a lower bound "
            "and the response says total_exact=false (keeps lists fast at millions of runs)."
        ),
    )

    # Request protection
    rate_limit: str | None = Field(
        None,
        description=(
            "Requests each client may make, e.g. 100/minute (also /second, /hour, /day): bursts "
            "up to the count, refilled evenly. Counted per API key, else per client address; "
            "unset: no limit."
        ),
    )
    redis_url: SecretStr | None = Field(
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
    cors_origins: str | None = Field(
        None,
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
    security_headers: bool = Field(
        True,
        description=(
            "Send X-Content-Type-Options, X-Frame-Options, Referrer-Policy and "
            "Content-Security-Policy, plus Strict-Transport-Security over HTTPS."
        ),
    )
    trusted_proxies: str | None = Field(
        None,
        description=(
            "Comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For and "
            "X-Forwarded-Proto are believed; unset: no proxy is trusted."
        ),
    )
    tls_cert_file: Path | None = Field(
        None,
        description="PEM certificate (chain); with TLS_KEY_FILE the server speaks HTTPS itself.",
    )
    tls_key_file: Path | None = Field(None, description="PEM private key of TLS_CERT_FILE.")

    @field_validator("rate_limit")
    @classmethod
    def _check_rate_limit(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parse_rate(value)  # see docs/security.md#rate-limiting
        return value.strip()

    @field_validator("cors_origins")
    @classmethod
    def _check_cors_origins(cls, value: str | None, info: ValidationInfo) -> str | None:
        origins = [item.strip().rstrip("/") for item in (value or "").split(",") if item.strip()]
        for origin in origins:
            if origin != "*" and not re.fullmatch(r"https?://[^/\s]+", origin):
                raise ValueError(f"expected origins like https://ops.example.com, not {origin!r}")
        if "*" in origins and info.data.get("env") is Environment.PRODUCTION:
            raise ValueError("* (any origin) is not allowed in production; list the origins")
        return ",".join(origins) or None

    @field_validator("trusted_proxies")
    @classmethod
    def _check_trusted_proxies(cls, value: str | None) -> str | None:
        proxies = [item.strip() for item in (value or "").split(",") if item.strip()]
        for proxy in proxies:
            try:
                ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(f"expected IP addresses or CIDRs, not {proxy!r}") from None
        return ",".join(proxies) or None

    @field_validator("tls_cert_file", "tls_key_file")
    @classmethod
    def _check_tls_file(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"no such file: {value}")
        pair = info.data.get("tls_cert_file", value) if info.field_name == "tls_key_file" else value
        if (pair is None) != (value is None):
            raise ValueError("set both TOTRACKIT_TLS_CERT_FILE and TOTRACKIT_TLS_KEY_FILE")
        return value

    @property
    def rate_limit_rule(self) -> Rate | None:
        """The parsed TOTRACKIT_RATE_LIMIT, or None when rate limiting is off."""
        return parse_rate(self.rate_limit) if self.rate_limit else None

    @property
    def cors_origin_list(self) -> tuple[str, ...]:
        return tuple(self.cors_origins.split(",")) if self.cors_origins else ()

    @property
    def trusted_proxy_list(self) -> tuple[str, ...]:
        return tuple(self.trusted_proxies.split(",")) if self.trusted_proxies else ()

    # Deadline engine
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
    webhook_url: SecretStr | None = Field(
        None, description="Webhook receiver for deadline events; unset or blank disables it."
    )
    webhook_secret: SecretStr | None = Field(
        None,
        description=(
            "Signing secret (whsec_ + base64) for the Standard Webhooks webhook-signature "
            "header; unset sends unsigned requests."
        ),
    )
    webhook_endpoints: tuple[WebhookEndpoint, ...] = Field(
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

    @field_validator("webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        return check_webhook_secret(value)

    @field_validator("webhook_endpoints")
    @classmethod
    def _check_endpoint_names(
        cls, value: tuple[WebhookEndpoint, ...]
    ) -> tuple[WebhookEndpoint, ...]:
        names = [endpoint.name for endpoint in value]
        if "default" in names or len(set(names)) != len(names):
            raise ValueError("endpoint names must be unique and not 'default'")
        return value

    # Logging, metrics and tracing
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        "INFO",
        description=(
            "Lowest level logged: DEBUG, INFO, WARNING (or WARN) or ERROR, in any case; DEBUG "
            "adds SQL statements and health-probe requests."
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
            # Imported only when tracing is asked for: off, nothing of it is loaded.
            from totrackit.observability.tracing import check_available

            check_available()
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # TOTRACKIT_<SECRET>_FILE, for Docker/Kubernetes secrets (see settings_sources).
        secret_files = SecretFilesSource(settings_cls)
        return (init_settings, secret_files, env_settings, dotenv_settings, file_secret_settings)

    @field_validator("*", mode="before")
    @classmethod
    def _reject_unusable_secret_files(cls, value: Any) -> Any:
        if isinstance(value, UnusableSecretFile):
            raise ValueError(value.message())
        return value

    @model_validator(mode="after")
    def _refuse_weak_production_secrets(self) -> Settings:
        if self.env is not Environment.PRODUCTION:
            return self
        problems = weak_production_secrets(self)
        if problems:
            raise _settings_error(
                [("weak_secret", field, message, "***") for field, message in problems]
            )
        return self

    @model_validator(mode="after")
    def _refuse_several_sqlite_writers(self) -> Settings:
        if self.workers > 1 and self.database.backend is Backend.SQLITE:
            message = (
                "several worker processes need PostgreSQL: SQLite takes one writer process; "
                "set TOTRACKIT_WORKERS=1 or configure PostgreSQL (TOTRACKIT_DATABASE_URL or "
                "TOTRACKIT_DB_HOST)"
            )
            raise _settings_error([("workers_need_postgresql", "workers", message, self.workers)])
        return self

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value():
            parse_database_url(value.get_secret_value())  # fail at start-up, not on first use
        return value

    @cached_property
    def database(self) -> DatabaseURL:
        """The database location, resolved from DATABASE_URL, the DB_* parts or the data dir."""
        if self.database_url is not None and self.database_url.get_secret_value():
            return parse_database_url(self.database_url.get_secret_value())
        if self.db_host:
            password = quote(self.db_password.get_secret_value(), safe="")
            user = quote(self.db_user, safe="")
            auth = f"{user}:{password}" if password else user
            return parse_database_url(
                f"postgresql://{auth}@{self.db_host}:{self.db_port}/{quote(self.db_name, safe='')}"
            )
        return parse_database_url(f"sqlite:///{self.data_dir / 'totrackit.db'}")

    @property
    def api_key_value(self) -> str | None:
        """The configured API key, or None when the key is absent or blank (check disabled)."""
        if self.api_key is None:
            return None
        return self.api_key.get_secret_value() or None


def _settings_error(problems: list[tuple[str, str, str, Any]]) -> ValidationError:
    """A validation error over whole settings, one (code, field, message, input) per problem."""
    return ValidationError.from_exception_data(
        "Settings",
        [
            {"type": PydanticCustomError(code, message), "loc": (field,), "input": shown}
            for code, field, message, shown in problems
        ],
    )
