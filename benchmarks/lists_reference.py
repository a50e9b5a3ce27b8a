"""The reference the list routes are measured against (benchmarks/bench_lists.py): the same tables read
with raw asyncpg, the same JSON, and the same token check (shared.auth.tokens.read_internal_token and
the signed-in reader rule), served by uvicorn as the services are.

It has none of the services' middleware: it is the floor a list route could reach in this stack.
The databases come from REFERENCE_GOALS_DSN and REFERENCE_AUDIT_DSN (plain postgresql:// DSNs).
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import asyncpg
from fastapi import FastAPI, Request, Response

from shared.auth.tokens import read_internal_token
from shared.errors import Unauthorized
from shared.settings import DEV_SECRET
from shared.types import plain_decimal

UNITS = """SELECT u.id, u.code, u.name, u.kind, p.code AS parent_code, u.valid_from, u.valid_to,
  u.external_code, u.version, u.created_at, u.updated_at
FROM org_unit u LEFT JOIN org_unit p ON p.id = u.parent_id ORDER BY u.code LIMIT $1 OFFSET $2"""
UNITS_COUNT = "SELECT count(*) FROM org_unit"
GOALS = """SELECT g.id, u.code AS unit_code, u.kind AS level, g.title, g.description, p.code AS perspective,
  g.financial, g.sdgs, g.start_year, g.end_year, g.status, g.parent_goal_id, g.parent_strategy_id,
  g.decided_by, g.decided_on, g.decision_paragraph, g.diary_number, g.owner_subject, g.owner_name, g.version,
  g.created_at, g.updated_at
FROM goal g JOIN org_unit u ON u.id = g.unit_id LEFT JOIN perspective p ON p.id = g.perspective_id
ORDER BY u.code, g.title, g.id LIMIT $1 OFFSET $2"""
GOALS_COUNT = "SELECT count(*) FROM goal"
INDICATORS = """SELECT id, goal_id, strategy_id, name, unit_of_measure, direction, baseline_value, baseline_year,
  tolerance, source, kolada_kpi, kolada_area, external_code, reporter_subject, reporter_name, version
FROM indicator WHERE $1::uuid IS NULL OR goal_id = $1 ORDER BY name, id LIMIT $2 OFFSET $3"""
INDICATORS_COUNT = "SELECT count(*) FROM indicator WHERE $1::uuid IS NULL OR goal_id = $1"
TARGETS = "SELECT indicator_id, year, value FROM indicator_target WHERE indicator_id = ANY($1) ORDER BY year"
RECOMMENDATIONS = """SELECT id, report_id, number, body_code, text, response_due_on, status, closed_on, version
FROM recommendation ORDER BY report_id, number LIMIT $1 OFFSET $2"""
RECOMMENDATIONS_COUNT = "SELECT count(*) FROM recommendation"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(plain_decimal(value), "f")
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)  # UUIDs


def _page(items: list[dict[str, Any]], total: int, limit: int, offset: int) -> Response:
    body = json.dumps({"items": items, "total": total, "limit": limit, "offset": offset}, separators=(",", ":"))
    return Response(body, media_type="application/json")


def _signed_in(request: Request) -> None:
    """The services' door and their signed-in reader rule: a token the gateway signed, with a role."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        raise Unauthorized("This service only answers calls made through the gateway")
    principal = read_internal_token(token.strip(), DEV_SECRET)
    if not principal.reads_decided:
        raise Unauthorized("no role")


def _limits(request: Request) -> tuple[int, int]:
    return int(request.query_params.get("limit", 50)), int(request.query_params.get("offset", 0))


def create_app() -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.goals = await asyncpg.create_pool(os.environ["REFERENCE_GOALS_DSN"], min_size=2, max_size=10)
        app.state.audit = await asyncpg.create_pool(os.environ["REFERENCE_AUDIT_DSN"], min_size=2, max_size=10)
        yield
        await app.state.goals.close()
        await app.state.audit.close()

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/units")
    async def units(request: Request) -> Response:
        _signed_in(request)
        limit, offset = _limits(request)
        async with request.app.state.goals.acquire() as conn:
            total = await conn.fetchval(UNITS_COUNT)
            rows = await conn.fetch(UNITS, limit, offset)
        return _page([{k: _plain(v) for k, v in row.items()} for row in rows], total, limit, offset)

    @app.get("/goals")
    async def goals(request: Request) -> Response:
        _signed_in(request)
        limit, offset = _limits(request)
        async with request.app.state.goals.acquire() as conn:
            total = await conn.fetchval(GOALS_COUNT)
            rows = await conn.fetch(GOALS, limit, offset)
        return _page([_goal(row) for row in rows], total, limit, offset)

    @app.get("/indicators")
    async def indicators(request: Request) -> Response:
        _signed_in(request)
        limit, offset = _limits(request)
        goal = request.query_params.get("goal")  # every indicator without it
        async with request.app.state.goals.acquire() as conn:
            total = await conn.fetchval(INDICATORS_COUNT, goal)
            rows = await conn.fetch(INDICATORS, goal, limit, offset)
            targets: dict[Any, dict[str, str]] = {row["id"]: {} for row in rows}
            for indicator_id, year, value in await conn.fetch(TARGETS, list(targets)):
                targets[indicator_id][str(year)] = _plain(value)
        items = [{**{k: _plain(v) for k, v in row.items()}, "targets": targets[row["id"]]} for row in rows]
        return _page(items, total, limit, offset)

    @app.get("/recommendations")
    async def recommendations(request: Request) -> Response:
        _signed_in(request)
        limit, offset = _limits(request)
        async with request.app.state.audit.acquire() as conn:
            total = await conn.fetchval(RECOMMENDATIONS_COUNT)
            rows = await conn.fetch(RECOMMENDATIONS, limit, offset)
        return _page([{k: _plain(v) for k, v in row.items()} for row in rows], total, limit, offset)

    return app


def _goal(row: asyncpg.Record) -> dict[str, Any]:
    item = {k: _plain(row[k]) for k in _GOAL_FIELDS}
    item["sdgs"] = json.loads(row["sdgs"]) if isinstance(row["sdgs"], str) else (row["sdgs"] or [])
    item["orphan"] = row["level"] != "council" and row["parent_goal_id"] is None and row["parent_strategy_id"] is None
    item["decision"] = (
        None
        if row["decided_on"] is None
        else {
            "decided_by": row["decided_by"],
            "decided_on": row["decided_on"].isoformat(),
            "paragraph": row["decision_paragraph"],
            "diary_number": row["diary_number"],
        }
    )
    return item


_GOAL_FIELDS = (
    "id",
    "unit_code",
    "level",
    "title",
    "description",
    "perspective",
    "financial",
    "start_year",
    "end_year",
    "status",
    "parent_goal_id",
    "parent_strategy_id",
    "owner_subject",
    "owner_name",
    "version",
    "created_at",
    "updated_at",
)
