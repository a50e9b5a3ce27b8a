"""Each route's access rule, declared once on the route and enforced from that declaration.

A route names its rule and the record its path names in one dependency, `guard(RULE, load)`:

    async def get_response(answer: Annotated[RecommendationResponse, guard(READ_DECIDED, a_response)]) -> ...

The loader is an ordinary dependency (path parameters, a session) that returns the record `Found` with
what the rule asks of it: its units by the rule's words ("the record's body") and its state. The guard
evaluates `Rule.outcome`, the one statement of the policy, and answers 404 for a draft the caller may
not read, 403 naming a grant that would have allowed the call, or hands the record to the route, so
the body neither loads it again nor checks anything. `GuardedRoute` publishes the same rule as
`x-access` and `x-access-rule`, and refuses to build a route that declares no rule, or two; the
declaration that enforces is the one that is published.

`Visibility` turns a model's read rule into the one SQL filter every list, read and export of the
model starts from, by asking `Rule.outcome` about each unit the caller holds a role on, and any other.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Awaitable, Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy import ColumnElement, Select, and_, false, or_, true
from sqlalchemy.sql.elements import True_

from shared.auth.access import Grant, GrantKind, Outcome, Rule, State, access
from shared.auth.deps import current_principal
from shared.auth.policy import Principal, PrincipalKind
from shared.errors import Forbidden, NotFound

T = TypeVar("T")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Stands for every unit the caller holds no role on: the policy treats them all alike.
_ANY_OTHER_UNIT = "\x00any other unit"
_WHAT_A_RECORD_CAN_BE = (None, State.draft, State.decided)


@dataclass(frozen=True)
class Found(Generic[T]):
    """A record a request names, with what an access rule asks of it.

    `what` names it in a 404 ("response"), worded as its loader words an absent one, so that a hidden
    draft and a missing id answer alike. `units` gives a unit code for each of the rule's words.
    """

    record: T
    what: str
    units: Mapping[str, str] = field(default_factory=dict)
    state: State | None = None

    def unit_code(self, words: str) -> str:
        try:
            return self.units[words]
        except KeyError:
            raise LookupError(f"the {self.what}'s loader names no unit for {words!r}") from None


Loader = Callable[..., Awaitable[Found[Any]]]


def state_of(record: Any) -> State | None:
    """A record's own state, from its model's `__draft_states__`; None for material that has no drafts."""
    drafts: frozenset[str] = getattr(type(record), "__draft_states__", frozenset())
    if not drafts:
        return None
    status = getattr(record.status, "value", record.status)
    return State.draft if status in drafts else State.decided


def unit_words(declared: Rule) -> set[str]:
    """The units a rule names in words, which a loader must give codes for."""
    words = {g.unit for g in declared.grants if g.kind is GrantKind.unit_role}
    return words | ({declared.drafts_hidden_on} if declared.drafts_hidden_on else set())


def _unit_cases(principal: Principal, words: set[str]) -> Iterator[Callable[[str], str]]:
    """Every way the rule's units can stand to this caller: each unit they hold a role on, or any other."""
    codes = [*principal.unit_roles, _ANY_OTHER_UNIT]
    ordered = sorted(words)
    for picked in itertools.product(codes, repeat=len(ordered)):
        yield dict(zip(ordered, picked, strict=True)).__getitem__


def _outcomes(declared: Rule, principal: Principal, *, write: bool) -> Iterator[Outcome]:
    return (
        declared.outcome(principal, unit_code, state, write=write)
        for unit_code in _unit_cases(principal, unit_words(declared))
        for state in _WHAT_A_RECORD_CAN_BE
    )


def refused_whatever_the_record(declared: Rule, principal: Principal, *, write: bool) -> bool:
    """Whether `Rule.outcome` refuses this caller on every record the rule could meet."""
    return all(outcome is Outcome.refused for outcome in _outcomes(declared, principal, write=write))


def reads_nothing_here(declared: Rule, principal: Principal) -> bool:
    """Internal material (a unit's outcomes) hides every record from those who may not read it, but a caller
    with no role whom no record could admit is refused (README: Access), as before the record is looked at.
    A draft, by contrast, answers such a caller 404 like a missing id (tests/audit/test_access_rules.py)."""
    if not declared.internal or principal.reads_decided:
        return False
    return all(outcome is not Outcome.allowed for outcome in _outcomes(declared, principal, write=False))


