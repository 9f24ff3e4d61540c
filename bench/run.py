"""The performance budget, measured on this machine: start-up, scoring, report, CSV import.

    .venv/bin/python bench/run.py            # full run (a few minutes)
    .venv/bin/python bench/run.py --quick    # smaller sizes, fewer start-up runs

Generates its own data (deterministic for --seed) in a temporary folder, prints tables and
PASS/MISS against the targets, and always exits 0: it is a report, not a test. Every load and
score runs in a fresh process (bench/worker.py), so peak memory is that of the work alone.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORKER = HERE / "worker.py"

# Targets from the performance budget (issue 9), on a 2-core machine.
HELP_RATIO_TARGET = 1.2  # `alignment --help` against a one-command Typer app's `--help`
SCORE_TARGET_S = 3.0  # 10,000 respondents loaded and scored
REPORT_TARGET_S = 1.0  # ... and reported in under one second more
PEAK_TARGET_MB = 300.0
TARGET_SIZE = 10_000

NOT_IN_SIZES = f"not measured ({TARGET_SIZE:,} is not among the sizes run)"

FULL_SIZES = (1, 100, 1_000, 5_000, 10_000)
QUICK_SIZES = (1, 100, 500, 1_000)

HELLO_APP = '''\
import typer

app = typer.Typer()


@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    typer.echo(f"hello {name}")


if __name__ == "__main__":
    app()
'''


@dataclass
class Verdict:
    target: str
    measured: str
    ok: bool | None  # None: not measured


VERDICTS: list[Verdict] = []


def verdict(target: str, measured: str, ok: bool | None) -> None:
    VERDICTS.append(Verdict(target, measured, ok))


def mark(ok: bool | None) -> str:
    return "SKIP" if ok is None else ("PASS" if ok else "MISS")


def heading(title: str) -> None:
    print(f"\n## {title}\n", flush=True)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest]).rstrip()

    print(line(headers))
    print(line(["-" * w for w in widths]))
    for row in rows:
        print(line(row))
    sys.stdout.flush()


def bench_env() -> dict[str, str]:
    """The environment for every child: no colour, a fixed width."""
    env = dict(os.environ)
    env.update({"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "100"})
    for name in ("PYTHONPROFILEIMPORTTIME", "PYTHONTRACEMALLOC", "FORCE_COLOR"):
        env.pop(name, None)
    return env


# -- start-up -----------------------------------------------------------------------------------


def alignment_command() -> list[str]:
    """`alignment` as a user runs it: the console script next to this interpreter, if any."""
    script = Path(sys.executable).parent / "alignment"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "alignment_cli"]


def time_commands(
    commands: dict[str, list[str]], runs: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall and CPU (user + system) time of each command, `runs` times, interleaved so that
    load on the machine hits all alike. CPU time is the steadier figure on a busy machine."""
    env = bench_env()
    wall: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs + 1):  # the first round warms caches and is dropped
        for name, argv in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            proc = subprocess.run(argv, env=env, capture_output=True, check=False)
            elapsed = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if proc.returncode != 0:
                raise RuntimeError(
                    f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr.decode()[-500:]}"
                )
            wall[name].append(elapsed)
            cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return (
        {name: t[1:] for name, t in wall.items()},
        {name: t[1:] for name, t in cpu.items()},
    )


