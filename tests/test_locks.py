"""One interview of a person at a time; an import never writes a file being interviewed."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_RUBRIC

from alignment_cli.errors import UsageError
from alignment_cli.files.locks import InterviewLock, holder_of, lock_path

Invoke = Callable[..., Any]
DANA = ("--respondent", "Dana Lee", "--role", "marketing")


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """Another live process, standing for a second `alignment audit`."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


def _lock_by(answer_file: Path, pid: int) -> None:
    lock_path(answer_file).parent.mkdir(parents=True, exist_ok=True)
    lock_path(answer_file).write_text(
        json.dumps({"pid": pid, "host": socket.gethostname(), "since": "2026-12-01T09:00:00Z"})
    )


def test_a_second_session_is_told_who_holds_the_interview(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    answers = tmp_path / "dana-lee.yaml"
    first = InterviewLock(answers, "Dana Lee")
    first.acquire()
    with pytest.raises(UsageError, match="Dana Lee is being interviewed in another session"):
        InterviewLock(answers, "Dana Lee").acquire()
    first.release()
    assert holder_of(answers) is None
    _lock_by(answers, sleeper.pid)
    holder = holder_of(answers)
    assert holder is not None and holder.pid == sleeper.pid
    sleeper.kill()
    sleeper.wait()
    assert holder_of(answers) is None  # its process is gone: a stale lock
    taken = InterviewLock(answers, "Dana Lee")
    taken.acquire()  # taken over
    assert json.loads(lock_path(answers).read_text())["pid"] != sleeper.pid
    taken.release()


@pytest.fixture
def eng(invoke: Invoke, tmp_path: Path) -> Path:
    folder = tmp_path / "acme"
    assert invoke("init", str(folder), "--rubric", str(MINIMAL_RUBRIC)).exit_code == 0
    return folder


def test_audit_refuses_while_another_session_holds_the_person(
    invoke: Invoke, eng: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    assert invoke("audit", str(eng), *DANA, input="2\nq\n").exit_code == 0
    answers = eng / "responses" / "dana-lee.yaml"
    before = answers.read_bytes()
    _lock_by(answers, sleeper.pid)
    second = invoke("audit", str(eng), *DANA, input="1\nq\n")
    assert second.exit_code == 2, second.output
    assert f"process {sleeper.pid}" in second.stderr
    assert answers.read_bytes() == before
    sleeper.kill()
    sleeper.wait()
    after = invoke("audit", str(eng), *DANA, input="1\nq\n")  # the holder is gone
    assert after.exit_code == 0, after.output
    assert not lock_path(answers).exists()  # released at the end


def test_import_does_not_write_a_file_that_is_being_interviewed(
    invoke: Invoke, eng: Path, tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    _lock_by(eng / "responses" / "dana-lee.yaml", sleeper.pid)
    survey = tmp_path / "survey.csv"
    survey.write_text(
        "Timestamp,Name,Role,lead-definition\n2026-11-03 10:00,Dana Lee,marketing,4\n"
    )
    result = invoke("import", str(survey), str(eng), "--overwrite")
    assert result.exit_code == 2, result.output
    assert "is being interviewed right now" in result.stderr
    assert not (eng / "responses" / "dana-lee.yaml").exists()
