"""`styr import …`: bulk imports run by an admin on the server, straight into a service's database.

They use the same rules as the import routes, in one transaction, and history names the person
given with --as.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import time
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from pydantic import ValidationError
from rich.progress import BarColumn, DownloadColumn, Progress, SpinnerColumn, TextColumn, TimeRemainingColumn
from sqlalchemy.ext.asyncio import AsyncSession

from services.budget.rules.ledger import Delimiter, import_ledger
from services.budget.settings import BudgetSettings
from services.goals.rules.kolada import KoladaPage, import_pages
from services.goals.rules.measurement_import import Caller
from services.goals.rules.measures_tsv import Granularity, import_measures
from services.goals.settings import GoalsSettings
from shared.auth.policy import Principal, PrincipalKind, RegionRole
from shared.auth.tokens import mint_internal_token
from shared.db import create_engine, create_sessionmaker
from shared.errors import DomainError
from shared.history import HistorySession, set_actor
from shared.imports import ImportReport, noted
from shared.textfiles import encoding_of_file, lines_of, note_on

app = typer.Typer(
    help="Import data from other systems: Kolada, measures by external codes, the ledger.", no_args_is_help=True
)
ATTEMPTS = 4
MAX_PAGES = 10_000


class FetchFailed(Exception):
    pass


def parse_page(text: str, origin: str) -> KoladaPage:
    """A page read exactly: JSON numbers become decimals as written, never binary floats."""
    try:
        return KoladaPage.model_validate(json.loads(text, parse_float=Decimal))
    except (ValueError, ValidationError) as exc:
        raise FetchFailed(f"{origin} is not a page of Kolada values: {exc}") from exc


def _get(client: httpx.Client, url: str) -> str:
    """GET with retries on network errors and 5xx/429, waiting longer each time."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            response = client.get(url)
            if response.status_code < 500 and response.status_code != 429:
                response.raise_for_status()
                return response.text
            problem = f"HTTP {response.status_code}"
        except httpx.HTTPStatusError as exc:
            raise FetchFailed(f"{url}: HTTP {exc.response.status_code}") from exc
        except httpx.TransportError as exc:
            problem = str(exc) or type(exc).__name__
        if attempt < ATTEMPTS:
            time.sleep(0.5 * 2**attempt)
    raise FetchFailed(f"{url}: gave up after {ATTEMPTS} attempts ({problem})")


def fetch_pages(client: httpx.Client, url: str) -> Iterator[KoladaPage]:
    """Every page from `url` on, following `next_page` (or `next_url`) until there is none."""
    seen: set[str] = set()
    next_url: str | None = url
    while next_url:
        if next_url in seen or len(seen) >= MAX_PAGES:
            raise FetchFailed(f"{next_url}: the pages run in a circle or never end")
        seen.add(next_url)
        page = parse_page(_get(client, next_url), next_url)
        yield page
        next_url = page.next_page


Importer = Callable[[AsyncSession], Awaitable[ImportReport]]


async def _in_database(database_url: str, actor: str, importer: Importer) -> ImportReport:
    """Run one import in one transaction on a service's database, as `actor`; an admin may import anything."""
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine, HistorySession)() as session:
            set_actor(session, f"cli:{actor}", actor)
            report = await importer(session)
            await session.commit()
            return report
    finally:
        await engine.dispose()


def _who(actor: str | None) -> str:
    """The person running the command: --as, or the login name (which containers may not have)."""
    if actor:
        return actor
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown admin"


def _run(actor: str | None, importer: Importer, database_url: str | None = None) -> None:
    """Run an import (on the goals database unless told), print its report, and exit 0 only when it had no problem."""
    try:
        report = asyncio.run(_in_database(database_url or GoalsSettings().database_url, _who(actor), importer))
    except DomainError as exc:
        refused: dict[str, Any] = exc.extra.get("report") or {}
        typer.echo(f"refused, nothing was changed: {exc.detail}", err=True)
        if refused:
            _show(ImportReport.model_validate(refused))
        raise typer.Exit(1) from exc
    _show(report)
    raise typer.Exit(1 if report.problems else 0)


def _show(report: ImportReport) -> None:
    verb = "would change" if report.dry_run else "changed"
    typer.echo(
        f"read {report.read}; {verb}: {report.created} created, {report.updated} updated; "
        f"{report.unchanged} unchanged, {report.left_alone} left alone"
    )
    for note in report.notes:
        typer.echo(f"  note: {note}")
    for problem in report.problems:
        typer.echo(f"  line {problem.line}{f' ({problem.field})' if problem.field else ''}: {problem.message}")


def _read_pages(files: list[Path], url: str | None, timeout: float) -> list[KoladaPage]:
    pages: list[KoladaPage] = []
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), transient=True) as progress:
        task = progress.add_task("reading Kolada pages", total=None)
        for path in files:
            pages.append(parse_page(path.read_text(encoding="utf-8"), str(path)))
            progress.update(task, description=f"read {len(pages)} page(s)")
        if url:
            with httpx.Client(timeout=timeout, follow_redirects=True) as client:
                for page in fetch_pages(client, url):
                    pages.append(page)
                    progress.update(task, description=f"fetched {len(pages)} page(s)")
    return pages


