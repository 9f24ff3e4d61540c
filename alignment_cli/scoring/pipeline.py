"""The path every scoring command shares: find the rubric and the answers, check, score.

Commands (score, report, compare, history) call `score_inputs`; it is the only place that decides
which rubric applies to a set of answers, and which CRM evidence (an engagement's latest import
in evidence/) stands beside them.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alignment_cli import clock
from alignment_cli.errors import InvalidInput
from alignment_cli.files import evidence_file
from alignment_cli.files.engagement import Engagement, find_engagement
from alignment_cli.files.evidence_file import latest
from alignment_cli.files.responses import (
    ResponseFile,
    check_against_rubric,
    find_response_files,
    load_responses,
)
from alignment_cli.model.rubric import LoadedRubric, load_rubric
from alignment_cli.scoring.engine import score
from alignment_cli.scoring.evidence import calibration, link
from alignment_cli.scoring.scorecard import EvidenceInfo, Scorecard

RespondentSource = Callable[[LoadedRubric], Iterable[ResponseFile]]
"""Respondents that are not answer files (a survey export's rows): given the rubric that
applies, the same objects `load_responses` makes from files. Its `path` names it."""


@dataclass
class Scored:
    card: Scorecard
    rubric: LoadedRubric
    engagement: Engagement | None
    files: list[Path]


def score_inputs(
    inputs: list[Path],
    *,
    rubric_ref: str | None = None,
    carry_over: bool = False,
    now: datetime | None = None,
    sources: Sequence[RespondentSource] = (),
) -> Scored:
    """`sources` add respondents read from elsewhere (alignment_cli/survey/feed.py), scored
    with the answer files found in `inputs` as one set."""
    if not inputs and not sources:
        inputs = [Path.cwd()]
    # Loading thousands of answer files makes many objects and no reference cycles: the cyclic
    # collector would only rescan them again and again (a quarter of the time at 10,000 files).
    paused = gc.isenabled()
    gc.disable()
    try:
        return _score_inputs(
            inputs, rubric_ref=rubric_ref, carry_over=carry_over, now=now, sources=sources
        )
    finally:
        if paused:
            gc.enable()


def _score_inputs(
    inputs: list[Path],
    *,
    rubric_ref: str | None,
    carry_over: bool,
    now: datetime | None,
    sources: Sequence[RespondentSource],
) -> Scored:
    anchors = [*inputs, *(getattr(s, "path", Path.cwd()) for s in sources)]
    engagement = find_engagement(anchors[0]) if len(anchors) == 1 else None
    paths = find_response_files(inputs) if inputs else []
    files = load_responses(paths)
    ref = rubric_ref or (engagement.rubric_ref() if engagement else None)
    if ref is None:
        ids = {f.responses.rubric.id for f in files}
        ref = ids.pop() if len(ids) == 1 else None
    rubric = load_rubric(ref)
    for source in sources:  # the plug for respondents that are not files: one list with them
        files.extend(source(rubric))
    files, warnings = check_against_rubric(rubric, files, carry_over=carry_over)
    orgs = {f.responses.organization for f in files if f.responses.organization}
    organization = engagement.config.organization if engagement else None
    if organization is None and len(orgs) == 1:
        organization = orgs.pop()
    elif organization is None and len(orgs) > 1:
        raise InvalidInput(
            "these answers come from several organisations ("
            + ", ".join(sorted(orgs))
            + "); score each organisation's answers separately"
        )
    evidence = latest(engagement.root) if engagement else None
    measured = link(rubric, evidence) if evidence else None
    card = score(
        rubric,
        files,
        now=now or clock.now(),
        targets=engagement.config.targets if engagement else None,
        organization=organization,
        warnings=warnings,
        measured=measured,
    )
    if evidence is not None:
        period = evidence.data.get("period") or {}
        card.evidence = EvidenceInfo(
            file=f"{evidence_file.FOLDER}/{evidence.path.name}",
            imported=_text(evidence.data.get("imported")),
            period_from=_text(period.get("from")) if isinstance(period, dict) else None,
            period_to=_text(period.get("to")) if isinstance(period, dict) else None,
            policy=rubric.rubric.evidence_policy,
        )
        card.calibration = calibration(card)
    return Scored(card, rubric, engagement, paths)


def _text(value: object) -> str | None:
    return None if value is None else str(value)[:40]


def latest_answer_time(card: Scorecard) -> datetime | None:
    """When the newest answer was given: a stable date for reports that must diff cleanly."""
    times = [r.updated for r in card.respondents if r.updated is not None]
    return max(times) if times else None
