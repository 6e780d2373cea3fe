"""channel-roi — what each acquisition channel's new fans cost and what they bought.

Grain: one row per acquisition channel for the period: every channel of the
`channels` table (also one that brought no fan and spent nothing), plus any
channel id that members or spend name but `channels` lacks (name empty).
Members with no acquisition_channel belong to no channel and are left out.

SPEC.md "Acquisition-channel ROI": "New fans of a channel in a period: members
with that acquisition_channel whose joined_at falls in the period. Retained
fans (沉淀): those not unfollowed within 7 days of joining. Spend: sum of
channel_spend in the period. Cost per fan = spend / new fans; cost per retained
fan likewise. GMV within N days (N = 7, 30, 90; 30 by default): sales of those
fans' orders placed in [joined_at, joined_at + N days). Revenue per fan = GMV /
new fans. ROI = GMV / spend. Repeat rate = fans with ≥ 2 orders in the window /
fans with ≥ 1 order. Windows that have not fully elapsed by the as-of date are
marked as incomplete, never silently compared with complete ones."

Readings:
- members.acquisition_channel holds a channel_id (the demo and the loader
  write channel ids) and joins channels.channel_id.
- The period is inclusive: joined_at in [start 00:00, end + 1 day 00:00).
- Retained: unfollowed_at is null or unfollowed_at ≥ joined_at + 7 days. A fan
  who unfollowed exactly 7 days (to the second) after joining is retained; one
  who unfollowed after 6 days (or 7 days less a second) is not.
- GMV = sum of net (amount − refund_amount; a partly refunded order counts its
  net, a fully refunded one 0) of the fan's orders (orders.member_id) placed in
  [joined_at, joined_at + N days): an order on the window's last second counts,
  one at exactly joined_at + N days does not. Orders are the scoped orders
  (see Scope below). Every order in the data within the window counts; the
  as-of date only decides whether the window is complete.
- Repeat rate: an order counts as an order only while its net > 0 (SPEC
  conventions), so fans with ≥ 2 such orders in the window / fans with ≥ 1.
  Empty when no fan ordered.
- Spend with no channel_spend rows in the period is 0 (an organic channel):
  cost per fan 0, ROI empty (GMV / 0 is undefined). Every ratio with a zero
  denominator is empty.
- complete: every new fan's window has fully elapsed by the end of the as-of
  day: joined_at + N days ≤ as-of + 1 day (00:00), i.e. the latest new fan's;
  a channel with no new fans is complete (its numbers can no longer change),
  provided the period itself ends by the as-of day. Pages never rank an
  incomplete row together with complete ones.

Scope: spend is bought centrally (SPEC.md), so the scope gate hides
channel_spend under any narrowing (a scope or a filter, dashboard/scope.py);
then spend, cost per fan, cost per retained fan and ROI are empty (undefined),
not 0. Fans are the scoped members (bound to an in-scope store; unbound members
only for an unrestricted view) and GMV counts the scoped orders only (orders
credited to in-scope stores): a regional manager sees what their members
bought in their region, never another region's sales. So a region scope gives
exactly what the same region filter gives HQ.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pandas as pd

from dashboard.period import Period
from dashboard.reader import Reader
from dashboard.scope import spend_visible
from .base import MetricArgs, Option, metric

WINDOWS = (7, 30, 90)
RETAIN_DAYS = 7

DECLARED = ("channel_id", "channel_name", "spend:money", "new_fans:count", "retained_fans:count",
            "cost_per_fan:money", "cost_per_retained_fan:money", "gmv:money", "revenue_per_fan:money",
            "roi:number", "repeat_rate:rate", "complete:flag")
COLUMNS = [spec.partition(":")[0] for spec in DECLARED]

WINDOW_OPTION = Option(int, 30, "days after joining over which a fan's GMV counts (7, 30 or 90)",
                       setting="gmv_window_days", choices=WINDOWS)


def fans_sql() -> str:
    return f"""
fans AS (
  SELECT member_id, acquisition_channel AS channel_id, joined_at,
         (unfollowed_at IS NULL OR unfollowed_at >= joined_at + INTERVAL '{RETAIN_DAYS}' DAY) AS retained
  FROM members
  WHERE joined_at >= $start AND joined_at < $end AND acquisition_channel IS NOT NULL
)"""


def per_fan_sql(windows: tuple[int, ...], keys: str = "f.channel_id") -> str:
    """Per fan who ordered: GMV and orders (net > 0) within each window of
    `windows` days after joining (bound as $w0, $w1, ...; $w_max the longest),
    with the fan's `keys` (SQL over the fans row `f`, our own constant text).
    Orders are cut first to [period start, period end + longest window) on the
    sorted time column and to the fans' member_id range (what DuckDB's join
    filter pushdown would do, had it picked the fans as the build side; ids
    mostly grow with joining time, so this keeps the join small), then
    aggregated per fan before anything joins channels."""
    cols = []
    for i in range(len(windows)):
        inside = f"o.ordered_at < f.joined_at + $w{i} * INTERVAL '1' DAY"
        cols.append(f"sum(o.net) FILTER (WHERE {inside}) AS gmv_{i}")
        cols.append(f"count(*) FILTER (WHERE o.is_order AND {inside}) AS orders_{i}")
    return f"""
