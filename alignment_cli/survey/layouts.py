"""Survey tools' export layouts, recognised from the header's structure and read as one header.

Each tool lays its CSV out its own way (docs/forms-and-import.md has one section per tool and
the documentation each layout was written from):

- SurveyMonkey, "All responses", expanded: two header rows; a checkbox question spans one
  column per option, its text over the first only, the option labels in row 2.
- Qualtrics: three header rows (column names, question texts, `{"ImportId": ...}` JSON with the
  time zone of the date columns); `-99` for seen but unanswered; multi answers may be split into
  one column per option (`Question - Option` in row 2).
- LimeSurvey: question codes (`Q23`, `Q23[SQ001]`) or full texts (`Question [Option]`) as
  headings, one column per option of a multiple-choice question.
- Typeform: one column per choice of a multiple selection, headed by the choice's label.
- Microsoft Forms (through Excel), Google Forms and Google Sheets, Jotform: one header row.

A layout turns the file's header rows into one logical header (the columns
`columns.match_columns` matches) and each row's cells into logical cells: per-option columns fold
into one multi answer, the ticked options' labels joined with "; ".
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import Any

from alignment_cli.errors import InvalidInput, Problem
from alignment_cli.model.models import Question
from alignment_cli.model.qtypes.base import NA, UNKNOWN
from alignment_cli.model.qtypes.cells import loose_text, normalise_text
from alignment_cli.model.rubric import LoadedRubric

SOURCES = {
    "generic": "a plain CSV (one header row of question texts or ids)",
    "google-forms": "Google Forms (or Google Sheets)",
    "google-sheets": "Google Sheets (or Google Forms)",
    "microsoft-forms": "Microsoft Forms (through Excel)",
    "surveymonkey": "SurveyMonkey",
    "surveymonkey-numeric": "SurveyMonkey (numerical values)",
    "qualtrics": "Qualtrics",
    "qualtrics-numeric": "Qualtrics (numeric values)",
    "typeform": "Typeform",
    "limesurvey": "LimeSurvey",
    "jotform": "Jotform",
}
"""What `--source` accepts, and the name each layout is reported under."""

UNTICKED = frozenset({"n", "no", "0", "false", "not selected", "-99", "-"})
"""What a per-option column holds for an option that was not ticked (besides an empty cell)."""

_META: dict[str, frozenset[str]] = {
    "surveymonkey": frozenset(),
    "qualtrics": frozenset(
        {
            "start date",
            "end date",
            "response type",
            "status",
            "ip address",
            "progress",
            "duration (in seconds)",
            "finished",
            "recorded date",
            "response id",
            "recipient last name",
            "recipient first name",
            "recipient email",
            "external data reference",
            "location latitude",
            "location longitude",
            "distribution channel",
            "user language",
        }
    ),
    "limesurvey": frozenset(
        {
            "id",
            "submitdate",
            "lastpage",
            "startlanguage",
            "seed",
            "startdate",
            "datestamp",
            "ipaddr",
            "refurl",
            "token",
            "response id",
            "date submitted",
            "last page",
            "start language",
            "date started",
            "date last action",
            "ip address",
            "referrer url",
        }
    ),
    "jotform": frozenset({"submission ip", "submission id", "last update date", "edit link"}),
    "microsoft-forms": frozenset({"name (microsoft account)"}),
}
TIME_HEADERS = {"limesurvey": ("submitdate",)}
"""Time columns a layout adds to columns.TIME_COLUMNS."""


@dataclass
class Fold:
    """Per-option columns read as one multi answer: each ticked column stands for its label."""

    sources: list[int]
    labels: list[str]
    headers: list[str]  # each column's own header, for messages
    lines: list[int] = field(default_factory=list)


@dataclass
class Layout:
    key: str
    why: str  # how it was recognised, for the note that names it
    header: list[str]  # the logical header
    header_rows: int = 1
    positions: list[int] | None = None  # the physical column of each logical one (None: same)
    folds: dict[int, Fold] = field(default_factory=dict)
    zone: tzinfo | None = None  # a time zone the file states
    zone_name: str = ""
    unanswered: frozenset[str] = frozenset()
    numeric: bool | None = False  # answers are positions in the codebook; None: decide from cells
    codes: bool = False  # LimeSurvey answer codes (A1, A2, ...) are positions too
    multi_separator: str | None = None  # Typeform's older ' / ' between choices
    sure: bool = True
    notes: list[str] = field(default_factory=list)
    _plan: Any = field(default=None, repr=False, compare=False)

    @property
    def tool(self) -> str:
        return SOURCES[self.key]

    @property
    def metadata(self) -> frozenset[str]:
        return _META.get(self.key.removesuffix("-numeric"), frozenset())

    @property
    def time_headers(self) -> tuple[str, ...]:
        return TIME_HEADERS.get(self.key, ())

    def physical(self, index: int) -> int:
        """The file's column (0-based) that logical column `index` comes from (its first)."""
        if index in self.folds:
            return self.folds[index].sources[0]
        return self.positions[index] if self.positions is not None else index

    def cells(self, cells: list[str]) -> list[str]:
        """A row's logical cells (the identity when nothing is folded or moved)."""
        if self.positions is None and not self.folds:
            return cells
        if self._plan is None:
            self._plan = self._make_plan()
        width, take, folds = self._plan
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        out = list(take(cells))
        for i, pairs in folds:
            ticked = []
            for s, label in pairs:
                cell = cells[s].strip()
                if cell and cell.lower() not in UNTICKED:
                    ticked.append(label)
            out[i] = "; ".join(ticked)
        return out

    def _make_plan(self) -> tuple[int, Callable[[list[str]], Any], list[Any]]:
        from operator import itemgetter

        positions = self.positions or list(range(len(self.header)))
        sources = [s for f in self.folds.values() for s in f.sources]
        width = max([*positions, *sources], default=-1) + 1
        getter: Callable[[list[str]], Any] = itemgetter(*positions)
        take = getter if len(positions) != 1 else (lambda cells: (getter(cells),))
        folds = [(i, list(zip(f.sources, f.labels, strict=True))) for i, f in self.folds.items()]
        return width, take, folds


