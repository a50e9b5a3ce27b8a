"""`styr export-all DIR` and `styr import-all DIR`: every service's data, table by table, as JSON lines.

An admin's tool that works directly on each service's database (the URL from its settings, as
`styr migrate` does): it copies every row of every table, history and versions included, which no
API would hand out, and needs no running stack. The format is in deploy/README.md ("Backup and restore"):

    DIR/manifest.json               the export: format, version, when, which services
    DIR/<service>/manifest.json     alembic revision, and per table its file, row count and SHA-256
    DIR/<service>/<table>.jsonl     one JSON object a row, by primary key; money and measured values
                                    as decimal strings, times in ISO 8601 with their offset, ids as text
"""

from __future__ import annotations

import asyncio
import base64
import enum
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Date, DateTime, Enum, LargeBinary, MetaData, Numeric, Table, Uuid, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import TypeDecorator, TypeEngine

from cli.registry import SERVICES
from services.audit.models import Base as AuditBase
from services.budget.models import Base as BudgetBase
from services.goals.models import Base as GoalsBase
from shared.db import create_engine, is_sqlite
from shared.history import HISTORY_TABLE

FORMAT = "styr-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
BATCH = 1_000
METADATA: dict[str, MetaData] = {
    "goals": GoalsBase.metadata,
    "budget": BudgetBase.metadata,
    "audit": AuditBase.metadata,
}


class BackupRefused(Exception):
    """An export or import that would be wrong; the message says why and what to do."""


# --- values -------------------------------------------------------------------------------------


def encode(value: Any) -> Any:
    """A column value as JSON: exact decimals and ids as strings, never a float."""
    if isinstance(value, enum.Enum):  # before str: a StrEnum member is a str too
        return value.name
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):  # an evidence file's content
        return base64.b64encode(value).decode("ascii")
    return value


def _base_type(column: Column[Any]) -> TypeEngine[Any]:
    kind = column.type
    return kind.impl_instance if isinstance(kind, TypeDecorator) else kind


def decoder(column: Column[Any]) -> Callable[[Any], Any]:
    """Turns a column's JSON value back into what the column type binds."""
    kind = _base_type(column)
    if isinstance(kind, Enum) and kind.enum_class is not None:
        members = kind.enum_class.__members__
        return lambda name: members[name]
    if isinstance(kind, DateTime):
        return datetime.fromisoformat
    if isinstance(kind, Date):
        return date.fromisoformat
    if isinstance(kind, Uuid):
        return uuid.UUID
    if isinstance(kind, Numeric):
        return Decimal
    if isinstance(kind, LargeBinary):
        return base64.b64decode
    return lambda value: value


def _decode_row(decoders: dict[str, Callable[[Any], Any]], row: dict[str, Any]) -> dict[str, Any]:
    return {key: None if value is None else decoders[key](value) for key, value in row.items()}


# --- export -------------------------------------------------------------------------------------


async def _revision(conn: AsyncConnection) -> str | None:
    tables = await conn.run_sync(lambda sync: sync.dialect.has_table(sync, "alembic_version"))
    if not tables:
        return None
    return (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one_or_none()


async def _export_table(conn: AsyncConnection, table: Table, path: Path) -> dict[str, Any]:
    digest, rows = hashlib.sha256(), 0
    query = select(table).order_by(*table.primary_key.columns).execution_options(yield_per=BATCH)
    result = await conn.stream(query)
    with path.open("wb") as out:
        async for partition in result.mappings().partitions():
            lines = [
                json.dumps({k: encode(v) for k, v in row.items()}, ensure_ascii=False, separators=(",", ":")) + "\n"
                for row in partition
            ]
            data = "".join(lines).encode()
            out.write(data)
            digest.update(data)
            rows += len(lines)
    return {"file": path.name, "rows": rows, "sha256": digest.hexdigest()}


async def export_service(name: str, url: str, folder: Path) -> dict[str, Any]:
    """Write one service's tables into `folder`, read in one transaction (one snapshot on PostgreSQL)."""
    engine = create_engine(url)
    try:
        options = {} if is_sqlite(url) else {"isolation_level": "REPEATABLE READ"}
        async with engine.connect() as conn:
            conn = await conn.execution_options(**options)
            async with conn.begin():
                revision = await _revision(conn)
                if revision is None:
                    raise BackupRefused(f"the {name} database has no schema yet (run `styr migrate`)")
                tables = {t.name: await _export_table(conn, t, folder / f"{t.name}.jsonl") for t in _tables(name)}
    finally:
        await engine.dispose()
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "service": name, "alembic_revision": revision}
    manifest["tables"] = tables
    _write_json(folder / MANIFEST, manifest)
    return manifest


