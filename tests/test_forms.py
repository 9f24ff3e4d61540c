"""`alignment form`: the YAML answer file scores as it is, the CSV header and codebook are what
import reads back, and the Markdown questionnaire keeps people's text inert."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from alignment_cli.files.responses import load_response_file
from alignment_cli.model.rubric import load_rubric
from alignment_cli.survey.forms import (
    NAME_PLACEHOLDER,
    ROLE_PLACEHOLDER,
    codebook,
    csv_columns,
    csv_header,
    markdown_form,
    yaml_form,
)
from tests.conftest import MINIMAL_RUBRIC, V1_RUBRIC, build_file_tree

Invoke = Callable[..., Any]


def _fill(form: str, answers: dict[str, str]) -> str:
    """Type answers after the colons of an untouched form, as a person would."""
    for qid, value in answers.items():
        form, n = re.subn(rf"(?m)^  {re.escape(qid)}:$", f"  {qid}: {value}", form)
        assert n == 1, qid
    return form


def test_untouched_yaml_form_loads_as_answer_file_with_every_question_unanswered(
    tmp_path: Path,
) -> None:
    loaded = load_rubric(MINIMAL_RUBRIC)
    path = tmp_path / "form.yaml"
    path.write_text(yaml_form(loaded), encoding="utf-8")
    rf = load_response_file(path)
    assert rf.responses.respondent.name == NAME_PLACEHOLDER
    assert rf.responses.respondent.role == ROLE_PLACEHOLDER
    assert rf.responses.rubric.id == "minimal-alignment"
    assert rf.responses.rubric.hash == loaded.content_hash
    assert rf.responses.answers == {q.id: None for q in loaded.rubric.questions}
    assert rf.responses.notes == {}


def test_role_placeholder_left_in_is_refused_by_score_with_file_and_line(
    tmp_path: Path, invoke: Invoke
) -> None:
    path = tmp_path / "form.yaml"
    path.write_text(yaml_form(load_rubric(MINIMAL_RUBRIC)), encoding="utf-8")
    result = invoke("score", str(path), "--rubric", str(MINIMAL_RUBRIC))
    assert result.exit_code == 2
    line = next(
        i for i, text in enumerate(path.read_text().splitlines(), 1) if "role: choose-one" in text
    )
    assert f"{path}:{line}:" in result.output
    assert "unknown role 'choose-one'" in result.output
    assert "marketing, sales" in result.output


def test_form_for_a_role_scores_untouched_and_filled(tmp_path: Path, invoke: Invoke) -> None:
    out = tmp_path / "sales.yaml"
    result = invoke(
        "form", "--rubric", str(MINIMAL_RUBRIC), "--role", "sales", "--respondent", "Sam Ortiz",
        "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert invoke("score", str(out), "--rubric", str(MINIMAL_RUBRIC)).exit_code == 0

    filled = _fill(
        out.read_text(),
        {
            "market-maturity": "new",
            "lead-definition": "2",
            "sla-exists": "yes",
            "follow-up-hours": "30",
            "handoff-channels": "[crm-task]",
        },
    )
    out.write_text(filled, encoding="utf-8")
    direct = tmp_path / "direct.yaml"
    build_file_tree(
        tmp_path,
        {
            "direct.yaml": {
                "rubric": {"id": "minimal-alignment", "version": "0.1.0"},
                "respondent": {"name": "Sam Ortiz", "role": "sales"},
                "answers": {
                    "market-maturity": "new",
                    "lead-definition": 2,
                    "sla-exists": True,
                    "follow-up-hours": 30,
                    "handoff-channels": ["crm-task"],
                },
            }
        },
    )
    a = invoke("score", str(out), "--rubric", str(MINIMAL_RUBRIC), "--format", "json")
    b = invoke("score", str(direct), "--rubric", str(MINIMAL_RUBRIC), "--format", "json")
    assert a.exit_code == b.exit_code == 0
    assert _comparable(a.output) == _comparable(b.output)


def _comparable(text: str) -> dict[str, Any]:
    import json

    card: dict[str, Any] = json.loads(text)
    card.pop("generated_at")
    for r in card["respondents"]:
        r.pop("file")
    return card


def test_role_filter_keeps_only_that_roles_questions_and_fills_the_role(tmp_path: Path) -> None:
    loaded = load_rubric(MINIMAL_RUBRIC)
    path = tmp_path / "m.yaml"
    path.write_text(yaml_form(loaded, role="marketing", organization="Acme"), encoding="utf-8")
    rf = load_response_file(path)
    assert rf.responses.respondent.role == "marketing"
    assert rf.responses.organization == "Acme"
    assert "follow-up-hours" not in rf.responses.answers  # asked of sales only
    assert set(rf.responses.answers) == {q.id for q in loaded.questions_for("marketing")}


def test_yaml_form_explains_each_question_in_comments() -> None:
    form = yaml_form(load_rubric(MINIMAL_RUBRIC))
    block = form.split("  follow-up-hours:")[0].rsplit("\n\n", 1)[1]
    assert "How many hours pass, typically" in block
    assert "Asked of sales only" in block
    assert "Answer only when sla-exists == true" in block
    assert "number of hours" in block
    scale = form.split("  lead-definition:")[0].rsplit("\n\n", 1)[1]
    assert "1 = Each team has its own idea" in scale
    assert "5 = Both teams agreed it" in scale
    choice = form.split("  market-maturity:")[0].rsplit("\n\n", 1)[1]
    assert re.search(r"new\s+= A new category", choice)


def test_hostile_rubric_text_cannot_break_the_yaml_form(
    tmp_path: Path, minimal_rubric_data: dict[str, Any]
) -> None:
    """Ids YAML would read as booleans, text with '#', ': ', quotes and Unicode line breaks."""
    q = minimal_rubric_data["questions"][1]
    q["id"] = "yes"
    q["text"] = 'Is it "defined"? # not a comment: really\u2028second line\x85third'
    q["hint"] = "- starts like a list item\nand: spans lines"
    q["anchors"] = {1: "null", 5: "{not: a mapping}"}
    minimal_rubric_data["recommendations"][0]["trigger"] = "question.yes < 50"
    build_file_tree(tmp_path, {"r.yaml": minimal_rubric_data})
    loaded = load_rubric(tmp_path / "r.yaml")
    form = yaml_form(loaded, name="O'Brien: #1", organization="yes")
    path = tmp_path / "form.yaml"
    path.write_text(form, encoding="utf-8")
    rf = load_response_file(path)
    assert "yes" in rf.responses.answers  # the id stayed a string key
    assert rf.responses.respondent.name == "O'Brien: #1"
    assert rf.responses.organization == "yes"
    assert set(rf.responses.answers) == {x.id for x in loaded.rubric.questions}


def test_csv_header_is_timestamp_name_role_and_question_texts() -> None:
    loaded = load_rubric(MINIMAL_RUBRIC)
    rows = list(csv.reader(io.StringIO(csv_header(loaded))))
    assert len(rows) == 1
    assert rows[0][:3] == ["Timestamp", "Name", "Role"]
    assert rows[0][3:] == [q.text for q in loaded.rubric.questions]
    marketing = next(csv.reader(io.StringIO(csv_header(loaded, "marketing"))))
    assert "How many hours pass, typically, before a qualified lead is first contacted?" not in (
        marketing
    )


def test_questions_sharing_a_text_are_headed_by_their_ids(
    tmp_path: Path, minimal_rubric_data: dict[str, Any]
) -> None:
    qs = minimal_rubric_data["questions"]
    qs[2]["text"] = qs[1]["text"]
    build_file_tree(tmp_path, {"r.yaml": minimal_rubric_data})
    headers = [h for h, _ in csv_columns(load_rubric(tmp_path / "r.yaml"))]
    assert headers[1:3] == ["lead-definition", "sla-exists"]


def test_codebook_lists_every_allowed_answer_with_its_code() -> None:
    loaded = load_rubric(MINIMAL_RUBRIC)
    rows = list(csv.DictReader(io.StringIO(codebook(loaded))))
    by_q: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_q.setdefault(row["question"], []).append(row)
    assert [r["answer"] for r in by_q["lead-definition"]] == [
        *"12345",
        "unknown",
        "n/a",
    ]
    assert by_q["lead-definition"][0]["label"].startswith("1 - Each team has its own idea")
    assert [r["answer"] for r in by_q["handoff-channels"]][:3] == [
        "crm-task",
        "context",
        "reject-reason",
    ]
    hours = by_q["follow-up-hours"][0]
    assert (hours["asked_of"], hours["only_when"], hours["number"]) == (
        "sales",
        "sla-exists == true",
        "2.3",
    )
    roles = [r["answer"] for r in by_q[""] if r["type"] == "role"]
    assert roles == ["sales", "marketing"]


@pytest.mark.parametrize(
    ("rubric", "at_least"), [(V1_RUBRIC, 300), (None, 1)], ids=["v1", "bundled"]
)
def test_every_codebook_label_imports_as_its_code(rubric: Path | None, at_least: int) -> None:
    """What the codebook tells a survey builder to use is exactly what import reads back: on the
    frozen 1.0.0 (over 300 labels) and on whatever the bundled default rubric is now."""
    from alignment_cli.survey.columns import make_parser

    loaded = load_rubric(rubric)
    rows = list(csv.DictReader(io.StringIO(codebook(loaded))))
    checked = 0
    for row in rows:
        q = loaded.questions.get(row["question"])
        if q is None or not row["answer"]:
            continue
        value = make_parser(loaded, q)(row["label"])
        expected: Any = row["answer"]
        if q.type.value == "scale" and expected.isdigit():
            expected = int(expected)
        elif q.type.value == "yesno" and expected in ("yes", "no"):
            expected = expected == "yes"
        elif q.type.value == "multi" and expected not in ("unknown", "n/a"):
            expected = [expected]
        assert value == expected, (q.id, row["label"])
        checked += 1
    assert checked >= at_least


def test_markdown_questionnaire_is_printable_and_escapes_rubric_text(
    tmp_path: Path, minimal_rubric_data: dict[str, Any]
) -> None:
    q = minimal_rubric_data["questions"][0]
    q["text"] = "# Pwned <script>alert(1)</script> [click](http://evil.example)"
    q["options"][0]["label"] = "1. *bold* | pipe"
    build_file_tree(tmp_path, {"r.yaml": minimal_rubric_data})
    md = markdown_form(load_rubric(tmp_path / "r.yaml"), organization="Acme <b>")
    assert "<script>" not in md and "<b>" not in md
    assert "[click](" not in md and "\\[click\\]" in md
    assert "\\# Pwned" in md
    assert "- [ ] 1\\. \\*bold\\* \\| pipe" in md
    assert md.count("\n## ") == 2  # one section per phase
    assert "- [ ] Sales" in md and "- [ ] Marketing" in md
    assert "- [ ] **3** A written definition exists" in md
    assert "Answer: ____________ hours" in md
    assert "only when sla-exists == true (see 2.2)" in md


def test_markdown_for_a_role(invoke: Invoke) -> None:
    result = invoke(
        "form", "--rubric", str(MINIMAL_RUBRIC), "--format", "md", "--role", "marketing"
    )
    assert result.exit_code == 0
    assert "**Role:** Marketing" in result.output
    assert "How many hours pass" not in result.output


def test_form_refuses_to_overwrite_a_file_without_force(tmp_path: Path, invoke: Invoke) -> None:
    out = tmp_path / "dana.yaml"
    out.write_text("my answers", encoding="utf-8")
    result = invoke("form", "--rubric", str(MINIMAL_RUBRIC), "-o", str(out))
    assert result.exit_code == 2
    assert "--force" in result.output
    assert out.read_text() == "my answers"
    assert invoke("form", "--rubric", str(MINIMAL_RUBRIC), "-o", str(out), "--force").exit_code == 0
    assert out.read_text().startswith("# Answer form")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "finance"], "unknown role 'finance'"),
        (["--codebook", "cb.csv"], "--codebook goes with --format csv"),
        (["--rubric", "no-such-rubric"], "neither a file nor a bundled rubric"),
    ],
)
def test_form_usage_errors(invoke: Invoke, args: list[str], message: str) -> None:
    if "--rubric" not in args:
        args = ["--rubric", str(MINIMAL_RUBRIC), *args]
    result = invoke("form", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_csv_form_and_codebook_files(tmp_path: Path, invoke: Invoke) -> None:
    out, book = tmp_path / "form.csv", tmp_path / "codebook.csv"
    result = invoke(
        "form", "--rubric", str(MINIMAL_RUBRIC), "--format", "csv", "-o", str(out),
        "--codebook", str(book),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # so that Excel reads it as UTF-8
    header = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert header[:3] == ["Timestamp", "Name", "Role"]
    assert book.read_bytes().startswith(b"\xef\xbb\xbfcolumn,question,number,type")


def test_form_uses_the_engagement_rubric_and_organisation(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_file_tree(
        tmp_path,
        {
            "alignment.yaml": {
                "organization": "Example Co",
                "rubric": {"path": str(MINIMAL_RUBRIC)},
            }
        },
    )
    monkeypatch.chdir(tmp_path)
    result = invoke("form", "--role", "sales")
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.output)
    assert data["rubric"]["id"] == "minimal-alignment"
    assert data["organization"] == "Example Co"


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_made_inert(
    tmp_path: Path, minimal_rubric_data: dict[str, Any]
) -> None:
    from alignment_cli.survey.columns import match_columns
    from alignment_cli.survey.settings import ImportSettings

    q = minimal_rubric_data["questions"][1]
    q["text"] = '=HYPERLINK("http://evil.example","Is a lead defined?")'
    q["anchors"] = {1: "@SUM(A1)", 5: "-1+2"}
    build_file_tree(tmp_path, {"r.yaml": minimal_rubric_data})
    loaded = load_rubric(tmp_path / "r.yaml")
    header = next(csv.reader(io.StringIO(csv_header(loaded))))
    assert header[4] == "'" + q["text"]
    book = list(csv.DictReader(io.StringIO(codebook(loaded))))
    cells = [v for row in book for v in row.values()]
    assert not [c for c in cells if c[:1] in ("=", "+", "@") or c.startswith("-1")]
    assert "'1 - @SUM(A1)" not in cells  # the label starts with "1": harmless as it is
    # Import matches the column whether the survey kept the apostrophe or not.
    for text in (header[4], q["text"]):
        columns = match_columns("x.csv", ["Name", "Role", text], loaded, ImportSettings())
        assert columns[2].question is not None and columns[2].question.id == q["id"]
