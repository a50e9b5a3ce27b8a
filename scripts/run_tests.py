"""Runs the pytest suite twice, side by side: on the embedded default (SQLite) and on a real PostgreSQL
server that it starts in a temporary directory on a free port and stops afterwards.

Usage: python scripts/run_tests.py [--only=sqlite|--only=postgresql] [pytest arguments…]
(`--only` runs one half, to measure or debug it alone.)
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Outcome:
    database: str
    exit_code: int
    tests: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    slowest: list[tuple[str, float]] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return self.tests - self.failed - self.skipped


def _pg_binary(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    on_path = shutil.which(name)
    if on_path:
        return on_path
    raise SystemExit(f"PostgreSQL's {name} was not found: install PostgreSQL (Debian: apt-get install postgresql)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; these machines run us as root.
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A throw-away PostgreSQL server; yields an admin URL for asyncpg."""
    workdir = Path(tempfile.mkdtemp(prefix="styr-pg-"))
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
    data, log, port = workdir / "data", workdir / "server.log", _free_port()
    subprocess.run(
        _as_postgres(
            [
                _pg_binary("initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    options = (
        f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    pg_ctl = _pg_binary("pg_ctl")
    subprocess.run(
        _as_postgres([pg_ctl, "-D", str(data), "-o", options, "-l", str(log), "-w", "start"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # The fault tests restart this server under load (tests/reliability/test_database_restart.py).
    os.environ.update({"STYR_TEST_POSTGRES_DATA": str(data), "STYR_TEST_PG_CTL": pg_ctl})
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"
    finally:
        for name in ("STYR_TEST_POSTGRES_DATA", "STYR_TEST_PG_CTL"):
            os.environ.pop(name, None)
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"]), check=False, stdout=subprocess.DEVNULL
        )
        shutil.rmtree(workdir, ignore_errors=True)


# The suite's time is kept down file by file: the summary names where it goes.
SLOWEST_SHOWN = 8


def slowest_files(suite: ET.Element, count: int = SLOWEST_SHOWN) -> list[tuple[str, float]]:
    """The test files that took longest in a JUnit report, with their seconds (set-up included)."""
    seconds: Counter[str] = Counter()
    for case in suite.iter("testcase"):
        parts = case.get("classname", "").split(".")
        if len(parts) > 1 and parts[-1][:1].isupper():  # a test class within its module
            parts.pop()
        seconds["/".join(parts) + ".py"] += float(case.get("time", 0))
    return seconds.most_common(count)


@dataclass
class Run:
    """One pytest process on one database, its output kept in a file until it is shown whole."""

    database: str
    process: subprocess.Popen[bytes]
    log: Path
    report: Path

    def outcome(self) -> Outcome:
        outcome = Outcome(self.database, self.process.wait())
        if self.report.exists():
            suite = ET.parse(self.report).getroot()
            suite = suite if suite.tag == "testsuite" else suite[0]
            outcome.tests = int(suite.get("tests", 0))
            outcome.failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            outcome.skipped = int(suite.get("skipped", 0))
            outcome.seconds = float(suite.get("time", 0))
            outcome.slowest = slowest_files(suite)
        return outcome

    def show(self) -> None:
        print(f"\n=== pytest on {self.database} ===", flush=True)
        sys.stdout.buffer.write(self.log.read_bytes())
        sys.stdout.flush()


def start_pytest(database: str, extra_env: dict[str, str], args: list[str], tmp: Path) -> Run:
    report, log = tmp / f"{database}.xml", tmp / f"{database}.log"
    env = {**os.environ, **extra_env}
    command = [sys.executable, "-m", "pytest", f"--junitxml={report}", *args]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return Run(database, process, log, report)


DATABASES = ("sqlite", "postgresql")


def run_side_by_side(args: list[str], databases: tuple[str, ...] = DATABASES) -> list[Outcome]:
    """Both databases at once, one process each: the machine's two cores are used, and the suite takes as
    long as its slower half. Each run's output is shown whole when it ends, the first to end first."""
    server = postgres_server() if "postgresql" in databases else contextlib.nullcontext("")
    with tempfile.TemporaryDirectory() as tmp, server as url:
        environments = {"sqlite": {}, "postgresql": {"STYR_TEST_POSTGRES_URL": url}}
        runs = [start_pytest(database, environments[database], args, Path(tmp)) for database in databases]
        print(f"=== pytest on {' and '.join(databases)}, side by side (each shown when it ends) ===", flush=True)
        outcomes: dict[str, Outcome] = {}
        while len(outcomes) < len(runs):
            for run in runs:
                if run.database not in outcomes and run.process.poll() is not None:
                    outcomes[run.database] = run.outcome()
                    run.show()
            time.sleep(0.5)
        return [outcomes[run.database] for run in runs]


def main(args: list[str]) -> int:
    only = [a.removeprefix("--only=") for a in args if a.startswith("--only=")]
    unknown = set(only) - set(DATABASES)
    if unknown:
        raise SystemExit(f"--only takes {' or '.join(DATABASES)}, not {', '.join(sorted(unknown))}")
    databases = tuple(d for d in DATABASES if d in only) or DATABASES
    outcomes = run_side_by_side([a for a in args if not a.startswith("--only=")], databases)
    print("\n=== summary ===")
    for o in outcomes:
        minutes, seconds = divmod(round(o.seconds), 60)
        print(
            f"{o.database}: {o.tests} tests, {o.passed} passed, {o.failed} failed, {o.skipped} skipped"
            f" in {minutes} min {seconds:02d} s"
        )
    for o in outcomes:
        if o.slowest:
            print(f"{o.database}, slowest files: " + ", ".join(f"{name} {sec:.0f} s" for name, sec in o.slowest))
    total_passed = sum(o.passed for o in outcomes)
    total_failed = sum(o.failed for o in outcomes)
    print(f"{total_passed} passed, {total_failed} failed")
    return 0 if all(o.exit_code == 0 for o in outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
