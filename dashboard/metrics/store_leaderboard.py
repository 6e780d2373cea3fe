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
from .base import Memo, MetricArgs, metric
from .ranking import leaderboard
from .target_attainment import WITH_TARGETS

DECLARED = cols("store_id", "store_name", "region", "sales:money", "wemall_sales:money", "pos_sales:money",
                "orders:count", "rank:rank", "wemall_rank:rank", "rank_change:rank_change",
                "city", "brand", "aov:money", "members:count", "prev_rank:rank", "wemall_rank_change:rank_change",
                "sales_prev:money", "sales_pop:growth", "sales_last_year:money", "sales_yoy:growth",
                "wemall_sales_prev:money", "wemall_sales_pop:growth", "wemall_sales_last_year:money",
                "wemall_sales_yoy:growth")
COLUMNS = [c.name for c in DECLARED]



# The morning check's summary, stores, movers and attention all start from
# the as-of day's board: one query for all of them.
_BOARDS = Memo()


def store_board(reader: Reader, period: Period) -> pd.DataFrame:
    """The store leaderboard for any period (the morning check uses one day)."""
    return _BOARDS.get(reader, (period.start, period.end), lambda: leaderboard(reader, "store_id", period, COLUMNS))


@metric("store-leaderboard", DECLARED + WITH_TARGETS, grain="one row per in-scope store open in, or selling in, the period")
def store_leaderboard(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Stores ranked by sales and WeMall sales, with rank change, 环比 and 同比."""
    return leaderboard(reader, "store_id", args.period, COLUMNS, as_of=args.as_of)
