# ruff: noqa: E501 - expected messages stay whole, one line each, as the tool prints them
"""Skipped follow-ups counted as the lowest value, curves on number questions and targets set
by context (issue 18): the pure scoring functions, their invariants, the rubric checks with
their locations, and a small rubric (tests/data/mechanisms) scored end to end by the CLI."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st
from scoring_helpers import card_of, person

from alignment_cli.files.responses import TargetPicker
from alignment_cli.model.models import Curve, CurvePoint
from alignment_cli.model.qtypes import kind_of
from alignment_cli.model.qtypes.number import curve_score
from alignment_cli.model.rubric import load_rubric

DATA = ROOT / "tests" / "data" / "mechanisms"
RUBRIC = DATA / "rubric.yaml"
LOADED = load_rubric(RUBRIC)
Q = LOADED.questions


def curve(*points: tuple[float, float], axis: str = "linear", **bounds: float) -> Curve:
    return Curve(
        axis=axis,  # type: ignore[arg-type]
        points=[CurvePoint(at=a, score=s) for a, s in points],
        **bounds,  # type: ignore[arg-type]
    )


# --- curves: the pure function


def test_a_linear_curve_interpolates_and_is_flat_outside_its_points() -> None:
    c = curve((0, 0), (10, 1), (20, 0.5))
    assert curve_score(c, -5) == 0
    assert curve_score(c, 0) == 0
    assert curve_score(c, 2.5) == pytest.approx(0.25)
    assert curve_score(c, 10) == 1
    assert curve_score(c, 15) == pytest.approx(0.75)
    assert curve_score(c, 20) == 0.5
    assert curve_score(c, 1e9) == 0.5


def test_a_log_curve_interpolates_in_the_logarithm() -> None:
    c = Q["first-contact-hours"].curve
    assert c is not None
    # the worked example of docs/rubric-format.md (Curves)
    assert curve_score(c, 4) == pytest.approx(0.8 - math.log(4) / math.log(24) * 0.5)
    assert round(curve_score(c, 4), 4) == 0.5819
    assert curve_score(c, 0.1) == 1  # below the first point
    assert curve_score(c, 0) == 1  # 0 or less on a log axis: the first point's score
    assert curve_score(c, -3) == 1
    assert curve_score(c, 1000) == 0
    # a doubling costs the same anywhere between two points
    assert curve_score(c, 2) - curve_score(c, 4) == pytest.approx(
        curve_score(c, 6) - curve_score(c, 12)
    )


def test_the_same_points_on_a_linear_axis_give_the_documented_figure() -> None:
    c = curve((0.25, 1), (1, 0.8), (24, 0.3), (168, 0))
    assert round(curve_score(c, 4), 4) == 0.7348


points = st.lists(
    st.tuples(
        st.floats(min_value=0.01, max_value=1000, allow_nan=False),
        st.floats(min_value=0, max_value=1, allow_nan=False),
    ),
    min_size=2,
    max_size=6,
    unique_by=lambda p: round(p[0], 6),
).map(lambda ps: sorted(ps))
axes = st.sampled_from(["linear", "log"])


@settings(max_examples=200, deadline=None)
@given(points, axes, st.floats(min_value=-10, max_value=2000), st.floats(0, 2000))
def test_a_curve_whose_scores_ascend_never_scores_a_larger_answer_lower(
    ps: list[tuple[float, float]], axis: str, x: float, y: float
) -> None:
    ascending = sorted(s for _, s in ps)
    c = curve(*[(a, s) for (a, _), s in zip(ps, ascending, strict=True)], axis=axis)
    lo, hi = min(x, y), max(x, y)
    assert curve_score(c, lo) <= curve_score(c, hi)
    assert 0 <= curve_score(c, lo) <= 1


@settings(max_examples=200, deadline=None)
@given(points, axes, st.floats(min_value=0.001, max_value=2000), st.floats(1e-9, 1e-3))
def test_a_curve_has_no_cliff(
    ps: list[tuple[float, float]], axis: str, x: float, eps: float
) -> None:
    """Continuity: a tiny step in the answer moves the score by at most the steepest segment's
    slope times the step (in the logarithm on a log axis)."""
    c = curve(*ps, axis=axis)
    f = math.log if axis == "log" else (lambda v: v)
    slope = max(abs(b[1] - a[1]) / (f(b[0]) - f(a[0])) for a, b in itertools.pairwise(ps))
    step = f(x + eps) - f(x)
    assert abs(curve_score(c, x + eps) - curve_score(c, x)) <= slope * step + 1e-9


# --- targets: the pure function and the choice of target


@pytest.mark.parametrize(
    ("qid", "answer", "target", "expected"),
    [
        ("planning-years", 3, 3, 1.0),  # number: in the unit, tolerance 2
        ("planning-years", 2, 3, 0.5),
        ("planning-years", 4.5, 3, 0.25),
        ("planning-years", 10, 3, 0.0),  # never below 0
        ("integration", 4, 5, 0.75),  # scale: in steps, tolerance 4
        ("integration", 1, 5, 0.0),
        ("integration", 5, 3, 0.5),  # above the target costs as much as below
        ("meetings", "monthly", "weekly", 0.5),  # choice: in positions, tolerance 2
        ("meetings", "never", "monthly", 0.0),
        ("meetings", "weekly", "monthly", 0.5),
    ],
)
def test_a_target_scores_by_distance_over_tolerance(
    qid: str, answer: Any, target: Any, expected: float
) -> None:
    q = Q[qid]
    assert kind_of(q).on_target(q, answer, target) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("qid", "side", "answer", "target", "expected"),
    [
        ("meetings", "at_least", "weekly", "monthly", 1.0),  # beyond the target: no cost
        ("meetings", "at_least", "monthly", "monthly", 1.0),
        ("meetings", "at_least", "quarterly", "monthly", 0.5),  # below: as with both sides
        ("meetings", "at_most", "weekly", "monthly", 0.5),
        ("meetings", "at_most", "never", "monthly", 1.0),
        ("planning-years", "at_least", 10, 3, 1.0),
        ("planning-years", "at_least", 2, 3, 0.5),
        ("planning-years", "at_most", 4.5, 3, 0.25),
        ("integration", "at_least", 1, 5, 0.0),
        ("integration", "at_most", 5, 3, 0.5),
    ],
)
def test_a_target_side_scores_only_misses_on_the_other_side(
    qid: str, side: str, answer: Any, target: Any, expected: float
) -> None:
    q = Q[qid].model_copy(update={"target_side": side})
    assert kind_of(q).on_target(q, answer, target) == pytest.approx(expected)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(-100, 100),
    st.floats(-100, 100),
    st.floats(-100, 100),
    st.floats(0.01, 50),
)
def test_a_one_sided_target_never_scores_a_stronger_answer_lower(
    x: float, y: float, target: float, tolerance: float
) -> None:
    """at_least: non-decreasing in the answer, at_most: non-increasing, and each agrees with
    the two-sided score on the side that costs."""
    lo, hi = min(x, y), max(x, y)
    both = Q["planning-years"].model_copy(update={"tolerance": tolerance})
    up = both.model_copy(update={"target_side": "at_least"})
    down = both.model_copy(update={"target_side": "at_most"})
    kind = kind_of(both)
    assert kind.on_target(up, lo, target) <= kind.on_target(up, hi, target)
    assert kind.on_target(down, lo, target) >= kind.on_target(down, hi, target)
    for v in (lo, hi):
        two = kind.on_target(both, v, target)
        assert kind.on_target(up if v < target else down, v, target) == two
        assert kind.on_target(down if v < target else up, v, target) == 1.0


def test_the_first_target_whose_condition_holds_is_used_else_the_default() -> None:
    picker = TargetPicker(LOADED)
    assert picker.pick("meetings", {"size": "small"}) == 0
    assert picker.pick("meetings", {"size": "large"}) == 1
    assert picker.pick("meetings", {}) == 1  # unanswered reads as none: the default
    assert picker.pick("meetings", {"size": "unknown"}) == 1
    assert picker.questions == {"meetings", "planning-years", "integration"}


def test_without_a_respondent_the_default_target_scores() -> None:
    """What CRM evidence on a question with targets is scored against (docs/scoring.md)."""
    q = Q["planning-years"]
    assert kind_of(q).normalise(q, 1, LOADED.rubric) == 0.0  # 1 year against the default 3


# --- the engine


def answers(**kw: Any) -> dict[str, Any]:
    return {k.replace("_", "-"): v for k, v in kw.items()}


def test_the_same_answer_scores_against_each_respondents_own_target() -> None:
    small = person(LOADED, "A", "sales", answers(size="small", meetings="weekly"))
    large = person(LOADED, "B", "sales", answers(size="large", meetings="weekly"))
    card = card_of(LOADED, [small, large])
    qs = next(q for q in card.questions if q.id == "meetings")
    assert qs.score == 75.0  # small: 1 position from monthly, 0.5; large: on target, 1
    assert qs.targets_used == {"monthly": 1, "weekly": 1}
    # and in the other order: the memo is on (answer, target), not on the answer alone
    card2 = card_of(LOADED, [large, small])
    qs2 = next(q for q in card2.questions if q.id == "meetings")
    assert qs2.score == 75.0


def test_an_at_least_target_lets_a_small_firm_meet_more_often_at_no_cost(tmp_path: Path) -> None:
    path = tmp_path / "rubric.yaml"
    path.write_text(
        BASE.replace(
            "      - {value: weekly}\n    tolerance: 2\n",
            "      - {value: weekly}\n    tolerance: 2\n    target_side: at_least\n",
        ),
        encoding="utf-8",
    )
    loaded = load_rubric(path)
    small = person(loaded, "A", "sales", answers(size="small", meetings="weekly"))
    lax = person(loaded, "B", "sales", answers(size="small", meetings="quarterly"))
    qs = next(q for q in card_of(loaded, [small, lax]).questions if q.id == "meetings")
    assert qs.score == 75.0  # weekly beyond monthly: 1 (0.5 with both sides); quarterly 0.5
    assert qs.targets_used == {"monthly": 2}


def test_a_skipped_follow_up_counts_as_zero_without_lowering_coverage() -> None:
    rest = answers(size="large", first_contact_hours=1, meetings="weekly", planning_years=3)
    none = person(LOADED, "A", "sales", {**rest, "integration": 5, "sla-exists": False})
    card = card_of(LOADED, [none])
    qs = next(q for q in card.questions if q.id == "sla-compliance")
    assert qs.score == 0.0
    assert qs.skipped_lowest == 1
    assert (qs.asked, qs.answered, qs.unknown) == (0, 0, 0)
    assert card.coverage == 1.0
    assert card.blind_spots == []
    service = next(d for d in card.dimensions if d.id == "service")
    assert service.score == pytest.approx(80 / 3, abs=1e-4)  # (0 + 0 + 0.8) / 3


def test_an_answer_to_a_skipped_question_is_still_ignored() -> None:
    """The engine never counts it (the checker refuses such a file before scoring)."""
    with_answer = person(LOADED, "A", "sales", answers(sla_exists=False, sla_compliance=5))
    without = person(LOADED, "A", "sales", answers(sla_exists=False))
    a, b = card_of(LOADED, [with_answer]), card_of(LOADED, [without])
    assert a.overall == b.overall
    assert next(q for q in a.questions if q.id == "sla-compliance").skipped_lowest == 1


def test_skipped_exclude_leaves_the_follow_up_out(tmp_path: Path) -> None:
    text = RUBRIC.read_text(encoding="utf-8").replace("    skipped: lowest\n", "")
    path = tmp_path / "rubric.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_rubric(path)
    card = card_of(loaded, [person(loaded, "A", "sales", answers(sla_exists=False))])
    qs = next(q for q in card.questions if q.id == "sla-compliance")
    assert qs.score is None
    assert qs.skipped_lowest == 0
    assert "skipped_lowest" not in qs.model_dump(mode="json")


def test_a_rubric_wide_skipped_lowest_reaches_only_scored_questions_with_a_when(
    tmp_path: Path,
) -> None:
    text = RUBRIC.read_text(encoding="utf-8").replace("    skipped: lowest\n", "")
    text = text.replace(
        "title: Scoring mechanisms\n", "title: Scoring mechanisms\nskipped: lowest\n"
    )
    path = tmp_path / "rubric.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_rubric(path)
    assert {q.id for q in loaded.rubric.questions if q.skipped == "lowest"} == {"sla-compliance"}


scale_answer = st.integers(1, 5)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["sales", "marketing"]),
    st.sampled_from(["small", "large"]),
    st.floats(0, 500, allow_nan=False),
    st.sampled_from(["never", "quarterly", "monthly", "weekly"]),
    st.integers(0, 6),
    scale_answer,
)
def test_a_weak_practice_never_scores_below_no_practice(
    role: str, size: str, hours: float, meetings: str, years: int, integration: int
) -> None:
    """With skipped: lowest, answering the gate yes with the worst follow-up scores at least
    as high as answering it no, in every score the respondent has."""
    rest = answers(
        size=size,
        first_contact_hours=hours,
        meetings=meetings,
        planning_years=years,
        integration=integration,
    )
    weak = card_of(
        LOADED, [person(LOADED, "A", role, {**rest, "sla-exists": True, "sla-compliance": 1})]
    )
    none = card_of(LOADED, [person(LOADED, "A", role, {**rest, "sla-exists": False})])
    assert weak.overall is not None and none.overall is not None
    assert weak.overall >= none.overall
    for w, n in zip(weak.dimensions, none.dimensions, strict=True):
        assert (w.score or 0) >= (n.score or 0)
    for w, n in zip(weak.phases, none.phases, strict=True):
        assert (w.score or 0) >= (n.score or 0)
    assert weak.respondents[0].overall >= none.respondents[0].overall  # type: ignore[operator]


# --- the rubric checks: one located message each, exit 2

BASE = RUBRIC.read_text(encoding="utf-8")

CASES = [
    (
        "skipped lowest without a when",
        "    text: Is there a written SLA?\n",
        "    text: Is there a written SLA?\n    skipped: lowest\n",
        "34:14: questions[1].skipped: skipped: lowest needs a when: a question without one is never skipped",
    ),
    (
        "skipped lowest on a weight-0 question",
        "    type: scale\n    when: answers.sla_exists == true\n    skipped: lowest\n",
        "    type: scale\n    weight: 0\n    when: answers.sla_exists == true\n    skipped: lowest\n",
        "40:14: questions[2].skipped: skipped: lowest is for scored questions; this one scores nothing",
    ),
    (
        "an unknown skipped policy",
        "    skipped: lowest\n",
        "    skipped: zero\n",
        "39:14: questions[2].skipped: must be one of lowest, exclude; got 'zero'",
    ),
    (
        "bands and a curve",
        "    curve:\n      axis: log\n",
        "    bands: [{min: 0, score: 1}]\n    curve:\n      axis: log\n",
        "48:5: questions[3].curve: bands and a curve both score the answers: keep one",
    ),
    (
        "points that do not ascend",
        "        - {at: 24, score: 0.3}\n",
        "        - {at: 0.5, score: 0.3}\n",
        "53:16: questions[3].curve.points[2].at: points must ascend: 0.5 is not above 1",
    ),
    (
        "a point at 0 on a log axis",
        "        - {at: 0.25, score: 1}\n",
        "        - {at: 0, score: 1}\n",
        "51:16: questions[3].curve.points[0].at: a log axis needs every at above 0, got 0",
    ),
    (
        "a curve of one point",
        "        - {at: 1, score: 0.8}\n        - {at: 24, score: 0.3}\n        - {at: 168, score: 0}\n",
        "",
        "50:7: questions[3].curve.points: needs at least 2 items, found 1",
    ),
    (
        "a point score above 1",
        "        - {at: 1, score: 0.8}\n",
        "        - {at: 1, score: 1.8}\n",
        "52:26: questions[3].curve.points[1].score: must be at most 1, got 1.8",
    ),
    (
        "a curve max not above its min",
        "      min: 0\n",
        "      min: 0\n      max: 0\n",
        "50:12: questions[3].curve.max: must be above min (0), got 0",
    ),
    (
        "a curve on a scale question",
        "    text: How often is the SLA met?\n",
        "    text: How often is the SLA met?\n    curve: {points: [{at: 1, score: 0}, {at: 2, score: 1}]}\n",
        "41:5: questions[2].curve: curve is for number questions, not scale",
    ),
    (
        "an unknown axis",
        "      axis: log\n",
        "      axis: sqrt\n",
        "48:13: questions[3].curve.axis: must be one of linear, log; got 'sqrt'",
    ),
    (
        "targets without a tolerance",
        "    tolerance: 4\n",
        "",
        "84:5: questions[6].targets: targets need a tolerance: the distance from the target that scores 0",
    ),
    (
        "a target side without targets",
        "    unit: hours\n",
        "    unit: hours\n    target_side: at_least\n",
        "46:18: questions[3].target_side: target_side is for questions with targets",
    ),
    (
        "an unknown target side",
        "    tolerance: 4\n",
        "    tolerance: 4\n    target_side: above\n",
        "88:18: questions[6].target_side: must be one of both, at_least, at_most; got 'above'",
    ),
    (
        "a tolerance without targets",
        "    unit: hours\n",
        "    unit: hours\n    tolerance: 1\n",
        "46:16: questions[3].tolerance: tolerance is for questions with targets",
    ),
    (
        "a tolerance of 0",
        "    tolerance: 4\n",
        "    tolerance: 0\n",
        "87:16: questions[6].tolerance: must be above 0, got 0",
    ),
    (
        "a last target with a when",
        "      - {value: weekly}\n",
        "      - {when: \"answers.size == 'large'\", value: weekly}\n",
        "67:16: questions[4].targets[1].when: the last target is the default: it takes no when",
    ),
    (
        "a default before the last target",
        "      - {when: \"answers.size == 'small'\", value: 1}\n      - {value: 3}\n",
        "      - {value: 3}\n      - {value: 1}\n",
        "76:9: questions[5].targets[0]: only the last target may leave out when (later ones would never apply)",
    ),
    (
        "a target that is no option",
        "      - {value: weekly}\n",
        "      - {value: daily}\n",
        "67:17: questions[4].targets[1].value: unknown option 'daily'; expected one of: never, quarterly, monthly, weekly",
    ),
    (
        "a target YAML reads as true",
        "      - {value: weekly}\n",
        "      - {value: yes}\n",
        '67:17: questions[4].targets[1].value: expected text; YAML reads yes as true: write "yes" in quotes',
    ),
    (
        "a target outside the scale",
        "      - {value: 5}\n",
        "      - {value: 6}\n",
        "86:17: questions[6].targets[1].value: 6 is outside the scale 1..5",
    ),
    (
        "a target naming a later question",
        "      - {when: \"answers.size == 'small'\", value: monthly}\n",
        '      - {when: "answers.integration == 3", value: monthly}\n',
        "66:16: questions[4].targets[0].when: condition names 'integration', a later question",
    ),
    (
        "a target naming its own question",
        "      - {when: \"answers.size == 'small'\", value: monthly}\n",
        "      - {when: \"answers.meetings == 'weekly'\", value: monthly}\n",
        "66:16: questions[4].targets[0].when: condition names the question itself",
    ),
    (
        "a target naming an unknown question",
        "      - {when: \"answers.size == 'small'\", value: monthly}\n",
        "      - {when: \"answers.sise == 'small'\", value: monthly}\n",
        "66:16: questions[4].targets[0].when: condition names unknown question 'sise' (did you mean 'size'?)",
    ),
    (
        "targets and option scores",
        "      - {value: weekly, label: Weekly}\n",
        "      - {value: weekly, label: Weekly, score: 1}\n",
        "64:47: questions[4].options[3].score: a question with targets is scored by them: remove the options' scores",
    ),
    (
        "targets and a curve",
        "    unit: years\n",
        "    unit: years\n    curve: {points: [{at: 1, score: 0}, {at: 2, score: 1}]}\n",
        "74:5: questions[5].curve: a question with targets is scored by them: remove curve",
    ),
    (
        "targets on a yesno question",
        "    text: Is there a written SLA?\n",
        "    text: Is there a written SLA?\n    targets: [{value: 1}]\n",
        "34:5: questions[1].targets: targets are for scale and choice and number questions, not yesno",
    ),
    (
        "a number question scored by nothing",
        "    targets:\n      - {when: \"answers.size == 'small'\", value: 1}\n      - {value: 3}\n    tolerance: 2\n",
        "",
        "69:5: questions[5]: a number question needs bands, a curve or targets that score its answers",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_mistake_is_one_located_error_and_exit_2(
    invoke: Callable[..., Any], tmp_path: Path, name: str, old: str, new: str, expected: str
) -> None:
    assert BASE.count(old) == 1
    path = tmp_path / "rubric.yaml"
    path.write_text(BASE.replace(old, new), encoding="utf-8")
    result = invoke("rubric", "validate", str(path))
    assert result.exit_code == 2, result.output
    assert f"{path}:{expected}" in result.stderr.splitlines()
    assert "Traceback" not in result.output


def test_the_mechanisms_rubric_is_valid(invoke: Callable[..., Any]) -> None:
    result = invoke("rubric", "validate", str(RUBRIC))
    assert result.exit_code == 0, result.output


def test_an_answer_outside_a_curves_bounds_is_refused(
    invoke: Callable[..., Any], tmp_path: Path
) -> None:
    text = (DATA / "answers" / "ana.yaml").read_text(encoding="utf-8")
    path = tmp_path / "ana.yaml"
    path.write_text(
        text.replace("first-contact-hours: 4", "first-contact-hours: -1"), encoding="utf-8"
    )
    result = invoke("score", "--rubric", str(RUBRIC), str(path))
    assert result.exit_code == 2
    assert "first-contact-hours: -1 is outside the range the rubric scores (0..)" in result.stderr


# --- end to end: the CLI scores the small rubric as docs/scoring.md computes it by hand


def test_the_cli_scores_all_three_mechanisms_as_computed_by_hand(
    invoke: Callable[..., Any],
) -> None:
    result = invoke("score", "--rubric", str(RUBRIC), "--format", "json", str(DATA / "answers"))
    assert result.exit_code == 0, result.stderr
    card = json.loads(result.stdout)
    qs = {q["id"]: q for q in card["questions"]}
    # skipped: lowest. Ana (sales) has no SLA: 0; Ben's 2 of 1..5 is 0.25. Cleo (marketing)
    # 5 is 1, Dan has no SLA: 0. Sales 12.5, marketing 50, the question 31.25.
    sla = qs["sla-compliance"]
    assert (sla["score"], sla["by_role"]) == (31.25, {"sales": 12.5, "marketing": 50.0})
    assert (sla["asked"], sla["answered"], sla["skipped_lowest"]) == (2, 2, 2)
    assert card["coverage"] == 1.0
    # the log curve: 4 h 0.5819, 0.1 h 1; 30 h 0.3 - 0.3 ln(30/24)/ln(7) = 0.2656, 2 h 0.6909
    hours = qs["first-contact-hours"]
    assert hours["by_role"] == {"sales": 79.0948, "marketing": 47.8273}
    assert hours["score"] == 63.461
    assert "targets_used" not in hours and "skipped_lowest" not in hours
    # targets: Ana and Cleo are large (weekly, 3 years, 5), Ben and Dan small (monthly, 1, 3);
    # only Dan misses, quarterly one position from monthly: 1 - 1/2.
    assert qs["meetings"]["by_role"] == {"sales": 100.0, "marketing": 75.0}
    assert qs["meetings"]["targets_used"] == {"monthly": 2, "weekly": 2}
    assert qs["planning-years"]["score"] == 100.0
    assert qs["planning-years"]["targets_used"] == {"1": 2, "3": 2}
    # Ana answers 4 against 5 with tolerance 4: 0.75
    assert qs["integration"]["by_role"] == {"sales": 87.5, "marketing": 100.0}
    people = {r["name"]: r["overall"] for r in card["respondents"]}
    # Ana: service (0 + 0 + 0.5819) / 3, rhythm (1 + 1 + 0.75) / 3, overall their mean
    assert people["Ana"] == 55.5316  # (0.1940 + 0.9167) / 2
    assert card["overall"] == 70.9935


def test_the_report_says_how_many_a_skipped_follow_up_counted_as_0(
    invoke: Callable[..., Any],
) -> None:
    result = invoke("report", "--rubric", str(RUBRIC), "--format", "md", str(DATA / "answers"))
    assert result.exit_code == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if "How often is the SLA met?" in x)
    assert "(skipped for 2 by an earlier answer: counted as 0)" in line
    hours = next(x for x in result.stdout.splitlines() if "Median hours" in x)
    assert "skipped" not in hours


def test_a_survey_import_checks_answers_against_a_curves_bounds(
    invoke: Callable[..., Any], tmp_path: Path
) -> None:
    csv = tmp_path / "survey.csv"
    csv.write_text(
        "Name,Role,first-contact-hours,meetings\nAna,sales,4 hours,Weekly\nBob,sales,-2,Monthly\n",
        encoding="utf-8",
    )
    result = invoke("import", "--rubric", str(RUBRIC), str(csv), str(tmp_path / "out"))
    assert result.exit_code == 2
    assert (
        f"{csv}:3:3: row 3, column 'first-contact-hours': -2 is outside the range the rubric "
        "scores (0..)"
    ) in result.stderr


def test_interviews_forms_and_scripts_see_a_curves_bounds(tmp_path: Path) -> None:
    q = Q["first-contact-hours"]
    kind = kind_of(q)
    assert kind.hint(q, LOADED.rubric) == "type a number (hours) of at least 0, e.g. 12 or 2.5"
    assert kind.answers_spec(q, LOADED.rubric) == {"min": 0.0, "max": None, "unit": "hours"}
    assert kind.value_error(q, 1e6, LOADED.rubric) is None  # no max: any larger number
    share = q.model_copy(update={"curve": q.curve.model_copy(update={"max": 100.0})})  # type: ignore[union-attr]
    assert kind.value_error(share, 150, LOADED.rubric) == (
        "150 is outside the range the rubric scores (0..100)"
    )
    assert kind.value_error(share, 100, LOADED.rubric) is None  # bounds are included
    assert "from 0 to 100" in kind.form_comments(share, LOADED.rubric)[0][0]
    targeted = Q["planning-years"]  # targets set no bounds: any number
    assert kind.value_error(targeted, -1, LOADED.rubric) is None


def test_a_crm_figure_is_scored_through_the_questions_curve(tmp_path: Path) -> None:
    from alignment_cli.scoring.evidence import measured

    text = BASE.replace("    unit: hours\n", "    unit: hours\n    evidence: speed_to_lead_hours\n")
    path = tmp_path / "rubric.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_rubric(path)
    q = loaded.questions["first-contact-hours"]
    m = measured(q, 4.0, loaded.rubric)
    assert (m.value, round(m.score or 0, 4)) == (4.0, 0.5819)
    assert measured(q, -1.0, loaded.rubric).score is None  # outside the curve's bounds


def test_the_json_schema_accepts_the_mechanisms_and_flags_misplaced_ones() -> None:
    import yaml
    from jsonschema import Draft202012Validator

    schema = json.loads((ROOT / "rubrics" / "rubric.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema)
    assert list(validator.iter_errors(yaml.safe_load(BASE))) == []
    for old, new in (
        (
            "    text: How often is the SLA met?\n",
            "    text: How often is the SLA met?\n    curve: {points: [{at: 1, score: 0}, {at: 2, score: 1}]}\n",
        ),
        (
            "    text: Is there a written SLA?\n",
            "    text: Is there a written SLA?\n    tolerance: 1\n",
        ),
        ("    skipped: lowest\n", "    skipped: zero\n"),
        ("      axis: log\n", "      axis: sqrt\n"),
    ):
        assert list(validator.iter_errors(yaml.safe_load(BASE.replace(old, new)))), new
