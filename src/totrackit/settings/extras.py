"""Optional packages a setting needs, checked when the settings are read (exit 78, not later)."""

from __future__ import annotations

import importlib.util

TRACING_INSTALL_HINT = "pip install 'totrackit[tracing]'"
TRACING_MODULES = (
    "opentelemetry.sdk",
    "opentelemetry.exporter.otlp.proto.http",
    "opentelemetry.instrumentation.sqlalchemy",
    "opentelemetry.instrumentation.httpx",
)


def check_tracing_available() -> None:
    """Raise ValueError naming the install command when the tracing packages are missing."""
    missing = [name for name in TRACING_MODULES if not _importable(name)]
    if missing:
        raise ValueError(
            f"tracing needs the OpenTelemetry packages ({', '.join(missing)} not installed): "
            f"{TRACING_INSTALL_HINT}"
        )


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False
