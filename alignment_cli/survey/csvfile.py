"""Reading a survey export's CSV (encodings, delimiters, quoted newlines) and its timestamps."""

from __future__ import annotations

import codecs
import csv
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path

from alignment_cli.clock import as_utc
from alignment_cli.errors import InvalidInput, Problem
from alignment_cli.model.qtypes.cells import short as _short

MAX_CSV_BYTES = 512 * 1024 * 1024
"""The most a CSV may hold, counted as it is read: a size on disk can lie (a FIFO, /dev/zero)."""
MAX_CELL_CHARS = 1024 * 1024
"""The longest cell: no survey answer is a megabyte; a longer one is a broken file or an attack."""
MAX_LINE_CHARS = 16 * MAX_CELL_CHARS
"""The longest physical line held while it is split into cells."""
MAX_RECORDS = 1_000_000
"""The most rows held: a million short rows fit the byte limit but not the memory."""
CHUNK_BYTES = 1024 * 1024

_BREAK = re.compile(r"\r\n|\r|\n")
_BYTE_BREAK = re.compile(rb"\r\n|\r|\n")
_EOF = "\x00"  # after the last line: NUL never reaches the reader (refused as binary data)


# ---------------------------------------------------------------------------------------------
# Reading the CSV


@dataclass
class CsvFile:
    """The records (with the physical line each starts on), the delimiter, and what was found
    about the file as a whole that was read as its meaning is clear (said as notes)."""

    records: list[tuple[int, list[str]]]
    delimiter: str
    findings: list[str]


def read_csv(path: Path) -> list[tuple[int, list[str]]]:
    """The records of `path`, each with the physical line it starts on (see read_csv_file)."""
    return read_csv_file(path).records


def read_csv_file(path: Path) -> CsvFile:
    """Records with the physical line each starts on. Handles a byte-order mark (UTF-8 or
    UTF-16, as Excel writes), CRLF, quoted commas and newlines, and ; or tab delimiters.

    The file is read in chunks and decoded as it goes, so only the records are held; it is
    refused past MAX_CSV_BYTES, a cell past MAX_CELL_CHARS, and a quote that never closes or
    runs across what are clearly other rows (a file-level problem, even with --partial).
    """
    stream = CsvStream(path)
    records = list(stream)
    return CsvFile(records, stream.delimiter, stream.findings())


class CsvStream:
    """The records of a CSV one at a time, checked as read_csv_file checks them, holding none:
    a survey of 100,000 rows is read twice (the whole-file facts, then the rows) instead of
    being held. `delimiter` is known after the first record, `findings()` after the last."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.delimiter = ","
        self._reader: _Records | None = None

    def findings(self) -> list[str]:
        return self._reader.findings() if self._reader is not None else []

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        path = self.path
        name = str(path)
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            raise InvalidInput([Problem(name, None, None, "no such file")]) from None
        except IsADirectoryError:
            raise _directory(name) from None
        except OSError as exc:
            raise InvalidInput(
                [Problem(name, None, None, f"cannot read: {exc.strerror}")]
            ) from None
        try:
            st = os.fstat(fd)
            if stat.S_ISDIR(st.st_mode):
                raise _directory(name)
            if stat.S_ISREG(st.st_mode) and st.st_size > MAX_CSV_BYTES:  # early; reads capped too
                raise _too_large(name, f"is {st.st_size:,} bytes")
            reader = self._reader = _Records(name, _chunks(name, fd))
            for record in reader.read():
                self.delimiter = reader.delimiter
                yield record
        finally:
            os.close(fd)


def _directory(name: str) -> InvalidInput:
    return InvalidInput([Problem(name, None, None, "is a directory, expected a CSV file")])


def _too_large(name: str, what: str) -> InvalidInput:
    return InvalidInput(
        [Problem(name, None, None, f"{what}; the limit is {MAX_CSV_BYTES:,} bytes")]
    )


def _chunks(name: str, fd: int) -> Iterator[bytes]:
    """The file's bytes in chunks, never more than MAX_CSV_BYTES in all."""
    total = 0
    while True:
        try:
            chunk = os.read(fd, CHUNK_BYTES)
        except OSError as exc:
            raise InvalidInput(
                [Problem(name, None, None, f"cannot read: {exc.strerror}")]
            ) from None
        if not chunk:
            return
        total += len(chunk)
        if total > MAX_CSV_BYTES:
            raise _too_large(name, f"holds more than {MAX_CSV_BYTES:,} bytes")
        yield chunk


