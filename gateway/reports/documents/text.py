"""The words and numbers of the report documents: labels in Swedish and English, Swedish number formats.

Money is shown in tkr or mnkr, computed from the exact amounts the services answer and rounded only
for display; percentages with one decimal; a space between thousands and a decimal comma. This is the
only copy of the labels and the number formats: the model, the charts and every format use it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

NBSP_THIN = "\u202f"
DASH = "–"


class MoneyScale(StrEnum):
    tkr = "tkr"
    mnkr = "mnkr"


class Language(StrEnum):
    sv = "sv"
    en = "en"


# The language tag a document declares (Word's w:lang, the PDF's /Lang, the HTML's lang).
LANGUAGE_TAGS = {Language.sv: "sv-SE", Language.en: "en-GB"}
SCALES = {MoneyScale.tkr: Decimal(1_000), MoneyScale.mnkr: Decimal(1_000_000)}

LABELS: dict[Language, dict[str, str]] = {
    Language.sv: {
        "interim.T1": "Delårsrapport 1",
        "interim.T2": "Delårsrapport 2",
        "annual.year": "Årsredovisning",
        "period.interim.T1": "januari–april {year}",
        "period.interim.T2": "januari–augusti {year}",
        "period.annual.year": "januari–december {year}",
        "region": "Regionen",
        "draft": "Utkast: uppgifter saknas",
        "as_of": "Per",
        "generated": "sammanställd",
        "completed": "Fastställd {at} av {by}",
        "contents": "Innehåll",
        "contents_hint": "Högerklicka och välj Uppdatera fält för att visa innehållsförteckningen.",
        "page": "Sida",
        "page_of": "av",
        "no_data": "Inga uppgifter för perioden",
        "no_data.goals.fulfilment": "Inga mål följs upp för året.",
        "no_data.economy.economy": "Inga ramar eller utfall för året.",
        "no_data.economy.accounts": "Inga bokförda utfall för året: räkenskaperna kan inte redovisas.",
        "no_data.goals.report_to_council": "Inget mål bedöms inte nås.",
        "no_data.audit.overview": "Inget revisionsmaterial vid periodens slut.",
        "summary": "Sammanfattning",
        "summary.goals": "Av {total} mål är {green} uppfyllda, {yellow} delvis uppfyllda, {red} inte uppfyllda "
        "och {grey} inte mätta.",
        "summary.goals.t1": "Delårsrapport 1 följer upp medarbetarperspektivets mål.",
        "summary.council": "{count} mål bedöms inte nås och rapporteras till fullmäktige.",
        "summary.below_target": "Prognosen för årets resultat, {forecast}, är {gap} under resultatmålet {target}.",
        "summary.meets_target": "Prognosen för årets resultat, {forecast}, når resultatmålet {target}.",
        "summary.balance_met": "Balanskravet uppfylls enligt prognosen.",
        "summary.balance_not_met": "Balanskravet uppfylls inte enligt prognosen.",
        "summary.accounts_result": "Årets resultat enligt räkenskaperna är {result}; resultatmålet {target} är {met}.",
        "summary.accounts_balance": "Balanskravsresultatet är {result}; balanskravet är {met}.",
        "summary.flagged": "Avviker från ramen med mer än tröskeln {threshold}: {units}.",
        "summary.unit_flagged": "Prognosen avviker från ramen med mer än tröskeln {threshold}: {deviation}.",
        "summary.remarks": "Revisorerna riktade anmärkning mot {bodies}.",
        "summary.control": "Den interna kontrollen bedömdes inte tillräcklig i {bodies}.",
        "met": "nått",
        "not_met": "inte nått",
        "fulfilled": "uppfyllt",
        "not_fulfilled": "inte uppfyllt",
        "key_figures": "Nyckeltal",
        "figure_label": "Nyckeltal",
        "value": "Värde",
        "fulfilment": "Måluppfyllelse",
        "unit": "Enhet",
        "perspective": "Perspektiv",
        "perspectives": "Mål per perspektiv",
        "green": "Uppfyllt",
        "yellow": "Delvis uppfyllt",
        "red": "Ej uppfyllt",
        "grey": "Ej mätt",
        "total": "Totalt",
        "goals": "Mål",
        "goal": "Mål",
        "quality": "Målens kvalitet",
        "measurable_share": "Andel mätbara mål",
        "measurable": "Mätbara",
        "share": "Andel",
        "financial_goals": "Finansiella mål",
        "orphans": "Mål utan koppling uppåt",
        "orphans_count": "Utan koppling",
        "report_to_council": "Mål som inte bedöms nås (rapporteras till fullmäktige)",
        "report_to_council_short": "Rapporteras till fullmäktige",
        "chain.region": "Fullmäktiges mål och indikatorer",
        "chain.unit": "Målkedjan",
        "plan": "Plan",
        "vision": "Vision",
        "strategy": "Strategi",
        "indicator": "Indikator",
        "baseline": "Utgångsvärde",
        "latest": "Senaste värde",
        "target": "Målvärde",
        "trend": "Trend",
        "assessment": "Bedömning",
        "goal_indicators": "Målens indikatorer",
        "unlinked_goals": "Mål utan strategi",
        "trend.improving": "förbättras",
        "trend.worsening": "försämras",
        "trend.unchanged": "oförändrad",
        "assignments": "Uppdrag",
        "assignment": "Uppdrag",
        "issuer_assignee": "Från → till",
        "deadline": "Senast",
        "status": "Status",
        "latest_follow_up": "Senaste uppföljning",
        "overdue": "försenat",
        "status.not_started": "Ej påbörjat",
        "status.in_progress": "Pågår",
        "status.done": "Klart",
        "status.planned": "Planerad",
        "status.cancelled": "Avbruten",
        "economy": "Ekonomi",
        "frame": "Ram",
        "budget_ytd": "Budget hittills",
        "outcome_ytd": "Utfall hittills",
        "forecast": "Helårsprognos",
        "deviation": "Avvikelse mot ram",
        "flagged": "Över tröskeln",
        "flag_explained": "! = helårsprognosen avviker från ramen med mer än tröskeln {threshold}; "
        "markerat i rött. Negativ avvikelse är ett underskott.",
        "forecast_comments": "Kommentarer till prognosen",
        "result": "Regionens resultat",
        "result_forecast": "Prognos för årets resultat",
        "result_target": "Resultatmål",
        "result_ytd": "Resultat hittills",
        "result_target_ytd": "Resultatmål hittills",
        "budgeted_result": "Budgeterat resultat",
        "balance_requirement": "Balanskravet uppfylls enligt prognosen",
        "balance_requirement_ytd": "Balanskravet uppfylls hittills",
        "result_target_met_forecast": "Resultatmålet nås enligt prognosen",
        "yes": "Ja",
        "no": "Nej",
        "accounts": "Årets räkenskaper",
        "accounts_open": "Årets bokslut är inte stängt: beloppen kan ändras.",
        "income_statement": "Resultaträkning",
        "line": "Post",
        "amount": "Belopp",
        "operating_revenue": "Verksamhetens intäkter",
        "operating_costs": "Verksamhetens kostnader",
        "depreciation": "Avskrivningar",
        "net_operating_cost": "Verksamhetens nettokostnad",
        "tax_revenue": "Skatteintäkter",
        "general_grants": "Generella statsbidrag och utjämning",
        "operating_result": "Verksamhetens resultat",
        "financial_income": "Finansiella intäkter",
        "financial_costs": "Finansiella kostnader",
        "year_result": "Årets resultat",
        "result_against_target": "Resultat mot resultatmål",
        "target_percent": "Resultatmål, procent av skatter och bidrag",
        "taxes_and_general_grants": "Skatter och generella statsbidrag",
        "result_percent": "Resultat, procent av skatter och bidrag",
        "target_met": "Resultatmålet nås",
        "balance_reconciliation": "Balanskravsutredning",
        "result_after_adjustments": "Årets resultat efter balanskravsjusteringar",
        "balance_requirement_result": "Balanskravsresultat",
        "balance_met": "Balanskravet uppfylls",
        "deficits_to_restore": "Underskott att återställa",
        "restore_by": "återställs senast",
        "plan_period": "Budgetåret och planåren",
        "plan_period_note": "Budget {year} med planåren {first}–{last}, som beslutat per {as_of}.",
        "adopted_scenario": (
            "Resursberäkningen för {year} bygger på scenariot ”{name}”, skattesats {tax_rate} kr per 100 kr, "
            "antaget av {body} {decided_on} {paragraph}."
        ),
        "no_adopted_scenario": "Inget scenario för planperioden var antaget per {as_of}.",
        "frames": "Ramar",
        "investment_costs": "Varav investeringarnas driftkostnader",
        "room_for_frames": "Utrymme för ramar",
        "margin": "Marginal",
        "tax_rate": "Skattesats (kr)",
        "frame_status": "Ramens status",
        "frame_status.decided": "Beslutad",
        "frame_status.revised": "Reviderad",
        "frame_status.proposal": "Förslag",
        "change_from_previous": "Förändring mot föregående beslut",
        "planned_investments": "Planerade investeringar",
        "investments": "Investeringar och tioårsplan",
        "investments_note": "Planperioden är {first}–{last}; åren därefter (*) ligger utanför planperioden.",
        "year": "År",
        "planned": "Planerat",
        "frame_margin": "Marginal mot ram",
        "outcome": "Utfall",
        "operating_consequences": "Driftkonsekvenser",
        "projects": "Projekt",
        "total_planned": "Planerat totalt {amount}.",
        "by_category": "Planerat per kategori",
        "category.buildings": "Byggnader",
        "category.medical_equipment": "Medicinteknik",
        "category.it": "IT",
        "category.vehicles": "Fordon",
        "category.other": "Övrigt",
        "grants": "Riktade statsbidrag",
        "grants_summary": "{count} riktade statsbidrag om {amount}; {used} använt under året.",
        "grant": "Statsbidrag",
        "grantor": "Bidragsgivare",
        "used_total": "Använt",
        "linked_goals": "Kopplade mål",
        "reporting_deadline": "Redovisas senast",
        "without_goal": "Statsbidrag utan koppling till mål: {grants}.",
        "no_goal": "inget mål",
        "internal_control": "Intern kontroll",
        "risks": "Risker (grön/gul/röd)",
        "controls": "Kontroller",
        "results": "Resultat",
        "deviations": "Avvikelser",
        "control_not_sufficient": "Revisorerna bedömde den interna kontrollen som inte tillräcklig: {bodies}.",
        "control_sufficient": "Tillräcklig",
        "control_insufficient": "Inte tillräcklig",
        "statement_control": "Revisorernas bedömning",
        "audit": "Revision och uppföljning",
        "body": "Organ",
        "open_recommendations": "Öppna rekommendationer",
        "closed_recommendations": "Stängda",
        "overdue_responses": "Försenade svar",
        "overdue_actions": "Försenade åtgärder",
        "remark": "Anmärkning",
        "recommendations": "Rekommendationer och åtgärder",
        "recommendation": "Rekommendation",
        "audit_report": "Granskning",
        "response_decided": "Svar beslutat",
        "verdict": "Revisorernas bedömning",
        "actions": "Åtgärder",
        "verdict.none": "Ej bedömd",
        "verdict.addressed": "Åtgärdad",
        "verdict.partly_addressed": "Delvis åtgärdad",
        "verdict.not_addressed": "Inte åtgärdad",
        "status.open": "Öppen",
        "status.closed": "Stängd",
        "missing": "Saknas",
        "analysis": "Analys",
        "analysis_unplaced": "Övriga analyser",
        "topic.goals": "Mål",
        "topic.economy": "Ekonomi",
        "topic.employees": "Medarbetare",
        "topic.audit": "Revision",
        "other": "Övrigt",
        "figure": "Figur",
        "fulfilment_title": "Måluppfyllelse per enhet",
        "fulfilment_axis": "Antal mål",
        "economy_title": "Utfall och prognos mot ram per enhet",
        "indicators_title": "Indikatorer mot målvärden",
        "indicators_heading": "Fullmäktiges indikatorer",
        "shown_of": "visar {shown} av {total}",
        "follow_through": "Uppföljning av revisionens rekommendationer",
        "follow_through.intro": "{recommendations} öppna rekommendationer, varav {without_action} utan åtgärd; "
        "{actions} åtgärder, varav {without_indicator} utan koppling till någon indikator; {indicators} kopplade "
        "indikatorer, varav {not_moved} inte har rört sig sedan beslutet.",
        "summary.follow_through": "{without_action} av {recommendations} öppna rekommendationer saknar åtgärd, "
        "{without_indicator} av {actions} åtgärder är inte kopplade till någon indikator och {not_moved} av "
        "{indicators} kopplade indikatorer har inte rört sig sedan beslutet.",
        "without_action": "Utan åtgärd",
        "without_indicator": "Utan indikator",
        "linked_indicators": "Kopplade indikatorer",
        "not_moved": "Har inte rört sig",
        "follow_through.without_action": "Rekommendationer utan åtgärd",
        "follow_through.without_action.none": "Varje öppen rekommendation har minst en åtgärd.",
        "follow_through.without_indicator": "Åtgärder utan koppling till indikator",
        "follow_through.without_indicator.none": "Varje åtgärd är kopplad till minst en indikator.",
        "follow_through.not_moved": "Indikatorer som inte har rört sig sedan beslutet",
        "follow_through.not_moved.none": "Varje kopplad indikator har rört sig sedan beslutet.",
        "follow_through.not_shown": "{count} kopplade indikatorer visas inte med läsarens behörighet och är inte "
        "bedömda.",
        "follow_through.not_judged": "Indikatorerna kunde inte bedömas: måltjänsten svarade inte.",
        "goals_only": "kopplad till mål, inte till indikator",
        "compared_from": "Jämförs från",
        "before": "Före",
        "since": "Senast sedan",
        "reason": "Bedömning",
        "reason.unchanged": "Oförändrad sedan beslutet",
        "reason.no_value_since": "Inget värde sedan beslutet",
        "reason.no_value_before": "Inget värde före beslutet att jämföra med",
        "compared_from.response_decision": "svaret beslutat",
        "compared_from.report_received": "granskningen mottagen",
        # The trace of one item (gateway/reports/documents/trace.py).
        "trace.recommendation": "Rekommendation {number}: {text}",
        "trace.grant": "Statsbidrag: {name}",
        "trace.risk": "Risk: {title}",
        "trace.period.recommendation": "Spårning från rekommendation till indikator",
        "trace.period.grant": "Spårning från statsbidrag till indikator",
        "trace.period.risk": "Spårning från risk till indikator",
        "trace.item": "Uppgift",
        "trace.the_recommendation": "Rekommendationen",
        "trace.response": "Svar och beslut",
        "trace.no_response": "Inget svar på rekommendationen ännu.",
        "trace.response_status": "Svarets status",
        "trace.response_due": "Svar senast",
        "trace.closed_on": "Stängd",
        "trace.compared_from": "Värden jämförs från {day} ({kind}).",
        "trace.compared_from.none": "Inget beslutsdatum: värdena kan inte jämföras före och efter.",
        "trace.compared_from.grant_start": "bidragets första år",
        "trace.compared_from.plan_decision": "planen beslutad",
        "trace.compared_from.plan_year": "planårets början",
        "trace.actions.none": "Ingen åtgärd svarar mot rekommendationen.",
        "trace.owner": "Ansvarig",
        "trace.finished_on": "Klar",
        "trace.linked": "Kopplade mål/indikatorer",
        "trace.goals.none": "Inget mål är kopplat.",
        "trace.indicators.none": "Ingen indikator är kopplad.",
        "trace.change": "Förändring",
        "trace.change.better": "Bättre",
        "trace.change.worse": "Sämre",
        "trace.change.unchanged": "Oförändrad",
        "trace.change.unknown": "Kan inte bedömas",
        "trace.baseline": "utgångsvärde",
        "trace.values_since": "{count} värden sedan",
        "trace.flags": "Att uppmärksamma",
        "trace.flags.none": "Inget att anmärka: varje led är kopplat och varje indikator har rört sig.",
        "trace.flag.recommendation_without_action": "Rekommendationen har ingen åtgärd",
        "trace.flag.action_without_indicator": "{name}: åtgärden är inte kopplad till någon indikator",
        "trace.flag.indicator_not_moved": "{name}: {reason}",
        "trace.flag.grant_without_goal": "{name}: statsbidraget är inte kopplat till något mål",
        "trace.flag.grant_without_indicator": "{name}: ingen indikator visar statsbidragets effekt",
        "trace.flag.risk_without_goal": "{name}: risken hotar inget kopplat mål",
        "trace.not_shown": "{count} kopplade mål, indikatorer eller aktiviteter visas inte med läsarens behörighet "
        "eller finns inte längre.",
        "trace.all_shown": "Allt som är kopplat visas.",
        "trace.verdicts": "Revisorernas uppföljning: {count} bedömningar.",
        "trace.grantor": "Bidragsgivare",
        "trace.years": "År",
        "trace.amount": "Belopp",
        "trace.used_total": "Använt totalt",
        "trace.coordinator": "Samordnare",
        "trace.effect_reported": "Redovisad effekt",
        "trace.uses": "Användning per år",
        "trace.used": "Använt",
        "trace.uses.none": "Ingen användning redovisad.",
        "trace.likelihood": "Sannolikhet",
        "trace.consequence": "Konsekvens",
        "trace.score": "Riskvärde",
        "trace.needs_control": "Kräver kontroll",
        "trace.plan_status": "Planens status",
        "trace.processes": "Processer som hotas",
        "trace.controls": "Kontroller",
        "trace.controls.none": "Ingen kontroll av risken.",
        "trace.control": "Kontroll",
        "trace.latest_result": "Senaste resultat",
        "trace.activities": "Aktiviteter",
        "trace.activities.none": "Ingen aktivitet är kopplad.",
        "trace.activity": "Aktivitet",
        "trace.period_of": "Period",
        "trace.indicators": "Indikatorer",
        "trace.status.draft": "Utkast",
        "trace.status.decided": "Beslutad",
        "trace.outcome.no_deviation": "Utan avvikelse",
        "trace.outcome.deviation": "Avvikelse",
    },
    Language.en: {
        "interim.T1": "Interim report T1",
        "interim.T2": "Interim report T2",
        "annual.year": "Annual report",
        "period.interim.T1": "January–April {year}",
        "period.interim.T2": "January–August {year}",
        "period.annual.year": "January–December {year}",
        "region": "The region",
        "draft": "Draft: data is missing",
        "as_of": "As at",
        "generated": "compiled",
        "completed": "Completed {at} by {by}",
        "contents": "Contents",
        "contents_hint": "Right-click and choose Update Field to show the table of contents.",
        "page": "Page",
        "page_of": "of",
        "no_data": "No data for the period",
        "no_data.goals.fulfilment": "No goals are followed up for the year.",
        "no_data.economy.economy": "No frames or outcomes for the year.",
        "no_data.economy.accounts": "No ledger rows for the year: the accounts cannot be shown.",
        "no_data.goals.report_to_council": "No goal is forecast as not met.",
        "no_data.audit.overview": "No audit material at the period's end.",
        "summary": "Summary",
        "summary.goals": "Of {total} goals, {green} are achieved, {yellow} partly achieved, {red} not achieved "
        "and {grey} not measured.",
        "summary.goals.t1": "Interim report T1 follows up the goals of the employee perspective.",
        "summary.council": "{count} goals are forecast as not met and are reported to the council.",
        "summary.below_target": "The forecast result for the year, {forecast}, is {gap} below the result target "
        "{target}.",
        "summary.meets_target": "The forecast result for the year, {forecast}, meets the result target {target}.",
        "summary.balance_met": "The balance requirement is met by the forecast.",
        "summary.balance_not_met": "The balance requirement is not met by the forecast.",
        "summary.accounts_result": "The year's result in the accounts is {result}; the result target {target} is "
        "{met}.",
        "summary.accounts_balance": "The balance requirement result is {result}; the balance requirement is {met}.",
        "summary.flagged": "Deviating from the frame by more than the threshold {threshold}: {units}.",
        "summary.unit_flagged": "The forecast deviates from the frame by more than the threshold {threshold}: "
        "{deviation}.",
        "summary.remarks": "The auditors directed a remark at {bodies}.",
        "summary.control": "Internal control was judged not sufficient in {bodies}.",
        "met": "met",
        "not_met": "not met",
        "fulfilled": "met",
        "not_fulfilled": "not met",
        "key_figures": "Key figures",
        "figure_label": "Key figure",
        "value": "Value",
        "fulfilment": "Goal fulfilment",
        "unit": "Unit",
        "perspective": "Perspective",
        "perspectives": "Goals by perspective",
        "green": "Achieved",
        "yellow": "Partly achieved",
        "red": "Not achieved",
        "grey": "Not measured",
        "total": "Total",
        "goals": "Goals",
        "goal": "Goal",
        "quality": "Goal quality",
        "measurable_share": "Share of measurable goals",
        "measurable": "Measurable",
        "share": "Share",
        "financial_goals": "Financial goals",
        "orphans": "Goals with no upward link",
        "orphans_count": "No upward link",
        "report_to_council": "Goals forecast as not met (reported to the council)",
        "report_to_council_short": "Reported to the council",
        "chain.region": "The council's goals and indicators",
        "chain.unit": "The goal chain",
        "plan": "Plan",
        "vision": "Vision",
        "strategy": "Strategy",
        "indicator": "Indicator",
        "baseline": "Baseline",
        "latest": "Latest value",
        "target": "Target",
        "trend": "Trend",
        "assessment": "Assessment",
        "goal_indicators": "The goals' indicators",
        "unlinked_goals": "Goals with no strategy",
        "trend.improving": "improving",
        "trend.worsening": "worsening",
        "trend.unchanged": "unchanged",
        "assignments": "Assignments",
        "assignment": "Assignment",
        "issuer_assignee": "From → to",
        "deadline": "Deadline",
        "status": "Status",
        "latest_follow_up": "Latest follow-up",
        "overdue": "overdue",
        "status.not_started": "Not started",
        "status.in_progress": "In progress",
        "status.done": "Done",
        "status.planned": "Planned",
        "status.cancelled": "Cancelled",
        "economy": "Economy",
        "frame": "Frame",
        "budget_ytd": "Budget to date",
        "outcome_ytd": "Outcome to date",
        "forecast": "Full-year forecast",
        "deviation": "Deviation from frame",
        "flagged": "Over the threshold",
        "flag_explained": "! = the full-year forecast deviates from the frame by more than the threshold "
        "{threshold}; marked in red. A negative deviation is a deficit.",
        "forecast_comments": "Comments on the forecast",
        "result": "The region's result",
        "result_forecast": "Forecast result for the year",
        "result_target": "Result target",
        "result_ytd": "Result to date",
        "result_target_ytd": "Result target to date",
        "budgeted_result": "Budgeted result",
        "balance_requirement": "Balance requirement met by the forecast",
        "balance_requirement_ytd": "Balance requirement met to date",
        "result_target_met_forecast": "Result target met by the forecast",
        "yes": "Yes",
        "no": "No",
        "accounts": "The year's accounts",
        "accounts_open": "The year's books are not closed: the amounts may change.",
        "income_statement": "Income statement",
        "line": "Line",
        "amount": "Amount",
        "operating_revenue": "Operating revenue",
        "operating_costs": "Operating costs",
        "depreciation": "Depreciation",
        "net_operating_cost": "Net operating cost",
        "tax_revenue": "Tax revenue",
        "general_grants": "General state grants and equalisation",
        "operating_result": "Operating result",
        "financial_income": "Financial income",
        "financial_costs": "Financial costs",
        "year_result": "The year's result",
        "result_against_target": "Result against the result target",
        "target_percent": "Result target, percent of taxes and grants",
        "taxes_and_general_grants": "Taxes and general state grants",
        "result_percent": "Result, percent of taxes and grants",
        "target_met": "Result target met",
        "balance_reconciliation": "Balance requirement reconciliation",
        "result_after_adjustments": "The year's result after balance requirement adjustments",
        "balance_requirement_result": "Balance requirement result",
        "balance_met": "Balance requirement met",
        "deficits_to_restore": "Deficits to restore",
        "restore_by": "to restore by",
        "plan_period": "The budget year and the plan years",
        "plan_period_note": "The {year} budget with the plan years {first}–{last}, as decided by {as_of}.",
        "adopted_scenario": (
            "The resource calculation for {year} rests on the scenario “{name}”, tax rate {tax_rate} kronor per 100, "
            "adopted by {body} on {decided_on} {paragraph}."
        ),
        "no_adopted_scenario": "No scenario for the plan period had been adopted by {as_of}.",
        "frames": "Frames",
        "investment_costs": "Of which investments' running costs",
        "room_for_frames": "Room for frames",
        "margin": "Margin",
        "tax_rate": "Tax rate (kronor)",
        "frame_status": "Frame status",
        "frame_status.decided": "Decided",
        "frame_status.revised": "Revised",
        "frame_status.proposal": "Proposal",
        "change_from_previous": "Change from the previous decision",
        "planned_investments": "Planned investments",
        "investments": "Investments and the ten-year plan",
        "investments_note": "The plan period is {first}–{last}; the years after it (*) are beyond the plan period.",
        "year": "Year",
        "planned": "Planned",
        "frame_margin": "Margin to frame",
        "outcome": "Outcome",
        "operating_consequences": "Operating consequences",
        "projects": "Projects",
        "total_planned": "Planned in total {amount}.",
        "by_category": "Planned by category",
        "category.buildings": "Buildings",
        "category.medical_equipment": "Medical equipment",
        "category.it": "IT",
        "category.vehicles": "Vehicles",
        "category.other": "Other",
        "grants": "Targeted state grants",
        "grants_summary": "{count} targeted state grants of {amount}; {used} used in the year.",
        "grant": "Grant",
        "grantor": "Grantor",
        "used_total": "Used",
        "linked_goals": "Linked goals",
        "reporting_deadline": "Report by",
        "without_goal": "Grants with no goal: {grants}.",
        "no_goal": "no goal",
        "internal_control": "Internal control",
        "risks": "Risks (green/yellow/red)",
        "controls": "Controls",
        "results": "Results",
        "deviations": "Deviations",
        "control_not_sufficient": "The auditors judged internal control not sufficient: {bodies}.",
        "control_sufficient": "Sufficient",
        "control_insufficient": "Not sufficient",
        "statement_control": "The auditors' judgement",
        "audit": "Audit and follow-up",
        "body": "Body",
        "open_recommendations": "Open recommendations",
        "closed_recommendations": "Closed",
        "overdue_responses": "Overdue responses",
        "overdue_actions": "Overdue actions",
        "remark": "Remark",
        "recommendations": "Recommendations and actions",
        "recommendation": "Recommendation",
        "audit_report": "Audit",
        "response_decided": "Response decided",
        "verdict": "The auditors' verdict",
        "actions": "Actions",
        "verdict.none": "Not assessed",
        "verdict.addressed": "Addressed",
        "verdict.partly_addressed": "Partly addressed",
        "verdict.not_addressed": "Not addressed",
        "status.open": "Open",
        "status.closed": "Closed",
        "missing": "Missing",
        "analysis": "Analysis",
        "analysis_unplaced": "Other analysis",
        "topic.goals": "Goals",
        "topic.economy": "Economy",
        "topic.employees": "Employees",
        "topic.audit": "Audit",
        "other": "Other",
        "figure": "Figure",
        "fulfilment_title": "Goal fulfilment per unit",
        "fulfilment_axis": "Number of goals",
        "economy_title": "Outcome and forecast against frame per unit",
        "indicators_title": "Indicators against targets",
        "indicators_heading": "The council's indicators",
        "shown_of": "showing {shown} of {total}",
        "follow_through": "Follow-through on the auditors' recommendations",
        "follow_through.intro": "{recommendations} open recommendations, {without_action} of them with no action; "
        "{actions} actions, {without_indicator} of them linked to no indicator; {indicators} linked indicators, "
        "{not_moved} of them not moved since the decision.",
        "summary.follow_through": "{without_action} of {recommendations} open recommendations have no action; "
        "{without_indicator} of {actions} actions are linked to no indicator, and {not_moved} of {indicators} "
        "linked indicators have not moved since the decision.",
        "without_action": "No action",
        "without_indicator": "No indicator",
        "linked_indicators": "Linked indicators",
        "not_moved": "Not moved",
        "follow_through.without_action": "Recommendations with no action",
        "follow_through.without_action.none": "Every open recommendation has at least one action.",
        "follow_through.without_indicator": "Actions linked to no indicator",
        "follow_through.without_indicator.none": "Every action is linked to at least one indicator.",
        "follow_through.not_moved": "Indicators that have not moved since the decision",
        "follow_through.not_moved.none": "Every linked indicator has moved since the decision.",
        "follow_through.not_shown": "{count} linked indicators are not shown with the reader's rights and are not "
        "judged.",
        "follow_through.not_judged": "The indicators could not be judged: the goals service did not answer.",
        "goals_only": "linked to goals, not to an indicator",
        "compared_from": "Compared from",
        "before": "Before",
        "since": "Latest since",
        "reason": "Assessment",
        "reason.unchanged": "Unchanged since the decision",
        "reason.no_value_since": "No value since the decision",
        "reason.no_value_before": "No value before the decision to compare with",
        "compared_from.response_decision": "response decided",
        "compared_from.report_received": "audit received",
        # The trace of one item (gateway/reports/documents/trace.py).
        "trace.recommendation": "Recommendation {number}: {text}",
        "trace.grant": "State grant: {name}",
        "trace.risk": "Risk: {title}",
        "trace.period.recommendation": "Trace from recommendation to indicator",
        "trace.period.grant": "Trace from state grant to indicator",
        "trace.period.risk": "Trace from risk to indicator",
        "trace.item": "Item",
        "trace.the_recommendation": "The recommendation",
        "trace.response": "Response and decision",
        "trace.no_response": "No response to the recommendation yet.",
        "trace.response_status": "Response status",
        "trace.response_due": "Response due",
        "trace.closed_on": "Closed",
        "trace.compared_from": "Values are compared from {day} ({kind}).",
        "trace.compared_from.none": "No decision date: the values cannot be compared before and after.",
        "trace.compared_from.grant_start": "the grant's first year",
        "trace.compared_from.plan_decision": "plan decided",
        "trace.compared_from.plan_year": "the plan year's start",
        "trace.actions.none": "No action answers the recommendation.",
        "trace.owner": "Owner",
        "trace.finished_on": "Finished",
        "trace.linked": "Linked goals/indicators",
        "trace.goals.none": "No goal is linked.",
        "trace.indicators.none": "No indicator is linked.",
        "trace.change": "Change",
        "trace.change.better": "Better",
        "trace.change.worse": "Worse",
        "trace.change.unchanged": "Unchanged",
        "trace.change.unknown": "Cannot be judged",
        "trace.baseline": "baseline",
        "trace.values_since": "{count} values since",
        "trace.flags": "To note",
        "trace.flags.none": "Nothing to note: every step is linked and every indicator has moved.",
        "trace.flag.recommendation_without_action": "The recommendation has no action",
        "trace.flag.action_without_indicator": "{name}: the action is linked to no indicator",
        "trace.flag.indicator_not_moved": "{name}: {reason}",
        "trace.flag.grant_without_goal": "{name}: the grant is linked to no goal",
        "trace.flag.grant_without_indicator": "{name}: no indicator shows the grant's effect",
        "trace.flag.risk_without_goal": "{name}: the risk threatens no linked goal",
        "trace.not_shown": "{count} linked goals, indicators or activities are not shown with the reader's rights "
        "or no longer exist.",
        "trace.all_shown": "Everything linked is shown.",
        "trace.verdicts": "The auditors' follow-up: {count} verdicts.",
        "trace.grantor": "Grantor",
        "trace.years": "Years",
        "trace.amount": "Amount",
        "trace.used_total": "Used in total",
        "trace.coordinator": "Coordinator",
        "trace.effect_reported": "Effect reported",
        "trace.uses": "Use per year",
        "trace.used": "Used",
        "trace.uses.none": "No use reported.",
        "trace.likelihood": "Likelihood",
        "trace.processes": "Processes threatened",
        "trace.consequence": "Consequence",
        "trace.score": "Risk score",
        "trace.needs_control": "Needs control",
        "trace.plan_status": "Plan status",
        "trace.controls": "Controls",
        "trace.controls.none": "No control of the risk.",
        "trace.control": "Control",
        "trace.latest_result": "Latest result",
        "trace.activities": "Activities",
        "trace.activities.none": "No activity is linked.",
        "trace.activity": "Activity",
        "trace.period_of": "Period",
        "trace.indicators": "Indicators",
        "trace.status.draft": "Draft",
        "trace.status.decided": "Decided",
        "trace.outcome.no_deviation": "No deviation",
        "trace.outcome.deviation": "Deviation",
    },
}


def label(t: dict[str, str], key: str, fallback: str | None = None) -> str:
    """A label by key; a value the labels do not know (a new status, say) is shown as it came."""
    return t.get(key, fallback if fallback is not None else key.rpartition(".")[2].replace("_", " "))


def swedish_number(value: Decimal, decimals: int) -> str:
    """1234567.891 with one decimal → '1 234 567,9' (thin no-break spaces between thousands)."""
    step = Decimal(1).scaleb(-decimals)
    rounded = value.quantize(step, rounding=ROUND_HALF_UP)
    sign = "−" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = NBSP_THIN.join(groups)
    return sign + text + ("," + fraction if fraction else "")


def decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def money(value: Any, scale: MoneyScale) -> str:
    amount = decimal(value)
    if amount is None:
        return DASH
    return f"{swedish_number(amount / SCALES[scale], 1)} {scale.value}"


def percent(value: Any) -> str:
    number = decimal(value)
    return DASH if number is None else f"{swedish_number(number, 1)} %"


def share(value: Any) -> str:
    number = decimal(value)
    return DASH if number is None else f"{swedish_number(number * 100, 0)} %"


def figure(value: Any) -> str:
    """A measured value as it was given, up to two decimals, in Swedish format: '57', '1,2', '57,25'."""
    number = decimal(value)
    if number is None:
        return DASH
    if number == number.to_integral():
        return swedish_number(number, 0)
    return swedish_number(number, 1 if number * 10 == (number * 10).to_integral() else 2)


def count(value: Any) -> str:
    return DASH if value is None else str(value)


def title_of(data: dict[str, Any], t: dict[str, str]) -> str:
    """'Delårsrapport 2 2022': the report's kind and period, and its year."""
    kind = f"{data['kind']}.{data['period']}"
    return f"{t[kind]} {data['year']}"


