"""Rollups: small tables derived from the facts at publish time, so a metric
over a month or a year reads thousands of rows instead of millions.

Built by `store.building()` after the writer has finished and before the file
is checkpointed and published, so every published file has them, whoever wrote
it (demo, loader, a test's builder, `python -m dashboard rollups`), and they
always match the facts they come from. Each rollup is one named model with its
grain (`model.Rollup`), in the module of its area; each declares its `Gate`,
from which the scope gate (`scope.py`) shadows it with a CTE of the same name
and the same store and guide predicates as its facts, so metric SQL reads it
like any table.

Modules, in build order (a later one may read an earlier one's tables):
sales (daily sums, buyer days), sharing, community, live, channels.

A load publishes incrementally (`refresh`): it records the rows it changes
(`record_change`, old and new versions), and each rollup is then left alone
when nothing it reads changed, refreshed for the changed values when it
declares how (`Rollup.refresh`, e.g. the days of the changed orders), and
rebuilt whole otherwise (a dimension change, a global numbering); a rebuilt
rollup that comes out the same does not count as changed for those after it.
"""
from __future__ import annotations

import hashlib
import itertools
import math
import os
import re
import time
from datetime import timedelta

from .. import schema
from ..period import next_month_start
from . import channels, community, live, sales, sharing
from .model import SLICE_MARKER, Gate, Refresh, Rollup
from .sales import APPENDED, EXACT, FAST, NEVER, REGION, REGION_PREV, SPLIT, buyers_mode, prev_column

ROLLUPS: tuple[Rollup, ...] = (sales.ROLLUPS + sharing.ROLLUPS + community.ROLLUPS + live.ROLLUPS
                               + channels.ROLLUPS)
NAMES = tuple(r.name for r in ROLLUPS)
BY_NAME = {r.name: r for r in ROLLUPS}
if len(BY_NAME) != len(ROLLUPS):
    raise ValueError("two rollups share a name")

__all__ = ["EXACT", "FAST", "NEVER", "REGION", "REGION_PREV", "SPLIT", "Gate", "Refresh", "Rollup", "ROLLUPS", "NAMES",
           "BY_NAME", "buyers_mode", "prev_column", "build", "record_change", "refresh", "reads"]


# Slices of a rollup with `slice_by` (its windows over every member at once
# would need memory growing with the facts; a slice's, an eighth of it).
SLICES = int(os.environ.get("DASHBOARD_ROLLUP_SLICES") or 8)
# ...and more above 32M orders: a slice covers at most this many orders
# (25 slices at 100M), as a slice of 8 does at scale 10-30.
SLICE_ORDERS = int(os.environ.get("DASHBOARD_ROLLUP_SLICE_ORDERS") or 4_000_000)


def slice_count(con) -> int:
    if SLICES <= 1:
        return SLICES
    orders = con.execute("SELECT count(*) FROM orders").fetchone()[0]
    return max(SLICES, math.ceil(orders / SLICE_ORDERS))


def _create(con, r: Rollup, name: str) -> None:
    """Create table `name` holding rollup `r` computed from the facts (sliced if declared)."""
    slices = slice_count(con) if r.slice_by is not None else 1
    if slices <= 1:
        sql = r.sql.replace(SLICE_MARKER, "")
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM ({sql}) t ORDER BY {r.order_by}")
        return
    part = f"_rollup_slice_{r.name}"
    con.execute(f"DROP TABLE IF EXISTS {part}")
    for k in range(slices):
        sql = r.sql.replace(SLICE_MARKER, f"AND hash({r.slice_by}) % {slices} = {k}")
        if k == 0:
            con.execute(f"CREATE TEMP TABLE {part} AS SELECT * FROM ({sql}) t")
        else:
            con.execute(f"INSERT INTO {part} SELECT * FROM ({sql}) t")
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM {part} ORDER BY {r.order_by}")
    con.execute(f"DROP TABLE {part}")


def fingerprint(r: Rollup) -> str:
    """Changes whenever the rollup's definition does: a file whose rollup was
    built by other code gets it rebuilt whole, never refreshed."""
    return hashlib.sha1("\x00".join((r.sql, r.order_by, r.slice_by or "")).encode()).hexdigest()[:16]


