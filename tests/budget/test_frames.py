"""Operating frames: parts, versions, decisions, exact money, finance writes, proposals stay private."""

from decimal import Decimal

import pytest

from tests.budget.conftest import FINANCE, if_match, make_units

PARTS = ("last_year_frame", "index_uplift", "population_change", "activity_change", "priorities", "savings")
DECISION = {"decided_by": "RF", "decided_on": "2025-06-18", "paragraph": "92", "diary_number": "RS/388/2025"}


async def _create(stack, **body):
    payload = {"unit_code": "HSN", "year": 2025, "last_year_frame": "100.00", **body}
    return await stack.client.post("/api/budget/frames", headers=stack.auth(*FINANCE), json=payload)


async def _decide(stack, frame, decision=DECISION):
    return await stack.client.post(
        f"/api/budget/frames/{frame['id']}/decision", headers=if_match(stack.auth(*FINANCE), frame), json=decision
    )


async def test_the_amount_is_built_from_the_parts(org):
    parts = dict(
        zip(
            PARTS,
            ["6200000000.00", "179800000.00", "18600000.00", "25000000.00", "40000000.05", "60000000.00"],
            strict=True,
        )
    )
    response = await _create(org, **parts)
    assert response.status_code == 201
    expected = sum(Decimal(parts[p]) for p in PARTS[:-1]) - Decimal(parts["savings"])
    assert response.json()["amount"] == str(expected) == "6403400000.05"
    assert (response.json()["status"], response.json()["revision"], response.json()["decision"]) == (
        "proposal",
        0,
        None,
    )


async def test_sums_are_exact_to_the_ore(org):
    # Summed as floats these drift (0.10 + 0.20 != 0.30); the total must come back exact.
    amounts = ["0.10", "0.20", "470456.51", "12345678901.99", "0.01", "-3.33"]
    await make_units(org, [(f"U{i}", "RF", "committee") for i in range(len(amounts))])
    for index, amount in enumerate(amounts):
        assert (await _create(org, unit_code=f"U{index}", last_year_frame=amount)).status_code == 201
    total = (
        await org.client.get("/api/budget/frames/total?year=2025&status=proposal", headers=org.auth(*FINANCE))
    ).json()
    assert total == {"year": 2025, "status": "proposal", "units": 6, "total": str(sum(Decimal(a) for a in amounts))}
    assert total["total"] == "12346149355.48"


@pytest.mark.parametrize("amount", ["1.005", "abc", "1e400", "NaN", "Infinity", "", "12,50", 1.5])
async def test_a_bad_amount_is_422(org, amount):
    response = await _create(org, priorities=amount)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "priorities"]


async def test_a_frame_for_a_unit_that_does_not_exist_is_422(org):
    response = await _create(org, unit_code="NOPE")
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "unit_code"]


async def test_when_the_goals_service_is_down_creating_a_frame_is_503(org):
    org.transport.down.add("goals")
    response = await _create(org)
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_duplicate_frame_is_409(org):
    assert (await _create(org)).status_code == 201
    assert (await _create(org)).status_code == 409


@pytest.mark.parametrize("roles", [("HSN:registrar",), ("RS:editor",), ("auditor",), ("admin",)])
async def test_only_finance_writes_frames(org, roles):
    frame = (await _create(org)).json()
    headers = org.auth("x", *roles)
    create = await org.client.post(
        "/api/budget/frames", headers=headers, json={"unit_code": "RUN", "year": 2025, "last_year_frame": "1.00"}
    )
    patch = await org.client.patch(
        f"/api/budget/frames/{frame['id']}", headers=if_match(headers, frame), json={"savings": "1"}
    )
    decide = await org.client.post(
        f"/api/budget/frames/{frame['id']}/decision", headers=if_match(headers, frame), json=DECISION
    )
    propose = await org.client.post("/api/budget/frames/proposals", headers=headers, json={"from_year": 2025})
    assert [r.status_code for r in (create, patch, decide, propose)] == [403, 403, 403, 403]


async def test_a_decision_locks_the_version_and_keeps_its_reference(org):
    frame = (await _create(org)).json()
    response = await _decide(org, frame)
    assert response.status_code == 200
    decided = response.json()
    assert decided["status"] == "decided"
    assert decided["decision"] == {**DECISION, "paragraph": "§ 92"}
    patch = await org.client.patch(
        f"/api/budget/frames/{frame['id']}", headers=if_match(org.auth(*FINANCE), decided), json={"savings": "1.00"}
    )
    assert (patch.status_code, patch.json()["code"]) == (409, "locked")
    again = await _decide(org, decided)
    assert (again.status_code, again.json()["code"]) == (409, "locked")


@pytest.mark.parametrize(
    "decision",
    [{**DECISION, "paragraph": "x"}, {**DECISION, "diary_number": "123"}, {**DECISION, "decided_on": "2025-02-30"}],
)
async def test_a_bad_decision_reference_is_422(org, decision):
    frame = (await _create(org)).json()
    assert (await _decide(org, frame, decision)).status_code == 422


