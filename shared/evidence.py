"""Evidence files on a record: upload, list, download and removal, written once for every service.

An auditor asks "show me": a signed minute, a revised routine, a screenshot of the new checklist. Each
file is kept in the owning service's own database, so `styr export-all` and `styr import-all` carry it
with the record it proves:

- `evidence_blob` holds the bytes once per content (SHA-256); two uploads of the same file share them,
  and they are never deleted through the API, so a removed file's history still names content that
  exists;
- `evidence_file` holds which record a file is on, its name, its type and size, and who added it; it
  is a tracked record, so its history keeps who attached or removed what, and when.

A file's type is judged by its bytes, never by its name or the type the client declares: PDF, PNG,
JPEG, the Office Open XML and OpenDocument formats, and plain UTF-8 text (CSV too). Anything else is a
415. A file over `EVIDENCE_MAX_BYTES` is a 413. Once the record is final (an action done or cancelled,
a response decided), its evidence is part of the public record: adding and removing are refused (409).
"""

# No `from __future__ import annotations`: FastAPI reads the endpoints' annotations, which name the
# guard and loaders given to the factory, so they must stay objects rather than strings.

import hashlib
import io
import re
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Response, UploadFile, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Uuid, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from shared.auth.access import Rule
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.auth.guard import Found, GuardedRoute, Loader, guard
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.errors import (
    Forbidden,
    Locked,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    PreconditionRequired,
    Unprocessable,
    UnsupportedMediaType,
    error_responses,
)
from shared.pagination import Page, PageParams, Pagination, paginate
from shared.routes import add_history_route

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
_READ_CHUNK = 1024 * 1024
_FILENAME_MAX = 200
# Office Open XML and OpenDocument are zip files: told apart by the part that names what they hold.
_OOXML_PARTS = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/presentation.xml": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_OPENDOCUMENT_TYPES = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
}
ACCEPTED = (
    "PDF, PNG, JPEG, Word, Excel and PowerPoint (Office Open XML), OpenDocument text, spreadsheet and "
    "presentation, and plain UTF-8 text or CSV"
)
_UNSAFE_IN_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


# --- the tables: each service maps them on its own Base -----------------------------------------


class EvidenceBlobColumns:
    """`evidence_blob`: a file's bytes, once per content."""

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class EvidenceFileColumns:
    """`evidence_file`: one file on one record (mapped with `Tracked`, so its changes are history)."""

    record_kind: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    filename: Mapped[str] = mapped_column(String(_FILENAME_MAX))
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    added_by: Mapped[str] = mapped_column(String(200))
    added_by_name: Mapped[str] = mapped_column(String(200))

    @declared_attr
    def sha256(cls) -> Mapped[str]:
        return mapped_column(String(64), ForeignKey("evidence_blob.sha256"))


class EvidenceFileRead(BaseModel):
    """An evidence file on a record: its name, type (judged by content), size, content hash and who added it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    record_kind: str = Field(description="What the file is on: action, response, …")
    record_id: uuid.UUID
    filename: str
    media_type: str = Field(description="The type its content shows, whatever its name says")
    size_bytes: int
    sha256: str = Field(description="SHA-256 of the content, hex")
    added_by: str = Field(description="The sign-in subject of whoever added it")
    added_by_name: str
    created_at: datetime
    version: int


# --- judging a file -----------------------------------------------------------------------------


def _zip_type(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                return next((kind for part, kind in _OOXML_PARTS.items() if part in names), None)
            if "mimetype" in names:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                return declared if declared in _OPENDOCUMENT_TYPES else None
    except (zipfile.BadZipFile, KeyError, ValueError):
        return None
    return None


def _text_type(content: bytes, filename: str) -> str | None:
    if b"\x00" in content:
        return None
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/csv" if filename.lower().endswith(".csv") else "text/plain"


def media_type_of(content: bytes, filename: str) -> str:
    """The file's type as its bytes show it; 422 for an empty file, 415 for a type evidence may not be."""
    if not content:
        raise Unprocessable("The file is empty", field="file")
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    found = _zip_type(content) if content.startswith(b"PK\x03\x04") else _text_type(content, filename)
    if found is None:
        raise UnsupportedMediaType(f"An evidence file must be one of: {ACCEPTED}. This file's content is none of them.")
    return found