def period_of(data: dict[str, Any], t: dict[str, str]) -> str:
    """The months the report covers: 'januari–augusti 2022'."""
    return t[f"period.{data['kind']}.{data['period']}"].format(year=data["year"])


def unit_name(data: dict[str, Any], code: str | None) -> str:
    """A unit's name from the report's unit_names; its code where the report does not name it."""
    if not code:
        return DASH
    return str(data.get("unit_names", {}).get(code, code))


def named(data: dict[str, Any], code: str | None) -> str:
    """'Hälso- och sjukvårdsnämnden (HSN)': the name a reader knows and the code the charts use."""
    name = unit_name(data, code)
    return name if not code or name == code else f"{name} ({code})"


def subtitle(data: dict[str, Any], t: dict[str, str], region: str) -> str:
    """Whose report, the date it speaks for, and when it was put together in Swedish time (as stored)."""
    compiled = str(data["generated_at"])[:16].replace("T", " ")
    whose = unit_name(data, data["unit"]) if data["unit"] else region
    return f"{whose} · {t['as_of']} {data['as_of']} · {t['generated']} {compiled}"


def no_data_lines(data: dict[str, Any], t: dict[str, str]) -> list[str]:
    """Each section with nothing for the period, in the reader's language."""
    return [t.get(f"no_data.{n['section']}", n["reason"]) for n in data.get("no_data", [])]
