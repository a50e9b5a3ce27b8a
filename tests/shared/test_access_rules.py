"""The access-rule vocabulary: its sentence, its JSON, and what it says a caller gets."""

from shared.auth.access import (
    ANY_ROLE,
    COUNCIL,
    FINANCE,
    Outcome,
    Rule,
    State,
    change_record,
    own,
    read_record,
    rule,
)
from shared.auth.policy import Principal, PrincipalKind, RegionRole, UnitRole

GOAL_UNIT = "the goal's unit"


def _on_hsn(words: str) -> str:
    return "RF" if words == COUNCIL else "HSN"


def _person(**unit_roles: UnitRole) -> Principal:
    return Principal("p", "P", unit_roles=unit_roles)


def test_a_rule_survives_its_json_and_reads_as_a_sentence():
    rule = read_record(GOAL_UNIT)
    assert Rule.from_json(rule.as_json()) == rule
    assert rule.sentence().startswith("any role (or read:decided) once decided, or reader on the goal's unit")
    assert "404" in rule.sentence()


def test_a_draft_is_hidden_from_those_who_may_not_read_it_and_refused_to_readers_who_may_not_change_it():
    rule = change_record(GOAL_UNIT)
    assert rule.outcome(_person(RUN=UnitRole.editor), _on_hsn, State.draft, write=True) is Outcome.hidden
    assert rule.outcome(_person(HSN=UnitRole.editor), _on_hsn, State.draft, write=True) is Outcome.allowed
    assert rule.outcome(_person(HSN=UnitRole.editor), _on_hsn, State.decided, write=True) is Outcome.refused
    assert rule.outcome(_person(HSN=UnitRole.registrar), _on_hsn, State.decided, write=True) is Outcome.allowed
    finance = Principal("f", "F", region_roles=frozenset({RegionRole.finance}))
    assert rule.outcome(finance, _on_hsn, State.draft, write=True) is Outcome.refused


def test_the_gateway_refuses_every_write_to_a_caller_who_only_reads():
    reader = _person(HSN=UnitRole.reader)
    client = Principal("c", "C", kind=PrincipalKind.client, scopes=frozenset({"read:decided"}))
    assert ANY_ROLE.outcome(reader, _on_hsn, None, write=False) is Outcome.allowed
    assert ANY_ROLE.outcome(reader, _on_hsn, None, write=True) is Outcome.refused
    assert ANY_ROLE.outcome(client, _on_hsn, None, write=True) is Outcome.refused
    assert FINANCE.outcome(reader, _on_hsn, None, write=False) is Outcome.refused


def test_a_person_who_only_reads_changes_what_is_their_own_and_nothing_else():
    mine = rule(own("their reminder settings"))
    reader = _person(RS=UnitRole.reader)
    client = Principal("c", "C", kind=PrincipalKind.client, scopes=frozenset({"read:decided", "write:measurements"}))
    nobody = Principal("n", "N")
    assert Rule.from_json(mine.as_json()) == mine
    assert "reading is enough" in mine.sentence()
    for write in (False, True):
        assert mine.outcome(reader, _on_hsn, None, write=write) is Outcome.allowed
        assert mine.outcome(client, _on_hsn, None, write=write) is Outcome.refused
        assert mine.outcome(nobody, _on_hsn, None, write=write) is Outcome.refused
    # Beside another grant, it lets the reader write only as theirs: the other grant is still the writers'.
    assert (mine | ANY_ROLE).owned_by(reader)
    assert not ANY_ROLE.owned_by(reader)
    assert ANY_ROLE.outcome(reader, _on_hsn, None, write=True) is Outcome.refused
