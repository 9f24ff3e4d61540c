"""The bundled default rubric (2.0.0) keeps the promises of its brief (issues 3 and 18).

These tests read the shipped rubric's content; the engine's own behaviour is tested against
frozen fixtures elsewhere."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st
from scoring_helpers import card_of, person

from alignment_cli.interview.flow import condition_values
from alignment_cli.model.metrics import METRIC_IDS
from alignment_cli.model.models import Question, QuestionType
from alignment_cli.model.qtypes import kind_of
from alignment_cli.model.qtypes.number import curve_score
from alignment_cli.model.rubric import LoadedRubric, load_rubric

# The team's domain brief sits beside the repository; a copy travels with the tests so that a
# clean checkout (CI) checks the coverage too, and a test keeps the copy equal to the brief.
SHARED_DOMAIN = ROOT.parent / "shared" / "domain.md"
DOMAIN = ROOT / "tests" / "data" / "domain-brief.md"
DOCS = ROOT / "docs" / "default-rubric.md"

SALES_GROUP = ("sales", "sales-rep", "sdr")
MARKETING_GROUP = ("marketing", "marketer")
# Roles that hold the data a fact question asks for (the CRM, the forecast, the budget).
DATA_HOLDERS = {"revops", "finance", "leadership"}

_LOADED = load_rubric(None)


@pytest.fixture(scope="module")
def loaded() -> LoadedRubric:
    return _LOADED


def scored(loaded: LoadedRubric) -> list[Question]:
    return [q for q in loaded.rubric.questions if q.scored and q.weight > 0]


# --- answering a whole form ----------------------------------------------------------------


def best(q: Question) -> Any:
    if q.targets:
        return q.targets[-1].value
    if q.type is QuestionType.SCALE:
        return 5
    if q.type is QuestionType.YESNO:
        return not q.invert
    if q.type is QuestionType.CHOICE:
        return max(q.options, key=lambda o: o.score or 0).value
    if q.type is QuestionType.MULTI:
        return [o.value for o in q.options]
    if q.type is QuestionType.NUMBER:
        assert q.curve is not None, q.id
        return max(q.curve.points, key=lambda p: p.score).at
    return "notes"


def worst(q: Question) -> Any:
    if q.type is QuestionType.SCALE:
        return 1
    if q.type is QuestionType.YESNO:
        return bool(q.invert)
    if q.type is QuestionType.CHOICE:
        return q.options[0].value
    if q.type is QuestionType.MULTI:
        return []
    if q.type is QuestionType.NUMBER:
        if q.curve is not None:
            return min(q.curve.points, key=lambda p: p.score).at
        return 0
    return "notes"


def answer_form(
    loaded: LoadedRubric, role: str, pick: Callable[[Question], Any], **fixed: Any
) -> dict[str, Any]:
    """Walk `role`'s form in order, answering each question its conditions ask."""
    answers: dict[str, Any] = {}
    for q in loaded.questions_for(role):
        cond = loaded.conditions.get(q.id)
        if cond is not None and not cond.evaluate({"answers": condition_values(loaded, answers)}):
            continue
        answers[q.id] = fixed.get(q.id, pick(q))
    return answers


# --- structure ------------------------------------------------------------------------------


def test_version_two_with_four_phases_and_seven_dimensions(loaded: LoadedRubric) -> None:
    r = loaded.rubric
    assert r.version == "2.0.0"
    assert [p.id for p in r.phases] == ["assessment", "alignment", "integration", "optimization"]
    assert {
        "shared-metrics",
        "shared-definitions",
        "service-levels",
        "joint-planning",
        "feedback-loops",
        "shared-technology",
        "structure-culture",
    } == {d.id for d in r.dimensions}
    assert all("weight" in d.description.lower() for d in r.dimensions), "each weight says why"


def test_levels_are_kotlers_cut_offs_rescaled_and_phases_agree(loaded: LoadedRubric) -> None:
    # Kotler, Rackham and Krishnaswamy cut a raw 20-100 total at 40, 60 and 80: on 0-100,
    # (raw - 20) / 80 * 100 gives 25, 50 and 75.
    levels = [(lv.id, lv.min) for lv in loaded.rubric.levels]
    assert levels == [("undefined", 0), ("defined", 25), ("aligned", 50), ("integrated", 75)]
    assert [(raw - 20) / 80 * 100 for raw in (40, 60, 80)] == [25, 50, 75]
    thresholds = [p.threshold for p in loaded.rubric.phases]
    assert thresholds == [25, 50, 75, 75]
    assert set(thresholds) <= {lv.min for lv in loaded.rubric.levels}


