"""The paths that middleware treats specially, named once.

Operational paths (probes, metrics, API documentation and the UI's files) work before the
database is ready and are never rate limited: an orchestrator, a scraper or a browser loading
the page must not be turned away by either. The API under ``/processes`` is what an API key
protects.
"""

from __future__ import annotations

# Kubernetes-style probes: logged at DEBUG and never traced.
PROBES = frozenset({"/health/live", "/health/ready"})

UI_PAGES = ("/", "/index.html")
UI_FILES = ("favicon.svg", "favicon.ico", "robots.txt")
DOCS = ("/docs", "/swagger-ui", "/openapi.json", "/openapi.yaml", "/openapi.yml")
METRICS = ("/metrics", "/prometheus")

OPERATIONAL = frozenset({"/health", *METRICS, *DOCS, *UI_PAGES, *(f"/{name}" for name in UI_FILES)})
OPERATIONAL_PREFIXES = ("/health/", "/docs/", "/assets/")

PROTECTED = ("/processes", "/imports")

#: Bulk uploads: their own body size limit (TOTRACKIT_IMPORT_MAX_BYTES).
IMPORTS = "/imports"


def is_operational(path: str) -> bool:
    """Open while the service starts, and exempt from the rate limit."""
    return path in OPERATIONAL or path.startswith(OPERATIONAL_PREFIXES)


def is_protected(path: str) -> bool:
    """Requires the API key when one is configured (contract 1.11)."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in PROTECTED)