@app.command("kolada")
def kolada(
    file: Annotated[
        list[Path] | None, typer.Option(exists=True, dir_okay=False, help="A saved page (repeatable)")
    ] = None,
    url: Annotated[str | None, typer.Option(help="Kolada's API, e.g. https://api.kolada.se/v2/data/kpi/…")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report only; change nothing")] = False,
    actor: Annotated[str | None, typer.Option("--as", help="Who the history names [default: you]")] = None,
    timeout: Annotated[float, typer.Option(min=1, max=300, help="Seconds per request")] = 30.0,
) -> None:
    """Import Kolada values into the indicators that name their KPI and area: all or nothing."""
    if not file and not url:
        raise typer.BadParameter("give --file or --url")
    try:
        pages = _read_pages(file or [], url, timeout)
    except FetchFailed as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    _run(actor, lambda session: import_pages(session, pages, dry_run=dry_run, caller=Caller.admin()))


def _lines_with_progress(path: Path, encoding: str) -> Iterator[str]:
    """The file's lines, read as they are needed, with a count of them on the terminal."""
    with (
        path.open("rb") as raw,
        Progress(SpinnerColumn(), TextColumn("{task.description}"), transient=True) as progress,
    ):
        task = progress.add_task("reading", total=None)
        for number, line in enumerate(lines_of(raw, encoding), start=1):
            if number % 1000 == 0:
                progress.update(task, description=f"read {number} lines")
            yield line


def _lines_with_progress_bar(path: Path, encoding: str) -> Iterator[str]:
    """The file's lines, read as they are needed, with a bar of the bytes read so far (for large files)."""
    with (
        path.open("rb") as raw,
        Progress(
            TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(), transient=True
        ) as progress,
    ):
        task = progress.add_task(f"reading {path.name}", total=path.stat().st_size)
        for number, line in enumerate(lines_of(raw, encoding), start=1):
            if number % 5000 == 0:
                progress.update(task, completed=raw.tell())
            yield line
        progress.update(task, completed=path.stat().st_size)


@app.command("measures")
def measures(
    file: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="Tab-separated: unit, date, measure, value")],
    period: Annotated[Granularity, typer.Option(help="The period a date falls in")] = Granularity.month,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report only; change nothing")] = False,
    actor: Annotated[str | None, typer.Option("--as", help="Who the history names [default: you]")] = None,
) -> None:
    """Import measures by external codes (Stratsys-style), all or nothing; UTF-8 or Windows-1252 (Excel) text."""
    encoding = encoding_of_file(file)

    async def importer(session: AsyncSession) -> ImportReport:
        lines = _lines_with_progress(file, encoding)
        run = import_measures(session, lines, granularity=period, dry_run=dry_run, caller=Caller.admin())
        return await noted(note_on(encoding), run)

    _run(actor, importer)


UNIT_TOKEN_SECONDS = 300


async def known_units(settings: BudgetSettings, transport: httpx.AsyncBaseTransport | None = None) -> set[str]:
    """Every org unit code, in one call to the goals service, as an admin of the command line."""
    principal = Principal(
        subject="cli:ledger-import",
        name="styr import ledger",
        kind=PrincipalKind.service,
        region_roles=frozenset({RegionRole.admin}),
    )
    token = mint_internal_token(principal, settings.internal_secret, UNIT_TOKEN_SECONDS)
    async with httpx.AsyncClient(timeout=settings.peer_timeout_seconds, transport=transport) as client:
        try:
            response = await client.get(
                f"{settings.goals_url.rstrip('/')}/units/tree", headers={"authorization": f"Bearer {token}"}
            )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise FetchFailed(f"the goals service at {settings.goals_url} did not give the org units: {exc}") from exc
    return {str(unit["code"]) for unit in response.json()["units"]}


@app.command("ledger")
def ledger(
    file: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="CSV: unit, account, month, amount")],
    delimiter: Annotated[Delimiter, typer.Option(help="The column separator")] = Delimiter.auto,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report only; change nothing")] = False,
    actor: Annotated[str | None, typer.Option("--as", help="Who the history names [default: you]")] = None,
) -> None:
    """Import the ledger's outcomes into the budget service, summed per unit, month and category: all or nothing."""
    settings = BudgetSettings()

    async def importer(session: AsyncSession) -> ImportReport:
        units = await known_units(settings)

        async def unit_exists(code: str) -> bool:
            return code in units

        lines = _lines_with_progress_bar(file, encoding)
        run = import_ledger(session, lines, delimiter=delimiter, unit_exists=unit_exists, dry_run=dry_run)
        return await noted(note_on(encoding), run)

    encoding = encoding_of_file(file)

    try:
        _run(actor, importer, settings.database_url)
    except FetchFailed as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
