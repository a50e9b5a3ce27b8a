"""Fifty people change the same record at once, each with the ETag they read: exactly one change
goes in, the others get 412, and history shows that one change and no other."""

import asyncio
from collections import Counter

WRITERS = 50


async def race(stack, path: str, bodies: list[dict], roles: tuple[str, ...]) -> tuple[Counter, list[int]]:
    """Every writer reads the record, then all send their change at the same moment."""
    headers = [stack.auth(f"writer-{n}", *roles, name=f"Writer {n}") for n in range(len(bodies))]
    etags = [(await stack.client.get(path, headers=h)).headers["etag"] for h in headers]
    assert len(set(etags)) == 1
    responses = await asyncio.gather(
        *(
            stack.client.patch(path, json=body, headers={**h, "If-Match": etag})
            for body, h, etag in zip(bodies, headers, etags, strict=True)
        )
    )
    statuses = Counter(r.status_code for r in responses)
    winners = [n for n, r in enumerate(responses) if r.status_code == 200]
    return statuses, winners


async def test_fifty_writers_on_one_goal(seeded):
    editor = seeded.auth("e", "HSN:editor")
    goal = await seeded.client.post(
        "/api/goals/goals", headers=editor, json={"unit_code": "HSN", "title": "Start", "start_year": 2024}
    )
    path = f"/api/goals/goals/{goal.json()['id']}"
    bodies = [{"title": f"Titel {n}"} for n in range(WRITERS)]
    statuses, winners = await race(seeded, path, bodies, ("HSN:editor",))
    assert statuses == Counter({200: 1, 412: WRITERS - 1})
    history = (await seeded.client.get(f"{path}/history", headers=editor)).json()["items"]
    updates = [e for e in history if e["action"] == "update"]
    assert len(updates) == 1
    assert updates[0]["actor"] == f"writer-{winners[0]}"
    assert updates[0]["after"]["title"] == f"Titel {winners[0]}"
    assert (await seeded.client.get(path, headers=editor)).json()["title"] == f"Titel {winners[0]}"
