"""kpis — one row for the period.

Grain: one row for the chosen period, in scope.
SPEC.md: "net = amount - refund_amount of an order, counted on the order's own
date. 'Sales' everywhere means the sum of net. An order counts as an order only
while its net > 0 ... for order counts, average order value, buyers". AOV =
sales / orders. 环比 against the same number of days immediately before, 同比
against the same dates a year earlier; growth = (current - base) / base, empty
when the base is 0.
"""
from __future__ import annotations

import pandas as pd

from ..reader import Reader
from .base import MetricArgs, growth, metric, period_params, ratio

BASE_COLUMNS = ("sales", "wemall_sales", "pos_sales", "orders", "members", "aov")

TOTALS_SQL = """
SELECT
  coalesce(sum(net), 0)::DOUBLE AS sales,
  coalesce(sum(net) FILTER (WHERE channel = 'wemall'), 0)::DOUBLE AS wemall_sales,
  coalesce(sum(net) FILTER (WHERE channel = 'pos'), 0)::DOUBLE AS pos_sales,
  count(*) FILTER (WHERE is_order) AS orders,
  count(DISTINCT member_id) FILTER (WHERE is_order) AS members
FROM orders
WHERE ordered_at >= $start AND ordered_at < $end
"""


def period_totals(reader: Reader, period) -> dict:
    row = reader.query(TOTALS_SQL, period_params(period)).iloc[0].to_dict()
    row["orders"] = int(row["orders"])
    row["members"] = int(row["members"])
    row["aov"] = ratio(row["sales"], row["orders"])
    return row


KIND = {"sales": "money", "wemall_sales": "money", "pos_sales": "money", "orders": "count",
        "members": "count", "aov": "money"}


def declared():
    out = [f"{c}:{KIND[c]}" for c in BASE_COLUMNS]
    for c in BASE_COLUMNS:
        out += [f"{c}_prev:{KIND[c]}", f"{c}_pop:growth", f"{c}_last_year:{KIND[c]}", f"{c}_yoy:growth"]
    return out


def columns():
    return [spec.partition(":")[0] for spec in declared()]


@metric("kpis", declared(), grain="one row for the period")
def kpis(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Sales, WeMall and POS sales, orders, buyers and AOV with 环比 (_pop) and 同比 (_yoy) growth."""
    cur = period_totals(reader, args.period)
    prev = period_totals(reader, args.period.previous())
    last_year = period_totals(reader, args.period.year_ago())
    row = dict(cur)
    for c in BASE_COLUMNS:
        row[f"{c}_prev"] = prev[c]
        row[f"{c}_pop"] = growth(cur[c], prev[c])
        row[f"{c}_last_year"] = last_year[c]
        row[f"{c}_yoy"] = growth(cur[c], last_year[c])
    return pd.DataFrame([row], columns=columns())
