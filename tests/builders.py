"""Tiny hand-built databases for tests: rows written in the test, next to the
assertions that use them, stored in a real DuckDB file through the real schema."""
from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

from dashboard import schema, store
from dashboard.reader import Reader
from dashboard.scope import Filters, Scope

# Defaults so a test names only the columns it cares about.
DEFAULTS = {
    "stores": dict(brand="B1", region="华东", province="上海", city="上海", opened_on=date(2020, 1, 1),
                   open_time=time(10), close_time=time(22), closed_on=None),
    "guides": dict(role="guide", hired_on=date(2020, 1, 1), left_on=None),
    "orders": dict(channel="pos", guide_id=None, member_id=None, brand="B1", refund_amount=0),
}


def store_row(store_id, **kw):
    return {"store_id": store_id, "store_name": kw.pop("store_name", f"门店{store_id}"), **kw}


def guide_row(guide_id, store_id, **kw):
    return {"guide_id": guide_id, "guide_name": kw.pop("guide_name", f"导购{guide_id}"), "store_id": store_id, **kw}


def order_row(order_id, ordered_at, store_id, amount, **kw):
    if isinstance(ordered_at, str):
        ordered_at = datetime.fromisoformat(ordered_at)
    return {"order_id": order_id, "ordered_at": ordered_at, "store_id": store_id, "amount": amount, **kw}


def build_db(path: Path, **tables) -> Path:
    """Create a contract database at `path` holding exactly the given rows."""
    with store.building(path, start_from_current=False) as con:
        for table, rows in tables.items():
            cols = schema.COLUMNS[table]
            for row in rows:
                full = {c: None for c in cols}
                full.update(DEFAULTS.get(table, {}))
                full.update(row)
                unknown = set(full) - set(cols)
                assert not unknown, f"{table}: unknown columns {unknown}"
                con.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                            [full[c] for c in cols])
    return path


def reader_for(path: Path, scope: Scope | None = None, filters: Filters | None = None) -> Reader:
    return Reader(store.Database(path), scope or Scope.everything(), filters or Filters())


def demo_scopes(path: Path, guides_sql: str, stores: int = 2, guides_with_region: int | None = None) -> dict:
    """The scopes every rollup-equality test runs on a demo: HQ, the first
    region, the first `stores` stores, the guides `guides_sql` picks (a query
    returning guide_id, most telling first) and that region with those guides
    (the first `guides_with_region` of them)."""
    reader = reader_for(path)
    store_rows = reader.query("SELECT store_id, region FROM stores ORDER BY store_id")
    guides = reader.query(guides_sql)["guide_id"].tolist()
    region = store_rows["region"].iloc[0]
    return {"hq": (Scope.everything(), Filters()),
            "region": (Scope.of(regions=[region]), Filters()),
            "stores": (Scope.of(stores=store_rows["store_id"].head(stores).tolist()), Filters()),
            "guides": (Scope.everything(), Filters.of(guides=guides)),
            "region + guides": (Scope.of(regions=[region]), Filters.of(guides=guides[:guides_with_region]))}


def unknown_store_rows(db) -> dict[str, int]:
    """Per rollup declared Gate.known_stores, its rows naming a store the stores
    table does not know (the declaration says there are none: with nothing
    narrowing, the gate then reads such a rollup unchecked)."""
    import duckdb

    from dashboard import rollups
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {r.name: con.execute(f"SELECT count(*) FROM main.{r.name} WHERE {r.gate.store} NOT IN "
                                    "(SELECT store_id FROM main.stores)").fetchone()[0]
                for r in rollups.ROLLUPS if r.gate.known_stores}
    finally:
        con.close()
