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
"""
from __future__ import annotations

import math
import os

from . import channels, community, live, sales, sharing
from .model import SLICE_MARKER, Gate, Rollup
from .sales import EXACT, FAST, NEVER, SPLIT, buyers_mode, prev_column

ROLLUPS: tuple[Rollup, ...] = (sales.ROLLUPS + sharing.ROLLUPS + community.ROLLUPS + live.ROLLUPS
                               + channels.ROLLUPS)
NAMES = tuple(r.name for r in ROLLUPS)
BY_NAME = {r.name: r for r in ROLLUPS}
if len(BY_NAME) != len(ROLLUPS):
    raise ValueError("two rollups share a name")

__all__ = ["EXACT", "FAST", "NEVER", "SPLIT", "Gate", "Rollup", "ROLLUPS", "NAMES", "BY_NAME",
           "buyers_mode", "prev_column", "build"]


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


def build(con) -> None:
    """(Re)build every rollup in the file being written, in dependency order."""
    slices = slice_count(con)
    for r in ROLLUPS:
        con.execute(f"DROP TABLE IF EXISTS {r.name}")
        if r.slice_by is None or slices <= 1:
            sql = r.sql.replace(SLICE_MARKER, "")
            con.execute(f"CREATE TABLE {r.name} AS SELECT * FROM ({sql}) t ORDER BY {r.order_by}")
            continue
        part = f"_rollup_slice_{r.name}"
        con.execute(f"DROP TABLE IF EXISTS {part}")
        for k in range(slices):
            sql = r.sql.replace(SLICE_MARKER, f"AND hash({r.slice_by}) % {slices} = {k}")
            if k == 0:
                con.execute(f"CREATE TEMP TABLE {part} AS SELECT * FROM ({sql}) t")
            else:
                con.execute(f"INSERT INTO {part} SELECT * FROM ({sql}) t")
        con.execute(f"CREATE TABLE {r.name} AS SELECT * FROM {part} ORDER BY {r.order_by}")
        con.execute(f"DROP TABLE {part}")