def _tables(name: str) -> list[Table]:
    return list(METADATA[name].sorted_tables)


def _write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


async def _export_services(directory: Path, urls: dict[str, str]) -> dict[str, dict[str, Any]]:
    return {name: await export_service(name, urls[name], directory / name) for name in urls}


def export_all(directory: Path, urls: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Every service's data into `directory` (new or empty), with the manifests."""
    if directory.exists() and any(directory.iterdir()):
        raise BackupRefused(f"{directory} is not empty; export into a new folder so no two exports mix")
    for name in urls:
        (directory / name).mkdir(parents=True)
    manifests = asyncio.run(_export_services(directory, urls))
    _write_json(
        directory / MANIFEST,
        {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "exported_at": datetime.now(UTC).isoformat(),
            "services": list(manifests),
        },
    )
    return manifests


# --- import -------------------------------------------------------------------------------------


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupRefused(f"{path} is missing: not a folder written by `styr export-all`") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupRefused(f"{path} is not readable JSON: {exc}") from exc
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupRefused(f"{path} is not a {FORMAT} manifest of version {FORMAT_VERSION}")
    return manifest


def check_service_files(name: str, folder: Path) -> dict[str, Any]:
    """The service's manifest, once every file is there with its row count and checksum."""
    manifest = _read_manifest(folder / MANIFEST)
    expected = {t.name for t in _tables(name)}
    listed = set(manifest.get("tables", {}))
    if listed != expected:
        raise BackupRefused(
            f"{name}: the export's tables differ from this version's ({', '.join(sorted(listed ^ expected))})"
        )
    for table, entry in manifest["tables"].items():
        path = folder / entry["file"]
        if path.parent != folder or not path.is_file():
            raise BackupRefused(f"{name}: {entry['file']} (table {table}) is missing")
        digest, rows = hashlib.sha256(), 0
        with path.open("rb") as data:
            for line in data:
                digest.update(line)
                rows += 1
        if rows != entry["rows"] or digest.hexdigest() != entry["sha256"]:
            raise BackupRefused(
                f"{name}: {entry['file']} does not match its manifest "
                f"({rows} rows, expected {entry['rows']}; or its checksum differs): the export is damaged"
            )
    return manifest


async def _check_database(name: str, conn: AsyncConnection, revision: str) -> None:
    current = await _revision(conn)
    if current is None:
        raise BackupRefused(
            f"the {name} database has no schema: run `styr migrate --service {name} --revision {revision}` first"
        )
    if current != revision:
        raise BackupRefused(
            f"the export of {name} is of schema revision {revision}, but its database is at {current}: "
            "import with the Styr version that wrote the export, into databases it migrated, then upgrade "
            "Styr and run `styr migrate`"
        )
    for table in _tables(name):
        count = (await conn.execute(select(func.count()).select_from(table))).scalar_one()
        if count:
            raise BackupRefused(
                f"the {name} database is not empty ({table.name} has {count} rows): "
                "import-all only fills empty, migrated databases"
            )


def _read_rows(path: Path, table: Table) -> Iterator[dict[str, Any]]:
    decoders = {column.key: decoder(column) for column in table.columns}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield _decode_row(decoders, json.loads(line))


def _parents_first(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of a table that refers to itself (a unit's parent, a goal's parent goal), parents first."""
    links = [(fk.parent.key, fk.column.key) for fk in table.foreign_keys if fk.column.table is table]
    if not links:
        return rows
    by_key = {row[links[0][1]]: row for row in rows}
    placed: set[Any] = set()
    ordered: list[dict[str, Any]] = []

    def place(row: dict[str, Any], trail: frozenset[Any]) -> None:
        key = row[links[0][1]]
        if key in placed or key in trail:
            return
        for child_column, _ in links:
            parent = by_key.get(row[child_column])
            if parent is not None and parent is not row:
                place(parent, trail | {key})
        placed.add(key)
        ordered.append(row)

    for row in rows:
        place(row, frozenset())
    return ordered


async def _keeps_history_tx(conn: AsyncConnection, path: Path) -> bool:
    """Whether the history rows keep their transaction ids (the change feed's order) on this database.

    They do when every one is below the oldest transaction still running here (a restore into the
    same server); otherwise (SQLite, or another server whose counter is behind) they become 0: the
    imported changes then come first in the feed, in their order, before every later change.
    """
    if conn.dialect.name != "postgresql":
        return False
    with path.open(encoding="utf-8") as lines:
        highest = max((int(json.loads(line)["tx"]) for line in lines), default=0)
    settled = (await conn.execute(text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"))).scalar_one()
    return highest < int(settled)


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    while batch := list(islice(rows, BATCH)):
        yield batch


async def _import_table(conn: AsyncConnection, table: Table, path: Path) -> int:
    """Insert one table's file in batches (read as it goes, except a table that refers to itself)."""
    rows = _read_rows(path, table)
    if any(fk.column.table is table for fk in table.foreign_keys):
        rows = iter(_parents_first(table, list(rows)))
    if table.name == HISTORY_TABLE and not await _keeps_history_tx(conn, path):
        rows = ({**row, "tx": 0} for row in rows)
    count = 0
    for batch in _batches(rows):
        await conn.execute(table.insert(), batch)
        count += len(batch)
    if conn.dialect.name == "postgresql" and table.autoincrement_column is not None and count:
        # Explicit ids leave the sequence behind; the next record must get the next id.
        column = table.autoincrement_column.name
        await conn.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column}'), MAX({column})) FROM {table.name}")
        )
    return count


def import_all(directory: Path, urls: dict[str, str]) -> dict[str, dict[str, int]]:
    """Every service's data from `directory` into empty databases at the export's schema revision.

    Everything is checked first (files, checksums, each database's revision and emptiness); then each
    service is written in one transaction, so a service is either complete or untouched.
    """
    top = _read_manifest(directory / MANIFEST)
    missing = [name for name in urls if name not in top.get("services", [])]
    if missing:
        raise BackupRefused(f"the export holds no data for {', '.join(missing)}")
    manifests = {name: check_service_files(name, directory / name) for name in urls}
    return asyncio.run(_import_services(directory, urls, manifests))


async def _import_services(
    directory: Path, urls: dict[str, str], manifests: dict[str, dict[str, Any]]
) -> dict[str, dict[str, int]]:
    engines = {name: create_engine(url) for name, url in urls.items()}
    try:
        for name, engine in engines.items():
            async with engine.connect() as conn:
                await _check_database(name, conn, manifests[name]["alembic_revision"])
        counts: dict[str, dict[str, int]] = {}
        for name, engine in engines.items():
            async with engine.begin() as conn:
                await _check_database(name, conn, manifests[name]["alembic_revision"])
                counts[name] = {
                    t.name: await _import_table(conn, t, directory / name / manifests[name]["tables"][t.name]["file"])
                    for t in _tables(name)
                }
        return counts
    finally:
        for engine in engines.values():
            await engine.dispose()


def service_urls() -> dict[str, str]:
    """Each service's database URL, from its settings (GOALS_DATABASE_URL, …)."""
    return {entry.name: entry.settings().database_url for entry in SERVICES}
