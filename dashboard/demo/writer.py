"""Write generated frames into the contract tables.

Frames carry integer indices; ids are formatted here by DuckDB (fixed width,
so text order equals generation order) and rows are inserted ordered by the
table's SORT_KEYS time column, so date filters skip row groups."""
from __future__ import annotations

import pandas as pd

from .. import schema


def ident(prefix: str, width: int, col: str) -> str:
    """SQL for an id from a 0-based index column; NULL where the index is -1."""
    return f"CASE WHEN {col} >= 0 THEN '{prefix}' || lpad(CAST({col} + 1 AS VARCHAR), {width}, '0') END"


STORE = lambda c="s": ident("S", 4, c)      # noqa: E731
GUIDE = lambda c="g": ident("G", 5, c)      # noqa: E731
MEMBER = lambda c="m": ident("M", 8, c)     # noqa: E731
ORDER = lambda c="o": ident("O", 10, c)     # noqa: E731
SHARE = lambda c="sh": ident("SH", 10, c)   # noqa: E731
GROUP = lambda c="q": ident("GRP", 5, c)    # noqa: E731
LIVE = lambda c="l": ident("L", 5, c)       # noqa: E731
MESSAGE = lambda c="i": ident("MSG", 10, c)  # noqa: E731


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
