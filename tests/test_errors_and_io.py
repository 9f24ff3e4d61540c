"""Small guarantees of the error type and of atomic writes."""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import EXAMPLES, V1_EXAMPLES

from alignment_cli.errors import InvalidInput, Problem
from alignment_cli.files.writes import write_atomic


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


def test_a_time_without_a_zone_is_utc_in_report_and_compare(
    invoke: Callable[..., Any], engagement_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    eng = engagement_copy("halfway")
    path = eng / "responses" / "wei-zhang.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("2026-09-24T09:00:00Z", "2026-09-24 09:00:00"), encoding="utf-8")
    report = invoke("report", str(eng), "-o", str(tmp_path / "r.md"))
    assert report.exit_code == 0, report.output
    old = tmp_path / "old.json"
    saved = invoke("score", str(V1_EXAMPLES / "halfway"), "--format", "json")
    assert saved.exit_code == 0, saved.output
    old.write_text(saved.stdout, encoding="utf-8")
    compared = invoke("compare", str(old), str(eng))
    assert compared.exit_code == 0, compared.output
    card = json.loads(invoke("score", str(eng), "--format", "json").stdout)
    assert card["answers_updated"] == "2026-09-24T09:00:00Z"


def test_an_answer_file_nested_too_deep_is_refused_where_it_nests(
    invoke: Callable[..., Any], engagement_copy: Callable[[str], Path]
) -> None:
    eng = engagement_copy("halfway")
    path = eng / "responses" / "wei-zhang.yaml"
    # A value 1,500 levels deep where an answer goes (the file is otherwise valid).
    deep = "".join(" " * i + f"k{i}:\n" for i in range(3, 1_500)) + " " * 1_500 + "v: 1\n"
    text = path.read_text(encoding="utf-8")
    assert "  market-maturity: established\n" in text
    text = text.replace("  market-maturity: established\n", "  market-maturity:\n" + deep)
    path.write_text(text, encoding="utf-8")
    result = invoke("score", str(eng))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert re.fullmatch(
        re.escape(str(path)) + r":\d+:\d+: nested deeper than \d+ levels", lines[0]
    ), lines
    assert lines[1:] == ["1 problem in 1 file"]


def test_a_time_whose_utc_instant_is_out_of_range_is_a_located_problem(
    invoke: Callable[..., Any], engagement_copy: Callable[[str], Path]
) -> None:
    eng = engagement_copy("halfway")
    path = eng / "responses" / "wei-zhang.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("2026-09-24T09:00:00Z", "9999-12-31T23:59:59-05:00"), encoding="utf-8"
    )
    result = invoke("score", str(eng))
    assert result.exit_code == 2, result.output
    assert f"{path}:4:" in result.stderr and "outside the years 1 to 9999" in result.stderr


def test_the_report_scores_on_the_one_clock(
    invoke: Callable[..., Any], monkeypatch: Any, tmp_path: Path
) -> None:
    monkeypatch.setenv("ALIGNMENT_NOW", "2030-01-02T03:04:05Z")
    card = json.loads(invoke("score", str(V1_EXAMPLES / "halfway"), "--format", "json").stdout)
    assert card["generated_at"] == "2030-01-02T03:04:05Z"


def test_a_file_name_that_is_not_utf8_is_shown_not_a_crash(tmp_path: Path) -> None:
    """A name made on another system (Latin-1 bytes from an old zip) is an ordinary fact of
    life: with stdout strictly UTF-8, the JSON card is still written, the name shown with
    U+FFFD; a baseline read from such a folder is named the same way."""
    import shutil
    import subprocess
    import sys

    folder = tmp_path / "halfway"
    shutil.copytree(EXAMPLES / "halfway", folder)
    first = sorted((folder / "responses").glob("*.yaml"))[0]
    odd = os.fsdecode(b"caf\xe9-" + os.fsencode(first.name))
    first.rename(first.parent / odd)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "ALIGNMENT_NOW": "2026-06-01T00:00:00Z"}
    run = subprocess.run(
        [sys.executable, "-m", "alignment_cli", "score", str(folder), "--format", "json"],
        capture_output=True,
        env=env,
        check=False,
    )
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")
    card = json.loads(run.stdout.decode("utf-8"))  # strict: valid UTF-8 throughout
    files = [r["file"] for r in card["respondents"]]
    assert any(f.endswith("caf\ufffd-" + first.name) for f in files), files
    baseline_dir = tmp_path / os.fsdecode(b"q\xe9-answers")
    shutil.copytree(folder, baseline_dir)
    for fmt in ("json", "text", "md"):
        args = ["score", str(folder), "--format", fmt, "--baseline", str(baseline_dir)]
        run = subprocess.run(
            [sys.executable, "-m", "alignment_cli", *args],
            capture_output=True,
            env=env,
            check=False,
        )
        assert run.returncode == 0, run.stderr.decode("utf-8", "replace")
        run.stdout.decode("utf-8")  # strict


def test_a_saved_run_whose_name_is_not_utf8_is_shown_in_history(tmp_path: Path) -> None:
    """`history` writes each run's file name: one that is not UTF-8 is shown with U+FFFD."""
    import shutil
    import subprocess
    import sys

    eng = tmp_path / "halfway"
    shutil.copytree(EXAMPLES / "halfway", eng)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "ALIGNMENT_NOW": "2026-06-01T00:00:00Z"}
    cmd = [sys.executable, "-m", "alignment_cli"]
    saved = subprocess.run([*cmd, "score", str(eng), "--save"], env=env, capture_output=True)
    assert saved.returncode == 0, saved.stderr.decode("utf-8", "replace")
    (run,) = (eng / "history").glob("*.json")
    shutil.copy(run, eng / "history" / os.fsdecode(b"old-caf\xe9.json"))
    for fmt in ("json", "text"):
        shown = subprocess.run(
            [*cmd, "history", str(eng), "--format", fmt], env=env, capture_output=True
        )
        assert shown.returncode == 0, shown.stderr.decode("utf-8", "replace")
        assert "old-caf\ufffd.json" in shown.stdout.decode("utf-8")  # strict
