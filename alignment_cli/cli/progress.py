"""A line on the terminal while a large set is read: `scoring: 40,960 respondents read`.

Shown only when stderr is a terminal and only once a run has taken a second (a small
engagement never shows it), at most five times a second, and erased when the run ends however
it ends, so nothing of it is left in what was printed. Logs and pipes never see it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO


class Progress:
    """Called with how many respondents were read so far (after each batch)."""

    def __init__(
        self,
        stream: TextIO,
        *,
        clock: Callable[[], float] = time.monotonic,
        after: float = 1.0,
        every: float = 0.2,
    ) -> None:
        self.stream, self.clock, self.every = stream, clock, every
        self.start = clock()
        self.after = after
        self.last: float | None = None  # when the line was last written (None: never)

    def __call__(self, read: int) -> None:
        now = self.clock()
        if now - self.start < self.after:
            return
        if self.last is not None and now - self.last < self.every:
            return
        self.last = now
        self.stream.write(f"\rscoring: {read:,} respondents read")
        self.stream.flush()

    def close(self) -> None:
        """Erase the line (carriage return, clear to the end of the line), if one was shown."""
        if self.last is not None:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.last = None


@contextmanager
def reading_progress() -> Iterator[Callable[[int], None] | None]:
    """The callback for `score_inputs(progress=...)`: None unless stderr is a terminal."""
    stream = sys.stderr
    if not stream.isatty():
        yield None
        return
    shown = Progress(stream)
    try:
        yield shown
    finally:
        shown.close()
