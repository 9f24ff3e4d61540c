"""One exception base for the tool; the CLI maps it to exit codes in one place (cli/main.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

EXIT_GATE_FAILED = 1
EXIT_INVALID = 2
EXIT_INTERRUPTED = 130


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, located as precisely as we can."""

    file: str
    line: int | None
    column: int | None
    message: str
    path: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class AlignmentError(Exception):
    """Base of every error the tool reports cleanly; `exit_code` is what the process returns."""

    exit_code = EXIT_INVALID

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(AlignmentError):
    """A file or argument is wrong; carries every problem found, not only the first."""

    def __init__(self, problems: Iterable[Problem] | str) -> None:
        if isinstance(problems, str):
            self.problems: list[Problem] = []
            super().__init__(problems)
        else:
            # Problems without a line (a missing file, say) sort before located ones.
            self.problems = sorted(
                problems, key=lambda p: (p.file, p.line or 0, p.column or 0, p.path, p.message)
            )
            super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(AlignmentError):
    """The command was called in a way that cannot work (missing flag, no terminal, ...)."""


class GateFailed(AlignmentError):
    """A score gate (--fail-under, --max-drop, ...) was not met."""

    exit_code = EXIT_GATE_FAILED


class Interrupted(AlignmentError):
    """The user interrupted; whatever was typed has been saved."""

    exit_code = EXIT_INTERRUPTED
