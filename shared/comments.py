"""Comments on a record: the conversation beside it, written once for every service.

The auditors and a body discuss a recommendation and its actions; a committee's editors a goal, or a
section of a report before it is marked ready. A comment is kept as written: there is no edit and no
delete, as in minutes, so what was said stays what was said and a correction is a new comment. Each
comment is a tracked record, so the history has who wrote what, and when, like every other change.
"""

# No `from __future__ import annotations`: FastAPI reads the endpoints' annotations, which name the
# guards given to the factory, so they must stay objects rather than strings.

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, Text, Uuid, select
from sqlalchemy.orm import Mapped, mapped_column

from shared.auth.access import Rule
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.auth.guard import GuardedRoute, Loader, guard
from shared.concurrency import set_etag
from shared.errors import Forbidden, NotFound, error_responses
from shared.fields import SOME_TEXT
from shared.pagination import Page, Pagination, paginate

COMMENT_MAX_CHARACTERS = 4000


class CommentColumns:
    """`comment`: one comment on one record (mapped with `Tracked`, so it is in the history)."""

    record_kind: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    author_name: Mapped[str] = mapped_column(String(200))


class CommentIn(BaseModel):
    """What a comment says; who wrote it and when is taken from the sign-in and the clock."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=COMMENT_MAX_CHARACTERS, pattern=SOME_TEXT)


class CommentRead(BaseModel):
    """A comment as it was written, with its author's sign-in subject and name."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    record_kind: str = Field(description="What the comment is on: goal, recommendation, action, report-section")
    record_id: uuid.UUID
    text: str
    author: str = Field(description="The sign-in subject of whoever wrote it")
    author_name: str
    created_at: datetime
    version: int


@dataclass(frozen=True)
class CommentModel:
    """A service's mapped `comment` table."""

    model: type[Any]


def _itself(record: Any) -> Any:
    return record


def add_comment_routes(
    router: APIRouter,
    path: str,
    *,
    kind: str,
    what: str,
    read: Rule,
    write: Rule,
    load: Loader,
    comments: CommentModel,
    tracked: Callable[[Any], Any] = _itself,
) -> None:
    """`GET {path}/comments` (oldest first) to those `read` lets read the record `load` finds, and
    `POST {path}/comments` to those `write` lets comment; `tracked` picks the record from what `load` finds."""
    model = comments.model

    async def list_comments(
        record: Annotated[Any, guard(read, load)], session: DbSession, page: Pagination
    ) -> Page[CommentRead]:
        stmt = (
            select(model)
            .where(model.record_kind == kind, model.record_id == tracked(record).id)
            .order_by(model.created_at, model.id)
        )
        return await paginate(session, stmt, page, lambda row: CommentRead.model_validate(row[0]))

    async def add_comment(
        record: Annotated[Any, guard(write, load)],
        data: CommentIn,
        session: DbSession,
        principal: CurrentPrincipal,
        response: Response,
    ) -> CommentRead:
        comment = model(
            record_kind=kind,
            record_id=tracked(record).id,
            text=data.text,
            author=principal.subject,
            author_name=principal.name,
        )
        session.add(comment)
        await session.flush()
        set_etag(response, comment)
        return CommentRead.model_validate(comment)

    name = kind.replace("-", "_")
    list_comments.__name__ = f"list_{name}_comments"
    add_comment.__name__ = f"add_{name}_comment"
    router.add_api_route(
        f"{path}/comments",
        list_comments,
        methods=["GET"],
        operation_id=f"list_{name}_comments",
        summary=f"The comments on {what}, oldest first",
        responses=error_responses(Forbidden, NotFound),
        route_class_override=GuardedRoute,
    )
    router.add_api_route(
        f"{path}/comments",
        add_comment,
        methods=["POST"],
        status_code=status.HTTP_201_CREATED,
        operation_id=f"add_{name}_comment",
        summary=f"Comment on {what}",
        description=(
            "A comment is kept as written, with its author and time: there is no edit or delete; a correction "
            "is a new comment."
        ),
        responses=error_responses(Forbidden, NotFound),
        route_class_override=GuardedRoute,
    )
