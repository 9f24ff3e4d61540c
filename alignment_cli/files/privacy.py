"""Anonymity: stable pseudonyms, and the smallest group whose answers may be shown."""

from __future__ import annotations

import hashlib

DEFAULT_MIN_GROUP = 3


def pseudonym(name: str, salt: str = "", digits: int = 6) -> str:
    """The same person gets the same pseudonym on every run (and in every export) for a salt.

    The salt (for example the organisation's name) keeps pseudonyms from matching across clients.
    More `digits` tell apart people whose short pseudonyms collide (a real risk past a few
    thousand respondents).
    """
    digest = hashlib.sha256(f"{salt}\x00{name.strip().casefold()}".encode()).hexdigest()
    return f"Respondent {digest[:digits].upper()}"