def startup(runs: int, tmp: Path) -> None:
    heading(f"Start-up (median of {runs} runs, interleaved; a subprocess each)")
    hello = tmp / "hello_typer.py"
    hello.write_text(HELLO_APP, encoding="utf-8")
    py = sys.executable
    cli = alignment_command()
    commands = {
        "python -c pass": [py, "-c", "pass"],
        "typer hello --help": [py, str(hello), "--help"],
        "alignment --help": [*cli, "--help"],
        "alignment rubric --help": [*cli, "rubric", "--help"],
        "alignment score --help": [*cli, "score", "--help"],
        "alignment rubric list": [*cli, "rubric", "list"],
    }
    wall, cpu = time_commands(commands, runs)
    med = {name: statistics.median(t) for name, t in wall.items()}
    cpu_med = {name: statistics.median(t) for name, t in cpu.items()}
    bare, hello_s = med["python -c pass"], med["typer hello --help"]
    rows = []
    for name, t in wall.items():
        rows.append(
            [
                name,
                f"{med[name] * 1000:.0f}",
                f"{min(t) * 1000:.0f}",
                f"{max(t) * 1000:.0f}",
                f"{med[name] / bare:.1f}x",
                f"{med[name] / hello_s:.2f}x",
                f"{cpu_med[name] * 1000:.0f}",
                f"{cpu_med[name] / cpu_med['typer hello --help']:.2f}x",
            ]
        )
    table(
        [
            "command",
            "median ms",
            "min ms",
            "max ms",
            "/ python",
            "/ typer hello",
            "CPU ms",
            "CPU / hello",
        ],
        rows,
    )
    print(f"\nalignment = {' '.join(cli)}; typer hello = {hello.name}, run by {py}")
    ratio = med["alignment --help"] / hello_s
    cpu_ratio = cpu_med["alignment --help"] / cpu_med["typer hello --help"]
    verdict(
        f"alignment --help <= {HELP_RATIO_TARGET}x typer hello --help",
        f"{ratio:.2f}x ({med['alignment --help'] * 1000:.0f} ms vs {hello_s * 1000:.0f} ms; "
        f"CPU time {cpu_ratio:.2f}x)",
        ratio <= HELP_RATIO_TARGET,
    )
    heavy = heavy_imports(cli)
    verdict(
        "alignment --help imports no heavy module",
        ", ".join(heavy) if heavy else "none of pydantic, jinja2, yaml, the core",
        not heavy,
    )


HEAVY = ("pydantic", "jinja2", "yaml", "alignment_cli.model.rubric", "alignment_cli.scoring.engine")


def heavy_imports(cli: list[str]) -> list[str]:
    """Heavy top-level modules that `alignment --help` imports, from -X importtime."""
    argv = [sys.executable, "-X", "importtime", "-m", "alignment_cli", "--help"]
    proc = subprocess.run(argv, env=bench_env(), capture_output=True, text=True, check=False)
    found = set()
    for line in proc.stderr.splitlines():
        name = line.rsplit("|", 1)[-1].strip()
        if name in HEAVY:
            found.add(name)
    return sorted(found)


# -- load, score, report ------------------------------------------------------------------------


def worker(kind: str, target: Path) -> dict[str, Any]:
    return _worker_once(kind, target)


def workers(kind: str, folders: dict[int, Path], repeat: int) -> dict[int, dict[str, Any]]:
    """For each size, the fastest of `repeat` fresh worker processes (by CPU time where
    measured): other work on the machine only ever adds time. The sizes take turns, so that
    such work hits them alike. `median_s` is the median wall time of a size's runs."""
    runs: dict[int, list[dict[str, Any]]] = {n: [] for n in folders}
    for _ in range(max(1, repeat)):
        for n, folder in folders.items():
            runs[n].append(_worker_once(kind, folder))
    key = {"score": "total_cpu", "report": "report"}[kind]
    wall = {"score": "total", "report": "report"}[kind]
    out: dict[int, dict[str, Any]] = {}
    for n, results in runs.items():
        best = min(results, key=lambda r: float(r[key]))
        best["median_s"] = statistics.median(float(r[wall]) for r in results)
        out[n] = best
    return out


def _worker_once(kind: str, target: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(WORKER), kind, str(target)],
        env=bench_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"worker {kind} {target} failed:\n{proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def make_data(sizes: Sequence[int], tmp: Path, seed: int) -> dict[int, Path]:
    sys.path.insert(0, str(HERE))
    from datagen import bench_rubric, write_engagement

    loaded, note = bench_rubric()
    r = loaded.rubric
    heading("Data")
    if note:
        print(note)
    start = time.perf_counter()
    # Respondent i is the same in every set, so the largest set is written once and the smaller
    # ones link to its first files.
    largest = write_engagement(loaded, tmp / f"n{max(sizes)}", max(sizes), seed=seed)
    folders: dict[int, Path] = {}
    for n in sizes:
        folder = tmp / f"n{n}"
        if folder != largest:
            write_engagement(loaded, folder, 0, seed=seed)
            for i in range(n):
                name = f"respondent-{i:05d}.yaml"
                _link_or_copy(largest / "responses" / name, folder / "responses" / name)
        folders[n] = folder
    print(
        f"rubric {r.id} {r.version}: {len(r.questions)} questions, {len(r.roles)} roles, "
        f"{len(r.recommendations)} recommendations; seed {seed}"
    )
    print(
        f"wrote {max(sizes):,} answer files (sets of {', '.join(f'{n:,}' for n in sizes)}) in "
        f"{time.perf_counter() - start:.1f} s under {tmp}"
    )
    return folders


