"""Targeted state grants: the goals they serve (checked with the goals service), their use, those with no goal."""

import uuid
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from services.budget.models import GrantGoalLink
from tests.budget.conftest import FINANCE, if_match

GRANT = {
    "name": "Kömiljarden",
    "grantor": "SKR",
    "first_year": 2025,
    "last_year": 2026,
    "amount": "42500000.00",
    "coordinator_unit": "HSN",
    "coordinator": "Karin Samordnare",
    "reporting_deadline": "2026-03-31",
}


async def _grant(stack, headers=None, **fields):
    return await stack.client.post(
        "/api/budget/grants", headers=headers or stack.auth(*FINANCE), json={**GRANT, **fields}
    )


async def _goal(stack, unit="HSN", title="Vård i rätt tid"):
    body = {"unit_code": unit, "title": title, "start_year": 2025}
    response = await stack.client.post("/api/goals/goals", headers=stack.auth("e", f"{unit}:editor"), json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def _link(stack, grant, goal_id, headers=None):
    return await stack.client.post(
        f"/api/budget/grants/{grant['id']}/goals",
        headers=headers or stack.auth(*FINANCE),
        json={"goal_id": goal_id, "how": "Medlen finansierar extra operationer för att korta köerna"},
    )


async def test_a_grant_is_linked_to_a_goal_that_the_goals_service_knows(org):
    grant = (await _grant(org)).json()
    assert (grant["has_goal"], grant["goals"]) == (False, [])
    goal_id = await _goal(org)
    linked = await _link(org, grant, goal_id)
    assert linked.status_code == 201
    assert linked.json()["has_goal"] is True
    assert linked.json()["goals"][0]["goal_id"] == goal_id
    assert (await _link(org, grant, goal_id)).status_code == 409


async def test_a_goal_that_does_not_exist_is_422(org):
    grant = (await _grant(org)).json()
    response = await _link(org, grant, str(uuid.uuid4()))
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "goal_id"]
    assert (await _link(org, grant, "not-a-uuid")).status_code == 422


async def test_a_goal_the_caller_may_not_see_counts_as_absent(org):
    # The budget service asks the goals service with the caller's own token: RUN's editor does not see HSN's draft.
    grant = (await _grant(org, coordinator_unit="RUN")).json()
    hidden = await _goal(org, "HSN")
    assert (await _link(org, grant, hidden, headers=org.auth("e", "RUN:editor"))).status_code == 422
    visible = await _goal(org, "RUN", "Ett livskraftigt näringsliv")
    assert (await _link(org, grant, visible, headers=org.auth("e", "RUN:editor"))).status_code == 201


async def test_when_the_goals_service_is_down_linking_is_503(org):
    grant = (await _grant(org)).json()
    goal_id = await _goal(org)
    org.transport.down.add("goals")
    response = await _link(org, grant, goal_id)
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "service-unavailable"


async def test_grants_with_no_goal_are_listed_as_such(org):
    linked = (await _grant(org)).json()
    await _link(org, linked, await _goal(org))
    alone = (await _grant(org, name="Psykisk hälsa", grantor="Socialstyrelsen")).json()
    headers = org.auth("r", "RUN:reader")
    listed = (await org.client.get("/api/budget/grants?without_goal=true", headers=headers)).json()
    assert [g["id"] for g in listed["items"]] == [alone["id"]]
    summary = (await org.client.get("/api/budget/grants/summary?year=2025", headers=headers)).json()
    assert [g["name"] for g in summary["without_goal"]] == ["Psykisk hälsa"]
    assert (summary["grants"], summary["amount"]) == (2, "85000000.00")


@pytest.mark.parametrize(
    "fields",
    [
        {"last_year": 2024},
        {"coordinator_unit": "NOPE"},
        {"amount": "1.005"},
        {"name": ""},
        {"reporting_deadline": "2026-02-30"},
    ],
)
async def test_a_bad_grant_is_422(org, fields):
    assert (await _grant(org, **fields)).status_code == 422


