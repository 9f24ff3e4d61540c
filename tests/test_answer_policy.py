"""Don't know and n/a by policy (issue 13): the rubric says, per question with a rubric-wide
default, whether n/a is an answer and how "unknown" counts, and every way answers come in
(answer files, the interview, the import) applies the same rule, through `AnswerRules`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import MINIMAL_RUBRIC
from scoring_helpers import card_of, person

from alignment_cli.errors import InvalidInput
from alignment_cli.files.responses import AnswerRules, Why, check_against_rubric, load_responses
from alignment_cli.interview.flow import Kind, interpret
from alignment_cli.model.rubric import LoadedRubric, load_rubric

Invoke = Callable[..., Any]


def _rubric(tmp_path: Path, **top: Any) -> tuple[Path, LoadedRubric]:
    """The minimal rubric with rubric-wide `top` keys; sla-exists keeps n/a by its own say."""
    data: dict[str, Any] = yaml.safe_load(MINIMAL_RUBRIC.read_text(encoding="utf-8"))
    data.update(top)
    for q in data["questions"]:
        if q["id"] == "sla-exists":
            q["allow_na"] = True
    path = tmp_path / "rubric.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path, load_rubric(path)


def test_the_rubric_wide_default_applies_unless_a_question_says_otherwise(
    tmp_path: Path,
) -> None:
    _, loaded = _rubric(tmp_path, allow_na=False, unknown="exclude")
    assert loaded.questions["lead-definition"].allow_na is False
    assert loaded.questions["sla-exists"].allow_na is True
    assert {q.unknown for q in loaded.rubric.questions} == {"exclude"}
    rules = AnswerRules(loaded)
    refused = rules.judge(loaded.questions["lead-definition"], "lead-definition", "n/a", "sales")
    assert refused is not None and refused.why is Why.UNFIT
    assert "cannot be answered n/a" in refused.message
    assert rules.judge(loaded.questions["sla-exists"], "sla-exists", "n/a", "sales") is None


def test_n_a_where_not_allowed_is_a_located_error_in_an_answer_file(tmp_path: Path) -> None:
    _, loaded = _rubric(tmp_path, allow_na=False)
    path = tmp_path / "sam.yaml"
    path.write_text(
        "rubric: {id: minimal-alignment, version: 0.1.0}\n"
        "respondent: {name: Sam, role: sales}\n"
        "answers:\n  lead-definition: n/a\n  sla-exists: n/a\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as info:
        check_against_rubric(loaded, load_responses([path]))
    assert [(p.line, p.path, p.message) for p in info.value.problems] == [
        (
            4,
            "answers.lead-definition",
            "'lead-definition' cannot be answered n/a; answer it or say unknown",
        )
    ]


def test_the_interview_refuses_n_a_where_the_rubric_default_forbids_it(tmp_path: Path) -> None:
    _, loaded = _rubric(tmp_path, allow_na=False)
    answer = interpret("-", loaded.questions["lead-definition"], loaded, has_default=False)
    assert answer.kind is Kind.INVALID and "cannot be answered n/a" in str(answer.text)
    allowed = interpret("-", loaded.questions["sla-exists"], loaded, has_default=False)
    assert allowed.kind is Kind.ANSWER and allowed.value == "n/a"


def test_the_import_refuses_n_a_where_the_rubric_default_forbids_it(
    tmp_path: Path, invoke: Invoke
) -> None:
    rubric_path, _ = _rubric(tmp_path, allow_na=False)
    csv_path = tmp_path / "survey.csv"
    csv_path.write_text(
        "Name,Role,How is a qualified lead defined?,"
        "Is there a written agreement on how fast sales follows up a qualified lead?\n"
        "Sam Ortiz,sales,N/A,N/A\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = invoke("import", str(csv_path), "--into", str(out), "--rubric", str(rubric_path))
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert f"{csv_path}:2:3: row 2, column 'How is a qualified lead defined?'" in text
    assert "n/a" in text and "1 problem in 1 file" in text
    assert not out.exists()


def test_unknown_counts_as_lowest_or_is_left_out_as_the_rubric_says(tmp_path: Path) -> None:
    answers = {"lead-definition": 4, "sla-exists": True, "handoff-channels": ["crm-task"]}
    cards = {}
    for policy in ("lowest", "exclude"):
        folder = tmp_path / policy
        folder.mkdir()
        _, loaded = _rubric(folder, unknown=policy)
        cards[policy] = card_of(
            loaded,
            [
                person(loaded, "Sam", "sales", answers),
                person(loaded, "Mia", "marketing", {**answers, "lead-definition": "unknown"}),
            ],
        )
    low = {q.id: q for q in cards["lowest"].questions}["lead-definition"]
    left_out = {q.id: q for q in cards["exclude"].questions}["lead-definition"]
    assert low.score == 37.5 and low.by_role == {"sales": 75.0, "marketing": 0.0}  # (0.75 + 0)/2
    assert left_out.score == 75.0 and left_out.by_role == {"sales": 75.0}
    for card in cards.values():  # a blind spot either way, and coverage falls either way
        assert [b.question for b in card.blind_spots] == ["lead-definition"]
        # Asked: Sam 4 (follow-up-hours too, left blank), Mia 3; answered: 3 + 2.
        assert card.coverage == round(5 / 7, 4)
