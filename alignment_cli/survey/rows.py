"""Survey rows read into answer files: each cell read, each answer checked as `alignment score`
checks it, one file per person (the latest row wins), problems located by row and column."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from alignment_cli.errors import InvalidInput, Problem
from alignment_cli.files.answer_file import answer_file_text
from alignment_cli.files.responses import (
    MAX_NAME,
    AnswerChecker,
    AnswerValue,
    Responses,
    Why,
)
from alignment_cli.model.qtypes.base import CellError
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
    make_parser,
    match_columns,
)
from alignment_cli.survey.csvfile import day_first, parse_timestamp, read_csv
from alignment_cli.survey.mapping import SurveyMapping, _ids
from alignment_cli.survey.settings import ImportedRow, ImportSettings, SurveyImport

# ---------------------------------------------------------------------------------------------
# Rows to answer files


def read_survey(path: Path, loaded: LoadedRubric, settings: ImportSettings) -> SurveyImport:
    """Every row of a survey export as an answer file, with every problem found on the way.

    File-level problems (the header, the mapping) raise InvalidInput; row problems come back in
    `problems`, and the rows that have them are left out of `rows`.
    """
    file = str(path)
    records = read_csv(path)
    header_line, header = records[0]
    columns = match_columns(file, header, loaded, settings)
    data_records = records[1:]
    first_row = 2
    if data_records and _is_subheader(columns, data_records[0][1]):
        data_records = data_records[1:]
        first_row = 3
    for c in columns:
        if c.kind == NAME and not any(
            c.index < len(cells) and cells[c.index].strip() for _, cells in data_records
        ):
            c.kind = IGNORED  # an e-mail column no one filled in: an anonymous survey
    reader = _RowReader(file, loaded, settings, columns)
    reader.decide_date_order(header_line, [cells for _, cells in data_records])
    for offset, (line, cells) in enumerate(data_records):
        if any(cell.strip() for cell in cells):
            reader.read(first_row + offset, line, cells)
    return reader.result()


class _RowReader:
    """Reads rows one by one into answer files, collecting problems and dropped answers."""

    def __init__(
        self, file: str, loaded: LoadedRubric, settings: ImportSettings, columns: list[Column]
    ) -> None:
        self.file = file
        self.loaded = loaded
        self.settings = settings
        self.columns = columns
        self.mapping = settings.mapping.mapping if settings.mapping else SurveyMapping()
        self.question_columns: list[tuple[Column, str, Callable[[str], AnswerValue]]] = []
        for c in columns:
            if c.kind == QUESTION and c.question is not None:
                c.parse = make_parser(loaded, c.question, self.mapping.values.get(c.question.id))
                self.question_columns.append((c, c.question.id, c.parse))
        self.other_columns = [c for c in columns if c.kind in (NOTE, NAME, ROLE, TIME, BLANK)]
        self._checker = AnswerChecker(loaded)  # answer_errors, remembering what it checked
        self.fmt = settings.timestamp_format or self.mapping.timestamp_format
        self.dayfirst = False
        self.has_role_column = any(c.kind == ROLE for c in columns)
        self.roles = {x.id for x in loaded.rubric.roles}
        self.role_lookup: dict[str, str] = {}
        for x in loaded.rubric.roles:
            self.role_lookup[normalise_text(x.title)] = x.id
        for x in loaded.rubric.roles:
            self.role_lookup[normalise_text(x.id)] = x.id
        for label, rid in self.mapping.roles.items():
            self.role_lookup[normalise_text(label)] = rid
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

    def decide_date_order(self, header_line: int, rows: list[list[str]]) -> None:
        time_col = next((c for c in self.columns if c.kind == TIME), None)
        if time_col is None or self.fmt:
            return
        stamps = [cells[time_col.index] for cells in rows if time_col.index < len(cells)]
        decided = day_first(stamps)
        if decided is None:
            raise InvalidInput(
                [
                    Problem(
                        self.file,
                        header_line,
                        time_col.number,
                        f"{time_col.label} mixes day-first and month-first dates; "
                        "give the format with --timestamp-format (e.g. '%d/%m/%Y %H:%M:%S')",
                    )
                ]
            )
        self.dayfirst = decided

    def read(self, row: int, line: int, cells: list[str]) -> None:
        from alignment_cli.files.names import slug
        from alignment_cli.files.privacy import pseudonym

        self.read_rows += 1
        found: list[Problem] = []

        def bad(column: int, message: str) -> None:
            found.append(Problem(self.file, line, column, f"row {row}, {message}"))

        for i in range(len(self.columns), len(cells)):
            if cells[i].strip():
                bad(i + 1, f"column {i + 1}: a value beyond the last column of the header")
        cells_read = self._cells(cells, bad)
        if found:
            self.problems += found
            self.bad_rows += 1
            return
        name, role, updated, answers, answer_cols, notes, name_col = cells_read
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
        try:
            responses = Responses.model_validate(data)
        except ValidationError as exc:
            column = name_col.number if name_col else 1
            for err in exc.errors(include_url=False):
                bad(column, f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}")
        else:
            for loc, message in self._checker.errors(responses):
                qcol = answer_cols.get(str(loc[-1]))
                bad(qcol.number if qcol else 1, f"{qcol.label if qcol else loc}: {message}")
        if found:
            self.problems += found
            self.bad_rows += 1
            return
        self.candidates.append(ImportedRow(row, line, name, slug(name), updated, data, "", source))

    def _cells(
        self, cells: list[str], bad: Callable[[int, str], None]
    ) -> tuple[
        str,
        str,
        datetime | None,
        dict[str, AnswerValue],
        dict[str, Column],
        dict[str, str],
        Column | None,
    ]:
        settings = self.settings
        name = role = ""
        updated: datetime | None = None
        answers: dict[str, AnswerValue] = {}
        answer_cols: dict[str, Column] = {}
        notes: dict[str, str] = {}
        name_col: Column | None = None
        n = len(cells)
        for c, qid, parse in self.question_columns:
            cell = cells[c.index] if c.index < n else ""
            if not cell:
                continue
            try:
                value = parse(cell)
            except CellError as exc:
                q = self.loaded.questions[qid]
                reserved = "'unknown' (don't know) or 'n/a'" if q.allow_na else "'unknown'"
                bad(c.number, f"{c.label}: {exc}; or {reserved}")
                continue
            if value is not None:
                answers[qid] = value
                answer_cols[qid] = c
        for c in self.other_columns:
            cell = cells[c.index] if c.index < n else ""
            if c.kind == NOTE and c.question is not None:
                text = clean_text(cell)
                if text:
                    notes[c.question.id] = text
            elif c.kind == NAME:
                name, name_col = " ".join(cell.split()), c
                if not name and not settings.anonymous:
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
                elif normalise_text(raw) in self.role_lookup:
                    role = self.role_lookup[normalise_text(raw)]
                else:
                    bad(
                        c.number,
                        f"{c.label}: unknown role '{_short(raw)}' (this rubric has: "
                        f"{_ids(self.roles)}; map other names under roles: in --mapping)",
                    )
            elif c.kind == TIME and cell.strip():
                try:
                    updated = parse_timestamp(cell, fmt=self.fmt, dayfirst=self.dayfirst)
                except (ValueError, OverflowError) as exc:
                    bad(c.number, f"{c.label}: {exc}")
            elif c.kind == BLANK and cell.strip():
                bad(c.number, f"column {c.number} has no header but holds '{_short(cell, 30)}'")
        if not self.has_role_column and settings.default_role:
            role = settings.default_role
        return name, role, updated, answers, answer_cols, notes, name_col

    def _asked(
        self, row: int, role: str, answers: dict[str, AnswerValue]
    ) -> dict[str, AnswerValue]:
        """Leave out what a survey could not hide: questions not asked of this role, or whose
        condition is false given this row's earlier answers. Scoring would refuse them."""
        kept, refused = self._checker.rules.sort(role, answers, cascade=True)
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
        _lengthen_colliding_pseudonyms(self.candidates, self.salt)
        kept = _one_per_respondent(self.candidates, self.file, warnings)
        phase_of = {q.id: q.phase for q in self.loaded.rubric.questions}
        for r in kept:
            data = r.data
            r.text = answer_file_text(
                rubric=data["rubric"],
                respondent=data["respondent"],
                organization=data.get("organization"),
                started=data.get("started"),
                updated=data.get("updated"),
                answers=data["answers"],
                notes=data.get("notes", {}),
                phase_of=phase_of,
            )
        return SurveyImport(self.file, kept, self.problems, warnings, self.read_rows, self.bad_rows)


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
