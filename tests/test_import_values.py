"""Reading survey cells back into answers, and writing answer files without PyYAML's dumper."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from alignment_cli.files.answer_file import answer_file_text
from alignment_cli.files.responses import RESERVED, value_error
from alignment_cli.model.models import Question, QuestionType
from alignment_cli.model.qtypes.base import CellError
from alignment_cli.model.qtypes.cells import normalise_text, parse_number, split_options
from alignment_cli.model.rubric import DEFAULT_RUBRIC, LoadedRubric, load_rubric
from alignment_cli.survey.columns import make_parser
from alignment_cli.survey.csvfile import day_first, parse_timestamp
from tests.conftest import MINIMAL_RUBRIC, V1_RUBRIC
from tests.survey_export import survey_cell


@pytest.fixture(scope="module")
def minimal() -> LoadedRubric:
    return load_rubric(MINIMAL_RUBRIC)


@pytest.fixture(scope="module")
def default() -> LoadedRubric:
    return load_rubric()


@pytest.fixture(scope="module")
def v1() -> LoadedRubric:
    return load_rubric(V1_RUBRIC)


def _read(loaded: LoadedRubric, qid: str, cell: str) -> Any:
    return make_parser(loaded, loaded.questions[qid])(cell)


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("4", 4),
        (" 4 ", 4),
        ("4.0", 4),
        ("4 - Mostly", 4),
        ("4 – Mostly", 4),
        ("4. Mostly", 4),
        ("4) Mostly", 4),
        ("4/5", 4),
        ("Each team has its own idea; nothing is written down.", 1),
        ("each team has its own idea, nothing is written down", 1),
        ("", None),
        ("   ", None),
        ("Don't know", "unknown"),
        ("DON’T KNOW", "unknown"),
        ("not sure", "unknown"),
        ("N/A", "n/a"),
        ("Not applicable", "n/a"),
    ],
)
def test_scale_cells(minimal: LoadedRubric, cell: str, value: Any) -> None:
    assert _read(minimal, "lead-definition", cell) == value


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("4.5", "not a whole number from 1 to 5"),
        ("6", "6 is outside the scale 1..5"),
        ("0 - Never", "0 is outside the scale 1..5"),
        ("Mostly", "not an answer from 1 to 5"),
    ],
)
def test_scale_cells_refused(minimal: LoadedRubric, cell: str, message: str) -> None:
    with pytest.raises(CellError, match=message):
        _read(minimal, "lead-definition", cell)


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("mature", "mature"),
        ("An established market with known buying habits", "mature"),
        ("  an ESTABLISHED market   with known buying habits ", "mature"),
        ("An established market, with known buying habits!", "mature"),  # re-punctuated
        ("2", "mature"),
        ("1 - A new category buyers must learn about", "new"),
    ],
)
def test_choice_cells(minimal: LoadedRubric, cell: str, value: str) -> None:
    assert _read(minimal, "market-maturity", cell) == value


@pytest.mark.parametrize("cell", ["3", "old", "2 - A new category buyers must learn about"])
def test_choice_cells_refused(minimal: LoadedRubric, cell: str) -> None:
    with pytest.raises(CellError, match="is not an option"):
        _read(minimal, "market-maturity", cell)


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("crm-task", ["crm-task"]),
        ("context;crm-task;", ["crm-task", "context"]),  # Microsoft Forms; option order kept
        (
            "A task in the CRM for the owner, What the lead did and asked about",
            ["crm-task", "context"],
        ),
        ("1, 3", ["crm-task", "reject-reason"]),
        ("crm-task,crm-task", ["crm-task"]),
        ("None", []),
        ("none of the above", []),
        ("unknown", "unknown"),
    ],
)
def test_multi_cells(minimal: LoadedRubric, cell: str, value: Any) -> None:
    assert _read(minimal, "handoff-channels", cell) == value


def test_multi_labels_that_hold_commas(v1: LoadedRubric) -> None:
    q = v1.questions["shared-kpis"]
    labels = {o.value: o.label for o in q.options}
    assert "," in labels["retention"]
    cell = f"{labels['retention']}, {labels['win-rate']}"
    assert make_parser(v1, q)(cell) == ["win-rate", "retention"]


def test_split_options_backtracks_past_a_shorter_label() -> None:
    candidates = sorted({"a, b": "ab", "a": "a", "b, c": "bc"}.items(), key=lambda kv: -len(kv[0]))
    # Greedy "a, b" leaves ", c" unreadable; "a" then "b, c" reads all of it.
    assert split_options("a, b, c", candidates) == ["a", "bc"]
    assert split_options("a, x", candidates) is None


@pytest.mark.parametrize(
    ("cell", "value"),
    [("Yes", True), ("y", True), ("TRUE", True), ("1", True), ("No", False), ("false", False)],
)
def test_yesno_cells(minimal: LoadedRubric, cell: str, value: bool) -> None:
    assert _read(minimal, "sla-exists", cell) is value


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("24", 24),
        ("24 hours", 24),
        ("24h", 24),
        ("1 hour", 1),
        ("1,5", 1.5),
        ("1.5 hrs", 1.5),
        ("1,500", 1500),
        ("1 500", 1500),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("0", 0),
    ],
)
def test_number_cells(minimal: LoadedRubric, cell: str, value: float) -> None:
    got = _read(minimal, "follow-up-hours", cell)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("2 days", "expected a number of hours"),
        ("about 3", "not a number of hours"),
        ("2-3", "not a number of hours"),
        ("1,5,0", "not a number of hours"),
        ("-1", "outside the range"),
    ],
)
def test_number_cells_refused(minimal: LoadedRubric, cell: str, message: str) -> None:
    with pytest.raises(CellError, match=message):
        _read(minimal, "follow-up-hours", cell)


def test_percent_units(v1: LoadedRubric) -> None:
    for cell in ("60%", "60 %", "60 percent"):
        assert _read(v1, "sla-compliance", cell) == 60


@pytest.mark.parametrize(
    ("text", "value"),
    [("12", 12), ("12.25", 12.25), ("-3", -3), ("1.234.567", 1234567), ("1,50", 1.5)],
)
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "1.", "1,2,3,4", "12 34", "1.2.3", "1,234,5.6", "abc"])
def test_parse_number_refuses(text: str) -> None:
    assert parse_number(text) is None


def test_mapped_values_win_over_reading(minimal: LoadedRubric) -> None:
    parse = make_parser(minimal, minimal.questions["lead-definition"], {"Strongly agree": 5})
    assert parse("strongly   AGREE") == 5
    assert parse("3") == 3


@pytest.mark.parametrize(
    ("text", "dayfirst", "expected"),
    [
        ("2026-11-02 09:14:03", False, datetime(2026, 11, 2, 9, 14, 3, tzinfo=UTC)),
        ("2026-11-02T09:14:03Z", False, datetime(2026, 11, 2, 9, 14, 3, tzinfo=UTC)),
        ("2026-11-02T10:14:03+01:00", False, datetime(2026, 11, 2, 9, 14, 3, tzinfo=UTC)),
        ("2026/11/02 9:14:03 AM GMT+1", False, datetime(2026, 11, 2, 8, 14, 3, tzinfo=UTC)),
        ("11/2/2026 21:14:03", False, datetime(2026, 11, 2, 21, 14, 3, tzinfo=UTC)),
        ("11/2/2026 21:14:03", True, datetime(2026, 2, 11, 21, 14, 3, tzinfo=UTC)),
        ("11/02/2026 12:05:00 AM", False, datetime(2026, 11, 2, 0, 5, tzinfo=UTC)),
        ("11/02/2026 12:05:00 PM", False, datetime(2026, 11, 2, 12, 5, tzinfo=UTC)),
        ("2/11/26 9:14", True, datetime(2026, 11, 2, 9, 14, tzinfo=UTC)),
        ("13.11.2026 10:02", True, datetime(2026, 11, 13, 10, 2, tzinfo=UTC)),
        ("2026-11-02", False, datetime(2026, 11, 2, tzinfo=UTC)),
    ],
)
def test_timestamps(text: str, dayfirst: bool, expected: datetime) -> None:
    assert parse_timestamp(text, dayfirst=dayfirst) == expected


def test_timestamp_zone_is_kept_as_utc() -> None:
    got = parse_timestamp("2026-11-02 09:14:03 GMT-05:30")
    assert got == datetime(2026, 11, 2, 9, 14, 3, tzinfo=timezone(-timedelta(hours=5, minutes=30)))
    assert got.tzinfo == UTC


@pytest.mark.parametrize("text", ["yesterday", "13/13/2026", "11/02/2026 13:00 PM"])
def test_bad_timestamps(text: str) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(text)


def test_day_first_is_decided_for_the_whole_file() -> None:
    assert day_first(["01/02/2026", "03/04/2026"]) is False  # ambiguous: month first
    assert day_first(["01/02/2026", "13/04/2026"]) is True
    assert day_first(["01/02/2026", "04/13/2026"]) is False
    assert day_first(["13/01/2026", "01/13/2026"]) is None
    assert day_first(["2026/13/01"]) is False  # year first is never ambiguous


def test_normalise_text() -> None:
    assert normalise_text("  Don’t   KNOW\u00a0") == "don't know"
    assert normalise_text("Ｗｉｄｅ") == "wide"


# -- properties ---------------------------------------------------------------------------------


def _valid_answers(loaded: LoadedRubric) -> st.SearchStrategy[tuple[Question, Any]]:
    def for_question(q: Question) -> st.SearchStrategy[tuple[Question, Any]]:
        t = q.type
        values: st.SearchStrategy[Any]
        if t is QuestionType.SCALE:
            scale = q.scale or loaded.rubric.scale
            values = st.integers(scale.min, scale.max)
        elif t is QuestionType.CHOICE:
            values = st.sampled_from([o.value for o in q.options])
        elif t is QuestionType.MULTI:
            values = st.lists(st.sampled_from([o.value for o in q.options]), unique=True)
        elif t is QuestionType.YESNO:
            values = st.booleans()
        elif t is QuestionType.NUMBER:
            values = st.one_of(
                st.integers(0, 10_000), st.floats(0, 10_000, allow_nan=False).map(lambda x: x)
            ).filter(lambda v: value_error(q, v, loaded) is None)
        else:
            values = st.text(min_size=1).filter(
                lambda s: (
                    s == s.strip()
                    and s.isprintable()
                    and normalise_text(s) not in {"unknown", "n/a", "na", "not applicable"}
                    and normalise_text(s) != ""
                )
            )
        return st.tuples(st.just(q), st.one_of(values, st.sampled_from(RESERVED)))

    return st.sampled_from(loaded.rubric.questions).flatmap(for_question)


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_what_a_survey_exports_reads_back_as_the_answer(default: LoadedRubric, data: Any) -> None:
    q, value = data.draw(_valid_answers(default))
    if value == "n/a" and not q.allow_na:
        return
    cell = survey_cell(default, q, value)
    got = make_parser(default, q)(cell)
    if q.type is QuestionType.MULTI and isinstance(value, list):
        order = [o.value for o in q.options]
        value = sorted(value, key=order.index)
    assert got == value, cell


_scalars = st.one_of(
    st.text(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.lists(st.text(), max_size=3),
    st.lists(st.integers(), max_size=3),
)


_IDS = st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)  # question ids, as rubrics allow


def _written(data: dict[str, Any]) -> str:
    """What the import writes for `data`: the one answer-file writer, as the row reader calls it."""
    return answer_file_text(
        rubric=data.get("rubric", {}),
        respondent=data["respondent"],
        organization=data.get("organization"),
        started=None,
        updated=data.get("updated"),
        answers=data["answers"],
        notes=data.get("notes", {}),
        phase_of={},
    )


@settings(max_examples=300, deadline=None)
@given(
    answers=st.dictionaries(_IDS, _scalars, max_size=6),
    notes=st.dictionaries(_IDS, st.text(), max_size=2),
    name=st.text(min_size=1),
    updated=st.datetimes(timezones=st.just(UTC)),
)
def test_answer_files_read_back_as_written(
    answers: dict[str, Any], notes: dict[str, str], name: str, updated: datetime
) -> None:
    data = {
        "rubric": {"id": "x", "version": "1.0.0", "hash": "sha256:0123"},
        "respondent": {"name": name, "role": "sales"},
        "organization": "yes",
        "updated": updated,
        "answers": answers,
        "notes": notes,
    }
    if not notes:
        del data["notes"]
    assert yaml.safe_load(_written(data)) == data


def test_answer_file_text_is_plain_where_it_can_be() -> None:
    text = _written(
        {
            "rubric": {"id": "x", "version": "1.0.0"},
            "respondent": {"name": "Dana Lee", "role": "sales"},
            "updated": datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
            "answers": {"a": "no", "b": [1, "x y"], "c": 1.5, "d": 1e20, "e": "Dana: Lee"},
        }
    )
    assert text == (
        "rubric: {id: x, version: 1.0.0}\n"
        "respondent: {name: Dana Lee, role: sales}\n"
        "updated: 2026-11-02T09:00:00Z\n"
        "answers:\n"
        "  a: 'no'\n"
        "  b: [1, x y]\n"
        "  c: 1.5\n"
        "  d: 1.0e+20\n"
        "  e: 'Dana: Lee'\n"
    )


_DEFAULT = load_rubric(DEFAULT_RUBRIC)
_NUMBER_QUESTIONS = [q for q in _DEFAULT.rubric.questions if q.type is QuestionType.NUMBER]


def _outcome(parse: Any, cell: str) -> tuple[str, Any]:
    try:
        value = parse(cell)
    except CellError as exc:
        return "refused", str(exc)
    return type(value).__name__, value


@settings(max_examples=300, deadline=None)
@given(
    q=st.sampled_from(_NUMBER_QUESTIONS),
    whole=st.text("0123456789", min_size=1, max_size=20),
    fraction=st.none() | st.text("0123456789", min_size=1, max_size=8),
)
def test_plain_numbers_read_as_the_number_reader_reads_them(
    q: Question, whole: str, fraction: str | None
) -> None:
    """Digits (and a decimal point) take a short way past the number reader: it must read them
    as the reader does (the same cell with a space in front takes the reader's way)."""
    cell = whole if fraction is None else f"{whole}.{fraction}"
    assert _outcome(make_parser(_DEFAULT, q), cell) == _outcome(
        make_parser(_DEFAULT, q), f" {cell}"
    )
