"""The whole stack in-process: three services and the gateway, on SQLite or a real PostgreSQL.

Set STYR_TEST_POSTGRES_URL (an admin URL such as postgresql+asyncpg://postgres@127.0.0.1:5433/postgres)
to run on PostgreSQL; without it the suite runs on the embedded default, SQLite files in a temp folder.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import create_async_engine

from cli.main import seed_database
from cli.registry import SERVICES
from gateway.app import create_app as create_gateway
from gateway.settings import GatewaySettings
from services.audit.app import create_app as create_audit
from services.audit.models import Base as AuditBase
from services.audit.settings import AuditSettings
from services.budget.app import create_app as create_budget
from services.budget.models import Base as BudgetBase
from services.budget.settings import BudgetSettings
from services.goals.app import create_app as create_goals
from services.goals.models import Base as GoalsBase
from services.goals.settings import GoalsSettings
from shared.auth.tokens import mint_dev_token
from shared.migrations import migrate
from shared.settings import DEV_SECRET
from tests.shared_routes import share_route_handlers_between_apps

share_route_handlers_between_apps()

POSTGRES_ADMIN_URL = os.environ.get("STYR_TEST_POSTGRES_URL")
METADATA: dict[str, MetaData] = {
    "goals": GoalsBase.metadata,
    "budget": BudgetBase.metadata,
    "audit": AuditBase.metadata,
}


def pytest_report_header() -> str:
    return f"database: {'postgresql' if POSTGRES_ADMIN_URL else 'sqlite'}"


# A test that reaches no database of the backend under test (a manifest, a subprocess on its own SQLite file) is the
# same test in both runs: the PostgreSQL run leaves it to the SQLite run.
DATABASE_FREE = "database_free"
_DATABASE_FIXTURES = {"database_urls", "snapshots", "backend"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{DATABASE_FREE}: reaches no database of the backend under test, so it runs in the SQLite run only"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    marked = [item for item in items if item.get_closest_marker(DATABASE_FREE)]
    wrongly = [item.nodeid for item in marked if _DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))]
    if wrongly:
        raise pytest.UsageError(f"marked {DATABASE_FREE} but given a database: {', '.join(wrongly)}")
    if POSTGRES_ADMIN_URL and marked:
        config.hook.pytest_deselected(items=marked)
        items[:] = [item for item in items if not item.get_closest_marker(DATABASE_FREE)]


@pytest.fixture(scope="session")
def backend() -> str:
    return "postgresql" if POSTGRES_ADMIN_URL else "sqlite"


async def _create_postgres_database(name: str) -> str:
    assert POSTGRES_ADMIN_URL
    engine = create_async_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def new_database_url(label: str, tmp_dir: Path) -> str:
    """An empty database of the backend under test."""
    suffix = uuid.uuid4().hex[:8]
    if POSTGRES_ADMIN_URL:
        return asyncio.run(_create_postgres_database(f"styr_test_{label}_{suffix}"))
    return f"sqlite+aiosqlite:///{tmp_dir / f'{label}_{suffix}.sqlite3'}"


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One database per service, migrated to head once for the whole run."""
    tmp_dir = tmp_path_factory.mktemp("db")
    urls = {}
    for entry in SERVICES:
        url = new_database_url(entry.name, tmp_dir)
        asyncio.run(migrate(entry.directory, url))
        urls[entry.name] = url
    return urls


