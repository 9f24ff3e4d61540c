"""`alignment audit` in a real pseudo-terminal: killed with SIGKILL, SIGTERM or Ctrl-C, nothing
answered before is lost, and a rerun continues where it stopped."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_RUBRIC, ROOT

from alignment_cli.files.responses import load_response_file

pexpect = pytest.importorskip("pexpect")

TIMEOUT = 30  # generous: CI machines are shared and a loaded one starts Python slowly


@pytest.fixture
def eng(tmp_path: Path) -> Path:
    folder = tmp_path / "acme"
    init = ["init", str(folder), "--org", "Acme", "--rubric", str(MINIMAL_RUBRIC)]
    subprocess.run([sys.executable, "-m", "alignment_cli", *init], check=True, capture_output=True)
    return folder


def spawn(eng: Path, *args: str) -> Any:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "alignment_cli", "audit", str(eng), *args],
        cwd=str(ROOT),
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(40, 120),
    )
    return child


def answer(child: Any, line: str, then: str) -> None:
    """Type a line at the prompt, then wait for what must follow (the next question, saved)."""
    child.expect_exact("> ")
    child.sendline(line)
    child.expect_exact(then)


def saved(eng: Path) -> Any:
    return load_response_file(eng / "responses" / "dana-lee.yaml").responses


def test_sigkill_loses_nothing_saved_and_resume_continues(eng: Path) -> None:
    child = spawn(eng, "--respondent", "Dana Lee", "--role", "sales")
    child.expect_exact("question 1 of 4")
    answer(child, "1", "question 2 of 4")
    answer(child, "+ they argue about lead quality every week", "Note saved.")
    answer(child, "4", "question 3 of 4")
    answer(child, "y", "question 4 of 5")  # the yes brought in the follow-up question
    child.expect_exact("> ")
    child.send("1")  # half typed when the process dies: the one thing allowed to be lost
    child.kill(signal.SIGKILL)
    child.wait()
    assert child.signalstatus == signal.SIGKILL
    resp = saved(eng)
    assert resp.answers == {"market-maturity": "new", "lead-definition": 4, "sla-exists": True}
    assert resp.notes == {"lead-definition": "they argue about lead quality every week"}

    child = spawn(eng, "--resume")
    child.expect_exact("Continuing at question 4 of 5 (3 answered)")
    child.expect_exact("How many hours pass")
    answer(child, "12", "question 5 of 5")
    answer(child, "1 2", "Interview finished.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    resp = saved(eng)
    assert resp.answers == {
        "market-maturity": "new",
        "lead-definition": 4,
        "sla-exists": True,
        "follow-up-hours": 12,
        "handoff-channels": ["crm-task", "context"],
    }
    assert resp.notes == {"lead-definition": "they argue about lead quality every week"}


def _interrupted(eng: Path, how: str) -> Any:
    """A session stopped at question 2 by SIGTERM or Ctrl-C; None if ^C was never acted on."""
    if not eng.exists():
        init = ["init", str(eng), "--org", "Acme", "--rubric", str(MINIMAL_RUBRIC)]
        subprocess.run([sys.executable, "-m", "alignment_cli", *init], check=True)
    child = spawn(eng, "--respondent", "Dana Lee", "--role", "marketing")
    answer(child, "2", "question 2 of 4")
    child.expect_exact("> ")
    if how == "sigterm":
        child.kill(signal.SIGTERM)
        child.expect_exact("interrupted at question 2 of 4")
        return child
    for _ in range(3):
        child.sendintr()
        if child.expect_exact(["interrupted at question 2 of 4", pexpect.TIMEOUT], 3) == 0:
            return child
    child.kill(signal.SIGKILL)  # the saved answer stays; the next session takes the lock over
    child.close()
    return None


@pytest.mark.parametrize("how", ["sigterm", "ctrl-c"])
def test_sigterm_and_ctrl_c_save_and_exit_130(eng: Path, how: str) -> None:
    # Under a loaded full suite a ^C has been seen to go unanswered at the prompt (a pty race
    # we have not pinned down; a person presses again); a fresh session then must react.
    tries = [eng, eng.with_name("second"), eng.with_name("third")]  # each a fresh engagement
    found = ((e, _interrupted(e, how)) for e in tries)
    eng, child = next(((e, c) for e, c in found if c is not None), (eng, None))
    assert child is not None, "Ctrl-C did not interrupt the interview in three sessions"
    child.expect_exact("continue with: alignment audit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert saved(eng).answers == {"market-maturity": "mature"}


def test_a_closed_terminal_keeps_the_answers(eng: Path) -> None:
    child = spawn(eng, "--respondent", "Dana Lee", "--role", "marketing")
    answer(child, "2", "question 2 of 4")
    answer(child, "5", "question 3 of 4")
    child.expect_exact("> ")
    child.kill(signal.SIGHUP)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 129
    assert saved(eng).answers == {"market-maturity": "mature", "lead-definition": 5}
    marker = eng / "responses" / ".dana-lee.progress"
    assert marker.read_text(encoding="utf-8") == "at: sla-exists\n"
