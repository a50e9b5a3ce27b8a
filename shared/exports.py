"""Tables out, one way for every service: tab- or comma-separated text, or an Excel workbook.

Text formats write decimals exactly as stored, with a decimal point, so that what an export wrote
an import reads back unchanged. Workbooks are for people; they are written row by row (openpyxl's
write-only mode) so a large export does not build the whole sheet in memory twice.

Every text cell is written so that no spreadsheet runs it (CSV injection, OWASP): a text starting
with `=`, `+`, `-`, `@`, a tab or a carriage return gets a single quote in front in CSV and TSV, and
is a string cell (never a formula) in a workbook. Numbers, amounts and dates are not text and stay
as they are, so `-1234.50` is still a number. The imports read what they read before: a code that
starts with one of those characters comes back with the quote, matches nothing and is reported as a
problem by line, never silently taken for another code.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from fastapi import Response

from shared.types import plain_decimal


class TableFormat(StrEnum):
    tsv = "tsv"
    csv = "csv"
    xlsx = "xlsx"


MEDIA_TYPES = {
    TableFormat.tsv: "text/tab-separated-values; charset=utf-8",
    TableFormat.csv: "text/csv; charset=utf-8",
    TableFormat.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# What makes a spreadsheet read a cell as a formula (or, for tab and carriage return, hide one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def starts_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def neutralised(text: str) -> str:
    """A text a spreadsheet shows as it is: a single quote in front of one that would start a formula."""
    return f"'{text}" if starts_like_formula(text) else text


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(plain_decimal(value), "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool | int | float):
        return str(value)
    return neutralised(str(value.value if isinstance(value, StrEnum) else value))


def _delimited(columns: Sequence[str], rows: Iterable[Sequence[Any]], delimiter: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_text(v) for v in row])
    return out.getvalue().encode("utf-8")


# XML 1.0 cannot carry these at all; OOXML writes them as _xHHHH_, which Excel reads back as the character
# (ECMA-376 Part 1, 22.9.2.19 ST_Xstring), and a text that already reads like such an escape gets its
# underscore escaped (_x005F_), so it is shown as written.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
# Excel refuses these in a sheet's name, and names have at most 31 characters.
_NOT_IN_SHEET_NAME = re.compile(r"[\x00-\x1f\ufffe\uffff\[\]:*?/\\]")
SHEET_NAME_LENGTH = 31


def workbook_text(text: str) -> str:
    """A text as a workbook cell holds it: every character kept, those XML cannot carry as OOXML escapes."""
    return _NOT_IN_XML.sub(lambda found: f"_x{ord(found.group()):04X}_", text)


def sheet_name(name: str) -> str:
    """A file's name as its sheet's: what Excel refuses in a sheet name made "_", cut to 31 characters."""
    return _NOT_IN_SHEET_NAME.sub("_", name)[:SHEET_NAME_LENGTH]


def _cell(sheet: Any, value: Any) -> Any:
    """A workbook cell; a text that looks like a formula is a string cell that stays one when edited."""
    if isinstance(value, StrEnum):
        value = value.value
    if isinstance(value, str):
        value = workbook_text(value)
    if not (isinstance(value, str) and starts_like_formula(value)):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # openpyxl takes any text starting with "=" for a formula
    cell.quotePrefix = True  # and Excel would make it one again when the cell is edited
    return cell


def _workbook(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    # Imported only to write a workbook: openpyxl loads numpy and Pillow when they are installed (they are,
    # for the report charts), which would add some 15 MB to every process that never writes one.
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name(title))
    sheet.append([workbook_text(column) for column in columns])
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def attachment(filename: str) -> str:
    """A Content-Disposition for a download: an ASCII name for every client, the exact one per RFC 6266.

    Names carry what callers sent (a unit code), and a header must be Latin-1, so a name is never
    written into it as it is.
    """
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def table_response(
    name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], table_format: TableFormat
) -> Response:
    """The rows as a file to download, named `name` with the format's extension."""
    if table_format is TableFormat.xlsx:
        body = _workbook(name, columns, rows)
    else:
        body = _delimited(columns, rows, "\t" if table_format is TableFormat.tsv else ",")
    return Response(
        content=body,
        media_type=MEDIA_TYPES[table_format],
        headers={"Content-Disposition": attachment(f"{name}.{table_format.value}")},
    )
