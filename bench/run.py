"""The performance budget, measured on this machine: start-up, scoring, report, CSV import.

    .venv/bin/python bench/run.py            # full run (a few minutes)
    .venv/bin/python bench/run.py --quick    # smaller sizes, fewer start-up runs

Generates its own data (deterministic for --seed) in a temporary folder, prints tables and
PASS/MISS against the targets, and always exits 0: it is a report, not a test. Every load and
score runs in a fresh process (bench/worker.py), so peak memory is that of the work alone.

Each figure with a target is a ratio to a yardstick measured in the same run, by CPU time (user
+ system) of whole child processes, the commands taking turns round after round, the ratio the
median of the rounds' ratios: the one-command Typer hello-world's `--help` for start-up;
pandas, polars and DuckDB reading the same answers as one CSV for scoring; pandas and Python's
csv module reading the survey export for import. pandas, polars and DuckDB come from the
benchmark's own environment (bench/requirements.txt, bench/.venv), never the tool's; without
them the benchmark says so and skips those targets.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
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
# Start-up, CPU time against the floor: a one-command Typer hello-world's `--help` (issue 19).
HELP_RATIO_TARGET = 1.2  # the --help of the app and of every command
RUBRIC_LIST_RATIO_TARGET = 1.5  # `alignment rubric list`
SCORE_SMALL_RATIO_TARGET = 2.0  # `alignment score` of a small engagement (examples/halfway)
REPORT_TARGET_S = 1.0  # ... and reported in under one second more
PEAK_TARGET_MB = 300.0
TARGET_SIZE = 10_000
SCORING_PANDAS_RATIO_TARGET = 2.0  # load and score against pandas on the same answers as one CSV
IMPORT_PANDAS_RATIO_TARGET = 5.0  # CSV import against pandas reading the same file
IMPORT_PEAK_TARGET_MB = 1024.0  # peak resident memory of that import (issue 19: under 1 GB)

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
    """The environment for every child: no colour, a fixed width, and bytecode cached as an
    installed tool has it (PYTHONDONTWRITEBYTECODE would have every run of a checkout compile
    our modules from source, while the libraries' bytecode came with their install)."""
    env = dict(os.environ)
    env.update({"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "100"})
    for name in (
        "PYTHONPROFILEIMPORTTIME",
        "PYTHONTRACEMALLOC",
        "FORCE_COLOR",
        "PYTHONDONTWRITEBYTECODE",
    ):
        env.pop(name, None)
    return env


# -- start-up -----------------------------------------------------------------------------------


def alignment_command() -> list[str]:
    """`alignment` as a user runs it: the console script next to this interpreter, if any."""
    script = Path(sys.executable).parent / "alignment"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "alignment_cli"]


@dataclass
class Child:
    """One finished child process: its own CPU time (user + system), wall time, peak memory."""

    cpu: float
    wall: float
    peak_mb: float
    stdout: str
    system: float = 0.0  # of cpu, the kernel's (for an import: mostly making its files)


def run_child(argv: Sequence[str], *, env: dict[str, str] | None = None) -> Child:
    """Run argv to the end; its figures come from wait4, so they are this child's alone."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(argv), env=env or bench_env(), stdout=subprocess.PIPE, stderr=err
        )
        assert proc.stdout is not None
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        proc.stdout.close()
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {tail}")
    text = out.decode(errors="replace")
    return Child(usage.ru_utime + usage.ru_stime, wall, _reported_peak(text), text, usage.ru_stime)


def _reported_peak(stdout: str) -> float:
    """The peak memory a worker or yardstick reports of itself (`peak_mb` in its last line), or
    NaN. Not the child's ru_maxrss: Linux carries the parent's peak over fork and exec."""
    try:
        return float(json.loads(stdout.strip().splitlines()[-1])["peak_mb"])
    except (IndexError, KeyError, TypeError, ValueError):
        return math.nan


def paired_runs(
    commands: dict[str, list[str]], runs: int, *, before: Callable[[str], None] | None = None
) -> dict[str, list[Child]]:
    """Each command `runs` times, interleaved (one of each per round) so that other load on the
    machine hits all alike; the first round warms caches and is dropped. Every other round runs
    the commands in reverse order, so that no command always runs just after the same one, or
    always first or last: its place in the round cannot bias its ratio. `before(name)` runs
    ahead of each command (say, to lay out a fresh folder for it)."""
    out: dict[str, list[Child]] = {name: [] for name in commands}
    names = list(commands)
    for round_ in range(runs + 1):
        for name in names if round_ % 2 else reversed(names):
            argv = commands[name]
            if before is not None:
                before(name)
            child = run_child(argv)
            if round_:
                out[name].append(child)
    return out


def cpu_ratio(runs: dict[str, list[Child]], name: str, yardstick: str) -> float:
    """The median over rounds of name's CPU time over the yardstick's in the same round."""
    return statistics.median(
        a.cpu / b.cpu for a, b in zip(runs[name], runs[yardstick], strict=True)
    )


def median_cpu(children: Sequence[Child]) -> float:
    return statistics.median(c.cpu for c in children)


def median_wall(children: Sequence[Child]) -> float:
    return statistics.median(c.wall for c in children)


def help_commands(cli: list[str]) -> dict[str, list[str]]:
    """`alignment --help` and the --help of every command and sub-command, as registered now."""
    from typer.main import get_command

    from alignment_cli.cli.main import app

    commands = {"alignment --help": [*cli, "--help"]}

    def walk(command: object, prefix: list[str]) -> None:
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            if getattr(sub, "hidden", False):
                continue
            words = [*prefix, name]
            commands[f"alignment {' '.join(words)} --help"] = [*cli, *words, "--help"]
            walk(sub, words)

    walk(get_command(app), [])
    return commands


FLOOR = "typer hello --help"
SMALL_ENGAGEMENT = HERE.parent / "examples" / "halfway"


def startup(runs: int, tmp: Path) -> None:
    heading(
        f"Start-up (CPU time of each child, {runs} interleaved rounds; ratio = median of the "
        f"rounds' ratios to the Typer floor)"
    )
    hello = tmp / "hello_typer.py"
    hello.write_text(HELLO_APP, encoding="utf-8")
    small = tmp / "small-engagement"
    shutil.copytree(SMALL_ENGAGEMENT, small)
    py = sys.executable
    cli = alignment_command()
    helps = help_commands(cli)
    targets: dict[str, float] = dict.fromkeys(helps, HELP_RATIO_TARGET)
    targets["alignment rubric list"] = RUBRIC_LIST_RATIO_TARGET
    targets[f"alignment score {SMALL_ENGAGEMENT.name}"] = SCORE_SMALL_RATIO_TARGET
    commands = {
        "python -c pass": [py, "-c", "pass"],
        FLOOR: [py, str(hello), "--help"],
        **helps,
        "alignment rubric list": [*cli, "rubric", "list"],
        f"alignment score {SMALL_ENGAGEMENT.name}": [*cli, "score", str(small)],
    }
    measured = paired_runs(commands, runs)
    rows = []
    ratios: dict[str, float] = {}
    for name, children in measured.items():
        ratio = cpu_ratio(measured, name, FLOOR)
        ratios[name] = ratio
        target = targets.get(name)
        rows.append(
            [
                name,
                f"{median_cpu(children) * 1000:.0f}",
                f"{median_wall(children) * 1000:.0f}",
                f"{ratio:.2f}x",
                "" if target is None else f"{target:g}x",
                "" if target is None else mark(ratio <= target),
            ]
        )
    table(["command", "CPU ms", "wall ms", "CPU / floor", "target", ""], rows)
    floor_ms = median_cpu(measured[FLOOR]) * 1000
    print(
        f"\nalignment = {' '.join(cli)}; the floor = {hello.name} (a one-command Typer app) "
        f"run by {py}; {SMALL_ENGAGEMENT.name} = examples/{SMALL_ENGAGEMENT.name}; "
        "rubric list as a user runs it the second time (the dropped first round fills its cache)"
    )
    worst = max(helps, key=lambda name: ratios[name])
    verdict(
        f"every --help <= {HELP_RATIO_TARGET}x the Typer floor (CPU)",
        f"worst {ratios[worst]:.2f}x: {worst} ({len(helps)} measured; floor {floor_ms:.0f} ms)",
        ratios[worst] <= HELP_RATIO_TARGET,
    )
    for name in ("alignment rubric list", f"alignment score {SMALL_ENGAGEMENT.name}"):
        verdict(
            f"{name} <= {targets[name]:g}x the Typer floor (CPU)",
            f"{ratios[name]:.2f}x ({median_cpu(measured[name]) * 1000:.0f} ms)",
            ratios[name] <= targets[name],
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


# -- scoring against the analyst's tools -------------------------------------------------------

YARDSTICKS = HERE / "yardsticks.py"
SCORING_YARDSTICKS = ("pandas", "polars", "duckdb")
BENCH_ENV_HINT = (
    "python3 -m venv bench/.venv && bench/.venv/bin/pip install -r bench/requirements.txt "
    "(or pass --yardstick-python)"
)


def yardstick_python(given: str | None) -> str:
    """The interpreter that runs pandas, polars and DuckDB: --yardstick-python, else the
    benchmark's own environment (bench/.venv), else this one."""
    if given:
        return given
    own = HERE / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    return str(own) if own.exists() else sys.executable


def missing_yardsticks(py: str, tools: Sequence[str]) -> list[str]:
    """The tools that `py` cannot import; each is said once, with how to install it."""
    missing = []
    for tool in tools:
        proc = subprocess.run(
            [py, str(YARDSTICKS), "--have", tool], env=bench_env(), capture_output=True, check=False
        )
        if proc.returncode != 0:
            missing.append(tool)
    if missing:
        print(
            f"NOT INSTALLED in {py}: {', '.join(missing)} (yardsticks only, never the tool's "
            f"dependencies). To measure them: {BENCH_ENV_HINT}"
        )
    return missing


def write_answers_table(loaded: Any, n: int, path: Path, seed: int) -> Path:
    """The answers of the generated set of n respondents (same seed) as one CSV."""
    from datagen import respondent_document
    from yardsticks import write_answers_csv

    ids = [q.id for q in loaded.rubric.questions]
    write_answers_csv(path, ids, (respondent_document(loaded, i, seed) for i in range(n)))
    return path


def scoring_yardsticks_section(
    folders: dict[int, Path], tmp: Path, seed: int, runs: int, py: str
) -> None:
    n = TARGET_SIZE if TARGET_SIZE in folders else max(folders)
    heading(
        f"Scoring against the analyst's tools ({n:,} respondents; CPU time of each whole child "
        f"process, {runs} interleaved rounds; ratio = median of the rounds' ratios)"
    )
    sys.path.insert(0, str(HERE))
    from datagen import bench_rubric

    loaded, _ = bench_rubric()
    answers = write_answers_table(loaded, n, tmp / f"answers-{n}.csv", seed)
    ours_csv = "alignment (score answers.csv)"
    missing = missing_yardsticks(py, SCORING_YARDSTICKS)
    present = [t for t in SCORING_YARDSTICKS if t not in missing]
    commands = {
        "alignment (load and score)": [sys.executable, str(WORKER), "score", str(folders[n])],
        # The same respondents as one CSV, as a survey export is scored (`alignment score
        # answers.csv`): the same input the yardsticks read.
        ours_csv: [sys.executable, str(WORKER), "score-csv", str(answers)],
    }
    for tool in present:
        commands[f"{tool} (read CSV, per-question means)"] = [
            py,
            str(YARDSTICKS),
            tool,
            str(answers),
        ]
    measured = paired_runs(commands, runs)
    ours = "alignment (load and score)"
    rows = []
    for name, children in measured.items():
        row = [name, f"{median_cpu(children):.3f}", f"{median_wall(children):.3f}"]
        row.append(f"{statistics.median(c.peak_mb for c in children):.0f}")
        row.append("" if name in (ours, ours_csv) else f"{cpu_ratio(measured, ours, name):.2f}x")
        rows.append(row)
    table(["process", "CPU s", "wall s", "peak MB", "alignment / this"], rows)
    print(
        f"\nthe same {n:,} respondents: {folders[n].name}/responses (answer files) and "
        f"{answers.name} ({answers.stat().st_size / 1024:,.0f} KiB, one row each); every process "
        f"counted whole (interpreter, imports, work); yardsticks run by {py}"
    )
    for mine, what in ((ours, "answer files loaded and scored"), (ours_csv, "scored from one CSV")):
        target = f"{n:,} {what} <= {SCORING_PANDAS_RATIO_TARGET:g}x pandas (CPU)"
        if "pandas" not in present:
            verdict(target, "pandas not installed", None)
            continue
        key = "pandas (read CSV, per-question means)"
        ratio = cpu_ratio(measured, mine, key)
        others = ", ".join(
            f"{t} {cpu_ratio(measured, mine, f'{t} (read CSV, per-question means)'):.2f}x"
            for t in present
            if t != "pandas"
        )
        verdict(
            target,
            f"{ratio:.2f}x ({median_cpu(measured[mine]):.2f} s vs {median_cpu(measured[key]):.2f} s"
            + (f"; {others}" if others else "")
            + ")",
            ratio <= SCORING_PANDAS_RATIO_TARGET,
        )


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


def import_section(rows: int, tmp: Path, seed: int, runs: int, py: str) -> None:
    heading(
        f"CSV import ({rows:,} rows; CPU time of each whole child process, {runs} interleaved "
        "rounds; ratio = median of the rounds' ratios)"
    )
    sys.path.insert(0, str(HERE))
    from adapters import import_unavailable, write_csv

    reason = import_unavailable()
    if reason:
        print(f"SKIPPED: {reason}")
        return
    csv_path = write_csv(tmp / "import", rows, seed)
    empty = csv_path.parent / "engagement"
    into = csv_path.parent / "run"
    ours = "alignment import"

    done = csv_path.parent / "done"
    rounds = itertools.count()

    def fresh(name: str) -> None:  # each import writes every file into an empty engagement
        if name == ours:
            # The last round's files are moved aside, not deleted, until the section ends:
            # ext4 hands out inodes freed moments ago slowly (it skips recently deleted ones),
            # and a folder of 100,000 files just removed would have the next import charged
            # seconds of kernel time for the benchmark's own cleanup.
            if into.exists():
                done.mkdir(exist_ok=True)
                into.rename(done / f"run-{next(rounds)}")
            shutil.copytree(empty, into)

    commands = {
        ours: [sys.executable, str(WORKER), "import", str(csv_path), str(into)],
        "csv module (read every row)": [sys.executable, str(YARDSTICKS), "csv", str(csv_path)],
    }
    if not missing_yardsticks(py, ["pandas-read"]):
        commands["pandas (read_csv)"] = [py, str(YARDSTICKS), "pandas-read", str(csv_path)]
    try:
        measured = paired_runs(commands, runs, before=fresh)
    finally:
        shutil.rmtree(done, ignore_errors=True)
    written = json.loads(measured[ours][-1].stdout.strip().splitlines()[-1])["rows"]
    if written != rows:
        raise RuntimeError(f"imported {written:,} files, expected {rows:,}")
    table(
        ["process", "CPU s", "of it system s", "wall s", "peak MB", "import / this"],
        [
            [
                name,
                f"{median_cpu(children):.3f}",
                f"{statistics.median(c.system for c in children):.3f}",
                f"{median_wall(children):.3f}",
                f"{statistics.median(c.peak_mb for c in children):.0f}",
                "" if name == ours else f"{cpu_ratio(measured, ours, name):.2f}x",
            ]
            for name, children in measured.items()
        ],
    )
    print(
        f"\n{csv_path.name}: {csv_path.stat().st_size / 1024:,.0f} KiB, {rows:,} rows; import = "
        "importer.import_csv into an empty engagement: read, match columns, check every row, "
        f"write {rows:,} files; every process counted whole (interpreter, imports, work). "
        "The import's system time is mostly the kernel making its files, which varies with "
        "what was deleted on the same file system moments before (by anyone)"
    )
    target = f"import of {rows:,} rows <= {IMPORT_PANDAS_RATIO_TARGET:g}x pandas reading the file"
    if "pandas (read_csv)" in measured:
        ratio = cpu_ratio(measured, ours, "pandas (read_csv)")
        verdict(
            target,
            f"{ratio:.2f}x (CPU; {cpu_ratio(measured, ours, 'csv module (read every row)'):.2f}x "
            "the csv module)",
            ratio <= IMPORT_PANDAS_RATIO_TARGET,
        )
    else:
        verdict(target, "pandas not installed", None)
    peak = max(c.peak_mb for c in measured[ours])
    verdict(
        f"import of {rows:,} rows peaks < {IMPORT_PEAK_TARGET_MB:,.0f} MB resident",
        f"{peak:,.0f} MB (the highest of the rounds)",
        None if math.isnan(peak) else peak < IMPORT_PEAK_TARGET_MB,
    )


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
    parser.add_argument(
        "--import-rows",
        type=int,
        help="rows of the CSV import (default 10,000, quick 1,000; issue 19's size: 100000)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated data")
    parser.add_argument(
        "--yardstick-python",
        help="the interpreter with pandas, polars and DuckDB (default: bench/.venv if present)",
    )
    args = parser.parse_args(argv)

    sizes = (
        tuple(int(s) for s in args.sizes.split(","))
        if args.sizes
        else (QUICK_SIZES if args.quick else FULL_SIZES)
    )
    runs = args.runs or (3 if args.quick else 10)
    repeat = args.repeat or (2 if args.quick else 5)
    import_rows = args.import_rows or (1_000 if args.quick else 10_000)
    only = (
        set(args.only.split(","))
        if args.only
        else {"startup", "score", "report", "import", "evidence"}
    )

    print("# alignment benchmark")
    print(machine())
    tmp = Path(tempfile.mkdtemp(prefix="alignment-bench-"))
    # The tool's user cache (rubric list's checks passed) is the benchmark's own, never the user's.
    os.environ["ALIGNMENT_CACHE_DIR"] = str(tmp / "user-cache")
    started = time.perf_counter()
    try:
        if "startup" in only:
            guarded("start-up", startup, runs, tmp)
        if only & {"score", "report"}:
            folders = make_data(sizes, tmp, args.seed)
            if "score" in only:
                guarded("load and score", score_section, folders, repeat)
                guarded(
                    "scoring yardsticks",
                    scoring_yardsticks_section,
                    folders,
                    tmp,
                    args.seed,
                    repeat,
                    yardstick_python(args.yardstick_python),
                )
            if "report" in only:
                guarded("report", report_section, folders, repeat)
        if "import" in only:
            guarded(
                "CSV import",
                import_section,
                import_rows,
                tmp,
                args.seed,
                repeat,
                yardstick_python(args.yardstick_python),
            )
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
