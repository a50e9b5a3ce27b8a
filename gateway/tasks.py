"""`GET /api/me/tasks`: what the caller is to do, from the three services at once, soonest due first.

Each service answers its own part at `/me/tasks` with the caller's own token, so it matches the people on
its records against the caller's subject and applies its own rules to the caller's roles. They are asked
concurrently; a service that does not answer, or refuses, leaves its part out and the answer says which
in `missing` (as the reports do), never failing the whole.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from gateway.proxy import Proxy, SignedIn
from gateway.reports.missing import MissingSection
from shared.asof import AsOfQuery, as_of_or_today
from shared.auth.access import access
from shared.errors import DomainError, Unauthorized, error_responses
from shared.tasks import DEFAULT_WITHIN_DAYS, OWN_TASKS, ServiceTasks, Task, WithinDaysQuery, soonest_first

SERVICES = ("goals", "budget", "audit")


class MyTasks(BaseModel):
    """The caller's tasks across the services; `complete` is false when a service's part is missing."""

    as_of: date = Field(description="The day tasks are judged overdue on")
    within_days: int = Field(description="Tasks due up to this many days after `as_of` are listed")
    items: list[Task]
    complete: bool = Field(description="Every service answered")
    missing: list[MissingSection] = Field(description="The services whose part is missing, and why")


async def signed_in(request: Request) -> SignedIn:
    """Any signed-in caller: the services answer with that caller's own tasks only."""
    proxy: Proxy = request.app.state.proxy
    return await proxy.signed_in_caller(request)


async def _part(proxy: Proxy, caller: SignedIn, service: str, query: str) -> ServiceTasks | MissingSection:
    section = f"tasks.{service}"
    base = proxy.settings.service_urls()[service]
    headers = {"authorization": f"Bearer {caller.internal_token}", "accept": "application/json"}
    try:
        response = await proxy.send(service, "GET", f"{base}/me/tasks", query, headers)
    except DomainError as failed:
        return MissingSection(section=section, service=service, reason=failed.detail or failed.title)
    if response.status_code != 200:
        body: Any = response.json() if "json" in response.headers.get("content-type", "") else None
        detail = body.get("detail") if isinstance(body, dict) else None
        reason = f"the {service} service answered {response.status_code}" + (f": {detail}" if detail else "")
        return MissingSection(section=section, service=service, reason=reason)
    return ServiceTasks.model_validate(response.json())


async def my_tasks(proxy: Proxy, caller: SignedIn, as_of: date, within_days: int) -> MyTasks:
    query = urlencode({"as_of": as_of.isoformat(), "within_days": within_days})
    parts = await asyncio.gather(*(_part(proxy, caller, service, query) for service in SERVICES))
    items = [task for part in parts if isinstance(part, ServiceTasks) for task in part.items]
    missing = [part for part in parts if isinstance(part, MissingSection)]
    return MyTasks(
        as_of=as_of,
        within_days=within_days,
        items=soonest_first(items),
        complete=not missing,
        missing=missing,
    )


def tasks_router() -> APIRouter:
    router = APIRouter(prefix="/api/me", tags=["tasks"])

    @router.get(
        "/tasks",
        operation_id="list_my_tasks",
        summary="What the caller is to do: actions, assignments, responses, measurements, control results and "
        "grant uses due or overdue, soonest first",
        response_model=MyTasks,
        responses=error_responses(Unauthorized),
        **access(OWN_TASKS),
    )
    async def list_my_tasks(
        caller: Annotated[SignedIn, Depends(signed_in)],
        request: Request,
        as_of: AsOfQuery = None,
        within_days: WithinDaysQuery = DEFAULT_WITHIN_DAYS,
    ) -> MyTasks:
        return await my_tasks(request.app.state.proxy, caller, as_of_or_today(as_of), within_days)

    return router
