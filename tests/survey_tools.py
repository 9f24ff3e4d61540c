"""Answers laid out as each survey tool exports them (issue 16), for property round trips.

Test code only: the inverse of `alignment import` for every layout in
alignment_cli/survey/layouts.py, written to the same description as the fixtures in
tests/data/import/<tool>/ (docs/forms-and-import.md, "Survey tools", names what each is based
on). Answers are positions in the codebook where a tool writes numbers, labels elsewhere.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from alignment_cli.files.responses import NA, UNKNOWN
from alignment_cli.model.models import Question
from alignment_cli.model.qtypes import KINDS
from alignment_cli.model.rubric import LoadedRubric
from alignment_cli.survey.forms import csv_columns
from tests.survey_export import survey_cell


@dataclass
class Person:
    name: str
    role: str
    answers: dict[str, Any]
    finished: datetime  # local time of the survey, no zone


LAYOUTS = (
    "surveymonkey",
    "surveymonkey-numeric",
    "qualtrics",
    "qualtrics-numeric",
    "limesurvey-code",
    "limesurvey-full",
    "microsoft-forms",
    "typeform",
    "google-sheets",
    "jotform",
)
PER_OPTION = {
    "surveymonkey",
    "surveymonkey-numeric",
    "qualtrics-numeric",
    "limesurvey-code",
    "limesurvey-full",
    "typeform",
}
"""Layouts with one column per option: there an empty multi answer reads as unanswered."""


def answers_of(q: Question, loaded: LoadedRubric) -> list[str]:
    """The codebook's answers for `q`, labels in order: what positions count."""
    out = [label for _, label in KINDS[q.type].allowed_answers(q, loaded.rubric)]
    out.append("Don't know")
    if q.allow_na:
        out.append("Not applicable")
    return out


def position(q: Question, loaded: LoadedRubric, value: Any) -> str:
    """A choice, yes/no or scale answer as its place in the codebook's answers."""
    labels = answers_of(q, loaded)
    if value == UNKNOWN:
        return str(labels.index("Don't know") + 1)
    if value == NA:
        return str(labels.index("Not applicable") + 1)
    answers = [a for a, _ in KINDS[q.type].allowed_answers(q, loaded.rubric)]
    key = {True: "yes", False: "no"}.get(value, str(value)) if q.type.value == "yesno" else value
    return str(answers.index(str(key)) + 1)


def ticked(q: Question, value: Any) -> list[bool]:
    """Which of a multi question's option columns (options, Don't know, n/a) are ticked."""
    marks = [isinstance(value, list) and o.value in value for o in q.options]
    marks.append(value == UNKNOWN)
    if q.allow_na:
        marks.append(value == NA)
    return marks