def recognise(
    file: str, records: list[tuple[int, list[str]]], loaded: LoadedRubric, source: str | None
) -> Layout:
    """The layout of an export, from its header rows; `source` (--source) forces one."""
    first = records[0][1]
    names = [normalise_text(c) for c in first]
    found = source or _guess(names, records)
    layout = _BUILDERS[found.removesuffix("-numeric")](file, records, loaded, found)
    layout.key = found
    if source:
        layout.why = f"as --source {source} says"
    return layout


def _guess(names: list[str], records: list[tuple[int, list[str]]]) -> str:
    present = set(names)
    if {"responseid", "startdate", "enddate"} <= present:
        return "qualtrics"
    if {"respondent id", "collector id"} <= present:
        return "surveymonkey"
    if names and names[0] == "#" and present & {"submit date (utc)", "network id"}:
        return "typeform"
    if names[:3] == ["id", "start time", "completion time"]:
        return "microsoft-forms"
    if {"id", "submitdate", "lastpage", "startlanguage"} <= present or {
        "response id",
        "date submitted",
        "last page",
        "start language",
    } <= present:
        return "limesurvey"
    if (names and names[0] == "submission date") or {"submission id", "submission ip"} <= present:
        return "jotform"
    if names and names[0] == "timestamp":
        return "google-forms"
    return "generic"


# ---------------------------------------------------------------------------------------------
# One header row


def _plain(
    file: str, records: list[tuple[int, list[str]]], loaded: LoadedRubric, key: str
) -> Layout:
    header = list(records[0][1])
    why = {
        "google-forms": "its first column is 'Timestamp'",
        "google-sheets": "its first column is 'Timestamp'",
        "jotform": "its header has 'Submission Date' and 'Submission ID'",
        "generic": "",
    }.get(key, "")
    layout = Layout(key, why, header)
    if key == "generic":
        layout.sure = False
    return layout