def clean_filename(name: str | None) -> str:
    """The name to keep: its last path part, without control characters, at most 200 characters."""
    base = re.split(r"[/\\]", name or "")[-1]
    cleaned = _UNSAFE_IN_NAME.sub("", base).strip()
    if not cleaned or cleaned in {".", ".."}:
        raise Unprocessable("The file needs a name", field="file")
    if len(cleaned) > _FILENAME_MAX:
        stem, dot, suffix = cleaned.rpartition(".")
        cleaned = (stem[: _FILENAME_MAX - len(suffix) - 1] + dot + suffix) if dot and len(suffix) < 10 else cleaned
    return cleaned[:_FILENAME_MAX]


async def read_limited(upload: UploadFile, limit: int = EVIDENCE_MAX_BYTES) -> bytes:
    """The uploaded file's bytes; 413 as soon as it is larger than `limit`."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await upload.read(_READ_CHUNK):
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"An evidence file may be at most {limit // (1024 * 1024)} MiB")
        chunks.append(chunk)
    return b"".join(chunks)


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback and the UTF-8 name (RFC 6266), so å, ä and ö survive."""
    fallback = filename.encode("ascii", "replace").decode("ascii").replace('"', "'").replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


# --- the routes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceModels:
    """A service's two mapped tables."""

    file: type[Any]
    blob: type[Any]
    history: type[Any]


def _itself(record: Any) -> Any:
    return record