def _stamp(con, r: Rollup) -> None:
    con.execute("INSERT OR REPLACE INTO _meta VALUES (?, ?)", [f"rollup:{r.name}", fingerprint(r)])


def build(con, log: list | None = None) -> None:
    """(Re)build every rollup in the file being written, in dependency order;
    `log`, if given, gets (name, "whole", seconds) per rollup."""
    for r in ROLLUPS:
        started = time.monotonic()
        con.execute(f"DROP TABLE IF EXISTS {r.name}")
        _create(con, r, r.name)
        _stamp(con, r)
        if log is not None:
            log.append((r.name, "whole", round(time.monotonic() - started, 2)))


# -- incremental publish -------------------------------------------------------

_TABLE_REF = re.compile(r"\b(?:FROM|JOIN)\s+([a-z_][a-z0-9_]*)", re.IGNORECASE)


def reads(r: Rollup) -> frozenset[str]:
    """The contract tables and earlier rollups rollup `r`'s SQL reads (FROM / JOIN)."""
    known = set(schema.TABLES) | set(NAMES[:NAMES.index(r.name)])
    return frozenset(n.lower() for n in _TABLE_REF.findall(r.sql)) & known


READS = {r.name: reads(r) for r in ROLLUPS}
# Rollups some later rollup reads: when rebuilt whole, compared with what they were.
_READ_BY_LATER = frozenset(n for names in READS.values() for n in names if n in BY_NAME)
# Rollups a later custom refresh reads: it may need every row of each changed
# value (channel_daily sums a fan's rows before and after), so those keep them
# all; for the others the rows that differ are enough, since an ordinary
# refresh recomputes the values they carry from the table itself (buyer_days'
# refresh recomputes every row of a changed member: most come out the same).
_READ_BY_CUSTOM = frozenset(n for _r in ROLLUPS if _r.refresh is not None and _r.refresh.custom is not None
                            for n in READS[_r.name] if n in BY_NAME)
# (table, expr) pairs more than one refresh narrows by: their rows read once a publish.
_USES = [src for _r in ROLLUPS if _r.refresh is not None for src in _r.refresh.sources]
_SHARED = frozenset(src for src in _USES if _USES.count(src) > 1)
# The columns of a shared contract-table source any of its rollups names (a
# word of its SQL): only those are read and kept (half the orders' columns).
_SHARED_COLUMNS = {
    (t, e): [c for c in schema.COLUMNS[t]
             if any(re.search(rf"\b{c}\b", _r.sql) for _r in ROLLUPS
                    if _r.refresh is not None and (t, e) in _r.refresh.sources)]
    for t, e in _SHARED if t in schema.COLUMNS}
for _r in ROLLUPS:
    if _r.refresh is not None:
        for _t, _ in _r.refresh.sources:
            if _t not in READS[_r.name]:
                raise ValueError(f"{_r.name}: refresh source {_t} is not a table its SQL reads")


def _changed(name: str) -> str:
    return f"_changed_{name}"


def record_change(con, table: str, stage: str) -> None:
    """Before `stage`'s rows are upserted into `table`: keep the rows they replace
    and the rows themselves in the temporary `_changed_<table>` (same columns),
    so the publish refreshes only what they can change. Call it for every write
    of a build published with `store.building(..., incremental=True)`."""
    cols = ", ".join(schema.COLUMNS[table])
    name = _changed(table)
    con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} AS SELECT {cols} FROM main.{table} LIMIT 0")
    same = " AND ".join(f"t.{k} IS NOT DISTINCT FROM s.{k}" for k in schema.NATURAL_KEYS[table])
    t_cols = ", ".join(f"t.{c}" for c in schema.COLUMNS[table])
    con.execute(f"INSERT INTO {name} SELECT {t_cols} FROM main.{table} t "
                f"WHERE EXISTS (SELECT 1 FROM {stage} s WHERE {same})")
    con.execute(f"INSERT INTO {name} SELECT {cols} FROM {stage}")


def _temp_tables(con) -> set[str]:
    return {row[0] for row in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()}


def _has_rows(con, table: str) -> bool:
    return con.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]


def _same(con, a: str, b: str) -> bool:
    na, nb = (con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in (a, b))
    return na == nb and not _has_rows(con, f"(SELECT * FROM {a} EXCEPT ALL SELECT * FROM {b})")


