"""The one writer of answer files: exactly PyYAML's scalars, a lossless round trip, and the layout
the interview has always written (so files written before change no byte when rewritten)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLES, MINIMAL_RESPONSES, MINIMAL_RUBRIC, ROOT, V1_EXAMPLES, V1_RUBRIC
from hypothesis import given, settings
from hypothesis import strategies as st

from alignment_cli.files import answer_file
from alignment_cli.files.responses import Responses, load_response_file
from alignment_cli.files.yamlio import parse_yaml
from alignment_cli.model.rubric import DEFAULT_RUBRIC, load_rubric


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


def _str(dumper: Any, value: str) -> Any:
    return dumper.represent_scalar(
        "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None
    )


_Dumper.add_representer(str, _str)


def _reference(value: Any, flow: bool) -> str:
    """PyYAML's own text for `value` (the interview's writer before there was one writer)."""
    options: dict[str, Any] = {"Dumper": _Dumper, "allow_unicode": True, "width": 1_000_000}
    if flow:
        return str(yaml.dump([value], default_flow_style=True, **options)).strip()[1:-1]
    text = str(yaml.dump({"k": value}, default_flow_style=False, **options))
    return text[3:-1]


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.text(alphabet="abcXYZ019 -_.,:#'/()&+é", max_size=20),
    st.sampled_from(["yes", "no", "on", "null", "~", "1.0", "0x1F", "1:30", "2026-01-02", "-"]),
)


@settings(max_examples=600, deadline=None)
@given(value=SCALARS, flow=st.booleans())
def test_every_scalar_is_written_as_pyyaml_writes_it(value: Any, flow: bool) -> None:
    if isinstance(value, str) and any(b in value for b in "\n\r\x85\u2028\u2029"):
        # Text of several lines is ours to lay out: PyYAML's own block can end in a '...'
        # marker or break at U+2028, which corrupt a file; it must read back (tests below).
        text = answer_file.scalar(value)
        assert yaml.safe_load(f"k: {text}\n") == {"k": value}
        return
    assert answer_file.scalar(value, flow=flow) == _reference(value, flow)


@settings(max_examples=300, deadline=None)
@given(
    name=st.text(min_size=1, max_size=30).filter(lambda s: s.strip() == s and s.strip()),
    organization=st.one_of(st.none(), st.text(max_size=30)),
    note=st.text(max_size=60),
    answer=SCALARS,
    listed=st.lists(st.one_of(st.text(max_size=10), st.integers()), max_size=4),
)
def test_what_is_written_reads_back_the_same(
    name: str, organization: str | None, note: str, answer: Any, listed: list[Any]
) -> None:
    text = answer_file.answer_file_text(
        rubric={"id": "r", "version": "1.0", "hash": "sha256:674a87f88c376b86"},
        respondent={"name": name, "role": "sales"},
        organization=organization,
        started=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        updated=None,
        answers={"a": answer, "b": listed},
        notes={"a": note},
        phase_of={"a": "assessment", "b": "alignment"},
    )
    data = parse_yaml("written.yaml", text).data
    assert data["respondent"] == {"name": name, "role": "sales"}
    assert data["rubric"]["version"] == "1.0"
    assert data.get("organization") == organization
    back = data["answers"]["a"]
    assert back == answer or (isinstance(back, float) and math.isnan(back))
    assert type(back) is type(answer)
    assert data["answers"]["b"] == listed
    assert data["notes"]["a"] == note


def _answer_files() -> list[Path]:
    """Each with its rubric: the shipped examples' are the bundled default's (their layout is
    checked as shipped content), the frozen ones' are V1_RUBRIC."""
    return [
        *MINIMAL_RESPONSES.glob("*.yaml"),
        *EXAMPLES.glob("*/responses/*.yaml"),
        *V1_EXAMPLES.glob("*/responses/*.yaml"),
    ]


def _rubric_of(path: Path) -> str | Path:
    if path.is_relative_to(MINIMAL_RESPONSES):
        return MINIMAL_RUBRIC
    return V1_RUBRIC if path.is_relative_to(V1_EXAMPLES) else DEFAULT_RUBRIC