def export(layout: str, loaded: LoadedRubric, people: list[Person]) -> bytes:
    columns = [q for _, q in csv_columns(loaded)]
    texts = {q.id: h for h, q in csv_columns(loaded)}
    roles = [r.id for r in loaded.rubric.roles]
    role_title = {r.id: r.title for r in loaded.rubric.roles}
    numeric = layout.endswith("-numeric") or layout == "limesurvey-code"

    def cell(q: Question, value: Any) -> str:
        if value is None:
            return ""
        if numeric and q.type.value in ("choice", "yesno", "scale"):
            p = position(q, loaded, value)
            return f"A{p}" if layout == "limesurvey-code" else p
        if layout == "limesurvey-code" and q.type.value == "yesno" and value in (True, False):
            return "Y" if value else "N"
        if layout == "typeform" and q.type.value == "yesno" and value in (True, False):
            return "1" if value else "0"
        text = survey_cell(loaded, q, value)
        if q.type.value == "multi" and isinstance(value, list):
            labels = [o.label for o in q.options if o.value in value]
            sep = {"microsoft-forms": "", "jotform": "\n", "qualtrics": ","}.get(layout, ", ")
            if not labels:
                return "None"
            if layout == "microsoft-forms":
                return "".join(label + ";" for label in labels)
            return sep.join(labels)
        if layout == "microsoft-forms" and q.type.value == "multi":
            return text + ";"
        return text

    rows: list[list[str]] = []
    key = layout.removesuffix("-numeric")
    stamp = {
        "surveymonkey": lambda t: t.strftime("%m/%d/%Y %I:%M:%S %p"),
        "microsoft-forms": lambda t: f"{t.month}/{t.day}/{t.year} {t.hour}:{t:%M:%S}",
        "google-sheets": lambda t: f"{t.month}/{t.day}/{t.year} {t.hour}:{t:%M:%S}",
    }.get(key, lambda t: t.strftime("%Y-%m-%d %H:%M:%S"))
    if key == "surveymonkey":
        r1 = ["Respondent ID", "Collector ID", "Start Date", "End Date", "Name", "Role"]
        r2 = ["", "", "", "", "Open-Ended Response", "Response"]
        for q in columns:
            if q.type.value == "multi":
                labels = answers_of(q, loaded)
                r1 += [texts[q.id]] + [""] * (len(labels) - 1)
                r2 += labels
            else:
                r1.append(texts[q.id])
                r2.append(
                    "Open-Ended Response" if q.type.value in ("number", "text") else "Response"
                )
        rows = [r1, r2]
        for i, p in enumerate(people):
            role = str(roles.index(p.role) + 1) if numeric else role_title[p.role]
            row = [str(100 + i), "1", stamp(p.finished), stamp(p.finished), p.name, role]
            for q in columns:
                v = p.answers.get(q.id)
                if q.type.value == "multi":
                    marks = [str(k + 1) for k in range(len(answers_of(q, loaded)))]
                    row += (
                        [
                            (marks[k] if numeric else answers_of(q, loaded)[k]) if t else ""
                            for k, t in enumerate(ticked(q, v))
                        ]
                        if v is not None
                        else [""] * len(marks)
                    )
                else:
                    row.append(cell(q, v))
            rows.append(row)
    elif key == "qualtrics":
        meta = ["StartDate", "EndDate", "Status", "RecordedDate", "ResponseId"]
        labels2 = ["Start Date", "End Date", "Response Type", "Recorded Date", "Response ID"]
        r1, r2 = [*meta, "Q1", "Q2"], [*labels2, "Name", "Role"]
        r3 = [
            json.dumps({"ImportId": i, **({"timeZone": "UTC"} if "ate" in i else {})})
            for i in ("startDate", "endDate", "status", "recordedDate", "_recordId")
        ] + ['{"ImportId":"QID1_TEXT"}', '{"ImportId":"QID2"}']
        for n, q in enumerate(columns, 3):
            if q.type.value == "multi" and numeric:
                for k, label in enumerate(answers_of(q, loaded), 1):
                    r1.append(f"Q{n}_{k}")
                    r2.append(f"{texts[q.id]} - {label}")
                    r3.append(json.dumps({"ImportId": f"QID{n}_{k}"}))
            else:
                r1.append(f"Q{n}")
                r2.append(texts[q.id])
                r3.append(json.dumps({"ImportId": f"QID{n}"}))
        rows = [r1, r2, r3]
        for i, p in enumerate(people):
            t = stamp(p.finished)
            role = str(roles.index(p.role) + 1) if numeric else role_title[p.role]
            row = [t, t, "IP Address", t, f"R_{i}", p.name, role]
            for q in columns:
                v = p.answers.get(q.id)
                if q.type.value == "multi" and numeric:
                    row += (
                        ["1" if m else "" for m in ticked(q, v)]
                        if v is not None
                        else [""] * len(answers_of(q, loaded))
                    )
                else:
                    row.append(cell(q, v) or ("-99" if numeric else ""))
            rows.append(row)
    elif key.startswith("limesurvey"):
        coded = key == "limesurvey-code"
        r1 = (
            ["id", "submitdate", "lastpage", "startlanguage", "Name", "Role"]
            if coded
            else ["Response ID", "Date submitted", "Last page", "Start language", "Name", "Role"]
        )
        for q in columns:
            code = "".join(ch for ch in q.id if ch.isalnum())
            if q.type.value == "multi":
                labels = answers_of(q, loaded)
                r1 += (
                    [f"{code}[SQ{k:03d}]" for k in range(1, len(labels) + 1)]
                    if coded
                    else [f"{texts[q.id]} [{label}]" for label in labels]
                )
            else:
                r1.append(code if coded else texts[q.id])
        rows = [r1]
        for i, p in enumerate(people):
            role = f"A{roles.index(p.role) + 1}" if coded else role_title[p.role]
            row = [str(i + 1), stamp(p.finished), "2", "en", p.name, role]
            for q in columns:
                v = p.answers.get(q.id)
                if q.type.value == "multi":
                    n = len(answers_of(q, loaded))
                    mark = "Y" if coded else "Yes"
                    row += [mark if m else "" for m in ticked(q, v)] if v is not None else [""] * n
                else:
                    row.append(cell(q, v))
            rows.append(row)
    elif key == "typeform":
        r1 = ["#", "Name", "Role"]
        for q in columns:
            r1 += answers_of(q, loaded) if q.type.value == "multi" else [texts[q.id]]
        r1 += ["Response Type", "Start Date (UTC)", "Submit Date (UTC)", "Network ID"]
        rows = [r1]
        for i, p in enumerate(people):
            row = [f"tok{i}", p.name, role_title[p.role]]
            for q in columns:
                v = p.answers.get(q.id)
                if q.type.value == "multi":
                    labels = answers_of(q, loaded)
                    row += (
                        [lab if m else "" for lab, m in zip(labels, ticked(q, v), strict=True)]
                        if (v is not None)
                        else [""] * len(labels)
                    )
                else:
                    row.append(cell(q, v))
            t = stamp(p.finished)
            rows.append([*row, "completed", t, t, "n1"])
    else:  # one header row: Microsoft Forms, Google Sheets, Jotform
        head = {
            "microsoft-forms": [
                "ID",
                "Start time",
                "Completion time",
                "Email",
                "Name",
                "Last modified time",
            ],
            "google-sheets": ["Timestamp"],
            "jotform": ["Submission Date"],
        }[key]
        tail = ["Submission IP", "Submission ID"] if key == "jotform" else []
        rows = [[*head, "Name", "Role", *(texts[q.id] for q in columns), *tail]]
        for i, p in enumerate(people):
            t = stamp(p.finished)
            lead = {
                "microsoft-forms": [str(i + 1), t, t, "anonymous", "", ""],
                "google-sheets": [t],
                "jotform": [t],
            }[key]
            extra = ["203.0.113.1", str(9000 + i)] if key == "jotform" else []
            rows.append(
                [
                    *lead,
                    p.name,
                    role_title[p.role],
                    *(cell(q, p.answers.get(q.id)) for q in columns),
                    *extra,
                ]
            )
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    data = buf.getvalue().encode("utf-8")
    return codecs.BOM_UTF8 + data if key == "microsoft-forms" else data