async def test_finance_or_the_coordinating_units_editor_write_a_grant(org):
    assert (await _grant(org, headers=org.auth("e", "HSN:editor"))).status_code == 201
    for roles in [("RUN:editor",), ("HSN:reader",), ("auditor",)]:
        assert (await _grant(org, headers=org.auth("x", *roles))).status_code == 403, roles
    grant = (await _grant(org)).json()
    refused = await _link(org, grant, str(uuid.uuid4()), headers=org.auth("e", "RUN:editor"))
    assert refused.status_code == 403


async def test_use_per_year_is_exact_and_a_change_needs_the_etag(org):
    grant = (await _grant(org)).json()
    headers = org.auth(*FINANCE)
    url = f"/api/budget/grants/{grant['id']}/uses"
    assert (await org.client.put(f"{url}/2025", headers=headers, json={"used": "20000000.10"})).status_code == 200
    body = (await org.client.put(f"{url}/2026", headers=headers, json={"used": "0.20"})).json()
    assert body["used_total"] == str(Decimal("20000000.10") + Decimal("0.20"))
    assert (await org.client.put(f"{url}/2027", headers=headers, json={"used": "1.00"})).status_code == 422
    assert (await org.client.put(f"{url}/2025", headers=headers, json={"used": "1.00"})).status_code == 428
    use = body["used"][0]
    changed = await org.client.put(f"{url}/2025", headers=if_match(headers, use), json={"used": "21000000.00"})
    assert changed.json()["used"][0]["used"] == "21000000.00"
    summary = (await org.client.get("/api/budget/grants/summary?year=2025&as_of=2026-12-31", headers=headers)).json()
    assert (summary["used_in_year"], summary["rows"][0]["used_total"]) == ("21000000.00", "21000000.20")


async def test_the_summary_as_at_a_date_counts_the_uses_of_the_years_ended_by_then(org):
    grant = (await _grant(org)).json()
    headers = org.auth(*FINANCE)
    url = f"/api/budget/grants/{grant['id']}/uses"
    await org.client.put(f"{url}/2025", headers=headers, json={"used": "20000000.10"})
    await org.client.put(f"{url}/2026", headers=headers, json={"used": "0.20"})
    answers = {}
    for as_of in ("2025-08-31", "2025-12-31", "2026-04-30"):
        summary = (await org.client.get(f"/api/budget/grants/summary?year=2025&as_of={as_of}", headers=headers)).json()
        answers[as_of] = (summary["as_of"], summary["used_in_year"], summary["rows"][0]["used_total"])
    # At T2 of 2025 the year's use is not known yet: null, not a zero that looks real.
    assert answers == {
        "2025-08-31": ("2025-08-31", None, "0.00"),
        "2025-12-31": ("2025-12-31", "20000000.10", "20000000.10"),
        "2026-04-30": ("2026-04-30", "20000000.10", "20000000.10"),
    }


async def test_the_effect_reported_is_kept_in_history(org):
    grant = (await _grant(org)).json()
    url = f"/api/budget/grants/{grant['id']}"
    headers = org.auth("e", "HSN:editor")
    assert (await org.client.patch(url, headers=headers, json={"effect_reported": "Kön minskade"})).status_code == 428
    changed = await org.client.patch(
        url, headers=if_match(headers, grant), json={"effect_reported": "Kön minskade med 30 %"}
    )
    assert changed.json()["effect_reported"] == "Kön minskade med 30 %"
    history = (await org.client.get(f"{url}/history", headers=headers)).json()["items"]
    assert history[-1]["after"]["effect_reported"] == "Kön minskade med 30 %"


async def test_a_goal_link_is_removed_with_its_etag(org):
    grant = (await _grant(org)).json()
    link = (await _link(org, grant, await _goal(org))).json()["goals"][0]
    url = f"/api/budget/grants/{grant['id']}/goals/{link['id']}"
    assert (await org.client.delete(url, headers=org.auth(*FINANCE))).status_code == 428
    removed = await org.client.delete(url, headers=if_match(org.auth(*FINANCE), link))
    assert removed.json()["has_goal"] is False


