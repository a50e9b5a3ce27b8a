"""The formats the reports and the traces are served in: the one `format` parameter and its content types."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import Query


class ReportFormat(StrEnum):
    json = "json"
    html = "html"
    docx = "docx"
    pdf = "pdf"


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
FormatQuery = Annotated[
    ReportFormat,
    Query(
        alias="format",
        description="json for systems, html to read, docx to edit in Word, pdf to publish (tagged, PDF/UA)",
    ),
]
# What a 200 answers besides JSON, for the OpenAPI document.
DOCUMENT_CONTENT: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}, DOCX: {}, PDF: {}}}}
