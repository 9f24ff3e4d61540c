"""Survey rows read into answer files: each cell read, each answer checked as `alignment score`
checks it, one file per person (the latest row wins), problems located by row and column."""

from __future__ import annotations

import gc
import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from alignment_cli.errors import InvalidInput, Problem
from alignment_cli.files.responses import (
    MAX_NAME,
    AnswerChecker,
    AnswerValue,
    Responses,
    Why,
)
from alignment_cli.model.qtypes.base import NA, UNKNOWN, CellError
from alignment_cli.model.qtypes.cells import clean_text, normalise_text
from alignment_cli.model.qtypes.cells import short as _short
from alignment_cli.model.rubric import LoadedRubric
from alignment_cli.survey.columns import (
    BLANK,
    IGNORED,
    NAME,
    NOTE,
    QUESTION,
    ROLE,
    SUBHEADER_WORDS,
    TIME,
    Column,
    cell_reader,
    header_short,
    make_parser,
    match_columns,
)
from alignment_cli.survey.csvfile import CsvStream, date_order, dotted, read_timestamp
from alignment_cli.survey.layouts import SOURCES, Layout, recognise
from alignment_cli.survey.mapping import SurveyMapping, _ids
from alignment_cli.survey.settings import ImportedRow, ImportSettings, SurveyImport

# ---------------------------------------------------------------------------------------------
# Rows to answer files

_MISSING: Any = object()  # not in a memo
_MEMO_LIMIT = 10_000  # entries a memo of cells keeps


def read_survey(path: Path, loaded: LoadedRubric, settings: ImportSettings) -> SurveyImport:
    """Every row of a survey export as an answer file, with every problem found on the way.

    File-level problems (the header, the mapping) raise InvalidInput; row problems come back in
    `problems`, and the rows that have them are left out of `rows`.
    """
    with collector_paused():
        reader = _read_once(path, loaded, settings)
        if reader is None:  # a fact of the whole file changed how rows read: read them again
            reader = survey_reader(path, loaded, settings)
            reader.read_all()
        return reader.result()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while rows are read and written: an import makes millions
    of small objects that live until it ends and hold no cycles, and the collector would walk
    them all again and again as they grow (about a tenth of an import's time)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _head(
    path: Path, loaded: LoadedRubric, settings: ImportSettings
) -> tuple[
    CsvStream, Iterator[tuple[int, list[str]]], list[tuple[int, list[str]]], Layout, list[Column]
]:
    """The export opened: its first records, its layout and what its columns hold."""
    file = str(path)
    stream = CsvStream(path)
    records = iter(stream)
    head: list[tuple[int, list[str]]] = []
    for line, cells in records:
        head.append((line, cells))
        if len(head) == 3:
            break
    if not any(any(c.strip() for c in cells) for _, cells in head):
        for _ in records:  # the whole file blank: read to its end, which says so
            pass
    layout = recognise(file, head, loaded, settings.source)
    columns = match_columns(file, layout.header, loaded, settings, layout)
    return stream, records, head, layout, columns


def _read_once(path: Path, loaded: LoadedRubric, settings: ImportSettings) -> _RowReader | None:
    """Every row read in one pass over the file, on the usual answers to what only the whole
    file can say: that its name column holds names, that its answers are labels (not numbers,
    unless its layout says), and that its dates are month first (or need no order). None when
    the file says otherwise (then `survey_reader` reads it twice, as it must); the checks and
    messages are those of the two passes, in their order."""
    stream, records, head, layout, columns = _head(path, loaded, settings)
    file = str(path)
    header_line = head[0][0]
    width = max(len(cells) for _, cells in head[: layout.header_rows])
    numeric = bool(layout.numeric)
    reader = _RowReader(file, loaded, settings, columns, layout, numeric, width)
    scan = _Scan(columns, layout)
    cells_of, read, add = layout.cells, reader.read, scan.add
    skip = layout.header_rows
    for row, (line, raw) in enumerate(itertools.chain(head, records), 1):
        if row <= skip:
            continue
        logical = cells_of(raw)
        first = row == layout.header_rows + 1 and layout.header_rows == 1
        if first and _is_subheader(columns, logical):  # SurveyMonkey's second header row
            skip += 1
            continue
        add(logical)
        if "".join(raw).strip():  # not blank: some cell holds more than spaces
            read(row, line, logical, raw)
    if any(c.kind == NAME and c.index not in scan.named for c in columns):
        return None  # an e-mail column no one filled in: an anonymous survey
    _check_folds(file, header_line, layout, columns, loaded)
    if scan.numeric() != numeric:
        return None
    reader.notes = [_layout_note(file, layout), *stream.findings()]
    reader.decide_date_order(header_line, scan.stamps, stream.delimiter)
    if reader.dayfirst:
        return None
    return reader


