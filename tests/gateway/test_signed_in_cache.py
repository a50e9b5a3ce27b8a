"""The gateway remembers a signed-in caller for a short while, never past the token or a change of
the org tree."""

import time

import pytest

from gateway.proxy import SignedInCache
from shared.auth.policy import Principal

CACHED = {"org_tree_ttl_seconds": 30}
PERSON = Principal(subject="p", name="P")


class Counting:
    def __init__(self, verify):
        self.verify, self.calls = verify, 0

    async def __call__(self, token):
        self.calls += 1
        return await self.verify(token)


@pytest.mark.parametrize("gateway_overrides", [CACHED])
async def test_the_same_token_is_verified_once(stack):
    proxy = stack.apps["gateway"].state.proxy
    counting = Counting(proxy.verifier.principal)
    proxy.verifier.principal = counting
    headers = stack.auth("r", "RS:reader")
    for _ in range(3):
        assert (await stack.client.get("/api/goals/units", headers=headers)).status_code == 200
    assert counting.calls == 1
    await stack.client.get("/api/goals/units", headers=stack.auth("other", "RS:reader"))
    assert counting.calls == 2


@pytest.mark.parametrize("gateway_overrides", [CACHED])
async def test_a_change_to_the_org_tree_reaches_a_remembered_caller_at_once(seeded):
    editor = seeded.auth("e", "HSN:editor")
    assert (await seeded.client.get("/api/goals/units", headers=editor)).status_code == 200  # remembered now
    created = await seeded.client.post(
        "/api/goals/units",
        headers=seeded.auth("admin", "admin"),
        json={"code": "BUP", "name": "Barn- och ungdomspsykiatri", "kind": "unit", "parent_code": "SV"},
    )
    assert created.status_code == 201
    goal = await seeded.client.post(
        "/api/goals/goals", headers=editor, json={"unit_code": "BUP", "title": "Kortare köer", "start_year": 2024}
    )
    assert goal.status_code == 201, goal.text


def test_an_entry_ends_with_its_token():
    cache = SignedInCache(seconds=30)
    cache.put("expired", PERSON, "internal", time.time() - 1)
    cache.put("fresh", PERSON, "internal", time.time() + 600)
    assert cache.get("expired") is None
    assert cache.get("fresh").internal_token == "internal"


def test_with_no_lifetime_nothing_is_remembered():
    cache = SignedInCache(seconds=0)
    assert cache.put("t", PERSON, "internal", time.time() + 600).principal is PERSON
    assert cache.get("t") is None


def test_a_full_cache_starts_over():
    cache = SignedInCache(seconds=30, max_callers=2)
    for token in ("a", "b", "c"):
        cache.put(token, PERSON, "internal", time.time() + 600)
    assert (cache.get("a"), cache.get("b"), cache.get("c") is not None) == (None, None, True)
