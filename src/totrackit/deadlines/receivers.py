"""Webhook receivers: the contract's single TOTRACKIT_WEBHOOK_URL plus optional filtered ones."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from pydantic import SecretStr

from totrackit.deadlines.models import EventType
from totrackit.deadlines.signing import secret_key
from totrackit.settings import DeadlineSettings

DEFAULT_RECEIVER = "default"


@dataclass(frozen=True)
class Receiver:
    name: str
    url: str
    key: bytes | None
    events: frozenset[str] = frozenset()
    name_patterns: tuple[str, ...] = ()

    def accepts(self, event: EventType, process_name: str) -> bool:
        """Whether this receiver wants ``event`` for runs of ``process_name``."""
        if self.events and event.value not in self.events:
            return False
        if not self.name_patterns:
            return True
        return any(fnmatchcase(process_name, pattern) for pattern in self.name_patterns)


def receivers_from(settings: DeadlineSettings) -> tuple[Receiver, ...]:
    """Every configured receiver; empty when webhooks are off (runs are still marked)."""
    default_key = _key(settings.webhook_secret)
    found: list[Receiver] = []
    url = settings.webhook_url.get_secret_value().strip() if settings.webhook_url else ""
    if url:
        found.append(Receiver(name=DEFAULT_RECEIVER, url=url, key=default_key))
    for extra in settings.webhook_endpoints:
        found.append(
            Receiver(
                name=extra.name,
                url=extra.url.get_secret_value().strip(),
                key=_key(extra.secret) or default_key,
                events=frozenset(extra.events),
                name_patterns=extra.names,
            )
        )
    return tuple(found)


def _key(secret: SecretStr | None) -> bytes | None:
    if secret is None or not secret.get_secret_value():
        return None
    return secret_key(secret.get_secret_value())
