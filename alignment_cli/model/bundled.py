"""Where the bundled rubrics and templates are: paths only, so listing them imports nothing heavy.

Layer 1 (see README, "Map of the code"); `rubric.py` re-exports both names.
"""

from __future__ import annotations

from pathlib import Path


def data_dir(name: str) -> Path:
    """`rubrics/` or `templates/`: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parents[1]  # the package: alignment_cli/
    for candidate in (here / name, here.parent / name):
        if candidate.is_dir():
            return candidate
    return here / name


def bundled_rubrics() -> list[Path]:
    return sorted(data_dir("rubrics").glob("*.yaml"))