async def _store(session: AsyncSession, models: EvidenceModels, content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()
    if await session.get(models.blob, digest) is None:
        session.add(models.blob(sha256=digest, size_bytes=len(content), content=content))
        await session.flush()
    return digest


def add_evidence_routes(
    router: APIRouter,
    path: str,
    *,
    kind: str,
    what: str,
    read: Rule,
    change: Rule,
    load: Loader,
    models: EvidenceModels,
    final: Callable[[Any], str | None],
    tracked: Callable[[Any], Any] = _itself,
) -> None:
    """`{path}/evidence` (list, add) and `{path}/evidence/{evidence_id}` (download, remove) on the record
    `load` finds: read under `read`, changed under `change`; `final` says why the record takes no more
    changes to its evidence (None while it does). `tracked` picks the record from what `load` finds."""

    async def an_evidence_file(
        evidence_id: uuid.UUID, found: Annotated[Found[Any], Depends(load)], session: DbSession
    ) -> Found[tuple[Any, Any]]:
        record = tracked(found.record)
        item = await session.get(models.file, evidence_id)
        if item is None or item.record_kind != kind or item.record_id != record.id:
            raise NotFound("No evidence file with that id on this record")
        return Found((found.record, item), found.what, found.units, found.state)

    def refuse_if_final(record: Any) -> None:
        reason = final(tracked(record))
        if reason is not None:
            raise Locked(f"{reason}: its evidence is part of the record and cannot change")

    async def list_evidence(
        record: Annotated[Any, guard(read, load)], session: DbSession, page: Pagination
    ) -> Page[EvidenceFileRead]:
        return await _listed(session, models, kind, tracked(record).id, page)

    async def add_evidence(
        record: Annotated[Any, guard(change, load)],
        file: Annotated[UploadFile, File(description=f"The file: {ACCEPTED}; at most 10 MiB")],
        session: DbSession,
        principal: CurrentPrincipal,
        response: Response,
    ) -> EvidenceFileRead:
        refuse_if_final(record)
        filename = clean_filename(file.filename)
        content = await read_limited(file)
        media_type = media_type_of(content, filename)
        item = models.file(
            record_kind=kind,
            record_id=tracked(record).id,
            filename=filename,
            media_type=media_type,
            size_bytes=len(content),
            sha256=await _store(session, models, content),
            added_by=principal.subject,
            added_by_name=principal.name,
        )
        session.add(item)
        await session.flush()
        set_etag(response, item)
        return EvidenceFileRead.model_validate(item)

    async def download_evidence(
        found: Annotated[tuple[Any, Any], guard(read, an_evidence_file)], session: DbSession
    ) -> Response:
        _, item = found
        blob = await session.get(models.blob, item.sha256)
        assert blob is not None  # a foreign key keeps it
        return Response(
            content=blob.content,
            media_type=item.media_type,
            headers={
                "Content-Disposition": content_disposition(item.filename),
                "ETag": f'"{item.version}"',
                "X-Content-Type-Options": "nosniff",
            },
        )

    async def remove_evidence(
        found: Annotated[tuple[Any, Any], guard(change, an_evidence_file)],
        session: DbSession,
        if_match: IfMatch = None,
    ) -> Response:
        record, item = found
        check_if_match(if_match, item)
        refuse_if_final(record)
        await session.delete(item)
        await session.flush()
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    name = kind.replace("-", "_")
    for endpoint, suffix in (
        (list_evidence, "list"),
        (add_evidence, "add"),
        (download_evidence, "download"),
        (remove_evidence, "remove"),
    ):
        endpoint.__name__ = f"{suffix}_{name}_evidence"
    router.add_api_route(
        f"{path}/evidence",
        list_evidence,
        methods=["GET"],
        operation_id=f"list_{name}_evidence",
        summary=f"The evidence files on {what}",
        responses=error_responses(Forbidden, NotFound),
        route_class_override=GuardedRoute,
    )
    router.add_api_route(
        f"{path}/evidence",
        add_evidence,
        methods=["POST"],
        status_code=status.HTTP_201_CREATED,
        operation_id=f"add_{name}_evidence",
        summary=f"Attach an evidence file to {what}",
        description=(
            f"A multipart upload with one part, `file`: {ACCEPTED}, judged by its content, at most 10 MiB "
            f"(413 over it, 415 for another type). Refused (409) once {what} is final."
        ),
        responses=error_responses(Forbidden, NotFound, Locked, PayloadTooLarge, UnsupportedMediaType),
        route_class_override=GuardedRoute,
    )
    router.add_api_route(
        f"{path}/evidence/{{evidence_id}}",
        download_evidence,
        methods=["GET"],
        operation_id=f"download_{name}_evidence",
        summary=f"Download an evidence file on {what}",
        response_class=Response,
        responses={
            200: {"description": "The file, as an attachment, in the type its content shows", "content": {}},
            **error_responses(Forbidden, NotFound),
        },
        route_class_override=GuardedRoute,
    )
    router.add_api_route(
        f"{path}/evidence/{{evidence_id}}",
        remove_evidence,
        methods=["DELETE"],
        status_code=status.HTTP_204_NO_CONTENT,
        operation_id=f"remove_{name}_evidence",
        summary=f"Remove an evidence file from {what}",
        description=f"Its history keeps who added and who removed it. Refused (409) once {what} is final.",
        response_class=Response,
        responses=error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired),
        route_class_override=GuardedRoute,
    )
    add_history_route(
        router,
        f"{path}/evidence/{{evidence_id}}/history",
        declared=read,
        load=an_evidence_file,
        history_model=models.history,
        operation_id=f"get_{name}_evidence_history",
        what=f"an evidence file on {what}",
        tracked=_the_file,
    )


def _the_file(found: tuple[Any, Any]) -> Any:
    return found[1]


async def _listed(
    session: AsyncSession, models: EvidenceModels, kind: str, record_id: uuid.UUID, page: PageParams
) -> Page[EvidenceFileRead]:
    stmt = (
        select(models.file)
        .where(models.file.record_kind == kind, models.file.record_id == record_id)
        .order_by(models.file.created_at, models.file.id)
    )
    return await paginate(session, stmt, page, lambda row: EvidenceFileRead.model_validate(row[0]))
