"""anomalies — store days whose sales are far from the same weekday's usual level.

Grain: one row per (in-scope store, day of the period) flagged as an anomaly;
days that are not anomalies are not listed.

Issue 21: "A store's daily sales against the same weekday of the previous 8
weeks (median and MAD, robust to Double 11), flagged with the size of the gap."

Definition, for store s on day d (sales = net of the store's orders that day,
SPEC.md "Sales"):
- reference days: d − 7, d − 14, …, d − 7·weeks (weeks = setting
  anomaly_weeks, default 8), keeping only those on which the store was open
  (opened_on ≤ day and (closed_on is null or closed_on ≥ day)); a reference day
  without orders counts as 0 sales. With fewer than half of them (ceil(weeks/2))
  the store has no baseline that day and is never flagged (a new store).
- baseline = the median of the reference days' sales; MAD = the median of
  |reference sales − baseline|. One Double 11 among eight Mondays moves
  neither: a past spike cannot inflate the baseline or hide the next anomaly.
- deviation (robust z) = (sales − baseline) / (1.4826 × MAD); 1.4826 makes the
  MAD estimate a standard deviation for normal data, so the threshold reads like
  a z-score.
- MAD = 0 (more than half of the reference days have the same sales, e.g. a
  store that mostly sells nothing): the scale falls back to 1.2533 × the mean
  absolute deviation from the median (the usual modified-z convention for this
  case). If that is 0 too (every reference day the same), the spread is unknown:
  deviation is empty and the day is not flagged.
- flagged when |deviation| ≥ threshold (setting anomaly_threshold, default
  3.5, the customary cut-off for modified z-scores); direction = up / down.
- Only days the store was open are judged (closing is not an anomaly; a store
  open and selling nothing is, when its usual day is not nothing).
above_baseline = sales − baseline (¥, negative below). Rows ordered by day,
then by |deviation| descending, then store_id.
"""
from __future__ import annotations

import math
import warnings
from datetime import timedelta

import numpy as np
import pandas as pd

from ..reader import Reader
from .base import MetricArgs, Option, days_from, metric

MAD_TO_SD = 1.4826
MEAN_AD_TO_SD = 1.253314

DECLARED = ("store_id", "day:date", "sales:money", "baseline:money", "deviation:number", "direction",
            "store_name", "region", "above_baseline:money", "mad:money", "reference_days:count")
COLUMNS = [c.partition(":")[0] for c in DECLARED]

# A store's sales per day from the daily rollup (dashboard/rollups/sales.py:
# the exact DECIMAL sums of net per day, store and channel, scoped like orders).
DAILY_SQL = """
SELECT store_id, day, sum(sales) AS sales
FROM daily_store_sales
WHERE day >= $start{i} AND day < $end{i}
GROUP BY store_id, day"""


def needed_ranges(first, last, weeks: int) -> list[tuple]:
    """The days whose sales the period's judgements read (each day and its
    same weekdays before), as [start, end) ranges of consecutive days. A short
    period (the morning check's one day) reads 9 days, not 57: each range is
    its own time-filtered scan, so DuckDB skips the row groups between them."""
    days = sorted({first + timedelta(days=n) - timedelta(days=7 * k)
                   for n in range((last - first).days + 1) for k in range(weeks + 1)})
    ranges, begin, prev = [], days[0], days[0]
    for d in days[1:]:
        if d != prev + timedelta(days=1):
            ranges.append((begin, prev + timedelta(days=1)))
            begin = d
        prev = d
    ranges.append((begin, prev + timedelta(days=1)))
    return ranges


def daily_sales(reader: Reader, first, last, weeks: int) -> pd.DataFrame:
    ranges = needed_ranges(first, last, weeks)
    sql = "\nUNION ALL".join(DAILY_SQL.format(i=i) for i in range(len(ranges)))
    params = {}
    for i, (a, b) in enumerate(ranges):
        params[f"start{i}"] = a
        params[f"end{i}"] = b
    return reader.query(sql, params)

STORES_SQL = """
SELECT store_id, store_name, region, opened_on, closed_on FROM stores
WHERE opened_on <= $last_day AND (closed_on IS NULL OR closed_on >= $first_day)
ORDER BY store_id
"""


