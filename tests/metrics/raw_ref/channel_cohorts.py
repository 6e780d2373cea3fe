"""channel-cohorts — monthly cohorts of new fans per channel: cumulative revenue per fan by days since joining.

Grain: one row per (acquisition channel, cohort month, day checkpoint) for the
period, for every (channel, month) with at least one new fan; rows ordered by
channel_id, cohort_month, day.

Issue 19 (seed 004): "Monthly cohorts per channel: cumulative revenue per fan
by days since joining, so channels are compared at equal age; cells whose
window has not elapsed by the as-of date are left empty, never extrapolated."

Readings:
- The fans are channel-roi's new fans (members joined in the period, by their
  acquisition_channel; same scope rules: see channel_roi.py). cohort_month
  (YYYY-MM) is the calendar month of joined_at; a period starting or ending
  inside a month makes that month's cohort the fans of the period's part of it.
- day: days since joining, at the checkpoints 1, 3, 7, 14, 30, 60, 90 up to
  --window (default 90): at most 7 rows per cohort. revenue_per_fan at day d =
  net sales of the cohort's fans' orders placed in [joined_at, joined_at + d
  days) / the cohort's fans (cumulative; day 1 = the first 24 hours).
- complete: every fan of the cohort has been a fan for d days by the end of the
  as-of day (the cohort's latest joined_at + d days ≤ as-of + 1 day, 00:00, and
  the period ends by the as-of day). An incomplete cell's revenue_per_fan is
  empty, never a partial or extrapolated number.

The column `day` here is a number of days, while sales-trend's `day` is a
date: the CLI contract names both `day`, so this metric does not declare it
(dashboard/columns.py lets a column name mean one thing only). It prints as a
plain integer; a table or export of these rows must rename it first, since
display kinds are looked up by column name.
"""
from __future__ import annotations

import pandas as pd

from dashboard.reader import Reader
from .base import MetricArgs, Option, metric
from .channel_roi import WINDOWS, end_of_day, fan_params, fans_sql, per_fan_sql

CHECKPOINTS = (1, 3, 7, 14, 30, 60, 90)

DECLARED = ("channel_id", "cohort_month", "fans:count", "revenue_per_fan:money", "complete:flag")
COLUMNS = ["channel_id", "cohort_month", "fans", "day", "revenue_per_fan", "complete"]


def _sql(days: tuple[int, ...]) -> str:
    sums = ", ".join(f"coalesce(sum(gmv_{i}), 0) AS gmv_{i}" for i in range(len(days)))
    picked = ", ".join(f"coalesce(g.gmv_{i}, 0) AS gmv_{i}" for i in range(len(days)))
    return f"""
WITH {fans_sql()},
{per_fan_sql(days, "f.channel_id, CAST(date_trunc('month', f.joined_at) AS DATE) AS cohort_month")},
cohorts AS (
  SELECT channel_id, CAST(date_trunc('month', joined_at) AS DATE) AS cohort_month,
         count(*) AS fans, max(joined_at) AS last_joined
  FROM fans GROUP BY 1, 2
),
cohort_gmv AS (
  SELECT channel_id, cohort_month, {sums}
  FROM per_fan GROUP BY 1, 2
)
SELECT c.channel_id, c.cohort_month, c.fans, c.last_joined, {picked}
FROM cohorts c
LEFT JOIN cohort_gmv g ON g.channel_id = c.channel_id AND g.cohort_month = c.cohort_month
ORDER BY c.channel_id, c.cohort_month
"""


@metric("channel-cohorts", DECLARED, grain="one row per (acquisition channel, cohort month, day checkpoint)",
        # One CLI flag --window serves channel-roi and channel-cohorts: same type and choices.
        options={"window": Option(int, 90, "days after joining the cohort curves reach (7, 30 or 90)",
                                  choices=WINDOWS)})
def channel_cohorts(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Cumulative revenue per fan of each channel's monthly cohort at days 1, 3,
    7, 14, 30, 60, 90 since joining (up to --window); empty where the cohort's
    window has not elapsed by the as-of date (complete false). Prints channel_id,
    cohort_month, fans, day (days since joining: an integer, left undeclared
    because sales-trend declares `day` as a date), revenue_per_fan, complete."""
    window = int(args.opt("window", 90) or 90)
    if window not in WINDOWS:
        raise ValueError(f"--window must be one of {WINDOWS}")
    days = tuple(d for d in CHECKPOINTS if d <= window)
    raw = reader.query(_sql(days), fan_params(args.period, days))
    known = pd.Timestamp(end_of_day(args.as_of))
    last = pd.to_datetime(raw["last_joined"])
    frames = []
    for i, d in enumerate(days):
        complete = (last + pd.Timedelta(days=d) <= known) & (args.period.end <= args.as_of)
        revenue = raw[f"gmv_{i}"].astype(float) / raw["fans"].astype(float)
        frames.append(pd.DataFrame({
            "channel_id": raw["channel_id"],
            "cohort_month": [pd.Timestamp(m).strftime("%Y-%m") for m in raw["cohort_month"]],
            "fans": raw["fans"].astype("int64"), "day": d,
            "revenue_per_fan": revenue.where(complete), "complete": complete.astype(bool)}))
    if not frames or raw.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(
            COLUMNS, ("object", "object", "int64", "int64", "float64", "bool"))})
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["channel_id", "cohort_month", "day"], kind="stable")[COLUMNS].reset_index(drop=True)
