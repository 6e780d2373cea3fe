"""store-leaderboard and guide-leaderboard on a hand-built week, every expected
number worked out by hand from SPEC.md in the comments next to the data.

Period 2026-03-02..2026-03-04 (3 days); previous period (环比) 2026-02-27..03-01;
year ago (同比) 2025-03-02..2025-03-04.
"""
from datetime import date

import pandas as pd
import pytest

from builders import build_db, guide_row, order_row, reader_for, store_row
from dashboard.metrics import METRICS, MetricArgs
from dashboard.period import Period
from dashboard.scope import Filters, Scope

START, END = date(2026, 3, 2), date(2026, 3, 4)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_db(
        tmp_path_factory.mktemp("lb") / "lb.duckdb",
        stores=[
            store_row("S1", region="华东", city="上海"),
            store_row("S2", region="华东", city="杭州"),
            store_row("S3", region="华南", city="广州"),
            store_row("S4", region="华南", city="深圳"),
            store_row("S5", region="华东", closed_on=date(2026, 2, 15)),  # closed before: no row
            store_row("S6", region="华东", opened_on=date(2026, 3, 10)),  # opens after: no row
            store_row("S7", region="华东", closed_on=date(2026, 2, 20)),  # closed, but has an order: row
            store_row("S8", region="华东"),                               # open, no orders in the period: row with 0
        ],
        guides=[
            guide_row("G1", "S1"),
            guide_row("G2", "S2", left_on=date(2026, 3, 3)),          # left mid-period
            guide_row("G3", "S2", left_on=date(2026, 2, 20)),         # left before, yet credited a sale
            guide_row("G4", "S3", role="store_manager"),              # not a guide, but credited
            guide_row("G5", "S4", hired_on=date(2026, 3, 3)),         # hired mid-period, no sales
            guide_row("G6", "S1", role="community_operator"),         # not a guide, no sales: no row
            guide_row("G7", "S2", hired_on=date(2026, 3, 5)),         # hired after: no row
            guide_row("G8", "S3", left_on=date(2026, 1, 1)),          # left long before: no row
        ],
        orders=[
            # --- current period ---
            # S1: 400 WeMall; a 100 POS order fully refunded is no order, 0 sales.
            order_row("a1", "2026-03-02 10:00", "S1", 400, channel="wemall", guide_id="G1", member_id="m1"),
            order_row("a2", "2026-03-03 10:00", "S1", 100, refund_amount=100, guide_id="G1", member_id="m2"),
            # S2: 100 POS (G2) + 100 POS (no guide) + 100 WeMall (G3) = 300; 3 orders.
            order_row("b1", "2026-03-02 11:00", "S2", 100, guide_id="G2", member_id="m3"),
            order_row("b2", "2026-03-04 23:59:59", "S2", 100, channel="wemall", guide_id="G3", member_id="m3"),
            order_row("b3", "2026-03-03 12:00", "S2", 100),
            # S3: 350 - 50 = 300 POS (G4); a 200 WeMall order fully refunded (G4).
            order_row("c1", "2026-03-04 00:00", "S3", 350, refund_amount=50, guide_id="G4"),
            order_row("c2", "2026-03-04 09:00", "S3", 200, channel="wemall", refund_amount=200, guide_id="G4"),
            # S4: 60 WeMall, no guide.
            order_row("e1", "2026-03-03 15:00", "S4", 60, channel="wemall"),
            # S7 (closed): an order fully refunded -> listed with 0.
            order_row("d1", "2026-03-02 15:00", "S7", 80, refund_amount=80),
            # --- previous period ---
            order_row("p1", "2026-02-27 00:00", "S3", 500, guide_id="G4"),
            order_row("p2", "2026-03-01 23:59:59", "S1", 200, channel="wemall", guide_id="G1"),
            order_row("p3", "2026-02-28 10:00", "S4", 200),
            order_row("p4", "2026-02-28 11:00", "S2", 50, refund_amount=50, guide_id="G2"),  # 0: no prev rank
            order_row("p5", "2026-02-28 12:00", "S8", 100),  # previous rank 4, after the 2, 2 tie
            # --- outside every period ---
            order_row("x1", "2026-03-05 00:00", "S1", 1000, guide_id="G1"),
            order_row("x2", "2026-02-26 23:59:59", "S2", 1000, guide_id="G2"),
            # --- a year ago ---
            order_row("y1", "2025-03-03 09:00", "S1", 320, guide_id="G1"),
        ],
    )


def run(name, db, scope=None, filters=None, start=START, end=END):
    return METRICS[name](reader_for(db, scope, filters), MetricArgs(Period(start, end), end))


def by_id(df, key):
    return df.set_index(key)


