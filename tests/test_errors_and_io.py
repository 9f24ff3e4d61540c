"""Small guarantees of the error type and of atomic writes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from alignment_cli.errors import InvalidInput, Problem
from alignment_cli.yamlio import write_atomic


def test_problems_with_and_without_lines_sort_together() -> None:
    err = InvalidInput(
        [
            Problem("b.yaml", 3, 1, "late"),
            Problem("b.yaml", None, None, "no such file"),
            Problem("a.yaml", 9, 2, "first file"),
        ]
    )
    assert [p.message for p in err.problems] == ["first file", "no such file", "late"]
    assert str(err).splitlines()[0] == "a.yaml:9:2: first file"


def test_write_atomic_creates_files_with_the_umask_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = tmp_path / "answers.yaml"
        write_atomic(target, "a: 1\n")
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
        assert target.read_text() == "a: 1\n"
    finally:
        os.umask(old)


def test_write_atomic_keeps_an_existing_files_mode_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "private.yaml"
    target.write_text("old\n")
    target.chmod(0o600)
    write_atomic(target, "new\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["private.yaml"]


def test_a_closed_pipe_ends_quietly() -> None:
    """`alignment rubric show ... | head -1` must not print an internal error."""
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "alignment_cli", "rubric", "show", "sales-marketing-alignment"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(20)
    proc.stdout.close()
    code = proc.wait(timeout=30)
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert "internal error" not in err and "Traceback" not in err
    assert code == 0
