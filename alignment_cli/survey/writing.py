"""Writing an import: what each file would become (new, updated, unchanged, conflict), and
writing them all or none."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from alignment_cli.errors import InvalidInput, Problem
from alignment_cli.files.locks import LOCK_SUFFIX, holder_of, lock_path
from alignment_cli.files.responses import (
    Responses,
)
from alignment_cli.files.writes import (
    JOURNAL_NAME,
    remove_stale_temps,
    write_all_atomic,
)
from alignment_cli.files.yamlio import parse_yaml, read_text
from alignment_cli.survey.settings import ImportedRow

# ---------------------------------------------------------------------------------------------
# Writing


@dataclass
class PlannedFile:
    path: Path
    row: ImportedRow
    status: str  # new | updated | unchanged | conflict | locked (being interviewed)


@dataclass
class WritePlan:
    folder: Path
    files: list[PlannedFile] = field(default_factory=list)
    applied: bool = False  # every file renamed into place (an interruption may come after)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)


def output_folder(into: Path) -> Path:
    """Where answer files go: DIR/responses for an engagement folder (one with alignment.yaml or
    a responses/ folder), else DIR itself; `alignment score DIR` finds them either way."""
    from alignment_cli.files.engagement import CONFIG_NAME

    if (into / CONFIG_NAME).is_file() or (into / "responses").is_dir():
        return into / "responses"
    return into


def plan_writes(rows: list[ImportedRow], folder: Path, *, overwrite: bool) -> WritePlan:
    """What writing would do to each file; an existing file with other answers is a conflict
    unless `overwrite`, so an interview typed by hand is never replaced by accident."""
    from alignment_cli.files.names import file_stem

    plan = WritePlan(folder)
    taken: dict[str, str] = {}  # file stem -> the name of the person this import gives it

    try:  # one look at the folder, not one per file: an import writes thousands
        present = set(os.listdir(folder))
    except OSError:
        present = set()
    locks = {n for n in present if n.endswith(LOCK_SUFFIX)}

    def holder(stem: str) -> str | None:
        if stem in taken:
            return taken[stem]
        name = f"{stem}.yaml"
        return _name_in(folder / name) if name in present else None

    for r in rows:
        try:
            r.slug = file_stem(r.name, holder)
        except ValueError:  # two names with one hash: a conflict, even with --overwrite
            plan.files.append(PlannedFile(folder / f"{r.slug}.yaml", r, "conflict"))
            continue
        taken[r.slug] = r.name
        path = folder / f"{r.slug}.yaml"
        status = "new"
        if path.name in present and path.exists():
            try:
                old: str | None = read_text(path)
            except InvalidInput:
                old = None
            if old == r.text or (old is not None and _same_answers(str(path), old, r.data)):
                status = "unchanged"
            else:
                status = "updated" if overwrite else "conflict"
        if (
            locks
            and status in ("new", "updated")
            and lock_path(path).name in locks
            and holder_of(path)
        ):
            status = "locked"  # being interviewed right now: its answers are not ours to write
        plan.files.append(PlannedFile(path, r, status))
    return plan


def _name_in(path: Path) -> str | None:
    """The respondent's name in an existing answer file; None when there is none or it cannot
    be read (the plan then treats that file as a conflict, as any other it cannot compare)."""
    if not path.exists():
        return None
    try:
        data = parse_yaml(str(path), read_text(path)).data
        name = data["respondent"]["name"]
    except (InvalidInput, KeyError, TypeError):
        return None
    return name if isinstance(name, str) else None


def _same_answers(name: str, old_text: str, data: dict[str, Any]) -> bool:
    """The file says the same as the row, whatever its formatting or comments. Read as
    `alignment score` reads it: through the guarded loader (the file may be anyone's)."""
    try:
        old = parse_yaml(name, old_text).data
        return bool(Responses.model_validate(old) == Responses.model_validate(data))
    except (InvalidInput, ValidationError):
        return False


def conflicts(plan: WritePlan, source: str) -> list[Problem]:
    why = {
        "conflict": "already holds other answers than row {row} of {source}; "
        "pass --overwrite to replace it",
        "locked": "is being interviewed right now (alignment audit); import row {row} of "
        "{source} when that interview is over",
    }
    return [
        Problem(str(f.path), 1, 1, why[f.status].format(row=f.row.row, source=source))
        for f in plan.files
        if f.status in why
    ]


def write_plan(plan: WritePlan) -> None:
    """All files or none; a journal beside them while they are renamed says, should the run
    be killed then, which files may have changed (and its removal ends an earlier one's)."""
    items: list[tuple[Path, str | Callable[[], str]]] = [
        (f.path, _text_of(f.row)) for f in plan.files if f.status in ("new", "updated")
    ]

    def applied() -> None:
        plan.applied = True

    remove_stale_temps(plan.folder)  # a killed import's, even when nothing is left to write
    try:
        write_all_atomic(  # DIR/responses may be new
            items, make_dirs=True, journal=plan.folder / JOURNAL_NAME, on_applied=applied
        )
    except OSError as exc:
        where = exc.filename or plan.folder
        raise InvalidInput(f"cannot write {where}: {exc.strerror or exc}") from None


def _text_of(row: ImportedRow) -> Callable[[], str]:
    return lambda: row.text  # made as its file is written: the texts are never all held
