"""Issue 19: the streamed import keeps scoring's checks, and scoring straight from a survey export
gives what importing then scoring gives."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from alignment_cli.files.responses import AnswerChecker, Responses
from alignment_cli.model.rubric import load_rubric
from alignment_cli.survey.rows import read_survey
from alignment_cli.survey.settings import ImportSettings
from tests.conftest import V1_EXAMPLES, V1_RUBRIC
from tests.survey_export import survey_csv
from tests.synthetic import candidates
from tests.test_import_tools import ANSWERS, DATA, FIXTURES, Invoke, R, _direct

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


# ---------------------------------------------------------------------------------------------
# `alignment score survey.csv`: the same scorecard as importing then scoring


def _card(text: str) -> dict[str, Any]:
    """The scorecard, less when it was made and which file each respondent came from (a CSV
    line here, an answer file there)."""
    card: dict[str, Any] = json.loads(text)
    card.pop("generated_at")
    for r in card["respondents"]:
        r.pop("file")
    return card


def _import_then_score(invoke: Invoke, csv_path: Path, into: Path, *rubric: str) -> Any:
    imported = invoke("import", str(csv_path), str(into), *rubric)
    assert imported.exit_code == 0, imported.output
    return invoke("score", str(into), *rubric, "--format", "json")


@pytest.mark.parametrize(("fixture", "tool"), FIXTURES, ids=[f for f, _ in FIXTURES])
def test_scoring_a_tools_export_equals_importing_then_scoring(
    tmp_path: Path, invoke: Invoke, fixture: str, tool: str
) -> None:
    rubric = ("--rubric", R)
    direct = invoke("score", str(DATA / fixture), *rubric, "--format", "json")
    assert direct.exit_code == 0, direct.output
    assert f"read as a {tool}" in direct.stderr  # said as import says it
    via_files = _import_then_score(invoke, DATA / fixture, tmp_path / "imported", *rubric)
    assert via_files.exit_code == 0, via_files.output
    assert _card(direct.stdout) == _card(via_files.stdout)
    assert not list(DATA.rglob("*.yaml")) or all(
        p.name.endswith("mapping.yaml") for p in DATA.rglob("*.yaml")
    )  # nothing written beside the export


@pytest.mark.parametrize("example", ["halfway", "integrated", "siloed"])
def test_scoring_an_example_as_a_survey_export_equals_importing_it(
    tmp_path: Path, invoke: Invoke, example: str
) -> None:
    docs = [
        yaml.safe_load(p.read_text("utf-8"))
        for p in sorted((V1_EXAMPLES / example / "responses").glob("*.yaml"))
    ]
    loaded = load_rubric(V1_RUBRIC)
    folder = tmp_path / "export"
    folder.mkdir()
    csv_path = folder / "survey.csv"
    csv_path.write_text(survey_csv(loaded, docs), encoding="utf-8")
    rubric = ("--rubric", str(V1_RUBRIC))
    direct = invoke("score", str(csv_path), *rubric, "--format", "json")
    assert direct.exit_code == 0, direct.output
    via_files = _import_then_score(invoke, csv_path, tmp_path / "imported", *rubric)
    assert _card(direct.stdout) == _card(via_files.stdout)
    assert sorted(p.name for p in folder.iterdir()) == ["survey.csv"]  # no file per person
    card = _card(direct.stdout)
    assert len(card["respondents"]) == len(docs)


def test_a_folder_and_an_export_score_as_one_set(tmp_path: Path, invoke: Invoke) -> None:
    fixture = DATA / "qualtrics" / "choice-text.csv"
    both = invoke("score", str(fixture), str(_direct(tmp_path)), "--rubric", R, "--format", "json")
    assert both.exit_code == 0, both.output
    assert len(json.loads(both.stdout)["respondents"]) == 2 * len(ANSWERS)


def test_a_bad_row_stops_scoring_located_by_its_csv_line(tmp_path: Path, invoke: Invoke) -> None:
    text = (DATA / "qualtrics" / "choice-text.csv").read_text("utf-8")
    lines = text.splitlines(keepends=True)
    bad = lines[-1].replace("Sales", "Finance", 1)
    assert bad != lines[-1]
    path = tmp_path / "survey.csv"
    path.write_text("".join(lines[:-1]) + bad, encoding="utf-8")
    result = invoke("score", str(path), "--rubric", R)
    assert result.exit_code == 2, result.output
    assert f"{path}:{len(lines)}:" in result.output  # the file, its line, then the column
    assert "unknown role 'Finance'" in result.output
    assert "Traceback" not in result.output


# `alignment report survey.csv`: the report importing then reporting gives, nothing written


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_reporting_an_export_equals_importing_then_reporting(
    tmp_path: Path, invoke: Invoke, fmt: str
) -> None:
    docs = [
        yaml.safe_load(p.read_text("utf-8"))
        for p in sorted((V1_EXAMPLES / "halfway" / "responses").glob("*.yaml"))
    ]
    folder = tmp_path / "export"
    folder.mkdir()
    csv_path = folder / "survey.csv"
    csv_path.write_text(survey_csv(load_rubric(V1_RUBRIC), docs), encoding="utf-8")
    options = ("--rubric", str(V1_RUBRIC), "--date", "2026-06-01", "--format", fmt)
    direct = invoke("report", str(csv_path), *options)
    assert direct.exit_code == 0, direct.output
    imported = invoke(
        "import", str(csv_path), str(tmp_path / "imported"), "--rubric", str(V1_RUBRIC)
    )
    assert imported.exit_code == 0, imported.output
    via_files = invoke("report", str(tmp_path / "imported"), *options)
    assert via_files.exit_code == 0, via_files.output
    assert direct.stdout == via_files.stdout
    assert f"{len(docs)} people" in direct.stdout
    assert sorted(p.name for p in folder.iterdir()) == ["survey.csv"]


def test_reporting_an_export_says_what_import_says_and_locates_a_bad_row(
    tmp_path: Path, invoke: Invoke
) -> None:
    fixture = DATA / "qualtrics" / "choice-text.csv"
    ok = invoke("report", str(fixture), "--rubric", R, "-o", str(tmp_path / "r.md"))
    assert ok.exit_code == 0, ok.output
    assert "read as a Qualtrics" in ok.stderr
    assert (tmp_path / "r.md").read_text("utf-8").startswith("# ")
    lines = fixture.read_text("utf-8").splitlines(keepends=True)
    path = tmp_path / "survey.csv"
    path.write_text("".join(lines[:-1]) + lines[-1].replace("Sales", "Finance", 1), "utf-8")
    bad = invoke("report", str(path), "--rubric", R, "-o", str(tmp_path / "bad.md"))
    assert bad.exit_code == 2, bad.output
    assert f"{path}:{len(lines)}:" in bad.output
    assert not (tmp_path / "bad.md").exists()


def test_rows_sorted_by_the_rubric_are_not_checked_again_but_others_are(tmp_path: Path) -> None:
    """A survey row carries the hash of the rubric that sorted its answers: scoring with that
    rubric trusts it (the checker above would find nothing); any other rubric checks it."""
    from alignment_cli.files.responses import FileCheck, ResponseFile

    role = ROLES[0]
    q = next(q for q in DEFAULT.questions_for(role) if q.type.value == "scale")
    data = {
        "rubric": {"id": DEFAULT.rubric.id, "version": DEFAULT.rubric.version},
        "respondent": {"name": "Ana", "role": role},
        "answers": {q.id: 99},  # out of range: the checker refuses it
    }
    path = tmp_path / "ana.yaml"  # where a refused answer is located
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    for sorted_by, refused in [
        (None, True),
        ("another rubric", True),
        (DEFAULT.content_hash, False),
    ]:
        check = FileCheck(DEFAULT)
        rf = ResponseFile(path, Responses.model_validate(data), sorted_by=sorted_by)
        assert (check(rf) is None) is refused


def test_two_exports_compare_as_their_imports_do(tmp_path: Path, invoke: Invoke) -> None:
    """`compare OLD.csv NEW.csv` and `--baseline OLD.csv`: the exports read in place give the
    comparison importing them gives."""
    loaded = load_rubric(V1_RUBRIC)
    rubric = ("--rubric", str(V1_RUBRIC))
    exports = []
    for example in ("siloed", "halfway"):
        docs = [
            yaml.safe_load(p.read_text("utf-8"))
            for p in sorted((V1_EXAMPLES / example / "responses").glob("*.yaml"))
        ]
        csv_path = tmp_path / f"{example}.csv"
        csv_path.write_text(survey_csv(loaded, docs), encoding="utf-8")
        imported = invoke("import", str(csv_path), str(tmp_path / example), *rubric)
        assert imported.exit_code == 0, imported.output
        exports.append(csv_path)
    old, new = exports
    direct = invoke("compare", str(old), str(new), *rubric, "--format", "json")
    assert direct.exit_code == 0, direct.output
    via = invoke(
        "compare", str(tmp_path / "siloed"), str(tmp_path / "halfway"), *rubric, "--format", "json"
    )
    assert json.loads(direct.stdout) == json.loads(via.stdout)
    gate = invoke("score", str(new), *rubric, "--baseline", str(old), "--max-drop", "0")
    assert gate.exit_code == 0, gate.output  # halfway scores above siloed: nothing dropped
    gate = invoke("score", str(old), *rubric, "--baseline", str(new), "--max-drop", "0")
    assert gate.exit_code == 1, gate.output


def test_an_export_baseline_is_read_on_the_engagements_rubric(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export names no rubric: a baseline export of an engagement scored on the rubric its
    alignment.yaml names is read on that rubric, as `--rubric` of it would read it."""
    monkeypatch.setenv("ALIGNMENT_NOW", "2026-11-22T10:15:00Z")  # both runs made at one time
    loaded = load_rubric(V1_RUBRIC)
    docs = [
        yaml.safe_load(p.read_text("utf-8"))
        for p in sorted((V1_EXAMPLES / "siloed" / "responses").glob("*.yaml"))
    ]
    old = tmp_path / "siloed.csv"
    old.write_text(survey_csv(loaded, docs), encoding="utf-8")
    eng = str(V1_EXAMPLES / "halfway")  # its alignment.yaml names the 1.0.0 rubric
    implied = invoke("score", eng, "--baseline", str(old), "--format", "json")
    assert implied.exit_code == 0, implied.output
    named = invoke(
        "score", eng, "--baseline", str(old), "--rubric", str(V1_RUBRIC), "--format", "json"
    )
    assert named.exit_code == 0, named.output
    assert json.loads(implied.stdout) == json.loads(named.stdout)
    report = invoke("report", eng, "--baseline", str(old), "-o", str(tmp_path / "r.md"))
    assert report.exit_code == 0, report.output


