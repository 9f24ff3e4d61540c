"""What changed between two scorecards. Pure: no I/O, no printing.

Scores are matched by id: phases, dimensions, and scored questions (old question ids go through
the rubric's `renamed` map first). When the two runs used different versions of the rubric, only
what exists in both is compared, and everything that is not comparable is said in
`not_comparable` and `caveats` rather than shown as a change.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from alignment_cli.scoring.scorecard import (
    GroupScore,
    Interval,
    QuestionScore,
    RubricInfo,
    Scorecard,
)

Status = Literal["improved", "worsened", "unchanged", "new", "removed"]
Kind = Literal["overall", "phase", "dimension", "question"]

UNCHANGED_BELOW = 0.05
"""Changes smaller than this (in points) show as 0.0 and count as unchanged."""


def noise_of(
    old: float | None, old_iv: Interval | None, new: float | None, new_iv: Interval | None
) -> float | None:
    """How large a change must be to be beyond noise: the two 95% half-widths combined as
    independent errors, sqrt(h_old² + h_new²) (docs/scoring.md, section 5a). A half-width is
    the larger side of the interval (a clipped interval is not symmetric). None when either
    side has no interval (one respondent, or a scorecard saved before intervals)."""
    if old is None or new is None or old_iv is None or new_iv is None:
        return None
    h_old = max(old - old_iv.low, old_iv.high - old)
    h_new = max(new - new_iv.low, new_iv.high - new)
    return round(math.hypot(h_old, h_new), 4)


def _beyond(change: float | None, noise: float | None) -> bool | None:
    if change is None or noise is None:
        return None
    return abs(change) > noise


class Delta(BaseModel):
    """One score, before and after. `new`/`removed`: scored on one side only."""

    kind: Kind
    id: str
    title: str
    old: float | None
    new: float | None
    change: float | None
    status: Status
    old_id: str | None = None
    """The id in the older run when the question was renamed."""
    gap_old: float | None = None
    gap_new: float | None = None
    achieved_old: bool | None = None
    achieved_new: bool | None = None
    note: str = ""
    noise: float | None = None
    """The change a difference must exceed to be beyond noise; None without intervals."""
    beyond_noise: bool | None = None
    """Whether |change| exceeds `noise`; None when that cannot be said (no intervals)."""


class Item(BaseModel):
    id: str
    title: str


class NotComparable(BaseModel):
    kind: Kind
    id: str
    reason: str


class Comparison(BaseModel):
    old_rubric: RubricInfo
    new_rubric: RubricInfo
    old_generated_at: datetime
    new_generated_at: datetime
    same_rubric: bool
    """Same rubric id and content hash: every score is comparable."""
    overall: Delta
    old_level: str | None
    new_level: str | None
    old_phase: str | None
    new_phase: str | None
    old_coverage: float | None
    new_coverage: float | None
    phases: list[Delta]
    dimensions: list[Delta]
    questions: list[Delta]
    blind_spots_new: list[Item]
    blind_spots_resolved: list[Item]
    recommendations_new: list[Item]
    recommendations_resolved: list[Item]
    recommendations_open: list[Item]
    renamed: dict[str, str]
    """Old question id -> new id, as applied."""
    not_comparable: list[NotComparable]
    caveats: list[str]


def _status(old: float | None, new: float | None) -> tuple[float | None, Status]:
    if old is None and new is None:
        return None, "unchanged"
    if old is None:
        return None, "new"
    if new is None:
        return None, "removed"
    change = new - old
    if abs(change) < UNCHANGED_BELOW:
        return change, "unchanged"
    return change, "improved" if change > 0 else "worsened"


def _group_delta(kind: Kind, old: GroupScore | None, new: GroupScore | None) -> Delta:
    ref = new or old
    assert ref is not None
    change, status = _status(old.score if old else None, new.score if new else None)
    noise = noise_of(
        old.score if old else None,
        old.interval if old else None,
        new.score if new else None,
        new.interval if new else None,
    )
    if old is None:
        note = "not in the older run"
    elif new is None:
        note = "not in the newer run"
    elif old.score is None and new.score is not None:
        note = "not scored before"
    elif new.score is None and old.score is not None:
        note = "not scored now"
    else:
        note = ""
    return Delta(
        kind=kind,
        id=ref.id,
        title=ref.title,
        old=old.score if old else None,
        new=new.score if new else None,
        change=change,
        status=status,
        gap_old=old.gap if old else None,
        gap_new=new.gap if new else None,
        achieved_old=old.achieved if old and kind == "phase" else None,
        achieved_new=new.achieved if new and kind == "phase" else None,
        note=note,
        noise=noise,
        beyond_noise=_beyond(change, noise),
    )


def _groups(
    kind: Kind, olds: list[GroupScore], news: list[GroupScore], out: list[NotComparable] | None
) -> list[Delta]:
    """Deltas in the newer run's order, then what only the older run had. With `out` (runs on
    different rubric versions), what only one side has is also recorded as not comparable."""
    by_old = {g.id: g for g in olds}
    by_new = {g.id: g for g in news}
    deltas = [_group_delta(kind, by_old.get(g.id), g) for g in news]
    deltas += [_group_delta(kind, g, None) for g in olds if g.id not in by_new]
    if out is not None:
        out += [
            NotComparable(kind=kind, id=g.id, reason="only in the older rubric")
            for g in olds
            if g.id not in by_new
        ]
        out += [
            NotComparable(kind=kind, id=g.id, reason="only in the newer rubric")
            for g in news
            if g.id not in by_old
        ]
    return deltas


def resolve_renames(renamed: Mapping[str, str]) -> dict[str, str]:
    """Follow chains (a -> b, b -> c gives a -> c) so every old id maps to today's id."""
    out: dict[str, str] = {}
    for old in renamed:
        seen = {old}
        new = renamed[old]
        while new in renamed and new not in seen:
            seen.add(new)
            new = renamed[new]
        out[old] = new
    return out


