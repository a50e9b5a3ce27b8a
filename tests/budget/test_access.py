"""Every budget route refuses those its rule leaves out: callers without a read role, and the wrong writers."""

import pytest
from sqlalchemy import event

from tests.budget.conftest import if_match

FINANCE = ("ekonom", "finance")


async def _first(stack, path):
    return (await stack.client.get(path, headers=stack.auth(*FINANCE))).json()["items"][0]


@pytest.fixture
async def ids(seeded):
    frame = await _first(seeded, "/api/budget/frames?unit=HSN&year=2022")
    outcome = await _first(seeded, "/api/budget/outcomes?unit=HSN")
    forecast = await _first(seeded, "/api/budget/forecasts?unit=HSN")
    project = await _first(seeded, "/api/budget/investments")
    grant = await _first(seeded, "/api/budget/grants")
    return {"frame": frame, "outcome": outcome, "forecast": forecast, "project": project, "grant": grant}


READS = [
    "/api/budget/resources",
    "/api/budget/resources/2022",
    "/api/budget/resources/2022/history",
    "/api/budget/frames",
    "/api/budget/frames/{frame}",
    "/api/budget/frames/{frame}/history",
    "/api/budget/frames/total?year=2022",
    "/api/budget/outcomes",
    "/api/budget/outcomes/{outcome}",
    "/api/budget/outcomes/{outcome}/history",
    "/api/budget/periodisations/HSN/2022",
    "/api/budget/periodisations/HSN/2022/history",
    "/api/budget/forecasts",
    "/api/budget/forecasts/{forecast}",
    "/api/budget/forecasts/{forecast}/history",
    "/api/budget/closed-years",
    "/api/budget/economy/units/HSN?year=2022",
    "/api/budget/economy/region?year=2022",
    "/api/budget/investment-frames",
    "/api/budget/investment-frames/2022",
    "/api/budget/investment-frames/2022/history",
    "/api/budget/investments",
    "/api/budget/investments/plan?from_year=2022",
    "/api/budget/investments/{project}",
    "/api/budget/investments/{project}/history",
    "/api/budget/grants",
    "/api/budget/grants/summary?year=2022",
    "/api/budget/grants/{grant}",
    "/api/budget/grants/{grant}/history",
]


def _path(template, ids):
    return template.format(**{name: record["id"] for name, record in ids.items()})


@pytest.mark.parametrize("template", READS)
async def test_every_read_is_refused_to_a_client_without_a_read_scope(seeded, ids, template):
    path = _path(template, ids)
    assert (await seeded.client.get(path, headers=seeded.auth(*FINANCE))).status_code == 200, path
    robot = seeded.auth("robot", client=True, scopes=["something:else"])
    assert (await seeded.client.get(path, headers=robot)).status_code == 403, path


@pytest.mark.parametrize(
    "template",
    [
        "/api/budget/outcomes/{outcome}",
        "/api/budget/outcomes/{outcome}/history",
        "/api/budget/forecasts/{forecast}",
        "/api/budget/forecasts/{forecast}/history",
    ],
)
async def test_a_units_follow_up_is_hidden_from_other_units(seeded, ids, template):
    path = _path(template, ids)
    assert (await seeded.client.get(path, headers=seeded.auth("r", "RUN:reader"))).status_code == 404
    assert (await seeded.client.get(path, headers=seeded.auth("r", "HSN:reader"))).status_code == 200


async def test_writes_are_refused_to_the_wrong_roles(seeded, ids):
    hsn_editor = seeded.auth("e", "HSN:editor")
    run_editor = seeded.auth("e", "RUN:editor")
    grant, frame, project = ids["grant"], ids["frame"], ids["project"]
    decided = next(
        f
        for f in (await seeded.client.get("/api/budget/frames?unit=RS&year=2022", headers=hsn_editor)).json()["items"]
        if f["status"] == "decided"
    )
    refusals = [
        seeded.client.post(f"/api/budget/frames/{decided['id']}/revisions", headers=hsn_editor, json={}),
        seeded.client.post(
            "/api/budget/closed-years", headers=hsn_editor, json={"year": 2022, "closed_on": "2023-02-01"}
        ),
        seeded.client.patch("/api/budget/investment-frames/2022", headers=hsn_editor, json={"amount": "1"}),
        seeded.client.post("/api/budget/investment-frames", headers=hsn_editor, json={"year": 2030, "amount": "1"}),
        seeded.client.patch(
            f"/api/budget/grants/{grant['id']}", headers=if_match(run_editor, grant), json={"name": "x"}
        ),
        seeded.client.put(f"/api/budget/grants/{grant['id']}/uses/2022", headers=run_editor, json={"used": "1"}),
        seeded.client.put("/api/budget/periodisations/HSN/2022", headers=hsn_editor, json={"months": ["1"] * 12}),
        seeded.client.post(
            "/api/budget/resources",
            headers=hsn_editor,
            json={"year": 2030, "tax_revenue": "1", "general_grants": "1", "lpik_percent": "2"},
        ),
        seeded.client.patch(f"/api/budget/outcomes/{ids['outcome']['id']}", headers=hsn_editor, json={"amount": "1"}),
        seeded.client.patch(f"/api/budget/frames/{frame['id']}", headers=hsn_editor, json={"savings": "1"}),
    ]
    if project["owner_unit"] != "RUN":
        refusals.append(
            seeded.client.put(f"/api/budget/investments/{project['id']}/years", headers=run_editor, json={"years": []})
        )
    for call in refusals:
        response = await call
        assert response.status_code == 403, response.request.url
    linked = next(
        g for g in (await seeded.client.get("/api/budget/grants", headers=hsn_editor)).json()["items"] if g["goals"]
    )
    link = linked["goals"][0]
    unlink = await seeded.client.delete(
        f"/api/budget/grants/{linked['id']}/goals/{link['id']}", headers=if_match(run_editor, link)
    )
    assert unlink.status_code == 403


class StatementCounter:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs):
        self.count += 1


async def _statements(stack, path):
    counter = StatementCounter(stack.apps["budget"].state.engine)
    response = await stack.client.get(path, headers=stack.auth(*FINANCE))
    assert response.status_code == 200
    return counter.count


async def test_lists_with_nested_parts_take_the_same_statements_however_many_records(seeded):
    paths = [
        "/api/budget/investments",
        "/api/budget/grants",
        "/api/budget/grants/summary?year=2022",
        "/api/budget/investments/plan?from_year=2022",
    ]
    before = [await _statements(seeded, p) for p in paths]
    headers = seeded.auth(*FINANCE)
    for n in range(4):
        years = [{"year": 2022 + i, "planned": "10.00", "depreciation": "1.00"} for i in range(10)]
        project = {"name": f"Projekt {n}", "owner_unit": "RUN", "category": "it", "total": "100.00", "years": years}
        assert (await seeded.client.post("/api/budget/investments", headers=headers, json=project)).status_code == 201
        grant = {
            "name": f"Bidrag {n}",
            "grantor": "Socialstyrelsen",
            "first_year": 2022,
            "last_year": 2022,
            "amount": "1.00",
            "coordinator_unit": "RUN",
            "coordinator": "Samordnare",
        }
        made = (await seeded.client.post("/api/budget/grants", headers=headers, json=grant)).json()
        await seeded.client.put(f"/api/budget/grants/{made['id']}/uses/2022", headers=headers, json={"used": "0.50"})
    after = [await _statements(seeded, p) for p in paths]
    assert after == before