def _name(grant: Grant, unit_code: Callable[[str], str]) -> str:
    """A grant as a refusal's `required` names it (README: Access)."""
    if grant.kind is GrantKind.unit_role:
        return f"{unit_code(grant.unit)}:{grant.role}"
    if grant.kind in (GrantKind.region_role, GrantKind.scope):
        return grant.role
    if grant.kind is GrantKind.signed_in:
        return "any role"
    if grant.kind is GrantKind.board:
        return "the board"
    if grant.kind is GrantKind.council:
        return "the council"
    if grant.kind is GrantKind.gateway:
        return f"the gateway, for {grant.unit}"
    if grant.kind is GrantKind.own:
        return "a person with any role"
    return f"editor or registrar on a unit; each row needs {grant.unit}"


def refusal(
    declared: Rule, unit_code: Callable[[str], str], state: State | None, principal: Principal | None = None
) -> Forbidden:
    """403 naming a grant that would have allowed the call on a record in `state`: the first that holds
    in that state and that this kind of caller can be given (a scope for an integration, a role for a
    person), the board and the council last, since they name no unit of the record."""
    fitting = [g for g in declared.grants if g.when is State.always or g.when is state] or list(declared.grants)
    client = principal is not None and principal.kind is PrincipalKind.client
    fitting.sort(
        key=lambda g: ((g.kind is GrantKind.scope) is not client, g.kind in (GrantKind.board, GrantKind.council))
    )
    required = _name(fitting[0], unit_code)
    return Forbidden(f"Requires {required}", required=required)


def _no_units(words: str) -> str:
    raise LookupError(f"a rule naming {words!r} needs a loader for the record")


class Guard:
    """A route's rule and the loader of the record its path names, as one FastAPI dependency."""

    def __init__(self, declared: Rule, load: Loader | None = None) -> None:
        if load is None and unit_words(declared):
            raise TypeError(f"the rule {declared.sentence()!r} names units: give it a loader")
        self.rule = declared
        self.load = load
        # FastAPI reads a dependency's parameters from its signature; they depend on the loader. The
        # first check runs before the loader, so a caller no record could admit never costs a query.
        parameters = [
            inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request),
            inspect.Parameter(
                "principal",
                inspect.Parameter.KEYWORD_ONLY,
                annotation=Annotated[Principal, Depends(self._admissible)],
            ),
        ]
        if load is not None:
            parameters.append(
                inspect.Parameter("found", inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[Any, Depends(load)])
            )
        self.__signature__ = inspect.Signature(parameters)

    async def _admissible(
        self, request: Request, principal: Annotated[Principal, Depends(current_principal)]
    ) -> Principal:
        write = request.method not in SAFE_METHODS
        if not write and reads_nothing_here(self.rule, principal):
            raise Forbidden("Requires a role in the region, or the read:decided scope", required="any role")
        # A refusal that must name the record's unit waits for the record; the others need none.
        names_units = any(g.kind is GrantKind.unit_role for g in self.rule.grants)
        if not (names_units and self.load) and refused_whatever_the_record(self.rule, principal, write=write):
            raise refusal(self.rule, _no_units, None, principal)
        return principal

    async def __call__(self, *, request: Request, principal: Principal, found: Found[Any] | None = None) -> Any:
        write = request.method not in SAFE_METHODS
        unit_code = found.unit_code if found is not None else _no_units
        state = found.state if found is not None else None
        outcome = self.rule.outcome(principal, unit_code, state, write=write)
        if outcome is Outcome.hidden:
            raise NotFound(f"No {found.what if found else 'record'} with that id")
        if outcome is Outcome.refused:
            raise refusal(self.rule, unit_code, state, principal)
        return found.record if found is not None else None


def guard(declared: Rule, load: Loader | None = None) -> Any:
    """The route's access rule, enforced on the record `load` finds (or on none) and published by
    `GuardedRoute`: use it as the record's parameter, or in `dependencies=[...]` of a route without one."""
    return Depends(Guard(declared, load))


