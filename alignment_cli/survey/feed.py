"""Scoring straight from a survey export: its rows as the respondents scoring reads, no files.

`alignment score survey.csv` reads the export as `alignment import` does (the same layouts,
column matching, cell reading and checks, the latest row of a person winning) and hands the
scoring pipeline one `ResponseFile` per person, in the order their answer files would have
been read, so the scorecard is the one importing then scoring gives (tested). Nothing is
written. A row with a problem stops the run, located by CSV line and column, as import does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from alignment_cli.errors import InvalidInput, Problem

if TYPE_CHECKING:  # `score` of answer files alone imports none of the survey reader
    from alignment_cli.files.responses import ResponseFile
    from alignment_cli.model.rubric import LoadedRubric
    from alignment_cli.survey.settings import ImportedRow, ImportSettings, SurveyImport

SURVEY_SUFFIXES = (".csv", ".tsv", ".txt")
"""The inputs `alignment score` reads as survey exports (any other file is an answer file);
.txt is Excel's "Unicode Text" (UTF-16, tab-separated), as Microsoft Forms' sheets save."""


def is_survey_export(path: Path) -> bool:
    return path.suffix.lower() in SURVEY_SUFFIXES and not path.is_dir()


@dataclass
class SurveySource:
    """A survey export as respondents: call it with the rubric scoring uses.

    After the call, `result` holds what the read found (notes, warnings such as dropped
    answers), for the command to say, as import says them.
    """

    path: Path
    settings: ImportSettings
    result: SurveyImport | None = None

    def __call__(self, loaded: LoadedRubric) -> Iterator[ResponseFile]:
        from alignment_cli.survey.rows import read_survey

        result = self.result = read_survey(self.path, loaded, self.settings)
        if result.problems:
            raise InvalidInput(result.problems)
        rows = _in_file_order(result.rows, str(self.path))
        return _respondents(self.path, rows, loaded)


def _in_file_order(rows: list[ImportedRow], file: str) -> list[ImportedRow]:
    """The rows in the order `alignment score` reads the answer files an import of them
    writes into an empty folder (by file name: the same stems plan_writes gives them)."""
    from alignment_cli.files.names import file_stem

    taken: dict[str, str] = {}
    for r in rows:
        try:
            r.slug = file_stem(r.name, taken.get)
        except ValueError as exc:
            raise InvalidInput([Problem(file, r.line, 1, f"row {r.row}: {exc}")]) from None
        taken[r.slug] = r.name
    return sorted(rows, key=lambda r: f"{r.slug}.yaml")


def _respondents(
    path: Path, rows: list[ImportedRow], loaded: LoadedRubric
) -> Iterator[ResponseFile]:
    """One respondent at a time, made as it is asked for (each named by its CSV line). Their
    answers were sorted by this rubric's rules as they were read: scoring's checks are not run
    again (tests/test_import_stream.py holds the rows to that checker)."""
    from alignment_cli.files.responses import ResponseFile, Responses

    rubric_hash = loaded.content_hash
    for r in rows:
        responses = Responses.model_validate(r.data)
        yield ResponseFile(Path(f"{path}:{r.line}"), responses, sorted_by=rubric_hash)


def survey_source(path: Path) -> SurveySource:
    """The export at `path`, read as `alignment import PATH` into the engagement it sits in
    would read it (that engagement's organisation salts pseudonyms, as import's does)."""
    from alignment_cli.files.engagement import find_engagement
    from alignment_cli.survey.settings import ImportSettings

    engagement = find_engagement(path)
    organization = engagement.config.organization if engagement else None
    return SurveySource(path, ImportSettings(organization=organization))
