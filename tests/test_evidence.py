"""CRM evidence: exports recognised, metrics recomputed by hand, bad input located, nothing
personal written, a metric scored on its question's scale."""

from __future__ import annotations

import csv
import json
import statistics
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, ROOT, V1_RUBRIC, v1_example
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alignment_cli.errors import InvalidInput
from alignment_cli.evidence.importer import build
from alignment_cli.evidence.link import measured
from alignment_cli.evidence.mapping import LoadedMapping, default_mapping, load_mapping
from alignment_cli.evidence.store import dump, file_name
from alignment_cli.model.rubric import load_rubric

Invoke = Callable[..., Any]
FIXTURE = ROOT / "docs" / "examples" / "evidence"
FILES = [FIXTURE / n for n in ("Lead.csv", "Task.csv", "Opportunity.csv")]


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def sf(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.000%z")


def write_csv(path: Path, header: list[str], body: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        w = csv.writer(handle, lineterminator="\n")
        w.writerow(header)
        w.writerows(body)
    return path


def quantile7(values: list[float], p: float) -> float:
    """Hyndman and Fan's type 7 (linear between order statistics), by hand."""
    xs = sorted(values)
    h = (len(xs) - 1) * p
    lo = int(h)
    return xs[lo] + (h - lo) * (xs[min(lo + 1, len(xs) - 1)] - xs[lo])


def business_hours_between(a: datetime, b: datetime, start: int = 9, end: int = 17) -> float:
    """Business hours from a to b (Mon-Fri, start..end, UTC), minute by minute: slow, plain."""
    total, t = 0, a
    while t < b:
        if t.weekday() < 5 and start <= t.hour < end:
            total += 1
        t += timedelta(minutes=1)
    return total / 60


@pytest.fixture(scope="module")
def worked() -> dict[str, Any]:
    return build(FILES, load_mapping(FIXTURE / "mapping.yaml"), imported="2026-09-24T12:00:00Z")


# ---------------------------------------------------------------------------------------------
# The worked example of docs/evidence.md, recomputed from the CSV by hand


def test_the_worked_example_recomputes_by_hand(worked: dict[str, Any]) -> None:
    leads = rows(FIXTURE / "Lead.csv")
    tasks = rows(FIXTURE / "Task.csv")
    opps = rows(FIXTURE / "Opportunity.csv")
    first: dict[str, datetime] = {}
    for t in tasks:
        at = sf(t["CreatedDate"])
        first[t["WhoId"]] = min(first.get(t["WhoId"], at), at)
    delays, business = [], []
    for lead in leads:
        if lead["Id"] in first:
            created = sf(lead["CreatedDate"])
            delays.append((first[lead["Id"]] - created).total_seconds() / 3600)
            business.append(business_hours_between(created, first[lead["Id"]]))
    n = len(leads)
    m = worked["metrics"]
    speed = m["speed_to_lead_hours"]
    assert speed["value"] == pytest.approx(statistics.median(delays))
    assert speed["n"] == len(delays)
    assert speed["p90"] == pytest.approx(quantile7(delays, 0.9))
    assert speed["business_hours"]["median"] == pytest.approx(statistics.median(business))
    assert speed["business_hours"]["p90"] == pytest.approx(quantile7(business, 0.9))
    assert m["contacted_within_1h_share"]["value"] == pytest.approx(sum(d <= 1 for d in delays) / n)
    assert m["contacted_within_sla_share"]["value"] == pytest.approx(
        sum(d <= 24 for d in delays) / n
    )
    assert m["never_contacted_share"]["value"] == pytest.approx((n - len(delays)) / n)
    assert m["lead_to_opportunity_share"]["value"] == pytest.approx(
        sum(bool(x["ConvertedOpportunityId"]) for x in leads) / n
    )
    assert m["leads_without_source_share"]["value"] == pytest.approx(
        sum(not x["LeadSource"] for x in leads) / n
    )
    closed = [o for o in opps if o["IsClosed"] == "true"]
    assert m["win_rate"]["value"] == pytest.approx(
        sum(o["IsWon"] == "true" for o in closed) / len(closed), abs=1e-6
    )
    assert m["win_rate"]["by_source"]["marketing"] == {"value": 1.0, "n": 1}
    open_ = [o for o in opps if o["IsClosed"] == "false" and o["Amount"]]
    marketing = {"Web", "Webinar", "Trade Show"}
    assert m["marketing_sourced_pipeline_share"]["value"] == pytest.approx(
        sum(float(o["Amount"]) for o in open_ if o["LeadSource"] in marketing)
        / sum(float(o["Amount"]) for o in open_)
    )
    assert m["opportunities_without_amount_share"]["value"] == pytest.approx(
        sum(not o["Amount"] for o in opps) / len(opps), abs=1e-6
    )
    assert worked["period"] == {"from": "2026-07-06", "to": "2026-07-11"}


def test_the_docs_show_the_fixture_and_the_figures_it_gives(worked: dict[str, Any]) -> None:
    doc = (ROOT / "docs" / "evidence.md").read_text(encoding="utf-8")
    for path in FILES:
        assert path.read_text(encoding="utf-8") in doc, f"docs/evidence.md lacks {path.name}"
    table = doc[doc.index("## A worked example") :]
    for mid, metric in worked["metrics"].items():
        assert f"| `{mid}` | {metric['value']:g} | {metric['n']} |" in table, mid
    for mid in worked["unmeasured"]:
        assert f"| `{mid}` |" in doc, mid  # defined in the metrics table all the same


# ---------------------------------------------------------------------------------------------
# What the evidence file holds, and what it never holds


def test_the_file_names_its_sources_and_holds_nothing_personal(
    tmp_path: Path, invoke: Invoke
) -> None:
    import hashlib

    (tmp_path / "alignment.yaml").write_text("organization: X\n", encoding="utf-8")
    result = invoke("evidence", "import", *map(str, FILES), "--into", str(tmp_path))
    assert result.exit_code == 0, result.output
    [written] = list((tmp_path / "evidence").glob("*.json"))
    text = written.read_text(encoding="utf-8")
    data = json.loads(text)
    for source, path in zip(
        sorted(data["sources"], key=lambda s: s["file"]), sorted(FILES), strict=True
    ):
        raw = path.read_bytes()
        assert source["file"] == path.name
        assert source["size"] == len(raw)
        assert source["sha256"] == hashlib.sha256(raw).hexdigest()
        assert source["rows"] == len(rows(path))
    for path in FILES:
        for row in rows(path):
            for column in ("Id", "WhoId", "FirstName", "LastName", "Email", "Name"):
                if row.get(column):
                    assert row[column] not in text, (column, row[column])


def test_a_dry_run_writes_nothing(tmp_path: Path, invoke: Invoke) -> None:
    result = invoke("evidence", "import", *map(str, FILES), "--into", str(tmp_path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would write" in result.output
    assert not (tmp_path / "evidence").exists()


def test_show_prints_the_latest_import(tmp_path: Path, invoke: Invoke) -> None:
    assert invoke("evidence", "import", *map(str, FILES), "--into", str(tmp_path)).exit_code == 0
    shown = invoke("evidence", "show", str(tmp_path), "--format", "json")
    assert shown.exit_code == 0
    data = json.loads(shown.output)
    assert data["metrics"]["never_contacted_share"]["value"] == 0.2
    text = invoke("evidence", "show", str(tmp_path))
    assert "Never contacted: 20.0% (n=5)" in text.output
    none = invoke("evidence", "show", str(tmp_path / "evidence"))
    assert none.exit_code == 2


# ---------------------------------------------------------------------------------------------
# Recognising the exports: API names and labels


LABELS_LEAD = ["Lead ID", "Created Date", "Lead Source", "Converted", "Converted Opportunity ID"]
LABELS_TASK = ["Activity ID", "Name ID", "Created Date", "Task Subtype"]


def test_report_labels_and_locale_dates_read_like_api_names(tmp_path: Path) -> None:
    """A Salesforce report export in a US locale gives the same figures as Data Loader's."""
    leads = rows(FIXTURE / "Lead.csv")
    tasks = rows(FIXTURE / "Task.csv")

    def us(text: str) -> str:
        t = sf(text)
        return f"{t.month}/{t.day}/{t.year} {t.strftime('%I:%M %p').lstrip('0')}"

    lead_file = write_csv(
        tmp_path / "leads report.csv",
        LABELS_LEAD,
        [
            [
                x["Id"],
                us(x["CreatedDate"]),
                x["LeadSource"],
                x["IsConverted"],
                x["ConvertedOpportunityId"],
            ]
            for x in leads
        ],
    )
    task_file = write_csv(
        tmp_path / "tasks report.csv",
        LABELS_TASK,
        [[t["Id"], t["WhoId"], us(t["CreatedDate"]), t["TaskSubtype"]] for t in tasks],
    )
    labelled = build([lead_file, task_file], default_mapping(), imported="x")
    api = build(FILES[:2], default_mapping(), imported="x")
    for mid in ("speed_to_lead_hours", "never_contacted_share", "contacted_within_1h_share"):
        assert labelled["metrics"][mid]["value"] == api["metrics"][mid]["value"]
    assert [s["kind"] for s in labelled["sources"]] == ["salesforce-lead", "salesforce-task"]


def test_hubspot_contacts_and_deals_with_labels_or_internal_names(tmp_path: Path) -> None:
    header_internal = [
        "hs_object_id",
        "createdate",
        "lifecyclestage",
        "hs_analytics_source",
        "hs_lifecyclestage_marketingqualifiedlead_date",
        "hs_lifecyclestage_salesqualifiedlead_date",
        "hs_first_outreach_date",
        "hs_lead_status",
    ]
    header_labels = [
        "Record ID",
        "Create Date",
        "Lifecycle Stage",
        "Original Source",
        "Became a Marketing Qualified Lead Date",
        "Became a Sales Qualified Lead Date",
        "First outreach date",
        "Lead Status",  # Salesforce's Lead has this label too: not enough to call it one
    ]
    body = [
        [
            "1",
            "2026-07-01 09:00",
            "salesqualifiedlead",
            "ORGANIC_SEARCH",
            "2026-07-02 09:00",
            "2026-07-04 09:00",
            "2026-07-01 10:00",
            "Open",
        ],
        [
            "2",
            "2026-07-01 09:00",
            "marketingqualifiedlead",
            "Offline sources",
            "2026-07-03 09:00",
            "",
            "2026-07-02 09:00",
            "",
        ],
        [
            "3",
            "2026-07-02 09:00",
            "opportunity",
            "Paid search",
            "2026-07-02 12:00",
            "2026-07-03 12:00",
            "",
            "New",
        ],
        ["4", "2026-07-03 09:00", "lead", "", "", "", "", ""],
    ]
    deals_header = ["Deal Stage", "Amount", "Close Date", "Original Source Type"]
    deals = [
        ["closedwon", "1000", "2026-08-01", "Paid search"],
        ["Closed Lost", "2000", "2026-08-01", "Offline sources"],
        ["appointmentscheduled", "3000", "2026-09-01", "Email marketing"],
        ["presentationscheduled", "1000", "2026-09-01", "Offline sources"],
    ]
    for header, name in ((header_internal, "internal"), (header_labels, "labels")):
        contacts = write_csv(tmp_path / f"contacts-{name}.csv", header, body)
        deal_file = write_csv(tmp_path / f"deals-{name}.csv", deals_header, deals)
        got = build([contacts, deal_file], default_mapping(), imported="x")["metrics"]
        assert got["mql_to_sql_share"]["value"] == pytest.approx(2 / 3, abs=1e-6)
        assert got["mql_to_sql_share"]["n"] == 3
        assert got["days_mql_to_sql"]["value"] == pytest.approx(statistics.median([2.0, 1.0]))
        assert got["speed_to_lead_hours"]["value"] == pytest.approx(statistics.median([1, 24]))
        assert got["never_contacted_share"]["value"] == 0.5
        assert got["lead_to_opportunity_share"]["value"] == 0.25
        assert got["leads_without_source_share"]["value"] == 0.25
        assert got["win_rate"]["value"] == 0.5
        assert got["marketing_sourced_pipeline_share"]["value"] == 0.75


def test_a_mapping_renames_columns_and_classes_sources(tmp_path: Path) -> None:
    lead_file = write_csv(
        tmp_path / "l.csv",
        ["Id", "Lead Created", "Origin", "IsConverted"],
        [["a", "2026-07-01", "Fair", "false"], ["b", "2026-07-02", "Web", "false"]],
    )
    opp_file = write_csv(
        tmp_path / "o.csv",
        ["StageName", "Amount", "Origin"],
        [["Prospecting", "100", "Fair"], ["Prospecting", "300", "Web"]],
    )
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "columns: {'Lead Created': CreatedDate, Origin: LeadSource}\n"
        "marketing_sources: [fair]\ndefault_sources: false\n",
        encoding="utf-8",
    )
    got = build([lead_file, opp_file], load_mapping(mapping), imported="x")["metrics"]
    assert got["marketing_sourced_pipeline_share"]["value"] == 0.25  # Web is no longer counted
    assert got["leads_without_source_share"]["value"] == 0.0


# ---------------------------------------------------------------------------------------------
# Bad input: exit 2, located, nothing written


def _fails(tmp_path: Path, invoke: Invoke, *args: str) -> str:
    result = invoke("evidence", "import", *args, "--into", str(tmp_path))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "evidence").exists()
    return str(result.output)


def test_an_unknown_export_is_named(tmp_path: Path, invoke: Invoke) -> None:
    f = write_csv(tmp_path / "x.csv", ["Name", "Phone"], [["a", "1"]])
    out = _fails(tmp_path, invoke, str(f))
    assert f"{f}:1: cannot tell what this export is" in out
    assert "Name, Phone" in out


def test_a_missing_required_column_says_what_it_is_for(tmp_path: Path, invoke: Invoke) -> None:
    f = write_csv(tmp_path / "t.csv", ["Id", "WhoId", "TaskSubtype"], [["1", "2", "Call"]])
    out = _fails(tmp_path, invoke, str(FILES[0]), str(f))
    assert f"{f}:1: missing column 'CreatedDate'" in out
    assert "the time of each activity" in out


@pytest.mark.parametrize(
    ("column", "value", "what"),
    [
        ("CreatedDate", "2026-02-30T09:00:00.000+0000", "impossible date"),
        ("CreatedDate", "yesterday", "impossible date"),
        ("IsConverted", "maybe", "is not true or false"),
    ],
)
def test_an_impossible_cell_is_located(
    tmp_path: Path, invoke: Invoke, column: str, value: str, what: str
) -> None:
    lines = (FIXTURE / "Lead.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[3].split(",")
    cells[header.index(column)] = value
    lines[3] = ",".join(cells)
    f = tmp_path / "Lead.csv"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = _fails(tmp_path, invoke, str(f))
    assert f"{f}:4:{header.index(column) + 1}: {what}" in out or (
        f"{f}:4:{header.index(column) + 1}: '{value}' in {column} {what}" in out
    )


def test_an_impossible_amount_is_located_past_a_quoted_line_break(
    tmp_path: Path, invoke: Invoke
) -> None:
    f = write_csv(
        tmp_path / "o.csv",
        ["Name", "StageName", "Amount"],
        [["a\nb", "Prospecting", "100"], ["c", "Prospecting", "-5"]],
    )
    out = _fails(tmp_path, invoke, str(f))
    assert f"{f}:4:3: impossible amount '-5' in Amount" in out


def test_a_mapping_naming_a_missing_column_is_located(tmp_path: Path, invoke: Invoke) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text("timezone: UTC\ncolumns:\n  Lead Origin: LeadSource\n", encoding="utf-8")
    out = _fails(tmp_path, invoke, str(FILES[0]), "--mapping", str(mapping))
    assert f"{mapping}:3:3: columns.Lead Origin: no column 'Lead Origin'" in out


def test_a_mapping_with_an_unknown_zone_is_located(tmp_path: Path, invoke: Invoke) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text("timezone: Mars/Olympus\n", encoding="utf-8")
    out = _fails(tmp_path, invoke, str(FILES[0]), "--mapping", str(mapping))
    assert f"{mapping}:1:11: timezone: unknown time zone 'Mars/Olympus'" in out


# ---------------------------------------------------------------------------------------------
# Business hours: the SQL agrees with a minute-by-minute count


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.integers(0, 14 * 24 * 60), st.integers(0, 6 * 24 * 60)),
        min_size=1,
        max_size=5,
    )
)
def test_business_hours_match_a_minute_by_minute_count(
    tmp_path: Path, pairs: list[tuple[int, int]]
) -> None:
    base = datetime(2026, 7, 4, tzinfo=UTC)  # a Saturday
    lead_rows, task_rows, expected = [], [], []
    for i, (start, delay) in enumerate(pairs):
        created = base + timedelta(minutes=start)
        touch = created + timedelta(minutes=delay)
        lead_rows.append([f"L{i}", created.strftime("%Y-%m-%dT%H:%M:%S.000+0000"), "false"])
        task_rows.append([f"L{i}", touch.strftime("%Y-%m-%dT%H:%M:%S.000+0000"), "Call"])
        expected.append(business_hours_between(created, touch))
    leads = write_csv(tmp_path / "l.csv", ["Id", "CreatedDate", "IsConverted"], lead_rows)
    tasks = write_csv(tmp_path / "t.csv", ["WhoId", "CreatedDate", "TaskSubtype"], task_rows)
    mapping = tmp_path / "m.yaml"
    mapping.write_text("business_hours: {start: '09:00', end: '17:00'}\n", encoding="utf-8")
    got = build([leads, tasks], load_mapping(mapping), imported="x")["metrics"]
    business = got["speed_to_lead_hours"]["business_hours"]
    assert business["median"] == pytest.approx(statistics.median(expected), abs=1e-4)


