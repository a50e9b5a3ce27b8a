"""The goals service keeps what the reminder job claimed and sent, and each person's own settings."""

import asyncio
from datetime import date, timedelta

from shared.auth.policy import Principal
from shared.auth.tokens import mint_internal_token
from shared.reminders import JOB_PRINCIPAL, KEEP_DAYS
from shared.settings import DEV_SECRET

REACHED = date(2024, 5, 24)


def _job() -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_internal_token(JOB_PRINCIPAL, DEV_SECRET, 60)}"}


def _reminder(key: str, subject: str = "anna", reached_on: date = REACHED) -> dict:
    return {
        "key": key,
        "subject": subject,
        "channel": "email",
        "lead": "7",
        "title": "Do it",
        "link": "/api/x",
        "reached_on": reached_on.isoformat(),
    }


async def _claim(client, *keys: str, subject: str = "anna", lease: int = 60, reached_on: date = REACHED) -> list[str]:
    body = {"lease_seconds": lease, "reminders": [_reminder(k, subject, reached_on) for k in keys]}
    answer = await client.post("/reminders/claims", json=body, headers=_job())
    assert answer.status_code == 200, answer.text
    return sorted(c["key"] for c in answer.json()["claimed"])


async def test_a_key_is_claimed_once_even_by_jobs_claiming_at_the_same_time(stack):
    async with stack.service_client("goals") as client:
        results = await asyncio.gather(*(_claim(client, "a", "b", "c") for _ in range(4)))
        assert sorted(k for r in results for k in r) == ["a", "b", "c"]
        sent = {"outcomes": [{"key": "a", "state": "sent"}, {"key": "b", "state": "failed", "error": "550"}]}
        assert (await client.post("/reminders/outcomes", json=sent, headers=_job())).status_code == 204
        # The failed one is tried again; the sent one never; c is still held by its lease.
        assert await _claim(client, "a", "b", "c") == ["b"]


async def test_a_person_sees_their_reminders_and_turns_them_off(stack):
    async with stack.service_client("goals") as client:
        await _claim(client, "mine")
        await _claim(client, "theirs", subject="bo")
    anna = stack.auth("anna", "HSN:editor")
    read = await stack.client.get("/api/me/reminders", headers=anna)
    assert read.status_code == 200, read.text
    assert (read.json()["enabled"], [r["title"] for r in read.json()["reminders"]]) == (True, ["Do it"])
    off = {"enabled": False, "email": "anna@example.se"}
    assert (await stack.client.put("/api/me/reminders", json=off, headers=anna)).status_code == 428
    stale = await stack.client.put("/api/me/reminders", json=off, headers={**anna, "If-Match": '"7"'})
    assert stale.status_code == 412
    done = await stack.client.put("/api/me/reminders", json=off, headers={**anna, "If-Match": read.headers["ETag"]})
    assert done.status_code == 200, done.text
    assert (done.json()["enabled"], done.json()["email"]) == (False, "anna@example.se")
    async with stack.service_client("goals") as client:
        assert await _claim(client, "later") == []  # turned off: nothing more is claimed for her
        assert await _claim(client, "later", subject="bo") == ["later"]
    bad = await stack.client.put("/api/me/reminders", json={"enabled": True, "email": "no"}, headers=anna)
    assert bad.status_code == 422


async def test_only_the_job_claims(stack):
    person = {"Authorization": f"Bearer {mint_internal_token(Principal('anna', 'Anna'), DEV_SECRET, 60)}"}
    async with stack.service_client("goals") as client:
        body = {"lease_seconds": 60, "reminders": []}
        assert (await client.post("/reminders/claims", json=body, headers=person)).status_code == 403
    assert (
        await stack.client.post("/api/goals/reminders/claims", json=body, headers=stack.auth("a", "admin"))
    ).status_code == 403


async def test_a_person_who_only_reads_turns_their_own_reminders_off(stack):
    """A board member reads everything and writes nothing, yet has tasks (a measurement to report) and so
    reminders: their own settings are theirs to change. An integration has none; no role, nothing."""
    async with stack.service_client("goals") as client:
        await _claim(client, "hers", subject="rut")
    rut = stack.auth("rut", "RS:reader")
    read = await stack.client.get("/api/me/reminders", headers=rut)
    assert read.status_code == 200, read.text
    assert [r["title"] for r in read.json()["reminders"]] == ["Do it"]
    # Admitted, so the body is what is wrong here, and then the ETag.
    assert (await stack.client.put("/api/me/reminders", json={"enabled": "x"}, headers=rut)).status_code == 422
    off = {"enabled": False}
    done = await stack.client.put("/api/me/reminders", json=off, headers={**rut, "If-Match": read.headers["ETag"]})
    assert done.status_code == 200, done.text
    assert done.json()["enabled"] is False
    async with stack.service_client("goals") as client:
        assert await _claim(client, "later", subject="rut") == []
    # Her own only: another reader's settings are untouched, and the service keys them by the token's subject.
    assert (await stack.client.get("/api/me/reminders", headers=stack.auth("bo", "RS:reader"))).json()["enabled"]

    robot = stack.auth("report-robot", client=True, scopes=["read:decided", "write:measurements"])
    for method in ("GET", "PUT"):
        refused = await stack.client.request(method, "/api/me/reminders", json=off, headers=robot)
        assert refused.status_code == 403, refused.text
        assert refused.json()["required"] == "a person with any role"
        nobody = await stack.client.request(method, "/api/me/reminders", json={}, headers=stack.auth("nobody"))
        assert (nobody.status_code, nobody.json()["required"]) == (403, "any role")


async def _prune(client, today: date) -> dict:
    answer = await client.post("/reminders/prune", json={"today": today.isoformat()}, headers=_job())
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_claims_long_past_are_pruned_and_never_claimed_again(stack):
    """Pruning removes the claims reached over KEEP_DAYS ago; as it does, their reminders stop being
    claimable, so a pass that offers one again (the same key, the same day reached) sends nothing."""
    old, recent = date(2023, 1, 10), date(2024, 2, 1)
    async with stack.service_client("goals") as client:
        assert await _claim(client, "old", reached_on=old) == ["old"]
        assert await _claim(client, "recent", reached_on=recent) == ["recent"]
        outcomes = {"outcomes": [{"key": k, "state": "sent"} for k in ("old", "recent")]}
        assert (await client.post("/reminders/outcomes", json=outcomes, headers=_job())).status_code == 204

        pruned = await _prune(client, date(2024, 3, 1))
        assert pruned == {"pruned": 1, "kept_since": (date(2024, 3, 1) - timedelta(days=KEEP_DAYS)).isoformat()}
        assert old < date.fromisoformat(pruned["kept_since"]) <= recent
        # Its row is gone, yet it is not claimed again; nor is another reminder reached as long ago.
        assert await _claim(client, "old", reached_on=old) == []
        assert await _claim(client, "as old", reached_on=old) == []
        assert await _claim(client, "recent", reached_on=recent) == []  # kept, and sent
        assert await _claim(client, "new", reached_on=date(2024, 2, 20)) == ["new"]

        # A job that says it is an earlier day moves the window back for no one.
        assert (await _prune(client, date(2023, 1, 1)))["kept_since"] == pruned["kept_since"]
        assert await _claim(client, "old", reached_on=old) == []
    shown = (await stack.client.get("/api/me/reminders", headers=stack.auth("anna", "HSN:editor"))).json()
    assert sorted(r["title"] for r in shown["reminders"]) == ["Do it", "Do it"]  # recent and new; old is gone
