"""Secrets never reach a log line: each kind of secret, wherever it sits in the record."""

from __future__ import annotations

import logging

import pytest

from tests.observability.conftest import CaptureLogs
from tests.observability.support import json_lines
from totrackit.observability.redaction import Redactor

WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "connecting to postgresql://totrackit:s3cr3t-pw@db:5432/totrackit",
            "connecting to postgresql://totrackit:***@db:5432/totrackit",
        ),
        ("postgresql+asyncpg://u:p@ss:w0rd@db/x failed", "postgresql+asyncpg://u:***@db/x failed"),
        ("redis://:redispass@cache:6379/0", "redis://:***@cache:6379/0"),
        ("https://hooks.example.test/path?a=1", "https://hooks.example.test/path?a=1"),
        ("Authorization: Bearer eyJhbGciOi.eyJzdWIi.sig", "Authorization: ***"),
        ("authorization=Basic dXNlcjpwYXNz", "authorization=***"),
        ("headers {'authorization': 'Bearer abc123xyz'}", "headers {'authorization': '***'}"),
        ("X-API-KEY: k3y-value-123", "X-API-KEY: ***"),
        ("{'x-api-key': 'k3y-value-123', 'host': 'a'}", "{'x-api-key': '***', 'host': 'a'}"),
        (
            "[(b'x-api-key', b'k3y-value-123'), (b'host', b'a')]",
            "[(b'x-api-key', b'***'), (b'host', b'a')]",
        ),
        ("Cookie: session=abc123; theme=dark", "Cookie: ***"),
        ("set-cookie: sid=abc; HttpOnly", "set-cookie: ***"),
        ("login with password=hunter2 now", "login with password=*** now"),
        ('{"password": "hunter2", "user": "bob"}', '{"password": "***", "user": "bob"}'),
        ("db_password='x y' user=u", "db_password='***' user=u"),
        ("refresh_token=abc.def&x=1", "refresh_token=***&x=1"),
        ("api_key: 12345678", "api_key: ***"),
        ("client_secret=s", "client_secret=***"),
        (f"signing with {WEBHOOK_SECRET}.", "signing with whsec_***."),
        ("sent Bearer abc.def.ghi upstream", "sent Bearer *** upstream"),
    ],
)
def test_each_kind_of_secret_is_masked(text: str, expected: str) -> None:
    assert Redactor().text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "GET /processes/billing/run-1 200 1.2ms",
        "ToTrackIt 0.1.0 ready on sqlite:///data/totrackit.db",
        "Running upgrade 0001 -> 0002",
        "deadline engine started (scan every 5.0s)",
        "connected to postgresql://totrackit@db:5432/totrackit",
    ],
)
def test_ordinary_lines_are_left_alone(text: str) -> None:
    assert Redactor().text(text) == text


def test_configured_secret_values_are_masked_wherever_they_appear() -> None:
    redactor = Redactor(["k3y-0f-the-api", None, "", "short"])

    assert redactor.text("got k3y-0f-the-api from 10.0.0.1") == "got *** from 10.0.0.1"
    assert redactor.text("short words stay") == "short words stay"


def test_structured_values_are_masked_by_key_and_by_content() -> None:
    redactor = Redactor()

    masked = redactor.value(
        {
            "headers": {"Authorization": "Bearer abc", "X-API-KEY": "k", "Accept": "*/*"},
            "url": "postgresql://u:pw@h/db",
            "items": ["password=x", 3],
            "api_key": None,
        }
    )

    assert masked == {
        "headers": {"Authorization": "***", "X-API-KEY": "***", "Accept": "*/*"},
        "url": "postgresql://u:***@h/db",
        "items": ["password=***", 3],
        "api_key": None,
    }


def test_message_args_extras_and_tracebacks_are_redacted(capture_logs: CaptureLogs) -> None:
    output = capture_logs()
    log = logging.getLogger("totrackit.test")

    log.warning("connect %s", "postgresql://app:pa55word@db/x", extra={"token": "tok-123456"})
    log.info("headers", extra={"headers": {"cookie": "sid=abcdef", "accept": "json"}})
    try:
        raise ConnectionError(f"webhook refused, secret {WEBHOOK_SECRET}")
    except ConnectionError:
        log.exception("delivery failed")

    first, second, third = json_lines(output)
    assert first["message"] == "connect postgresql://app:***@db/x"
    assert first["token"] == "***"
    assert second["headers"] == {"cookie": "***", "accept": "json"}
    assert WEBHOOK_SECRET not in third["exception"] and "whsec_***" in third["exception"]
    for secret in ("pa55word", "tok-123456", "sid=abcdef", WEBHOOK_SECRET):
        assert secret not in output.getvalue()


def test_secrets_from_the_settings_are_masked_verbatim(capture_logs: CaptureLogs) -> None:
    output = capture_logs(
        api_key="the-configured-api-key",
        database_url="postgresql://app:db-pass-value@db/totrackit",
        webhook_secret=WEBHOOK_SECRET,
    )
    log = logging.getLogger("totrackit.test")

    # No telltale shape around them: only knowing the values can catch these.
    log.info("client sent the-configured-api-key")
    log.info("asyncpg said: db-pass-value rejected")
    log.info("key material %s", WEBHOOK_SECRET[6:])

    messages = [line["message"] for line in json_lines(output)]
    assert messages == ["client sent ***", "asyncpg said: *** rejected", "key material ***"]
