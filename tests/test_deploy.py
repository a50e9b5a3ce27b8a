"""What can be tested of the deployment without a container engine: the manifests pass Kubernetes'
schemas and name only real settings and apps, and the image's command lines start the apps."""

import importlib
import inspect
import json
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
from cli.remind import SERVICES, RemindSettings, read_role_holders
from gateway.settings import GatewaySettings
from services.audit.settings import AuditSettings
from services.budget.settings import BudgetSettings
from services.goals.settings import GoalsSettings
from shared.metrics import PoolCollector
from shared.settings import DIARY_NUMBER_PATTERN_VARIABLE, PROFILE_VARIABLE, AppSettings, ServiceSettings

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
MANIFESTS = sorted((DEPLOY / "k8s").glob("*.yaml"))
SETTINGS = {
    "GOALS_": GoalsSettings,
    "BUDGET_": BudgetSettings,
    "AUDIT_": AuditSettings,
    "GATEWAY_": GatewaySettings,
    "REMINDERS_": RemindSettings,
}
JOBS = ("migrate", "reminders")  # workloads that run and end: the migration and the reminder job
PORT_VARIABLE = "STYR_PORT"  # read by `styr app` (the image's command) and the image's health check
# Files and processes on their own SQLite: the same in both runs, so the PostgreSQL run leaves them to SQLite.
pytestmark = pytest.mark.database_free


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
        assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
        assert {ref.get("configMapRef", ref.get("secretRef"))["name"] for ref in container["envFrom"]} == {
            "styr-config",
            f"{name}-secrets",
        }
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert {"prometheus.io/port", "prometheus.io/path"} <= set(annotations)


def _settings_of(app: str) -> type[AppSettings]:
    return SETTINGS[f"{app.upper()}_"]


def _variables_of(settings: type[AppSettings]) -> set[str]:
    """Every environment variable an app reads under its own prefix, from its settings class."""
    prefix = str(settings.model_config.get("env_prefix"))
    return {
        f"{prefix}{name.upper()}" for name, field in settings.model_fields.items() if field.validation_alias is None
    }


def _pod_templates() -> dict[str, dict]:
    """Each workload's pod spec, by the app.kubernetes.io/name its pods carry."""
    return {
        template["metadata"]["labels"]["app.kubernetes.io/name"]: template["spec"]
        for d in all_documents()
        if d["kind"] in {"Deployment", "Job", "CronJob"}
        for template in [(d["spec"]["jobTemplate"] if d["kind"] == "CronJob" else d)["spec"]["template"]]
    }


def _secret_names(pod: dict) -> set[str]:
    return {
        ref["secretRef"]["name"]
        for container in pod["containers"]
        for ref in container.get("envFrom", [])
        if "secretRef" in ref
    } | {
        env["valueFrom"]["secretKeyRef"]["name"]
        for container in pod["containers"]
        for env in container.get("env", [])
        if "secretKeyRef" in env.get("valueFrom", {})
    }


def test_each_pod_reads_only_its_own_secret_holding_only_its_own_variables():
    """A pod broken into gives away its own database, not the others': each app's Secret holds only
    variables that app's settings class reads, and what it needs to start in production."""
    secrets = {d["metadata"]["name"]: set(d["stringData"]) for d in all_documents() if d["kind"] == "Secret"}
    pods = _pod_templates()
    for app in APPS:
        settings = _settings_of(app)
        prefix = str(settings.model_config.get("env_prefix"))
        (mounted,) = _secret_names(pods[app])
        assert secrets[mounted] <= _variables_of(settings), f"{app} gets another app's variables"
        needed = {"internal_secret"} | ({"database_url"} if issubclass(settings, ServiceSettings) else set())
        assert {f"{prefix}{name.upper()}" for name in needed} <= secrets[mounted]
        assert [other for other in APPS if other != app and mounted in _secret_names(pods[other])] == []
    # The migration acts as each service in turn: their Secrets, not the gateway's.
    services = [app for app in APPS if issubclass(_settings_of(app), ServiceSettings)]
    migration = {key for name in _secret_names(pods["migrate"]) for key in secrets[name]}
    assert migration == set().union(*(secrets[name] for app in services for name in _secret_names(pods[app])))
    # The reminder job signs its calls to the services: its own Secret, with its own variables only.
    (mounted,) = _secret_names(pods["reminders"])
    assert "REMINDERS_INTERNAL_SECRET" in secrets[mounted] <= _variables_of(RemindSettings)
    assert [app for app in [*APPS, "migrate"] if mounted in _secret_names(pods[app])] == []
    config = {k for d in all_documents() if d["kind"] == "ConfigMap" for k in d["data"]}
    assert config.isdisjoint(set().union(*secrets.values())), "a secret is in the ConfigMap too"


