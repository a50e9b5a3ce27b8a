"""`styr`: the admin command line — development tokens, migrations, demo data, and the local stack."""

from __future__ import annotations

import asyncio
import os
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError

from cli import backup, imports, reports
from cli import remind as reminders
from cli.registry import GATEWAY_FACTORY, SERVICES, ServiceEntry
from cli.serve import serve as run_stack
from gateway.settings import GatewaySettings
from shared.auth.policy import parse_role_claims
from shared.auth.tokens import mint_dev_token
from shared.db import create_engine, create_sessionmaker
from shared.history import HistorySession, set_actor
from shared.logging import configure_logging
from shared.migrations import migrate as run_migration
from shared.serving import bounded_protocol
from shared.settings import PROFILE_VARIABLE, Profile

app = typer.Typer(help="Admin command line of Styr, the steering-model product.", no_args_is_help=True)
app.add_typer(imports.app, name="import")
app.add_typer(reports.app, name="report")


@app.callback()
def _development_by_default(ctx: typer.Context) -> None:
    """Styr's admin command line. It runs with the development profile unless STYR_PROFILE says otherwise."""
    # The apps themselves default to production; the command line is for a developer's machine and for
    # admin work (migrations), where the development defaults are harmless and a production database
    # URL is given explicitly. `styr app` runs an app where it is deployed, so it keeps the apps' default.
    if ctx.invoked_subcommand != "app":
        os.environ.setdefault(PROFILE_VARIABLE, Profile.development.value)


def _entries(service: str | None) -> list[ServiceEntry]:
    if service is None:
        return list(SERVICES)
    chosen = [e for e in SERVICES if e.name == service]
    if not chosen:
        raise typer.BadParameter(f"unknown service {service!r}; one of {', '.join(e.name for e in SERVICES)}")
    return chosen


@app.command()
def token(
    sub: Annotated[str, typer.Option(help="Subject: the person's or client's id")],
    role: Annotated[list[str] | None, typer.Option(help="HSN:editor, RS:reader, auditor, finance, admin…")] = None,
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
    scope: Annotated[list[str] | None, typer.Option(help="Scopes of an integration client")] = None,
    client: Annotated[bool, typer.Option(help="An integration client: scopes, no personal roles")] = False,
    hours: Annotated[float, typer.Option(min=0.01, max=24 * 30)] = 8.0,
) -> None:
    """Print a development token (only where the gateway uses the development secret)."""
    settings = GatewaySettings()
    if not settings.uses_development_tokens:
        raise typer.BadParameter("the gateway uses an identity provider's keys; tokens come from it, not from styr")
    try:
        parse_role_claims(role or [])
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    typer.echo(
        mint_dev_token(
            settings.jwt_secret,
            subject=sub,
            name=name,
            roles=role or [],
            scopes=scope or [],
            client=client,
            ttl_seconds=int(hours * 3600),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
        )
    )


@app.command()
def migrate(
    service: Annotated[str | None, typer.Option(help="Only this service")] = None,
    revision: Annotated[str, typer.Option(help="Target revision")] = "head",
    down: Annotated[bool, typer.Option(help="Downgrade to the revision instead")] = False,
) -> None:
    """Bring each service's database to the latest schema (or to --revision)."""
    for entry in _entries(service):
        asyncio.run(run_migration(entry.directory, entry.settings().database_url, revision, down=down))
        typer.echo(f"{entry.name}: {'downgraded' if down else 'migrated'} to {revision}")


