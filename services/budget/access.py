"""Who may read and change what in the budget service; object-level, decided by the record's unit.

The routes enforce these rules through their guards (shared/auth/guard.py); the lists show the rows
the same read rules allow, through one Visibility filter per model.
"""

from __future__ import annotations

from services.budget.models import BudgetDialogue, BudgetNeed, Forecast, ForecastProposal, OperatingFrame, Outcome
from shared.auth.access import (
    ANY_ROLE,
    COUNCIL,
    FINANCE,
    REGION_FOLLOW_UP,
    REGION_READER,
    editor,
    follow_up_reader,
    read_record,
    region_role,
    registrar,
    reported_follow_up,
    rule,
    scope,
    unit_role,
)
from shared.auth.guard import Visibility
from shared.auth.policy import READ_DECIDED_SCOPE, RegionRole, UnitRole

PATH_UNIT = "the unit in the path"
FOLLOW_UP_READ = follow_up_reader(PATH_UNIT)
FOLLOWED_UP_UNITS = ANY_ROLE.noting("only the units the caller may follow up")
REGION_READ = REGION_FOLLOW_UP
# The economy read models are what the reports show, so the council reads them; outcomes and
# forecasts one by one stay with those who follow the unit up.
ECONOMY_READ = reported_follow_up(PATH_UNIT)

# A proposal is a draft.
FRAME_UNIT = "the frame's unit"
FRAME_READ = read_record(FRAME_UNIT)

# A unit's outcomes and forecasts are its internal follow-up: to others they are absent.
OUTCOME_UNIT = "the outcome's unit"
FORECAST_UNIT = "the forecast's unit"
OUTCOME_READ = follow_up_reader(OUTCOME_UNIT).hiding_records_of(OUTCOME_UNIT)
FORECAST_READ = follow_up_reader(FORECAST_UNIT).hiding_records_of(FORECAST_UNIT)
# Forecasts are the unit's own follow-up: written by its editors.
FORECAST_WRITES = editor(FORECAST_UNIT)
FORECAST_CHANGES = FORECAST_WRITES.hiding_records_of(FORECAST_UNIT)

# Investments and grants: the finance office, or an editor of the owning unit.
GRANT_UNIT = "the grant's coordinating unit"
GRANT_WRITES = rule(region_role(RegionRole.finance), unit_role(UnitRole.editor, GRANT_UNIT))
PROJECT_UNIT = "the project's owner unit"
PROJECT_WRITES = rule(region_role(RegionRole.finance), unit_role(UnitRole.editor, PROJECT_UNIT))

# Ledger outcomes come in from the finance office, or from an integration allowed to write them.
WRITE_OUTCOMES_SCOPE = "write:outcomes"
IMPORT_OUTCOMES = rule(region_role(RegionRole.finance), scope(WRITE_OUTCOMES_SCOPE)).noting(
    f"an integration also needs {READ_DECIDED_SCOPE}"
)

# Scenarios on the resource calculation are the budget's preparation: finance builds them, the board, the
# auditors and the council (whose decision they prepare) read them; the council's registrar records the
# council's adoption of one, as the council's other decisions (its plans) are recorded.
SCENARIO_READ = REGION_FOLLOW_UP
SCENARIO_WRITES = FINANCE
COUNCIL_DECIDES = registrar(COUNCIL)
# The fees the council set are public record.
FEE_READ = ANY_ROLE

# A committee's needs and its budget dialogues are its planning material: read as its follow-up is, the
# needs submitted by its editors for their own unit only, answered by finance, who prepares the board's frame
# proposal they end up in; a dialogue recorded by finance or by the committee's editors.
NEED_UNIT = "the need's unit"
NEED_READ = follow_up_reader(NEED_UNIT).hiding_records_of(NEED_UNIT)
NEED_SUBMIT = editor(NEED_UNIT)
NEED_CHANGE = editor(NEED_UNIT).hiding_records_of(NEED_UNIT)
NEED_ANSWER = FINANCE
DIALOGUE_UNIT = "the dialogue's committee"
DIALOGUE_READ = follow_up_reader(DIALOGUE_UNIT).hiding_records_of(DIALOGUE_UNIT)
DIALOGUE_WRITES = rule(region_role(RegionRole.finance), unit_role(UnitRole.editor, DIALOGUE_UNIT))
DIALOGUE_CHANGE = DIALOGUE_WRITES.hiding_records_of(DIALOGUE_UNIT)

# The plan period as it stands shows frame proposals and needs, the units' planning material: read as their
# follow-up is, the region's as the region's is. The reports show it as decided by their period's end, and the
# council reads the reports whole: the council reads the plan period too, always as decided, without them.
PLANNING_MATERIAL = FOLLOW_UP_READ
REGION_PLANNING_MATERIAL = REGION_READER
AS_DECIDED_TO_THE_COUNCIL = "the council reads what was decided (as at today, or `as_of`): no proposals, no needs"
PLAN_PERIOD_READ = reported_follow_up(PATH_UNIT).noting(AS_DECIDED_TO_THE_COUNCIL)
REGION_PLAN_PERIOD_READ = REGION_FOLLOW_UP.noting(AS_DECIDED_TO_THE_COUNCIL)

FRAMES_SEEN = Visibility(
    FRAME_READ, unit=OperatingFrame.unit_code, status=OperatingFrame.status, drafts=OperatingFrame.__draft_states__
)
OUTCOMES_SEEN = Visibility(OUTCOME_READ, unit=Outcome.unit_code)
FORECASTS_SEEN = Visibility(FORECAST_READ, unit=Forecast.unit_code)
NEEDS_SEEN = Visibility(NEED_READ, unit=BudgetNeed.unit_code)
DIALOGUES_SEEN = Visibility(DIALOGUE_READ, unit=BudgetDialogue.unit_code)
PROPOSALS_SEEN = Visibility(FORECAST_READ, unit=ForecastProposal.unit_code)
