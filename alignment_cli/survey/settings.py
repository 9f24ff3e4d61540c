"""What an import is asked to do and what it found: settings, the rows read, the problems."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from alignment_cli.errors import Problem, UsageError
from alignment_cli.survey.mapping import LoadedMapping, timestamp_format_problem


@dataclass
class ImportSettings:
    """What `alignment import` was asked; a `--timestamp-format` that cannot read a date is
    refused here, before any file is read."""

    organization: str | None = None
    anonymous: bool = False
    default_role: str | None = None
    name_column: str | None = None
    role_column: str | None = None
    timestamp_column: str | None = None
    timestamp_format: str | None = None
    mapping: LoadedMapping | None = None

    def __post_init__(self) -> None:
        if self.timestamp_format is not None:
            message = timestamp_format_problem(self.timestamp_format)
            if message:
                raise UsageError(f"--timestamp-format {self.timestamp_format!r}: {message}")


@dataclass
class ImportedRow:
    """One respondent, ready to write: `data` is the answer file's content, `text` its YAML."""

    row: int
    line: int
    name: str
    slug: str
    updated: datetime | None
    data: dict[str, Any]
    text: str = ""
    # What the pseudonym was made from (a real name or the row's content); None for real names.
    pseudonym_of: str | None = None


@dataclass
class SurveyImport:
    file: str
    rows: list[ImportedRow]
    problems: list[Problem]
    warnings: list[str]
    read_rows: int
    bad_rows: int
