"""share-attention — guides below the share target on their last 3 roster days.

Grain: one row per in-scope guide (role = guide) on the roster on the as-of
day and the two days before (hired_on ≤ as_of − 2, left_on null or ≥ as_of)
who made fewer than k shares on each of those 3 days: the morning check's
"needs attention" item. Ordered by store_id, then guide_id.

SPEC.md: "A guide meets the day's share target when they made ≥ k shares that
day." Issue 16: "in 'needs attention', the guides below target for the last 3
roster days". Read: a guide's roster days are consecutive, so a guide still
employed on the as-of day has as_of − 2 … as_of as the last three; a guide
who left earlier, or was hired less than 3 days ago, is not listed. shares =
the guide's shares over those 3 days; since_day = the first of them.
Shares are read from the guide_share_days rollup (per day, store and guide).
"""
from __future__ import annotations

from datetime import timedelta

import pandas as pd

from ..columns import cols
from ..reader import Reader
from .base import MetricArgs, metric
from .share_common import SHARE_OPTIONS, k_of

DECLARED = cols("guide_id", "guide_name", "store_id", "store_name", "region", "shares:count", "since_day:date")
COLUMNS = [c.name for c in DECLARED]
DAYS = 3

SQL = """
WITH daily AS (
  SELECT guide_id, day, sum(shares) AS n
  FROM guide_share_days WHERE day >= $from_day AND day <= $to_day
  GROUP BY guide_id, day
),
per_guide AS (
  SELECT guide_id, sum(n) AS shares, count(*) FILTER (WHERE n >= $k) AS target_days
  FROM daily GROUP BY guide_id
)
SELECT g.guide_id, g.guide_name, g.store_id, s.store_name, s.region, coalesce(p.shares, 0) AS shares
FROM guides g
JOIN stores s ON s.store_id = g.store_id
LEFT JOIN per_guide p ON p.guide_id = g.guide_id
WHERE g.role = 'guide' AND g.hired_on <= $from_day AND (g.left_on IS NULL OR g.left_on >= $to_day)
  AND coalesce(p.target_days, 0) = 0
ORDER BY g.store_id, g.guide_id
"""


@metric("share-attention", DECLARED, grain="one row per guide below target on each of their last 3 roster days",
        options=SHARE_OPTIONS,
        as_of_only=True)
def share_attention(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Guides on the roster who made fewer than k shares on each of the last 3 days up to the as-of day."""
    first = args.as_of - timedelta(days=DAYS - 1)
    df = reader.query(SQL, {"k": k_of(args), "from_day": first, "to_day": args.as_of})
    df["shares"] = df["shares"].astype("int64")
    df["since_day"] = first
    return df[COLUMNS]
