"""sales-trend — the overview's daily trend, POS vs WeMall.

Grain: one row per day of the period (days without orders included, as 0).
Sales = sum(amount - refund_amount) on the order's own date (SPEC.md).
"""
from __future__ import annotations

import pandas as pd

from ..reader import Reader
from .base import MetricArgs, metric

SQL = """
WITH days AS (
  SELECT d::DATE AS day FROM range($first_day::TIMESTAMP, $last_day::TIMESTAMP + INTERVAL 1 DAY, INTERVAL 1 DAY) t(d)
), daily AS (
  SELECT ordered_at::DATE AS day,
         sum(net) FILTER (WHERE channel = 'pos')::DOUBLE AS pos_sales,
         sum(net) FILTER (WHERE channel = 'wemall')::DOUBLE AS wemall_sales,
         count(*) FILTER (WHERE is_order) AS orders
  FROM orders
  WHERE ordered_at >= $start AND ordered_at < $end
  GROUP BY 1
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
    return reader.query(SQL, {"first_day": p.start, "last_day": p.end, "start": p.start_ts, "end": p.end_ts})
