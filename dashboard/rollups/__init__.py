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

from . import channels, community, live, sales, sharing
from .model import Gate, Rollup
from .sales import EXACT, FAST, NEVER, SPLIT, buyers_mode, prev_column

ROLLUPS: tuple[Rollup, ...] = (sales.ROLLUPS + sharing.ROLLUPS + community.ROLLUPS + live.ROLLUPS
                               + channels.ROLLUPS)
NAMES = tuple(r.name for r in ROLLUPS)
BY_NAME = {r.name: r for r in ROLLUPS}
if len(BY_NAME) != len(ROLLUPS):
    raise ValueError("two rollups share a name")

__all__ = ["EXACT", "FAST", "NEVER", "SPLIT", "Gate", "Rollup", "ROLLUPS", "NAMES", "BY_NAME",
           "buyers_mode", "prev_column", "build"]


def build(con) -> None:
    """(Re)build every rollup in the file being written, in dependency order."""
    for r in ROLLUPS:
        con.execute(f"DROP TABLE IF EXISTS {r.name}")
        con.execute(f"CREATE TABLE {r.name} AS SELECT * FROM ({r.sql}) t ORDER BY {r.order_by}")
