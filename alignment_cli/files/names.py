"""Which file holds whose answers: one file per person, and never one file for two people.

A file's name is read from the person's name: `Dana Lee` -> `dana-lee.yaml`. Names that do not
spell out in Latin letters (王芳, Иван Петров, أحمد) would all read as nothing, so their names
carry a short stable hash of the whole name: `respondent-3f9a1c2e.yaml`; `José` is `jose.yaml`
(an accent only), but `Łukasz 李` keeps a hash too, since part of it was lost. When the readable
name is already taken by another person's file (`Dana-Lee` after `Dana Lee`), the newcomer's file
gets the hash as well. Whether a file is the same person's is decided by the name inside it,
never by the file name: a different person in the file is a conflict, not a resume.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
HASH_CHARS = 8
# Latin letters that do not decompose into ASCII ones, spelt as people spell them in ASCII.
_LATIN = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "þ": "th",
        "Þ": "Th",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
    }
)


def name_key(name: str) -> str:
    """Two spellings of one name compare equal: case, width and spacing aside."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def name_hash(name: str) -> str:
    return hashlib.sha256(name_key(name).encode("utf-8")).hexdigest()[:HASH_CHARS]


def _readable(name: str) -> tuple[str, bool]:
    """The ASCII slug of `name`, and whether any letter or digit was lost on the way."""
    if name.isascii():  # the common case, and nothing to lose: an import makes thousands
        return _NOT_SLUG.sub("-", name.lower()).strip("-"), False
    lost = False
    kept: list[str] = []
    for ch in unicodedata.normalize("NFKC", name).translate(_LATIN):
        ascii_part = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
        if ch.isalnum() and not any(c.isalnum() for c in ascii_part):
            lost = True
        kept.append(ascii_part)
    return _NOT_SLUG.sub("-", "".join(kept).lower()).strip("-"), lost


MAX_READABLE = 80
"""Characters of a name kept in its file name (a long name is cut and carries its hash): file
systems allow 255 bytes, and `ß` or `⒇` spell out longer than they are."""


def slug(name: str) -> str:
    """The first choice of file name for a respondent: 'Dana Lee' -> 'dana-lee'."""
    readable, lost = _readable(name)
    if len(readable) > MAX_READABLE:
        readable, lost = readable[:MAX_READABLE].rstrip("-"), True
    if not readable:
        return f"respondent-{name_hash(name)}"
    return f"{readable}-{name_hash(name)}" if lost else readable


def file_stem(name: str, holder: Callable[[str], str | None]) -> str:
    """The stem of `name`'s answer file: `slug(name)`, or with the hash added when that file is
    another person's. `holder(stem)` is the name in `stem.yaml` (None when there is no file).

    Raises ValueError when both are another person's (two names with one hash: not seen).
    """
    first = slug(name)
    key = name_key(name)
    hashed = name_hash(name)
    candidates = [first] if first.endswith(hashed) else [first, f"{first}-{hashed}"]
    for stem in candidates:
        other = holder(stem)
        if other is None or name_key(other) == key:
            return stem
    raise ValueError(f"{candidates[-1]}.yaml already holds the answers of {holder(candidates[-1])}")


def shown_path(path: object) -> str:
    """A path as text any output can hold: bytes in a file's name that are not UTF-8 (a name
    made on another system, which Python keeps as lone surrogates) shown as U+FFFD. Written
    to a scorecard, such a name would otherwise stop the JSON being written at all."""
    text = str(path)
    if text.isascii():
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
