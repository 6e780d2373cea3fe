"""Shared pieces of the sales leaderboards (stores and guides): the per-entity
sales aggregate, competition ranks, and growth columns.

SPEC.md: "Ranking: competition ranking (1, 2, 2, 4) by the ranked value
descending, ties then ordered by id ascending. Rank change = previous-period
rank minus current rank (positive = moved up); new entries show 新."

Ranks are computed in SQL with `rank()` over the exact DECIMAL sums, so two
entities with equal sales always tie (no floating-point near-misses).
"""
from __future__ import annotations

import pandas as pd

from ..period import Period
from .base import growth, period_params, ratio



def sales_by(key: str, prefix: str) -> str:
    """SQL selecting, per `key` (store_id or guide_id, a whitelisted constant),
    the period's sales split by channel, orders (net > 0) and buying members.
    Bound params: ${prefix}start, ${prefix}end."""
    return f"""
  SELECT {key},
         sum(net) AS sales,
         coalesce(sum(net) FILTER (WHERE channel = 'wemall'), 0) AS wemall_sales,
         coalesce(sum(net) FILTER (WHERE channel = 'pos'), 0) AS pos_sales,
         count(*) FILTER (WHERE is_order) AS orders,
         count(DISTINCT member_id) FILTER (WHERE is_order) AS members
  FROM orders
  WHERE ordered_at >= ${prefix}start AND ordered_at < ${prefix}end AND {key} IS NOT NULL
  GROUP BY {key}"""


def previous_ranks(key: str, source: str) -> str:
    """SQL ranking the previous period's entities that had sales > 0 (by sales,
    and separately by WeMall sales among those with WeMall sales > 0)."""
    return f"""
  SELECT {key},
         CASE WHEN sales > 0 THEN rank() OVER (ORDER BY CASE WHEN sales > 0 THEN sales END DESC NULLS LAST) END
           AS prev_rank,
         CASE WHEN wemall_sales > 0
              THEN rank() OVER (ORDER BY CASE WHEN wemall_sales > 0 THEN wemall_sales END DESC NULLS LAST) END
           AS prev_wemall_rank,
         sales AS sales_prev, wemall_sales AS wemall_sales_prev
  FROM {source}"""


def leaderboard_params(period: Period) -> dict:
    """Bound values for the current period, the previous one (环比) and the
    same dates a year earlier (同比)."""
    return {
        **period_params(period),
        **period_params(period.previous(), "prev_"),
        **period_params(period.year_ago(), "ly_"),
        "start_day": period.start,
        "end_day": period.end,
    }


def _floats(values) -> list[float]:
    """None (undefined) as NaN, so the column stays numeric; the CLI prints it empty."""
    return [float("nan") if v is None else v for v in values]


def finish(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Types and derived columns shared by both leaderboards: money as float,
    counts and ranks as nullable ints, AOV and growth empty when undefined."""
    for c in ("sales", "wemall_sales", "pos_sales", "sales_prev", "wemall_sales_prev",
              "sales_last_year", "wemall_sales_last_year"):
        if c in df:
            df[c] = df[c].astype(float)
    for c in ("orders", "members", "rank", "wemall_rank", "prev_rank", "prev_wemall_rank",
              "rank_change", "wemall_rank_change"):
        if c in df:
            df[c] = df[c].astype("Int64")
    df["aov"] = _floats(ratio(s, o) for s, o in zip(df["sales"], df["orders"]))
    df["sales_pop"] = _floats(growth(c, b) for c, b in zip(df["sales"], df["sales_prev"]))
    df["sales_yoy"] = _floats(growth(c, b) for c, b in zip(df["sales"], df["sales_last_year"]))
    if "wemall_sales_last_year" in df:
        df["wemall_sales_pop"] = _floats(growth(c, b) for c, b in zip(df["wemall_sales"], df["wemall_sales_prev"]))
        df["wemall_sales_yoy"] = _floats(growth(c, b) for c, b in zip(df["wemall_sales"], df["wemall_sales_last_year"]))
    return df[columns].reset_index(drop=True)
