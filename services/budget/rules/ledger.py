"""The ledger import: a CSV of unit, account, month and amount, as the region's ledger exports it.

Each account goes to its category through the finance office's account plan (`AccountMapping`);
the rows of one unit, month and category are summed exactly into the one outcome the service
stores, which the import then creates, updates or leaves as it is. The file is read once, row by
row, and its rows are written as they are read (so memory does not grow with the file) under the
run's batch (`LedgerBatch`); once the sums are compared, the batch keeps the rows of the outcomes it
created or changed, and each of those outcomes names the batch: its figure is the sum of that
batch's rows for it, the `current` ones (an earlier batch's rows for it are current no more). The
rows of sums that did not change are dropped again: the figure stays made of the rows that set it,
and the same file twice changes nothing the second time.

Amounts are as booked, debit positive and credit negative. Revenue (operating revenue, taxes, general
grants and equalisation, financial income) is booked as a credit, while an outcome holds it as a
positive amount, so amounts on those accounts change sign.

An outcome keyed in or corrected by hand (no `source`) is the finance office's: the import leaves
it alone and says so in its notes. A closed year's rows are problems, so the file is refused.
"""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.budget.models import (
    REVENUE_CATEGORIES,
    AccountCategory,
    ClosedYear,
    LedgerBatch,
    LedgerRow,
    Outcome,
)
from services.budget.rules.accounts import AccountPlan
from services.budget.schemas import LedgerImportReport
from shared.errors import Unprocessable
from shared.history import ACTOR_KEY, SYSTEM_ACTOR, insert_tracked
from shared.imports import ImportProblem, ImportRefused
from shared.types import CENT, MONEY_PRECISION, utcnow

LEDGER_SOURCE = "ledger-import"
COLUMNS = ("unit", "account", "month", "amount")
# Header names the import understands, the region's Swedish ones included.
HEADER_NAMES = {
    "unit": "unit",
    "enhet": "unit",
    "ansvar": "unit",
    "account": "account",
    "konto": "account",
    "month": "month",
    "period": "month",
    "månad": "month",
    "amount": "amount",
    "belopp": "amount",
    "utfall": "amount",
}
UNIT_PATTERN = re.compile(r"^[A-ZÅÄÖ0-9][A-ZÅÄÖ0-9_-]{0,15}$")
ACCOUNT_PATTERN = re.compile(r"^[0-9]{1,10}$")
MONTH_PATTERN = re.compile(r"^(\d{4})-?(\d{2})$")
AMOUNT_LIMIT = Decimal(10) ** (MONEY_PRECISION - 2)
MAX_FIELD = 200
CHUNK = 500
ROWS_CHUNK = 5_000
YEARS = range(2000, 2101)

# Core statements on the tables: the rows go in by the thousand, where an ORM object each would cost.
BATCHES = cast(Table, LedgerBatch.__table__)
ROWS = cast(Table, LedgerRow.__table__)

UnitExists = Callable[[str], Awaitable[bool]]
Key = tuple[int, str, int, AccountCategory]  # year, unit, month, category


class NoAccount(Unprocessable):
    """An outcome's category has no account to be written under."""


class Delimiter(StrEnum):
    auto = "auto"
    semicolon = "semicolon"
    comma = "comma"
    tab = "tab"


DELIMITERS = {Delimiter.semicolon: ";", Delimiter.comma: ",", Delimiter.tab: "\t"}


def detect_delimiter(first_line: str) -> str:
    """Semicolon when the first line has one (the Swedish default: the comma is the decimal sign), then tab, comma."""
    for candidate in (";", "\t"):
        if candidate in first_line:
            return candidate
    return ","


# Spaces (plain, no-break, thin) group thousands; a comma or point is the decimal sign; − is a minus.
_AMOUNT_TEXT = str.maketrans({" ": None, "\u00a0": None, "\u202f": None, "\t": None, ",": ".", "\u2212": "-"})


