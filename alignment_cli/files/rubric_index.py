"""`rubric list` without validating every bundled rubric each time: a cache of the checks passed.

A bundled rubric is listed from the cache only when a full load of exactly the same bytes, by the
same checking code, passed before: the key is a hash of the file's name and bytes, and the cache
as a whole belongs to one fingerprint of the checking code (the version, and the size and time of
every module that decides validity). A rubric that fails is never cached, so it is checked, and
its problems reported, on every run. The cache lives in the user's cache folder
(`ALIGNMENT_CACHE_DIR`, else `$XDG_CACHE_HOME/alignment`, else `~/.cache/alignment`), is written
whole or not at all (`writes.write_atomic`), and is only an aid: unreadable, malformed or
unwritable, it is ignored and every rubric is checked in full.

On a hit this module imports no pydantic, PyYAML or Jinja2 (tests/test_startup_imports.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from alignment_cli import __version__
from alignment_cli.errors import InvalidInput, Problem
from alignment_cli.model.bundled import bundled_rubrics

CACHE_ENV = "ALIGNMENT_CACHE_DIR"
CACHE_NAME = "rubric-list.json"
FORMAT = 1
MAX_CACHE_BYTES = 1 << 20

_PACKAGE = Path(__file__).resolve().parents[1]
# The modules whose code decides whether a rubric is valid (and what it lists).
_CHECKERS = (
    "model",
    "model/qtypes",
    "files/yamlio.py",
    "files/flatyaml.py",
    "files/rubric_index.py",
    "files/rubric_cache.py",
)
_LIBRARIES = ("pydantic", "pydantic_core", "yaml", "jinja2")


@dataclass(frozen=True)
class RubricSummary:
    id: str
    version: str
    title: str
    questions: int

    def as_dict(self) -> dict[str, str | int]:
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "questions": self.questions,
        }


def cache_dir() -> Path:
    given = os.environ.get(CACHE_ENV, "").strip()
    if given:
        return Path(given)
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "alignment"
    return Path.home() / ".cache" / "alignment"


def list_bundled(cache: Path | None = None) -> tuple[list[RubricSummary], list[Problem]]:
    """Every bundled rubric that passes a full load, and the problems of those that do not."""
    folder = cache if cache is not None else _safe_cache_dir()
    fingerprint = _fingerprint()
    known = _read_cache(folder, fingerprint) if folder is not None else {}
    fresh: dict[str, dict[str, str | int]] = {}
    rows: list[RubricSummary] = []
    problems: list[Problem] = []
    for path in bundled_rubrics():
        try:
            raw = path.read_bytes()
        except OSError as exc:
            problems.append(Problem(str(path), None, None, f"cannot read: {exc.strerror}"))
            continue
        key = hashlib.sha256(path.name.encode() + b"\0" + raw).hexdigest()
        summary = _summary(known.get(key))
        if summary is None:
            try:
                summary = _checked(path, raw)
            except InvalidInput as exc:  # list the good ones, then report the broken one
                problems.extend(exc.problems or [Problem(str(path), None, None, exc.message)])
                continue
        fresh[key] = summary.as_dict()
        rows.append(summary)
    if folder is not None and fresh != known:
        _write_cache(folder, fingerprint, fresh)
    return rows, problems


def _checked(path: Path, raw: bytes) -> RubricSummary:
    """The full load, of the very bytes that were hashed."""
    from alignment_cli.files.yamlio import decode_text, parse_yaml
    from alignment_cli.model.rubric import LoadedRubric, validate_document

    name = str(path)
    doc = parse_yaml(name, decode_text(name, raw))
    r = LoadedRubric.build(validate_document(doc), doc, path).rubric
    return RubricSummary(r.id, r.version, r.title, len(r.questions))


def _summary(entry: object) -> RubricSummary | None:
    if not isinstance(entry, dict):
        return None
    fields = (entry.get("id"), entry.get("version"), entry.get("title"), entry.get("questions"))
    if not all(isinstance(f, str) for f in fields[:3]) or type(fields[3]) is not int:
        return None
    return RubricSummary(*fields)  # type: ignore[arg-type]


def _safe_cache_dir() -> Path | None:
    try:
        return cache_dir()
    except RuntimeError:  # no home folder to be found
        return None


def _fingerprint() -> str:
    """The checking code as installed: a change to any of it makes the whole cache stale."""
    parts = [__version__, sys.version]
    for rel in _CHECKERS:
        target = _PACKAGE / rel
        files = sorted(target.glob("*.py")) if target.is_dir() else [target]
        for file in files:
            try:
                st = file.stat()
            except OSError:
                continue
            parts.append(f"{file.relative_to(_PACKAGE)}:{st.st_size}:{st.st_mtime_ns}")
    import importlib.util

    for name in _LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        try:
            lib = os.stat(origin) if origin else None
        except OSError:
            lib = None
        parts.append(f"{name}:{origin}:{lib.st_size}:{lib.st_mtime_ns}" if lib else name)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _read_cache(folder: Path, fingerprint: str) -> dict[str, dict[str, str | int]]:
    try:
        with (folder / CACHE_NAME).open("rb") as fh:
            raw = fh.read(MAX_CACHE_BYTES + 1)
        data = json.loads(raw) if len(raw) <= MAX_CACHE_BYTES else None
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return {}
    if data.get("fingerprint") != fingerprint or not isinstance(data.get("rubrics"), dict):
        return {}
    return {k: v for k, v in data["rubrics"].items() if _summary(v) is not None}


def _write_cache(folder: Path, fingerprint: str, rubrics: dict[str, dict[str, str | int]]) -> None:
    from alignment_cli.errors import AlignmentError
    from alignment_cli.files.writes import write_atomic

    text = json.dumps({"format": FORMAT, "fingerprint": fingerprint, "rubrics": rubrics}, indent=1)
    with contextlib.suppress(AlignmentError, OSError):  # an aid: the next run checks in full
        write_atomic(folder / CACHE_NAME, text + "\n", make_dirs=True)
