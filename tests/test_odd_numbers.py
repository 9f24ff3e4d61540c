"""Answers YAML 1.1 reads as numbers nobody typed (`1:30` as 90, `0x1F` as 31, `017` as 15)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from alignment_cli.files import flatyaml
from alignment_cli.files.yamlio import parse_yaml
from tests.conftest import MINIMAL_RESPONSES, MINIMAL_RUBRIC

Invoke = Callable[..., Any]
R = str(MINIMAL_RUBRIC)


@pytest.mark.parametrize(
    ("written", "read_as"),
    [("1:30", 90), ("0x1E", 30), ("017", 15), ("0b11", 3), ("1_000", 1000), ("-0x1E", -30)],
)
@pytest.mark.parametrize("where", ["follow-up-hours: {}", "handoff-channels: [crm-task, {}]"])
def test_an_odd_number_as_an_answer_is_a_located_exit_2(
    tmp_path: Path, invoke: Invoke, written: str, read_as: int, where: str
) -> None:
    assert yaml.safe_load(written) == read_as  # what YAML 1.1 makes of it
    folder = tmp_path / "answers"
    folder.mkdir()
    text = (MINIMAL_RESPONSES / "sam.yaml").read_text("utf-8")
    key = where.split(":")[0]
    old = next(ln for ln in text.splitlines() if ln.strip().startswith(key + ":"))
    body = text.replace(old, "  " + where.format(written))
    path = folder / "sam.yaml"
    path.write_text(body, "utf-8")
    line = next(i for i, ln in enumerate(body.splitlines(), 1) if ln.strip().startswith(key))
    assert flatyaml.parse(body) is None  # the fast reader leaves it to the guarded loader
    parse_yaml(str(path), body)  # which reads it: the refusal is the answer check's
    result = invoke("score", str(folder), "--rubric", R)
    assert result.exit_code == 2, result.output
    assert f"{path}:{line}:" in result.stderr
    assert f"'{written}'" in result.stderr and "quotes" in result.stderr


def test_plain_numbers_and_quoted_text_still_read(tmp_path: Path, invoke: Invoke) -> None:
    folder = tmp_path / "answers"
    folder.mkdir()
    text = (MINIMAL_RESPONSES / "sam.yaml").read_text("utf-8")
    for value in ("30", "0", "0.5", "-1.5e+3", "1.0"):
        (folder / "sam.yaml").write_text(
            text.replace("follow-up-hours: 30", f"follow-up-hours: {value}"), "utf-8"
        )
        result = invoke("score", str(folder), "--rubric", R)
        assert "quotes" not in result.stderr, (value, result.stderr)
