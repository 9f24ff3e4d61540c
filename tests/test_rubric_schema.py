"""The JSON Schema (rubrics/rubric.schema.json) is current, valid, and agrees with the validator.

The schema holds every rule about one field or one question; rules over the whole rubric (ids
that must exist, order, band coverage, conditions) are the validator's alone. The corpus below
says which is which: a schema-visible error must be flagged by both, at the same place; a
cross-reference error is flagged by the validator while the schema accepts the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import MINIMAL_RUBRIC, ROOT
from jsonschema import Draft202012Validator
from rubric_cases import BASE, CASES, Case, mutate

from alignment_cli.cli.views.rubric import SCHEMA_FILE, rubric_json_schema, schema_text
from alignment_cli.errors import InvalidInput
from alignment_cli.files.yamlio import format_loc
from alignment_cli.model.rubric import bundled_rubrics, load_rubric

SCHEMA_PATH = ROOT / "rubrics" / SCHEMA_FILE


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    return Draft202012Validator(rubric_json_schema())


def as_json(text: str) -> Any:
    """What an editor's schema check sees: the YAML as JSON (keys become strings)."""
    return json.loads(json.dumps(yaml.safe_load(text), default=str))


def schema_errors(validator: Draft202012Validator, text: str) -> list[str]:
    return sorted(format_loc(tuple(e.absolute_path)) for e in validator.iter_errors(as_json(text)))


def validator_problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "rubric.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_rubric(path)
    except InvalidInput as exc:
        return [p.path for p in exc.problems]
    return []


def test_the_committed_schema_is_up_to_date() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "rubrics/rubric.schema.json is out of date: run "
        "`alignment rubric schema > rubrics/rubric.schema.json`"
    )


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", [*bundled_rubrics(), MINIMAL_RUBRIC], ids=lambda p: p.name)
def test_shipped_rubrics_point_editors_at_the_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix), f"{path.name} should start with {prefix}..."
    assert (path.parent / first.removeprefix(prefix)).resolve() == SCHEMA_PATH.resolve()


def test_fields_carry_descriptions_for_editors() -> None:
    schema = rubric_json_schema()
    missing = [
        f"{name}.{field}"
        for name, definition in schema["$defs"].items()
        for field, spec in definition.get("properties", {}).items()
        if "description" not in spec
    ]
    assert missing == []
    assert all("description" in spec for spec in schema["properties"].values())


GOOD = {
    "base": BASE,
    "every optional field": mutate(
        "  - id: sla\n    phase: align\n",
        "  - id: sla\n    phase: align\n    invert: true\n    allow_na: false\n"
        "    weight: 2.5\n    help: Why.\n    tags: [a, b]\n",
        mutate(
            "    text: Hours?\n",
            "    text: Hours?\n    unit: hours\n",
            mutate("    text: Defined?\n", "    text: Defined?\n    scale: {min: 0, max: 10}\n"),
        ),
    ),
    "minimal example": MINIMAL_RUBRIC.read_text(encoding="utf-8"),
    **{p.name: p.read_text(encoding="utf-8") for p in bundled_rubrics()},
}


@pytest.mark.parametrize("name", list(GOOD))
def test_good_rubrics_pass_both(validator: Draft202012Validator, tmp_path: Path, name: str) -> None:
    assert validator_problems(tmp_path, GOOD[name]) == []
    assert schema_errors(validator, GOOD[name]) == []


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_schema_and_validator_agree_on_bad_rubrics(
    validator: Draft202012Validator, tmp_path: Path, case: Case
) -> None:
    problems = validator_problems(tmp_path, case.text)
    assert problems, "the validator must refuse every case"
    errors = schema_errors(validator, case.text)
    if not case.schema:
        assert errors == [], "a cross-reference error should be the validator's alone"
        return
    assert errors, "the schema should see this error too"
    # Each schema error sits on (or above) a path the validator reports.
    for error in errors:
        assert any(
            p == error or p.startswith((f"{error}.", f"{error}[")) or not error for p in problems
        ), (
            error,
            problems,
        )


def test_schema_visible_cases_cover_each_kind_of_schema_rule() -> None:
    visible = [c for c in CASES if c.schema]
    hidden = [c for c in CASES if not c.schema]
    assert len(visible) >= 20 and len(hidden) >= 20