def nan_median(x: np.ndarray) -> np.ndarray:
    """np.nanmedian along the last axis, the same values (the mean of the two
    middle values for an even count; NaN where every value is NaN), by one sort
    with NaN last: numpy's nanmedian loops in Python over short rows (0.5 s
    for a year of 600 stores × 8 weeks; this takes 35 ms)."""
    ordered = np.sort(x, axis=-1)
    n = np.sum(~np.isnan(x), axis=-1)
    low = np.take_along_axis(ordered, np.maximum((n - 1) // 2, 0)[..., None], -1)[..., 0]
    high = np.take_along_axis(ordered, np.maximum(n // 2, 0)[..., None], -1)[..., 0]
    with np.errstate(all="ignore"):
        return np.where(n > 0, (low + high) / 2, np.nan)


def robust_scores(history: np.ndarray):
    """(baseline, mad, scale) of `history` along its last axis (NaN = no reference
    day). scale = 1.4826·MAD, or 1.2533·mean|x − median| where MAD is 0; NaN if both are 0."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # rows with no reference day: NaN, as meant
        baseline = nan_median(history)
        dev = np.abs(history - baseline[..., None])
        mad = nan_median(dev)
        mean_ad = np.nanmean(dev, axis=-1)
    scale = np.where(mad > 0, MAD_TO_SD * mad, MEAN_AD_TO_SD * mean_ad)
    scale = np.where(scale > 0, scale, np.nan)
    return baseline, mad, scale


def anomaly_rows(reader: Reader, first, last, threshold: float, weeks: int) -> pd.DataFrame:
    lookback = 7 * weeks
    start = first - timedelta(days=lookback)
    n_days = (last - start).days + 1
    stores = reader.query(STORES_SQL, {"first_day": start, "last_day": last})
    daily = daily_sales(reader, first, last, weeks)
    if stores.empty:
        return pd.DataFrame(columns=COLUMNS)
    index = {s: i for i, s in enumerate(stores["store_id"])}
    sales = np.zeros((len(stores), n_days))
    daily = daily[daily["store_id"].isin(index)]
    if not daily.empty:
        rows = daily["store_id"].map(index).to_numpy()
        cols = days_from(daily["day"], start).astype("int64")
        sales[rows, cols] = daily["sales"].astype(float).to_numpy()
    day_numbers = np.arange(n_days)
    opened = days_from(stores["opened_on"], start)
    closed = np.nan_to_num(days_from(stores["closed_on"], start), nan=n_days)
    is_open = (day_numbers[None, :] >= opened[:, None]) & (day_numbers[None, :] <= closed[:, None])
    need = math.ceil(weeks / 2)
    judged = np.arange(lookback, n_days)                               # the period's days
    refs = judged[:, None] - 7 * np.arange(1, weeks + 1)[None, :]      # (days, weeks)
    history = np.where(is_open[:, refs], sales[:, refs], np.nan)       # (stores, days, weeks)
    count = np.sum(~np.isnan(history), axis=-1)
    baseline, mad, scale = robust_scores(history)
    today = sales[:, judged]
    with np.errstate(all="ignore"):
        z = (today - baseline) / scale
    hit = is_open[:, judged] & (count >= need) & ~np.isnan(z) & (np.abs(z) >= threshold)
    i, k = np.nonzero(hit)
    j = judged[k]
    z_hit = z[i, k]
    df = pd.DataFrame({
        "store_id": stores["store_id"].to_numpy()[i],
        "day": [start + timedelta(days=int(d)) for d in j],
        "sales": sales[i, j], "baseline": baseline[i, k], "deviation": z_hit,
        "direction": np.where(z_hit > 0, "up", "down"),
        "store_name": stores["store_name"].to_numpy()[i], "region": stores["region"].to_numpy()[i],
        "above_baseline": sales[i, j] - baseline[i, k], "mad": mad[i, k], "reference_days": count[i, k],
    }, columns=COLUMNS)
    if df.empty:
        return df
    df["_abs"] = df["deviation"].abs()
    df = df.sort_values(["day", "_abs", "store_id"], ascending=[True, False, True], kind="stable")
    df["reference_days"] = df["reference_days"].astype("Int64")
    return df[COLUMNS].reset_index(drop=True)


@metric("anomalies", DECLARED, grain="one row per (in-scope store, day of the period) flagged as an anomaly",
        options={"threshold": Option(float, 3.5, "robust z (MAD units) that flags a day", setting="anomaly_threshold",
                                     minimum=0),
                 "weeks": Option(int, 8, "same weekdays before a day that make its baseline", setting="anomaly_weeks",
                                 minimum=1)})
def anomalies(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Store days whose sales deviate from the median of the same weekday of the
    previous weeks by ≥ threshold robust z (MAD units)."""
    threshold = float(args.opt("threshold", 3.5) or 3.5)
    weeks = int(args.opt("weeks", 8) or 8)
    return anomaly_rows(reader, args.period.start, args.period.end, threshold, weeks)
