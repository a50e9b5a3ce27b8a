"""The report routes: the interim reports T1 and T2 and the annual report, as JSON or drawn as HTML, Word or PDF."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from gateway.proxy import Proxy, SignedIn
from gateway.reports.building import Report, ReportPeriod, UnknownUnit, build_report
from gateway.reports.documents.html import REPORT_CSP
from gateway.reports.documents.text import Language, MoneyScale
from gateway.reports.documents.worker import DOCUMENTS
from gateway.reports.formats import DOCUMENT_CONTENT, DOCX, PDF, FormatQuery, ReportFormat
from shared.auth.access import ANY_ROLE, access
from shared.errors import Forbidden, Unauthorized, error_responses
from shared.exports import attachment
from shared.fields import YearPath

UnitQuery = Annotated[
    str | None,
    Query(
        pattern=r"^[A-ZÅÄÖ0-9][A-ZÅÄÖ0-9_-]{0,15}$",
        description="One unit and the units below it; the region if left out",
    ),
]


MoneyQuery = Annotated[MoneyScale, Query(description="Money in thousands (tkr) or millions (mnkr) in html")]


def _draft_headers(report: Report) -> dict[str, str]:
    """Whether a document is whole, said in headers too, so a robot saving the file need not parse it."""
    missing = ", ".join(
        [f"{m.section} ({m.service})" for m in report.missing]
        + [f"{n.section} (no data)" for n in report.no_data if n.required]
    )
    return {
        "X-Report-Complete": "true" if report.complete else "false",
        **({"X-Report-Missing": missing} if missing else {}),
    }


async def in_format(
    report: Report, report_format: ReportFormat, money: MoneyScale, lang: Language
) -> Report | Response:
    if report_format is ReportFormat.html:
        page = await DOCUMENTS.html(report, money, lang)
        return HTMLResponse(page, headers={"Content-Security-Policy": REPORT_CSP, **_draft_headers(report)})
    if report_format in (ReportFormat.docx, ReportFormat.pdf):
        name = f"{report.kind}-{report.year}-{report.period.value}{'-' + report.unit if report.unit else ''}"
        if report_format is ReportFormat.docx:
            body, media_type = await DOCUMENTS.docx(report, money, lang), DOCX
        else:
            body, media_type = await DOCUMENTS.pdf(report, money, lang), PDF
        return Response(
            body,
            media_type=media_type,
            headers={"Content-Disposition": attachment(f"{name}.{report_format.value}"), **_draft_headers(report)},
        )
    return report


async def report_reader(request: Request) -> SignedIn:
    """The signed-in caller, if they may read reports: any role, or an integration with read:decided.

    A dependency, so that it runs before the path and query are validated: a caller without a token
    learns nothing about the request's shape (401, not 422)."""
    proxy: Proxy = request.app.state.proxy
    caller = await proxy.signed_in_caller(request)
    if not caller.principal.reads_decided:
        raise Forbidden("Reports are read with a role, or the read:decided scope", required="read:decided")
    return caller


ReportReader = Annotated[SignedIn, Depends(report_reader)]


def reports_router() -> APIRouter:
    """The combined reports; each section is read with the caller's own rights."""
    router = APIRouter(prefix="/api/reports", tags=["reports"])
    rule = access(ANY_ROLE.noting("each section shows what the caller may read in its service"))
    responses: dict[int | str, dict[str, Any]] = {
        **DOCUMENT_CONTENT,
        **error_responses(Unauthorized, Forbidden, UnknownUnit),
    }

    @router.get(
        "/interim/{year}/{period}",
        operation_id="get_interim_report",
        summary="Interim report T1 (economy and employees) or T2 (everything)",
        response_model=Report,
        responses=responses,
        **rule,
    )
    async def interim(
        caller: ReportReader,
        request: Request,
        year: YearPath,
        period: Literal["T1", "T2"],
        unit: UnitQuery = None,
        report_format: FormatQuery = ReportFormat.json,
        money: MoneyQuery = MoneyScale.mnkr,
        lang: Language = Language.sv,
    ) -> Report | Response:
        report = await build_report(request.app.state.proxy, caller, "interim", year, ReportPeriod(period), unit)
        return await in_format(report, report_format, money, lang)

    @router.get(
        "/annual/{year}",
        operation_id="get_annual_report",
        summary="The annual report: goals, economy and the auditors' material for the whole year",
        response_model=Report,
        responses=responses,
        **rule,
    )
    async def annual(
        caller: ReportReader,
        request: Request,
        year: YearPath,
        unit: UnitQuery = None,
        report_format: FormatQuery = ReportFormat.json,
        money: MoneyQuery = MoneyScale.mnkr,
        lang: Language = Language.sv,
    ) -> Report | Response:
        report = await build_report(request.app.state.proxy, caller, "annual", year, ReportPeriod.year, unit)
        return await in_format(report, report_format, money, lang)

    return router