def parse_amount(text: str) -> Decimal:
    """An amount as the ledger writes it: `-1 234 567,89`, `1234567.89`, a minus sign or hyphen; exact to the öre."""
    cleaned = text.translate(_AMOUNT_TEXT)
    if not cleaned:
        raise ValueError("an amount is required")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(f"{text.strip()[:40]!r} is not an amount") from exc
    if not amount.is_finite() or "_" in cleaned:
        raise ValueError(f"{text.strip()[:40]!r} is not an amount")
    if abs(amount) >= AMOUNT_LIMIT:
        raise ValueError(f"{text.strip()[:40]!r} is too large")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -2:
        return amount  # already exact to the öre: the common case, without a quantize
    if amount != amount.quantize(CENT):
        raise ValueError(f"{text.strip()[:40]!r} has more than two decimals")
    return amount.quantize(CENT)


def parse_month(text: str) -> tuple[int, int]:
    """`2024-03` or `202403` → (2024, 3)."""
    match = MONTH_PATTERN.match(text)
    if not match:
        raise ValueError(f"{text[:40]!r} is not a month (2024-03 or 202403)")
    year, month = int(match[1]), int(match[2])
    if year not in YEARS or not 1 <= month <= 12:
        raise ValueError(f"{text!r} is not a month (2024-03 or 202403)")
    return year, month


@dataclass(frozen=True, slots=True)
class ParsedRow:
    line: int
    unit: str
    account: str
    year: int
    month: int
    amount: Decimal


def _columns(header: list[str]) -> list[int] | None:
    """Where each column is, when the first row is a header naming all four; None when it is data."""
    names = [HEADER_NAMES.get(cell.strip().lower()) for cell in header]
    if not all(column in names for column in COLUMNS):
        return None
    return [names.index(column) for column in COLUMNS]


def _parse_row(line: int, cells: list[str], positions: list[int]) -> ParsedRow | ImportProblem:
    if len(cells) < len(COLUMNS) or max(map(len, cells)) > MAX_FIELD:
        return ImportProblem(line=line, message=f"expected the columns {', '.join(COLUMNS)}, found {len(cells)}")
    a, b, c, d = positions
    unit, account, month_text, amount_text = cells[a].strip(), cells[b].strip(), cells[c].strip(), cells[d]
    if not UNIT_PATTERN.match(unit):
        return ImportProblem(line=line, field="unit", message=f"{unit[:40]!r} is not a unit code")
    if not ACCOUNT_PATTERN.match(account):
        return ImportProblem(line=line, field="account", message=f"{account[:40]!r} is not an account number")
    try:
        year, month = parse_month(month_text)
    except ValueError as exc:
        return ImportProblem(line=line, field="month", message=str(exc))
    try:
        amount = parse_amount(amount_text)
    except ValueError as exc:
        return ImportProblem(line=line, field="amount", message=str(exc))
    return ParsedRow(line, unit, account, year, month, amount)


def parse_ledger(lines: Iterable[str], delimiter: Delimiter = Delimiter.auto) -> Iterator[ParsedRow | ImportProblem]:
    """Each row of the file, parsed or a problem naming its line and field; read as it is needed."""
    source = iter(lines)
    first = next(source, None)
    if first is None:
        return
    separator = detect_delimiter(first) if delimiter is Delimiter.auto else DELIMITERS[delimiter]
    reader = csv.reader(_chained(first, source), delimiter=separator)
    positions = list(range(len(COLUMNS)))
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield ImportProblem(line=reader.line_num, message=f"not a CSV row: {exc}")
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if reader.line_num == 1 and (header := _columns(cells)) is not None:
            positions = header
            continue
        yield _parse_row(reader.line_num, cells, positions)