def survey_reader(path: Path, loaded: LoadedRubric, settings: ImportSettings) -> _RowReader:
    """A reader of the export's rows, ready to read them: the file is read once here, holding
    only what decides how rows read (the layout, names, numeric answers, dates), never the
    rows themselves; `_RowReader.read_all` (or `rows`) reads them in a second pass."""
    stream, records, head, layout, columns = _head(path, loaded, settings)
    file = str(path)
    header_line = head[0][0]
    width = max(len(cells) for _, cells in head[: layout.header_rows])
    skip = layout.header_rows
    scan = _Scan(columns, layout)
    first_data: list[str] | None = None
    seen = 0
    for _, cells in itertools.chain(head, records):
        seen += 1
        if seen <= layout.header_rows:
            continue
        logical = layout.cells(cells)
        if first_data is None:
            first_data = logical
            if layout.header_rows == 1 and _is_subheader(columns, logical):
                skip += 1
                continue
        scan.add(logical)
    for c in columns:
        if c.kind == NAME and c.index not in scan.named:
            c.kind = IGNORED  # an e-mail column no one filled in: an anonymous survey
    _check_folds(file, header_line, layout, columns, loaded)
    notes = [_layout_note(file, layout), *stream.findings()]
    numeric = scan.numeric()
    if numeric and layout.numeric is None:
        notes.append(
            f"{file}: the roles and the answers to choice and yes/no questions are numbers: "
            "read as numerical values, each the position of the answer in the question's list "
            "of answers (the codebook's order)"
        )
    reader = _RowReader(file, loaded, settings, columns, layout, numeric, width)
    reader.notes = notes
    reader.stream, reader.skip = stream, skip
    reader.decide_date_order(header_line, scan.stamps, stream.delimiter)
    return reader


class _Scan:
    """The first pass over the rows: what decides how every row reads, and nothing more."""

    def __init__(self, columns: list[Column], layout: Layout) -> None:
        self.names = [c.index for c in columns if c.kind == NAME]
        self.named: set[int] = set()
        self.unanswered = layout.unanswered
        self.fixed = layout.numeric
        self.digits = [c.index for c in columns if c.kind == ROLE or _choice_like(c, layout)]
        self.all_digits = True
        self.seen_digits = False
        time_col = next((c for c in columns if c.kind == TIME), None)
        self.time_index = time_col.index if time_col is not None else None
        self.stamps: list[str] = []

    def add(self, cells: list[str]) -> None:
        n = len(cells)
        for i in self.names:
            if i < n and i not in self.named and cells[i].strip():
                self.named.add(i)
        if self.fixed is None and self.all_digits:
            for i in self.digits:
                cell = cells[i].strip() if i < n else ""
                if not cell or cell in self.unanswered:
                    continue
                if not cell.isdigit():
                    self.all_digits = False
                    break
                self.seen_digits = True
        t = self.time_index
        if t is not None and t < n:
            self.stamps.append(cells[t])

    def numeric(self) -> bool:
        """A numeric export (SurveyMonkey's "numerical value", Qualtrics' "numeric values"):
        every role and every answer to a choice or yes/no question is a whole number (there
        being at least one)."""
        if self.fixed is not None:
            return self.fixed
        return self.all_digits and self.seen_digits


