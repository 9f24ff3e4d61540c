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
    return _missing("alignment_cli.report.context", ("build_context",)) or _missing(
        "alignment_cli.report.render", ("render",)
    )


def render_report(scored: Any) -> dict[str, float | int]:
    """Build the report context and render Markdown and HTML, as `alignment report` does."""
    import time
    from datetime import date

    report = importlib.import_module("alignment_cli.report.context")
    renderer = importlib.import_module("alignment_cli.report.render")
    out: dict[str, float | int] = {}
    start = time.perf_counter()
    context = report.build_context(scored.card, scored.rubric, day=date(2026, 11, 22))
    out["context"] = time.perf_counter() - start
    for fmt in ("md", "html"):
        start = time.perf_counter()
        text = renderer.render(context, fmt)
        out[fmt] = time.perf_counter() - start
        out[f"{fmt}_chars"] = len(text)
    return out


def import_unavailable() -> str | None:
    return _missing("alignment_cli.survey.importer", ("import_csv", "ImportSettings")) or _missing(
        "alignment_cli.survey.forms", ("csv_columns",)
    )


def write_csv(folder: Path, rows: int, seed: int) -> Path:
    """A survey export of `rows` generated respondents (tests/survey_export.py, the form's
    columns), next to an empty engagement folder to import it into."""
    import sys

    from datagen import bench_rubric, respondent_document, write_engagement

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository: tests/
    from tests.survey_export import survey_csv

    loaded, _ = bench_rubric()
    documents = [respondent_document(loaded, i, seed) for i in range(rows)]
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / "survey.csv"
    csv_path.write_text(survey_csv(loaded, documents), encoding="utf-8")
    write_engagement(loaded, folder / "engagement", 0)
    return csv_path


def import_csv(csv_path: Path, into: Path | None = None) -> int:
    """`alignment import CSV --into ENGAGEMENT`, in process; the number of files it wrote.
    ENGAGEMENT is `into`, else the `engagement` folder beside the CSV."""
    importer = importlib.import_module("alignment_cli.survey.importer")
    outcome = importer.import_csv(csv_path, into or csv_path.parent / "engagement")
    return len(outcome.plan.files)
