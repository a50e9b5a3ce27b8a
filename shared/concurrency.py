"""Optimistic concurrency: reads carry an ETag; changes must send it back in If-Match."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Response

from shared.conditional import etag_list
from shared.db import Tracked
from shared.errors import PreconditionFailed, PreconditionRequired

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The ETag from your last read of the record. Required for updates and deletes.",
    ),
]


def etag_of(record: Tracked) -> str:
    return f'"{record.version}"'


def set_etag(response: Response, record: Tracked) -> None:
    response.headers["ETag"] = etag_of(record)


def check_if_match(if_match: str | None, record: Tracked) -> None:
    """428 without If-Match, 412 when the caller's copy is stale; `*` is refused as it hides edits."""
    tags = etag_list(if_match) if if_match is not None else []
    if not tags:
        raise PreconditionRequired(f"Send If-Match with the ETag you read, for example If-Match: {etag_of(record)}")
    if "*" in tags:
        raise PreconditionRequired("If-Match: * would overwrite changes you have not seen; send the ETag you read")
    if etag_of(record) not in tags:
        raise PreconditionFailed(
            f"The record is now at version {record.version}; read it again and reapply your change",
            current_etag=etag_of(record),
        )
