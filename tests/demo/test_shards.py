"""Big scales are built in shards (dashboard/demo/__init__.py): forced here at
scale 0.05 in three shards. The sharded file keeps every consistency check of
test_consistency.py (re-run below on it), unique ids of the documented widths,
totals that are the shards' sums, and the same file for the same inputs; a
build at or below the threshold is the plain one."""
from __future__ import annotations

from datetime import date

import duckdb
import pytest

from dashboard import schema
from dashboard.demo import dimensions, generate, members, shard_plan
from conftest import Db  # noqa: E402  (tests/demo/conftest.py)
from test_small_scale import checksums

# Every consistency check, collected again here against the sharded `demo` below.
from test_consistency import (  # noqa: F401
    test_every_table_has_rows, test_thirteen_months_up_to_the_end_date, test_references_resolve,
    test_message_senders_resolve, test_orders_only_while_the_store_trades,
    test_orders_credited_only_to_employed_guides_of_that_store,
    test_order_brand_is_the_store_brand_and_buyers_had_joined,
    test_shares_belong_to_the_guides_store_and_employment, test_share_orders_follow_a_share_by_the_credited_guide,
    test_replies_point_to_earlier_messages_of_the_same_group, test_members_speak_only_while_in_the_group,
    test_live_orders_fall_in_the_stream_or_its_72_hours, test_nothing_happens_after_the_end_date,
)

END = date(2026, 11, 22)
SCALE, SHARD_SCALE = 0.05, 0.02  # ceil(0.05 / 0.02) = 3 shards of 15 stores
FORCE = {"shard_above": 0.0, "shard_scale": SHARD_SCALE}


@pytest.fixture(scope="module")
def sharded(tmp_path_factory):
    base = tmp_path_factory.mktemp("shards")
    out = {}
    for name in ("a", "b"):
        out[name] = (base / f"{name}.duckdb", generate(base / f"{name}.duckdb", scale=SCALE, seed=7, end_date=END,
                                                       **FORCE))
    return out


@pytest.fixture(scope="module")
def demo(sharded):
    path, counts = sharded["a"]
    db = Db(path, counts)
    yield db
    db.con.close()


def test_the_plan():
    assert shard_plan(10) is None and shard_plan(0.05) is None  # default: plain builds up to scale 10
    plan = shard_plan(SCALE, **FORCE)
    assert len(plan) == 3 and sum(n for _, n in plan) == dimensions.store_count(SCALE)
    big = shard_plan(100)
    assert len(big) == 40 and sum(n for _, n in big) == dimensions.store_count(100) == 2000
    assert sum(s for s, _ in big) == pytest.approx(100)


def test_same_inputs_give_the_same_sharded_file(sharded):
    assert checksums(sharded["a"][0]) == checksums(sharded["b"][0])


def test_sharded_differs_from_plain_but_keeps_the_sizes(sharded, tmp_path):
    plain = tmp_path / "plain.duckdb"
    counts = generate(plain, scale=SCALE, seed=7, end_date=END)
    shard_counts = sharded["a"][1]
    assert checksums(plain)["orders"] != checksums(sharded["a"][0])["orders"]
    assert shard_counts["stores"] == counts["stores"]
    assert shard_counts["members"] == 3 * members.member_count(SCALE / 3)
    assert shard_counts["channels"] == counts["channels"] and shard_counts["channel_spend"] == counts["channel_spend"]
    assert 0.8 < shard_counts["orders"] / counts["orders"] < 1.25


ID_WIDTHS = [("stores", "store_id", "S", 4), ("guides", "guide_id", "G", 5), ("members", "member_id", "M", 8),
             ("orders", "order_id", "O", 10), ("shares", "share_id", "SH", 10), ("groups", "group_id", "GRP", 5),
             ("live_sessions", "live_id", "L", 5), ("group_messages", "message_id", "MSG", 10)]


@pytest.mark.parametrize("table, col, prefix, width", ID_WIDTHS)
def test_ids_are_unique_dense_and_of_their_width(demo, table, col, prefix, width):
    n, distinct, bad, top = demo.rows(
        f"SELECT count(*), count(DISTINCT {col}), "
        f"count(*) FILTER (WHERE NOT regexp_full_match({col}, '{prefix}[0-9]{{{width}}}')), "
        f"max(CAST(substr({col}, {len(prefix) + 1}) AS BIGINT)) FROM {table}")[0]
    assert n == distinct and bad == 0
    assert top == n  # ids 1..n: the shards' ranges follow each other without gaps


