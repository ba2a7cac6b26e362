"""Generated runs with the spread a real installation has, from a seeded random generator.

Each run starts within the last ``days``; about 5% are ACTIVE past their deadline, 5% ACTIVE on
track, the rest finished, 5% of those FAILED, with durations from a tenth of the budget to 1.3
times it (so some finished late), and one in ten finished runs has no deadline. Each run has
three tags drawn from skewed value sets (earlier values are more frequent); the fourth country
never occurs with the last provider, so that pair is a two-tag filter with no match.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from totrackit.db.types import from_micros, to_micros
from totrackit.processes.rules import warning_point

SECOND = 1_000_000

BASE_NAMES = (
    "account-activation", "payment-settlement", "kyc-review", "refund", "order-fulfilment",
    "invoice-generation", "data-import", "email-verification", "subscription-renewal",
    "chargeback-review", "card-issuance", "address-verification", "loan-approval",
    "document-signing", "shipment-tracking", "password-reset", "fraud-screening", "payout",
    "report-export", "customer-onboarding",
)  # fmt: skip
MAX_NAMES = 1000

#: The ``processes`` columns every generated run fills, in the order of ``Run.values``.
RUN_COLUMNS = (
    "id", "process_id", "name", "status", "started_at", "completed_at", "deadline", "tags",
    "context", "created_at", "updated_at", "warning_due_at",
)  # fmt: skip
TAG_COLUMNS = ("process_pk", "position", "key", "value", "started_at")
RUN_KINDS = ["plain"] * 4 + ["timestamp"] * 3 + ["json"] * 2 + ["timestamp"] * 3
TAG_KINDS = ["plain"] * 4 + ["timestamp"]


def names(count: int) -> list[str]:
    """``count`` distinct, readable process names (``refund``, ..., ``refund-2`` beyond 20)."""
    if not 1 <= count <= MAX_NAMES:
        raise ValueError(f"between 1 and {MAX_NAMES} names")
    found = []
    for index in range(count):
        base, round_ = BASE_NAMES[index % len(BASE_NAMES)], index // len(BASE_NAMES)
        found.append(base if round_ == 0 else f"{base}-{round_ + 1}")
    return found


@dataclass(frozen=True)
class Shape:
    names: Sequence[str]
    countries: Sequence[str] = ("DE", "FR", "NL", "ES", "IT", "PL", "SE", "AT", "BE", "DK")
    channels: Sequence[str] = ("web", "app", "api")
    providers: Sequence[str] = ("bank-transfer", "card", "wallet", "direct-debit", "invoice")
    days: int = 7
    source: str = "demo"
    #: TOTRACKIT_WARNING_THRESHOLD: when the deadline warning of an ACTIVE run falls due.
    warning_threshold: float = 0.75


def _cumulative(count: int) -> list[float]:
    return list(itertools.accumulate(1 / (i + 1) for i in range(count)))


class Generator:
    """Runs numbered from 1, each with its tag rows, in portable values (``RUN_KINDS``)."""

    def __init__(self, shape: Shape, *, now: datetime, seed: int = 42) -> None:
        self.shape, self.now, self.rng = shape, to_micros(now), random.Random(seed)
        lengths = {len(shape.countries), len(shape.channels), len(shape.providers)}
        self._weights = {
            length: _cumulative(length) for length in lengths | {len(shape.providers) - 1}
        }

    def _skewed(self, values: Sequence[str]) -> str:
        return self.rng.choices(values, cum_weights=self._weights[len(values)])[0]

    def batch(self, first: int, count: int) -> tuple[list[list[Any]], list[list[Any]]]:
        runs: list[list[Any]] = []
        tags: list[list[Any]] = []
        for pk in range(first, first + count):
            run, run_tags = self.run(pk)
            runs.append(run)
            tags.extend(run_tags)
        return runs, tags

    def run(self, pk: int) -> tuple[list[Any], list[list[Any]]]:
        # Instants as integer microseconds (the portable form of db/dialect.py): generating
        # millions of runs, integer arithmetic is several times cheaper than datetimes.
        rng, now, shape = self.rng, self.now, self.shape
        started = now - rng.randint(60, shape.days * 86_400) * SECOND
        budget = rng.randint(600, 86_400) * SECOND
        deadline: int | None = started + budget
        completed: int | None = None
        roll = rng.random()
        if roll < 0.05:  # overdue: ACTIVE with a passed deadline
            status, started = "ACTIVE", now - budget - rng.randint(1, 7200) * SECOND
            deadline = started + budget
        elif roll < 0.10:  # ACTIVE and on track
            status, started = "ACTIVE", now - int(budget * rng.random() * 0.9)
            deadline = started + budget
        else:
            status = "FAILED" if rng.random() < 0.05 else "COMPLETED"
            completed = min(started + int(budget * rng.uniform(0.1, 1.3)), now)
            if rng.random() < 0.1:
                deadline = None
        country = self._skewed(shape.countries)
        no_match = country == shape.countries[3]
        provider = self._skewed(shape.providers[:-1] if no_match else shape.providers)
        channel = self._skewed(shape.channels)
        pairs = (("country", country), ("channel", channel), ("provider", provider))
        tag_values = [{"key": key, "value": value} for key, value in pairs]
        context = {"source": shape.source, "customerId": f"C{rng.randint(1000, 99999)}"}
        warning = self._warning(started, deadline) if status == "ACTIVE" else None
        name = shape.names[rng.randrange(len(shape.names))]
        run = [pk, f"run-{pk}", name, status, started, completed, deadline, tag_values,
               context, started, completed or started, warning]  # fmt: skip
        tags = [[pk, position, key, value, started] for position, (key, value) in enumerate(pairs)]
        return run, tags

    def _warning(self, started: int, deadline: int | None) -> int | None:
        point = warning_point(
            started_at=from_micros(started),
            deadline=None if deadline is None else from_micros(deadline),
            threshold=self.shape.warning_threshold,
        )
        return None if point is None else to_micros(point)


def batches(total: int, size: int) -> Iterator[tuple[int, int]]:
    """``(first pk, count)`` of each batch of ``size`` runs up to ``total``."""
    for first in range(1, total + 1, size):
        yield first, min(size, total + 1 - first)
