"""SIGKILL at random moments: `alignment import` and `alignment audit` as real processes.

Each command is killed at a seeded random moment (most kills land where files are written, the
rest anywhere from start-up on), ALIGNMENT_FUZZ_KILLS times (default 10); after every kill:

- every answer file is absent, its old content or its new content, byte for byte (never a
  truncated or mixed file); an import's renames are a prefix of its rows, in order;
- nothing but answer files, our lock and progress files and our temporary files
  (`.NAME.TOKEN[.N].alignment-tmp`) is left; the temporary files are then aged past
  `STALE_SECONDS` with os.utime, and the next completed run must remove them;
- the lock of the killed interview is stale (`holder_of` is None): the next `audit` takes it over;
- every few kills, and after the last, the next run (the import rerun, the interview resumed)
  completes with exit 0 and exactly the expected final files.

The run after a kill is the next one killed, so kills also land in reruns and resumptions.
The delays are seeded (ALIGNMENT_FUZZ_SEED, default 17); where a kill lands also depends on the
machine's speed, so each check holds for any moment, not for one.

The gaps it found are fixed and pinned by the tests at the end of this file: stale temporary
files are removed by every import and every interview, and the lock appears whole or not at all
(an empty lock left by a kill blocked every later interview of that person).
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from alignment_cli.files.locks import holder_of, lock_path
from alignment_cli.files.responses import Conditions, load_response_file
from alignment_cli.files.writes import (
    JOURNAL_NAME,
    STALE_SECONDS,
    TEMP_SUFFIX,
    interrupted_writes,
)
from alignment_cli.files.yamlio import parse_yaml
from alignment_cli.interview.flow import Interview, Kind, interpret, responses_text
from alignment_cli.model.rubric import LoadedRubric, load_rubric
from tests.conftest import MINIMAL_RUBRIC, ROOT, V1_RUBRIC
from tests.survey_export import survey_csv
from tests.synthetic import candidates

KILLS = int(os.environ.get("ALIGNMENT_FUZZ_KILLS", "10"))
SEED = int(os.environ.get("ALIGNMENT_FUZZ_SEED", "17"))
COMPLETE_EVERY = 5  # a completed rerun after every 5th kill, and after the last
ROWS = 200
RUBRIC = str(V1_RUBRIC)  # the import's: 65 questions, 4 roles
INTERVIEW = str(MINIMAL_RUBRIC)  # the interview's: short, so kills land in its saves
NOW = "2026-11-20T09:30:00Z"
ORG = "Acme"
NAME, STEM, ROLE = "Dana Lee", "dana-lee", "sales"
PROGRESS = f".{STEM}.progress"
TEMP = re.compile(r"^\.(?P<target>.+?)\.[0-9a-f]{12}(\.\d+)?" + re.escape(TEMP_SUFFIX) + "$")
LOCK = re.compile(r"^\.(?P<stem>.+)\.lock$")
RUN_TIMEOUT = 60


@dataclass
class Gaps:
    """Known gaps met during a run (the xfail tests below pin them)."""

    temps_left: int = 0  # stale temporary files a completed run did not remove
    killed: int = 0  # runs the kill landed in (the others had finished by then)
    mid_write: int = 0  # kills that left temporary files or a part of the files written
    empty_locks: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class Run:
    rc: int | None  # None: killed
    output: str
    seconds: float
    first_change: float | None = None  # when the folder first changed (calibration runs)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(ALIGNMENT_NOW=NOW, NO_COLOR="1", TERM="dumb", COLUMNS="120")
    env.pop("GITHUB_STEP_SUMMARY", None)
    return env


def _run(
    args: list[str], stdin: str = "", *, kill_after: float | None = None, watch: Path | None = None
) -> Run:
    """`python -m alignment_cli ARGS`, SIGKILLed after `kill_after` seconds unless done by then."""
    with tempfile.TemporaryFile() as out:
        start = time.monotonic()
        before = sorted(os.listdir(watch)) if watch is not None and watch.is_dir() else []
        proc = subprocess.Popen(
            [sys.executable, "-m", "alignment_cli", *args],
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env=_env(),
        )
        assert proc.stdin is not None
        proc.stdin.write(stdin.encode())  # small: fits the pipe, never blocks
        proc.stdin.close()
        first_change = None
        killed = False
        if kill_after is not None:
            time.sleep(kill_after)
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                killed = True
            proc.wait()
        elif watch is not None:
            while proc.poll() is None:
                if first_change is None and watch.is_dir() and sorted(os.listdir(watch)) != before:
                    first_change = time.monotonic() - start
                time.sleep(0.01)
        else:
            proc.wait(timeout=RUN_TIMEOUT)
        seconds = time.monotonic() - start
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    return Run(None if killed else proc.returncode, output, seconds, first_change)


class Timing:
    """When to kill: mostly while files are written, from the calibration run's first change in
    the folder (as a share of its time) to its end; the end follows the runs that finished, as
    the machine's speed changes (other work, the watching of the calibration run itself)."""

    def __init__(self, calibration: Run) -> None:
        assert calibration.rc == 0, calibration.output
        first = calibration.first_change if calibration.first_change is not None else 0.0
        self.share = first / calibration.seconds
        self.end = calibration.seconds

    def seen(self, run: Run) -> None:
        if run.rc is not None:  # finished before the kill, or a completed rerun
            self.end = 0.5 * self.end + 0.5 * run.seconds

    def delay(self, rng: random.Random) -> float:
        if rng.random() < 0.2:
            return rng.uniform(0.0, self.end)
        return rng.uniform(0.95 * self.share * self.end, self.end)


