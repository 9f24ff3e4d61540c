"""The benchmark's own parts: its generated data is valid, and the script runs end to end.

bench/run.py measures the real code paths; if its data stopped fitting the rubric, it would
measure the error path instead, and if an API it calls changed, its sections would fail.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from datagen import (  # noqa: E402
    FALLBACK_RUBRIC,
    answer_file_text,
    bench_rubric,
    respondent_document,
)

from alignment_cli.files.responses import AnswerChecker, Responses  # noqa: E402
from alignment_cli.model.rubric import LoadedRubric, load_rubric  # noqa: E402


def _rubrics() -> list[LoadedRubric]:
    loaded, note = bench_rubric()
    assert note is None, note
    return [loaded, load_rubric(FALLBACK_RUBRIC)]


@pytest.mark.parametrize("loaded", _rubrics(), ids=lambda x: x.rubric.id)
def test_generated_answers_fit_the_rubric(loaded: LoadedRubric) -> None:
    docs = [respondent_document(loaded, i, seed=7) for i in range(120)]
    for doc in docs:
        responses = Responses.model_validate(doc)
        assert AnswerChecker(loaded).errors(responses) == [], doc["respondent"]
        text = answer_file_text(loaded, doc)
        assert Responses.model_validate(yaml.safe_load(text)) == responses
    roles = {d["respondent"]["role"] for d in docs}
    assert roles == {x.id for x in loaded.rubric.roles}
    # Conditional questions are sometimes asked, sometimes skipped, and reserved answers occur.
    conditional = set(loaded.conditions)
    answered = [set(d["answers"]) for d in docs]
    assert any(conditional & a for a in answered)
    assert any(conditional - a for a in answered)
    values = [v for d in docs for v in d["answers"].values()]
    assert "unknown" in values


def test_generated_data_is_deterministic() -> None:
    loaded, _ = bench_rubric()
    assert respondent_document(loaded, 5, seed=1) == respondent_document(loaded, 5, seed=1)
    assert respondent_document(loaded, 5, seed=1) != respondent_document(loaded, 5, seed=2)
    assert respondent_document(loaded, 5, seed=1) != respondent_document(loaded, 6, seed=1)


def test_the_benchmark_runs_end_to_end() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            *("--only", "score,report", "--sizes", "2,4", "--repeat", "1"),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "FAILED" not in out, out
    assert "## Load and score" in out and "## Targets" in out
    assert "2 -> 4: x" in out  # the doubling check ran
    assert "## Scoring against the analyst's tools (4 respondents" in out


def test_the_answers_table_holds_the_answer_files_answers(tmp_path: Path) -> None:
    """The yardsticks read the same answers the answer files hold: one row per respondent, an
    empty cell where there is no number or label to read."""
    import csv

    from yardsticks import RUNNERS, write_answers_csv

    loaded, _ = bench_rubric()
    ids = [q.id for q in loaded.rubric.questions]
    docs = [respondent_document(loaded, i, seed=3) for i in range(12)]
    path = tmp_path / "answers.csv"
    assert write_answers_csv(path, ids, docs) == 12
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["role"] for r in rows] == [d["respondent"]["role"] for d in docs]
    for row, doc in zip(rows, docs, strict=True):
        for q in ids:
            value = doc["answers"].get(q)
            cell = row[q]
            if value is None or value in ("unknown", "n/a"):
                assert cell == ""
            elif isinstance(value, bool):
                assert cell == ("1" if value else "0")
            elif isinstance(value, list):
                assert cell.split(";") == ([str(v) for v in value] or [""])
            elif isinstance(value, int | float):
                assert float(cell) == value
            else:
                assert cell == value
    assert RUNNERS["csv"](path)["rows"] == 12
