"""Reading survey cells: how texts compare, the words for yes, no and don't know, numbers as
people write them. Shared by every type's cell reader and by the importer's column matching.
"""

from __future__ import annotations

import math
import re
import unicodedata

from alignment_cli.model.qtypes.base import NA, UNKNOWN

UNKNOWN_WORDS = frozenset(
    {"unknown", "don't know", "dont know", "do not know", "i don't know", "not sure", "idk"}
)
NA_WORDS = frozenset({"n/a", "na", "n.a.", "not applicable", "does not apply", "not relevant"})
NONE_WORDS = frozenset({"none", "none of these", "none of the above", "nothing"})
YES_WORDS = frozenset({"yes", "y", "true", "t", "1"})
NO_WORDS = frozenset({"no", "n", "false", "f", "0"})

_TYPOGRAPHY = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)
_LINE_BREAKS = re.compile(r"\r\n|[\r\x85\u2028\u2029]")


def normalise_text(text: str) -> str:
    """How two texts are compared: case, width, typographic quotes and spacing do not count."""
    s = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY).casefold()
    return " ".join(s.split())


def loose_text(text: str) -> str:
    """Letters and digits only: a second chance for texts a survey tool re-punctuated."""
    return re.sub(r"[\W_]+", "", normalise_text(text))


def short(text: str, limit: int = 60) -> str:
    """A cell quoted in a message, on one line and cut short."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def reserved(n: str) -> str | None:
    """The reserved answer a cell's normalised text stands for, if any."""
    if n in UNKNOWN_WORDS:
        return UNKNOWN
    if n in NA_WORDS:
        return NA
    return None


LEADING_INT = re.compile(r"([-+]?\d+)(?:[.,]0+)?(?:\s*[-:.)/]\s*|\s+)(.*)")

UNIT_WORDS = {
    "percent": {"%", "percent", "per cent", "pct"},
    "hours": {"h", "hr", "hrs", "hour", "hours"},
    "days": {"d", "day", "days"},
    "weeks": {"w", "wk", "wks", "week", "weeks"},
    "months": {"mo", "month", "months"},
    "minutes": {"min", "mins", "minute", "minutes"},
}
NUMBER_AND_UNIT = re.compile(r"([-+]?[\d.,' \u202f]*\d)\s*(.*)")


def parse_number(text: str) -> float | int | None:
    """'1,500' and '1 500' are fifteen hundred, '1,5' and '1.5' one and a half, '1.234,5' and
    '1,234.5' the same number. None when the text is not a number."""
    s = text.strip().replace("\u202f", " ").replace("'", "")
    if not re.fullmatch(r"[-+]?\d[\d.,  ]*", s) or s[-1] in ".,":
        return None
    sign = -1 if s.startswith("-") else 1
    s = s.lstrip("+-")
    if " " in s:
        if not re.fullmatch(r"\d{1,3}( \d{3})+([.,]\d+)?", s):
            return None
        s = s.replace(" ", "")
    if "," in s and "." in s:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        whole, _, frac = s.rpartition(decimal)
        if not re.fullmatch(r"\d{1,3}(" + re.escape(thousands) + r"\d{3})*", whole):
            return None
        s = whole.replace(thousands, "") + "." + frac
    elif "," in s:
        if re.fullmatch(r"\d{1,3}(,\d{3})+", s):
            s = s.replace(",", "")
        elif s.count(",") == 1:
            s = s.replace(",", ".")
        else:
            return None
    elif s.count(".") > 1:
        if not re.fullmatch(r"\d{1,3}(\.\d{3})+", s):
            return None
        s = s.replace(".", "")
    value = sign * float(s)
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def split_options(text: str, candidates: list[tuple[str, str]]) -> list[str] | None:
    """'a, b; c' into option values, trying the longest label first: labels may hold commas.

    Backtracks, so a label that is the prefix of another cannot block a full reading.
    """
    memo: dict[int, list[str] | None] = {}

    def skip(pos: int) -> int:
        while pos < len(text) and text[pos] in " ,;":
            pos += 1
        return pos

    def at_boundary(end: int) -> bool:
        rest = text[end:].lstrip(" ")
        return not rest or rest[0] in ",;"

    def go(pos: int) -> list[str] | None:
        pos = skip(pos)
        if pos == len(text):
            return []
        if pos in memo:
            return memo[pos]
        result: list[str] | None = None
        for key, value in candidates:
            end = pos + len(key)
            if text.startswith(key, pos) and at_boundary(end):
                rest = go(end)
                if rest is not None:
                    result = [value, *rest]
                    break
        memo[pos] = result
        return result

    if not text.strip(" ,;"):
        return None
    return go(0)


def clean_text(cell: str) -> str:
    """A person's text as it goes into YAML: one kind of line break, no stray control codes."""
    s = _LINE_BREAKS.sub("\n", cell).strip()
    return "".join(ch for ch in s if ch in "\n\t" or unicodedata.category(ch) != "Cc")