def _age(path: Path) -> None:
    old = time.time() - STALE_SECONDS - 60
    os.utime(path, (old, old))


def _listing(folder: Path) -> tuple[dict[str, bytes], list[str], list[str], list[str]]:
    """(answer files and their bytes, temp files, lock files, other hidden files)."""
    answers: dict[str, bytes] = {}
    temps, locks, other = [], [], []
    for entry in os.scandir(folder):
        if TEMP.match(entry.name):
            temps.append(entry.name)
        elif LOCK.match(entry.name):
            locks.append(entry.name)
        elif entry.name.endswith(".yaml") and not entry.name.startswith("."):
            assert entry.is_file(follow_symlinks=False), entry.path
            answers[entry.name] = Path(entry.path).read_bytes()
        else:
            other.append(entry.name)
    return answers, sorted(temps), sorted(locks), sorted(other)


def _check_temps(temps: list[str], targets: set[str]) -> None:
    for name in temps:
        m = TEMP.match(name)
        assert m is not None and m.group("target") in targets, f"a temporary file not ours: {name}"


def _parses(name: str, data: bytes) -> None:
    parse_yaml(name, data.decode("utf-8"))  # raises InvalidInput on anything not whole


# ---------------------------------------------------------------------------------------------
# import


def _survey(loaded: LoadedRubric, seed: int) -> str:
    """ROWS respondents of every role, answers drawn (seeded) from each question's valid ones."""
    rng = random.Random(seed)
    conditions = Conditions(loaded)
    roles = [r.id for r in loaded.rubric.roles]
    docs = []
    for i in range(ROWS):
        role = roles[i % len(roles)]
        answers: dict[str, Any] = {}
        for q in loaded.questions_for(role):
            if conditions.holds(q.id, answers):
                answers[q.id] = rng.choice(candidates(q, loaded))
        docs.append(
            {
                "respondent": {"name": f"Person {i:03d}", "role": role},
                "answers": answers,
                "updated": f"2026-11-{1 + i % 19:02d}T09:00:00+00:00",
            }
        )
    return survey_csv(loaded, docs)


@dataclass
class ImportSetup:
    surveys: list[Path]
    expected: list[dict[str, bytes]]  # the files each survey imports to


def _prepare_import(tmp: Path, invoke: Callable[..., Any]) -> ImportSetup:
    """In this process (CliRunner; before the threads start): the surveys and their files."""
    loaded = load_rubric(RUBRIC)
    form = invoke("form", "--rubric", RUBRIC, "--format", "csv")
    assert form.exit_code == 0, form.output
    header = next(csv.reader(io.StringIO(form.output)))
    surveys = [tmp / "v1.csv", tmp / "v2.csv"]
    expected: list[dict[str, bytes]] = []
    for n, survey in enumerate(surveys):
        text = _survey(loaded, SEED * 10 + n)
        assert next(csv.reader(io.StringIO(text))) == header  # the form's columns
        survey.write_text(text, encoding="utf-8", newline="")
        ref = tmp / f"ref{n}"
        assert invoke("init", str(ref), "--org", ORG, "--rubric", RUBRIC).exit_code == 0
        result = invoke("import", str(survey), str(ref))
        assert result.exit_code == 0, result.output
        files, temps, locks, other = _listing(ref / "responses")
        assert len(files) == ROWS and not temps and not locks and not other
        for name, data in files.items():
            _parses(name, data)
        expected.append(files)
    return ImportSetup(surveys, expected)