def _microsoft(
    file: str, records: list[tuple[int, list[str]]], loaded: LoadedRubric, key: str
) -> Layout:
    """Excel's copy of a Microsoft Forms sheet: `ID, Start time, Completion time, Email, Name,
    Last modified time`, then the questions. Its `Name` is the Microsoft account's; a form
    built from ours has a Name question of its own, which is the one read."""
    header = list(records[0][1])
    names = [normalise_text(h) for h in header]
    if names.count("name") > 1:
        header[names.index("name")] = "Name (Microsoft account)"
    return Layout(key, "its header starts 'ID, Start time, Completion time'", header)


def _typeform(
    file: str, records: list[tuple[int, list[str]]], loaded: LoadedRubric, key: str
) -> Layout:
    """A multiple selection is one column per choice, headed by the choice's label (a run of
    such columns is folded into the one multi question whose options they all are); older
    exports join the choices with ' / ' in one column headed by the question."""
    header = list(records[0][1])
    layout = Layout(key, "its header has '#' first and 'Submit Date (UTC)'", header)
    layout.multi_separator = " / "
    texts = {normalise_text(q.text) for q in loaded.rubric.questions} | {
        q.id for q in loaded.rubric.questions
    }
    labels: dict[str, set[str]] = {}
    for q in _multis(loaded):
        for label in _answer_labels(q):
            labels.setdefault(normalise_text(label), set()).add(q.id)
    runs: list[tuple[int, int, str]] = []
    order = [q.id for q in _multis(loaded)]
    used: set[str] = set()
    i = 0
    names = [normalise_text(h) for h in header]
    while i < len(header):
        n = names[i]
        cands = labels.get(n, set()) if n not in texts else set()
        if not cands:
            i += 1
            continue
        j, seen = i + 1, {n}
        while (
            j < len(header)
            and names[j] not in texts
            and names[j] not in seen  # a label again: the next question's columns
            and cands & labels.get(names[j], set())
        ):
            cands = cands & labels[names[j]]
            seen.add(names[j])
            j += 1
        # Questions with the same options: the form lists them in the rubric's order.
        free = [qid for qid in order if qid in cands and qid not in used]
        if free:
            runs.append((i, j, free[0]))
            used.add(free[0])
        i = j
    _apply_runs(layout, runs, [(h, h) for h in header])
    return layout


def _surveymonkey(
    file: str, records: list[tuple[int, list[str]]], loaded: LoadedRubric, key: str
) -> Layout:
    """Expanded "All responses": question texts in row 1 (a checkbox question's over its first
    column only), `Response` / `Open-Ended Response` or the option labels in row 2. The
    condensed layout has one header row."""
    row1 = records[0][1]
    names = [normalise_text(c) for c in row1]
    at = names.index("respondent id") if "respondent id" in names else 0
    second = records[1][1] if len(records) > 1 else []
    has_two = bool(second) and not (at < len(second) and second[at].strip())
    layout = Layout(
        key,
        "its header has 'Respondent ID' and 'Collector ID'"
        + (" and a second row of 'Response' and option labels" if has_two else ""),
        list(row1),
    )
    if key.endswith("-numeric"):
        layout.numeric = True
    else:
        layout.numeric = None
    if not has_two:
        return layout
    layout.header_rows = 2
    header: list[str] = []
    positions: list[int] = []
    i = 0
    width = max(len(row1), len(second))
    while i < width:
        h1 = row1[i].strip() if i < len(row1) else ""
        h2 = second[i].strip() if i < len(second) else ""
        j = i + 1
        while (
            j < width
            and not (row1[j].strip() if j < len(row1) else "")
            and (second[j].strip() if j < len(second) else "")
        ):
            j += 1
        subs = [second[k].strip() if k < len(second) else "" for k in range(i, j)]
        if not h2 or normalise_text(h2) in ("response", "open-ended response"):
            header.append(h1)
            positions.append(i)
            for k in range(i + 1, j):  # 'Other (please specify)' beside a single answer
                header.append(f"{h1} [{subs[k - i]}]")
                positions.append(k)
        else:
            index = len(header)
            header.append(h1)
            positions.append(i)
            layout.folds[index] = Fold(list(range(i, j)), subs, [f"{h1} [{s}]" for s in subs])
        i = j
    layout.header = header
    layout.positions = positions
    return layout


