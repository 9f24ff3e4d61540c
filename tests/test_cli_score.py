"""`alignment score` end to end: formats, several inputs, JSON fields, gates, errors."""

from __future__ import annotations

import html
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_RESPONSES, MINIMAL_RUBRIC, V1_EXAMPLES, V1_RUBRIC, copy_engagement

Invoke = Callable[..., Any]
MINIMAL = (str(MINIMAL_RESPONSES), "--rubric", str(MINIMAL_RUBRIC))


def _json(invoke: Invoke, *args: str) -> dict[str, Any]:
    result = invoke("score", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_json_carries_provenance_counts_and_every_score(invoke: Invoke) -> None:
    from alignment_cli import __version__
    from alignment_cli.model.rubric import load_rubric

    data = _json(invoke, *MINIMAL)
    assert data["schema_version"] == 2 and data["tool_version"] == __version__
    assert data["rubric"] == {
        "id": "minimal-alignment",
        "version": "0.1.0",
        "hash": load_rubric(MINIMAL_RUBRIC).content_hash,
        "title": "Minimal alignment check",
    }
    assert data["generated_at"].endswith("Z") or "+" in data["generated_at"]
    assert data["answers_updated"] == "2026-11-02T09:00:00Z"
    assert data["respondent_count"] == 2 and data["by_role"] == {"sales": 1, "marketing": 1}
    assert data["counts"] == {
        "respondents": 2,
        "questions": 5,
        "scored_questions": 4,
        "asked": 7,
        "answered": 7,
        "unknown": 0,
        "na": 0,
        "missing": 0,
    }
    assert data["coverage"] == 1.0 and data["overall"] == 52.2222
    assert {d["id"]: d["score"] for d in data["dimensions"]} == {
        "definitions": 50.0,
        "service-levels": 56.6667,
    }
    assert [q["id"] for q in data["questions"]] == [
        "market-maturity",
        "lead-definition",
        "sla-exists",
        "follow-up-hours",
        "handoff-channels",
    ]
    assert data["largest_question_gap"]["id"] == "lead-definition"
    assert data["organization"] == "Example Co"


@pytest.mark.parametrize(
    ("block", "folder", "at_least"),
    [("worked-example", "minimal", 20), ("worked-example-groups", "minimal-groups", 20)],
)
def test_the_worked_examples_in_the_docs_are_what_the_code_computes(
    invoke: Invoke, block: str, folder: str, at_least: int
) -> None:
    from conftest import ROOT

    doc = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    text = doc.split(f"<!-- {block}:begin -->")[1].split(f"<!-- {block}:end -->")[0]
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) > at_least
    data = _json(invoke, str(ROOT / "tests" / "data" / folder), "--rubric", str(MINIMAL_RUBRIC))
    for row in rows:
        path, expected = (cell.strip().strip("`") for cell in row.strip("|").split("|"))
        actual = _at(data, path)
        if isinstance(actual, list):
            actual = ", ".join(map(str, actual))
        wanted: Any = {"none": None, "true": True, "false": False}.get(expected, expected)
        if isinstance(actual, int | float) and not isinstance(actual, bool):
            wanted = float(expected)
        assert actual == wanted, (path, actual, expected)


def _at(data: Any, path: str) -> Any:
    """`dimensions[service-levels].by_role.sales` in the scorecard's JSON."""
    for part in path.split("."):
        name, _, ident = part.partition("[")
        data = data[name]
        if ident:
            data = next(x for x in data if x["id"] == ident.rstrip("]"))
    return data


