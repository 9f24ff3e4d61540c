"""The consultant's layer on the report (`report:` in alignment.yaml): their firm and logo, their
own findings, and their corrections to the rubric's recommendations.

`consultant_layer` checks the settings against the rubric and reads the logo (both raise a
located error naming alignment.yaml); `apply_changes` is what the roadmap and the plan see.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field

from alignment_cli.files.engagement import (
    Engagement,
    Finding,
    RecommendationChange,
    check_report_settings,
    read_logo,
)
from alignment_cli.model.rubric import LoadedRubric
from alignment_cli.scoring.scorecard import RecommendationHit


@dataclass(frozen=True)
class Consultant:
    firm: str | None = None
    logo: tuple[str, bytes] | None = None
    findings: list[Finding] = field(default_factory=list)
    changes: dict[str, RecommendationChange] = field(default_factory=dict)

    @property
    def logo_uri(self) -> str | None:
        """The logo as a data URI (RFC 2397): the HTML stays one file that fetches nothing."""
        if self.logo is None:
            return None
        kind, raw = self.logo
        return f"data:{kind};base64,{base64.b64encode(raw).decode('ascii')}"


NO_CONSULTANT = Consultant()


def consultant_layer(engagement: Engagement | None, loaded: LoadedRubric) -> Consultant:
    """The engagement's `report:` settings, checked against the rubric, logo read."""
    if engagement is None:
        return NO_CONSULTANT
    settings = engagement.config.report
    check_report_settings(engagement, loaded)
    return Consultant(
        firm=settings.firm,
        logo=read_logo(engagement),
        findings=list(settings.findings),
        changes=dict(settings.recommendations),
    )


def apply_changes(
    hits: Sequence[RecommendationHit], changes: dict[str, RecommendationChange]
) -> list[RecommendationHit]:
    """The triggered recommendations as the consultant corrected them: hidden ones left out,
    changed title, body, priority or owner put in."""
    out = []
    for hit in hits:
        change = changes.get(hit.id)
        if change is None:
            out.append(hit)
            continue
        if change.hide:
            continue
        update = {
            k: v
            for k, v in (
                ("title", change.title),
                ("body", change.body),
                ("priority", change.priority),
                ("owner", change.owner),
            )
            if v is not None
        }
        out.append(hit.model_copy(update=update) if update else hit)
    return out