async def seed_database(entry: ServiceEntry, url: str) -> dict[str, int]:
    """Load one service's demo data into the database at `url`, recorded in history as the seed."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine, HistorySession)() as session:
            set_actor(session, "system:seed", "Demo data")
            counts = await entry.seed(session)
            await session.commit()
            return counts
    finally:
        await engine.dispose()


@app.command()
def seed(service: Annotated[str | None, typer.Option(help="Only this service")] = None) -> None:
    """Load the demo data; what is there already is left alone, so a second run adds nothing."""
    for entry in _entries(service):
        counts = asyncio.run(seed_database(entry, entry.settings().database_url))
        added = ", ".join(f"{n} {table}" for table, n in counts.items())
        typer.echo(f"{entry.name}: added {added}")


@app.command()
def serve(
    port: Annotated[
        int, typer.Option(min=1024, max=65000, help="The gateway's port; the services take the next three")
    ] = 8000,
    remind_every: Annotated[
        float, typer.Option(min=0, help="Seconds between reminder passes (styr remind); 0 runs none")
    ] = 3600,
) -> None:
    """Run the three services and the gateway on loopback until Ctrl-C, and the reminder job every hour."""
    raise typer.Exit(run_stack(port, remind_every))


@app.command()
def remind(
    as_of: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Remind as on this day (today in Swedish time)")
    ] = None,
    every: Annotated[
        float | None, typer.Option(min=1, help="Run a pass every so many seconds until stopped (make run's loop)")
    ] = None,
) -> None:
    """Send the reminders due now, once each however many run at once (REMINDERS_* settings; deploy/README.md)."""
    try:
        settings = reminders.RemindSettings()
    except ValidationError as exc:
        messages = "; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors())
        typer.echo(f"remind cannot start: {messages}", err=True)
        raise typer.Exit(2) from exc
    configure_logging("reminders", settings.log_level)
    raise typer.Exit(reminders.run(settings, as_of.date() if as_of else None, every))


@app.command("export-all")
def export_all(
    directory: Annotated[Path, typer.Argument(help="A new or empty folder", file_okay=False)],
) -> None:
    """Write every service's data (history and versions included) to a folder, as deploy/README.md describes."""
    try:
        manifests = backup.export_all(directory, backup.service_urls())
    except backup.BackupRefused as exc:
        typer.echo(f"export-all refused: {exc}", err=True)
        raise typer.Exit(2) from exc
    for name, manifest in manifests.items():
        rows = sum(table["rows"] for table in manifest["tables"].values())
        typer.echo(f"{name}: {rows} rows in {len(manifest['tables'])} tables (revision {manifest['alembic_revision']})")


@app.command("import-all")
def import_all(
    directory: Annotated[Path, typer.Argument(help="A folder written by export-all", exists=True, file_okay=False)],
) -> None:
    """Read a folder written by export-all into empty databases migrated to the export's schema revision."""
    try:
        counts = backup.import_all(directory, backup.service_urls())
    except backup.BackupRefused as exc:
        typer.echo(f"import-all refused, nothing was written: {exc}", err=True)
        raise typer.Exit(2) from exc
    for name, tables in counts.items():
        typer.echo(f"{name}: {sum(tables.values())} rows in {len(tables)} tables")


APPS = {**{entry.name: entry.factory for entry in SERVICES}, "gateway": GATEWAY_FACTORY}


@app.command("app")
def run_app(
    name: Annotated[str, typer.Argument(help="goals, budget, audit or gateway")],
    host: Annotated[str, typer.Option(help="Address to listen on")] = "0.0.0.0",
    port: Annotated[
        int, typer.Option(min=1, max=65535, envvar="STYR_PORT", help="The image's health check asks STYR_PORT too")
    ] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Processes; one per core is plenty")] = 1,
    trusted_proxies: Annotated[
        str,
        typer.Option(
            help="Load balancers whose X-Forwarded-For is believed (comma-separated addresses); none by default"
        ),
    ] = "",
) -> None:
    """Run one app where it is deployed (the image's command): production unless configured otherwise."""
    if name not in APPS:
        raise typer.BadParameter(f"unknown app {name!r}; one of {', '.join(APPS)}")
    settings = {entry.name: entry.settings for entry in SERVICES}.get(name, GatewaySettings)
    try:
        configured = settings()
    except ValidationError as exc:
        # Said plainly before uvicorn starts, instead of a traceback from inside the app factory.
        messages = "; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors())
        typer.echo(f"{name} cannot start: {messages}", err=True)
        raise typer.Exit(2) from exc
    if workers > 1 and configured.metrics_port is not None:
        # Each worker would open the metrics port and count only its own requests; scale with replicas.
        typer.echo(f"{name} cannot start: the metrics port needs one process; run more replicas instead", err=True)
        raise typer.Exit(2)
    uvicorn.run(
        APPS[name],
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # the apps write their own access line, with the request id
        http=bounded_protocol(configured),
        timeout_keep_alive=configured.keep_alive_timeout_seconds,
        # Believed only from proxies named here: from anyone else (the host itself included) a forged
        # X-Forwarded-For would reset the failed sign-in limit, which counts by address.
        proxy_headers=bool(trusted_proxies),
        forwarded_allow_ips=trusted_proxies or None,
    )


if __name__ == "__main__":
    app()
