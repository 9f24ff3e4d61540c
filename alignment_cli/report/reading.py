"""How to read a scorecard's numbers, in sentences: its intervals, the role groups too small to
stand on their own, groups that do not agree with themselves, gaps that hide disagreement.
The terminal view and the report say the same (docs/scoring.md, section 5)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from alignment_cli.report.markdown import fmt_gap, shown_gap
from alignment_cli.scoring.scorecard import Scorecard

if TYPE_CHECKING:  # compare builds its models at import: the scorecard view never needs them
    from alignment_cli.scoring.compare import Delta


def noise_word(d: Delta) -> str:
    """ "beyond noise", "within noise", or nothing when it cannot be said (no intervals, or
    no change)."""
    if d.beyond_noise is None or d.status not in ("improved", "worsened"):
        return ""
    return "beyond noise" if d.beyond_noise else "within noise"


def reading_notes(
    card: Scorecard, named: set[str] | None = None, titles: Mapping[str, str] | None = None
) -> list[str]:
    """What to bear in mind when reading the numbers: intervals, small groups, agreement and
    gaps that hide disagreement (docs/scoring.md, section 5). Only the roles in `named` (all
    when None) are named: a report does not single out groups it keeps private. A report
    passes the groups' `titles`, so that it names them as its tables do ("Revenue operations",
    not "revops")."""
    out = []

    def t(role: str) -> str:
        return titles.get(role, role) if titles is not None else role

    if card.overall_interval is not None:
        out.append(
            f"In brackets: {card.overall_interval.level:.0%} intervals (what the score could be "
            "with other people from the same roles)."
        )
    if card.small_groups:
        groups = ", ".join(
            f"{t(r)} ({card.by_role.get(r, 0):,})" if named is None or r in named else t(r)
            for r in card.small_groups
        )
        out.append(f"† indicative: fewer than {card.min_group_size} respondents in {groups}.")
    lead = card.leadership
    if lead and card.overall_leadership_gap and (named is None or lead in named):
        parts = [
            f"{_points(g)} {'higher' if g > 0 else 'lower'} than {t(role)}"
            if round(g)
            else f"the same as {t(role)}"
            for role, g in card.overall_leadership_gap.items()
        ]
        out.append(
            f"{t(lead)} rates alignment {' and '.join(parts)} (on the questions both answered)."
        )
    dimension_titles = {d.id: d.title for d in card.dimensions}
    for flag in card.low_agreement:
        if named is not None and flag.role not in named:
            continue
        out.append(
            f"{t(flag.role)} does not agree with itself on {flag.title} (rwg {flag.rwg:.2f})."
        )
    for did in card.cancelling_gaps:
        d = card.dimension(did)
        if d is not None and d.gap is not None and d.gap_abs is not None:
            # The gap as the tables show it: the difference of the two rounded scores.
            shown = shown_gap(d.gap_first, d.gap_second, d.gap)
            out.append(
                f"{dimension_titles[did]}: a gap of {_minus(fmt_gap(shown))} hides "
                "disagreements that cancel out (a mean difference of "
                f"{d.gap_abs:.0f} points question by question)."
            )
    return [line[0].upper() + line[1:] for line in out]


def _points(value: float) -> str:
    """ "13 points", "1 point": a whole number of points, as printed."""
    n = f"{abs(value):.0f}"
    return f"{n} point" if n == "1" else f"{n} points"


def _minus(text: str) -> str:
    return text.replace("-", "\u2212")  # a true minus, as the report prints differences