# ---------------------------------------------------------------------------------------------
# A metric as an answer to its question


@pytest.fixture(scope="module")
def default_rubric() -> Any:
    return load_rubric().rubric


@pytest.fixture(scope="module")
def v1_rubric() -> Any:
    return load_rubric(V1_RUBRIC).rubric


def _question(rubric: Any, qid: str) -> Any:
    return next(q for q in rubric.questions if q.id == qid)


@pytest.mark.parametrize(
    ("qid", "metric_value", "value", "score"),
    [
        ("lead-follow-up-hours", 11.9, 11.9, 0.5),  # band 1..24
        ("lead-follow-up-hours", 0.05, 0.05, 1.0),
        ("sla-compliance", 0.623, 62.3, 0.35),  # a share read as percent, band 50..75
        ("never-contacted-percent", 0.16, 16.0, 0.25),
        ("marketing-sourced-pipeline", 0.4, 40.0, 1.0),
    ],
)
def test_a_metric_scores_on_its_questions_bands(
    v1_rubric: Any, qid: str, metric_value: float, value: float, score: float
) -> None:
    q = _question(v1_rubric, qid)
    got = measured(q, metric_value, v1_rubric)
    assert got.value == pytest.approx(value)
    assert got.score == score
    from alignment_cli.model.qtypes import KINDS

    assert got.score == KINDS[q.type].normalise(q, value, v1_rubric)


