"""kpis on a hand-built week: refunds, a fully refunded order, an empty day,
a previous period and a year-ago period, all worked out by hand from SPEC.md."""
from datetime import date

import pytest

from builders import build_db, order_row, reader_for, store_row
from dashboard.metrics import METRICS, MetricArgs
from dashboard.period import Period
from dashboard.scope import Filters, Scope


@pytest.fixture
def db(tmp_path):
    return build_db(
        tmp_path / "k.duckdb",
        stores=[store_row("S1", region="华东", city="上海"), store_row("S2", region="华南", city="广州")],
        orders=[
            # Current period 2026-03-02..2026-03-04 (3 days; 03-03 has no orders at all).
            order_row("o1", "2026-03-02 10:00", "S1", 100, member_id="m1"),
            order_row("o2", "2026-03-02 23:59:59", "S1", 200, channel="wemall", refund_amount=50, member_id="m2"),
            order_row("o3", "2026-03-04 00:00", "S2", 80, refund_amount=80, member_id="m3"),  # fully refunded: no order
            order_row("o4", "2026-03-04 12:00", "S2", 60, channel="wemall", member_id="m1"),
            order_row("o5", "2026-03-04 13:00", "S2", 40),  # no member
            # Previous period 2026-02-27..2026-03-01.
            order_row("p1", "2026-03-01 23:59:59", "S1", 125),
            order_row("p2", "2026-02-27 00:00", "S2", 75, channel="wemall", member_id="m9"),
            # Outside every period.
            order_row("x1", "2026-03-05 00:00", "S1", 1000),
            order_row("x2", "2026-02-26 23:59:59", "S1", 1000),
            # Same dates a year earlier.
            order_row("y1", "2025-03-03 09:00", "S1", 350, member_id="m1"),
        ],
    )


def kpis(db, scope=None, filters=None, start=date(2026, 3, 2), end=date(2026, 3, 4)):
    df = METRICS["kpis"](reader_for(db, scope, filters), MetricArgs(Period(start, end), end))
    assert len(df) == 1
    return df.iloc[0]


def test_current_period_by_hand(db):
    k = kpis(db)
    # net: o1 100, o2 150, o3 0, o4 60, o5 40 -> 350
    assert k.sales == pytest.approx(350)
    assert k.wemall_sales == pytest.approx(210)  # o2 150 + o4 60
    assert k.pos_sales == pytest.approx(140)  # o1 100 + o3 0 + o5 40
    assert k.orders == 4  # o3 fully refunded is no order
    assert k.members == 2  # m1, m2 (m3 only had the refunded order; o5 has none)
    assert k.aov == pytest.approx(350 / 4)


def test_pop_and_yoy_growth(db):
    k = kpis(db)
    assert k.sales_prev == pytest.approx(200)  # p1 125 + p2 75
    assert k.sales_pop == pytest.approx((350 - 200) / 200)
    assert k.wemall_sales_pop == pytest.approx((210 - 75) / 75)
    assert k.orders_pop == pytest.approx((4 - 2) / 2)
    assert k.sales_last_year == pytest.approx(350)
    assert k.sales_yoy == pytest.approx(0)
    # No WeMall sales a year ago: growth is undefined, not infinite.
    assert k.wemall_sales_last_year == 0
    assert k.wemall_sales_yoy is None


def test_empty_period_is_zero_with_undefined_ratios(db):
    k = kpis(db, start=date(2026, 3, 3), end=date(2026, 3, 3))
    assert k.sales == 0 and k.orders == 0 and k.members == 0
    assert k.aov is None
    # Previous day 03-02 sold 250: a fall of 100%.
    assert k.sales_pop == pytest.approx(-1.0)


def test_filters_and_scope_only_narrow(db):
    assert kpis(db, filters=Filters.of(regions=["华南"])).sales == pytest.approx(100)  # o3 0 + o4 60 + o5 40
    assert kpis(db, scope=Scope.of(regions=["华东"])).sales == pytest.approx(250)
    # A filter outside the scope cannot widen it: nothing is left.
    assert kpis(db, scope=Scope.of(regions=["华东"]), filters=Filters.of(stores=["S2"])).sales == 0
    assert kpis(db, scope=Scope.nothing()).sales == 0


def test_as_of_is_the_datas_latest_day_whatever_the_scope(db):
    from datetime import date as d

    from dashboard.metrics import latest_complete_day
    # The last order (x1) is on 2026-03-05, in 华东; 华南 last sold on 03-04.
    assert latest_complete_day(reader_for(db), today=d(2026, 3, 10)) == d(2026, 3, 5)
    assert latest_complete_day(reader_for(db, scope=Scope.of(regions=["华南"])), today=d(2026, 3, 10)) == d(2026, 3, 5)
    # A day is complete only once it is over in China.
    assert latest_complete_day(reader_for(db), today=d(2026, 3, 5)) == d(2026, 3, 4)