def test_several_folders_and_files_are_scored_together(invoke: Invoke, tmp_path: Path) -> None:
    responses = sorted((V1_EXAMPLES / "halfway" / "responses").glob("*.yaml"))
    # Loose files name no engagement: the rubric is the one given, not the folder's.
    data = _json(invoke, *(str(p) for p in responses[:2]), "--rubric", str(V1_RUBRIC))
    assert data["respondent_count"] == 2
    for p in responses:
        shutil.copy(p, tmp_path / p.name)
    halfway = str(V1_EXAMPLES / "halfway")
    data = _json(invoke, str(tmp_path / responses[0].name), halfway, "--rubric", str(V1_RUBRIC))
    assert data["respondent_count"] == 4  # a copy is another file: named, not merged
    twice = _json(invoke, halfway, str(responses[0]), halfway, "--rubric", str(V1_RUBRIC))
    assert twice["respondent_count"] == 3  # the same file named twice counts once
    plain = tmp_path / "plain"  # the engagement without its CRM evidence: answers only
    copy_engagement(V1_EXAMPLES / "halfway", plain, ignore=shutil.ignore_patterns("evidence"))
    whole = _json(invoke, str(plain))
    split = _json(invoke, *(str(p) for p in responses), "--rubric", str(V1_RUBRIC))
    assert split["overall"] == whole["overall"]
    assert [d["score"] for d in split["dimensions"]] == [d["score"] for d in whole["dimensions"]]
    assert split["questions"] == whole["questions"]


