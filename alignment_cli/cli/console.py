"""Where the CLI prints: results to stdout, messages to stderr."""

from __future__ import annotations

from rich.console import Console

# Output wraps to the terminal (panels and help boxes need it); commands that print long plain
# lines for logs pass soft_wrap=True on those prints.
out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def reset(width: int | None = None) -> None:
    """Rebind the consoles to the current streams (tests swap sys.stdout under us)."""
    global out, err
    out = Console(highlight=False, width=width)
    err = Console(stderr=True, highlight=False, soft_wrap=True, width=width)