def test_store_rows_and_order(db):
    df = run("store-leaderboard", db)
    # Sales: S1 400, S2 300, S3 300, S4 60, S7 0, S8 0 -> competition ranks 1, 2, 2, 4, 5, 5,
    # ties ordered by store_id. S5 (closed before) and S6 (opens after) have no row.
    assert list(df.store_id) == ["S1", "S2", "S3", "S4", "S7", "S8"]
    assert list(df["rank"]) == [1, 2, 2, 4, 5, 5]
    assert list(df.sales) == [400, 300, 300, 60, 0, 0]


def test_store_channels_orders_and_aov(db):
    s = by_id(run("store-leaderboard", db), "store_id")
    assert (s.loc["S1", "wemall_sales"], s.loc["S1", "pos_sales"], s.loc["S1", "orders"]) == (400, 0, 1)
    assert (s.loc["S2", "wemall_sales"], s.loc["S2", "pos_sales"], s.loc["S2", "orders"]) == (100, 200, 3)
    # S3: c2 fully refunded is no order and no WeMall sales.
    assert (s.loc["S3", "wemall_sales"], s.loc["S3", "pos_sales"], s.loc["S3", "orders"]) == (0, 300, 1)
    assert s.loc["S7", "orders"] == 0 and s.loc["S7", "sales"] == 0
    assert s.loc["S2", "aov"] == pytest.approx(100)
    assert pd.isna(s.loc["S7", "aov"])  # 0 orders: undefined
    assert s.loc["S2", "members"] == 1  # m3 twice; b3 has no member
    assert s.loc["S1", "members"] == 1  # m2's order was fully refunded


def test_store_wemall_rank(db):
    s = by_id(run("store-leaderboard", db), "store_id")
    # WeMall: S1 400, S2 100, S4 60, then S3, S7, S8 all 0 -> 1, 2, 3, 4, 4, 4.
    assert s.wemall_rank.to_dict() == {"S1": 1, "S2": 2, "S3": 4, "S4": 3, "S7": 4, "S8": 4}
    # Previous WeMall ranking has only S1 (200): S1 1 -> 1 is no move; others new.
    assert s.loc["S1", "wemall_rank_change"] == 0
    assert pd.isna(s.loc["S2", "wemall_rank_change"])


def test_store_rank_change(db):
    s = by_id(run("store-leaderboard", db), "store_id")
    # Previous period: S3 500 -> 1, S1 200 and S4 200 -> 2, 2, S8 100 -> 4. S2's only order was
    # fully refunded (0 sales): no previous rank, like S7's.
    assert s.loc["S1", "prev_rank"] == 2 and s.loc["S1", "rank_change"] == 1    # 2 -> 1: up 1
    assert s.loc["S3", "rank_change"] == -1                                     # 1 -> 2
    assert s.loc["S4", "rank_change"] == -2                                     # 2 -> 4
    assert s.loc["S8", "prev_rank"] == 4 and s.loc["S8", "rank_change"] == -1   # 4 -> 5
    for new in ("S2", "S7"):
        assert pd.isna(s.loc[new, "rank_change"]) and pd.isna(s.loc[new, "prev_rank"])


def test_store_growth(db):
    s = by_id(run("store-leaderboard", db), "store_id")
    assert s.loc["S1", "sales_prev"] == 200
    assert s.loc["S1", "sales_pop"] == pytest.approx((400 - 200) / 200)
    assert s.loc["S3", "sales_pop"] == pytest.approx((300 - 500) / 500)
    assert s.loc["S4", "sales_pop"] == pytest.approx((60 - 200) / 200)
    assert pd.isna(s.loc["S2", "sales_pop"])  # base 0: undefined
    assert s.loc["S1", "wemall_sales_pop"] == pytest.approx((400 - 200) / 200)
    assert s.loc["S1", "sales_last_year"] == 320
    assert s.loc["S1", "sales_yoy"] == pytest.approx((400 - 320) / 320)
    assert pd.isna(s.loc["S2", "sales_yoy"])


def test_store_totals_agree_with_kpis(db):
    s = run("store-leaderboard", db)
    k = run("kpis", db).iloc[0]
    for c in ("sales", "wemall_sales", "pos_sales", "orders"):
        assert s[c].sum() == pytest.approx(k[c]), c
    assert s.sales.sum() == 1060  # 400 + 300 + 300 + 60


def test_store_scope_and_filters_narrow(db):
    s = run("store-leaderboard", db, filters=Filters.of(regions=["华南"]))
    # S3 300 -> 1, S4 60 -> 2; previous within 华南: S3 500 -> 1, S4 200 -> 2: no moves.
    assert list(s.store_id) == ["S3", "S4"] and list(s["rank"]) == [1, 2]
    assert list(s.rank_change) == [0, 0]
    s = run("store-leaderboard", db, scope=Scope.of(regions=["华东"]))
    assert list(s.store_id) == ["S1", "S2", "S7", "S8"]
    # Previous within 华东: S1 200 -> 1, S8 100 -> 2. S1 stays 1, S8 goes 2 -> 3.
    assert s.set_index("store_id").rank_change[["S1", "S8"]].tolist() == [0, -1]
    # A filter outside the scope leaves nothing.
    assert run("store-leaderboard", db, scope=Scope.of(stores=["S1"]), filters=Filters.of(stores=["S3"])).empty
    assert run("store-leaderboard", db, scope=Scope.nothing()).empty