def test_text_output_stays_readable_at_80_columns(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alignment_cli.model.rubric import load_rubric

    monkeypatch.setenv("COLUMNS", "80")
    result = invoke("score", str(V1_EXAMPLES / "halfway"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in result.stdout
    words = " ".join(result.stdout.split())
    for d in load_rubric(V1_RUBRIC).rubric.dimensions:
        for word in d.title.split():
            assert word in words, d.title
    # With the CRM evidence in examples/halfway/evidence replacing four fact questions' answers
    # (docs/scoring.md, section 5b): 51.5 (48-55) from the answers alone.
    assert "Overall 51/100 (47–54) †" in words and "level Defined" in words
    assert "Say vs do" in words and "sales 80% (+17.8 pp)" in words
    assert "current phase: Assessment" in words
    assert "█" not in result.stdout  # no room for bars
    monkeypatch.setenv("COLUMNS", "120")
    wide = invoke("score", str(V1_EXAMPLES / "halfway")).stdout
    assert "█" in wide and "Shared goals and metrics" in wide


def test_markdown_summary(invoke: Invoke) -> None:
    result = invoke("score", *MINIMAL, "--format", "markdown")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("## Example Co: Minimal alignment check")
    assert (
        "**Overall 52/100** (0–100) †, level **Working apart**, current phase **Alignment**" in out
    )
    assert "| Shared definitions | 50 (0–100) † | 25 | 75 | -50 |" in out
    # Beside the gap, both sides on the questions both answered: 70 - 90 = -20.
    assert "| Service levels | 57 (0–100) † | 70 | 90 | -20 |" in out
    assert "- † indicative: fewer than 3 respondents in sales (1), marketing (1)." in out
    assert "- Write a follow-up service level (medium, sales, alignment)" in out


def test_gates_fail_with_a_message_naming_what_failed(invoke: Invoke) -> None:
    result = invoke(
        "score",
        *MINIMAL,
        "--fail-under",
        "60",
        "--fail-under-dimension",
        "definitions=50",
        "--fail-under-dimension",
        "service-levels=57",
    )
    assert result.exit_code == 1
    assert "Overall 52/100" in result.stdout  # the scorecard is still printed
    assert (
        "error: gate failed: overall score 52.2 is under 60; dimension service-levels "
        "scores 56.7, under 57"
    ) in " ".join(result.output.split())


def test_gates_that_pass_exit_0(invoke: Invoke) -> None:
    result = invoke(
        "score", *MINIMAL, "--fail-under", "52", "--fail-under-dimension", "definitions=50"
    )
    assert result.exit_code == 0, result.output
    assert "gate failed" not in result.output
    # The gates were applied, and sit right at the scores (overall 52.2, definitions 50):
    for flags in (("--fail-under", "52.3"), ("--fail-under-dimension", "definitions=50.01")):
        assert invoke("score", *MINIMAL, *flags).exit_code == 1, flags


def test_a_score_just_under_a_gate_does_not_print_as_reaching_it(invoke: Invoke) -> None:
    result = invoke("score", *MINIMAL, "--fail-under-dimension", "service-levels=56.67")
    assert result.exit_code == 1
    assert "scores 56.6667, under 56.67" in result.output  # not "56.7, under 56.67"


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        (
            "definition=50",
            "--fail-under-dimension names unknown dimension 'definition' (did you mean "
            "'definitions'?); this rubric's dimensions: definitions, service-levels",
        ),
        (
            "shared=50",  # the start of the title "Shared definitions"
            "--fail-under-dimension names unknown dimension 'shared' (did you mean 'definitions'?)",
        ),
        ("definitions", "--fail-under-dimension expects ID=N with N from 0 to 100"),
        ("definitions=abc", "--fail-under-dimension expects ID=N with N from 0 to 100"),
        ("definitions=101", "--fail-under-dimension expects ID=N with N from 0 to 100"),
    ],
)
def test_a_wrong_dimension_gate_is_a_usage_error(invoke: Invoke, flag: str, message: str) -> None:
    result = invoke("score", *MINIMAL, "--fail-under-dimension", flag)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_gates_from_alignment_yaml_apply_and_flags_override(
    invoke: Invoke, engagement_copy: Callable[[str], Path]
) -> None:
    eng = engagement_copy("halfway")
    config = eng / "alignment.yaml"
    config.write_text(
        config.read_text() + "gates: {fail_under: 60, fail_under_dimension: {nope: 10}}\n"
    )
    result = invoke("score", str(eng))
    assert result.exit_code == 2
    assert "gates.fail_under_dimension in alignment.yaml names unknown dimension 'nope'" in (
        " ".join(result.output.split())
    )
    config.write_text(config.read_text().replace("{nope: 10}", "{service-levels: 10}"))
    result = invoke("score", str(eng))
    assert result.exit_code == 1 and "overall score 50.7 is under 60" in result.output
    assert invoke("score", str(eng), "--fail-under", "40").exit_code == 0


def test_bad_answers_exit_2_with_file_and_line(invoke: Invoke, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "rubric: {id: minimal-alignment, version: 0.1.0}\n"
        "respondent: {name: B, role: sales}\n"
        "answers:\n  lead-definition: 9\n",
        encoding="utf-8",
    )
    result = invoke("score", str(bad), "--rubric", str(MINIMAL_RUBRIC))
    assert result.exit_code == 2
    assert f"{bad}:4:" in result.output
    assert "answers.lead-definition: 9 is outside the scale 1..5" in result.output
    assert "Traceback" not in result.output


def test_answers_for_another_rubric_are_refused_by_name(invoke: Invoke) -> None:
    result = invoke("score", str(MINIMAL_RESPONSES), "--rubric", "sales-marketing-alignment")
    assert result.exit_code == 2
    assert "these answers are for rubric 'minimal-alignment', not 'sales-marketing-alignment'" in (
        " ".join(result.output.split())
    )


def test_carry_over_scores_what_still_fits_and_says_so(invoke: Invoke, tmp_path: Path) -> None:
    for p in MINIMAL_RESPONSES.glob("*.yaml"):
        text = p.read_text().replace("version: 0.1.0", "version: 0.0.1")
        (tmp_path / p.name).write_text(text)
    refused = invoke("score", str(tmp_path), "--rubric", str(MINIMAL_RUBRIC))
    assert refused.exit_code == 2 and "pass --carry-over" in refused.output
    data = _json(invoke, str(tmp_path), "--rubric", str(MINIMAL_RUBRIC), "--carry-over")
    assert data["overall"] == 52.2222
    assert sum("carried over to 0.1.0" in w for w in data["warnings"]) == 2


def test_text_names_blind_spots_by_question_and_skips_agreements(invoke: Invoke) -> None:
    result = invoke("score", str(V1_EXAMPLES / "siloed"), "--format", "json")
    card = json.loads(result.output)
    text = invoke("score", str(V1_EXAMPLES / "siloed")).output
    flat = " ".join(text.replace("│", " ").split())
    first = card["blind_spots"][0]
    assert "Blind spots" in flat and " ".join(first["text"].split()) in flat
    assert f"{first['unknown']} of {first['asked']}" in flat
    assert (
        "Strategic orientation: the answers point to Marketing-led; today it is Sales-led, " in flat
    )
    top = len(card["recommendations"])
    assert f"Top recommendations (8 of {top}; `alignment report` has them all)" in flat
    assert " Assessment high " in flat  # phases by title, not id
    disagreements = text.split("disagreements")[1].split("\n\n")[0]
    assert "+0 " not in disagreements and "-0 " not in disagreements


def test_a_trigger_that_fails_while_running_is_a_warning_not_a_silent_false(
    invoke: Invoke, tmp_path: Path
) -> None:
    from scoring_helpers import rubric

    recs = [
        ("text-against-number", "answers.t1 > 5"),  # t1 is a text question: Jinja raises
        ("one-side-fails", "question.s1 < 60 or answers.t1 > 5"),
        ("fires", "question.s1 < 60"),
    ]
    loaded = rubric(
        tmp_path,
        recommendations=[
            {"id": rid, "title": rid, "body": "Do it.", "phase": "one", "trigger": trigger}
            for rid, trigger in recs
        ],
    )
    answers = tmp_path / "answers"
    answers.mkdir()
    (answers / "mia.yaml").write_text(
        "rubric: {id: hand, version: 1.0.0}\n"
        "respondent: {name: Mia, role: marketing}\n"
        "answers:\n  s1: 2\n  t1: soon\n",
        encoding="utf-8",
    )
    args = (str(answers), "--rubric", str(loaded.path))
    expected = [
        "recommendation text-against-number: its trigger failed "
        "(cannot compare text with a number using '>'); not fired",
        "recommendation one-side-fails: its trigger failed "
        "(cannot compare text with a number using '>'); not fired",
    ]

    data = _json(invoke, *args)
    assert data["warnings"] == expected
    assert [r["id"] for r in data["recommendations"]] == ["fires"]

    result = invoke("score", *args)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    for warning in expected:
        assert f"warning: {warning}" in text

    report = tmp_path / "report.md"
    result = invoke("report", *args, "-o", str(report))
    assert result.exit_code == 0, result.output
    notes = report.read_text(encoding="utf-8").split("### Notes on the data")[1]
    notes = html.unescape(notes)  # the report escapes '>' as Markdown renders it: &gt;
    for warning in expected:
        assert f"- {warning}" in notes


def test_small_groups_low_agreement_and_cancelling_gaps_are_said(invoke: Invoke) -> None:
    from conftest import ROOT

    groups = str(ROOT / "tests" / "data" / "minimal-groups")
    result = invoke("score", groups, "--rubric", str(MINIMAL_RUBRIC))
    assert result.exit_code == 0, result.output
    words = " ".join(result.stdout.split())
    assert "Overall 58/100 (0–100) †" in words
    assert "Shared definitions 56 (15–97) †" in words
    assert "† indicative: fewer than 3 respondents in sales (2)." in words
    assert "Marketing does not agree with itself on Shared definitions (rwg 0.50)." in words
    assert "Service levels: a gap of +10 hides disagreements that cancel out" in words
    data = _json(invoke, groups, "--rubric", str(MINIMAL_RUBRIC))
    assert [(f["role"], f["dimension"], f["rwg"]) for f in data["low_agreement"]] == [
        ("marketing", "definitions", 0.5),
        ("marketing", "service-levels", 0.0),
    ]
    assert data["overall_interval"] == {"low": 0.0, "high": 100.0, "level": 0.95}
    assert all(set(g["interval"]) == {"low", "high"} for g in data["dimensions"])
