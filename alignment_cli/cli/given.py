"""What `score` and `report` were given, scored: answer files and folders, and survey exports
read in place (alignment_cli/survey/feed.py), with what reading them has to say on stderr."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from alignment_cli.cli import console

if TYPE_CHECKING:
    from alignment_cli.scoring.pipeline import RespondentSource, Scored
    from alignment_cli.survey.feed import SurveySource


def score_given(
    inputs: list[Path] | None,
    *,
    rubric: str | None,
    carry_over: bool,
    now: datetime | None = None,
) -> Scored:
    """Score the inputs as one set (files ending .csv, .tsv or .txt are survey exports), with
    a progress line on a terminal; then say what import would say of each export (its layout,
    answers dropped) and warn of interrupted imports in the folders read."""
    from alignment_cli.cli.progress import reading_progress
    from alignment_cli.scoring.pipeline import score_inputs

    given = inputs or []
    exports = ExportsRead()
    read_as = [exports(p) for p in given]
    surveys = [s for s in read_as if s is not None]
    answers = [p for p, s in zip(given, read_as, strict=True) if s is None]
    with reading_progress() as reading:
        scored = score_inputs(
            answers,
            rubric_ref=rubric,
            carry_over=carry_over,
            now=now,
            sources=surveys,
            progress=reading,
        )
    exports.tell()
    _warn_of_interrupted_imports(answers or ([] if surveys else [Path.cwd()]), scored.files)
    return scored


class ExportsRead:
    """Which paths are survey exports to read in place, for the inputs, baselines and `compare`
    (alignment_cli/scoring/tracking.py `SourceOf`), keeping each one made so that `tell` says
    what import would say of it (its layout, answers dropped), as `score survey.csv` says it."""

    def __init__(self) -> None:
        self._read: list[SurveySource] = []

    def __call__(self, path: Path) -> RespondentSource | None:
        from alignment_cli.survey.feed import is_survey_export, survey_source

        if not is_survey_export(path):
            return None
        source = survey_source(path)
        self._read.append(source)
        return source

    def tell(self) -> None:
        for survey in self._read:
            if survey.result is not None:
                for note in survey.result.notes:
                    console.err.print(f"note: {note}", markup=False)
                for said in survey.result.warnings:
                    console.err.print(f"warning: {said}", markup=False)
        self._read.clear()


def _warn_of_interrupted_imports(inputs: list[Path], files: list[Path]) -> None:
    """An import killed while renaming its files may have left some answers old, some new."""
    import os

    from alignment_cli.files.writes import interrupted_warning

    # Each folder named once before it is resolved: thousands of files share a few folders.
    found = [Path(d) for d in dict.fromkeys(os.path.dirname(p) or "." for p in files)]
    for given in inputs:
        found += [given, given / "responses"] if given.is_dir() else [given.parent]
    folders = {os.path.realpath(f): f for f in found}  # each folder once, however it is named
    for _, folder in sorted(folders.items()):
        warning = interrupted_warning(
            folder, again="run that import again to complete it before trusting these scores"
        )
        if warning:
            console.err.print(f"warning: {warning}", markup=False)
