"""Real survey exports (issue 16): each tool's layout, as its documentation describes it, imports
with no mapping, is named in the output, and scores exactly as the same answers given directly.

The fixtures in tests/data/import/<tool>/ are a four-person survey built from the minimal
rubric's form (`alignment form --format csv`: its question texts) and codebook (its answer
labels and their order), filled in with the answers in ANSWERS below, and laid out as each tool
writes its export. What each layout is based on is cited in docs/forms-and-import.md, one
section per tool.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import MINIMAL_RUBRIC, ROOT

Invoke = Callable[..., Any]
DATA = ROOT / "tests" / "data" / "import"
R = str(MINIMAL_RUBRIC)

# The answers every fixture holds, as answer files hold them.
ANSWERS: dict[str, dict[str, Any]] = {
    "Dana Lee": {
        "role": "marketing",
        "answers": {
            "market-maturity": "mature",
            "lead-definition": 4,
            "sla-exists": True,
            "handoff-channels": ["crm-task", "reject-reason"],
        },
    },
    "Raj Patel": {
        "role": "sales",
        "answers": {
            "market-maturity": "new",
            "lead-definition": 2,
            "sla-exists": True,
            "follow-up-hours": 1.5,
            "handoff-channels": ["context"],
        },
    },
    "Lena Fischer": {
        "role": "sales",
        "answers": {
            "market-maturity": "mature",
            "lead-definition": "unknown",
            "sla-exists": False,
            "handoff-channels": "n/a",
        },
    },
    "Sam Ortiz": {
        "role": "sales",
        "answers": {
            "market-maturity": "new",
            "lead-definition": 5,
            "sla-exists": True,
            "follow-up-hours": 30,
            "handoff-channels": ["crm-task", "context", "reject-reason"],
        },
    },
}
# When each finished (local time of the survey, 3 to 12 November 2026).
FINISHED = {
    "Dana Lee": (3, 9, 58, 12),
    "Raj Patel": (5, 14, 30, 41),
    "Lena Fischer": (9, 8, 5, 19),
    "Sam Ortiz": (12, 16, 45, 55),
}

FIXTURES = [
    ("surveymonkey/all-responses-expanded.csv", "SurveyMonkey"),
    ("surveymonkey/all-responses-numerical.csv", "SurveyMonkey"),
    ("qualtrics/choice-text.csv", "Qualtrics"),
    ("qualtrics/numeric-values.csv", "Qualtrics"),
    ("microsoft-forms/csv-utf8.csv", "Microsoft Forms"),
    ("microsoft-forms/unicode-text.txt", "Microsoft Forms"),
    ("microsoft-forms/german-excel.csv", "Microsoft Forms"),
    ("typeform/per-choice-columns.csv", "Typeform"),
    ("typeform/joined-choices.csv", "Typeform"),
    ("limesurvey/question-code.csv", "LimeSurvey"),
    ("limesurvey/full-question-text.csv", "LimeSurvey"),
    ("google-sheets/form-responses-1.csv", "Google"),
    ("jotform/submissions.csv", "Jotform"),
]


def _card(text: str) -> dict[str, Any]:
    """The score card, less when and where the files were made (times are tested below, each
    layout's own way)."""
    card: dict[str, Any] = json.loads(text)
    card.pop("generated_at")
    card.pop("answers_updated")
    for r in card["respondents"]:
        r.pop("file")
        r.pop("updated")
    card["respondents"].sort(key=lambda r: (r["name"], r["role"]))
    return card


def _direct(tmp_path: Path) -> Path:
    folder = tmp_path / "direct"
    folder.mkdir()
    for i, (name, person) in enumerate(ANSWERS.items()):
        doc = {
            "rubric": {"id": "minimal-alignment", "version": "0.1.0"},
            "respondent": {"name": name, "role": person["role"]},
            "answers": person["answers"],
        }
        (folder / f"{i}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), "utf-8")
    return folder


def _imported(folder: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted(folder.rglob("*.yaml")):
        doc = yaml.safe_load(path.read_text("utf-8"))
        out[doc["respondent"]["name"]] = doc
    return out


def _import(invoke: Invoke, path: Path, into: Path, *extra: str) -> Any:
    return invoke("import", str(path), str(into), "--rubric", R, *extra)


@pytest.mark.parametrize(("fixture", "tool"), FIXTURES, ids=[f for f, _ in FIXTURES])
def test_each_tools_export_scores_as_the_same_answers_given_directly(
    tmp_path: Path, invoke: Invoke, fixture: str, tool: str
) -> None:
    into = tmp_path / "imported"
    result = _import(invoke, DATA / fixture, into)
    assert result.exit_code == 0, result.output
    assert f"read as a {tool}" in result.output  # the layout is named
    assert "4 new" in result.output
    imported = _imported(into)
    assert sorted(imported) == sorted(ANSWERS)
    for name, person in ANSWERS.items():  # the exact answers, not just the same score
        assert imported[name]["respondent"]["role"] == person["role"]
        assert imported[name]["answers"] == person["answers"], (fixture, name)
    a = invoke("score", str(into), "--rubric", R, "--format", "json")
    b = invoke("score", str(_direct(tmp_path)), "--rubric", R, "--format", "json")
    assert a.exit_code == b.exit_code == 0, a.output + b.output
    assert _card(a.output) == _card(b.output)


def test_question_headers_are_the_forms_own(invoke: Invoke) -> None:
    """The fixtures were built from our form: their question headers are its texts."""
    form = invoke("form", "--rubric", R, "--format", "csv")
    header = next(csv.reader(io.StringIO(form.output)))
    for fixture in ("google-sheets/form-responses-1.csv", "jotform/submissions.csv"):
        with (DATA / fixture).open(encoding="utf-8") as f:
            got = next(csv.reader(f))
        assert set(header[1:]) <= set(got), fixture


def _finished(name: str, hours: int = 0) -> datetime:
    day, h, m, s = FINISHED[name]
    return datetime(2026, 11, day, h, m, s, tzinfo=UTC).replace(hour=h - hours)


def test_a_zone_the_file_states_is_used(tmp_path: Path, invoke: Invoke) -> None:
    """Qualtrics row 3 says Europe/Berlin (UTC+1 in November): that wins over --timezone."""
    into = tmp_path / "q"
    result = _import(
        invoke, DATA / "qualtrics/choice-text.csv", into, "--timezone", "America/New_York"
    )
    assert result.exit_code == 0, result.output
    assert "Europe/Berlin, as the file states (--timezone America/New_York is not used)" in (
        result.output
    )
    assert "taken as UTC" not in result.output
    for name, doc in _imported(into).items():
        assert doc["updated"] == _finished(name, hours=1), name


def test_typeform_utc_columns_state_utc(tmp_path: Path, invoke: Invoke) -> None:
    into = tmp_path / "t"
    result = _import(invoke, DATA / "typeform/per-choice-columns.csv", into)
    assert result.exit_code == 0, result.output
    assert "taken as UTC" not in result.output
    for name, doc in _imported(into).items():
        assert doc["updated"] == _finished(name), name


def test_times_without_a_zone_take_timezone_or_are_said_to_be_utc(
    tmp_path: Path, invoke: Invoke
) -> None:
    fixture = DATA / "surveymonkey/all-responses-expanded.csv"
    plain = _import(invoke, fixture, tmp_path / "a")
    assert plain.exit_code == 0, plain.output
    assert plain.output.count("taken as UTC") == 1  # said once, not per row
    for name, doc in _imported(tmp_path / "a").items():
        assert doc["updated"] == _finished(name), name
    zoned = _import(invoke, fixture, tmp_path / "b", "--timezone", "America/New_York")
    assert zoned.exit_code == 0, zoned.output
    assert "taken as UTC" not in zoned.output
    for name, doc in _imported(tmp_path / "b").items():  # EST is UTC-5 in November
        day, h, m, s = FINISHED[name]
        assert doc["updated"] == datetime(2026, 11, day, h + 5, m, s, tzinfo=UTC), name


def test_an_unknown_timezone_is_refused(tmp_path: Path, invoke: Invoke) -> None:
    result = _import(
        invoke, DATA / "jotform/submissions.csv", tmp_path / "x", "--timezone", "Mars/Olympus"
    )
    assert result.exit_code == 2
    assert "--timezone 'Mars/Olympus'" in result.output
    assert not list((tmp_path / "x").rglob("*.yaml"))


def test_a_uk_export_of_ambiguous_dates_is_not_read_silently(
    tmp_path: Path, invoke: Invoke
) -> None:
    """3 to 12 November written dd/mm: every date could be either; the import says how it read
    them, and --date-order dmy reads them as November."""
    fixture = DATA / "microsoft-forms/unicode-text.txt"
    said = _import(invoke, fixture, tmp_path / "a")
    assert said.exit_code == 0, said.output
    assert "could be day or month first" in said.output
    assert "--date-order dmy" in said.output
    months = {doc["updated"].month for doc in _imported(tmp_path / "a").values()}
    assert months != {11}  # read month first, as it said
    told = _import(invoke, fixture, tmp_path / "b", "--date-order", "dmy")
    assert told.exit_code == 0, told.output
    assert "could be day or month first" not in told.output
    for name, doc in _imported(tmp_path / "b").items():
        assert doc["updated"] == _finished(name), name


def test_the_german_excel_dates_read_day_first_from_the_locale(
    tmp_path: Path, invoke: Invoke
) -> None:
    result = _import(invoke, DATA / "microsoft-forms/german-excel.csv", tmp_path / "g")
    assert result.exit_code == 0, result.output
    assert "read day first" in result.output
    for name, doc in _imported(tmp_path / "g").items():
        day, h, m, _ = FINISHED[name]  # two-digit years, minutes only
        assert doc["updated"] == datetime(2026, 11, day, h, m, tzinfo=UTC), name


def test_a_day_over_12_settles_the_order_and_contradicts_date_order(
    tmp_path: Path, invoke: Invoke
) -> None:
    text = (DATA / "microsoft-forms/unicode-text.txt").read_text("utf-16")
    text = text.replace("12/11/2026 16:45:55", "13/11/2026 16:45:55")
    path = tmp_path / "uk.txt"
    path.write_text(text, "utf-16")
    settled = _import(invoke, path, tmp_path / "a")
    assert settled.exit_code == 0, settled.output
    assert "could be day or month first" not in settled.output
    assert {d["updated"].month for d in _imported(tmp_path / "a").values()} == {11}
    refused = _import(invoke, path, tmp_path / "b", "--date-order", "mdy")
    assert refused.exit_code == 2
    assert "--date-order mdy" in refused.output and "13/11/2026" in refused.output
    assert not list((tmp_path / "b").rglob("*.yaml"))


def test_source_forces_a_layout_and_an_unknown_one_is_refused(
    tmp_path: Path, invoke: Invoke
) -> None:
    path = DATA / "surveymonkey/all-responses-expanded.csv"
    forced = _import(invoke, path, tmp_path / "a", "--source", "surveymonkey")
    assert forced.exit_code == 0, forced.output
    assert "--source surveymonkey" in forced.output
    wrong = _import(invoke, path, tmp_path / "b", "--source", "paper")
    assert wrong.exit_code == 2
    assert "--source 'paper'" in wrong.output and "surveymonkey" in wrong.output


def test_an_unrecognised_layout_says_so_and_points_to_source(
    tmp_path: Path, invoke: Invoke
) -> None:
    path = tmp_path / "plain.csv"
    path.write_text(
        "Name,Role,How mature is the market you sell into?\nAna,Sales,new\n", encoding="utf-8"
    )
    result = _import(invoke, path, tmp_path / "a")
    assert result.exit_code == 0, result.output
    assert "not one this import recognises" in result.output and "--source" in result.output


def test_an_option_column_that_is_no_answer_is_named_with_its_option(
    tmp_path: Path, invoke: Invoke
) -> None:
    """A long header shows the `[Option]` part, so option columns can be told apart."""
    text = (DATA / "surveymonkey/all-responses-expanded.csv").read_bytes().decode()
    text = text.replace(",Don't know,Not applicable\r\n", ",Don't know,Telepathy\r\n", 1)
    path = tmp_path / "sm.csv"
    path.write_bytes(text.encode())
    result = _import(invoke, path, tmp_path / "a")
    assert result.exit_code == 2
    assert f"{path}:1:20: column 'Which of these" in result.output
    assert "… [Telepathy]': 'Telepathy' is not an answer of 'handoff-channels'" in result.output
    assert not list((tmp_path / "a").rglob("*.yaml"))


def test_all_or_nothing_holds_for_a_folded_layout(tmp_path: Path, invoke: Invoke) -> None:
    text = (DATA / "qualtrics/numeric-values.csv").read_bytes().decode()
    lines = text.split("\r\n")
    cells = next(csv.reader([lines[4]]))
    cells[19] = "9"  # market-maturity: no ninth answer
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(cells)
    lines[4] = buf.getvalue()
    path = tmp_path / "q.csv"
    path.write_bytes("\r\n".join(lines).encode())
    result = _import(invoke, path, tmp_path / "a")
    assert result.exit_code == 2
    assert f"{path}:5:20: row 5, column 'How mature is the market you sell into?'" in result.output
    assert not list((tmp_path / "a").rglob("*.yaml"))


# ---------------------------------------------------------------------------------------------
# File-level findings: located on the line they start on, read where the meaning is clear

HEADER = (
    "Timestamp,Name,Role,How mature is the market you sell into?,"
    "Which of these does the hand-off from marketing to sales include?"
)
ROW_ANA = '2026-11-03 09:00:00Z,Ana Gomez,Sales,new,"A task in the CRM for the owner'
ROW_TOM = "2026-11-04 09:00:00Z,Tom Becker,Marketing,mature,"


def _run(tmp_path: Path, invoke: Invoke, data: bytes) -> tuple[Any, Path]:
    path = tmp_path / "survey.csv"
    path.write_bytes(data)
    return _import(invoke, path, tmp_path / "out"), path


def test_cr_only_line_endings_are_read_and_said(tmp_path: Path, invoke: Invoke) -> None:
    text = f'{HEADER}\r{ROW_ANA}\nWhat the lead did and asked about"\r{ROW_TOM}\r'
    result, path = _run(tmp_path, invoke, text.encode())
    assert result.exit_code == 0, result.output
    assert f"{path}:1: the lines end with CR only" in result.output
    ana = _imported(tmp_path / "out")["Ana Gomez"]
    assert ana["answers"]["handoff-channels"] == ["crm-task", "context"]


def test_a_mac_roman_file_is_refused_with_what_it_is(tmp_path: Path, invoke: Invoke) -> None:
    text = f"{HEADER}\r2026-11-03 09:00:00Z,Zoë Ruiz,Sales,new,\r"
    result, path = _run(tmp_path, invoke, text.encode("mac_roman"))
    assert result.exit_code == 2
    assert f"{path}:2:" in result.output and "CSV (Macintosh)" in result.output
    assert not list((tmp_path / "out").rglob("*.yaml"))


def test_a_quote_open_at_the_end_of_the_file_is_read_to_the_end(
    tmp_path: Path, invoke: Invoke
) -> None:
    result, path = _run(tmp_path, invoke, f"{HEADER}\n{ROW_TOM}\n{ROW_ANA}\n".encode())
    assert result.exit_code == 0, result.output
    assert f"{path}:3:5: row 3, column 5: the quote that opens this cell never closes" in (
        result.output
    )
    assert _imported(tmp_path / "out")["Ana Gomez"]["answers"]["handoff-channels"] == ["crm-task"]


def test_a_quote_open_over_other_rows_is_refused_where_it_opens(
    tmp_path: Path, invoke: Invoke
) -> None:
    text = f'{HEADER}\n2026-11-03 09:00:00Z,"Ana Gomez,Sales,new,\n{ROW_TOM}\n{ROW_TOM}\n'
    text += '2026-11-05 09:00:00Z,Kim Park,Sales,"new",\n'
    result, path = _run(tmp_path, invoke, text.encode())
    assert result.exit_code == 2
    assert f"{path}:2:2: row 2, column 2: the quote that opens this cell runs on" in result.output
    assert "longer than" not in result.output  # never a name 'longer than 200 characters'
    partial = _import(invoke, path, tmp_path / "p", "--partial")
    assert partial.exit_code == 2  # a problem with the file, not with a row
    assert not list(tmp_path.rglob("out/*.yaml")) and not list(tmp_path.rglob("p/*.yaml"))


def test_a_header_with_a_line_break_is_read_and_said(tmp_path: Path, invoke: Invoke) -> None:
    header = (
        HEADER.replace("the market you", "the market\nyou")
        .replace("How mature", '"How mature')
        .replace("into?,", 'into?",')
    )
    result, path = _run(tmp_path, invoke, f"{header}\n{ROW_TOM}\n".encode())
    assert result.exit_code == 0, result.output
    assert f"{path}:1:4: the header of column 4 holds a line break; read as a space" in (
        result.output
    )
    assert _imported(tmp_path / "out")["Tom Becker"]["answers"]["market-maturity"] == "mature"


def test_a_header_quote_over_the_rows_is_refused(tmp_path: Path, invoke: Invoke) -> None:
    header = HEADER.replace("How mature", '"How mature')
    text = f"{header}\n{ROW_TOM}\n{ROW_TOM.replace('Tom Becker', 'Kim Park')}\n"
    result, path = _run(tmp_path, invoke, text.encode())
    assert result.exit_code == 2
    assert f"{path}:1:4:" in result.output and "quote" in result.output
    assert "longer than" not in result.output


def test_a_date_order_other_than_dmy_or_mdy_is_refused(tmp_path: Path, invoke: Invoke) -> None:
    result = _import(
        invoke, DATA / "jotform/submissions.csv", tmp_path / "x", "--date-order", "ymd"
    )
    assert result.exit_code == 2
    assert "--date-order 'ymd': give dmy or mdy" in result.output


def test_typeform_choice_columns_of_two_questions_with_the_same_options(
    tmp_path: Path, invoke: Invoke, minimal_rubric_data: dict[str, Any]
) -> None:
    """Two multi questions with the same options: each run of choice columns goes to the next
    question in the rubric's order (the order the form lists them in)."""
    data = minimal_rubric_data
    second = dict(next(q for q in data["questions"] if q["id"] == "handoff-channels"))
    second.update(id="handoff-wished", text="Which of these should the hand-off include?")
    data["questions"].append(second)
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    labels = ["A task in the CRM for the owner", "What the lead did and asked about"]
    header = ["#", "Name", "Role", *labels, *labels, "Submit Date (UTC)", "Network ID"]
    row = ["t1", "Ana Gomez", "Sales", labels[0], "", "", labels[1], "2026-11-03 09:00:00", "n"]
    path = tmp_path / "typeform.csv"
    path.write_text(_csv_text([header, row]), "utf-8")
    result = invoke("import", str(path), str(tmp_path / "out"), "--rubric", str(rubric))
    assert result.exit_code == 0, result.output
    answers = _imported(tmp_path / "out")["Ana Gomez"]["answers"]
    assert answers == {"handoff-channels": ["crm-task"], "handoff-wished": ["context"]}


def _csv_text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def test_an_other_column_beside_a_single_answer_is_named_and_can_be_ignored(
    tmp_path: Path, invoke: Invoke
) -> None:
    """SurveyMonkey's 'Other (please specify)' column under a choice question: an unknown
    column named 'Question [Other (please specify)]', which the mapping can ignore."""
    rows = list(
        csv.reader(io.StringIO((DATA / "surveymonkey/all-responses-expanded.csv").read_text()))
    )
    at = rows[0].index("Role") + 1
    rows[0].insert(at, "")
    rows[1].insert(at, "Other (please specify)")
    for row in rows[2:]:
        row.insert(at, "")
    path = tmp_path / "sm.csv"
    path.write_text(_csv_text(rows), "utf-8")
    refused = _import(invoke, path, tmp_path / "a")
    assert refused.exit_code == 2
    assert f"{path}:1:{at + 1}: unknown column 'Role [Other (please specify)]'" in refused.output
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("ignore:\n  - Role [Other (please specify)]\n", "utf-8")
    mapped = _import(invoke, path, tmp_path / "b", "--mapping", str(mapping))
    assert mapped.exit_code == 0, mapped.output
    assert sorted(_imported(tmp_path / "b")) == sorted(ANSWERS)


def test_a_header_broken_over_lines_with_commas_is_still_one_header(
    tmp_path: Path, invoke: Invoke
) -> None:
    header = HEADER.replace(
        "How mature is the market you sell into?,",
        '"How mature is the market you sell into?\n(new, growing, mature, shrinking)",',
    )
    result, path = _run(tmp_path, invoke, f"{header}\n{ROW_TOM}\n".encode())
    assert result.exit_code == 2  # read as one header: its text is not the question's
    assert f"{path}:1:4:" in result.output and "unknown column 'How mature" in result.output
    assert "look like rows" not in result.output
