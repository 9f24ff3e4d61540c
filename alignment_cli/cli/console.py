"""Where the CLI prints: results to stdout, messages to stderr.

Text from files (names, notes, rubric text, paths in error messages) may hold control
characters and terminal escape sequences (`\\x1b]0;...`, `\\x1b[2J`, a bidi override): they are
printed escaped, never obeyed. Strings are escaped before rich lays them out; anything that
reaches the output some other way (a `Text` built from a file) is escaped as it is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.segment import Segment
from rich.text import Text

# C0 (but line feed and tab, which rich lays out), DEL, C1 (0x9b starts an escape sequence on
# some terminals), the line and paragraph separators, and bidi embeddings, overrides, isolates.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_CONTROL_OR_BREAK = re.compile(CONTROL.pattern[:-1] + "\n\t]")


def escape_controls(text: str, *, breaks: bool = False) -> str:
    """`text` with each control character written as its Python escape (`\\x1b`, `\\u202e`);
    with `breaks`, line feeds and tabs too (a value that must stay on one line)."""
    pattern = _CONTROL_OR_BREAK if breaks else CONTROL
    return pattern.sub(_escaped, text)


# Whole escape sequences first (an arrow key without line editing sends `\x1b[A`; stripping
# only the ESC would leave `[A`), then any control character left.
_SEQUENCE = re.compile(
    "\x1b\\[[0-?]*[ -/]*[@-~]"  # CSI: cursor keys, colours, clear screen
    "|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?"  # OSC: window title, hyperlinks
    "|\x1bO[ -~]|\x1b[@-_]"  # SS3 (function keys) and the other two-byte sequences
    "|\x9b[0-?]*[ -/]*[@-~]"  # CSI as one C1 byte
)


def strip_controls(text: str) -> str:
    """`text` without control characters: what a person typed, minus the keys' escape codes
    (a tab becomes a space)."""
    if not _CONTROL_OR_BREAK.search(text):
        return text
    return _CONTROL_OR_BREAK.sub("", _SEQUENCE.sub("", text.replace("\t", " ")))


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class SafeConsole(Console):
    """A rich Console that never writes a control character it was given as text."""

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(escape_controls(text), **kwargs)

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        safe = (
            Segment(escape_controls(s.text), s.style, s.control)
            if s.control is None and CONTROL.search(s.text)
            else s
            for s in buffer
        )
        rendered: str = super()._render_buffer(safe)
        return rendered


# Output wraps to the terminal (panels and help boxes need it); commands that print long plain
# lines for logs pass soft_wrap=True on those prints.
out: Console = SafeConsole(highlight=False)
err: Console = SafeConsole(stderr=True, highlight=False, soft_wrap=True)


def reset(width: int | None = None) -> None:
    """Rebind the consoles to the current streams (tests swap sys.stdout under us)."""
    global out, err
    out = SafeConsole(highlight=False, width=width)
    err = SafeConsole(stderr=True, highlight=False, soft_wrap=True, width=width)
