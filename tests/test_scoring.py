"""The scoring core against numbers worked out by hand (see docs/scoring.md for the rules)."""

from __future__ import annotations

import copy
import statistics
from pathlib import Path
from typing import Any

import pytest
from scoring_helpers import BASE, card_of, person, rubric

from alignment_cli.errors import InvalidInput
from alignment_cli.scoring.engine import Dist, weighted_mean

SAM = {
    "s1": 4,  # (4-1)/4 = 0.75
    "s2": 7,  # 7/10 = 0.7
    "c1": "b",  # 0.9
    "m1": ["x", "y"],  # 0.7 + 0.6 = 1.3, capped at 1
    "y1": True,  # 1
    "y2": True,  # inverted: 0
    "n1": 10,  # [10, 20) -> 0.5
    "t1": "hello",  # text: not scored
}
MIA = {
    "s1": 2,  # 0.25
    "s2": "n/a",
    "c1": "a",  # 0.2
    "m1": [],  # 0
    "y1": False,  # 0
    "y2": False,  # inverted: 1
    "n1": 25,  # [20, ...) -> 0
}
CARL = {"s1": "unknown", "s2": 10}  # s2: 1.0; the rest left blank


def test_one_respondent_by_hand(tmp_path: Path) -> None:
    loaded = rubric(tmp_path)
    card = card_of(loaded, [person(loaded, "Sam", "sales", SAM)])
    q = {x.id: x.score for x in card.questions}
    assert q == {
        "s1": 75.0,
        "s2": 70.0,
        "c1": 90.0,
        "m1": 100.0,
        "y1": 100.0,
        "y2": 0.0,
        "n1": 50.0,
        "t1": None,
    }
    alpha, beta = card.dimensions
    assert alpha.score == 71.25  # (1 * 0.75 + 3 * 0.7) / 4
    assert beta.score == 68.0  # (0.9 + 1 + 1 + 0 + 0.5) / 5
    assert card.overall == 70.4375  # (3 * 71.25 + 1 * 68) / 4
    assert card.level is not None and card.level.id == "mid"
    assert [p.score for p in card.phases] == [71.25, 68.0]
    assert [p.achieved for p in card.phases] == [True, True]  # thresholds 60 (default) and 50
    assert card.all_phases_achieved and card.current_phase == "two"
    assert card.coverage == 1.0
    assert card.respondents[0].overall == 70.4375
    assert card.respondents[0].asked == 8 and card.respondents[0].answered == 8


