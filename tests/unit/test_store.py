"""Publishing: a new file replaces the old atomically, readers notice and reopen,
a failed build leaves the published file alone, and the dashboard's connection
is read-only and cannot reach other files."""
from pathlib import Path

import duckdb
import pytest

from builders import build_db, order_row, store_row
from dashboard import store


def count(db):
    cur = db.cursor()
    try:
        return cur.execute("SELECT count(*) FROM orders").fetchone()[0]
    finally:
        cur.close()


def test_publish_is_noticed_by_an_open_reader(tmp_path):
    path = build_db(tmp_path / "p.duckdb", stores=[store_row("S1")],
                    orders=[order_row("o1", "2026-01-01 10:00", "S1", 10)])
    db = store.Database(path)
    assert count(db) == 1
    version = db.version
    with store.building(path) as con:  # starts from the published data
        con.execute("INSERT INTO orders SELECT 'o2', ordered_at, channel, store_id, guide_id, member_id, brand, "
                    "amount, refund_amount, buyer_city, share_id, live_id, referrer_member_id, coupon_id FROM orders")
    assert db.version != version
    assert count(db) == 2


def test_failed_build_leaves_published_data(tmp_path):
    path = build_db(tmp_path / "p.duckdb", stores=[store_row("S1")],
                    orders=[order_row("o1", "2026-01-01 10:00", "S1", 10)])
    with pytest.raises(RuntimeError):
        with store.building(path) as con:
            con.execute("DELETE FROM orders")
            raise RuntimeError("half way")
    assert count(store.Database(path)) == 1
    # Only the published version is left: no half-built file lying around.
    assert len([p for p in tmp_path.iterdir() if ".v" in p.name]) == 1


def test_dashboard_connection_is_read_only_and_locked(tmp_path):
    path = build_db(tmp_path / "p.duckdb", stores=[store_row("S1")])
    con = store.open_read_only(path)
    with pytest.raises(duckdb.Error):
        con.execute("DELETE FROM stores")
    with pytest.raises(duckdb.Error):
        con.execute("SELECT * FROM read_csv('/etc/passwd')")
    with pytest.raises(duckdb.Error):
        con.execute("SET enable_external_access = true")
    with pytest.raises(duckdb.Error):
        con.execute(f"ATTACH '{tmp_path / 'other.duckdb'}' AS other")


def test_schema_version_is_checked(tmp_path):
    path = tmp_path / "old.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(store.SchemaMismatch):
        store.open_read_only(path)


def test_old_versions_are_pruned(tmp_path):
    path = build_db(tmp_path / "p.duckdb", stores=[store_row("S1")])
    for _ in range(4):
        with store.building(path):
            pass
    versions = [p for p in tmp_path.iterdir() if ".v" in p.name]
    assert len(versions) == 2  # the current one and the one before it


def test_rollups_built_by_other_code_are_refused_until_rebuilt(tmp_path):
    from dashboard.cli import main
    path = build_db(tmp_path / "r.duckdb", stores=[store_row("S1")])
    store.open_read_only(path).close()
    con = duckdb.connect(str(Path(path).resolve()))
    con.execute("DELETE FROM _meta WHERE key = 'rollup:monthly_sales'")  # as from code before it existed
    con.close()
    with pytest.raises(store.RollupsOutdated, match="monthly_sales"):
        store.open_read_only(path)
    assert main(["metric", "kpis", "--db", str(path)]) == 2  # the CLI says so and exits
    assert main(["rollups", "--db", str(path)]) == 0
    store.open_read_only(path).close()