class Snapshots:
    """Saved states of the test databases (empty, and with the demo data), restored before each test.

    Seeding takes half a second; restoring a copy takes a few milliseconds on SQLite. On PostgreSQL each
    state is kept twice: as tables in a schema of its own inside each database, which a test's restore
    copies back in one transaction (a tenth of a second for all three), and as a template database, which
    a restore copies whole (half a second and 27 MB written) only when the quick one cannot be done: a
    test left a transaction holding a lock, or changed a table's shape.
    """

    def __init__(self, urls: dict[str, str]) -> None:
        self.urls = urls
        self._restore_scripts: dict[tuple[str, str], str] = {}
        self.whole_copies: list[str] = []  # the restores that fell back to the template copy, and why

    @staticmethod
    def _sqlite_path(url: str) -> Path:
        return Path(url.split("///", 1)[1])

    @staticmethod
    def _pg(url: str) -> tuple[str, str]:
        base, name = url.rsplit("/", 1)
        return base + "/postgres", name

    async def save(self, label: str) -> None:
        for url in self.urls.values():
            if url.startswith("sqlite"):
                path = self._sqlite_path(url)
                shutil.copyfile(path, path.with_suffix(f".{label}"))
        postgres = [url for url in self.urls.values() if not url.startswith("sqlite")]
        await asyncio.gather(*(self._save_postgres(url, label) for url in postgres))

    async def restore(self, label: str) -> None:
        for url in self.urls.values():
            if url.startswith("sqlite"):
                path = self._sqlite_path(url)
                for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                    leftover.unlink(missing_ok=True)
                shutil.copyfile(path.with_suffix(f".{label}"), path)
        postgres = [url for url in self.urls.values() if not url.startswith("sqlite")]
        await asyncio.gather(*(self._restore_postgres(url, label) for url in postgres))

    async def _save_postgres(self, url: str, label: str) -> None:
        schema = f"styr_snapshot_{label}"
        connection = await asyncpg.connect(_asyncpg_dsn(url))
        try:
            tables = [row["tablename"] for row in await connection.fetch(_PUBLIC_TABLES)]
            await connection.execute(
                ";\n".join(
                    [
                        f'DROP SCHEMA IF EXISTS "{schema}" CASCADE',
                        f'CREATE SCHEMA "{schema}"',
                        *(f'CREATE TABLE "{schema}"."{table}" AS TABLE public."{table}"' for table in tables),
                    ]
                )
            )
            filled = [t for t in tables if await connection.fetchval(f'SELECT EXISTS (TABLE "{schema}"."{t}")')]
            sequences = await connection.fetch(_PUBLIC_SEQUENCES)
        finally:
            await connection.close()
        self._restore_scripts[(url, label)] = _restore_script(schema, tables, filled, sequences)
        admin, name = self._pg(url)
        await _admin_sql(
            admin, f'DROP DATABASE IF EXISTS "{name}_{label}"', f'CREATE DATABASE "{name}_{label}" TEMPLATE "{name}"'
        )

    async def _restore_postgres(self, url: str, label: str) -> None:
        try:
            connection = await asyncpg.connect(_asyncpg_dsn(url))
            try:
                await connection.execute(self._restore_scripts[(url, label)])
            finally:
                await connection.close()
        except (asyncpg.PostgresError, OSError) as quick_failed:
            self.whole_copies.append(f"{url.rsplit('/', 1)[1]} ({label}): {quick_failed!r}")
            admin, name = self._pg(url)
            await _admin_sql(
                admin,
                f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                f'CREATE DATABASE "{name}" TEMPLATE "{name}_{label}"',
            )


_PUBLIC_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
_PUBLIC_SEQUENCES = (
    "SELECT sequencename, start_value, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"
)


async def _admin_sql(admin_url: str, *statements: str) -> None:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        for statement in statements:
            await conn.execute(text(statement))
    await engine.dispose()


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def _restore_script(schema: str, tables: list[str], filled: list[str], sequences: list[Any]) -> str:
    """One transaction that puts every table and sequence back as the snapshot in `schema` holds them."""
    setvals = []
    for sequence in sequences:
        called = sequence["last_value"] is not None
        value = sequence["last_value"] if called else sequence["start_value"]
        setvals.append(f"SELECT setval('public.\"{sequence['sequencename']}\"', {value}, {str(called).lower()})")
    return ";\n".join(
        [
            "BEGIN",
            # Rows go and come back in any order: foreign keys and triggers wait (the session is a superuser's).
            "SET LOCAL session_replication_role = replica",
            # A transaction a test left open holds its locks: rather than wait, the template copy is made.
            "SET LOCAL lock_timeout = '2s'",
            *(f'DELETE FROM public."{table}"' for table in tables),
            *(f'INSERT INTO public."{t}" OVERRIDING SYSTEM VALUE TABLE "{schema}"."{t}"' for t in filled),
            *setvals,
            "COMMIT",
        ]
    )


_made_snapshots: list[Snapshots] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # Says when restores were slow, and why: not a failure, but the suite's time depends on it.
    for snaps in _made_snapshots:
        if snaps.whole_copies:
            terminalreporter.write_line(f"{len(snaps.whole_copies)} restores copied a whole template database:")
            for reason in snaps.whole_copies[:10]:
                terminalreporter.write_line(f"  {reason}")


@pytest.fixture(scope="session")
def snapshots(database_urls: dict[str, str]) -> Snapshots:
    """`empty` and `seeded` states of the migrated databases, made once for the run."""

    async def make() -> Snapshots:
        snaps = Snapshots(database_urls)
        await snaps.save("empty")
        for entry in SERVICES:
            await seed_database(entry, database_urls[entry.name])
        await snaps.save("seeded")
        await snaps.restore("empty")
        _made_snapshots.append(snaps)
        return snaps

    return asyncio.run(make())


class RoutingTransport(httpx.AsyncBaseTransport):
    """Sends the gateway's service calls to in-process apps, by host name; unknown hosts fail to connect."""

    def __init__(self, apps: dict[str, FastAPI]) -> None:
        self.apps = apps
        self.down: set[str] = set()
        self._transports = {host: httpx.ASGITransport(app=app) for host, app in apps.items()}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host in self.down or host not in self._transports:
            raise httpx.ConnectError(f"{host} is down", request=request)
        return await self._transports[host].handle_async_request(request)


_SERVED_DOCUMENTS: dict[tuple[str, ...], bytes] = {}


