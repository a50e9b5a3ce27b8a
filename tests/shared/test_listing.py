"""The main lists sort and search one way (shared/listing.py, issue 15): goals and indicators in the goals
service, recommendations and actions in the audit service; on both databases."""

import pytest

AUDITOR = ("revisor", "auditor")
# Each list, a field to sort it by, a field many of its rows share, and the text `q` searches.
LISTS = [
    ("/api/goals/goals", "title", "status", "title"),
    ("/api/goals/indicators", "name", "source", "name"),
    ("/api/audit/recommendations", "number", "status", "text"),
    ("/api/audit/actions", "title", "status", "title"),
]


async def _items(stack, url: str) -> list[dict]:
    response = await stack.client.get(url, headers=stack.auth(*AUDITOR))
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _sort_key(value):
    return (value is None, value)  # empty values last


@pytest.mark.parametrize(("path", "field", "shared", "_"), LISTS)
async def test_a_list_sorts_by_a_field_either_way_and_ties_by_id(seeded, path, field, shared, _):
    up = await _items(seeded, f"{path}?limit=500&sort={field}")
    down = await _items(seeded, f"{path}?limit=500&sort=-{field}")
    assert len(up) > 1, "the demo data has rows to sort"
    assert [i[field] for i in up] == sorted((i[field] for i in up), key=_sort_key)
    assert [i[field] for i in down] == sorted((i[field] for i in down), key=_sort_key, reverse=True)
    tied = await _items(seeded, f"{path}?limit=500&sort=-{shared}")
    assert [(i[shared], i["id"]) for i in tied] == sorted(
        ((i[shared], i["id"]) for i in tied), key=lambda pair: (_invert(pair[0]), pair[1])
    )


def _invert(text: str) -> list[int]:
    """A key that sorts texts descending (the shared field), so ties can go by id ascending."""
    return [-ord(c) for c in text] + [0]


@pytest.mark.parametrize(("path", "_", "__", "text"), LISTS)
async def test_q_searches_the_main_texts_whatever_their_case(seeded, path, _, __, text):
    everything = await _items(seeded, f"{path}?limit=500")
    word = max((w for i in everything for w in i[text].split() if w.isalpha()), key=len)
    found = await _items(seeded, f"{path}?limit=500&q={word.upper()}")
    assert found
    assert {i["id"] for i in found} <= {i["id"] for i in everything}
    assert {i["id"] for i in everything if word.lower() in i[text].lower()} <= {i["id"] for i in found}
    assert await _items(seeded, f"{path}?q=%25zz_qq%25") == []  # LIKE's wildcards are searched as typed


async def test_the_search_folds_letters_beyond_ascii_on_both_databases(seeded):
    found = await _items(seeded, "/api/goals/goals?q=VÅRD I RÄTT TID")
    assert [g["title"][:15] for g in found] == ["Vård i rätt tid"]
    indicators = await _items(seeded, "/api/goals/indicators?q=VÄNTETID&sort=-name")
    assert indicators
    assert all("väntetid" in i["name"].lower() for i in indicators)


async def test_an_unknown_sort_field_is_a_422_naming_the_allowed_ones(seeded):
    response = await seeded.client.get("/api/goals/goals?sort=colour", headers=seeded.auth(*AUDITOR))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    (error,) = response.json()["errors"]
    assert error["loc"] == ["query", "sort"]
    assert "'title'" in error["msg"]
    assert "'-start_year'" in error["msg"]


async def test_the_document_lists_each_lists_sort_fields(seeded):
    doc = await seeded.document()
    operations = {
        op["operationId"]: op for item in doc["paths"].values() for op in item.values() if "operationId" in op
    }
    for operation_id, enum, field in (
        ("list_goals", "GoalSort", "title"),
        ("list_indicators", "IndicatorSort", "kolada_kpi"),
        ("list_recommendations", "RecommendationSort", "response_due_on"),
        ("list_actions", "ActionSort", "deadline_on"),
    ):
        parameters = {p["name"]: p for p in operations[operation_id]["parameters"]}
        assert parameters["sort"]["description"]
        assert parameters["q"]["description"]
        assert {field, f"-{field}"} <= set(doc["components"]["schemas"][enum]["enum"])
