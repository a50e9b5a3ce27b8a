"""The document as Word, for the people who edit the final text (python-docx).

A cover with the region, the report, its period and the date it speaks for; a table of contents
(a TOC field Word fills in when it opens the file); headers with the report's name and footers with
"Sida X av Y" (PAGE and NUMPAGES fields); the document's language on the default run properties and
every style, so Swedish spell-checking is on; title, author, subject and created in the document's
properties; tables with columns fitted to their content; each chart a picture with its alt text and
a caption.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from docx import Document as new_document
from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph as WordParagraph

from gateway.reports.documents.charts import png
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
    Section,
    Table,
    Tone,
)
from gateway.reports.documents.text import Language

CHART_WIDTH = Cm(16)
TEXT_WIDTH = Cm(16)
TABLE_STYLE = "Light List Accent 1"
TONE_COLOURS = {
    Tone.deviation: RGBColor(0xCF, 0x22, 0x2E),
    Tone.good: RGBColor(0x1A, 0x7F, 0x37),
    Tone.partly: RGBColor(0x9A, 0x67, 0x00),
    Tone.neutral: RGBColor(0x6E, 0x77, 0x81),
}
TOC_LEVELS = "1-3"
EMU_PER_TWIP = 635
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
TABLE_FONT = Pt(9)
# How many characters of 9 pt text a table holds across TEXT_WIDTH, cell margins counted: what
# Table.widths fits the columns into, so that a header's longest word has room on one line.
TABLE_CHARACTERS = 80


# What may follow an element in its parent, in the schema's order (Word refuses a file out of order).
_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
_AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars", "w:rsids", "m:mathPr",
    "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions", "w:readModeInkLockDown", "w:smartTagType",
    "sl:schemaLibrary", "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator",
)  # fmt: skip
# Swedish number format for what Word computes itself (fields, table formulas).
_SEPARATORS = {"sv-SE": (",", ";")}


def _set_language(run_properties: BaseOxmlElement, tag: str) -> None:
    """w:lang on run properties (w:rPr): the language Word checks the text in."""
    lang = run_properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_properties.insert_element_before(lang, *_AFTER_LANG)
    lang.set(qn("w:val"), tag)
    lang.set(qn("w:eastAsia"), tag)


def _language(word: WordDocument, tag: str) -> None:
    """The document's language on the default run properties, on every paragraph and character style, and
    in the settings (the theme fonts' language, the decimal symbol and list separator)."""
    defaults = word.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    run_properties = run_defaults.find(qn("w:rPr")) if run_defaults is not None else None
    if run_properties is not None:
        _set_language(run_properties, tag)
    for style in word.styles:
        if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER):
            _set_language(style.element.get_or_add_rPr(), tag)
    settings = word.settings.element
    # The template says its (English) spelling is checked; without that Word checks the text in Swedish.
    for proofed in settings.findall(qn("w:proofState")):
        settings.remove(proofed)
    theme = settings.find(qn("w:themeFontLang"))
    if theme is not None:
        theme.set(qn("w:val"), tag)
    decimal, separator = _SEPARATORS.get(tag, (".", ","))
    for name, value in (("w:decimalSymbol", decimal), ("w:listSeparator", separator)):
        element = settings.find(qn(name))
        if element is not None:
            element.set(qn("w:val"), value)


def _properties(word: WordDocument, document: Document) -> None:
    core = word.core_properties
    core.title = document.title
    core.author = document.region
    core.last_modified_by = document.region
    core.subject = f"{document.title}, {document.period}"
    core.language = document.language
    core.keywords = document.title
    core.comments = document.subtitle
    # Word keeps the time in UTC; the report's is Swedish time with its offset.
    created = datetime.fromisoformat(document.created).astimezone(UTC)
    core.created = created
    core.modified = created


def _field(paragraph: WordParagraph, instruction: str, placeholder: str = "") -> None:
    """A Word field (PAGE, NUMPAGES, TOC …): begin, the instruction, separate, what shows until updated, end."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")  # Word updates it when it opens the document
    run._r.append(begin)
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    paragraph.add_run()._r.append(text)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    paragraph.add_run()._r.append(separate)
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)


def _update_fields_on_open(word: WordDocument) -> None:
    """Ask Word to fill in the fields (the table of contents) when it opens the file."""
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    word.settings.element.insert_element_before(update, *_AFTER_UPDATE_FIELDS)


def _cover(word: WordDocument, document: Document) -> None:
    region = word.add_paragraph()
    region.paragraph_format.space_before = Pt(180)
    run = region.add_run(document.region)
    run.font.size = Pt(16)
    word.add_paragraph(document.title, style="Title")
    word.add_paragraph(document.period, style="Subtitle")
    t = document.labels
    word.add_paragraph(f"{t['as_of']} {document.as_of}")
    word.add_paragraph(document.subtitle)


def _contents(word: WordDocument, document: Document) -> None:
    word.add_paragraph(document.labels["contents"], style="TOC Heading")
    _field(word.add_paragraph(), f'TOC \\o "{TOC_LEVELS}" \\h \\z \\u', document.labels["contents_hint"])


def _header_and_footer(word: WordDocument, document: Document) -> None:
    """The report's name in the header and 'Sida X av Y' in the footer of every page after the cover."""
    section = word.sections[-1]
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.text = f"{document.title} · {document.region}"
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.add_run(f"{document.labels['page']} ")
    _field(footer, "PAGE", "1")
    footer.add_run(f" {document.labels['page_of']} ")
    _field(footer, "NUMPAGES", "1")


