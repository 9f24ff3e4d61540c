"""`rubric list` from a cache of checks passed: never a broken rubric listed, never a failure
because of the cache.

The cache is keyed by a hash of each file's name and bytes under a fingerprint of the checking
code; a rubric that fails is never cached. These tests hold those rules on the pure function and
end to end, against rubrics recomputed by a full load.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from alignment_cli.files import rubric_index
from alignment_cli.files.rubric_index import CACHE_NAME, list_bundled
from alignment_cli.model.rubric import bundled_rubrics, load_rubric
from tests.conftest import MINIMAL_RUBRIC

Invoke = Callable[..., Any]


def _expected(paths: list[Path]) -> list[dict[str, Any]]:
    out = []
    for path in paths:
        r = load_rubric(path).rubric
        out.append(
            {"id": r.id, "version": r.version, "title": r.title, "questions": len(r.questions)}
        )
    return out


@pytest.fixture
def rubrics(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder standing in for the bundled rubrics: the default and the minimal example."""
    folder = tmp_path / "rubrics"
    folder.mkdir()
    for path in [*bundled_rubrics(), MINIMAL_RUBRIC]:
        shutil.copyfile(path, folder / path.name)
    monkeypatch.setattr(rubric_index, "bundled_rubrics", lambda: sorted(folder.glob("*.yaml")))
    return folder


def _no_full_load(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    loaded: list[Path] = []
    real = rubric_index._checked

    def counting(path: Path, raw: bytes) -> Any:
        loaded.append(path)
        return real(path, raw)

    monkeypatch.setattr(rubric_index, "_checked", counting)
    return loaded


def test_the_list_is_that_of_a_full_load_cold_and_warm(
    rubrics: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    paths = sorted(rubrics.glob("*.yaml"))
    loads = _no_full_load(monkeypatch)
    rows, problems = list_bundled(cache)
    assert [r.as_dict() for r in rows] == _expected(paths) and problems == []
    assert loads == paths  # cold: every rubric checked in full
    assert (cache / CACHE_NAME).is_file()
    loads.clear()
    rows, problems = list_bundled(cache)
    assert [r.as_dict() for r in rows] == _expected(paths) and problems == []
    assert loads == []  # warm: none


def test_a_broken_rubric_is_never_cached_and_always_reported(rubrics: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    broken = rubrics / "minimal-rubric.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + "\nsurprise: 1\n", encoding="utf-8")
    for _ in range(2):
        rows, problems = list_bundled(cache)
        assert [r.id for r in rows] == [r["id"] for r in _expected(sorted(bundled_rubrics()))]
        assert problems and all(p.file == str(broken) for p in problems)
        assert any("surprise" in str(p) for p in problems)
    cached = json.loads((cache / CACHE_NAME).read_text(encoding="utf-8"))["rubrics"]
    assert len(cached) == len(bundled_rubrics())  # the good ones only


def test_a_rubric_edited_after_it_was_cached_is_checked_again(
    rubrics: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    list_bundled(cache)
    edited = rubrics / "minimal-rubric.yaml"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("id:", "idd:", 1), encoding="utf-8"
    )
    rows, problems = list_bundled(cache)
    assert problems and {p.file for p in problems} == {str(edited)}
    assert len(rows) == len(bundled_rubrics())


def test_a_cache_of_other_checking_code_is_not_trusted(
    rubrics: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    list_bundled(cache)
    monkeypatch.setattr(rubric_index, "_fingerprint", lambda: "other code")
    loads = _no_full_load(monkeypatch)
    list_bundled(cache)
    assert loads == sorted(rubrics.glob("*.yaml"))


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b"[]",
        b'{"format": 1}',
        b'{"format": 1, "fingerprint": "x", "rubrics": []}',
        b"\xff\xfe",
    ],
)
def test_a_malformed_cache_is_ignored_and_replaced(
    rubrics: Path, tmp_path: Path, content: bytes
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / CACHE_NAME).write_bytes(content)
    rows, problems = list_bundled(cache)
    assert problems == []
    assert [r.as_dict() for r in rows] == _expected(sorted(rubrics.glob("*.yaml")))
    assert json.loads((cache / CACHE_NAME).read_text(encoding="utf-8"))["format"] == 1


def test_a_forged_entry_of_the_wrong_shape_is_not_listed(
    rubrics: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    list_bundled(cache)
    data = json.loads((cache / CACHE_NAME).read_text(encoding="utf-8"))
    for entry in data["rubrics"].values():
        entry["questions"] = "65"
    (cache / CACHE_NAME).write_text(json.dumps(data), encoding="utf-8")
    loads = _no_full_load(monkeypatch)
    rows, _ = list_bundled(cache)
    assert loads == sorted(rubrics.glob("*.yaml"))
    assert [r.as_dict() for r in rows] == _expected(loads)


def test_an_unwritable_cache_folder_costs_nothing_but_time(rubrics: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    rows, problems = list_bundled(blocked / "cache")
    assert [r.as_dict() for r in rows] == _expected(sorted(rubrics.glob("*.yaml")))
    assert problems == []
    assert blocked.read_text(encoding="utf-8") == "not a folder"


def test_rubric_list_end_to_end_twice_with_the_cache_dir_from_the_environment(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALIGNMENT_CACHE_DIR", str(tmp_path / "c"))
    first = invoke("rubric", "list", "--format", "json")
    second = invoke("rubric", "list", "--format", "json")
    assert first.exit_code == second.exit_code == 0, first.output
    assert json.loads(first.stdout) == json.loads(second.stdout) == _expected(bundled_rubrics())
    assert (tmp_path / "c" / CACHE_NAME).is_file()


def test_the_cache_folder_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ALIGNMENT_CACHE_DIR", str(tmp_path / "x"))
    assert rubric_index.cache_dir() == tmp_path / "x"
    monkeypatch.delenv("ALIGNMENT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert rubric_index.cache_dir() == tmp_path / "xdg" / "alignment"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert rubric_index.cache_dir() == tmp_path / "home" / ".cache" / "alignment"
