"""Thin adapters from the benchmark to the report and CSV import, which may not exist yet.

Each `*_unavailable()` returns None when the feature can be measured, or one line saying why not;
the benchmark prints that line and skips the section instead of failing.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any


def _missing(module: str, names: tuple[str, ...]) -> str | None:
    if importlib.util.find_spec(module) is None:
        return f"{module} does not exist yet"
    mod = importlib.import_module(module)
    absent = [n for n in names if not hasattr(mod, n)]
    if absent:
        return f"{module} has no {', '.join(absent)} (the benchmark's adapter needs updating)"
    return None


def report_unavailable() -> str | None:
    return _missing("alignment_cli.report", ("render_markdown",))


def render_markdown(scored: Any) -> str:
    """The Markdown report of a scored set, as `alignment report` renders it."""
    report = importlib.import_module("alignment_cli.report")
    text: str = report.render_markdown(scored)
    return text


def import_unavailable() -> str | None:
    return _missing("alignment_cli.importer", ("import_csv",))


def write_csv(folder: Path, rows: int, seed: int) -> Path:
    raise NotImplementedError


def import_csv(csv_path: Path, dest: Path) -> int:
    raise NotImplementedError
