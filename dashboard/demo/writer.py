"""Write generated frames into the contract tables.

Frames carry integer indices; ids are formatted here by DuckDB (fixed width,
so text order equals generation order) and rows are inserted ordered by the
table's SORT_KEYS time column, so date filters skip row groups."""
from __future__ import annotations

import pandas as pd

from .. import schema


def ident(prefix: str, width: int, col: str, offset: int = 0) -> str:
    """SQL for an id from a 0-based index column (plus `offset`, the ids taken
    by earlier shards); NULL where the index is -1."""
    return f"CASE WHEN {col} >= 0 THEN '{prefix}' || lpad(CAST({col} + {1 + int(offset)} AS VARCHAR), {width}, '0') END"


# id widths: lpad would cut a longer number, so a build checks its counts fit
WIDTHS = {"s": 4, "g": 5, "m": 8, "o": 10, "sh": 10, "q": 5, "l": 5, "i": 10}

STORE = lambda c="s", off=0: ident("S", 4, c, off)       # noqa: E731
GUIDE = lambda c="g", off=0: ident("G", 5, c, off)       # noqa: E731
MEMBER = lambda c="m", off=0: ident("M", 8, c, off)      # noqa: E731
ORDER = lambda c="o", off=0: ident("O", 10, c, off)      # noqa: E731
SHARE = lambda c="sh", off=0: ident("SH", 10, c, off)    # noqa: E731
GROUP = lambda c="q", off=0: ident("GRP", 5, c, off)     # noqa: E731
LIVE = lambda c="l", off=0: ident("L", 5, c, off)        # noqa: E731
MESSAGE = lambda c="i", off=0: ident("MSG", 10, c, off)  # noqa: E731


def cents(col: str) -> str:
    return f"CAST(round({col} / 100.0, 2) AS DECIMAL(14,2))"


# A frame already in `order_by` order is inserted in slices of this many rows:
# the same rows in the same order as one sorted INSERT, without DuckDB sorting
# (and holding) the whole table at once.
SLICE_ROWS = 1_000_000


def _sorted_by(frame: pd.DataFrame, keys: list[str]) -> bool:
    if not all(k in frame.columns for k in keys):
        return False
    return pd.MultiIndex.from_frame(frame[keys]).is_monotonic_increasing


def insert(con, table: str, frame: pd.DataFrame, exprs: dict[str, str], order_by: str) -> None:
    """INSERT every contract column of `table` from `frame`: a column is the
    frame's column of the same name unless `exprs` gives SQL for it."""
    select = ", ".join(f"{exprs.get(c, c)} AS {c}" for c in schema.COLUMNS[table])
    keys = [k.strip() for k in order_by.split(",")]
    if len(frame) > SLICE_ROWS and _sorted_by(frame, keys):
        parts = [frame.iloc[i:i + SLICE_ROWS] for i in range(0, len(frame), SLICE_ROWS)]
    else:
        parts = [frame]
    for part in parts:
        con.register("_demo_frame", part)
        try:
            con.execute(f"INSERT INTO {table} SELECT {select} FROM _demo_frame ORDER BY {order_by}")
        finally:
            con.unregister("_demo_frame")
