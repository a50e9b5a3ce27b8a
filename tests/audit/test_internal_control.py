"""Internal control: risks on the region's one matrix, controls for those at or above the threshold, results."""

import pytest

from tests.audit.conftest import etag

EDITOR = ("e", "HSN:editor")
REGISTRAR = ("r", "HSN:registrar")


class Plan:
    def __init__(self, stack, plan):
        self.stack = stack
        self.plan = plan

    @property
    def url(self):
        return f"/api/audit/internal-control/plans/{self.plan['id']}"

    async def risk(self, likelihood, consequence, title="Risk", roles=EDITOR):
        return await self.stack.client.post(
            f"{self.url}/risks",
            headers=self.stack.auth(*roles),
            json={"title": title, "likelihood": likelihood, "consequence": consequence},
        )

    async def control(self, risk_id, roles=EDITOR):
        return await self.stack.client.post(
            f"/api/audit/internal-control/risks/{risk_id}/controls",
            headers=self.stack.auth(*roles),
            json={
                "control": "Stickprov",
                "method": "Granskning av 20 fakturor",
                "frequency": "Kvartalsvis",
                "owner": "Ekonomichef",
            },
        )

    async def read(self, roles=EDITOR):
        response = await self.stack.client.get(self.url, headers=self.stack.auth(*roles))
        if response.status_code == 200:
            self.plan = response.json()
        return response

    async def decide(self, roles=REGISTRAR, **fields):
        decision = {"decided_by": "HSN", "decided_on": "2022-02-16", "paragraph": "12", "diary_number": "HSN/40/2022"}
        decision.update(fields)
        return await self.stack.client.post(
            f"{self.url}/decide", headers={**self.stack.auth(*roles), **etag(self.plan)}, json=decision
        )


@pytest.fixture
async def plan(stack):
    created = await stack.client.post(
        "/api/audit/internal-control/plans", headers=stack.auth(*EDITOR), json={"body_code": "HSN", "year": 2022}
    )
    assert created.status_code == 201
    return Plan(stack, created.json())


async def test_the_matrix_is_the_regions_one_scale(stack):
    matrix = (
        await stack.client.get("/api/audit/internal-control/matrix", headers=stack.auth("r", "RUN:reader"))
    ).json()
    assert matrix == {
        "scale_max": 4,
        "bands": [
            {"colour": "green", "from_score": 1, "to_score": 3},
            {"colour": "yellow", "from_score": 4, "to_score": 8},
            {"colour": "red", "from_score": 9, "to_score": 16},
        ],
        "control_threshold": 6,
    }


async def test_risks_are_scored_and_coloured_on_the_matrix(plan):
    for score in ((1, 2), (2, 2), (2, 3), (3, 3), (4, 4)):
        assert (await plan.risk(*score, title=f"{score}")).status_code == 201
    risks = (await plan.read()).json()["risks"]
    assert [(r["score"], r["colour"], r["needs_control"]) for r in risks] == [
        (16, "red", True),
        (9, "red", True),
        (6, "yellow", True),
        (4, "yellow", False),
        (2, "green", False),
    ]


@pytest.mark.parametrize(
    ("likelihood", "consequence", "field"), [(5, 1, "likelihood"), (1, 5, "consequence"), (0, 1, "likelihood")]
)
async def test_a_score_off_the_scale_is_422(plan, likelihood, consequence, field):
    response = await plan.risk(likelihood, consequence)
    assert response.status_code == 422
    assert field in str(response.json()["errors"][0]["loc"])


async def test_the_scale_is_configured_once_for_the_region(plan):
    settings = plan.stack.apps["audit"].state.settings
    settings.risk_scale_max = 5
    try:
        assert (await plan.risk(5, 5)).status_code == 201
    finally:
        settings.risk_scale_max = 4


