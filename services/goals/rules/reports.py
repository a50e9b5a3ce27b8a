"""Report production: editions of a report, the units' analysis texts, and the frozen snapshot.

An edition is one report (interim T1/T2 or annual, for a year) for a unit and the units below it, or
for the region. Its sections are one analysis text per unit and topic: the scope unit and the units
directly under it (for the region, the bodies directly under the council: the board and the
committees). T1 has the topics economy and employees; T2 and the annual report all four. When every
section is ready, a registrar on the scope unit (for the region, on the board) completes it; the
gateway builds the report and the edition keeps it as frozen JSON, with who, when and the data
versions it came from. A completed edition never changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.goals.models import (
    EditionStatus,
    ReportEdition,
    ReportingPeriod,
    ReportKind,
    ReportSection,
    ReportSnapshot,
    ReportTopic,
)
from services.goals.rules.common import OrgIndex, UnitRef
from services.goals.schemas import (
    ReportCompletion,
    ReportEditionCreate,
    ReportEditionRead,
    ReportSectionRead,
    ReportSectionUpdate,
)
from shared.auth.policy import Principal, PrincipalKind, UnitKind
from shared.errors import Conflict, Locked, NotFound, Unprocessable
from shared.pagination import Page, PageParams
from shared.types import utcnow

# Which editions a list asks for: kind, year, period, unit, and whether only the region's.
EditionFilters = tuple[ReportKind | None, int | None, ReportingPeriod | None, str | None, bool]

T1_TOPICS = (ReportTopic.economy, ReportTopic.employees)
ALL_TOPICS = (ReportTopic.goals, ReportTopic.economy, ReportTopic.employees, ReportTopic.audit)
REGION = "region"


def topics_for(period: ReportingPeriod) -> tuple[ReportTopic, ...]:
    """T1 centres on the economy and the employees; T2 and the annual report carry everything."""
    return T1_TOPICS if period is ReportingPeriod.T1 else ALL_TOPICS


def scope_key(kind: ReportKind, year: int, period: ReportingPeriod, unit_id: uuid.UUID | None) -> str:
    return f"{kind.value}/{year}/{period.value}/{unit_id or REGION}"


def _council(index: OrgIndex) -> UnitRef:
    councils = [u for u in index.by_id.values() if u.kind is UnitKind.council and u.parent_id is None]
    if not councils:
        raise Unprocessable("The org tree has no council at its top, so the region has no report yet")
    return councils[0]


def section_units(index: OrgIndex, unit: UnitRef | None) -> list[UnitRef]:
    """The units that write: the scope unit and those directly under it; for the region, the council's bodies."""
    top = unit or _council(index)
    children = sorted((u for u in index.by_id.values() if u.parent_id == top.id), key=lambda u: u.code)
    return children if unit is None else [unit, *children]


def registrar_unit(index: OrgIndex, edition: ReportEdition) -> str:
    """Whose registrar completes the edition: the scope unit's, or for the region the board's."""
    return registrar_of(index, edition.unit_id)


def registrar_of(index: OrgIndex, unit_id: uuid.UUID | None) -> str:
    if unit_id is not None:
        return index.code(unit_id)
    boards = sorted(u.code for u in index.by_id.values() if u.kind is UnitKind.board)
    if not boards:
        raise Unprocessable("The org tree has no board, whose registrar completes the region's report")
    return boards[0]


async def create_edition(session: AsyncSession, data: ReportEditionCreate, index: OrgIndex) -> ReportEdition:
    """Open an edition with one empty section per writing unit and topic."""
    unit = None
    if data.unit_code is not None:
        unit = index.by_code.get(data.unit_code)
        if unit is None:
            raise Unprocessable(f"No org unit with code {data.unit_code}", field="unit_code")
        if unit.kind is UnitKind.council:
            raise Unprocessable("The council's report is the region's: leave unit_code out", field="unit_code")
    key = scope_key(data.kind, data.year, data.period, unit.id if unit else None)
    if await session.scalar(select(ReportEdition.id).where(ReportEdition.scope_key == key)) is not None:
        raise Conflict(f"The edition {key} is already open or completed")
    edition = ReportEdition(
        scope_key=key, kind=data.kind, year=data.year, period=data.period, unit_id=unit.id if unit else None
    )
    session.add(edition)
    await session.flush()
    order = 0
    for writer in section_units(index, unit):
        for topic in topics_for(data.period):
            session.add(ReportSection(edition_id=edition.id, unit_id=writer.id, topic=topic, sort_order=order))
            order += 1
    await session.flush()
    return edition


