"""Database URLs as users write them, turned into what SQLAlchemy needs.

Users write ``sqlite:///PATH`` or ``postgresql://...`` (including the libpq socket form
``postgresql://user@/db?host=/socket/dir``); the service picks the async driver itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError


class Backend(StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


_DRIVERS = {Backend.SQLITE: "sqlite+aiosqlite", Backend.POSTGRESQL: "postgresql+asyncpg"}
_SCHEMES = {
    "sqlite": Backend.SQLITE,
    "postgresql": Backend.POSTGRESQL,
    "postgres": Backend.POSTGRESQL,
}


class InvalidDatabaseURL(ValueError):
    """The database URL cannot be understood; the message says what form is expected."""


@dataclass(frozen=True)
class DatabaseURL:
    backend: Backend
    url: URL

    @property
    def async_url(self) -> URL:
        """The URL with the async driver the service uses for this backend."""
        return self.url.set(drivername=_DRIVERS[self.backend])

    @property
    def sqlite_path(self) -> Path | None:
        if self.backend is not Backend.SQLITE or not self.url.database:
            return None
        return Path(self.url.database)

    def redacted(self) -> str:
        """The URL with any password hidden, safe for logs and error messages."""
        return self.url.render_as_string(hide_password=True)


def parse_database_url(raw: str) -> DatabaseURL:
    """Parse a user-supplied database URL, rejecting anything but SQLite and PostgreSQL."""
    try:
        url = make_url(raw.strip())
    except ArgumentError as exc:
        raise InvalidDatabaseURL(
            "cannot parse the database URL; expected sqlite:///PATH or "
            "postgresql://user:password@host:5432/database"
        ) from exc
    scheme = url.drivername.split("+", 1)[0]
    backend = _SCHEMES.get(scheme)
    if backend is None:
        raise InvalidDatabaseURL(
            f"unsupported database scheme {scheme!r}; expected sqlite:///PATH or postgresql://..."
        )
    if backend is Backend.SQLITE and not url.database:
        raise InvalidDatabaseURL("a SQLite URL needs a file path, e.g. sqlite:///data/totrackit.db")
    if backend is Backend.POSTGRESQL and not url.database:
        raise InvalidDatabaseURL("a PostgreSQL URL needs a database name: postgresql://.../NAME")
    return DatabaseURL(
        backend=backend, url=url.set(drivername=scheme if scheme != "postgres" else "postgresql")
    )
