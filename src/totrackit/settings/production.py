"""Rules a production configuration must meet beyond each setting's own type."""

from __future__ import annotations

from typing import TYPE_CHECKING

from totrackit.settings.database_url import Backend

if TYPE_CHECKING:
    from totrackit.settings import Settings

# Values that ship in examples and tutorials: never acceptable as production secrets.
PLACEHOLDER_SECRETS = frozenset(
    {"changeme", "change-me", "secret", "password", "totrackit", "postgres", "admin", "test"}
)


def weak_secrets(settings: Settings) -> list[tuple[str, str]]:
    """(setting, problem) pairs for secrets unfit for production: empty or placeholders."""
    problems: list[tuple[str, str]] = []
    database = settings.database
    location = database.location
    if location.backend is Backend.POSTGRESQL:
        password = location.url.password or ""
        socket = "host" in location.url.query and not location.url.host
        field = "database_url" if database.database_url else "db_password"
        if not password and not socket:
            problems.append((field, "PostgreSQL needs a password in production"))
        elif password.lower() in PLACEHOLDER_SECRETS:
            problems.append((field, "the database password is a well-known placeholder"))
    api_key = settings.protection.api_key_value
    if api_key and api_key.lower() in PLACEHOLDER_SECRETS:
        problems.append(("api_key", "the API key is a well-known placeholder"))
    return problems


def several_sqlite_writers(settings: Settings) -> str | None:
    """Why several server processes cannot run on this database, or None when they can."""
    if settings.server.workers > 1 and settings.database.location.backend is Backend.SQLITE:
        return (
            "several server processes need PostgreSQL: SQLite takes one writer process; "
            "set TOTRACKIT_WORKERS=1 or configure PostgreSQL (TOTRACKIT_DATABASE_URL or "
            "TOTRACKIT_DB_HOST)"
        )
    return None


def any_origin(settings: Settings) -> str | None:
    if "*" in settings.protection.cors_origins:
        return "* (any origin) is not allowed in production; list the origins"
    return None
