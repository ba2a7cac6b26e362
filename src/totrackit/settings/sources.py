"""Reading settings from the environment: ``TOTRACKIT_*`` variables and ``_FILE`` secrets.

This is the only place that reads the process environment for settings. Every secret setting
``TOTRACKIT_<NAME>`` can instead be read from a file named by ``TOTRACKIT_<NAME>_FILE``
(Docker and Kubernetes secrets, files written by a secret manager's agent); trailing newlines
are dropped, as editors and ``echo`` add them.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Union, get_args, get_origin

from pydantic import SecretStr
from pydantic.fields import FieldInfo

PREFIX = "TOTRACKIT_"
# Read by the test suite, not by the service.
TEST_ONLY_PREFIX = "TOTRACKIT_TEST_"
# Read by the compose files, images, scripts and CI harness, not by the service: never warned
# about as unknown. tests/test_config.py keeps this list equal to what those files use.
DEPLOYMENT_VARIABLES = frozenset(
    f"TOTRACKIT_{name}"
    for name in [
        "API_PORT",
        "API_UPSTREAM",
        "API_URL",
        "BACKUP_EVERY",
        "BACKUP_KEEP",
        "BIND_ADDRESS",
        "BUILD_CA_BUNDLE",
        "BUILD_LOG_DIR",
        "BUILD_NETWORK",
        "BUILD_PLATFORM",
        "CT_ARM64",
        "CT_KEEP",
        "CT_PREFIX",
        "CT_SKIP_BUILD",
        "DB_APP_PASSWORD",
        "DB_APP_PASSWORD_FILE",
        "DB_APP_USER",
        "DB_MONITOR_PASSWORD",
        "DB_MONITOR_PASSWORD_FILE",
        "DB_MONITOR_USER",
        "DB_OWNER_PASSWORD",
        "DB_OWNER_PASSWORD_FILE",
        "DB_OWNER_USER",
        "DEV_API_PORT",
        "DEV_DB_PORT",
        "DEV_DEBUG_PORT",
        "DEV_IMAGE",
        "DEV_NODE_EXTRA_CA_CERTS",
        "DEV_REDIS_PORT",
        "DEV_UI_PORT",
        "E2E_BASE_URL",
        "E2E_API_KEY",
        "HEALTHCHECK_URL",
        "HTTP_BIND",
        "HTTP_PORT",
        "IMAGE_NAME",
        "OFFLINE_IMAGES",
        "PITR_BACKUP_INTERVAL",
        "PITR_FULL_EVERY",
        "POSTGRES_IMAGE",
        "REDIS_PASSWORD",
        "REVISION",
        "ROLLBACK_TIMEOUT",
        "SECRETS_DIR",
        "SLIM_IMAGE",
        "START_TIMEOUT",
        "SWAGGER_PORT",
        "UI_IMAGE_NAME",
        "UI_PORT",
        "VERSION",
    ]
)


def variable(name: str) -> str:
    """The environment variable of a public setting name: ``port`` -> ``TOTRACKIT_PORT``."""
    return f"{PREFIX}{name.upper()}"


def is_secret(field: FieldInfo) -> bool:
    annotation = field.annotation
    if annotation is SecretStr:
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        return SecretStr in get_args(annotation)
    return SecretStr in getattr(annotation, "__args__", ())


class SecretFileProblem(ValueError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def read_environment(
    environ: Mapping[str, str], fields: Mapping[str, FieldInfo]
) -> tuple[dict[str, str], list[SecretFileProblem]]:
    """The value of every public setting set in ``environ`` (by name), and secret-file problems."""
    values: dict[str, str] = {}
    problems: list[SecretFileProblem] = []
    for name, field in fields.items():
        key = variable(name)
        if key in environ:
            values[name] = environ[key]
        path = environ.get(f"{key}_FILE") if is_secret(field) else None
        if not path:
            continue
        if environ.get(key):
            problems.append(SecretFileProblem(name, f"both {key} and {key}_FILE are set; keep one"))
            continue
        try:
            values[name] = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            problems.append(
                SecretFileProblem(name, f"{key}_FILE: cannot read {path}: {exc.strerror}")
            )
    return values, problems


def unknown_variables(environ: Mapping[str, str], known: Iterable[str]) -> list[str]:
    """``TOTRACKIT_*`` variables no setting reads, each with the closest known name if any."""
    names = {variable(name) for name in known}
    names |= {f"{name}_FILE" for name in names}
    found = []
    for key in sorted(environ):
        skipped = key.startswith(TEST_ONLY_PREFIX) or key in DEPLOYMENT_VARIABLES
        if not key.startswith(PREFIX) or skipped or key in names:
            continue
        close = difflib.get_close_matches(key, names, n=1, cutoff=0.75)
        found.append(f"{key} (did you mean {close[0]}?)" if close else key)
    return found
