"""Health endpoints: the full model, readiness, liveness and the original's status shape."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from totrackit import __version__
from totrackit.health.service import DOWN, UP, iso_now
from totrackit.web.deps import State
from totrackit.web.openapi import error_responses
from totrackit.web.responses import FastJSONResponse

router = APIRouter(prefix="/health", tags=["health"])

NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {
        "description": "Down, starting, draining or the database does not answer.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


def _answer(body: dict[str, Any]) -> FastJSONResponse:
    return FastJSONResponse(body, status_code=503 if body["status"] == DOWN else 200)


@router.get("", responses={**NOT_READY, **error_responses()}, summary="Health of every component")
async def health(state: State) -> FastJSONResponse:
    return _answer(await state.health.full())


@router.get("/ready", responses={**NOT_READY, **error_responses()}, summary="Readiness")
async def ready(state: State) -> FastJSONResponse:
    return _answer(await state.health.readiness())


@router.get("/live", responses=error_responses(), summary="Liveness: the process answers (no I/O)")
async def live(state: State) -> FastJSONResponse:
    return FastJSONResponse(
        {
            "status": UP,
            "timestamp": iso_now(),
            "version": __version__,
            "application": state.health.application(with_memory=False),
        }
    )


@router.get(
    "/status", responses={**NOT_READY, **error_responses()}, summary="Status (original shape)"
)
async def status(state: State) -> FastJSONResponse:
    full = await state.health.full()
    database = full["components"]["database"]
    application = full["components"]["application"]["details"]
    body = {
        "status": DOWN if database["status"] == DOWN else UP,
        "timestamp": full["timestamp"],
        "version": full["version"],
        "components": {
            "database": {
                "status": database["status"],
                **(
                    {"responseTime": database["details"]["responseTime"]}
                    if database["status"] == UP
                    else {"error": database["details"].get("error", "unavailable")}
                ),
            },
            "application": {
                "status": UP,
                "uptime": application["uptime"],
                "memoryUsage": application["memoryUsage"],
                "availableProcessors": application["availableProcessors"],
            },
        },
    }
    return _answer(body)
