"""Kolada import: pages in Kolada's v2 and v3 shapes become measurements, exactly, all or nothing,
idempotent, with flagged values recorded as missing and never as zero."""

import asyncio
import json
import re
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from cli import imports as cli_imports
from cli.main import app as styr
from tests.conftest import running_stack

PAGES = Path(__file__).parent / "kolada"
EDITOR = ("hsn.editor", "HSN:editor")
ROBOT = {"client": True, "scopes": ["write:measurements", "read:decided"]}


def page(name: str) -> dict:
    return json.loads((PAGES / name).read_text())


async def follower(stack) -> str:
    """A draft HSN goal with an indicator following KPI U00405 for Region Jämtland Härjedalen (0023)."""
    headers = stack.auth(*EDITOR)
    goal = await stack.client.post(
        "/api/goals/goals",
        headers=headers,
        json={"unit_code": "HSN", "title": "Första besök i tid", "start_year": 2020, "end_year": 2024},
    )
    indicator = await stack.client.post(
        "/api/goals/indicators",
        headers=headers,
        json={
            "goal_id": goal.json()["id"],
            "name": "Första besök inom 90 dagar",
            "unit_of_measure": "%",
            "direction": "higher_is_better",
            "source": "kolada",
            "kolada_kpi": "U00405",
            "kolada_area": "0023",
        },
    )
    assert indicator.status_code == 201, indicator.text
    return str(indicator.json()["id"])


async def imported(stack, body: dict, *, dry_run: bool = False, headers=None):
    return await stack.client.post(
        f"/api/goals/imports/kolada?dry_run={str(dry_run).lower()}", json=body, headers=headers or stack.auth(*EDITOR)
    )


async def stored(stack, indicator_id: str) -> dict[str, dict]:
    response = await stack.client.get(f"/api/goals/indicators/{indicator_id}/measurements", headers=stack.auth(*EDITOR))
    return {m["period"]: m for m in response.json()["items"]}


async def test_a_dry_run_reports_what_would_change_and_changes_nothing(seeded):
    indicator = await follower(seeded)
    response = await imported(seeded, page("v2_page1.json"), dry_run=True)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["read"], report["created"], report["updated"], report["applied"]) == (3, 2, 0, False)
    assert report["notes"] == ["1 value(s) for KPIs or areas no indicator follows were skipped"]
    assert await stored(seeded, indicator) == {}


async def test_values_are_stored_exactly_with_the_gender_split_and_flags_as_missing(seeded):
    indicator = await follower(seeded)
    assert (await imported(seeded, page("v2_page1.json"))).json()["applied"] is True
    values = await stored(seeded, indicator)
    assert set(values) == {"2021", "2022"}
    assert (values["2021"]["value"], values["2021"]["value_women"], values["2021"]["value_men"]) == (
        "71.4",
        "70.2",
        "72.9",
    )
    assert (values["2022"]["value"], values["2022"]["value_women"]) == ("76.35", None)
    assert values["2022"]["comment"] == "Kolada: missing (K: Missing)"
    assert values["2022"]["source"] == "kolada"


async def test_a_year_kolada_has_no_value_for_is_recorded_as_missing_not_zero(seeded):
    indicator = await follower(seeded)
    await imported(seeded, page("v2_page2.json"))
    missing = (await stored(seeded, indicator))["2020"]
    assert missing["value"] is None
    assert missing["comment"] == "Kolada: missing (T: Missing)"


async def test_the_v3_shape_with_municipality_id_and_an_integer_period(seeded):
    indicator = await follower(seeded)
    response = await imported(seeded, page("v3_page.json"))
    assert response.json()["created"] == 1
    assert (await stored(seeded, indicator))["2023"]["value"] == "78.125"


async def test_the_same_page_twice_changes_nothing_the_second_time(seeded):
    indicator = await follower(seeded)
    await imported(seeded, page("v2_page1.json"))
    before = await stored(seeded, indicator)
    again = (await imported(seeded, page("v2_page1.json"))).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert await stored(seeded, indicator) == before


async def test_a_revised_value_updates_the_measurement(seeded):
    indicator = await follower(seeded)
    assert await decide_goal_of(seeded, indicator)
    await imported(seeded, page("v2_page1.json"))
    revised = page("v2_page1.json")
    revised["values"][0]["values"][2]["value"] = 71.9
    report = (await imported(seeded, revised, headers=seeded.auth("robot", name="Rapportroboten", **ROBOT))).json()
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 1, 1)
    measurement = (await stored(seeded, indicator))["2021"]
    assert measurement["value"] == "71.9"
    assert measurement["version"] == 2