def test_a_value_outside_the_bands_has_no_score(v1_rubric: Any) -> None:
    q = _question(v1_rubric, "sla-compliance")
    assert measured(q, 1.5, v1_rubric).score is None


def test_the_default_rubric_links_the_questions_a_crm_answers(default_rubric: Any) -> None:
    linked = {q.id: q.evidence for q in default_rubric.questions if q.evidence}
    assert linked == {
        "lead-follow-up-hours": "speed_to_lead_hours",
        "never-contacted-percent": "never_contacted_share",
        "sla-compliance": "contacted_within_sla_share",
        "marketing-sourced-pipeline": "marketing_sourced_pipeline_share",
        "mql-to-sql-rate": "mql_to_sql_share",
        "leads-without-source-percent": "leads_without_source_share",
    }


# ---------------------------------------------------------------------------------------------
# The halfway example: reproducible, and its story


def test_the_halfway_exports_and_evidence_are_reproducible(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    crm = EXAMPLES / "halfway-crm"
    spec = importlib.util.spec_from_file_location("halfway_crm", crm / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    names = ("Lead.csv", "Task.csv", "Opportunity.csv")
    for name in names:
        assert (tmp_path / name).read_bytes() == (crm / name).read_bytes(), name
    [committed] = list((EXAMPLES / "halfway" / "evidence").glob("*.json"))
    data = json.loads(committed.read_text(encoding="utf-8"))
    fresh = build(
        [crm / n for n in sorted(names)],
        load_mapping(crm / "mapping.yaml"),
        imported=data["imported"],
    )
    assert fresh == data


def test_the_frozen_halfway_evidence_is_what_importing_its_exports_gives() -> None:
    """The engine side of the check above, on tests/data/v1 (which does not move with the
    shipped examples): the same exports and mapping build the same evidence, byte for byte."""
    crm = v1_example("halfway-crm")
    [committed] = list((v1_example("halfway") / "evidence").glob("*.json"))
    data = json.loads(committed.read_text(encoding="utf-8"))
    names = ("Lead.csv", "Opportunity.csv", "Task.csv")
    fresh = build(
        [crm / n for n in names], load_mapping(crm / "mapping.yaml"), imported=data["imported"]
    )
    assert fresh == data
    assert dump(fresh) == committed.read_text(encoding="utf-8")
    assert committed.name == file_name(fresh)


def test_the_halfway_story_sales_claims_more_than_the_data_shows() -> None:
    import yaml

    [committed] = list((EXAMPLES / "halfway" / "evidence").glob("*.json"))
    measured_sla = json.loads(committed.read_text())["metrics"]["contacted_within_sla_share"]
    said = {}
    for path in (EXAMPLES / "halfway" / "responses").glob("*.yaml"):
        answers = yaml.safe_load(path.read_text())
        if "sla-compliance" in answers["answers"]:  # the heads and revops; the rep is not asked
            said[answers["respondent"]["role"]] = answers["answers"]["sla-compliance"]
    assert set(said) == {"sales", "marketing", "revops"}
    data = measured_sla["value"] * 100
    assert said["sales"] - data > 15
    assert abs(said["revops"] - data) < abs(said["sales"] - data)


def test_loaded_mapping_defaults() -> None:
    assert isinstance(default_mapping(), LoadedMapping)
    with pytest.raises(InvalidInput):
        build([ROOT / "nonexistent.csv"], default_mapping(), imported="x")


def test_the_benchmark_exports_are_deterministic_and_import(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from evidence import generate

    a = generate(tmp_path / "a", 2_000, 6_000, 3)
    b = generate(tmp_path / "b", 2_000, 6_000, 3)
    for x, y in zip(a, b, strict=True):
        assert x.read_bytes() == y.read_bytes()
    got = build(list(a), default_mapping(), imported="x")
    assert [s["rows"] for s in got["sources"]] == [2_000, 6_000]
    # Three activities per lead, spread at random: about e^-3 of the leads get none.
    assert 0.02 < got["metrics"]["never_contacted_share"]["value"] < 0.09


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        (["Id", "CreatedDate", "LeadSource", "IsConverted"], "salesforce-lead"),
        (["Lead ID", "Created Date", "Lead Status", "Lead Source"], "salesforce-lead"),
        (["Id", "WhoId", "CreatedDate", "Type"], "salesforce-task"),
        (["Activity ID", "Name ID", "Created Date", "Task Subtype"], "salesforce-task"),
        (["Id", "Amount", "StageName", "IsWon", "CloseDate"], "salesforce-opportunity"),
        (
            ["Opportunity ID", "Amount", "Stage", "Close Date", "Lead Source"],
            "salesforce-opportunity",
        ),
        (["Record ID", "Create Date", "Lifecycle Stage", "Lead Status"], "hubspot-contact"),
        (["hs_object_id", "createdate", "hs_lifecyclestage_lead_date"], "hubspot-contact"),
        (["Record ID", "Deal Name", "Deal Stage", "Amount"], "hubspot-deal"),
        (["dealname", "dealstage", "amount", "closedate"], "hubspot-deal"),
    ],
)
def test_each_kind_is_recognised_from_its_header(headers: list[str], kind: str) -> None:
    from alignment_cli.evidence.formats import recognise

    [(found, _)] = recognise(headers, {})
    assert found.id == kind


def test_windows_line_ends_and_a_byte_order_mark_read_alike(tmp_path: Path) -> None:
    crlf = []
    for path in FILES[:2]:
        text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
        out = tmp_path / path.name
        out.write_bytes(("\ufeff" + text).encode("utf-8"))
        crlf.append(out)
    got = build(crlf, default_mapping(), imported="x")["metrics"]
    want = build(FILES[:2], default_mapping(), imported="x")["metrics"]
    assert got == want


def test_a_european_report_semicolons_day_first_and_decimal_commas(tmp_path: Path) -> None:
    f = tmp_path / "opps.csv"
    f.write_text(
        "Opportunity ID;Stage;Amount;Close Date;Lead Source;Created Date\n"
        "1;Closed Won;1.234,50 €;31.07.2026;Web;01.07.2026 09:00\n"
        "2;Prospecting;EUR 2.000,00;15.09.2026;Web;13.07.2026 14:30\n"
        "3;Prospecting;6000;15.09.2026;Cold Call;14.07.2026 08:00\n",
        encoding="utf-8",
    )
    got = build([f], default_mapping(), imported="x")
    assert got["metrics"]["marketing_sourced_pipeline_share"]["value"] == 0.25
    assert got["period"] == {"from": "2026-07-01", "to": "2026-07-14"}
