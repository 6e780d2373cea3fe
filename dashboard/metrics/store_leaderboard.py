"""store-leaderboard — stores ranked by sales and by WeMall sales.

Grain: one row per in-scope store for the period: every store open at some time
in the period (opened_on ≤ end and (closed_on is null or closed_on ≥ start)),
plus any store with orders in the period (even if closed).

SPEC.md: "Store sales, WeMall sales (channel = wemall), POS sales, orders,
distinct buying members, average order value = sales / orders. Store and guide
leaderboards for any period, with rank change against the previous period, 环比
and 同比 growth." Sales = sum(amount - refund_amount); an order counts only while
its net > 0. rank / wemall_rank: competition ranking (1, 2, 2, 4) by sales /
WeMall sales descending; rows ordered by rank, then store_id. rank_change =
previous-period rank − current rank, where the previous ranking covers the
stores with sales > 0 in the previous period; a store without is new (empty).
target / attainment: the as-of month's target and month-to-date attainment
(target-attainment; empty without a target row).
"""
from __future__ import annotations

import pandas as pd

from ..period import Period
from ..reader import Reader
from ..columns import cols
from .base import MetricArgs, metric
from .ranking import finish, leaderboard_params, previous_ranks, sales_by
from .target_attainment import WITH_TARGETS, with_attainment

DECLARED = cols("store_id", "store_name", "region", "sales:money", "wemall_sales:money", "pos_sales:money",
                "orders:count", "rank:rank", "wemall_rank:rank", "rank_change:rank_change",
                "city", "brand", "aov:money", "members:count", "prev_rank:rank", "wemall_rank_change:rank_change",
                "sales_prev:money", "sales_pop:growth", "sales_last_year:money", "sales_yoy:growth",
                "wemall_sales_prev:money", "wemall_sales_pop:growth", "wemall_sales_last_year:money",
                "wemall_sales_yoy:growth")
COLUMNS = [c.name for c in DECLARED]

SQL = f"""
WITH cur AS ({sales_by("store_id", "")}),
prev AS ({sales_by("store_id", "prev_")}),
prev_ranked AS ({previous_ranks("store_id", "prev")}),
last_year AS ({sales_by("store_id", "ly_")}),
board AS (
  SELECT s.store_id, s.store_name, s.region, s.city, s.brand,
         coalesce(c.sales, 0) AS sales,
         coalesce(c.wemall_sales, 0) AS wemall_sales,
         coalesce(c.pos_sales, 0) AS pos_sales,
         coalesce(c.orders, 0) AS orders,
         coalesce(c.members, 0) AS members
  FROM stores s
  LEFT JOIN cur c USING (store_id)
  WHERE (s.opened_on <= $end_day AND (s.closed_on IS NULL OR s.closed_on >= $start_day))
     OR c.store_id IS NOT NULL
)
SELECT b.*,
       rank() OVER (ORDER BY b.sales DESC) AS rank,
       rank() OVER (ORDER BY b.wemall_sales DESC) AS wemall_rank,
       p.prev_rank,
       p.prev_rank - rank() OVER (ORDER BY b.sales DESC) AS rank_change,
       p.prev_wemall_rank - rank() OVER (ORDER BY b.wemall_sales DESC) AS wemall_rank_change,
       coalesce(p.sales_prev, 0) AS sales_prev,
       coalesce(p.wemall_sales_prev, 0) AS wemall_sales_prev,
       coalesce(y.sales, 0) AS sales_last_year,
       coalesce(y.wemall_sales, 0) AS wemall_sales_last_year
FROM board b
LEFT JOIN prev_ranked p USING (store_id)
LEFT JOIN last_year y USING (store_id)
ORDER BY rank, store_id
"""


def store_board(reader: Reader, period: Period) -> pd.DataFrame:
    """The store leaderboard for any period (the morning check uses one day)."""
    return finish(reader.query(SQL, leaderboard_params(period)), COLUMNS)


@metric("store-leaderboard", DECLARED + WITH_TARGETS, grain="one row per in-scope store open in, or selling in, the period")
def store_leaderboard(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Stores ranked by sales and WeMall sales, with rank change, 环比 and 同比."""
    return with_attainment(store_board(reader, args.period), reader, args.as_of, "store")
