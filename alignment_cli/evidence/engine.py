"""The DuckDB side of `alignment evidence import`: exports in, aggregates out.

Every file is read once into a table of text cells (only the columns we use), then typed; a cell
that does not read (an impossible date, a negative amount) is reported with its file, line and
column, and nothing is computed. The metrics are a few SQL aggregates over the typed tables;
only counts, shares and medians come out (docs/evidence.md defines each). `duckdb` is imported
here, and only here, so the rest of the tool starts without it.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alignment_cli.errors import InvalidInput, Problem
from alignment_cli.evidence.formats import KINDS, Kind, recognise, resolve
from alignment_cli.evidence.mapping import DAYS, LoadedMapping
from alignment_cli.files.evidence_file import FORMAT as FORMAT  # defined where it is read
from alignment_cli.model.metrics import METRICS

MEMORY_LIMIT = "1GB"
"""DuckDB spills to a temporary folder beyond this, so a large export stays under budget."""
MAX_PROBLEMS = 20

# Words that mark a source value as sales' or marketing's (sales first: "cold e-mail").
SALES_WORDS = (
    r"\b(cold call|cold calling|cold e ?mail|outbound|prospecting|sales|sdr|bdr|self generated)\b"
)
MARKETING_WORDS = (
    r"\b(web|website|webinar|webinars|content|event|events|trade show|tradeshow|seminar|"
    r"seminars|paid|ppc|advertisement|advertising|ads|e ?mail|newsletter|organic|social|search|"
    r"campaign|campaigns|direct traffic|referrals|inbound|marketing)\b"
)

_DATE_FAMILIES: dict[str, tuple[str, list[str]]] = {
    "iso-offset": (
        r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*([+-]\d{2}:?\d{2}|Z)$",
        [
            "%Y-%m-%dT%H:%M:%S.%g%z",
            "%Y-%m-%dT%H:%M:%S.%f%z",
            "%Y-%m-%dT%H:%M:%S%z",
            "%Y-%m-%dT%H:%M%z",
            "%Y-%m-%d %H:%M:%S%z",
            "%Y-%m-%d %H:%M%z",
        ],
    ),
    "iso": (
        r"^\d{4}-\d{2}-\d{2}",
        [
            "%Y-%m-%dT%H:%M:%S.%g",
            "%Y-%m-%dT%H:%M:%S.%f",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d",
        ],
    ),
    "mdy": (
        r"^\d{1,2}/\d{1,2}/\d{4}",
        [
            "%m/%d/%Y %I:%M %p",
            "%m/%d/%Y %I:%M:%S %p",
            "%m/%d/%Y %H:%M",
            "%m/%d/%Y %H:%M:%S",
            "%m/%d/%Y",
        ],
    ),
    "dmy": (
        r"^\d{1,2}/\d{1,2}/\d{4}",
        ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %I:%M %p", "%d/%m/%Y"],
    ),
    "dot": (r"^\d{1,2}\.\d{1,2}\.\d{4}", ["%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y"]),
}


_DATE_PARTS: dict[str, tuple[str, str]] = {
    "iso-offset": ("substr({v}, 1, 10)", "%Y-%m-%d"),
    "iso": ("substr({v}, 1, 10)", "%Y-%m-%d"),
    "mdy": ("split_part({v}, ' ', 1)", "%m/%d/%Y"),
    "dmy": ("split_part({v}, ' ', 1)", "%d/%m/%Y"),
    "dot": ("split_part({v}, ' ', 1)", "%d.%m.%Y"),
}


@dataclass
class Source:
    path: Path
    kind: Kind
    headers: list[str]
    delimiter: str
    columns: dict[str, int]  # field -> column index
    table: str = ""
    rows: int = 0


# ---------------------------------------------------------------------------------------------
# Recognising the files


def read_header(path: Path) -> tuple[list[str], str]:
    """The header row and the delimiter (comma, semicolon or tab: whichever splits it most)."""
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
    except FileNotFoundError:
        raise InvalidInput([Problem(str(path), None, None, "no such file")]) from None
    except IsADirectoryError:
        raise InvalidInput(
            [Problem(str(path), None, None, "is a folder, not a CSV file")]
        ) from None
    except UnicodeDecodeError:
        raise InvalidInput(
            [Problem(str(path), 1, None, "not UTF-8 text: export the CSV as UTF-8")]
        ) from None
    except OSError as exc:
        raise InvalidInput(
            [Problem(str(path), None, None, f"cannot read: {exc.strerror}")]
        ) from None
    best: tuple[int, str, list[str]] = (0, ",", [])
    for delim in (",", ";", "\t"):
        row = next(csv.reader([first], delimiter=delim), [])
        if len(row) > best[0]:
            best = (len(row), delim, row)
    return [h.strip() for h in best[2]], best[1]


def inspect(path: Path, mapping: LoadedMapping) -> Source:
    headers, delim = read_header(path)
    renames = mapping.mapping.columns
    if not any(h for h in headers):
        raise InvalidInput([Problem(str(path), 1, None, "empty file: no header row")])
    forced = mapping.mapping.kinds.get(path.name)
    if forced:
        kind = next(k for k in KINDS if k.id == forced)
        return Source(path, kind, headers, delim, resolve(kind, headers, renames))
    found = recognise(headers, renames)
    if len(found) != 1:
        shown = ", ".join(headers[:8]) + (", ..." if len(headers) > 8 else "")
        if not found:
            what = (
                "cannot tell what this export is: expected a Salesforce Lead, Task or "
                "Opportunity export or a HubSpot contacts or deals export (docs/evidence.md "
                f"lists the columns); its columns are: {shown}"
            )
        else:
            names = " or ".join(k.title for k, _ in found)
            what = (
                f"its columns fit a {names} alike; say which in the mapping file "
                f"(kinds: {{{path.name}: <kind>}})"
            )
        raise InvalidInput([Problem(str(path), 1, None, what)])
    kind, columns = found[0]
    return Source(path, kind, headers, delim, columns)


def missing_columns(source: Source) -> list[Problem]:
    out = []
    for name in source.kind.required:
        if name not in source.columns:
            f = source.kind.field(name)
            labels = f" (or {', '.join(repr(x) for x in f.labels)})" if f.labels else ""
            out.append(
                Problem(
                    str(source.path),
                    1,
                    None,
                    f"missing column '{name}'{labels}: {source.kind.title} needs it for "
                    f"{f.needed_for}",
                )
            )
    return out


# ---------------------------------------------------------------------------------------------
# Loading and typing


@contextmanager
def connection() -> Iterator[Any]:
    import duckdb

    spill = tempfile.mkdtemp(prefix="alignment-duckdb-")
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        con.execute(f"SET temp_directory = '{_sql_text(spill)}'")
        con.execute("SET preserve_insertion_order = true")
        _macros(con)
        yield con
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _macros(con: Any) -> None:
    cur = r"^([A-Z]{3}|[$€£¥])\s*|\s*([A-Z]{3}|[$€£¥])$"
    con.execute(f"CREATE MACRO strip_cur(v) AS regexp_replace(trim(v), '{cur}', '', 'g')")
    con.execute(
        r"""CREATE MACRO amount_raw(s) AS CASE
          WHEN regexp_full_match(s, '-?\d{1,3}(,\d{3})+(\.\d+)?')
            THEN TRY_CAST(replace(s, ',', '') AS DOUBLE)
          WHEN regexp_full_match(s, '-?\d{1,3}(\.\d{3})+(,\d+)?')
            THEN TRY_CAST(replace(replace(s, '.', ''), ',', '.') AS DOUBLE)
          WHEN regexp_full_match(s, '-?\d+,\d{1,2}')
            THEN TRY_CAST(replace(s, ',', '.') AS DOUBLE)
          WHEN regexp_full_match(s, '-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?')
            THEN TRY_CAST(s AS DOUBLE)
          END"""
    )
    con.execute(
        "CREATE MACRO amount_of(v) AS CASE WHEN amount_raw(strip_cur(v)) >= 0 "
        "AND isfinite(amount_raw(strip_cur(v))) THEN amount_raw(strip_cur(v)) END"
    )
    con.execute(
        "CREATE MACRO bool_of(v) AS CASE "
        "WHEN lower(trim(v)) IN ('true', '1', 'yes', 'y') THEN true "
        "WHEN lower(trim(v)) IN ('false', '0', 'no', 'n') THEN false END"
    )
    con.execute("CREATE MACRO stage_of(v) AS lower(regexp_replace(v, '[^A-Za-z0-9]+', '', 'g'))")


def load(con: Any, source: Source, index: int, mapping: LoadedMapping) -> list[Problem]:
    """Read `source` into table t<index>, typed; the problems of its cells, located."""
    import duckdb

    raw, typed = f"raw{index}", f"t{index}"
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(source.headers)))
    picks = ", ".join(f"c{i} AS {_ident(name)}" for name, i in source.columns.items())
    try:
        con.execute(
            f"CREATE TABLE {raw} AS SELECT {picks} FROM read_csv('{_sql_text(str(source.path))}', "
            f"header = true, auto_detect = false, delim = '{_sql_text(source.delimiter)}', "
            f"quote = '\"', escape = '\"', columns = {{{columns}}})"
        )
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return [Problem(str(source.path), None, None, f"cannot read as CSV: {first}")]
    source.rows = con.execute(f"SELECT count(*) FROM {raw}").fetchone()[0]
    selects, checks = ["rowid AS rn"], []
    for name in source.columns:
        f = source.kind.field(name) if _has_field(source.kind, name) else None
        col = _ident(name)
        if f is None:
            continue
        if f.type == "text":
            selects.append(f"NULLIF(trim({col}), '') AS {col}")
            continue
        if f.type == "time":
            expr = _time_expr(con, raw, name, mapping)
        elif f.type == "bool":
            expr = f"bool_of({col})"
        else:
            expr = f"amount_of({col})"
        selects.append(f"{expr} AS {col}")
        selects.append(f"(NULLIF(trim({col}), '') IS NOT NULL) AS {_ident('given:' + name)}")
        checks.append((name, f.type))
    con.execute(f"CREATE TABLE {typed} AS SELECT {', '.join(selects)} FROM {raw}")
    source.table = typed
    problems: list[Problem] = []
    if checks:
        parts = []
        for name, _ in checks:
            bad = f"{_ident('given:' + name)} AND {_ident(name)} IS NULL"
            parts.append(f"min(rn) FILTER (WHERE {bad}), count(*) FILTER (WHERE {bad})")
        found = con.execute(f"SELECT {', '.join(parts)} FROM {typed}").fetchone()
        for j, (name, ftype) in enumerate(checks):
            rn, count = found[2 * j], found[2 * j + 1]
            if not count:
                continue
            value = con.execute(
                f"SELECT {_ident(name)} FROM {raw} WHERE rowid = ?", [rn]
            ).fetchone()[0]
            problems.append(_cell_problem(source, name, ftype, int(rn), value, int(count)))
    con.execute(f"DROP TABLE {raw}")
    return problems


def _has_field(kind: Kind, name: str) -> bool:
    return any(f.name == name for f in kind.fields)


def _time_expr(con: Any, raw: str, name: str, mapping: LoadedMapping) -> str:
    """The typed expression of a time column: its format family chosen from its first value
    (and, for slashed dates, from whether any first or second number passes 12)."""
    col = _ident(name)
    first = con.execute(
        f"SELECT trim({col}) FROM {raw} WHERE NULLIF(trim({col}), '') IS NOT NULL LIMIT 1"
    ).fetchone()
    zone = _sql_text(mapping.mapping.timezone)
    if first is None:
        return "CAST(NULL AS TIMESTAMPTZ)"
    import re

    sample = first[0]
    family = next((f for f, (rx, _) in _DATE_FAMILIES.items() if re.match(rx, sample)), None)
    if family == "mdy":
        family = _slash_order(con, raw, col, mapping)
    if family is None:
        return "CAST(NULL AS TIMESTAMPTZ)"  # every value is reported as no date
    formats = "[" + ", ".join(f"'{f}'" for f in _DATE_FAMILIES[family][1]) + "]"
    # strptime rolls a day past the month's end over (02-30 reads as 03-02 with a time): the
    # date part alone is read again, strictly, so an impossible date is refused.
    date_part, date_format = _DATE_PARTS[family]
    value = f"regexp_replace(trim({col}), 'Z$', '+0000')"
    parsed = f"try_strptime({value}, {formats})"
    if family != "iso-offset":
        parsed = f"timezone('{zone}', {parsed})"
    day = f"try_strptime({date_part.format(v=f'trim({col})')}, '{date_format}')"
    return (
        f"CASE WHEN year({parsed}) BETWEEN 1900 AND 2200 AND {day} IS NOT NULL THEN {parsed} "
        "ELSE CAST(NULL AS TIMESTAMPTZ) END"
    )


def _slash_order(con: Any, raw: str, col: str, mapping: LoadedMapping) -> str:
    first, second = con.execute(
        f"SELECT max(TRY_CAST(split_part(trim({col}), '/', 1) AS INTEGER)), "
        f"max(TRY_CAST(split_part(trim({col}), '/', 2) AS INTEGER)) FROM {raw}"
    ).fetchone()
    if first is not None and first > 12 and (second is None or second <= 12):
        return "dmy"
    if second is not None and second > 12 and (first is None or first <= 12):
        return "mdy"
    return mapping.mapping.date_order or "mdy"


def _cell_problem(
    source: Source, name: str, ftype: str, rn: int, value: str, count: int
) -> Problem:
    shown = value if len(value) <= 40 else value[:37] + "..."
    what = {
        "time": f"impossible date '{shown}' in {name}: expected a date-time as Salesforce or "
        "HubSpot writes it (2026-07-01T09:00:00.000+0000, 2026-07-01 09:00, 7/1/2026 9:00 AM)",
        "amount": f"impossible amount '{shown}' in {name}: expected a number of 0 or more",
        "bool": f"'{shown}' in {name} is not true or false",
    }[ftype]
    if count > 1:
        what += f" (and {count - 1} more row{'' if count == 2 else 's'} like it)"
    line = record_line(source.path, source.delimiter, rn)
    return Problem(str(source.path), line, source.columns[name] + 1, what)


def record_line(path: Path, delimiter: str, record: int) -> int:
    """The line where data record `record` (0-based, after the header) starts: counted with
    the CSV reader, so a quoted value with a line break in it is counted right."""
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        next(reader, None)
        start = reader.line_num + 1
        for i, _ in enumerate(reader):
            if i == record:
                return start
            start = reader.line_num + 1
    return start


def fingerprint(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# The metrics


@dataclass
class Settings:
    zone: str
    sla_hours: float
    business: tuple[int, int, tuple[str, ...]] | None  # start s, end s, days


def _source_class(mapping: LoadedMapping, s: str = "source") -> str:
    """SQL classing the source column `s` as marketing, sales or unclassified (NULL if empty):
    the mapping's own lists first, then the default words (docs/evidence.md)."""
    m = mapping.mapping

    def listed(values: list[str]) -> str:
        return "(" + ", ".join(f"'{_sql_text(v.strip().lower())}'" for v in values) + ")"

    cases = [f"CASE WHEN {s} IS NULL THEN NULL"]
    if m.marketing_sources:
        cases.append(f"WHEN lower(trim({s})) IN {listed(m.marketing_sources)} THEN 'marketing'")
    if m.sales_sources:
        cases.append(f"WHEN lower(trim({s})) IN {listed(m.sales_sources)} THEN 'sales'")
    if m.default_sources:
        norm = f"lower(regexp_replace({s}, '[^A-Za-z0-9]+', ' ', 'g'))"
        cases.append(f"WHEN regexp_matches({norm}, '{SALES_WORDS}') THEN 'sales'")
        cases.append(f"WHEN regexp_matches({norm}, '{MARKETING_WORDS}') THEN 'marketing'")
    cases.append("ELSE 'unclassified' END")
    return " ".join(cases)