def _interview_writer_before(responses: Responses, phase_of: dict[str, str]) -> str:
    """The interview's own writer before there was one writer (PyYAML for every value)."""

    def dump(data: Any, flow: bool | None) -> str:
        return str(
            yaml.dump(
                data,
                Dumper=_Dumper,
                sort_keys=False,
                allow_unicode=True,
                default_flow_style=flow,
                width=1_000_000,
            )
        )

    def entry(key: str, value: Any) -> list[str]:
        text = (
            f"{key}: {dump(value, True).strip()}"
            if isinstance(value, list)
            else dump({key: value}, False).rstrip("\n")
        )
        return [f"  {line}" if line else line for line in text.splitlines()]

    head: dict[str, Any] = {
        "rubric": responses.rubric.model_dump(exclude_none=True),
        "respondent": responses.respondent.model_dump(),
    }
    if responses.organization is not None:
        head["organization"] = responses.organization
    lines = [dump(head, None).rstrip("\n")]
    for key in ("started", "updated"):
        stamp = getattr(responses, key)
        if stamp is not None:
            lines.append(f"{key}: {stamp.strftime('%Y-%m-%dT%H:%M:%SZ')}")
    lines.append("answers:")
    current = None
    for qid, value in responses.answers.items():
        if phase_of.get(qid) != current:
            current = phase_of[qid]
            lines.append(f"  # {current}")
        lines.extend(entry(qid, value))
    lines.append("notes:")
    for qid, text in responses.notes.items():
        lines.extend(entry(qid, text))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "path", _answer_files(), ids=lambda p: str(p.relative_to(ROOT).parent.parent / p.name)
)
def test_the_layout_is_the_interviews_and_rewriting_changes_nothing(
    path: Path, tmp_path: Path
) -> None:
    loaded = load_rubric(_rubric_of(path))
    phase_of = {q.id: q.phase for q in loaded.rubric.questions}
    responses = load_response_file(path).responses
    text = answer_file.responses_text(responses, loaded)
    if responses.answers and responses.notes:
        assert text == _interview_writer_before(responses, phase_of)
    again = tmp_path / path.name
    again.write_text(text, encoding="utf-8")
    back = load_response_file(again).responses
    assert back == responses  # nothing typed is altered
    assert answer_file.responses_text(back, loaded) == text  # a resumed file stays as it is


def test_phases_are_named_where_they_start_and_empty_answers_stay_a_mapping() -> None:
    loaded = load_rubric(MINIMAL_RUBRIC)
    responses = Responses.model_validate(
        {
            "rubric": {"id": loaded.rubric.id, "version": loaded.rubric.version},
            "respondent": {"name": "Dana Lee", "role": "marketing"},
        }
    )
    text = answer_file.responses_text(responses, loaded)
    assert text.endswith("answers: {}\n")
    assert "notes" not in text


def test_question_ids_that_yaml_reads_as_other_types_stay_text() -> None:
    text = answer_file.answer_file_text(
        rubric={"id": "r", "version": "1"},
        respondent={"name": "Dana Lee", "role": "sales"},
        organization=None,
        started=None,
        updated=None,
        answers={"on": 1, "yes": "no", "null": [1], "1": True},
        notes={"off": "x"},
        phase_of={},
    )
    data = parse_yaml("ids.yaml", text).data
    assert data["answers"] == {"on": 1, "yes": "no", "null": [1], "1": True}
    assert data["notes"] == {"off": "x"}


@pytest.mark.parametrize(
    "text", ["keep\n\n", "\n", "a\nb\u2028c", "a\r\nb", "  lead\nx", "end\n", "é\n\u2029", "x\x85y"]
)
def test_text_with_any_line_break_reads_back_from_the_whole_file(text: str) -> None:
    written = answer_file.answer_file_text(
        rubric={"id": "r", "version": "1"},
        respondent={"name": "Kim", "role": "sales"},
        organization=text,
        started=None,
        updated=None,
        answers={"a": text},
        notes={"a": text, "z": text},
        phase_of={"a": "assessment"},
    )
    data = parse_yaml("breaks.yaml", written).data
    assert data["organization"] == text
    assert data["answers"] == {"a": text}
    assert data["notes"] == {"a": text, "z": text}