def test_three_respondents_by_hand(tmp_path: Path) -> None:
    """The mean over people, unknown left out: what a rubric gets with `aggregation: people`
    and `unknown: exclude` (the rules before role groups; gaps are on common ground anyway)."""
    loaded = rubric(tmp_path, aggregation="people", unknown="exclude")
    card = card_of(
        loaded,
        [
            person(loaded, "Sam", "sales", SAM),
            person(loaded, "Mia", "marketing", MIA),
            person(loaded, "Carl", "ceo", CARL),
        ],
    )
    q = {x.id: x for x in card.questions}
    assert q["s1"].score == 50.0 and q["s1"].by_role == {"sales": 75.0, "marketing": 25.0}
    assert q["s1"].gap == 50.0 and q["s1"].spread == 25.0
    assert (q["s1"].asked, q["s1"].answered, q["s1"].unknown, q["s1"].na) == (3, 2, 1, 0)
    assert q["s2"].score == 85.0 and q["s2"].by_role == {"sales": 70.0, "ceo": 100.0}
    assert q["s2"].gap is None and q["s2"].spread == 15.0 and q["s2"].na == 1
    assert (q["c1"].score, q["c1"].gap, q["c1"].spread) == (55.0, 70.0, 35.0)
    assert (q["m1"].score, q["m1"].gap) == (50.0, 100.0)
    assert (q["y1"].score, q["y1"].gap) == (50.0, 100.0)
    assert (q["y2"].score, q["y2"].gap) == (50.0, -100.0)
    assert (q["n1"].score, q["n1"].gap, q["n1"].spread) == (25.0, 50.0, 25.0)
    assert q["t1"].score is None and q["t1"].answered == 1
    assert q["m1"].answers == {"marketing": {"(none)": 1}, "sales": {"X; Y": 1}}
    assert q["y2"].answers == {"marketing": {"no": 1}, "sales": {"yes": 1}}
    assert q["n1"].answers == {"marketing": {"25": 1}, "sales": {"10": 1}}

    alpha, beta = card.dimensions
    assert alpha.score == 76.25  # (1 * 50 + 3 * 85) / 4
    assert alpha.by_role == {"sales": 71.25, "marketing": 25.0, "ceo": 100.0}
    # The gap is on common ground: s2 was answered by sales and the ceo, not by marketing.
    assert (alpha.gap, alpha.gap_first, alpha.gap_second, alpha.gap_questions) == (50, 75, 25, 1)
    assert alpha.gap_abs == 50.0
    assert beta.score == 46.0  # (55 + 50 + 50 + 50 + 25) / 5
    assert beta.by_role == {"sales": 68.0, "marketing": 24.0}
    assert beta.gap == 44.0
    assert beta.gap_abs == 84.0  # (0.7 + 1 + 1 + 1 + 0.5) / 5: every question disagrees
    # Each respondent's own alpha score, then the population standard deviation.
    own_alpha = [(0.75 + 3 * 0.7) / 4, 0.25, 1.0]
    assert alpha.spread == round(statistics.pstdev(own_alpha) * 100, 4)

    assert card.overall == 68.6875  # (3 * 76.25 + 46) / 4
    assert card.overall_by_role == {"sales": 70.4375, "marketing": 24.75, "ceo": 100.0}
    assert card.overall_gap == 48.5  # (3 * 50 + 1 * 44) / 4, the dimension gaps weighted
    assert [p.achieved for p in card.phases] == [True, False]
    assert card.current_phase == "two" and not card.all_phases_achieved

    # 7 scored questions x 3 people asked; Carl left 5 blank, said unknown once; Mia n/a once.
    c = card.counts
    assert (c.asked, c.answered, c.unknown, c.na, c.missing) == (21, 14, 1, 1, 5)
    assert card.coverage == round(14 / 21, 4)  # unknown, n/a and blanks all lower it
    assert [b.question for b in card.blind_spots] == ["s1"]
    assert card.respondent_count == 3 and card.by_role == {"sales": 1, "marketing": 1, "ceo": 1}
    people = {p.name: p for p in card.respondents}
    assert people["Mia"].overall == 24.75 and people["Carl"].overall == 100.0
    assert (people["Mia"].answered, people["Mia"].na) == (6, 1)
    assert (people["Carl"].answered, people["Carl"].unknown) == (1, 1)

    assert card.largest_dimension_gap is not None and card.largest_dimension_gap.id == "alpha"
    assert card.largest_question_gap is not None
    assert abs(card.largest_question_gap.gap) == 100.0
    assert [abs(g.gap) for g in card.gaps] == sorted((abs(g.gap) for g in card.gaps), reverse=True)


def test_a_dimension_with_nothing_scored_drops_out_of_the_overall(tmp_path: Path) -> None:
    loaded = rubric(tmp_path)
    card = card_of(loaded, [person(loaded, "Sam", "sales", {"s1": 4, "s2": 7})])
    assert card.dimensions[1].score is None
    assert card.overall == card.dimensions[0].score == 71.25


def test_a_phase_with_nothing_scored_neither_passes_nor_blocks(tmp_path: Path) -> None:
    loaded = rubric(tmp_path)
    card = card_of(loaded, [person(loaded, "Sam", "sales", {"c1": "a"})])  # phase two: 20
    assert [p.achieved for p in card.phases] == [None, False]
    assert card.current_phase == "two"
    answers = {"c1": "b", "m1": ["x", "y"], "y1": True}  # phase two: 3 of 5 answered, 96.7
    card = card_of(loaded, [person(loaded, "Sam", "sales", answers)])
    assert [p.achieved for p in card.phases] == [None, True]
    assert card.all_phases_achieved and card.current_phase == "two"


