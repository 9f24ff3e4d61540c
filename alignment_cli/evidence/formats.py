"""The export kinds we read, recognised from their columns (docs/evidence.md cites the sources).

Each field has a canonical name (the Salesforce API name or the HubSpot internal name) and the
labels an export may use instead (a Salesforce report or a HubSpot export with labels). Headers
are compared without case and with runs of spaces as one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # "text", "time" (a date-time or a date), "bool", "amount"
    labels: tuple[str, ...] = ()
    needed_for: str = ""


@dataclass(frozen=True)
class Kind:
    id: str
    title: str
    role: str  # "leads", "activities" or "opportunities"
    fields: tuple[Field, ...]
    required: tuple[str, ...]
    markers: tuple[str, ...]  # fields whose presence says "this is that kind"
    marker_labels: tuple[str, ...] = field(default=())  # headers that say so too ("Lead ID")

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def norm(header: str) -> str:
    return re.sub(r"\s+", " ", header.strip().lstrip("\ufeff")).lower()


_LIFECYCLE = ("lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer")
LIFECYCLE_LABELS = {
    "lead": "Lead",
    "marketingqualifiedlead": "Marketing Qualified Lead",
    "salesqualifiedlead": "Sales Qualified Lead",
    "opportunity": "Opportunity",
    "customer": "Customer",
}


def _stage_date(stage: str) -> Field:
    label = LIFECYCLE_LABELS[stage]
    article = "an" if label[0] in "AEIOU" else "a"
    return Field(
        f"hs_lifecyclestage_{stage}_date",
        "time",
        (f"Became {article} {label} Date",),
        "stage conversion and days between stages",
    )


SALESFORCE_LEAD = Kind(
    "salesforce-lead",
    "Salesforce Lead export",
    "leads",
    (
        Field("Id", "text", ("Lead ID",), "linking activities (Task WhoId) to leads"),
        Field("CreatedDate", "time", ("Created Date",), "speed to lead and the period"),
        Field("Status", "text", ("Lead Status",)),
        Field("LeadSource", "text", ("Lead Source",), "sources and data quality"),
        Field("IsConverted", "bool", ("Converted",), "lead to opportunity"),
        Field("ConvertedDate", "time", ("Converted Date",), "days from lead to opportunity"),
        Field(
            "ConvertedOpportunityId",
            "text",
            ("Converted Opportunity ID",),
            "lead to opportunity",
        ),
        Field("OwnerId", "text", ("Owner ID", "Lead Owner ID")),
    ),
    required=("CreatedDate",),
    markers=("IsConverted", "ConvertedDate", "ConvertedOpportunityId"),
    marker_labels=("Lead ID", "Lead Owner ID"),
)

SALESFORCE_TASK = Kind(
    "salesforce-task",
    "Salesforce Task export (the activity log)",
    "activities",
    (
        Field("Id", "text", ("Activity ID", "Task ID")),
        Field("WhoId", "text", ("Name ID", "Who ID"), "linking each activity to its lead"),
        Field("CreatedDate", "time", ("Created Date",), "the time of each activity"),
        Field("TaskSubtype", "text", ("Task Subtype",)),
        Field("Type", "text", ("Task Type",)),
    ),
    required=("WhoId", "CreatedDate"),
    markers=("WhoId", "TaskSubtype"),
    marker_labels=("Activity ID", "Task ID"),
)

SALESFORCE_OPPORTUNITY = Kind(
    "salesforce-opportunity",
    "Salesforce Opportunity export",
    "opportunities",
    (
        Field("Id", "text", ("Opportunity ID",)),
        Field("Amount", "amount", (), "pipeline share and data quality"),
        Field("StageName", "text", ("Stage",), "which opportunities are open, won or lost"),
        Field("IsClosed", "bool", ("Closed",), "which opportunities are closed"),
        Field("IsWon", "bool", ("Won",), "which opportunities are won"),
        Field("CloseDate", "time", ("Close Date",), "the period"),
        Field("LeadSource", "text", ("Lead Source",), "win rate by source and pipeline share"),
        Field("CreatedDate", "time", ("Created Date",), "the period"),
    ),
    required=("StageName",),
    markers=("StageName", "IsWon", "IsClosed"),
    marker_labels=("Opportunity ID", "Opportunity Name"),
)

HUBSPOT_CONTACT = Kind(
    "hubspot-contact",
    "HubSpot contacts export",
    "leads",
    (
        Field("hs_object_id", "text", ("Record ID", "Contact ID")),
        Field("createdate", "time", ("Create Date",), "speed to lead and the period"),
        Field("lifecyclestage", "text", ("Lifecycle Stage",), "lead to opportunity"),
        Field("hs_lead_status", "text", ("Lead Status",)),
        Field("hs_analytics_source", "text", ("Original Source",), "sources and data quality"),
        Field(
            "hs_first_outreach_date",
            "time",
            ("First outreach date", "First Outreach Date"),
            "speed to lead",
        ),
        Field(
            "hs_sa_first_engagement_date",
            "time",
            ("Date of first engagement", "First Engagement Date"),
            "speed to lead",
        ),
        *(_stage_date(s) for s in _LIFECYCLE),
    ),
    required=("createdate",),
    markers=("lifecyclestage", *(f"hs_lifecyclestage_{s}_date" for s in _LIFECYCLE)),
    marker_labels=("Contact ID",),
)

HUBSPOT_DEAL = Kind(
    "hubspot-deal",
    "HubSpot deals export",
    "opportunities",
    (
        Field("hs_object_id", "text", ("Record ID", "Deal ID")),
        Field("dealstage", "text", ("Deal Stage",), "which deals are open, won or lost"),
        Field("amount", "amount", ("Amount",), "pipeline share and data quality"),
        Field("closedate", "time", ("Close Date",), "the period"),
        Field("createdate", "time", ("Create Date",), "the period"),
        Field(
            "hs_is_closed_won", "bool", ("Is Closed Won", "Is closed won"), "which deals are won"
        ),
        Field(
            "hs_analytics_source",
            "text",
            ("Original Source Type", "Original Source"),
            "win rate by source and pipeline share",
        ),
    ),
    required=("dealstage",),
    markers=("dealstage",),
    marker_labels=("Deal ID", "Deal Name", "dealname"),
)

KINDS: tuple[Kind, ...] = (
    SALESFORCE_LEAD,
    SALESFORCE_TASK,
    SALESFORCE_OPPORTUNITY,
    HUBSPOT_CONTACT,
    HUBSPOT_DEAL,
)
FIELD_NAMES = frozenset(f.name for k in KINDS for f in k.fields)


def resolve(kind: Kind, headers: list[str], renames: dict[str, str]) -> dict[str, int]:
    """Field name -> index of the column holding it: a mapping's rename first, then the API or
    internal name, then a label. The first column that matches wins."""
    found: dict[str, int] = {}
    by_norm = {norm(k): v for k, v in renames.items()}
    for i, header in enumerate(headers):
        renamed = by_norm.get(norm(header))
        if renamed is not None and renamed not in found:
            found[renamed] = i
    for f in kind.fields:
        if f.name in found:
            continue
        names = {norm(f.name), *(norm(label) for label in f.labels)}
        for i, header in enumerate(headers):
            if norm(header) in names and i not in found.values():
                found[f.name] = i
                break
    return found


def recognise(headers: list[str], renames: dict[str, str]) -> list[tuple[Kind, dict[str, int]]]:
    """The kinds whose marker columns the headers hold, best first (most markers)."""
    scored = []
    for kind in KINDS:
        columns = resolve(kind, headers, renames)
        seen = {norm(h) for h in headers}
        hits = sum(1 for m in kind.markers if m in columns)
        hits += sum(1 for label in kind.marker_labels if norm(label) in seen)
        if hits:
            scored.append((hits, kind, columns))
    scored.sort(key=lambda t: -t[0])
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return [(k, c) for _, k, c in scored]
    return [(k, c) for _, k, c in scored[:1]]
