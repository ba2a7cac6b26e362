"""``POST /imports``: JSON Lines or CSV uploads, all or nothing, behind the API key."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

NDJSON = {"content-type": "application/x-ndjson"}


def line(**fields: Any) -> str:
    run = {
        "name": "billing",
        "id": "inv-1",
        "status": "COMPLETED",
        "started_at": 1784469600,
        "completed_at": 1784470200,
        "tags": [{"key": "country", "value": "DE"}],
    }
    return json.dumps({**run, **fields})


def body(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


async def listed(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = (await client.get("/processes/?limit=100")).json()["data"]
    return data


async def test_json_lines_are_imported_once(client: httpx.AsyncClient) -> None:
    upload = body(line(), line(id="inv-2", status="ACTIVE", completed_at=None, deadline=1784473200))

    first = await client.post("/imports", content=upload, headers=NDJSON)
    again = await client.post("/imports", content=upload, headers=NDJSON)

    assert first.status_code == 200, first.text
    assert first.json() == {"read": 2, "imported": 2, "skipped": 0, "rejected": 0}
    assert again.json() == {"read": 2, "imported": 0, "skipped": 2, "rejected": 0}
    runs = {run["id"]: run for run in await listed(client)}
    assert runs["inv-1"]["tags"] == [{"key": "country", "value": "DE"}]
    assert runs["inv-1"]["duration"] == 600
    assert runs["inv-2"]["status"] == "ACTIVE"


async def test_rejected_lines_are_each_named_and_nothing_is_applied(
    client: httpx.AsyncClient,
) -> None:
    upload = body(line(), "{", line(id="x"), line(id="inv-3"))

    response = await client.post("/imports", content=upload, headers=NDJSON)

    assert response.status_code == 422
    document = response.json()
    assert document["error"] == "IMPORT_REJECTED"
    assert document["message"] == "2 of 4 line(s) rejected: nothing was imported"
    assert [detail["field"] for detail in document["details"]] == ["line 2", "line 3"]
    assert document["details"][1]["message"].startswith("id: ")
    assert "at least 3" in document["details"][1]["message"]
    assert await listed(client) == []


async def test_skip_invalid_keeps_the_valid_lines(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/imports?skip_invalid=true", content=body(line(), "nope"), headers=NDJSON
    )

    assert response.json() == {"read": 2, "imported": 1, "skipped": 0, "rejected": 1}
    assert [run["id"] for run in await listed(client)] == ["inv-1"]


async def test_csv_with_the_documented_header(client: httpx.AsyncClient) -> None:
    upload = (
        b"name,id,status,started_at,completed_at,deadline,tags,context\n"
        b'billing,inv-1,COMPLETED,1784469600,1784470200,,"[{""key"":""k"",""value"":""v""}]",'
        b'"{""a"":1}"\n'
        b"billing,inv-2,ACTIVE,1784469600,,,,\n"
    )

    response = await client.post("/imports", content=upload, headers={"content-type": "text/csv"})

    assert response.status_code == 200, response.text
    assert response.json()["imported"] == 2
    runs = {run["id"]: run for run in await listed(client)}
    assert runs["inv-1"]["tags"] == [{"key": "k", "value": "v"}]
    assert runs["inv-1"]["context"] == {"a": 1}


async def test_csv_without_the_required_columns_is_rejected(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/imports", content=b"name,id\nbilling,inv-1\n", headers={"content-type": "text/csv"}
    )

    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "line 1"
    assert "missing: status, started_at" in response.json()["details"][0]["message"]


async def test_a_csv_header_that_is_no_header_is_refused_even_when_skipping_invalid_lines(
    client: httpx.AsyncClient,
) -> None:
    for upload in (b"{}", b"a,b\nc,d\n", b"X6da\rzz"):
        response = await client.post(
            "/imports?skip_invalid=true", content=upload, headers={"content-type": "text/csv"}
        )

        assert response.status_code == 422, upload
        assert response.json()["error"] == "IMPORT_REJECTED"
        message = response.json()["details"][0]["message"]
        assert "the header must name the columns" in message or message.startswith("not CSV")


async def test_other_content_types_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/imports", content=body(line()), headers={"content-type": "application/json"}
    )

    assert response.status_code == 415
    assert response.json()["error"] == "UNSUPPORTED_MEDIA_TYPE"
    assert "application/x-ndjson" in response.json()["message"]


@pytest.mark.parametrize("settings_overrides", [{"import_max_bytes": 300}])
async def test_uploads_over_the_import_limit_are_refused(client: httpx.AsyncClient) -> None:
    upload = body(*(line(id=f"inv-{n}") for n in range(10)))

    async def streamed() -> AsyncIterator[bytes]:
        for piece in upload.splitlines(keepends=True):
            yield piece

    declared = await client.post("/imports", content=upload, headers=NDJSON)
    chunked = await client.post("/imports", content=streamed(), headers=NDJSON)
    small = await client.post("/imports", content=body(line()), headers=NDJSON)

    assert declared.status_code == 413
    assert chunked.status_code == 413
    assert declared.json()["message"] == "Request body larger than 300 bytes"
    assert small.status_code == 200
    assert [run["id"] for run in await listed(client)] == ["inv-1"]


@pytest.mark.parametrize("settings_overrides", [{"max_body_bytes": 100}])
async def test_the_import_limit_is_not_the_request_body_limit(client: httpx.AsyncClient) -> None:
    response = await client.post("/imports", content=body(line(), line(id="inv-2")), headers=NDJSON)

    assert response.status_code == 200


@pytest.mark.parametrize("settings_overrides", [{"api_key": "s3cret-key-for-tests"}])
async def test_imports_need_the_api_key(client: httpx.AsyncClient) -> None:
    without = await client.post("/imports", content=body(line()), headers=NDJSON)
    with_key = await client.post(
        "/imports", content=body(line()), headers={**NDJSON, "x-api-key": "s3cret-key-for-tests"}
    )

    assert without.status_code == 401
    assert with_key.status_code == 200
