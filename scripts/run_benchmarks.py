"""Runs every benchmark in benchmarks/ on the embedded default (SQLite) and on a throw-away PostgreSQL.

Usage: python scripts/run_benchmarks.py [name …] [-- option …]   (names like `goals` for benchmarks/bench_goals.py;
options after `--` go to each benchmark, e.g. `load -- --against /tmp/styr-before --scale 0.5`)
"""

from __future__ import annotations

import subprocess
import sys

from run_tests import ROOT, postgres_server


def benchmarks(names: list[str]) -> list[str]:
    found = sorted(p.stem for p in (ROOT / "benchmarks").glob("bench_*.py"))
    chosen = [f"bench_{n}" for n in names] if names else found
    unknown = set(chosen) - set(found)
    if unknown:
        raise SystemExit(f"no such benchmark: {', '.join(sorted(unknown))}; there are {', '.join(found)}")
    return chosen


def run(module: str, *args: str) -> int:
    print(f"\n=== {module} {' '.join(args)} ===", flush=True)
    return subprocess.call([sys.executable, "-m", f"benchmarks.{module}", *args], cwd=ROOT)


def main(argv: list[str]) -> int:
    names, options = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    chosen = benchmarks(names)
    codes = [run(module, *options) for module in chosen]
    with postgres_server() as url:
        codes += [run(module, "--postgres-url", url, *options) for module in chosen]
    return max(codes, default=0)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