def _link_or_copy(source: Path, dest: Path) -> None:
    try:
        os.link(source, dest)
    except OSError:
        shutil.copyfile(source, dest)


def score_section(folders: dict[int, Path], repeat: int) -> dict[int, dict[str, Any]]:
    heading(
        "Load and score (pipeline.score_inputs in a fresh process; "
        f"best of {repeat} runs, sizes in turn)"
    )
    results: dict[int, dict[str, Any]] = {}
    rows = []
    prev: tuple[int, float] | None = None
    measured = workers("score", folders, repeat)
    for n, res in measured.items():
        if res["respondents"] != n:
            raise RuntimeError(f"scored {res['respondents']} respondents, expected {n}")
        results[n] = res
        total = res["total"]
        ratio = "" if prev is None else f"{total / prev[1]:.2f} (n x{n / prev[0]:g})"
        rows.append(
            [
                f"{n:,}",
                f"{res['rubric']:.3f}",
                f"{res['parse']:.3f}",
                f"{res['check']:.3f}",
                f"{res['load']:.3f}",
                f"{res['score']:.3f}",
                f"{total:.3f}",
                f"{res['total_cpu']:.3f}",
                f"{total / n * 1e6:,.0f}",
                f"{res['peak_mb']:.0f}",
                ratio,
            ]
        )
        prev = (n, total)
    table(
        [
            "respondents",
            "rubric s",
            "parse s",
            "check s",
            "load s",
            "score s",
            "total s",
            "CPU s",
            "us/resp",
            "peak MB",
            "time ratio",
        ],
        rows,
    )
    first = next(iter(results.values()))
    print(
        "\nload = rubric + parse + check + finding files; CPU s = the process's CPU time for "
        "the total (steadier than wall time on a busy machine)"
    )
    print(
        f"import of the core before it: "
        f"{first['import']:.3f} s, resident {first['base_mb']:.0f} MB (included in peak MB)"
    )
    if TARGET_SIZE in results:
        t = results[TARGET_SIZE]["total"]
        verdict(
            f"{TARGET_SIZE:,} loaded and scored < {SCORE_TARGET_S:g} s",
            f"{t:.2f} s (CPU {results[TARGET_SIZE]['total_cpu']:.2f} s; "
            f"median of runs {results[TARGET_SIZE]['median_s']:.2f} s)",
            t < SCORE_TARGET_S,
        )
    else:
        verdict(f"{TARGET_SIZE:,} loaded and scored < {SCORE_TARGET_S:g} s", NOT_IN_SIZES, None)
    sizes = list(results)
    if len(sizes) >= 2:
        # The last exact doubling in the set, else the growth per doubling between the two
        # largest sizes (time ~ n^k grows by 2^k per doubling). Wall time and CPU time both:
        # on a busy machine CPU time says more about the code.
        pairs = [(a, b) for a, b in itertools.pairwise(sizes) if b == 2 * a]
        a, b = pairs[-1] if pairs else (sizes[-2], sizes[-1])

        def per_doubling(key: str) -> float:
            growth = float(results[b][key]) / float(results[a][key])
            return float(growth ** (1 / math.log2(b / a)))

        wall, cpu = per_doubling("total"), per_doubling("total_cpu")
        what = "" if b == 2 * a else " per doubling"
        verdict(
            "doubling the respondents at most doubles the time",
            f"{a:,} -> {b:,}: x{wall:.2f}{what} (CPU x{cpu:.2f})",
            min(wall, cpu) <= 2.0,
        )
    return results


def report_skip_reason() -> str | None:
    sys.path.insert(0, str(HERE))
    from adapters import report_unavailable

    return report_unavailable()


