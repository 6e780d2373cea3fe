"""The sales leaderboards (stores and guides): one parametrised query over the
rollups (see windows.py), competition ranks, and growth columns.

SPEC.md: "Ranking: competition ranking (1, 2, 2, 4) by the ranked value
descending, ties then ordered by id ascending. Rank change = previous-period
rank minus current rank (positive = moved up); new entries show 新."

Ranks are computed in SQL with `rank()` over the exact DECIMAL sums, so two
entities with equal sales always tie (no floating-point near-misses).
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ..period import Period
from .base import ratios
from .target_attainment import WITH_TARGETS, month_clock
from .windows import buyers_sql, one_pass, sales_sql, window_params


# The two leaderboards differ only in what they rank (a whitelisted key, never
# user text), who is listed with no sales, and the descriptive columns.
ENTITIES = {
    "store_id": {
        # every store open at some time in the period (plus, below, any with orders in it)
        "listed": "SELECT store_id FROM stores "
                  "WHERE opened_on <= $end_day AND (closed_on IS NULL OR closed_on >= $start_day)",
        "columns": "s.store_name, s.region, s.city, s.brand",
        "joins": "LEFT JOIN stores s ON s.store_id = l.store_id",
    },
    "guide_id": {
        # every role = guide employed at some time in the period (plus any credited in it)
        "listed": "SELECT guide_id FROM guides "
                  "WHERE role = 'guide' AND hired_on <= $end_day AND (left_on IS NULL OR left_on >= $start_day)",
        "columns": "g.guide_name, g.store_id, s.store_name, s.region, g.role, g.hired_on, g.left_on",
        "joins": "LEFT JOIN guides g ON g.guide_id = l.guide_id LEFT JOIN stores s ON s.store_id = g.store_id",
    },
}


# The level of targets.level whose rows belong to each key.
TARGET_LEVEL = {"store_id": "store", "guide_id": "guide"}


def windows_of(period: Period, as_of: date | None) -> dict[str, Period]:
    """The period, the previous one (环比), the same dates a year earlier (同比)
    and, with an as-of date, its month so far (the target's month-to-date)."""
    windows = {"": period, "prev_": period.previous(), "ly_": period.year_ago()}
    if as_of is not None:
        windows["mtd_"] = month_clock(as_of)[1]
    return windows


def leaderboard_sql(reader, key: str, period: Period, as_of: date | None = None) -> str:
    """One leaderboard query for `key` (store_id or guide_id): per listed entity
    the period's sales split by channel, orders (net > 0) and buying members,
    ranks by sales and by WeMall sales, the previous period's ranks (over the
    entities with sales > 0 then, by sales and by WeMall sales) and sales, and
    the same dates a year earlier; with `as_of`, also the as-of month's sales
    so far and its target (target-attainment's figures, in the same query); all
    windows from one rollup scan, or one scan each when they lie far apart
    (windows.one_pass)."""
    e = ENTITIES[key]
    windows = windows_of(period, as_of)
    brief = tuple(w for w in windows if w)
    targets = (f"""
  LEFT JOIN targets t ON t.level = '{TARGET_LEVEL[key]}' AND t.month = $target_month AND t.target_id = l.{key}"""
               if as_of is not None else "")
    target_cols = (""",
         CASE WHEN t.target_id IS NOT NULL THEN coalesce(c.mtd_sales, 0) END AS sales_mtd,
         t.sales_target AS target""" if as_of is not None else "")
    return f"""
WITH sums AS ({sales_sql(key, windows, brief=brief, single_scan=one_pass(windows))}),
buyers AS ({buyers_sql(reader, key, period)}),
listed AS (
  {e["listed"]}
  UNION
  SELECT {key} FROM sums WHERE lines > 0
),
prev_ranked AS (
  SELECT {key},
         CASE WHEN prev_sales > 0
              THEN rank() OVER (ORDER BY CASE WHEN prev_sales > 0 THEN prev_sales END DESC NULLS LAST) END
           AS prev_rank,
         CASE WHEN prev_wemall_sales > 0
              THEN rank() OVER (ORDER BY CASE WHEN prev_wemall_sales > 0 THEN prev_wemall_sales END DESC NULLS LAST) END
           AS prev_wemall_rank
  FROM sums
),
board AS (
  SELECT l.{key}, {e["columns"]},
         coalesce(c.sales, 0) AS sales,
         coalesce(c.wemall_sales, 0) AS wemall_sales,
         coalesce(c.pos_sales, 0) AS pos_sales,
         coalesce(c.orders, 0) AS orders,
         coalesce(m.members, 0) AS members,
         coalesce(c.prev_sales, 0) AS sales_prev,
         coalesce(c.prev_wemall_sales, 0) AS wemall_sales_prev,
         coalesce(c.ly_sales, 0) AS sales_last_year,
         coalesce(c.ly_wemall_sales, 0) AS wemall_sales_last_year{target_cols}
  FROM listed l
  {e["joins"]}
  LEFT JOIN sums c ON c.{key} = l.{key}
  LEFT JOIN buyers m ON m.{key} = l.{key}{targets}
)
SELECT b.*,
       rank() OVER (ORDER BY b.sales DESC) AS rank,
       rank() OVER (ORDER BY b.wemall_sales DESC) AS wemall_rank,
       p.prev_rank,
       p.prev_wemall_rank,
       p.prev_rank - rank() OVER (ORDER BY b.sales DESC) AS rank_change,
       p.prev_wemall_rank - rank() OVER (ORDER BY b.wemall_sales DESC) AS wemall_rank_change
FROM board b
LEFT JOIN prev_ranked p ON p.{key} = b.{key}
ORDER BY rank, b.{key}
"""


def leaderboard(reader, key: str, period: Period, columns: list[str], as_of: date | None = None) -> pd.DataFrame:
    """The leaderboard of `key` for any period, typed and with its derived
    columns; with `as_of`, also `target` and `attainment` (WITH_TARGETS)."""
    df = reader.query(leaderboard_sql(reader, key, period, as_of), leaderboard_params(period, as_of))
    if as_of is not None:
        # target-attainment's attainment: month-to-date sales / target, empty
        # without a target row or with a target of 0 (the same IEEE division).
        df["target"] = df["target"].astype(float)
        df["attainment"] = ratios(df["sales_mtd"].astype(float), df["target"])
        columns = list(columns) + [c.name for c in WITH_TARGETS]
    return finish(df, columns)


def leaderboard_params(period: Period, as_of: date | None = None) -> dict:
    """Bound values for the current period, the previous one (环比), the same
    dates a year earlier (同比) and, with `as_of`, its month so far."""
    params = window_params(windows_of(period, as_of))
    if as_of is not None:
        params["target_month"] = month_clock(as_of)[0]
    return params


def _growth(cur: pd.Series, base: pd.Series) -> np.ndarray:
    """(cur - base) / base row by row (base.growth, vectorised); NaN where undefined."""
    c = cur.to_numpy(dtype=float, na_value=np.nan)
    b = base.to_numpy(dtype=float, na_value=np.nan)
    out = np.full(len(c), np.nan)
    ok = ~np.isnan(c) & ~np.isnan(b) & (b != 0)
    out[ok] = (c[ok] - b[ok]) / b[ok]
    return out


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
    df["aov"] = ratios(df["sales"], df["orders"])
    df["sales_pop"] = _growth(df["sales"], df["sales_prev"])
    df["sales_yoy"] = _growth(df["sales"], df["sales_last_year"])
    if "wemall_sales_last_year" in df:
        df["wemall_sales_pop"] = _growth(df["wemall_sales"], df["wemall_sales_prev"])
        df["wemall_sales_yoy"] = _growth(df["wemall_sales"], df["wemall_sales_last_year"])
    return df[columns].reset_index(drop=True)
