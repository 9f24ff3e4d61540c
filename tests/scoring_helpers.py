"""Building rubrics and respondents in tests, and scoring them without the CLI."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from alignment_cli.files.engagement import Targets
from alignment_cli.files.responses import Respondent, ResponseFile, Responses, RubricRef
from alignment_cli.model.rubric import LoadedRubric, load_rubric
from alignment_cli.scoring.engine import score
from alignment_cli.scoring.scorecard import Scorecard

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

# A rubric small enough to compute by hand, with every question type and two role groups.
BASE: dict[str, Any] = {
    "id": "hand",
    "version": "1.0.0",
    "title": "Hand-computed",
    "scale": {"min": 1, "max": 5},
    "levels": [
        {"id": "low", "title": "Low", "min": 0},
        {"id": "mid", "title": "Mid", "min": 40},
        {"id": "high", "title": "High", "min": 75},
    ],
    "phases": [
        {"id": "one", "title": "One"},
        {"id": "two", "title": "Two", "threshold": 50},
    ],
    "dimensions": [
        {"id": "alpha", "title": "Alpha", "weight": 3},
        {"id": "beta", "title": "Beta", "weight": 1},
    ],
    "roles": [
        {"id": "sales", "title": "Sales"},
        {"id": "marketing", "title": "Marketing"},
        {"id": "ceo", "title": "CEO"},
    ],
    "gap": ["sales", "marketing"],
    "questions": [
        {"id": "s1", "phase": "one", "dimension": "alpha", "type": "scale", "text": "S1"},
        {
            "id": "s2",
            "phase": "one",
            "dimension": "alpha",
            "type": "scale",
            "weight": 3,
            "scale": {"min": 0, "max": 10},
            "text": "S2",
        },
        {
            "id": "c1",
            "phase": "two",
            "dimension": "beta",
            "type": "choice",
            "text": "C1",
            "options": [
                {"value": "a", "label": "A", "score": 0.2},
                {"value": "b", "label": "B", "score": 0.9},
            ],
        },
        {
            "id": "m1",
            "phase": "two",
            "dimension": "beta",
            "type": "multi",
            "text": "M1",
            "options": [
                {"value": "x", "label": "X", "score": 0.7},
                {"value": "y", "label": "Y", "score": 0.6},
                {"value": "z", "label": "Z", "score": 0.1},
            ],
        },
        {"id": "y1", "phase": "two", "dimension": "beta", "type": "yesno", "text": "Y1"},
        {
            "id": "y2",
            "phase": "two",
            "dimension": "beta",
            "type": "yesno",
            "invert": True,
            "text": "Y2",
        },
        {
            "id": "n1",
            "phase": "two",
            "dimension": "beta",
            "type": "number",
            "text": "N1",
            "bands": [
                {"max": 10, "score": 1.0},
                {"min": 10, "max": 20, "score": 0.5},
                {"min": 20, "score": 0.0},
            ],
        },
        {"id": "t1", "phase": "two", "dimension": "beta", "type": "text", "text": "T1"},
    ],
}


def rubric(tmp_path: Path, data: dict[str, Any] | None = None, **changes: Any) -> LoadedRubric:
    """Write `data` (BASE by default, with top-level `changes`) and load it as a rubric."""
    doc = copy.deepcopy(BASE if data is None else data)
    doc.update(changes)
    path = tmp_path / f"rubric-{len(list(tmp_path.glob('rubric-*.yaml')))}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return load_rubric(path)


def person(
    loaded: LoadedRubric,
    name: str,
    role: str,
    answers: dict[str, Any],
    *,
    notes: dict[str, str] | None = None,
    version: str | None = None,
) -> ResponseFile:
    r = loaded.rubric
    return ResponseFile(
        Path(f"{name.lower().replace(' ', '-')}.yaml"),
        Responses(
            rubric=RubricRef(id=r.id, version=version or r.version),
            respondent=Respondent(name=name, role=role),
            answers=answers,
            notes=notes or {},
        ),
    )


def card_of(loaded: LoadedRubric, files: list[ResponseFile], **kwargs: Any) -> Scorecard:
    targets = kwargs.pop("targets", None)
    return score(loaded, files, now=NOW, targets=Targets(**targets) if targets else None, **kwargs)


def scores_of(card: Scorecard) -> dict[str, float | None]:
    """Every score in a scorecard, by a readable name: what the properties compare."""
    out: dict[str, float | None] = {"overall": card.overall}
    out.update({f"overall.{k}": v for k, v in card.overall_by_role.items()})
    for kind, groups in (("dimension", card.dimensions), ("phase", card.phases)):
        for g in groups:
            out[f"{kind}.{g.id}"] = g.score
            out.update({f"{kind}.{g.id}.{k}": v for k, v in g.by_role.items()})
    for q in card.questions:
        out[f"question.{q.id}"] = q.score
        out.update({f"question.{q.id}.{k}": v for k, v in q.by_role.items()})
    for p in card.respondents:
        out[f"respondent.{p.file}"] = p.overall
    return out
