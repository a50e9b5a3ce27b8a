"""The goals service's lists read lean (issue 17): a page is one statement, with no BEGIN or COMMIT around it."""

import pytest
from sqlalchemy import event

from shared.auth.policy import Principal, RegionRole
from shared.auth.tokens import mint_internal_token
from shared.settings import DEV_SECRET


@pytest.mark.parametrize(
    "path", ["/units?limit=100", "/goals?limit=100&unit=HSN&subtree=true", "/indicators?limit=100&unit=RF"]
)
async def test_a_page_of_a_list_is_one_statement_outside_a_transaction(seeded, path):
    auditor = Principal(subject="auditor", name="Auditor", region_roles=frozenset({RegionRole.auditor}))
    headers = {"Authorization": f"Bearer {mint_internal_token(auditor, DEV_SECRET, 60)}"}
    engine = seeded.apps["goals"].state.engine.sync_engine
    statements: list[tuple[str, str | None]] = []

    def seen(conn, _cursor, statement, *_args):
        statements.append((statement, conn.get_execution_options().get("isolation_level")))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        async with seeded.service_client("goals") as client:
            response = await client.get(path, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert response.status_code == 200, response.text
    assert response.json()["items"]
    assert len(statements) == 1, statements
    assert statements[0][1] == "AUTOCOMMIT"  # no BEGIN and no COMMIT: the read holds no transaction


async def test_a_code_naming_nothing_is_a_422_on_the_query_parameter(demo):
    headers = demo.stack.auth("board.reader", "RS:reader")
    for query, name in (("unit=NOPE", "unit"), ("perspective=nope", "perspective")):
        response = await demo.stack.client.get(f"/api/goals/goals?{query}", headers=headers)
        assert response.status_code == 422
        assert [error["loc"] for error in response.json()["errors"]] == [["query", name]]
