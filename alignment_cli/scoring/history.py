"""Saved scorecards: writing them to an engagement's `history/`, reading them back, the trend.

A team that reruns the audit every quarter keeps one scorecard per run in `history/`, named by
the UTC time of the run (`2026-11-22T101500Z.json`), so `ls` shows them in order and git diffs
stay small. The trend is a pure function over those scorecards.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from alignment_cli.clock import as_utc
from alignment_cli.errors import InvalidInput, Problem, UsageError
from alignment_cli.files import yamlio
from alignment_cli.files.engagement import CONFIG_NAME, find_engagement
from alignment_cli.files.names import shown_path
from alignment_cli.files.writes import write_new
from alignment_cli.files.yamlio import MAX_DEPTH, MAX_NUMBER_CHARS, format_loc, read_text
from alignment_cli.scoring.scorecard import SCHEMA_VERSION, Scorecard

BLOCKS = "▁▂▃▄▅▆▇█"


def file_name(when: datetime) -> str:
    """`2026-11-22T101500Z.json`: sortable, and legal on every file system (no colons)."""
    return as_utc(when).strftime("%Y-%m-%dT%H%M%SZ") + ".json"


def scorecard_json(card: Scorecard) -> str:
    return "".join(scorecard_pieces(card))


def scorecard_pieces(card: Scorecard) -> Iterator[str]:
    """A saved run's text in pieces (scoring/card_json.py): a large card is never held whole."""
    from alignment_cli.scoring.card_json import card_pieces

    yield from card_pieces(card)
    yield "\n"


def save(card: Scorecard, history_dir: Path, when: datetime | None = None) -> Path:
    """Write the scorecard whole under a new timestamped name; never overwrite a run.

    The name is claimed by the write itself (`write_new` links the finished file into place,
    which fails if the name is taken), so runs saved at the same moment each keep their own
    file; checking first and writing after would let one replace another."""
    name = file_name(when or card.generated_at)
    n = 1
    while True:
        path = history_dir / (name if n == 1 else name.replace(".json", f"-{n}.json"))
        if write_new(path, scorecard_pieces(card), make_dirs=True):  # the engagement's history/
            return path
        n += 1


# Any JSON token that matters for the bounds: strings are skipped whole, so brackets and digits
# inside them do not count.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]|-?[0-9][0-9.eE+-]*')


def _check_bounds(name: str, text: str) -> None:
    """Refuse JSON that would exhaust the decoder before decoding it: nesting deeper than
    MAX_DEPTH (Python's decoder recurses) or a number longer than MAX_NUMBER_CHARS (turning
    a 5,000-digit number into an int is refused by Python or takes quadratic time). The size
    is bounded by `read_text`."""
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first == '"':
            continue
        if first in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                _refuse(name, text, match.start(), f"nested deeper than {MAX_DEPTH} levels")
        elif first in "]}":
            depth -= 1
        elif len(token) > MAX_NUMBER_CHARS:
            _refuse(
                name,
                text,
                match.start(),
                f"a number {len(token):,} characters long; the limit is {MAX_NUMBER_CHARS}",
            )


def _refuse(name: str, text: str, pos: int, what: str) -> None:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    raise InvalidInput(
        [
            Problem(
                name,
                line,
                column,
                f"not a scorecard we can read: {what}; scorecards are what "
                "`alignment score --save` or `--format json` writes (move this file out of "
                "history/ or replace it)",
            )
        ]
    )


MAX_SCORECARD_BYTES = 1024**3
"""The largest saved scorecard read (a million respondents write about 700 MB)."""

READ_WHOLE = yamlio.MAX_BYTES
"""A saved scorecard over this many characters is read without its respondents' lines
(`_without_lines`)."""

# The lines `score --save` writes around and between respondents and notes (card_json.py).
_LINES_OPEN = b'  "respondents": [\n'
_LINES_CLOSE = (b"  ],\n", b"  ]\n")
_LINE_ENDS = (b"    },\n", b"    }\n")
_NOTES_OPEN = b'      "notes": [\n'
_NOTES_CLOSE = (b"      ],\n", b"      ]\n")
_NOTE_ENDS = (b"        },\n", b"        }\n")
_QUESTION_ID = b'      "id": '
# A longer line is not the layout `score --save` writes. A note is one line, as long as an answer
# file lets it be (MAX_BYTES of YAML, up to three times that once escaped as JSON: `\0` is
# `\u0000`), so a line may be that long; what is held is still one line, not the file.
_LONGEST_LINE = 4 * yamlio.MAX_BYTES


