"""The ledger import: a CSV of unit, account, month and amount, as the region's ledger exports it.

Each account goes to its category through the finance office's account plan (`AccountMapping`);
the rows of one unit, month and category are summed exactly into the one outcome the service
stores, which the import then creates, updates or leaves as it is. The file is read once, row by
row: only the sums are kept, never the rows.

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
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.budget.models import REVENUE_CATEGORIES, AccountCategory, ClosedYear, Outcome
from services.budget.rules.accounts import AccountPlan
from shared.errors import Unprocessable
from shared.history import insert_tracked
from shared.imports import ImportProblem, ImportRefused, ImportReport
from shared.types import CENT, MONEY_PRECISION

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
YEARS = range(2000, 2101)

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
class LedgerRow:
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


def _parse_row(line: int, cells: list[str], positions: list[int]) -> LedgerRow | ImportProblem:
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
    return LedgerRow(line, unit, account, year, month, amount)


def parse_ledger(lines: Iterable[str], delimiter: Delimiter = Delimiter.auto) -> Iterator[LedgerRow | ImportProblem]:
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


@dataclass
class LedgerImport:
    """What a file adds up to, and what it would change; nothing is written until `apply`."""

    report: ImportReport
    sums: dict[Key, Sum] = field(default_factory=dict)
    creates: list[dict[str, Any]] = field(default_factory=list)
    updates: dict[uuid.UUID, Decimal] = field(default_factory=dict)

    def problem(self, line: int, message: str, field: str | None = None) -> None:
        self.report.problems.append(ImportProblem(line=line, field=field, message=message))


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
    """Sum the file by unit, month and category, with a problem for each row that cannot go in."""
    plan = LedgerImport(ImportReport(dry_run=dry_run, applied=False))
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
    plan.report.read = read
    for (year, unit, month, category), total in plan.sums.items():
        if abs(total.amount) >= AMOUNT_LIMIT:
            plan.problem(
                total.line, f"{unit} {year}-{month:02} {category} adds up to more than can be stored", "amount"
            )
    return plan


async def _stored(session: AsyncSession, keys: Iterable[Key]) -> dict[Key, tuple[uuid.UUID, Decimal, str | None]]:
    """The stored outcomes of the years and units a file touches, as plain rows."""
    wanted = list(keys)
    found: dict[Key, tuple[uuid.UUID, Decimal, str | None]] = {}
    for year in sorted({k[0] for k in wanted}):
        year_units = sorted({k[1] for k in wanted if k[0] == year})
        for start in range(0, len(year_units), CHUNK):
            rows = await session.execute(
                select(
                    Outcome.year,
                    Outcome.unit_code,
                    Outcome.month,
                    Outcome.category,
                    Outcome.id,
                    Outcome.amount,
                    Outcome.source,
                ).where(Outcome.year == year, Outcome.unit_code.in_(year_units[start : start + CHUNK]))
            )
            found.update({(r[0], r[1], r[2], r[3]): (r[4], r[5], r[6]) for r in rows})
    return found


async def compare(session: AsyncSession, plan: LedgerImport) -> None:
    """Decide per sum: create, update, unchanged, or left alone (an outcome keyed in by hand)."""
    report = plan.report
    stored = await _stored(session, plan.sums)
    for key, total in plan.sums.items():
        year, unit, month, category = key
        current = stored.get(key)
        if current is None:
            plan.creates.append(
                {
                    "year": year,
                    "unit_code": unit,
                    "month": month,
                    "category": category,
                    "amount": total.amount,
                    "source": LEDGER_SOURCE,
                }
            )
        elif current[2] != LEDGER_SOURCE:
            report.left_alone += 1
            report.notes.append(
                f"line {total.line}: {unit} {year}-{month:02} {category.value} was keyed in by hand "
                f"({current[1]}); left as it is, the ledger says {total.amount}"
            )
        elif current[1] == total.amount:
            report.unchanged += 1
        else:
            plan.updates[current[0]] = total.amount
    report.created, report.updated = len(plan.creates), len(plan.updates)


async def apply(session: AsyncSession, plan: LedgerImport) -> ImportReport:
    """Write the plan whole, or refuse it whole when it found a problem; a dry run writes nothing."""
    report = plan.report
    if report.problems:
        if report.dry_run:
            return report
        raise ImportRefused(
            f"{len(report.problems)} problem(s) in the file; fix them and import again",
            report=report.model_dump(mode="json"),
        )
    if report.dry_run:
        return report
    await insert_tracked(session, Outcome, plan.creates)
    await _update(session, plan.updates)
    report.applied = bool(plan.creates or plan.updates)
    return report


async def _update(session: AsyncSession, updates: dict[uuid.UUID, Decimal]) -> None:
    """Changed sums through the ORM, so each keeps its version and its history."""
    ids = sorted(updates)
    for start in range(0, len(ids), CHUNK):
        for outcome in await session.scalars(select(Outcome).where(Outcome.id.in_(ids[start : start + CHUNK]))):
            outcome.amount = updates[outcome.id]
        await session.flush()


async def import_ledger(
    session: AsyncSession,
    lines: Iterable[str],
    *,
    delimiter: Delimiter = Delimiter.auto,
    unit_exists: UnitExists,
    dry_run: bool,
) -> ImportReport:
    """Import a ledger file in one transaction: every sum or, with any problem, none."""
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