_SOURCE_NAMES = itertools.count()
_DAY_OF = re.compile(r"^CAST\((\w+) AS DATE\)$", re.IGNORECASE)
_MONTH_OF = re.compile(r"^CAST\(date_trunc\('month', (\w+)\) AS DATE\)$", re.IGNORECASE)


def _values_predicate(con, expr: str) -> str:
    """`expr` among _refresh_values; for a day of a timestamp or a month of a
    day, also as ranges of that column inside their span, so DuckDB skips the
    row groups (zone maps) outside the changed days or months instead of
    reading the whole table (the span spelled out: an OR of ranges alone
    prunes nothing)."""
    where = f"({expr}) IN (SELECT v FROM _refresh_values)"
    day, month = _DAY_OF.match(expr), _MONTH_OF.match(expr)
    if day or month:
        values = [v for v, in con.execute("SELECT v FROM _refresh_values ORDER BY v LIMIT 401").fetchall()]
        if len(values) <= 400:
            col = (day or month).group(1)
            kind = "TIMESTAMP" if day else "DATE"  # literals of the column's own type: zone maps compare them
            after = (lambda v: v + timedelta(days=1)) if day else next_month_start
            ranges = " OR ".join(f"({col} >= {kind} '{v.isoformat()}' AND {col} < {kind} '{after(v).isoformat()}')"
                                 for v in values)
            span = f"{col} >= {kind} '{values[0].isoformat()}' AND {col} < {kind} '{after(values[-1]).isoformat()}'"
            where = f"{span} AND ({ranges}) AND {where}"
    return where


def _source_rows(con, table: str, expr: str, cache: dict) -> str:
    """What to read for `table`'s rows whose `expr` is among _refresh_values: a
    filtered scan (only the columns the query needs are read), or, for a
    (table, expr) several rollups refresh by (the days of the changed orders
    feed a dozen), a temporary table of them made once per set of values."""
    if (table, expr) not in _SHARED:
        return f"(SELECT * FROM main.{table} WHERE {_values_predicate(con, expr)})"
    n, digest = con.execute("SELECT count(*), sum(hash(v)) FROM _refresh_values").fetchone()
    key = (table, expr, n, digest)
    if key not in cache:
        name = f"_refresh_src_{next(_SOURCE_NAMES)}"
        cols = ", ".join(_SHARED_COLUMNS.get((table, expr)) or ["*"])
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {cols} FROM main.{table} "
                    f"WHERE {_values_predicate(con, expr)}")
        cache[key] = name
    return cache[key]


def _restricted(con, sql: str, sources: list[tuple[str, str]], cache: dict) -> str:
    """`sql` with each source table shadowed by a CTE of its rows of the changed values."""
    ctes = ",\n".join(f"{t} AS (SELECT * FROM {_source_rows(con, t, expr, cache)} s)" for t, expr in sources)
    m = re.match(r"^\s*WITH\s+", sql, re.IGNORECASE)
    return f"WITH {ctes},\n{sql[m.end():]}" if m else f"WITH {ctes}\n{sql}"


def _rebuild(con, r: Rollup, exists: bool) -> str:
    """Rebuild `r` whole; "unchanged" when a later rollup reads it and it came out the same."""
    if not exists:
        _create(con, r, r.name)
        return "whole"
    new = f"_rebuilt_{r.name}"
    con.execute(f"DROP TABLE IF EXISTS {new}")
    _create(con, r, new)
    if r.name in _READ_BY_LATER and _same(con, new, r.name):
        con.execute(f"DROP TABLE {new}")
        return "unchanged"
    con.execute(f"DROP TABLE {r.name}")
    con.execute(f"ALTER TABLE {new} RENAME TO {r.name}")
    return "whole"


