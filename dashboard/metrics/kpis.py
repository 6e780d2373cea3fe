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
from .base import MetricArgs, growth, metric, ratio
from .windows import totals

BASE_COLUMNS = ("sales", "wemall_sales", "pos_sales", "orders", "members", "aov")



def period_totals(reader: Reader, period) -> dict:
    """One period's totals (sales, wemall_sales, pos_sales, orders, members, aov)."""
    return periods_totals(reader, {"cur": period})["cur"]


def periods_totals(reader: Reader, periods: dict) -> dict[str, dict]:
    """Totals of several periods from one query over the rollups (windows.py)."""
    out = totals(reader, periods)
    for row in out.values():
        row["aov"] = ratio(row["sales"], row["orders"])
    return out


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
    t = periods_totals(reader, {"cur": args.period, "prev": args.period.previous(),
                                "ly": args.period.year_ago()})
    cur, prev, last_year = t["cur"], t["prev"], t["ly"]
    row = dict(cur)
    for c in BASE_COLUMNS:
        row[f"{c}_prev"] = prev[c]
        row[f"{c}_pop"] = growth(cur[c], prev[c])
        row[f"{c}_last_year"] = last_year[c]
        row[f"{c}_yoy"] = growth(cur[c], last_year[c])
    return pd.DataFrame([row], columns=columns())