def report_section(folders: dict[int, Path], repeat: int) -> None:
    heading(
        "Report (load and score, then report.build_context and render, in a fresh process; "
        f"best of {repeat} runs, sizes in turn)"
    )
    reason = report_skip_reason()
    if reason:
        print(f"SKIPPED: {reason}")
        verdict(f"{TARGET_SIZE:,} reported in < {REPORT_TARGET_S:g} s more", "not measured", None)
        return
    rows = []
    results: dict[int, dict[str, Any]] = {}
    for n, res in workers("report", folders, repeat).items():
        results[n] = res
        rows.append(
            [
                f"{n:,}",
                f"{res['total']:.3f}",
                f"{res['context']:.3f}",
                f"{res['md']:.3f}",
                f"{res['html']:.3f}",
                f"{res['report']:.3f}",
                f"{res['total'] + res['report']:.3f}",
                f"{res['md_chars'] / 1024:,.0f}",
                f"{res['html_chars'] / 1024:,.0f}",
                f"{res['peak_mb']:.0f}",
            ]
        )
    table(
        [
            "respondents",
            "load+score s",
            "context s",
            "md s",
            "html s",
            "report s",
            "total s",
            "md KiB",
            "html KiB",
            "peak MB",
        ],
        rows,
    )
    print("\nreport = context + Markdown; peak MB covers load, score and both renderings")
    if TARGET_SIZE in results:
        res = results[TARGET_SIZE]
        verdict(
            f"{TARGET_SIZE:,} reported in < {REPORT_TARGET_S:g} s more",
            f"{res['report']:.2f} s",
            res["report"] < REPORT_TARGET_S,
        )
        verdict(
            f"peak memory of {TARGET_SIZE:,} load+score+report < {PEAK_TARGET_MB:g} MB",
            f"{res['peak_mb']:.0f} MB",
            res["peak_mb"] < PEAK_TARGET_MB,
        )
    else:
        verdict(f"{TARGET_SIZE:,} reported in < {REPORT_TARGET_S:g} s more", NOT_IN_SIZES, None)


def import_section(rows: int, tmp: Path, seed: int) -> None:
    heading(f"CSV import ({rows:,} rows, fresh process)")
    sys.path.insert(0, str(HERE))
    from adapters import import_unavailable, write_csv

    reason = import_unavailable()
    if reason:
        print(f"SKIPPED: {reason}")
        return
    csv_path = write_csv(tmp / "import", rows, seed)
    res = worker("import", csv_path)
    table(
        ["rows", "CSV KiB", "files written", "import s", "us/row", "peak MB"],
        [
            [
                f"{rows:,}",
                f"{csv_path.stat().st_size / 1024:,.0f}",
                f"{res['rows']:,}",
                f"{res['import']:.3f}",
                f"{res['import'] / rows * 1e6:,.0f}",
                f"{res['peak_mb']:.0f}",
            ]
        ],
    )
    print("\nimport = importer.import_csv: read, match columns, check every row, write the files")


# -- CRM evidence (issue 14): self-contained; bench/evidence.py generates and measures -----------

EVIDENCE_RATIO_TARGET = 5.0  # our import against DuckDB itself reading the same two files
EVIDENCE_PEAK_TARGET_MB = 1536.0
EVIDENCE_FULL = (1_000_000, 3_000_000)
EVIDENCE_QUICK = (100_000, 300_000)


