"""What can be tested of the deployment without a container engine: the manifests pass Kubernetes'
schemas and name only real settings and apps, and the image's command lines start the apps."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from cli import main as cli_main
from cli.main import APPS
from gateway.settings import GatewaySettings
from services.audit.settings import AuditSettings
from services.budget.settings import BudgetSettings
from services.goals.settings import GoalsSettings
from shared.settings import DIARY_NUMBER_PATTERN_VARIABLE, PROFILE_VARIABLE

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
MANIFESTS = sorted((DEPLOY / "k8s").glob("*.yaml"))
SETTINGS = {"GOALS_": GoalsSettings, "BUDGET_": BudgetSettings, "AUDIT_": AuditSettings, "GATEWAY_": GatewaySettings}


def documents(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def all_documents() -> list[dict]:
    return [d for path in MANIFESTS for d in documents(path)]


def known_variable(name: str) -> bool:
    if name in (PROFILE_VARIABLE, DIARY_NUMBER_PATTERN_VARIABLE):
        return True
    for prefix, settings in SETTINGS.items():
        if name.startswith(prefix):
            field = settings.model_fields.get(name.removeprefix(prefix).lower())
            return field is not None and field.validation_alias is None  # a region-wide one is read by its own name
    return False


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_each_manifest_passes_the_kubernetes_schema(path):
    result = subprocess.run(
        [sys.executable, "-m", "kubernetes_validate", "--strict", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_each_app_has_a_deployment_and_a_service_with_probes_and_resources():
    docs = all_documents()
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    services = {d["metadata"]["name"] for d in docs if d["kind"] == "Service"}
    assert set(deployments) == set(APPS) == services
    for name, deployment in deployments.items():
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["command"][:3] == ["styr", "app", name]
        assert container["readinessProbe"]["httpGet"]["path"] in {"/readyz", "/healthz"}
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert {"cpu", "memory"} <= set(container["resources"]["requests"])
        assert {ref.get("configMapRef", ref.get("secretRef"))["name"] for ref in container["envFrom"]} == {
            "styr-config",
            "styr-secrets",
        }


def test_the_gateway_scales_and_a_job_migrates():
    docs = all_documents()
    hpa = next(d for d in docs if d["kind"] == "HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "gateway"
    job = next(d for d in docs if d["kind"] == "Job")
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == ["styr", "migrate"]


def test_configuration_names_only_settings_the_apps_read():
    docs = all_documents()
    names = [k for d in docs if d["kind"] in {"ConfigMap", "Secret"} for k in (d.get("data") or d["stringData"])]
    env_example = re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (DEPLOY / "env.example").read_text(), re.MULTILINE)
    unknown = [n for n in names + env_example if not known_variable(n)]
    assert unknown == []
    assert {"GOALS_DATABASE_URL", "GATEWAY_INTERNAL_SECRET", "GATEWAY_JWKS_URL"} <= set(names)


def test_the_compose_file_runs_each_app_after_the_migration():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    for name in APPS:
        service = compose["services"][name]
        assert service["command"][:3] == ["styr", "app", name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert compose["services"]["migrate"]["command"] == ["styr", "migrate"]
    assert list(compose["services"]["gateway"]["ports"]) == ["8000:8000"]
    assert all("ports" not in compose["services"][name] for name in ("goals", "budget", "audit"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _styr_app(name: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "cli.main", "app", name, "--host", "127.0.0.1", "--port", str(port)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _wait_healthy(name: str, port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    pytest.fail(f"styr app {name} did not answer /healthz")


def test_the_image_command_starts_an_app(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        PROFILE_VARIABLE: "development",
        "GOALS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'goals.sqlite3'}",
    }
    process = _styr_app("goals", port, env)
    try:
        _wait_healthy("goals", port)
    finally:
        process.terminate()
        process.wait(timeout=10)


HEAD_TIMEOUT_SECONDS = 1.0


def _answer_to(port: int, sent: bytes, wait: float) -> tuple[bytes, float]:
    """What the app answers to `sent` before it closes the connection, and how long that took."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        try:
            sock.sendall(sent)
        except OSError:
            pass  # the app closed the connection while the head was still being sent
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return received, time.monotonic() - started


@pytest.mark.parametrize("name", ["goals", "gateway"])
def test_a_huge_head_is_refused_and_a_half_request_is_closed_in_time(tmp_path, name):
    """As the image starts each app: a 16 MiB header is refused (431) without being read whole, and a
    client that sends half a request loses its connection after the configured head timeout."""
    port = _free_port()
    env = {
        **os.environ,
        PROFILE_VARIABLE: "development",
        "GOALS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'goals.sqlite3'}",
        f"{name.upper()}_REQUEST_HEAD_TIMEOUT_SECONDS": str(HEAD_TIMEOUT_SECONDS),
    }
    process = _styr_app(name, port, env)
    try:
        _wait_healthy(name, port)
        huge = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (16 * 1024 * 1024) + b"\r\n\r\n"
        answer, _ = _answer_to(port, huge, wait=10)
        assert answer.startswith(b"HTTP/1.1 431"), answer[:100]
        half, took = _answer_to(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n", wait=10)
        assert half.startswith(b"HTTP/1.1 408"), half[:100]
        assert took < HEAD_TIMEOUT_SECONDS + 3, took
        # An ordinary request on the same app is unaffected, and a body is not counted as head.
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
        posted = httpx.post(f"http://127.0.0.1:{port}/healthz", content=b"x" * (1024 * 1024), timeout=10)
        assert posted.status_code != 431
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_an_app_without_configuration_refuses_to_start_in_production():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOALS_", "STYR_"))}
    process = _styr_app("goals", _free_port(), env)
    output, _ = process.communicate(timeout=30)
    assert process.returncode != 0
    assert b"goals cannot start: internal_secret must be set to a random secret" in output


def test_the_installed_package_carries_every_file_the_apps_read(tmp_path):
    """The image installs the project as a wheel (not from the checkout): a template, stylesheet or demo
    file left out of the package data would be missing only in production. Built from a clean copy of
    the tracked files, so that a stale build/ directory cannot stand in for the package data."""
    root = DEPLOY.parent
    tracked = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "pyproject.toml", "README.md", *PACKAGES],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    source = tmp_path / "source"
    for name in tracked:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, source / name)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("*.whl")
    packed = set(zipfile.ZipFile(wheel).namelist())
    data_files = [f for f in tracked if not f.endswith(".py") and f.startswith(PACKAGES)]
    assert "gateway/documents/templates/report.html.j2" in data_files
    assert [f for f in data_files if f not in packed] == []


PACKAGES = ("shared/", "services/", "gateway/", "cli/")


@pytest.mark.parametrize(
    ("options", "believed"),
    [([], (False, None)), (["--trusted-proxies", "10.0.0.5,10.0.0.6"], (True, "10.0.0.5,10.0.0.6"))],
)
def test_forwarded_for_is_believed_only_from_configured_proxies(monkeypatch, options, believed):
    started: dict = {}
    monkeypatch.setattr(cli_main.uvicorn, "run", lambda app, **kwargs: started.update(kwargs))
    monkeypatch.setenv("STYR_PROFILE", "development")
    result = CliRunner().invoke(cli_main.app, ["app", "gateway", *options])
    assert result.exit_code == 0, result.output
    assert (started["proxy_headers"], started["forwarded_allow_ips"]) == believed