def load_scorecard(path: Path) -> Scorecard:
    """A saved scorecard, or InvalidInput naming the file and what is wrong with it.

    A scorecard over READ_WHOLE (the runs of tens of thousands of respondents that `score
    --save` writes) is loaded without its respondents' lines: comparisons, trends and gates
    read none of them, and holding 100,000 would take hundreds of MB a run. What is kept of
    them is their count (`respondent_count`) and a digest of who answered what, for
    `same_results`."""
    name = str(path)
    digests: tuple[str, str] | None = None
    where: Callable[[int], int] = _same_line  # the file's line of a line of `text`
    if _size(path) > READ_WHOLE:
        text, digests, where = _without_lines(path)
    else:
        text = read_text(path, MAX_SCORECARD_BYTES)
    try:
        _check_bounds(name, text)
    except InvalidInput as exc:
        raise _moved(exc, where) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        hint = ""
        if path.suffix in (".yaml", ".yml"):
            hint = " (this looks like an answer file; give a folder of answers or a scorecard)"
        raise InvalidInput(
            [
                Problem(
                    name,
                    where(exc.lineno),
                    exc.colno,
                    f"not a scorecard: invalid JSON ({exc.msg}){hint}; scorecards are what "
                    "`alignment score --save` or `--format json` writes",
                )
            ]
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput([Problem(name, 1, 1, "not a scorecard: expected a JSON object")])
    version = data.get("schema_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        raise InvalidInput(
            [
                Problem(
                    name,
                    None,
                    None,
                    f"written by a newer alignment (scorecard schema {version}; this version "
                    f"reads up to {SCHEMA_VERSION}): upgrade alignment to read it",
                    "schema_version",
                )
            ]
        )
    try:
        card = Scorecard.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False)[:5]:
            loc = format_loc(tuple(err["loc"]))
            problems.append(Problem(name, None, None, f"not a valid scorecard: {err['msg']}", loc))
        raise InvalidInput(problems) from None
    if digests is not None:
        card._people_digest, card._notes_digest = digests
    return card


def _same_line(line: int) -> int:
    return line


def _moved(exc: InvalidInput, where: Callable[[int], int]) -> InvalidInput:
    """`exc` with its lines (lines of a text read from a file) as the file's lines."""
    return InvalidInput(
        [p if p.line is None else dataclasses.replace(p, line=where(p.line)) for p in exc.problems]
    )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # read_text says what is wrong with it


