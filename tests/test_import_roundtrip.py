"""The round trip the issue asks for: form -> filled CSV -> import -> score equals scoring the same
answers given directly as answer files."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from alignment_cli.files.responses import load_response_file
from alignment_cli.interview.flow import responses_text
from alignment_cli.model.rubric import load_rubric
from alignment_cli.survey.forms import csv_columns
from tests.conftest import MINIMAL_RESPONSES, MINIMAL_RUBRIC, V1_EXAMPLES, V1_RUBRIC
from tests.survey_export import survey_cell

Invoke = Callable[..., Any]


def _card(text: str) -> dict[str, Any]:
    card: dict[str, Any] = json.loads(text)
    card.pop("generated_at")
    for r in card["respondents"]:
        r.pop("file")
    card["respondents"].sort(key=lambda r: (r["name"], r["role"]))
    return card


def _fill_survey(header: list[str], rubric: str | Path, documents: list[dict[str, Any]]) -> str:
    """Rows as a survey tool would export them: the form's columns, answers as label text."""
    loaded = load_rubric(rubric)
    columns = csv_columns(loaded)
    assert header == ["Timestamp", "Name", "Role", *(h for h, _ in columns)]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for doc in documents:
        answers = doc.get("answers") or {}
        writer.writerow(
            [str(doc.get("updated") or ""), doc["respondent"]["name"], doc["respondent"]["role"]]
            + [survey_cell(loaded, q, answers.get(q.id)) for _, q in columns]
        )
    return buf.getvalue()


def _round_trip(
    tmp_path: Path, invoke: Invoke, rubric: str | Path, answer_files: list[Path], org: str | None
) -> None:
    form = invoke("form", "--rubric", str(rubric), "--format", "csv")
    assert form.exit_code == 0, form.output
    header = next(csv.reader(io.StringIO(form.output)))

    direct = tmp_path / "direct"
    direct.mkdir()
    documents = []
    for path in answer_files:
        data = yaml.safe_load(path.read_text("utf-8"))
        data.pop("notes", None)  # a survey has no notes column unless mapped
        documents.append(data)
        (direct / path.name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    survey = tmp_path / "survey.csv"
    survey.write_bytes(b"\xef\xbb\xbf" + _fill_survey(header, rubric, documents).encode())

    args = ["import", str(survey), "--into", str(tmp_path / "imported"), "--rubric", str(rubric)]
    result = invoke(*args, *(["--org", org] if org else []))
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    assert f"{len(answer_files)} new" in result.output

    a = invoke("score", str(tmp_path / "imported"), "--rubric", str(rubric), "--format", "json")
    b = invoke("score", str(direct), "--rubric", str(rubric), "--format", "json")
    assert a.exit_code == b.exit_code == 0, a.output + b.output
    assert _card(a.output) == _card(b.output)


def test_round_trip_minimal_rubric(tmp_path: Path, invoke: Invoke) -> None:
    files = sorted(MINIMAL_RESPONSES.glob("*.yaml"))
    _round_trip(tmp_path, invoke, MINIMAL_RUBRIC, files, "Example Co")


@pytest.mark.parametrize("example", ["siloed", "halfway", "integrated"])
def test_round_trip_v1_rubric(tmp_path: Path, invoke: Invoke, example: str) -> None:
    files = sorted((V1_EXAMPLES / example / "responses").glob("*.yaml"))
    assert files
    org = yaml.safe_load((V1_EXAMPLES / example / "alignment.yaml").read_text())["organization"]
    _round_trip(tmp_path, invoke, V1_RUBRIC, files, org)


def test_round_trip_through_the_yaml_form(tmp_path: Path, invoke: Invoke) -> None:
    """The YAML form filled in (by a script here) scores like the answer file it mirrors."""
    shutil.copy(MINIMAL_RESPONSES / "mia.yaml", tmp_path / "mia.yaml")
    mia = yaml.safe_load((tmp_path / "mia.yaml").read_text())
    out = tmp_path / "form" / "mia.yaml"
    out.parent.mkdir()  # -o writes into a folder that exists (test_cli_surface.py)
    result = invoke(
        "form", "--rubric", str(MINIMAL_RUBRIC), "--role", "marketing",
        "--respondent", "Mia Chen", "--org", "Example Co", "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = out.read_text()
    for qid, value in mia["answers"].items():
        rendered = yaml.safe_dump(value, default_flow_style=True).removesuffix("\n...\n").strip()
        text = text.replace(f"\n  {qid}:\n", f"\n  {qid}: {rendered}\n")
    text = text.replace("notes: {}", "notes: " + json.dumps(mia.get("notes", {})))
    out.write_text(
        text.replace("respondent:", f"updated: {mia['updated'].isoformat()}\nrespondent:")
    )
    a = invoke("score", str(out), "--rubric", str(MINIMAL_RUBRIC), "--format", "json")
    b = invoke(
        "score", str(tmp_path / "mia.yaml"), "--rubric", str(MINIMAL_RUBRIC), "--format", "json"
    )
    assert a.exit_code == b.exit_code == 0, a.output
    assert _card(a.output) == _card(b.output)


@pytest.mark.parametrize("example", ["halfway", "siloed"])
def test_an_imported_file_resumed_in_the_interview_and_quit_is_unchanged(
    tmp_path: Path, invoke: Invoke, example: str
) -> None:
    """One writer: the import writes the interview's layout, so resuming changes no byte."""
    eng = tmp_path / "eng"
    assert invoke("init", str(eng), "--rubric", str(V1_RUBRIC)).exit_code == 0
    header = invoke("form", "--rubric", str(V1_RUBRIC), "--format", "csv").stdout
    documents = [
        yaml.safe_load(p.read_text("utf-8"))
        for p in sorted((V1_EXAMPLES / example / "responses").glob("*.yaml"))
    ]
    survey = tmp_path / "survey.csv"
    rubric = V1_RUBRIC
    survey.write_text(_fill_survey(next(csv.reader(io.StringIO(header))), rubric, documents))
    imported = invoke("import", str(survey), "--into", str(eng))
    assert imported.exit_code == 0, imported.output
    files = sorted((eng / "responses").glob("*.yaml"))
    assert len(files) == len(documents)
    loaded = load_rubric(rubric)
    for path in files:
        before = path.read_bytes()
        # What the interview writes when it saves this person's answers: the same bytes.
        responses = load_response_file(path).responses
        assert responses_text(responses, loaded).encode("utf-8") == before, path.name
        name = yaml.safe_load(before)["respondent"]["name"]
        # Enter keeps the first answer as it is (and saves), then q quits.
        resumed = invoke("audit", str(eng), "--respondent", name, input="\nq\n")
        assert resumed.exit_code == 0, resumed.output
        assert path.read_bytes() == before, path.name
