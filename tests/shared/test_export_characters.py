"""A workbook keeps every character of a text, including those XML cannot carry, and a file's name that
Excel would refuse as a sheet's name is made one it takes: found by `make fuzz` as a 500 on
`GET /api/budget/exports/outcomes?format=xlsx&unit=<control characters>`."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from shared.exports import SHEET_NAME_LENGTH, TableFormat, table_response

ADMIN = ("admin.a", "admin")
# What a reader of OOXML does with a cell's text (ECMA-376 Part 1, 22.9.2.19), as Excel reads it.
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def as_excel_reads(text: str) -> str:
    return _ESCAPE.sub(lambda found: chr(int(found.group(1), 16)), text)


def sheet_of(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def test_a_text_with_characters_xml_cannot_carry_is_kept_whole_in_the_workbook():
    texts = ["a\x13b", "\x00\x08\x0b\x0c\x1f", "plan_x0041_ as written", "\ufffe\uffff", "rad\ttab\nny rad"]
    response = table_response("t", ["text"], [(text,) for text in texts], TableFormat.xlsx)
    _header, *rows = sheet_of(bytes(response.body)).iter_rows(values_only=True)
    assert [as_excel_reads(row[0]) for row in rows] == texts
    assert rows[2][0] == "plan_x005F_x0041_ as written"


def test_a_name_excel_refuses_for_a_sheet_is_made_one_it_takes():
    name = "outcomes-2024-\x13[a]:b*c?d/e\\f-and-more-than-thirty-one"
    response = table_response(name, ["text"], [], TableFormat.xlsx)
    title = sheet_of(bytes(response.body)).title
    assert title == "outcomes-2024-__a__b_c_d_e_f-an"
    assert len(title) == SHEET_NAME_LENGTH


async def test_outcomes_for_a_unit_of_control_characters_are_an_empty_workbook(seeded):
    path = "/api/budget/exports/outcomes?format=xlsx&unit=%13%7F%F0%97%AD%8E%C3%88%F0%9C%82%AB-%C2%92"
    response = await seeded.client.get(path, headers=seeded.auth(*ADMIN))
    assert response.status_code == 200, response.text
    header, *rows = sheet_of(response.content).iter_rows(values_only=True)
    assert rows == []
    assert header[0] == "unit"


async def test_a_title_with_a_control_character_is_exported_as_written(seeded):
    # A decided goal is changed by its body's registrar (who enters what the board decided).
    registrar = seeded.auth("hsn.registrar", "HSN:registrar")
    goals = (await seeded.client.get("/api/goals/goals?unit=HSN&year=2022&limit=1", headers=registrar)).json()["items"]
    read = await seeded.client.get(f"/api/goals/goals/{goals[0]['id']}", headers=registrar)
    title = "Vård\x13 i tid"
    changed = await seeded.client.patch(
        f"/api/goals/goals/{goals[0]['id']}",
        headers={**registrar, "If-Match": read.headers["etag"]},
        json={"title": title},
    )
    assert changed.status_code == 200, changed.text
    response = await seeded.client.get("/api/goals/exports/goals?year=2022&format=xlsx", headers=registrar)
    assert response.status_code == 200, response.text
    rows = sheet_of(response.content).iter_rows(values_only=True)
    assert title in {as_excel_reads(str(value)) for row in rows for value in row}
