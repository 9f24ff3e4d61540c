"""Imports write the same bytes and say the same things as before their speed work (issue 19):
every tool's layout and generated exports of the default rubric (names, notes, dropped answers,
bad rows with --partial, anonymous, nameless), fingerprinted in tests/import_bytes.py."""

from __future__ import annotations

import json
from pathlib import Path

from tests.import_bytes import EXPECTED, scenarios


def test_every_import_writes_the_bytes_it_wrote_before(tmp_path: Path) -> None:
    expected = json.loads(EXPECTED.read_text("utf-8"))
    got = scenarios(tmp_path)
    assert got.keys() == expected.keys()
    for name, want in expected.items():
        assert got[name] == want, name
