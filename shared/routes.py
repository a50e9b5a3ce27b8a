"""Routes written once for every service: the history of a record, under the record's own access rule."""

# No `from __future__ import annotations`: FastAPI reads the endpoint's annotations, which name the
# guard and loader given to the factory, so they must stay objects rather than strings.

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from shared.auth.access import Rule
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.auth.guard import Found, Guard, GuardedRoute, Loader, reads_drafts
from shared.errors import Forbidden, NotFound, error_responses
from shared.history import HistoryEntryRead, read_history
from shared.pagination import Page, Pagination


def _itself(record: Any) -> Any:
    return record


def add_history_route(
    router: APIRouter,
    path: str,
    *,
    declared: Rule,
    load: Loader,
    history_model: type[Any],
    operation_id: str,
    what: str,
    tracked: Callable[[Any], Any] = _itself,
) -> None:
    """`GET {path}`: every change to the record `load` finds, to those its rule lets read it.

    A caller who may read the record but not its drafts sees only what was public (README: History).
    `tracked` picks the changed record from what `load` finds (a risk from its risk and plan).
    """
    guarded = Guard(declared, load)

    async def history(
        record: Annotated[Any, Depends(guarded)],
        found: Annotated[Found[Any], Depends(load)],
        principal: CurrentPrincipal,
        session: DbSession,
        page: Pagination,
    ) -> Page[HistoryEntryRead]:
        changed = tracked(record)
        public_only = bool(type(changed).__draft_states__) and not reads_drafts(declared, principal, found)
        return await read_history(session, history_model, changed, page, public_only=public_only)

    history.__name__ = operation_id
    router.add_api_route(
        path,
        history,
        methods=["GET"],
        operation_id=operation_id,
        summary=f"Every change to {what}",
        responses=error_responses(Forbidden, NotFound),
        route_class_override=GuardedRoute,
    )