async def test_one_bad_value_refuses_the_whole_page_and_says_where(seeded):
    indicator = await follower(seeded)
    bad = page("v2_page1.json")
    bad["values"][1]["values"][2]["value"] = 76.1234567
    dry = (await imported(seeded, bad, dry_run=True)).json()
    assert dry["problems"] == [{"line": 2, "field": "values.T", "message": dry["problems"][0]["message"]}]
    assert dry["problems"][0]["message"] == "76.1234567 has more than 6 decimals"
    response = await imported(seeded, bad)
    assert response.status_code == 422
    assert response.json()["code"] == "import-refused"
    assert response.json()["report"]["problems"][0]["line"] == 2
    assert await stored(seeded, indicator) == {}  # the good first line was not written either


async def test_a_caller_who_may_not_measure_the_unit_is_refused_row_by_row(seeded):
    indicator = await follower(seeded)
    assert await decide_goal_of(seeded, indicator)
    response = await imported(seeded, page("v2_page1.json"), headers=seeded.auth("run", "RUN:editor"))
    assert response.status_code == 422
    problems = response.json()["report"]["problems"]
    assert [(p["line"], p["field"]) for p in problems] == [(1, "unit"), (2, "unit")]
    assert problems[0]["message"] == "recording values needs editor on HSN"
    assert await stored(seeded, indicator) == {}


async def test_a_draft_the_caller_may_not_read_is_as_if_absent(seeded):
    indicator = await follower(seeded)
    report = (await imported(seeded, page("v2_page1.json"), headers=seeded.auth("run", "RUN:editor"))).json()
    assert (report["created"], report["problems"]) == (0, [])
    assert report["notes"] == ["3 value(s) for KPIs or areas no indicator follows were skipped"]
    assert await stored(seeded, indicator) == {}


async def decide_goal_of(stack, indicator_id: str) -> bool:
    read = await stack.client.get(f"/api/goals/indicators/{indicator_id}", headers=stack.auth(*EDITOR))
    goal_id = read.json()["goal_id"]
    goal = await stack.client.get(f"/api/goals/goals/{goal_id}", headers=stack.auth(*EDITOR))
    strategy = (await stack.client.get("/api/goals/plans", headers=stack.auth(*EDITOR))).json()["items"][0]
    linked = await stack.client.patch(
        f"/api/goals/goals/{goal_id}",
        headers={**stack.auth(*EDITOR), "If-Match": goal.headers["etag"]},
        json={"parent_strategy_id": strategy["strategies"][0]["id"]},
    )
    decided = await stack.client.post(
        f"/api/goals/goals/{goal_id}/decide",
        headers={**stack.auth("reg", "HSN:registrar"), "If-Match": linked.headers["etag"]},
        json={"decided_by": "HSN", "decided_on": "2022-02-01", "paragraph": "§ 12"},
    )
    return decided.status_code == 200


async def test_an_integration_with_the_measurement_scope_may_import_into_decided_goals(seeded):
    indicator = await follower(seeded)
    hidden = await imported(seeded, page("v2_page1.json"), headers=seeded.auth("robot", **ROBOT))
    assert hidden.json()["created"] == 0  # a draft is not the integration's to see
    assert await decide_goal_of(seeded, indicator)
    response = await imported(seeded, page("v2_page1.json"), headers=seeded.auth("robot", **ROBOT))
    assert response.status_code == 200
    assert response.json()["created"] == 2


async def test_a_value_keyed_in_by_hand_is_left_alone(seeded):
    indicator = await follower(seeded)
    manual = await seeded.client.post(
        f"/api/goals/indicators/{indicator}/measurements",
        headers=seeded.auth(*EDITOR),
        json={"period": "2021", "value": "70"},
    )
    assert manual.status_code == 201
    report = (await imported(seeded, page("v2_page1.json"))).json()
    assert (report["created"], report["left_alone"]) == (1, 1)
    assert "has a value from manual entry" in report["notes"][-1]
    assert (await stored(seeded, indicator))["2021"]["value"] == "70"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kpi": "N0002"}, "kpi"),
        ({"municipality": "23"}, "municipality"),
        ({"period": 1850}, "period"),
    ],
)
async def test_a_page_that_is_not_kolada_shaped_is_422_naming_the_field(seeded, change, field):
    bad = page("v2_page1.json")
    bad["values"][0].update(change)
    response = await imported(seeded, bad)
    assert response.status_code == 422
    assert field in response.json()["errors"][0]["loc"]