async def test_only_risks_at_or_above_the_threshold_get_controls(plan):
    low = (await plan.risk(2, 2)).json()["risks"][0]
    assert low["score"] == 4
    refused = await plan.control(low["id"])
    assert refused.status_code == 422
    high = next(r for r in (await plan.risk(3, 2)).json()["risks"] if r["score"] == 6)
    accepted = await plan.control(high["id"])
    assert accepted.status_code == 201
    controlled = next(r for r in accepted.json()["risks"] if r["id"] == high["id"])
    assert controlled["controls"][0]["frequency"] == "Kvartalsvis"
    # A controlled risk is not rescored below the threshold behind the plan's back.
    rescored = await plan.stack.client.patch(
        f"/api/audit/internal-control/risks/{high['id']}",
        headers={**plan.stack.auth(*EDITOR), **etag(high)},
        json={"likelihood": 1},
    )
    assert rescored.status_code == 422


async def test_a_plan_is_decided_when_every_high_risk_has_a_control_and_is_then_locked(plan):
    high = (await plan.risk(4, 3, title="Felaktiga utbetalningar")).json()["risks"][0]
    await plan.read()
    assert (await plan.decide()).status_code == 422
    await plan.control(high["id"])
    await plan.read()
    assert (await plan.decide(roles=EDITOR)).status_code == 403
    assert (await plan.decide(roles=("a", "auditor"))).status_code == 403
    assert (await plan.decide(decided_by="RS")).status_code == 422
    decided = await plan.decide()
    assert decided.status_code == 200
    assert decided.json()["decision"]["paragraph"] == "§ 12"
    assert (await plan.risk(1, 1)).status_code == 409
    assert (await plan.control(high["id"])).status_code == 409
    rescore = await plan.stack.client.patch(
        f"/api/audit/internal-control/risks/{high['id']}",
        headers={**plan.stack.auth(*EDITOR), **etag(high)},
        json={"likelihood": 4},
    )
    assert rescore.status_code == 409


@pytest.mark.parametrize("roles", [("a", "auditor"), ("x", "RS:editor"), ("x", "HSN:reader"), ("x", "admin")])
async def test_only_the_bodys_editors_write_internal_control(stack, plan, roles):
    created = await stack.client.post(
        "/api/audit/internal-control/plans", headers=stack.auth(*roles), json={"body_code": "HSN", "year": 2023}
    )
    assert created.status_code == 403
    assert (await plan.risk(2, 2, roles=roles)).status_code in (403, 404)


async def test_one_plan_per_body_and_year(stack, plan):
    again = await stack.client.post(
        "/api/audit/internal-control/plans", headers=stack.auth(*EDITOR), json={"body_code": "HSN", "year": 2022}
    )
    assert again.status_code == 409


async def test_a_draft_plan_is_hidden_from_other_bodies(stack, plan):
    assert (await plan.read(roles=("x", "RUN:reader"))).status_code == 404
    assert (await plan.read(roles=("a", "auditor"))).status_code == 200
    listed = (await stack.client.get("/api/audit/internal-control/plans", headers=stack.auth("x", "RUN:reader"))).json()
    assert listed["total"] == 0


async def _decided_with_controls(plan, count):
    for n in range(count):
        await plan.risk(3, 3, title=f"Risk {n}")
    for risk in (await plan.read()).json()["risks"]:
        await plan.control(risk["id"])
    await plan.read()
    assert (await plan.decide()).status_code == 200
    return [r["controls"][0] for r in (await plan.read()).json()["risks"]]


async def _result(plan, control, roles=EDITOR, **fields):
    payload = {"outcome": "no_deviation", "reported_on": "2022-09-15"}
    payload.update(fields)
    return await plan.stack.client.post(
        f"/api/audit/internal-control/controls/{control['id']}/results", headers=plan.stack.auth(*roles), json=payload
    )


async def test_results_are_reported_with_t2_and_coloured(plan):
    controls = await _decided_with_controls(plan, 3)
    assert (await _result(plan, controls[0])).status_code == 201
    assert (await _result(plan, controls[0])).status_code == 409
    assert (await _result(plan, controls[1], outcome="deviation")).status_code == 422
    assert (
        await _result(plan, controls[1], outcome="deviation", description="Attest saknades", action="Rutinen ses över")
    ).status_code == 201
    assert (await plan.read()).json()["results_colour"] == "yellow"
    red = await _result(plan, controls[2], outcome="deviation", description="Avtal saknades")
    assert red.json()["colour"] == "red"
    read = (await plan.read()).json()
    colours = sorted(res["colour"] for r in read["risks"] for c in r["controls"] for res in c["results"])
    assert colours == ["green", "red", "yellow"]
    assert read["results_colour"] == "yellow"
    corrected = await plan.stack.client.put(
        f"/api/audit/internal-control/results/{red.json()['id']}",
        headers={**plan.stack.auth(*EDITOR), **etag(red.json())},
        json={"outcome": "no_deviation", "reported_on": "2022-09-20"},
    )
    assert corrected.status_code == 200
    assert (await plan.read()).json()["results_colour"] == "yellow"
    history = (
        await plan.stack.client.get(
            f"/api/audit/internal-control/results/{red.json()['id']}/history", headers=plan.stack.auth(*EDITOR)
        )
    ).json()["items"]
    assert [h["after"]["outcome"] for h in history] == ["deviation", "no_deviation"]


