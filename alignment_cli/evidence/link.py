"""A measured metric as an answer to the rubric question that names it (`evidence:`).

The rule lives in the scoring layer (alignment_cli/scoring/evidence.py), where `score` uses it;
this name stays for the evidence package's callers.
"""

from alignment_cli.scoring.evidence import Measured, measured

__all__ = ["Measured", "measured"]
