"""Every figure a reader can recompute from the report adds up as displayed (issue 15, item 2).

The checks read the rendered Markdown only (tests/report_arithmetic.py): gaps beside their two
scores, changes beside before and after, the points to go, phase status against threshold, the
level against the overall score, scores inside their intervals, sentences against their tables.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLES, MINIMAL_RUBRIC, V1_EXAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from report_arithmetic import number, problems, tables
from test_history import edit_answers, make_engagement

from alignment_cli.clock import NOW_ENV
from alignment_cli.report import context as rp
from alignment_cli.report import progress as rprogress
from alignment_cli.report import render as rrender
from alignment_cli.scoring.compare import compare
from alignment_cli.scoring.pipeline import score_inputs

Invoke = Callable[..., Any]


# --------------------------------------------------------------------------- the checker itself


def test_the_checker_finds_what_does_not_add_up() -> None:
    """The issue's own examples, as they were printed before: each must be caught."""
    bad_gap = (
        "## Scorecard\n\n| Dimension | Score | Sales | Marketing | Gap |\n"
        "| --- | ---: | ---: | ---: | ---: |\n| Service levels | 60 | 62 | 62 | −1 |\n"
    )
    assert any("62 − 62 is not −1" in p for p in problems(bad_gap))
    bad_change = "The overall score is up 1 point since 1 May 2026 (from 41 to 41).\n"
    assert problems(bad_change) == [
        "sentence 'up 1 point since 1 May 2026 (from 41 to 41)': 41 − 41 is not +1"
    ]
    bad_table = (
        "| Score | 1 May | Now | Change |\n| --- | ---: | ---: | ---: |\n| Overall | 41 | 45 | +4 |"
        "\n| Goals | 61 | 77 | +17 (within noise) |\n"
    )
    assert problems(bad_table) == [
        "table at line 1 (): 'Goals': 61 to 77 is not +17 (within noise)"
    ]
    bad_phase = (
        "| Phase | Score | Threshold | Status |\n| --- | ---: | ---: | --- |\n"
        "| Alignment | 60 | 60 | Not yet |\n"
    )
    assert len(problems(bad_phase)) == 1
    assert number("46 (38–55) †") == 46 and number("−7") == -7 and number("–") is None


# --------------------------------------------------------------------------- the examples


# The frozen 1.0.0 examples and the shipped ones on 2.0.0 (role groups, targets, verdicts).
ORGS = [
    *(pytest.param(V1_EXAMPLES / o, id=f"v1-{o}") for o in ("siloed", "halfway", "integrated")),
    *(pytest.param(EXAMPLES / o, id=o) for o in ("siloed", "halfway", "integrated")),
]


@pytest.mark.parametrize("org", ORGS)
def test_example_reports_add_up(org: Path, invoke: Invoke) -> None:
    result = invoke("report", str(org))
    assert result.exit_code == 0, result.output
    md = result.stdout
    assert problems(md) == []
    gap_tables = [t for t in tables(md) if "Gap" in t.header]
    assert len(gap_tables) >= 2  # the dimension table and the perception gap at least


