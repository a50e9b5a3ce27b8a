"""The audit service's read models on a region with 30 bodies, 2,000 recommendations and 6,000 actions.

Bulk-loads (SQLAlchemy Core) 400 reports to 30 bodies with 2,000 recommendations, a response to each
(most decided), 6,000 actions (a fifth linked to two recommendations) with a progress note each,
follow-up verdicts, three years of accountability statements and two years of internal control per
body (10 risks each, controls on those at or above the threshold, T2 results). It then calls the audit
app in-process (httpx over ASGI, lifespan run, a signed caller token: no network, no gateway) and
times the overview of all bodies, one body's status and the overdue list: a warm-up, then the median
of several runs, with the SQL statements of one request counted by a `before_cursor_execute` listener.
It loads a tenth of the data first and measures again, to show the statement count does not grow.

    .venv/bin/python benchmarks/bench_audit.py                      # SQLite (the embedded default)
    .venv/bin/python benchmarks/bench_audit.py --postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Table, event, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

os.environ.setdefault("STYR_PROFILE", "development")

from services.audit.app import create_app
from services.audit.models import Base
from services.audit.settings import AuditSettings
from shared.auth.policy import Principal, RegionRole
from shared.auth.tokens import mint_internal_token
from shared.db import create_engine
from shared.migrations import migrate
from shared.settings import DEV_SECRET, PROJECT_ROOT

BODIES, RECOMMENDATIONS, ACTIONS, RECS_PER_REPORT = 30, 2_000, 6_000, 5
RISKS_PER_PLAN, PLAN_YEARS, STATEMENT_YEARS = 10, (2024, 2025), (2023, 2024, 2025)
AS_OF = date(2026, 1, 1)
NOW = datetime(2026, 1, 1, tzinfo=UTC)
CHUNK = 5_000


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def tracked(**values: Any) -> dict[str, Any]:
    """A row of a tracked table as the ORM writes it on create: version 1 and timestamps."""
    return {"id": uuid.uuid4(), "version": 1, "created_at": NOW, "updated_at": NOW, **values}


@dataclass
class DataSet:
    """The generated rows, table by table, so that ids link up."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        self.rows.setdefault(table, []).append(row)
        return row


def body_codes() -> list[str]:
    return [f"N{i:02d}" for i in range(BODIES)]


