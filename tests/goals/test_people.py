"""People on goals records: owners of goals, assignments and activities, and who reports an indicator."""


def _person(record: dict, role: str = "owner") -> tuple:
    return record[f"{role}_subject"], record[f"{role}_name"]


async def test_the_assignee_names_who_of_theirs_owns_an_assignment(seeded):
    client = seeded.client
    body = {"issuer_code": "RS", "assignee_code": "HSN", "title": "Plan för kompetensförsörjning"}
    created = await client.post("/api/goals/assignments", json=body, headers=seeded.auth("rs", "RS:editor"))
    assert _person(created.json()) == (None, None)
    url = f"/api/goals/assignments/{created.json()['id']}"
    hanna = seeded.auth("hanna", "HSN:editor", name="Hanna Holm")
    taken = await client.patch(
        url, json={"owner_subject": "hanna"}, headers={**hanna, "If-Match": created.headers["etag"]}
    )
    assert taken.status_code == 200, taken.text
    assert _person(taken.json()) == ("hanna", "Hanna Holm")
    retitled = await client.patch(url, json={"title": "x"}, headers={**hanna, "If-Match": taken.headers["etag"]})
    assert retitled.status_code == 403  # the text is still the issuer's
    history = (await client.get(f"{url}/history", headers=hanna)).json()["items"]
    assert history[-1]["after"]["owner_name"] == "Hanna Holm"
    assert history[-1]["actor"] == "hanna"


async def test_a_goal_and_an_activity_name_their_owners(demo):
    client = demo.stack.client
    editor = demo.stack.auth("ivar", "HSF:editor", name="Ivar Isaksson")
    goal = await client.post(
        "/api/goals/goals",
        json={"unit_code": "HSF", "title": "Kortare väntetider", "start_year": 2024, "owner_subject": "ivar"},
        headers=editor,
    )
    assert _person(goal.json()) == ("ivar", "Ivar Isaksson")
    activity = await client.post(
        "/api/goals/activities",
        json={
            "unit_code": "HSF",
            "goal_id": demo.goal("Vård i rätt tid")["id"],
            "title": "Utöka mottagningstider",
            "owner": "Verksamhetschef",
            "owner_subject": "jonna",
            "owner_name": "Jonna Jansson",
        },
        headers=editor,
    )
    assert (activity.json()["owner"], *_person(activity.json())) == ("Verksamhetschef", "jonna", "Jonna Jansson")


async def test_who_reports_an_indicator_is_set_like_any_field(demo):
    client = demo.stack.client
    goal = demo.goal("Vård i rätt tid")
    registrar = demo.stack.auth("reg", "HSN:registrar", name="Registrator")
    indicator = (await client.get(f"/api/goals/indicators?goal={goal['id']}", headers=registrar)).json()["items"][0]
    url = f"/api/goals/indicators/{indicator['id']}"
    change = {"reporter_subject": "kim", "reporter_name": "Kim Karlsson"}
    assert (await client.patch(url, json=change, headers=registrar)).status_code == 428
    stale = await client.patch(url, json=change, headers={**registrar, "If-Match": '"0"'})
    assert stale.status_code == 412
    changed = await client.patch(url, json=change, headers={**registrar, "If-Match": f'"{indicator["version"]}"'})
    assert _person(changed.json(), "reporter") == ("kim", "Kim Karlsson")
    read = (await client.get(url, headers=registrar)).json()
    assert _person(read, "reporter") == ("kim", "Kim Karlsson")
