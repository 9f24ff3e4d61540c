"""Markdown that people's text cannot break: escaping and tables (GitHub-flavoured)."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

_BREAKS = re.compile(r"[ \t]*(?:\r\n|\r|\n)+\s*")
_SPECIAL = re.compile(r"([\\`*_{}\[\]#|<>~])")
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+[.)])")
# Control characters left after line breaks: shown as `\x1b`, never passed to a terminal.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_AUTOLINK = re.compile(r"(?i)(://|www\.|@)")


def escape(text: object) -> str:
    """Text a person typed, safe inside a Markdown paragraph or table cell.

    HTML is entity-escaped (no tags get through), Markdown punctuation is backslash-escaped (no
    headings, links, emphasis or code), line breaks become " / " (a table row stays one row,
    and two notes typed on separate lines stay two), and control characters are written as
    `\x1b` (no terminal escape sequence gets through).
    """
    s = html.escape(str(text).strip(), quote=False)
    s = _BREAKS.sub(" / ", s)
    s = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", s)
    s = _SPECIAL.sub(r"\\\1", s)
    s = _LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], s)
    # GitHub turns bare URLs and e-mail addresses into links; keep typed text inert.
    return _AUTOLINK.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], s)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], align: str = "") -> str:
    """A GFM table; cells are already-escaped strings (or numbers)."""
    aligns = list(align.ljust(len(headers), "l"))
    sep = ["---:" if a == "r" else ":---:" if a == "c" else "---" for a in aligns]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(sep) + " |"]
    for row in rows:
        cells = [str(c).replace("\n", " ") for c in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def fmt_score(value: float | None, digits: int = 0) -> str:
    """Scores are read as whole points out of 100; a dash where there is none."""
    return "–" if value is None else f"{value:.{digits}f}"


def fmt_percent(value: float | None) -> str:
    """A share in 0..1 (coverage) as a whole percentage."""
    return "–" if value is None else f"{value * 100:.0f}%"


def fmt_range(interval: object | None, indicative: bool = False) -> str:
    """A score's interval as "(46-58)" (an en dash in fact), with † when it rests on a group
    under the minimum size; empty when there is neither."""
    low, high = getattr(interval, "low", None), getattr(interval, "high", None)
    text = "" if low is None or high is None else f"({low:.0f}–{high:.0f})"
    if indicative:
        text = f"{text} †" if text else "†"
    return text


def fmt_gap(value: float | None) -> str:
    return "–" if value is None else f"{value:+.0f}"
