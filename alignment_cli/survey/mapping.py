"""The mapping file (`--mapping`): which column holds which question, name, role or time,
and how a survey's labels read as the rubric's values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from alignment_cli.errors import InvalidInput, Problem
from alignment_cli.files.responses import (
    AnswerValue,
    value_error,
)
from alignment_cli.files.yamlio import Document, load_yaml
from alignment_cli.model.models import Model
from alignment_cli.model.roles import find_role
from alignment_cli.model.rubric import LoadedRubric

# ---------------------------------------------------------------------------------------------
# The mapping file


class SurveyMapping(Model):
    """`--mapping FILE`: what a survey export calls things, when it is not the rubric's words."""

    name_column: str | None = None
    role_column: str | None = None
    timestamp_column: str | None = None
    timestamp_format: str | None = None
    columns: dict[str, str] = {}
    notes: dict[str, str] = {}
    ignore: list[str] = []
    roles: dict[str, str] = {}
    values: dict[str, dict[str, AnswerValue]] = {}


@dataclass
class LoadedMapping:
    mapping: SurveyMapping
    doc: Document


def load_mapping(path: Path, loaded: LoadedRubric) -> LoadedMapping:
    """Read and check a mapping file against the rubric; every problem located in the file."""
    from alignment_cli.model.rubric import pydantic_problems

    doc = load_yaml(path)
    problems: list[Problem] = []
    data = _text_keys(doc, problems)
    if problems:
        raise InvalidInput(problems)
    try:
        mapping = SurveyMapping.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(pydantic_problems(doc, exc, SurveyMapping)) from None
    questions = loaded.questions
    roles = {r.id for r in loaded.rubric.roles}

    def unknown_question(qid: str) -> str:
        from alignment_cli.model.rubric import _unknown

        return _unknown("question", qid, set(questions)) + f" in rubric '{loaded.rubric.id}'"

    for section in ("columns", "notes"):
        for header, qid in getattr(mapping, section).items():
            if qid not in questions:
                problems.append(doc.problem((section, header), unknown_question(qid)))
    for label, role in mapping.roles.items():
        if (found := find_role(loaded.rubric, role)) is not None:
            mapping.roles[label] = found  # a title or another case names the same role
        else:
            problems.append(
                doc.problem(
                    ("roles", label), f"unknown role '{role}' (this rubric has: {_ids(roles)})"
                )
            )
    for qid, table in mapping.values.items():
        q = questions.get(qid)
        if q is None:
            problems.append(doc.problem(("values", qid), unknown_question(qid)))
            continue
        for label, answer in table.items():
            message = None if answer is None else value_error(q, answer, loaded)
            if message:
                problems.append(doc.problem(("values", qid, label), message))
    if mapping.timestamp_format:
        message = timestamp_format_problem(mapping.timestamp_format)
        if message:
            problems.append(doc.problem(("timestamp_format",), message))
    if problems:
        raise InvalidInput(problems)
    return LoadedMapping(mapping, doc)


_SAMPLE = datetime(2026, 11, 23, 13, 14, 15)


def timestamp_format_problem(fmt: str) -> str | None:
    """What is wrong with a strptime format, or None: checked once, up front, by writing a
    sample time with it and reading it back, so that a format that cannot read a date fails
    here rather than on every row (or inside the regex engine: `%Y%Y` names a group twice)."""
    hint = "write one like '%d/%m/%Y %H:%M:%S' (see Python's strptime codes)"
    try:
        back = datetime.strptime(_SAMPLE.strftime(fmt), fmt)
    except (ValueError, re.error, TypeError, IndexError) as exc:
        return f"not a usable timestamp format ({exc}); {hint}"
    if back.date() != _SAMPLE.date():
        return f"not a usable timestamp format: it does not hold a whole date; {hint}"
    return None


def _text_keys(doc: Document, problems: list[Problem]) -> Any:
    """Mapping keys are column and label texts: YAML may read `2024:` as a number, fine; but
    `Yes:` as true loses the text, so ask for quotes."""
    data = doc.data
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for section in ("columns", "notes", "roles", "values"):
        table = data.get(section)
        if not isinstance(table, dict):
            continue
        new: dict[Any, Any] = {}
        for key, value in table.items():
            if section == "values" and isinstance(value, dict):
                inner: dict[Any, Any] = {}
                for k, v in value.items():
                    inner[_key_text(doc, (section, key, k), k, problems)] = v
                value = inner
            new[_key_text(doc, (section, key), key, problems)] = value
        out[section] = new
    return out


def _key_text(doc: Document, loc: tuple[Any, ...], key: Any, problems: list[Problem]) -> Any:
    if isinstance(key, bool) or key is None:
        problems.append(
            doc.problem(loc, "put this key in quotes: unquoted, YAML reads it as " + repr(key))
        )
        return key
    if isinstance(key, int | float):
        return str(key)
    return key


def _ids(ids: set[str] | list[str]) -> str:
    return ", ".join(sorted(ids))
