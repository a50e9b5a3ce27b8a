"""Fifty people change the same budget forecast, and the same audit action, at once, each with the ETag
they read: exactly one change goes in, the other 49 get 412, and history shows that one change only."""

from collections import Counter

from tests.shared.test_fifty_writers import WRITERS, race


async def test_fifty_writers_on_one_forecast(seeded):
    editor = seeded.auth("e", "HSN:editor")
    made = await seeded.client.post(
        "/api/budget/forecasts",
        headers=editor,
        json={"unit_code": "HSN", "year": 2026, "follow_up": "T1", "amount": "1000.00"},
    )
    assert made.status_code == 201, made.text
    path = f"/api/budget/forecasts/{made.json()['id']}"
    bodies = [{"amount": f"{2000 + n}.25", "comment": f"Prognos {n}"} for n in range(WRITERS)]
    statuses, winners = await race(seeded, path, bodies, ("HSN:editor",))
    assert statuses == Counter({200: 1, 412: WRITERS - 1})
    winner = winners[0]
    history = (await seeded.client.get(f"{path}/history", headers=editor)).json()["items"]
    updates = [entry for entry in history if entry["action"] == "update"]
    assert len(updates) == 1
    assert updates[0]["actor"] == f"writer-{winner}"
    assert updates[0]["after"]["amount"] == f"{2000 + winner}.25"
    current = (await seeded.client.get(path, headers=editor)).json()
    assert (current["amount"], current["comment"]) == (f"{2000 + winner}.25", f"Prognos {winner}")


async def test_fifty_writers_on_one_audit_action(seeded):
    actions = (await seeded.client.get("/api/audit/actions", headers=seeded.auth("a", "auditor"))).json()["items"]
    action = actions[0]
    role = f"{action['body_code']}:editor"
    editor = seeded.auth("e", role)
    path = f"/api/audit/actions/{action['id']}"
    history_before = (await seeded.client.get(f"{path}/history", headers=editor)).json()["items"]
    bodies = [{"owner": f"Ägare {n}"} for n in range(WRITERS)]
    statuses, winners = await race(seeded, path, bodies, (role,))
    assert statuses == Counter({200: 1, 412: WRITERS - 1})
    winner = winners[0]
    history = (await seeded.client.get(f"{path}/history", headers=editor)).json()["items"]
    new_entries = [entry for entry in history if entry not in history_before]
    assert [(e["action"], e["actor"]) for e in new_entries] == [("update", f"writer-{winner}")]
    assert new_entries[0]["after"]["owner"] == f"Ägare {winner}"
    assert (await seeded.client.get(path, headers=editor)).json()["owner"] == f"Ägare {winner}"