def _selects(selector: dict, labels: dict[str, str]) -> bool:
    matches = all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())
    for expression in selector.get("matchExpressions", []):
        assert expression["operator"] == "In", "the test reads only In"
        matches = matches and labels.get(expression["key"]) in expression["values"]
    return matches


def _labels(app: str) -> dict[str, str]:
    ours = app in APPS or app in JOBS  # Redis is the region's own, not part of Styr
    return {"app.kubernetes.io/name": app, **({"app.kubernetes.io/part-of": "styr"} if ours else {})}


def _policies() -> list[dict]:
    return [d for d in all_documents() if d["kind"] == "NetworkPolicy"]


def _rules(pod: dict[str, str], direction: str) -> list[dict] | None:
    """The rules that let traffic in (or out) of a pod; None when no policy restricts that direction."""
    chosen = [p for p in _policies() if _selects(p["spec"]["podSelector"], pod)]
    if not any(direction.capitalize() in p["spec"]["policyTypes"] for p in chosen):
        return None
    return [rule for p in chosen for rule in p["spec"].get(direction, [])]


def _allows_port(rule: dict, port: int) -> bool:
    ports = rule.get("ports")
    return ports is None or any(p.get("port") == port for p in ports)


def _rule_lets(rule: dict, peers_key: str, peer: dict[str, str], port: int) -> bool:
    if not _allows_port(rule, port):
        return False
    peers = rule.get(peers_key)
    return peers is None or any(
        "podSelector" in p and "namespaceSelector" not in p and _selects(p["podSelector"], peer) for p in peers
    )


def _may_call(source: str, target: str, port: int = 8000) -> bool:
    """Whether the policies let `source`'s pods open a connection to `target`'s pods in the same namespace."""
    outgoing, incoming = _rules(_labels(source), "egress"), _rules(_labels(target), "ingress")
    out_ok = outgoing is None or any(_rule_lets(r, "to", _labels(target), port) for r in outgoing)
    in_ok = incoming is None or any(_rule_lets(r, "from", _labels(source), port) for r in incoming)
    return out_ok and in_ok


def test_network_policies_let_only_the_gateway_reach_the_services_and_each_service_its_own_database():
    services = [app for app in APPS if issubclass(_settings_of(app), ServiceSettings)]
    workloads = [*APPS, *JOBS]
    for name in workloads:
        assert _rules(_labels(name), "ingress") is not None
        assert _rules(_labels(name), "egress") is not None
    # The services that ask a peer whether a record exists are the ones with that peer's url setting.
    asks = {peer: {app for app in services if f"{peer}_url" in _settings_of(app).model_fields} for peer in services}
    assert asks == {"goals": {"budget", "audit"}, "budget": set(), "audit": {"goals"}}
    for source in workloads:
        for target in services:
            # The reminder job asks every service for every person's tasks, and the goals service for claims.
            expected = source in ("gateway", "reminders") or source in asks[target]
            assert _may_call(source, target) == expected, f"{source} -> {target}"
        assert not _may_call(source, "gateway") or source == "gateway"
    assert _may_call("gateway", "redis", 6379)
    assert not any(_may_call(app, "redis", 6379) for app in services)
    for name in workloads:
        database_rules = [r for r in _rules(_labels(name), "egress") or [] if _allows_port(r, 5432)]
        reached = {p["ipBlock"]["cidr"] for r in database_rules for p in r.get("to", []) if "ipBlock" in p}
        own = {f"<{app} database address>/32" for app in (services if name == "migrate" else [name]) if app in services}
        assert reached == own, name
        assert all("to" in r for r in database_rules), f"{name} may reach any database"