fan_orders AS (
  SELECT member_id, ordered_at, net, is_order
  FROM orders
  WHERE ordered_at >= $start AND ordered_at < $orders_end
    AND member_id >= (SELECT min(member_id) FROM fans) AND member_id <= (SELECT max(member_id) FROM fans)
),
per_fan AS (
  SELECT {keys}, {", ".join(cols)}
  FROM fans f
  JOIN fan_orders o ON o.member_id = f.member_id
  WHERE o.ordered_at >= f.joined_at AND o.ordered_at < f.joined_at + $w_max * INTERVAL '1' DAY
  GROUP BY f.member_id, f.channel_id, f.joined_at
)"""


def fan_params(period: Period, windows: tuple[int, ...]) -> dict:
    """The bound values of the fans / per-fan SQL: the period and each window's days."""
    return {"start": period.start_ts, "end": period.end_ts,
            "orders_end": period.end_ts + timedelta(days=max(windows)), "w_max": max(windows),
            **{f"w{i}": int(w) for i, w in enumerate(windows)}}


def end_of_day(day) -> datetime:
    """Midnight after `day`: a window has elapsed by the as-of date when it ends by this instant."""
    return datetime.combine(day + timedelta(days=1), time.min)


def _sql(windows: tuple[int, ...]) -> str:
    per_channel = []
    for i in range(len(windows)):
        per_channel += [f"coalesce(sum(gmv_{i}), 0) AS gmv_{i}",
                        f"count(*) FILTER (WHERE orders_{i} >= 1) AS buyers_{i}",
                        f"count(*) FILTER (WHERE orders_{i} >= 2) AS repeaters_{i}"]
    picked = ", ".join(f"coalesce(g.gmv_{i}, 0) AS gmv_{i}, coalesce(g.buyers_{i}, 0) AS buyers_{i}, "
                       f"coalesce(g.repeaters_{i}, 0) AS repeaters_{i}" for i in range(len(windows)))
    return f"""
WITH {fans_sql()},
{per_fan_sql(windows)},
fan_counts AS (
  SELECT channel_id, count(*) AS new_fans, count(*) FILTER (WHERE retained) AS retained_fans,
         max(joined_at) AS last_joined
  FROM fans GROUP BY channel_id
),
fan_gmv AS (
  SELECT channel_id, {", ".join(per_channel)}
  FROM per_fan GROUP BY channel_id
),
spent AS (
  SELECT channel_id, sum(spend) AS spend
  FROM channel_spend
  WHERE spend_date >= $start_day AND spend_date <= $end_day
  GROUP BY channel_id
),
every_channel AS (
  SELECT channel_id FROM channels
  UNION SELECT channel_id FROM fan_counts
  UNION SELECT channel_id FROM spent
)
SELECT e.channel_id, c.channel_name,
       CAST(coalesce(s.spend, 0) AS DOUBLE) AS spend,
       coalesce(n.new_fans, 0) AS new_fans, coalesce(n.retained_fans, 0) AS retained_fans,
       n.last_joined, {picked}
FROM every_channel e
LEFT JOIN channels c ON c.channel_id = e.channel_id
LEFT JOIN fan_counts n ON n.channel_id = e.channel_id
LEFT JOIN spent s ON s.channel_id = e.channel_id
LEFT JOIN fan_gmv g ON g.channel_id = e.channel_id
ORDER BY e.channel_id
"""


def _div(num: pd.Series, den: pd.Series) -> pd.Series:
    """num / den, empty (NaN) where den is 0 or either side is empty."""
    num, den = num.astype(float), den.astype(float)
    return (num / den.where(den != 0)).astype(float)


def channel_windows(reader: Reader, period: Period, as_of, windows=WINDOWS) -> pd.DataFrame:
    """One row per (channel, window) for the given windows (each one of 7, 30,
    90): the columns of channel-roi plus window_days. One pass over the orders
    serves every window."""
    windows = tuple(sorted({int(w) for w in windows}))
    if not windows or any(w not in WINDOWS for w in windows):
        raise ValueError(f"GMV windows must be among {WINDOWS}, got {windows}")
    params = {**fan_params(period, windows), "start_day": period.start, "end_day": period.end}
    raw = reader.query(_sql(windows), params)
    visible = spend_visible(reader.scope, reader.filters)
    known = end_of_day(as_of)
    spend = raw["spend"].astype(float) if visible else pd.Series(float("nan"), index=raw.index)
    last = pd.to_datetime(raw["last_joined"])
    frames = []
    for i, w in enumerate(windows):
        gmv = raw[f"gmv_{i}"].astype(float)
        elapsed = last.isna() | (last + pd.Timedelta(days=w) <= pd.Timestamp(known))
        frames.append(pd.DataFrame({
            "channel_id": raw["channel_id"], "channel_name": raw["channel_name"], "window_days": w,
            "spend": spend, "new_fans": raw["new_fans"].astype("int64"),
            "retained_fans": raw["retained_fans"].astype("int64"),
            "cost_per_fan": _div(spend, raw["new_fans"]),
            "cost_per_retained_fan": _div(spend, raw["retained_fans"]),
            "gmv": gmv, "revenue_per_fan": _div(gmv, raw["new_fans"]),
            "roi": _div(gmv, spend),
            "repeat_rate": _div(raw[f"repeaters_{i}"], raw[f"buyers_{i}"]),
            "complete": (elapsed & (period.end <= as_of)).astype(bool),
        }))
    return pd.concat(frames, ignore_index=True)


@metric("channel-roi", DECLARED, grain="one row per acquisition channel for the period",
        options={"window": WINDOW_OPTION})
def channel_roi(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Per channel: spend, new fans, retained fans, cost per (retained) fan, GMV
    and revenue per fan within --window days of joining, ROI, repeat rate, and
    whether every fan's window has elapsed by the as-of date (see the module)."""
    window = int(args.opt("window", 30) or 30)
    df = channel_windows(reader, args.period, args.as_of, (window,))
    return df[COLUMNS].reset_index(drop=True)
