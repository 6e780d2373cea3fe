"""sales-by-region, sales-by-brand — where the period's sales come from.

Grain: one row per region (or brand, the store's brand) with sales in scope.
Sales, WeMall/POS sales, orders (net > 0) per SPEC.md; share = its part of the
period's total sales. Read from the daily_store_sales rollup.
"""
from __future__ import annotations

import pandas as pd

from ..reader import Reader
from .base import MetricArgs, metric

# Identifiers cannot be bound: the dimension comes from this whitelist only.
DIMENSIONS = {"region": "s.region", "brand": "s.brand"}

SQL = """
SELECT {column} AS {name},
       CAST(sum(d.sales) AS DOUBLE) AS sales,
       CAST(coalesce(sum(d.sales) FILTER (WHERE d.channel = 'wemall'), 0) AS DOUBLE) AS wemall_sales,
       CAST(coalesce(sum(d.sales) FILTER (WHERE d.channel = 'pos'), 0) AS DOUBLE) AS pos_sales,
       CAST(sum(d.orders) AS BIGINT) AS orders
FROM daily_store_sales d JOIN stores s USING (store_id)
WHERE d.day >= $start_day AND d.day <= $end_day
GROUP BY {column}
ORDER BY sales DESC, 1
"""


def breakdown(reader: Reader, args: MetricArgs, dimension: str) -> pd.DataFrame:
    column = DIMENSIONS[dimension]
    df = reader.query(SQL.format(column=column, name=dimension), {"start_day": args.period.start, "end_day": args.period.end})
    total = df["sales"].sum()
    df["share"] = df["sales"] / total if total else None
    return df


COLUMNS = ("sales:money", "wemall_sales:money", "pos_sales:money", "orders:count", "share:rate")


@metric("sales-by-region", ("region", *COLUMNS), grain="one row per region with orders in the period")
def sales_by_region(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Sales by the credited store's region."""
    return breakdown(reader, args, "region")


@metric("sales-by-brand", ("brand", *COLUMNS), grain="one row per brand (the store's) with orders in the period")
def sales_by_brand(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Sales by the credited store's brand."""
    return breakdown(reader, args, "brand")
