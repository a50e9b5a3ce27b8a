"""The role policy of the region, in one place: the gateway and every service apply these rules.

Roles are held per org unit and reach down the chain (an HSN editor edits HSN's administration too);
the board reads everything (oversight); decided material is public record, drafts are not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import IntEnum, StrEnum


class UnitRole(IntEnum):
    """Roles on an org unit, each including the one below it."""

    reader = 1
    editor = 2
    registrar = 3


class RegionRole(StrEnum):
    auditor = "auditor"
    finance = "finance"
    admin = "admin"


class PrincipalKind(StrEnum):
    person = "person"
    client = "client"  # an integration with narrow scopes and no personal roles
    service = "service"  # the gateway itself, e.g. reading the org tree


class UnitKind(StrEnum):
    council = "council"
    board = "board"
    committee = "committee"
    joint_committee = "joint_committee"
    administration = "administration"
    unit = "unit"
    company = "company"


READ_DECIDED_SCOPE = "read:decided"
READ_CHANGES_SCOPE = "read:changes"
WRITE_SCOPE_PREFIX = "write:"


@dataclass(frozen=True)
class OrgNode:
    code: str
    parent: str | None
    kind: UnitKind


def parse_role_claims(claims: Iterable[str]) -> tuple[dict[str, UnitRole], frozenset[RegionRole]]:
    """`HSN:editor` style unit roles and bare region roles; anything else is an error."""
    unit_roles: dict[str, UnitRole] = {}
    region_roles: set[RegionRole] = set()
    for claim in claims:
        if ":" in claim:
            code, _, role = claim.partition(":")
            if not code or role not in UnitRole.__members__:
                raise ValueError(f"unknown role {claim!r}")
            level = UnitRole[role]
            unit_roles[code] = max(level, unit_roles.get(code, level))
        elif claim in RegionRole.__members__:
            region_roles.add(RegionRole(claim))
        else:
            raise ValueError(f"unknown role {claim!r}")
    return unit_roles, frozenset(region_roles)


def _ancestors_or_self(code: str, tree: Mapping[str, OrgNode]) -> list[str]:
    chain: list[str] = []
    seen: set[str] = set()
    current: str | None = code
    while current is not None and current in tree and current not in seen:
        chain.append(current)
        seen.add(current)
        current = tree[current].parent
    return chain


def expand_unit_roles(direct: Mapping[str, UnitRole], tree: Mapping[str, OrgNode]) -> tuple[dict[str, UnitRole], bool]:
    """Each unit's effective role, reaching down the tree; and whether the caller sits on the board.

    A role on the council covers the council's own material only: council members read the
    committees' decided material like everyone else, but not their drafts.
    """
    effective: dict[str, UnitRole] = dict(direct)
    for code in tree:
        for holder in _ancestors_or_self(code, tree):
            if holder in direct and (holder == code or tree[holder].kind is not UnitKind.council):
                effective[code] = max(direct[holder], effective.get(code, direct[holder]))
    oversight = any(code in tree and tree[code].kind is UnitKind.board for code in direct)
    return effective, oversight


def sits_on_council(direct: Mapping[str, UnitRole], tree: Mapping[str, OrgNode]) -> bool:
    """Whether any role is held directly on the council: its members read what is reported to it."""
    return any(code in tree and tree[code].kind is UnitKind.council for code in direct)


def with_roles_expanded(principal: Principal, tree: Mapping[str, OrgNode]) -> Principal:
    """The caller as the policy sees it: unit roles reaching down the tree, the board's oversight, the council."""
    expanded, oversight = expand_unit_roles(principal.unit_roles, tree)
    return replace(
        principal, unit_roles=expanded, oversight=oversight, council=sits_on_council(principal.unit_roles, tree)
    )


@dataclass(frozen=True)
class Principal:
    """Who is calling, with roles already expanded down the org tree."""

    subject: str
    name: str
    kind: PrincipalKind = PrincipalKind.person
    unit_roles: Mapping[str, UnitRole] = field(default_factory=dict)
    region_roles: frozenset[RegionRole] = frozenset()
    scopes: frozenset[str] = frozenset()
    oversight: bool = False
    # A member of the council (any role on it) reads the follow-up reported to the council: the
    # economy of the region and of every unit as the reports show it, never a unit's drafts.
    council: bool = False

    def has(self, role: RegionRole) -> bool:
        return role in self.region_roles

    def role_on(self, unit: str) -> UnitRole | None:
        return self.unit_roles.get(unit)

    @property
    def has_any_role(self) -> bool:
        return bool(self.unit_roles or self.region_roles or self.scopes)

    @property
    def reads_decided(self) -> bool:
        return bool(self.unit_roles or self.region_roles or READ_DECIDED_SCOPE in self.scopes)

    @property
    def may_write(self) -> bool:
        """Whether any write could be allowed: an editor role somewhere, a region role, or a write scope.

        A caller who only reads is refused every write at the gateway; the services then check each
        record the others touch.
        """
        return (
            any(role >= UnitRole.editor for role in self.unit_roles.values())
            or bool(self.region_roles)
            or any(scope.startswith(WRITE_SCOPE_PREFIX) for scope in self.scopes)
        )

    @property
    def reads_all_drafts(self) -> bool:
        """The board (oversight), the auditors and the finance office read every unit's drafts."""
        return self.oversight or self.has(RegionRole.auditor) or self.has(RegionRole.finance)

    def can_read(self, unit: str, *, decided: bool) -> bool:
        if decided and self.reads_decided:
            return True
        return self.reads_all_drafts or self.role_on(unit) is not None

    def can_edit(self, unit: str) -> bool:
        role = self.role_on(unit)
        return role is not None and role >= UnitRole.editor

    def can_register(self, unit: str) -> bool:
        role = self.role_on(unit)
        return role is not None and role >= UnitRole.registrar