def test_store_and_group_names_stay_unique(demo):
    assert demo.one("SELECT count(*) - count(DISTINCT store_name) FROM stores") == 0
    assert demo.one("SELECT count(*) - count(DISTINCT group_name) FROM groups") == 0


def test_each_shard_is_a_region_of_its_own(demo):
    """Shard k's entities are a contiguous id range: its orders use its own
    stores, guides and members only."""
    ranges = demo.rows("""SELECT min(store_id), max(store_id) FROM stores GROUP BY (CAST(substr(store_id, 2) AS INT) - 1) // 15
                          ORDER BY 1""")
    assert len(ranges) == 3
    crossing = demo.one("""SELECT count(*) FROM orders o JOIN members m USING (member_id)
        JOIN stores s ON s.store_id = m.store_id
        WHERE (CAST(substr(o.store_id, 2) AS INT) - 1) // 15 <> (CAST(substr(s.store_id, 2) AS INT) - 1) // 15""")
    assert crossing == 0


def test_channel_spend_is_the_sum_over_the_shards(demo):
    """One row per day and paid channel, and the spend follows the fans the
    shards bought (the running cost of 0.3 fan a day per shard included)."""
    assert demo.one("SELECT count(*) - count(DISTINCT (spend_date, channel_id)) FROM channel_spend") == 0
    fans, spend = demo.rows("""SELECT count(*), (SELECT sum(spend) FROM channel_spend WHERE channel_id = 'ad_douyin')
        FROM members WHERE acquisition_channel = 'ad_douyin' AND joined_at >= (SELECT min(spend_date) FROM channel_spend)""")[0]
    days = demo.one("SELECT count(DISTINCT spend_date) FROM channel_spend")
    assert float(spend) == pytest.approx((fans + 3 * 0.3 * days) * 36.0, rel=0.05)


def test_facts_are_sorted_by_time_within_each_shard(demo):
    """Orders ids follow time inside a shard (written sorted), shard after shard."""
    con = duckdb.connect(str(demo.path), read_only=True)
    try:
        back = con.execute("""SELECT count(*) FROM (SELECT ordered_at < lag(ordered_at) OVER (ORDER BY order_id) AS back
                              FROM orders) WHERE back""").fetchone()[0]
    finally:
        con.close()
    assert back <= 2  # one step back at each shard boundary at most
    assert set(schema.SORT_KEYS) >= {"orders"}


def test_buyer_days_slices_grow_with_the_orders(monkeypatch):
    """rollups.slice_count: 8 slices up to 32M orders, then at most SLICE_ORDERS
    orders a slice (25 at 100M); DASHBOARD_ROLLUP_SLICES=1 still means one statement."""
    from dashboard import rollups
    con = duckdb.connect()
    con.execute("CREATE TABLE orders AS SELECT range AS order_id FROM range(1000)")
    monkeypatch.setattr(rollups, "SLICES", 8)
    assert rollups.slice_count(con) == 8
    monkeypatch.setattr(rollups, "SLICE_ORDERS", 40)
    assert rollups.slice_count(con) == 25
    monkeypatch.setattr(rollups, "SLICES", 1)
    assert rollups.slice_count(con) == 1


def test_bounded_lifecycle_tags_are_the_window_ones(demo):
    """A sharded build writes 高价值/沉睡/新客 shard by shard: 高价值 is the top
    decile of the shard's members (3,333 a shard here)."""
    end = END.isoformat()
    expected = f"""
        SELECT member_id, '高价值' AS tag FROM (
            SELECT member_id, sum(amount - refund_amount) AS net FROM orders
            WHERE member_id IS NOT NULL GROUP BY member_id)
        QUALIFY percent_rank() OVER (PARTITION BY (CAST(substr(member_id, 2) AS INT) - 1) // 3333
                                     ORDER BY net) >= 0.9
        UNION ALL
        SELECT member_id, '沉睡' FROM orders WHERE member_id IS NOT NULL
        GROUP BY member_id HAVING max(ordered_at) < DATE '{end}' - INTERVAL 90 DAY
        UNION ALL
        SELECT member_id, '新客' FROM members WHERE joined_at >= DATE '{end}' - INTERVAL 29 DAY"""
    got = "SELECT member_id, tag FROM member_tags WHERE tagged_by IS NULL AND tag IN ('高价值', '沉睡', '新客')"
    assert demo.one(f"SELECT count(*) FROM ({expected})") > 100
    assert demo.one(f"SELECT count(*) FROM (({expected}) EXCEPT ALL ({got}))") == 0
    assert demo.one(f"SELECT count(*) FROM (({got}) EXCEPT ALL ({expected}))") == 0
