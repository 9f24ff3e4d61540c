"""The frozen 1.0.0 examples scored on the bundled 2.0.0 rubric: `--carry-over` scores what still
fits and says what it renamed and dropped; without it, every file is refused with its location."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import V1_RUBRIC, v1_example

from alignment_cli.model.rubric import load_rubric
from alignment_cli.scoring.scorecard import Scorecard

ORGS = ["siloed", "halfway", "integrated"]
BUNDLED = "sales-marketing-alignment"
Invoke = Callable[..., Any]


def _files(name: str) -> list[tuple[Path, dict[str, Any]]]:
    folder = v1_example(name) / "responses"
    return [
        (p, yaml.safe_load(p.read_text(encoding="utf-8"))) for p in sorted(folder.glob("*.yaml"))
    ]


@pytest.fixture(scope="module")
def ids() -> tuple[set[str], dict[str, str], dict[str, set[str]]]:
    """The 1.0.0 question ids, 2.0.0's renames, and who 2.0.0 asks each question."""
    old = {q.id for q in load_rubric(V1_RUBRIC).rubric.questions}
    new = load_rubric(BUNDLED).rubric
    return old, dict(new.renamed), {q.id: set(q.roles) for q in new.questions}


_CARDS: dict[str, Scorecard] = {}


def _carried(invoke: Invoke, name: str) -> Scorecard:
    """`alignment score V1_EXAMPLE --rubric sales-marketing-alignment --carry-over`, once each."""
    if name not in _CARDS:
        result = invoke(
            "score", str(v1_example(name)), "--rubric", BUNDLED, "--carry-over", "--format", "json"
        )
        assert result.exit_code == 0, result.output
        _CARDS[name] = Scorecard.model_validate_json(result.stdout)
    return _CARDS[name]


@pytest.mark.parametrize("name", ORGS)
def test_a_v1_example_scores_on_v2_with_carry_over(invoke: Invoke, name: str) -> None:
    card = _carried(invoke, name)
    assert card.rubric.version == "2.0.0"
    assert card.overall is not None and card.level is not None
    assert card.respondent_count == len(_files(name))


@pytest.mark.parametrize("name", ORGS)
def test_renamed_answers_count_under_their_new_ids(
    invoke: Invoke, name: str, ids: tuple[set[str], dict[str, str], dict[str, set[str]]]
) -> None:
    _, renamed, asked = ids
    assert renamed, "2.0.0 renames at least one 1.0.0 question"
    card = _carried(invoke, name)
    questions = {q.id: q for q in card.questions}
    for old, new in renamed.items():
        # The old answers of the roles 2.0.0 still asks, on the 1-5 scale: (v - 1) / 4 x 100.
        kept = [
            a["answers"][old]
            for _, a in _files(name)
            if old in a["answers"] and a["respondent"]["role"] in asked[new]
        ]
        assert kept, f"{name} answers {old}"
        q = questions[new]
        assert q.answered == len(kept)
        assert q.score == pytest.approx(sum((v - 1) / 4 * 100 for v in kept) / len(kept), abs=0.01)
        assert old not in questions
        for path, a in _files(name):
            if old in a["answers"]:
                assert f"{path}: {old}: renamed to {new}" in card.warnings


@pytest.mark.parametrize("name", ORGS)
def test_answers_to_dropped_questions_are_reported_as_dropped(
    invoke: Invoke, name: str, ids: tuple[set[str], dict[str, str], dict[str, set[str]]]
) -> None:
    old_ids, renamed, asked = ids
    dropped = old_ids - set(asked) - set(renamed)
    assert {"purchase-complexity", "orientation-fit", "pivot-weeks"} <= dropped
    card = _carried(invoke, name)
    reported = 0
    for path, a in _files(name):
        role = a["respondent"]["role"]
        assert f"{path}: answers for version 1.0.0 carried over to 2.0.0" in card.warnings
        for qid in a["answers"]:
            if qid in dropped:
                line = f"{path}: {qid}: dropped, unknown question '{qid}'"
                assert any(w.startswith(line) for w in card.warnings), line
                reported += 1
            elif qid in asked and role not in asked[qid]:
                # Kept in 2.0.0 but no longer asked of this role (a fact form, a shorter form).
                line = f"{path}: {qid}: dropped, '{qid}' is asked of "
                hit = [w for w in card.warnings if w.startswith(line)]
                assert hit and hit[0].endswith(f"not of {role}"), line
                reported += 1
    assert reported > 0
    # What was dropped is not scored under any id.
    assert not dropped & {q.id for q in card.questions}


@pytest.mark.parametrize("name", ORGS)
def test_without_carry_over_each_file_is_refused_where_it_names_the_version(
    invoke: Invoke, name: str
) -> None:
    result = invoke("score", str(v1_example(name)), "--rubric", BUNDLED)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    for path, _ in _files(name):
        located = re.compile(
            rf"^{re.escape(str(path))}:\d+:\d+: rubric\.version: these answers are for version "
            rf"1\.0\.0 of '{BUNDLED}', not 2\.0\.0; pass --carry-over",
            re.MULTILINE,
        )
        assert located.search(result.output), result.output
