"""The I/O around progress tracking that `score`, `report` and `compare` share: baselines,
saving runs, the rubric behind a saved scorecard, and GitHub's step summary.

The comparing itself is pure (`compare.py`); this module finds and reads what is compared.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from alignment_cli import clock
from alignment_cli.errors import AlignmentError, UsageError
from alignment_cli.files.engagement import Engagement, find_engagement
from alignment_cli.files.names import shown_path
from alignment_cli.files.rubric_cache import load_rubric
from alignment_cli.model.rubric import LoadedRubric
from alignment_cli.scoring.scorecard import Scorecard

# compare and history (their models, the saved runs) are imported where used: `score` without
# a baseline or --save needs neither (start-up of `score`, bench/run.py).
if TYPE_CHECKING:
    from alignment_cli.scoring.compare import Comparison
    from alignment_cli.scoring.history import Trend
    from alignment_cli.scoring.pipeline import RespondentSource, Scored

SourceOf = Callable[[Path], "RespondentSource | None"]
"""Which paths are respondents read another way than as answer files, and how (the CLI's
survey exports: alignment_cli/cli/given.py `ExportsRead`)."""

LATEST = "latest"
SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


@dataclass
class Baseline:
    card: Scorecard
    source: str
    """The file or folder it came from, to say in messages."""


def load_side(
    path: Path,
    *,
    rubric_ref: str | None = None,
    carry_over: bool = False,
    as_source: SourceOf | None = None,
    export_rubric_ref: str | None = None,
) -> tuple[Scorecard, LoadedRubric | None]:
    """A scorecard from a saved scorecard file, or by scoring a folder (or file) of answers or
    respondents read another way: `as_source` says which paths are such (the CLI's survey
    exports, read as `alignment score survey.csv` reads them). An export names no rubric: with no
    `rubric_ref`, one outside an engagement is read on `export_rubric_ref` (a baseline: the
    run's own rubric).

    Answers scored on the spot are dated by their newest answer, not by the clock: "change
    since" then names when the earlier answers were given."""
    if path.is_file() and path.suffix == ".json":
        from alignment_cli.scoring.history import load_scorecard

        return load_scorecard(path), None
    from alignment_cli.scoring.pipeline import latest_answer_time, score_inputs

    source = as_source(path) if as_source is not None else None
    scored = score_inputs(
        [] if source else [path],
        rubric_ref=rubric_ref
        or (export_rubric_ref if source and not _in_engagement(path) else None),
        carry_over=carry_over,
        now=clock.now(),
        sources=[source] if source else (),
    )
    card = scored.card
    answered = latest_answer_time(card)
    if answered is not None:
        card = card.model_copy(update={"generated_at": answered})
    return card, scored.rubric


def _in_engagement(path: Path) -> bool:
    """An export inside an engagement is read on that engagement's rubric, as its import is."""
    return find_engagement(path) is not None


def resolve_baseline(
    ref: str | None,
    engagement: Engagement | None,
    card: Scorecard,
    *,
    implicit: bool = False,
    carry_over: bool = False,
    rubric_ref: str | None = None,
    as_source: SourceOf | None = None,
) -> Baseline | None:
    """`--baseline FILE|DIR|latest`. With no flag and `implicit` (a --max-drop gate is set), the
    latest saved run when there is one: so a `max_drop` in alignment.yaml works without flags.
    `latest` skips a saved run that is `card` itself (scored and saved a moment ago).
    `rubric_ref` (the run's `--rubric`) scores a baseline of answers too, as `compare` scores
    both sides; a survey export, which names no rubric, is read on the engagement's rubric
    when there is no `--rubric` (the rubric the run was scored on)."""
    if ref is None:
        if not implicit or engagement is None:
            return None
        from alignment_cli.scoring.history import load_runs, previous_run

        run = previous_run(load_runs(engagement.history_dir), card)
        return Baseline(run.card, shown_path(run.path)) if run else None
    if ref == LATEST:
        if engagement is None:
            raise UsageError(
                "--baseline latest needs an engagement folder (with alignment.yaml) "
                "whose history/ holds saved runs; give a scorecard file instead"
            )
        from alignment_cli.scoring.history import latest

        run = latest(engagement.history_dir, card)
        return Baseline(run.card, shown_path(run.path))
    path = Path(ref)
    if not path.exists():
        raise UsageError(
            f"--baseline {ref}: no such file or folder (give a saved scorecard, "
            "a folder of answers, or 'latest')"
        )
    card, _ = load_side(
        path,
        rubric_ref=rubric_ref,
        carry_over=carry_over,
        as_source=as_source,
        export_rubric_ref=engagement.rubric_ref() if engagement else None,
    )
    return Baseline(card, shown_path(ref))


def save_run(card: Scorecard, engagement: Engagement | None) -> Path:
    if engagement is None:
        raise UsageError(
            "--save writes to an engagement's history/ folder; score an engagement folder "
            "(one with alignment.yaml, made by `alignment init`)"
        )
    from alignment_cli.scoring.history import save

    return save(card, engagement.history_dir)


def rubric_renames(rubric: LoadedRubric | None) -> dict[str, str]:
    if rubric is None:
        return {}
    return dict(rubric.rubric.renamed)


def rubric_for_card(card: Scorecard, near: Path | None = None) -> LoadedRubric | None:
    """The rubric a saved scorecard was made with, when it can still be found: the engagement's
    rubric (for a file in its history/) or the bundled rubric of that id."""
    refs: list[str] = []
    engagement = find_engagement(near) if near is not None and near.exists() else None
    if engagement is not None and (ref := engagement.rubric_ref()):
        refs.append(ref)
    refs.append(card.rubric.id)
    for ref in refs:
        try:
            loaded = load_rubric(ref)
        except AlignmentError:
            continue
        r = loaded.rubric
        if r.id == card.rubric.id and (
            loaded.content_hash == card.rubric.hash or r.version == card.rubric.version
        ):
            return loaded
    return None


def compare_cards(old: Scorecard, new: Scorecard, new_rubric: LoadedRubric | None) -> Comparison:
    """Compare, following the question renames the newer rubric declares."""
    from alignment_cli.scoring.compare import compare

    return compare(old, new, rubric_renames(new_rubric))


_SUMMARY_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")


def wants_step_summary() -> bool:
    """Running where GitHub collects a step summary (so building one is worth it)."""
    return bool(os.environ.get(SUMMARY_ENV, "").strip())


def append_step_summary(text: str) -> str | None:
    """Append to GitHub's step summary when running there. Returns a warning, or None.

    The text is Markdown we built, people's text escaped in it; a stray carriage return or
    control character would still start a line or reach a log viewer, so none is written."""
    target = os.environ.get(SUMMARY_ENV, "").strip()
    if not target:
        return None
    text = _SUMMARY_CONTROL.sub("\ufffd", text)
    try:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        return f"cannot append to {SUMMARY_ENV} ({target}): {exc.strerror}"
    return None


@dataclass
class Progress:
    """What a report shows of the past: the change since the baseline, and the trend."""

    comparison: Comparison | None
    trend: Trend | None
    """Every saved run, then this one (unless it is the latest saved run already)."""


def report_progress(
    scored: Scored,
    ref: str | None,
    *,
    day: date,
    carry_over: bool = False,
    rubric_ref: str | None = None,
    as_source: SourceOf | None = None,
) -> Progress:
    """The baseline is `ref` when given, else the latest saved run (other than this one).
    This run's point in the trend is dated `day`, the report's date, so that rerunning the
    report on unchanged answers gives the same file."""
    from alignment_cli.scoring.history import Run, load_runs, previous_run, same_results, trend

    card = scored.card
    runs = load_runs(scored.engagement.history_dir) if scored.engagement else []
    if ref is not None:
        base = resolve_baseline(
            ref,
            scored.engagement,
            card,
            carry_over=carry_over,
            rubric_ref=rubric_ref,
            as_source=as_source,
        )
    else:
        run = previous_run(runs, card)
        base = Baseline(run.card, shown_path(run.path)) if run else None
    comparison = compare_cards(base.card, card, scored.rubric) if base else None
    points = list(runs)
    if not points or not same_results(points[-1].card, card):
        when = datetime.combine(day, time(0), UTC)
        points.append(Run(Path("this run"), card.model_copy(update={"generated_at": when})))
    return Progress(comparison, trend(points) if len(points) >= 2 else None)
