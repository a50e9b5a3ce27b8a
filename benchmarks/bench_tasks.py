"""`GET /api/me/tasks` for one person in a region ten times the demo's size, through the gateway.

The region is bench_report's (the loaders of bench_goals, bench_budget and bench_audit: 30 units, 5,000
goals, 20,000 indicators, 200,000 measurements, 500,000 ledger rows, 2,000 recommendations, 6,000
actions, internal control), with people added: 300 people own the actions, controls and indicators in
turn, and 300 assignments, 1,500 activities and 200 grants (with their uses) that the loaders do not
make. The person asked for is one of them, an editor of a committee, so the responses its bodies owe
are theirs too: some 20 actions, 70 indicators, controls, assignments, activities and grants each.

The time is taken on real processes, one uvicorn process per service and one for the gateway, as
`make run` starts them (the gateway asks the three services at once); the SQL statements each service
issues for one request are counted with the apps in-process, as bench_report counts them. The data set is
loaded at a tenth of the size first, then in full: the counts must not grow with the data.

    .venv/bin/python -m benchmarks.bench_tasks                   # SQLite
    .venv/bin/python -m benchmarks.bench_tasks --postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections import Counter
from contextlib import AsyncExitStack
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import Table, bindparam, event, select, update

from benchmarks import bench_report
from benchmarks.bench_load import start
from benchmarks.bench_report import SERVICES, Size, Timed, analyse, in_process, load_region, timed
from benchmarks.harness import StatementCounter, bulk_insert, fresh_database, run, tracked
from cli.serve import stop_all
from services.audit.models import Base as AuditBase
from services.budget.models import Base as BudgetBase
from services.goals.models import Base as GoalsBase
from shared.auth.tokens import mint_dev_token
from shared.db import create_engine
from shared.settings import DEV_SECRET

PEOPLE = 300
PERSON = "person-0"
PERSON_UNIT = "N0"  # a committee of bench_goals' region, with administrations below it
ASSIGNMENTS, ACTIVITIES, GRANTS = 300, 1_500, 200
PATH = "/api/me/tasks"
GOAL_SECONDS = 0.2


def person(n: int) -> dict[str, str]:
    return {"subject": f"person-{n % PEOPLE}", "name": f"Person {n % PEOPLE}"}


def person_headers() -> dict[str, str]:
    token = mint_dev_token(DEV_SECRET, subject=PERSON, name="Person 0", roles=[f"{PERSON_UNIT}:editor"])
    return {"authorization": f"Bearer {token}"}


async def name_owners(url: str, table: Table, role: str = "owner") -> int:
    """Every row of `table` given one of the people in turn, in one executemany."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            ids = list(await conn.scalars(select(table.c.id).order_by(table.c.id)))
            rows = [
                {"row_id": id_, "who": person(n)["subject"], "who_name": person(n)["name"]} for n, id_ in enumerate(ids)
            ]
            statement = (
                update(table)
                .where(table.c.id == bindparam("row_id"))
                .values({f"{role}_subject": bindparam("who"), f"{role}_name": bindparam("who_name")})
            )
            if rows:
                await conn.execute(statement, rows)
    finally:
        await engine.dispose()
    return len(ids)


async def add_goals_work(url: str, share: float) -> dict[str, int]:
    """Assignments from the board to the committees and activities towards goals, each with an owner."""
    tables = GoalsBase.metadata.tables
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            units = {
                code: id_
                for id_, code in await conn.execute(select(tables["org_unit"].c.id, tables["org_unit"].c.code))
            }
            goals = list(await conn.execute(select(tables["goal"].c.id, tables["goal"].c.unit_id).limit(ACTIVITIES)))
        committees = [units[f"N{i}"] for i in range(6)]
        assignments = [
            tracked(
                id=uuid.uuid4(),
                issuer_id=units["RS"],
                assignee_id=committees[n % len(committees)],
                title=f"Uppdrag {n}",
                deadline_on=date(2025 + n % 3, 6, 30),
                status=("not_started", "in_progress", "done")[n % 3],
                recommendation_ids=[],
                owner_subject=person(n)["subject"],
                owner_name=person(n)["name"],
            )
            for n in range(max(int(ASSIGNMENTS * share), 30))
        ]
        activities = [
            tracked(
                id=uuid.uuid4(),
                unit_id=unit_id,
                goal_id=goal_id,
                title=f"Aktivitet {n}",
                start_on=date(2025, 1, 1),
                end_on=date(2025 + n % 3, 12, 31),
                status=("planned", "in_progress", "done")[n % 3],
                recommendation_ids=[],
                owner_subject=person(n)["subject"],
                owner_name=person(n)["name"],
            )
            for n, (goal_id, unit_id) in enumerate(goals[: max(int(ACTIVITIES * share), 30)])
        ]
        return {
            "assignment": await bulk_insert(engine, tables["assignment"], assignments),
            "activity": await bulk_insert(engine, tables["activity"], activities),
        }
    finally:
        await engine.dispose()


