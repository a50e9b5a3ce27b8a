"""The document as a tagged PDF (PDF/UA-1), drawn by WeasyPrint from the print variant of the HTML page.

WeasyPrint tags the structure from the HTML: the document's language from `lang`, its title, author,
subject and creation date from <title> and the <meta> elements, headings H1–H4, tables with their header
cells, lists, and each chart as a Figure with its alt text. It fetches nothing: the page has no
external resources, and a fetcher that allows only `data:` URLs keeps it so whatever a text contains.
"""

from __future__ import annotations

from gateway.documents.html import render
from gateway.documents.model import Document
from gateway.documents.text import Language

PDF_VARIANT = "pdf/ua-1"


def render_pdf(document: Document, language: Language) -> bytes:
    """The document as PDF bytes."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    page = render(document, language, for_print=True)
    fetcher = URLFetcher(allowed_protocols=("data",))
    pdf = HTML(string=page, url_fetcher=fetcher).write_pdf(pdf_variant=PDF_VARIANT)
    return bytes(pdf)  # write_pdf without a target answers the bytes
