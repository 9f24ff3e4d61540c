"""Issue 19: the streamed import keeps scoring's checks, and scoring straight from a survey export
gives what importing then scoring gives."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from alignment_cli.files.responses import AnswerChecker, Responses
from alignment_cli.model.rubric import load_rubric
from alignment_cli.survey.rows import read_survey
from alignment_cli.survey.settings import ImportSettings
from tests.survey_export import survey_csv
from tests.synthetic import candidates

DEFAULT = load_rubric(None)
ROLES = [r.id for r in DEFAULT.rubric.roles]


@st.composite
def documents(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Respondents answering any question with any valid value, conditions or not: the import
    must leave out what scoring would refuse."""
    out = []
    for i in range(draw(st.integers(1, 4))):
        answers: dict[str, Any] = {}
        for q in DEFAULT.rubric.questions:
            options = candidates(q, DEFAULT)
            pick = draw(st.integers(-1, len(options) - 1))
            if pick >= 0:
                answers[q.id] = options[pick]
        role = draw(st.sampled_from(ROLES))
        out.append({"respondent": {"name": f"person {i}", "role": role}, "answers": answers})
    return out


@settings(max_examples=25, deadline=None)
@given(documents())
def test_every_imported_row_passes_the_checker_scoring_uses(docs: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "survey.csv"
        path.write_text(survey_csv(DEFAULT, docs), encoding="utf-8")
        result = read_survey(path, DEFAULT, ImportSettings())
    assert not result.problems, result.problems
    assert len(result.rows) == len(docs)
    checker = AnswerChecker(DEFAULT)
    for row in result.rows:
        assert checker.errors(Responses.model_validate(row.data)) == [], row.data
