"""The morning check on a hand-built as-of day, 2026-03-10 (a Tuesday): the day
before is 03-09, the same weekday last week 03-03. Numbers worked out by hand."""
from datetime import date

import pandas as pd
import pytest

from builders import build_db, order_row, reader_for, store_row
from dashboard.metrics import METRICS, MetricArgs
from dashboard.period import Period
from dashboard.scope import Scope

AS_OF = date(2026, 3, 10)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    prev_day = {"S1": 700, "S2": 600, "S3": 500, "S4": 400, "S5": 300, "S6": 200, "S7": 100}
    today_pos = {"S3": 200, "S5": 350, "S6": 300, "S7": 250, "S2": 20, "S1": 10}
    orders = [order_row(f"p{s}", "2026-03-09 12:00", s, a, channel="wemall" if s == "S1" else "pos")
              for s, a in prev_day.items()]
    orders += [order_row(f"t{s}", "2026-03-10 12:00", s, a) for s, a in today_pos.items()]
    orders += [
        order_row("tS3w", "2026-03-10 20:00", "S3", 300, channel="wemall"),
        order_row("tS4w", "2026-03-10 23:59:59", "S4", 400, channel="wemall"),
        order_row("tS10", "2026-03-10 13:00", "S10", 90, refund_amount=90),  # fully refunded: sold nothing
        order_row("w1", "2026-03-03 12:00", "S1", 1830),                    # same weekday last week
        order_row("s11", "2026-03-05 12:00", "S11", 50),                    # S11's last sale
        order_row("late", "2026-03-11 00:00", "S1", 9999),                   # after the as-of day
    ]
    return build_db(
        tmp_path_factory.mktemp("mc") / "mc.duckdb",
        stores=[store_row(f"S{i}") for i in range(1, 8)] + [
            store_row("S8", closed_on=date(2026, 3, 1)),      # closed: not expected to sell
            store_row("S9", opened_on=date(2026, 3, 11)),     # not open yet
            store_row("S10", opened_on=date(2026, 3, 10)),    # opened today, sold nothing
            store_row("S11"),                                 # sold last on 03-05
        ],
        orders=orders,
    )


def run(name, db, scope=None, as_of=AS_OF, **opts):
    # The period is deliberately unrelated: morning metrics read as_of only.
    args = MetricArgs(Period(date(2025, 1, 1), date(2025, 1, 31)), as_of, tuple(opts.items()))
    return METRICS[name](reader_for(db, scope), args)


def test_summary(db):
    s = run("morning-summary", db).iloc[0]
    # Today: POS 200 + 350 + 300 + 250 + 20 + 10 = 1130, WeMall 300 + 400 = 700 -> 1830;
    # 8 orders (S10's refunded one is none). Day before: 2800, WeMall 700 (S1), 7 orders.
    assert (s.sales, s.wemall_sales, s.orders) == (1830, 700, 8)
    assert (s.sales_prev_day, s.wemall_sales_prev_day, s.orders_prev_day) == (2800, 700, 7)
    assert s.sales_vs_prev_day == pytest.approx((1830 - 2800) / 2800)
    assert s.wemall_sales_vs_prev_day == pytest.approx(0)
    assert s.orders_vs_prev_day == pytest.approx(1 / 7)
    # Last Tuesday: 1830, all POS.
    assert s.sales_last_week == 1830 and s.sales_vs_last_week == pytest.approx(0)
    assert s.wemall_sales_last_week == 0 and pd.isna(s.wemall_sales_vs_last_week)
    assert s.as_of == AS_OF


def test_stores_ranked_with_change_vs_day_before(db):
    m = run("morning-stores", db)
    # Today: S3 500, S4 400, S5 350, S6 300, S7 250, S2 20, S1 10, S10 0, S11 0 -> 1..7, 8, 8.
    # Yesterday: S1..S7 ranked 1..7. S8 (closed) and S9 (not open) have no row.
    assert list(m.store_id) == ["S3", "S4", "S5", "S6", "S7", "S2", "S1", "S10", "S11"]
    assert list(m["rank"]) == [1, 2, 3, 4, 5, 6, 7, 8, 8]
    ch = m.set_index("store_id").rank_change
    assert ch[["S3", "S4", "S5", "S6", "S7"]].tolist() == [2, 2, 2, 2, 2]
    assert ch["S2"] == -4 and ch["S1"] == -6
    assert pd.isna(ch["S10"]) and pd.isna(ch["S11"])
    # WeMall today: S4 400 -> 1, S3 300 -> 2, the rest 0 -> 3. Yesterday only S1 (700) -> 1.
    w = m.set_index("store_id")
    assert w.loc["S4", "wemall_rank"] == 1 and w.loc["S3", "wemall_rank"] == 2 and w.loc["S1", "wemall_rank"] == 3
    assert w.loc["S1", "wemall_rank_change"] == 1 - 3 and pd.isna(w.loc["S4", "wemall_rank_change"])


def test_attention(db):
    a = run("morning-attention", db)
    # S1 fell 1 -> 7 (6 places, >= 5). S2 fell only 4. S10 and S11 are open and sold nothing;
    # S8 (closed) and S9 (not open) are not expected to sell.
    assert list(zip(a.store_id, a.reason)) == [("S1", "fell_5_places"), ("S10", "no_sales"), ("S11", "no_sales")]
    a = a.set_index("store_id")
    assert a.loc["S1", "detail"] == "1→7" and a.loc["S1", "rank_change"] == -6
    assert a.loc["S10", "detail"] == ""             # never sold (its only order was refunded)
    assert a.loc["S11", "detail"] == "2026-03-05"   # its last sale


def test_attention_threshold_is_an_option(db):
    a = run("morning-attention", db, fall_places=4)
    assert [s for s, r in zip(a.store_id, a.reason) if r == "fell_5_places"] == ["S2", "S1"]


def test_scope_narrows_the_ranking(db):
    m = run("morning-stores", db, scope=Scope.of(stores=["S1", "S2"]))
    # Within S1, S2: today S2 20 -> 1, S1 10 -> 2; yesterday S1 1, S2 2.
    assert list(m.store_id) == ["S2", "S1"] and list(m.rank_change) == [1, -1]
    assert run("morning-attention", db, scope=Scope.of(stores=["S1", "S2"])).empty
    s = run("morning-summary", db, scope=Scope.of(stores=["S1", "S2"])).iloc[0]
    assert (s.sales, s.sales_prev_day, s.sales_last_week) == (30, 1300, 1830)


def test_empty_day(db):
    s = run("morning-summary", db, as_of=date(2026, 3, 20)).iloc[0]
    assert s.sales == 0 and s.orders == 0 and pd.isna(s.sales_vs_prev_day)
    m = run("morning-stores", db, as_of=date(2026, 3, 20))
    assert (m["rank"] == 1).all() and m.rank_change.isna().all()
    # Every open store sold nothing that day.
    a = run("morning-attention", db, as_of=date(2026, 3, 20))
    assert set(a.reason) == {"no_sales"} and sorted(a.store_id) == sorted(
        ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S9", "S10", "S11"])