async def get_edition(session: AsyncSession, edition_id: uuid.UUID) -> ReportEdition:
    edition = await session.get(ReportEdition, edition_id)
    if edition is None:
        raise NotFound("No report edition with that id")
    return edition


async def sections_of(session: AsyncSession, edition_id: uuid.UUID) -> list[ReportSection]:
    rows = await session.scalars(
        select(ReportSection).where(ReportSection.edition_id == edition_id).order_by(ReportSection.sort_order)
    )
    return list(rows)


async def get_section(session: AsyncSession, edition: ReportEdition, section_id: uuid.UUID) -> ReportSection:
    section = await session.get(ReportSection, section_id)
    if section is None or section.edition_id != edition.id:
        raise NotFound("No section with that id in this edition")
    return section


def may_read_section(principal: Principal, edition: ReportEdition, section: ReportSection, index: OrgIndex) -> bool:
    """An open edition's texts are drafts of their unit; a completed edition's are public record."""
    completed = edition.status is EditionStatus.completed
    return principal.can_read(index.code(section.unit_id), decided=completed)


def may_read_edition(
    principal: Principal, edition: ReportEdition, sections: Sequence[ReportSection], index: OrgIndex
) -> bool:
    """A completed edition: any role. An open one: whoever reads the drafts of its registrar or of a section."""
    if edition.status is EditionStatus.completed:
        return principal.reads_decided or principal.kind is PrincipalKind.service
    if principal.can_read(registrar_unit(index, edition), decided=False):
        return True
    return any(may_read_section(principal, edition, s, index) for s in sections)


def unit_read_through(
    principal: Principal, edition: ReportEdition, sections: Sequence[ReportSection], index: OrgIndex
) -> str:
    """The unit whose drafts let the caller read an open edition: its registrar's, or else the first section's
    they may read (the edition's read rule says so in its note); the registrar's when none does."""
    registrar = registrar_unit(index, edition)
    if edition.status is EditionStatus.completed or principal.can_read(registrar, decided=False):
        return registrar
    readable = (code for s in sections if principal.can_read(code := index.code(s.unit_id), decided=False))
    return next(readable, registrar)


def section_read(section: ReportSection, index: OrgIndex) -> ReportSectionRead:
    return ReportSectionRead(
        id=section.id,
        edition_id=section.edition_id,
        unit_code=index.code(section.unit_id),
        topic=section.topic,
        text=section.text,
        ready=section.ready,
        owner_subject=section.owner_subject,
        owner_name=section.owner_name,
        version=section.version,
    )


def edition_read(
    principal: Principal, edition: ReportEdition, sections: Sequence[ReportSection], index: OrgIndex
) -> ReportEditionRead:
    """The edition with the sections this caller may read."""
    return ReportEditionRead(
        id=edition.id,
        kind=edition.kind,
        year=edition.year,
        period=edition.period,
        unit_code=index.code(edition.unit_id) if edition.unit_id else None,
        registrar_unit=registrar_unit(index, edition),
        status=edition.status,
        completed_at=edition.completed_at,
        completed_by=edition.completed_by,
        completed_by_name=edition.completed_by_name,
        data_versions=edition.data_versions,
        sections=[section_read(s, index) for s in sections if may_read_section(principal, edition, s, index)],
        version=edition.version,
    )


def ensure_open(edition: ReportEdition) -> None:
    if edition.status is EditionStatus.completed:
        raise Locked("The report edition is completed; its texts and snapshot no longer change")


