"""Write the staged good rows into their table: a re-loaded file or an
overlapping export replaces rows by key instead of duplicating them."""
from __future__ import annotations

from .. import schema
from .validate import STAGE


def upsert_stage(con, table: str, stage: str = STAGE) -> int:
    cols = ", ".join(schema.COLUMNS[table])
    # Facts go in time order so DuckDB's zone maps can skip row groups on date filters.
    order = f" ORDER BY {schema.SORT_KEYS[table]}" if table in schema.SORT_KEYS else ""
    n = con.execute(f"SELECT count(*) FROM {stage}").fetchone()[0]
    if n == 0:
        return 0
    if table in schema.PRIMARY_KEYS:
        con.execute(f"INSERT OR REPLACE INTO {table} ({cols}) SELECT {cols} FROM {stage}{order}")
    else:
        # No primary key (share_visits: member_id may be NULL): delete the same
        # natural keys, NULLs equal, then insert.
        same = " AND ".join(f"t.{k} IS NOT DISTINCT FROM s.{k}" for k in schema.NATURAL_KEYS[table])
        con.execute(f"DELETE FROM {table} t WHERE EXISTS (SELECT 1 FROM {stage} s WHERE {same})")
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {stage}{order}")
    return n