async def add_grants(url: str, share: float, codes: list[str]) -> dict[str, int]:
    """Grants running two or three years, the first year's use reported, each with a coordinator."""
    tables = BudgetBase.metadata.tables
    grants = []
    uses = []
    for n in range(max(int(GRANTS * share), 30)):
        first = 2024 + n % 3
        grant = tracked(
            id=uuid.uuid4(),
            name=f"Statsbidrag {n}",
            grantor="Socialstyrelsen",
            first_year=first,
            last_year=first + 1 + n % 2,
            amount=Decimal("1000000.00"),
            coordinator_unit=codes[n % len(codes)],
            coordinator="Samordnare",
            coordinator_subject=person(n)["subject"],
            coordinator_name=person(n)["name"],
            reporting_deadline=date(first + 2, 3, 31),
            indicator_ids=[],
        )
        grants.append(grant)
        uses.append(
            tracked(id=uuid.uuid4(), grant_id=grant["id"], year=first, used=Decimal("400000.00"), indicator_ids=[])
        )
    engine = create_engine(url)
    try:
        return {
            "state_grant": await bulk_insert(engine, tables["state_grant"], grants),
            "grant_use": await bulk_insert(engine, tables["grant_use"], uses),
        }
    finally:
        await engine.dispose()


async def load_people(urls: dict[str, str], size: Size, share: float) -> dict[str, int]:
    goals, audit = GoalsBase.metadata.tables, AuditBase.metadata.tables
    counts = {
        "indicator reporters": await name_owners(urls["goals"], goals["indicator"], "reporter"),
        "action owners": await name_owners(urls["audit"], audit["action"]),
        "control owners": await name_owners(urls["audit"], audit["control"]),
        **await add_goals_work(urls["goals"], share),
        **await add_grants(urls["budget"], share, bench_report.unit_codes()),
    }
    for url in urls.values():
        await analyse(url)
    return counts


async def statements_per_service(urls: dict[str, str]) -> tuple[dict[str, int], dict[str, Any]]:
    """The SQL statements each service issues for the person's tasks, after a warm-up, and the answer."""
    async with in_process(urls) as (client, apps):
        headers = person_headers()
        (await client.get(PATH, headers=headers)).raise_for_status()
        counters = {name: StatementCounter() for name in SERVICES}
        for name, counter in counters.items():
            event.listen(apps[name].state.engine.sync_engine, "before_cursor_execute", counter)
        try:
            answer = (await client.get(PATH, headers=headers)).raise_for_status().json()
        finally:
            for name, counter in counters.items():
                event.remove(apps[name].state.engine.sync_engine, "before_cursor_execute", counter)
        if not answer["complete"]:
            raise SystemExit(f"a service's part is missing: {answer['missing']}")
        return {name: counter.count for name, counter in counters.items()}, answer


async def measure(size: Size, share: float, postgres_url: str | None, runs: int) -> dict[str, int]:
    async with AsyncExitStack() as databases:
        urls = {name: await databases.enter_async_context(fresh_database(name, postgres_url)) for name in SERVICES}
        started = time.perf_counter()
        counts = await load_region(urls, size)
        counts["people"] = await load_people(urls, size, share)  # type: ignore[assignment]
        print(f"\n{size.label}: loaded {counts} in {time.perf_counter() - started:.0f} s", flush=True)
        statements, answer = await statements_per_service(urls)
        kinds = Counter(task["kind"] for task in answer["items"])
        overdue = sum(task["overdue"] for task in answer["items"])
        print(f"  {len(answer['items'])} tasks ({overdue} overdue): {dict(sorted(kinds.items()))}", flush=True)
        children = start(urls)
        try:
            async with httpx.AsyncClient(
                base_url=children["gateway"].url, headers=person_headers(), timeout=600
            ) as client:
                result = await timed(client, PATH, runs, children)
        finally:
            stop_all(list(children.values()))
        print(f"  {line(result)}", flush=True)
        return statements


def line(result: Timed) -> str:
    median = statistics.median(result.seconds)
    verdict = "under" if median < GOAL_SECONDS else "OVER"
    cpu = "  ".join(f"{name} {seconds * 1000:5.1f}" for name, seconds in result.cpu_seconds.items())
    return (
        f"median {median * 1000:6.1f} ms  min {min(result.seconds) * 1000:6.1f} ms  ({verdict} "
        f"{GOAL_SECONDS * 1000:.0f} ms)  {result.size_bytes / 1024:5.0f} KiB   CPU ms per request: {cpu}"
    )


async def main(args: argparse.Namespace) -> None:
    backend = "PostgreSQL" if args.postgres_url else "SQLite"
    print(f"{backend}: GET {PATH} as {PERSON} ({PERSON_UNIT}:editor), real processes, {args.runs} runs after a warm-up")
    shares = (args.scale / 10, args.scale)
    sizes = [Size.fraction("a tenth", shares[0]), Size.fraction("full size", shares[1])]
    counted = [
        await measure(size, share, args.postgres_url, args.runs) for size, share in zip(sizes, shares, strict=True)
    ]
    print(f"\n  SQL statements per request  {sizes[0].label:>10}   {sizes[1].label:>10}")
    for name in SERVICES:
        print(f"  {name:<27} {counted[0][name]:>10}   {counted[1][name]:>10}")
    if counted[0] != counted[1]:
        raise SystemExit("the number of SQL statements grows with the data")


if __name__ == "__main__":
    run(main, __doc__ or "")