@pytest.mark.skipif(not DOCS.exists(), reason="docs sit beside the package")
def test_the_docs_explain_the_levels_and_the_carry_over() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert "Kotler, Rackham and Krishnaswamy" in text
    assert "What changed from 1.0.0" in text
    for old, new in _LOADED.rubric.renamed.items():
        assert old in text and new in text


@pytest.mark.skipif(not DOCS.exists(), reason="docs sit beside the package")
def test_the_docs_table_of_forms_matches_the_rubric(loaded: LoadedRubric) -> None:
    rows = re.findall(
        r"^\| `([a-z-]+)` \| [^|]+ \| (\d+) \| (\d+) \| (\d+) \|$", DOCS.read_text(), re.M
    )
    assert {r.id for r in loaded.rubric.roles} == {row[0] for row in rows}
    for role, asked, counted, minutes in rows:
        qs = loaded.questions_for(role)
        assert int(asked) == len(qs), role
        assert int(counted) == sum(q.scored and q.weight > 0 for q in qs), role
        assert int(minutes) == next(x.minutes for x in loaded.rubric.roles if x.id == role)


# --- forms: who is asked what ---------------------------------------------------------------


def test_every_role_has_a_form_reps_and_marketers_about_25(loaded: LoadedRubric) -> None:
    counts = {r.id: len(loaded.questions_for(r.id)) for r in loaded.rubric.roles}
    assert all(n > 0 for n in counts.values()), counts
    for role in ("sales-rep", "marketer"):
        assert 20 <= counts[role] <= 30, (role, counts[role])
    assert counts["sdr"] <= 25 and counts["customer-success"] <= 15
    assert counts["revops"] <= 30 and counts["finance"] <= 15


def test_the_two_heads_answer_the_full_set_of_their_group(loaded: LoadedRubric) -> None:
    for head, group in (("sales", SALES_GROUP), ("marketing", MARKETING_GROUP)):
        for q in loaded.rubric.questions:
            if set(q.roles) & set(group):
                assert head in q.roles, (q.id, head)
        assert len(loaded.questions_for(head)) >= 60


def test_every_question_names_its_roles(loaded: LoadedRubric) -> None:
    # Without roles a question would go to every form, finance and customer success included.
    assert all(q.roles for q in loaded.rubric.questions)


def test_facts_forms_ask_facts_not_ratings(loaded: LoadedRubric) -> None:
    for role in ("revops", "finance"):
        rated = [q.id for q in loaded.questions_for(role) if q.type is QuestionType.SCALE]
        assert rated == [], (role, rated)


def test_every_fact_question_is_linked_to_a_metric_or_asked_of_the_data_holders(
    loaded: LoadedRubric,
) -> None:
    for q in loaded.rubric.questions:
        if q.type is not QuestionType.NUMBER:
            continue
        assert q.unit, q.id
        if q.evidence is not None:
            assert q.evidence in METRIC_IDS, q.id
            assert "revops" in q.roles, q.id  # whoever holds the data is asked too
        else:
            assert set(q.roles) <= DATA_HOLDERS, (q.id, q.roles)


def test_no_function_rates_its_own_output(loaded: LoadedRubric) -> None:
    # The receiver judges: sales rates marketing's material and turnaround, marketing what it
    # sees of sales' follow-up and of sales' field insight; the CEO is not asked about their
    # own sponsorship.
    receivers = {
        "collateral-usefulness": SALES_GROUP,
        "campaign-request-turnaround": SALES_GROUP,
        "market-insight-to-sales": SALES_GROUP,
        "market-knowledge": (*SALES_GROUP, "leadership"),
        "follow-up-seen-by-marketing": MARKETING_GROUP,
        "field-insight-to-marketing": MARKETING_GROUP,
        "leadership-sponsorship": ("sales", "marketing"),
    }
    for qid, allowed in receivers.items():
        assert set(loaded.questions[qid].roles) <= set(allowed), qid


