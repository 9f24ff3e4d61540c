"""What a person types at the interview prompt, whatever it is, and what files hold, whatever it
is: bytes that are not UTF-8 are asked again, escape sequences never reach the terminal nor
the answer file, and a note too large to read back is refused when typed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_RESPONSES, MINIMAL_RUBRIC, ROOT

from alignment_cli.files.responses import load_response_file
from alignment_cli.files.yamlio import MAX_BYTES

pexpect = pytest.importorskip("pexpect")

Invoke = Callable[..., Any]
DANA = ("--respondent", "Dana Lee", "--role", "marketing")
ESC = "\x1b"


@pytest.fixture
def eng(invoke: Invoke, tmp_path: Path) -> Path:
    folder = tmp_path / "acme"
    result = invoke("init", str(folder), "--org", "Acme Corp", "--rubric", str(MINIMAL_RUBRIC))
    assert result.exit_code == 0, result.output
    return folder


def saved(eng: Path, slug: str = "dana-lee") -> Any:
    return load_response_file(eng / "responses" / f"{slug}.yaml").responses


# --- 1. not UTF-8 --------------------------------------------------------------------------


def test_a_line_that_is_not_utf8_is_asked_again_in_a_terminal(eng: Path) -> None:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "alignment_cli", "audit", str(eng), *DANA],
        cwd=str(ROOT),
        encoding="utf-8",
        codec_errors="replace",  # the terminal echoes the bytes back
        timeout=15,
        dimensions=(40, 120),
    )
    child.expect_exact("question 1 of 4")
    child.expect_exact("> ")
    child.sendline("2")
    child.expect_exact("question 2 of 4")
    child.expect_exact("> ")
    os.write(child.child_fd, b"\x80abc\r")  # not UTF-8: a misconfigured terminal
    child.expect_exact("not UTF-8")
    child.expect_exact("> ")  # asked again, the interview goes on
    child.sendline("+ caf\u00e9 is fine")
    child.expect_exact("Note saved.")
    child.expect_exact("> ")
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    resp = saved(eng)
    assert resp.answers == {"market-maturity": "mature"}  # nothing lost
    assert resp.notes == {"lead-definition": "caf\u00e9 is fine"}


def test_a_line_that_is_not_utf8_is_asked_again_from_a_pipe(invoke: Invoke, eng: Path) -> None:
    from typer.testing import CliRunner

    from alignment_cli.cli.main import app

    data = b"2\n\xff\xfe\n4\ny\n1 3\n"
    result = CliRunner().invoke(app, ["audit", str(eng), *DANA], input=data)
    assert result.exit_code == 0, result.output
    assert "not UTF-8" in result.output
    assert saved(eng).answers == {
        "market-maturity": "mature",
        "lead-definition": 4,
        "sla-exists": True,
        "handoff-channels": ["crm-task", "reject-reason"],
    }


# --- 4. control characters and escape sequences ------------------------------------------


def test_escape_sequences_typed_are_stripped_from_names_and_notes(
    invoke: Invoke, eng: Path
) -> None:
    name = f"Dana{ESC}[31m Lee{ESC}]0;pwned\x07"
    lines = ["2", f"+ see {ESC}[2Jthe\x08 wiki\u202e", "q"]
    result = invoke(
        "audit", str(eng), "--respondent", name, "--role", "marketing", input="\n".join(lines)
    )
    assert result.exit_code == 0, result.output
    assert ESC not in result.output
    resp = saved(eng)
    assert resp.respondent.name == "Dana Lee"
    assert resp.notes == {"lead-definition": "see the wiki"}


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    """A rubric and an answer file whose text holds terminal escape sequences."""
    rubric = tmp_path / "rubric.yaml"
    text = MINIMAL_RUBRIC.read_text("utf-8")
    text = text.replace("title: Minimal alignment check", 'title: "Minimal\\e[2J check"')
    text = text.replace("title: Shared definitions", 'title: "Shared\\e]0;owned\\a defs"')
    rubric.write_text(text, "utf-8")
    answers = tmp_path / "answers"
    answers.mkdir()
    for f in MINIMAL_RESPONSES.glob("*.yaml"):
        body = f.read_text("utf-8").replace("name: Sam Ortiz", 'name: "Sam\\e[5m Ortiz\\x9b"')
        (answers / f.name).write_text(body, "utf-8")
    return rubric, answers


def test_escape_sequences_from_files_are_printed_escaped(
    invoke: Invoke, hostile: tuple[Path, Path]
) -> None:
    rubric, answers = hostile
    for args in (
        ["score", str(answers), "--rubric", str(rubric)],
        ["score", str(answers), "--rubric", str(rubric), "--format", "markdown"],
        ["rubric", "show", str(rubric)],
    ):
        result = invoke(*args)
        assert result.exit_code == 0, (args, result.output)
        out = result.output
        assert ESC not in out and "\x07" not in out and "\x9b" not in out, (args, out)
        assert "\\x1b" in out, (args, out)


def test_escape_sequences_in_error_messages_are_printed_escaped(
    invoke: Invoke, tmp_path: Path
) -> None:
    bad = tmp_path / f"x{ESC}[2Jy"
    bad.mkdir()
    (bad / "a.yaml").write_text(f'rubric: 3\nnote: "{ESC}]0;t\x07"\n', "utf-8")
    result = invoke("score", str(bad), "--rubric", str(MINIMAL_RUBRIC))
    assert result.exit_code == 2, result.output
    assert ESC not in result.output and "\\x1b[2Jy" in result.output


# --- 9. a note too large for the answer file ------------------------------------------------


def test_a_note_that_would_make_the_file_unreadable_is_refused_when_typed(
    invoke: Invoke, eng: Path
) -> None:
    huge = "x" * (MAX_BYTES + 10)
    lines = ["2", f"+ {huge}", "+ a short note", "q"]
    result = invoke("audit", str(eng), *DANA, input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output[-2000:]
    assert "That note is not saved" in result.output
    assert f"{MAX_BYTES:,}" in result.output
    resp = saved(eng)  # the file reads back
    assert resp.notes == {"lead-definition": "a short note"}
    path = eng / "responses" / "dana-lee.yaml"
    assert path.stat().st_size < MAX_BYTES
    check = [sys.executable, "-m", "alignment_cli", "score", str(eng)]
    assert subprocess.run(check, capture_output=True, cwd=str(ROOT)).returncode == 0