def _layout_note(file: str, layout: Layout) -> str:
    if not layout.sure:
        return (
            f"{file}: read as {layout.tool}: its header is not one this import recognises as "
            "a survey tool's; if it comes from one, name it with --source ("
            + ", ".join(k for k in SOURCES if k != "generic")
            + ")"
        )
    return f"{file}: read as a {layout.tool} export ({layout.why})"


def _check_folds(
    file: str, line: int, layout: Layout, columns: list[Column], loaded: LoadedRubric
) -> None:
    """Every per-option column must stand for one answer of its multi question."""
    problems: list[Problem] = []
    for index, fold in layout.folds.items():
        c = columns[index]
        if c.kind != QUESTION or c.question is None:
            continue
        q = c.question
        if q.type.value != "multi":
            problems.append(
                Problem(
                    file,
                    line,
                    c.number,
                    f"{c.label} spans {len(fold.sources)} option columns, but '{q.id}' takes "
                    "one answer",
                )
            )
            continue
        parse = make_parser(loaded, q)
        for source, label, header in zip(fold.sources, fold.labels, fold.headers, strict=True):
            try:
                value = parse(label)
            except CellError:
                value = None
            if not (isinstance(value, list) and len(value) == 1) and value not in (UNKNOWN, NA):
                problems.append(
                    Problem(
                        file,
                        line,
                        source + 1,
                        f"column '{header_short(header)}': '{_short(label)}' is not an answer "
                        f"of '{q.id}' (options: {', '.join(o.label for o in q.options)}, "
                        "Don't know, Not applicable); map or ignore the column in --mapping",
                    )
                )
    if problems:
        raise InvalidInput(problems)


def _choice_like(c: Column, layout: Layout) -> bool:
    return (
        c.kind == QUESTION
        and c.question is not None
        and c.index not in layout.folds
        and c.question.type.value in ("choice", "yesno")
    )