def test_reps_are_not_asked_what_only_heads_can_know(loaded: LoadedRubric) -> None:
    for qid in ("incentive-links", "budget-basis", "budget-reallocation", "other-head-goals"):
        roles = set(loaded.questions[qid].roles)
        assert not roles & {"sales-rep", "marketer", "sdr"}, qid


def test_pay_plans_are_asked_of_those_who_approve_both(loaded: LoadedRubric) -> None:
    assert set(loaded.questions["incentive-links"].roles) == {"leadership", "finance"}


def test_forms_carry_hints_for_facts_and_checklists(loaded: LoadedRubric) -> None:
    for q in loaded.rubric.questions:
        if q.type is QuestionType.NUMBER or (q.type is QuestionType.MULTI and q.weight > 0):
            assert q.hint, q.id
        if q.hint:
            # A hint says how to answer, never what good looks like.
            assert not re.search(r"good|best practice|marketing-led|sales-led", q.hint, re.I), q.id


# --- wording --------------------------------------------------------------------------------


def test_scale_anchors_define_every_step(loaded: LoadedRubric) -> None:
    likert = re.compile(r"((strongly|somewhat) )?(dis)?agree|neutral", re.IGNORECASE)
    for q in loaded.rubric.questions:
        assert q.help, f"{q.id} has no help"
        if q.type is QuestionType.SCALE:
            assert set(q.anchors) == {1, 2, 3, 4, 5}, q.id
            for anchor in q.anchors.values():
                assert not likert.fullmatch(anchor.strip(" .")), q.id
                assert len(anchor.split()) >= 4, (q.id, anchor)


def test_no_leading_or_yes_no_framed_as_agreement(loaded: LoadedRubric) -> None:
    leading = re.compile(r"\b(don't you|wouldn't you|do you agree|isn't it|right one)\b", re.I)
    for q in loaded.rubric.questions:
        assert not leading.search(q.text), q.id


# --- coverage of the domain brief -----------------------------------------------------------


@pytest.mark.skipif(
    not SHARED_DOMAIN.exists(), reason="the domain brief is not beside the repository"
)
def test_the_copy_of_the_domain_brief_is_the_brief() -> None:
    assert DOMAIN.read_bytes() == SHARED_DOMAIN.read_bytes()


def test_every_practice_and_concept_of_the_domain_brief_is_covered(loaded: LoadedRubric) -> None:
    text = DOMAIN.read_text(encoding="utf-8")
    practices = text.split("## Practices named in the seeds")[1].split("\n## ")[0]
    concepts = text.split("## Concepts from the literature")[1].split("\n## ")[0]
    n_practices = len(re.findall(r"^- ", practices, re.MULTILINE))
    n_concepts = len(re.findall(r"^\d+\. ", concepts, re.MULTILINE))
    ids = [c.id for c in loaded.rubric.coverage]
    assert sorted(i for i in ids if i.startswith("concept-")) == [
        f"concept-{n:02d}" for n in range(1, n_concepts + 1)
    ]
    assert sum(i.startswith("practice-") for i in ids) == n_practices
    covered = {c for q in scored(loaded) for c in q.covers}
    assert set(ids) <= covered, sorted(set(ids) - covered)


def test_the_practitioner_topics_of_issue_18_are_covered(loaded: LoadedRubric) -> None:
    topics = {c.id for c in loaded.rubric.coverage if c.id.startswith("topic-")}
    assert len(topics) == 11
    covered = {c for q in scored(loaded) for c in q.covers}
    assert topics <= covered, sorted(topics - covered)


# --- monotonicity: a weaker practice never scores higher ------------------------------------


def test_options_run_from_weakest_to_strongest(loaded: LoadedRubric) -> None:
    for q in scored(loaded):
        if q.targets or q.type not in (QuestionType.CHOICE, QuestionType.MULTI):
            continue
        scores = [o.score or 0.0 for o in q.options]
        if q.type is QuestionType.CHOICE:
            assert scores == sorted(scores), q.id
            assert scores[0] == 0.0 and scores[-1] == 1.0, q.id
        else:
            assert all(s > 0 for s in scores) and sum(scores) == pytest.approx(1.0), q.id


