"""Charts for the report, computed in Python so templates only lay them out.

Two renderings of the same data: Mermaid source (GitHub draws it from a fenced block in Markdown)
and the geometry of an inline SVG (the HTML report draws it with no script and nothing fetched).
Labels in Mermaid are reduced to a safe alphabet: a chart label can never close the code fence or
the Mermaid string it sits in.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from alignment_cli.report.markdown import fmt_score

#: Series colours, shared by the SVG (via CSS classes) and the Mermaid palette.
PALETTE = ("#1f4e79", "#d9822b", "#2a9d8f", "#8e5ea2", "#6b7280")

_MERMAID_UNSAFE = re.compile(r"[^0-9A-Za-z À-ɏ,.&'()/+\-]")


class Markdown(str):
    """Markdown this module or report.py assembled from sanitised pieces; printed as is."""

    __slots__ = ()


@dataclass(frozen=True)
class Series:
    """One row of values over the chart's categories: all respondents, or one role group."""

    key: str
    name: str
    values: list[float | None]
    css: str
    colour: str


@dataclass(frozen=True)
class SvgBar:
    x: float
    y: float
    width: float
    height: float
    css: str
    colour: str
    value: str
    text_x: float
    text_y: float


@dataclass(frozen=True)
class SvgGroup:
    """One category (a dimension): its wrapped label and its bars."""

    label: list[str]
    label_y: float
    bars: list[SvgBar]
    band_y: float
    band_height: float
    shaded: bool


@dataclass(frozen=True)
class SvgTick:
    x: float
    label: str


@dataclass(frozen=True)
class SvgLegend:
    x: float
    y: float
    css: str
    colour: str
    label: str


@dataclass(frozen=True)
class SvgChart:
    """A horizontal grouped bar chart on 0..100, in SVG user units."""

    width: float
    height: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    axis_y: float
    groups: list[SvgGroup]
    ticks: list[SvgTick]
    legend: list[SvgLegend]
    title: str


@dataclass(frozen=True)
class SvgPoint:
    x: float
    y: float
    label: str
    value: str


@dataclass(frozen=True)
class SvgLine:
    """A line over time (the trend of the overall score), in SVG user units."""

    width: float
    height: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    points: list[SvgPoint]
    path: str
    ticks: list[SvgTick]
    title: str


def mermaid_text(text: str, limit: int = 40) -> str:
    """A quoted Mermaid string: only letters, digits, spaces and harmless punctuation."""
    clean = _MERMAID_UNSAFE.sub(" ", text)
    clean = re.sub(r"\s+", " ", clean).strip()
    if len(clean) > limit:
        clean = clean[: limit - 1].rstrip() + "…"
    return '"' + clean + '"'


def _num(value: float | None) -> str:
    return "0" if value is None else f"{value:.0f}"


def mermaid_bars(title: str, categories: Sequence[str], series: Sequence[Series]) -> Markdown:
    """Mermaid `xychart-beta` source: the first series as bars, the others as lines.

    Mermaid draws several bar series on top of each other rather than side by side, so role
    groups are lines over the all-respondent bars; the palette keeps each series' colour.
    """
    palette = ", ".join(s.colour for s in series)
    lines = [
        "---",
        "config:",
        "  themeVariables:",
        "    xyChart:",
        f'      plotColorPalette: "{palette}"',
        "---",
        "xychart-beta horizontal",
        f"  title {mermaid_text(title, 60)}",
        "  x-axis [" + ", ".join(mermaid_text(c) for c in categories) + "]",
        '  y-axis "Score (0 to 100)" 0 --> 100',
    ]
    for i, s in enumerate(series):
        kind = "bar" if i == 0 else "line"
        lines.append(f"  {kind} [" + ", ".join(_num(v) for v in s.values) + "]")
    return Markdown("\n".join(lines))


