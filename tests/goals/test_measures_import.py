"""Measures by external codes (Stratsys-style tab-separated files): matched by the unit's and the
indicator's external codes, dry run by line, all or nothing, idempotent, decimal comma accepted."""

import asyncio

import pytest
from typer.testing import CliRunner

from cli.main import app as styr
from tests.conftest import running_stack

EDITOR = ("hsn.editor", "HSN:editor")
ADMIN = ("admin", "admin")
HEADER = "unit\tdate\tmeasure\tvalue\n"


async def coded_indicator(stack) -> str:
    """HSN with the external code 1010, and a draft goal's indicator with the measure code VT90."""
    unit = await stack.client.get("/api/goals/units/HSN", headers=stack.auth(*ADMIN))
    coded = await stack.client.patch(
        "/api/goals/units/HSN",
        headers={**stack.auth(*ADMIN), "If-Match": unit.headers["etag"]},
        json={"external_code": "1010"},
    )
    assert coded.status_code == 200, coded.text
    headers = stack.auth(*EDITOR)
    goal = await stack.client.post(
        "/api/goals/goals",
        headers=headers,
        json={"unit_code": "HSN", "title": "Vård i tid", "start_year": 2023, "end_year": 2025},
    )
    indicator = await stack.client.post(
        "/api/goals/indicators",
        headers=headers,
        json={
            "goal_id": goal.json()["id"],
            "name": "Besök inom 90 dagar",
            "unit_of_measure": "%",
            "direction": "higher_is_better",
            "source": "external",
            "external_code": "VT90",
        },
    )
    assert indicator.status_code == 201, indicator.text
    return str(indicator.json()["id"])


async def sent(stack, text: str, *, dry_run: bool = False, period: str = "month", headers=None):
    return await stack.client.post(
        f"/api/goals/imports/measures?dry_run={str(dry_run).lower()}&period={period}",
        content=text.encode(),
        headers={**(headers or stack.auth(*EDITOR)), "Content-Type": "text/tab-separated-values"},
    )


async def stored(stack, indicator_id: str) -> dict[str, str | None]:
    response = await stack.client.get(f"/api/goals/indicators/{indicator_id}/measurements", headers=stack.auth(*EDITOR))
    return {m["period"]: m["value"] for m in response.json()["items"]}


FILE = HEADER + "1010\t2024-01-31\tVT90\t71,4\n1010\t2024-02-29\tVT90\t72.05\n1010\t2024-03-31\tVT90\t\n"


async def test_a_dry_run_changes_nothing_and_a_real_run_stores_each_month(seeded):
    indicator = await coded_indicator(seeded)
    dry = await sent(seeded, FILE, dry_run=True)
    assert dry.status_code == 200, dry.text
    assert (dry.json()["read"], dry.json()["created"], dry.json()["applied"]) == (3, 3, False)
    assert await stored(seeded, indicator) == {}
    real = await sent(seeded, FILE)
    assert real.json()["applied"] is True
    assert await stored(seeded, indicator) == {"2024-01": "71.4", "2024-02": "72.05", "2024-03": None}


async def test_the_same_file_twice_changes_nothing(seeded):
    indicator = await coded_indicator(seeded)
    await sent(seeded, FILE)
    again = (await sent(seeded, FILE)).json()
    assert (again["created"], again["updated"], again["unchanged"], again["applied"]) == (0, 0, 3, False)
    assert len(await stored(seeded, indicator)) == 3


@pytest.mark.parametrize(("period", "expected"), [("tertial", "2024-T1"), ("year", "2024")])
async def test_the_period_a_date_falls_in(seeded, period, expected):
    indicator = await coded_indicator(seeded)
    await sent(seeded, HEADER + "1010\t2024-04-30\tVT90\t70\n", period=period)
    assert await stored(seeded, indicator) == {expected: "70"}


async def test_every_bad_line_is_reported_with_its_field_and_nothing_is_written(seeded):
    indicator = await coded_indicator(seeded)
    text = (
        HEADER
        + "1010\t2024-01-31\tVT90\t71,4\n"
        + "1010\t2024-13-01\tVT90\t70\n"
        + "1010\t2024-02-29\tVT90\tsjuttio\n"
        + "1010\t2024-02-29\tNOPE\t70\n"
        + "9999\t2024-02-29\tVT90\t70\n"
        + "1010\t2024-02-29\n"
        + "1010\t2024-01-31\tVT90\t71\n"
        + "1010\t2024-02-30\tNOPE\tsjuttio\n"
        + "\t2024-02-30\t\t70\n"
    )
    dry = (await sent(seeded, text, dry_run=True)).json()
    assert [(p["line"], p["field"]) for p in dry["problems"]] == [
        (3, "date"),
        (4, "value"),
        (5, "measure"),
        (6, "measure"),
        (7, None),
        (8, "period"),
        (9, "date"),  # every problem of a line, not only its first
        (9, "value"),
        (9, "measure"),
        (10, "unit"),
        (10, "measure"),
        (10, "date"),
    ]
    refused = await sent(seeded, text)
    assert refused.status_code == 422
    assert refused.json()["code"] == "import-refused"
    assert await stored(seeded, indicator) == {}


async def test_a_date_is_taken_only_as_the_format_names_it(seeded):
    """YYYY-MM-DD within the years the system holds: not the other forms Python's ISO parser reads."""
    await coded_indicator(seeded)
    others = ["20240430", "2024-W18-2", "2024-04-30T00:00", "1989-12-31", "2101-01-01", "1714435200"]
    text = HEADER + "1010\t2024-04-30\tVT90\t70\n" + "".join(f"1010\t{day}\tVT90\t70\n" for day in others)
    problems = (await sent(seeded, text, dry_run=True)).json()["problems"]
    assert [(p["line"], p["field"]) for p in problems] == [(line, "date") for line in range(3, 3 + len(others))]
    assert "YYYY-MM-DD" in problems[0]["message"]
    assert "1990–2100" in problems[3]["message"]


