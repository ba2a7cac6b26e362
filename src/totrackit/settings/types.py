"""Setting types parsed once, when the settings are read, so no component re-parses a string.

Durations as operators write them (``500ms``, ``5s``, ``1m``, ``2h``, ``7d``), rate rules
(``100/minute``), comma-separated lists, JSON lists, optional secrets (blank means unset) and
Standard Webhooks signing secrets (``whsec_`` + base64).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

import orjson
from pydantic import AfterValidator, BeforeValidator, SecretStr

from totrackit.ratelimit.rule import Rate, parse_rate

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}

WEBHOOK_SECRET_PREFIX = "whsec_"


def parse_duration(value: Any) -> Any:
    """``500ms``, ``5s``, ``1m``, ``2h``, ``7d`` or a bare number of seconds, as a timedelta."""
    if isinstance(value, timedelta) or not isinstance(value, str | int | float):
        return value
    match = _DURATION.match(str(value))
    if match is None:
        raise ValueError("expected a duration such as 500ms, 5s, 1m, 2h or 7d")
    return timedelta(seconds=float(match[1]) * _UNITS[match[2] or "s"])


def format_duration(value: timedelta) -> str:
    """The shortest spelling ``parse_duration`` reads back: ``500ms``, ``5s``, ``1h``, ``7d``."""
    milliseconds = round(value.total_seconds() * 1000)
    for unit in ("d", "h", "m", "s"):
        size = round(_UNITS[unit] * 1000)
        if milliseconds and milliseconds % size == 0:
            return f"{milliseconds // size}{unit}"
    return f"{milliseconds}ms"


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


def _rate_or_none(value: Any) -> Any:
    if isinstance(value, str):
        return parse_rate(value) if value.strip() else None  # see docs/security.md
    return value


RateRule = Annotated[Rate | None, BeforeValidator(_rate_or_none)]


def _split_commas(value: Any) -> Any:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(item.strip() for item in value.split(",") if item.strip())
    return value


def comma_list(check: Callable[[str], str]) -> Any:
    """``a, b,c`` as a tuple of items, each passed through ``check`` (which may normalise)."""
    return Annotated[
        tuple[str, ...],
        BeforeValidator(_split_commas),
        AfterValidator(lambda items: tuple(check(item) for item in items)),
    ]


def _json_text(value: Any) -> Any:
    if not isinstance(value, str | bytes):
        return value
    if not value.strip():
        return []
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError as error:
        raise ValueError(f"invalid JSON ({error})") from None


# A list given as JSON text in the environment, or as a list by code.
JsonList = BeforeValidator(_json_text)


def _blank_is_unset(value: SecretStr | None) -> SecretStr | None:
    return value if value is not None and value.get_secret_value() else None


OptionalSecret = Annotated[SecretStr | None, AfterValidator(_blank_is_unset)]


def check_webhook_secret(value: SecretStr | None) -> SecretStr | None:
    """Accept ``whsec_`` followed by base64 (the Standard Webhooks secret format)."""
    if value is None:
        return value
    raw = value.get_secret_value()
    prefix = len(WEBHOOK_SECRET_PREFIX)
    try:
        if not raw.startswith(WEBHOOK_SECRET_PREFIX) or not base64.b64decode(
            raw[prefix:], validate=True
        ):
            raise ValueError
    except (ValueError, binascii.Error):
        raise ValueError("expected whsec_ followed by a base64-encoded key") from None
    return value


WebhookSecret = Annotated[OptionalSecret, AfterValidator(check_webhook_secret)]