def mermaid_trend(title: str, labels: Sequence[str], values: Sequence[float | None]) -> Markdown:
    lines = [
        "xychart-beta",
        f"  title {mermaid_text(title, 60)}",
        "  x-axis [" + ", ".join(mermaid_text(label) for label in labels) + "]",
        '  y-axis "Overall score" 0 --> 100',
        "  line [" + ", ".join(_num(v) for v in values) + "]",
    ]
    return Markdown("\n".join(lines))


def _r(x: float) -> float:
    """Round geometry so the SVG is short and byte-stable."""
    return round(x, 1)


def svg_bars(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    width: float = 760,
    label_width: float = 230,
    bar_height: float = 13,
    bar_gap: float = 3,
    group_pad: float = 10,
) -> SvgChart:
    """Geometry of a horizontal grouped bar chart: one group per category, one bar per series."""
    legend_height = 30.0
    plot_left = label_width
    plot_right = width - 44
    plot_top = legend_height + 6
    k = max(1, len(series))
    group_height = k * bar_height + (k - 1) * bar_gap + 2 * group_pad
    scale = (plot_right - plot_left) / 100.0
    groups: list[SvgGroup] = []
    for i, category in enumerate(categories):
        top = plot_top + i * group_height
        bars = []
        for j, s in enumerate(series):
            value = s.values[i] if i < len(s.values) else None
            y = top + group_pad + j * (bar_height + bar_gap)
            w = 0.0 if value is None else max(0.0, min(100.0, value)) * scale
            bars.append(
                SvgBar(
                    x=_r(plot_left),
                    y=_r(y),
                    width=_r(w),
                    height=bar_height,
                    css=s.css,
                    colour=s.colour,
                    value=fmt_score(value),
                    text_x=_r(plot_left + w + 4),
                    text_y=_r(y + bar_height - 3),
                )
            )
        label = textwrap.wrap(category, 30)[:3] or [""]
        centre = top + group_height / 2
        first_line = centre - (len(label) - 1) * 7.5 + 4
        groups.append(
            SvgGroup(
                label=label,
                label_y=_r(first_line),
                bars=bars,
                band_y=_r(top),
                band_height=_r(group_height),
                shaded=i % 2 == 0,
            )
        )
    plot_bottom = plot_top + len(groups) * group_height
    ticks = [SvgTick(x=_r(plot_left + v * scale), label=str(v)) for v in range(0, 101, 20)]
    legend = []
    x = plot_left
    for s in series:
        legend.append(SvgLegend(x=_r(x), y=10, css=s.css, colour=s.colour, label=s.name))
        x += 26 + 7.2 * len(s.name)
    return SvgChart(
        width=width,
        height=_r(plot_bottom + 28),
        plot_left=_r(plot_left),
        plot_right=_r(plot_right),
        plot_top=_r(plot_top),
        plot_bottom=_r(plot_bottom),
        axis_y=_r(plot_bottom + 18),
        groups=groups,
        ticks=ticks,
        legend=legend,
        title=title,
    )


def svg_trend(
    title: str, labels: Sequence[str], values: Sequence[float | None], *, width: float = 760
) -> SvgLine:
    """Geometry of a line chart of the overall score over runs, 0..100 on the vertical axis."""
    height = 220.0
    left, right, top, bottom = 40.0, width - 30, 16.0, height - 36
    n = len(labels)
    step = (right - left) / max(1, n - 1)
    points = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        if value is None:
            continue
        x = left + i * step if n > 1 else (left + right) / 2
        y = bottom - max(0.0, min(100.0, value)) / 100 * (bottom - top)
        points.append(SvgPoint(x=_r(x), y=_r(y), label=label, value=f"{value:.0f}"))
    path = " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(points))
    ticks = [SvgTick(x=_r(bottom - v / 100 * (bottom - top)), label=str(v)) for v in (0, 50, 100)]
    return SvgLine(
        width=width,
        height=height,
        plot_left=left,
        plot_right=_r(right),
        plot_top=top,
        plot_bottom=bottom,
        points=points,
        path=path,
        ticks=ticks,
        title=title,
    )
