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
    """
    store: str | None = None
    store_nullable: bool = False
    guide: str | None = None
    parent: tuple[str, str, str] | None = None
    when_guides_filtered: str | None = None
    store_free: bool = False

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


SLICE_MARKER = "/*slice*/"
