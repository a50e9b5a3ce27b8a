"""The read models' statements are built once (issue 17): a second request, even for another year and date,
builds no SQLAlchemy statement, its values go as parameters. Building them (joins, aliases, column
collections, cache keys) cost the chain and the audit overview more CPU than running them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy.sql import selectable
from sqlalchemy.sql.base import Generative

from shared.auth.policy import Principal, RegionRole
from shared.auth.tokens import mint_internal_token
from shared.settings import DEV_SECRET

READ_MODELS = [
    ("goals", "/chain?year={year}&period=T2", "/chain?year={year}&as_of={day}"),
    ("goals", "/chain?year={year}&unit=HSN", "/chain?year={year}&unit=PV&as_of={day}"),
    ("goals", "/fulfilment?year={year}&period=T2", "/fulfilment?year={year}&period=T1&as_of={day}"),
    ("budget", "/economy/region?year={year}&follow_up=T2", "/economy/region?year={year}&follow_up=T2&as_of={day}"),
    ("audit", "/overview", "/overview?as_of={day}"),
    ("audit", "/bodies/HSN/status", "/bodies/PV/status?as_of={day}"),
    ("audit", "/follow-through", "/follow-through?as_of={day}"),
    ("audit", "/follow-through?body=HSN", "/follow-through?body=PV&as_of={day}"),
]


@contextmanager
def statements_built() -> Iterator[list[str]]:
    """Every statement SQLAlchemy builds or derives (a select, or a copy by where/join/order_by…) meanwhile."""
    built: list[str] = []
    generate, init = Generative._generate, selectable.Select.__init__

    def counted_generate(self: Any) -> Any:
        built.append(type(self).__name__)
        return generate(self)

    def counted_init(self: Any, *args: Any, **kwargs: Any) -> None:
        built.append("select()")
        init(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Generative, "_generate", counted_generate)
        patch.setattr(selectable.Select, "__init__", counted_init)
        yield built


@pytest.mark.parametrize(("service", "first", "second"), READ_MODELS)
async def test_a_second_read_builds_no_statement(seeded, service, first, second):
    reader = Principal(subject="reader", name="Reader", region_roles=frozenset({RegionRole.auditor}))
    headers = {"Authorization": f"Bearer {mint_internal_token(reader, DEV_SECRET, 60)}"}
    async with seeded.service_client(service) as client:
        warm = await client.get(first.format(year=2022, day="2022-08-31"), headers=headers)
        assert warm.status_code == 200, warm.text
        with statements_built() as built:
            again = await client.get(second.format(year=2023, day="2023-12-31"), headers=headers)
        assert again.status_code == 200, again.text
    assert built == []


def test_the_count_sees_a_statement_built() -> None:
    from sqlalchemy import column, select

    with statements_built() as built:
        select(column("x")).where(column("x") == 1)
    assert built == ["select()", "Select"]
