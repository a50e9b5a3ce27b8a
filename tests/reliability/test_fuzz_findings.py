"""What the schemathesis run found, kept as plain regression tests: each answered 500 before its fix."""

import pytest


@pytest.mark.parametrize("sort_order", [2**63, 2**31, -1])
async def test_a_perspective_order_the_database_cannot_hold_is_422(stack, sort_order):
    response = await stack.client.post(
        "/api/goals/perspectives",
        headers=stack.auth("a", "admin"),
        json={"code": "ex", "name": "Exempel", "sort_order": sort_order},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "sort_order"]
