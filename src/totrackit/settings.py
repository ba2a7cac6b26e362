"""The one typed settings object, read from ``TOTRACKIT_*`` environment variables.

Every other module receives a ``Settings`` instance; nothing else reads the environment.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from pathlib import Path
from urllib.parse import quote

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from totrackit.db.url import DatabaseURL, parse_database_url


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"
    TEST = "test"


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
