"""Saved scorecards read within bounds, and saved without one run replacing another."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_history import make_engagement

from alignment_cli.clock import NOW_ENV
from alignment_cli.scoring.history import load_scorecard

Invoke = Callable[..., Any]


def _saved(invoke: Invoke, eng: Path) -> Path:
    result = invoke("score", str(eng), "--save")
    assert result.exit_code == 0, result.output
    (path,) = (eng / "history").glob("*.json")
    return path


@pytest.mark.parametrize(
    ("body", "line", "what"),
    [
        ('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", 1, "nested deeper than 64"),
        ('{\n  "a": "[[[[",\n  "b": ' + "9" * 5_000 + "\n}", 3, "a number 5,000 characters"),
        ('{"a": -' + "1" * 200 + "e5}", 1, "a number 203 characters"),
    ],
)
def test_a_hostile_history_file_is_a_located_exit_2(
    tmp_path: Path,
    invoke: Invoke,
    monkeypatch: pytest.MonkeyPatch,
    body: str,
    line: int,
    what: str,
) -> None:
    monkeypatch.setenv(NOW_ENV, "2026-11-22T10:15:00Z")
    eng = make_engagement(tmp_path / "eng")
    _saved(invoke, eng)
    bad = eng / "history" / "2026-01-01T000000Z.json"
    bad.write_text(body, encoding="utf-8")
    for args in (
        ["report", str(eng)],
        ["history", str(eng)],
        ["score", str(eng), "--baseline", "latest"],
    ):
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert f"{bad}:{line}:" in result.stderr
        assert what in result.stderr
        assert "this is a bug" not in result.stderr.lower()


def test_strings_that_look_like_brackets_or_numbers_are_not_counted(
    tmp_path: Path, invoke: Invoke
) -> None:
    eng = make_engagement(tmp_path / "eng")
    path = _saved(invoke, eng)
    text = path.read_text("utf-8")
    note = '"' + "[" * 200 + "1" * 300 + r"\"{{{" + '"'  # an escaped quote inside
    path.write_text(
        text.replace('"schema_version"', f'"x_ignored": {note},\n  "schema_version"', 1)
    )
    load_scorecard(path)  # read: what is inside a string is not counted


def test_five_simultaneous_saves_keep_five_files(tmp_path: Path) -> None:
    eng = make_engagement(tmp_path / "eng")
    env = {**os.environ, NOW_ENV: "2026-11-22T10:15:00Z"}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "alignment_cli", "score", str(eng), "--save"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(5)
    ]
    for run in runs:
        _, err = run.communicate(timeout=60)
        assert run.returncode == 0, err
    names = sorted(p.name for p in (eng / "history").iterdir())
    assert names == [
        "2026-11-22T101500Z-2.json",
        "2026-11-22T101500Z-3.json",
        "2026-11-22T101500Z-4.json",
        "2026-11-22T101500Z-5.json",
        "2026-11-22T101500Z.json",
    ]
    for path in (eng / "history").iterdir():
        load_scorecard(path)  # each whole


def _large(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Runs from here on count as large: over what is read whole (8 MiB in use)."""
    from alignment_cli.scoring import history

    monkeypatch.setattr(history, "READ_WHOLE", path.stat().st_size // 2)


def test_a_large_saved_run_is_read_without_its_respondents_lines(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`score --save` of 100,000 respondents writes 68 MB: a baseline, history and gates read
    it back without holding its lines (they use none), and it still counts its people and
    knows whether it holds the same answers as now."""
    from test_history import card_for, edit_answers

    from alignment_cli.scoring.history import notes_digest, people_digest, same_results

    monkeypatch.setenv(NOW_ENV, "2026-11-22T10:15:00Z")
    eng = make_engagement(tmp_path / "eng")
    path = _saved(invoke, eng)
    whole = load_scorecard(path)
    _large(monkeypatch, path)
    light = load_scorecard(path)
    assert light.respondents == [] and light.respondent_count == len(whole.respondents) == 2
    assert people_digest(light) == people_digest(whole)
    assert any(q.notes for q in whole.questions) and not any(q.notes for q in light.questions)
    assert notes_digest(light) == notes_digest(whole)
    unheld: Any = {"respondents": True, "questions": {"__all__": {"notes"}}}
    assert light.model_dump(exclude=unheld) == whole.model_dump(exclude=unheld)
    assert same_results(light, whole)  # the same answers, as the run read whole says
    noted = next(p for p in (eng / "responses").glob("*.yaml") if "notes:" in p.read_text("utf-8"))
    original = noted.read_text("utf-8")
    data = yaml.safe_load(original)
    qid = next(iter(data["notes"]))
    data["notes"][qid] += " (edited)"
    noted.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    assert not same_results(light, card_for(eng))  # a note changed: not the same results
    noted.write_text(original, "utf-8")
    assert same_results(light, card_for(eng))
    edit_answers(eng, "mia", sla_exists=False)
    assert not same_results(light, card_for(eng))
    result = invoke("score", str(eng), "--baseline", "latest")
    assert result.exit_code == 0, result.output
    result = invoke("history", str(eng), "--format", "json")
    assert result.exit_code == 0, result.output
    assert '"respondents": 2' in result.stdout


def test_a_large_scorecard_not_written_by_save_is_refused_by_name(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    monkeypatch.setenv(NOW_ENV, "2026-11-22T10:15:00Z")
    eng = make_engagement(tmp_path / "eng")
    path = _saved(invoke, eng)
    path.write_text(json.dumps(json.loads(path.read_text("utf-8"))), "utf-8")  # one line
    _large(monkeypatch, path)
    result = invoke("history", str(eng))
    assert result.exit_code == 2
    assert f"{path}: " in result.stderr
    assert "read only as `alignment score --save` writes it" in result.stderr


def _with_people(path: Path, copies: int) -> None:
    """The saved run with its first respondent's line written `copies` more times (the layout
    `score --save` writes)."""
    text = path.read_text("utf-8")
    start = text.index('\n  "respondents": [\n') + len('\n  "respondents": [\n')
    end = text.index("\n    },\n", start) + len("\n    },\n")
    path.write_text(text[:end] + text[start:end] * copies + text[end:], "utf-8")


def _large_run(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch, people: int
) -> tuple[Path, Path]:
    """An engagement and its saved run, with `people` more respondents' lines in it."""
    monkeypatch.setenv(NOW_ENV, "2026-11-22T10:15:00Z")
    eng = make_engagement(tmp_path / "eng")
    path = _saved(invoke, eng)
    _with_people(path, people)
    return eng, path


def test_a_large_saved_run_is_read_a_line_at_a_time(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What reading a large run holds is the card without its people, not the file."""
    import tracemalloc

    from alignment_cli.scoring.history import people_digest

    monkeypatch.setenv(NOW_ENV, "2026-11-22T10:15:00Z")
    eng = make_engagement(tmp_path / "eng")
    path = _saved(invoke, eng)
    before = people_digest(load_scorecard(path))
    _with_people(path, 4_000)
    size = path.stat().st_size
    _large(monkeypatch, path)
    tracemalloc.start()
    try:
        card = load_scorecard(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert card.respondents == [] and people_digest(card) != before  # every line was read
    assert size > 1_000_000 and peak < size / 3, (size, peak)


@pytest.mark.parametrize(
    ("change", "located"),
    [
        (lambda t: t.replace('"role": "', '"role": 7, "x": "', 1), True),  # a bad line
        (lambda t: t[: t.index('"respondents": [') + 2_000], False),  # no end to the list
        (lambda t: t.replace('\n  "respondents": [\n', '\n  "respondents":\n  [\n'), False),
    ],
    ids=["bad-line", "truncated", "other-layout"],
)
def test_a_large_saved_run_that_is_broken_is_refused_by_name(
    tmp_path: Path,
    invoke: Invoke,
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[str], str],
    located: bool,
) -> None:
    eng, path = _large_run(tmp_path, invoke, monkeypatch, 50)
    text = path.read_text("utf-8")
    respondent_line = text.count("\n", 0, text.index('"role": "')) + 1
    path.write_text(change(text), "utf-8")
    _large(monkeypatch, path)
    result = invoke("history", str(eng))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    if located:  # the line the respondent's object starts on
        first = text.rindex("\n    {\n", 0, text.index('"role": "')) + 1
        assert f"{path}:{text.count(chr(10), 0, first) + 1}:1" in result.stderr, result.stderr
        assert respondent_line > 1
    else:
        assert "read only as `alignment score --save` writes it" in result.stderr


def test_a_large_saved_run_with_a_broken_note_is_located(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    eng, path = _large_run(tmp_path, invoke, monkeypatch, 50)
    text = path.read_text("utf-8")
    at = text.index('\n          "role": "') + 1  # a note's role (notes sit at indent 8)
    start = text.rindex("\n        {\n", 0, at) + 1
    path.write_text(
        text[:at] + '          "role": 7,\n' + text[text.index("\n", at) + 1 :], "utf-8"
    )
    _large(monkeypatch, path)
    result = invoke("history", str(eng))
    assert result.exit_code == 2, result.output
    assert f"{path}:{text.count(chr(10), 0, start) + 1}:1: not a valid scorecard: a note" in (
        result.stderr
    )


def test_a_large_saved_run_with_crlf_line_ends_reads_as_it_was_saved(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checked out on Windows with git's autocrlf, a saved run has CRLF line ends."""
    from alignment_cli.scoring.history import notes_digest, people_digest

    _, path = _large_run(tmp_path, invoke, monkeypatch, 20)
    _large(monkeypatch, path)
    as_saved = load_scorecard(path)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    crlf = load_scorecard(path)
    assert people_digest(crlf) == people_digest(as_saved)
    assert notes_digest(crlf) == notes_digest(as_saved)
    assert crlf.model_dump() == as_saved.model_dump()


def test_a_large_saved_run_with_a_note_over_a_mebibyte_reads_back(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A note is one line of the saved run, as long as an answer file lets it be (a pasted
    transcript): what `score --save` wrote is read back, not refused as another layout."""
    from alignment_cli.scoring.history import notes_digest

    monkeypatch.setenv(NOW_ENV, "2026-11-22T10:15:00Z")
    eng = make_engagement(tmp_path / "eng")
    noted = next(p for p in (eng / "responses").glob("*.yaml") if "notes:" in p.read_text("utf-8"))
    data = yaml.safe_load(noted.read_text("utf-8"))
    data["notes"][next(iter(data["notes"]))] = "transcript " * 200_000  # 2.2 MB on one line
    noted.write_text(yaml.safe_dump(data, sort_keys=False, width=80), "utf-8")
    path = _saved(invoke, eng)
    whole = load_scorecard(path)
    _large(monkeypatch, path)
    assert notes_digest(load_scorecard(path)) == notes_digest(whole)
    result = invoke("history", str(eng))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.replace('"dimensions": [', '"dimensions": [,', 1),  # after the respondents
        lambda t: t.replace('"answered": ', '"answered": ' + "9" * 5_000, 1),  # in a line
        lambda t: t.replace('"min_group_size"', '"min_group_size": "\udcff"', 1),  # not UTF-8
    ],
    ids=["json-after-lines", "number-in-a-line", "not-utf8-after-lines"],
)
def test_a_large_saved_run_is_located_as_the_run_read_whole(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch, change: Callable[[str], str]
) -> None:
    """The lines taken out of a large run do not shift where a problem after them is."""
    eng, path = _large_run(tmp_path, invoke, monkeypatch, 50)
    path.write_bytes(change(path.read_text("utf-8")).encode("utf-8", "surrogateescape"))
    whole = invoke("history", str(eng))
    assert whole.exit_code == 2 and f"{path}:" in whole.stderr, whole.output
    _large(monkeypatch, path)
    large = invoke("history", str(eng))
    assert large.exit_code == 2, large.output
    assert large.stderr == whole.stderr
