"""The I/O around progress tracking that `score`, `report` and `compare` share: baselines,
saving runs, the rubric behind a saved scorecard, and GitHub's step summary.

The comparing itself is pure (`compare.py`); this module finds and reads what is compared.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .compare import Comparison, compare
from .engagement import Engagement, find_engagement
from .errors import AlignmentError, UsageError
from .history import latest, load_runs, load_scorecard, previous_run, save
from .rubric import LoadedRubric, load_rubric
from .scorecard import Scorecard

LATEST = "latest"
SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


@dataclass
class Baseline:
    card: Scorecard
    source: str
    """The file or folder it came from, to say in messages."""


def load_side(
    path: Path, *, rubric_ref: str | None = None, carry_over: bool = False
) -> tuple[Scorecard, LoadedRubric | None]:
    """A scorecard from a saved scorecard file, or by scoring a folder (or file) of answers."""
    if path.is_file() and path.suffix == ".json":
        return load_scorecard(path), None
    from .pipeline import score_inputs

    scored = score_inputs([path], rubric_ref=rubric_ref, carry_over=carry_over)
    return scored.card, scored.rubric


def resolve_baseline(
    ref: str | None,
    engagement: Engagement | None,
    card: Scorecard,
    *,
    implicit: bool = False,
    carry_over: bool = False,
) -> Baseline | None:
    """`--baseline FILE|DIR|latest`. With no flag and `implicit` (a --max-drop gate is set), the
    latest saved run when there is one: so a `max_drop` in alignment.yaml works without flags.
    `latest` skips a saved run that is `card` itself (scored and saved a moment ago)."""
    if ref is None:
        if not implicit or engagement is None:
            return None
        run = previous_run(load_runs(engagement.history_dir), card)
        return Baseline(run.card, str(run.path)) if run else None
    if ref == LATEST:
        if engagement is None:
            raise UsageError(
                "--baseline latest needs an engagement folder (with alignment.yaml) "
                "whose history/ holds saved runs; give a scorecard file instead"
            )
        run = latest(engagement.history_dir, card)
        return Baseline(run.card, str(run.path))
    path = Path(ref)
    if not path.exists():
        raise UsageError(
            f"--baseline {ref}: no such file or folder (give a saved scorecard, "
            "a folder of answers, or 'latest')"
        )
    card, _ = load_side(path, carry_over=carry_over)
    return Baseline(card, ref)


def save_run(card: Scorecard, engagement: Engagement | None) -> Path:
    if engagement is None:
        raise UsageError(
            "--save writes to an engagement's history/ folder; score an engagement folder "
            "(one with alignment.yaml, made by `alignment init`)"
        )
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


def compare_cards(
    old: Scorecard,
    new: Scorecard,
    new_rubric: LoadedRubric | None = None,
    renamed: Mapping[str, str] | None = None,
) -> Comparison:
    return compare(old, new, renamed if renamed is not None else rubric_renames(new_rubric))


def append_step_summary(text: str) -> str | None:
    """Append to GitHub's step summary when running there. Returns a warning, or None."""
    target = os.environ.get(SUMMARY_ENV, "").strip()
    if not target:
        return None
    try:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        return f"cannot append to {SUMMARY_ENV} ({target}): {exc.strerror}"
    return None
