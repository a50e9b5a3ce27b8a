"""Completing a report edition and fetching it again: the gateway's part of report production.

The editions, the units' analysis texts and the frozen snapshot live in the goals service
(`/api/goals/report-editions`); the gateway stays stateless. Completing an edition builds the report
here with the registrar's own rights (as the draft reports are built with the caller's), refuses
while a section is not ready or the report is not whole, and sends the exact JSON text to the goals
service to keep. Fetching a completed edition answers those bytes verbatim, or renders HTML, Word and PDF
from them.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any, Literal

import httpx
from fastapi import APIRouter, Path, Query, Request, Response

from gateway.proxy import Proxy, SignedIn, log_write, refuse_if_only_reading
from gateway.reports.building import AnalysisText, EditionStamp, Report, ReportPeriod, build_report
from gateway.reports.documents.text import Language, MoneyScale
from shared.asof import SWEDISH_TIME
from shared.auth.access import access, read_record, registrar
from shared.auth.policy import Principal, PrincipalKind
from shared.concurrency import IfMatch
from shared.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Locked,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ServiceUnavailable,
    Unauthorized,
    error_responses,
)
from shared.requestid import REQUEST_ID_HEADER, current_request_id

SERVICES = ("goals", "budget", "audit")
# An open edition is a draft of its unit; completed, it is decided.
REPORT_UNIT = "the report's unit (the board for the region's report)"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
EditionPath = Annotated[uuid.UUID, Path(description="The edition's id, from /api/goals/report-editions")]


class ServiceAnswer(Exception):
    """A service refused or failed: its answer goes back to the caller as it came."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def _headers(token: str, **extra: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}", REQUEST_ID_HEADER: current_request_id() or "", **extra}


async def _goals(
    proxy: Proxy, method: str, path: str, token: str, body: bytes | None = None, **headers: str
) -> httpx.Response:
    """A call to the goals service; anything but a success is answered to the caller unchanged."""
    base = proxy.settings.service_urls()["goals"]
    response = await proxy.send("goals", method, f"{base}{path}", "", _headers(token, **headers), body)
    if response.status_code >= 300:
        raise ServiceAnswer(Proxy._response(response, "goals"))
    return response


async def _edition(proxy: Proxy, caller: SignedIn, edition_id: uuid.UUID) -> dict[str, Any]:
    response = await _goals(proxy, "GET", f"/report-editions/{edition_id}", caller.internal_token)
    return dict(response.json())


async def _change_head(proxy: Proxy, caller: SignedIn, service: str) -> str | None:
    """The service's change-feed position, or None when it does not answer."""
    base = proxy.settings.service_urls()[service]
    try:
        response = await proxy.send(service, "GET", f"{base}/changes/head", "", _headers(caller.internal_token))
    except DomainError:
        return None
    return str(response.json()["position"]) if response.status_code == 200 else None


def _acting_for(principal: Principal) -> Principal:
    """The caller with the gateway's own kind: the goals service keeps a snapshot only from the gateway."""
    return replace(principal, kind=PrincipalKind.service)


def _check_if_match(if_match: str | None, edition: dict[str, Any]) -> None:
    """Early, before the report is built; the goals service checks again when it stores it."""
    current = f'"{edition["version"]}"'
    if if_match is None or not if_match.strip() or "*" in if_match:
        raise PreconditionRequired(f"Send If-Match with the edition's ETag, for example If-Match: {current}")
    if current not in [tag.strip() for tag in if_match.split(",")]:
        raise PreconditionFailed(
            f"The edition is now at version {edition['version']}; read it again", current_etag=current
        )


def _refuse_unless_whole(edition: dict[str, Any], report: Report, heads: dict[str, str | None]) -> None:
    """409 naming every section not ready and every part of the report that is missing."""
    not_ready = [f"{s['unit_code']}/{s['topic']}" for s in edition["sections"] if not s["ready"]]
    missing = [f"{m.section} ({m.service}): {m.reason}" for m in report.missing]
    missing += [f"{n.section} (no data): {n.reason}" for n in report.no_data if n.required]
    missing += [f"data version ({service}): the service did not answer" for service, h in heads.items() if h is None]
    if not_ready or missing:
        parts = ([f"sections not ready: {', '.join(not_ready)}"] if not_ready else []) + (
            [f"missing from the report: {'; '.join(missing)}"] if missing else []
        )
        raise Conflict("The edition cannot be completed yet: " + ". ".join(parts), not_ready=not_ready, missing=missing)


def _stamp(edition: dict[str, Any], caller: SignedIn, heads: dict[str, str]) -> EditionStamp:
    """Who completes the edition, when, and the data versions the report was built from."""
    return EditionStamp(
        id=str(edition["id"]),
        status="completed",
        completed_at=datetime.now(SWEDISH_TIME),
        completed_by=caller.principal.subject,
        completed_by_name=caller.principal.name,
        data_versions=heads,
    )


def _frozen(report: Report, edition: dict[str, Any], stamp: EditionStamp) -> Report:
    """The report as it is kept: with the edition's texts as the goals service holds them, and the stamp."""
    analysis = [
        AnalysisText(unit_code=s["unit_code"], topic=s["topic"], text=s["text"], ready=s["ready"])
        for s in edition["sections"]
        if s["text"].strip()
    ]
    return report.model_copy(update={"edition": stamp, "analysis": analysis})


