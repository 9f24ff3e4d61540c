"""`alignment rubric list|show|validate|schema`, --version and --debug, end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import MINIMAL_RUBRIC, ROOT
from rubric_cases import BASE, mutate

from alignment_cli import __version__
from alignment_cli.model.rubric import bundled_rubrics, load_rubric

Invoke = Callable[..., Any]


def test_list_shows_every_bundled_rubric(invoke: Invoke) -> None:
    result = invoke("rubric", "list")
    assert result.exit_code == 0, result.output
    for path in bundled_rubrics():
        r = load_rubric(path).rubric
        row = next(line for line in result.stdout.splitlines() if f" {r.id} " in line)
        assert f" {r.version} " in row and f" {len(r.questions)} " in row


def test_list_as_json(invoke: Invoke) -> None:
    result = invoke("rubric", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    expected = []
    for path in bundled_rubrics():
        r = load_rubric(path).rubric
        expected.append(
            {"id": r.id, "version": r.version, "title": r.title, "questions": len(r.questions)}
        )
    assert json.loads(result.stdout) == expected
    assert expected, "at least one rubric is bundled"


def test_show_draws_a_readable_tree(invoke: Invoke) -> None:
    result = invoke("rubric", "show", str(MINIMAL_RUBRIC))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Minimal alignment check  minimal-alignment 0.1.0  (5 questions)" in out
    assert "Shared definitions (definitions, weight 2)" in out
    assert "60+  Working together" in out
    assert "Roles Sales (sales), Marketing (marketing)  gap: sales minus marketing" in out
    assert "Classifier: Who should lead (orientation; margin 0.2; fallback balanced)" in out
    assert "marketing-led: Marketing-led" in out
    assert "Phase: Alignment (alignment)" in out
    assert (
        "market-maturity How mature is the market you sell into? "
        "(choice; Shared definitions; all roles; unscored)" in out
    )
    assert "asked when answers.sla_exists == true" in out
    assert "5: Both teams agreed it, wrote it down, and review it every quarter." in out
    assert "crm-task: A task in the CRM for the owner = 0.4" in out
    assert "[0, 1) hours = 1 within the hour" in out
    assert "[24, ) hours = 0.1 a day or more" in out
    assert (
        "agree-lead-definition Agree one qualified-lead definition "
        "when question.lead_definition < 50" in out
    )


def test_show_prints_rubric_text_literally(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(mutate("    text: SLA?\n", "    text: '[bold red]SLA?[/] [link=x]'\n"))
    result = invoke("rubric", "show", str(path))
    assert result.exit_code == 0, result.output
    assert "sla [bold red]SLA?[/] [link=x] (yesno" in result.stdout


def test_show_json_lists_every_question_with_its_valid_answers(invoke: Invoke) -> None:
    result = invoke("rubric", "show", str(MINIMAL_RUBRIC), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["id"], data["version"], data["source"]) == (
        "minimal-alignment",
        "0.1.0",
        str(MINIMAL_RUBRIC),
    )
    assert data["content_hash"] == load_rubric(MINIMAL_RUBRIC).content_hash
    answers = {q["id"]: (q["answers"], q["scored"]) for q in data["questions"]}
    both = ["unknown", "n/a"]
    assert answers == {
        "market-maturity": (
            {"type": "choice", "reserved": both, "options": ["new", "mature"]},
            False,
        ),
        "lead-definition": ({"type": "scale", "reserved": both, "min": 1, "max": 5}, True),
        "sla-exists": ({"type": "yesno", "reserved": both, "options": [True, False]}, True),
        "follow-up-hours": (
            {"type": "number", "reserved": both, "min": 0, "max": None, "unit": "hours"},
            True,
        ),
        "handoff-channels": (
            {
                "type": "multi",
                "reserved": both,
                "options": ["crm-task", "context", "reject-reason"],
            },
            True,
        ),
    }
    hours = next(q for q in data["questions"] if q["id"] == "follow-up-hours")
    assert hours["when"] == "answers.sla_exists == true" and hours["roles"] == ["sales"]


def test_show_json_of_a_question_that_cannot_be_na(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(mutate("    text: SLA?\n", "    text: SLA?\n    allow_na: false\n"))
    data = json.loads(invoke("rubric", "show", str(path), "--format", "json").stdout)
    sla = next(q for q in data["questions"] if q["id"] == "sla")
    assert sla["answers"]["reserved"] == ["unknown"]
    text = next(q for q in data["questions"] if q["id"] == "notes")
    assert text["answers"] == {"type": "text", "reserved": ["unknown", "n/a"]}
    assert text["scored"] is False


def test_show_takes_a_bundled_id(invoke: Invoke) -> None:
    rubric = bundled_rubrics()[0]
    result = invoke("rubric", "show", rubric.stem)
    assert result.exit_code == 0, result.output
    assert load_rubric(rubric).rubric.title in result.stdout


def test_an_unknown_rubric_id_suggests_the_closest(invoke: Invoke) -> None:
    result = invoke("rubric", "show", "sales-marketing")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: rubric 'sales-marketing' is neither a file nor a bundled rubric id "
        "(did you mean 'sales-marketing-alignment'?)\n"
    )
    result = invoke("rubric", "show", "zzz")
    assert result.exit_code == 2
    assert "(bundled: sales-marketing-alignment" in result.stderr


def test_a_missing_file_is_named(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("rubric", "show", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path / 'nope.yaml'}: no such file\n1 problem in 1 file\n"


def test_validate_a_good_rubric(invoke: Invoke) -> None:
    result = invoke("rubric", "validate", str(MINIMAL_RUBRIC))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{MINIMAL_RUBRIC}: ok (minimal-alignment 0.1.0, 5 questions, 2 recommendations)\n"
    )
    assert result.stderr == ""


def test_validate_never_wraps_a_long_line(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / ("a-rather-long-directory-name-" * 4) / "rubric.yaml"
    path.parent.mkdir()
    path.write_text(BASE)
    result = invoke("rubric", "validate", str(path))
    assert result.stdout == f"{path}: ok (test-rubric 1.0.0, 6 questions, 1 recommendation)\n"


def test_validate_takes_bundled_ids(invoke: Invoke) -> None:
    ids = [p.stem for p in bundled_rubrics()]
    result = invoke("rubric", "validate", *ids)
    assert result.exit_code == 0, result.output
    assert result.stdout.count(": ok (") == len(ids)


def test_validate_reports_every_problem_of_every_file(invoke: Invoke, tmp_path: Path) -> None:
    one = tmp_path / "one.yaml"
    one.write_text(mutate("    roles: [sales]\n", "    roles: [sale]\n"))
    two = tmp_path / "two.yaml"
    two.write_text(
        mutate("version: 1.0.0", "version: 1", mutate("    weight: 0\n", "    weight: -1\n"))
    )
    result = invoke("rubric", "validate", str(one), str(MINIMAL_RUBRIC), str(two))
    assert result.exit_code == 2
    assert result.stdout == (
        f"{MINIMAL_RUBRIC}: ok (minimal-alignment 0.1.0, 5 questions, 2 recommendations)\n"
    )
    assert result.stderr == (
        f"{one}:52:13: questions[3].roles[0]: unknown role 'sale' (did you mean 'sales'?)\n"
        f'{two}:2:10: version: expected text, got 1: write "1" in quotes\n'
        f"{two}:30:13: questions[0].weight: must be at least 0, got -1\n"
        "3 problems in 2 files\n"
    )


def test_validate_needs_a_file(invoke: Invoke) -> None:
    result = invoke("rubric", "validate")
    assert result.exit_code == 2
    assert "Missing argument" in result.output


def test_schema_prints_the_committed_schema(invoke: Invoke) -> None:
    result = invoke("rubric", "schema")
    assert result.exit_code == 0, result.output
    assert result.stdout == (ROOT / "rubrics" / "rubric.schema.json").read_text(encoding="utf-8")
    assert json.loads(result.stdout)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_version(invoke: Invoke) -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"alignment {__version__}\n"


def test_help_lists_the_rubric_commands(invoke: Invoke) -> None:
    result = invoke("rubric", "--help")
    assert result.exit_code == 0
    for command in ("list", "show", "validate", "schema"):
        assert command in result.stdout


def test_debug_shows_the_traceback_a_normal_run_hides(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(mutate("    roles: [sales]\n", "    roles: [sale]\n"))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "alignment_cli", *args, "rubric", "validate", str(bad)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    normal = run()
    assert normal.returncode == 2
    assert "Traceback" not in normal.stderr
    assert "unknown role 'sale'" in normal.stderr
    debug = run("--debug")
    assert debug.returncode != 0
    assert "Traceback (most recent call last)" in debug.stderr
    assert "alignment_cli.errors.InvalidInput" in debug.stderr