async def test_changes_need_the_etag_you_read(org):
    frame = (await _create(org)).json()
    url = f"/api/budget/frames/{frame['id']}"
    headers = org.auth(*FINANCE)
    assert (await org.client.patch(url, headers=headers, json={"savings": "1.00"})).status_code == 428
    assert (await org.client.patch(url, headers=if_match(headers, frame), json={"savings": "1.00"})).status_code == 200
    stale = await org.client.patch(url, headers=if_match(headers, frame), json={"savings": "2.00"})
    assert stale.status_code == 412
    assert (await org.client.get(url, headers=headers)).json()["savings"] == "1.00"
    assert (await org.client.post(f"{url}/decision", headers=headers, json=DECISION)).status_code == 428


async def test_a_revision_replaces_the_decided_version_which_stays_as_revised(org):
    original = (await _decide(org, (await _create(org, last_year_frame="1000.00")).json())).json()
    headers = org.auth(*FINANCE)
    revised = await org.client.post(
        f"/api/budget/frames/{original['id']}/revisions", headers=headers, json={"activity_change": "250.50"}
    )
    assert revised.status_code == 201
    revision = revised.json()
    assert (revision["revision"], revision["status"], revision["amount"]) == (1, "proposal", "1250.50")
    second = await org.client.post(f"/api/budget/frames/{original['id']}/revisions", headers=headers, json={})
    assert second.status_code == 409  # one open revision at a time
    assert (
        await _decide(org, revision, {**DECISION, "decided_on": "2025-09-24", "paragraph": "§ 140"})
    ).status_code == 200
    old = (await org.client.get(f"/api/budget/frames/{original['id']}", headers=headers)).json()
    assert old["status"] == "revised"
    total = (await org.client.get("/api/budget/frames/total?year=2025", headers=headers)).json()
    assert (total["units"], total["total"]) == (1, "1250.50")
    assert (
        await org.client.post(f"/api/budget/frames/{original['id']}/revisions", headers=headers, json={})
    ).status_code == 409


async def test_finance_changes_a_proposal_and_history_keeps_the_parts(org):
    headers = org.auth("ekonom", "finance", name="Eva Ekonom")
    proposal = (await _create(org, last_year_frame="4987100000.00")).json()
    response = await org.client.patch(
        f"/api/budget/frames/{proposal['id']}", json={"priorities": "2900000.25"}, headers=if_match(headers, proposal)
    )
    assert response.json()["amount"] == "4990000000.25"
    history = (await org.client.get(f"/api/budget/frames/{proposal['id']}/history", headers=headers)).json()
    change = history["items"][-1]
    assert (change["before"]["amount"], change["after"]["amount"]) == ("4987100000.00", "4990000000.25")
    assert (change["before"]["priorities"], change["after"]["priorities"]) == ("0.00", "2900000.25")
    assert change["actor_name"] == "Eva Ekonom"


async def test_a_proposal_is_hidden_from_readers_of_other_units(seeded):
    frames = (
        await seeded.client.get("/api/budget/frames?unit=HSN&year=2024", headers=seeded.auth("r", "HSN:reader"))
    ).json()["items"]
    assert [f["status"] for f in frames] == ["proposal"]
    proposal_id = frames[0]["id"]
    other = seeded.auth("r2", "RUN:reader")
    assert (await seeded.client.get(f"/api/budget/frames/{proposal_id}", headers=other)).status_code == 404
    assert (await seeded.client.get(f"/api/budget/frames/{proposal_id}/history", headers=other)).status_code == 404
    listed = (await seeded.client.get("/api/budget/frames?limit=500", headers=other)).json()["items"]
    assert proposal_id not in {f["id"] for f in listed}
    assert {f["status"] for f in listed if f["unit_code"] != "RUN"} == {"decided", "revised"}


async def test_the_board_reads_every_proposal(seeded):
    listed = (await seeded.client.get("/api/budget/frames?limit=500", headers=seeded.auth("b", "RS:reader"))).json()
    assert "proposal" in {f["status"] for f in listed["items"]}


async def test_the_frame_total_is_for_the_board_auditor_and_finance(seeded):
    refused = await seeded.client.get("/api/budget/frames/total?year=2023", headers=seeded.auth("r", "HSN:reader"))
    assert refused.status_code == 403
    total = (await seeded.client.get("/api/budget/frames/total?year=2023", headers=seeded.auth("a", "auditor"))).json()
    assert total["total"] == "7512430000.00"


@pytest.mark.parametrize("amount", ["1000000000000.00", "9999999999999999.99", "-1000000000000", "1e3", "1_000", "１"])
async def test_an_amount_too_large_or_not_plainly_written_is_422_not_500(stack, amount):
    response = await stack.client.post(
        "/api/budget/frames",
        headers=stack.auth(*FINANCE),
        json={"unit_code": "HSN", "year": 2025, "last_year_frame": amount, "index_uplift": amount},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][-1] in {"last_year_frame", "index_uplift"}


async def test_the_frame_total_of_a_year_without_frames_is_zero(org):
    # Decimals are taken only as strings or Decimals: the total of no frames was an int 0 and a 500.
    response = await org.client.get("/api/budget/frames/total?year=2099&status=proposal", headers=org.auth(*FINANCE))
    assert response.status_code == 200
    assert response.json() == {"year": 2099, "status": "proposal", "units": 0, "total": "0.00"}