class _RowReader:
    """Reads rows one by one into answer files, collecting problems and dropped answers."""

    def __init__(
        self,
        file: str,
        loaded: LoadedRubric,
        settings: ImportSettings,
        columns: list[Column],
        layout: Layout,
        numeric: bool,
        width: int,
    ) -> None:
        self.file = file
        self.width = width  # the file's header, in its own columns
        self.tool = layout.tool
        self.layout = layout
        self.notes: list[str] = []
        self.loaded = loaded
        self.settings = settings
        self.columns = columns
        self.mapping = settings.mapping.mapping if settings.mapping else SurveyMapping()
        # (column, its index, question id, cell reader, the reader's memo) per question column
        self.question_columns: list[
            tuple[Column, int, str, Callable[[str], AnswerValue], dict[str, AnswerValue]]
        ] = []
        for c in columns:
            if c.kind == QUESTION and c.question is not None:
                c.parse, memo = cell_reader(
                    loaded,
                    c.question,
                    self.mapping.values.get(c.question.id),
                    layout=layout,
                    numeric=numeric,
                )
                self.question_columns.append((c, c.index, c.question.id, c.parse, memo))
        order = {q.id: i for i, q in enumerate(loaded.rubric.questions)}
        ids = [order[qid] for _, _, qid, _, _ in self.question_columns]
        # Answers are gathered in column order; when that is the rubric's, they need no sorting.
        self.in_rubric_order = ids == sorted(ids)
        self.reach = max((i for _, i, _, _, _ in self.question_columns), default=-1)
        indices = [i for _, i, _, _, _ in self.question_columns]
        # A row's question cells picked out in one call (itemgetter of one index gives the
        # cell itself, not a tuple of one), and their columns' memos beside them.
        self._pick: Callable[[list[str]], Sequence[str]] = (
            itemgetter(*indices) if len(indices) > 1 else lambda cells: [cells[i] for i in indices]
        )
        self._memos = [memo for _, _, _, _, memo in self.question_columns]
        self._qids = [qid for _, _, qid, _, _ in self.question_columns]
        self.other_columns = [c for c in columns if c.kind in (NOTE, NAME, ROLE, TIME, BLANK)]
        self._checker = AnswerChecker(loaded)  # answer_errors, remembering what it checked
        self.fmt = settings.timestamp_format or self.mapping.timestamp_format
        self.dayfirst = False
        self.time_col = next((c for c in columns if c.kind == TIME), None)
        self.zone, self.zone_said = layout.zone, layout.zone_name
        if (
            self.zone is None
            and self.time_col is not None
            and re.search(r"\((?:utc|gmt)\)", self.time_col.header, re.IGNORECASE)
        ):
            self.zone, self.zone_said = UTC, "UTC"
        self.option_zone = settings.zone()
        if self.zone is not None and self.zone_said:
            self.zone_note = (
                f"times in {self.time_col.label if self.time_col else 'the file'} are in "
                f"{self.zone_said}, as the file states"
                + (f" (--timezone {settings.timezone} is not used)" if settings.timezone else "")
            )
        else:
            self.zone_note = ""
        self.naive = 0  # timestamps read that stated no zone
        self.has_role_column = any(c.kind == ROLE for c in columns)
        self.roles = {x.id for x in loaded.rubric.roles}
        self.role_lookup: dict[str, str] = {}
        for x in loaded.rubric.roles:
            self.role_lookup[normalise_text(x.title)] = x.id
        for x in loaded.rubric.roles:
            self.role_lookup[normalise_text(x.id)] = x.id
        for label, rid in self.mapping.roles.items():
            self.role_lookup[normalise_text(label)] = rid
        for k, x in enumerate(loaded.rubric.roles, 1):  # the role's place in the codebook
            if numeric:
                self.role_lookup.setdefault(str(k), x.id)
            if layout.codes:
                self.role_lookup.setdefault(f"a{k}", x.id)
        self.salt = settings.organization or ""
        self.rubric_ref = {
            "id": loaded.rubric.id,
            "version": loaded.rubric.version,
            "hash": loaded.content_hash,
        }
        self.order = {q.id: i for i, q in enumerate(loaded.rubric.questions)}
        self.problems: list[Problem] = []
        self.dropped: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.candidates: list[ImportedRow] = []
        self.content_ids: dict[str, int] = defaultdict(int)
        self.bad_rows = 0
        self.read_rows = 0
        self.stream: CsvStream | None = None  # the file, read again row by row
        self.skip = 1  # its header records (and a subheader)
        self.phase_of = {q.id: q.phase for q in loaded.rubric.questions}
        # Memos of what a cell read as: surveys repeat their roles, exports often their times.
        self._role_of: dict[str, str | None] = {}
        self._time_of: dict[str, tuple[datetime, bool]] = {}

    def records(self) -> Iterator[tuple[int, int, list[str], list[str]]]:
        """(row, line, logical cells, physical cells) of every row that is not blank."""
        assert self.stream is not None
        cells_of = self.layout.cells
        for row, (line, raw) in enumerate(self.stream, 1):
            if row > self.skip and "".join(raw).strip():  # a blank row is skipped
                yield row, line, cells_of(raw), raw

    def read_all(self) -> None:
        """Read every row, keeping the answer files' content (their text is made when written)."""
        for row, line, cells, raw in self.records():
            self.read(row, line, cells, raw)

    def decide_date_order(self, header_line: int, stamps: list[str], delimiter: str) -> None:
        """Day first or month first, for the whole file: from a date that settles it (a day
        over 12), else --date-order, else the locale the file shows (dd.mm.yyyy dates, or `;`
        between cells as Excel writes in day-first locales), else month first, said."""
        time_col = self.time_col
        self._time_of.clear()  # read on the order decided here
        if time_col is None or self.fmt:
            return
        order = date_order(stamps)
        given = self.settings.date_order

        def problem(message: str) -> InvalidInput:
            return InvalidInput([Problem(self.file, header_line, time_col.number, message)])

        if order == "mixed":
            raise problem(
                f"{time_col.label} mixes day-first and month-first dates; give the format with "
                "--timestamp-format (e.g. '%d/%m/%Y %H:%M:%S')"
            )
        if order in ("dmy", "mdy") and given and given != order:
            example = next(
                v for v in stamps if date_order([v]) == order
            )  # the date that settles it
            raise problem(
                f"--date-order {given}, but {time_col.label} has '{_short(example)}', which "
                f"can only be {'day' if order == 'dmy' else 'month'} first"
            )
        if order in ("dmy", "mdy"):
            self.dayfirst = order == "dmy"
        elif order == "ambiguous":
            if given:
                self.dayfirst = given == "dmy"
            elif dotted(stamps) or delimiter == ";":
                self.dayfirst = True
                why = "dd.mm.yyyy dates" if dotted(stamps) else "';' between cells"
                self.notes.append(
                    f"{self.file}: the dates in {time_col.label} could be day or month first; "
                    f"read day first, as the file's locale writes them ({why}); if they are "
                    "month first, import again with --date-order mdy"
                )
            else:
                example = next(v for v in stamps if date_order([v]) == "ambiguous")
                self.notes.append(
                    f"warning: {self.file}: every date in {time_col.label} could be day or "
                    f"month first (such as '{_short(example)}'); read month first (mm/dd); if "
                    "they are day first, import again with --date-order dmy"
                )

    def read(self, row: int, line: int, cells: list[str], raw: list[str]) -> None:
        from alignment_cli.files.names import slug
        from alignment_cli.files.privacy import pseudonym

        self.read_rows += 1
        found: list[Problem] = []

        def bad(column: int, message: str) -> None:
            found.append(Problem(self.file, line, column, f"row {row}, {message}"))

        for i in range(self.width, len(raw)):
            if raw[i].strip():
                bad(i + 1, f"column {i + 1}: a value beyond the last column of the header")
        cells_read = self._cells(cells, bad)
        if found:
            self.problems += found
            self.bad_rows += 1
            return
        name, role, updated, answers, notes, name_col = cells_read
        kept = self._asked(row, role, answers)

        source: str | None = None
        if name and self.settings.anonymous:
            source = name
        elif not name:
            key = "\x1f".join(cells)
            self.content_ids[key] += 1
            source = f"{key}\x1e{self.content_ids[key]}"
        if source is not None:
            name = pseudonym(source, self.salt)
        data: dict[str, Any] = {
            "rubric": dict(self.rubric_ref),
            "respondent": {"name": name, "role": role},
        }
        if self.settings.organization:
            data["organization"] = self.settings.organization
        if updated is not None:
            data["updated"] = updated
        data["answers"] = kept
        if notes:
            data["notes"] = {k: notes[k] for k in sorted(notes, key=self.order.__getitem__)}
        # The same checks `alignment score` makes: an import never writes what scoring refuses.
        # The answers are those `_asked` kept, through the rules scoring applies (AnswerRules:
        # the question exists, is asked of the role, the value fits, the condition holds, on
        # answers to earlier questions only, as rubrics allow), and notes are only on questions
        # the rubric has: the answer checker would find nothing more, so it is not run again
        # (it was half of the checking time); a test holds imports to scoring's checker.
        try:
            Responses.model_validate(data)
        except ValidationError as exc:
            column = name_col.number if name_col else 1
            for err in exc.errors(include_url=False):
                bad(column, f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}")
        if found:
            self.problems += found
            self.bad_rows += 1
            return
        self.candidates.append(
            ImportedRow(row, line, name, slug(name), updated, data, source, self.phase_of)
        )

    def _cells(
        self, cells: list[str], bad: Callable[[int, str], None]
    ) -> tuple[
        str,
        str,
        datetime | None,
        dict[str, AnswerValue],
        dict[str, str],
        Column | None,
    ]:
        settings = self.settings
        name = role = ""
        updated: datetime | None = None
        notes: dict[str, str] = {}
        name_col: Column | None = None
        n = len(cells)
        if n > self.reach:
            picked = self._pick(cells)
        else:  # a row that ends early (its last cells empty)
            picked = [cells[i] if i < n else "" for _, i, _, _, _ in self.question_columns]
        # Cells repeat (a survey's few labels, empty cells): most are found in their column's
        # memo, all looked up at once; only the rest are read, in column order.
        looked = list(map(dict.get, self._memos, picked, itertools.repeat(_MISSING)))
        k = -1
        while _MISSING in looked:
            k = looked.index(_MISSING, k + 1)
            c, _, qid, parse, _ = self.question_columns[k]
            try:
                looked[k] = parse(picked[k])
            except CellError as exc:
                looked[k] = None
                q = self.loaded.questions[qid]
                reserved = "'unknown' (don't know) or 'n/a'" if q.allow_na else "'unknown'"
                bad(c.number, f"{c.label}: {exc}; or {reserved}")
        answers: dict[str, AnswerValue] = {
            qid: v for qid, v in zip(self._qids, looked, strict=True) if v is not None
        }
        for c in self.other_columns:
            cell = cells[c.index] if c.index < n else ""
            if c.kind == NOTE and c.question is not None:
                text = clean_text(cell)
                if text:
                    notes[c.question.id] = text
            elif c.kind == NAME:
                name, name_col = " ".join(cell.split()), c
                if "\n" in cell or "\r" in cell:
                    bad(
                        c.number,
                        f"{c.label}: the name runs over several lines; a quote that opens in "
                        "this row may never close (check the file here)",
                    )
                elif not name and not settings.anonymous:
                    bad(c.number, f"{c.label}: no respondent name (or import with --anonymous)")
                elif len(name) > MAX_NAME:
                    bad(c.number, f"{c.label}: a name longer than {MAX_NAME} characters")
            elif c.kind == ROLE:
                raw = cell.strip()
                if not raw:
                    if settings.default_role:
                        role = settings.default_role
                    else:
                        bad(c.number, f"{c.label}: missing role (or give one with --role)")
                else:
                    found = self._role_of.get(raw, _MISSING)
                    if found is _MISSING:
                        found = self.role_lookup.get(normalise_text(raw))
                        if len(self._role_of) < _MEMO_LIMIT:
                            self._role_of[raw] = found
                    if found is not None:
                        role = found
                    else:
                        bad(
                            c.number,
                            f"{c.label}: unknown role '{_short(raw)}' (this rubric has: "
                            f"{_ids(self.roles)}; map other names under roles: in --mapping)",
                        )
            elif c.kind == TIME and cell.strip():
                try:
                    read = self._time_of.get(cell)
                    if read is None:
                        read = read_timestamp(
                            cell,
                            fmt=self.fmt,
                            dayfirst=self.dayfirst,
                            zone=self.zone or self.option_zone,
                        )
                        if len(self._time_of) < _MEMO_LIMIT:
                            self._time_of[cell] = read
                    updated, stated = read
                    if not stated and self.zone is None:
                        self.naive += 1
                except (ValueError, OverflowError) as exc:
                    bad(c.number, f"{c.label}: {exc}")
            elif c.kind == BLANK and cell.strip():
                bad(c.number, f"column {c.number} has no header but holds '{_short(cell, 30)}'")
        if not self.has_role_column and settings.default_role:
            role = settings.default_role
        return name, role, updated, answers, notes, name_col

    def _asked(
        self, row: int, role: str, answers: dict[str, AnswerValue]
    ) -> dict[str, AnswerValue]:
        """Leave out what a survey could not hide: questions not asked of this role, or whose
        condition is false given this row's earlier answers. Scoring would refuse them.

        Most rows keep every answer: `all_asked` says so (each value was checked as its cell
        was read), and only a row where something goes takes the full sort that says what and
        why (the same answers: conditions read earlier questions only, so when none is refused,
        judging them in rubric order on what still counts is judging them on the whole row)."""
        rules = self._checker.rules
        if rules.all_asked(role, answers):
            if self.in_rubric_order:
                return answers
            order = self.order
            return {qid: answers[qid] for qid in sorted(answers, key=order.__getitem__)}
        kept, refused = rules.sort(role, answers, cascade=True)
        for r in refused:
            q = self.loaded.questions[r.qid]
            if r.why is Why.NOT_FOR_ROLE:
                self.dropped[(r.qid, f"it is asked of {', '.join(q.roles)} only")].append(row)
            else:  # values were checked cell by cell: only roles and conditions are left
                self.dropped[(r.qid, f"its condition is false ({q.when})")].append(row)
        return kept

    def result(self) -> SurveyImport:
        warnings: list[str] = []
        order = self.order
        for (qid, why), rows in sorted(
            self.dropped.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])
        ):
            s = "" if len(rows) == 1 else "s"
            warnings.append(
                f"{self.file}: {len(rows)} answer{s} to '{qid}' left out because {why}: "
                f"row{s} {_rows(rows)}"
            )
        notes = list(self.notes)
        if self.zone_note:
            notes.append(f"{self.file}: {self.zone_note}")
        if self.naive and self.time_col is not None:
            s = "" if self.naive == 1 else "s"
            where = f"{self.naive} time{s} in {self.time_col.label} state{'s' if not s else ''}"
            if self.option_zone is not None:
                notes.append(
                    f"{self.file}: {where} no time zone; taken as {self.settings.timezone}"
                )
            else:
                notes.append(
                    f"{self.file}: {where} no time zone; taken as UTC (give the survey's zone "
                    "with --timezone, e.g. Europe/Berlin)"
                )
        warnings = [
            n.removeprefix("warning: ") for n in notes if n.startswith("warning: ")
        ] + warnings
        notes = [n for n in notes if not n.startswith("warning: ")]
        _lengthen_colliding_pseudonyms(self.candidates, self.salt)
        kept = _one_per_respondent(self.candidates, self.file, warnings)
        return SurveyImport(
            self.file,
            kept,
            self.problems,
            warnings,
            self.read_rows,
            self.bad_rows,
            notes,
            self.tool,
        )


