"""Gates: conditions under which a run fails (exit 1). Pure functions over scorecards.

Targets are aspirations and never fail a run; gates do. Flags override `alignment.yaml`'s gates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from alignment_cli.errors import UsageError
from alignment_cli.files.engagement import Gates
from alignment_cli.scoring.scorecard import Scorecard


@dataclass
class GateSettings:
    fail_under: float | None = None
    fail_under_dimension: dict[str, float] = field(default_factory=dict)
    max_drop: float | None = None
    drop_beyond_noise: bool = False  # count only drops larger than their noise (section 5a)
    # Where each dimension gate was set, so that an unknown id is reported where it was typed.
    sources: dict[str, str] = field(default_factory=dict)

    @classmethod
    def merge(
        cls,
        config: Gates | None,
        fail_under: float | None,
        fail_under_dimension: list[str],
        max_drop: float | None,
        drop_beyond_noise: bool | None = None,
    ) -> GateSettings:
        base = config or Gates()
        dims = dict(base.fail_under_dimension)
        sources = dict.fromkeys(dims, "gates.fail_under_dimension in alignment.yaml")
        flags = parse_dimension_gates(fail_under_dimension)
        dims.update(flags)
        sources.update(dict.fromkeys(flags, "--fail-under-dimension"))
        return cls(
            fail_under=fail_under if fail_under is not None else base.fail_under,
            fail_under_dimension=dims,
            max_drop=max_drop if max_drop is not None else base.max_drop,
            drop_beyond_noise=(
                drop_beyond_noise if drop_beyond_noise is not None else base.drop_beyond_noise
            ),
            sources=sources,
        )


def parse_dimension_gates(items: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        if not sep or not name.strip() or not 0 <= number <= 100:
            raise UsageError(
                f"--fail-under-dimension expects ID=N with N from 0 to 100, got '{item}'"
            )
        out[name.strip()] = number
    return out


def check_gates(
    card: Scorecard, gates: GateSettings, baseline: Scorecard | None = None
) -> list[str]:
    """Every gate that failed, as a sentence naming what failed and by how much."""
    failures: list[str] = []
    check_dimension_ids(card, gates)
    if gates.fail_under is not None:
        if card.overall is None:
            failures.append(f"overall score: nothing was scored (gate {gates.fail_under:g})")
        elif card.overall < gates.fail_under:
            failures.append(
                f"overall score {_below(card.overall, gates.fail_under)} is under "
                f"{gates.fail_under:g}"
            )
    for dim, threshold in gates.fail_under_dimension.items():
        d = card.dimension(dim)
        assert d is not None
        if d.score is None:
            failures.append(f"dimension {dim}: nothing was scored (gate {threshold:g})")
        elif d.score < threshold:
            failures.append(
                f"dimension {dim} scores {_below(d.score, threshold)}, under {threshold:g}"
            )
    if gates.max_drop is not None and baseline is not None:
        failures.extend(drops(card, baseline, gates.max_drop, beyond_noise=gates.drop_beyond_noise))
    return failures


def _below(score: float, threshold: float) -> str:
    """A score under a threshold, never printed so that it looks like it reached it (59.96)."""
    text = f"{score:.1f}"
    if float(text) >= threshold:
        text = f"{score:.4f}".rstrip("0").rstrip(".")
    return text


def check_dimension_ids(card: Scorecard, gates: GateSettings) -> None:
    """A gate on a dimension the rubric lacks is a usage error (exit 2), never a silent pass."""
    import difflib

    known = [d.id for d in card.dimensions]
    for dim in gates.fail_under_dimension:
        if dim not in known:
            # Match on titles too: 'shared-goals' is "Shared goals and metrics" (shared-metrics).
            by_title = {_as_id(d.title): d.id for d in card.dimensions}
            hint = difflib.get_close_matches(dim, known, n=1)
            titled = [by_title[t] for t in by_title if t.startswith(_as_id(dim))]
            if titled:
                hint = titled[:1]
            where = gates.sources.get(dim, "--fail-under-dimension")
            raise UsageError(
                f"{where} names unknown dimension '{dim}'"
                + (f" (did you mean '{hint[0]}'?)" if hint else "")
                + f"; this rubric's dimensions: {', '.join(known)}"
            )


def drops(
    card: Scorecard, baseline: Scorecard, max_drop: float, *, beyond_noise: bool = False
) -> list[str]:
    """Falls larger than `max_drop` points. With `beyond_noise`, a fall counts only when it is
    also beyond noise (`compare.noise_of`); one that cannot be judged (no intervals) counts."""
    from alignment_cli.scoring.compare import noise_of

    out: list[str] = []

    def judged(fall: float, noise: float | None) -> tuple[bool, str]:
        if not beyond_noise or noise is None:
            return True, ""
        return fall > noise, f", beyond its noise of {noise:.1f}"

    if card.overall is not None and baseline.overall is not None:
        fall = baseline.overall - card.overall
        noise = noise_of(
            baseline.overall, baseline.overall_interval, card.overall, card.overall_interval
        )
        counts, why = judged(fall, noise)
        if fall > max_drop and counts:
            out.append(
                f"overall score fell {fall:.1f} points ({baseline.overall:.1f} to "
                f"{card.overall:.1f}), more than {max_drop:g}{why}"
            )
    for d in card.dimensions:
        old = baseline.dimension(d.id)
        if old is None or old.score is None or d.score is None:
            continue
        fall = old.score - d.score
        counts, why = judged(fall, noise_of(old.score, old.interval, d.score, d.interval))
        if fall > max_drop and counts:
            out.append(
                f"dimension {d.id} fell {fall:.1f} points ({old.score:.1f} to {d.score:.1f}), "
                f"more than {max_drop:g}{why}"
            )
    return out


def _as_id(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
