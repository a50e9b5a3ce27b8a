"""Who may read and change what in the audit service; object-level, decided by the record's body.

The auditors are independent: they write reports, recommendations, verdicts and statements, and
nothing of the bodies'. The bodies write their responses, actions and internal control, and
nothing of the auditors'.
"""

from __future__ import annotations

from services.audit.models import Lifecycle
from shared.auth.access import AUDITOR, read_record, rule, unit_role
from shared.auth.policy import Principal, RegionRole, UnitRole
from shared.errors import Forbidden, Locked, NotFound

BODY = "the record's body"
AUDITOR_WRITES = AUDITOR
BODY_EDITS = rule(unit_role(UnitRole.editor, BODY, not_auditor=True))
BODY_REGISTERS = rule(unit_role(UnitRole.registrar, BODY, not_auditor=True))
READ_DECIDED = read_record(BODY)


def ensure_auditor(principal: Principal) -> None:
    """Only the auditors write (and change) the auditors' text."""
    if not principal.has(RegionRole.auditor):
        raise Forbidden("Only the auditors write this", required=str(RegionRole.auditor))


def ensure_body_editor(principal: Principal, body_code: str) -> None:
    """A body's editors write its material; an auditor never does, whatever other roles they hold."""
    if principal.has(RegionRole.auditor):
        raise Forbidden("The auditors review the bodies' material and do not write it", required=f"{body_code}:editor")
    if not principal.can_edit(body_code):
        raise Forbidden(f"Requires editor on {body_code}", required=f"{body_code}:editor")


def ensure_body_registrar(principal: Principal, body_code: str) -> None:
    if principal.has(RegionRole.auditor) or not principal.can_register(body_code):
        raise Forbidden(f"Recording a decision needs registrar on {body_code}", required=f"{body_code}:registrar")


def ensure_readable(principal: Principal, body_code: str, status: Lifecycle, what: str) -> None:
    """A draft the caller may not read answers 404, so that drafts do not leak their existence."""
    if not principal.can_read(body_code, decided=status is not Lifecycle.draft):
        raise NotFound(f"No {what} with that id")


def ensure_draft(status: Lifecycle, what: str) -> None:
    """Decided material is locked: the decided version is the public record."""
    if status is Lifecycle.decided:
        raise Locked(f"The {what} is decided and locked")
