"""Upsert idempotence, and publishing: a failed load leaves the old data served;
readers querying during loads never error and never see a half-loaded state."""
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from dashboard import store
from dashboard.loader import load, load_history
from files import csv_text, orders_csv, query, stores_csv, write

ROOT = Path(__file__).resolve().parents[2]


def test_reloading_and_overlapping_exports_never_duplicate(tmp_path):
    db = tmp_path / "x.duckdb"
    stores = stores_csv(tmp_path)
    day1 = orders_csv(tmp_path, ["O1,2024-05-01 10:00,pos,S1,,B1,100,0", "O2,2024-05-01 11:00,pos,S1,,B1,50,0"],
                      name="orders_day1.csv")
    for _ in range(2):
        assert load([stores, day1], db).status == "published"
    assert query(db, "SELECT count(*) FROM orders") == [(2,)]
    assert query(db, "SELECT count(*) FROM stores") == [(2,)]
    # The next export overlaps: O2 was partly refunded since, O3 is new.
    day2 = orders_csv(tmp_path, ["O2,2024-05-01 11:00,pos,S1,,B1,50,20", "O3,2024-05-02 09:00,wemall,S2,,B1,30,0"],
                      name="orders_day2.csv")
    assert load([day2], db).status == "published"
    assert query(db, "SELECT order_id, amount - refund_amount FROM orders ORDER BY 1") == [
        ("O1", 100), ("O2", 30), ("O3", 30)]


def test_share_visits_upsert_on_the_natural_key_with_null_members(tmp_path):
    db = tmp_path / "x.duckdb"
    guides = write(tmp_path / "guides.csv", csv_text("guide_id,guide_name,store_id,role,hired_on", ["G1,小王,S1,guide,2024-01-01"]))
    shares = write(tmp_path / "shares.csv", csv_text("share_id,shared_at,guide_id,store_id,target,content_type",
                                                     ["SH1,2024-05-01 09:00,G1,S1,moments,product"]))
    visits = write(tmp_path / "share_visits.csv", csv_text("share_id,member_id,visited_at",
                                                           ["SH1,,2024-05-01 09:30", "SH1,M1,2024-05-01 09:31"]))
    for _ in range(2):
        result = load([visits, shares, guides, stores_csv(tmp_path)], db)
        assert result.status == "published" and result.problems == []
    assert query(db, "SELECT count(*), count(member_id) FROM share_visits") == [(2, 1)]


def test_a_load_that_fails_halfway_leaves_the_published_file_untouched(tmp_path):
    db = tmp_path / "x.duckdb"
    load([stores_csv(tmp_path)], db)
    reader = store.Database(db)
    assert reader.cursor().execute("SELECT count(*) FROM stores").fetchone() == (2,)
    before, version = db.read_bytes(), reader.version

    more = tmp_path / "more"
    more.mkdir()
    files = [stores_csv(more, ["S3,三店,B1,华东,上海,上海,2020-01-01,10:00,22:00"]),
             orders_csv(more, ["O1,2024-05-01,pos,S3,,B1,1,0"])]
    steps = []

    def crash_after_first_table(fraction, text):
        steps.append(text)
        if "→ orders" in text:  # stores are already upserted into the private copy by now
            raise OSError("disk full")

    result = load(files, db, progress=crash_after_first_table)
    assert result.status == "failed" and result.message == "OSError: disk full"
    assert any("→ stores" in s for s in steps)
    assert db.read_bytes() == before and reader.version == version
    assert reader.cursor().execute("SELECT count(*) FROM stores").fetchone() == (2,)
    assert sorted(p.name for p in tmp_path.iterdir() if "building" in p.name) == []
    assert load_history()["status"].iloc[0] == "failed"
    assert (result.report_dir / "traceback.txt").exists()


READER_SCRIPT = """
import json, sys, time
sys.path.insert(0, sys.argv[2])
from dashboard.store import Database
db = Database(sys.argv[1]); seen = []; errors = []
end = time.monotonic() + float(sys.argv[3])
while time.monotonic() < end:
    try:
        seen.append(db.cursor().execute(
            "SELECT (SELECT count(*) FROM stores), (SELECT count(*) FROM orders)").fetchone())
    except Exception as exc:
        errors.append(repr(exc))
print(json.dumps({"seen": sorted(set(map(tuple, seen))), "reads": len(seen), "errors": errors[:5]}))
"""


def test_readers_never_error_nor_see_a_mix_while_loads_publish(tmp_path):
    db = tmp_path / "x.duckdb"
    assert load([stores_csv(tmp_path, ["S0,零店,B1,华东,上海,上海,2020-01-01,10:00,22:00"]),
                 orders_csv(tmp_path, [f"O0-{j},2024-05-01,pos,S0,,B1,1,0" for j in range(3)])], db).status == "published"
    # Each load publishes one store and its three orders: every state has orders = 3 × stores.
    thread_seen, thread_errors, stop = set(), [], threading.Event()

    def read_in_thread():
        database = store.Database(db)
        while not stop.is_set():
            try:
                thread_seen.add(database.cursor().execute(
                    "SELECT (SELECT count(*) FROM stores), (SELECT count(*) FROM orders)").fetchone())
            except Exception as exc:  # noqa: BLE001 - any error is the failure we test for
                thread_errors.append(repr(exc))

    proc = subprocess.Popen([sys.executable, "-c", READER_SCRIPT, str(db), str(ROOT), "6"],
                            stdout=subprocess.PIPE, text=True)
    thread = threading.Thread(target=read_in_thread)
    thread.start()
    loads = 0
    started = time.monotonic()
    try:
        while time.monotonic() - started < 5:
            loads += 1
            folder = tmp_path / f"load{loads}"
            folder.mkdir()
            k = f"S{loads}"
            result = load([stores_csv(folder, [f"{k},店{loads},B1,华东,上海,上海,2020-01-01,10:00,22:00"]),
                           orders_csv(folder, [f"O{loads}-{j},2024-05-01,pos,{k},,B1,1,0" for j in range(3)])], db)
            assert result.status == "published", result.message
    finally:
        stop.set()
        thread.join()
    out = json.loads(proc.communicate(timeout=60)[0])
    assert thread_errors == [] and out["errors"] == []
    for stores, orders in list(thread_seen) + [tuple(s) for s in out["seen"]]:
        assert orders == 3 * stores, f"a reader saw {stores} stores with {orders} orders"
    assert len(thread_seen) >= 3 and len(out["seen"]) >= 3, (loads, thread_seen, out)
    print(f"{loads} loads; thread saw {len(thread_seen)} states, process {out['reads']} reads of {len(out['seen'])} states")
    assert query(db, "SELECT count(*), (SELECT count(*) FROM orders) FROM stores") == [(loads + 1, 3 * (loads + 1))]