def test_target_questions_score_one_only_on_their_target(loaded: LoadedRubric) -> None:
    for q in loaded.rubric.questions:
        if not q.targets:
            continue
        assert q.targets[-1].when is None and q.tolerance, q.id
        kind = kind_of(q)
        for t in q.targets:
            assert kind.on_target(q, t.value, t.value) == 1.0, q.id


# Targets where going past the target is itself a fault, not just a cost (docs/default-rubric.md).
TWO_SIDED = {"sal-acceptance-rate"}  # 100% acceptance says acceptance is a formality


def test_targets_are_minimums_unless_excess_is_a_fault(loaded: LoadedRubric) -> None:
    for q in loaded.rubric.questions:
        if q.targets:
            expected = "both" if q.id in TWO_SIDED else "at_least"
            assert q.target_side == expected, q.id


TARGETED = [q for q in _LOADED.rubric.questions if q.targets and q.target_side != "both"]


@given(st.sampled_from(TARGETED), st.data())
def test_a_stronger_answer_never_scores_lower_against_any_target(
    q: Question, data: st.DataObject
) -> None:
    """Ordered from weakest to strongest: options as listed, scale steps, numbers."""
    kind = kind_of(q)
    if q.type is QuestionType.CHOICE:
        a, b = sorted(
            data.draw(st.lists(st.sampled_from(range(len(q.options))), min_size=2, max_size=2))
        )
        lo, hi = q.options[a].value, q.options[b].value
    else:
        lo, hi = sorted(data.draw(st.lists(st.integers(0, 100), min_size=2, max_size=2)))
    for t in q.targets:
        s_lo, s_hi = kind.on_target(q, lo, t.value), kind.on_target(q, hi, t.value)
        assert (s_lo <= s_hi) if q.target_side == "at_least" else (s_lo >= s_hi), (q.id, t.value)


SCALES = [q for q in _LOADED.rubric.questions if q.type is QuestionType.SCALE and q.scored]


