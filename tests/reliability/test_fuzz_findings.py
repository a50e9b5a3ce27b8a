"""What the schemathesis run found, kept as plain regression tests: a 500 or a disagreement with the document
before its fix, or (the measures file) what the server rightly does where the run was wrong."""

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


async def test_a_download_named_after_an_odd_unit_code_is_not_a_500(seeded):
    # Found by schemathesis: the file name carried the unit code into a Latin-1 header.
    response = await seeded.client.get(
        "/api/budget/exports/outcomes?year=2022&unit=%C3%95k%F2%B0%AE%A6Mk", headers=seeded.auth("f", "finance")
    )
    assert response.status_code < 500
    if response.status_code == 200:
        assert response.headers["content-disposition"].startswith('attachment; filename="outcomes')
        assert "filename*=UTF-8''" in response.headers["content-disposition"]


@pytest.mark.parametrize("header", ["If-Match", "If-None-Match", "X-Request-ID"])
async def test_a_header_of_bytes_beyond_ascii_is_no_500(seeded, header):
    # What schemathesis sends in a header beyond ASCII goes out as UTF-8 bytes, as a careless client sends it.
    headers = {**seeded.auth("a", "admin"), header: '"\u0080é"'.encode()}
    read = await seeded.client.get("/api/goals/units/HSN", headers=headers)
    assert read.status_code < 500
    changed = await seeded.client.patch("/api/goals/units/HSN", headers=headers, json={"name": "Hälso- och sjukvård"})
    assert 400 <= changed.status_code < 500
    assert changed.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("as_of", ["-2.225073858507203e-309", "1700000000", "2024-06-30T00:00:00", "30/06/2024"])
async def test_an_as_of_not_written_as_a_date_is_422(seeded, as_of):
    # Found by schemathesis: pydantic read a number as a Unix time, so "-2.2e-309" answered as at 1970-01-01.
    headers = seeded.auth("a", "admin")
    for path in ("/api/audit/me/tasks", "/api/audit/overview", "/api/goals/chain?year=2022"):
        sep = "&" if "?" in path else "?"
        response = await seeded.client.get(f"{path}{sep}as_of={as_of}", headers=headers)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["errors"][0]["loc"] == ["query", "as_of"]
    assert (await seeded.client.get("/api/audit/overview?as_of=2024-06-30", headers=headers)).status_code == 200


async def test_a_measures_file_reading_null_is_a_file_with_one_bad_line(stack):
    # schemathesis drew `null` for the file (text/tab-separated-values) and sent the text "null": a string, as the
    # document allows, read as a line of one field; a dry run reports it, an import refuses it.
    admin = stack.auth("a", "admin")
    sent = {"headers": {**admin, "content-type": "text/tab-separated-values"}, "content": "null"}
    dry = await stack.client.post("/api/goals/imports/measures?dry_run=true&period=year", **sent)
    assert dry.status_code == 200
    assert [(p["line"], p["message"]) for p in dry.json()["problems"]] == [
        (1, "expected 4 tab-separated fields, found 1")
    ]
    refused = await stack.client.post("/api/goals/imports/measures?period=year", **sent)
    assert refused.status_code == 422
    assert refused.json()["code"] == "import-refused"
