"""The question-type registry on its own: every kind round-trips what it writes, and scores
every valid answer inside 0..1."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alignment_cli.model.models import Question, QuestionType
from alignment_cli.model.qtypes import KINDS, TYPE_FIELDS, kind_of, owners, scale_of
from alignment_cli.model.qtypes.base import BadAnswer, CellError
from alignment_cli.model.qtypes.cells import normalise_text
from alignment_cli.model.rubric import LoadedRubric, load_rubric
from tests.conftest import MINIMAL_RUBRIC

DEFAULT = load_rubric()
MINIMAL = load_rubric(MINIMAL_RUBRIC)
QUESTIONS = [(DEFAULT, q) for q in DEFAULT.rubric.questions] + [
    (MINIMAL, q) for q in MINIMAL.rubric.questions
]


def valid_values(loaded: LoadedRubric, q: Question) -> st.SearchStrategy[Any]:
    """Every kind of valid, real answer to `q`."""
    t = q.type
    if t is QuestionType.SCALE:
        scale = scale_of(q, loaded.rubric)
        assert scale is not None
        return st.integers(scale.min, scale.max)
    if t is QuestionType.CHOICE:
        return st.sampled_from([o.value for o in q.options])
    if t is QuestionType.MULTI:
        values = [o.value for o in q.options]
        return st.sets(st.sampled_from(values)).map(lambda s: [v for v in values if v in s])
    if t is QuestionType.YESNO:
        return st.booleans()
    if t is QuestionType.NUMBER:
        if q.bands:
            lo = q.bands[0].min if q.bands[0].min is not None else -1e6
            hi = q.bands[-1].max if q.bands[-1].max is not None else 1e6
        else:  # a curve or targets: the answers the question accepts
            lo = q.curve.min if q.curve and q.curve.min is not None else -1e6
            hi = q.curve.max if q.curve and q.curve.max is not None else 1e6
        whole = st.integers(int(lo) if lo == int(lo) else int(lo) + 1, int(hi))
        return whole | st.floats(lo, hi, allow_nan=False).map(lambda x: round(x, 3))
    return st.text(st.characters(whitelist_categories=("L", "N")), min_size=1).filter(
        lambda s: normalise_text(s) not in ("unknown", "na", "n/a", "idk")
    )


answers = st.sampled_from(QUESTIONS).flatmap(
    lambda lq: st.tuples(st.just(lq[0]), st.just(lq[1]), valid_values(*lq))
)


def test_every_type_has_one_kind() -> None:
    assert set(KINDS) == set(QuestionType)
    for t, kind in KINDS.items():
        assert kind.type is t
    for q in DEFAULT.rubric.questions:
        assert kind_of(q) is KINDS[q.type]


def test_type_fields_name_question_fields_each_owned_by_some_type() -> None:
    for name in TYPE_FIELDS:
        assert name in Question.model_fields
        assert owners(name)
    for kind in KINDS.values():
        assert set(kind.fields) <= set(TYPE_FIELDS)
    assert owners("options") == [QuestionType.CHOICE, QuestionType.MULTI]


def test_only_scale_questions_have_a_scale() -> None:
    for loaded, q in QUESTIONS:
        scale = scale_of(q, loaded.rubric)
        assert (scale is not None) == (q.type is QuestionType.SCALE)
        if scale is not None:
            assert scale == (q.scale or loaded.rubric.scale)


@settings(max_examples=400, deadline=None)
@given(answers)
def test_valid_answers_fit_and_normalise_within_0_and_1(case: tuple[Any, ...]) -> None:
    loaded, q, value = case
    kind = kind_of(q)
    assert kind.value_error(q, value, loaded.rubric) is None
    if kind.scored(q):
        score = kind.normalise(q, value, loaded.rubric)
        assert score is not None
        assert 0.0 <= score <= 1.0


@settings(max_examples=400, deadline=None)
@given(answers)
def test_survey_cell_write_then_read_gives_the_value_back(case: tuple[Any, ...]) -> None:
    loaded, q, value = case
    kind = kind_of(q)
    cell = kind.cell(q, value)
    read = kind.cell_reader(q, loaded.rubric)(cell, normalise_text(cell))
    assert read == value
    assert type(read) is type(value) or q.type is QuestionType.NUMBER


@settings(max_examples=400, deadline=None)
@given(answers)
def test_interview_typed_then_parsed_gives_the_value_back(case: tuple[Any, ...]) -> None:
    loaded, q, value = case
    if q.type is QuestionType.TEXT:
        return  # text is typed as it is, escape aside
    kind = kind_of(q)
    typed = kind.typed(q, value)
    if q.type is QuestionType.MULTI and typed in ("0", "[]"):
        assert value == []
        return
    parsed = kind.parse(q, typed, loaded.rubric, "hint")
    assert parsed == value or (q.type is QuestionType.NUMBER and float(typed) == parsed)


def test_wrong_answers_are_refused_with_the_types_message() -> None:
    q = MINIMAL.questions["lead-definition"]
    kind = kind_of(q)
    assert kind.value_error(q, 9, MINIMAL.rubric) == "9 is outside the scale 1..5"
    with pytest.raises(BadAnswer, match="is not a whole number"):
        kind.parse(q, "x", MINIMAL.rubric, "hint")
    with pytest.raises(CellError, match="is not an answer from 1 to 5"):
        kind.cell_reader(q, MINIMAL.rubric)("lots", "lots")


def test_every_kind_describes_itself_for_forms_and_interviews() -> None:
    for loaded, q in QUESTIONS:
        kind = kind_of(q)
        assert kind.hint(q, loaded.rubric).startswith("type ")
        assert kind.allowed_answers(q, loaded.rubric)
        assert kind.form_comments(q, loaded.rubric)
        assert kind.markdown(q, loaded.rubric, str)
        rows = kind.choices(q, loaded.rubric)
        assert all(isinstance(k, str) and isinstance(label, str) for k, label in rows)
