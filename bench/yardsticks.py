"""The yardsticks: what a data analyst would run on the same answers, one tool per process.

    python bench/yardsticks.py pandas CSV     read the answers as one CSV, per-question means
    python bench/yardsticks.py polars CSV     the same through polars
    python bench/yardsticks.py duckdb CSV     the same through DuckDB
    python bench/yardsticks.py pandas-read CSV   pandas reading a survey export, nothing more
    python bench/yardsticks.py csv CSV        Python's csv module reading every row

pandas, polars and DuckDB belong to the benchmark's own environment (bench/requirements.txt),
never to the tool's dependencies. Prints one JSON object: the rows read and a check figure (the
sum of the means), so a yardstick that read nothing cannot pass for a fast one, and its peak
resident memory.
`python bench/yardsticks.py --have TOOL` exits 0 when TOOL can be imported, 3 when not.

The answers CSV (`write_answers_csv`) has one row per respondent: `respondent`, `role`, then one
column per question holding the answer as the answer file holds it (numbers as numbers, yes/no as
1/0, a choice as its value, a multi choice as values joined by ';'); a skipped, `unknown` or
`n/a` answer is an empty cell. The means are taken over the numeric columns, overall and by role:
what `score` reports per question, without the rubric's weights, conditions or checks.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

MODULES = {"pandas": "pandas", "pandas-read": "pandas", "polars": "polars", "duckdb": "duckdb"}


def write_answers_csv(path: Path, question_ids: list[str], documents: Iterable[Any]) -> int:
    """The answer documents (datagen.respondent_document) as one CSV; the rows written."""
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["respondent", "role", *question_ids])
        for doc in documents:
            answers = doc["answers"]
            out.writerow(
                [
                    doc["respondent"]["name"],
                    doc["respondent"]["role"],
                    *(_cell(answers.get(q)) for q in question_ids),
                ]
            )
            rows += 1
    return rows


def _cell(value: Any) -> str:
    if value is None or value in ("unknown", "n/a"):
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def _pandas(path: Path) -> dict[str, Any]:
    import pandas as pd

    df = pd.read_csv(path)
    numeric = df.select_dtypes("number")
    overall = numeric.mean()
    by_role = numeric.groupby(df["role"]).mean()
    return {"rows": len(df), "check": float(overall.sum()), "groups": len(by_role)}


def _polars(path: Path) -> dict[str, Any]:
    import polars as pl
    import polars.selectors as cs

    df = pl.read_csv(path, infer_schema_length=None)
    numeric = df.select(cs.numeric())
    overall = numeric.mean()
    by_role = df.group_by("role").agg(cs.numeric().mean())
    check = sum(v for v in overall.row(0) if v is not None)
    return {"rows": df.height, "check": float(check), "groups": by_role.height}


def _duckdb(path: Path) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TABLE answers AS SELECT * FROM read_csv_auto(?)", [str(path)])
    columns = con.execute("DESCRIBE answers").fetchall()
    numeric = [
        name
        for name, kind, *_ in columns
        if any(k in kind for k in ("INT", "DOUBLE", "DECIMAL", "FLOAT"))
    ]
    means = ", ".join(f'avg("{c}")' for c in numeric)
    overall = con.execute(f"SELECT count(*), {means} FROM answers").fetchone() or (0,)
    groups = con.execute(f"SELECT role, {means} FROM answers GROUP BY role").fetchall()
    check = sum(v for v in overall[1:] if v is not None)
    return {"rows": int(overall[0]), "check": float(check), "groups": len(groups)}


def _pandas_read(path: Path) -> dict[str, Any]:
    import pandas as pd

    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return {"rows": len(df), "check": float(df.shape[1])}


def _csv(path: Path) -> dict[str, Any]:
    rows = cells = 0
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            rows += 1
            cells += len(row)
    return {"rows": rows - 1, "check": float(cells)}


RUNNERS = {
    "pandas": _pandas,
    "polars": _polars,
    "duckdb": _duckdb,
    "pandas-read": _pandas_read,
    "csv": _csv,
}


def main(argv: list[str]) -> int:
    if argv[0] == "--have":
        import importlib.util

        module = MODULES.get(argv[1], "csv")
        return 0 if importlib.util.find_spec(module) is not None else 3
    tool, path = argv[0], Path(argv[1])
    result = RUNNERS[tool](path)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from worker import peak_rss_mb

    print(json.dumps({"tool": tool, **result, "peak_mb": peak_rss_mb()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
