"""kpis against an independent pandas computation on realistic demo data
(refunds, members and guest orders, two years of dates), for several periods
and a region filter."""
from datetime import date

import duckdb
import pandas as pd
import pytest

from builders import reader_for
from dashboard import demo
from dashboard.metrics import METRICS, MetricArgs
from dashboard.period import Period
from dashboard.scope import Filters


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("kpis-x") / "demo.duckdb"
    demo.generate(path, scale=0.02, seed=3)
    con = duckdb.connect(str(path), read_only=True)
    orders = con.execute("SELECT o.*, s.region FROM orders o JOIN stores s USING (store_id)").df()
    con.close()
    return path, orders


def pandas_totals(orders: pd.DataFrame, period: Period) -> dict:
    o = orders[(orders.ordered_at >= pd.Timestamp(period.start))
               & (orders.ordered_at < pd.Timestamp(period.end) + pd.Timedelta(days=1))]
    net = (o.amount - o.refund_amount).astype(float)
    counted = o[net > 0]
    sales = net.sum()
    n = len(counted)
    return {"sales": sales, "wemall_sales": net[o.channel == "wemall"].sum(),
            "pos_sales": net[o.channel == "pos"].sum(), "orders": n,
            "members": counted.member_id.dropna().nunique(), "aov": sales / n if n else None}


@pytest.mark.parametrize("start,end,region", [
    (date(2026, 10, 24), date(2026, 11, 22), None),
    (date(2026, 11, 11), date(2026, 11, 11), None),
    (date(2026, 11, 1), date(2026, 11, 22), "华东"),
    (date(2026, 2, 28), date(2026, 3, 1), "华南"),
])
def test_kpis_equal_an_independent_computation(demo_db, start, end, region):
    path, orders = demo_db
    if region:
        orders = orders[orders.region == region]
    period = Period(start, end)
    got = METRICS["kpis"](reader_for(path, filters=Filters.of(regions=[region] if region else [])),
                          MetricArgs(period, end)).iloc[0]
    for label, p in (("", period), ("_prev", period.previous()), ("_last_year", period.year_ago())):
        want = pandas_totals(orders, p)
        for k, v in want.items():
            col = k + label
            if v is None:
                assert got[col] is None or pd.isna(got[col]), col
            else:
                assert float(got[col]) == pytest.approx(v, rel=1e-9, abs=1e-6), col
    base = pandas_totals(orders, period.previous())["sales"]
    assert got["sales_pop"] == pytest.approx((got["sales"] - base) / base)