def _decoded(name: str, chunks: Iterator[bytes]) -> Iterator[str]:
    """Text decoded chunk by chunk: UTF-16 with its byte-order mark, else UTF-8 (a mark or not);
    a byte that is not UTF-8 is located by line and (byte) column."""
    head = b""
    for chunk in chunks:  # enough bytes to see a byte-order mark, even from a slow pipe
        head += chunk
        if len(head) >= 3:
            break
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16 and head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    decoder = codecs.getincrementaldecoder("utf-16" if utf16 else "utf-8")()
    lines, since_break = 0, 0  # line breaks before the chunk, bytes after the last one

    def stream() -> Iterator[bytes]:
        if head:
            yield head
        yield from chunks

    for chunk in stream():
        pending = decoder.getstate()[0]
        try:
            yield decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            raise _not_text(
                name, utf16, exc.start - len(pending), chunk, lines, since_break
            ) from None
        n = chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
        if n:
            lines += n
            since_break = len(chunk) - max(chunk.rfind(b"\n"), chunk.rfind(b"\r")) - 1
        else:
            since_break += len(chunk)
    try:
        yield decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise _not_text(name, utf16, exc.start, b"", lines, since_break) from None


def _not_text(
    name: str, utf16: bool, at: int, chunk: bytes, lines: int, since_break: int
) -> InvalidInput:
    if utf16:
        return InvalidInput([Problem(name, 1, 1, "not valid UTF-16 text")])
    before = chunk[: max(at, 0)]
    breaks = list(_BYTE_BREAK.finditer(before))
    if breaks:
        line, col = lines + len(breaks) + 1, len(before) - breaks[-1].end() + 1
    else:
        line, col = lines + 1, since_break + at + 1
    message = "not UTF-8 text; export the survey (or save the sheet) as CSV UTF-8"
    if b"\r" in before and b"\n" not in before:
        message += (
            " (its lines end with CR only, as Excel for Mac's 'CSV (Macintosh)' writes them, "
            "in the Mac Roman encoding)"
        )
    return InvalidInput([Problem(name, line, col, message)])


class _LineTooLong(Exception):
    def __init__(self, text: str) -> None:
        super().__init__("line too long")
        self.text = text


class _Endings:
    """How the file's lines end: counts of CR-only and other breaks."""

    def __init__(self) -> None:
        self.cr = 0
        self.other = 0


def _physical_lines(name: str, texts: Iterator[str]) -> Iterator[str]:
    """Lines with their endings (CRLF, LF or CR), as csv wants them; a NUL byte is refused where
    it is, a line past MAX_LINE_CHARS before it is held whole."""
    pending: list[str] = []
    size = 0
    line = 1
    hold = ""
    for text in texts:
        text = hold + text
        hold = ""
        if text.endswith("\r"):  # perhaps the first half of a CRLF
            text, hold = text[:-1], "\r"
        nul = text.find("\x00")
        cut = text if nul < 0 else text[:nul]
        # str.splitlines splits as _BREAK does, in one call, when CR and LF are the only breaks
        # it finds (it also breaks at \v, \f, \x1c-\x1e, \x85, \u2028 and \u2029).
        pieces = cut.splitlines(keepends=True)
        rest = pieces.pop() if pieces and not pieces[-1].endswith(("\n", "\r")) else ""
        if len(pieces) != cut.count("\n") + cut.count("\r") - cut.count("\r\n"):
            pieces, pos = [], 0
            for m in _BREAK.finditer(cut):
                pieces.append(cut[pos : m.end()])
                pos = m.end()
            rest = cut[pos:]
        for piece in pieces:
            if pending:
                pending.append(piece)
                piece = "".join(pending)
                pending, size = [], 0
            yield piece
            line += 1
        if rest:
            pending.append(rest)
            size += len(rest)
        if nul >= 0:
            raise InvalidInput([Problem(name, line, size + 1, "binary data (a NUL byte)")])
        if size > MAX_LINE_CHARS:
            raise _LineTooLong("".join(pending))
    rest = "".join(pending) + hold
    if rest:
        yield rest


