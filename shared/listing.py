"""One way for every main list to be sorted and searched (issue 15), written once.

`sort` names one of the list's allowed fields, `-field` for descending; rows that tie are ordered by id, so a
page never repeats or skips a row. Empty values come last either way, on both databases. An unknown field is
a 422 problem whose message names the allowed ones, and OpenAPI lists them as the parameter's enum.

`q` searches the list's main texts (a title or name, a code) for the words as typed, case-insensitively and
for letters beyond ASCII too (Å, Ä, Ö), on SQLite and PostgreSQL alike: SQLite through a function the engine
registers on each connection (shared/db.py), PostgreSQL through lower() in an ICU collation, since a database
made with the C locale lowers ASCII only.

A list declares its fields once, as a dependency:

    GoalListing = Annotated[Listing, Depends(listing("Goal", ["title", "unit_code", "start_year"]))]

and hands the Listing to its statement (which it may cache by `listing.shape`):
`listing.order_by(columns, tiebreak=Goal.id, default=[...])` and `listing.search(columns)`, whose value is
in `listing.params()`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Query
from sqlalchemy import ColumnElement, String, bindparam, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction

SEARCH_PARAM = "listing_q_"
MAX_SEARCH_LENGTH = 200
SQLITE_FOLD_FUNCTION = "styr_fold"
_LIKE_ESCAPE = "\\"


def fold(text: str | None) -> str | None:
    """The case-insensitive form of a text, as both databases compute it for a search (see folded)."""
    return None if text is None else text.lower()


class folded(GenericFunction[str]):
    """A text column lowered for a search, letters beyond ASCII too, on either database."""

    type = String()
    name = "folded"
    inherit_cache = True


@compiles(folded, "sqlite")
def _folded_sqlite(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{SQLITE_FOLD_FUNCTION}({compiler.process(element.clauses, **kw)})"


@compiles(folded, "postgresql")
def _folded_postgresql(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    return f'lower(({compiler.process(element.clauses, **kw)}) COLLATE "und-x-icu")'


@compiles(folded)
def _folded_default(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


def _like_pattern(words: str) -> str:
    escaped = words.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2).replace("%", _LIKE_ESCAPE + "%").replace("_", "\\_")
    return f"%{fold(escaped)}%"


@dataclass(frozen=True)
class Listing:
    """How a caller asked a list to be ordered and searched."""

    sort: str | None = None
    descending: bool = False
    q: str | None = None

    @property
    def shape(self) -> Listing:
        """What shapes the list's statement, without the words searched for (a parameter): to cache it by."""
        return Listing(self.sort, self.descending, None if self.q is None else "")

    def order_by(
        self, columns: Mapping[str, Any], *, tiebreak: Any, default: Sequence[Any]
    ) -> list[ColumnElement[Any]]:
        """The ORDER BY: the field asked for, then the id; or the list's own order when none is asked for."""
        if self.sort is None:
            return list(default)
        column = columns[self.sort]
        ordered = column.desc() if self.descending else column.asc()
        return [ordered.nulls_last(), tiebreak]

    def search(self, columns: Sequence[Any]) -> ColumnElement[bool]:
        """Whether any of the texts holds the words searched for (their value is in params())."""
        pattern = bindparam(SEARCH_PARAM, type_=String())
        return or_(*(folded(column).like(pattern, escape=_LIKE_ESCAPE) for column in columns))

    def params(self) -> dict[str, str]:
        return {SEARCH_PARAM: _like_pattern(self.q)} if self.q is not None else {}


def listing(name: str, fields: Sequence[str], searched: str) -> Callable[..., Any]:
    """The dependency reading a list's `sort` and `q`: `fields` are those it may be sorted by, `searched` says
    in words which texts `q` searches. The sort's enum is named `<name>Sort` in OpenAPI."""
    choices = [value for field in fields for value in (field, f"-{field}")]
    sort_enum = StrEnum(  # type: ignore[misc]
        f"{name}Sort", [(f"{'desc_' if v.startswith('-') else ''}{v.lstrip('-')}", v) for v in choices]
    )
    sort_help = (
        f"Order by this field, `-field` for descending: {', '.join(fields)}. Rows that tie are ordered by id; "
        "empty values come last. Without it, the list's own order."
    )

    async def read_listing(**given: Any) -> Listing:
        sort, q = given["sort"], given["q"]
        words = q.strip() if q is not None else None
        if sort is None:
            return Listing(q=words or None)
        value = str(sort.value)
        return Listing(sort=value.lstrip("-"), descending=value.startswith("-"), q=words or None)

    # FastAPI reads a dependency's parameters from its signature; the sort's type is made here, per list.
    read_listing.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(
                "sort",
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[sort_enum | None, Query(description=sort_help)],
            ),
            inspect.Parameter(
                "q",
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[
                    str | None,
                    Query(
                        max_length=MAX_SEARCH_LENGTH,
                        description=f"Only those whose {searched} hold these words, whatever their case",
                    ),
                ],
            ),
        ]
    )
    return read_listing
