"""One error family for every app, rendered as RFC 9457 problem details."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.conditional import NotModifiedMiddleware
from shared.requestid import RequestIdMiddleware, current_request_id

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:styr:problem:"

log = logging.getLogger("styr.errors")


class FieldError(BaseModel):
    """One failing field of a request: where it is, and why it failed."""

    loc: list[str | int] = Field(description="Path to the field, e.g. ['body', 'code']")
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details, with a machine-readable `code` and the request id."""

    type: str = Field(examples=["urn:styr:problem:not-found"])
    title: str
    status: int
    detail: str | None = None
    code: str = Field(description="Stable machine-readable error code")
    request_id: str | None = None
    errors: list[FieldError] | None = None


class DomainError(Exception):
    """Base of every expected failure; subclasses fix the status and the code."""

    status = 400
    code = "bad-request"
    title = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        field = extra.get("field")
        if errors is None and field is not None and self.status == 422:
            errors = [FieldError(loc=["body", *str(field).split(".")], msg=detail or self.title, type="value_error")]
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra


class BadRequest(DomainError):
    pass


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    title = "Authentication required"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = "Not allowed"


class NotFound(DomainError):
    status = 404
    code = "not-found"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "Conflict"


class Locked(DomainError):
    """A decided record that the caller may not change any more."""

    status = 409
    code = "locked"
    title = "Record is locked"


class PreconditionFailed(DomainError):
    status = 412
    code = "precondition-failed"
    title = "The record has changed since it was read"


class PreconditionRequired(DomainError):
    status = 428
    code = "precondition-required"
    title = "If-Match header required"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload-too-large"
    title = "Request body too large"


class UnsupportedMediaType(DomainError):
    """A file whose content is not of a type the record accepts (judged by its bytes, not its name)."""

    status = 415
    code = "unsupported-media-type"
    title = "The file is not of an accepted type"


# The detail of a request refused by the framework's validation of its fields (not by a rule of the domain).
FIELD_ERRORS_DETAIL = "One or more fields are invalid; see errors."


class Unprocessable(DomainError):
    status = 422
    code = "validation-failed"
    title = "The request is not valid"


def bad_query(detail: str, name: str) -> Unprocessable:
    """A 422 about a query parameter that only the route can judge (a code naming nothing): its `loc` says it
    is in the query, as FastAPI's own validation of a query parameter says."""
    return Unprocessable(detail, field=name, errors=[FieldError(loc=["query", name], msg=detail, type="value_error")])


class ServiceUnavailable(DomainError):
    status = 503
    code = "service-unavailable"
    title = "A service is unavailable"


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    *,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_PREFIX + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "request_id": current_request_id(),
    }
    if errors is not None:
        body["errors"] = [e.model_dump() for e in errors]
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def error_responses(*errors: type[DomainError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the errors a route can return."""
    out: dict[int | str, dict[str, Any]] = {}
    every: tuple[type[DomainError], ...] = (*errors, Unprocessable)
    for err in every:
        out[err.status] = {
            "model": Problem,
            "description": err.title,
            "content": {PROBLEM_MEDIA_TYPE: {}},
        }
    return out


def _field_errors(exc: RequestValidationError) -> list[FieldError]:
    return [
        FieldError(loc=list(err.get("loc", ())), msg=str(err.get("msg", "")), type=str(err.get("type", "")))
        for err in exc.errors()
    ]


async def _domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return problem_response(
        exc.status, exc.code, exc.title, exc.detail, errors=exc.errors, headers=exc.headers, extra=exc.extra
    )


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return problem_response(
        422,
        Unprocessable.code,
        Unprocessable.title,
        FIELD_ERRORS_DETAIL,
        errors=_field_errors(exc),
    )


_HTTP_CODES = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
}


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, title = _HTTP_CODES.get(exc.status_code, ("http-error", "HTTP error"))
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail.lower() != title.lower() else None
    return problem_response(exc.status_code, code, title, detail, headers=getattr(exc, "headers", None))


async def _stale_data(_: Request, exc: Exception) -> JSONResponse:
    # A concurrent writer bumped the version between our read and our update.
    err = PreconditionFailed("Someone else changed the record at the same moment; read it again.")
    return problem_response(err.status, err.code, err.title, err.detail)


async def _data_error(_: Request, exc: Exception) -> JSONResponse:
    log.info("data error mapped to 422: %s", exc)
    return problem_response(
        422,
        Unprocessable.code,
        Unprocessable.title,
        "A value cannot be stored as sent (for example a NUL character, or a number out of range).",
    )


async def _integrity_error(_: Request, exc: Exception) -> JSONResponse:
    log.info("integrity error mapped to 409: %s", exc)
    return problem_response(
        409,
        Conflict.code,
        Conflict.title,
        "The change conflicts with existing data (a duplicate or a broken reference).",
    )


def _lost_database(exc: Exception) -> bool:
    """The database is unreachable or dropped the connection (a restart, a failover), not a bug in the query."""
    if isinstance(exc, OperationalError | InterfaceError | ConnectionError | TimeoutError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    # PostgreSQL's SQLSTATE classes 08 (connection exception) and 57P (shutting down, starting up).
    sqlstate = str(getattr(exc.orig, "sqlstate", None) or "")
    return exc.connection_invalidated or sqlstate.startswith(("08", "57P"))


async def _database_unavailable(_: Request, exc: Exception) -> JSONResponse:
    if not _lost_database(exc):
        raise exc  # a genuine failure: the last-resort 500 answer logs it
    log.warning("database unavailable, answered 503: %s", exc)
    err = ServiceUnavailable("The database cannot be reached at the moment; try again shortly.")
    return problem_response(err.status, err.code, err.title, err.detail, headers={"Retry-After": "1"})


class UnexpectedErrorMiddleware:
    """Turns an unexpected exception into a 500 problem with the request id, and logs the trace.

    It sits inside the request-id middleware, so the answer and the log line carry the id; the
    trace goes to the log only, never to the caller.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            log.exception("unexpected error", exc_info=exc)
            if started:
                raise
            response = problem_response(
                500,
                "internal-error",
                "Internal server error",
                "Something went wrong on our side. Quote the request id when reporting it.",
            )
            await response(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """Render every expected failure as problem details (unexpected ones: see install_middleware)."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(StaleDataError, _stale_data)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(DataError, _data_error)
    # While PostgreSQL restarts, callers get a 503 to retry; the pool is invalidated and reconnects by itself.
    for lost in (DBAPIError, ConnectionError, TimeoutError):
        app.add_exception_handler(lost, _database_unavailable)


_NUL_IN_JSON = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000|\x00")


async def refuse_nul_characters(request: Request) -> None:
    """PostgreSQL cannot store or compare NUL in text; refuse it at the door, the same on every database."""
    if "\x00" in request.scope.get("path", "") or b"%00" in request.scope.get("query_string", b""):
        raise Unprocessable("The address must not contain the NUL character (%00)")
    # An uploaded file is bytes, not text (a PDF holds NULs); its name is cleaned where it is kept.
    uploading = request.headers.get("content-type", "").lower().startswith("multipart/form-data")
    if request.method in {"POST", "PUT", "PATCH"} and not uploading:
        body = await request.body()
        if _NUL_IN_JSON.search(body):
            raise Unprocessable("Text must not contain the NUL character (\\u0000)")


def install_middleware(app: FastAPI) -> None:
    """Request ids outermost, then the last-resort 500 answer, then 304 for what the caller holds; the same
    order in every app."""
    app.add_middleware(NotModifiedMiddleware)
    app.add_middleware(UnexpectedErrorMiddleware)
    app.add_middleware(RequestIdMiddleware)