def _without_lines(path: Path) -> tuple[str, tuple[str, str], Callable[[int], int]]:
    """The saved run's text with its respondents' lines and its questions' notes taken out
    (empty lists left), their digests, and the file's line of each line of that text (so a
    problem in it is located in the file), read a line at a time: what is held is the rest of
    the card and one respondent or note, not the file (68 MB at 100,000 respondents, half of
    it notes). Only the layout `score --save` writes (indent 2: one object per respondent or
    note, `},` between them) is read so; any other large file is refused as too large. A
    newline is never inside a JSON string, so these lines match nowhere else."""
    from alignment_cli.scoring.scorecard import NoteInfo, RespondentInfo

    name = str(path)
    size = _size(path)

    def refused() -> InvalidInput:
        return InvalidInput(
            [
                Problem(
                    name,
                    None,
                    None,
                    f"file is {size:,} bytes, over the {READ_WHOLE:,} read whole; a larger "
                    "scorecard is read only as `alignment score --save` writes it",
                )
            ]
        )

    if size > MAX_SCORECARD_BYTES:
        raise InvalidInput(
            [
                Problem(
                    name,
                    None,
                    None,
                    f"file is {size:,} bytes; the limit is {MAX_SCORECARD_BYTES:,}",
                )
            ]
        )
    people, notes = _People(), _Notes()
    rest: list[bytes] = []
    read = number = 0  # bytes and lines read so far
    kept = 1  # the line of `rest` being written
    shifts: list[tuple[int, int]] = []  # (line of `rest` where a list was left empty, lines cut)
    found_people = False
    question = ""  # the id of the question whose lines are being read

    def items(
        lines: Iterator[bytes],
        ends: tuple[bytes, bytes],
        closes: tuple[bytes, bytes],
        take: Callable[[int, bytes], None],
    ) -> bytes:
        """Read a list's items up to its closing line (returned), each passed to `take`."""
        nonlocal read, number
        item: list[bytes] = []
        first = number + 1  # where the item being read starts
        for line in lines:
            number += 1
            read += len(line)
            if read > MAX_SCORECARD_BYTES or not line.endswith(b"\n"):
                raise refused()
            if line in closes and not item:
                return line
            item.append(line)
            if line in ends:
                take(first, b"".join(item))
                item.clear()
                first = number + 1
        raise refused()

    def person(line: int, item: bytes) -> None:
        people.add(_item(name, line, item, RespondentInfo, "a respondent's line"))

    def note(line: int, item: bytes) -> None:
        notes.add(question, _item(name, line, item, NoteInfo, "a note"))

    with yamlio.read_errors(name), path.open("rb") as f:
        # A run checked out with CRLF line ends (git's autocrlf) reads as the LF it was.
        lines = (
            line[:-2] + b"\n" if line.endswith(b"\r\n") else line
            for line in iter(lambda: f.readline(_LONGEST_LINE), b"")
        )
        for line in lines:
            number += line.endswith(b"\n")  # a part of a longer line is not a line
            read += len(line)
            opened = number
            if line == _LINES_OPEN and not found_people:
                close = items(lines, _LINE_ENDS, _LINES_CLOSE, person)
                rest.append(_LINES_OPEN.rstrip() + close.lstrip())  # the list left empty
                shifts.append((kept, number - opened))
                found_people = True
            elif line == _NOTES_OPEN:
                close = items(lines, _NOTE_ENDS, _NOTES_CLOSE, note)
                rest.append(_NOTES_OPEN.rstrip() + close.lstrip())
                shifts.append((kept, number - opened))
            else:
                if line.startswith(_QUESTION_ID):
                    question = _question_id(line[len(_QUESTION_ID) :])
                rest.append(line)
            kept += rest[-1].endswith(b"\n")
            if read > MAX_SCORECARD_BYTES:
                raise refused()
    if not found_people:
        raise refused()

    def where(line: int) -> int:
        return line + sum(cut for at, cut in shifts if at < line)

    try:
        text = yamlio.decode_text(name, b"".join(rest))
    except InvalidInput as exc:
        raise _moved(exc, where) from None
    return text, (people.digest(), notes.digest()), where


def _question_id(value: bytes) -> str:
    """The id on a question's `"id": "...",` line ("" when it is not a string: the card's own
    check refuses it)."""
    try:
        found = json.loads(value.rstrip().removesuffix(b","))
    except ValueError:
        return ""
    return found if isinstance(found, str) else ""


def _item(name: str, line: int, item: bytes, model: Any, what: str) -> Any:
    """One respondent's line or one note of a large saved run, checked as the whole card
    would be."""
    try:
        text = item.decode("utf-8").rstrip().removesuffix(",")
    except UnicodeDecodeError:
        raise InvalidInput([Problem(name, line, 1, "not UTF-8 text")]) from None
    try:
        _check_bounds(name, text)
    except InvalidInput as exc:  # located in the item: the item starts on `line`
        raise _moved(exc, lambda n: n + line - 1) from None
    try:
        return model.model_validate_json(text)
    except ValidationError:
        raise InvalidInput([Problem(name, line, 1, f"not a valid scorecard: {what}")]) from None


class _People:
    """Who answered what (what `same_results` compares of two cards' respondents), folded
    one respondent at a time into a digest."""

    def __init__(self) -> None:
        import hashlib

        self._hash = hashlib.sha256()

    def add(self, r: Any) -> None:
        # The instant, not its time-zone object (pydantic reads UTC as its own TzInfo).
        updated = None if r.updated is None else as_utc(r.updated).isoformat()
        key = (r.name, r.role, updated, r.answered, r.unknown, r.na)
        self._hash.update(repr(key).encode("utf-8") + b"\n")

    def digest(self) -> str:
        return self._hash.hexdigest()