def test_nothing_scored_means_no_score_no_level_no_phase(tmp_path: Path) -> None:
    loaded = rubric(tmp_path, unknown="exclude")
    card = card_of(loaded, [person(loaded, "Sam", "sales", {"s1": "unknown", "s2": "n/a"})])
    assert card.overall is None and card.level is None
    assert card.current_phase is None and not card.all_phases_achieved
    assert card.coverage == 0.0  # 7 asked, nothing answered
    assert card.counts.missing == 5
    # By default not knowing counts as the lowest value: that is a score, and a poor one.
    loaded = rubric(tmp_path)
    card = card_of(loaded, [person(loaded, "Sam", "sales", {"s1": "unknown", "s2": "n/a"})])
    assert card.overall == 0.0 and card.dimensions[0].score == 0.0 and card.coverage == 0.0
    assert [b.question for b in card.blind_spots] == ["s1"]


def test_role_groups_are_combined_with_equal_weights_by_default(tmp_path: Path) -> None:
    """The same three people under the default rules: each role group's mean, then the
    groups' mean; unknown counts as the lowest value."""
    loaded = rubric(tmp_path)
    people = [
        person(loaded, "Sam", "sales", SAM),
        person(loaded, "Mia", "marketing", MIA),
        person(loaded, "Carl", "ceo", CARL),
    ]
    card = card_of(loaded, people)
    q = {x.id: x for x in card.questions}
    # s1: sales 0.75, marketing 0.25, ceo unknown -> 0: (0.75 + 0.25 + 0) / 3
    assert q["s1"].score == 33.3333 and q["s1"].by_role == {"sales": 75, "marketing": 25, "ceo": 0}
    assert (q["s1"].answered, q["s1"].unknown) == (2, 1)
    assert q["s2"].score == 85.0  # (0.7 + 1.0) / 2: marketing said n/a
    alpha = card.dimensions[0]
    assert alpha.score == 72.0833  # (1 * 33.3333 + 3 * 85) / 4
    # Four more marketers answering as Mia did change nothing but the counts (and intervals).
    more = [person(loaded, f"Mia {i}", "marketing", MIA) for i in range(4)]
    again = card_of(loaded, people + more)
    assert again.overall == card.overall
    assert [d.score for d in again.dimensions] == [d.score for d in card.dimensions]
    assert [x.score for x in again.questions] == [x.score for x in card.questions]
    # Under `aggregation: people` they would have moved it: s1 = (0.75 + 5 * 0.25 + 0) / 7.
    loaded = rubric(tmp_path, aggregation="people")
    by_people = card_of(
        loaded,
        [
            person(
                loaded,
                p.responses.respondent.name,
                p.responses.respondent.role,
                p.responses.answers,
            )
            for p in people + more
        ],
    )
    assert {x.id: x.score for x in by_people.questions}["s1"] == round(2 / 7 * 100, 4)


def test_role_weights_set_each_groups_share(tmp_path: Path) -> None:
    loaded = rubric(tmp_path, role_weights={"sales": 3})
    card = card_of(
        loaded, [person(loaded, "Sam", "sales", SAM), person(loaded, "Mia", "marketing", MIA)]
    )
    q = {x.id: x.score for x in card.questions}
    assert q["s1"] == 62.5  # (3 * 0.75 + 1 * 0.25) / 4
    assert q["s2"] == 70.0  # only sales answered: its mean, whatever its weight