@pytest.mark.parametrize("org", ORGS)
def test_score_markdown_adds_up(org: Path, invoke: Invoke) -> None:
    """The terminal's Markdown (and the CI step summary) prints the same gaps as the report."""
    result = invoke("score", str(org), "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert any("Gap" in t.header for t in tables(result.stdout))
    assert problems(result.stdout) == []


def test_halfway_figures_that_did_not_add_up(invoke: Invoke) -> None:
    """Before: 45 minus 56 was printed as -10, 44 minus 51 as -6, 46 minus 41 as +6 (gaps of
    the unrounded scores); and 60 sat below all three groups without a word."""
    md = invoke("report", str(V1_EXAMPLES / "halfway")).stdout
    assert "| Shared goals and metrics | 46 (37–54) † | 45 † | 56 † | −11 | 65 |" in md
    assert "| Joint planning and resources | 48 (43–52) † | 44 † | 51 † | −7 | – |" in md
    # Below every group: the CRM's figures stand for three of its answers (halfway's evidence/).
    assert (
        "Service levels and hand-offs scores 57 overall, below every group's score: the CRM's "
        "figures stand for the answers to 3 of its questions" in md
    )
    assert "each on the questions both answered" in md


@pytest.fixture
def quarters(tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> Path:
    eng = make_engagement(tmp_path / "eng")
    monkeypatch.setenv(NOW_ENV, "2026-01-15T09:00:00Z")
    assert invoke("score", str(eng), "--save").exit_code == 0
    edit_answers(eng, "sam", lead_definition=3)
    monkeypatch.setenv(NOW_ENV, "2026-04-15T09:00:00Z")
    assert invoke("score", str(eng), "--save").exit_code == 0
    monkeypatch.delenv(NOW_ENV)
    edit_answers(eng, "sam", lead_definition=5)
    return eng


def test_two_quarters_add_up(quarters: Path, invoke: Invoke) -> None:
    """Before: "up 17 points (from 61 to 77)" and "62 | 88 | +25": changes of the unrounded
    scores beside rounded ones."""
    md = invoke("report", str(quarters)).stdout
    assert "up 16 points since 15 April 2026 (from 61 to 77)" in md
    assert problems(md) == []
    q1 = sorted((quarters / "history").glob("*.json"))[0]
    md = invoke("report", str(quarters), "--baseline", str(q1)).stdout
    assert "Change since the last run" in md
    assert problems(md) == []


def test_a_score_just_under_a_threshold_shows_its_decimal(tmp_path: Path) -> None:
    """59.6 is not shown as 60 beside a threshold of 60 and "Not yet"."""
    scored = score_inputs([V1_EXAMPLES / "halfway"])
    card = scored.card
    phases = [
        p.model_copy(update={"score": 59.6, "achieved": False, "interval": None})
        for p in card.phases
    ]
    card = card.model_copy(
        update={
            "phases": phases,
            "overall": 64.7,
            "target": 65.0,
            "overall_interval": None,
        }
    )
    md = rrender.render(rp.build_context(card, scored.rubric, day=date(2026, 9, 24)), "md")
    assert "| Assessment | 59.6" in md
    assert "**Target:** 65, 0.3 points to go" in md
    # (the level and the heat map no longer fit these made-up figures: not checked here)
    assert [p for p in problems(md) if "By phase" in p or "summary" in p] == []


# --------------------------------------------------------------------------- any answers


def _asked(p: dict[str, Any]) -> dict[str, Any]:
    """follow-up-hours is asked of sales only, and only when an SLA exists."""
    if p["role"] != "sales" or p["answers"].get("sla-exists") is not True:
        p["answers"].pop("follow-up-hours", None)
    return p


_ROLES = st.sampled_from(["sales", "marketing"])
_PERSON = st.builds(
    _asked,
    st.fixed_dictionaries(
        {
            "role": _ROLES,
            "answers": st.fixed_dictionaries(
                {},
                optional={
                    "market-maturity": st.sampled_from(["new", "mature"]),
                    "lead-definition": st.one_of(st.integers(1, 5), st.just("unknown")),
                    "sla-exists": st.booleans(),
                    "follow-up-hours": st.integers(0, 72),
                    "handoff-channels": st.lists(
                        st.sampled_from(["crm-task", "context", "reject-reason"]), unique=True
                    ),
                },
            ),
        }
    ),
)


def _write(root: Path, people: list[dict[str, Any]]) -> Path:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for i, p in enumerate(people):
        doc = {
            "rubric": {"id": "minimal-alignment", "version": "0.1.0"},
            "respondent": {"name": f"Person {i}", "role": p["role"]},
            "organization": "Example Co",
            "updated": "2026-11-01T09:00:00Z",
            "answers": p["answers"],
        }
        (root / f"p{i}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), "utf-8")
    return root


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    before=st.lists(_PERSON, min_size=1, max_size=7),
    after=st.lists(_PERSON, min_size=1, max_size=7),
    min_group=st.sampled_from([None, 1, 2, 3]),
)
def test_any_answers_add_up(
    tmp_path: Path, before: list[dict[str, Any]], after: list[dict[str, Any]], min_group: int | None
) -> None:
    old = score_inputs([_write(tmp_path / "before", before)], rubric_ref=str(MINIMAL_RUBRIC))
    new = score_inputs([_write(tmp_path / "after", after)], rubric_ref=str(MINIMAL_RUBRIC))
    earlier = old.card.model_copy(update={"generated_at": datetime(2026, 8, 1, tzinfo=UTC)})
    context = rp.build_context(
        new.card,
        new.rubric,
        day=date(2026, 11, 2),
        min_group=min_group,
        comparison=rprogress.comparison_view(compare(earlier, new.card)),
    )
    md = rrender.render(context, "md")
    assert problems(md) == []
