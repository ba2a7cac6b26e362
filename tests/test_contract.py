"""The contract check itself (tests/support/contract.py): it fails on responses that break the
OpenAPI document, and it sees the responses the rest of the suite receives."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support import contract

# A run as GET /processes/{name}/{process_id} answers it.
RUN = {
    "id": "run-1",
    "name": "billing",
    "status": "ACTIVE",
    "deadline_status": None,
    "started_at": 1_784_469_600,
    "completed_at": None,
    "deadline": None,
    "tags": [],
    "context": {},
    "duration": 0,
}


@pytest.fixture(scope="module")
def checker() -> contract.ContractChecker:
    """A checker of its own, so the violations provoked here do not fail these tests."""
    return contract.ContractChecker(contract.service_document())


def answer(
    checker: contract.ContractChecker, method: str, path: str, status: int, **body: Any
) -> list[contract.Violation]:
    request = httpx.Request(method, f"http://testserver{path}")
    response = httpx.Response(status, request=request, **body)
    seen = len(checker.violations)
    checker.check(response, origin="test", body=response.content)
    return checker.violations[seen:]


def test_a_body_that_breaks_the_schema_is_a_violation(checker: contract.ContractChecker) -> None:
    found = answer(checker, "GET", "/processes/billing/run-1", 200, json={"name": "billing"})

    assert found
    assert all(v.path == "/processes/billing/run-1" and v.status == 200 for v in found)
    assert any("'id' is a required property" in v.problem for v in found)


def test_a_wrong_type_inside_a_referenced_schema_is_a_violation(
    checker: contract.ContractChecker,
) -> None:
    page = {"data": [{**RUN, "started_at": "yesterday"}], "total": 1, "limit": 50, "offset": 0}

    found = answer(checker, "GET", "/processes", 200, json={**page, "has_more": False})

    assert [v.problem for v in found] == [
        "body $.data[0].started_at: 'yesterday' is not of type 'integer'"
    ]


def test_an_undeclared_status_is_a_violation(checker: contract.ContractChecker) -> None:
    found = answer(checker, "GET", "/processes", 418, json={})

    assert [v.problem.split(" (")[0] for v in found] == [
        "status 418 is not declared for GET /processes"
    ]


def test_a_body_of_an_undeclared_media_type_is_a_violation(
    checker: contract.ContractChecker,
) -> None:
    found = answer(checker, "GET", "/processes/billing/run-1", 404, text="not found")

    assert len(found) == 1
    assert "text/plain" in found[0].problem


def test_the_report_lists_every_violation(checker: contract.ContractChecker) -> None:
    found = answer(checker, "GET", "/processes", 418, json={}) + answer(
        checker, "DELETE", "/processes/a/b", 299
    )

    report = checker.report(found).splitlines()

    assert report[0] == "2 response(s) broke the OpenAPI document (/openapi.json):"
    assert report[1].startswith("  - GET /processes -> 418 (test): status 418 is not declared")
    assert report[2].startswith("  - DELETE /processes/a/b -> 299 (test): status 299")


def test_paths_the_document_does_not_describe_are_not_judged(
    checker: contract.ContractChecker,
) -> None:
    undocumented = checker.undocumented

    assert answer(checker, "GET", "/no/such/page", 404, text="nope") == []
    assert answer(checker, "HEAD", "/processes", 405) == []
    assert checker.undocumented == undocumented + 2


def test_path_parameters_match_one_encoded_segment(checker: contract.ContractChecker) -> None:
    name = "/processes/a%2Fb/run-1"

    found = answer(checker, "GET", name, 200, json={**RUN, "name": "a/b"})

    assert found == []
    assert checker.checked["GET /processes/{name}/{process_id}", 200] >= 1


async def test_the_suite_s_in_process_responses_are_checked(
    client: httpx.AsyncClient, contract_checker: contract.ContractChecker
) -> None:
    key = ("GET /processes", 200)
    before = contract_checker.checked[key]

    response = await client.get("/processes")

    assert response.status_code == 200
    assert contract_checker.checked[key] == before + 1


def test_responses_of_a_started_server_are_checked_and_others_are_not(
    contract_checker: contract.ContractChecker,
) -> None:
    def live(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"status": "UP"})

    key = ("GET /health/live", 200)
    before = contract_checker.checked[key]
    with httpx.Client(transport=httpx.MockTransport(live)) as http:
        http.get("http://127.0.0.1:9/health/live")  # a peer, say a webhook receiver
        with contract.register_server("http://127.0.0.1:9", "api"):
            http.get("http://127.0.0.1:9/health/live")

    assert contract_checker.checked[key] == before + 1
