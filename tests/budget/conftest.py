"""Helpers for the budget tests: an org structure in the goals service, and finance's headers."""

import pytest

FINANCE = ("ekonom", "finance")
ORG = [("RF", None, "council"), ("RS", "RF", "board"), ("HSN", "RF", "committee"), ("RUN", "RF", "committee")]


async def make_units(stack, units):
    """Org units live in the goals service; the budget service asks it whether a code exists."""
    headers = stack.auth("admin", "admin")
    for code, parent, kind in units:
        body = {"code": code, "name": f"Unit {code}", "kind": kind, "parent_code": parent}
        response = await stack.client.post("/api/goals/units", headers=headers, json=body)
        assert response.status_code == 201, response.text


@pytest.fixture
async def org(stack):
    """The empty product with the region's top of the org tree: RF, RS, HSN and RUN."""
    await make_units(stack, ORG)
    return stack


def if_match(headers, record):
    return {**headers, "If-Match": f'"{record["version"]}"'}