class _Records:
    """csv.reader over the physical lines, remembering the lines of the record being read, so
    a broken quote or a huge cell can be located where it starts."""

    def __init__(self, name: str, chunks: Iterator[bytes]) -> None:
        self.name = name
        self.endings = _Endings()
        self.lines = _physical_lines(name, _decoded(name, chunks))
        self.current: list[str] = []  # the lines of the record being read
        self.count = 0  # records read so far
        self.filled = False  # a record with a cell that is not blank
        self.columns = 0  # the header's
        self.delimiter = ","
        self.found: list[str] = []

    def findings(self) -> list[str]:
        out = list(self.found)
        if self.endings.cr and not self.endings.other:
            out.insert(
                0,
                f"{self.name}:1: the lines end with CR only (as Excel for Mac's 'CSV "
                "(Macintosh)' writes them); read as line breaks",
            )
        return out

    def _feed(self, first: str) -> Iterator[str]:
        current = self.current
        current.append(first)
        yield first
        for line in self.lines:
            current.append(line)
            yield line
        current.append(_EOF)
        yield _EOF

    def read(self) -> Iterator[tuple[int, list[str]]]:
        first = next(self.lines, "")
        delimiter = self.delimiter = _delimiter(first)
        previous = csv.field_size_limit(MAX_CELL_CHARS)
        try:
            reader = csv.reader(self._feed(first), delimiter=delimiter, strict=False)
            end = 0
            current, endings = self.current, self.endings
            try:
                for cells in reader:
                    if cells == [_EOF]:
                        break
                    if self.count >= MAX_RECORDS:
                        raise InvalidInput(
                            [Problem(self.name, end + 1, 1, f"more than {MAX_RECORDS:,} rows")]
                        )
                    lines = len(current)
                    if lines > 1 or not self.count:  # one line after the header: nothing to see
                        self._check(end + 1, cells, delimiter)
                    self.count += 1
                    if not self.filled and "".join(cells).strip():
                        self.filled = True
                    record = (end + 1, cells)
                    last = current[-1]
                    if last.endswith("\n"):
                        endings.other += 1
                    elif last.endswith("\r"):
                        endings.cr += 1
                    end += lines
                    current.clear()
                    yield record
            except _LineTooLong as exc:
                self._too_long(end + 1, "".join(self.current) + exc.text, delimiter)
            except csv.Error as exc:
                if "field limit" in str(exc):
                    self._too_long(end + 1, "".join(self.current), delimiter)
                raise InvalidInput(
                    [Problem(self.name, end + 1, 1, f"not valid CSV: {exc}")]
                ) from None
        finally:
            csv.field_size_limit(previous)
        if not self.filled:
            raise InvalidInput([Problem(self.name, 1, 1, "the file is empty")])

    def _where(self, line: int, cells: list[str], index: int) -> tuple[int, str]:
        """The physical line cell `index` starts on, and its row and column in words."""
        start = line + sum(len(_BREAK.findall(c)) for c in cells[:index])
        return start, f"row {self.count + 1}, column {index + 1}"

    def _check(self, line: int, cells: list[str], delimiter: str) -> None:
        """A record over several lines has a quoted line break: refused when the quote never
        closes (the reader met the end of the file in it) or runs on over rows."""
        if not self.count:
            self.columns = len(cells)
        if len(self.current) < 2:
            return
        for i, cell in enumerate(cells):
            if _EOF in cell:
                start, where = self._where(line, cells, i)
                body = cell.replace(_EOF, "").rstrip("\r\n")
                if not _BREAK.search(body) and i == len(cells) - 1:
                    # The last cell of the last line: it can only run to the end of the file.
                    cells[i] = body
                    self.found.append(
                        f"{self.name}:{start}:{i + 1}: {where}: the quote that opens this cell "
                        "never closes; read to the end of the line, the end of the file"
                    )
                    continue
                raise InvalidInput([Problem(self.name, start, i + 1, f"{where}: {_NEVER_CLOSES}")])
            if not self.count and ("\n" in cell or "\r" in cell):
                self._header_break(line, cells, i, delimiter)
            if self.count and ("\n" in cell or "\r" in cell):
                rows = self._rows_inside(cell, delimiter)
                if rows:
                    start, where = self._where(line, cells, i)
                    raise InvalidInput(
                        [Problem(self.name, start, i + 1, f"{where}: {_runs_on(rows)}")]
                    )

    def _header_break(self, line: int, cells: list[str], i: int, delimiter: str) -> None:
        """A header cell with a line break: a question text broken over two lines (read as one
        line) or, when the lines inside look like rows, a quote that never closed."""
        start, _ = self._where(line, cells, i)
        # A quote left open swallows the rows: the header then has few cells, the lines inside
        # it have a row's; a question text broken over lines has a few commas at most.
        need = max(3, len(cells))
        rows = sum(
            1
            for text in _BREAK.split(cells[i])[1:]
            if len(next(csv.reader([text], delimiter=delimiter), [])) >= need
        )
        if rows:
            message = f"the header of column {i + 1}: {_runs_on(rows)}"
            raise InvalidInput([Problem(self.name, start, i + 1, message)])
        self.found.append(
            f"{self.name}:{start}:{i + 1}: the header of column {i + 1} holds a line break; "
            "read as a space"
        )

    def _rows_inside(self, cell: str, delimiter: str) -> int:
        """How many of a quoted cell's lines (after its first) look like rows of their own: as
        many cells as the header, when it has three or more (a note rarely has that many), or
        one fewer from five on (a row whose last cells are empty may end early)."""
        if self.columns < 3:
            return 0
        need = self.columns - 1 if self.columns >= 5 else self.columns
        return sum(
            1
            for text in _BREAK.split(cell)[1:]
            if len(next(csv.reader([text], delimiter=delimiter), [])) >= need
        )

    def _too_long(self, line: int, text: str, delimiter: str) -> None:
        """A cell past MAX_CELL_CHARS (or a line past MAX_LINE_CHARS) is refused where it
        starts; one that is an unclosed quote over other rows is said to be that."""
        for i, (start, end, closed) in enumerate(_fields(text, delimiter)):
            cell = text[start:end]
            if end - start <= MAX_CELL_CHARS and closed:
                continue
            at = line + len(_BREAK.findall(text, 0, start))
            where = f"row {self.count + 1}, column {i + 1}"
            rows = self._rows_inside(cell, delimiter) if cell.startswith('"') else 0
            if rows:
                message = _runs_on(rows, more=True)
            else:
                message = (
                    f"a cell longer than {MAX_CELL_CHARS:,} characters; no answer is that long"
                )
            raise InvalidInput([Problem(self.name, at, i + 1, f"{where}: {message}")])
        raise InvalidInput(
            [Problem(self.name, line, 1, f"a line longer than {MAX_LINE_CHARS:,} characters")]
        )


