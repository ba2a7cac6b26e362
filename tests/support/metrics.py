"""A ``ProcessMetrics`` that remembers what it was told, for service tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from totrackit.processes.metrics import Operation
from totrackit.processes.models import ProcessRun
from totrackit.processes.rules import DeadlineStatus


@dataclass
class RecordingMetrics:
    events: list[tuple[str, ...]] = field(default_factory=list)

    def started(self, run: ProcessRun) -> None:
        self.events.append(("started", run.name, run.process_id))

    def finished(self, run: ProcessRun, deadline_status: DeadlineStatus | None) -> None:
        outcome = deadline_status.value if deadline_status else "no deadline status"
        self.events.append(("finished", run.name, run.status.value, outcome))

    def refused(self, operation: Operation) -> None:
        self.events.append(("refused", operation))

    def deleted(self, run: ProcessRun) -> None:
        self.events.append(("deleted", run.name, run.process_id))