def _business_seconds(ts: str, settings: Settings) -> str:
    """Business seconds from a fixed Monday (2000-01-03) to `ts`, in local time: whole weeks,
    the business days before `ts` in its week, and the open part of its own day. Two of these
    subtracted give the business time between two instants (public holidays not known)."""
    assert settings.business is not None
    start, end, days = settings.business
    length = end - start
    open_days = [d in days for d in DAYS]
    before = [sum(open_days[:i]) for i in range(7)]
    local = f"timezone('{_sql_text(settings.zone)}', {ts})"
    d = f"date_diff('day', DATE '2000-01-03', CAST({local} AS DATE))"
    wd = f"(({d}) % 7 + 7) % 7"
    sec = f"(epoch({local}) - epoch(date_trunc('day', {local})))"
    is_open = "[" + ", ".join("true" if o else "false" for o in open_days) + "]"
    cum = "[" + ", ".join(str(b) for b in before) + "]"
    return (
        f"(floor(({d}) / 7) * {sum(open_days) * length} + {cum}[{wd} + 1] * {length} + "
        f"CASE WHEN {is_open}[{wd} + 1] THEN least(greatest({sec} - {start}, 0), {length}) "
        "ELSE 0 END)"
    )


def _rows(con: Any, sql: str) -> dict[str, Any]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    row = cur.fetchone()
    return dict(zip(names, row, strict=True))


