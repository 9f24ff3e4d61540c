"""The interview core: reading typed lines, walking the rubric, writing the answer file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_RUBRIC
from hypothesis import given, settings
from hypothesis import strategies as st

from alignment_cli.files.responses import (
    NA,
    UNKNOWN,
    AnswerChecker,
    Responses,
    load_response_file,
)
from alignment_cli.files.yamlio import parse_yaml
from alignment_cli.interview.flow import (
    KEYS,
    BadAnswer,
    Interview,
    Kind,
    default_input,
    format_value,
    interpret,
    parse_value,
    questions_asked,
    responses_text,
    unfit_answers,
)
from alignment_cli.model.models import Question
from alignment_cli.model.rubric import LoadedRubric, load_rubric

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def rubric() -> LoadedRubric:
    return load_rubric(MINIMAL_RUBRIC)


def q(rubric: LoadedRubric, qid: str) -> Question:
    return rubric.questions[qid]


def act(
    rubric: LoadedRubric, qid: str, line: str, *, has_default: bool = False
) -> tuple[Kind, object]:
    a = interpret(line, q(rubric, qid), rubric, has_default=has_default)
    return a.kind, a.value if a.kind is Kind.ANSWER else a.text


# --- typed lines --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qid", "line", "expected"),
    [
        ("lead-definition", "4", 4),
        ("lead-definition", " 1 ", 1),
        ("market-maturity", "2", "mature"),
        ("market-maturity", "NEW", "new"),
        ("sla-exists", "y", True),
        ("sla-exists", "No", False),
        ("sla-exists", "n", False),  # n is no, not a note: notes are '+'
        ("follow-up-hours", "12", 12),
        ("follow-up-hours", "2.5", 2.5),
        ("follow-up-hours", "1_000", 1000),
        ("handoff-channels", "1 3", ["crm-task", "reject-reason"]),
        ("handoff-channels", "3,1,1", ["crm-task", "reject-reason"]),
        ("handoff-channels", "context, crm-task", ["crm-task", "context"]),
        ("handoff-channels", "0", []),
        ("handoff-channels", "[]", []),
    ],
)
def test_answers_of_every_type(rubric: LoadedRubric, qid: str, line: str, expected: object) -> None:
    assert act(rubric, qid, line) == (Kind.ANSWER, expected)


@pytest.mark.parametrize(
    ("qid", "line", "hint"),
    [
        ("lead-definition", "9", "9 is outside 1..5; type a whole number from 1 to 5"),
        ("lead-definition", "four", "'four' is not a whole number"),
        ("lead-definition", "3.5", "not a whole number"),
        ("market-maturity", "3", "there is no option 3; type an option number from 1 to 2"),
        ("market-maturity", "newish", "'newish' is not one of the options"),
        ("sla-exists", "maybe", "neither yes nor no; type y or n"),
        ("follow-up-hours", "soon", "'soon' is not a number"),
        ("follow-up-hours", "-3", "outside the range the rubric scores (0..)"),
        ("follow-up-hours", "nan", "not a number"),
        ("handoff-channels", "1 7", "there is no option 7"),
        (
            "lead-definition",
            "",
            "type a whole number from 1 to 5; or u for don't know, - for not applicable",
        ),
    ],
)
def test_bad_input_gets_a_hint(rubric: LoadedRubric, qid: str, line: str, hint: str) -> None:
    kind, text = act(rubric, qid, line)
    assert kind is Kind.INVALID
    assert hint in str(text)


def test_keys_are_the_same_at_every_question(rubric: LoadedRubric) -> None:
    for question in rubric.rubric.questions:
        i = question.id
        assert act(rubric, i, "?")[0] is Kind.HELP
        assert act(rubric, i, "u") == (Kind.ANSWER, UNKNOWN)
        assert act(rubric, i, "unknown") == (Kind.ANSWER, UNKNOWN)
        assert act(rubric, i, "-") == (Kind.ANSWER, NA)
        assert act(rubric, i, "n/a") == (Kind.ANSWER, NA)
        assert act(rubric, i, "b")[0] is Kind.BACK
        assert act(rubric, i, "Q")[0] is Kind.QUIT
        assert act(rubric, i, "+ she said so") == (Kind.NOTE, "she said so")
        assert act(rubric, i, "+") == (Kind.NOTE, "")
        assert act(rubric, i, "", has_default=True)[0] is Kind.KEEP
    assert [k for k, _ in KEYS] == ["?", "u", "-", "+", "b", "q"]


def test_not_applicable_only_where_allowed(
    minimal_rubric_data: dict[str, object], tmp_path: Path
) -> None:
    import yaml

    questions = minimal_rubric_data["questions"]
    assert isinstance(questions, list)
    questions[1]["allow_na"] = False
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(minimal_rubric_data), encoding="utf-8")
    loaded = load_rubric(path)
    kind, hint = act(loaded, "lead-definition", "-")
    assert kind is Kind.INVALID
    assert "cannot be answered n/a" in str(hint)
    assert act(loaded, "lead-definition", "u") == (Kind.ANSWER, UNKNOWN)


def test_text_answers_escape_keys(tmp_path: Path, minimal_rubric_data: dict[str, object]) -> None:
    import yaml

    questions = minimal_rubric_data["questions"]
    assert isinstance(questions, list)
    questions.append(
        {
            "id": "remarks",
            "phase": "alignment",
            "dimension": "definitions",
            "type": "text",
            "text": "Anything else?",
        }
    )
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(minimal_rubric_data), encoding="utf-8")
    loaded = load_rubric(path)
    assert act(loaded, "remarks", "q")[0] is Kind.QUIT
    assert act(loaded, "remarks", "\\q") == (Kind.ANSWER, "q")
    assert act(loaded, "remarks", "\\+1 for this") == (Kind.ANSWER, "+1 for this")
    assert act(loaded, "remarks", "They meet weekly") == (Kind.ANSWER, "They meet weekly")


def test_options_whose_values_are_numbers_are_typed_as_values(
    tmp_path: Path, minimal_rubric_data: dict[str, object]
) -> None:
    import yaml

    questions = minimal_rubric_data["questions"]
    assert isinstance(questions, list)
    questions.append(
        {
            "id": "team-size",
            "phase": "alignment",
            "dimension": "definitions",
            "type": "choice",
            "text": "How many people?",
            "options": [
                {"value": "10", "label": "ten", "score": 0.5},
                {"value": "2", "label": "two", "score": 1},
            ],
        }
    )
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(minimal_rubric_data), encoding="utf-8")
    loaded = load_rubric(path)
    # '2' is the value 2, not the second option (which is also 2 here, so try '1': no such value)
    assert act(loaded, "team-size", "2") == (Kind.ANSWER, "2")
    assert act(loaded, "team-size", "10") == (Kind.ANSWER, "10")
    assert act(loaded, "team-size", "1")[0] is Kind.INVALID


def test_parse_value_raises_bad_answer(rubric: LoadedRubric) -> None:
    with pytest.raises(BadAnswer, match="whole number"):
        parse_value(q(rubric, "lead-definition"), "x", rubric)


def test_format_and_default_input_round_trip(rubric: LoadedRubric) -> None:
    cases = {
        "lead-definition": 4,
        "market-maturity": "mature",
        "sla-exists": True,
        "follow-up-hours": 2.5,
        "handoff-channels": ["crm-task", "reject-reason"],
    }
    for qid, value in cases.items():
        typed = default_input(q(rubric, qid), value)
        assert act(rubric, qid, typed) == (Kind.ANSWER, value), qid
    assert format_value(q(rubric, "market-maturity"), "mature").startswith("2. An established")
    assert format_value(q(rubric, "follow-up-hours"), 2.5) == "2.5 hours"
    assert format_value(q(rubric, "handoff-channels"), []) == "none of them"
    assert format_value(q(rubric, "sla-exists"), UNKNOWN) == "don't know"
    assert default_input(q(rubric, "sla-exists"), NA) == "-"


# --- the walk -----------------------------------------------------------------------------


def test_questions_follow_role_and_conditions(rubric: LoadedRubric) -> None:
    ids = lambda qs: [x.id for x in qs]  # noqa: E731
    assert ids(questions_asked(rubric, "marketing", {})) == [
        "market-maturity",
        "lead-definition",
        "sla-exists",
        "handoff-channels",
    ]
    assert "follow-up-hours" not in ids(questions_asked(rubric, "sales", {"sla-exists": False}))
    assert "follow-up-hours" not in ids(questions_asked(rubric, "sales", {"sla-exists": UNKNOWN}))
    assert "follow-up-hours" in ids(questions_asked(rubric, "sales", {"sla-exists": True}))


def walk(iv: Interview, *values: object) -> None:
    for v in values:
        iv.answer(v)  # type: ignore[arg-type]


def test_a_whole_interview_with_back_and_a_dropped_answer(rubric: LoadedRubric) -> None:
    iv = Interview.begin(rubric, "sales", "Sam")
    assert (iv.at, iv.position()) == ("market-maturity", (1, 4))
    walk(iv, "new", 3, True)
    assert iv.at == "follow-up-hours"
    assert iv.position() == (4, 5)  # the yes made the follow-up question appear
    walk(iv, 12)
    assert iv.back() and iv.at == "follow-up-hours"
    assert iv.default() == (True, 12)
    assert iv.back() and iv.at == "sla-exists"
    dropped = iv.answer(False)
    assert [d[0] for d in dropped] == ["follow-up-hours"]
    assert "condition no longer holds" in dropped[0][1]
    assert "follow-up-hours" not in iv.answers
    assert iv.at == "handoff-channels"
    walk(iv, ["context"])
    assert iv.finished
    resp = iv.responses(NOW)
    assert resp.answers == {
        "market-maturity": "new",
        "lead-definition": 3,
        "sla-exists": False,
        "handoff-channels": ["context"],
    }
    assert AnswerChecker(rubric).errors(resp) == []


def test_back_at_the_first_question_stays(rubric: LoadedRubric) -> None:
    iv = Interview.begin(rubric, "marketing", "Mia")
    assert not iv.back()
    assert iv.at == "market-maturity"


def test_keep_moves_on_only_with_an_answer(rubric: LoadedRubric) -> None:
    iv = Interview.begin(rubric, "marketing", "Mia")
    with pytest.raises(RuntimeError):
        iv.keep()
    walk(iv, "new")
    iv.back()
    iv.keep()
    assert iv.at == "lead-definition"


def test_notes_add_up_and_keep_order(rubric: LoadedRubric) -> None:
    iv = Interview.begin(rubric, "marketing", "Mia")
    iv.add_note("first")
    iv.add_note("  ")
    iv.add_note("second")
    assert iv.notes == {"market-maturity": "first\nsecond"}


def _previous(rubric: LoadedRubric, answers: dict[str, Any], role: str = "sales") -> Responses:
    iv = Interview.begin(rubric, role, "Sam")
    iv.answers = dict(answers)
    return iv.responses(NOW)


def test_resume_at_the_first_open_question(rubric: LoadedRubric) -> None:
    prev = _previous(rubric, {"market-maturity": "new", "lead-definition": 2})
    iv = Interview.begin(rubric, "sales", "Sam", previous=prev)
    assert iv.at == "sla-exists" and not iv.rerun
    assert iv.answered() == 2


def test_resume_at_the_saved_cursor(rubric: LoadedRubric) -> None:
    prev = _previous(rubric, {"market-maturity": "new", "lead-definition": 2})
    iv = Interview.begin(rubric, "sales", "Sam", previous=prev, cursor="lead-definition")
    assert iv.at == "lead-definition"
    iv2 = Interview.begin(rubric, "sales", "Sam", previous=prev, cursor="no-such")
    assert iv2.at == "sla-exists"
    gap = _previous(rubric, {"market-maturity": "new", "sla-exists": True})
    iv3 = Interview.begin(rubric, "sales", "Sam", previous=gap, cursor="follow-up-hours")
    assert iv3.at == "lead-definition"  # an earlier open question comes first


def test_a_finished_interview_reruns_with_defaults(rubric: LoadedRubric) -> None:
    answers = {
        "market-maturity": "new",
        "lead-definition": 2,
        "sla-exists": False,
        "handoff-channels": [],
    }
    prev = _previous(rubric, answers)
    iv = Interview.begin(rubric, "sales", "Sam", previous=prev)
    assert iv.rerun and iv.at == "market-maturity"
    assert iv.default() == (True, "new")
    for _ in range(4):
        iv.keep()
    assert iv.finished
    assert iv.answers == answers


def test_answers_that_no_longer_fit_are_dropped(rubric: LoadedRubric) -> None:
    raw = {
        "market-maturity": "new",
        "lead-definition": 9,
        "gone": 3,
        "sla-exists": False,
        "follow-up-hours": 4,
    }
    dropped = dict(unfit_answers(rubric, "sales", raw))  # type: ignore[arg-type]
    assert set(dropped) == {"lead-definition", "gone", "follow-up-hours"}
    assert "outside the scale" in dropped["lead-definition"]
    assert dict(unfit_answers(rubric, "marketing", {"follow-up-hours": 1})) == {
        "follow-up-hours": "it is asked of sales, not of marketing"
    }


def test_notes_on_questions_the_rubric_lacks_are_reported(rubric: LoadedRubric) -> None:
    prev = _previous(rubric, {"market-maturity": "new"})
    prev = prev.model_copy(update={"notes": {"gone": "a quote", "market-maturity": "kept"}})
    iv = Interview.begin(rubric, "sales", "Sam", previous=prev)
    assert iv.notes == {"market-maturity": "kept"}
    assert iv.dropped == [("gone", "a note on a question the rubric does not have: 'a quote'")]


def test_a_file_without_started_keeps_its_first_date(rubric: LoadedRubric) -> None:
    prev = _previous(rubric, {"market-maturity": "new"}).model_copy(update={"started": None})
    iv = Interview.begin(rubric, "sales", "Sam", previous=prev)
    later = datetime(2027, 2, 1, tzinfo=UTC)
    assert iv.responses(later).started == NOW


def test_started_is_set_once(rubric: LoadedRubric) -> None:
    iv = Interview.begin(rubric, "sales", "Sam")
    first = iv.responses(NOW)
    later = iv.responses(datetime(2026, 12, 1, tzinfo=UTC))
    assert first.started == later.started == NOW
    assert later.updated == datetime(2026, 12, 1, tzinfo=UTC)


# --- the answer file ----------------------------------------------------------------------


def test_answer_file_reads_like_the_documented_format(rubric: LoadedRubric, tmp_path: Path) -> None:
    iv = Interview.begin(rubric, "sales", "Dana Lee", organization='Acme: "Corp"')
    walk(iv, "new", 4, True, 0.5, ["crm-task", "context"])
    iv.back()
    iv.add_note("quote: 'we never agreed'\nsecond line")
    text = responses_text(iv.responses(NOW), rubric)
    assert text.startswith("rubric: {id: minimal-alignment, version: 0.1.0, hash: ")
    assert "respondent: {name: Dana Lee, role: sales}\n" in text
    assert "updated: 2026-11-22T10:00:00Z\n" in text
    assert "  # alignment\n  lead-definition: 4\n" in text
    assert "  handoff-channels: [crm-task, context]\n" in text
    assert "  handoff-channels: |-\n" in text
    path = tmp_path / "dana-lee.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_response_file(path).responses
    assert loaded == iv.responses(NOW)


answer_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40
).filter(lambda s: s.strip() and s not in (NA, UNKNOWN))


@settings(max_examples=60, deadline=None)
@given(name=answer_text, org=answer_text, note=answer_text, hours=st.floats(0, 1e6))
def test_whatever_is_typed_comes_back_unchanged(
    rubric: LoadedRubric, name: str, org: str, note: str, hours: float
) -> None:
    iv = Interview.begin(rubric, "sales", name.strip() or "x", organization=org)
    walk(iv, "new", 4, True, hours)
    iv.notes["follow-up-hours"] = note
    resp = iv.responses(NOW)
    text = responses_text(resp, rubric)
    again = parse_yaml("answers.yaml", text).data
    assert again["answers"] == resp.answers
    assert again["notes"] == resp.notes
    assert again["organization"] == org
    assert again["respondent"]["name"] == resp.respondent.name
