"""The API documents itself: OpenAPI JSON and YAML, and Swagger UI served locally."""

from __future__ import annotations

import httpx
import yaml


async def test_openapi_json_lists_every_endpoint(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()

    assert schema["info"]["title"] == "ToTrackIt API"
    assert {
        "/processes",
        "/processes/{name}",
        "/processes/{name}/{process_id}",
        "/processes/{name}/{process_id}/complete",
        "/analytics/tags",
        "/analytics/summary",
        "/analytics/names",
    } <= set(schema["paths"])


async def test_every_operation_declares_its_errors_and_no_422(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            # 422 is only IMPORT_REJECTED (per-line errors of an upload), never FastAPI's own
            assert "422" not in codes or path == "/imports", (method, path)
            assert "500" in codes, (method, path)
            if path.startswith("/processes"):
                assert {"400", "401"} <= codes, (method, path)

    imports = schema["paths"]["/imports"]["post"]
    assert {"200", "401", "413", "415", "422"} <= set(imports["responses"])
    assert set(imports["requestBody"]["content"]) >= {"application/x-ndjson", "text/csv"}

    create = schema["paths"]["/processes/{name}"]["post"]["responses"]
    assert {"201", "409", "415"} <= set(create)
    assert create["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorResponse"
    }


async def test_openapi_yaml_is_the_same_document(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.yml")

    assert response.status_code == 200
    assert yaml.safe_load(response.text) == (await client.get("/openapi.json")).json()


async def test_swagger_ui_is_served_with_local_assets(client: httpx.AsyncClient) -> None:
    for path in ("/docs", "/swagger-ui"):
        page = await client.get(path)
        assert page.status_code == 200
        assert "/openapi.json" in page.text

    assert (await client.get("/docs/assets/swagger-ui-bundle.js")).status_code == 200


async def test_unknown_routes_get_a_json_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/nowhere")

    assert response.status_code == 404
    assert response.json()["error"] == "NOT_FOUND"


async def test_liveness_answers_without_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live")

    assert response.status_code == 200
    assert response.json()["status"] == "UP"
