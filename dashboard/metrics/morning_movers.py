"""morning-movers — the morning check's biggest risers and fallers (晨检).

Grain: up to `movers` rows with direction "riser" and up to `movers` with
direction "faller", from the morning-stores ranking of the as-of day.

Issue 4: "the biggest risers and fallers" of the morning check; issue 14 moved
the rule out of the page. Reading: a store's move is its sales rank_change on
the as-of day against the day before (previous rank − rank, as morning-stores
computes it). Risers: rank_change > 0, biggest first; fallers: rank_change < 0,
biggest fall first; ties by today's rank, then store_id. A store new to the
ranking (no rank the day before: rank_change empty) is neither, nor is one
that kept its place. Reads `args.as_of`, never `args.period`.
"""
from __future__ import annotations

import pandas as pd

from ..columns import cols
from ..reader import Reader
from .base import MetricArgs, Option, metric
from .morning_check import morning_stores

DECLARED = cols("direction", "store_id", "store_name", "region", "rank:rank", "prev_rank:rank",
                "rank_change:rank_change", "sales:money")
COLUMNS = [c.name for c in DECLARED]
DIRECTIONS = ("riser", "faller")


def movers(board: pd.DataFrame, n: int, up: bool) -> pd.DataFrame:
    """The n biggest risers (up) or fallers of a ranking by its rank_change."""
    change = board["rank_change"]
    moved = board[change.notna() & ((change > 0) if up else (change < 0))]
    return moved.sort_values(["rank_change", "rank", "store_id"], ascending=[not up, True, True],
                             kind="stable").head(n)


@metric("morning-movers", DECLARED, grain="up to N risers then up to N fallers of the as-of day's store ranking",
        options={"movers": Option(int, 3, "risers and fallers the morning check lists (each)", minimum=1)},
        as_of_only=True)
def morning_movers(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """The as-of day's biggest risers and fallers by sales rank change (new
    stores and unchanged ranks excluded)."""
    n = int(args.opt("movers", 3))
    board = morning_stores(reader, args)
    parts = [movers(board, n, up=(d == "riser")).assign(direction=d) for d in DIRECTIONS]
    out = pd.concat(parts, ignore_index=True) if any(len(p) for p in parts) else pd.DataFrame(columns=COLUMNS)
    return out.reindex(columns=COLUMNS).astype({"rank": "Int64", "prev_rank": "Int64", "rank_change": "Int64",
                                                "sales": float})
