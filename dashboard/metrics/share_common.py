"""Shared pieces of the WeMall sharing metrics (分享率): the roster, the daily
share counts, the per-guide figures and the diagnosis. No metric is registered
here; share_rate.py, share_trend.py, share_heatmap.py, share_diagnosis.py,
share_funnel.py, wemall_sources.py, wemall_by_hour.py, morning_share.py and
share_attention.py build on it.

SPEC.md "WeMall sharing": "A guide meets the day's share target when they made
≥ k shares that day (k = 3 by default, configurable). Roster day: a day on
which the guide is employed (between hired_on and left_on). Share rate of a
guide, store, region or the group over a period = roster days meeting the
target / roster days (only role = guide counts)."

Readings (also in README "Metric notes · Sharing"):
- Only guides with role = guide count; store managers and community operators
  are not listed and their shares do not count.
- Roster day: hired_on ≤ day ≤ left_on, both ends inclusive (left_on is the
  last day employed, as everywhere else in the codebase); a guide's roster days
  in a period = the length of the overlap of [hired_on, left_on or ∞] with the
  period (date arithmetic, no calendar × guides join).
- Shares are counted by shares.guide_id on the day of shared_at (local time).
  A day meets the target with ≥ k shares that day and counts only when it is a
  roster day (so target_days ≤ roster_days). `shares` is every share the guide
  made in the period.
- The guide's store is guides.store_id; a store's / region's / the group's
  share rate = its guides' target days / their roster days (the sum over its
  guide rows, not an average of rates). Guides with no roster day in the
  period are not listed.
- WeMall sales credited to a guide = the net of channel = 'wemall' orders with
  orders.guide_id = the guide, placed in the period (refunds deducted on the
  order's own date, as for all sales); a store's / region's figure is the sum
  over its listed guides. sales_per_share = wemall_sales / shares (empty when
  no shares).
- Diagnosis (guide level only): median = the median WeMall sales of the guide
  rows listed (the guides in scope at that level, after the filters); share
  rate ≥ target rate and sales ≥ median → 标杆; share rate ≥ target and sales <
  median → 方法问题; share rate < target and sales ≥ median →
  积极性问题-高销售; below both → 积极性问题-低销售. The CLI prints these
  Chinese labels; the English page shows Benchmark / Method problem /
  Motivation (high sales) / Motivation (low sales).
"""
from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from ..period import Period
from ..reader import Reader
from .base import Memo, Option, days_from, ratios

K_OPTION = Option(int, 3, "shares a day that meet a guide's daily share target", setting="share_k", minimum=1)
TARGET_OPTION = Option(float, 0.8, "target share rate (a fraction 0-1)", setting="share_target_rate", minimum=0)
SHARE_OPTIONS = {"k": K_OPTION, "target_rate": TARGET_OPTION}

# The four diagnosis values, in quadrant order (the CLI prints these).
BENCHMARK, METHOD, MOTIVATION_HIGH, MOTIVATION_LOW = "标杆", "方法问题", "积极性问题-高销售", "积极性问题-低销售"
DIAGNOSES = (BENCHMARK, METHOD, MOTIVATION_HIGH, MOTIVATION_LOW)
# Message keys of the four values (the page translates them).
DIAGNOSIS_KEYS = {BENCHMARK: "benchmark", METHOD: "method", MOTIVATION_HIGH: "motivation_high",
                  MOTIVATION_LOW: "motivation_low"}


def k_of(args) -> int:
    return max(1, int(args.opt("k", 3) or 3))


def target_of(args) -> float:
    value = args.opt("target_rate", 0.8)
    return 0.8 if value is None else float(value)


def params(period: Period, k: int) -> dict:
    return {"start_day": period.start, "end_day": period.end, "k": int(k)}


# Guides on the roster in the period (role = guide), with the first and last
# roster day inside the period. Bound: $start_day, $end_day.
ROSTER_CTE = """
roster AS (
  SELECT g.guide_id, g.guide_name, g.store_id,
         greatest(g.hired_on, $start_day) AS from_day,
         least(coalesce(g.left_on, $end_day), $end_day) AS to_day
  FROM guides g
  WHERE g.role = 'guide' AND g.hired_on <= $end_day AND (g.left_on IS NULL OR g.left_on >= $start_day)
)"""

# Shares per (guide, day) in the period, with the day's roster flag and the
# guide's credited WeMall sales that day, from the guide_share_days rollup (the
# scoped shares by their own store, the scoped WeMall orders by theirs, per
# day, store and guide): a simple row of a guide (their own store, all their
# shares that day in it) is already the guide's day; the other rows
# (guide_share_other: a split day, another store) are summed per guide and day
# over the stores in view first. Bound: $start_day, $end_day.
DAILY_CTE = """
daily AS (
  SELECT guide_key, day, shares AS n, on_roster, wemall_sales
  FROM guide_share_days
  WHERE day >= $start_day AND day <= $end_day AND simple AND is_guide
  UNION ALL
  SELECT guide_key, day, CAST(sum(shares) AS BIGINT) AS n, on_roster,
         CAST(sum(wemall_sales) AS DECIMAL(18,2)) AS wemall_sales
  FROM guide_share_other
  WHERE day >= $start_day AND day <= $end_day
  GROUP BY guide_key, day, on_roster
)"""

