"""Invariants of the scoring core, on generated answer sets (hypothesis).

Every score stays in 0..100; raising one answer never lowers any score; the order of the
respondents does not matter; duplicating every respondent changes no mean; marking a question
n/a leaves the other questions alone. docs/scoring.md, section 6, promises these.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

from conftest import MINIMAL_RUBRIC
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scoring_helpers import BASE, card_of, person, scores_of
from synthetic import candidates

from alignment_cli.files.responses import AnswerRules, Conditions, ResponseFile, Why, normalise
from alignment_cli.model.rubric import LoadedRubric, load_rubric
from alignment_cli.scoring.scorecard import Scorecard

_TMP = Path(tempfile.mkdtemp(prefix="scoring-properties-"))


def _rich_base() -> LoadedRubric:
    """BASE with a classifier and triggers, so that those are covered by the invariants too."""
    import yaml

    data = copy.deepcopy(BASE)
    data["classifiers"] = [
        {
            "id": "motion",
            "title": "Motion",
            "outcomes": [{"id": "push", "title": "Push"}, {"id": "pull", "title": "Pull"}],
        }
    ]
    for option, outcome in zip(data["questions"][2]["options"], ("push", "pull"), strict=True):
        option["signals"] = {outcome: 1}
    data["recommendations"] = [
        {
            "id": f"r{i}",
            "title": f"R{i}",
            "body": "Do it.",
            "phase": "two" if i % 2 else "one",
            "dimension": "beta" if i % 3 else None,
            "priority": ("high", "medium", "low")[i % 3],
            "trigger": trigger,
        }
        for i, trigger in enumerate(
            [
                "overall < 50",
                "dimension.alpha < 60 or question.c1 < 50",
                "gap.beta > 10 or gap.beta < -10",
                "answers.y1 == false",
                "outcome.motion == 'push'",
                "phase.two < 40 and question.n1 is not none",
            ]
        )
    ]
    path = _TMP / "base.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_rubric(path)


RUBRICS = {
    "base": _rich_base(),
    "minimal": load_rubric(MINIMAL_RUBRIC),
    "default": load_rubric(None),
}
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def answer_sets(draw: st.DrawFn, loaded: LoadedRubric) -> list[ResponseFile]:
    """Respondents of any role answering (or not) every question they are asked."""
    roles = [x.id for x in loaded.rubric.roles]
    conditions = Conditions(loaded)
    files = []
    for i in range(draw(st.integers(1, 6))):
        role = draw(st.sampled_from(roles))
        answers: dict[str, Any] = {}
        for q in loaded.questions_for(role):
            if not conditions.holds(q.id, answers):
                continue
            choices: list[Any] = [*candidates(q, loaded), "unknown", None]
            if q.allow_na:
                choices.append("n/a")
            value = draw(st.sampled_from(choices))
            if value is not None:
                answers[q.id] = value
        files.append(person(loaded, f"P{i}", role, answers))
    return files


def _in(low: float, high: float, value: float | None) -> bool:
    return value is None or low <= value <= high


@PROPERTY
@given(st.data(), st.sampled_from(sorted(RUBRICS)))
def test_every_score_is_within_0_and_100(data: st.DataObject, name: str) -> None:
    loaded = RUBRICS[name]
    card = card_of(loaded, data.draw(answer_sets(loaded)))
    assert all(_in(0, 100, v) for v in scores_of(card).values())
    groups = [*card.dimensions, *card.phases]
    assert all(_in(0, 50, g.spread) for g in [*groups, *card.questions])
    assert all(_in(-100, 100, g.gap) for g in [*groups, *card.questions])
    assert all(_in(0, 1, g.coverage) for g in [*groups, card])
    assert all(_in(0, 1, c.margin) for c in card.classifications)
    assert all(h.shortfall >= 0 for h in card.recommendations)


def _raisable(loaded: LoadedRubric) -> set[str]:
    """Scored questions that no condition reads: raising them cannot change what is asked."""
    read = {ref.name for expr in loaded.conditions.values() for ref in expr.references}
    return {q.id for q in loaded.rubric.questions if q.scored and q.var not in read}


@PROPERTY
@given(st.data(), st.sampled_from(sorted(RUBRICS)))
def test_raising_one_answer_never_lowers_any_score(data: st.DataObject, name: str) -> None:
    loaded = RUBRICS[name]
    files = data.draw(answer_sets(loaded))
    raisable = _raisable(loaded)
    spots = [
        (i, qid)
        for i, f in enumerate(files)
        for qid, v in f.responses.answers.items()
        if qid in raisable and v not in ("n/a", "unknown")
    ]
    if not spots:
        return
    i, qid = data.draw(st.sampled_from(spots))
    q = loaded.questions[qid]
    old_value = files[i].responses.answers[qid]
    old_score = normalise(q, old_value, loaded)
    assert old_score is not None
    higher = [
        v
        for v in candidates(q, loaded)
        if (s := normalise(q, v, loaded)) is not None and s >= old_score
    ]
    new_value = data.draw(st.sampled_from(higher))
    raised = list(files)
    answers = {**files[i].responses.answers, qid: new_value}
    raised[i] = ResponseFile(
        files[i].path, files[i].responses.model_copy(update={"answers": answers})
    )
    before, after = scores_of(card_of(loaded, files)), scores_of(card_of(loaded, raised))
    for key, old in before.items():
        new = after.get(key)
        if old is not None:
            assert new is not None and new >= old, (key, old, new, qid, old_value, new_value)


def _dump(card: Scorecard) -> dict[str, Any]:
    return card.model_dump(mode="json")


@PROPERTY
@given(st.data(), st.sampled_from(sorted(RUBRICS)))
def test_the_order_of_respondents_does_not_matter(data: st.DataObject, name: str) -> None:
    loaded = RUBRICS[name]
    files = data.draw(answer_sets(loaded))
    shuffled = data.draw(st.permutations(files))
    assert _dump(card_of(loaded, list(shuffled))) == _dump(card_of(loaded, files))


def _means(card: Scorecard) -> dict[str, Any]:
    """Everything that is a mean or follows from means: what duplication must not change."""
    out: dict[str, Any] = {
        k: v for k, v in scores_of(card).items() if not k.startswith("respondent.")
    }
    for g in [*card.dimensions, *card.phases, *card.questions]:
        out[f"{g.id}.spread"] = g.spread
        out[f"{g.id}.gap"] = g.gap
    for g in [*card.dimensions, *card.phases]:
        out[f"{g.id}.coverage"] = g.coverage
        out[f"{g.id}.achieved"] = g.achieved
    out["coverage"] = card.coverage
    out["overall_gap"] = card.overall_gap
    out["level"] = card.level.id if card.level else None
    out["current_phase"] = card.current_phase
    out["classifications"] = [(c.outcome, c.margin, c.current) for c in card.classifications]
    out["recommendations"] = [(h.id, h.shortfall) for h in card.recommendations]
    out["gaps"] = [(g.kind, g.id, g.gap) for g in card.gaps]
    return out


@PROPERTY
@given(st.data(), st.sampled_from(sorted(RUBRICS)))
def test_duplicating_every_respondent_changes_no_mean(data: st.DataObject, name: str) -> None:
    loaded = RUBRICS[name]
    files = data.draw(answer_sets(loaded))
    twins = [ResponseFile(Path(f"twin-{f.path}"), f.responses.model_copy(deep=True)) for f in files]
    once, twice = card_of(loaded, files), card_of(loaded, [*files, *twins])
    before, after = _means(once), _means(twice)
    for key, value in before.items():
        if key.endswith(".spread") and value is None:
            # One answer has no spread; two equal ones have a spread of 0.
            assert after[key] in (None, 0.0)
            after[key] = None
    assert after == before
    assert twice.counts.asked == 2 * once.counts.asked
    assert twice.respondent_count == 2 * once.respondent_count


@PROPERTY
@given(st.data(), st.sampled_from(sorted(RUBRICS)))
def test_marking_a_question_na_leaves_the_other_questions_alone(
    data: st.DataObject, name: str
) -> None:
    loaded = RUBRICS[name]
    files = data.draw(answer_sets(loaded))
    qid = data.draw(st.sampled_from(sorted(_raisable(loaded))))
    if not loaded.questions[qid].allow_na:
        return
    marked = []
    for f in files:
        answers = dict(f.responses.answers)
        if qid in answers and data.draw(st.booleans()):
            answers[qid] = "n/a"
        marked.append(ResponseFile(f.path, f.responses.model_copy(update={"answers": answers})))
    before, after = card_of(loaded, files), card_of(loaded, marked)
    for old, new in zip(before.questions, after.questions, strict=True):
        if old.id != qid:
            assert old == new


@PROPERTY
@given(st.data(), st.sampled_from(sorted(RUBRICS)))
def test_not_knowing_never_raises_any_score(data: st.DataObject, name: str) -> None:
    """Turning any real answer into "unknown" (where it counts as the lowest value, the
    default) never raises any score; "n/a" where the rubric does not allow it is refused."""
    loaded = RUBRICS[name]
    files = data.draw(answer_sets(loaded))
    raisable = _raisable(loaded)
    spots = [
        (i, qid)
        for i, f in enumerate(files)
        for qid, v in f.responses.answers.items()
        if qid in raisable and v not in ("n/a", "unknown")
    ]
    if not spots:
        return
    chosen = data.draw(st.lists(st.sampled_from(spots), min_size=1, max_size=4, unique=True))
    rules = AnswerRules(loaded)
    changed = list(files)
    for i, qid in chosen:
        q = loaded.questions[qid]
        role = files[i].responses.respondent.role
        if not q.allow_na:
            refusal = rules.judge(q, qid, "n/a", role)
            assert refusal is not None and refusal.why is Why.UNFIT
        if q.unknown != "lowest":
            continue
        answers = {**changed[i].responses.answers, qid: "unknown"}
        changed[i] = ResponseFile(
            files[i].path, changed[i].responses.model_copy(update={"answers": answers})
        )
    before, after = card_of(loaded, files), card_of(loaded, changed)
    old_scores, new_scores = scores_of(before), scores_of(after)
    for key, old in old_scores.items():
        if old is not None:
            new = new_scores.get(key)
            assert new is not None and new <= old, (key, old, new, chosen)
    assert (after.coverage or 0) <= (before.coverage or 0)


@PROPERTY
@given(st.data(), st.sampled_from(sorted(RUBRICS)), st.integers(1, 4))
def test_more_people_of_one_role_answering_alike_change_no_score(
    data: st.DataObject, name: str, copies: int
) -> None:
    """Under aggregation by roles the mix of people does not decide: copies of every member of
    one role group (four more copies of the only marketer, say) move no score, gap, classification
    or recommendation; only what counts people may move: spreads, intervals and coverage (and
    so whether a phase is achieved, which needs half of its questions answered)."""
    loaded = RUBRICS[name]
    files = data.draw(answer_sets(loaded))
    role = data.draw(st.sampled_from(sorted({f.responses.respondent.role for f in files})))
    # Every member of the role's group (a group's mean is over all its roles' people).
    group = loaded.group_of(role)
    twins = [
        ResponseFile(Path(f"copy-{k}-{f.path}"), f.responses.model_copy(deep=True))
        for k in range(copies)
        for f in files
        if loaded.group_of(f.responses.respondent.role) == group
    ]
    before, after = _means(card_of(loaded, files)), _means(card_of(loaded, [*files, *twins]))
    for key in list(before):
        if key.endswith((".spread", ".coverage", ".achieved")) or key in (
            "coverage",
            "current_phase",
        ):
            before.pop(key), after.pop(key)
    assert after == before


@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0.0, max_value=1.0, allow_nan=False) | st.integers(0, 100),
            st.integers(1, 10_000),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_a_dists_mean_is_the_exact_mean_rounded_once(values: list[tuple[float, int]]) -> None:
    """Dist.mean's whole-number arithmetic gives the float nearest the exact mean: what
    Fraction's arithmetic gives, for any values and counts."""
    from fractions import Fraction

    from alignment_cli.scoring.engine import Dist

    d = Dist()
    for v, c in values:
        d.add(v, c)
    exact: dict[float, int] = {}
    for v, c in values:
        exact[v] = exact.get(v, 0) + c
    n = sum(exact.values())
    assert d.n == n
    assert d.mean() == float(sum(Fraction(v) * c for v, c in exact.items()) / n)


@given(
    st.lists(
        st.tuples(st.floats(min_value=0.0, max_value=1.0, allow_nan=False), st.integers(1, 50)),
        min_size=1,
        max_size=40,
    ),
    st.data(),
)
def test_a_dists_variance_kept_between_adds_is_the_variance_of_all_it_holds(
    values: list[tuple[float, int]], data: st.DataObject
) -> None:
    """The variance is worked out once and kept: asked between adds, it is always that of
    every value added so far, as a fresh Dist of the same values gives it."""
    from alignment_cli.scoring.engine import Dist

    d = Dist()
    for i, (v, c) in enumerate(values):
        d.add(v, c)
        if data.draw(st.booleans()):
            fresh = Dist()
            for w, k in values[: i + 1]:
                fresh.add(w, k)
            assert d.variance() == fresh.variance()
