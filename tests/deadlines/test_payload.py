"""The deep link matches the original's Java URLEncoder encoding."""

from __future__ import annotations

import pytest

from totrackit.deadlines.payload import deep_link, form_encode
from totrackit.deadlines.signing import secret_key, signature


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        ("run-001", "run-001"),
        ("a b", "a+b"),
        ("x/y?z&w=1", "x%2Fy%3Fz%26w%3D1"),
        ("*._-", "*._-"),
        ("~", "%7E"),
        ("é", "%C3%A9"),
    ],
)
def test_form_encode_is_javas_url_encoder(raw: str, encoded: str) -> None:
    assert form_encode(raw) == encoded


def test_deep_link_strips_the_trailing_slash() -> None:
    link = deep_link("https://t.example/ ", name="billing", process_id="inv 7")

    assert link == "https://t.example/?process=billing/inv+7"


def test_signature_matches_the_standard_webhooks_reference_vector() -> None:
    # The example of the Standard Webhooks specification's reference libraries.
    key = secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    body = '{"test": 2432232314}'

    signed = signature(
        key=key, event_id="msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp=1614265330, body=body
    )

    assert signed == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
