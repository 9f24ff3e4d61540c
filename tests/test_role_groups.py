"""Role groups (docs/rubric-format.md, Role groups): a role with `group:` is a form of that
group. Asking stays per role; every score, gap, weight and agreement is per group."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from alignment_cli.model.rubric import load_rubric

Invoke = Callable[..., Any]
DATA = ROOT / "tests" / "data" / "role-groups"
RUBRIC = DATA / "rubric.yaml"
TEXT = RUBRIC.read_text(encoding="utf-8")


def edited(tmp_path: Path, old: str, new: str) -> Path:
    assert old in TEXT
    path = tmp_path / "rubric.yaml"
    path.write_text(TEXT.replace(old, new), encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return text.splitlines().index(next(x for x in text.splitlines() if needle in x)) + 1


def test_the_grouped_rubric_knows_each_roles_group() -> None:
    loaded = load_rubric(RUBRIC)
    assert loaded.groups == ["sales", "marketing", "leadership"]
    assert [loaded.group_of(r) for r in ("sales", "sales-rep", "marketer", "leadership")] == [
        "sales",
        "sales",
        "marketing",
        "leadership",
    ]
    assert loaded.members("sales") == ["sales", "sales-rep"]
    # Asking stays per role: a question for [sales, marketing, leadership] is not a rep's.
    assert "definition-review" not in [q.id for q in loaded.questions_for("sales-rep")]
    assert "definition-review" in [q.id for q in loaded.questions_for("sales")]


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        (
            "group: sales, minutes: 15",
            "group: sails, minutes: 15",
            "group: sails",
            "roles[1].group: unknown role 'sails' (did you mean 'sales'?)",
        ),
        (
            "group: sales, minutes: 15",
            "group: sales-rep, minutes: 15",
            "group: sales-rep",
            "roles[1].group: a role cannot name itself as its group: leave group out",
        ),
        (
            "{id: marketer, title: Marketer, group: marketing}",
            "{id: marketer, title: Marketer, group: sales-rep}",
            "group: sales-rep}",
            "roles[3].group: 'sales-rep' is in group 'sales' itself: name 'sales' "
            "(groups do not chain)",
        ),
        (
            "gap: [sales, marketing]",
            "gap: [sales, marketer]",
            "gap:",
            "gap[1]: 'marketer' is a role of group 'marketing': name the group",
        ),
        (
            "leadership: leadership",
            "leadership: sales-rep",
            "leadership: sales-rep",
            "leadership: 'sales-rep' is a role of group 'sales': name the group",
        ),
        (
            "leadership: leadership",
            "leadership: leadership\nrole_weights: {marketer: 2}",
            "role_weights",
            "role_weights.marketer: 'marketer' is a role of group 'marketing': name the group",
        ),
        (
            "{id: marketer, title: Marketer, group: marketing}",
            "{id: marketer, title: Marketer, group: marketing, group_title: Marketing}",
            "group_title: Marketing",
            "roles[3].group_title: only a group has a group_title; 'marketer' is in group "
            "'marketing': give it there",
        ),
        (
            "minutes: 40}",
            "minutes: 0}",
            "minutes: 0}",
            "roles[0].minutes: must be at least 1, got 0",
        ),
    ],
)
def test_group_mistakes_are_located(
    invoke: Invoke, tmp_path: Path, old: str, new: str, needle: str, message: str
) -> None:
    path = edited(tmp_path, old, new)
    result = invoke("rubric", "validate", str(path))
    assert result.exit_code == 2, result.output
    text = path.read_text(encoding="utf-8")
    out = " ".join(result.output.split())
    assert f"{path}:{line_of(text, needle)}:" in out
    assert message in out
    assert "Traceback" not in result.output


def _score_json(invoke: Invoke, folder: Path) -> dict[str, Any]:
    import json

    result = invoke("score", str(folder), "--rubric", str(RUBRIC), "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_a_rep_and_a_head_of_sales_are_one_group_of_two_in_the_gap(invoke: Invoke) -> None:
    data = _score_json(invoke, DATA / "answers")
    assert data["by_role"] == {"sales": 2, "marketing": 1}
    assert data["by_own_role"] == {"sales": 1, "sales-rep": 1, "marketer": 1}
    assert data["small_groups"] == ["sales", "marketing"]
    q = {x["id"]: x for x in data["questions"]}
    # Head 5 (100) and rep 3 (50) are one group at 75; the marketer's 1 is 0: gap +75, and
    # the score is the two groups' mean, 37.5 (by people it would be 50).
    assert q["lead-definition"]["by_role"] == {"sales": 75.0, "marketing": 0.0}
    assert q["lead-definition"]["gap"] == 75.0
    assert q["lead-definition"]["score"] == 37.5
    assert q["lead-definition"]["answers"] == {"marketing": {"1": 1}, "sales": {"3": 1, "5": 1}}
    # Asked per role: the conditional question counts the rep, the review question does not.
    assert q["follow-up-hours"]["asked"] == 2
    assert q["definition-review"]["asked"] == 1
    dims = {d["id"]: d for d in data["dimensions"]}
    assert dims["definitions"]["gap"] == 75.0
    assert set(dims["definitions"]["role_intervals"]) == {"sales"}  # the group of two
    people = {(x["name"], x["role"], x.get("group")) for x in data["respondents"]}
    assert people == {
        ("Ana Head", "sales", None),
        ("Rik Rep", "sales-rep", "sales"),
        ("Mia Marketer", "marketer", "marketing"),
    }


def test_who_answered_names_each_form_and_its_group(invoke: Invoke) -> None:
    result = invoke("score", str(DATA / "answers"), "--rubric", str(RUBRIC))
    assert result.exit_code == 0, result.output
    words = " ".join(result.stdout.split())
    assert "3 respondents (1 sales, 1 sales-rep (sales), 1 marketer (marketing))" in words
    assert "† indicative: fewer than 3 respondents in sales (2), marketing (1)." in words
    report = invoke(
        "report", str(DATA / "answers"), "--rubric", str(RUBRIC), "--date", "2026-12-01"
    )
    assert report.exit_code == 0, report.output
    assert (
        "3 people: 1 Head of sales, 1 Sales representative (Sales), "
        "1 Marketer (Head of marketing)" in report.stdout
    )
    assert "| Rik Rep | Sales representative (Sales) |" in report.stdout
    # Group columns take the group's name (group_title), else the group role's title.
    assert "| Dimension | Score | Sales | Head of marketing | Gap |" in report.stdout


def _answers(name: str, role: str, answers: dict[str, Any]) -> dict[str, Any]:
    return {
        "rubric": {"id": "grouped-alignment", "version": "0.1.0"},
        "respondent": {"name": name, "role": role},
        "answers": answers,
    }


def test_two_reps_do_not_outweigh_one_marketer(invoke: Invoke, tmp_path: Path) -> None:
    from conftest import build_file_tree

    build_file_tree(
        tmp_path,
        {
            "rep-1.yaml": _answers("Rep One", "sales-rep", {"lead-definition": 5}),
            "rep-2.yaml": _answers("Rep Two", "sales-rep", {"lead-definition": 5}),
            "mia.yaml": _answers("Mia", "marketer", {"lead-definition": 1}),
        },
    )
    data = _score_json(invoke, tmp_path)
    q = {x["id"]: x for x in data["questions"]}
    assert q["lead-definition"]["by_role"] == {"sales": 100.0, "marketing": 0.0}
    assert q["lead-definition"]["score"] == 50.0  # the groups' mean, not (100+100+0)/3
    assert data["overall_by_role"] == {"sales": 100.0, "marketing": 0.0}


def test_rubric_show_role_lists_that_roles_form(invoke: Invoke) -> None:
    import json

    result = invoke("rubric", "show", str(RUBRIC), "--role", "Sales representative")
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "(form of sales-rep: 3 questions (1 conditional), about 15 minutes, in group sales)" in (
        out
    )
    assert "follow-up-hours" in out and "definition-review" not in out
    assert "marketer: 2 questions, in group marketing" in out  # every role's form, counted
    shown = invoke("rubric", "show", str(RUBRIC), "--role", "marketer", "--format", "json")
    data = json.loads(shown.stdout)
    assert [q["id"] for q in data["questions"]] == ["lead-definition", "sla-exists"]
    assert data["form"] == {"role": "marketer", "questions": 2, "conditional": 0}
    sizes = {x["id"]: (x["questions"], x["conditional"], x["group"]) for x in data["roles"]}
    assert sizes == {
        "sales": (4, 1, None),
        "sales-rep": (3, 1, "sales"),
        "marketing": (3, 0, None),
        "marketer": (2, 0, "marketing"),
        "leadership": (3, 0, None),
    }
    wrong = invoke("rubric", "show", str(RUBRIC), "--role", "sales-reps")
    assert wrong.exit_code == 2
    assert "did you mean 'sales-rep'?" in wrong.output
    checked = invoke("rubric", "validate", str(RUBRIC))
    assert checked.exit_code == 0
    assert "  sales-rep: 3 questions (1 conditional), about 15 minutes, in group sales\n" in (
        checked.stdout
    )


def test_a_rubric_without_groups_shows_no_group_figures(invoke: Invoke) -> None:
    from conftest import MINIMAL_RESPONSES, MINIMAL_RUBRIC

    data = invoke(
        "score", str(MINIMAL_RESPONSES), "--rubric", str(MINIMAL_RUBRIC), "--format", "json"
    )
    assert data.exit_code == 0, data.output
    assert '"by_own_role"' not in data.stdout and '"group"' not in data.stdout


# Splitting a group's respondents across its roles: whatever role of the group each one
# answers as (with the same answers), every group-level figure stays the same.
_SPLITS = {"sales": ["sales", "sales-rep"], "marketing": ["marketing", "marketer"]}
_GROUP_FIELDS = ("score", "by_role", "gap", "interval", "role_intervals", "indicative")


def _group_level(card: Any) -> dict[str, Any]:
    data = card.model_dump(mode="json")
    keep = ("by_role", "overall", "overall_by_role", "overall_gap", "overall_interval")
    out = {k: data[k] for k in (*keep, "overall_leadership_gap", "small_groups", "low_agreement")}
    out["dimensions"] = [
        {k: d[k] for k in (*_GROUP_FIELDS, "agreement", "leadership_gap")}
        for d in data["dimensions"]
    ]
    out["phases"] = [{k: p[k] for k in _GROUP_FIELDS} for p in data["phases"]]
    out["questions"] = [
        {k: q[k] for k in ("score", "by_role", "gap", "answers")} for q in data["questions"]
    ]
    return out


@st.composite
def _people(draw: st.DrawFn) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for _ in range(draw(st.integers(1, 9))):
        group = draw(st.sampled_from(["sales", "marketing", "leadership"]))
        answers: dict[str, Any] = {}
        if draw(st.booleans()):
            answers["lead-definition"] = draw(st.sampled_from([1, 2, 3, 4, 5, "unknown"]))
        if draw(st.booleans()):
            answers["sla-exists"] = draw(st.booleans())
            if group == "sales" and answers["sla-exists"] and draw(st.booleans()):
                answers["follow-up-hours"] = draw(st.sampled_from([0, 0.5, 1, 3, 30]))
        out.append((group, answers))
    return out


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_splitting_a_group_across_its_roles_changes_no_group_score(data: st.DataObject) -> None:
    from scoring_helpers import card_of, person

    loaded = load_rubric(RUBRIC)
    people = data.draw(_people())
    split = [data.draw(st.sampled_from(_SPLITS.get(g, [g]))) for g, _ in people]
    heads = [person(loaded, f"P{i}", g, a) for i, (g, a) in enumerate(people)]
    mixed = [
        person(loaded, f"P{i}", role, a)
        for i, (role, (_, a)) in enumerate(zip(split, people, strict=True))
    ]
    assert _group_level(card_of(loaded, mixed)) == _group_level(card_of(loaded, heads))
