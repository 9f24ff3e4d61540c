"""Reading a survey export's CSV (encodings, delimiters, quoted newlines) and its timestamps."""

from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from alignment_cli.clock import as_utc
from alignment_cli.errors import InvalidInput, Problem
from alignment_cli.model.qtypes.cells import short as _short

MAX_CSV_BYTES = 512 * 1024 * 1024


# ---------------------------------------------------------------------------------------------
# Reading the CSV


def read_csv(path: Path) -> list[tuple[int, list[str]]]:
    """Records with the physical line each starts on. Handles a byte-order mark (UTF-8 or
    UTF-16, as Excel writes), CRLF, quoted commas and newlines, and ; or tab delimiters."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            raise InvalidInput(
                [
                    Problem(
                        name, None, None, f"file is {size:,} bytes; the limit is {MAX_CSV_BYTES:,}"
                    )
                ]
            )
        raw = path.read_bytes()
    except IsADirectoryError:
        raise InvalidInput(
            [Problem(name, None, None, "is a directory, expected a CSV file")]
        ) from None
    except FileNotFoundError:
        raise InvalidInput([Problem(name, None, None, "no such file")]) from None
    except OSError as exc:
        raise InvalidInput([Problem(name, None, None, f"cannot read: {exc.strerror}")]) from None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise InvalidInput([Problem(name, 1, 1, "not valid UTF-16 text")]) from None
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            before = raw[: exc.start]
            line, col = before.count(b"\n") + 1, exc.start - (before.rfind(b"\n") + 1) + 1
            raise InvalidInput(
                [
                    Problem(
                        name,
                        line,
                        col,
                        "not UTF-8 text; export the survey (or save the sheet) as CSV UTF-8",
                    )
                ]
            ) from None
    if "\x00" in text:
        head = text[: text.index("\x00")]
        line = head.count("\n") + 1
        raise InvalidInput(
            [Problem(name, line, len(head) - head.rfind("\n"), "binary data (a NUL byte)")]
        )
    if not text.strip():
        raise InvalidInput([Problem(name, 1, 1, "the file is empty")])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=False)
    records: list[tuple[int, list[str]]] = []
    end = 0
    try:
        for cells in reader:
            records.append((end + 1, cells))
            end = reader.line_num
    except csv.Error as exc:
        raise InvalidInput([Problem(name, end + 1, 1, f"not valid CSV: {exc}")]) from None
    return records


def _delimiter(text: str) -> str:
    """The delimiter that splits the header into the most cells (Excel in many locales uses ;)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    best, count = ",", 0
    for d in (",", ";", "\t"):
        n = len(next(csv.reader([first], delimiter=d), []))
        if n > count:
            best, count = d, n
    return best


# ---------------------------------------------------------------------------------------------
# Timestamps


_GMT = re.compile(r"\s*(?:gmt|utc|z)\s*(?:([+-])(\d{1,2})(?::?(\d{2}))?)?$", re.IGNORECASE)
_SLASHED = re.compile(
    r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([ap]\.?m\.?)?)?",
    re.IGNORECASE,
)


def day_first(values: list[str]) -> bool | None:
    """Whether dd/mm dates are meant: decided for the whole file from dates that can only be
    read one way (13/02 or 02/13); None when the file mixes both."""
    firsts = seconds = False
    for v in values:
        m = _SLASHED.match(v.strip())
        if not m or len(m.group(1)) == 4:
            continue
        a, b = int(m.group(1)), int(m.group(2))
        firsts |= a > 12
        seconds |= b > 12
    if firsts and seconds:
        return None
    return firsts


def parse_timestamp(text: str, *, fmt: str | None = None, dayfirst: bool = False) -> datetime:
    """A survey tool's timestamp, in UTC. Times without a zone are taken as UTC."""
    s = text.strip()
    if fmt:
        dt = datetime.strptime(s, fmt)
        return as_utc(dt)
    tz: timezone | None = None
    m = _GMT.search(s)
    if m and m.start() > 0:
        if m.group(1):
            delta = timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0))
            tz = timezone(delta if m.group(1) == "+" else -delta)
        else:
            tz = UTC
        s = s[: m.start()]
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        dt = _slashed(s, dayfirst)
    if dt.tzinfo is None and tz is not None:
        dt = dt.replace(tzinfo=tz)
    return as_utc(dt)


def _slashed(s: str, dayfirst: bool) -> datetime:
    m = _SLASHED.fullmatch(s)
    if not m:
        raise ValueError(f"'{_short(s)}' is not a date and time")
    a, b, c, hh, mm, ss, ampm = m.groups()
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    else:
        year = int(c) + (2000 if len(c) <= 2 else 0)
        month, day = (int(b), int(a)) if dayfirst else (int(a), int(b))
    hour = int(hh or 0)
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError(f"'{_short(s)}': hour {hour} with {ampm}")
        hour = hour % 12 + (12 if ampm.lower().startswith("p") else 0)
    return datetime(year, month, day, hour, int(mm or 0), int(ss or 0))
