"""Survey exports (CSV) back into answer files: one responses file per row.

Survey tools export one row per respondent and (mostly) one column per question, headed by the
question's text; answers come back as the label the survey showed ("4 - Mostly"), not as the
rubric's values. Each tool lays its file out its own way (extra header rows, one column per
option): layouts.py recognises the layout from the header and reads it as one header. This module
matches columns to questions, reads every cell back into the responses format, and checks each
result exactly as `alignment score` will, so an import never writes a file that scoring refuses.

Nothing here writes until every row has been read: problems are collected with their row and
column, and the caller decides (with --partial) whether good rows are written anyway.
The rules for reading values are documented in docs/forms-and-import.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alignment_cli.errors import InvalidInput
from alignment_cli.survey.mapping import load_mapping
from alignment_cli.survey.rows import collector_paused, read_survey
from alignment_cli.survey.settings import ImportSettings, SurveyImport
from alignment_cli.survey.writing import (
    WritePlan,
    conflicts,
    output_folder,
    plan_writes,
    write_plan,
)


@dataclass
class ImportOutcome:
    result: SurveyImport
    plan: WritePlan


def import_csv(
    csv_path: Path,
    into: Path,
    *,
    rubric_ref: str | None = None,
    mapping_path: Path | None = None,
    settings: ImportSettings | None = None,
    partial: bool = False,
    overwrite: bool = False,
    dry_run: bool = False,
) -> ImportOutcome:
    """The whole import, as `alignment import` runs it; writes nothing unless all is well.

    The rubric and organisation come from the engagement at `into` unless given. With
    `partial`, rows with problems are left out (and listed in `result.problems`) instead of
    stopping the import; an import where no row is usable still fails.
    """
    from dataclasses import replace

    from alignment_cli.errors import UsageError
    from alignment_cli.files.engagement import find_engagement
    from alignment_cli.files.rubric_cache import load_rubric
    from alignment_cli.model.roles import resolve_role

    if into.exists() and not into.is_dir():
        raise UsageError(f"--into {into}: is a file; give the engagement folder to import into")
    engagement = find_engagement(into) if into.exists() else None
    loaded = load_rubric(rubric_ref or (engagement.rubric_ref() if engagement else None))
    settings = replace(settings) if settings else ImportSettings()
    if settings.organization is None and engagement is not None:
        settings.organization = engagement.config.organization
    if settings.default_role is not None:
        settings.default_role = resolve_role(loaded.rubric, settings.default_role)
    if mapping_path is not None:
        settings.mapping = load_mapping(mapping_path, loaded)
    with collector_paused():
        result = read_survey(csv_path, loaded, settings)
        if result.problems and (not partial or not result.rows):
            raise InvalidInput(result.problems)
        plan = plan_writes(result.rows, output_folder(into), overwrite=overwrite)
        clashes = conflicts(plan, str(csv_path))
        if clashes:
            raise InvalidInput(clashes)
        if not dry_run:
            write_plan(plan)
    return ImportOutcome(result, plan)
