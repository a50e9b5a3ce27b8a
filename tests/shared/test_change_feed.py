"""The change feed: every change once, in order, even while others write; drafts only for those who
read them."""

import pytest
from sqlalchemy import select

from services.goals.models import OrgUnit

ADMIN = ("admin", "admin")
BOARD = ("board", "RS:reader")


async def feed(stack, after: str | None = None, headers=None, limit: int = 500) -> dict:
    query = f"?limit={limit}" + (f"&after={after}" if after else "")
    response = await stack.client.get(f"/api/goals/changes{query}", headers=headers or stack.auth(*BOARD))
    assert response.status_code == 200, response.text
    return response.json()


async def rename(stack, code: str, name: str) -> None:
    read = await stack.client.get(f"/api/goals/units/{code}", headers=stack.auth(*ADMIN))
    changed = await stack.client.patch(
        f"/api/goals/units/{code}",
        json={"name": name},
        headers={**stack.auth(*ADMIN), "If-Match": read.headers["etag"]},
    )
    assert changed.status_code == 200


async def test_a_reader_following_next_gets_every_change_once_in_order(seeded):
    first = await feed(seeded)
    assert first["items"], "the demo data's creation is in the feed"
    ids = [e["id"] for e in first["items"]]
    assert len(ids) == len(set(ids))
    assert (await feed(seeded, first["next"]))["items"] == []
    await rename(seeded, "KTR", "Kultur 1")
    await rename(seeded, "HSN", "Hälso- och sjukvård 1")
    page = await feed(seeded, first["next"], limit=1)
    assert [e["after"]["name"] for e in page["items"]] == ["Kultur 1"]
    rest = await feed(seeded, page["next"])
    assert [e["after"]["name"] for e in rest["items"]] == ["Hälso- och sjukvård 1"]
    assert (await feed(seeded, rest["next"]))["items"] == []


async def test_a_change_still_being_written_holds_back_later_ones_until_it_commits(seeded, backend):
    if backend == "sqlite":
        pytest.skip("SQLite lets one transaction write at a time, so a later one cannot commit first")
    start = (await feed(seeded))["next"]
    maker = seeded.apps["goals"].state.sessionmaker
    async with maker() as slow:
        unit = await slow.scalar(select(OrgUnit).where(OrgUnit.code == "KTR"))
        unit.name = "Kultur långsam"
        await slow.flush()  # its history row exists now, uncommitted, with the older transaction id
        await rename(seeded, "HSN", "Hälso- och sjukvård snabb")  # a newer transaction commits first
        held = await feed(seeded, start)
        assert held["items"] == []
        await slow.commit()
    both = await feed(seeded, start)
    assert [e["after"]["name"] for e in both["items"]] == ["Kultur långsam", "Hälso- och sjukvård snabb"]


async def test_the_feed_is_for_those_who_may_read_everything(seeded):
    start = (await feed(seeded))["next"]
    draft = await seeded.client.post(
        "/api/goals/goals",
        headers=seeded.auth("e", "HSN:editor"),
        json={"unit_code": "HSN", "title": "Utkast", "start_year": 2024},
    )
    assert draft.status_code == 201
    assert [e["entity"] for e in (await feed(seeded, start))["items"]] == ["goal"]
    robot = seeded.auth("sync", client=True, scopes=["read:changes"])
    assert [e["entity"] for e in (await feed(seeded, start, headers=robot))["items"]] == ["goal"]
    # A unit's reader may not see other units' drafts, forecasts or risks, which history rows do not
    # tell apart: the feed refuses them rather than leak.
    for service in ("goals", "budget", "audit"):
        refused = await seeded.client.get(f"/api/{service}/changes", headers=seeded.auth("run", "RUN:reader"))
        assert refused.status_code == 403
        assert refused.json()["required"] == "auditor"  # a role, which a person can be given
        unscoped = await seeded.client.get(
            f"/api/{service}/changes", headers=seeded.auth("sync", client=True, scopes=["read:decided"])
        )
        assert unscoped.status_code == 403
        assert unscoped.json()["required"] == "read:changes"  # a scope, which an integration can be given


@pytest.mark.parametrize("cursor", ["abc", "1.", "-1.5", "1.2.3", "9" * 50])
async def test_a_cursor_that_was_not_given_out_is_422(seeded, cursor):
    response = await seeded.client.get(f"/api/goals/changes?after={cursor}", headers=seeded.auth(*BOARD))
    assert response.status_code == 422


BIGGEST = 2**63 - 1


@pytest.mark.parametrize("service", ["goals", "budget", "audit"])
@pytest.mark.parametrize(
    "cursor",
    [f"{BIGGEST + 1}.0", f"0.{BIGGEST + 1}", "1.99999999999999999999", "99999999999999999999.1", "\u00b2.1"],
)
async def test_a_cursor_the_database_cannot_hold_is_a_422_problem(seeded, service, cursor):
    response = await seeded.client.get(f"/api/{service}/changes", params={"after": cursor}, headers=seeded.auth(*BOARD))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["loc"][-1] == "after"


async def test_the_largest_cursor_the_database_holds_is_read(seeded):
    response = await seeded.client.get(f"/api/goals/changes?after={BIGGEST}.{BIGGEST}", headers=seeded.auth(*BOARD))
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []


@pytest.mark.parametrize(
    ("service", "entities"),
    [("audit", {"audit_report", "recommendation"}), ("budget", {"operating_frame", "outcome"})],
)
async def test_the_other_services_have_their_feed_too(seeded, service, entities):
    response = await seeded.client.get(f"/api/{service}/changes?limit=500", headers=seeded.auth(*BOARD))
    assert response.status_code == 200
    assert {e["entity"] for e in response.json()["items"]} >= entities