class _Notes:
    """Every question's notes, in order, folded one at a time into a digest."""

    def __init__(self) -> None:
        import hashlib

        self._hash = hashlib.sha256()

    def add(self, question: str, n: Any) -> None:
        self._hash.update(repr((question, n.respondent, n.role, n.text)).encode("utf-8") + b"\n")

    def digest(self) -> str:
        return self._hash.hexdigest()


def notes_digest(card: Scorecard) -> str:
    """The digest of `card`'s notes (kept by a large saved run loaded without them)."""
    if card._notes_digest is not None:
        return card._notes_digest
    notes = _Notes()
    for q in card.questions:
        for n in q.notes:
            notes.add(q.id, n)
    return notes.digest()


def people_digest(card: Scorecard) -> str:
    """The digest of `card`'s respondents (kept by a large saved run loaded without them)."""
    if card._people_digest is not None:
        return card._people_digest
    people = _People()
    for r in card.respondents:
        people.add(r)
    return people.digest()


@dataclass
class Run:
    """One saved scorecard and the file it came from."""

    path: Path
    card: Scorecard


def history_dir_for(path: Path) -> Path:
    """The history folder of an engagement (or of the engagement a folder is in), or `path`
    itself when it is a folder of scorecards."""
    if path.is_dir() and not (path / CONFIG_NAME).is_file() and any(path.glob("*.json")):
        return path
    engagement = find_engagement(path) if path.exists() else None
    if engagement is not None:
        return engagement.history_dir
    if not path.exists():
        raise InvalidInput([Problem(str(path), None, None, "no such file or folder")])
    raise UsageError(
        f"{path} is not an engagement folder (no {CONFIG_NAME}) nor a folder of saved scorecards"
    )


def load_runs(history_dir: Path) -> list[Run]:
    """Every scorecard in the folder, oldest first (by when it was scored, then by name)."""
    if not history_dir.is_dir():
        return []
    runs = [Run(p, load_scorecard(p)) for p in history_dir.glob("*.json") if p.is_file()]
    runs.sort(key=lambda r: (as_utc(r.card.generated_at), *_name_key(r.path.name)))
    return runs


def _name_key(name: str) -> tuple[str, int]:
    """`X.json` before `X-2.json` before `X-10.json` (what `save` writes on a clash)."""
    stem = name.removesuffix(".json")
    base, sep, n = stem.rpartition("-")
    return (base, int(n)) if sep and n.isdigit() and len(n) < 4 else (stem, 1)


def latest(history_dir: Path, card: Scorecard | None = None) -> Run:
    """The newest saved run (other than `card` itself, see `previous_run`); a clear error when
    there is none yet."""
    runs = load_runs(history_dir)
    run = previous_run(runs, card) if card is not None else (runs[-1] if runs else None)
    if run is None:
        if runs:  # the only saved runs hold these same answers: nothing earlier to compare with
            raise UsageError(
                f"--baseline latest: the saved scorecards in {history_dir} hold these same "
                "answers; there is no earlier run to compare with yet (save again after the "
                "answers change, or give a scorecard file)"
            )
        raise UsageError(
            f"--baseline latest: no saved scorecards in {history_dir}; "
            "run `alignment score --save` first, or give a scorecard file"
        )
    return run


def same_results(a: Scorecard, b: Scorecard) -> bool:
    """Both scorecards come from the same answers on the same rubric (when they were scored
    and where the files lay do not matter): `score --save` followed by a `report`, say."""

    def key(card: Scorecard) -> object:
        return card.rubric.hash, people_digest(card), notes_digest(card), _questions_digest(card)

    return key(a) == key(b)


def _questions_digest(card: Scorecard) -> str:
    """Every question's counts and answers (its notes have their own digest), one question at
    a time (dumping them all at once holds every note of 100,000 respondents twice over)."""
    import hashlib

    digest = hashlib.sha256()
    for q in card.questions:
        digest.update(q.model_dump_json(exclude={"notes"}).encode("utf-8") + b"\n")
    return digest.hexdigest()