def test_an_export_read_by_compare_or_a_baseline_says_what_import_says(
    tmp_path: Path, invoke: Invoke
) -> None:
    """Rows left out of an export compared or taken as a baseline are said, as `score` and
    import say them: the comparison is not silently of fewer people."""
    loaded = load_rubric(V1_RUBRIC)
    docs = [
        yaml.safe_load(p.read_text("utf-8"))
        for p in sorted((V1_EXAMPLES / "siloed" / "responses").glob("*.yaml"))
    ]
    lines = survey_csv(loaded, docs).splitlines(keepends=True)
    old = tmp_path / "old.csv"
    old.write_text("".join([*lines, lines[1]]), encoding="utf-8")  # one person's row twice
    said = invoke("score", str(old), "--rubric", str(V1_RUBRIC))
    assert said.exit_code == 0, said.output
    (warning,) = [line for line in said.stderr.splitlines() if line.startswith("warning:")]
    assert "kept row" in warning
    rubric = ("--rubric", str(V1_RUBRIC))
    for args in (
        ("compare", str(old), str(old), *rubric),
        ("score", str(old), *rubric, "--baseline", str(old)),
        ("report", str(old), *rubric, "--baseline", str(old), "-o", str(tmp_path / "r.md")),
    ):
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        assert warning in result.stderr.splitlines(), (args, result.stderr)