async def update_section(
    session: AsyncSession, edition: ReportEdition, section: ReportSection, data: ReportSectionUpdate
) -> ReportSection:
    """Write the text or set the ready flag; a ready text is not rewritten without un-marking it."""
    ensure_open(edition)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("ready", "absent") is None:
        raise Unprocessable("ready is true or false", field="ready")
    if changes.get("text", "") is None:
        raise Unprocessable("text cannot be null; send an empty string to clear it", field="text")
    if "text" in changes and section.ready and changes.get("ready") is not False:
        raise Conflict("The section is marked ready; send ready: false with the new text to change it")
    for field, value in changes.items():
        setattr(section, field, value)
    await session.flush()
    return section


def not_ready(sections: Sequence[ReportSection], index: OrgIndex) -> list[str]:
    return [f"{index.code(s.unit_id)}/{s.topic.value}" for s in sections if not s.ready]


async def complete_edition(
    session: AsyncSession,
    edition: ReportEdition,
    sections: Sequence[ReportSection],
    data: ReportCompletion,
    principal: Principal,
    index: OrgIndex,
) -> ReportEdition:
    """Freeze the report: every section ready and unchanged since the gateway read it, then keep its JSON."""
    ensure_open(edition)
    waiting = not_ready(sections, index)
    if waiting:
        raise Conflict(f"Sections not ready: {', '.join(waiting)}", not_ready=waiting)
    used = data.section_versions
    changed = [f"{index.code(s.unit_id)}/{s.topic.value}" for s in sections if used.get(s.id) != s.version]
    if changed:
        raise Conflict(f"Sections changed while the report was built: {', '.join(changed)}; complete it again")
    edition.status = EditionStatus.completed
    edition.completed_at = data.completed_at
    edition.completed_by = principal.subject
    edition.completed_by_name = principal.name
    edition.data_versions = dict(data.data_versions)
    session.add(ReportSnapshot(edition_id=edition.id, body=data.report, created_at=utcnow()))
    await session.flush()
    return edition


async def snapshot_of(session: AsyncSession, edition: ReportEdition) -> str:
    snapshot = await session.get(ReportSnapshot, edition.id)
    if snapshot is None:
        raise NotFound("The edition is not completed, so it has no snapshot yet")
    return snapshot.body


async def find_editions(
    session: AsyncSession,
    index: OrgIndex,
    kind: ReportKind | None,
    year: int | None,
    period: ReportingPeriod | None,
    unit: str | None,
    region: bool,
) -> list[ReportEdition]:
    stmt = select(ReportEdition).order_by(ReportEdition.year.desc(), ReportEdition.scope_key)
    if kind is not None:
        stmt = stmt.where(ReportEdition.kind == kind)
    if year is not None:
        stmt = stmt.where(ReportEdition.year == year)
    if period is not None:
        stmt = stmt.where(ReportEdition.period == period)
    if region:
        stmt = stmt.where(ReportEdition.unit_id.is_(None))
    elif unit is not None:
        found = index.by_code.get(unit)
        if found is None:
            raise Unprocessable(f"No org unit with code {unit}", field="unit")
        stmt = stmt.where(ReportEdition.unit_id == found.id)
    return list(await session.scalars(stmt))


async def sections_by_edition(
    session: AsyncSession, edition_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ReportSection]]:
    found: dict[uuid.UUID, list[ReportSection]] = {i: [] for i in edition_ids}
    if edition_ids:
        rows = await session.scalars(
            select(ReportSection)
            .where(ReportSection.edition_id.in_(edition_ids))
            .order_by(ReportSection.edition_id, ReportSection.sort_order)
        )
        for row in rows:
            found[row.edition_id].append(row)
    return found


async def list_editions(
    session: AsyncSession,
    principal: Principal,
    index: OrgIndex,
    page: PageParams,
    filters: EditionFilters,
) -> Page[ReportEditionRead]:
    """The editions the caller may read. A region has a few editions a year, so the visibility of each is
    checked here rather than in SQL."""
    editions = await find_editions(session, index, *filters)
    sections = await sections_by_edition(session, [e.id for e in editions])
    visible = [e for e in editions if may_read_edition(principal, e, sections[e.id], index)]
    chosen = visible[page.offset : page.offset + page.limit]
    return Page[ReportEditionRead](
        items=[edition_read(principal, e, sections[e.id], index) for e in chosen],
        total=len(visible),
        limit=page.limit,
        offset=page.offset,
    )