async def test_an_editor_of_another_unit_is_refused_and_a_reader_may_not_import(seeded):
    indicator = await coded_indicator(seeded)
    reader = await sent(seeded, FILE, headers=seeded.auth("r", "HSN:reader"))
    assert reader.status_code == 403
    other = await sent(seeded, FILE, headers=seeded.auth("run", "RUN:editor", "HSN:reader"))
    assert other.status_code == 422
    assert other.json()["report"]["problems"][0]["message"] == "recording values needs editor on HSN"
    assert await stored(seeded, indicator) == {}


async def test_a_file_as_swedish_excel_saves_it_is_read_as_windows_1252_and_says_so(seeded):
    indicator = await coded_indicator(seeded)
    response = await seeded.client.post(
        "/api/goals/imports/measures",
        content=(HEADER + "1010\t2024-01-31\tVT90\t71,4\n1010\t2024-02-29\tVäntetid\t1\n").encode("cp1252"),
        headers={**seeded.auth(*EDITOR), "Content-Type": "text/tab-separated-values"},
    )
    assert response.status_code == 422
    report = response.json()["report"]
    assert report["problems"][0]["message"] == "no indicator with measure code 'Väntetid' in unit '1010'"
    assert "read as Windows-1252" in " ".join(report["notes"])
    fixed = await seeded.client.post(
        "/api/goals/imports/measures",
        content=(HEADER + "1010\t2024-01-31\tVT90\t71,4\n").encode("cp1252"),
        headers={**seeded.auth(*EDITOR), "Content-Type": "text/tab-separated-values"},
    )
    assert fixed.status_code == 200, fixed.text
    assert await stored(seeded, indicator) == {"2024-01": "71.4"}


async def test_a_file_that_is_neither_utf8_nor_windows_1252_is_422(seeded):
    response = await seeded.client.post(
        "/api/goals/imports/measures",
        content=b"1010\t2024-01-31\tV\x81\t1\n",
        headers={**seeded.auth(*EDITOR), "Content-Type": "text/tab-separated-values"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "not-text"


def test_styr_import_measures_from_a_file(database_urls, snapshots, monkeypatch, tmp_path):
    async def prepare() -> str:
        await snapshots.restore("seeded")
        async with running_stack(database_urls, {}) as stack:
            return await coded_indicator(stack)

    async def measured(indicator: str) -> dict:
        async with running_stack(database_urls, {}) as stack:
            return await stored(stack, indicator)

    indicator = asyncio.run(prepare())
    path = tmp_path / "measures.tsv"
    # As Excel saves it in Swedish: Windows-1252, a no-break space between thousands.
    path.write_text(FILE.replace("71,4", "1\u00a0071,4"), encoding="cp1252")
    monkeypatch.setenv("GOALS_DATABASE_URL", database_urls["goals"])
    result = CliRunner().invoke(styr, ["import", "measures", "--file", str(path), "--as", "Eva"])
    assert result.exit_code == 0, result.output
    assert "3 created" in result.output
    assert "note: The file is not UTF-8 and was read as Windows-1252" in result.output
    assert asyncio.run(measured(indicator)) == {"2024-01": "1071.4", "2024-02": "72.05", "2024-03": None}


async def test_each_imported_value_has_its_history_naming_the_importer(seeded):
    from sqlalchemy import select

    from services.goals.models import HistoryEntry

    indicator = await coded_indicator(seeded)
    await sent(seeded, FILE)
    maker = seeded.apps["goals"].state.sessionmaker
    async with maker() as session:
        measurements = await session.scalars(select(HistoryEntry).where(HistoryEntry.entity == "measurement"))
        entries = [e for e in measurements if e.after and e.after["indicator_id"] == indicator]
    assert len(entries) == 3
    assert {(e.action, e.actor, e.version) for e in entries} == {("create", "hsn.editor", 1)}
    january = next(e for e in entries if e.after["period"] == "2024-01")
    assert (january.after["value"], january.after["indicator_id"], january.after["source"]) == (
        "71.4",
        indicator,
        "measures-import",
    )


async def test_odd_lines_are_problems_with_their_own_line_numbers(seeded):
    await coded_indicator(seeded)
    text = (
        HEADER
        + '1010\t2024-01-31\tVT90\t"71\n'  # a stray quote must not swallow the next line
        + "1010\t2024-02-29\tVT90\tsjuttio\n"
        + "1010\t2024-03-31\tVT90\t"
        + "9" * 200_000
        + "\n"
        + "1010\t2024-04-30\tVT90\t100000000000000000000\n"
        + "1010\t2024-05-31\tVT90\t1\x0c2\n"
    )
    problems = (await sent(seeded, text, dry_run=True)).json()["problems"]
    assert [(p["line"], p["field"]) for p in problems] == [
        (2, "value"),
        (3, "value"),
        (4, None),
        (5, "value"),
        (6, "value"),
    ]
    assert "too large" in problems[3]["message"]


async def test_a_value_too_large_to_store_is_422_when_keyed_in(seeded):
    indicator = await coded_indicator(seeded)
    response = await seeded.client.post(
        f"/api/goals/indicators/{indicator}/measurements",
        headers=seeded.auth(*EDITOR),
        json={"period": "2024", "value": "10000000000000"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "value"]
