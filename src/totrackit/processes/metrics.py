"""What the process service reports as it works, without knowing where it goes.

The service receives a ``ProcessMetrics`` (Prometheus in the app, ``NoMetrics`` when metrics
are off, a recording fake in tests), so no business rule calls a module-global registry.
"""

from __future__ import annotations

from typing import Literal, Protocol

from totrackit.processes.models import ProcessRun
from totrackit.processes.rules import DeadlineStatus

Operation = Literal["create", "update", "delete"]


class ProcessMetrics(Protocol):
    def started(self, run: ProcessRun) -> None:
        """A run was started."""

    def finished(self, run: ProcessRun, deadline_status: DeadlineStatus | None) -> None:
        """A run was completed or failed; ``deadline_status`` is its status at that moment."""

    def refused(self, operation: Operation) -> None:
        """A write found nothing to do (a duplicate start, a second completion)."""

    def deleted(self, run: ProcessRun) -> None:
        """A run was deleted."""


class NoMetrics:
    """Metrics off (``TOTRACKIT_METRICS_ENABLED=false``): nothing is recorded."""

    def started(self, run: ProcessRun) -> None:
        pass

    def finished(self, run: ProcessRun, deadline_status: DeadlineStatus | None) -> None:
        pass

    def refused(self, operation: Operation) -> None:
        pass

    def deleted(self, run: ProcessRun) -> None:
        pass
