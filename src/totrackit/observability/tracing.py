"""OpenTelemetry tracing: request, database and outgoing HTTP spans, exported over OTLP/HTTP.

Off by default, and then free: nothing of the OpenTelemetry SDK, exporter or instrumentations
is imported. (FastAPI itself imports the small ``opentelemetry-api`` package for its native
telemetry; we switch that off too.) With ``TOTRACKIT_TRACING_ENABLED=true``:

- request spans come from FastAPI's native telemetry, named ``GET /processes/{name}``;
- database spans from the SQLAlchemy instrumentation, outgoing HTTP spans (webhooks) from the
  httpx instrumentation, which also sends ``traceparent`` to the receiver;
- spans are batched to the OTLP/HTTP exporter, configured by the standard ``OTEL_*`` variables
  (``OTEL_EXPORTER_OTLP_ENDPOINT``, ``OTEL_EXPORTER_OTLP_HEADERS``, ``OTEL_TRACES_SAMPLER``...);
  the service is called ``totrackit`` unless ``OTEL_SERVICE_NAME`` says otherwise;
- log lines written inside a span carry its ``trace_id`` and ``span_id``.

The packages come with the ``tracing`` extra: ``pip install 'totrackit[tracing]'``.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from totrackit import __version__
from totrackit.observability.context import TraceIds, set_trace_ids_source
from totrackit.settings.extras import check_tracing_available
from totrackit.web.paths import PROBES

if TYPE_CHECKING:
    from fastapi.telemetry import TelemetryConfig
    from opentelemetry.sdk.trace import TracerProvider
    from sqlalchemy.ext.asyncio import AsyncEngine

    from totrackit.settings import Settings

SERVICE_NAME = "totrackit"


class Tracing:
    """Tracing for one application; every method is a no-op when tracing is off."""

    def __init__(self, provider: TracerProvider | None = None) -> None:
        self.provider = provider

    @property
    def enabled(self) -> bool:
        return self.provider is not None

    def fastapi_telemetry(self) -> TelemetryConfig:
        """FastAPI's native telemetry: our request spans when on, nothing at all when off."""
        return {
            "tracing": self.enabled,
            "tracer_provider": self.provider,
            "operation_spans": self.enabled,
            # Metrics go to Prometheus and logs to our own pipeline; exporters only when we say.
            "metrics": False,
            "logs": False,
            "auto_configure": False,
            "exclude": _is_probe,
        }

    def instrument(self, db: AsyncEngine) -> None:
        """Trace this engine's statements and every httpx request made while the app runs."""
        if self.provider is None:
            return
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

        SQLAlchemyInstrumentor().instrument(
            engine=db.sync_engine, tracer_provider=self.provider, skip_dep_check=True
        )
        HTTPXClientInstrumentor().instrument(tracer_provider=self.provider, skip_dep_check=True)
        set_trace_ids_source(_trace_ids_reader())

    def quiet(self) -> AbstractContextManager[Any]:
        """Around health probes: no spans for them or their database checks."""
        if self.provider is None:
            return nullcontext()
        from opentelemetry.instrumentation.utils import suppress_instrumentation

        return suppress_instrumentation()

    def shutdown(self) -> None:
        """Export what is still buffered and remove the instrumentation."""
        if self.provider is None:
            return
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

        set_trace_ids_source(None)
        SQLAlchemyInstrumentor().uninstrument()
        HTTPXClientInstrumentor().uninstrument()
        self.provider.shutdown()


def setup_tracing(settings: Settings) -> Tracing:
    """The tracer provider with its OTLP exporter, or a no-op when tracing is off."""
    if not settings.observability.tracing_enabled:
        return Tracing()
    check_tracing_available()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # Resource.create reads OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES; our name is the default.
    resource = Resource.create({"service.version": __version__})
    if str(resource.attributes.get("service.name", "")).startswith("unknown_service"):
        resource = resource.merge(Resource({"service.name": SERVICE_NAME}))
    provider = TracerProvider(resource=resource, shutdown_on_exit=False)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return Tracing(provider)


def _is_probe(scope: MutableMapping[str, Any]) -> bool:
    return scope.get("path") in PROBES


def _trace_ids_reader() -> TraceIds:
    from opentelemetry.trace import get_current_span

    def current() -> tuple[str, str] | None:
        context = get_current_span().get_span_context()
        if not context.is_valid:
            return None
        return f"{context.trace_id:032x}", f"{context.span_id:016x}"

    return current
