"""Does a rendered Markdown report add up as displayed? (issue 15, item 2)

`problems(markdown)` reads the report as a reader would, from its tables and sentences only, and
lists every figure that a reader can recompute and that does not come out as printed: a gap
beside the two scores it is the difference of, a change beside its before and after, the points
to go, a phase's status beside its score and threshold, the level beside the overall score, a
score outside its own interval, a figure quoted in a sentence that differs from its table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_block.table import escapedSplit

_NUMBER = re.compile(r"^([−+-]?\d+(?:\.\d+)?)")
_RANGE = re.compile(r"\((\d+(?:\.\d+)?)–(\d+(?:\.\d+)?)\)")


def number(cell: str) -> float | None:
    """The figure a cell starts with ("-7" with a true minus, "+3 (within noise)", "46 (38-55)
    †" with an en dash), or None."""
    m = _NUMBER.match(cell.strip())
    return None if m is None else float(m.group(1).replace("−", "-"))


@dataclass
class Table:
    line: int  # 1-based line of the header
    heading: str  # the nearest heading above
    header: list[str]
    rows: list[list[str]]

    def column(self, name: str) -> int:
        return self.header.index(name)


def _split(line: str) -> list[str]:
    row = line.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    return [c.strip() for c in escapedSplit(row)]


def tables(text: str) -> list[Table]:
    lines = text.split("\n")
    out = []
    heading = ""
    for tok in MarkdownIt("commonmark").enable("table").parse(text):
        if tok.type == "heading_open" and tok.map:
            heading = lines[tok.map[0]].lstrip("#").strip()
        if tok.type != "table_open" or not tok.map:
            continue
        start, end = tok.map
        header = _split(lines[start])
        rows = [_split(lines[i]) for i in range(start + 2, end)]
        out.append(Table(start + 1, heading, header, rows))
    return out


def _close(a: float, b: float) -> bool:
    return abs(a - b) < 1e-6


def problems(text: str) -> list[str]:
    out: list[str] = []
    ts = tables(text)
    dimension_scores: dict[str, float] = {}
    dimension_gaps: dict[str, float] = {}

    for t in ts:
        where = f"table at line {t.line} ({t.heading})"
        # Every score with an interval lies inside it.
        for row in t.rows:
            for cell in row:
                m = _RANGE.search(cell)
                v = number(cell)
                if m and v is not None and not (float(m[1]) <= v <= float(m[2])):
                    out.append(f"{where}: {cell!r} lies outside its interval")
        # A gap is the difference of the two figures just before it.
        if "Gap" in t.header:
            g = t.column("Gap")
            for row in t.rows:
                a, b, gap = number(row[g - 2]), number(row[g - 1]), number(row[g])
                if gap is None:
                    continue
                if a is None or b is None:
                    out.append(f"{where}: {row[0]!r} shows a gap without both figures")
                elif not _close(gap, a - b):
                    out.append(f"{where}: {row[0]!r}: {row[g - 2]} − {row[g - 1]} is not {row[g]}")
        # A change is the after figure minus the before figure.
        if t.header and t.header[-1] == "Change":
            for row in t.rows:
                before, after, change = number(row[-3]), number(row[-2]), number(row[-1])
                if None not in (before, after, change) and not _close(
                    change or 0, (after or 0) - (before or 0)
                ):
                    out.append(f"{where}: {row[0]!r}: {row[-3]} to {row[-2]} is not {row[-1]}")
        # A phase is achieved when its score, as shown, reaches its threshold.
        if "Threshold" in t.header and "Status" in t.header:
            s, th, st = t.column("Score"), t.column("Threshold"), t.column("Status")
            for row in t.rows:
                score, threshold = number(row[s]), number(row[th])
                if score is None or threshold is None:
                    continue
                achieved = row[st].startswith("Achieved")
                # Reaching the threshold on under half the questions is "Not yet", said so.
                thin = "answered" in row[st]
                if achieved != (score >= threshold and not thin) or (thin and score < threshold):
                    out.append(f"{where}: {row[0]!r} scores {row[s]} against {row[th]}: {row[st]}")
        if t.header[:2] == ["Dimension", "Score"]:
            for row in t.rows:
                v = number(row[1])
                if v is not None:
                    dimension_scores[row[0]] = v
                if "Gap" in t.header and (gv := number(row[t.column("Gap")])) is not None:
                    dimension_gaps[row[0]] = gv

    # The heat map: a dimension's score lies among its groups' scores, or a note says why not.
    for t in ts:
        if t.heading != "By role":
            continue
        for row in t.rows:
            values = [v for c in row[1:] if (v := number(c)) is not None]
            score = dimension_scores.get(row[0])
            if score is None or len(values) < 2:
                continue
            if not (min(values) <= score <= max(values)) and (
                f"{row[0]} scores {score:g} overall" not in text
            ):
                out.append(f"heat map: {row[0]!r} scores {score:g}, outside {values}, unexplained")

    # Sentences.
    overall_m = re.search(r"\*\*Overall alignment: (\d+(?:\.\d+)?)", text)
    overall = float(overall_m[1]) if overall_m else None
    m = re.search(
        r"\*\*Target:\*\* (\d+(?:\.\d+)?)(?:, (\d+(?:\.\d+)?) points to go|, reached)", text
    )
    if m and overall is not None:
        target = float(m[1])
        if m[2] is None and overall < target:
            out.append(f"summary: target {m[1]} 'reached' at {overall:g}")
        if m[2] is not None and not _close(float(m[2]), target - overall):
            out.append(f"summary: {m[2]} points to go from {overall:g} to {m[1]}")
    for m in re.finditer(
        r"(up|down) (\d+) points? since [^(]*\(from (\d+(?:\.\d+)?) to (\d+(?:\.\d+)?)\)", text
    ):
        way, n, a, b = m[1], float(m[2]), float(m[3]), float(m[4])
        signed = n if way == "up" else -n
        if not _close(signed, b - a):
            out.append(f"sentence {m[0]!r}: {b:g} − {a:g} is not {signed:+g}")
    for m in re.finditer(r"\n(\S[^\n]*?): a gap of ([−+-]?\d+) hides", text):
        title, gap = m[1], float(m[2].replace("−", "-"))
        if title in dimension_gaps and not _close(dimension_gaps[title], gap):
            out.append(
                f"note: {title} 'a gap of {m[2]}', the table shows {dimension_gaps[title]:g}"
            )
    for m in re.finditer(r"\*\*(Strongest|Weakest):\*\* ([^*]+?) \((\d+(?:\.\d+)?)\)", text):
        title, value = m[2], float(m[3])
        if title in dimension_scores and not _close(dimension_scores[title], value):
            out.append(
                f"summary: {m[1]} {title} ({m[3]}), the table shows {dimension_scores[title]:g}"
            )
    for m in re.finditer(r"\*\*Today:\*\* ([^·\n]+?) scores (\d+) of 100", text):
        title, value = m[1], float(m[2])
        if title in dimension_scores and not _close(dimension_scores[title], value):
            out.append(f"plan: {title} scores {m[2]}, the table shows {dimension_scores[title]:g}")
    # The level: the overall score as shown lies in the band marked "you are here".
    levels = re.search(r"Levels: ([^\n]+)", text)
    if levels and overall is not None:
        bands = re.findall(r"([^,]+?) from (\d+)( \(\*\*you are here\*\*\))?(?:,|\.|$)", levels[1])
        starts = [float(b[1]) for b in bands]
        for i, b in enumerate(bands):
            if b[2]:
                end = starts[i + 1] if i + 1 < len(starts) else 100.01
                if not (starts[i] <= overall < end):
                    out.append(f"levels: {overall:g} is not in {b[0].strip()} ({b[1]} to {end:g})")
    return out
