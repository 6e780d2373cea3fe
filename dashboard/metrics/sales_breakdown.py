"""sales-by-region, sales-by-brand — where the period's sales come from.

Grain: one row per region (or brand, the store's brand) with sales in scope.
Sales, WeMall/POS sales, orders (net > 0) per SPEC.md; share = its part of the
period's total sales.
"""
from __future__ import annotations

import pandas as pd

from ..reader import Reader
from .base import MetricArgs, metric, period_params

# Identifiers cannot be bound: the dimension comes from this whitelist only.
DIMENSIONS = {"region": "s.region", "brand": "s.brand"}

SQL = """
SELECT {column} AS {name},
       sum(o.net)::DOUBLE AS sales,
       coalesce(sum(o.net) FILTER (WHERE o.channel = 'wemall'), 0)::DOUBLE AS wemall_sales,
       coalesce(sum(o.net) FILTER (WHERE o.channel = 'pos'), 0)::DOUBLE AS pos_sales,
       count(*) FILTER (WHERE o.is_order) AS orders
FROM orders o JOIN stores s USING (store_id)
WHERE o.ordered_at >= $start AND o.ordered_at < $end
GROUP BY 1
ORDER BY sales DESC, 1
"""


def breakdown(reader: Reader, args: MetricArgs, dimension: str) -> pd.DataFrame:
    column = DIMENSIONS[dimension]
    df = reader.query(SQL.format(column=column, name=dimension), period_params(args.period))
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
