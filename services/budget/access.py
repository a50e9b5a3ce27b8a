"""Who may read and change what in the budget service; object-level, decided by the record's unit."""

from __future__ import annotations

from shared.auth.access import ANY_ROLE, REGION_FOLLOW_UP, follow_up_reader, reported_follow_up
from shared.auth.deps import require_region_role
from shared.auth.policy import READ_DECIDED_SCOPE, Principal, RegionRole
from shared.errors import Forbidden, NotFound

PATH_UNIT = "the unit in the path"
FOLLOW_UP_READ = follow_up_reader(PATH_UNIT)
FOLLOWED_UP_UNITS = ANY_ROLE.noting("only the units the caller may follow up")
REGION_READ = REGION_FOLLOW_UP
# The economy read models are what the reports show, so the council reads them; outcomes and
# forecasts one by one stay with those who follow the unit up.
ECONOMY_READ = reported_follow_up(PATH_UNIT)


def ensure_draft_readable(principal: Principal, unit_code: str, *, decided: bool, what: str) -> None:
    """A draft the caller may not read answers 404, so that drafts do not leak their existence."""
    if not principal.can_read(unit_code, decided=decided):
        raise NotFound(f"No {what} with that id")


def ensure_follow_up_reader(principal: Principal, unit_code: str) -> None:
    """The economy follow-up of a unit is internal: a role on the unit, the board, auditor or finance."""
    if not principal.can_read(unit_code, decided=False):
        raise Forbidden(
            f"Requires a role on {unit_code}, the board, auditor or finance", required=f"{unit_code}:reader"
        )


def ensure_economy_reader(principal: Principal, unit_code: str) -> None:
    """A unit's economy as reported: the unit's follow-up readers, and the council."""
    if not principal.reads_follow_up_of(unit_code):
        raise Forbidden(
            f"Requires a role on {unit_code}, the board, the council, auditor or finance",
            required=f"{unit_code}:reader",
        )


def ensure_region_reader(principal: Principal) -> None:
    if not principal.reads_all_drafts:
        raise Forbidden("Requires a role on the board, auditor or finance", required="RS:reader|auditor|finance")


def ensure_region_follow_up_reader(principal: Principal) -> None:
    """The region's economy as reported: the board, auditor, finance, and the council."""
    if not principal.reads_region_follow_up:
        raise Forbidden(
            "Requires a role on the board or the council, auditor or finance", required="RS:reader|auditor|finance"
        )


def ensure_finance(principal: Principal) -> None:
    require_region_role(principal, RegionRole.finance)


def ensure_forecaster(principal: Principal, unit_code: str) -> None:
    """Forecasts are the unit's own follow-up: written by its editors."""
    if not principal.can_edit(unit_code):
        raise Forbidden(f"Requires editor on {unit_code}", required=f"{unit_code}:editor")


def ensure_finance_or_editor(principal: Principal, unit_code: str) -> None:
    """Investments and grants: the finance office, or an editor of the owning unit."""
    if principal.has(RegionRole.finance) or principal.can_edit(unit_code):
        return
    raise Forbidden(f"Requires finance or editor on {unit_code}", required=f"finance|{unit_code}:editor")


WRITE_OUTCOMES_SCOPE = "write:outcomes"


def ensure_outcome_importer(principal: Principal) -> None:
    """Ledger outcomes come in from the finance office, or from an integration allowed to write them."""
    if not (principal.has(RegionRole.finance) or WRITE_OUTCOMES_SCOPE in principal.scopes):
        raise Forbidden(f"Requires finance or the {WRITE_OUTCOMES_SCOPE} scope", required="finance")
    if not principal.reads_decided:
        # Unit codes are checked with the goals service as this caller, which shows units only to readers.
        message = f"An integration client needs {READ_DECIDED_SCOPE} with {WRITE_OUTCOMES_SCOPE}"
        raise Forbidden(message, required=READ_DECIDED_SCOPE)