def reads_drafts(declared: Rule, principal: Principal, found: Found[Any]) -> bool:
    """Whether the rule lets the caller read the record as a draft: else its history shows only what was public."""
    return declared.outcome(principal, found.unit_code, State.draft, write=False) is Outcome.allowed


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _dependencies(sub)


class GuardedRoute(APIRoute):
    """A route whose access rule is the one its guard enforces: published from it, declared exactly once."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        rules = {d.call.rule for d in _dependencies(self.dependant) if isinstance(d.call, Guard)}
        extra = dict(self.openapi_extra or {})
        published = extra.get("x-access-rule")
        if len(rules) > 1:
            raise TypeError(f"{path}: one access rule per route, not {len(rules)}")
        if not rules:
            raise TypeError(f"{path}: the route declares no access rule (give it a guard)")
        (declared,) = rules
        if published is not None and published != declared.as_json():
            raise TypeError(f"{path}: the rule is declared by its guard; do not publish another with access()")
        extra.update(access(declared)["openapi_extra"])
        self.openapi_extra = extra


_MAX_NARROWED = 4096
SelectT = TypeVar("SelectT", bound=Select[Any])


def _roles_of(principal: Principal) -> Hashable:
    """All of a caller that a read rule can ask about (not who they are): callers alike in it see the same rows."""
    roles = frozenset(principal.unit_roles.items())
    return principal.kind, roles, principal.region_roles, principal.scopes, principal.oversight, principal.council


@dataclass(frozen=True)
class Visibility:
    """Which rows of a model a caller may see: those the model's read rule allows, as one SQL filter.

    `unit` is the column holding the code of the rule's one unit; `status` and `drafts` say which rows are
    drafts (none, for material that has none). Every list, read and export of the model starts from it.
    """

    rule: Rule
    unit: Any
    status: Any = None
    drafts: frozenset[str] = frozenset()
    # The statements narrow() made, by statement and what of the caller the filter depends on.
    _narrowed: dict[tuple[Any, Hashable], Any] = field(default_factory=dict, compare=False, repr=False)

    def narrow(self, stmt: SelectT, principal: Principal) -> SelectT:
        """`stmt` (a list's statement, built once) with the rows the caller may see: built once for each shape of
        roles, so SQLAlchemy finds its compiled form by the statement's memoised key instead of walking a new
        statement on every request (a millisecond or more for a list's joins and columns)."""
        key = (stmt, _roles_of(principal))
        narrowed = self._narrowed.get(key)
        if narrowed is None:
            if len(self._narrowed) >= _MAX_NARROWED:  # bounded: as many shapes as the callers' role sets
                self._narrowed.clear()
            narrowed = self._narrowed[key] = stmt.where(self.where(principal))
        return narrowed

    def where(self, principal: Principal) -> ColumnElement[bool]:
        words = unit_words(self.rule)
        if len(words) > 1:
            raise TypeError(f"a visibility filter follows one unit; the rule names {sorted(words)}")
        held = list(principal.unit_roles)
        cases: list[tuple[State | None, ColumnElement[bool]]] = (
            [(State.draft, self.status.in_(self.drafts)), (State.decided, self.status.not_in(self.drafts))]
            if self.drafts
            else [(None, true())]
        )
        seen = [(in_state, self._units_seen(principal, held, state)) for state, in_state in cases]
        if all(isinstance(units, True_) for _, units in seen):
            # One who reads every unit's drafts and decided records sees every row: no filter for the database
            # to evaluate on each (an indicator's state is two subqueries), the same rows.
            return true()
        return or_(*(and_(in_state, units) for in_state, units in seen))

    def _units_seen(self, principal: Principal, held: list[str], state: State | None) -> ColumnElement[bool]:
        def allowed(code: str) -> bool:
            return self.rule.outcome(principal, lambda _: code, state, write=False) is Outcome.allowed

        seen = [code for code in held if allowed(code)]
        if not allowed(_ANY_OTHER_UNIT):
            return self.unit.in_(seen) if seen else false()
        unseen = [code for code in held if code not in seen]
        return self.unit.not_in(unseen) if unseen else true()
