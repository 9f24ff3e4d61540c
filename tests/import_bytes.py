"""What imports write, byte for byte, over many shapes of export: the fingerprints that
tests/test_import_bytes.py holds every import to (tests/data/import-bytes.json, made by the
import before its speed work; `python -m tests.import_bytes` prints them anew).

Each scenario imports into an empty folder and is fingerprinted by every file written (name and
bytes) and everything the import said (notes, warnings, problems), so a faster path that writes
one byte differently, drops an answer differently or words a warning differently is caught.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import sys
from pathlib import Path
from typing import Any

from alignment_cli.errors import InvalidInput
from alignment_cli.model.rubric import DEFAULT_RUBRIC, LoadedRubric, load_rubric
from alignment_cli.survey.forms import NAME_HEADER, ROLE_HEADER, TIMESTAMP_HEADER, csv_columns
from alignment_cli.survey.importer import import_csv
from alignment_cli.survey.settings import ImportSettings
from tests.conftest import MINIMAL_RUBRIC, ROOT
from tests.survey_export import survey_cell

DATA = ROOT / "tests" / "data" / "import"
EXPECTED = ROOT / "tests" / "data" / "import-bytes.json"

TOOL_FIXTURES = [
    "surveymonkey/all-responses-expanded.csv",
    "surveymonkey/all-responses-numerical.csv",
    "qualtrics/choice-text.csv",
    "qualtrics/numeric-values.csv",
    "microsoft-forms/csv-utf8.csv",
    "microsoft-forms/unicode-text.txt",
    "microsoft-forms/german-excel.csv",
    "typeform/per-choice-columns.csv",
    "typeform/joined-choices.csv",
    "limesurvey/question-code.csv",
    "limesurvey/full-question-text.csv",
    "google-sheets/form-responses-1.csv",
    "jotform/submissions.csv",
    "google-forms.csv",
    "surveymonkey.csv",
    "microsoft-forms.csv",
]

_NAMES = ["王芳", "José Núñez", "Łukasz 李", "Иван Петров", "O'Brien, Pat", "yes", "Null"]
_NOTES = [
    "leads: nobody agrees",
    "see #12 # not a comment",
    "two lines\nof note",
    "trailing blank line\n\n",
    "  spaced  ",
    "'quoted' and \"double\"",
    "ünïcødé — dash",
    "- starts like a list",
]


def generated_csv(
    loaded: LoadedRubric, rows: int, seed: int, *, bad: bool = False, names: bool = True
) -> str:
    """An export of generated respondents with what real ones bring: names that do not spell
    out in Latin letters, a person answering twice, notes of every shape, roles changed after
    answering (answers to drop), day-first dates, (with `bad`) cells that do not read, and (without
    `names`) a name column nobody filled in (an anonymous survey)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from datagen import respondent_document

    rng = random.Random(seed)
    columns = csv_columns(loaded)
    noted = [q for _, q in columns][:: max(1, len(columns) // 3)][:3]
    header = [TIMESTAMP_HEADER, NAME_HEADER, ROLE_HEADER] + [h for h, _ in columns]
    header += [f"Comment on {q.id}" for q in noted]
    out: list[list[str]] = [header]
    roles = [r.id for r in loaded.rubric.roles]
    by_var = {q.var: q.id for q in loaded.rubric.questions}
    gates = {by_var[r.name] for e in loaded.conditions.values() for r in e.references}
    for i in range(rows):
        doc = respondent_document(loaded, i, seed)
        name = doc["respondent"]["name"]
        if i % 17 == 3:
            name = _NAMES[i % len(_NAMES)] + (f" {i}" if i % 2 else "")
        if i % 23 == 5 and i > 0:
            name = f"Respondent {i - 1:05d}"  # answered twice: the later row wins
        if not names:
            name = ""
        role = doc["respondent"]["role"]
        if i % 13 == 7:
            role = roles[(roles.index(role) + 1) % len(roles)]  # answers not asked of it drop
        stamp = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T09:{i % 60:02d}:00Z"
        if i % 11 == 4:
            stamp = f"{13 + i % 15}/{1 + i % 12:02d}/2026 10:{i % 60:02d}"  # day first
        answers = doc.get("answers") or {}
        if i % 19 == 2:  # a gate answered no after the questions it opens: those drop, in turn
            answers = {k: False if k in gates and v is True else v for k, v in answers.items()}
        cells = [stamp, name, role] + [
            survey_cell(loaded, q, answers.get(q.id)) for _, q in columns
        ]
        if bad and i % 29 == 9:
            cells[3 + rng.randrange(len(columns))] = "banana split"
        cells += [_NOTES[(i + k) % len(_NOTES)] if rng.random() < 0.3 else "" for k in range(3)]
        out.append(cells)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(out)
    return buf.getvalue()


def _mapping(loaded: LoadedRubric) -> str:
    columns = csv_columns(loaded)
    noted = [q for _, q in columns][:: max(1, len(columns) // 3)][:3]
    lines = ["notes:"] + [f"  Comment on {q.id}: {q.id}" for q in noted]
    return "\n".join(lines) + "\n"


def fingerprint(folder: Path, said: dict[str, Any]) -> dict[str, Any]:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    digest = hashlib.sha256()
    for p in files:
        digest.update(str(p.relative_to(folder)).encode() + b"\0" + p.read_bytes() + b"\0")
    text = json.dumps(said, sort_keys=True, ensure_ascii=False)
    digest.update(text.replace(str(folder.parent), "<tmp>").replace(str(ROOT), "<root>").encode())
    return {"files": len(files), "sha256": digest.hexdigest()}


def _run(csv_path: Path, into: Path, rubric: Path | str, **options: Any) -> dict[str, Any]:
    settings = ImportSettings(**options.pop("settings", {}))
    try:
        outcome = import_csv(csv_path, into, rubric_ref=str(rubric), settings=settings, **options)
    except InvalidInput as exc:
        said: dict[str, Any] = {"error": [str(p) for p in exc.problems] or [exc.message]}
    else:
        r = outcome.result
        said = {
            "notes": r.notes,
            "warnings": r.warnings,
            "problems": [str(p) for p in r.problems],
            "plan": [(f.path.name, f.status, f.row.row) for f in outcome.plan.files],
        }
    return fingerprint(into, said)


def scenarios(tmp: Path) -> dict[str, dict[str, Any]]:
    """Every scenario's fingerprint, each imported into its own folder under `tmp`."""
    out: dict[str, dict[str, Any]] = {}
    for i, fixture in enumerate(TOOL_FIXTURES):
        out[fixture] = _run(DATA / fixture, tmp / f"tool-{i}", MINIMAL_RUBRIC)
    loaded = load_rubric(DEFAULT_RUBRIC)
    mapping = tmp / "mapping.yaml"
    mapping.write_text(_mapping(loaded), encoding="utf-8")
    for bad in (False, True):
        survey = tmp / f"generated-{bad}.csv"
        survey.write_text(generated_csv(loaded, 400, 11, bad=bad), encoding="utf-8")
        kind = "bad" if bad else "good"
        out[f"generated-{kind}"] = _run(
            survey, tmp / f"gen-{kind}", DEFAULT_RUBRIC, mapping_path=mapping, partial=bad
        )
        out[f"generated-{kind}-anonymous"] = _run(
            survey,
            tmp / f"gen-{kind}-anon",
            DEFAULT_RUBRIC,
            mapping_path=mapping,
            partial=True,
            settings={"anonymous": True, "organization": "Acme Ltd", "timezone": "Europe/Berlin"},
        )
    survey = tmp / "nameless.csv"
    survey.write_text(generated_csv(loaded, 150, 5, names=False), encoding="utf-8")
    out["generated-nameless"] = _run(survey, tmp / "nameless", DEFAULT_RUBRIC, mapping_path=mapping)
    return out


if __name__ == "__main__":  # python -m tests.import_bytes > tests/data/import-bytes.json
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(scenarios(Path(tmp)), indent=2))
