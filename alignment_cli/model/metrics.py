"""The CRM metrics a rubric question may name in `evidence:` (docs/evidence.md defines each).

Pure data, here in the model layer because the rubric validator checks a question's `evidence`
against these ids and units; alignment_cli/evidence computes them from the exports.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    id: str
    unit: str  # "hours", "days" or "share" (0..1)
    title: str
    definition: str


_ALL = (
    Metric(
        "speed_to_lead_hours",
        "hours",
        "Speed to lead (median)",
        "Median hours from a lead's creation to its first logged activity, over contacted "
        "leads; p90 beside it; in business hours too when business hours are set.",
    ),
    Metric(
        "contacted_within_1h_share",
        "share",
        "Contacted within an hour",
        "Share of all leads whose first activity came at most 1 hour after creation.",
    ),
    Metric(
        "contacted_within_sla_share",
        "share",
        "Contacted within the SLA",
        "Share of all leads whose first activity came at most sla_hours (default 24) clock "
        "hours after creation.",
    ),
    Metric(
        "never_contacted_share",
        "share",
        "Never contacted",
        "Share of all leads with no logged activity at all.",
    ),
    Metric(
        "lead_to_opportunity_share",
        "share",
        "Lead to opportunity",
        "Share of all leads converted into an opportunity.",
    ),
    Metric(
        "win_rate",
        "share",
        "Win rate",
        "Won opportunities over closed ones (won and lost); also by source.",
    ),
    Metric(
        "marketing_sourced_pipeline_share",
        "share",
        "Marketing-sourced pipeline",
        "Amount of open opportunities whose source is marketing, over the amount of all open "
        "opportunities with an amount.",
    ),
    Metric(
        "mql_to_sql_share",
        "share",
        "MQL to SQL",
        "Share of contacts that became marketing qualified and later sales qualified.",
    ),
    Metric(
        "days_lead_to_mql",
        "days",
        "Days from lead to MQL",
        "Median days from becoming a lead to becoming marketing qualified.",
    ),
    Metric(
        "days_mql_to_sql",
        "days",
        "Days from MQL to SQL",
        "Median days from becoming marketing qualified to becoming sales qualified.",
    ),
    Metric(
        "days_sql_to_opportunity",
        "days",
        "Days from SQL to opportunity",
        "Median days from becoming sales qualified to becoming an opportunity.",
    ),
    Metric(
        "days_lead_to_opportunity",
        "days",
        "Days from lead to opportunity",
        "Median days from a lead's creation to its conversion into an opportunity.",
    ),
    Metric(
        "leads_without_source_share",
        "share",
        "Leads without a source",
        "Share of all leads whose source is empty (data quality).",
    ),
    Metric(
        "opportunities_without_amount_share",
        "share",
        "Opportunities without an amount",
        "Share of all opportunities whose amount is empty (data quality).",
    ),
)

METRICS: dict[str, Metric] = {m.id: m for m in _ALL}
METRIC_IDS: tuple[str, ...] = tuple(METRICS)

# The question units each metric unit can answer, and the factor that converts it.
UNIT_FACTORS: dict[str, dict[str, float]] = {
    "hours": {"hours": 1.0, "hour": 1.0, "h": 1.0, "minutes": 60.0, "days": 1 / 24},
    "days": {"days": 1.0, "day": 1.0, "hours": 24.0, "weeks": 1 / 7},
    "share": {"percent": 100.0, "%": 100.0, "share": 1.0, "": 1.0},
}


def unit_factor(metric_id: str, question_unit: str) -> float | None:
    """What a metric's value is multiplied by to read in `question_unit`; None if it cannot."""
    metric = METRICS[metric_id]
    return UNIT_FACTORS[metric.unit].get(question_unit.strip().lower())
