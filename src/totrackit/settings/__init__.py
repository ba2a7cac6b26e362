"""The one typed settings object, in groups, read from ``TOTRACKIT_*`` environment variables.

``Settings(...)`` takes values by their public names (``port=9000``, ``db_pool_size=5``) or by
group (``server=ServerSettings(...)``) and reads nothing else, so tests and tools build exactly
what they pass. ``Settings.from_environment()`` reads the environment (``settings.sources``);
commands use it, nothing else reads the environment for settings. Each component receives its
group: ``make_db(settings.database)``, ``DeadlineEngine(settings.deadlines, ...)``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from totrackit.settings import production
from totrackit.settings.groups import (
    DatabaseSettings,
    DeadlineSettings,
    ObservabilitySettings,
    ProtectionSettings,
    ServerSettings,
    WebhookEndpoint,
)
from totrackit.settings.sources import read_environment, unknown_variables
from totrackit.settings.types import format_duration, parse_duration

__all__ = [
    "DatabaseSettings",
    "DeadlineSettings",
    "Environment",
    "ObservabilitySettings",
    "ProtectionSettings",
    "ServerSettings",
    "Settings",
    "WebhookEndpoint",
    "format_duration",
    "parse_duration",
]


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"
    TEST = "test"


GROUPS: dict[str, type[BaseModel]] = {
    "server": ServerSettings,
    "database": DatabaseSettings,
    "protection": ProtectionSettings,
    "deadlines": DeadlineSettings,
    "observability": ObservabilitySettings,
}


def _public_fields() -> dict[str, tuple[str | None, FieldInfo]]:
    """Every public setting name (``TOTRACKIT_`` + upper case) -> (its group, its field)."""
    found: dict[str, tuple[str | None, FieldInfo]] = {}
    for group, model in GROUPS.items():
        for name, field in model.model_fields.items():
            found[field.alias or name] = (group, field)
    return found


class Settings(BaseModel):
    """Configuration of one ToTrackIt process."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    env: Environment = Field(
        Environment.DEVELOPMENT,
        description="Deployment environment: development, production or test.",
    )
    server: ServerSettings = Field(default_factory=ServerSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    protection: ProtectionSettings = Field(default_factory=ProtectionSettings)
    deadlines: DeadlineSettings = Field(default_factory=DeadlineSettings)
    observability: ObservabilitySettings = Field(default_factory=ObservabilitySettings)

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> Settings:
        """Settings from ``TOTRACKIT_*`` variables (``os.environ`` by default), then overrides.

        Raises ``ValidationError`` listing every problem, secret-file problems included.
        """
        environ = os.environ if environ is None else environ
        values, problems = read_environment(environ, FIELDS_BY_NAME)
        if problems:
            raise settings_error([("secret_file", p.name, str(p), "***") for p in problems])
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)

    @staticmethod
    def unknown_variables(environ: Mapping[str, str] | None = None) -> list[str]:
        """``TOTRACKIT_*`` variables that no setting reads (typos), with the closest names."""
        return unknown_variables(os.environ if environ is None else environ, FIELDS_BY_NAME)

    @model_validator(mode="before")
    @classmethod
    def _group_public_names(cls, data: Any) -> Any:
        """``port=9000`` becomes ``server={"port": 9000}``; group values pass through."""
        if not isinstance(data, dict):
            return data
        nested: dict[str, Any] = {}
        grouped: dict[str, dict[str, Any]] = {}
        for key, value in data.items():
            group = PUBLIC_FIELDS.get(key, (None, None))[0]
            if group is None:
                nested[key] = value
            else:
                grouped.setdefault(group, {})[key] = value
        for group, values in grouped.items():
            given = nested.get(group)
            if isinstance(given, BaseModel):
                given = given.model_dump(by_alias=True)
            nested[group] = {**(given or {}), **values}
        return nested

    @model_validator(mode="after")
    def _apply_cross_group_rules(self) -> Settings:
        problems: list[tuple[str, str, str, Any]] = []
        writers = production.several_sqlite_writers(self)
        if writers:
            problems.append(("workers_need_postgresql", "workers", writers, self.server.workers))
        if self.env is Environment.PRODUCTION:
            problems += [
                ("weak_secret", name, message, "***")
                for name, message in production.weak_secrets(self)
            ]
            origins = production.any_origin(self)
            if origins:
                problems.append(("any_origin", "cors_origins", origins, "*"))
        if problems:
            raise settings_error(problems)
        return self


PUBLIC_FIELDS = _public_fields()
FIELDS_BY_NAME: dict[str, FieldInfo] = {
    "env": Settings.model_fields["env"],
    **{name: field for name, (_, field) in PUBLIC_FIELDS.items()},
}


def settings_error(problems: list[tuple[str, str, str, Any]]) -> ValidationError:
    """A validation error over whole settings, one (code, public name, message, input) each."""
    return ValidationError.from_exception_data(
        "Settings",
        [
            {"type": PydanticCustomError(code, message), "loc": (name,), "input": shown}
            for code, name, message, shown in problems
        ],
    )