def previous_run(runs: list[Run], card: Scorecard) -> Run | None:
    """The run to compare `card` with: the latest saved one, unless that is `card` itself
    saved a moment ago, in which case the one before it."""
    if runs and same_results(runs[-1].card, card):
        runs = runs[:-1]
    return runs[-1] if runs else None


def sparkline(values: list[float | None], *, min_span: float = 10.0) -> str:
    """One block per value, scaled to the series' range (at least `min_span` points, so that
    noise of a point or two does not look like a swing); a gap where a run has no score."""
    present = [v for v in values if v is not None]
    if not present:
        return " " * len(values)
    lo, hi = min(present), max(present)
    if hi - lo < min_span:
        mid = (lo + hi) / 2
        lo, hi = mid - min_span / 2, mid + min_span / 2
    top = len(BLOCKS) - 1
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        else:
            out.append(BLOCKS[min(top, max(0, round((v - lo) / (hi - lo) * top)))])
    return "".join(out)


class TrendRun(BaseModel):
    file: str
    generated_at: datetime
    rubric_id: str
    rubric_version: str
    rubric_hash: str
    overall: float | None
    level: str | None
    current_phase: str | None
    current_phase_title: str | None = None
    coverage: float | None
    respondents: int


class Series(BaseModel):
    """One score over the runs; None where a run did not score it (or its rubric lacked it)."""

    id: str
    title: str
    scores: list[float | None]
    first: float | None
    last: float | None
    change: float | None
    """Since the previous run that scored it."""
    since_first: float | None
    target: float | None = None


class Trend(BaseModel):
    runs: list[TrendRun]
    overall: Series
    dimensions: list[Series]
    phases: list[Series]
    rubric_changed: bool
    """Runs were scored on more than one rubric version: read the trend with care."""


def _series(
    ident: str, title: str, scores: list[float | None], target: float | None = None
) -> Series:
    present = [s for s in scores if s is not None]
    change = None
    if len(present) >= 2 and scores[-1] is not None:
        change = round(present[-1] - present[-2], 6)
    return Series(
        id=ident,
        title=title,
        scores=scores,
        first=present[0] if present else None,
        last=present[-1] if present else None,
        change=change,
        since_first=round(present[-1] - present[0], 6) if len(present) >= 2 else None,
        target=target,
    )


def trend(runs: list[Run]) -> Trend:
    """Scores per run, per dimension and phase, in the order of the newest run's rubric."""
    cards = [r.card for r in runs]
    dims: dict[str, str] = {}
    phases: dict[str, str] = {}
    for card in reversed(cards):
        for d in card.dimensions:
            dims.setdefault(d.id, d.title)
        for p in card.phases:
            phases.setdefault(p.id, p.title)
    last = cards[-1] if cards else None

    def dim_target(ident: str) -> float | None:
        d = last.dimension(ident) if last else None
        return d.target if d else None

    def score_of(card: Scorecard, kind: str, ident: str) -> float | None:
        g = card.dimension(ident) if kind == "dimension" else card.phase(ident)
        return g.score if g else None

    return Trend(
        runs=[
            TrendRun(
                file=shown_path(r.path.name),  # written into JSON and tables
                generated_at=r.card.generated_at,
                rubric_id=r.card.rubric.id,
                rubric_version=r.card.rubric.version,
                rubric_hash=r.card.rubric.hash,
                overall=r.card.overall,
                level=r.card.level.title if r.card.level else None,
                current_phase=r.card.current_phase,
                current_phase_title=_phase_title(r.card),
                coverage=r.card.coverage,
                respondents=r.card.respondent_count or len(r.card.respondents),
            )
            for r in runs
        ],
        overall=_series(
            "overall", "Overall", [c.overall for c in cards], last.target if last else None
        ),
        dimensions=[
            _series(i, t, [score_of(c, "dimension", i) for c in cards], dim_target(i))
            for i, t in dims.items()
        ],
        phases=[_series(i, t, [score_of(c, "phase", i) for c in cards]) for i, t in phases.items()],
        rubric_changed=len({(c.rubric.id, c.rubric.hash) for c in cards}) > 1,
    )


def _phase_title(card: Scorecard) -> str | None:
    phase = card.phase(card.current_phase) if card.current_phase else None
    return phase.title if phase else None
