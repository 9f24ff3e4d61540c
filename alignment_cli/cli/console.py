"""Where the CLI prints: results to stdout, messages to stderr."""

from __future__ import annotations

from rich.console import Console

# Long plain lines (paths, messages) stay whole for logs and grep; tables still fit the width.
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def reset(width: int | None = None) -> None:
    """Rebind the consoles to the current streams (tests swap sys.stdout under us)."""
    global out, err
    out = Console(highlight=False, soft_wrap=True, width=width)
    err = Console(stderr=True, highlight=False, soft_wrap=True, width=width)
