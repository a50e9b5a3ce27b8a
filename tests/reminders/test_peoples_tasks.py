"""Every named person's tasks, as each service answers them to the reminder job (and to no one else)."""

from shared.auth.policy import Principal, PrincipalKind
from shared.auth.tokens import mint_internal_token
from shared.settings import DEV_SECRET

JOB = Principal("system:reminders", "Reminders", kind=PrincipalKind.service)
QUERY = {"as_of": "2022-09-01", "within_days": 366}


def _as(principal: Principal) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_internal_token(principal, DEV_SECRET, 60)}"}


async def test_each_service_answers_every_named_person_with_what_they_see_as_their_own(seeded):
    anna = await seeded.client.get("/api/me/tasks", params=QUERY, headers=seeded.auth("anna", "HSN:editor"))
    own = [t for t in anna.json()["items"] if t["kind"] != "response"]  # a body's, not a person's
    found = []
    for service in ("goals", "budget", "audit"):
        async with seeded.service_client(service) as client:
            answer = await client.get("/people/tasks", params=QUERY, headers=_as(JOB))
        assert answer.status_code == 200, answer.text
        people = answer.json()["people"]
        assert [p["subject"] for p in people] == sorted({p["subject"] for p in people})
        found += [t for p in people if p["subject"] == "anna" for t in p["items"]]
        assert all(p["name"] for p in people if p["subject"] == "anna")
    assert sorted(found, key=lambda t: t["link"] + t["title"]) == sorted(own, key=lambda t: t["link"] + t["title"])
    assert {t["service"] for t in found} == {"goals", "budget", "audit"}


async def test_a_person_or_the_gateways_callers_may_not_ask_for_everyones(seeded):
    person = Principal("anna", "Anna", unit_roles={}, region_roles=frozenset())
    async with seeded.service_client("audit") as client:
        assert (await client.get("/people/tasks", headers=_as(person))).status_code == 403
    through = await seeded.client.get("/api/audit/people/tasks", headers=seeded.auth("adm", "admin"))
    assert through.status_code == 403