def _chained(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


@dataclass(slots=True)
class Sum:
    amount: Decimal
    line: int


@dataclass(frozen=True, slots=True)
class Stored:
    """An outcome the import may change, as a plain row."""

    id: uuid.UUID
    amount: Decimal
    source: str | None


@dataclass
class LedgerImport:
    """What a file adds up to, and what it would change; outcomes are written only by `apply`.

    A real run writes the file's rows under `batch_id` as it reads them; `outcome_ids` names the outcome
    each key's rows belong to: the stored one, or the one `apply` will create with that id.
    """

    report: LedgerImportReport
    batch_id: uuid.UUID | None = None
    sums: dict[Key, Sum] = field(default_factory=dict)
    stored: dict[Key, Stored] = field(default_factory=dict)
    outcome_ids: dict[Key, uuid.UUID] = field(default_factory=dict)
    years_loaded: set[int] = field(default_factory=set)
    pending_rows: list[dict[str, Any]] = field(default_factory=list)
    rows_written: int = 0
    creates: list[dict[str, Any]] = field(default_factory=list)
    updates: dict[uuid.UUID, Decimal] = field(default_factory=dict)
    kept_unchanged: list[uuid.UUID] = field(default_factory=list)

    def problem(self, line: int, message: str, field: str | None = None) -> None:
        self.report.problems.append(ImportProblem(line=line, field=field, message=message))

    @property
    def writes_rows(self) -> bool:
        # Once the file has a problem it is refused whole: writing more of its rows is wasted work.
        return self.batch_id is not None and not self.report.problems


async def _closed_years(session: AsyncSession) -> set[int]:
    return set(await session.scalars(select(ClosedYear.year)))


async def read_file(
    session: AsyncSession,
    lines: Iterable[str],
    *,
    delimiter: Delimiter,
    unit_exists: UnitExists,
    dry_run: bool,
) -> LedgerImport:
    """Sum the file by unit, month and category, with a problem for each row that cannot go in.

    A real run also writes each row, under a new batch, as it goes."""
    plan = LedgerImport(LedgerImportReport(dry_run=dry_run, applied=False))
    if not dry_run:
        plan.batch_id = await _open_batch(session)
    accounts = await AccountPlan.load(session)
    closed = await _closed_years(session)
    units: dict[str, bool] = {}
    read = 0
    for parsed in parse_ledger(lines, delimiter):
        read += 1  # counted here, not on the report: a pydantic attribute set per row costs
        if isinstance(parsed, ImportProblem):
            plan.report.problems.append(parsed)
            continue
        if parsed.unit not in units:
            units[parsed.unit] = await unit_exists(parsed.unit)  # once per distinct code, not per row
        if not units[parsed.unit]:
            plan.problem(parsed.line, f"no org unit with code {parsed.unit}", "unit")
            continue
        category = accounts.category_of(parsed.account)
        if category is None:
            plan.problem(parsed.line, f"account {parsed.account} is in no rule of the account plan", "account")
            continue
        if parsed.year in closed:
            plan.problem(parsed.line, f"{parsed.year} is closed; its outcomes can no longer change", "month")
            continue
        # The ledger books revenue as a credit (negative); an outcome holds revenue as a positive amount.
        amount = -parsed.amount if category in REVENUE_CATEGORIES else parsed.amount
        key = (parsed.year, parsed.unit, parsed.month, category)
        if key in plan.sums:
            plan.sums[key].amount += amount
        else:
            plan.sums[key] = Sum(amount, parsed.line)
        if plan.writes_rows:
            await _keep_row(session, plan, key, parsed, amount)
    await _write_pending_rows(session, plan)
    plan.report.read = read
    for (year, unit, month, category), total in plan.sums.items():
        if abs(total.amount) >= AMOUNT_LIMIT:
            plan.problem(
                total.line, f"{unit} {year}-{month:02} {category} adds up to more than can be stored", "amount"
            )
    return plan


async def _open_batch(session: AsyncSession) -> uuid.UUID:
    """The run's batch, written first so that its rows can name it as they are read."""
    subject, name = session.info.get(ACTOR_KEY, SYSTEM_ACTOR)
    batch_id = uuid.uuid4()
    await session.execute(
        insert(BATCHES).values(id=batch_id, imported_at=utcnow(), imported_by=subject, imported_by_name=name)
    )
    return batch_id


async def _outcome_id(session: AsyncSession, plan: LedgerImport, key: Key) -> uuid.UUID:
    """The outcome a key's rows add up to: the stored one, or the id the one to be created will get."""
    if key[0] not in plan.years_loaded:
        await _load_year(session, plan, key[0])
    found = plan.outcome_ids.get(key)
    if found is None:
        stored = plan.stored.get(key)
        found = plan.outcome_ids[key] = stored.id if stored is not None else uuid.uuid4()
    return found


async def _load_year(session: AsyncSession, plan: LedgerImport, year: int) -> None:
    """The stored outcomes of a year the file touches, as plain rows: one statement a year."""
    rows = await session.execute(
        select(Outcome.unit_code, Outcome.month, Outcome.category, Outcome.id, Outcome.amount, Outcome.source).where(
            Outcome.year == year
        )
    )
    plan.stored.update({(year, r[0], r[1], r[2]): Stored(r[3], r[4], r[5]) for r in rows})
    plan.years_loaded.add(year)


async def _keep_row(session: AsyncSession, plan: LedgerImport, key: Key, row: ParsedRow, amount: Decimal) -> None:
    plan.pending_rows.append(
        {
            "batch_id": plan.batch_id,
            "outcome_id": await _outcome_id(session, plan, key),
            "year": key[0],
            "unit_code": key[1],
            "month": key[2],
            "category": key[3],
            "current": True,
            "line": row.line,
            "account": row.account,
            "booked": row.amount,
            "amount": amount,
        }
    )
    if len(plan.pending_rows) >= ROWS_CHUNK:
        await _write_pending_rows(session, plan)


async def _write_pending_rows(session: AsyncSession, plan: LedgerImport) -> None:
    if plan.pending_rows and plan.writes_rows:
        await session.execute(insert(ROWS), plan.pending_rows)
        plan.rows_written += len(plan.pending_rows)
    plan.pending_rows = []


async def compare(session: AsyncSession, plan: LedgerImport) -> None:
    """Decide per sum: create, update, unchanged, or left alone (an outcome keyed in by hand)."""
    report = plan.report
    for year in {key[0] for key in plan.sums} - plan.years_loaded:
        await _load_year(session, plan, year)  # a dry run, or a file refused before its rows were kept
    for key, total in plan.sums.items():
        year, unit, month, category = key
        current = plan.stored.get(key)
        if current is None:
            plan.creates.append(
                {
                    "id": plan.outcome_ids.get(key) or uuid.uuid4(),
                    "year": year,
                    "unit_code": unit,
                    "month": month,
                    "category": category,
                    "amount": total.amount,
                    "source": LEDGER_SOURCE,
                    "batch_id": plan.batch_id,
                }
            )
        elif current.source != LEDGER_SOURCE:
            report.left_alone += 1
            plan.kept_unchanged.append(current.id)
            report.notes.append(
                f"line {total.line}: {unit} {year}-{month:02} {category.value} was keyed in by hand "
                f"({current.amount}); left as it is, the ledger says {total.amount}"
            )
        elif current.amount == total.amount:
            report.unchanged += 1
            plan.kept_unchanged.append(current.id)
        else:
            plan.updates[current.id] = total.amount
    report.created, report.updated = len(plan.creates), len(plan.updates)


async def apply(session: AsyncSession, plan: LedgerImport) -> LedgerImportReport:
    """Write the plan whole, or refuse it whole when it found a problem; a dry run writes nothing."""
    report = plan.report
    if report.problems:
        if report.dry_run:
            return report
        raise ImportRefused(
            f"{len(report.problems)} problem(s) in the file; fix them and import again",
            report=report.model_dump(mode="json"),
        )
    if report.dry_run or plan.batch_id is None:
        return report
    await insert_tracked(session, Outcome, plan.creates)
    await _update(session, plan.updates, plan.batch_id)
    await retire_rows(session, list(plan.updates), but=plan.batch_id)
    dropped = await _drop_rows_of(session, plan.batch_id, plan.kept_unchanged)
    report.applied = bool(plan.creates or plan.updates)
    await _close_batch(session, plan, plan.rows_written - dropped)
    return report


async def _drop_rows_of(session: AsyncSession, batch_id: uuid.UUID, outcome_ids: list[uuid.UUID]) -> int:
    """The batch's rows of sums it did not change: the figure stays made of the rows that set it."""
    dropped = 0
    for start in range(0, len(outcome_ids), CHUNK):
        result = await session.execute(
            delete(ROWS).where(
                LedgerRow.batch_id == batch_id, LedgerRow.outcome_id.in_(outcome_ids[start : start + CHUNK])
            )
        )
        dropped += result.rowcount  # type: ignore[attr-defined]
    return dropped


async def retire_rows(session: AsyncSession, outcome_ids: list[uuid.UUID], but: uuid.UUID | None = None) -> None:
    """The outcomes' rows no longer make up their amount (a later batch set it, or a person corrected it);
    they stay with their batch."""
    for start in range(0, len(outcome_ids), CHUNK):
        stmt = update(ROWS).where(
            LedgerRow.outcome_id.in_(outcome_ids[start : start + CHUNK]), LedgerRow.current.is_(True)
        )
        if but is not None:
            stmt = stmt.where(LedgerRow.batch_id != but)
        await session.execute(stmt.values(current=False))


async def _close_batch(session: AsyncSession, plan: LedgerImport, kept: int) -> None:
    """The batch's counts; a run that changed nothing leaves no batch behind."""
    report = plan.report
    if not report.applied:
        await session.execute(delete(BATCHES).where(LedgerBatch.id == plan.batch_id))
        return
    await session.execute(
        update(BATCHES)
        .where(LedgerBatch.id == plan.batch_id)
        .values(
            rows_read=report.read,
            rows_kept=kept,
            outcomes_created=report.created,
            outcomes_updated=report.updated,
        )
    )
    report.batch_id, report.rows_kept = plan.batch_id, kept


async def _update(session: AsyncSession, updates: dict[uuid.UUID, Decimal], batch_id: uuid.UUID) -> None:
    """Changed sums through the ORM, so each keeps its version and its history, now made of the batch's rows."""
    ids = sorted(updates)
    for start in range(0, len(ids), CHUNK):
        for outcome in await session.scalars(select(Outcome).where(Outcome.id.in_(ids[start : start + CHUNK]))):
            outcome.amount = updates[outcome.id]
            outcome.batch_id = batch_id
        await session.flush()


async def import_ledger(
    session: AsyncSession,
    lines: Iterable[str],
    *,
    delimiter: Delimiter = Delimiter.auto,
    unit_exists: UnitExists,
    dry_run: bool,
) -> LedgerImportReport:
    """Import a ledger file in one transaction: every sum (with its rows) or, with any problem, none."""
    plan = await read_file(session, lines, delimiter=delimiter, unit_exists=unit_exists, dry_run=dry_run)
    await compare(session, plan)
    return await apply(session, plan)


EXPORT_COLUMNS = COLUMNS


async def export_rows(
    session: AsyncSession, plan: AccountPlan, *, year: int | None, unit: str | None, visible: Any
) -> list[tuple[str, str, str, Decimal]]:
    """Outcomes as ledger rows that import back unchanged: an account of the category, revenue as a credit."""
    stmt = select(Outcome.unit_code, Outcome.year, Outcome.month, Outcome.category, Outcome.amount).order_by(
        Outcome.year, Outcome.unit_code, Outcome.month, Outcome.category
    )
    for condition in (
        visible,
        Outcome.year == year if year else None,
        Outcome.unit_code == unit if unit else None,
    ):
        if condition is not None:
            stmt = stmt.where(condition)
    rows: list[tuple[str, str, str, Decimal]] = []
    for unit_code, row_year, month, category, amount in await session.execute(stmt):
        account = plan.account_for(category)
        if account is None:
            raise NoAccount(f"No rule of the account plan maps to {category.value}; add one to export its outcomes")
        booked = -amount if category in REVENUE_CATEGORIES else amount
        rows.append((unit_code, account, f"{row_year}-{month:02}", booked))
    return rows
