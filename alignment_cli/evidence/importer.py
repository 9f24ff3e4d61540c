"""`alignment evidence import`: recognise each export, check it whole, compute the metrics, and
write one evidence file; on any problem, nothing is written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alignment_cli.errors import InvalidInput, Problem, UsageError
from alignment_cli.evidence import engine
from alignment_cli.evidence.mapping import LoadedMapping, default_mapping, load_mapping


@dataclass
class ImportOutcome:
    document: dict[str, Any]
    path: Path
    written: bool


def build(paths: list[Path], mapping: LoadedMapping, *, imported: str) -> dict[str, Any]:
    """The evidence document for these exports; InvalidInput names every problem found."""
    if not paths:
        raise UsageError("give at least one CRM export (CSV)")
    sources = [engine.inspect(p, mapping) for p in paths]
    problems: list[Problem] = []
    for s in sources:
        problems += engine.missing_columns(s)
    problems += _unused_renames(sources, mapping)
    problems += _combination(sources)
    if problems:
        raise InvalidInput(problems)
    with engine.connection() as con:
        for i, s in enumerate(sources):
            problems += engine.load(con, s, i, mapping)
        if problems:
            raise InvalidInput(problems)
        metrics, unmeasured, period = engine.compute(con, sources, mapping)
        source_periods = [_source_period(con, s, mapping) for s in sources]
    files = []
    for s, span in zip(sources, source_periods, strict=True):
        size, digest = engine.fingerprint(s.path)
        files.append(
            {
                "file": s.path.name,
                "kind": s.kind.id,
                "size": size,
                "rows": s.rows,
                "sha256": digest,
                "period": span,
            }
        )
    m = mapping.mapping
    bh = m.business_hours
    overall = period.get("leads") or period.get("opportunities") or {"from": None, "to": None}
    return {
        "format": engine.FORMAT,
        "imported": imported,
        "period": overall,
        "sources": files,
        "settings": {
            "timezone": m.timezone,
            "sla_hours": m.sla_hours,
            "business_hours": None if bh is None else bh.model_dump(),
            "marketing_sources": m.marketing_sources,
            "sales_sources": m.sales_sources,
            "default_sources": m.default_sources,
        },
        "metrics": metrics,
        "unmeasured": dict(sorted(unmeasured.items())),
    }


def _source_period(con: Any, s: engine.Source, mapping: LoadedMapping) -> dict[str, Any]:
    for name in ("CreatedDate", "createdate", "CloseDate", "closedate"):
        if name in s.columns:
            sql = engine.period_sql(f'"{name}"', mapping.mapping.timezone)
            first, last = con.execute(f"SELECT {sql} FROM {s.table}").fetchone()
            return {"from": first, "to": last}
    return {"from": None, "to": None}


def _unused_renames(sources: list[engine.Source], mapping: LoadedMapping) -> list[Problem]:
    from alignment_cli.evidence.formats import norm

    seen = {norm(h) for s in sources for h in s.headers}
    out = []
    for header in mapping.mapping.columns:
        if norm(header) not in seen:
            names = ", ".join(s.path.name for s in sources)
            out.append(
                mapping.problem(
                    ("columns", header), f"no column '{header}' in the exports given ({names})"
                )
            )
    return out


def _combination(sources: list[engine.Source]) -> list[Problem]:
    kinds = {s.kind.id for s in sources}
    out = []
    if {"salesforce-lead", "hubspot-contact"} <= kinds:
        out.append(
            Problem(
                str(sources[0].path),
                None,
                None,
                "give the leads from one system: a Salesforce Lead export or a HubSpot "
                "contacts export, not both (a synced lead would count twice)",
            )
        )
    if {"salesforce-opportunity", "hubspot-deal"} <= kinds:
        out.append(
            Problem(
                str(sources[0].path),
                None,
                None,
                "give the opportunities from one system: Salesforce or HubSpot, not both",
            )
        )
    if "salesforce-task" in kinds and "salesforce-lead" not in kinds:
        task = next(s for s in sources if s.kind.id == "salesforce-task")
        out.append(
            Problem(
                str(task.path),
                None,
                None,
                "a Task export is read against the leads it names (WhoId): give the "
                "Salesforce Lead export too",
            )
        )
    for s in sources:
        if s.kind.id == "salesforce-lead" and "salesforce-task" in kinds and "Id" not in s.columns:
            f = s.kind.field("Id")
            out.append(
                Problem(
                    str(s.path),
                    1,
                    None,
                    f"missing column 'Id' ('Lead ID'): needed for {f.needed_for}",
                )
            )
    return out


def run(
    paths: list[Path],
    directory: Path,
    *,
    mapping_path: Path | None,
    dry_run: bool,
) -> ImportOutcome:
    from alignment_cli.clock import now
    from alignment_cli.evidence import store
    from alignment_cli.files.writes import write_atomic

    if not directory.is_dir():
        raise UsageError(f"{directory} is not a folder: give the engagement folder with --into")
    mapping = load_mapping(mapping_path) if mapping_path else default_mapping()
    imported = now().isoformat().replace("+00:00", "Z")
    document = build(paths, mapping, imported=imported)
    target = store.folder_of(directory) / store.file_name(document)
    if not dry_run:
        write_atomic(target, store.dump(document), make_dirs=True)
    return ImportOutcome(document, target, not dry_run)