def _r(x: float | None, digits: int = 6) -> float | None:
    return None if x is None else round(float(x), digits)


def compute(
    con: Any, sources: list[Source], mapping: LoadedMapping
) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    """(metrics, unmeasured {id: what it needs}, period) from the loaded tables."""
    m = mapping.mapping
    bh = m.business_hours
    settings = Settings(
        m.timezone,
        m.sla_hours,
        None if bh is None else (*bh.seconds(), tuple(bh.days)),
    )
    by_role: dict[str, list[Source]] = {}
    for s in sources:
        by_role.setdefault(s.kind.role, []).append(s)
    metrics: dict[str, Any] = {}
    unmeasured: dict[str, str] = {}
    period: dict[str, Any] = {}
    src = _source_class(mapping)
    leads = by_role.get("leads", [])
    acts = by_role.get("activities", [])
    opps = by_role.get("opportunities", [])
    if leads:
        _lead_metrics(con, leads, acts, settings, src, metrics, unmeasured, period)
    else:
        for mid in METRICS:
            if mid not in _OPP_METRICS:
                unmeasured[mid] = "needs a lead export (Salesforce Lead or HubSpot contacts)"
    if opps:
        _opp_metrics(con, opps, src, settings.zone, metrics, unmeasured, period)
    else:
        for mid in _OPP_METRICS:
            unmeasured[mid] = (
                "needs an opportunity export (Salesforce Opportunity or HubSpot deals)"
            )
    return metrics, unmeasured, period


