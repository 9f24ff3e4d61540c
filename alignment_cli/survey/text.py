"""How survey texts are compared, shared by the forms (which must produce headers that import
matches) and the importer (which matches them): kept apart so neither imports the other."""

from __future__ import annotations

import unicodedata

_TYPOGRAPHY = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)


def normalise_text(text: str) -> str:
    """How two texts are compared: case, width, typographic quotes and spacing do not count."""
    s = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY).casefold()
    return " ".join(s.split())
