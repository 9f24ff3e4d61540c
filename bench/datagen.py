"""Benchmark data: N valid answer files for a rubric, deterministic for a seed.

Answers respect each question's roles and its `when` condition (evaluated on the answers given so
far, as the scoring core does), and every value is checked with `responses.value_error`, so the
benchmark measures the real path and never the error path.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from alignment_cli.files.responses import NA, UNKNOWN, AnswerValue, condition_values, value_error
from alignment_cli.files.yamlio import dump_yaml
from alignment_cli.model.models import Question, QuestionType
from alignment_cli.model.rubric import DEFAULT_RUBRIC, LoadedRubric, load_rubric

ROOT = Path(__file__).resolve().parent.parent
FALLBACK_RUBRIC = ROOT / "docs" / "examples" / "minimal-rubric.yaml"
ORGANIZATION = "Benchmark Co"

_WORDS = [
    *("leads", "pipeline", "handoff", "campaign", "quota", "forecast", "follow-up", "webinar"),
    *("nurture", "account", "persona", "budget", "review", "meeting", "dashboard"),
    *("attribution", "definition", "agreement", "quarter"),
]


def _note(rng: random.Random) -> str:
    """A note as a consultant types it: words, sometimes a colon, a quote or a '#'."""
    text = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(5, 25)))
    roll = rng.random()
    if roll < 0.15:
        text = f"{rng.choice(('Sales', 'Marketing', 'CEO'))}: {text}"
    elif roll < 0.25:
        text = f"they don't agree on {text}"
    elif roll < 0.3:
        text = f"{text} (see #{rng.randint(1, 99)})"
    return text


def bench_rubric() -> tuple[LoadedRubric, str | None]:
    """The default rubric; the minimal example when the default does not load, with a note."""
    from alignment_cli.errors import InvalidInput

    try:
        return load_rubric(DEFAULT_RUBRIC), None
    except InvalidInput as exc:
        first = exc.problems[0] if exc.problems else exc.message
        note = (
            f"note: the default rubric does not load ({first}); "
            f"benchmarking {FALLBACK_RUBRIC.name} instead"
        )
        return load_rubric(FALLBACK_RUBRIC), note


def _number(q: Question, rng: random.Random) -> float | int:
    if not q.bands:  # a curve or targets: anywhere from the accepted minimum past the last point
        c = q.curve
        lo = c.min if c and c.min is not None else (c.points[0].at if c else 0)
        top = c.points[-1].at * 1.5 if c else float(q.targets[-1].value) + (q.tolerance or 1)
        hi = c.max if c and c.max is not None else top
        return round(rng.uniform(lo, hi), 2)
    band = rng.choice(q.bands)
    lo = band.min if band.min is not None else (band.max or 0) - 10
    hi = band.max if band.max is not None else lo + 100
    if hi - lo >= 2:
        return rng.randrange(int(lo) + (0 if float(lo).is_integer() else 1), int(hi))
    return round(rng.uniform(lo, hi - (hi - lo) / 100), 2)


def _value(q: Question, loaded: LoadedRubric, rng: random.Random) -> AnswerValue:
    t = q.type
    if t is QuestionType.SCALE:
        scale = q.scale or loaded.rubric.scale
        return rng.randint(scale.min, scale.max)
    if t is QuestionType.CHOICE:
        return rng.choice(q.options).value
    if t is QuestionType.MULTI:
        k = rng.randint(0, len(q.options))
        return [o.value for o in rng.sample(q.options, k)]
    if t is QuestionType.YESNO:
        return rng.random() < 0.5
    if t is QuestionType.NUMBER:
        return _number(q, rng)
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 12))).capitalize() + "."


def respondent_answers(
    loaded: LoadedRubric, role: str, rng: random.Random
) -> tuple[dict[str, AnswerValue], dict[str, str]]:
    """One respondent's answers and notes; raises ValueError if it ever makes an invalid one."""
    answers: dict[str, AnswerValue] = {}
    notes: dict[str, str] = {}
    for q in loaded.questions_for(role):
        cond = loaded.conditions.get(q.id)
        if cond is not None and not cond.evaluate({"answers": condition_values(loaded, answers)}):
            continue
        roll = rng.random()
        if roll < 0.03:
            continue  # skipped: missing answers are part of real data
        value: AnswerValue
        if roll < 0.07:
            value = UNKNOWN
        elif roll < 0.09 and q.allow_na:
            value = NA
        else:
            value = _value(q, loaded, rng)
        problem = value_error(q, value, loaded)
        if problem is not None:
            raise ValueError(f"benchmark data generator made an invalid answer: {q.id}: {problem}")
        answers[q.id] = value
        if rng.random() < 0.05:
            notes[q.id] = _note(rng)
    return answers, notes


def respondent_document(loaded: LoadedRubric, index: int, seed: int) -> dict[str, Any]:
    """Respondent `index` of a data set: the same for the same (index, seed) at any size."""
    rng = random.Random(seed * 1_000_003 + index)
    r = loaded.rubric
    role = r.roles[index % len(r.roles)].id
    answers, notes = respondent_answers(loaded, role, rng)
    doc: dict[str, Any] = {
        "rubric": {"id": r.id, "version": r.version},
        "respondent": {"name": f"Respondent {index:05d}", "role": role},
        "organization": ORGANIZATION,
        "updated": f"2026-{1 + index % 12:02d}-{1 + index % 28:02d}T09:00:00Z",
        "answers": answers,
    }
    if notes:
        doc["notes"] = notes
    return doc


def write_engagement(loaded: LoadedRubric, root: Path, n: int, *, seed: int = 1) -> Path:
    """An engagement folder with `n` answer files under root; returns root."""
    responses = root / "responses"
    responses.mkdir(parents=True, exist_ok=True)
    r = loaded.rubric
    rubric = (
        {"path": str(loaded.path)}
        if loaded.path.resolve() == FALLBACK_RUBRIC.resolve()
        else {"id": r.id, "version": r.version}
    )
    config = {"organization": ORGANIZATION, "rubric": rubric}
    (root / "alignment.yaml").write_text(dump_yaml(config), encoding="utf-8")
    for i in range(n):
        text = answer_file_text(loaded, respondent_document(loaded, i, seed))
        (responses / f"respondent-{i:05d}.yaml").write_text(text, encoding="utf-8")
    return root


def answer_file_text(loaded: LoadedRubric, doc: dict[str, Any]) -> str:
    """The file as `alignment audit` writes it (phase comments, flow lists, one-line notes)."""
    try:
        from alignment_cli.interview.flow import responses_text
    except ImportError:  # an older tree: plain YAML
        return dump_yaml(doc)
    from alignment_cli.files.responses import Responses

    return responses_text(Responses.model_validate(doc), loaded)