async def test_a_control_and_a_result_are_each_read_on_their_own_with_their_etag(plan):
    high = (await plan.risk(3, 3)).json()["risks"][0]
    control = (await plan.control(high["id"])).json()["risks"][0]["controls"][0]
    control_url = f"/api/audit/internal-control/controls/{control['id']}"
    outsider = plan.stack.auth("o", "RUN:reader")
    assert (await plan.stack.client.get(control_url, headers=outsider)).status_code == 404, "a draft plan's"
    read = await plan.stack.client.get(control_url, headers=plan.stack.auth(*EDITOR))
    assert read.status_code == 200
    assert (read.json()["id"], read.json()["control"], read.headers["etag"]) == (
        control["id"],
        "Stickprov",
        etag(control)["If-Match"],
    )
    await plan.read()
    await plan.decide()
    result = (await _result(plan, control)).json()
    result_url = f"/api/audit/internal-control/results/{result['id']}"
    got = await plan.stack.client.get(result_url, headers=outsider)
    assert got.status_code == 200
    assert got.json() == result
    assert got.headers["etag"] == f'"{result["version"]}"'
    with_it = (await plan.stack.client.get(control_url, headers=outsider)).json()
    assert [r["id"] for r in with_it["results"]] == [result["id"]]


async def test_results_need_a_decided_plan_and_the_bodys_editor(plan):
    high = (await plan.risk(3, 3)).json()["risks"][0]
    control = (await plan.control(high["id"])).json()["risks"][0]["controls"][0]
    assert (await _result(plan, control)).status_code == 409
    await plan.read()
    await plan.decide()
    assert (await _result(plan, control, roles=("a", "auditor"))).status_code == 403
    assert (await _result(plan, control, roles=("x", "RS:editor"))).status_code == 403
    result = (await _result(plan, control)).json()
    url = f"/api/audit/internal-control/results/{result['id']}"
    body = {"outcome": "no_deviation", "reported_on": "2022-09-20"}
    assert (await plan.stack.client.put(url, headers=plan.stack.auth(*EDITOR), json=body)).status_code == 428
    refused = await plan.stack.client.put(url, headers={**plan.stack.auth("a", "auditor"), **etag(result)}, json=body)
    assert refused.status_code == 403


async def test_plan_history_hides_the_draft_from_outsiders(plan):
    high = (await plan.risk(3, 3)).json()["risks"][0]
    await plan.control(high["id"])
    await plan.read()
    await plan.decide()
    history = (await plan.stack.client.get(f"{plan.url}/history", headers=plan.stack.auth("x", "RUN:reader"))).json()
    assert [h["action"] for h in history["items"]] == ["update"]
    own = (await plan.stack.client.get(f"{plan.url}/history", headers=plan.stack.auth(*EDITOR))).json()
    assert [h["action"] for h in own["items"]] == ["create", "update"]