def _qualtrics(
    file: str, records: list[tuple[int, list[str]]], loaded: LoadedRubric, key: str
) -> Layout:
    """Row 1 names the columns (`StartDate, ..., Q1, Q2`), row 2 holds the question texts,
    row 3 `{"ImportId": ..., "timeZone": ...}` (older exports have no row 3). Questions are
    matched by their text in row 2; `-99` (seen, not answered) is unanswered."""
    row1 = records[0][1]
    row2 = records[1][1] if len(records) > 1 else []
    row3 = records[2][1] if len(records) > 2 else []
    has_json = any(c.strip().startswith("{") and "importid" in c.lower() for c in row3)
    layout = Layout(
        key,
        "its header has 'StartDate', 'EndDate' and 'ResponseId'"
        + (", then question texts and ImportId rows" if has_json else ""),
        [],
    )
    layout.header_rows = 3 if has_json else 2
    layout.unanswered = frozenset({"-99"})
    layout.numeric = True if key.endswith("-numeric") else None
    pairs = []
    for i, name in enumerate(row1):
        text = row2[i].strip() if i < len(row2) else ""
        pairs.append((name, text or name))
    if has_json:
        zones: list[tuple[str, str]] = []
        for cell in row3:
            try:
                meta = json.loads(cell)
            except ValueError:
                continue
            if isinstance(meta, dict) and isinstance(meta.get("timeZone"), str):
                zones.append((str(meta.get("ImportId", "")), meta["timeZone"]))
        if zones:
            preferred = dict(zones)
            name = preferred.get("endDate") or preferred.get("recordedDate") or zones[0][1]
            layout.zone, layout.zone_name = _zone(file, records[2][0], name)
    # Split multi answers: `Q5_1` over 'Question text - Option label'
    by_text = {normalise_text(q.text): q for q in _multis(loaded)}
    runs: list[tuple[int, int, str]] = []
    labels: list[tuple[str, str]] = []
    i = 0
    while i < len(pairs):
        name, text = pairs[i]
        q, label = _split_text(text, by_text, " - ")
        labels.append((text, label or text))
        if q is None or not re.fullmatch(r".+_\d+", name.strip()):
            i += 1
            continue
        j = i + 1
        while j < len(pairs):
            q2, label2 = _split_text(pairs[j][1], by_text, " - ")
            if q2 is not q:
                break
            labels.append((pairs[j][1], label2 or pairs[j][1]))
            j += 1
        runs.append((i, j, q.id))
        i = j
    layout.header = [text for _, text in pairs]
    _apply_runs(layout, runs, labels)
    return layout


def _limesurvey(
    file: str, records: list[tuple[int, list[str]]], loaded: LoadedRubric, key: str
) -> Layout:
    """Question codes (`Q23`, `Q23[SQ001]`: a code made from the question id, as a LimeSurvey
    code cannot hold '-') or full texts (`Question text [Option]`); answer codes A1, A2, ...
    are positions in the codebook's answers, as the survey was built from it."""
    header = list(records[0][1])
    names = [normalise_text(h) for h in header]
    coded = "submitdate" in names
    layout = Layout(
        key,
        "its header has "
        + ("'id, submitdate, lastpage, startlanguage'" if coded else
           "'Response ID, Date submitted, Last page, Start language'"),
        header,
    )  # fmt: skip
    layout.codes = True
    by_code = {loose_text(q.id): q for q in loaded.rubric.questions}
    by_text = {normalise_text(q.text): q for q in _multis(loaded)}
    logical: list[str] = []
    parts: list[tuple[str, str]] = []
    for h in header:
        m = re.fullmatch(r"\s*(.*?)\s*\[([^\]]*)\]\s*", h)
        base = m.group(1) if m else h.strip()
        q = by_code.get(loose_text(base)) if coded else None
        logical.append(q.id if q is not None else base)
        parts.append((base, m.group(2).strip() if m else ""))
    runs: list[tuple[int, int, str]] = []
    labels: list[tuple[str, str]] = []
    i = 0
    while i < len(header):
        base, option = parts[i]
        q = by_code.get(loose_text(base)) if coded else by_text.get(normalise_text(base))
        if not option or q is None or q.type.value != "multi":
            labels.append((header[i], header[i]))
            i += 1
            continue
        j = i
        while j < len(header) and parts[j][0] == base and parts[j][1]:
            labels.append((header[j], _option_label(q, parts[j][1])))
            j += 1
        runs.append((i, j, q.id))
        i = j
    layout.header = logical
    _apply_runs(layout, runs, labels)
    return layout


