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
from .ranking import leaderboard
from .target_attainment import WITH_TARGETS

DECLARED = cols("guide_id", "guide_name", "store_id", "sales:money", "wemall_sales:money", "orders:count",
                "rank:rank", "rank_change:rank_change", "store_name", "region", "role", "hired_on:date",
                "left_on:date", "pos_sales:money", "aov:money", "members:count", "prev_rank:rank",
                "sales_prev:money", "sales_pop:growth", "sales_last_year:money", "sales_yoy:growth")
COLUMNS = [c.name for c in DECLARED]



def guide_board(reader: Reader, period: Period) -> pd.DataFrame:
    return leaderboard(reader, "guide_id", period, COLUMNS)


@metric("guide-leaderboard", DECLARED + WITH_TARGETS, grain="one row per guide employed in, or credited with sales in, the period")
def guide_leaderboard(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Guides ranked by credited sales, with their store, rank change, 环比 and 同比."""
    return leaderboard(reader, "guide_id", args.period, COLUMNS, as_of=args.as_of)
