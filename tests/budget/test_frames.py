"""Operating frames: exact money on both databases, finance writes, proposals stay private."""

from decimal import Decimal

import pytest

FINANCE = ("ekonom", "finance")


async def _create(stack, **body):
    payload = {"unit_code": "HSN", "year": 2025, "amount": "100.00", **body}
    return await stack.client.post("/api/budget/frames", headers=stack.auth(*FINANCE), json=payload)


async def test_sums_are_exact_to_the_ore(stack):
    # Summed as floats these drift (0.10 + 0.20 != 0.30); the total must come back exact.
    amounts = ["0.10", "0.20", "470456.51", "12345678901.99", "0.01", "-3.33"]
    for index, amount in enumerate(amounts):
        assert (await _create(stack, unit_code=f"U{index}", amount=amount)).status_code == 201
    total = (
        await stack.client.get("/api/budget/frames/total?year=2025&status=proposal", headers=stack.auth(*FINANCE))
    ).json()
    assert total == {"year": 2025, "status": "proposal", "units": 6, "total": str(sum(Decimal(a) for a in amounts))}
    assert total["total"] == "12346149355.48"


async def test_amounts_travel_as_exact_decimal_strings(stack):
    response = await _create(stack, amount="4815300000.05")
    assert response.json()["amount"] == "4815300000.05"
    read = await stack.client.get(f"/api/budget/frames/{response.json()['id']}", headers=stack.auth(*FINANCE))
    assert read.json()["amount"] == "4815300000.05"


@pytest.mark.parametrize("amount", ["1.005", "abc", "1e400", "NaN", "Infinity", "", "12,50"])
async def test_a_bad_amount_is_422(stack, amount):
    response = await _create(stack, amount=amount)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "amount"]


async def test_a_duplicate_frame_is_409(stack):
    assert (await _create(stack)).status_code == 201
    assert (await _create(stack)).status_code == 409


@pytest.mark.parametrize("roles", [("HSN:registrar",), ("RS:editor",), ("auditor",), ("admin",)])
async def test_only_finance_writes_frames(stack, roles):
    response = await stack.client.post(
        "/api/budget/frames", headers=stack.auth("x", *roles), json={"unit_code": "HSN", "year": 2025, "amount": "1.00"}
    )
    assert response.status_code == 403


async def test_a_proposal_is_hidden_from_readers_of_other_units(seeded):
    frames = (
        await seeded.client.get("/api/budget/frames?unit=HSN&year=2023", headers=seeded.auth("r", "HSN:reader"))
    ).json()["items"]
    assert len(frames) == 1
    assert frames[0]["status"] == "proposal"
    proposal_id = frames[0]["id"]
    other = seeded.auth("r2", "RUN:reader")
    assert (await seeded.client.get(f"/api/budget/frames/{proposal_id}", headers=other)).status_code == 404
    listed = (await seeded.client.get("/api/budget/frames", headers=other)).json()["items"]
    assert proposal_id not in {f["id"] for f in listed}
    assert {f["status"] for f in listed} == {"decided"}


async def test_the_board_reads_every_proposal(seeded):
    listed = (await seeded.client.get("/api/budget/frames", headers=seeded.auth("b", "RS:reader"))).json()
    assert "proposal" in {f["status"] for f in listed["items"]}


async def test_a_decided_frame_is_locked(seeded):
    headers = seeded.auth(*FINANCE)
    decided = (await seeded.client.get("/api/budget/frames?unit=RS&year=2022", headers=headers)).json()["items"][0]
    response = await seeded.client.patch(
        f"/api/budget/frames/{decided['id']}",
        json={"amount": "1.00"},
        headers={**headers, "If-Match": f'"{decided["version"]}"'},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "locked"


async def test_finance_changes_a_proposal_and_history_keeps_the_amounts(seeded):
    headers = seeded.auth("ekonom", "finance", name="Eva Ekonom")
    proposal = (await seeded.client.get("/api/budget/frames?unit=HSN&year=2023", headers=headers)).json()["items"][0]
    response = await seeded.client.patch(
        f"/api/budget/frames/{proposal['id']}",
        json={"amount": "4990000000.25"},
        headers={**headers, "If-Match": f'"{proposal["version"]}"'},
    )
    assert response.status_code == 200
    history = (await seeded.client.get(f"/api/budget/frames/{proposal['id']}/history", headers=headers)).json()
    change = history["items"][-1]
    assert (change["before"]["amount"], change["after"]["amount"]) == ("4987100000.00", "4990000000.25")
    assert change["actor_name"] == "Eva Ekonom"
