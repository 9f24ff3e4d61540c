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


def shown_gap(first: float | None, second: float | None, gap: float | None) -> float | None:
    """A gap as printed beside its two scores: the difference of the two rounded figures (so
    that 45 and 56 read -11, not the -10 of the unrounded scores); `gap` when either is none."""
    if first is None or second is None:
        return gap
    return float(int(fmt_score(first)) - int(fmt_score(second)))


# --------------------------------------------------------------------------- the consultant's text

_LIST_ITEM = re.compile(r"^\s{0,3}([-*+]|\d{1,3}[.)])\s+(.*)$")
_LINE_BREAKS = re.compile(r"\r\n|\r|\u2028|\u2029")


class SafeHtml(str):
    """HTML this module assembled from escaped pieces: Jinja's autoescape prints it as is."""

    __slots__ = ()

    def __html__(self) -> str:
        return str(self)


def _blocks(text: str) -> list[tuple[str, list[str]]]:
    """Paragraphs and lists: ("p", lines), ("ul", items) or ("ol", items)."""
    out: list[tuple[str, list[str]]] = []
    for chunk in re.split(r"\n[ \t]*\n", _LINE_BREAKS.sub("\n", text).strip()):
        lines = [x for x in chunk.split("\n") if x.strip()]
        if not lines:
            continue
        if all(_LIST_ITEM.match(x) or x.startswith((" ", "\t")) for x in lines) and (
            m := _LIST_ITEM.match(lines[0])
        ):
            kind = "ol" if m[1][0].isdigit() else "ul"
            items: list[str] = []
            for x in lines:
                item = _LIST_ITEM.match(x)
                if item:
                    items.append(item[2].strip())
                else:
                    items[-1] += " " + x.strip()
            out.append((kind, items))
        else:
            out.append(("p", [x.strip() for x in lines]))
    return out


def _inline_markdown(text: str) -> str:
    """One line of the consultant's Markdown, harmless: emphasis and code kept; raw HTML,
    links, images, headings, tables and bare URLs made plain text."""
    s = html.escape(text, quote=False)
    s = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", s)
    s = re.sub(r"([\\\[\]{}#|<>~!])", r"\\\1", s)
    return _AUTOLINK.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], s)


_OPENS_BLOCK = re.compile(r"^([-+=_*])(?=\s|\1*\s*$)|^(\d+)([.)])")


def _block_start(line: str) -> str:
    """A paragraph line that would start a list, a rule or a heading underline starts plain."""
    m = _OPENS_BLOCK.match(line)
    if m is None:
        return line
    if m[1]:
        return "\\" + line
    return f"{m[2]}\\{m[3]}" + line[m.end() :]


def safe_markdown(text: str) -> str:
    """The consultant's Markdown (a finding's body), as Markdown that cannot break the report:
    paragraphs and lists (re-numbered from 1, indented by the marker), emphasis and code; every
    other construct is shown as the text that was typed."""
    parts = []
    for kind, lines in _blocks(text):
        if kind == "p":
            parts.append("\n".join(_block_start(_inline_markdown(x)) for x in lines))
        else:
            marker = "-" if kind == "ul" else None
            items = []
            for i, item in enumerate(lines, start=1):
                lead = marker or f"{i}."
                items.append(f"{lead} {_inline_markdown(item)}")
            parts.append("\n".join(items))
    return "\n\n".join(parts)


_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
_EM = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])|(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)")
_CODE = re.compile(r"`([^`]+)`")


def _inline_html(text: str) -> str:
    s = html.escape(text, quote=True)
    s = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", s)
    codes: list[str] = []

    def keep(m: re.Match[str]) -> str:
        codes.append(m[1])
        return f"\x00{len(codes) - 1}\x00"

    s = _CODE.sub(keep, s)
    s = _STRONG.sub(lambda m: f"<strong>{m[1] or m[2]}</strong>", s)
    s = _EM.sub(lambda m: f"<em>{m[1] or m[2]}</em>", s)
    return re.sub("\x00(\\d+)\x00", lambda m: f"<code>{codes[int(m[1])]}</code>", s)


def safe_html(text: str) -> SafeHtml:
    """The same subset as `safe_markdown`, as HTML: every character typed is escaped first, and
    only <p>, <ul>, <ol>, <li>, <strong>, <em> and <code> are added."""
    parts = []
    for kind, lines in _blocks(text):
        if kind == "p":
            parts.append("<p>" + " ".join(_inline_html(x) for x in lines) + "</p>")
        else:
            items = "".join(f"<li>{_inline_html(x)}</li>" for x in lines)
            parts.append(f"<{kind}>{items}</{kind}>")
    return SafeHtml("\n".join(parts))
