"""The access rule of each operation: declared next to its route, in one small vocabulary.

A rule is a list of grants, any one of which allows the call. It is published on the operation twice:
as a sentence (`x-access`) for people, and as structure (`x-access-rule`) for machines, so that a test
can compute what every caller should get from the document alone. `Rule.outcome` is the policy, said
once: a route's guard (shared/auth/guard.py) enforces it and publishes the same rule, and a model's
list filter is derived from it (tests/shared/test_routes_enforce_their_rules.py: no route checks by hand).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.auth.policy import READ_CHANGES_SCOPE, READ_DECIDED_SCOPE, Principal, PrincipalKind, RegionRole, UnitRole

COUNCIL = "the council"
BOARD = "the board"


class State(StrEnum):
    """When a grant holds, by the state of the record the operation touches."""

    always = "always"
    draft = "draft"
    decided = "decided"


_WHEN_WORDS = {State.always: "", State.draft: " while a draft", State.decided: " once decided"}


class GrantKind(StrEnum):
    signed_in = "signed_in"  # any role in the region, or the read:decided scope
    unit_role = "unit_role"  # a role on a unit named in words ("the goal's unit"), reaching down the tree
    region_role = "region_role"  # auditor, finance or admin
    board = "board"  # a role on the board: oversight of the whole region
    council = "council"  # a role on the council: reads the follow-up reported to it
    scope = "scope"  # an integration client's scope
    writer = "writer"  # any caller who may write somewhere; each row of the request is then checked
    gateway = "gateway"  # the gateway itself, acting for a caller it has checked
    # A person with any role, on what is theirs alone (their reminder settings): reading is enough, even to
    # change it, since it touches no one else's material; an integration or a caller with no role, never.
    own = "own"


class Outcome(StrEnum):
    allowed = "allowed"
    refused = "refused"  # 403
    hidden = "hidden"  # 404: a draft the caller may not read


@dataclass(frozen=True)
class Grant:
    kind: GrantKind
    role: str = ""  # reader|editor|registrar, auditor|finance|admin, or a scope
    unit: str = ""  # for unit roles: which unit, in words
    when: State = State.always
    not_auditor: bool = False  # the auditors never write the bodies' material, whatever else they hold

    def sentence(self) -> str:
        if self.kind is GrantKind.signed_in:
            text = f"any role (or {READ_DECIDED_SCOPE})"
        elif self.kind is GrantKind.unit_role:
            text = f"{self.role} on {self.unit}" + (" (never an auditor)" if self.not_auditor else "")
        elif self.kind is GrantKind.board:
            text = "the board"
        elif self.kind is GrantKind.council:
            text = "the council"
        elif self.kind is GrantKind.scope:
            text = f"the {self.role} scope"
        elif self.kind is GrantKind.writer:
            text = f"any caller who may write; each row needs {self.unit}"
        elif self.kind is GrantKind.gateway:
            text = f"only the gateway, for {self.unit}"
        elif self.kind is GrantKind.own:
            text = (
                f"the caller themself, a person with any role (reading is enough, also to change it), for {self.unit}"
            )
        else:
            text = self.role
        return text + _WHEN_WORDS[self.when]

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"grant": self.kind.value}
        if self.role:
            found["role"] = self.role
        if self.unit:
            found["unit"] = self.unit
        if self.when is not State.always:
            found["when"] = self.when.value
        if self.not_auditor:
            found["not_auditor"] = True
        return found

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Grant:
        return cls(
            kind=GrantKind(data["grant"]),
            role=data.get("role", ""),
            unit=data.get("unit", ""),
            when=State(data.get("when", State.always)),
            not_auditor=bool(data.get("not_auditor", False)),
        )

    def holds(self, principal: Principal, unit_code: Callable[[str], str], state: State | None) -> bool:
        if self.when is not State.always and self.when is not state:
            return False
        if self.kind is GrantKind.signed_in:
            return principal.reads_decided
        if self.kind is GrantKind.unit_role:
            if self.not_auditor and principal.has(RegionRole.auditor):
                return False
            role = principal.role_on(unit_code(self.unit))
            return role is not None and role >= UnitRole[self.role]
        if self.kind is GrantKind.region_role:
            return principal.has(RegionRole(self.role))
        if self.kind is GrantKind.board:
            return principal.oversight
        if self.kind is GrantKind.council:
            return principal.council
        if self.kind is GrantKind.writer:
            return principal.may_write
        if self.kind is GrantKind.gateway:
            return principal.kind is PrincipalKind.service
        if self.kind is GrantKind.own:
            return principal.kind is PrincipalKind.person and principal.reads_decided
        return self.role in principal.scopes


@dataclass(frozen=True)
class Rule:
    """Who may call an operation: any one of `grants`.

    `drafts_hidden_on` names the unit whose drafts the operation touches: a caller who may not read
    that unit's drafts gets 404 for a draft, as if it did not exist; for `internal` records (a unit's
    outcomes and forecasts) for every record. `note` says in words what the structure does not (e.g.
    which rows of a list a caller sees).
    """

    grants: tuple[Grant, ...]
    drafts_hidden_on: str = ""
    note: str = ""
    internal: bool = False  # never public: not only drafts, every record hides like one

    def __or__(self, other: Rule) -> Rule:
        return Rule(
            grants=self.grants + tuple(g for g in other.grants if g not in self.grants),
            drafts_hidden_on=self.drafts_hidden_on or other.drafts_hidden_on,
            note="; ".join(n for n in (self.note, other.note) if n),
            internal=self.internal or other.internal,
        )

    def hiding_drafts_of(self, unit: str) -> Rule:
        return Rule(self.grants, unit, self.note, self.internal)

    def hiding_records_of(self, unit: str) -> Rule:
        return Rule(self.grants, unit, self.note, internal=True)

    def noting(self, note: str) -> Rule:
        return Rule(self.grants, self.drafts_hidden_on, "; ".join(n for n in (self.note, note) if n), self.internal)

    def owned_by(self, principal: Principal) -> bool:
        """Whether an `own` grant lets the caller change this as theirs, whatever else they may do."""
        return any(g.kind is GrantKind.own and g.holds(principal, _no_unit, None) for g in self.grants)

    def sentence(self) -> str:
        text = ", or ".join(g.sentence() for g in self.grants)
        if self.drafts_hidden_on:
            what = "a record" if self.internal else "a draft"
            text += f"; {what} of {self.drafts_hidden_on} answers 404 to those who may not read its drafts"
        return f"{text}; {self.note}" if self.note else text

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"any_of": [g.as_json() for g in self.grants]}
        if self.drafts_hidden_on:
            found["drafts_hidden_on"] = self.drafts_hidden_on
        if self.internal:
            found["internal"] = True
        if self.note:
            found["note"] = self.note
        return found

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rule:
        return cls(
            grants=tuple(Grant.from_json(g) for g in data["any_of"]),
            drafts_hidden_on=data.get("drafts_hidden_on", ""),
            note=data.get("note", ""),
            internal=bool(data.get("internal", False)),
        )

    def outcome(
        self, principal: Principal, unit_code: Callable[[str], str], state: State | None, *, write: bool
    ) -> Outcome:
        """What the caller gets on a record in `state` (None: no record, or one without drafts).

        `unit_code` turns a unit named in words into a code. A caller who only reads is refused every
        write at the gateway before any record is looked at (README: Access), but for what is their own
        (an `own` grant that holds for them: their reminder settings).
        """
        if write and not principal.may_write and not self.owned_by(principal):
            return Outcome.refused
        hidden = (
            self.drafts_hidden_on
            and (state is State.draft or self.internal)
            and not principal.can_read(unit_code(self.drafts_hidden_on), decided=False)
        )
        if hidden:
            return Outcome.hidden
        if any(grant.holds(principal, unit_code, state) for grant in self.grants):
            return Outcome.allowed
        return Outcome.refused


def signed_in(when: State = State.always) -> Grant:
    return Grant(GrantKind.signed_in, when=when)


def unit_role(role: UnitRole, unit: str, when: State = State.always, *, not_auditor: bool = False) -> Grant:
    return Grant(GrantKind.unit_role, role=role.name, unit=unit, when=when, not_auditor=not_auditor)


def region_role(role: RegionRole) -> Grant:
    return Grant(GrantKind.region_role, role=role.value)


def scope(name: str) -> Grant:
    return Grant(GrantKind.scope, role=name)


def board() -> Grant:
    return Grant(GrantKind.board)


def council() -> Grant:
    return Grant(GrantKind.council)


def writer(each_row_needs: str) -> Grant:
    return Grant(GrantKind.writer, unit=each_row_needs)


def gateway_for(whom: str) -> Grant:
    return Grant(GrantKind.gateway, unit=whom)


def own(what: str) -> Grant:
    """The caller's own `what` (their reminder settings): any person with a role reads and changes it, a
    reader too; never an integration or a caller with no role. Only for records keyed by the caller."""
    return Grant(GrantKind.own, unit=what)


def _no_unit(words: str) -> str:
    raise LookupError(f"an own grant names no unit, yet {words!r} was asked for")


def rule(*grants: Grant, drafts_hidden_on: str = "", note: str = "") -> Rule:
    return Rule(grants=grants, drafts_hidden_on=drafts_hidden_on, note=note)


def editor(unit: str, when: State = State.always) -> Rule:
    return rule(unit_role(UnitRole.editor, unit, when))


def registrar(unit: str, when: State = State.always) -> Rule:
    return rule(unit_role(UnitRole.registrar, unit, when))


def follow_up_reader(unit: str) -> Rule:
    """A unit's internal material: a role on the unit (or above it), the board, auditor or finance."""
    return rule(
        unit_role(UnitRole.reader, unit), board(), region_role(RegionRole.auditor), region_role(RegionRole.finance)
    )


