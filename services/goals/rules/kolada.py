"""Kolada's published values as measurements of the indicators that name a Kolada KPI.

Kolada (kolada.se, the Swedish municipal and regional KPI database) answers in pages: `values` is a
list of one KPI, one municipality or region and one year each, with the value per gender (T total,
K women, M men); `next_page` (v2) or `next_url` (v3) names the page after. Version 2 calls the area
`municipality`, version 3 `municipality_id`, and writes the period as an integer. A value with a
status flag, or with no value, is missing: it is recorded as missing, never as zero.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.goals.models import Goal, Indicator, Lifecycle, Plan, Strategy
from services.goals.rules.common import OrgIndex
from services.goals.rules.measurement_import import (
    KOLADA_SOURCE,
    Caller,
    IncomingValue,
    Target,
    exact,
    import_values,
)
from services.goals.rules.plans import council_code
from shared.imports import ImportProblem, ImportReport

GENDER_FIELDS = {"T": "value", "K": "value_women", "M": "value_men"}


_WRITTEN_NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"


def _a_number_as_written(value: Any) -> Any:
    if isinstance(value, str) and not re.fullmatch(_WRITTEN_NUMBER, value):
        raise ValueError('a number, or one written as a decimal string such as "83.4"')
    return value


# Kolada writes a JSON number; a decimal string is taken too. The document says both, the string by its pattern
# (pydantic's own decimal takes spaces, a plus and exponents, and the document would say any string).
KoladaNumber = Annotated[
    Decimal,
    BeforeValidator(_a_number_as_written),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string", "pattern": _WRITTEN_NUMBER}]}),
]


class KoladaValue(BaseModel):
    """One gender's value. Kolada writes numbers as JSON numbers; they are read exactly as written."""

    model_config = ConfigDict(extra="ignore")

    gender: Literal["T", "K", "M"]
    value: KoladaNumber | None = None
    status: Annotated[str, StringConstraints(max_length=20)] | None = None
    count: int | None = None


class KoladaEntry(BaseModel):
    model_config = ConfigDict(extra="ignore")

    kpi: Annotated[str, StringConstraints(pattern=r"^[A-Z][0-9]{5}$")]
    area: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")] = Field(
        validation_alias=AliasChoices("municipality", "municipality_id", "area"),
        description="The municipality or region id (`municipality` in v2, `municipality_id` in v3)",
    )
    period: Annotated[int, Field(ge=1990, le=2100)]
    values: list[KoladaValue] = Field(max_length=3)


class KoladaPage(BaseModel):
    """One page of `GET /v2/data/…` or `/v3/data/…` as Kolada answers it."""

    model_config = ConfigDict(extra="ignore")

    values: list[KoladaEntry] = Field(max_length=20_000)
    count: int | None = None
    next_page: str | None = Field(default=None, validation_alias=AliasChoices("next_page", "next_url"))


def _missing(value: KoladaValue) -> bool:
    return value.value is None or bool(value.status)


def incoming_values(entry: KoladaEntry, line: int) -> IncomingValue | ImportProblem:
    """The year's value with its gender split; a gender Kolada marks or leaves empty is missing."""
    split: dict[str, Decimal | None] = dict.fromkeys(GENDER_FIELDS.values())
    flagged = []
    for value in entry.values:
        if _missing(value):
            flagged.append(f"{value.gender}: {value.status or 'no value'}")
            continue
        try:
            split[GENDER_FIELDS[value.gender]] = exact(value.value)
        except (ValueError, ArithmeticError) as exc:
            return ImportProblem(line=line, field=f"values.{value.gender}", message=str(exc))
    comment = f"Kolada: missing ({', '.join(flagged)})" if flagged else None
    return IncomingValue(
        line=line,
        period=str(entry.period),
        value=split["value"],
        value_women=split["value_women"],
        value_men=split["value_men"],
        source=KOLADA_SOURCE,
        comment=comment,
    )


async def kolada_targets(
    session: AsyncSession, index: OrgIndex, kpis: Iterable[str]
) -> dict[tuple[str, str], list[Target]]:
    """The indicators following each (KPI, area), with the unit whose editors may measure them."""
    rows = await session.execute(
        select(Indicator.id, Indicator.kolada_kpi, Indicator.kolada_area, Goal.unit_id, Goal.status, Plan.status)
        .outerjoin(Goal, Goal.id == Indicator.goal_id)
        .outerjoin(Strategy, Strategy.id == Indicator.strategy_id)
        .outerjoin(Plan, Plan.id == Strategy.plan_id)
        .where(Indicator.kolada_kpi.in_(sorted(set(kpis))), Indicator.kolada_area.is_not(None))
    )
    council = council_code(index)
    found: dict[tuple[str, str], list[Target]] = defaultdict(list)
    for indicator_id, kpi, area, unit_id, goal_status, plan_status in rows:
        unit = index.code(unit_id) if isinstance(unit_id, uuid.UUID) else council
        decided = (goal_status or plan_status) is not Lifecycle.draft
        found[(str(kpi), str(area))].append(Target(indicator_id, unit, decided))
    return found


def match(
    entries: Iterable[tuple[int, KoladaEntry]],
    targets: dict[tuple[str, str], list[Target]],
    caller: Caller,
    problems: list[ImportProblem],
) -> Iterator[tuple[Target, IncomingValue]]:
    """Each entry paired with every indicator the caller sees that follows its KPI for its area.

    Entries nobody (visible) follows are skipped before their values are even looked at, so that a
    problem in one cannot reveal an indicator the caller may not read.
    """
    for line, entry in entries:
        followers = caller.sees(targets.get((entry.kpi, entry.area), []))
        if not followers:
            continue
        incoming = incoming_values(entry, line)
        if isinstance(incoming, ImportProblem):
            problems.append(incoming)
            continue
        for target in followers:
            yield target, incoming


async def import_pages(
    session: AsyncSession, pages: Iterable[KoladaPage], *, dry_run: bool, caller: Caller
) -> ImportReport:
    """Import Kolada's pages in one transaction: all values or, with any problem, none."""
    entries = [entry for page in pages for entry in page.values]
    report = ImportReport(dry_run=dry_run, applied=False, read=len(entries))
    targets = await kolada_targets(session, await OrgIndex.load(session), (e.kpi for e in entries))
    matched = list(match(enumerate(entries, start=1), targets, caller, report.problems))
    skipped = len(entries) - len({incoming.line for _, incoming in matched}) - len(report.problems)
    if skipped:
        report.notes.append(f"{skipped} value(s) for KPIs or areas no indicator follows were skipped")
    return await import_values(session, matched, report, caller)
