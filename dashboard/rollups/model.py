"""What a rollup is: one named model with its grain, its SQL, its sort order
and its gate (how the scope narrows it, declared beside it)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Gate:
    """How the scope gate (dashboard/scope.py) narrows a rollup: by the same
    predicates as the facts it comes from, so a rollup never shows a row its
    facts would hide.

    - `store`: the column holding a store_id; a row is kept when its store is in
      view (`store_nullable`: a NULL store belongs to the whole group, kept only
      when nothing narrows the stores).
    - `guide`: the column holding a guide_id, narrowed by the guide filter.
    - `parent`: (column, table, table_column): kept when `column` is among the
      scoped `table`'s `table_column` (e.g. group_id of in-view groups); the
      parent carries the store and guide narrowing.
    - `when_guides_filtered`: the CTE body used instead under a guide filter,
      for a rollup that no longer knows the guide (re-derived from one that does).
    - `store_free`: no store column (keyed by guide only): only `guide` narrows.
    - `known_stores`: built from the orders of stores the stores table knows
      only, so with nothing narrowing the stores every row is in view and the
      check against `stores` is left out (a semi-join fewer to plan and run
      per reference: HQ's 30-day guide board reads three windows of three
      tiers). Declare it only for a rollup whose SQL guarantees it.
    """
    store: str | None = None
    store_nullable: bool = False
    guide: str | None = None
    parent: tuple[str, str, str] | None = None
    when_guides_filtered: str | None = None
    store_free: bool = False
    known_stores: bool = False

    def __post_init__(self):
        if not (self.store or self.parent or self.store_free):
            raise ValueError("a rollup's gate needs a store column, a parent or store_free=True")
        if not (self.guide or self.parent or self.when_guides_filtered):
            raise ValueError("a rollup's gate must say how a guide filter narrows it")


@dataclass(frozen=True)
class Rollup:
    name: str
    grain: str
    sql: str  # a SELECT over the contract tables and earlier rollups (main schema of the file being built)
    order_by: str  # sorted by day first where it has one, so date filters skip row groups (zone maps)
    gate: Gate
    # Optional: built slice by slice, in bounded memory. The SQL holds the marker
    # SLICE_MARKER where a predicate on its source rows goes ("AND <that>"); rows
    # whose `slice_by` expression hashes to different slices never meet in one
    # group or window partition (buyer_days: every window partitions by member).
    slice_by: str | None = None
    # Optional: how a publish refreshes it for the rows a load changed (see
    # Refresh); without one, a change to anything it reads rebuilds it whole.
    refresh: "Refresh | None" = None


SLICE_MARKER = "/*slice*/"


@dataclass(frozen=True)
class Refresh:
    """How a publish refreshes a rollup after a load changed some rows of what
    it reads, instead of rebuilding it (dashboard/rollups/__init__.py `refresh`).

    The rollup's rows are partitioned by a value (a day, a member, a live...):
    `rows` is the predicate over the rollup's own rows that selects the rows of
    the changed values, `{values}` standing for them (a one-column subquery).
    `sources` lists, for each table the value comes from, the SQL expression
    over that table's rows giving it. The values changed are those of every
    changed row (old and new versions) of the sources; the rows of those values
    are deleted and recomputed by the rollup's own SQL with each source narrowed
    to the rows of those values (and the result to `rows`).

    That is exact only when a row of the rollup depends on no source row of
    another value: declare it only then. Any other table the SQL reads
    (a dimension, a lookup, an earlier rollup not listed) that changed, or a
    source rebuilt whole, rebuilds the rollup whole.

    `custom`, instead: a function (con, rows_of) -> "unchanged" | "rows" |
    "appended" (rows: only a new day's added) | "whole" that refreshes the
    rollup itself for the values in the temporary table `_refresh_values(v)`
    (rows_of(table, expr): what to read for a source's rows of those values;
    see sales.BUYER_KEYS); it leaves the rows it removed and added in
    `_changed_<name>` (its columns and `_old`) when a later rollup reads it,
    and answers "whole" when it cannot, or None to have the ordinary refresh
    do it (a fast path for one kind of change: a new day only, sales.BUYER_DAYS).

    A rollup read by later ones gets its removed and added rows kept the same
    way by the ordinary refresh (`_old` TRUE for the removed): only the rows
    that differ, unless a later custom refresh reads it (it may need every row
    of each changed value).
    """
    sources: tuple[tuple[str, str], ...]
    rows: str
    custom: object = None  # Callable[[con, rows_of], str | None] | None