_OPP_METRICS = (
    "win_rate",
    "marketing_sourced_pipeline_share",
    "opportunities_without_amount_share",
)


_SQL_TYPES = {"text": "VARCHAR", "time": "TIMESTAMPTZ", "bool": "BOOLEAN", "amount": "DOUBLE"}


def _col(source: Source, *names: str) -> str:
    """The first of `names` the source has, as SQL; a NULL of the field's type when it has
    none (an untyped NULL would be an INTEGER to DuckDB 1.4)."""
    for n in names:
        if n in source.columns:
            return _ident(n)
    kind = next((f.type for f in source.kind.fields if f.name == names[0]), "text")
    return f"CAST(NULL AS {_SQL_TYPES[kind]})"


def _has(sources: list[Source], *names: str) -> bool:
    return all(any(n in s.columns for n in names) for s in sources)


def _lead_metrics(
    con: Any,
    leads: list[Source],
    acts: list[Source],
    settings: Settings,
    src: str,
    metrics: dict[str, Any],
    unmeasured: dict[str, str],
    period: dict[str, Any],
) -> None:
    parts = []
    for s in leads:
        if s.kind.id == "salesforce-lead":
            opp = (
                f"({_ident('ConvertedOpportunityId')} IS NOT NULL)"
                if "ConvertedOpportunityId" in s.columns
                else f"coalesce({_col(s, 'IsConverted')}, false)"
            )
            parts.append(
                f"SELECT {_col(s, 'Id')} AS id, CreatedDate AS created, "
                f"{_col(s, 'LeadSource')} AS source, {opp} AS opp, "
                f"CASE WHEN {opp} THEN {_col(s, 'ConvertedDate')} END AS opp_at, "
                "CAST(NULL AS TIMESTAMPTZ) AS touch, CreatedDate AS d_lead, "
                "CAST(NULL AS TIMESTAMPTZ) AS d_mql, CAST(NULL AS TIMESTAMPTZ) AS d_sql "
                f"FROM {s.table}"
            )
        else:
            stage = f"stage_of({_col(s, 'lifecyclestage')})"
            od = _col(s, "hs_lifecyclestage_opportunity_date")
            cd = _col(s, "hs_lifecyclestage_customer_date")
            opp = (
                f"({od} IS NOT NULL OR {cd} IS NOT NULL OR "
                f"coalesce({stage} IN ('opportunity', 'customer', 'evangelist'), false))"
            )
            touch = (
                f"least({_col(s, 'hs_first_outreach_date')}, "
                f"{_col(s, 'hs_sa_first_engagement_date')})"
            )
            parts.append(
                f"SELECT CAST(NULL AS VARCHAR) AS id, createdate AS created, "
                f"{_col(s, 'hs_analytics_source')} AS source, {opp} AS opp, "
                f"coalesce({od}, {cd}) AS opp_at, {touch} AS touch, "
                f"coalesce({_col(s, 'hs_lifecyclestage_lead_date')}, createdate) AS d_lead, "
                f"{_col(s, 'hs_lifecyclestage_marketingqualifiedlead_date')} AS d_mql, "
                f"{_col(s, 'hs_lifecyclestage_salesqualifiedlead_date')} AS d_sql "
                f"FROM {s.table}"
            )
    con.execute("CREATE TABLE leads AS " + " UNION ALL ".join(parts))
    sf = [s for s in leads if s.kind.id == "salesforce-lead"]
    hs = [s for s in leads if s.kind.id == "hubspot-contact"]
    touch_known = (not sf or (acts and _has(sf, "Id"))) and (
        not hs or _has(hs, "hs_first_outreach_date", "hs_sa_first_engagement_date")
    )
    if acts:
        union = " UNION ALL ".join(f"SELECT WhoId, CreatedDate FROM {a.table}" for a in acts)
        con.execute(
            f"CREATE TABLE first_touch AS SELECT WhoId AS id, min(CreatedDate) AS touch "
            f"FROM ({union}) WHERE WhoId IS NOT NULL GROUP BY WhoId"
        )
        touch = "coalesce(l.touch, f.touch)"
        join = "LEFT JOIN first_touch f ON l.id = f.id"
    else:
        touch, join = "l.touch", ""
    bh_expr = "NULL"
    if settings.business is not None:
        bh_expr = (
            f"({_business_seconds('t.touch', settings)} - "
            f"{_business_seconds('t.created', settings)}) / 3600.0"
        )
    con.execute(
        f"CREATE TABLE lt AS SELECT l.created, l.source, l.opp, l.opp_at, l.d_lead, l.d_mql, "
        f"l.d_sql, {touch} AS touch FROM leads l {join}"
    )
    sla = float(settings.sla_hours)
    row = _rows(
        con,
        f"""WITH t AS (
              SELECT *, CASE WHEN touch IS NOT NULL
                       THEN greatest(epoch(touch - created) / 3600.0, 0) END AS dh,
                     {src} AS cls
              FROM lt),
            b AS (SELECT *, CASE WHEN touch IS NOT NULL THEN greatest({bh_expr}, 0) END AS bh
                  FROM t)
            SELECT count(*) AS n, count(touch) AS contacted,
              quantile_cont(dh, 0.5) AS median, quantile_cont(dh, 0.9) AS p90,
              quantile_cont(bh, 0.5) AS bmedian, quantile_cont(bh, 0.9) AS bp90,
              count(*) FILTER (WHERE dh <= 1) AS within1, count(*) FILTER (WHERE dh <= {sla})
                AS within_sla,
              count(*) FILTER (WHERE opp) AS opps,
              count(*) FILTER (WHERE source IS NULL) AS no_source,
              {period_sql("created", settings.zone)},
              count(*) FILTER (WHERE d_mql IS NOT NULL) AS mqls,
              count(*) FILTER (WHERE d_mql IS NOT NULL AND d_sql IS NOT NULL AND d_sql >= d_mql)
                AS mql_sql,
              quantile_cont(epoch(d_mql - d_lead) / 86400.0, 0.5)
                FILTER (WHERE d_mql >= d_lead) AS days_lead_mql,
              count(*) FILTER (WHERE d_mql >= d_lead) AS n_lead_mql,
              quantile_cont(epoch(d_sql - d_mql) / 86400.0, 0.5)
                FILTER (WHERE d_sql >= d_mql) AS days_mql_sql,
              count(*) FILTER (WHERE d_sql >= d_mql) AS n_mql_sql,
              quantile_cont(epoch(opp_at - d_sql) / 86400.0, 0.5)
                FILTER (WHERE opp_at >= d_sql) AS days_sql_opp,
              count(*) FILTER (WHERE opp_at >= d_sql) AS n_sql_opp,
              quantile_cont(epoch(opp_at - created) / 86400.0, 0.5)
                FILTER (WHERE opp AND opp_at >= created) AS days_lead_opp,
              count(*) FILTER (WHERE opp AND opp_at >= created) AS n_lead_opp
            FROM b""",
    )
    n = row["n"]
    zone = settings.zone
    lead_period = _period(row["t_first"], row["t_last"])
    period["leads"] = lead_period

    def put(mid: str, value: float | None, count: int, **extra: Any) -> None:
        if value is None or count == 0:
            unmeasured[mid] = "no rows to measure it on"
            return
        metrics[mid] = {
            "value": _r(value),
            "n": int(count),
            "unit": METRICS[mid].unit,
            "definition": METRICS[mid].definition,
            "period": lead_period,
            **extra,
        }

    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    if touch_known:
        extra: dict[str, Any] = {"p90": _r(row["p90"])}
        if settings.business is not None and row["contacted"]:
            start, end, days = settings.business
            extra["business_hours"] = {
                "median": _r(row["bmedian"]),
                "p90": _r(row["bp90"]),
                "hours": f"{start // 3600:02d}:{start % 3600 // 60:02d}-"
                f"{end // 3600:02d}:{end % 3600 // 60:02d}",
                "days": list(days),
                "timezone": zone,
            }
        put("speed_to_lead_hours", row["median"], row["contacted"], **extra)
        put("contacted_within_1h_share", share(row["within1"], n), n)
        put("contacted_within_sla_share", share(row["within_sla"], n), n, sla_hours=sla)
        put("never_contacted_share", share(n - row["contacted"], n), n)
    else:
        need = (
            "needs a Salesforce Task export (the activity log) with the Lead export"
            if sf
            else "needs a first outreach or first engagement date in the contacts export"
        )
        for mid in (
            "speed_to_lead_hours",
            "contacted_within_1h_share",
            "contacted_within_sla_share",
            "never_contacted_share",
        ):
            unmeasured[mid] = need
    if _has(sf, "IsConverted", "ConvertedOpportunityId") and _has(
        hs,
        "lifecyclestage",
        "hs_lifecyclestage_opportunity_date",
        "hs_lifecyclestage_customer_date",
    ):
        put("lead_to_opportunity_share", share(row["opps"], n), n)
    else:
        unmeasured["lead_to_opportunity_share"] = (
            "needs IsConverted or ConvertedOpportunityId (Salesforce) or lifecyclestage (HubSpot)"
        )
    if _has(sf, "LeadSource") and _has(hs, "hs_analytics_source"):
        put("leads_without_source_share", share(row["no_source"], n), n)
    else:
        unmeasured["leads_without_source_share"] = "needs LeadSource or hs_analytics_source"
    stage_dates = not sf and _has(hs, "hs_lifecyclestage_marketingqualifiedlead_date")
    if stage_dates and _has(hs, "hs_lifecyclestage_salesqualifiedlead_date"):
        put("mql_to_sql_share", share(row["mql_sql"], row["mqls"]), row["mqls"])
        put("days_mql_to_sql", row["days_mql_sql"], row["n_mql_sql"])
    else:
        for mid in ("mql_to_sql_share", "days_mql_to_sql"):
            unmeasured[mid] = "needs HubSpot's MQL and SQL dates (hs_lifecyclestage_*_date)"
    if stage_dates:
        put("days_lead_to_mql", row["days_lead_mql"], row["n_lead_mql"])
    else:
        unmeasured["days_lead_to_mql"] = "needs HubSpot's lead and MQL dates"
    if (
        not sf
        and _has(hs, "hs_lifecyclestage_salesqualifiedlead_date")
        and _has(hs, "hs_lifecyclestage_opportunity_date", "hs_lifecyclestage_customer_date")
    ):
        put("days_sql_to_opportunity", row["days_sql_opp"], row["n_sql_opp"])
    else:
        unmeasured["days_sql_to_opportunity"] = "needs HubSpot's SQL and opportunity dates"
    if _has(sf, "ConvertedDate") and _has(
        hs, "hs_lifecyclestage_opportunity_date", "hs_lifecyclestage_customer_date"
    ):
        put("days_lead_to_opportunity", row["days_lead_opp"], row["n_lead_opp"])
    else:
        unmeasured["days_lead_to_opportunity"] = (
            "needs ConvertedDate (Salesforce) or the opportunity date (HubSpot)"
        )


