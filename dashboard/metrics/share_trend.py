"""share-trend — the daily share rate against the target rate.

Grain: one row per day of the period (every day, also days with no guide on
the roster, whose share rate is empty).

SPEC.md: "Share rate of a guide, store, region or the group over a period =
roster days meeting the target / roster days (only role = guide counts)."
Read per day: roster_guides = in-scope guides with role = guide on the roster
that day (hired_on ≤ day ≤ left_on); target_guides = those of them with ≥ k
shares that day; share_rate = target_guides / roster_guides; target_rate = the
target rate in force (the line the page draws); shares = every share that day
by the guides listed in the period. Summed over the days, roster_guides and
target_guides are exactly share-rate's roster_days and target_days.
"""
from __future__ import annotations

import pandas as pd

from ..columns import cols
from ..reader import Reader
from .base import MetricArgs, metric, ratio
from .share_common import (ROSTER_CTE, SHARE_OPTIONS, days_of, guides_on_roster_by_day, k_of, params,
                           roster_intervals, target_of)

DECLARED = cols("day:date", "roster_guides:count", "target_guides:count", "share_rate:rate", "target_rate:rate",
                "shares:count")
COLUMNS = [c.name for c in DECLARED]

# From guide_share_days (see share_common.DAILY_CTE): a simple row of a guide
# is visible exactly when the guide is in view, so it needs no roster join,
# only the guide's employment overlapping the period; the other rows are
# summed per guide and day and kept for the guides on the roster.
SQL = f"""WITH {ROSTER_CTE},
daily AS (
  SELECT day, shares AS n, on_roster
  FROM guide_share_days
  WHERE day >= $start_day AND day <= $end_day AND simple AND is_guide
    AND hired_on <= $end_day AND (left_on IS NULL OR left_on >= $start_day)
  UNION ALL
  SELECT day, CAST(sum(shares) AS BIGINT) AS n, on_roster
  FROM guide_share_other
  WHERE day >= $start_day AND day <= $end_day AND guide_id IN (SELECT guide_id FROM roster)
  GROUP BY guide_id, day, on_roster
)
SELECT d.day,
       count(*) FILTER (WHERE d.n >= $k AND d.on_roster) AS target_guides,
       sum(d.n) AS shares
FROM daily d
GROUP BY d.day
"""


@metric("share-trend", DECLARED, grain="one row per day of the period", options=SHARE_OPTIONS)
def share_trend(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Each day's share rate (guides meeting the target / guides on the roster) and the target rate."""
    period = args.period
    days = days_of(period)
    on_roster = guides_on_roster_by_day(roster_intervals(reader, period), period)
    met = reader.query(SQL, params(period, k_of(args)))
    met["day"] = pd.to_datetime(met["day"]).dt.date
    by_day = met.set_index("day")
    target = target_of(args)
    rows = []
    for day, roster in zip(days, on_roster):
        hit = int(by_day["target_guides"].get(day, 0))
        rows.append({"day": day, "roster_guides": int(roster), "target_guides": hit,
                     "share_rate": ratio(hit, int(roster)), "target_rate": target,
                     "shares": int(by_day["shares"].get(day, 0))})
    return pd.DataFrame(rows, columns=COLUMNS).astype({"share_rate": float})