def test_levels_are_bands_from_their_minimum(tmp_path: Path) -> None:
    loaded = rubric(tmp_path)
    card = card_of(loaded, [person(loaded, "Sam", "sales", {"s1": 4})])  # exactly 75
    assert card.overall == 75.0 and card.level is not None and card.level.id == "high"
    card = card_of(loaded, [person(loaded, "Sam", "sales", {"s1": 1})])
    assert card.overall == 0.0 and card.level is not None and card.level.id == "low"


def test_a_phase_is_achieved_at_its_threshold_exactly(tmp_path: Path) -> None:
    loaded = rubric(tmp_path)
    # Phase two: y1 yes (1), y2 yes (0) and n1 10 (0.5): 50, its threshold.
    answers = {"y1": True, "y2": True, "n1": 10}
    card = card_of(loaded, [person(loaded, "Sam", "sales", answers)])
    assert card.phases[1].score == 50.0 and card.phases[1].achieved is True


def test_a_phase_resting_on_under_half_its_questions_is_not_achieved(tmp_path: Path) -> None:
    loaded = rubric(tmp_path)
    # Phase two scores 90 on c1 alone: one of its five questions answered.
    card = card_of(loaded, [person(loaded, "Sam", "sales", {"c1": "b"})])
    assert card.phases[1].score == 90.0 and card.phases[1].coverage == 0.2
    assert card.phases[1].achieved is False and card.current_phase == "two"
    assert card.warnings == [
        "phase two scores 90 but only 20% of its questions were answered: not counted as achieved"
    ]