def _fuzz_import(tmp: Path, rng: random.Random, gaps: Gaps, setup: ImportSetup) -> None:
    surveys, expected = setup.surveys, setup.expected
    names = sorted(expected[0])
    assert names == sorted(expected[1])
    differ = [k for k in names if expected[0][k] != expected[1][k]]
    assert len(differ) > ROWS // 2  # most files change from one survey to the other

    eng = tmp / "eng"
    shutil.copytree(tmp / "ref0", eng)
    folder = eng / "responses"
    targets = set(names)

    def args(n: int) -> list[str]:
        return ["import", str(surveys[n]), str(eng), "--overwrite"]

    def complete(n: int) -> None:
        run = _run(args(n))
        assert run.rc == 0, run.output
        files, temps, locks, other = _listing(folder)
        assert files == expected[n], "the completed import left other files than expected"
        assert not locks and not other, (locks, other)
        assert not temps, f"stale temporary files not removed by a completed import: {temps}"

    timing = Timing(_run(args(1), watch=folder))
    assert _listing(folder)[0] == expected[1]
    target = 1
    for kill in range(1, KILLS + 1):
        target = 1 - target
        before = _listing(folder)[0]
        run = _run(args(target), kill_after=timing.delay(rng))
        timing.seen(run)
        files, temps, locks, other = _listing(folder)
        if JOURNAL_NAME in other:  # a kill during the renames leaves the journal, by design
            assert run.rc is None, "a run that finished left its journal"
            assert set(interrupted_writes(folder) or []) <= targets
            other.remove(JOURNAL_NAME)
        assert not locks and not other, (locks, other)
        # A kill while the journal itself is being written leaves its temporary file: ours too.
        _check_temps(temps, targets | {JOURNAL_NAME})
        assert set(files) == targets
        renamed = []
        for name in names:  # rows are in file-name order
            now, old, new = files[name], before[name], expected[target][name]
            assert now in (old, new), f"kill {kill}: {name} is neither its old nor its new content"
            if now != old:
                _parses(name, now)
            if old != new:
                renamed.append(now == new)
        if run.rc is None:  # the renames happen one by one, in row order
            assert renamed == sorted(renamed, reverse=True), f"kill {kill}: renames out of order"
            gaps.killed += 1
            gaps.mid_write += bool(temps) or (any(renamed) and not all(renamed))
        else:
            assert run.rc == 0, run.output
        for name in temps:
            _age(folder / name)
        if kill % COMPLETE_EVERY == 0 or kill == KILLS:
            complete(target)


# ---------------------------------------------------------------------------------------------
# audit


@dataclass
class Script:
    """The interview of NAME: the line typed at each question and the file after each answer."""

    lines: dict[str, str]
    order: list[str]
    texts: list[bytes]  # the answer file after 1, 2, ... answers


def _script(loaded: LoadedRubric, rng: random.Random) -> Script:
    tries = ["1", "2", "3", "4", "5", "y", "n", "0", "12", "1 2", "?"]
    iv = Interview.begin(loaded, ROLE, NAME, organization=ORG)
    lines: dict[str, str] = {}
    order: list[str] = []
    texts: list[bytes] = []
    from alignment_cli.clock import now

    stamp = now()
    while not iv.finished:
        q = iv.current()
        assert q is not None
        for line in rng.sample(tries, len(tries)):
            action = interpret(line, q, loaded, has_default=False)
            if action.kind is Kind.ANSWER:
                break
        else:
            raise AssertionError(f"no line answers {q.id}")
        lines[q.id] = line
        order.append(q.id)
        iv.answer(action.value)
        texts.append(responses_text(iv.responses(stamp), loaded).encode("utf-8"))
    return Script(lines, order, texts)


