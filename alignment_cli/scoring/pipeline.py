"""The path every scoring command shares: find the rubric and the answers, check, score.

Commands (score, report, compare, history) call `score_inputs`; it is the only place that decides
which rubric applies to a set of answers, and which CRM evidence (an engagement's latest import
in evidence/) stands beside them.
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from alignment_cli import clock
from alignment_cli.errors import InvalidInput
from alignment_cli.files import evidence_file
from alignment_cli.files.engagement import Engagement, find_engagement
from alignment_cli.files.evidence_file import latest
from alignment_cli.files.responses import (
    FileCheck,
    ResponseFile,
    find_response_files,
    load_each,
)
from alignment_cli.files.rubric_cache import load_rubric
from alignment_cli.model.rubric import LoadedRubric
from alignment_cli.scoring.engine import Fold
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
    progress: Callable[[int], None] | None = None,
) -> Scored:
    """`sources` add respondents read from elsewhere (alignment_cli/survey/feed.py), scored
    with the answer files found in `inputs` as one set. `progress` is told how many
    respondents were read, after each batch."""
    if not inputs and not sources:
        inputs = [Path.cwd()]
    # Loading thousands of answer files makes many objects and no reference cycles: the cyclic
    # collector would only rescan them again and again (a quarter of the time at 10,000 files).
    paused = gc.isenabled()
    gc.disable()
    try:
        return _score_inputs(
            inputs,
            rubric_ref=rubric_ref,
            carry_over=carry_over,
            now=now,
            sources=sources,
            progress=progress,
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
    progress: Callable[[int], None] | None,
) -> Scored:
    anchors = [*inputs, *(getattr(s, "path", Path.cwd()) for s in sources)]
    engagement = find_engagement(anchors[0]) if len(anchors) == 1 else None
    paths = find_response_files(inputs) if inputs else []
    ref = rubric_ref or (engagement.rubric_ref() if engagement else None)

    def run(**which: Any) -> tuple[Scorecard, LoadedRubric]:
        return score_stream(
            load_each(paths),
            engagement=engagement,
            carry_over=carry_over,
            now=now,
            sources=sources,
            progress=progress,
            **which,
        )

    try:
        card, rubric = run(rubric_ref=ref)
    except _MixedRubrics:
        # Answers for several rubrics and none named: the default rubric decides, as it does
        # when nothing names one; the files for the others are refused by the checks.
        card, rubric = run(rubric_ref=None, from_first=False)
    return Scored(card, rubric, engagement, paths)


def score_stream(
    respondents: Iterable[ResponseFile],
    *,
    rubric_ref: str | Path | None = None,
    engagement: Engagement | None = None,
    carry_over: bool = False,
    now: datetime | None = None,
    from_first: bool = True,
    sources: Sequence[RespondentSource] = (),
    progress: Callable[[int], None] | None = None,
) -> tuple[Scorecard, LoadedRubric]:
    """Check and score respondents as they come, each read once and dropped after it is
    folded in (engine.Fold): memory does not grow with their answers, only with the bounded
    summary kept of each (docs/scoring.md, Performance). `respondents` is any iterable of
    `ResponseFile` (answer files as they load, rows of a survey export as they are read);
    one that raises InvalidInput when exhausted (the problems of the files it could not
    read) has those reported before any other problem.

    The rubric is `rubric_ref`, else the engagement's, else the one the first respondent names
    (`from_first`; answers naming several rubrics are then refused, or, from files, scored
    against the default rubric by `score_inputs`), else the default rubric. `sources` follow
    the respondents, each given the rubric once it is known (the plug for respondents that are
    not files: a survey export's rows, alignment_cli/survey/feed.py).

    The engagement's latest CRM evidence, if any, stands beside the answers (or for them, by
    the rubric's `evidence_policy`): docs/scoring.md, section 5b.
    """
    it = iter(respondents)
    first = next(it, None)
    ref = rubric_ref or (engagement.rubric_ref() if engagement else None)
    chosen_by_first = ref is None and first is not None and from_first
    if chosen_by_first:
        assert first is not None
        ref = first.responses.rubric.id
    try:
        rubric = load_rubric(ref)
    except InvalidInput:
        for rf in it:  # the problems of unreadable files come first, as they always have
            if chosen_by_first and rf.responses.rubric.id != ref:
                raise _MixedRubrics(str(ref), rf.responses.rubric.id) from None
        raise
    check = FileCheck(rubric, carry_over=carry_over)
    fold = Fold(rubric, check.rules)
    orgs: set[str] = set()
    rid = rubric.rubric.id
    stream = itertools.chain(
        () if first is None else (first,), it, *(source(rubric) for source in sources)
    )
    del first  # held by the stream until its batch is done, no longer
    read = 0
    while batch := list(itertools.islice(stream, BATCH)):
        n_batch = len(batch)
        if chosen_by_first:
            for rf in batch:
                if rf.responses.rubric.id != rid:
                    raise _MixedRubrics(rid, rf.responses.rubric.id)
        kept = [ok for ok in map(check, batch) if ok is not None]
        del batch
        for ok in kept:
            if ok.responses.organization:
                orgs.add(ok.responses.organization)
        for ok in kept:
            fold.add(ok)
        read += n_batch
        if progress is not None:
            progress(read)
    check.raise_problems()
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
    card = fold.finish(
        now=now or clock.now(),
        targets=engagement.config.targets if engagement else None,
        organization=organization,
        warnings=check.warnings,
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
    return card, rubric


BATCH = 512
"""Respondents read, checked and folded in batches this size: each step over a batch runs
warm (one respondent at a time through all three costs a fifth more CPU), memory stays
bounded."""


class _MixedRubrics(InvalidInput):
    def __init__(self, first: str, other: str) -> None:
        super().__init__(
            f"these answers are for several rubrics ('{first}', '{other}'); "
            "name the one to score with --rubric"
        )


def _text(value: object) -> str | None:
    return None if value is None else str(value)[:40]


def latest_answer_time(card: Scorecard) -> datetime | None:
    """When the newest answer was given: a stable date for reports that must diff cleanly."""
    times = [r.updated for r in card.respondents if r.updated is not None]
    return max(times) if times else None
