"""Liveness and readiness, the same on every app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from pydantic import BaseModel

from shared.errors import ServiceUnavailable, error_responses

ReadinessCheck = Callable[[Request], Awaitable[dict[str, bool]]]


class Health(BaseModel):
    status: str
    checks: dict[str, bool] = {}


def health_router(readiness: ReadinessCheck) -> APIRouter:
    """`/healthz` answers while the process lives; `/readyz` only when what it depends on answers."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz", operation_id="healthz", summary="The process is alive")
    async def healthz() -> Health:
        return Health(status="ok")

    @router.get(
        "/readyz",
        operation_id="readyz",
        summary="The app and what it depends on answer",
        responses=error_responses(ServiceUnavailable),
    )
    async def readyz(request: Request) -> Health:
        checks = await readiness(request)
        if not all(checks.values()):
            failing = ", ".join(name for name, ok in checks.items() if not ok)
            raise ServiceUnavailable(f"Not ready: {failing}", checks=checks)
        return Health(status="ready", checks=checks)

    return router
