"""The bundled rubric and example organisations, scored end to end.

The three examples must land in three different levels, in order; every recommendation trigger of
every bundled rubric must be able both to fire and to stay quiet.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import EXAMPLES, MINIMAL_RUBRIC
from synthetic import scenarios

from alignment_cli.model.rubric import LoadedRubric, bundled_rubrics, load_rubric
from alignment_cli.scoring.engine import score
from alignment_cli.scoring.pipeline import score_inputs

NOW = datetime(2026, 11, 22, tzinfo=UTC)
ORGS = ["siloed", "halfway", "integrated"]


@pytest.fixture(scope="module")
def cards() -> dict[str, object]:
    return {name: score_inputs([EXAMPLES / name], now=NOW).card for name in ORGS}


def test_the_three_examples_land_in_three_levels_in_order(cards: dict[str, object]) -> None:
    from alignment_cli.scoring.scorecard import Scorecard

    loaded = load_rubric(None)
    order = [lv.id for lv in loaded.rubric.levels]
    levels = []
    overall = []
    for name in ORGS:
        card = cards[name]
        assert isinstance(card, Scorecard)
        assert card.level is not None and card.overall is not None
        levels.append(order.index(card.level.id))
        overall.append(card.overall)
    assert levels == sorted(set(levels)), [order[i] for i in levels]
    assert overall == sorted(overall)


def test_the_examples_are_complete_scorecards(cards: dict[str, object]) -> None:
    from alignment_cli.scoring.scorecard import Scorecard

    for name in ORGS:
        card = cards[name]
        assert isinstance(card, Scorecard)
        assert card.respondent_count >= 3 and {"sales", "marketing"} <= set(card.by_role)
        assert card.coverage is not None and card.coverage > 0.9
        assert all(d.score is not None and d.gap is not None for d in card.dimensions)
        assert card.largest_dimension_gap is not None and card.largest_question_gap is not None
        assert card.classifications and card.classifications[0].outcome is not None
        assert card.organization and not card.warnings
    siloed, integrated = cards["siloed"], cards["integrated"]
    assert isinstance(siloed, Scorecard) and isinstance(integrated, Scorecard)
    assert siloed.current_phase == "assessment" and not siloed.all_phases_achieved
    assert len(siloed.recommendations) > len(integrated.recommendations)
    # The siloed organisation disagrees with itself more than the integrated one.
    assert abs(siloed.overall_gap or 0) > abs(integrated.overall_gap or 0)


def _verdict(card: object, cid: str) -> tuple[str | None, bool]:
    from alignment_cli.scoring.scorecard import Scorecard

    assert isinstance(card, Scorecard)
    c = next(c for c in card.classifications if c.id == cid)
    return c.outcome, c.decided


def test_each_example_reads_as_its_story_on_2_0_0(cards: dict[str, object]) -> None:
    """What a consultant reads first, per example (the stories in each engagement's notes)."""
    from alignment_cli.scoring.scorecard import Scorecard

    siloed, halfway, integrated = (cards[n] for n in ORGS)
    assert isinstance(siloed, Scorecard) and isinstance(halfway, Scorecard)
    assert isinstance(integrated, Scorecard)
    assert {c.rubric.version for c in (siloed, halfway, integrated)} == {"2.0.0"}
    # Siloed: the functions work apart; a rep and a marketer stand beside the heads.
    assert siloed.level is not None and siloed.level.id == "undefined"
    assert {"sales-rep", "marketer"} <= {r.role for r in siloed.respondents}
    # The heads describe the market differently (cycle, buying group, inbound share, maturity,
    # what wins deals): no verdict, only the evidence to settle it.
    assert _verdict(siloed, "orientation") == ("orientation-undecided", False)
    assert "resolve-undecided-orientation" in {r.id for r in siloed.recommendations}
    # Halfway: an SLA and an acceptance step, so past alignment and working on integration; the
    # market points both ways (decided: balanced) and the firm is large enough to aim higher.
    assert halfway.level is not None and halfway.level.id == "aligned"
    assert halfway.current_phase == "integration"
    assert _verdict(halfway, "orientation") == ("balanced", True)
    assert _verdict(halfway, "integration-target") == ("target-integrated", True)
    assert "plan-the-step-to-integrated" in {r.id for r in halfway.recommendations}
    # Integrated: every phase achieved, and still real work, all of it Optimization, including
    # the buyer's view (win/loss) and expansion run product by product (the CEO's and CS's notes).
    assert integrated.level is not None and integrated.level.id == "integrated"
    assert integrated.all_phases_achieved and integrated.current_phase == "optimization"
    recs = {r.id: r for r in integrated.recommendations}
    assert len(recs) >= 3 and {r.phase for r in recs.values()} == {"optimization"}
    assert {"run-win-loss-interviews", "organise-around-the-customer"} <= set(recs)
    assert _verdict(integrated, "orientation") == ("marketing-led", True)
    assert {"revops", "customer-success"} <= {r.role for r in integrated.respondents}


def _rubrics() -> list[Path]:
    return [*bundled_rubrics(), MINIMAL_RUBRIC]


@pytest.mark.parametrize("path", _rubrics(), ids=lambda p: p.stem)
def test_every_trigger_can_fire_and_can_stay_quiet(path: Path) -> None:
    loaded = load_rubric(path)
    fired: dict[str, set[bool]] = {rec.id: set() for rec in loaded.rubric.recommendations}
    for files in scenarios(loaded).values():
        hits = {h.id for h in score(loaded, files, now=NOW).recommendations}
        for rid, seen in fired.items():
            seen.add(rid in hits)
    stuck = {rid: ("always" if seen == {True} else "never") for rid, seen in fired.items()}
    stuck = {rid: how for rid, how in stuck.items() if fired[rid] != {True, False}}
    assert stuck == {}, _explain(loaded, stuck)


def _explain(loaded: LoadedRubric, stuck: dict[str, str]) -> str:
    triggers = {r.id: r.trigger for r in loaded.rubric.recommendations}
    return "; ".join(f"{rid} fires {how}: {triggers[rid]}" for rid, how in stuck.items())


@pytest.mark.parametrize("path", _rubrics(), ids=lambda p: p.stem)
def test_scores_span_the_whole_range(path: Path) -> None:
    loaded = load_rubric(path)
    all_scenarios = scenarios(loaded)
    low = score(loaded, all_scenarios["lowest"], now=NOW)
    high = score(loaded, all_scenarios["highest"], now=NOW)
    assert high.overall == 100.0 and high.level is not None
    assert high.level.id == loaded.rubric.levels[-1].id and high.all_phases_achieved
    assert low.overall is not None and low.overall < 5
    assert low.level is not None and low.level.id == loaded.rubric.levels[0].id
    assert low.current_phase == next(p.id for p in low.phases if p.achieved is not None)