def test_store_empty_period(db):
    s = run("store-leaderboard", db, start=date(2026, 3, 20), end=date(2026, 3, 20))
    # Open on 03-20: S1, S2, S3, S4, S6 (opened 03-10), S8. No sales: all tie at rank 1; the
    # previous day had no sales either, so every rank change is empty.
    assert list(s.store_id) == ["S1", "S2", "S3", "S4", "S6", "S8"]
    assert list(s["rank"]) == [1] * 6 and list(s.wemall_rank) == [1] * 6
    assert s.rank_change.isna().all() and s.aov.isna().all()


def test_guide_rows_ranks_and_sales(db):
    g = run("guide-leaderboard", db)
    # Credited: G1 400 (a1; a2 refunded), G4 300 (c1; c2 refunded), G2 100, G3 100, G5 0.
    # Ranks 1, 2, 3, 3, 5 (G2 before G3 by id). G3 left before the period but sold: listed.
    # G6 (community operator, no sales), G7 (hired after), G8 (left before, no sales): no row.
    assert list(g.guide_id) == ["G1", "G4", "G2", "G3", "G5"]
    assert list(g["rank"]) == [1, 2, 3, 3, 5]
    assert list(g.sales) == [400, 300, 100, 100, 0]
    g = g.set_index("guide_id")
    assert g.loc["G3", "store_id"] == "S2" and g.loc["G3", "wemall_sales"] == 100
    assert g.loc["G4", "role"] == "store_manager" and g.loc["G4", "orders"] == 1
    assert g.loc["G1", "orders"] == 1 and g.loc["G1", "store_name"] == "门店S1"
    assert g.loc["G2", "left_on"] == pd.Timestamp(2026, 3, 3)  # left mid-period, still listed


def test_guide_rank_change_and_growth(db):
    g = by_id(run("guide-leaderboard", db), "guide_id")
    # Previous: G4 500 -> 1, G1 200 -> 2; G2's order was fully refunded -> no previous rank.
    assert g.loc["G1", "rank_change"] == 1    # 2 -> 1
    assert g.loc["G4", "rank_change"] == -1   # 1 -> 2
    for new in ("G2", "G3", "G5"):
        assert pd.isna(g.loc[new, "rank_change"])
    assert g.loc["G1", "sales_pop"] == pytest.approx(1.0)
    assert g.loc["G1", "sales_yoy"] == pytest.approx((400 - 320) / 320)
    assert pd.isna(g.loc["G2", "sales_pop"])


def test_guide_scope_and_filters(db):
    g = run("guide-leaderboard", db, filters=Filters.of(regions=["华南"]))
    # 华南 guides: G4 (S3) 300, G5 (S4) 0; G8 left before, no sales.
    assert list(g.guide_id) == ["G4", "G5"] and list(g["rank"]) == [1, 2]
    g = run("guide-leaderboard", db, filters=Filters.of(guides=["G1"]))
    assert list(g.guide_id) == ["G1"] and g.sales.iloc[0] == 400
    assert run("guide-leaderboard", db, scope=Scope.nothing()).empty


def test_guide_empty_period(db):
    g = run("guide-leaderboard", db, start=date(2026, 3, 20), end=date(2026, 3, 20))
    # Employed guides (role guide) on 03-20: G1, G5, G7 (G2 and G3 have left).
    assert list(g.guide_id) == ["G1", "G5", "G7"]
    assert list(g["rank"]) == [1, 1, 1] and g.rank_change.isna().all()


def test_contract_columns_lead(db):
    s = run("store-leaderboard", db)
    assert list(s.columns[:10]) == ["store_id", "store_name", "region", "sales", "wemall_sales", "pos_sales",
                                    "orders", "rank", "wemall_rank", "rank_change"]
    g = run("guide-leaderboard", db)
    assert list(g.columns[:8]) == ["guide_id", "guide_name", "store_id", "sales", "wemall_sales", "orders",
                                   "rank", "rank_change"]


# --- A second, independent computation in plain pandas on seeded random data ----------------