async def complete_edition(proxy: Proxy, caller: SignedIn, edition_id: uuid.UUID, if_match: str | None) -> bytes:
    """Build the report with the registrar's rights, refuse unless it is whole, and have it kept."""
    edition = await _edition(proxy, caller, edition_id)
    if edition["status"] == "completed":
        raise Locked("The edition is already completed; fetch it with GET /api/reports/editions/{id}")
    registrar = edition["registrar_unit"]
    if not caller.principal.can_register(registrar):
        raise Forbidden(f"Completing the report needs registrar on {registrar}", required=f"{registrar}:registrar")
    _check_if_match(if_match, edition)
    # Read before the report is built: every change up to these positions is in it.
    positions = await asyncio.gather(*(_change_head(proxy, caller, s) for s in SERVICES))
    heads = dict(zip(SERVICES, positions, strict=True))
    period = ReportPeriod(edition["period"])
    report = await build_report(proxy, caller, edition["kind"], edition["year"], period, edition["unit_code"])
    _refuse_unless_whole(edition, report, heads)
    stamp = _stamp(edition, caller, {k: v for k, v in heads.items() if v is not None})
    body = _frozen(report, edition, stamp).model_dump_json()
    completion = {
        "report": body,
        "completed_at": stamp.completed_at.isoformat() if stamp.completed_at else None,
        "data_versions": stamp.data_versions,
        "section_versions": {s["id"]: s["version"] for s in edition["sections"]},
    }
    token = proxy.internal_token(_acting_for(caller.principal))
    await _goals(
        proxy,
        "POST",
        f"/report-editions/{edition_id}/completion",
        token,
        json.dumps(completion).encode(),
        **{"content-type": "application/json", "if-match": if_match or ""},
    )
    return body.encode()


async def edition_report(proxy: Proxy, caller: SignedIn, edition_id: uuid.UUID) -> Report | bytes:
    """A completed edition's frozen JSON bytes; an open one's report as it stands now, with its texts."""
    edition = await _edition(proxy, caller, edition_id)
    if edition["status"] == "completed":
        response = await _goals(proxy, "GET", f"/report-editions/{edition_id}/snapshot", caller.internal_token)
        return response.content
    period = ReportPeriod(edition["period"])
    return await build_report(proxy, caller, edition["kind"], edition["year"], period, edition["unit_code"])


EditionFormat = Annotated[
    Literal["json", "html", "docx", "pdf"],
    Query(alias="format", description="json for systems, html to read, docx to edit in Word, pdf to publish"),
]
InFormat = Callable[[Report, str, MoneyScale, Language], Awaitable["Report | Response"]]


def production_router(in_format: InFormat) -> APIRouter:
    """The gateway's routes of report production; the editions themselves are the goals service's."""
    router = APIRouter(prefix="/api/reports/editions", tags=["reports"])
    errors = error_responses(Unauthorized, Forbidden, NotFound, ServiceUnavailable)

    @router.post(
        "/{edition_id}/completion",
        operation_id="complete_report_edition",
        summary="Complete an edition: build the report, refuse unless whole and every section ready, freeze it",
        description="Answers the frozen report's JSON. 409 names the sections not ready and the parts missing; "
        "a completed edition is 409 `locked`. Send If-Match with the edition's ETag.",
        response_model=Report,
        responses={
            **errors,
            **error_responses(Conflict, Locked, PreconditionFailed, PreconditionRequired),
        },
        **access(registrar(REPORT_UNIT).hiding_drafts_of(REPORT_UNIT)),
    )
    async def complete(request: Request, edition_id: EditionPath, if_match: IfMatch = None) -> Response:
        proxy: Proxy = request.app.state.proxy
        caller = await proxy.signed_in_caller(request)
        refuse_if_only_reading(caller.principal)
        status = 500  # unless the completion ends in an answer or a refusal
        try:
            body = await complete_edition(proxy, caller, edition_id, if_match)
            status = 200
            return Response(body, media_type="application/json")
        except ServiceAnswer as answer:
            status = answer.response.status_code
            return answer.response
        except DomainError as refused:
            status = refused.status
            raise
        finally:
            log_write(caller.principal, request, status)

    @router.get(
        "/{edition_id}",
        operation_id="get_report_edition_report",
        summary="An edition's report: once completed the frozen snapshot, byte for byte; before, the draft",
        response_model=Report,
        responses={200: {"content": {"text/html": {}, DOCX: {}, PDF: {}}}, **errors},
        **access(read_record(REPORT_UNIT).noting("each section as the caller may read it in its service")),
    )
    async def fetch(
        request: Request,
        edition_id: EditionPath,
        report_format: EditionFormat = "json",
        money: Annotated[
            MoneyScale, Query(description="Money in thousands (tkr) or millions (mnkr)")
        ] = MoneyScale.mnkr,
        lang: Language = Language.sv,
    ) -> Response | Report:
        proxy: Proxy = request.app.state.proxy
        caller = await proxy.signed_in_caller(request)
        try:
            found = await edition_report(proxy, caller, edition_id)
        except ServiceAnswer as answer:
            return answer.response
        if isinstance(found, bytes):
            if report_format == "json":
                return Response(found, media_type="application/json")
            found = Report.model_validate_json(found)
        return await in_format(found, report_format, money, lang)

    return router