async def test_a_goal_is_linked_to_a_grant_once_even_when_two_links_race(org):
    grant = (await _grant(org)).json()
    goal_id = await _goal(org)
    assert (await _link(org, grant, goal_id)).status_code == 201
    # A second request that passed the service's own check at the same moment meets the database's rule.
    async with org.apps["budget"].state.sessionmaker() as session:
        session.add(GrantGoalLink(grant_id=uuid.UUID(grant["id"]), goal_id=uuid.UUID(goal_id), how="Samma mål igen"))
        with pytest.raises(IntegrityError):
            await session.flush()


async def test_resolving_a_link_to_a_goal_linked_already_is_409(seeded):
    headers = seeded.auth(*FINANCE)
    grants = (await seeded.client.get("/api/budget/grants", headers=headers)).json()["items"]
    grant = next(g for g in grants if g["has_goal"])
    pending = grant["goals"][0]
    goals = (await seeded.client.get("/api/goals/goals?unit=HSN&limit=500", headers=headers)).json()["items"]
    same_goal = next(g["id"] for g in goals if g["title"] == pending["goal_title"])
    assert (await _link(seeded, grant, same_goal)).status_code == 201
    url = f"/api/budget/grants/{grant['id']}/goals/resolve"
    refused = await seeded.client.post(url, headers=headers)
    assert refused.status_code == 409
    assert same_goal in refused.json()["detail"]
    links = (await seeded.client.get(f"/api/budget/grants/{grant['id']}", headers=headers)).json()["goals"]
    assert sorted(str(link["goal_id"]) for link in links) == sorted([same_goal, "None"])


async def test_a_years_use_has_its_history(org):
    grant = (await _grant(org)).json()
    url = f"/api/budget/grants/{grant['id']}/uses"
    headers = org.auth(*FINANCE)
    first = (await org.client.put(f"{url}/2025", headers=headers, json={"used": "100.00"})).json()["used"][0]
    await org.client.put(f"{url}/2025", headers=if_match(headers, first), json={"used": "250.50"})
    await org.client.put(f"{url}/2026", headers=headers, json={"used": "7.00"})
    history = await org.client.get(f"{url}/2025/history", headers=org.auth("r", "RUN:reader"))
    assert history.status_code == 200
    assert [(h["action"], h["after"]["used"]) for h in history.json()["items"]] == [
        ("create", "100.00"),
        ("update", "250.50"),
    ]
    assert (await org.client.get(f"{url}/2027/history", headers=headers)).status_code == 404
    assert (await org.client.get(f"{url}/2025/history", headers=org.auth("svc", client=True))).status_code == 403


async def test_a_years_use_takes_evidence_files_from_those_who_may_report_it(org):
    grant = (await _grant(org)).json()
    uses = f"/api/budget/grants/{grant['id']}/uses"
    unreported = await org.client.post(
        f"{uses}/2025/evidence", headers=org.auth(*FINANCE), files={"file": ("redovisning.txt", b"x")}
    )
    assert unreported.status_code == 404
    assert unreported.json()["code"] == "not-found"
    recorded = await org.client.put(f"{uses}/2025", headers=org.auth(*FINANCE), json={"used": "30000000.00"})
    assert recorded.status_code == 200, recorded.text
    report = b"Redovisning till SKR 2025\n"
    added = await org.client.post(
        f"{uses}/2025/evidence", headers=org.auth("e", "HSN:editor"), files={"file": ("redovisning.txt", report)}
    )
    assert added.status_code == 201, added.text
    assert (added.json()["record_kind"], added.json()["media_type"]) == ("grant-use", "text/plain")
    refused = await org.client.post(
        f"{uses}/2025/evidence", headers=org.auth("r", "RUN:editor"), files={"file": ("a.txt", b"x")}
    )
    assert refused.status_code == 403
    got = await org.client.get(f"{uses}/2025/evidence/{added.json()['id']}", headers=org.auth("b", "RS:reader"))
    assert got.content == report