_BUILDERS = {
    "generic": _plain,
    "google-forms": _plain,
    "google-sheets": _plain,
    "jotform": _plain,
    "microsoft-forms": _microsoft,
    "typeform": _typeform,
    "surveymonkey": _surveymonkey,
    "qualtrics": _qualtrics,
    "limesurvey": _limesurvey,
}


# ---------------------------------------------------------------------------------------------
# Helpers


def _multis(loaded: LoadedRubric) -> list[Question]:
    return [q for q in loaded.rubric.questions if q.type.value == "multi"]


def _answer_labels(q: Question) -> list[str]:
    """A multi question's answers as the codebook lists them: options, Don't know, n/a."""
    out = [o.label for o in q.options]
    out.append("Don't know")
    if q.allow_na:
        out.append("Not applicable")
    return out


def _option_label(q: Question, code: str) -> str:
    """A LimeSurvey subquestion code as the option's label: SQ001 is the first answer of the
    codebook, a code made from an option's value is that option."""
    labels = _answer_labels(q)
    m = re.fullmatch(r"(?i)sq0*(\d+)", code)
    if m and 1 <= int(m.group(1)) <= len(labels):
        return labels[int(m.group(1)) - 1]
    for o in q.options:
        if loose_text(code) in (loose_text(o.value), loose_text(o.label)):
            return o.label
    return code


def _split_text(text: str, by_text: dict[str, Question], sep: str) -> tuple[Question | None, str]:
    """'Question text - Option' into the multi question and the option, if the text is one's."""
    at = text.rfind(sep)
    while at > 0:
        q = by_text.get(normalise_text(text[:at]))
        if q is not None:
            return q, text[at + len(sep) :].strip()
        at = text.rfind(sep, 0, at)
    return None, ""


def _apply_runs(
    layout: Layout, runs: list[tuple[int, int, str]], labels: list[tuple[str, str]]
) -> None:
    """Fold each run of physical columns [i, j) into one logical column headed by the
    question id; `labels` has (own header, option label) for every physical column."""
    if not runs:
        return
    header = layout.header
    logical: list[str] = []
    positions: list[int] = []
    folds: dict[int, Fold] = {}
    starts = {i: (j, qid) for i, j, qid in runs}
    i = 0
    while i < len(header):
        if i in starts:
            j, qid = starts[i]
            folds[len(logical)] = Fold(
                list(range(i, j)),
                [labels[k][1] for k in range(i, j)],
                [labels[k][0] for k in range(i, j)],
            )
            logical.append(qid)
            positions.append(i)
            i = j
        else:
            logical.append(header[i])
            positions.append(i)
            i += 1
    layout.header, layout.positions, layout.folds = logical, positions, folds


def _zone(file: str, line: int, name: str) -> tuple[tzinfo, str]:
    """An IANA zone the file names; 'Z', 'UTC' and 'GMT' are UTC."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if name.strip().upper() in ("Z", "UTC", "GMT", "ETC/UTC"):
        return UTC, "UTC"
    try:
        return ZoneInfo(name.strip()), name.strip()
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            [
                Problem(
                    file,
                    line,
                    None,
                    f"the time zone '{name}' the file states is not an IANA time zone name; "
                    "give the survey's zone with --timezone (e.g. Europe/Berlin)",
                )
            ]
        ) from None


def position_table(q: Question, labels: list[tuple[str, str]]) -> dict[str, str]:
    """Numeric exports code an answer by its position in the survey's list of answers, which
    (built from the codebook) is the question's answers, then Don't know, then Not applicable:
    '1' is the first answer's label, and so on."""
    out = [label for _, label in labels]
    out.append("Don't know")
    if q.allow_na:
        out.append("Not applicable")
    return {str(k): label for k, label in enumerate(out, 1)}


RESERVED_LABELS = {"Don't know": UNKNOWN, "Not applicable": NA}
