"""The CLI surface, end to end: every command finds its engagement folder the same way, a role is
understood however it is typed, and `-o` never invents a folder.

Conventions checked here (README, "Commands"): a command that works on one engagement takes it as
a positional DIR defaulting to the current folder (init, audit, history, form, import; score and
report take several DIR|FILE with the same default); `import CSV --into DIR` still works.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from alignment_cli.files.responses import load_response_file
from tests.conftest import MINIMAL_RESPONSES, MINIMAL_RUBRIC

Invoke = Callable[..., Any]


@pytest.fixture
def eng(invoke: Invoke, tmp_path: Path) -> Path:
    folder = tmp_path / "acme"
    result = invoke("init", str(folder), "--org", "Acme Corp", "--rubric", str(MINIMAL_RUBRIC))
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def titled_rubric(tmp_path: Path) -> Path:
    """The minimal rubric with a marketing role whose title is not its id."""
    text = MINIMAL_RUBRIC.read_text(encoding="utf-8")
    old = "{id: marketing, title: Marketing}"
    assert old in text
    path = tmp_path / "rubric.yaml"
    path.write_text(text.replace(old, "{id: marketing, title: Revenue operations}"), "utf-8")
    return path


# --------------------------------------------------------------------------- the engagement folder


def test_init_without_dir_makes_the_current_folder_an_engagement(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "beta"
    here.mkdir()
    monkeypatch.chdir(here)
    result = invoke("init", "--rubric", str(MINIMAL_RUBRIC))
    assert result.exit_code == 0, result.output
    assert yaml.safe_load((here / "alignment.yaml").read_text("utf-8"))["organization"] == "beta"
    assert all((here / sub).is_dir() for sub in ("responses", "history", "reports"))
    again = invoke("init")
    assert again.exit_code == 2 and "is an engagement already" in again.output


def test_form_takes_the_engagement_as_dir_or_from_the_current_folder(
    invoke: Invoke, eng: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    given = invoke("form", str(eng), "--role", "sales")
    assert given.exit_code == 0, given.output
    assert "Acme Corp" in given.output and "minimal-alignment" in given.output
    monkeypatch.chdir(eng)
    here = invoke("form", "--role", "sales")
    assert here.exit_code == 0 and here.stdout == given.stdout
    monkeypatch.chdir(tmp_path)
    plain = invoke("form", "--role", "sales")
    assert plain.exit_code == 0 and "Acme Corp" not in plain.output
    missing = invoke("form", str(tmp_path / "nope"))
    assert missing.exit_code == 2
    assert f"error: {tmp_path / 'nope'}: no such folder" in missing.output


CSV = "Name,Role,lead-definition\nSam,sales,2\n"


def test_import_takes_dir_positionally_or_with_into_and_writes_the_same_bytes(
    invoke: Invoke, tmp_path: Path
) -> None:
    csv_path = tmp_path / "survey.csv"
    csv_path.write_text(CSV, encoding="utf-8")
    written = {}
    for name, args in (("pos", ["{dir}"]), ("into", ["--into", "{dir}"])):
        folder = tmp_path / name
        invoke("init", str(folder), "--org", "Beta", "--rubric", str(MINIMAL_RUBRIC))
        argv = [a.format(dir=folder) for a in args]
        result = invoke("import", str(csv_path), *argv)
        assert result.exit_code == 0, result.output
        written[name] = (folder / "responses" / "sam.yaml").read_bytes()
    assert written["pos"] == written["into"]
    both = invoke("import", str(csv_path), str(tmp_path / "pos"), "--into", str(tmp_path / "x"))
    assert both.exit_code == 2 and "give the folder once" in both.output
    assert not (tmp_path / "x").exists()


def test_import_without_dir_imports_into_the_current_engagement(
    invoke: Invoke, eng: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv_path = tmp_path / "survey.csv"
    csv_path.write_text(CSV, encoding="utf-8")
    monkeypatch.chdir(eng)
    result = invoke("import", str(csv_path))
    assert result.exit_code == 0, result.output
    assert load_response_file(eng / "responses" / "sam.yaml").responses.organization == "Acme Corp"


# --------------------------------------------------------------------------- roles


@pytest.mark.parametrize("typed", ["marketing", "Marketing", "MARKETING", "revenue  Operations"])
def test_form_reads_a_role_by_id_or_title_in_any_case(
    invoke: Invoke, titled_rubric: Path, typed: str
) -> None:
    canonical = invoke("form", "--rubric", str(titled_rubric), "--role", "marketing")
    result = invoke("form", "--rubric", str(titled_rubric), "--role", typed)
    assert result.exit_code == 0, result.output
    assert result.stdout == canonical.stdout
    assert "role: marketing" in result.stdout


def test_audit_reads_a_role_by_title(invoke: Invoke, eng: Path) -> None:
    args = ("audit", str(eng), "--respondent", "Dana Lee", "--role", "Marketing")
    result = invoke(*args, input="1\nq\n")
    assert result.exit_code == 0, result.output
    saved = load_response_file(eng / "responses" / "dana-lee.yaml").responses
    assert saved.respondent.role == "marketing"


def test_import_reads_default_and_mapped_roles_by_title(
    invoke: Invoke, eng: Path, tmp_path: Path
) -> None:
    csv_path = tmp_path / "survey.csv"
    csv_path.write_text("Name,Team,lead-definition\nSam,Field,2\nMia,,3\n", encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("role_column: Team\nroles: {Field: Sales}\n", encoding="utf-8")
    result = invoke(
        "import", str(csv_path), str(eng), "--mapping", str(mapping), "--role", "MARKETING"
    )
    assert result.exit_code == 0, result.output
    roles = {
        p.stem: load_response_file(p).responses.respondent.role
        for p in (eng / "responses").glob("*.yaml")
    }
    assert roles == {"sam": "sales", "mia": "marketing"}


@pytest.mark.parametrize(
    "argv",
    [
        ["form", "--rubric", str(MINIMAL_RUBRIC), "--role", "markting"],
        ["audit", "{eng}", "--respondent", "Dana Lee", "--role", "markting"],
        ["import", "{csv}", "{eng}", "--role", "markting"],
    ],
    ids=["form", "audit", "import"],
)
def test_an_unknown_role_is_exit_2_with_the_ids_and_a_suggestion(
    invoke: Invoke, eng: Path, tmp_path: Path, argv: list[str]
) -> None:
    csv_path = tmp_path / "survey.csv"
    csv_path.write_text("Name,lead-definition\nSam,2\n", encoding="utf-8")
    args = [a.format(eng=eng, csv=csv_path) for a in argv]
    result = invoke(*args, input="")
    assert result.exit_code == 2, result.output
    assert (
        "error: --role: unknown role 'markting' (did you mean 'marketing'?); "
        "this rubric has: sales, marketing"
    ) in result.output
    assert sorted(p.name for p in (eng / "responses").iterdir()) == []


# --------------------------------------------------------------------------- -o and missing folders


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["report", str(MINIMAL_RESPONSES), "--rubric", str(MINIMAL_RUBRIC)], "-o"),
        (["form", "--rubric", str(MINIMAL_RUBRIC)], "-o"),
        (["form", "--rubric", str(MINIMAL_RUBRIC), "--format", "csv", "-o", "{ok}"], "--codebook"),
    ],
    ids=["report -o", "form -o", "form --codebook"],
)
def test_writing_into_a_missing_folder_is_exit_2_naming_it(
    invoke: Invoke, tmp_path: Path, argv: list[str], option: str
) -> None:
    target = tmp_path / "no" / "such" / "out.txt"
    args = [a.format(ok=tmp_path / "form.csv") for a in argv] + [option, str(target)]
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert (
        f"error: {option} {target}: the folder {target.parent} does not exist; create it first"
    ) in result.output
    assert not (tmp_path / "no").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_report_into_the_engagements_own_reports_folder_creates_it(
    invoke: Invoke, eng: Path
) -> None:
    (eng / "reports").rmdir()  # as after a clone: git keeps no empty folder
    for path in MINIMAL_RESPONSES.glob("*.yaml"):
        shutil.copy(path, eng / "responses" / path.name)
    out = eng / "reports" / "q1.md"
    result = invoke("report", str(eng), "-o", str(out), "--date", "2026-01-15")
    assert result.exit_code == 0, result.output
    printed = invoke("report", str(eng), "--date", "2026-01-15")
    assert out.read_bytes() == printed.stdout.encode("utf-8")
