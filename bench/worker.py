"""One measurement in a fresh process, so peak memory is that of the work alone.

    python bench/worker.py score DIR      load and score an engagement folder
    python bench/worker.py score-csv CSV  score a survey export's rows (`alignment score CSV`)
    python bench/worker.py report DIR     load, score, then build and render the report
    python bench/worker.py import CSV [INTO]   import a survey CSV into an engagement folder
                                               (default: the `engagement` folder beside it)

Prints one JSON object: stage times in seconds, peak and base resident memory in MB.
The work runs through the same public functions the CLI calls; the stages inside
`pipeline.score_inputs` are timed by wrapping the names the pipeline looks up (and the
methods of the per-respondent check and fold).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _rss_mb() -> float:
    """Peak resident memory of this process so far. Linux's VmHWM where there is one: its
    ru_maxrss carries the parent's peak over fork and exec, so a small child of a big benchmark
    would look big."""
    return peak_rss_mb()


def peak_rss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


class Stages:
    """Accumulated wall time per named stage."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}

    def wrap(self, module: Any, name: str, stage: str) -> None:
        original: Callable[..., Any] = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.times[stage] = self.times.get(stage, 0.0) + time.perf_counter() - start

        setattr(module, name, timed)


def _score(folder: Path, stages: Stages) -> Any:
    from alignment_cli.files import responses
    from alignment_cli.files.responses import FileCheck
    from alignment_cli.scoring import pipeline
    from alignment_cli.scoring.engine import Fold

    # Respondents stream through parse, check and the fold one at a time: each stage is the
    # sum of its calls.
    stages.wrap(pipeline, "find_engagement", "engagement")
    stages.wrap(pipeline, "find_response_files", "find")
    stages.wrap(responses, "load_response_file", "parse")
    stages.wrap(pipeline, "load_rubric", "rubric")
    stages.wrap(FileCheck, "__call__", "check")
    stages.wrap(Fold, "add", "score")
    stages.wrap(Fold, "finish", "score")
    start, cpu = time.perf_counter(), time.process_time()
    scored = pipeline.score_inputs([folder])
    stages.times["total"] = time.perf_counter() - start
    stages.times["total_cpu"] = time.process_time() - cpu
    stages.times["load"] = stages.times["total"] - stages.times["score"]
    return scored


def run_score(folder: Path) -> dict[str, Any]:
    start = time.perf_counter()
    import alignment_cli.scoring.pipeline  # noqa: F401  (import cost, reported apart)

    imported = time.perf_counter() - start
    base = _rss_mb()
    stages = Stages()
    scored = _score(folder, stages)
    return {
        "respondents": len(scored.card.respondents),
        "import": imported,
        **stages.times,
        "base_mb": base,
        "peak_mb": _rss_mb(),
    }


def run_score_csv(csv_path: Path) -> dict[str, Any]:
    """`alignment score CSV`: the export's rows scored through the importer's column matching,
    no file per person (alignment_cli/survey/feed.py), against the default rubric."""
    start = time.perf_counter()
    from alignment_cli.scoring import pipeline
    from alignment_cli.survey.feed import survey_source

    imported = time.perf_counter() - start
    base = _rss_mb()
    start, cpu = time.perf_counter(), time.process_time()
    scored = pipeline.score_inputs([], sources=[survey_source(csv_path)])
    return {
        "respondents": len(scored.card.respondents),
        "import": imported,
        "total": time.perf_counter() - start,
        "total_cpu": time.process_time() - cpu,
        "base_mb": base,
        "peak_mb": _rss_mb(),
    }


def run_report(folder: Path) -> dict[str, Any]:
    from adapters import render_report

    import alignment_cli.scoring.pipeline  # noqa: F401

    base = _rss_mb()
    stages = Stages()
    scored = _score(folder, stages)
    rendered = render_report(scored)
    return {
        "respondents": len(scored.card.respondents),
        **stages.times,
        **rendered,
        "report": rendered["context"] + rendered["md"],
        "base_mb": base,
        "peak_mb": _rss_mb(),
    }


def run_import(csv_path: Path, into: Path | None = None) -> dict[str, Any]:
    from adapters import import_csv

    base = _rss_mb()
    start = time.perf_counter()
    written = import_csv(csv_path, into)
    return {
        "rows": written,
        "import": time.perf_counter() - start,
        "base_mb": base,
        "peak_mb": _rss_mb(),
    }


def main(argv: list[str]) -> int:
    kind, target = argv[0], Path(argv[1])
    if kind == "import":
        print(json.dumps(run_import(target, Path(argv[2]) if len(argv) > 2 else None)))
        return 0
    runners = {"score": run_score, "score-csv": run_score_csv, "report": run_report}
    print(json.dumps(runners[kind](target)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
