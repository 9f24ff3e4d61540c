"""Fuzzing the rubric loader: whatever the file holds, the only error that escapes is InvalidInput.

Three sources of input: random YAML documents, random YAML-looking text, and random mutations of
docs/examples/minimal-rubric.yaml (of its data and of its text), which reach far deeper into the
validator than random documents do. A rubric that loads must also show (tree and JSON).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import MINIMAL_RUBRIC
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from alignment_cli.cli.main import app
from alignment_cli.cli.views.rubric import rubric_as_json, rubric_tree
from alignment_cli.errors import InvalidInput
from alignment_cli.model.rubric import load_rubric

MINIMAL_TEXT = MINIMAL_RUBRIC.read_text(encoding="utf-8")
MINIMAL_DATA: dict[str, Any] = yaml.safe_load(MINIMAL_TEXT)

# Kept small for the everyday run; ALIGNMENT_FUZZ_EXAMPLES=5000 for a long hunt.
EXAMPLES = int(os.environ.get("ALIGNMENT_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Words the validator cares about, so random values often look almost right.
WORDS = [
    "scale", "choice", "multi", "yesno", "number", "text", "n/a", "unknown",
    "assessment", "alignment", "definitions", "service-levels", "sales", "marketing",
    "orientation", "balanced", "sales-led", "lead-definition", "sla-exists", "follow-up-hours",
    "answers.sla_exists == true", "question.lead_definition < 50", "answers.nope", "{{ x }}",
    "answers.x.__class__", "'a' * 99999999", "1.0.0", "high", "joint", "", " ",
]  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(WORDS),
)
keys = st.one_of(
    st.sampled_from([*MINIMAL_DATA, "id", "type", "options", "bands", "when"]),
    st.text(max_size=8),
    st.integers(0, 9),  # anchors are keyed by numbers; mixing 1 and "1" once crashed the hash
    st.integers(0, 9).map(str),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)
TOKENS = [
    "- ", ": ", "[", "]", "{", "}", ", ", "&a ", "*a ", "\n", "  ", "? ", "!!str ", "!!binary ",
    "'", '"', "# c", "|\n", ">-\n", "---\n", "...\n", "<<: ", "id", "questions", "x", "1", "\t",
    "%YAML 1.1\n", "\\", "\x85", "\ufeff", "é", "~",
]  # fmt: skip
yamlish = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def check(path: Path, text: str) -> None:
    """The invariant: load cleanly or raise InvalidInput with located, readable problems."""
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        loaded = load_rubric(path)
    except InvalidInput as exc:
        assert exc.problems, exc.message
        for problem in exc.problems:
            assert problem.file == str(path)
            assert problem.message.strip()
            assert problem.line is None or problem.line >= 1
        return
    # A rubric that loads must also show, as a tree and as JSON.
    json.dumps(rubric_as_json(loaded))
    Console(file=io.StringIO(), width=100).print(rubric_tree(loaded))


@FUZZ
@given(doc=values)
def test_random_yaml_documents(workdir: Path, doc: Any) -> None:
    check(workdir / "doc.yaml", yaml.safe_dump(doc, allow_unicode=True))


@FUZZ
@given(text=st.one_of(yamlish, st.text(max_size=200)))
def test_random_yaml_text(workdir: Path, text: str) -> None:
    check(workdir / "text.yaml", text)


def _paths(node: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield at
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*at, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*at, i))


PATHS = [p for p in _paths(MINIMAL_DATA) if p]


def _mutate(data: Any, path: tuple[Any, ...], op: str, new: Any) -> Any:
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if op == "delete":
        del parent[last]
    elif op == "replace":
        parent[last] = new
    elif op == "duplicate" and isinstance(parent, list):
        parent.insert(last, json.loads(json.dumps(parent[last], default=str)))
    elif op == "add-key" and isinstance(parent[last], dict):
        parent[last][new if isinstance(new, int) else str(new)[:10] or "k"] = new
    return data


@FUZZ
@given(
    edits=st.lists(
        st.tuples(
            st.sampled_from(PATHS),
            st.sampled_from(["delete", "replace", "duplicate", "add-key"]),
            values,
        ),
        min_size=1,
        max_size=3,
    )
)
def test_mutations_of_a_valid_rubric(workdir: Path, edits: list[tuple[Any, str, Any]]) -> None:
    data = json.loads(json.dumps(MINIMAL_DATA))
    for path, op, new in edits:
        try:
            data = _mutate(data, path, op, new)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed the spot; the document is still worth loading
    check(workdir / "mutant.yaml", yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


@FUZZ
@given(
    cuts=st.lists(
        st.tuples(
            st.integers(0, len(MINIMAL_TEXT)),
            st.integers(0, 40),
            st.one_of(st.sampled_from(TOKENS), st.sampled_from(WORDS), st.just("")),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_text_edits_of_a_valid_rubric(workdir: Path, cuts: list[tuple[int, int, str]]) -> None:
    text = MINIMAL_TEXT
    for start, length, insert in cuts:
        text = text[:start] + insert + text[start + length :]
    check(workdir / "edited.yaml", text)


@settings(
    max_examples=max(10, EXAMPLES // 4), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(text=st.one_of(yamlish, values.map(lambda d: yaml.safe_dump(d))))
def test_the_cli_never_shows_a_traceback(workdir: Path, text: str) -> None:
    path = workdir / "cli.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    result = CliRunner().invoke(app, ["rubric", "validate", str(path)])
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_the_fuzz_inputs_reach_the_validator(workdir: Path) -> None:
    # Guard against a fuzzer that only ever produces YAML syntax errors: a one-field change of
    # the example is a model error, reported with its path.
    data = _mutate(json.loads(json.dumps(MINIMAL_DATA)), ("questions", 1, "type"), "replace", 1.5)
    path = workdir / "reach.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(InvalidInput) as exc:
        load_rubric(path)
    assert [p.path for p in exc.value.problems] == ["questions[1].type"]
