"""sales-trend — the overview's daily trend, POS vs WeMall.

Grain: one row per day of the period (days without orders included, as 0).
Sales = sum(amount - refund_amount) on the order's own date (SPEC.md), read
from the daily_store_sales rollup (dashboard/rollups/).
"""
from __future__ import annotations

import pandas as pd

from ..reader import Reader
from .base import MetricArgs, metric

SQL = """
WITH days AS (
  SELECT d::DATE AS day FROM range($first_day::TIMESTAMP, $last_day::TIMESTAMP + INTERVAL 1 DAY, INTERVAL 1 DAY) t(d)
), daily AS (
  SELECT day,
         CAST(sum(sales) FILTER (WHERE channel = 'pos') AS DOUBLE) AS pos_sales,
         CAST(sum(sales) FILTER (WHERE channel = 'wemall') AS DOUBLE) AS wemall_sales,
         CAST(sum(orders) AS BIGINT) AS orders
  FROM daily_store_sales
  WHERE day >= $first_day AND day <= $last_day
  GROUP BY day
)
SELECT days.day,
       coalesce(pos_sales, 0) AS pos_sales,
       coalesce(wemall_sales, 0) AS wemall_sales,
       coalesce(pos_sales, 0) + coalesce(wemall_sales, 0) AS sales,
       coalesce(orders, 0) AS orders
FROM days LEFT JOIN daily USING (day)
ORDER BY days.day
"""


@metric("sales-trend", ("day:date", "sales:money", "pos_sales:money", "wemall_sales:money", "orders:count"), grain="one row per day of the period")
def sales_trend(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Daily sales split into POS and WeMall, every day of the period."""
    p = args.period
    return reader.query(SQL, {"first_day": p.start, "last_day": p.end})