def period_sql(column: str, zone: str) -> str:
    """SQL for the first and last local date of `column` as text (t_first, t_last): computed in
    DuckDB, so no time with a zone is ever handed to Python (DuckDB before 2.0.1 needs pytz
    for that)."""
    z = _sql_text(zone)
    return (
        f"strftime(timezone('{z}', min({column})), '%Y-%m-%d') AS t_first, "
        f"strftime(timezone('{z}', max({column})), '%Y-%m-%d') AS t_last"
    )


def _period(first: str | None, last: str | None) -> dict[str, str | None]:
    return {"from": first, "to": last}


def _opp_metrics(
    con: Any,
    opps: list[Source],
    src: str,
    zone: str,
    metrics: dict[str, Any],
    unmeasured: dict[str, str],
    period: dict[str, Any],
) -> None:
    parts = []
    for s in opps:
        if s.kind.id == "salesforce-opportunity":
            stage = "stage_of(StageName)"
            closed = f"coalesce({_col(s, 'IsClosed')}, {stage} LIKE 'closed%')"
            won = f"coalesce({_col(s, 'IsWon')}, {stage} = 'closedwon')"
            parts.append(
                f"SELECT {_col(s, 'Amount')} AS amount, {closed} AS closed, {won} AS won, "
                f"{_col(s, 'LeadSource')} AS source, "
                f"coalesce({_col(s, 'CreatedDate')}, {_col(s, 'CloseDate')}) AS opened "
                f"FROM {s.table}"
            )
        else:
            stage = "stage_of(dealstage)"
            won = f"coalesce({_col(s, 'hs_is_closed_won')}, {stage} = 'closedwon')"
            parts.append(
                f"SELECT {_col(s, 'amount')} AS amount, "
                f"({stage} IN ('closedwon', 'closedlost') OR {won}) AS closed, {won} AS won, "
                f"{_col(s, 'hs_analytics_source')} AS source, "
                f"coalesce({_col(s, 'createdate')}, {_col(s, 'closedate')}) AS opened "
                f"FROM {s.table}"
            )
    con.execute("CREATE TABLE opps AS " + " UNION ALL ".join(parts))
    row = _rows(
        con,
        f"""WITH o AS (SELECT *, {src} AS cls FROM opps)
            SELECT count(*) AS n, count(*) FILTER (WHERE closed) AS closed,
              count(*) FILTER (WHERE closed AND won) AS won,
              count(*) FILTER (WHERE amount IS NULL) AS no_amount,
              count(*) FILTER (WHERE NOT closed AND amount IS NOT NULL) AS open_n,
              sum(amount) FILTER (WHERE NOT closed) AS open_amount,
              sum(amount) FILTER (WHERE NOT closed AND cls = 'marketing') AS mkt_amount,
              {period_sql("opened", zone)}
            FROM o""",
    )
    by = con.execute(
        f"""WITH o AS (SELECT *, coalesce({src}, 'unclassified') AS cls
                       FROM opps)
            SELECT cls, count(*) FILTER (WHERE closed), count(*) FILTER (WHERE closed AND won)
            FROM o GROUP BY cls ORDER BY cls"""
    ).fetchall()
    zone_period = _period(row["t_first"], row["t_last"])
    period["opportunities"] = zone_period

    def put(mid: str, value: float | None, count: int, **extra: Any) -> None:
        if value is None or not count:
            unmeasured[mid] = "no rows to measure it on"
            return
        metrics[mid] = {
            "value": _r(value),
            "n": int(count),
            "unit": METRICS[mid].unit,
            "definition": METRICS[mid].definition,
            "period": zone_period,
            **extra,
        }

    by_source = {
        cls: {"value": _r(won / closed), "n": int(closed)} for cls, closed, won in by if closed
    }
    put(
        "win_rate",
        row["won"] / row["closed"] if row["closed"] else None,
        row["closed"],
        by_source=by_source,
    )
    has_amount = _has(opps, "Amount", "amount")
    has_source = _has(opps, "LeadSource", "hs_analytics_source")
    if has_amount and has_source:
        total = row["open_amount"] or 0
        put(
            "marketing_sourced_pipeline_share",
            (row["mkt_amount"] or 0) / total if total else None,
            row["open_n"],
        )
    else:
        unmeasured["marketing_sourced_pipeline_share"] = "needs Amount and LeadSource"
    if has_amount:
        put("opportunities_without_amount_share", row["no_amount"] / row["n"], row["n"])
    else:
        unmeasured["opportunities_without_amount_share"] = "needs Amount"
