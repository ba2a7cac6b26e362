"""Masking secrets in log records: they must never reach a log line, whatever logged them.

Three kinds of rule, applied to the message, the arguments, extra fields and tracebacks:

- shapes: credentials in URLs (``postgresql://user:pass@host`` keeps ``user:***@``),
  ``Authorization``/``Cookie``/``X-API-KEY`` header values, ``key=value`` or ``"key": "value"``
  pairs whose key names a password, secret, token or API key, ``Bearer`` tokens and
  ``whsec_`` signing secrets;
- keys: an extra field or dict entry whose key names a secret is replaced whole;
- values: the secrets this process was configured with (API key, database password, webhook
  secrets) are masked wherever they appear, even with no telltale shape around them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

MASK = "***"
#: Configured secrets shorter than this are not searched for verbatim: they would mask common
#: words. Such secrets are weak anyway; the shape rules still apply to them.
MIN_SECRET_LENGTH = 6

# A cheap first pass over the lowercased text: most lines contain none of these, and then no
# regular expression runs at all (a case-insensitive regex scan costs ten times more).
_MARKERS = (
    "whsec_",
    "bearer",
    "basic",
    "digest",
    "authoriz",
    "cookie",
    "apikey",
    "api_key",
    "api-key",
    "passw",
    "pwd",
    "secret",
    "token",
    "credential",
)
_URL_CREDENTIALS = re.compile(
    r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/?#@\s'\"]*):(?P<secret>[^/?#\s'\"]+)@", re.IGNORECASE
)
_WEBHOOK_SECRET = re.compile(r"\bwhsec_[A-Za-z0-9+/=_-]+")
_AUTH_SCHEME = re.compile(r"\b(?P<head>bearer|basic|digest)\s+(?!\*\*\*)[A-Za-z0-9._~+/=-]+", re.I)
# What separates a key from its value: "key: v", "key=v", '"key": "v"', "(b'key', b'v')"
# (the bytes prefix is a lowercase b: "Bearer" after a colon is part of the value).
_SEP = r"(?P<sep>['\"]?\s*[:=]\s*(?-i:b)?['\"]?|['\"]\s*,\s*(?-i:b)?['\"])"
# Header values run to the end of the value (cookies contain spaces and semicolons).
_HEADER_PAIR = re.compile(
    r"(?P<key>\b(?:proxy-)?authorization|\bset-cookie|\bcookie)"
    + _SEP
    + r"(?P<secret>[^'\"\r\n]+)",
    re.IGNORECASE,
)
_KEY_PAIR = re.compile(
    r"(?P<key>\b[\w-]*(?:passw(?:or)?d|pwd|secret|token|api[_-]?key|apikey|credentials?)[\w-]*)"
    + _SEP
    # A quoted value runs to its closing quote; a bare one to the next space or delimiter.
    + r"(?P<secret>(?<=['\"])[^'\"\r\n]*|[^\s'\",;&)}\]]+)",
    re.IGNORECASE,
)
_SECRET_KEY = re.compile(
    r"passw(?:or)?d|pwd|secret|token|api[_-]?key|apikey|authorization|cookie|credential",
    re.IGNORECASE,
)


def _mask_secret(match: re.Match[str]) -> str:
    return match.group(0)[: match.start("secret") - match.start(0)] + MASK


class Redactor:
    """Masks secrets in text and in structured values; cheap when there is nothing to mask."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets: tuple[str, ...] = ()
        self._keys: dict[str, bool] = {}
        for secret in secrets:
            self.add_secret(secret)

    def add_secret(self, secret: str | None) -> None:
        """Mask this exact value wherever it appears (ignored when shorter than 6 characters)."""
        if secret and len(secret) >= MIN_SECRET_LENGTH and secret not in self._secrets:
            # Longest first, so a secret containing another is masked whole.
            self._secrets = tuple(sorted((*self._secrets, secret), key=len, reverse=True))

    def suspicious(self, text: str) -> bool:
        """Whether ``text`` may hold a secret; False means :meth:`text` would return it as is."""
        for secret in self._secrets:
            if secret in text:
                return True
        lowered = text.lower()
        if "@" in lowered and "://" in lowered:
            return True
        for marker in _MARKERS:  # noqa: SIM110 - a loop beats any() and a generator, per record
            if marker in lowered:
                return True
        return False

    def secret_key(self, key: str) -> bool:
        """Whether a field called ``key`` holds a secret (the answer is cached per name)."""
        known = self._keys.get(key)
        if known is None:
            known = self._keys[key] = _SECRET_KEY.search(key) is not None
        return known

    def text(self, text: str) -> str:
        """``text`` with every secret masked."""
        if not self.suspicious(text):
            return text
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        text = _URL_CREDENTIALS.sub(r"\g<head>:" + MASK + "@", text)
        text = _WEBHOOK_SECRET.sub("whsec_" + MASK, text)
        text = _HEADER_PAIR.sub(_mask_secret, text)
        text = _KEY_PAIR.sub(_mask_secret, text)
        return _AUTH_SCHEME.sub(r"\g<head> " + MASK, text)

    def value(self, value: Any) -> Any:
        """A structured value (str, mapping, sequence, anything else) with secrets masked."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, int | float | bool | date | uuid.UUID) or value is None:
            return value
        if isinstance(value, Mapping):
            return {key: self.field(str(key), item) for key, item in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return [self.value(item) for item in value]
        if isinstance(value, bytes):
            return self.text(value.decode("utf-8", "replace"))
        return self.text(str(value))

    def field(self, key: str, value: Any) -> Any:
        """A named value: masked whole when the name says it is a secret."""
        if value is not None and value != "" and self.secret_key(key):
            return MASK
        return self.value(value)
