"""Inputs the fuzzer (tests/web/test_fuzz.py) found answered with a 500 or with data lost, and
their siblings: each is now a 400 naming the field, or accepted as JSON means it."""

from __future__ import annotations

import re

import httpx
import orjson
from hypothesis import given
from hypothesis import strategies as st

from tests.support import FakeClock
from totrackit.errors import ValidationFailed
from totrackit.processes.query import TAGS_PATTERN, parse_tags
from totrackit.processes.schemas import UNPAIRED_SURROGATE


def _fields(response: httpx.Response) -> dict[str, object]:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "VALIDATION_ERROR"
    return {detail["field"]: detail for detail in body["details"]}


async def test_a_list_offset_beyond_64_bits_is_a_400_echoing_it_as_text(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/processes", params={"offset": str(2**64)})

    detail = _fields(response)["offset"]
    assert detail["rejected_value"] == str(2**64)  # type: ignore[index]


async def test_huge_time_filters_are_refused_on_their_field(client: httpx.AsyncClient) -> None:
    for param, value in [
        ("deadlineBefore", "-77955274640155262976"),
        ("deadlineAfter", str(10**15)),
        ("runningDurationMin", "2147483648"),
    ]:
        response = await client.get("/processes", params={param: value})
        assert param in _fields(response), param


async def test_the_largest_declared_values_are_answered(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/processes",
        params={
            "deadlineBefore": "253402300799",
            "deadlineAfter": "-62135596800",
            "runningDurationMin": "1000000000",
            "offset": str(2**63 - 1),
        },
    )

    assert response.status_code == 200
    assert response.json()["data"] == []


async def test_analytics_names_offset_beyond_64_bits_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.get("/analytics/names", params={"offset": "420843242357784313856"})

    assert "offset" in _fields(response)


async def test_context_numbers_that_no_response_could_carry_are_refused(
    client: httpx.AsyncClient,
) -> None:
    for number in ("123456789012345678901234567890", "-9223372036854775809", "1e400", "-1e400"):
        raw = b'{"id": "run-001", "context": {"a": [' + number.encode() + b"]}}"
        response = await client.post(
            "/processes/big", content=raw, headers={"content-type": "application/json"}
        )
        assert "context" in _fields(response), number

    assert (await client.get("/processes/big/run-001")).status_code == 404  # nothing stored


async def test_context_numbers_within_range_are_kept_exactly(client: httpx.AsyncClient) -> None:
    context = {"max": 2**63 - 1, "min": -(2**63), "avogadro": 6.02e23, "tiny": 5e-324}
    response = await client.post("/processes/big", json={"id": "run-001", "context": context})

    assert response.status_code == 201
    stored = (await client.get("/processes/big/run-001")).json()["context"]
    assert stored == context


async def test_a_deadline_written_as_a_whole_float_is_that_integer(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    deadline = clock.epoch(hours=1)
    response = await client.post(
        "/processes/p", json={"id": "run-001", "deadline": float(deadline)}
    )

    assert response.status_code == 201
    assert response.json()["deadline"] == deadline
    refused = await client.post("/processes/p", json={"id": "run-002", "deadline": deadline + 0.5})
    assert "deadline" in _fields(refused)


async def test_length_limits_are_counted_in_characters(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/processes/p", json={"id": "ab", "tags": [{"key": "k" * 51, "value": "v"}]}
    )

    fields = _fields(response)
    assert fields["id"]["message"] == "String should have at least 3 characters"  # type: ignore[index]
    assert fields["tags[0].key"]["message"] == "String should have at most 50 characters"  # type: ignore[index]


async def test_a_wrong_method_names_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    for method in ("OPTIONS", "POST", "PATCH"):
        response = await client.request(method, "/processes/p/run-001")
        assert response.status_code == 405
        assert response.headers["allow"] == "DELETE, GET"
        assert response.json()["error"] == "METHOD_NOT_ALLOWED"


@given(st.text(alphabet=st.sampled_from(list("ab :,\t\x00\u00a0")), max_size=12))
def test_the_declared_tags_pattern_is_what_the_parser_accepts(raw: str) -> None:
    try:
        parse_tags(raw)
        accepted = "\x00" not in raw  # NUL is refused by the parameter's own pattern
    except ValidationFailed:
        accepted = False
    assert bool(re.fullmatch(TAGS_PATTERN, raw)) == accepted


def test_rejected_values_are_always_writable() -> None:
    from totrackit.errors import ErrorCode, FieldError
    from totrackit.web.errors import error_body

    body = error_body(
        code=ErrorCode.VALIDATION_ERROR,
        message="m",
        path="/",
        details=[FieldError("x", "m", [2**70, float("inf")])],
    )

    assert orjson.loads(orjson.dumps(body))["details"][0]["rejected_value"] == str(
        [2**70, float("inf")]
    )


async def test_half_a_surrogate_pair_anywhere_in_a_body_is_refused_on_its_field(
    client: httpx.AsyncClient,
) -> None:
    # JSON may escape a lone surrogate; no database stores it and no response could echo it.
    bodies = {
        "tags[0].value": b'{"id": "run-001", "tags": [{"key": "k", "value": "\\udc00"}]}',
        "context": b'{"id": "run-001", "context": {"\\ud800": 1}}',
    }
    for field, raw in bodies.items():
        response = await client.post(
            "/processes/p", content=raw, headers={"content-type": "application/json"}
        )
        fields = _fields(response)
        assert field in fields, fields
        assert fields[field]["message"] == UNPAIRED_SURROGATE  # type: ignore[index]

    assert (await client.get("/processes/p/run-001")).status_code == 404  # nothing stored


def test_rejected_text_that_utf8_cannot_carry_is_echoed_with_escapes() -> None:
    from totrackit.errors import ErrorCode, FieldError
    from totrackit.web.errors import error_body

    body = error_body(
        code=ErrorCode.VALIDATION_ERROR,
        message="m",
        path="/",
        details=[FieldError("x", "m", "ab\ud800")],
    )

    assert orjson.loads(orjson.dumps(body))["details"][0]["rejected_value"] == "ab\\ud800"