def evidence_section(tmp: Path, seed: int, quick: bool, repeat: int) -> None:
    """1,000,000 leads and 3,000,000 activities (quick: a tenth): `alignment evidence import`
    against DuckDB reading the two files, each in fresh processes, taking turns; the fastest
    run of each counts, and the peak memory is our import's."""
    leads, activities = EVIDENCE_QUICK if quick else EVIDENCE_FULL
    heading(f"CRM evidence import ({leads:,} leads, {activities:,} activities)")
    script = HERE / "evidence.py"

    def run_json(*args: str) -> Any:
        proc = subprocess.run(
            [sys.executable, str(script), *args],
            env=bench_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"bench/evidence.py {args[0]} failed:\n{proc.stderr[-2000:]}")
        return json.loads(proc.stdout.strip().splitlines()[-1])

    started = time.perf_counter()
    files = run_json("generate", str(tmp / "crm"), str(leads), str(activities), str(seed))
    made = time.perf_counter() - started
    size_mb = sum(Path(f).stat().st_size for f in files) / 1e6
    ours, theirs = [], []
    for _ in range(max(1, repeat)):
        theirs.append(run_json("worker", "duckdb", *files))
        ours.append(run_json("worker", "ours", *files))
    best_ours = min(ours, key=lambda r: float(r["seconds"]))
    best_duck = min(theirs, key=lambda r: float(r["seconds"]))
    ratio = best_ours["seconds"] / best_duck["seconds"]
    peak = max(float(r["peak_mb"]) for r in ours)
    table(
        ["", "runs", "fastest s", "median s", "peak MB"],
        [
            [
                name,
                str(len(runs)),
                f"{min(r['seconds'] for r in runs):.2f}",
                f"{statistics.median(r['seconds'] for r in runs):.2f}",
                f"{max(r['peak_mb'] for r in runs):.0f}",
            ]
            for name, runs in (("DuckDB reads the two files", theirs), ("our import", ours))
        ],
    )
    print(f"\nfiles: {size_mb:,.0f} MB, generated in {made:.1f} s; ratio {ratio:.2f}x")
    verdict(
        f"evidence import <= {EVIDENCE_RATIO_TARGET:g}x DuckDB reading the files",
        f"{ratio:.2f}x ({best_ours['seconds']:.2f} s against {best_duck['seconds']:.2f} s)",
        ratio <= EVIDENCE_RATIO_TARGET,
    )
    verdict(
        f"evidence import peak < {EVIDENCE_PEAK_TARGET_MB:,.0f} MB",
        f"{peak:,.0f} MB",
        peak < EVIDENCE_PEAK_TARGET_MB,
    )


# -- main ---------------------------------------------------------------------------------------


def guarded(name: str, section: Callable[..., object], *args: Any) -> None:
    """Run one section; a failure (say, a feature changing under us) is reported, not fatal."""
    try:
        section(*args)
    except Exception as exc:
        print(f"FAILED: the {name} section stopped: {type(exc).__name__}: {exc}")
        verdict(f"{name} section ran", "failed", False)


def machine() -> str:
    cpus = os.cpu_count() or 0
    try:
        load = ", load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        load = ""
    return (
        f"{platform.system()} {platform.machine()}, {cpus} CPUs{load}; "
        f"Python {platform.python_version()} ({sys.executable})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer runs")
    parser.add_argument("--runs", type=int, help="start-up runs per command (default 10, quick 3)")
    parser.add_argument("--sizes", help="comma-separated respondent counts, e.g. 1,100,1000")
    parser.add_argument(
        "--repeat",
        type=int,
        help="runs per size of load/score and report; the fastest counts (default 5, quick 2)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data")
    parser.add_argument(
        "--only",
        help="comma-separated sections: startup, score, report, import, evidence (default: all)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated data")
    args = parser.parse_args(argv)

    sizes = (
        tuple(int(s) for s in args.sizes.split(","))
        if args.sizes
        else (QUICK_SIZES if args.quick else FULL_SIZES)
    )
    runs = args.runs or (3 if args.quick else 10)
    repeat = args.repeat or (2 if args.quick else 5)
    import_rows = 1_000 if args.quick else 10_000
    only = (
        set(args.only.split(","))
        if args.only
        else {"startup", "score", "report", "import", "evidence"}
    )

    print("# alignment benchmark")
    print(machine())
    tmp = Path(tempfile.mkdtemp(prefix="alignment-bench-"))
    started = time.perf_counter()
    try:
        if "startup" in only:
            guarded("start-up", startup, runs, tmp)
        if only & {"score", "report"}:
            folders = make_data(sizes, tmp, args.seed)
            if "score" in only:
                guarded("load and score", score_section, folders, repeat)
            if "report" in only:
                guarded("report", report_section, folders, repeat)
        if "import" in only:
            guarded("CSV import", import_section, import_rows, tmp, args.seed)
        if "evidence" in only:
            guarded("CRM evidence", evidence_section, tmp, args.seed, args.quick, repeat)
    finally:
        if args.keep:
            print(f"\ndata kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    heading("Targets")
    table(
        ["", "target", "measured"],
        [[mark(v.ok), v.target, v.measured] for v in VERDICTS],
    )
    print(f"\nbenchmark took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