@pytest.fixture(scope="module")
def random_db(tmp_path_factory):
    import random
    from datetime import datetime, timedelta
    rnd = random.Random(7)
    stores = [store_row(f"S{i}", region=("华东", "华南")[i % 2],
                        opened_on=date(2026, 3, 3) if i == 5 else date(2020, 1, 1),
                        closed_on=date(2026, 2, 1) if i == 6 else None) for i in range(1, 10)]
    guides = [guide_row(f"G{i:02d}", f"S{i % 9 + 1}", role="guide" if i % 7 else "store_manager",
                        hired_on=date(2026, 3, 2) if i % 11 == 0 else date(2020, 1, 1),
                        left_on=date(2026, 2, 20) if i % 5 == 0 else None) for i in range(1, 31)]
    orders = []
    for n in range(500):
        g = rnd.choice(guides)
        amount = rnd.choice([50, 100, 100, 200, 300])
        orders.append(order_row(
            f"o{n}", datetime(2026, 2, 20) + timedelta(minutes=rnd.randrange(0, 22 * 24 * 60)), g["store_id"], amount,
            refund_amount=rnd.choice([0, 0, 0, 0, amount, 25]), channel=rnd.choice(["pos", "wemall"]),
            guide_id=g["guide_id"] if rnd.random() < 0.8 else None))
    return build_db(tmp_path_factory.mktemp("rnd") / "r.duckdb", stores=stores, guides=guides, orders=orders)


def _raw(db):
    import duckdb
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t}").df() for t in ("stores", "guides", "orders")}
    finally:
        con.close()


def _by(orders, key, start, end):
    o = orders[(orders.ordered_at >= pd.Timestamp(start)) & (orders.ordered_at < pd.Timestamp(end) + pd.Timedelta(days=1))]
    o = o.assign(net=(o.amount - o.refund_amount).astype(float))
    return pd.DataFrame({
        "sales": o.groupby(key).net.sum(),
        "wemall_sales": o[o.channel == "wemall"].groupby(key).net.sum(),
        "orders": o[o.net > 0].groupby(key).size(),
    }).fillna(0)


@pytest.mark.parametrize("start,end", [(date(2026, 3, 2), date(2026, 3, 8)), (date(2026, 3, 5), date(2026, 3, 5))])
def test_store_board_matches_pandas(random_db, start, end):
    raw = _raw(random_db)
    period = Period(start, end)
    st = raw["stores"]
    cur = _by(raw["orders"], "store_id", start, end)
    open_ = (st.opened_on <= pd.Timestamp(end)) & (st.closed_on.isna() | (st.closed_on >= pd.Timestamp(start)))
    ids = sorted(set(st.store_id[open_]) | set(cur.index))
    want = cur.reindex(ids).fillna(0)
    want["rank"] = want.sales.rank(method="min", ascending=False).astype(int)
    prev = _by(raw["orders"], "store_id", period.previous().start, period.previous().end).sales
    prev_rank = prev[prev > 0].rank(method="min", ascending=False)
    want["rank_change"] = [prev_rank.get(s, float("nan")) - r for s, r in zip(want.index, want["rank"])]
    want = want.reset_index(names="store_id").sort_values(["rank", "store_id"]).reset_index(drop=True)

    got = run("store-leaderboard", random_db, start=start, end=end)
    assert list(got.store_id) == list(want.store_id)
    for c in ("sales", "wemall_sales", "orders", "rank"):
        assert got[c].astype(float).tolist() == pytest.approx(want[c].astype(float).tolist()), c
    assert got.rank_change.astype(float).fillna(-999).tolist() == want.rank_change.fillna(-999).tolist()


def test_guide_board_and_concentration_match_pandas(random_db):
    import math
    start, end = date(2026, 3, 2), date(2026, 3, 8)
    raw = _raw(random_db)
    gd = raw["guides"]
    cur = _by(raw["orders"].dropna(subset=["guide_id"]), "guide_id", start, end)
    employed = (gd.hired_on <= pd.Timestamp(end)) & (gd.left_on.isna() | (gd.left_on >= pd.Timestamp(start)))
    ids = sorted(set(gd.guide_id[employed & (gd.role == "guide")]) | set(cur.index))
    want = cur.reindex(ids).fillna(0)
    want["rank"] = want.sales.rank(method="min", ascending=False).astype(int)
    want = want.reset_index(names="guide_id").sort_values(["rank", "guide_id"])
    got = run("guide-leaderboard", random_db, start=start, end=end)
    assert list(got.guide_id) == list(want.guide_id)
    assert got.sales.tolist() == pytest.approx(want.sales.tolist())

    n_ids = gd.guide_id[employed]
    w = cur.wemall_sales.reindex(n_ids).fillna(0).sort_values(ascending=False)
    k = math.ceil(len(w) / 10)
    c = run("guide-concentration", random_db, start=start, end=end).iloc[0]
    assert (c.guides, c.top_guides) == (len(w), k)
    assert c.concentration == pytest.approx(w.head(k).sum() / cur.wemall_sales.sum())