def compare(old: Scorecard, new: Scorecard, renamed: Mapping[str, str] | None = None) -> Comparison:
    """The change from `old` to `new`. `renamed` maps question ids of the older rubric version to
    those of the newer (a rubric's `renamed` field)."""
    same = old.rubric.id == new.rubric.id and old.rubric.hash == new.rubric.hash
    renames = resolve_renames(renamed or {}) if not same else {}
    not_comparable: list[NotComparable] = []
    caveats: list[str] = []
    if old.schema_version < 2 <= new.schema_version:
        caveats.append(
            "the older run was scored by the rules before role groups (scorecard schema "
            f"{old.schema_version}): a mean over everyone, don't know left out, gaps over "
            "different questions; part of any change is the new rules, not the organisation"
        )
    if old.rubric.id != new.rubric.id:
        caveats.append(
            f"the runs used different rubrics ({old.rubric.id} and {new.rubric.id}): "
            "only ids present in both are compared"
        )
    elif not same:
        caveats.append(
            f"the runs used different versions of rubric {new.rubric.id} "
            f"({old.rubric.version} and {new.rubric.version}): what is in both is compared, "
            "what is not is listed as not comparable"
        )

    record = None if same else not_comparable
    phases = _groups("phase", old.phases, new.phases, record)
    dimensions = _groups("dimension", old.dimensions, new.dimensions, record)

    old_q = {renames.get(q.id, q.id): q for q in old.questions if q.scored}
    new_q = {q.id: q for q in new.questions if q.scored}
    questions: list[Delta] = []
    for qid, nq in new_q.items():
        oq = old_q.get(qid)
        if oq is not None and oq.type != nq.type:
            not_comparable.append(
                NotComparable(
                    kind="question",
                    id=qid,
                    reason=f"its type changed from {oq.type} to {nq.type}",
                )
            )
            continue
        questions.append(_question_delta(oq, nq, same))
    for qid, oq in old_q.items():
        if qid not in new_q:
            questions.append(_question_delta(oq, None, same, new_id=qid))
            if not same:
                not_comparable.append(
                    NotComparable(kind="question", id=qid, reason="only in the older rubric")
                )
    if not same:
        for qid in new_q:
            if qid not in old_q:
                not_comparable.append(
                    NotComparable(kind="question", id=qid, reason="only in the newer rubric")
                )
        for d in dimensions:
            if d.old is None or d.new is None:
                continue
            before = {k for k, q in old_q.items() if q.dimension == d.id}
            after = {k for k, q in new_q.items() if q.dimension == d.id}
            if before != after:
                added, gone = len(after - before), len(before - after)
                d.note = f"its questions changed (+{added} -{gone})"
                caveats.append(
                    f"dimension {d.id}: its questions changed between versions "
                    f"(+{added} -{gone}); its change mixes rubric edits with real change"
                )
        old_w = {d.id: d.weight for d in old.dimensions}
        new_w = {d.id: d.weight for d in new.dimensions}
        if old_w != new_w:
            caveats.append(
                "the overall score weighs different dimensions in the two versions; "
                "compare the dimensions rather than the overall score"
            )

    change, status = _status(old.overall, new.overall)
    noise = noise_of(old.overall, old.overall_interval, new.overall, new.overall_interval)
    overall = Delta(
        kind="overall", id="overall", title="Overall", old=old.overall, new=new.overall,
        change=change, status=status, noise=noise, beyond_noise=_beyond(change, noise),
    )  # fmt: skip

    old_blind = {renames.get(b.question, b.question): b for b in old.blind_spots}
    new_blind = {b.question: b for b in new.blind_spots}
    old_recs = {r.id: r for r in old.recommendations}
    new_recs = {r.id: r for r in new.recommendations}
    return Comparison(
        old_rubric=old.rubric,
        new_rubric=new.rubric,
        old_generated_at=old.generated_at,
        new_generated_at=new.generated_at,
        same_rubric=same,
        overall=overall,
        old_level=old.level.title if old.level else None,
        new_level=new.level.title if new.level else None,
        old_phase=old.current_phase,
        new_phase=new.current_phase,
        old_coverage=old.coverage,
        new_coverage=new.coverage,
        phases=phases,
        dimensions=dimensions,
        questions=questions,
        blind_spots_new=[
            Item(id=k, title=b.text) for k, b in new_blind.items() if k not in old_blind
        ],
        blind_spots_resolved=[
            Item(id=k, title=b.text) for k, b in old_blind.items() if k not in new_blind
        ],
        recommendations_new=[
            Item(id=k, title=r.title) for k, r in new_recs.items() if k not in old_recs
        ],
        recommendations_resolved=[
            Item(id=k, title=r.title) for k, r in old_recs.items() if k not in new_recs
        ],
        recommendations_open=[
            Item(id=k, title=r.title) for k, r in new_recs.items() if k in old_recs
        ],
        renamed={o: n for o, n in renames.items() if any(q.id == o for q in old.questions)},
        not_comparable=not_comparable,
        caveats=caveats,
    )


def _question_delta(
    old: QuestionScore | None, new: QuestionScore | None, same: bool, new_id: str | None = None
) -> Delta:
    ref = new or old
    assert ref is not None
    qid = new.id if new else (new_id or ref.id)
    change, status = _status(old.score if old else None, new.score if new else None)
    note = ""
    if old is None:
        note = "not in the older rubric" if not same else ""
    elif new is None:
        note = "not in the newer rubric" if not same else ""
    elif old.score is None and new.score is not None:
        note = "no answer before"
    elif new.score is None and old.score is not None:
        note = "no answer now"
    return Delta(
        kind="question",
        id=qid,
        title=ref.text,
        old=old.score if old else None,
        new=new.score if new else None,
        change=change,
        status=status,
        old_id=old.id if old is not None and old.id != qid else None,
        gap_old=old.gap if old else None,
        gap_new=new.gap if new else None,
        note=note,
    )


def top_changes(deltas: list[Delta], status: Status, limit: int | None = None) -> list[Delta]:
    """Largest changes first: what a reader should look at."""
    chosen = [d for d in deltas if d.status == status]
    if status in ("improved", "worsened"):
        chosen.sort(key=lambda d: -abs(d.change or 0.0))
    return chosen[:limit] if limit is not None else chosen