def generate(recommendations: int, actions: int, rng: random.Random, bodies: list[str]) -> DataSet:
    data = DataSet()
    recs_by_body: dict[str, list[dict[str, Any]]] = {b: [] for b in bodies}
    for r in range(recommendations // RECS_PER_REPORT):
        received = date(2021, 1, 1) + timedelta(days=rng.randrange(4 * 365))
        report = data.add(
            "audit_report",
            tracked(
                title=f"Granskning {r}",
                audit_year=received.year,
                received_on=received,
                summary=None,
                document_url=None,
                assessments=[{"question": "Ändamålsenligt?", "assessment": "largely"}],
            ),
        )
        addressed = rng.sample(bodies, 2)
        for body in addressed:
            data.add(
                "audit_recipient", tracked(report_id=report["id"], body_code=body, diary_number=f"{body}/{r}/2022")
            )
        for n in range(1, RECS_PER_REPORT + 1):
            body = addressed[n % 2]
            closed = rng.random() < 0.2
            rec = data.add(
                "recommendation",
                tracked(
                    report_id=report["id"],
                    number=n,
                    body_code=body,
                    text=f"Rekommendation {r}.{n}",
                    response_due_on=received + timedelta(days=90),
                    status="closed" if closed else "open",
                    closed_on=received + timedelta(days=500) if closed else None,
                ),
            )
            rec["_received"] = received
            recs_by_body[body].append(rec)
            decided = rng.random() < 0.7
            data.add(
                "recommendation_response",
                tracked(
                    recommendation_id=rec["id"],
                    body_code=body,
                    text="Svar.",
                    status="decided" if decided else "draft",
                    decided_by=body if decided else None,
                    decided_on=received + timedelta(days=80) if decided else None,
                    decision_paragraph="§ 12" if decided else None,
                    decision_diary_number=None,
                ),
            )
            if rng.random() < 0.3:
                data.add(
                    "review_verdict",
                    tracked(
                        recommendation_id=rec["id"],
                        verdict="partly_addressed",
                        reviewed_on=received + timedelta(days=400),
                        comment=None,
                    ),
                )
    all_recs = [rec for recs in recs_by_body.values() for rec in recs]
    for a in range(actions):
        rec = all_recs[a % len(all_recs)]
        action = data.add(
            "action",
            tracked(
                body_code=rec["body_code"],
                title=f"Åtgärd {a}",
                description=None,
                owner="Förvaltningschef",
                deadline_on=rec["_received"] + timedelta(days=rng.randrange(60, 900)),
                status=(status := rng.choice(["planned", "in_progress", "done", "cancelled"])),
                finished_on=rec["_received"] + timedelta(days=200) if status in ("done", "cancelled") else None,
                evidence=[],
                goal_ids=[],
            ),
        )
        data.add("action_recommendation", tracked(action_id=action["id"], recommendation_id=rec["id"]))
        sibling = rng.choice(recs_by_body[rec["body_code"]])
        if a % 5 == 0 and sibling["id"] != rec["id"]:
            data.add("action_recommendation", tracked(action_id=action["id"], recommendation_id=sibling["id"]))
        data.add("progress_note", tracked(action_id=action["id"], noted_on=rec["_received"], text="Pågår."))
    for body in bodies:
        for year in STATEMENT_YEARS:
            remark = rng.random() < 0.2
            data.add(
                "accountability_statement",
                tracked(
                    year=year,
                    body_code=body,
                    issued_on=date(year + 1, 4, 12),
                    discharge_recommended=True,
                    remark=remark,
                    remark_grounds="Bristande styrning." if remark else None,
                    internal_control_sufficient=not remark,
                    summary=None,
                    diary_number=None,
                ),
            )
        for year in PLAN_YEARS:
            plan = data.add(
                "control_plan",
                tracked(
                    body_code=body,
                    year=year,
                    status="decided",
                    decided_by=body,
                    decided_on=date(year, 2, 1),
                    decision_paragraph="§ 5",
                    decision_diary_number=None,
                ),
            )
            for k in range(RISKS_PER_PLAN):
                likelihood, consequence = rng.randint(1, 4), rng.randint(1, 4)
                risk = data.add(
                    "risk",
                    tracked(
                        plan_id=plan["id"],
                        title=f"Risk {k}",
                        description=None,
                        likelihood=likelihood,
                        consequence=consequence,
                    ),
                )
                if likelihood * consequence >= 6:
                    control = data.add(
                        "control",
                        tracked(
                            risk_id=risk["id"],
                            control="Kontroll",
                            method="Stickprov",
                            frequency="Årligen",
                            owner="Chef",
                        ),
                    )
                    deviation = rng.random() < 0.3
                    data.add(
                        "control_result",
                        tracked(
                            control_id=control["id"],
                            period="T2",
                            outcome="deviation" if deviation else "no_deviation",
                            description="Avvikelse" if deviation else None,
                            action="Åtgärd" if deviation and rng.random() < 0.5 else None,
                            reported_on=date(year, 9, 15),
                        ),
                    )
    for rec in all_recs:
        del rec["_received"]
    return data


async def bulk_insert(engine: AsyncEngine, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    async with engine.begin() as conn:
        chunk: list[dict[str, Any]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == CHUNK:
                await conn.execute(table.insert(), chunk)
                chunk = []
        if chunk:
            await conn.execute(table.insert(), chunk)


async def load(url: str, recommendations: int, actions: int, bodies: list[str] | None = None) -> dict[str, int]:
    """The generated data set, addressed to `bodies` (unit codes; N00–N29 if left out)."""
    data = generate(recommendations, actions, random.Random(5), bodies or body_codes())
    engine = create_engine(url)
    try:
        for table in Base.metadata.sorted_tables:
            if table.name in data.rows:
                await bulk_insert(engine, table, data.rows[table.name])
    finally:
        await engine.dispose()
    return {name: len(rows) for name, rows in data.rows.items()}


@asynccontextmanager
async def fresh_database(postgres_url: str | None) -> AsyncIterator[str]:
    """A new audit database migrated to head by the service's own alembic history; dropped afterwards."""
    service_dir = PROJECT_ROOT / "services" / "audit"
    if postgres_url is None:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'audit.sqlite3'}"
            await migrate(service_dir, url)
            yield url
        return
    name = f"styr_bench_audit_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(postgres_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = postgres_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        await migrate(service_dir, url)
        yield url
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@dataclass
class Measured:
    label: str
    seconds: list[float] = field(default_factory=list)
    statements: int = 0
    size_bytes: int = 0

    def line(self) -> str:
        median = statistics.median(self.seconds) * 1000
        return (
            f"{self.label:<36} median {median:8.1f} ms   min {min(self.seconds) * 1000:8.1f} ms   "
            f"{self.statements:3d} SQL statements   {self.size_bytes / 1024:7.0f} KiB"
        )


async def measure(client: httpx.AsyncClient, engine: AsyncEngine, label: str, path: str, runs: int) -> Measured:
    """One warm-up, one counted request, then `runs` timed ones."""
    (await client.get(path)).raise_for_status()
    counted = [0]

    def count(*_: Any) -> None:
        counted[0] += 1

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        response = await client.get(path)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    response.raise_for_status()
    result = Measured(label, statements=counted[0], size_bytes=len(response.content))
    for _ in range(runs):
        started = time.perf_counter()
        (await client.get(path)).raise_for_status()
        result.seconds.append(time.perf_counter() - started)
    return result


async def measure_read_models(url: str, runs: int) -> list[Measured]:
    app = create_app(AuditSettings(database_url=url), configure_logs=False)
    reader = Principal(subject="bench", name="Benchmark", region_roles=frozenset({RegionRole.auditor}))
    token = mint_internal_token(reader, DEV_SECRET, 3600)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://audit",
            headers={"Authorization": f"Bearer {token}"},
            timeout=600,
        ) as client,
    ):
        engine = app.state.engine
        return [
            await measure(client, engine, "overview of all bodies", f"/overview?as_of={AS_OF}", runs),
            await measure(client, engine, "one body's status", f"/bodies/N00/status?as_of={AS_OF}", runs),
            await measure(client, engine, "overdue, all bodies", f"/overdue?as_of={AS_OF}", runs),
        ]


async def main(args: argparse.Namespace) -> None:
    backend = "PostgreSQL" if args.postgres_url else "SQLite"
    for fraction in (0.1, 1.0):
        async with fresh_database(args.postgres_url) as url:
            started = time.perf_counter()
            counts = await load(url, int(RECOMMENDATIONS * fraction), int(ACTIONS * fraction))
            say(f"\n{backend}: loaded {counts} in {time.perf_counter() - started:.1f} s")
            for result in await measure_read_models(url, args.runs):
                say("  " + result.line())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres-url", help="an admin URL; SQLite in a temp folder if left out")
    parser.add_argument("--sqlite", action="store_true", help="SQLite (the default)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per request (median reported)")
    asyncio.run(main(parser.parse_args()))