def _remaining(loaded: LoadedRubric, script: Script, folder: Path) -> str:
    """The lines the next `audit` reads, from where it will start (as Interview.begin decides)."""
    path = folder / f"{STEM}.yaml"
    previous = load_response_file(path).responses if path.exists() else None
    cursor = None
    progress = folder / PROGRESS
    if progress.exists():
        cursor = parse_yaml(str(progress), progress.read_text("utf-8")).data.get("at")
    iv = Interview.begin(loaded, ROLE, NAME, organization=ORG, previous=previous, cursor=cursor)
    if iv.at is None:
        return ""
    return "".join(script.lines[qid] + "\n" for qid in script.order[script.order.index(iv.at) :])


def _prepare_audit(tmp: Path, invoke: Callable[..., Any], rng: random.Random) -> Script:
    loaded = load_rubric(INTERVIEW)
    script = _script(loaded, rng)
    assert len(script.texts) >= 4  # 5 when sla-exists is a yes (its follow-up is asked)
    for n, text in enumerate(script.texts):
        _parses(f"after answer {n + 1}", text)
    assert invoke("init", str(tmp / "eng"), "--org", ORG, "--rubric", INTERVIEW).exit_code == 0
    return script


def _fuzz_audit(tmp: Path, rng: random.Random, gaps: Gaps, script: Script) -> None:
    loaded = load_rubric(INTERVIEW)
    eng = tmp / "eng"
    folder = eng / "responses"
    answer = folder / f"{STEM}.yaml"
    args = ["audit", str(eng), "--respondent", NAME, "--role", ROLE]
    ours = {f"{STEM}.yaml", PROGRESS, f".{STEM}.lock"}  # the lock is written whole, via a temp

    def complete() -> None:
        run = _run(args, _remaining(loaded, script, folder))
        assert run.rc == 0, run.output
        assert "Interview finished." in run.output
        files, temps, locks, other = _listing(folder)
        assert files == {answer.name: script.texts[-1]}, "the resumed interview's file differs"
        assert not locks and not other, (locks, other)  # lock released, progress removed
        assert not temps, f"stale temporary files not removed by a resumed interview: {temps}"

    timing = Timing(_run(args, _remaining(loaded, script, folder), watch=folder))
    assert answer.read_bytes() == script.texts[-1]
    answer.unlink()  # each round starts a new interview of the same person
    reached = 0
    for kill in range(1, KILLS + 1):
        run = _run(args, _remaining(loaded, script, folder), kill_after=timing.delay(rng))
        timing.seen(run)
        files, temps, locks, other = _listing(folder)
        if run.rc is None:
            gaps.killed += 1
            gaps.mid_write += bool(temps)
        _check_temps(temps, ours)
        assert set(files) <= {answer.name}, files
        if answer.name in files:
            now = files[answer.name]
            assert now in script.texts, f"kill {kill}: the answer file is no state it had"
            _parses(answer.name, now)
            at = script.texts.index(now)
            assert at >= reached, f"kill {kill}: answers went back from {reached} to {at}"
            reached = at
        assert set(other) <= {PROGRESS}, other
        if PROGRESS in other:
            assert answer.name in files, "a progress file without an answer file"
            data = parse_yaml(PROGRESS, (folder / PROGRESS).read_text("utf-8")).data
            assert data.get("at") in script.order, data
        if locks:
            assert locks == [lock_path(answer).name], locks
            content = lock_path(answer).read_text("utf-8")
            assert content, "an empty lock: the lock must appear whole (written, then linked)"
            assert run.rc is None, run.output
            assert holder_of(answer) is None, f"kill {kill}: the dead session's lock holds"
        if run.rc is not None:
            assert run.rc == 0, run.output
        for name in temps:
            _age(folder / name)
        if kill % COMPLETE_EVERY == 0 or kill == KILLS:
            complete()
            answer.unlink()
            reached = 0


# ---------------------------------------------------------------------------------------------


