"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

The receiver recomputes ``base64(HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}"))``
with the key decoded from the shared ``whsec_`` secret and compares it to ``webhook-signature``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from totrackit.settings.types import WEBHOOK_SECRET_PREFIX


def secret_key(secret: str) -> bytes:
    """The HMAC key inside a ``whsec_<base64>`` secret."""
    return base64.b64decode(secret.removeprefix(WEBHOOK_SECRET_PREFIX))


def signature(*, key: bytes, event_id: str, timestamp: int, body: str) -> str:
    """The ``webhook-signature`` header value: version ``v1``, comma, base64 HMAC."""
    signed = f"{event_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return f"v1,{base64.b64encode(digest).decode()}"


def headers(*, key: bytes | None, event_id: str, timestamp: int, body: str) -> dict[str, str]:
    """The three Standard Webhooks headers; no signature when no secret is configured."""
    result = {"webhook-id": event_id, "webhook-timestamp": str(timestamp)}
    if key is not None:
        result["webhook-signature"] = signature(
            key=key, event_id=event_id, timestamp=timestamp, body=body
        )
    return result
