"""The pure core of issue 16: layouts fold option columns exactly, long headers keep their
option part, dates are read in the order the file settles (properties, hypothesis)."""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from alignment_cli.files.responses import NA, UNKNOWN
from alignment_cli.model.models import Question
from alignment_cli.model.rubric import load_rubric
from alignment_cli.survey.columns import header_short
from alignment_cli.survey.csvfile import date_order, parse_timestamp
from alignment_cli.survey.rows import read_survey
from alignment_cli.survey.settings import ImportSettings
from tests.conftest import MINIMAL_RUBRIC
from tests.survey_tools import LAYOUTS, PER_OPTION, Person, export

LOADED = load_rubric(str(MINIMAL_RUBRIC))
MULTI = LOADED.questions["handoff-channels"]
OPTIONS = [o.value for o in MULTI.options]
LABELS = [o.label for o in MULTI.options]


def _read(text: str, **options: str) -> dict[str, dict[str, object]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "survey.csv"
        path.write_bytes(text.encode())
        result = read_survey(path, LOADED, ImportSettings(**options))  # type: ignore[arg-type]
    assert not result.problems, result.problems
    return {r.name: r.data for r in result.rows}


def _csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


ticks = st.lists(st.lists(st.booleans(), min_size=3, max_size=3), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None)
@given(ticks)
def test_surveymonkey_option_columns_fold_into_exactly_the_ticked_options(
    rows: list[list[bool]],
) -> None:
    text = MULTI.text
    out = [
        ["Respondent ID", "Collector ID", "Name", "Role", text, "", ""],
        ["", "", "Open-Ended Response", "Response", *LABELS],
    ]
    for i, row in enumerate(rows):
        out.append(
            [str(1000 + i), "1", f"P{i}", "Sales"]
            + [label if t else "" for label, t in zip(LABELS, row, strict=True)]
        )
    got = _read(_csv(out))
    for i, row in enumerate(rows):
        answers = got[f"P{i}"]["answers"]
        want = [v for v, t in zip(OPTIONS, row, strict=True) if t]
        assert answers.get(MULTI.id) == (want or None), (row, answers)  # type: ignore[union-attr]


@settings(max_examples=40, deadline=None)
@given(ticks)
def test_typeform_choice_columns_fold_like_limesurvey_codes(rows: list[list[bool]]) -> None:
    """The same answers in Typeform's per-choice columns and LimeSurvey's SQ00n columns."""
    meta = ["Submit Date (UTC)", "Network ID"]
    typeform = [["#", "Name", "Role", *LABELS, *meta]]
    lime = [["id", "submitdate", "lastpage", "startlanguage", "Name", "Role"]]
    lime[0] += [f"handoffchannels[SQ00{k}]" for k in (1, 2, 3)]
    for i, row in enumerate(rows):
        typeform.append(
            [f"t{i}", f"P{i}", "Sales"]
            + [label if t else "" for label, t in zip(LABELS, row, strict=True)]
            + ["2026-11-03 09:00:00", "x"]
        )
        lime.append(
            [str(i), "2026-11-03 09:00:00", "2", "en", f"P{i}", "A1"]
            + ["Y" if t else "" for t in row]
        )
    a, b = _read(_csv(typeform)), _read(_csv(lime))
    for i, row in enumerate(rows):
        want = [v for v, t in zip(OPTIONS, row, strict=True) if t]
        assert a[f"P{i}"]["answers"].get(MULTI.id) == (want or None)  # type: ignore[union-attr]
        assert b[f"P{i}"]["answers"] == a[f"P{i}"]["answers"]


@given(
    st.text(st.characters(categories=["L", "N", "Zs"]), min_size=1, max_size=200),
    st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=60),
)
def test_a_long_header_keeps_its_option_part(text: str, option: str) -> None:
    header = f"{text} [{option}]"
    shown = header_short(header)
    assert shown.endswith(f"[{option}]")
    assert len(shown) <= max(60, len(option) + 3 + 20)  # ' [option]' and 20 of the text
    if len(" ".join(header.split())) <= 60:
        assert shown == " ".join(header.split())


days = st.lists(st.integers(1, 28), min_size=1, max_size=8)


@given(days, st.booleans())
def test_dates_are_read_in_the_order_the_file_settles(ds: list[int], uk: bool) -> None:
    """Dates of November written day first (UK) or month first (US): a day over 12 settles the
    order for the whole file; otherwise it is open."""
    stamps = [f"{d:02d}/11/2026 09:00" if uk else f"11/{d:02d}/2026 09:00" for d in ds]
    order = date_order(stamps)
    if any(d > 12 for d in ds):
        assert order == ("dmy" if uk else "mdy")
        for d, stamp in zip(ds, stamps, strict=True):
            assert parse_timestamp(stamp, dayfirst=order == "dmy") == datetime(
                2026, 11, d, 9, tzinfo=UTC
            )
    else:
        assert order == "ambiguous"


def test_date_order_states() -> None:
    assert date_order(["13/01/2026", "01/13/2026"]) == "mixed"
    assert date_order(["2026-01-13 09:00"]) == ""
    assert date_order(["03.11.26 09:58"]) == "ambiguous"


# ---------------------------------------------------------------------------------------------
# Every layout, any answers: the import reads back exactly what was exported


def _answer(q: Question, per_option: bool) -> st.SearchStrategy[Any]:
    reserved = st.sampled_from([UNKNOWN, NA, None])
    kind = q.type.value
    if kind == "choice":
        return st.sampled_from([o.value for o in q.options]) | reserved
    if kind == "scale":
        return st.integers(1, 5) | reserved
    if kind == "yesno":
        return st.booleans() | reserved
    if kind == "number":
        return st.sampled_from([0, 0.5, 1, 1.5, 2, 24, 30, 48, 100]) | reserved
    values = [o.value for o in q.options]
    chosen = st.lists(st.sampled_from(values), unique=True, min_size=1 if per_option else 0)
    return chosen.map(lambda vs: sorted(vs, key=values.index)) | reserved


@st.composite
def _people(draw: st.DrawFn, layout: str) -> list[Person]:
    per_option = layout in PER_OPTION
    out = []
    for i in range(draw(st.integers(1, 4))):
        role = draw(st.sampled_from(["sales", "marketing"]))
        answers: dict[str, Any] = {}
        for q in LOADED.rubric.questions:
            if q.id == "follow-up-hours" and (
                role != "sales" or answers.get("sla-exists") is not True
            ):
                continue
            value = draw(_answer(q, per_option))
            if value is not None:
                answers[q.id] = value
        day = draw(st.integers(1, 28))
        out.append(Person(f"P{i}", role, answers, datetime(2026, 11, day, 9, 30)))
    return out


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_every_layout_reads_back_exactly_the_answers_exported(data: st.DataObject) -> None:
    layout = data.draw(st.sampled_from(LAYOUTS))
    people = data.draw(_people(layout))
    got = _read_bytes(export(layout, LOADED, people))
    assert sorted(got) == sorted(p.name for p in people)
    for p in people:
        assert got[p.name]["respondent"]["role"] == p.role, layout  # type: ignore[index]
        assert got[p.name]["answers"] == p.answers, layout


def _read_bytes(data: bytes) -> dict[str, dict[str, object]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "survey.csv"
        path.write_bytes(data)
        result = read_survey(path, LOADED, ImportSettings())
    assert not result.problems, result.problems
    return {r.name: r.data for r in result.rows}