def test_each_app_has_a_disruption_budget():
    budgets = {d["metadata"]["name"]: d for d in all_documents() if d["kind"] == "PodDisruptionBudget"}
    assert set(budgets) == set(APPS)
    for name, budget in budgets.items():
        assert _selects(budget["spec"]["selector"], _labels(name))
        assert budget["spec"]["maxUnavailable"] == 1


def test_the_gateway_scales_and_a_job_migrates_as_hardened_as_the_apps():
    docs = all_documents()
    hpa = next(d for d in docs if d["kind"] == "HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "gateway"
    job = next(d for d in docs if d["kind"] == "Job")
    assert job["spec"]["ttlSecondsAfterFinished"] > 0
    pod, app = job["spec"]["template"]["spec"], _pod_templates()["goals"]
    (container,) = pod["containers"]
    assert container["command"] == ["styr", "migrate"]
    assert pod["securityContext"] == app["securityContext"]
    assert pod["automountServiceAccountToken"] is False
    assert container["securityContext"] == app["containers"][0]["securityContext"]
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert "memory" in container["resources"]["limits"]


def test_the_reminder_job_runs_hourly_in_swedish_time_as_hardened_as_the_apps():
    cron = next(d for d in all_documents() if d["kind"] == "CronJob")
    assert (cron["spec"]["schedule"], cron["spec"]["timeZone"]) == ("0 * * * *", "Europe/Stockholm")
    assert cron["spec"]["jobTemplate"]["spec"]["ttlSecondsAfterFinished"] > 0
    pod, app = _pod_templates()["reminders"], _pod_templates()["goals"]
    (container,) = pod["containers"]
    assert container["command"] == ["styr", "remind"]
    assert pod["securityContext"] == app["securityContext"]
    assert pod["automountServiceAccountToken"] is False
    assert container["securityContext"] == app["containers"][0]["securityContext"]
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert "memory" in container["resources"]["limits"]


def test_the_reminder_job_reads_who_holds_which_roles_from_its_config_map(tmp_path):
    """A body's responses due are reminded to its people: the job finds them in the file the ConfigMap mounts."""
    pod = _pod_templates()["reminders"]
    (container,) = pod["containers"]
    path = Path({e["name"]: e["value"] for e in container["env"]}["REMINDERS_PEOPLE_FILE"])
    (mount,) = [m for m in container["volumeMounts"] if path.is_relative_to(m["mountPath"])]
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    people = next(
        d for d in all_documents() if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "reminders-people"
    )
    assert volume["configMap"] == {"name": "reminders-people"}  # required: a missing file would fail every pass
    file = tmp_path / path.name
    file.write_text(people["data"][path.name])
    assert read_role_holders(file) == []


def _environment_sources() -> set[str]:
    """The ConfigMaps and Secrets a workload reads its environment from (others hold files it mounts)."""
    return {
        ref[kind]["name"]
        for pod in _pod_templates().values()
        for container in pod["containers"]
        for ref in container.get("envFrom", [])
        for kind in ("configMapRef", "secretRef")
        if kind in ref
    }


def test_configuration_names_only_settings_the_apps_read():
    docs = [d for d in all_documents() if d["kind"] in {"ConfigMap", "Secret"}]
    assert {d["metadata"]["name"] for d in docs} - _environment_sources() == {"reminders-people"}
    names = [
        k for d in docs if d["metadata"]["name"] in _environment_sources() for k in (d.get("data") or d["stringData"])
    ]
    env_example = re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (DEPLOY / "env.example").read_text(), re.MULTILINE)
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    in_compose = [n for service in compose["services"].values() for n in service.get("environment", {})]
    in_compose = [n for n in in_compose if n not in (PORT_VARIABLE, "POSTGRES_USER", "POSTGRES_PASSWORD_FILE")]
    unknown = [n for n in names + env_example + in_compose if not known_variable(n)]
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