async def test_a_draft_plan_is_reworked_controls_changed_and_risks_removed_with_history(plan):
    high = (await plan.risk(3, 3, title="Hög")).json()["risks"][0]
    control = (await plan.control(high["id"])).json()["risks"][0]["controls"][0]
    control_url = f"/api/audit/internal-control/controls/{control['id']}"
    editor = plan.stack.auth(*EDITOR)
    assert (await plan.stack.client.patch(control_url, headers=editor, json={"owner": "Controller"})).status_code == 428
    outsider = {**plan.stack.auth("a", "auditor"), **etag(control)}
    assert (
        await plan.stack.client.patch(control_url, headers=outsider, json={"owner": "Controller"})
    ).status_code == 403
    assert (
        await plan.stack.client.patch(control_url, headers={**editor, **etag(control)}, json={"owner": None})
    ).status_code == 422
    changed = await plan.stack.client.patch(
        control_url, headers={**editor, **etag(control)}, json={"owner": "Controller"}
    )
    assert changed.status_code == 200
    assert changed.json()["risks"][0]["controls"][0]["owner"] == "Controller"
    history = (await plan.stack.client.get(f"{control_url}/history", headers=editor)).json()["items"]
    assert [h["action"] for h in history] == ["create", "update"]
    assert (await plan.stack.client.delete(control_url, headers={**editor, **etag(control)})).status_code == 412
    assert (
        await plan.stack.client.delete(control_url, headers={**outsider, "If-Match": changed.headers["etag"]})
    ).status_code == 403
    removed = await plan.stack.client.delete(control_url, headers={**editor, "If-Match": changed.headers["etag"]})
    assert removed.status_code == 204
    assert (await plan.read()).json()["uncontrolled_risks"] == 1
    risk_url = f"/api/audit/internal-control/risks/{high['id']}"
    assert (await plan.stack.client.delete(risk_url, headers={**editor, **etag(high)})).status_code == 204
    assert (await plan.read()).json()["risks"] == []


async def test_a_decided_plan_keeps_its_risks_and_controls(plan):
    high = (await plan.risk(3, 3)).json()["risks"][0]
    control = (await plan.control(high["id"])).json()["risks"][0]["controls"][0]
    await plan.read()
    assert (await plan.decide()).status_code == 200
    editor = plan.stack.auth(*EDITOR)
    control_url = f"/api/audit/internal-control/controls/{control['id']}"
    assert (
        await plan.stack.client.patch(control_url, headers={**editor, **etag(control)}, json={"owner": "X"})
    ).status_code == 409
    assert (await plan.stack.client.delete(control_url, headers={**editor, **etag(control)})).status_code == 409
    risk_url = f"/api/audit/internal-control/risks/{high['id']}"
    assert (await plan.stack.client.delete(risk_url, headers={**editor, **etag(high)})).status_code == 409


async def test_a_change_to_a_risk_or_control_moves_the_plans_etag(plan):
    high = (await plan.risk(3, 3, title="Felaktiga utbetalningar")).json()["risks"][0]
    await plan.control(high["id"])
    seen = (await plan.read()).headers["etag"]
    # Another editor rescores the risk after the registrar read the plan.
    rescored = await plan.stack.client.patch(
        f"/api/audit/internal-control/risks/{high['id']}",
        headers={**plan.stack.auth(*EDITOR), **etag(high)},
        json={"likelihood": 4},
    )
    assert rescored.status_code == 200
    stale = await plan.stack.client.post(
        f"{plan.url}/decide",
        headers={**plan.stack.auth(*REGISTRAR), "If-Match": seen},
        json={"decided_by": "HSN", "decided_on": "2022-02-16", "paragraph": "12"},
    )
    assert stale.status_code == 412
    etags = [(await plan.read()).headers["etag"]]
    control = plan.plan["risks"][0]["controls"][0]
    changed = await plan.stack.client.patch(
        f"/api/audit/internal-control/controls/{control['id']}",
        headers={**plan.stack.auth(*EDITOR), **etag(control)},
        json={"owner": "Controller"},
    )
    assert changed.status_code == 200
    etags.append((await plan.read()).headers["etag"])
    removed = await plan.stack.client.delete(
        f"/api/audit/internal-control/controls/{control['id']}", headers={**plan.stack.auth(*EDITOR), **etag(control)}
    )
    assert removed.status_code == 412  # the control's own ETag moved with the change above
    control = plan.plan["risks"][0]["controls"][0]
    removed = await plan.stack.client.delete(
        f"/api/audit/internal-control/controls/{control['id']}", headers={**plan.stack.auth(*EDITOR), **etag(control)}
    )
    assert removed.status_code == 204
    etags.append((await plan.read()).headers["etag"])
    assert len({seen, *etags}) == 4
    assert (await plan.decide()).status_code == 422  # the current ETag, but the high risk lost its control
