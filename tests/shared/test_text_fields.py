"""A required text is documented as it is taken: trimmed, with a character left. The document says so by a
pattern beside `minLength`, so a generated client is not told that "  " will do and then refused. Evidence
names a link or a document, in the document as on the server."""

from __future__ import annotations

import re
from typing import Any

import pytest

from shared.errors import PROBLEM_MEDIA_TYPE
from shared.fields import SOME_TEXT

EDITOR = ("text.writer", "RS:editor")
# A required text of each service, as the gateway's document names it.
REQUIRED_TEXTS = [
    ("AssignmentCreate", "title"),
    ("IndicatorCreate", "unit_of_measure"),
    ("ActionCreate", "title"),
    ("GrantCreate", "name"),
]


def _string_option(document: dict[str, Any], schema: str, field: str) -> dict[str, Any]:
    found: dict[str, Any] = document["components"]["schemas"][schema]["properties"][field]
    return next((option for option in found.get("anyOf", [found]) if option.get("type") == "string"), found)


def _refused_at(response: Any, loc: list[Any]) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    assert [error["loc"][: len(loc)] for error in response.json()["errors"]] == [loc]


@pytest.mark.parametrize(("schema", "field"), REQUIRED_TEXTS)
async def test_the_document_says_a_required_text_needs_a_character_beyond_spaces(seeded, schema, field):
    document = await seeded.document()
    text = _string_option(document, schema, field)
    assert text["pattern"] == SOME_TEXT
    assert text["minLength"] == 1
    assert re.search(text["pattern"], "   ") is None  # what the server refuses, the document refuses too
    assert re.search(text["pattern"], " Mål ") is not None


@pytest.mark.parametrize("title", ["   ", "\t", "\n \n"])
async def test_a_title_of_white_space_alone_is_refused_naming_the_field(seeded, title):
    body = {"issuer_code": "RS", "assignee_code": "HSN", "title": title}
    response = await seeded.client.post("/api/goals/assignments", json=body, headers=seeded.auth(*EDITOR))
    _refused_at(response, ["body", "title"])


async def test_a_title_is_kept_trimmed(seeded):
    body = {"issuer_code": "RS", "assignee_code": "HSN", "title": "  Minska väntetiderna  "}
    response = await seeded.client.post("/api/goals/assignments", json=body, headers=seeded.auth(*EDITOR))
    assert response.status_code == 201, response.text
    assert response.json()["title"] == "Minska väntetiderna"


async def test_the_document_says_evidence_names_a_link_or_a_document_as_the_server_checks(seeded):
    document = await seeded.document()
    schema = document["components"]["schemas"]["EvidenceIn"]
    assert sorted(tuple(option["required"]) for option in schema["anyOf"]) == [("document_reference",), ("url",)]
    body = {"body_code": "HSN", "title": "Rutin för uppföljning", "evidence": [{"description": "Protokoll"}]}
    response = await seeded.client.post("/api/audit/actions", json=body, headers=seeded.auth("h", "HSN:editor"))
    assert response.status_code == 422, response.text
    assert ["body", "evidence", 0] in [error["loc"][:3] for error in response.json()["errors"]]