def _rows(rows: list[int], limit: int = 8) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


def _is_subheader(columns: list[Column], cells: list[str]) -> bool:
    """SurveyMonkey's second header row: 'Response' / 'Open-Ended Response' under questions."""
    words = [
        normalise_text(cells[c.index])
        for c in columns
        if c.kind == QUESTION and c.index < len(cells) and cells[c.index].strip()
    ]
    return bool(words) and all(w in SUBHEADER_WORDS for w in words)


def _one_per_respondent(
    rows: list[ImportedRow], file: str, warnings: list[str]
) -> list[ImportedRow]:
    """Several rows for one person (a survey answered twice): the latest answer wins.

    'Latest' is the later timestamp, or the later row when timestamps are missing or equal.
    Pseudonyms of different people can collide; they then get a longer one, so nobody's
    answers overwrite someone else's.
    """
    from alignment_cli.files.names import name_key

    groups: dict[str, list[ImportedRow]] = defaultdict(list)
    for r in rows:
        groups[name_key(r.name)].append(r)
    out: list[ImportedRow] = []
    floor = datetime.min.replace(tzinfo=UTC)
    for key in sorted(groups):
        group = groups[key]
        if len(group) > 1:
            winner = max(group, key=lambda r: (r.updated or floor, r.row))
            others = sorted(r.row for r in group if r is not winner)
            names = sorted({r.name for r in group})
            warnings.append(
                f"{file}: rows {_rows([*others, winner.row])} are all from "
                f"{' / '.join(repr(n) for n in names)}; kept row {winner.row}, the latest"
            )
            group = [winner]
        out.extend(group)
    out.sort(key=lambda r: r.row)
    return out


def _lengthen_colliding_pseudonyms(rows: list[ImportedRow], salt: str) -> None:
    """Two different people with one short pseudonym would share a file: give them longer ones.

    Deterministic for a given file; a later import that brings a colliding newcomer renames the
    earlier person's file (documented).
    """
    from alignment_cli.files.names import slug
    from alignment_cli.files.privacy import pseudonym

    sources: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if r.pseudonym_of is not None:
            sources[r.slug].add(" ".join(r.pseudonym_of.split()).casefold())
    for r in rows:
        if r.pseudonym_of is not None and len(sources[r.slug]) > 1:
            r.name = pseudonym(r.pseudonym_of, salt, digits=12)
            r.slug = slug(r.name)
            r.data["respondent"]["name"] = r.name
