"""`alignment import` options refused up front, with the option named and what to write."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MINIMAL_RUBRIC

Invoke = Callable[..., Any]
R = str(MINIMAL_RUBRIC)


@pytest.mark.parametrize("fmt", ["%Y%Y", "%Q", "%", "hello", "%Y", "%H:%M", "%d/%m/%Y%"])
def test_a_nonsense_timestamp_format_is_exit_2_naming_the_option(
    tmp_path: Path, invoke: Invoke, fmt: str
) -> None:
    csv_path = tmp_path / "survey.csv"
    csv_path.write_text("Timestamp,Name,Role,lead-definition\n13/01/2026,A,sales,2\n", "utf-8")
    out = tmp_path / "out"
    args = ["import", str(csv_path), "--into", str(out), "--rubric", R]
    result = invoke(*args, "--timestamp-format", fmt)
    assert result.exit_code == 2, result.output
    assert f"--timestamp-format {fmt!r}" in result.stderr
    assert "%d/%m/%Y %H:%M:%S" in result.stderr  # what to write instead
    assert not out.exists()
    good = invoke(*args, "--timestamp-format", "%d/%m/%Y")
    assert good.exit_code == 0, good.output


def test_a_nonsense_timestamp_format_in_a_mapping_is_located(
    tmp_path: Path, invoke: Invoke
) -> None:
    csv_path = tmp_path / "survey.csv"
    csv_path.write_text("Timestamp,Name,Role,lead-definition\n13/01/2026,A,sales,2\n", "utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("name_column: Name\ntimestamp_format: '%Y%Y'\n", "utf-8")
    result = invoke(
        "import", str(csv_path), "--into", str(tmp_path / "out"), "--rubric", R,
        "--mapping", str(mapping),
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"{mapping}:2:" in result.stderr and "timestamp_format" in result.stderr
