"""The evidence file: one JSON per import in the engagement's evidence/ folder, and reading the
latest one back. Only aggregates and the source files' fingerprints are ever in it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alignment_cli.errors import InvalidInput, Problem
from alignment_cli.evidence.engine import FORMAT

FOLDER = "evidence"


@dataclass
class Evidence:
    path: Path
    data: dict[str, Any]

    @property
    def metrics(self) -> dict[str, Any]:
        metrics: dict[str, Any] = self.data.get("metrics", {})
        return metrics


def file_name(document: dict[str, Any]) -> str:
    """Named by the sources' digests: the same exports imported again give the same file."""
    digest = hashlib.sha256()
    for source in sorted(s["sha256"] for s in document["sources"]):
        digest.update(source.encode())
    return f"crm-{digest.hexdigest()[:12]}.json"


def dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def folder_of(directory: Path) -> Path:
    return directory / FOLDER


def read(path: Path) -> Evidence:
    from alignment_cli.files.yamlio import read_text

    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            [Problem(str(path), exc.lineno, exc.colno, f"not JSON: {exc.msg}")]
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidInput(
            [Problem(str(path), 1, None, f"not an evidence file (expected format {FORMAT})")]
        )
    if not isinstance(data.get("metrics"), dict):
        raise InvalidInput([Problem(str(path), 1, None, "no metrics in the evidence file")])
    return Evidence(path, data)


def latest(directory: Path) -> Evidence | None:
    """The most recent import in DIR/evidence (by its `imported` time, then name), or None."""
    folder = folder_of(directory)
    if not folder.is_dir():
        return None
    found = [read(p) for p in sorted(folder.glob("*.json"))]
    if not found:
        return None
    return max(found, key=lambda e: (str(e.data.get("imported", "")), e.path.name))