def read_record(unit: str) -> Rule:
    """Decided: any role. A draft: those who read the unit's follow-up; to others it is absent (404)."""
    return Rule(grants=(signed_in(State.decided), *follow_up_reader(unit).grants), drafts_hidden_on=unit)


def change_record(unit: str) -> Rule:
    """A draft: the unit's editors. Decided: only its registrar; a draft others may not read is absent."""
    return Rule(
        grants=(unit_role(UnitRole.editor, unit, State.draft), unit_role(UnitRole.registrar, unit, State.decided)),
        drafts_hidden_on=unit,
    )


ANY_ROLE = rule(signed_in())
ANY_ROLE_READABLE_DRAFTS = ANY_ROLE.noting("drafts only where the caller may read them")
ADMIN = rule(region_role(RegionRole.admin))
FINANCE = rule(region_role(RegionRole.finance))
AUDITOR = rule(region_role(RegionRole.auditor))
REGION_READER = rule(board(), region_role(RegionRole.auditor), region_role(RegionRole.finance))
# What the board and the committees report to the council, the council reads too (its members, any role).
REPORTED_TO_COUNCIL = rule(council())


def reported_follow_up(unit: str) -> Rule:
    """A unit's follow-up as the reports show it: those who read it internally, and the council."""
    return follow_up_reader(unit) | REPORTED_TO_COUNCIL


REGION_FOLLOW_UP = REGION_READER | REPORTED_TO_COUNCIL
READS_CHANGES = REGION_READER | rule(scope(READ_CHANGES_SCOPE))


def access(declared: Rule) -> dict[str, Any]:
    """Route keyword arguments that publish the rule as `x-access` (words) and `x-access-rule` (JSON)."""
    return {"openapi_extra": {"x-access": declared.sentence(), "x-access-rule": declared.as_json()}}
