"""Exports: measures in the columns the import reads (a round trip changes nothing), and goals with
their indicators as CSV and Excel, drafts only for those who may read them."""

import csv
import io

from openpyxl import load_workbook

from tests.goals.test_measures_import import FILE, coded_indicator, sent

EDITOR = ("hsn.editor", "HSN:editor")
BOARD = ("board", "RS:reader")


async def test_exported_measures_import_back_changing_nothing(seeded):
    await coded_indicator(seeded)
    await sent(seeded, FILE)
    exported = await seeded.client.get(
        "/api/goals/exports/measures?format=tsv&period=month", headers=seeded.auth(*EDITOR)
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/tab-separated-values")
    assert exported.text == (
        "unit\tdate\tmeasure\tvalue\n"
        "1010\t2024-01-31\tVT90\t71.4\n"
        "1010\t2024-02-29\tVT90\t72.05\n"
        "1010\t2024-03-31\tVT90\t\n"
    )
    again = (await sent(seeded, exported.text)).json()
    assert (again["created"], again["updated"], again["unchanged"], again["problems"]) == (0, 0, 3, [])


async def test_measures_of_a_draft_are_exported_only_to_those_who_may_read_it(seeded):
    await coded_indicator(seeded)
    await sent(seeded, FILE)
    other = await seeded.client.get("/api/goals/exports/measures", headers=seeded.auth("run", "RUN:reader"))
    assert other.text == "unit\tdate\tmeasure\tvalue\n"
    board = await seeded.client.get("/api/goals/exports/measures", headers=seeded.auth(*BOARD))
    assert board.text.count("VT90") == 3


async def test_goals_as_csv_with_the_latest_values_exact(seeded):
    response = await seeded.client.get("/api/goals/exports/goals?year=2022&format=csv", headers=seeded.auth(*BOARD))
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith('attachment; filename="goals-2022-as-of-')
    rows = list(csv.DictReader(io.StringIO(response.text)))
    absence = next(r for r in rows if r["indicator"] == "Sjukfrånvaro")
    assert (absence["unit"], absence["latest_period"], absence["latest_value"], absence["target"]) == (
        "HSN",
        "2022",
        "7.6",
        "6.5",
    )
    assert absence["indicator_colour"] == "red"
    no_indicator = [r for r in rows if r["indicator"] == ""]
    assert no_indicator, "a goal without indicators still has its row"


async def test_goals_as_an_excel_workbook(seeded):
    response = await seeded.client.get("/api/goals/exports/goals?year=2022&format=xlsx", headers=seeded.auth(*BOARD))
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.values)
    assert header[:2] == ("unit", "goal")
    titles = {r[1] for r in rows}
    assert "Minskad sjukfrånvaro bland medarbetarna" in titles


async def test_an_unknown_format_is_422(seeded):
    response = await seeded.client.get("/api/goals/exports/goals?year=2022&format=pdf", headers=seeded.auth(*BOARD))
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "format"]
