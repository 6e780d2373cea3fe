"""community-changes — groups that went silent or fell below the alive line.

Grain: one row per (in-scope group, day of the period, reason) where it
happened; rows ordered by day descending, reason, group_id. The community page
asks for this week (Monday to the as-of date), the morning check for the as-of
date alone (morning-community).

SPEC.md "Community (社群) and KOC": "A group is alive on a day with ≥ 10 active
members (configurable); silent when no member message in the last 14 days
(configurable) up to the as-of date."
- went_silent on day d: silent at d and not silent at d − 1, i.e. the group's
  last member message up to d was exactly silent_days days before d (with 14:
  on d − 14; d − 13 … d had none). last_member_message_on = that day.
- below_alive on day d: alive on d − 1 (≥ alive_members active members) and
  not on d. active_members / prev_active_members: on d and d − 1.
- Only groups existing on d (created_at < d's end, dissolved_at null or > d's
  start): a dissolved group falls silent without news.

Reads the group_days rollup (dashboard/rollups/community.py): each day with
member messages and the group's next one (lead).
"""
from __future__ import annotations

from datetime import timedelta

import pandas as pd

from ..period import Period
from ..reader import Reader
from .base import MetricArgs, metric
from .community import ALIVE, SILENT, opt_int

DECLARED = ("group_id", "group_name", "store_id", "reason", "day:date", "active_members:count",
            "prev_active_members:count", "last_member_message_on:date")
COLUMNS = [c.partition(":")[0] for c in DECLARED]

# Over the group_days rollup's days with member messages in [period start −
# silent_days − 1, period end]: each such day x with the group's next one y
# (lead). went_silent on d = x + silent_days when y is none or after d (d − 1
# had member messages only if it is x itself, with silent_days = 1);
# below_alive on x + 1 when x was alive and x + 1 (y if y = x + 1, else a day
# without member messages) is not.
SQL = """
WITH spoken AS (
  SELECT group_id, day, active_members,
         lead(day) OVER (PARTITION BY group_id ORDER BY day) AS next_day,
         lead(active_members) OVER (PARTITION BY group_id ORDER BY day) AS next_active
  FROM group_days
  WHERE member_messages > 0 AND day >= $read_from AND day <= $last_day
),
events AS (
  SELECT group_id, 'went_silent' AS reason, CAST(day + INTERVAL 1 DAY * $silent_days AS DATE) AS day,
         0 AS active_members, CASE WHEN $silent_days = 1 THEN active_members ELSE 0 END AS prev_active_members,
         day AS last_member_message_on
  FROM spoken
  WHERE next_day IS NULL OR next_day > CAST(day + INTERVAL 1 DAY * $silent_days AS DATE)
  UNION ALL
  SELECT group_id, 'below_alive', CAST(day + INTERVAL 1 DAY AS DATE),
         CASE WHEN next_day = CAST(day + INTERVAL 1 DAY AS DATE) THEN next_active ELSE 0 END,
         active_members, CAST(NULL AS DATE)
  FROM spoken
  WHERE active_members >= $alive
    AND (CASE WHEN next_day = CAST(day + INTERVAL 1 DAY AS DATE) THEN next_active ELSE 0 END) < $alive
)
SELECT g.group_id, g.group_name, g.store_id, e.reason, e.day, e.active_members, e.prev_active_members,
       e.last_member_message_on
FROM events e
JOIN groups g ON g.group_id = e.group_id
WHERE e.day >= $first_day AND e.day <= $last_day
  AND g.created_at < CAST(e.day + INTERVAL 1 DAY AS TIMESTAMP)
  AND (g.dissolved_at IS NULL OR g.dissolved_at > CAST(e.day AS TIMESTAMP))
ORDER BY e.day DESC, e.reason, g.group_id
"""


def _dates(values: pd.Series) -> pd.Series:
    """Python dates (None where missing), as an object column."""
    out = pd.Series(pd.to_datetime(values).dt.date, index=values.index, dtype=object)
    return out.where(values.notna(), None)


def changes(reader: Reader, period: Period, alive_members: int, silent_days: int) -> pd.DataFrame:
    df = reader.query(SQL, {"read_from": period.start - timedelta(days=silent_days + 1), "first_day": period.start,
                            "last_day": period.end, "silent_days": silent_days, "alive": alive_members})
    for c in ("day", "last_member_message_on"):
        df[c] = _dates(df[c])
    return df[COLUMNS].astype({"active_members": "int64", "prev_active_members": "int64"})


@metric("community-changes", DECLARED, grain="one row per (in-scope group, day of the period, reason)",
        options={**ALIVE, **SILENT})
def community_changes(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Groups that went silent or fell below the alive line on a day of the period."""
    return changes(reader, args.period, opt_int(args, "alive_members", 10), opt_int(args, "silent_days", 14))