class Kolada:
    """Kolada's API as recorded pages, failing the first call to show the retry."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(str(request.url))
        if len(self.calls) == 1:
            return httpx.Response(503)
        name = "v2_page2.json" if "page=2" in str(request.url) else "v2_page1.json"
        return httpx.Response(200, text=(PAGES / name).read_text())


def test_fetching_follows_next_page_and_retries_a_failed_call(monkeypatch):
    monkeypatch.setattr(cli_imports.time, "sleep", lambda _: None)
    kolada = Kolada()
    with httpx.Client(transport=httpx.MockTransport(kolada)) as client:
        pages = list(cli_imports.fetch_pages(client, "http://api.kolada.se/v2/data/kpi/U00405"))
    assert [len(p.values) for p in pages] == [3, 1]
    assert len(kolada.calls) == 3
    assert str(pages[0].values[1].values[2].value) == "76.35"


def test_fetching_gives_up_after_the_retries(monkeypatch):
    monkeypatch.setattr(cli_imports.time, "sleep", lambda _: None)
    with (
        httpx.Client(transport=httpx.MockTransport(lambda _: httpx.Response(502))) as client,
        pytest.raises(cli_imports.FetchFailed, match="gave up after 4 attempts"),
    ):
        list(cli_imports.fetch_pages(client, "http://api.kolada.se/v2/data"))


def test_styr_import_kolada_from_files(database_urls, snapshots, monkeypatch):
    async def prepare() -> str:
        await snapshots.restore("seeded")
        async with running_stack(database_urls, {}) as stack:
            return await follower(stack)

    async def measured(indicator: str) -> dict:
        async with running_stack(database_urls, {}) as stack:
            return await stored(stack, indicator)

    indicator = asyncio.run(prepare())
    monkeypatch.setenv("GOALS_DATABASE_URL", database_urls["goals"])
    files = ["--file", str(PAGES / "v2_page1.json"), "--file", str(PAGES / "v2_page2.json")]
    dry = CliRunner().invoke(styr, ["import", "kolada", *files, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would change: 3 created" in dry.output
    assert asyncio.run(measured(indicator)) == {}
    real = CliRunner().invoke(styr, ["import", "kolada", *files, "--as", "Eva Ekonom"])
    assert real.exit_code == 0, real.output
    assert set(asyncio.run(measured(indicator))) == {"2020", "2021", "2022"}


async def test_values_sent_over_http_stay_exact_to_the_last_digit(seeded):
    indicator = await follower(seeded)
    text = (PAGES / "v3_page.json").read_text().replace("78.125", "8999999999.999999")
    response = await seeded.client.post(
        "/api/goals/imports/kolada",
        content=text.encode(),
        headers={**seeded.auth(*EDITOR), "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert (await stored(seeded, indicator))["2023"]["value"] == "8999999999.999999"


async def test_a_hand_correction_of_an_imported_value_is_left_alone_by_the_next_import(seeded):
    indicator = await follower(seeded)
    await imported(seeded, page("v2_page1.json"))
    imported_2021 = (await stored(seeded, indicator))["2021"]
    corrected = await seeded.client.patch(
        f"/api/goals/measurements/{imported_2021['id']}",
        headers={**seeded.auth(*EDITOR), "If-Match": f'"{imported_2021["version"]}"'},
        json={"value": "71.5", "comment": "Rättad efter kontroll"},
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["source"] is None
    report = (await imported(seeded, page("v2_page1.json"))).json()
    assert (report["updated"], report["left_alone"]) == (0, 1)
    assert (await stored(seeded, indicator))["2021"]["value"] == "71.5"


async def test_a_bad_value_for_a_draft_the_caller_may_not_read_reveals_nothing(seeded):
    await follower(seeded)
    bad = page("v2_page1.json")
    bad["values"][0]["values"][0]["value"] = 70.1234567
    response = await imported(seeded, bad, headers=seeded.auth("run", "RUN:editor"))
    assert response.status_code == 200
    assert response.json()["problems"] == []
    assert response.json()["notes"] == ["3 value(s) for KPIs or areas no indicator follows were skipped"]


@pytest.mark.parametrize("value", ["1e30", "10000000000000", "-1e13"])
async def test_a_value_too_large_to_store_is_a_problem_not_a_failure(seeded, value):
    await follower(seeded)
    text = (PAGES / "v3_page.json").read_text().replace("78.125", value)
    response = await seeded.client.post(
        "/api/goals/imports/kolada?dry_run=true",
        content=text.encode(),
        headers={**seeded.auth(*EDITOR), "Content-Type": "application/json"},
    )
    assert response.status_code == 200
    assert "too large" in response.json()["problems"][0]["message"]


async def test_a_value_written_as_text_takes_the_documented_pattern(seeded):
    # Found by schemathesis: the document let a value be any string; the server took only decimals, " 5" too.
    document = await seeded.document()
    documented = document["components"]["schemas"]["KoladaValue"]["properties"]["value"]["anyOf"]
    text = next(option["pattern"] for option in documented if option.get("type") == "string")
    entry = {"kpi": "U00405", "municipality": "0023", "period": 2021}
    for written in [" 5", "+5", "1e3", "fem", "5 "]:
        assert re.fullmatch(text, written) is None
        body = {"values": [{**entry, "values": [{"gender": "T", "value": written}]}]}
        refused = await imported(seeded, body, dry_run=True)
        assert refused.status_code == 422, written
        assert refused.json()["errors"][0]["loc"] == ["body", "values", 0, "values", 0, "value"]
    for written in ["83.4", 83.4, 83]:
        body = {"values": [{**entry, "values": [{"gender": "T", "value": written}]}]}
        assert (await imported(seeded, body, dry_run=True)).status_code == 200, written
