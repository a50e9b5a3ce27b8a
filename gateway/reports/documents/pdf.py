"""The document as a tagged PDF (PDF/UA in spirit), drawn from the print variant of the HTML page.

Chromium's print draws it where Chromium is installed (chromium.py), WeasyPrint where it is not: both tag
the structure from the HTML (the document's language from `lang`, its title from <title>, headings H1–H4,
tables with their header cells, lists, each chart as a Figure with its alt text), and both fetch nothing.
Chromium is some five times faster on a region's report (a forty-page PDF in 1–2 s against 8–10 s of
WeasyPrint's table layout); WeasyPrint keeps a deployment without a browser producing the same document,
slower, and numbers the pages in its contents list, which Chromium cannot (there its entries are links,
and the PDF's outline leads to every section).

Chromium writes only the title into the document's properties; what else WeasyPrint takes from the
<meta> elements (author, subject, created), the PDF/UA identification and the viewer's preference to show
the title rather than the file name are added to its PDF here, with pikepdf.
"""

from __future__ import annotations

import io
from datetime import datetime

from gateway.reports.documents.chromium import PRINTER, ChromiumPrinter
from gateway.reports.documents.html import render
from gateway.reports.documents.model import Document
from gateway.reports.documents.text import Language

PDF_VARIANT = "pdf/ua-1"


def render_pdf(document: Document, language: Language, printer: ChromiumPrinter = PRINTER) -> bytes:
    """The document as PDF bytes, by Chromium where there is one, else by WeasyPrint."""
    page = render(document, language, for_print=True)
    printed = printer.pdf(page)
    if printed is None:
        return weasyprint_pdf(page)
    return described(printed, document)


def weasyprint_pdf(page: str) -> bytes:
    """The print HTML as a PDF/UA-1 by WeasyPrint, with a fetcher that allows only `data:` URLs, so that it
    fetches nothing whatever a text contains."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=("data",))
    return bytes(HTML(string=page, url_fetcher=fetcher).write_pdf(pdf_variant=PDF_VARIANT))


def _pdf_date(iso: str) -> str:
    """'2022-09-15T10:30:00+02:00' as a PDF date: D:20220915103000+02'00'."""
    moment = datetime.fromisoformat(iso)
    offset = moment.strftime("%z") or "+0000"
    return f"D:{moment:%Y%m%d%H%M%S}{offset[:3]}'{offset[3:]}'"


def described(pdf: bytes, document: Document) -> bytes:
    """Chromium's PDF with the document's properties: title, author (the region), subject, language,
    created; the PDF/UA-1 identification in its XMP metadata; and the title shown in the viewer's bar."""
    import pikepdf

    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf)) as drawn:
        producer = drawn.docinfo.get("/Producer")
        subject = f"{document.title}, {document.period}"
        with drawn.open_metadata(set_pikepdf_as_editor=False) as xmp:
            xmp["dc:title"] = document.title
            xmp["dc:creator"] = [document.region]
            xmp["dc:description"] = subject
            xmp["dc:language"] = [document.language]
            xmp["pdfuaid:part"] = "1"
        created = _pdf_date(document.created) if document.created else None
        drawn.docinfo["/Title"] = document.title
        drawn.docinfo["/Author"] = document.region
        drawn.docinfo["/Subject"] = subject
        if producer is not None:
            drawn.docinfo["/Producer"] = producer  # what drew it, which the metadata's update dropped
        if created:
            drawn.docinfo["/CreationDate"] = created
        drawn.Root.Lang = pikepdf.String(document.language)
        drawn.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        # Object streams pack the thousands of small structure elements a tagged table makes.
        drawn.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()