# One row per listed guide: roster days, target days, shares, WeMall sales.
# The daily rows are summed per guide first, then joined to the roster (a
# target day: ≥ k shares on a roster day; the roster's days lie in the period).
PER_GUIDE_TEMPLATE = f"""WITH {ROSTER_CTE},
{DAILY_CTE},
shared AS (
  SELECT d.guide_key, sum(d.n) AS shares,
         count(*) FILTER (WHERE d.n >= $k AND d.on_roster) AS target_days,
         {{wemall}} AS wemall_sales
  FROM daily d
  GROUP BY d.guide_key
),
per_guide AS (
  SELECT r.guide_id, r.guide_name, r.store_id, s.store_name, s.region,
         date_diff('day', r.from_day, r.to_day) + 1 AS roster_days,
         coalesce(sh.target_days, 0) AS target_days,
         coalesce(sh.shares, 0) AS shares,
         coalesce(sh.wemall_sales, 0) AS wemall_sales
  FROM roster r
  LEFT JOIN stores s ON s.store_id = r.store_id
  LEFT JOIN guide_keys gk ON gk.guide_id = r.guide_id
  LEFT JOIN shared sh ON sh.guide_key = gk.guide_key
)"""
# WeMall sales credited = the net of the guide's WeMall orders in the period.
PER_GUIDE_CTES = PER_GUIDE_TEMPLATE.replace("{wemall}", "sum(d.wemall_sales)")

# The guide rows, WeMall sales in whole cents (exact: a sum over guides stays
# the exact DECIMAL sum, and cents / 100 is the same double as the DECIMAL's cast).
GUIDE_ROWS_SQL = PER_GUIDE_CTES + """
SELECT guide_id, guide_name, store_id, store_name, region, roster_days, target_days,
       CAST(shares AS BIGINT) AS shares, CAST(wemall_sales * 100 AS BIGINT) AS wemall_cents
FROM per_guide ORDER BY guide_id"""

LEVELS = ("guide", "store", "region", "total")
# Above guide level: the sums over the level's guide rows (not an average of rates).
LEVEL_KEYS = {"store": ["store_id", "store_name", "region"], "region": ["region"], "total": []}
SUMMED = ["roster_days", "target_days", "shares", "wemall_cents"]


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    for c in ("roster_days", "target_days", "shares"):
        df[c] = df[c].fillna(0).astype("int64")
    df["wemall_sales"] = df["wemall_sales"].fillna(0.0).astype(float)
    df["share_rate"] = ratios(df["target_days"], df["roster_days"])
    df["sales_per_share"] = ratios(df["wemall_sales"], df["shares"])
    return df


def share_figures(reader: Reader, period: Period, k: int, level: str) -> pd.DataFrame:
    """Roster days, target days, share rate, shares, WeMall sales and sales per
    share at `level` (guide, store, region or total) for the period: the guide
    rows of one query (`guide_rows`, shared by every level and metric of the
    same view, period and k), summed per store, region or in total."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    guides = guide_rows(reader, period, k)
    if level == "guide":
        df = guides
    elif level == "total":
        df = pd.DataFrame([{c: int(guides[c].sum()) for c in SUMMED}], columns=SUMMED)
    else:
        keys = LEVEL_KEYS[level]
        df = (guides.groupby(keys, dropna=False, sort=False)[SUMMED].sum().reset_index()
              .sort_values(keys[0], kind="mergesort", na_position="last").reset_index(drop=True))
    df = df.assign(wemall_sales=df["wemall_cents"].to_numpy(dtype="float64") / 100.0).drop(columns="wemall_cents")
    return _finish(df)


# The guide rows per (database version, scope, filters, period, k): the share
# page asks for them at four levels and in the diagnosis and the heatmap on
# every rerun; one query answers all.
_ROWS = Memo()


def guide_rows(reader: Reader, period: Period, k: int) -> pd.DataFrame:
    def compute() -> pd.DataFrame:
        df = reader.query(GUIDE_ROWS_SQL, params(period, k))
        for c in SUMMED:
            df[c] = df[c].fillna(0).astype("int64")
        return df
    return _ROWS.get(reader, (period.start, period.end, int(k)), compute)


def diagnose(guides: pd.DataFrame, target_rate: float) -> tuple[pd.Series, float | None]:
    """The diagnosis of each guide row and the median WeMall sales it used."""
    if guides.empty:
        return pd.Series([], dtype=object, index=guides.index), None
    median = float(guides["wemall_sales"].median())
    # A tiny tolerance so 0.8 set as the target matches 4/5 however it was typed.
    meets = guides["share_rate"] >= target_rate - 1e-12
    high = guides["wemall_sales"] >= median
    values = np.select([meets & high, meets & ~high, ~meets & high], [BENCHMARK, METHOD, MOTIVATION_HIGH],
                       default=MOTIVATION_LOW)
    return pd.Series(values, index=guides.index, dtype=object), median


def guide_figures(reader: Reader, period: Period, k: int, target_rate: float) -> tuple[pd.DataFrame, float | None]:
    """Guide rows with their diagnosis, and the median WeMall sales."""
    guides = share_figures(reader, period, k, "guide")
    guides["diagnosis"], median = diagnose(guides, target_rate)
    return guides, median


ROSTER_SQL = f"WITH {ROSTER_CTE}\nSELECT guide_id, from_day, to_day FROM roster"


def roster_intervals(reader: Reader, period: Period) -> pd.DataFrame:
    return reader.query(ROSTER_SQL, {"start_day": period.start, "end_day": period.end})


def days_of(period: Period) -> list:
    return [period.start + timedelta(days=i) for i in range(period.days)]


def guides_on_roster_by_day(intervals: pd.DataFrame, period: Period) -> np.ndarray:
    """How many of the guides are on the roster on each day of the period
    (a running sum of +1 at from_day and -1 after to_day)."""
    counts = np.zeros(period.days + 1, dtype="int64")
    if len(intervals):
        first = days_from(intervals["from_day"], period.start).astype("int64")
        last = days_from(intervals["to_day"], period.start).astype("int64")
        np.add.at(counts, first, 1)
        np.add.at(counts, last + 1, -1)
    return np.cumsum(counts)[:-1]
