"""guide-leaderboard — shopping guides ranked by the sales credited to them.

Grain: one row per guide for the period: every in-scope guide with role = guide
employed at any time in the period (hired_on ≤ end and (left_on is null or
left_on ≥ start)), plus any guide credited with an in-scope order in the period
(so guides who left, or staff of another role who sold, still appear).

SPEC.md: "A guide belongs to the store in guides.store_id; a sale belongs to the
store and guide credited on the order." Sales = sum(amount - refund_amount) of
the orders whose guide_id is the guide; orders count only while net > 0.
Ranking and rank change as for stores: competition ranking by sales
descending, rows then by guide_id; rank_change = previous-period rank − current
rank over the guides with sales > 0 in the previous period, empty for new ones.

A guide credited on an in-scope order whose own store lies outside the user's
scope is listed (the sale is the user's to see) without name or store.
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

DECLARED = cols("guide_id", "guide_name", "store_id", "sales:money", "wemall_sales:money", "orders:count",
                "rank:rank", "rank_change:rank_change", "store_name", "region", "role", "hired_on:date",
                "left_on:date", "pos_sales:money", "aov:money", "members:count", "prev_rank:rank",
                "sales_prev:money", "sales_pop:growth", "sales_last_year:money", "sales_yoy:growth")
COLUMNS = [c.name for c in DECLARED]

SQL = f"""
WITH cur AS ({sales_by("guide_id", "")}),
prev AS ({sales_by("guide_id", "prev_")}),
prev_ranked AS ({previous_ranks("guide_id", "prev")}),
last_year AS ({sales_by("guide_id", "ly_")}),
listed AS (
  SELECT guide_id FROM guides
  WHERE role = 'guide' AND hired_on <= $end_day AND (left_on IS NULL OR left_on >= $start_day)
  UNION
  SELECT guide_id FROM cur
),
board AS (
  SELECT l.guide_id, g.guide_name, g.store_id, s.store_name, s.region, g.role, g.hired_on, g.left_on,
         coalesce(c.sales, 0) AS sales,
         coalesce(c.wemall_sales, 0) AS wemall_sales,
         coalesce(c.pos_sales, 0) AS pos_sales,
         coalesce(c.orders, 0) AS orders,
         coalesce(c.members, 0) AS members
  FROM listed l
  LEFT JOIN guides g USING (guide_id)
  LEFT JOIN stores s ON s.store_id = g.store_id
  LEFT JOIN cur c USING (guide_id)
)
SELECT b.*,
       rank() OVER (ORDER BY b.sales DESC) AS rank,
       p.prev_rank,
       p.prev_rank - rank() OVER (ORDER BY b.sales DESC) AS rank_change,
       coalesce(p.sales_prev, 0) AS sales_prev,
       coalesce(y.sales, 0) AS sales_last_year
FROM board b
LEFT JOIN prev_ranked p USING (guide_id)
LEFT JOIN last_year y USING (guide_id)
ORDER BY rank, guide_id
"""


def guide_board(reader: Reader, period: Period) -> pd.DataFrame:
    return finish(reader.query(SQL, leaderboard_params(period)), COLUMNS)


@metric("guide-leaderboard", DECLARED + WITH_TARGETS, grain="one row per guide employed in, or credited with sales in, the period")
def guide_leaderboard(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Guides ranked by credited sales, with their store, rank change, 环比 and 同比."""
    return with_attainment(guide_board(reader, args.period), reader, args.as_of, "guide")
