"""Every route's rule is declared once, by a guard, and enforced from it: no route body checks access.

A scan of services/*/routers/*.py. A route (a function under `@<router>.<method>(...)`) must name its
rule in a guard (`guard(RULE, load)` as a parameter, an alias of one, or in `dependencies=[...]`) and
must not check access by hand: no `require_*` / access `ensure_*` call, no use of the caller's roles
(`principal.<anything>`), no module helper handed the caller (a hand-written load-and-check).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROUTE_METHODS = {"get", "post", "put", "patch", "delete"}
# Existence and state checks of the domain, not access: another service's unit or goal, an open year.
NOT_ACCESS = {"ensure_unit_exists", "ensure_goals_exist", "ensure_year_open", "ensure_open", "ensure_draft"}


@dataclass(frozen=True)
class Route:
    file: str
    function: str
    guarded: bool
    checks: tuple[str, ...]  # the hand-written access checks in its body


def _calls_guard(node: ast.AST, aliases: set[str]) -> bool:
    for found in ast.walk(node):
        if isinstance(found, ast.Call) and isinstance(found.func, ast.Name) and found.func.id == "guard":
            return True
        if isinstance(found, ast.Name) and found.id in aliases:
            return True
    return False


def _guard_aliases(tree: ast.Module) -> set[str]:
    """Module names bound to `Annotated[..., guard(...)]`."""
    return {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign) and _calls_guard(node.value, set())
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _is_route(decorator: ast.expr) -> bool:
    return (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr in ROUTE_METHODS
    )


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _hand_checks(function: ast.AsyncFunctionDef, helpers: set[str]) -> list[str]:
    found = []
    for node in ast.walk(function):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "principal":
            found.append(f"principal.{node.attr}")
        if not isinstance(node, ast.Call):
            continue
        name = _callee(node)
        if name.startswith(("require_", "ensure_")) and name not in NOT_ACCESS:
            found.append(name)
        handed_the_caller = any(isinstance(a, ast.Name) and a.id == "principal" for a in ast.walk(node))
        if name in helpers and handed_the_caller:
            found.append(name)
    return found


def _routes(path: Path) -> list[Route]:
    tree = ast.parse(path.read_text(), filename=str(path))
    aliases = _guard_aliases(tree)
    helpers = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    relative = str(path.relative_to(ROOT))
    found = []
    for node in tree.body:
        if not isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef):
            continue
        decorators = [d for d in node.decorator_list if _is_route(d)]
        if not decorators or not isinstance(node, ast.AsyncFunctionDef):
            assert not decorators, f"{relative}:{node.name}: routes are async"
            continue
        guarded = any(_calls_guard(d, aliases) for d in decorators) or _calls_guard(node.args, aliases)
        checks = tuple(_hand_checks(node, helpers - {node.name}))
        found.append(Route(relative, node.name, guarded, checks))
    return found


def _all_routes() -> list[Route]:
    return [route for path in sorted(ROOT.glob("services/*/routers/*.py")) for route in _routes(path)]


def test_every_route_is_guarded_by_its_declared_rule_and_checks_nothing_by_hand():
    routes = _all_routes()
    assert len(routes) > 150, "the scan found the routers"  # against a vacuous pass
    wrong = [
        f"{r.file}:{r.function}: " + ("no guard" if not r.guarded else f"checks by hand: {', '.join(r.checks)}")
        for r in routes
        if not r.guarded or r.checks
    ]
    assert wrong == []


def test_the_scan_sees_a_hand_written_check(tmp_path):
    """The scan itself: a route that checks by hand, or has no guard, is found."""
    source = tmp_path / "routes.py"
    source.write_text(
        "@router.get('/x', **access(ANY_ROLE))\n"
        "async def hand(principal: CurrentPrincipal):\n"
        "    require_signed_in_reader(principal)\n"
        "    return principal.can_read('HSN', decided=False)\n"
        "@router.get('/y', dependencies=[guard(ANY_ROLE)])\n"
        "async def guarded(session: DbSession):\n"
        "    return await _load(session, principal)\n"
        "async def _load(session, principal):\n"
        "    return None\n"
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        hand, guarded = _routes(source)
    finally:
        ROOT = saved
    assert not hand.guarded
    assert hand.checks == ("require_signed_in_reader", "principal.can_read")
    assert guarded.guarded
    assert guarded.checks == ("_load",)
