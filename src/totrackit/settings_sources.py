"""Where settings come from besides plain variables: ``_FILE`` secrets, and production rules.

Every secret setting ``TOTRACKIT_<NAME>`` can instead be read from a file named by
``TOTRACKIT_<NAME>_FILE`` (Docker and Kubernetes secrets, files written by a secret manager's
agent). Trailing newlines are dropped, as editors and ``echo`` add them.
"""

from __future__ import annotations

import os
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import PydanticBaseSettingsSource

PREFIX = "TOTRACKIT_"

# Values that ship in examples and tutorials: never acceptable as production secrets.
PLACEHOLDER_SECRETS = frozenset(
    {"changeme", "change-me", "secret", "password", "totrackit", "postgres", "admin", "test"}
)


@dataclass(frozen=True)
class UnusableSecretFile:
    """Stands in for a secret whose ``_FILE`` could not be used; validation reports it."""

    variable: str
    reason: str

    def message(self) -> str:
        return f"{self.variable}: {self.reason}"


def is_secret(field: FieldInfo) -> bool:
    annotation = field.annotation
    if annotation is SecretStr:
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        return SecretStr in get_args(annotation)
    return False


class SecretFilesSource(PydanticBaseSettingsSource):
    """Reads ``TOTRACKIT_<NAME>_FILE`` for every secret setting."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads every field at once

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, field in self.settings_cls.model_fields.items():
            if not is_secret(field):
                continue
            variable = f"{PREFIX}{name.upper()}"
            path = os.environ.get(f"{variable}_FILE")
            if path:
                values[name] = _read_secret(variable, path)
        return values


def _read_secret(variable: str, path: str) -> str | UnusableSecretFile:
    if os.environ.get(variable):
        return UnusableSecretFile(
            f"{variable}_FILE", f"both {variable} and {variable}_FILE are set; keep one"
        )
    try:
        return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        return UnusableSecretFile(f"{variable}_FILE", f"cannot read {path}: {exc.strerror}")


def weak_production_secrets(settings: Any) -> list[tuple[str, str]]:
    """(setting, problem) pairs for secrets unfit for production: empty or placeholders."""
    problems: list[tuple[str, str]] = []
    database = settings.database
    if database.backend.value == "postgresql":
        password = database.url.password or ""
        socket = "host" in database.url.query and not database.url.host
        if not password and not socket:
            field = "database_url" if settings.database_url else "db_password"
            problems.append((field, "PostgreSQL needs a password in production"))
        elif password.lower() in PLACEHOLDER_SECRETS:
            field = "database_url" if settings.database_url else "db_password"
            problems.append((field, "the database password is a well-known placeholder"))
    api_key = settings.api_key_value
    if api_key and api_key.lower() in PLACEHOLDER_SECRETS:
        problems.append(("api_key", "the API key is a well-known placeholder"))
    return problems
