"""The CRM evidence measurement: generated Salesforce exports, our import against DuckDB itself.

    python bench/evidence.py generate DIR LEADS ACTIVITIES SEED   write Lead.csv and Task.csv
    python bench/evidence.py worker ours|duckdb Lead.csv Task.csv  one timed run, fresh process

The exports are written by DuckDB from hashes of the row number and the seed (deterministic for
a seed and a DuckDB version): Data Loader's date format, made-up names and e-mails, a quarter of
leads, activities spread over them (some leads get none). The yardstick is DuckDB reading the
same two files into tables (its own CSV sniffer and types) in the same kind of fresh process;
the worker prints wall time and peak resident memory as JSON. bench/run.py's evidence section
runs both, in turns, and keeps the fastest of each.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SOURCES = [
    "Web",
    "Trade Show",
    "Webinar",
    "Content",
    "Cold Call",
    "Outbound",
    "Partner Referral",
    "",
]


def generate(folder: Path, leads: int, activities: int, seed: int) -> tuple[Path, Path]:
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    lead_csv, task_csv = folder / "Lead.csv", folder / "Task.csv"
    sources = "[" + ", ".join(f"'{s}'" for s in SOURCES) + "]"
    created = f"TIMESTAMP '2026-04-01' + to_seconds((hash(i, {seed}) % (91 * 86400))::BIGINT)"
    fmt = "'%Y-%m-%dT%H:%M:%S.000+0000'"
    con = duckdb.connect()
    con.execute(
        f"""COPY (SELECT printf('00Q%012d', i) AS Id, printf('First%d', i) AS FirstName,
              printf('Last%d', i) AS LastName, printf('lead%d@example.com', i) AS Email,
              strftime({created}, {fmt}) AS CreatedDate,
              {sources}[1 + (hash(i, {seed}, 1) % 8)::BIGINT] AS LeadSource,
              CASE WHEN hash(i, {seed}, 2) % 5 = 0 THEN 'true' ELSE 'false' END AS IsConverted,
              CASE WHEN hash(i, {seed}, 2) % 5 = 0 THEN printf('006%012d', i) ELSE '' END
                AS ConvertedOpportunityId,
              'Open' AS Status
            FROM range({leads}) t(i)) TO '{lead_csv}' (HEADER, DELIMITER ',')"""
    )
    who = f"(hash(j, {seed}, 3) % {leads})::BIGINT"
    lead_created = created.replace("hash(i,", f"hash({who},")
    delay = f"to_seconds((hash(j, {seed}, 4) % (96 * 3600))::BIGINT)"
    con.execute(
        f"""COPY (SELECT printf('00T%012d', j) AS Id, printf('00Q%012d', {who}) AS WhoId,
              'Call' AS Subject, ['Call', 'Email', 'Task'][1 + j % 3] AS TaskSubtype,
              strftime({lead_created} + {delay}, {fmt}) AS CreatedDate
            FROM range({activities}) t(j)) TO '{task_csv}' (HEADER, DELIMITER ',')"""
    )
    con.close()
    return lead_csv, task_csv


def _rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def work(how: str, files: list[Path]) -> dict[str, Any]:
    """One run: our import (exports in, evidence file out) or DuckDB reading the files."""
    base = _rss_mb()
    start = time.perf_counter()
    if how == "ours":
        from alignment_cli.evidence.importer import run

        with tempfile.TemporaryDirectory() as out:
            outcome = run(files, Path(out), mapping_path=None, dry_run=False)
            metrics = len(outcome.document["metrics"])
    else:
        import duckdb

        con = duckdb.connect()
        for i, f in enumerate(files):
            con.execute(f"CREATE TABLE t{i} AS SELECT * FROM read_csv('{f}')")
        metrics = 0
        con.close()
    return {
        "seconds": time.perf_counter() - start,
        "peak_mb": _rss_mb(),
        "base_mb": base,
        "metrics": metrics,
    }


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    if command == "generate":
        paths = generate(Path(rest[0]), int(rest[1]), int(rest[2]), int(rest[3]))
        print(json.dumps([str(p) for p in paths]))
    else:
        print(json.dumps(work(rest[0], [Path(p) for p in rest[1:]])))
