"""The progress line of a large run: shown on a terminal after a second, erased at the end,
never in a pipe or a log."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from alignment_cli.cli.progress import Progress
from alignment_cli.model.rubric import load_rubric

sys.path.insert(0, str(ROOT / "bench"))
from datagen import write_engagement


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_line_waits_a_second_then_updates_at_most_five_times_a_second() -> None:
    out, clock = io.StringIO(), _Clock()
    shown = Progress(out, clock=clock)
    shown(512)
    clock.now += 0.9
    shown(1024)
    assert out.getvalue() == ""  # a run under a second shows nothing
    clock.now += 0.2
    shown(1536)
    clock.now += 0.1
    shown(2048)  # too soon after the last
    clock.now += 0.15
    shown(2560)
    assert out.getvalue() == ("\rscoring: 1,536 respondents read\rscoring: 2,560 respondents read")
    shown.close()
    assert out.getvalue().endswith("\r\x1b[K")  # erased: nothing of it stays on the screen
    shown.close()
    assert out.getvalue().count("\x1b[K") == 1


def test_a_line_never_shown_is_never_erased() -> None:
    out = io.StringIO()
    shown = Progress(out, clock=_Clock())
    shown(512)
    shown.close()
    assert out.getvalue() == ""


def test_a_pipe_gets_no_progress(tmp_path: Path, invoke: Any) -> None:
    folder = write_engagement(load_rubric(None), tmp_path / "set", 600, seed=2)
    result = invoke("score", str(folder))
    assert result.exit_code == 0, result.output
    assert "\r" not in result.stderr and "respondents read" not in result.stderr


def test_on_a_terminal_the_line_is_erased_before_the_result(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    folder = write_engagement(load_rubric(None), tmp_path / "set", 3000, seed=4)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "alignment_cli", "score", str(folder)],
        cwd=str(ROOT),
        encoding="utf-8",
        timeout=120,
        dimensions=(40, 120),
    )
    child.expect(pexpect.EOF)
    child.close()
    text = child.before
    assert child.exitstatus == 0, text
    assert "Overall" in text
    # Whether or not this machine took a second: every line shown was erased before the result.
    shown = text.rfind("respondents read")
    if shown != -1:
        assert text.find("\r\x1b[K", shown) != -1
        assert text.find("\r\x1b[K", shown) < text.find("Overall")
