"""The gateway's OpenAPI document, as served, is a contract a generated TypeScript client can rely on.

The document is read from a running gateway (uvicorn, the three services behind it, the demo data),
a client generated from it with openapi-typescript and openapi-fetch, and a small program a frontend
team would write (client.ts) type-checked with `tsc --strict` and run against the same gateway: it
lists units, reads the chain, creates a goal, reads it again with If-None-Match (304), updates it with
the ETag it read, and narrows the 412 of a stale ETag to the Problem type. Redocly's linter, with its
recommended rules, finds no error in the document.

The tools are pinned in package.json and package-lock.json next to this file and installed once with
`npm ci` into a cache folder named by the lock's hash (STYR_NODE_CACHE, or ~/.cache/styr), which later
runs and .ci/run reuse.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.auth.tokens import mint_dev_token
from shared.settings import DEV_SECRET
from tests.reliability.processes import Processes, processes

HERE = Path(__file__).resolve().parent
NODE = shutil.which("node")
NPM = shutil.which("npm")
REQUIRED = os.environ.get("STYR_REQUIRE_NODE") == "1"
TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "target": "es2022",
        "module": "nodenext",
        "moduleResolution": "nodenext",
        "types": ["node"],
        "outDir": "out",
        "noEmitOnError": True,
        # Node's own type declarations are not under test; the generated schema.ts and client.ts are.
        "skipLibCheck": True,
    },
    "files": ["client.ts", "schema.ts"],
}

pytestmark = pytest.mark.skipif(
    (NODE is None or NPM is None) and not REQUIRED,
    reason="Node.js and npm are not installed (apt-get install nodejs npm; .ci/run installs them)",
)


def _run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{' '.join(map(str, command))} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="session")
def node_tools() -> Path:
    """node_modules with the pinned tools, installed once per lock file and kept between runs."""
    lock = (HERE / "package-lock.json").read_bytes()
    root = Path(os.environ.get("STYR_NODE_CACHE") or Path.home() / ".cache" / "styr" / "contract-node")
    cache = root / hashlib.sha256(lock).hexdigest()[:16]
    if not (cache / "installed").exists():
        cache.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(HERE / name, cache / name)
        _run(NPM or "npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", cwd=cache)
        (cache / "installed").touch()
    return cache / "node_modules"


@pytest.fixture(scope="module")
def served(database_urls: dict[str, str], snapshots: Any) -> Iterator[Processes]:
    """One gateway and its services for this module's tests: starting them is most of the time taken."""
    asyncio.run(snapshots.restore("seeded"))
    with processes(database_urls) as running:
        yield running


def _served_document(gateway_url: str, folder: Path) -> Path:
    """The whole document: on a loaded machine a service just started may miss the gateway's timeout, and the
    gateway then answers without its operations (and says so); it asks again on the next read."""
    for _ in range(10):
        answer = httpx.get(f"{gateway_url}/openapi.json", timeout=30)
        assert answer.status_code == 200
        if "**Incomplete:**" not in answer.json()["info"].get("description", ""):
            break
    else:
        pytest.fail("the gateway's document stayed incomplete: " + answer.json()["info"]["description"])
    document = folder / "openapi.json"
    document.write_text(json.dumps(answer.json()), encoding="utf-8")
    return document


def _client_project(folder: Path, node_modules: Path) -> None:
    (folder / "node_modules").symlink_to(node_modules, target_is_directory=True)
    (folder / "package.json").write_text(json.dumps({"type": "module", "private": True}), encoding="utf-8")
    (folder / "tsconfig.json").write_text(json.dumps(TSCONFIG), encoding="utf-8")
    shutil.copyfile(HERE / "client.ts", folder / "client.ts")


def test_a_generated_typescript_client_type_checks_and_runs_against_the_gateway(
    served: Processes, node_tools: Path, tmp_path: Path
) -> None:
    document = _served_document(served.gateway_url, tmp_path)
    _client_project(tmp_path, node_tools)
    bin_ = node_tools / ".bin"
    # Properties with a default stay optional in what a client sends (openapi-typescript makes them
    # required by default, as they always come back in answers).
    _run(bin_ / "openapi-typescript", document, "--default-non-nullable", "false", "-o", "schema.ts", cwd=tmp_path)
    _run(bin_ / "tsc", "-p", ".", cwd=tmp_path)

    token = mint_dev_token(DEV_SECRET, subject="anna", name="Anna Andersson", roles=["HSN:editor"])
    env = {**os.environ, "STYR_GATEWAY_URL": served.gateway_url, "STYR_TOKEN": token}
    outcome = json.loads(_run(NODE or "node", "out/client.js", cwd=tmp_path, env=env).strip().splitlines()[-1])

    assert outcome["problem"] == "precondition-failed"
    assert outcome["title"] == "Kortare väntetider till första besök i primärvården"
    goal = httpx.get(
        f"{served.gateway_url}/api/goals/goals/{outcome['goal']}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert goal.json()["title"] == outcome["title"]  # the stale update changed nothing


def test_redocly_finds_no_error_in_the_combined_document(served: Processes, node_tools: Path, tmp_path: Path) -> None:
    document = _served_document(served.gateway_url, tmp_path)
    # The recommended rules, as they come: no rule is turned off.
    done = subprocess.run(
        [str(node_tools / ".bin" / "redocly"), "lint", str(document), "--format=json", "--max-problems=1000"],
        cwd=tmp_path,
        env={**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(done.stdout)
    errors = [
        f"{p['ruleId']}: {p['message']} at {p['location'][0]['pointer']}"
        for p in report["problems"]
        if p["severity"] == "error"
    ]
    assert errors == []
    assert report["totals"]["errors"] == 0