@dataclass
class Stack:
    """The running product as a test sees it: a client of the gateway, and ways to sign in."""

    client: httpx.AsyncClient
    apps: dict[str, FastAPI]
    transport: RoutingTransport
    database_urls: dict[str, str]
    settings: dict[str, Any] = field(default_factory=dict)

    def token(self, sub: str = "user", *roles: str, name: str | None = None, **kwargs: Any) -> str:
        return mint_dev_token(DEV_SECRET, subject=sub, name=name, roles=roles, **kwargs)

    def auth(self, sub: str = "user", *roles: str, name: str | None = None, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(sub, *roles, name=name, **kwargs)}"}

    async def document(self) -> dict[str, Any]:
        """The gateway's /openapi.json as served. Making it is the slowest request there is (seconds: FastAPI
        describes every route of four apps), and it is a function of the code and the apps' settings alone,
        so a test process fetches it once for each set of settings; each caller gets its own copy. (A test
        that takes a service down fetches its own.)"""
        key = tuple(app.state.settings.model_dump_json() for app in self.apps.values())
        if key not in _SERVED_DOCUMENTS:
            answer = await self.client.get("/openapi.json")
            assert answer.status_code == 200, answer.text
            _SERVED_DOCUMENTS[key] = answer.content
        document: dict[str, Any] = json.loads(_SERVED_DOCUMENTS[key])
        return document

    def service_client(self, service: str) -> httpx.AsyncClient:
        """A client that calls a service directly, bypassing the gateway."""
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.apps[service]), base_url=f"http://{service}")


def service_apps(urls: dict[str, str], **overrides: Any) -> dict[str, FastAPI]:
    return {
        "goals": create_goals(
            GoalsSettings(database_url=urls["goals"], audit_url="http://audit", **overrides), configure_logs=False
        ),
        "budget": create_budget(
            BudgetSettings(database_url=urls["budget"], goals_url="http://goals", **overrides), configure_logs=False
        ),
        "audit": create_audit(
            AuditSettings(database_url=urls["audit"], goals_url="http://goals", **overrides), configure_logs=False
        ),
    }


def gateway_settings(**overrides: Any) -> GatewaySettings:
    values: dict[str, Any] = {
        "goals_url": "http://goals",
        "budget_url": "http://budget",
        "audit_url": "http://audit",
        "org_tree_ttl_seconds": 0,
        "service_timeout_seconds": 5,
        # Tests make hundreds of calls as one caller; the limit has its own tests.
        "rate_limit_per_minute": 0,
    }
    values.update(overrides)
    return GatewaySettings(**values)


@pytest.fixture
def gateway_overrides() -> dict[str, Any]:
    """Override in a test module to run the gateway with other settings."""
    return {}


@pytest.fixture
def service_overrides() -> dict[str, Any]:
    """Override in a test module to run the three services with other settings (the same for each)."""
    return {}


@asynccontextmanager
async def running_stack(
    database_urls: dict[str, str], gateway_overrides: dict[str, Any], service_overrides: dict[str, Any] | None = None
) -> AsyncIterator[Stack]:
    apps = service_apps(database_urls, **(service_overrides or {}))
    transport = RoutingTransport(apps)
    for app in apps.values():
        app.state.peer_transport = transport  # services call their peers in-process too
    gateway = create_gateway(gateway_settings(**gateway_overrides), transport=transport, configure_logs=False)
    async with AsyncExitStack() as stack_ctx:
        for app in [*apps.values(), gateway]:
            await stack_ctx.enter_async_context(app.router.lifespan_context(app))
        client = await stack_ctx.enter_async_context(
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=gateway, raise_app_exceptions=False), base_url="http://gateway"
            )
        )
        all_apps = {**apps, "gateway": gateway}
        yield Stack(client=client, apps=all_apps, transport=transport, database_urls=database_urls)


@pytest.fixture
async def stack(
    database_urls: dict[str, str],
    snapshots: Snapshots,
    gateway_overrides: dict[str, Any],
    service_overrides: dict[str, Any],
) -> AsyncIterator[Stack]:
    """The whole product on empty databases."""
    await snapshots.restore("empty")
    async with running_stack(database_urls, gateway_overrides, service_overrides) as running:
        yield running


@pytest.fixture
async def seeded(
    database_urls: dict[str, str],
    snapshots: Snapshots,
    gateway_overrides: dict[str, Any],
    service_overrides: dict[str, Any],
) -> AsyncIterator[Stack]:
    """The whole product with the demo data loaded, as `make run` loads it."""
    await snapshots.restore("seeded")
    async with running_stack(database_urls, gateway_overrides, service_overrides) as running:
        yield running


@pytest.fixture(scope="session", autouse=True)
def _no_stray_env() -> Iterator[None]:
    # The suite sets every setting it needs; a developer's own exports must not leak in.
    saved = {
        k: v
        for k, v in os.environ.items()
        if k.startswith(("GOALS_", "BUDGET_", "AUDIT_", "GATEWAY_", "STYR_PROFILE", "STYR_DIARY"))
    }
    for key in saved:
        del os.environ[key]
    os.environ["STYR_PROFILE"] = "development"
    yield
    del os.environ["STYR_PROFILE"]
    os.environ.update(saved)