def _refresh_rows(con, r: Rollup, changed_sources: list[str], cache: dict) -> str:
    """Delete and recompute `r`'s rows of the values the changed sources' rows carry."""
    spec = r.refresh
    exprs = dict(spec.sources)
    union = " UNION ".join(f"SELECT {exprs[t]} AS v FROM {_changed(t)}" for t in changed_sources)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _refresh_values AS SELECT DISTINCT v FROM ({union}) u "
                f"WHERE v IS NOT NULL")
    if not _has_rows(con, "_refresh_values"):
        return "unchanged"
    if spec.custom is not None:
        result = spec.custom(con, lambda table, expr: _source_rows(con, table, expr, cache))
        if result is not None:
            return result  # None: this change is not the custom one's case; refreshed the ordinary way
    rows = spec.rows.format(values="(SELECT v FROM _refresh_values)")
    sql = _restricted(con, r.sql.replace(SLICE_MARKER, ""), list(spec.sources), cache)
    keep = r.name in _READ_BY_LATER
    if keep:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _refresh_old AS SELECT * FROM main.{r.name} WHERE {rows}")
    con.execute(f"DELETE FROM main.{r.name} WHERE {rows}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _refresh_new AS SELECT * FROM ({sql}) t WHERE {rows}")
    con.execute(f"INSERT INTO main.{r.name} SELECT * FROM _refresh_new ORDER BY {r.order_by}")
    if keep:  # the rows it loses (_old) and gains: what a later rollup refreshes by
        lost, gained = "_refresh_old", "_refresh_new"
        if r.name not in _READ_BY_CUSTOM:
            lost = "(SELECT * FROM _refresh_old EXCEPT ALL SELECT * FROM _refresh_new)"
            gained = "(SELECT * FROM _refresh_new EXCEPT ALL SELECT * FROM _refresh_old)"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_changed(r.name)} AS SELECT *, TRUE AS _old FROM {lost} o")
        con.execute(f"INSERT INTO {_changed(r.name)} SELECT *, FALSE AS _old FROM {gained} g")
        con.execute("DROP TABLE _refresh_old")
    con.execute("DROP TABLE _refresh_new")
    return "rows"


def refresh(con, log: list | None = None) -> dict[str, str]:
    """Bring every rollup up to date after writes recorded by `record_change`:
    name -> "unchanged", "rows" (refreshed for the changed values), "appended"
    (only a new day's rows computed and added: a custom refresh's fast path)
    or "whole" (rebuilt). `log`, if given, gets (name, outcome, seconds) per rollup touched."""
    temps = _temp_tables(con)
    # table -> "rows" (its changed rows are in _changed_<table>) or "whole"
    changed: dict[str, str] = {t: "rows" for t in schema.TABLES
                               if _changed(t) in temps and _has_rows(con, _changed(t))}
    existing = {row[0] for row in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND schema_name = 'main'").fetchall()}
    stamps = dict(con.execute("SELECT key, value FROM _meta WHERE key LIKE 'rollup:%'").fetchall())
    outcome: dict[str, str] = {}
    cache: dict = {}  # restricted source rows, per (table, expr, values)
    for r in ROLLUPS:
        started = time.monotonic()
        exists = r.name in existing
        if not exists or stamps.get(f"rollup:{r.name}") != fingerprint(r):
            result = _rebuild(con, r, exists)  # built by other code (or missing): never refreshed
        else:
            hit = {t: changed[t] for t in READS[r.name] if t in changed}
            if not hit:
                outcome[r.name] = "unchanged"
                continue
            sources = [t for t, _ in r.refresh.sources] if r.refresh else []
            if any(how != "rows" or t not in sources for t, how in hit.items()):
                result = _rebuild(con, r, exists=True)
            else:
                result = _refresh_rows(con, r, [t for t in sources if t in hit], cache)
                if result == "whole":  # the custom refresh could not
                    result = _rebuild(con, r, exists=True)
        if stamps.get(f"rollup:{r.name}") != fingerprint(r):
            _stamp(con, r)
        for key in [k for k in cache if k[0] == r.name]:  # its rows changed: never reuse them
            con.execute(f"DROP TABLE IF EXISTS temp.main.{cache.pop(key)}")
        outcome[r.name] = result
        if result != "unchanged":
            changed[r.name] = "rows" if result == APPENDED else result
        if log is not None:
            log.append((r.name, result, round(time.monotonic() - started, 2)))
    for t in _temp_tables(con):
        if t.startswith(("_changed_", "_refresh_")):
            con.execute(f"DROP TABLE IF EXISTS temp.main.{t}")
    return outcome
