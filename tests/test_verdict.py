"""Issue 18's engine features on a small rubric (tests/data/verdict): a classifier counting some
roles only, its undecided outcome when the gap groups disagree, factor answers by role, the
outcome's test, straight-lining, and forms that carry only what a respondent needs."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scoring_helpers import card_of, person

from alignment_cli.model.models import QuestionType
from alignment_cli.model.rubric import DEFAULT_RUBRIC, LoadedRubric, load_rubric
from alignment_cli.report.appendix import straight_lining
from alignment_cli.scoring.engine import straight_lined
from alignment_cli.survey.forms import codebook, csv_header, markdown_form, yaml_form

DATA = ROOT / "tests" / "data" / "verdict"
RUBRIC = DATA / "rubric.yaml"
Invoke = Callable[..., Any]
SALES_SIDE = {"cycle": "short", "deal": "large", "channel": "outbound"}
MARKETING_SIDE = {"cycle": "long", "deal": "small", "channel": "inbound"}


@pytest.fixture
def loaded() -> LoadedRubric:
    return load_rubric(RUBRIC)


def copy_answers(tmp_path: Path, changes: dict[str, dict[str, Any]] | None = None) -> Path:
    """The verdict answers in a writable folder, with some answers changed by file stem."""
    folder = tmp_path / "responses"
    shutil.copytree(DATA / "responses", folder)
    for stem, answers in (changes or {}).items():
        path = folder / f"{stem}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["answers"].update(answers)
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return folder


def score_json(invoke: Invoke, folder: Path) -> tuple[dict[str, Any], str]:
    result = invoke("score", "--rubric", str(RUBRIC), str(folder), "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def report(invoke: Invoke, folder: Path, *args: str) -> str:
    result = invoke("report", "--rubric", str(RUBRIC), str(folder), "--date", "2026-11-02", *args)
    assert result.exit_code == 0, result.output
    return str(result.stdout)


# -- the classifier's roles and its undecided outcome --------------------------------------------


def test_groups_that_reach_different_results_leave_the_verdict_undecided(
    invoke: Invoke,
) -> None:
    card, _ = score_json(invoke, DATA / "responses")
    (c,) = card["classifications"]
    # Counted alone (sales, marketing, revops), marketing-led leads 6 to 3 with a margin of 1/3;
    # but sales' own answers point to sales-led and marketing's to marketing-led.
    assert c["totals"]["marketing-led"] == 6 and c["totals"]["sales-led"] == 3
    assert c["margin"] == 0.3333
    assert c["group_outcomes"] == {"sales": "sales-led", "marketing": "marketing-led"}
    assert (c["outcome"], c["decided"], c["split"]) == ("undecided", False, "results")
    assert (c["factors_common"], c["factors_apart"]) == (3, 3)
    assert c["matches"] is None
    fired = [r["id"] for r in card["recommendations"]]
    assert "resolve-lead" in fired and "give-marketing-lead" not in fired


def test_answers_of_roles_the_classifier_does_not_count_move_no_signal(
    invoke: Invoke, tmp_path: Path
) -> None:
    before, _ = score_json(invoke, DATA / "responses")
    # Leadership (not in the classifier's roles) turns to the marketing side: nothing moves.
    after, _ = score_json(invoke, copy_answers(tmp_path, {"lee": MARKETING_SIDE}))
    (b,), (a,) = before["classifications"], after["classifications"]
    assert a["totals"] == b["totals"] and a["reasons"] == b["reasons"]
    # Its answers still show, by role, in the factor table.
    assert a["by_role"][0]["by_role"]["leadership"] == {
        "answer": "Six months or more",
        "outcome": "marketing-led",
    }


def test_groups_that_agree_give_a_decided_verdict_with_its_test(
    invoke: Invoke, tmp_path: Path
) -> None:
    folder = copy_answers(tmp_path, {"sam": MARKETING_SIDE})
    card, _ = score_json(invoke, folder)
    (c,) = card["classifications"]
    assert (c["outcome"], c["decided"]) == ("marketing-led", True)
    assert "split" not in c
    assert c["group_outcomes"] == {"sales": "marketing-led", "marketing": "marketing-led"}
    assert [r["id"] for r in card["recommendations"]] == ["give-marketing-lead"]
    text = report(invoke, folder)
    assert "**Recommended: Marketing-led.** Marketing sets the strategy." in text
    assert "How to test it: Check with CRM data: the share of pipeline from inbound" in text


def test_answers_that_point_apart_on_most_factors_are_undecided_even_with_one_result(
    invoke: Invoke, tmp_path: Path
) -> None:
    # Both groups end at marketing-led (2 signals to 1), but on deal and channel, two of the
    # three factors both answered, their most common answers point to opposite outcomes.
    folder = copy_answers(
        tmp_path,
        {
            "sam": {"cycle": "long", "deal": "small", "channel": "outbound"},
            "mia": {"cycle": "long", "deal": "large", "channel": "inbound"},
        },
    )
    card, _ = score_json(invoke, folder)
    (c,) = card["classifications"]
    assert c["group_outcomes"] == {"sales": "marketing-led", "marketing": "marketing-led"}
    assert (c["outcome"], c["decided"], c["split"]) == ("undecided", False, "factors")
    assert (c["factors_common"], c["factors_apart"]) == (3, 2)
    text = report(invoke, folder)
    assert "on 2 of the 3 factors both answered" in text


def test_the_report_prints_no_verdict_for_an_undecided_classification(invoke: Invoke) -> None:
    for fmt in ("md", "html"):
        text = report(invoke, DATA / "responses", "--format", fmt)
        assert "the answers of Sales point to Sales-led, those of Marketing to Marketing-led" in (
            text
        )
        assert "Recommended: Undecided" not in text
        assert "**Undecided" not in text and "<strong>Undecided" not in text
        assert "the answers point to **" not in text and "the answers point to <strong>" not in text
        assert "Interview five won and five lost buyers" in text  # the undecided outcome's test
    text = report(invoke, DATA / "responses")
    table = text.split("| Factor | Sales | Marketing | Revenue operations | Leadership |\n")[1]
    assert table.splitlines()[2] == (
        "| How large is a typical deal? | Large (→ Sales-led) | Small (→ Marketing-led) "
        "| Small (→ Marketing-led) | Large (→ Sales-led) |"
    )
    # Anonymous: a group too small to show is neither a column nor named in the sentence.
    anonymous = report(invoke, DATA / "responses", "--anonymous")
    assert "| Factor | Sales" not in anonymous
    assert "The two groups disagree: their answers point to different outcomes." in anonymous


def test_the_terminal_says_what_each_group_concluded(invoke: Invoke) -> None:
    result = invoke("score", "--rubric", str(RUBRIC), str(DATA / "responses"))
    assert result.exit_code == 0, result.output
    flat = " ".join(result.stdout.split())
    assert (
        "Who should lead: Undecided, the groups disagree (sales: sales-led, marketing: "
        "marketing-led)" in flat
    )


# -- the property: who answered what cannot hide a disagreement --------------------------------

SIDES = st.lists(
    st.fixed_dictionaries(
        {
            "cycle": st.sampled_from(["short", "long"]),
            "deal": st.sampled_from(["small", "large"]),
            "channel": st.sampled_from(["inbound", "outbound"]),
        }
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=SIDES, second=SIDES)
def test_swapping_the_groups_answers_never_decides_when_their_own_results_differ(
    first: list[dict[str, str]], second: list[dict[str, str]]
) -> None:
    loaded = load_rubric(RUBRIC)

    def people(role: str, answers: list[dict[str, str]]) -> list[Any]:
        return [person(loaded, f"{role} {i}", role, a) for i, a in enumerate(answers)]

    def alone(role: str, answers: list[dict[str, str]]) -> str | None:
        (c,) = card_of(loaded, people(role, answers)).classifications
        return c.outcome

    for sales, marketing in ((first, second), (second, first)):
        (c,) = card_of(
            loaded, people("sales", sales) + people("marketing", marketing)
        ).classifications
        if alone("sales", sales) != alone("marketing", marketing):
            assert not c.decided and c.outcome == "undecided", (sales, marketing, c)
        if c.decided:
            assert c.outcome not in (None, "undecided")


# -- straight-lining ------------------------------------------------------------------------------


def test_straight_lining_is_flagged_scored_and_reported(invoke: Invoke) -> None:
    card, err = score_json(invoke, DATA / "responses")
    flagged = {p["name"]: p.get("straight_lined", False) for p in card["respondents"]}
    assert flagged == {"Sam Ortiz": True, "Mia Chen": False, "Rita Gomez": False, "Lee Park": False}
    sam = next(p for p in card["respondents"] if p["name"] == "Sam Ortiz")
    assert sam["overall"] == 50.0  # still scored
    lines = [line for line in err.splitlines() if "straight-lining" in line]
    assert lines == [
        f"warning: {DATA / 'responses' / 'sam.yaml'}: the same answer to every scale question "
        "(3 or more): straight-lining? Still scored"
    ]
    text = report(invoke, DATA / "responses")
    who = text.split("### Who answered")[1]
    assert (
        "Straight-lining: Sam Ortiz (Sales) gave the same answer to every scale question (3 or "
        "more)" in who
    )
    assert "self-administered or not" in who
    anonymous = report(invoke, DATA / "responses", "--anonymous")
    assert "Straight-lining: 1 respondent gave the same answer" in anonymous
    assert "Sam Ortiz" not in anonymous


def test_straight_lining_needs_enough_scale_answers_and_can_be_switched_off(
    invoke: Invoke, tmp_path: Path
) -> None:
    # Sam skips one scale question: two equal answers are fewer than the 3 needed.
    folder = copy_answers(tmp_path, {"sam": {"meetings": "unknown"}})
    card, err = score_json(invoke, folder)
    assert not any(p.get("straight_lined") for p in card["respondents"])
    assert "straight-lining" not in err
    off = yaml.safe_load(RUBRIC.read_text(encoding="utf-8"))
    off["straightline_min"] = 0
    (tmp_path / "off.yaml").write_text(yaml.safe_dump(off, sort_keys=False), encoding="utf-8")
    result = invoke(
        "score", "--rubric", str(tmp_path / "off.yaml"), str(DATA / "responses"), "--format", "json"
    )
    assert result.exit_code == 0, result.output
    assert not any(p.get("straight_lined") for p in json.loads(result.stdout)["respondents"])


def test_straight_lined_is_the_same_answer_to_at_least_n_scale_questions() -> None:
    assert straight_lined([3, 3, 3], 3)
    assert not straight_lined([3, 3], 3)
    assert not straight_lined([3, 3, 4], 3)
    assert not straight_lined([3] * 20, 0)
    assert straight_lined([5] * 8, 8)


def test_the_straight_lining_sentence_names_people_only_where_the_report_lists_them(
    loaded: LoadedRubric,
) -> None:
    files = [
        person(loaded, "Ann", "sales", {"definition": 2, "handoff": 2, "meetings": 2}),
        person(loaded, "Bo", "marketing", {"definition": 4, "handoff": 4, "meetings": 4}),
        person(loaded, "Cy", "revops", {"definition": 4, "handoff": 1, "meetings": 4}),
    ]
    card = card_of(loaded, files)
    titles = {x.id: x.title for x in loaded.rubric.roles}
    named = straight_lining(card, titles, 3, named=True)
    assert named.startswith("Straight-lining: Ann (Sales) and Bo (Marketing) gave the same")
    assert straight_lining(card, titles, 3, named=False).startswith(
        "Straight-lining: 2 respondents gave the same"
    )
    nobody = card_of(loaded, files[2:])
    assert straight_lining(nobody, titles, 3, named=True) == ""


# -- forms carry only what a respondent needs -----------------------------------------------------


def _flat(text: str) -> str:
    """Form text with comment markers, Markdown escapes and line breaks gone: a wrapped or
    escaped help text would still be found."""
    text = re.sub(r"(?m)^\s*#+ ?", " ", text).replace("\\", "")
    return " ".join(text.split()).casefold()


def _forms(loaded: LoadedRubric) -> list[tuple[str, str]]:
    out = []
    for role in [None, *(x.id for x in loaded.rubric.roles)]:
        out.append((f"yaml {role}", yaml_form(loaded, role=role)))
        out.append((f"md {role}", markdown_form(loaded, role=role)))
        out.append((f"csv {role}", csv_header(loaded, role)))
        out.append((f"codebook {role}", codebook(loaded, role)))
    return out


@pytest.mark.parametrize("ref", [str(RUBRIC), DEFAULT_RUBRIC])
def test_no_form_carries_help_scores_bands_or_signals(ref: str) -> None:
    loaded = load_rubric(ref)
    r = loaded.rubric
    outcome_ids = {o.id for c in r.classifiers for o in c.outcomes}
    band_labels = {b.label for q in r.questions for b in q.bands if b.label}
    helps = {q.id: _flat(q.help) for q in r.questions if q.help}
    assert helps, "the rubric should have help texts to keep off the forms"
    for what, text in _forms(loaded):
        flat = _flat(text)
        for qid, help_text in helps.items():
            assert help_text not in flat, (what, qid)
        for word in ("signal", "score:", "weight", "why:"):
            assert word not in flat, (what, word)
        for oid in outcome_ids:
            assert not re.search(rf"\b{re.escape(oid)}\b", text), (what, oid)
        for label in band_labels:
            assert label.casefold() not in flat, (what, label)


def test_forms_and_the_codebook_carry_the_hint_and_the_valid_range(loaded: LoadedRubric) -> None:
    hint = "Count calendar hours from the moment the lead is created in the CRM."
    assert hint.casefold() in _flat(yaml_form(loaded))
    assert hint in markdown_form(loaded)
    rows = list(csv.DictReader(io.StringIO(codebook(loaded))))
    assert {row["hint"] for row in rows if row["question"] == "hours"} == {hint}
    assert {row["hint"] for row in rows if row["question"] == "deal"} == {""}
    assert "Answer: ____________ hours (from 0 to 1000)" in markdown_form(loaded)
    assert "answer a number of hours, from 0 to 1000, digits only" in _flat(yaml_form(loaded))
    # The inner band edges (1 and 24 hours) would show how answers score.
    assert "24" not in yaml_form(loaded).split("  hours:")[0].rsplit("\n\n", 1)[1]


def test_the_interview_shows_the_hint(invoke: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "acme"
    assert invoke("init", str(folder), "--rubric", str(RUBRIC)).exit_code == 0
    loaded = load_rubric(RUBRIC)
    asked = [q for q in loaded.rubric.questions if q.type is QuestionType.CHOICE]
    lines = ["1"] * len(asked) + ["q"]
    result = invoke(
        "audit",
        str(folder),
        "--respondent",
        "Dana Lee",
        "--role",
        "sales",
        input="".join(f"{x}\n" for x in lines),
    )
    assert result.exit_code == 0, result.output
    assert "Count from the first meeting to the signed contract." in result.output
    assert "SECRET-HELP-CYCLE" not in result.output  # help waits for '?'


def test_a_member_role_counts_in_its_groups_verdict_and_column(
    invoke: Invoke, tmp_path: Path
) -> None:
    """With role groups, a sales rep is part of sales: the gap groups' own verdicts and the
    factor table merge every role of a group (the classifier may still count the rep's role)."""
    data = yaml.safe_load(RUBRIC.read_text(encoding="utf-8"))
    data["roles"].append({"id": "sales-rep", "title": "Sales rep", "group": "sales"})
    data["classifiers"][0]["roles"].append("sales-rep")
    rubric = tmp_path / "grouped.yaml"
    rubric.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    folder = copy_answers(tmp_path)
    # The head of sales now answers like marketing; two reps keep sales' side.
    sam = folder / "sam.yaml"
    head = yaml.safe_load(sam.read_text(encoding="utf-8"))
    for i in (1, 2):
        rep = {**head, "respondent": {"name": f"Rep {i}", "role": "sales-rep"}}
        (folder / f"rep-{i}.yaml").write_text(yaml.safe_dump(rep), encoding="utf-8")
    head["answers"].update(MARKETING_SIDE)
    sam.write_text(yaml.safe_dump(head), encoding="utf-8")

    result = invoke("score", "--rubric", str(rubric), str(folder), "--format", "json")
    assert result.exit_code == 0, result.output
    (c,) = json.loads(result.stdout)["classifications"]
    # Sales (one head, two reps) still leans sales-led as a group: undecided against marketing.
    assert c["group_outcomes"] == {"sales": "sales-led", "marketing": "marketing-led"}
    assert c["outcome"] == "undecided"
    first = c["by_role"][0]["by_role"]
    assert "sales-rep" not in first  # one column per group
    assert first["sales"]["answer"] == "Under a month"  # the reps outnumber their head


def test_people_of_a_role_the_classifier_does_not_count_move_no_vote(
    invoke: Invoke, tmp_path: Path
) -> None:
    """Marketers (group marketing, not among the classifier's roles) answer sales' side: the
    totals, the margin, each gap group's own result and so the undecided verdict stay what the
    counted people said; before, they diluted the head of marketing's vote and their answers
    decided the marketing group's own result."""
    data = yaml.safe_load(RUBRIC.read_text(encoding="utf-8"))
    data["roles"].append({"id": "marketer", "title": "Marketer", "group": "marketing"})
    rubric = tmp_path / "grouped.yaml"
    rubric.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    def verdict(folder: Path) -> dict[str, Any]:
        result = invoke("score", "--rubric", str(rubric), str(folder), "--format", "json")
        assert result.exit_code == 0, result.output
        (c,) = json.loads(result.stdout)["classifications"]
        return dict(c)

    before = verdict(copy_answers(tmp_path / "a"))
    folder = copy_answers(tmp_path / "b")
    mia = yaml.safe_load((folder / "mia.yaml").read_text(encoding="utf-8"))
    for i in (1, 2):
        other = {**mia, "respondent": {"name": f"Marketer {i}", "role": "marketer"}}
        other["answers"] = {**mia["answers"], **SALES_SIDE}
        (folder / f"marketer-{i}.yaml").write_text(yaml.safe_dump(other), encoding="utf-8")
    after = verdict(folder)
    for key in ("totals", "margin", "group_outcomes", "outcome", "split", "factors_apart"):
        assert after[key] == before[key], key
    assert before["outcome"] == "undecided"
    # The table still shows the marketing group's most common answer, marketers included.
    assert after["by_role"][0]["by_role"]["marketing"]["answer"] == "Under a month"


def _variant(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    data = yaml.safe_load(RUBRIC.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "variant.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_a_narrow_lead_that_falls_back_to_undecided_is_undecided_not_a_mismatch(
    invoke: Invoke, tmp_path: Path
) -> None:
    def narrow(data: dict[str, Any]) -> None:
        clf = data["classifiers"][0]
        clf["fallback"], clf["margin"] = "undecided", 0.9  # no lead reaches 90% of the signal
        clf.pop("current", None)

    rubric = _variant(tmp_path, narrow)
    folder = copy_answers(tmp_path, {"mia": SALES_SIDE})  # the groups agree: no split by results
    result = invoke("score", "--rubric", str(rubric), str(folder), "--format", "json")
    assert result.exit_code == 0, result.output
    (c,) = json.loads(result.stdout)["classifications"]
    assert (c["outcome"], c["decided"], c["split"], c["matches"]) == (
        "undecided",
        False,
        "margin",
        None,
    )
    result = invoke("report", "--rubric", str(rubric), str(folder), "--date", "2026-11-02")
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stdout.splitlines() if x.startswith("- **Who should lead:**"))
    assert "**" not in line.split(":**", 1)[1]  # no bold verdict
    assert "No outcome leads clearly" in line and "not answered" not in line


def test_another_classifiers_signals_are_not_this_ones_factors(
    invoke: Invoke, tmp_path: Path
) -> None:
    def second(data: dict[str, Any]) -> None:
        data["classifiers"].append(
            {
                "id": "size",
                "title": "Size",
                "outcomes": [{"id": "small", "title": "Small"}, {"id": "large", "title": "Large"}],
            }
        )
        data["questions"].insert(
            0,
            {
                "id": "headcount",
                "phase": "align",
                "dimension": "practice",
                "type": "choice",
                "weight": 0,
                "text": "How many people work here?",
                "options": [
                    {"value": "few", "label": "Under 50", "signals": {"small": 1}},
                    {"value": "many", "label": "Over 500", "signals": {"large": 1}},
                ],
            },
        )

    rubric = _variant(tmp_path, second)
    folder = copy_answers(tmp_path, {"sam": {"headcount": "few"}, "mia": {"headcount": "many"}})
    result = invoke("score", "--rubric", str(rubric), str(folder), "--format", "json")
    assert result.exit_code == 0, result.output
    orientation, size = json.loads(result.stdout)["classifications"]
    assert "headcount" not in [row["question"] for row in orientation["by_role"]]
    assert orientation["factors_common"] == 3  # cycle, deal, channel: not headcount
    assert [row["question"] for row in size["by_role"]] == ["headcount"]
    # A classifier without a `current` question says nothing about today.
    result = invoke("report", "--rubric", str(rubric), str(folder), "--date", "2026-11-02")
    line = next(x for x in result.stdout.splitlines() if x.startswith("- **Size:**"))
    assert "not answered" not in line
