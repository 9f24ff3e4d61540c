"""What an import is asked to do and what it found: settings, the rows read, the problems."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
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
    source: str | None = None  # --source: the survey tool whose layout the file has
    timezone: str | None = None  # --timezone: IANA zone of times the file states no zone for
    date_order: str | None = None  # --date-order: dmy or mdy, for dates the file leaves open

    def __post_init__(self) -> None:
        from alignment_cli.survey.layouts import SOURCES

        if self.source is not None and self.source not in SOURCES:
            raise UsageError(
                f"--source {self.source!r}: not a survey tool this import knows; one of: "
                + ", ".join(SOURCES)
            )
        if self.date_order is not None and self.date_order not in ("dmy", "mdy"):
            raise UsageError(f"--date-order {self.date_order!r}: give dmy or mdy")
        if self.timezone is not None:
            self.zone()
        if self.timestamp_format is not None:
            message = timestamp_format_problem(self.timestamp_format)
            if message:
                raise UsageError(f"--timestamp-format {self.timestamp_format!r}: {message}")

    def zone(self) -> tzinfo | None:
        """The --timezone zone; a name that is not an IANA zone is refused."""
        if self.timezone is None:
            return None
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(
                f"--timezone {self.timezone!r}: not an IANA time zone name "
                "(such as Europe/Berlin, America/New_York or UTC)"
            ) from None


@dataclass
class ImportedRow:
    """One respondent, ready to write: `data` is the answer file's content, `text` its YAML
    (made when asked for: an import of 100,000 rows holds the answers, not their files)."""

    row: int
    line: int
    name: str
    slug: str
    updated: datetime | None
    data: dict[str, Any]
    # What the pseudonym was made from (a real name or the row's content); None for real names.
    pseudonym_of: str | None = None
    phase_of: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def text(self) -> str:
        from alignment_cli.files.answer_file import answer_file_text

        data = self.data
        return answer_file_text(
            rubric=data["rubric"],
            respondent=data["respondent"],
            organization=data.get("organization"),
            started=data.get("started"),
            updated=data.get("updated"),
            answers=data["answers"],
            notes=data.get("notes", {}),
            phase_of=self.phase_of,
        )


@dataclass
class SurveyImport:
    file: str
    rows: list[ImportedRow]
    problems: list[Problem]
    warnings: list[str]
    read_rows: int
    bad_rows: int
    notes: list[str] = field(default_factory=list)  # the layout read, times and dates taken
    layout: str = ""  # the survey tool whose layout the file was read as
