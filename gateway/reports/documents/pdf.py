"""The document as a tagged PDF (PDF/UA-1), drawn by Typst from the document model the HTML page and the
Word file are drawn from.

Typst (templates/report.typ) tags what the model says: the document's language, title, author and subject,
headings H1–H4, tables with their header rows, lists, the contents as a TOC with page numbers, each chart as
a Figure with its alt text, and the outline; asked for PDF/UA-1 it refuses to write a document that lacks
any of them. It lays out a ten-times region's hundred pages in about half a second, where printing the HTML
took Chromium some 4 s and WeasyPrint some 10 s (benchmarks/bench_report.py), and it needs no browser: the
document worker stays a Python process of some 200 MB.

The template is given the document as JSON in `sys.inputs`, never as markup, so no text of the report can
be read as Typst code. Charts go in as matplotlib's SVG, drawn as vectors.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from gateway.reports.documents.charts import svg_picture
from gateway.reports.documents.model import (
    Block,
    BulletList,
    Cell,
    ColumnKind,
    Document,
    Figure,
    Heading,
    Note,
    Paragraph,
    Table,
    Tone,
)
from gateway.reports.documents.text import Language

TEMPLATE = Path(__file__).parent / "templates" / "report.typ"
PDF_STANDARD = "ua-1"

# One compiler per process: it finds the fonts once (a second or more), then lays out each report anew.
_compiling = threading.Lock()


@cache
def _compiler() -> Any:
    import typst

    return typst.Compiler(TEMPLATE, root=TEMPLATE.parent)


def render_pdf(document: Document, language: Language) -> bytes:
    """The document as PDF bytes."""
    report = json.dumps(as_typst_input(document, language), ensure_ascii=False)
    created = datetime.fromisoformat(document.created).replace(microsecond=0) if document.created else None
    with _compiling:
        drawn = _compiler().compile(
            format="pdf", sys_inputs={"report": report}, pdf_standards=PDF_STANDARD, timestamp=created
        )
    assert isinstance(drawn, bytes)  # one PDF, not a page per file
    return drawn


def as_typst_input(document: Document, language: Language) -> dict[str, Any]:
    """The document model as the JSON the template reads."""
    lang, _, region = document.language.partition("-")
    return {
        "lang": lang,
        "text_region": region or None,
        "title": document.title,
        "region": document.region,
        "subject": f"{document.title}, {document.period}",
        "period": document.period,
        "subtitle": document.subtitle,
        "labels": {key: document.labels[key] for key in ("page", "page_of", "contents", "as_of")},
        "notes": [_note(note) for note in document.notes],
        "sections": [
            {"title": section.title, "as_of": section.as_of, "blocks": _blocks(section.blocks, language)}
            for section in document.sections
        ],
    }


def _blocks(blocks: tuple[Block, ...], language: Language) -> list[dict[str, Any]]:
    """A section's blocks, each heading one level below the section's (H2) or deeper, never skipping a level:
    PDF/UA does not allow H2 to be followed by H4 (an edition's section texts start at level 3)."""
    drawn, level = [], 2
    for block in blocks:
        if isinstance(block, Heading):
            level = min(block.level + 1, level + 1)
            drawn.append({"kind": "heading", "text": block.text, "level": level})
        else:
            drawn.append(_block(block, language))
    return drawn


def _cell(cell: Cell) -> str | list[str]:
    return cell.text if cell.tone is Tone.normal else [cell.text, cell.tone.value]


def _note(note: Note) -> dict[str, Any]:
    return {"kind": "note", "title": note.title, "lines": list(note.lines), "tone": note.tone.value}


def _table(table: Table) -> dict[str, Any]:
    return {
        "kind": "table",
        "headers": [column.header for column in table.columns],
        "numeric": [column.kind is ColumnKind.number for column in table.columns],
        "widths": list(table.widths()),
        "rows": [[_cell(cell) for cell in row] for row in table.rows],
        "footer": [[_cell(cell) for cell in row] for row in table.footer],
        "row_headers": table.row_headers,
    }


def _block(block: Paragraph | BulletList | Table | Figure | Note, language: Language) -> dict[str, Any]:
    if isinstance(block, Paragraph):
        return {"kind": "paragraph", "text": block.text, "tone": block.tone.value, "strong": block.strong}
    if isinstance(block, BulletList):
        return {"kind": "list", "items": [{"text": i.text, "tone": i.tone.value} for i in block.items]}
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        picture = svg_picture(block.chart, language)
        return {"kind": "figure", "svg": picture, "alt": block.chart.alt, "caption": block.caption}
    return _note(block)