_NEVER_CLOSES = (
    "the quote that opens this cell never closes, so the rest of the file would be read as "
    "this one cell; close the quote (or export the survey again)"
)


def _runs_on(rows: int, *, more: bool = False) -> str:
    lines = f"{rows}{' or more' if more else ''} line{'' if rows == 1 and not more else 's'}"
    look = (
        "looks like a row of its own" if rows == 1 and not more else "look like rows of their own"
    )
    return (
        f"the quote that opens this cell runs on over {lines} that {look}; a "
        "closing quote is missing (fix it, or export the survey again)"
    )


def _fields(text: str, delimiter: str) -> list[tuple[int, int, bool]]:
    """(start, end, closed) of each field of the record `text` starts with, split as csv splits
    it (not strict); `closed` is False for a quoted field still open where the text ends."""
    ends = re.compile(f"[{re.escape(delimiter)}\r\n]")
    out: list[tuple[int, int, bool]] = []
    i, n = 0, len(text)
    while True:
        start = i
        if text.startswith('"', i):
            j = i + 1
            while True:
                k = text.find('"', j)
                if k < 0:
                    out.append((start, n, False))
                    return out
                if text.startswith('"', k + 1):
                    j = k + 2
                    continue
                break
            i = k + 1
        m = ends.search(text, i)
        if m is None:
            out.append((start, n, True))
            return out
        out.append((start, m.start(), True))
        if m.group() != delimiter:
            return out
        i = m.end()


def _delimiter(first: str) -> str:
    """The delimiter that splits the header into the most cells (Excel in many locales uses ;)."""
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
    order = date_order(values)
    if order == "mixed":
        return None
    return order == "dmy"


def date_order(values: list[str]) -> str:
    """How the file's day-and-month dates read: 'dmy' or 'mdy' when a date settles it (a first
    number over 12, or a second), 'mixed' when dates settle both ways, 'ambiguous' when every
    date could be either, '' when there is no such date (ISO, year first, or none)."""
    firsts = seconds = seen = False
    for v in values:
        m = _SLASHED.match(v.strip())
        if not m or len(m.group(1)) == 4:
            continue
        a, b = int(m.group(1)), int(m.group(2))
        seen = True
        firsts |= a > 12
        seconds |= b > 12
    if firsts and seconds:
        return "mixed"
    if firsts:
        return "dmy"
    if seconds:
        return "mdy"
    return "ambiguous" if seen else ""


def dotted(values: list[str]) -> bool:
    """Dates written dd.mm.yyyy, as German-locale (and most dotted-locale) software writes them."""
    return any(re.match(r"\s*\d{1,2}\.\d{1,2}\.\d{2,4}\b", v) for v in values)


def parse_timestamp(
    text: str, *, fmt: str | None = None, dayfirst: bool = False, zone: tzinfo | None = None
) -> datetime:
    """A survey tool's timestamp, in UTC. Times without a zone are in `zone` (default UTC)."""
    return read_timestamp(text, fmt=fmt, dayfirst=dayfirst, zone=zone)[0]


def read_timestamp(
    text: str, *, fmt: str | None = None, dayfirst: bool = False, zone: tzinfo | None = None
) -> tuple[datetime, bool]:
    """The timestamp in UTC, and whether the text stated its zone (an offset, Z, GMT+1)."""
    s = text.strip()
    if fmt:
        dt = datetime.strptime(s, fmt)
        stated = dt.tzinfo is not None
        if not stated and zone is not None:
            dt = dt.replace(tzinfo=zone)
        return as_utc(dt), stated
    tz: tzinfo | None = None
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
    stated = dt.tzinfo is not None or tz is not None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz or zone)
    return as_utc(dt), stated


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
