"""Reading an engagement's evidence (the JSON files `alignment evidence import` writes to its
evidence/ folder): the latest import, every metric checked, each problem located.

Here in the files layer, below scoring, because scoring reads the evidence (say vs do,
docs/scoring.md section 5b); alignment_cli/evidence writes these files.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alignment_cli.errors import InvalidInput, Problem

FOLDER = "evidence"
FORMAT = "alignment-evidence/1"


@dataclass
class Evidence:
    path: Path
    data: dict[str, Any]

    @property
    def metrics(self) -> dict[str, Any]:
        metrics: dict[str, Any] = self.data.get("metrics", {})
        return metrics

    def value(self, metric_id: str) -> float | None:
        """The metric's value (checked by `read`), or None when the import could not measure it."""
        entry = self.metrics.get(metric_id)
        if not isinstance(entry, dict) or entry.get("value") is None:
            return None
        return float(entry["value"])


def folder_of(directory: Path) -> Path:
    return directory / FOLDER


def _line_of(text: str, key: str) -> int | None:
    """The line of a member's key in the JSON text (the first match), for a located message."""
    at = text.find(json.dumps(key) + ":")
    return None if at < 0 else text.count("\n", 0, at) + 1


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
            [
                Problem(
                    str(path),
                    _line_of(text, "format") or 1,
                    None,
                    f"not an evidence file (expected format {FORMAT}; "
                    "`alignment evidence import` writes them)",
                )
            ]
        )
    metrics = data.get("metrics")
    if not isinstance(metrics, dict):
        raise InvalidInput([Problem(str(path), 1, None, "no metrics in the evidence file")])
    problems = []
    for metric_id, entry in metrics.items():
        value = entry.get("value") if isinstance(entry, dict) else entry
        ok = isinstance(entry, dict) and (
            value is None
            or (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and math.isfinite(value)
                and value >= 0
            )
        )
        if not ok:
            problems.append(
                Problem(
                    str(path),
                    _line_of(text, metric_id),
                    None,
                    f"metric {metric_id}: the value must be a number of 0 or more "
                    f"(found {json.dumps(value)[:40]})",
                )
            )
    if problems:
        raise InvalidInput(problems)
    return Evidence(path, data)


def latest(directory: Path) -> Evidence | None:
    """The most recent import in DIR/evidence (by its `imported` time, then name), or None.
    Every file there is read and checked: a corrupt one is an error, not skipped."""
    folder = folder_of(directory)
    if not folder.is_dir():
        return None
    found = [read(p) for p in sorted(folder.glob("*.json"))]
    if not found:
        return None
    return max(found, key=lambda e: (str(e.data.get("imported", "")), e.path.name))
