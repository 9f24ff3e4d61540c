"""Answers as a survey tool exports them: the inverse of `alignment import`, for round trips.

Test and benchmark code only (the tool itself never writes a survey export): the round-trip
tests import what this writes, and bench/ generates its 10,000-row CSV with it.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from alignment_cli.files.responses import NA, UNKNOWN
from alignment_cli.model.models import Question
from alignment_cli.model.qtypes import KINDS
from alignment_cli.model.rubric import LoadedRubric
from alignment_cli.survey.forms import (
    NAME_HEADER,
    ROLE_HEADER,
    TIMESTAMP_HEADER,
    csv_columns,
)


def survey_cell(loaded: LoadedRubric, q: Question, value: Any) -> str:
    """An answer as the label text a survey tool puts in its export (the inverse of import).

    Multi answers are joined with ", " as Google Forms does, labels with commas and all.
    """
    if value is None:
        return ""
    if value == UNKNOWN:
        return "Don't know"
    if value == NA:
        return "Not applicable"
    return KINDS[q.type].cell(q, value)


def survey_csv(
    loaded: LoadedRubric, documents: list[dict[str, Any]], role: str | None = None
) -> str:
    """A CSV export with the form's columns (see csv_header) for answer-file contents."""
    columns = csv_columns(loaded, role)
    rows: list[list[str]] = [[TIMESTAMP_HEADER, NAME_HEADER, ROLE_HEADER] + [h for h, _ in columns]]
    for doc in documents:
        updated: Any = doc.get("updated")
        stamp = updated.isoformat() if isinstance(updated, datetime) else str(updated or "")
        answers = doc.get("answers") or {}
        rows.append(
            [stamp, doc["respondent"]["name"], doc["respondent"]["role"]]
            + [survey_cell(loaded, q, answers.get(q.id)) for _, q in columns]
        )
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()