@given(st.sampled_from(SCALES), st.integers(1, 5), st.integers(1, 5))
def test_a_higher_scale_answer_never_scores_lower(q: Question, a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    kind = kind_of(q)
    assert kind.normalise(q, lo, _LOADED.rubric) <= kind.normalise(q, hi, _LOADED.rubric)


CURVES = [q for q in _LOADED.rubric.questions if q.curve is not None and q.scored]


def test_curves_have_monotone_points_and_state_their_unit(loaded: LoadedRubric) -> None:
    assert CURVES
    for q in CURVES:
        assert q.curve is not None
        scores = [p.score for p in q.curve.points]
        assert scores in (sorted(scores), sorted(scores, reverse=True)), q.id
        assert q.unit and q.unit in q.text + (q.hint or "") + " percentage", q.id


@given(st.sampled_from(CURVES), st.floats(0, 10_000), st.floats(0, 10_000))
def test_a_curve_never_turns_back(q: Question, a: float, b: float) -> None:
    assert q.curve is not None
    lo, hi = sorted((a, b))
    rising = q.curve.points[-1].score >= q.curve.points[0].score
    s_lo, s_hi = curve_score(q.curve, lo), curve_score(q.curve, hi)
    assert (s_lo <= s_hi) if rising else (s_lo >= s_hi)


def test_speed_to_lead_is_continuous_on_a_log_axis_from_the_median(loaded: LoadedRubric) -> None:
    q = loaded.questions["lead-follow-up-hours"]
    assert q.curve is not None and q.curve.axis == "log" and not q.bands
    assert "median" in q.text.lower() and "clock hours" in q.text
    assert q.evidence == "speed_to_lead_hours"
    # No cliff at one hour: a minute either side scores nearly the same.
    assert abs(curve_score(q.curve, 0.99) - curve_score(q.curve, 1.01)) < 0.01


def test_acceptance_near_100_percent_is_not_full_marks(loaded: LoadedRubric) -> None:
    q = loaded.questions["sal-acceptance-rate"]
    kind = kind_of(q)
    assert kind.on_target(q, 90, q.targets[-1].value) == 1.0
    assert kind.on_target(q, 100, q.targets[-1].value) < 1.0


def test_a_one_sided_sla_never_passes_as_complete(loaded: LoadedRubric) -> None:
    q = loaded.questions["sla-scope"]
    for side in ("Sales:", "Marketing:"):
        share = sum(o.score or 0 for o in q.options if o.label.startswith(side))
        assert 0 < share < 0.6, side  # under the trigger of enforce-and-complete-sla
    rec = next(r for r in loaded.rubric.recommendations if r.id == "enforce-and-complete-sla")
    assert "question.sla_scope < 60" in rec.trigger
    assert "'response-time' in answers.sla_scope" in (loaded.questions["sla-compliance"].when or "")

    marketing_only = [o.value for o in q.options if o.label.startswith("Marketing:")]
    files = [
        person(
            loaded,
            role,
            role,
            answer_form(
                loaded,
                role,
                best,
                **{"sla-exists": True, "sla-scope": marketing_only, "sla-compliance": 95},
            ),
        )
        for role in ("sales", "marketing", "revops")
    ]
    card = card_of(loaded, files)
    scores = {x.id: x.score for x in card.questions}
    assert scores["sla-scope"] == 55.0
    assert scores["sla-compliance"] == 0.0  # no response time: nothing to comply with
    assert "enforce-and-complete-sla" in {r.id for r in card.recommendations}


GATES = sorted(
    {
        m
        for q in _LOADED.rubric.questions
        if q.when and q.scored and q.skipped == "lowest"
        for m in re.findall(r"answers\.(\w+)", q.when)
    }
)


@pytest.mark.parametrize("gate", GATES)
def test_a_gate_answered_yes_never_scores_below_no(loaded: LoadedRubric, gate: str) -> None:
    qid = gate.replace("_", "-")
    q = loaded.questions[qid]
    assert q.scored, qid
    yes = best(q)
    no = worst(q)
    for role in ("sales", "marketing", "revops"):
        if role not in q.roles:
            continue
        with_yes = answer_form(loaded, role, worst, **{qid: yes})
        with_no = answer_form(loaded, role, worst, **{qid: no})
        card_yes = card_of(loaded, [person(loaded, "A", role, with_yes)])
        card_no = card_of(loaded, [person(loaded, "A", role, with_no)])
        assert card_yes.overall is not None and card_no.overall is not None
        assert card_yes.overall >= card_no.overall, (qid, role)
        dim_yes = {d.id: d.score for d in card_yes.dimensions}
        dim_no = {d.id: d.score for d in card_no.dimensions}
        assert (dim_yes[q.dimension] or 0) >= (dim_no[q.dimension] or 0), (qid, role)


def test_only_structural_follow_ups_are_left_out_when_skipped(loaded: LoadedRubric) -> None:
    assert loaded.rubric.skipped == "lowest"
    excluded = {q.id for q in loaded.rubric.questions if q.when and q.skipped == "exclude"}
    assert excluded == {"channel-conflict", "partner-tiers", "partner-programmes"}


# --- targets set by context -----------------------------------------------------------------


def test_targets_read_context_asked_earlier_of_the_same_roles(loaded: LoadedRubric) -> None:
    order = {q.id: i for i, q in enumerate(loaded.rubric.questions)}
    targeted = {q.id for q in loaded.rubric.questions if q.targets}
    assert {
        "reporting-structure",
        "joint-meeting-frequency",
        "planning-horizon",
        "marketers-on-calls",
        "marketing-sourced-pipeline",
        "sal-acceptance-rate",
    } <= targeted
    for qid in targeted:
        q = loaded.questions[qid]
        for t in q.targets:
            for ref in re.findall(r"answers\.(\w+)", t.when or ""):
                ctx = loaded.questions[ref.replace("_", "-")]
                assert order[ctx.id] < order[qid], (qid, ctx.id)
                assert set(q.roles) <= set(ctx.roles), (qid, ctx.id)
                assert ctx.weight == 0, (qid, ctx.id)  # context, not scored


def test_a_small_fast_firm_is_not_told_it_needs_a_single_revenue_leader(
    loaded: LoadedRubric,
) -> None:
    small = {"company-size": "under-50", "sales-cycle-length": "under-1-month"}
    big = {"company-size": "over-1000", "sales-cycle-length": "6-12-months"}

    def score_of(context: dict[str, str], structure: str) -> float | None:
        answers = answer_form(
            loaded, "leadership", best, **context, **{"reporting-structure": structure}
        )
        card = card_of(loaded, [person(loaded, "L", "leadership", answers)])
        return next(q.score for q in card.questions if q.id == "reporting-structure")

    assert score_of(small, "separate-joint") == 100
    assert score_of(small, "single-leader") == 100  # a minimum: more integration never costs
    assert (score_of(big, "separate-joint") or 0) < 100
    assert score_of(big, "single-leader") == 100


# --- verdicts -------------------------------------------------------------------------------


def test_the_orientation_verdict_counts_heads_and_data_holders_only(loaded: LoadedRubric) -> None:
    clf = next(c for c in loaded.rubric.classifiers if c.id == "orientation")
    assert set(clf.roles) == {"sales", "marketing", "leadership", "revops", "finance"}
    assert clf.undecided == "orientation-undecided"
    assert clf.current == "strategy-driver"
    assert all(o.test for o in clf.outcomes)
    # Objective inputs weigh double the judgements.
    for qid in ("sales-cycle-length", "buying-group-size", "renewal-expansion-share"):
        assert max(max(o.signals.values(), default=0) for o in loaded.questions[qid].options) == 2
    for qid in ("market-maturity", "competitive-differentiation"):
        assert max(max(o.signals.values(), default=0) for o in loaded.questions[qid].options) == 1


def test_a_narrow_orientation_lead_is_undecided_not_balanced(loaded: LoadedRubric) -> None:
    clf = next(c for c in loaded.rubric.classifiers if c.id == "orientation")
    assert clf.fallback == clf.undecided == "orientation-undecided"
    # the orientation inputs go only to roles that count in it or take a target from them
    for qid in ("sales-cycle-length", "buying-group-size"):
        assert "sdr" not in loaded.questions[qid].roles, qid
    # sales and marketing agree on inputs that lean only a little (the halfway example's 0.125)
    lean = {
        "sales-cycle-length": "1-3-months",
        "buying-group-size": "2-3",
        "renewal-expansion-share": "10-30",
        "inbound-share": "20-50",
        "market-maturity": "established",
        "competitive-differentiation": "service-and-responsiveness",
        "strategy-driver": "sales",
    }
    files = [
        person(loaded, role, role, answer_form(loaded, role, worst, **lean))
        for role in ("sales", "marketing")
    ]
    card = card_of(loaded, files)
    verdict = next(c for c in card.classifications if c.id == "orientation")
    assert verdict.outcome == "orientation-undecided", verdict.totals
    fired = {r.id for r in card.recommendations}
    assert "rebalance-to-joint-direction" not in fired
    assert "resolve-undecided-orientation" in fired


INTEGRATION_ONLY = ("one-revops-team", "one-revenue-target", "joint-teams-and-rotation")


def test_integration_only_advice_waits_for_a_verdict_to_aim_for_integrated(
    loaded: LoadedRubric,
) -> None:
    for r in loaded.rubric.recommendations:
        if r.id in INTEGRATION_ONLY:
            assert r.trigger.startswith("outcome.integration_target != 'target-aligned' and "), r.id

    def fired(context: dict[str, str]) -> set[str]:
        files = [
            person(loaded, role, role, answer_form(loaded, role, worst, **context))
            for role in ("sales", "marketing", "leadership", "revops", "finance")
        ]
        return {r.id for r in card_of(loaded, files).recommendations}

    small = {
        "company-size": "under-50",
        "sales-cycle-length": "under-1-month",
        "buying-group-size": "1",
        "deal-size": "under-5k",
    }
    big = {
        "company-size": "over-1000",
        "sales-cycle-length": "6-12-months",
        "buying-group-size": "7-plus",
        "deal-size": "over-100k",
    }
    assert fired(small).isdisjoint(INTEGRATION_ONLY)
    assert fired(big) >= set(INTEGRATION_ONLY)


def test_the_integration_target_is_a_hypothesis_with_a_test(loaded: LoadedRubric) -> None:
    clf = next(c for c in loaded.rubric.classifiers if c.id == "integration-target")
    assert {o.id for o in clf.outcomes} == {"target-aligned", "target-integrated"}
    assert all(o.test for o in clf.outcomes)


def test_marketing_led_advice_checks_marketings_capability(loaded: LoadedRubric) -> None:
    led = [
        r
        for r in loaded.rubric.recommendations
        if "outcome.orientation == 'marketing-led'" in r.trigger
    ]
    assert len(led) >= 2
    for r in led:
        assert "market_knowledge" in r.trigger, r.id


def test_lean_answers_from_two_marketers_do_not_move_the_verdict(loaded: LoadedRubric) -> None:
    def balanced(q: Question) -> Any:
        if any(o.signals for o in q.options):
            return max(q.options, key=lambda o: o.signals.get("balanced", 0.0)).value
        return worst(q)

    heads = [
        person(loaded, n, role, answer_form(loaded, role, balanced))
        for n, role in (("S", "sales"), ("M", "marketing"), ("L", "leadership"))
    ]
    leaning = {"sales-cycle-length": "over-12-months", "buying-group-size": "7-plus"}
    marketers = [
        person(loaded, f"K{i}", "marketer", answer_form(loaded, "marketer", worst, **leaning))
        for i in range(2)
    ]

    def verdict(files: list[Any]) -> tuple[str | None, dict[str, float]]:
        card = card_of(loaded, files)
        clf = next(c for c in card.classifications if c.id == "orientation")
        return clf.outcome, clf.totals

    # Marketers do not vote on the market: their answers leave every total as it was, and at
    # most make the verdict undecided (their group now disagrees with sales), never theirs.
    (alone, totals), (joined, totals_joined) = verdict(heads), verdict(heads + marketers)
    assert totals_joined == totals
    assert joined in (alone, "orientation-undecided")
    assert joined != "marketing-led"


# --- recommendations ------------------------------------------------------------------------


def test_recommendations_cover_every_dimension_and_phase(loaded: LoadedRubric) -> None:
    recs = loaded.rubric.recommendations
    assert len(recs) >= 40
    assert {r.dimension for r in recs} >= {d.id for d in loaded.rubric.dimensions}
    assert {r.phase for r in recs} == {p.id for p in loaded.rubric.phases}
    assert all(r.kpi and r.owner and r.priority and len(r.body) > 80 for r in recs)


def test_a_firm_that_does_everything_well_still_gets_optimization_work(
    loaded: LoadedRubric,
) -> None:
    context = {"company-size": "over-1000", "sales-cycle-length": "6-12-months"}
    files = [
        person(loaded, role, role, answer_form(loaded, role, best, **context))
        for role in ("sales", "marketing", "leadership", "revops")
    ]
    card = card_of(loaded, files)
    assert card.overall is not None and card.overall >= 75
    fired = [r for r in card.recommendations if r.phase == "optimization"]
    assert len(fired) >= 3, [r.id for r in card.recommendations]


def test_renamed_ids_lead_to_v2_questions(loaded: LoadedRubric) -> None:
    assert loaded.rubric.renamed == {"opportunity-stages": "opportunity-stage-criteria"}
    for old, new in loaded.rubric.renamed.items():
        assert new in loaded.questions and old not in loaded.questions


def test_benchmarks_carry_source_year_and_whether_second_hand(loaded: LoadedRubric) -> None:
    marks = loaded.rubric.benchmarks
    assert len(marks) >= 8
    assert all(b.source and b.figure for b in marks)
    assert any(b.second_hand for b in marks) and any(not b.second_hand for b in marks)
    assert sum(b.year is None for b in marks) == 1  # only the Forrester survey has no year
    asked = set(loaded.questions)
    assert all(set(b.questions) <= asked for b in marks)


def test_no_text_people_read_cites_our_own_research_notes() -> None:
    """The seed articles the framework was drawn from are our notes ("seed 002"): a client
    reading the report, or a respondent reading a question's help in the interview, is given
    the idea in our words, or a published source, never that label. Only `source:` metadata
    (the coverage map, never printed) keeps it."""
    import yaml

    data = yaml.safe_load((ROOT / "rubrics" / "sales-marketing-alignment.yaml").read_text("utf-8"))
    found: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key != "source":
                    walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")
        elif isinstance(node, str) and re.search(r"\bseeds? \d{3}", node, re.IGNORECASE):
            found.append(f"{where}: {node[:60]}")

    walk(data, "rubric")
    assert found == []