def _toned(paragraph: WordParagraph, text: str, tone: Tone, strong: bool = False) -> None:
    run = paragraph.add_run(text)
    if tone in TONE_COLOURS:
        run.font.color.rgb = TONE_COLOURS[tone]
    if strong or tone is Tone.deviation:
        run.bold = True


def _run_xml(text: str, tone: Tone, bold: bool) -> str:
    """One run of text as WordprocessingML: bold for what deviates, coloured by its tone."""
    properties = ("<w:b/>" if bold or tone is Tone.deviation else "") + (
        f'<w:color w:val="{TONE_COLOURS[tone]}"/>' if tone in TONE_COLOURS else ""
    )
    run_properties = f"<w:rPr>{properties}</w:rPr>" if properties else ""
    return f'<w:r>{run_properties}<w:t xml:space="preserve">{_xml_text(text)}</w:t></w:r>'


def _xml_text(text: str) -> str:
    """A text as XML character data: escaped, and without the control characters XML cannot hold."""
    return escape(_NOT_IN_XML.sub("", text))


def _cell_xml(cell: Cell, kind: ColumnKind, width: int, bold: bool = False) -> str:
    alignment = '<w:pPr><w:jc w:val="right"/></w:pPr>' if kind is ColumnKind.number else ""
    run = _run_xml(cell.text, cell.tone, bold) if cell.text else ""
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr><w:p>{alignment}{run}</w:p></w:tc>'


def _rows_xml(table: Table, widths: list[int]) -> str:
    """The table's rows as WordprocessingML, written at once: python-docx's cell-by-cell calls walk the
    table's XML again for every cell (more than a second for a region's 700 indicators)."""
    kinds = [column.kind for column in table.columns]
    header = "".join(
        _cell_xml(Cell(column.header), column.kind, width) for column, width in zip(table.columns, widths, strict=True)
    )
    rows = [f'<w:tr><w:trPr><w:tblHeader w:val="true"/></w:trPr>{header}</w:tr>']
    for index, row in enumerate((*table.rows, *table.footer)):
        bold = index >= len(table.rows)
        cells = "".join(
            _cell_xml(cell, kind, width, bold) for cell, kind, width in zip(row, kinds, widths, strict=True)
        )
        rows.append(f"<w:tr>{cells}</w:tr>")
    return f"<w:tbl {nsdecls('w')}>{''.join(rows)}</w:tbl>"


def _table(word: WordDocument, table: Table) -> None:
    out = word.add_table(rows=0, cols=len(table.columns))
    out.style = word.styles[TABLE_STYLE]
    out.autofit = False
    widths = [int(TEXT_WIDTH * share) for share in table.widths(TABLE_CHARACTERS)]
    # Word reads a column's width from each of its cells; the grid's widths for other readers.
    for column, width in zip(out.columns, widths, strict=True):
        column.width = width
    twips = [width // EMU_PER_TWIP for width in widths]
    out._tbl.extend(parse_xml(_rows_xml(table, twips)).findall(qn("w:tr")))


def _figure(word: WordDocument, figure: Figure, language: Language) -> None:
    """The chart as a picture with its alt text, and its caption below it."""
    shape = word.add_picture(io.BytesIO(png(figure.chart, language)), width=CHART_WIDTH)
    # Word reads the alt text from the drawing's docPr (title and descr), as screen readers do.
    shape._inline.docPr.set("title", figure.chart.title)
    shape._inline.docPr.set("descr", figure.chart.alt)
    word.add_paragraph(figure.caption, style="Caption")


def _bullets(word: WordDocument, items: Iterable[Paragraph]) -> None:
    """One bullet paragraph an item. The style is set by its id: given a name or a style, python-docx searches
    the document's styles again for every paragraph (half the Word time with a region's 200 orphans)."""
    bullet = word.styles["List Bullet"].style_id
    for item in items:
        paragraph = word.add_paragraph()
        paragraph._p.style = bullet
        _toned(paragraph, item.text, item.tone, item.strong)


def _block(word: WordDocument, block: Block, language: Language) -> None:
    if isinstance(block, Heading):
        word.add_heading(block.text, level=block.level)
    elif isinstance(block, Paragraph):
        _toned(word.add_paragraph(), block.text, block.tone, block.strong)
    elif isinstance(block, Table):
        _table(word, block)
    elif isinstance(block, BulletList):
        _bullets(word, block.items)
    elif isinstance(block, Figure):
        _figure(word, block, language)
    elif isinstance(block, Note):
        _toned(word.add_paragraph(), block.title, block.tone, strong=True)
        _bullets(word, (Paragraph(line) for line in block.lines))


def _section(word: WordDocument, section: Section, language: Language, t: dict[str, str]) -> None:
    word.add_heading(section.title, level=1)
    if section.as_of:
        word.add_paragraph(f"{t['as_of']} {section.as_of}")
    for block in section.blocks:
        _block(word, block, language)


def _a4(word: WordDocument) -> None:
    """A4 with 2.5 cm margins, as a Swedish region prints (python-docx's template is US Letter)."""
    section = word.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)


def _page_break(word: WordDocument) -> None:
    word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def render_docx(document: Document, language: Language) -> bytes:
    """The document as a .docx file."""
    word = new_document()
    word.styles[TABLE_STYLE].font.size = TABLE_FONT
    _a4(word)
    _language(word, document.language)
    _properties(word, document)
    _cover(word, document)
    _page_break(word)
    _contents(word, document)
    _update_fields_on_open(word)
    for note in document.notes:
        _block(word, note, language)
    _page_break(word)
    for section in document.sections:
        _section(word, section, language, document.labels)
    _header_and_footer(word, document)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
