"""The `--mapping` file of `alignment evidence import`: like the survey mapping, it renames
columns, and it says which sources are marketing's, the business hours and the time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from alignment_cli.errors import InvalidInput, Problem
from alignment_cli.evidence.formats import FIELD_NAMES, KINDS
from alignment_cli.files.yamlio import Document, load_yaml
from alignment_cli.model.models import Model

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class BusinessHours(Model):
    start: str = Field("09:00", description="Opening time, HH:MM, local.")
    end: str = Field("17:00", description="Closing time, HH:MM, local; after start.")
    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = Field(
        ["mon", "tue", "wed", "thu", "fri"], min_length=1
    )

    def seconds(self) -> tuple[int, int]:
        def of(text: str) -> int:
            m = _CLOCK.match(text)
            assert m is not None  # checked on load
            return int(m.group(1)) * 3600 + int(m.group(2)) * 60

        return of(self.start), of(self.end)


class EvidenceMapping(Model):
    columns: dict[str, str] = Field({}, description="Export column -> field name (API name).")
    kinds: dict[str, str] = Field(
        {}, description="File name -> its kind, when columns are unclear."
    )
    marketing_sources: list[str] = Field([], description="Source values that are marketing's.")
    sales_sources: list[str] = Field([], description="Source values that are sales'.")
    default_sources: bool = Field(True, description="Also classify by the default words.")
    timezone: str = Field("UTC", description="IANA time zone of times without an offset.")
    business_hours: BusinessHours | None = None
    sla_hours: float = Field(24, gt=0, allow_inf_nan=False)
    date_order: Literal["mdy", "dmy"] | None = Field(
        None, description="Order of slashed dates (03/04/2026) when the data cannot tell."
    )


@dataclass
class LoadedMapping:
    mapping: EvidenceMapping
    doc: Document | None

    def problem(self, loc: tuple[str | int, ...], message: str) -> Problem:
        if self.doc is None:
            return Problem("--mapping", None, None, message)
        return self.doc.problem(loc, message, at_key=True)


def default_mapping() -> LoadedMapping:
    return LoadedMapping(EvidenceMapping(), None)


def load_mapping(path: Path) -> LoadedMapping:
    """Read and check the mapping file; every problem located in it."""
    from alignment_cli.model.rubric import pydantic_problems

    doc = load_yaml(path)
    try:
        mapping = EvidenceMapping.model_validate(doc.data)
    except ValidationError as exc:
        raise InvalidInput(pydantic_problems(doc, exc, EvidenceMapping)) from None
    loaded = LoadedMapping(mapping, doc)
    problems: list[Problem] = []
    for header, name in mapping.columns.items():
        if name not in FIELD_NAMES:
            problems.append(
                doc.problem(
                    ("columns", header),
                    f"unknown field '{name}': name a field of docs/evidence.md "
                    "(e.g. CreatedDate, LeadSource, createdate)",
                )
            )
    kind_ids = {k.id for k in KINDS}
    for name, kind in mapping.kinds.items():
        if kind not in kind_ids:
            problems.append(
                doc.problem(
                    ("kinds", name),
                    f"unknown kind '{kind}' (one of {', '.join(sorted(kind_ids))})",
                )
            )
    bh = mapping.business_hours
    if bh is not None:
        for key in ("start", "end"):
            if not _CLOCK.match(getattr(bh, key)):
                problems.append(
                    doc.problem(("business_hours", key), "write the time as HH:MM, e.g. 09:00")
                )
        if not problems and bh.seconds()[0] >= bh.seconds()[1]:
            problems.append(doc.problem(("business_hours", "end"), "must be after start"))
    if not _valid_zone(mapping.timezone):
        problems.append(
            doc.problem(
                ("timezone",),
                f"unknown time zone '{mapping.timezone}': give an IANA name like Europe/Oslo",
            )
        )
    if problems:
        raise InvalidInput(problems)
    return loaded


def _valid_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
