"""The cache of loaded rubrics (files/rubric_cache.py) never changes a result.

A rubric restored from the cache is the rubric a full load makes (models, field sets, content
hash, expressions and their sides), and scores the examples to the same scorecard bytes; an
edited rubric is loaded afresh; a broken rubric is never cached and reports the same problems;
a corrupt, tampered, unreadable or unwritable cache is ignored without a word.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, MINIMAL_RESPONSES, MINIMAL_RUBRIC
from rubric_cases import BASE, CASES, mutate

from alignment_cli.errors import InvalidInput
from alignment_cli.files import rubric_cache
from alignment_cli.files.rubric_cache import FOLDER, MAX_ENTRIES, entry_path, load_rubric
from alignment_cli.files.rubric_index import _fingerprint
from alignment_cli.model.rubric import LoadedRubric, bundled_rubrics
from alignment_cli.model.rubric import load_rubric as load_in_full

NOW = datetime(2026, 11, 22, tzinfo=UTC)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("ALIGNMENT_CACHE_DIR", str(folder))
    return folder


def _no_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A cache folder that cannot exist (a file stands where it would be): every load in full."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("ALIGNMENT_CACHE_DIR", str(blocker / "cache"))


def _entry(path: Path) -> Path:
    entry = entry_path(path.read_bytes(), _fingerprint())
    assert entry is not None
    return entry


def _state(loaded: LoadedRubric) -> Any:
    """Everything a load yields, as comparable data (field sets and types included)."""

    def model(v: Any) -> Any:
        if hasattr(v, "__pydantic_fields_set__"):
            return (type(v).__name__, sorted(v.model_fields_set), model(dict(v.__dict__)))
        if isinstance(v, dict):
            return {k: model(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return (type(v).__name__, [model(x) for x in v])
        return (type(v).__name__, v)

    def expr(e: Any) -> Any:
        if e is None:
            return None
        sides = [(s.source, s.references, s.plain) for s in e.alternatives]
        return (e.source, e.references, e.plain, sides)

    return {
        "rubric": model(loaded.rubric),
        "path": loaded.path,
        "hash": loaded.content_hash,
        "questions": list(loaded.questions),
        "conditions": {k: expr(v) for k, v in loaded.conditions.items()},
        "triggers": {k: expr(v) for k, v in loaded.triggers.items()},
        "levels": {k: [expr(e) for e in v] for k, v in loaded.level_conditions.items()},
        "targets": {k: [expr(e) for e in v] for k, v in loaded.target_conditions.items()},
        "groups": dict(loaded.role_groups),
    }


MECHANISMS = Path(__file__).parent / "data" / "mechanisms"
RUBRICS = [*bundled_rubrics(), MINIMAL_RUBRIC, MECHANISMS / "rubric.yaml"]


@pytest.mark.parametrize("path", RUBRICS, ids=lambda p: p.name)
def test_a_restored_rubric_is_the_one_a_full_load_makes(
    path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stored = load_rubric(path)  # in full, and stored
    assert _entry(path).is_file()
    restored = rubric_cache.restore(path.read_bytes(), path)
    assert restored is not None
    assert restored.rubric == stored.rubric
    assert _state(restored) == _state(stored)
    assert _state(load_rubric(path)) == _state(stored)
    assert _state(load_in_full(path)) == _state(stored)
    _no_cache(monkeypatch, tmp_path)
    assert _state(load_rubric(path)) == _state(stored)


def _json_card(answers: Path, rubric: str | None) -> str:
    from alignment_cli.scoring.card_json import model_json
    from alignment_cli.scoring.pipeline import score_inputs

    return model_json(score_inputs([answers], rubric_ref=rubric, now=NOW).card)


SCORED = [
    *((p, None) for p in sorted(EXAMPLES.iterdir()) if (p / "responses").is_dir()),
    (MINIMAL_RESPONSES, str(MINIMAL_RUBRIC)),
    (MECHANISMS / "answers", str(MECHANISMS / "rubric.yaml")),
]


@pytest.mark.parametrize(("answers", "rubric"), SCORED, ids=lambda x: getattr(x, "name", ""))
def test_the_examples_score_to_the_same_bytes_cold_and_warm(
    answers: Path, rubric: str | None, cache: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cold = _json_card(answers, rubric)  # the cache is empty: loaded in full, then stored
    assert list((cache / FOLDER).glob("*.json"))
    warm = _json_card(answers, rubric)
    _no_cache(monkeypatch, tmp_path)
    assert warm == cold == _json_card(answers, rubric)


def test_an_edited_rubric_is_loaded_afresh(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(BASE, encoding="utf-8")
    assert load_rubric(path).rubric.title == "Test rubric"
    path.write_text(mutate("title: Test rubric", "title: Edited"), encoding="utf-8")
    assert load_rubric(path).rubric.title == "Edited"
    path.write_text(BASE, encoding="utf-8")  # back: its entry is still there
    assert load_rubric(path).rubric.title == "Test rubric"


def test_an_edit_that_only_changes_comments_is_the_same_rubric(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(BASE, encoding="utf-8")
    first = load_rubric(path)
    path.write_text("# a comment\n" + BASE, encoding="utf-8")
    again = load_rubric(path)
    assert _entry(path).is_file()  # a new entry, for new bytes
    assert _state(again) == _state(first)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_broken_rubric_is_never_cached_and_reports_the_same_problems(
    case: Any, cache: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(case.text, encoding="utf-8")
    seen = []
    for _ in range(2):
        with pytest.raises(InvalidInput) as exc:
            load_rubric(path)
        seen.append([str(p) for p in exc.value.problems])
    assert not _entry(path).exists()
    with pytest.raises(InvalidInput) as exc:
        load_in_full(path)
    without = [str(p) for p in exc.value.problems]
    assert seen == [without, without]


def test_a_rubric_fixed_after_an_error_is_then_cached(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(CASES[0].text, encoding="utf-8")
    with pytest.raises(InvalidInput):
        load_rubric(path)
    path.write_text(BASE, encoding="utf-8")
    load_rubric(path)
    assert _entry(path).is_file()


def _stored(path: Path) -> tuple[LoadedRubric, Path]:
    loaded = load_rubric(path)
    return loaded, _entry(path)


def _tamper(entry: Path, change: Any) -> None:
    data = json.loads(entry.read_text(encoding="utf-8"))
    change(data)
    entry.write_text(json.dumps(data), encoding="utf-8")


def _first_question(data: dict[str, Any]) -> dict[str, Any]:
    questions = data["rubric"]["questions"]
    assert isinstance(questions, list) and questions[0]["$m"] == "Question"
    return questions[0]


TAMPERINGS = {
    "not JSON": lambda e: e.write_bytes(b"\x00garbage{"),
    "empty": lambda e: e.write_bytes(b""),
    "truncated": lambda e: e.write_bytes(e.read_bytes()[: len(e.read_bytes()) // 2]),
    "a list": lambda e: e.write_text("[]"),
    "another format": lambda e: _tamper(e, lambda d: d.update(format=0)),
    "another fingerprint": lambda e: _tamper(e, lambda d: d.update(fingerprint="x")),
    "another rubric's bytes": lambda e: _tamper(e, lambda d: d.update(sha256="0" * 64)),
    "a class not of the rubric": lambda e: _tamper(
        e, lambda d: _first_question(d).update({"$m": "Path"})
    ),
    "an enum not of the rubric": lambda e: _tamper(
        e, lambda d: _first_question(d).update(type={"$e": "Path", "v": "/"})
    ),
    "a field too many": lambda e: _tamper(e, lambda d: _first_question(d).update(extra=1)),
    "a field missing": lambda e: _tamper(e, lambda d: _first_question(d).pop("phase")),
    "a field set beyond the fields": lambda e: _tamper(
        e, lambda d: _first_question(d).update({"$s": ["nope"]})
    ),
    "no rubric at the top": lambda e: _tamper(e, lambda d: d.update(rubric=[1])),
    "an expression unknown": lambda e: _tamper(
        e, lambda d: d.update(references={"w": [], "t": []})
    ),
    "a plain tree not a list": lambda e: _tamper(
        e, lambda d: [x.__setitem__(1, [x[1][0], "oops"]) for x in d["references"]["t"]]
    ),
    "a folder": lambda e: (e.unlink(), e.mkdir()),
    "huge": lambda e: e.write_bytes(b" " * (rubric_cache.MAX_ENTRY_BYTES + 1)),
}


@pytest.mark.parametrize("how", list(TAMPERINGS))
def test_a_corrupt_or_tampered_entry_is_ignored(
    how: str, cache: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "r.yaml"
    shutil.copyfile(bundled_rubrics()[0], path)
    stored, entry = _stored(path)
    TAMPERINGS[how](entry)
    assert rubric_cache.restore(path.read_bytes(), path) is None
    assert _state(load_rubric(path)) == _state(stored)  # loaded in full, silently


def test_an_unwritable_cache_is_ignored(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _no_cache(monkeypatch, tmp_path)
    first = load_rubric(MINIMAL_RUBRIC)
    assert _state(load_rubric(MINIMAL_RUBRIC)) == _state(first)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and writes whatever the mode says")
def test_an_unreadable_cache_folder_is_ignored(cache: Path, tmp_path: Path) -> None:
    first = load_rubric(MINIMAL_RUBRIC)
    (cache / FOLDER).chmod(0)
    try:
        assert _state(load_rubric(MINIMAL_RUBRIC)) == _state(first)
    finally:
        (cache / FOLDER).chmod(0o755)


def test_no_home_to_be_found_is_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ALIGNMENT_CACHE_DIR", "XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(Path, "home", lambda: (_ for _ in ()).throw(RuntimeError("no home")))
    assert entry_path(b"x", "fp") is None
    assert rubric_cache.restore(b"x", MINIMAL_RUBRIC) is None
    load_rubric(MINIMAL_RUBRIC)  # no cache, no error


def test_changed_checking_code_makes_every_entry_stale(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_rubric(MINIMAL_RUBRIC)
    raw = MINIMAL_RUBRIC.read_bytes()
    assert rubric_cache.restore(raw, MINIMAL_RUBRIC) is not None
    monkeypatch.setattr("alignment_cli.files.rubric_index._fingerprint", lambda: "other code")
    assert rubric_cache.restore(raw, MINIMAL_RUBRIC) is None


def test_the_least_recently_used_entries_go_first(
    cache: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(rubric_cache, "MAX_ENTRIES", 3)
    paths = []
    for i in range(5):
        path = tmp_path / f"r{i}.yaml"
        path.write_text(mutate("title: Test rubric", f"title: Rubric {i}"), encoding="utf-8")
        paths.append(path)
    for i, path in enumerate(paths[:3]):
        load_rubric(path)
        os.utime(_entry(path), ns=(i * 10**9, i * 10**9))  # stored in turn, a second apart
    assert rubric_cache.restore(paths[0].read_bytes(), paths[0]) is not None  # used: now newest
    load_rubric(paths[3])
    load_rubric(paths[4])
    kept = {p.name for p in paths if _entry(p).exists()}
    assert kept == {"r0.yaml", "r3.yaml", "r4.yaml"}
    assert len(list((cache / FOLDER).glob("*.json"))) == 3 <= MAX_ENTRIES


def test_a_restored_rubric_has_the_path_it_was_loaded_from(cache: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(BASE, encoding="utf-8")
    b.write_text(BASE, encoding="utf-8")
    assert load_rubric(a).path == a
    assert load_rubric(b).path == b  # the same bytes: restored, with its own path