def test_answers_that_do_not_count_are_left_out(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["questions"][2]["roles"] = ["marketing"]  # c1
    data["questions"][3]["when"] = "answers.y1 == true"  # m1, after y1? no: m1 comes before y1
    data["questions"].insert(0, data["questions"].pop(4))  # move y1 first so m1 may read it
    loaded = rubric(tmp_path, data)
    sam = {"y1": False, "c1": "b", "m1": ["x"], "s1": 4, "bogus": 3, "s2": "eleven"}
    card = card_of(loaded, [person(loaded, "Sam", "sales", sam)])
    q = {x.id: x for x in card.questions}
    assert q["c1"].asked == 0 and q["c1"].score is None  # not asked of sales
    assert q["m1"].asked == 0 and q["m1"].score is None  # its condition is false
    assert q["s2"].asked == 1 and q["s2"].answered == 0  # not a valid answer
    assert card.respondents[0].answered == 2  # y1 and s1


def test_role_and_condition_decide_what_is_asked(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["questions"].insert(0, data["questions"].pop(4))  # y1 first
    data["questions"][4]["when"] = "answers.y1 == true"  # m1
    loaded = rubric(tmp_path, data)
    files = [
        person(loaded, "A", "sales", {"y1": True, "m1": ["x"]}),
        person(loaded, "B", "sales", {"y1": False}),
        person(loaded, "C", "sales", {"y1": "unknown"}),
    ]
    card = card_of(loaded, files)
    m1 = next(q for q in card.questions if q.id == "m1")
    assert (m1.asked, m1.answered, m1.score) == (1, 1, 70.0)


def test_a_multi_answer_is_capped_at_one_and_counts_each_option_once(tmp_path: Path) -> None:
    loaded = rubric(tmp_path)
    card = card_of(loaded, [person(loaded, "Sam", "sales", {"m1": ["x", "x", "z"]})])
    assert next(q for q in card.questions if q.id == "m1").score == 80.0


@pytest.mark.parametrize(
    ("value", "expected"), [(0, 100.0), (9.99, 100.0), (10, 50.0), (19.5, 50.0), (20, 0.0)]
)
def test_number_bands_include_their_min_and_exclude_their_max(
    tmp_path: Path, value: float, expected: float
) -> None:
    loaded = rubric(tmp_path)
    card = card_of(loaded, [person(loaded, "Sam", "sales", {"n1": value})])
    assert next(q for q in card.questions if q.id == "n1").score == expected


def test_targets_give_shortfalls(tmp_path: Path) -> None:
    loaded = rubric(tmp_path)
    card = card_of(
        loaded,
        [person(loaded, "Sam", "sales", SAM)],
        targets={"overall": 80, "dimensions": {"beta": 60, "alpha": 90}},
    )
    assert card.target == 80 and card.shortfall == round(80 - 70.4375, 4)
    alpha, beta = card.dimensions
    assert alpha.shortfall == 18.75 and beta.shortfall == 0.0


def test_notes_are_kept_per_question(tmp_path: Path) -> None:
    loaded = rubric(tmp_path)
    files = [
        person(loaded, "Sam", "sales", SAM, notes={"s1": "We argue a lot", "c1": "  "}),
        person(loaded, "Mia", "marketing", MIA, notes={"s1": "No definition"}),
    ]
    card = card_of(loaded, files)
    s1 = next(q for q in card.questions if q.id == "s1")
    assert [(n.respondent, n.text) for n in s1.notes] == [
        ("Mia", "No definition"),
        ("Sam", "We argue a lot"),
    ]
    assert next(q for q in card.questions if q.id == "c1").notes == []


def test_files_for_another_rubric_or_with_an_unknown_role_are_refused(tmp_path: Path) -> None:
    loaded = rubric(tmp_path)
    other = rubric(tmp_path, id="other")
    with pytest.raises(InvalidInput, match="answers for rubric 'other', not 'hand'"):
        card_of(loaded, [person(other, "Sam", "sales", {})])
    with pytest.raises(InvalidInput, match="unknown role 'cfo'"):
        card_of(loaded, [person(loaded, "Sam", "cfo", {})])


# -- recommendations ---------------------------------------------------------------------------


def _with_recs(tmp_path: Path, recs: list[dict[str, Any]]) -> Any:
    full = [{"title": r["id"].title(), "body": "Do it.", "priority": "medium", **r} for r in recs]
    return rubric(tmp_path, recommendations=full)


def test_recommendations_are_ordered_by_phase_priority_and_shortfall(tmp_path: Path) -> None:
    loaded = _with_recs(
        tmp_path,
        [
            {"id": "late-high", "phase": "two", "priority": "high", "trigger": "overall < 101"},
            {"id": "early-low", "phase": "one", "priority": "low", "trigger": "overall < 101"},
            {"id": "early-high", "phase": "one", "priority": "high", "trigger": "overall < 101"},
            {
                "id": "early-high-beta",
                "phase": "one",
                "priority": "high",
                "dimension": "beta",
                "trigger": "overall < 101",
            },
            {"id": "never", "phase": "one", "trigger": "overall > 100"},
        ],
    )
    card = card_of(loaded, [person(loaded, "Mia", "marketing", MIA)])
    # Phase one scores 25 (s1 only), beta 24; thresholds 60 for one.
    assert [h.id for h in card.recommendations] == [
        "early-high-beta",  # shortfall 60 - 24 = 36
        "early-high",  # shortfall 60 - 25 = 35
        "early-low",
        "late-high",
    ]
    shortfalls = {h.id: h.shortfall for h in card.recommendations}
    assert shortfalls["early-high-beta"] == 36.0 and shortfalls["early-high"] == 35.0
    assert shortfalls["late-high"] == 26.0  # phase two scores 24, threshold 50


def test_a_trigger_cites_the_scores_that_made_it_fire(tmp_path: Path) -> None:
    loaded = _with_recs(
        tmp_path,
        [
            {
                "id": "either",
                "phase": "one",
                "trigger": "question.c1 < 60 or question.s1 < 60 or dimension.alpha < 10",
            },
            {"id": "both", "phase": "one", "trigger": "question.s1 < 60 and gap.alpha is none"},
        ],
    )
    # Only s1 is answered: c1 is none, which must not silence the other side.
    card = card_of(loaded, [person(loaded, "Mia", "marketing", {"s1": 2})])
    hits = {h.id: h for h in card.recommendations}
    assert set(hits) == {"either", "both"}
    assert [(e.name, e.value) for e in hits["either"].because] == [("question.s1", 25.0)]
    assert [e.name for e in hits["both"].because] == ["question.s1", "gap.alpha"]


def test_evidence_follows_the_parsed_trigger_not_its_text(tmp_path: Path) -> None:
    loaded = _with_recs(
        tmp_path,
        [
            {
                "id": "bracketed",
                "phase": "one",
                "trigger": "question.c1 < 60 or (question.s1 < 60 or question.s2 < 60)",
            },
            {
                "id": "quoted",
                "phase": "one",
                "trigger": "answers.t1 == 'late or never' or question.s2 < 60",
            },
            {
                # (s1 < 60 or s2 < 60) if c1 is not none else false: c1 is none, so false.
                "id": "conditional",
                "phase": "one",
                "trigger": "question.s1 < 60 or question.s2 < 60 if question.c1 is not none "
                "else false",
            },
            {"id": "negated", "phase": "one", "trigger": "not (question.s2 < 60 or overall > 99)"},
        ],
    )
    answers = {"s1": 2, "s2": 9, "t1": "late or never"}
    card = card_of(loaded, [person(loaded, "Mia", "marketing", answers)])
    hits = {h.id: [e.name for e in h.because] for h in card.recommendations}
    assert hits == {
        "bracketed": ["question.s1"],  # s2 scores 90: only s1 held
        "quoted": ["answers.t1"],
        "negated": ["question.s2", "overall"],
    }


def test_a_tied_answer_reads_as_the_lower_scoring_one(tmp_path: Path) -> None:
    loaded = _with_recs(
        tmp_path, [{"id": "no-y1", "phase": "two", "trigger": "answers.y1 == false"}]
    )
    split = [
        person(loaded, "A", "sales", {"y1": True}),
        person(loaded, "B", "marketing", {"y1": False}),
    ]
    assert [h.id for h in card_of(loaded, split).recommendations] == ["no-y1"]
    majority = [*split, person(loaded, "C", "ceo", {"y1": True})]
    assert card_of(loaded, majority).recommendations == []


# -- classification ----------------------------------------------------------------------------


def _classifier_rubric(tmp_path: Path, **clf: Any) -> Any:
    data = copy.deepcopy(BASE)
    data["classifiers"] = [
        {
            "id": "motion",
            "title": "Motion",
            "outcomes": [
                {"id": "push", "title": "Push"},
                {"id": "pull", "title": "Pull"},
                {"id": "mixed", "title": "Mixed"},
            ],
            **clf,
        }
    ]
    data["questions"] += [
        {
            "id": "market",
            "phase": "one",
            "dimension": "alpha",
            "type": "choice",
            "weight": 0,
            "text": "Market?",
            "options": [
                {"value": "new", "label": "New", "signals": {"pull": 1}},
                {"value": "old", "label": "Old", "signals": {"push": 1}},
                {"value": "both", "label": "Both", "signals": {"push": 0.5, "pull": 0.5}},
            ],
        },
        {
            "id": "channels",
            "phase": "one",
            "dimension": "alpha",
            "type": "multi",
            "weight": 0,
            "text": "Channels?",
            "options": [
                {"value": "web", "label": "Web", "signals": {"pull": 2}},
                {"value": "field", "label": "Field", "signals": {"push": 2}},
            ],
        },
        {
            "id": "today",
            "phase": "one",
            "dimension": "alpha",
            "type": "choice",
            "weight": 0,
            "text": "Who leads today?",
            "options": [
                {"value": "sales", "label": "Sales", "signals": {"push": 1}},
                {"value": "marketing", "label": "Marketing", "signals": {"pull": 1}},
                {"value": "nobody", "label": "Nobody"},
            ],
        },
    ]
    return rubric(tmp_path, data)


def test_a_classifier_sums_signals_and_names_its_reasons(tmp_path: Path) -> None:
    loaded = _classifier_rubric(tmp_path, fallback="mixed", margin=0.2, current="today")
    files = [
        person(loaded, "A", "sales", {"market": "new", "channels": ["web"], "today": "sales"}),
        person(loaded, "B", "marketing", {"market": "both", "channels": [], "today": "sales"}),
    ]
    (c,) = card_of(loaded, files).classifications
    # pull: 1 + 2 + 0.5 = 3.5; push: 0.5; margin (3.5 - 0.5) / 4 = 0.75
    assert c.totals == {"push": 0.5, "pull": 3.5, "mixed": 0.0}
    assert (c.outcome, c.outcome_title, c.margin, c.decided) == ("pull", "Pull", 0.75, True)
    assert (c.current, c.matches) == ("push", False)
    assert [(r.question, r.outcome, r.weight) for r in c.reasons] == [
        ("channels", "pull", 2.0),
        ("market", "pull", 1.0),
        ("market", "pull", 0.5),
        ("market", "push", 0.5),
    ]


def test_a_classifier_falls_back_below_its_margin_and_on_a_tie(tmp_path: Path) -> None:
    loaded = _classifier_rubric(tmp_path, fallback="mixed", margin=0.5)
    files = [
        person(loaded, "A", "sales", {"market": "new"}),
        person(loaded, "B", "sales", {"market": "new"}),
        person(loaded, "C", "sales", {"market": "old"}),
    ]
    (c,) = card_of(loaded, files).classifications
    assert (c.outcome, c.margin, c.decided) == ("mixed", round(1 / 3, 4), False)
    tie = files[1:]
    (c,) = card_of(loaded, tie).classifications
    assert (c.outcome, c.margin, c.decided) == ("mixed", 0.0, False)
    without = _classifier_rubric(tmp_path)
    (c,) = card_of(without, [person(without, "C", "sales", {"market": "old"})]).classifications
    assert (c.outcome, c.decided, c.margin) == ("push", True, 1.0)
    (c,) = card_of(without, [person(without, "C", "sales", {})]).classifications
    assert (c.outcome, c.decided, c.current) == (None, False, None)


def test_today_is_the_most_voted_outcome_and_none_on_a_tie(tmp_path: Path) -> None:
    loaded = _classifier_rubric(tmp_path, current="today")
    votes = [
        person(loaded, "A", "sales", {"market": "new", "today": "marketing"}),
        person(loaded, "B", "sales", {"today": "nobody"}),
    ]
    (c,) = card_of(loaded, votes).classifications
    assert (c.outcome, c.current, c.current_title, c.matches) == ("pull", "pull", "Pull", True)
    votes.append(person(loaded, "C", "sales", {"today": "sales"}))
    (c,) = card_of(loaded, votes).classifications
    assert (c.current, c.matches) == (None, None)


# -- building blocks ---------------------------------------------------------------------------


def test_weighted_mean_leaves_out_what_does_not_count() -> None:
    assert weighted_mean([(2, 0.5), (1, 1.0), (3, None), (0, 0.0)]) == pytest.approx(2 / 3)
    assert weighted_mean([(1, None)]) is None
    assert weighted_mean([]) is None


def test_dist_mean_and_population_spread() -> None:
    d = Dist()
    for v in (0.25, 0.75, 0.75, 0.25):
        d.add(v)
    assert (d.n, d.mean(), d.spread()) == (4, 0.5, 0.25)
    single = Dist()
    single.add(0.3)
    assert single.spread() is None and Dist().mean() is None


def test_a_trigger_can_compare_the_chosen_outcome_with_todays_structure(tmp_path: Path) -> None:
    """`current.<classifier>` lets a recommendation fire when today's structure does not fit."""
    base = _classifier_rubric(tmp_path, current="today").rubric
    data = base.model_dump(mode="json", exclude_none=True)
    data["recommendations"] = [
        {
            "id": "hand-over",
            "title": "Let the pulling side lead",
            "body": "Move direction to the side the market calls for.",
            "phase": "one",
            "trigger": "outcome.motion == 'pull' and current.motion != outcome.motion",
        }
    ]
    loaded = rubric(tmp_path, data)
    sales_led = person(loaded, "A", "sales", {"market": "new", "today": "sales"})
    (hit,) = card_of(loaded, [sales_led]).recommendations
    assert [(e.name, e.value) for e in hit.because] == [
        ("outcome.motion", "pull"),
        ("current.motion", "push"),
    ]
    fits = person(loaded, "B", "sales", {"market": "new", "today": "marketing"})
    assert card_of(loaded, [fits]).recommendations == []


def test_current_needs_a_classifier_with_a_current_question(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["recommendations"] = [
        {"id": "r", "title": "R", "body": "B", "phase": "one", "trigger": "current.motion == 'x'"}
    ]
    with pytest.raises(InvalidInput, match="unknown classifier with a `current` question 'motion'"):
        rubric(tmp_path, data)


def test_the_last_band_includes_its_max_and_nothing_beyond(tmp_path: Path) -> None:
    """A share bounded by {min: 90, max: 100} accepts 100 and refuses 101."""
    from alignment_cli.files.responses import value_error

    data = copy.deepcopy(BASE)
    n1 = next(q for q in data["questions"] if q["id"] == "n1")
    n1["bands"][-1]["max"] = 100
    loaded = rubric(tmp_path, data)
    q = loaded.questions["n1"]
    assert value_error(q, 100, loaded) is None
    assert value_error(q, 100.5, loaded) == "100.5 is outside the range the rubric scores (..100)"
    card = card_of(loaded, [person(loaded, "Sam", "sales", {"n1": 100})])
    assert next(x for x in card.questions if x.id == "n1").score == 0.0


def test_intervals_narrow_with_more_people_and_are_the_same_run_to_run(tmp_path: Path) -> None:
    loaded = rubric(tmp_path)

    def crowd(k: int) -> Any:
        people = []
        for i in range(k):
            for role, s1 in (("sales", 2 + i % 3), ("marketing", 3 + i % 3)):
                people.append(person(loaded, f"{role}{i}", role, {"s1": s1, "s2": 5}))
        return card_of(loaded, people)

    widths = []
    for k in (3, 6, 12, 24):
        card = crowd(k)
        iv = card.overall_interval
        assert iv is not None and iv.level == 0.95 and card.overall is not None
        assert iv.low <= card.overall <= iv.high
        widths.append(iv.high - iv.low)
        assert crowd(k).overall_interval == iv  # no randomness: the same every run
        assert card.overall_indicative is (k < 3)
    assert widths == sorted(widths, reverse=True) and widths[-1] < widths[0] / 2
    alone = card_of(loaded, [person(loaded, "Sam", "sales", SAM)])
    assert alone.overall_interval is None and alone.overall_indicative  # one person: no interval


def test_a_classifier_naming_a_role_twice_counts_its_people_once(tmp_path: Path) -> None:
    """`roles: [sales, sales, marketing]` is `roles: [sales, marketing]`: the same verdict,
    votes and respondents (found by a review: the duplicate was half dropped)."""
    from alignment_cli.model.rubric import load_rubric
    from alignment_cli.scoring.pipeline import score_inputs

    root = Path(__file__).resolve().parent.parent
    source = (root / "docs" / "examples" / "minimal-rubric.yaml").read_text("utf-8")
    cards = []
    for roles in ("[sales, sales, marketing]", "[sales, marketing]"):
        path = tmp_path / f"r{len(cards)}.yaml"
        path.write_text(
            source.replace(
                "    fallback: balanced", f"    fallback: balanced\n    roles: {roles}", 1
            ),
            "utf-8",
        )
        assert load_rubric(path).rubric.classifiers[0].roles
        card = score_inputs([root / "tests" / "data" / "minimal"], rubric_ref=str(path)).card
        cards.append(card.classifications[0].model_dump())
    assert cards[0] == cards[1]