def test_sigkill_fuzz(
    tmp_path: Path, invoke: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both fuzzers at once (they share nothing), each with its own seeded random delays."""
    monkeypatch.setenv("ALIGNMENT_NOW", NOW)  # the expected files, made in this process
    gaps = Gaps()
    rngs = {name: random.Random(f"{SEED}-{name}") for name in ("import", "audit")}
    for name in rngs:
        (tmp_path / name).mkdir()
    imports = _prepare_import(tmp_path / "import", invoke)
    script = _prepare_audit(tmp_path / "audit", invoke, rngs["audit"])
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(_fuzz_import, tmp_path / "import", rngs["import"], gaps, imports),
            pool.submit(_fuzz_audit, tmp_path / "audit", rngs["audit"], gaps, script),
        ]
        for future in futures:
            future.result()
    print(f"kill fuzz: {KILLS} kills per command, seed {SEED}: {gaps}")


# ---------------------------------------------------------------------------------------------
# The gaps, pinned: what a kill leaves that the next run does not clean up.


def _stale_temp(folder: Path, target: str, batch: bool) -> Path:
    temp = folder / f".{target}.0123456789ab{'.0' if batch else ''}{TEMP_SUFFIX}"
    temp.write_text("half an answer fi", encoding="utf-8")
    _age(temp)
    return temp


@pytest.mark.parametrize("changed", [0, 1])
def test_stale_temps_removed_by_an_import_of_few_files(
    tmp_path: Path, invoke: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, changed: int
) -> None:
    monkeypatch.setenv("ALIGNMENT_NOW", NOW)
    loaded = load_rubric(RUBRIC)
    v1, v2 = tmp_path / "v1.csv", tmp_path / "v2.csv"
    v1.write_text(_survey(loaded, 1), encoding="utf-8", newline="")
    rows = v1.read_text("utf-8").splitlines(keepends=True)
    other = _survey(loaded, 2).splitlines(keepends=True)
    v2.write_text("".join(rows[:2] + other[2:3] * changed + rows[2 + changed :]), "utf-8")
    eng = tmp_path / "eng"
    assert invoke("init", str(eng), "--org", ORG, "--rubric", RUBRIC).exit_code == 0
    assert invoke("import", str(v1), str(eng)).exit_code == 0
    temp = _stale_temp(eng / "responses", "person-001.yaml", batch=True)
    result = invoke("import", str(v2), str(eng), "--overwrite")
    assert result.exit_code == 0, result.output
    assert f"{changed} updated" in result.output
    assert not temp.exists()


def _engagement(tmp_path: Path, invoke: Callable[..., Any]) -> Path:
    eng = tmp_path / "eng"
    assert invoke("init", str(eng), "--org", ORG, "--rubric", INTERVIEW).exit_code == 0
    (eng / "responses").mkdir(exist_ok=True)
    return eng


def _interview(eng: Path, invoke: Callable[..., Any]) -> Any:
    """The whole interview of NAME, typed into stdin (not a terminal), in this process."""
    script = _script(load_rubric(INTERVIEW), random.Random(SEED))
    typed = "".join(script.lines[qid] + "\n" for qid in script.order)
    result = invoke("audit", str(eng), "--respondent", NAME, "--role", ROLE, input=typed)
    result.texts = script.texts
    return result


def test_stale_temps_removed_by_the_next_audit(
    tmp_path: Path, invoke: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALIGNMENT_NOW", NOW)
    folder = _engagement(tmp_path, invoke) / "responses"
    temps = [_stale_temp(folder, f"{STEM}.yaml", False), _stale_temp(folder, PROGRESS, False)]
    result = _interview(folder.parent, invoke)
    assert result.exit_code == 0, result.output
    assert [t.name for t in temps if t.exists()] == []


def test_empty_lock_left_by_a_kill_is_taken_over(
    tmp_path: Path, invoke: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALIGNMENT_NOW", NOW)
    folder = _engagement(tmp_path, invoke) / "responses"
    lock = lock_path(folder / f"{STEM}.yaml")
    lock.write_text("", encoding="utf-8")
    _age(lock)  # long dead, by any measure
    result = _interview(folder.parent, invoke)
    assert result.exit_code == 0, result.output


def test_lock_of_a_killed_audit_is_taken_over(
    tmp_path: Path, invoke: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock as a killed session leaves it (its JSON, a dead pid) holds nobody back."""
    monkeypatch.setenv("ALIGNMENT_NOW", NOW)
    folder = _engagement(tmp_path, invoke) / "responses"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock = lock_path(folder / f"{STEM}.yaml")
    lock.write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname(), "since": NOW}))
    assert holder_of(folder / f"{STEM}.yaml") is None
    result = _interview(folder.parent, invoke)
    assert result.exit_code == 0, result.output
    assert not lock.exists()
    assert (folder / f"{STEM}.yaml").read_bytes() == result.texts[-1]
