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

Speed (issue 19): read from the channels rollups (dashboard/rollups/channels.py),
built at publish time with the definitions above: when nothing narrows the view,
channel_daily (per joined day and channel: the whole group's sums); otherwise
channel_fans (per fan, gated like members) and channel_fan_sales (per fan, order
store and order guide, gated like orders and by the fan's membership of the
scoped members), a fan's in-view rows summed before the ≥ 1 / ≥ 2 order
thresholds. The as-of date (complete) stays at query time.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pandas as pd

from ..period import Period
from ..reader import Reader
from ..rollups.channels import DAYS as rollup_days
from ..rollups.channels import RETAIN_DAYS  # noqa: F401  (re-exported: the retention rule's days)
from ..scope import nothing_narrows, spend_visible
from .base import MetricArgs, Option, metric

WINDOWS = (7, 30, 90)

DECLARED = ("channel_id", "channel_name", "spend:money", "new_fans:count", "retained_fans:count",
            "cost_per_fan:money", "cost_per_retained_fan:money", "gmv:money", "revenue_per_fan:money",
            "roi:number", "repeat_rate:rate", "complete:flag")
COLUMNS = [spec.partition(":")[0] for spec in DECLARED]

WINDOW_OPTION = Option(int, 30, "days after joining over which a fan's GMV counts (7, 30 or 90)",
                       setting="gmv_window_days", choices=WINDOWS)


def _days(windows) -> tuple[int, ...]:
    """The windows as whitelisted day counts (columns gmv_<d> / orders_<d> of the rollups)."""
    days = tuple(sorted({int(w) for w in windows}))
    if not days or any(d not in rollup_days for d in days):
        raise ValueError(f"GMV windows must be among {rollup_days}, got {days}")
    return days


def fan_params(period: Period, whole: bool, spend: bool = False, split: bool = False) -> dict:
    """The bound values of the fans SQL: the period as joined_at bounds (the
    per-fan rollups), or as days (channel_daily, `whole`; and channel_spend);
    with `split`, the whole months inside it (channel_fans_monthly) and their bounds."""
    days = {"start_day": period.start, "end_day": period.end}
    if whole:
        return days
    out = {"start": period.start_ts, "end": period.end_ts, **(days if spend else {})}
    if split:
        first, after = period.whole_months()
        out.update({"full_from": first, "full_to": after,
                    "full_from_ts": datetime.combine(first, time.min), "full_to_ts": datetime.combine(after, time.min)})
    return out


def fans_split(reader) -> bool:
    """Count the fans of whole months from channel_fans_monthly (and only the
    period's partial months fan by fan)? Not under a guide filter, which needs
    each fan's guide (the monthly rollup knows only the store)."""
    return not reader.filters.guides


def fan_counts_sql(split: bool, by_month: bool = False) -> str:
    """CTE `fan_counts`: per channel (and cohort_month with `by_month`) the scoped
    new fans of the period: fans, retained_fans, last_joined. With `split` the
    whole months come from channel_fans_monthly, the edges from channel_fans."""
    month = ", CAST(date_trunc('month', joined_at) AS DATE) AS cohort_month" if by_month else ""
    keys = "channel_id, cohort_month" if by_month else "channel_id"
    if not split:
        return f"""
fan_counts AS (
  SELECT channel_id{month}, count(*) AS fans, count(*) FILTER (WHERE retained) AS retained_fans,
         max(joined_at) AS last_joined
  FROM channel_fans
  WHERE joined_at >= $start AND joined_at < $end
  GROUP BY {keys}
)"""
    edge = (f"SELECT channel_id{month}, 1 AS fans, CASE WHEN retained THEN 1 ELSE 0 END AS retained_fans, "
            "joined_at AS last_joined FROM channel_fans WHERE joined_at >= {lo} AND joined_at < {hi}")
    months = ", month AS cohort_month" if by_month else ""
    return f"""
fan_counts AS (
  SELECT {keys}, CAST(sum(fans) AS BIGINT) AS fans, CAST(sum(retained_fans) AS BIGINT) AS retained_fans,
         max(last_joined) AS last_joined
  FROM (
    SELECT channel_id{months}, fans, retained_fans, last_joined
    FROM channel_fans_monthly WHERE month >= $full_from AND month < $full_to
    UNION ALL {edge.format(lo="$start", hi="$full_from_ts")}
    UNION ALL {edge.format(lo="$full_to_ts", hi="$end")}
  ) f
  GROUP BY {keys}
)"""


def end_of_day(day) -> datetime:
    """Midnight after `day`: a window has elapsed by the as-of date when it ends by this instant."""
    return datetime.combine(day + timedelta(days=1), time.min)


def facts_sql(windows, whole: bool, split: bool = False) -> str:
    """CTE `facts`: one row per channel with new fans in the period: new_fans,
    retained_fans, last_joined and, for each window (days, whitelisted), gmv_<i>,
    buyers_<i> (fans with ≥ 1 order in it), repeaters_<i> (≥ 2).

    `whole` (nothing narrows the view): summed from channel_daily, the whole
    group's per-day sums. Otherwise from the scoped channel_fans and
    channel_fan_sales: a fan's orders are summed over the (order store, order
    guide) rows in view before the thresholds apply, exactly as the raw SQL
    summed the fan's scoped orders."""
    days = _days(windows)
    if whole:
        sums = ", ".join(f"CAST(sum(gmv_{d}) AS DECIMAL(38,2)) AS gmv_{i}, "
                         f"CAST(sum(buyers_{d}) AS BIGINT) AS buyers_{i}, "
                         f"CAST(sum(repeaters_{d}) AS BIGINT) AS repeaters_{i}" for i, d in enumerate(days))
        return f"""
facts AS (
  SELECT channel_id, CAST(sum(new_fans) AS BIGINT) AS new_fans,
         CAST(sum(retained_fans) AS BIGINT) AS retained_fans, max(last_joined) AS last_joined, {sums}
  FROM channel_daily
  WHERE day >= $start_day AND day <= $end_day
  GROUP BY channel_id
)"""
    per_fan = ", ".join(f"sum(gmv_{d}) AS gmv_{i}, sum(orders_{d}) AS orders_{i}" for i, d in enumerate(days))
    per_channel = ", ".join(f"sum(gmv_{i}) AS gmv_{i}, count(*) FILTER (WHERE orders_{i} >= 1) AS buyers_{i}, "
                            f"count(*) FILTER (WHERE orders_{i} >= 2) AS repeaters_{i}" for i in range(len(days)))
    picked = ", ".join(f"g.gmv_{i}, coalesce(g.buyers_{i}, 0) AS buyers_{i}, "
                       f"coalesce(g.repeaters_{i}, 0) AS repeaters_{i}" for i in range(len(days)))
    return f"""{fan_counts_sql(split)},
per_fan AS (
  SELECT channel_id, member_key, {per_fan}
  FROM channel_fan_sales
  WHERE joined_at >= $start AND joined_at < $end
  GROUP BY channel_id, member_key
),
fan_gmv AS (
  SELECT channel_id, {per_channel}
  FROM per_fan GROUP BY channel_id
),
facts AS (
  SELECT n.channel_id, n.fans AS new_fans, n.retained_fans, n.last_joined, {picked}
  FROM fan_counts n LEFT JOIN fan_gmv g ON g.channel_id = n.channel_id
)"""


def _sql(windows: tuple[int, ...], whole: bool, split: bool = False) -> str:
    picked = ", ".join(f"coalesce(n.gmv_{i}, 0) AS gmv_{i}, coalesce(n.buyers_{i}, 0) AS buyers_{i}, "
                       f"coalesce(n.repeaters_{i}, 0) AS repeaters_{i}" for i in range(len(windows)))
    return f"""
WITH {facts_sql(windows, whole, split)},
spent AS (
  SELECT channel_id, sum(spend) AS spend
  FROM channel_spend
  WHERE spend_date >= $start_day AND spend_date <= $end_day
  GROUP BY channel_id
),
every_channel AS (
  SELECT channel_id FROM channels
  UNION SELECT channel_id FROM facts
  UNION SELECT channel_id FROM spent
)
SELECT e.channel_id, c.channel_name,
       CAST(coalesce(s.spend, 0) AS DOUBLE) AS spend,
       coalesce(n.new_fans, 0) AS new_fans, coalesce(n.retained_fans, 0) AS retained_fans,
       n.last_joined, {picked}
FROM every_channel e
LEFT JOIN channels c ON c.channel_id = e.channel_id
LEFT JOIN facts n ON n.channel_id = e.channel_id
LEFT JOIN spent s ON s.channel_id = e.channel_id
ORDER BY e.channel_id
"""


def _div(num: pd.Series, den: pd.Series) -> pd.Series:
    """num / den, empty (NaN) where den is 0 or either side is empty."""
    num, den = num.astype(float), den.astype(float)
    return (num / den.where(den != 0)).astype(float)


def channel_windows(reader: Reader, period: Period, as_of, windows=WINDOWS) -> pd.DataFrame:
    """One row per (channel, window) for the given windows (each one of 7, 30,
    90): the columns of channel-roi plus window_days. One query serves every
    window (see facts_sql for the rollups it reads)."""
    windows = tuple(sorted({int(w) for w in windows}))
    if not windows or any(w not in WINDOWS for w in windows):
        raise ValueError(f"GMV windows must be among {WINDOWS}, got {windows}")
    whole = nothing_narrows(reader.scope, reader.filters)
    split = not whole and fans_split(reader)
    raw = reader.query(_sql(windows, whole, split), fan_params(period, whole, spend=True, split=split))
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