def test_compose_runs_each_app_on_the_port_the_others_call_and_its_health_check_asks():
    """The image's health check asks STYR_PORT, the port `styr app` listens on: compose sets it per
    app, at the port the other apps are told to call (env.example), and never overrides it with --port."""
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    called = dict(re.findall(r"^GATEWAY_([A-Z]+)_URL=http://[a-z]+:(\d+)$", (DEPLOY / "env.example").read_text(), re.M))
    ports = {name: compose["services"][name]["environment"][PORT_VARIABLE] for name in APPS}
    assert {name: ports[name] for name in APPS if name != "gateway"} == {k.lower(): v for k, v in called.items()}
    assert compose["services"]["gateway"]["ports"] == [f"{ports['gateway']}:{ports['gateway']}"]
    assert all("--port" not in compose["services"][name]["command"] for name in APPS)
    for name in [*compose["services"]]:
        assert "healthcheck" in compose["services"][name] or name in APPS or name == "migrate", name
    store = compose["services"]["gateway"]["environment"]["GATEWAY_RATE_LIMIT_STORE_URL"]
    assert httpx.URL(store).host in compose["services"]


def test_compose_runs_the_reminder_job_hourly_against_the_services_once_they_answer():
    """As `make run` does (`styr serve --remind-every 3600`): `styr remind` loops a pass an hour, calls each
    service where compose runs it (the ports the gateway is told in env.example), after the migration and
    once the services are healthy, publishes nothing and has no port for the image's health check to ask."""
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    job = compose["services"]["reminders"]
    assert job["command"][:2] == ["styr", "remind"]
    every = job["command"][job["command"].index("--every") + 1]
    assert float(every) == inspect.signature(cli_main.serve).parameters["remind_every"].default == 3600
    called = dict(re.findall(r"^GATEWAY_([A-Z]+)_URL=(http://[a-z]+:\d+)$", (DEPLOY / "env.example").read_text(), re.M))
    assert {name: job["environment"][f"REMINDERS_{name}_URL"] for name in called} == called
    assert set(called) == {s.upper() for s in SERVICES}
    for name in SERVICES:
        assert (
            job["environment"][f"REMINDERS_{name.upper()}_URL"]
            == f"http://{name}:{compose['services'][name]['environment'][PORT_VARIABLE]}"
        )
        assert job["depends_on"][name]["condition"] == "service_healthy"
    assert job["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert job["restart"] == "unless-stopped"
    assert job["healthcheck"] == {"disable": True}
    assert "ports" not in job
    assert "expose" not in job
    assert job["image"] == compose["services"]["goals"]["image"]
    RemindSettings.model_validate({k.removeprefix("REMINDERS_").lower(): v for k, v in job["environment"].items()})


def test_compose_serves_each_apps_metrics_on_the_manifests_port_to_the_other_containers_only():
    """As in Kubernetes: each app's `<APP>_METRICS_PORT` is set, the port declared (`expose`) for a
    Prometheus beside them, and never published to the host, where only the gateway's own port is."""
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    config = next(d for d in documents(DEPLOY / "k8s" / "config.yaml") if d["kind"] == "ConfigMap")["data"]
    for name in APPS:
        service = compose["services"][name]
        port = service["environment"][f"{name.upper()}_METRICS_PORT"]
        assert port == config[f"{name.upper()}_METRICS_PORT"], name
        assert int(port) != int(service["environment"][PORT_VARIABLE]), name
        assert service["expose"] == [port], name
        published = [p.split(":")[0] for p in service.get("ports", [])]
        assert port not in published, name


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


def test_the_image_health_check_asks_the_port_the_app_listens_on(tmp_path):
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert re.search(rf"^\s*{PORT_VARIABLE}=8000$", dockerfile, re.M), "the image sets a default port"
    (check,) = re.findall(r"^HEALTHCHECK .*? CMD (.+)$", dockerfile, re.M)
    port = _free_port()
    env = {
        **os.environ,
        PROFILE_VARIABLE: "development",
        PORT_VARIABLE: str(port),
        "GOALS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'goals.sqlite3'}",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "app", "goals", "--host", "127.0.0.1"], env=env)
    try:
        _wait_healthy("goals", port)
        assert subprocess.run(["sh", "-c", check], env=env, timeout=30).returncode == 0
        assert subprocess.run(["sh", "-c", check], env={**env, PORT_VARIABLE: str(_free_port())}).returncode != 0
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
    assert "gateway/reports/documents/templates/report.html.j2" in data_files
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


MONITORING = DEPLOY / "monitoring"
METRIC_NAME = re.compile(r"\bstyr_[a-z0-9_]+\b")


