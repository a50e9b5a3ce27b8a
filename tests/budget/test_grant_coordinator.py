"""The person who coordinates a grant and reports its use each year, beside the role in words."""

from tests.budget.conftest import FINANCE, if_match
from tests.budget.test_grants import GRANT


async def test_a_grant_names_its_coordinator_as_a_person(org):
    finance = org.auth(*FINANCE)
    body = {**GRANT, "coordinator": "Samordnare", "coordinator_subject": "karin", "coordinator_name": "Karin Ek"}
    created = await org.client.post("/api/budget/grants", headers=finance, json=body)
    assert created.status_code == 201, created.text
    grant = created.json()
    assert (grant["coordinator"], grant["coordinator_subject"], grant["coordinator_name"]) == (
        "Samordnare",
        "karin",
        "Karin Ek",
    )
    url = f"/api/budget/grants/{grant['id']}"
    nameless = await org.client.patch(url, headers=if_match(finance, grant), json={"coordinator_subject": "lars"})
    assert nameless.status_code == 422
    cleared = await org.client.patch(url, headers=if_match(finance, grant), json={"coordinator_subject": None})
    assert (cleared.json()["coordinator_subject"], cleared.json()["coordinator_name"]) == (None, None)
    history = (await org.client.get(f"{url}/history", headers=finance)).json()["items"]
    assert history[-1]["before"]["coordinator_subject"] == "karin"
