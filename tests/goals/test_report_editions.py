"""The goals service's rules of report production: which units write which topics, who reads an open
edition, and the snapshot that exists only once the edition is completed."""

EDITIONS = "/api/goals/report-editions"


async def _open(stack, body, *roles):
    response = await stack.client.post(EDITIONS, headers=stack.auth("e", *roles), json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_unit_edition_has_the_unit_and_those_directly_under_it(seeded):
    body = {"kind": "annual", "year": 2022, "period": "year", "unit_code": "HSF"}
    edition = await _open(seeded, body, "HSF:editor")
    pairs = [(s["unit_code"], s["topic"]) for s in edition["sections"]]
    topics = ["goals", "economy", "employees", "audit"]
    assert pairs == [(unit, topic) for unit in ("HSF", "PV", "SV") for topic in topics]
    assert edition["registrar_unit"] == "HSF"
    assert all(s["text"] == "" and s["ready"] is False for s in edition["sections"])


async def test_t1_has_economy_and_employees_only(seeded):
    body = {"kind": "interim", "year": 2022, "period": "T1", "unit_code": "RUN"}
    edition = await _open(seeded, body, "RUN:editor")
    assert {s["topic"] for s in edition["sections"]} == {"economy", "employees"}


async def test_an_open_edition_is_a_draft_of_its_units(seeded):
    region = await _open(seeded, {"kind": "interim", "year": 2022, "period": "T2"}, "RS:editor")
    assert region["registrar_unit"] == "RS"
    url = f"{EDITIONS}/{region['id']}"
    hsn = (await seeded.client.get(url, headers=seeded.auth("h", "HSN:reader"))).json()
    assert {s["unit_code"] for s in hsn["sections"]} == {"HSN"}, "a committee reads only its own texts"
    board = (await seeded.client.get(url, headers=seeded.auth("b", "RS:reader"))).json()
    assert {s["unit_code"] for s in board["sections"]} == {"RS", "HSN", "RUN"}, "the board reads all"
    unit = await _open(seeded, {"kind": "interim", "year": 2022, "period": "T2", "unit_code": "HSN"}, "HSN:editor")
    hidden = await seeded.client.get(f"{EDITIONS}/{unit['id']}", headers=seeded.auth("r", "RUN:reader"))
    assert hidden.status_code == 404
    listed = await seeded.client.get(f"{EDITIONS}?year=2022", headers=seeded.auth("r", "RUN:reader"))
    assert [e["id"] for e in listed.json()["items"]] == [region["id"]]
    only_region = await seeded.client.get(f"{EDITIONS}?region=true", headers=seeded.auth("b", "RS:reader"))
    assert [e["id"] for e in only_region.json()["items"]] == [region["id"]]
    for_hsn = await seeded.client.get(f"{EDITIONS}?unit=HSN", headers=seeded.auth("b", "RS:reader"))
    assert [e["id"] for e in for_hsn.json()["items"]] == [unit["id"]]


async def test_no_snapshot_before_completion(seeded):
    edition = await _open(seeded, {"kind": "interim", "year": 2022, "period": "T1", "unit_code": "HSN"}, "HSN:editor")
    response = await seeded.client.get(f"{EDITIONS}/{edition['id']}/snapshot", headers=seeded.auth("e", "HSN:editor"))
    assert response.status_code == 404


async def test_the_change_head_moves_with_each_write(seeded):
    headers = seeded.auth("b", "RS:reader")
    before = (await seeded.client.get("/api/goals/changes/head", headers=headers)).json()["position"]
    await _open(seeded, {"kind": "interim", "year": 2022, "period": "T1", "unit_code": "RUN"}, "RUN:editor")
    after = (await seeded.client.get("/api/goals/changes/head", headers=headers)).json()["position"]
    assert after != before
    feed = (await seeded.client.get(f"/api/goals/changes?after={before}&limit=500", headers=headers)).json()
    assert feed["next"] == after, "the head is where the feed ends"
    assert {e["entity"] for e in feed["items"]} == {"report_edition", "report_section"}