def _series_of(family) -> set[str]:
    """The names a family's samples are written under, as PromQL asks for them."""
    if family.type == "counter":
        return {f"{family.name}_total"}
    if family.type == "histogram":
        return {f"{family.name}{suffix}" for suffix in ("_bucket", "_count", "_sum")}
    return {family.name}


def exported_series() -> dict[str, set[str]]:
    """Each family the four apps export, by its name, with the series it is read by: from the registries the
    apps are built with, and the database pool's, which a service adds when its engine starts."""
    families = list(PoolCollector(None).describe())
    for name, factory in APPS.items():
        module, _, function = factory.partition(":")
        app = getattr(importlib.import_module(module), function)(configure_logs=False)
        assert app.state.observed.app_name == name
        families += list(app.state.observed.metrics.registry.collect())
    return {family.name: _series_of(family) for family in families}


def dashboard_queries() -> list[str]:
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]


def alert_rules() -> list[dict]:
    rules = yaml.safe_load((MONITORING / "prometheus-alerts.yaml").read_text())
    return [rule for group in rules["groups"] for rule in group["rules"]]


def test_the_dashboard_shows_every_metric_the_apps_export_and_asks_for_no_other(monkeypatch):
    monkeypatch.setenv("STYR_PROFILE", "development")
    exported = exported_series()
    every_series = set().union(*exported.values())
    asked = {name for query in dashboard_queries() for name in METRIC_NAME.findall(query)}
    assert asked - every_series == set()
    assert [family for family, series in exported.items() if not series & asked] == []


def test_the_alert_rules_ask_only_for_exported_metrics_and_cover_errors_latency_and_the_document_worker(monkeypatch):
    monkeypatch.setenv("STYR_PROFILE", "development")
    every_series = set().union(*exported_series().values())
    rules = alert_rules()
    for rule in rules:
        assert {"alert", "expr", "annotations"} <= set(rule), rule
        assert set(METRIC_NAME.findall(rule["expr"])) <= every_series, rule["alert"]
    asked = {name for rule in rules for name in METRIC_NAME.findall(rule["expr"])}
    assert {
        "styr_http_requests_total",
        "styr_http_request_duration_seconds_bucket",
        "styr_document_worker_resident_bytes",
        "styr_rate_limit_store_up",
    } <= asked


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian: prometheus) is not installed")
def test_promtool_accepts_the_alert_rules():
    checked = subprocess.run(
        ["promtool", "check", "rules", str(MONITORING / "prometheus-alerts.yaml")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_prometheus_reads_each_app_on_a_metrics_port_that_no_service_publishes():
    docs = all_documents()
    config = next(d for d in docs if d["kind"] == "ConfigMap")["data"]
    published = {d["metadata"]["name"]: d["spec"]["ports"] for d in docs if d["kind"] == "Service"}
    for deployment in (d for d in docs if d["kind"] == "Deployment"):
        name = deployment["metadata"]["name"]
        port = int(config[f"{name.upper()}_METRICS_PORT"])
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert (int(annotations["prometheus.io/port"]), annotations["prometheus.io/path"]) == (port, "/metrics")
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert {"name": "metrics", "containerPort": port} in container["ports"]
        assert all(p["targetPort"] != "metrics" and p["port"] != port for p in published[name]), name
        monitoring = [
            r
            for r in _rules(_labels(name), "ingress")
            if _allows_port(r, port)
            and r.get("ports") is not None
            and all(
                p.get("namespaceSelector", {}).get("matchLabels") == {"kubernetes.io/metadata.name": "monitoring"}
                for p in r.get("from", [{}])
            )
        ]
        assert monitoring, f"Prometheus cannot reach {name}'s metrics port"
    assert not _may_call("goals", "gateway", port)


def test_the_metrics_port_is_refused_with_more_than_one_worker(monkeypatch):
    monkeypatch.setattr(cli_main.uvicorn, "run", lambda app, **kwargs: pytest.fail("started"))
    monkeypatch.setenv("STYR_PROFILE", "development")
    monkeypatch.setenv("GATEWAY_METRICS_PORT", "9464")
    result = CliRunner().invoke(cli_main.app, ["app", "gateway", "--workers", "2"])
    assert result.exit_code == 2
    assert "metrics port needs one process" in result.output
