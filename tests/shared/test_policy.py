"""The role policy: roles reach down the chain; the board reads all; the council's roles stay on the council."""

import pytest

from shared.auth.policy import OrgNode, Principal, RegionRole, UnitKind, UnitRole, expand_unit_roles, parse_role_claims

TREE = {
    "RF": OrgNode("RF", None, UnitKind.council),
    "RS": OrgNode("RS", "RF", UnitKind.board),
    "HSN": OrgNode("HSN", "RF", UnitKind.committee),
    "HSF": OrgNode("HSF", "HSN", UnitKind.administration),
    "PV": OrgNode("PV", "HSF", UnitKind.unit),
    "RUN": OrgNode("RUN", "RF", UnitKind.committee),
}


def _principal(*claims: str) -> Principal:
    unit_roles, region_roles = parse_role_claims(claims)
    expanded, oversight = expand_unit_roles(unit_roles, TREE)
    return Principal("p", "P", unit_roles=expanded, region_roles=region_roles, oversight=oversight)


def test_roles_reach_down_the_chain_but_not_up_or_sideways():
    editor = _principal("HSF:editor")
    assert editor.can_edit("HSF")
    assert editor.can_edit("PV")
    assert not editor.can_edit("HSN")
    assert not editor.can_edit("RUN")


def test_the_strongest_role_wins():
    p = _principal("HSN:reader", "HSF:registrar")
    assert p.role_on("HSN") is UnitRole.reader
    assert p.role_on("PV") is UnitRole.registrar


def test_registrar_includes_editor_includes_reader():
    p = _principal("HSN:registrar")
    assert p.can_register("PV")
    assert p.can_edit("PV")
    assert p.can_read("PV", decided=False)
    reader = _principal("HSN:reader")
    assert not reader.can_edit("HSN")
    assert not reader.can_register("HSN")


def test_the_board_reads_every_draft_but_edits_only_its_own():
    board = _principal("RS:reader")
    assert board.oversight
    assert board.can_read("PV", decided=False)
    assert not _principal("RS:editor").can_edit("HSN")


def test_a_council_role_covers_the_council_only():
    council = _principal("RF:editor")
    assert council.can_edit("RF")
    assert not council.can_edit("HSN")
    assert not council.can_read("HSN", decided=False)
    assert council.can_read("HSN", decided=True)


def test_drafts_need_a_role_on_the_unit_decided_material_any_role():
    run_reader = _principal("RUN:reader")
    assert not run_reader.can_read("HSN", decided=False)
    assert run_reader.can_read("HSN", decided=True)
    assert not Principal("nobody", "N").can_read("HSN", decided=True)


@pytest.mark.parametrize("role", [RegionRole.auditor, RegionRole.finance])
def test_auditors_and_finance_read_all_drafts_and_edit_no_unit(role):
    p = Principal("p", "P", region_roles=frozenset({role}))
    assert p.can_read("PV", decided=False)
    assert not p.can_edit("PV")


@pytest.mark.parametrize("claim", ["HSN:owner", "superuser", ":editor", "HSN:"])
def test_unknown_role_claims_are_errors(claim):
    with pytest.raises(ValueError, match="unknown role"):
        parse_role_claims([claim])
