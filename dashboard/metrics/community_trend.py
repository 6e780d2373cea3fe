"""community-trend — the scope's groups day by day.

Grain: one row per day of the period (days without messages included, as 0).

SPEC.md "Community (社群) and KOC": active members on a day are the distinct
members (sender_type = member) who sent ≥ 1 message that day; a group is alive
on a day with ≥ alive_members (10) active members.
- group_active_members: each in-scope group's active members that day, summed
  (a member speaking in two groups counts in each; the scope's distinct
  speakers of the as-of date are community-overview's active_members).
- member_messages, staff_messages, bot_messages: messages by sender_type.
- alive_groups: in-scope groups alive that day.

Reads the group_days rollup (dashboard/rollups/community.py).
"""
from __future__ import annotations

import pandas as pd

from ..reader import Reader
from .base import MetricArgs, metric
from .community import ALIVE, opt_int

DECLARED = ("day:date", "group_active_members:count", "member_messages:count", "staff_messages:count",
            "bot_messages:count", "alive_groups:count")
COLUMNS = [c.partition(":")[0] for c in DECLARED]


SQL = """
SELECT day,
       CAST(sum(active_members) AS BIGINT) AS group_active_members,
       CAST(sum(member_messages) AS BIGINT) AS member_messages,
       CAST(sum(staff_messages) AS BIGINT) AS staff_messages,
       CAST(sum(bot_messages) AS BIGINT) AS bot_messages,
       count(*) FILTER (WHERE active_members >= $alive) AS alive_groups
FROM group_days
WHERE day >= $first_day AND day <= $last_day
GROUP BY day
"""


@metric("community-trend", DECLARED, grain="one row per day of the period", options=ALIVE)
def community_trend(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Daily active members (summed over groups), messages by sender type and alive groups."""
    p = args.period
    daily = reader.query(SQL, {"first_day": p.start, "last_day": p.end,
                               "alive": opt_int(args, "alive_members", 10)}).set_index("day")
    days = pd.date_range(p.start, p.end, freq="D")
    daily.index = pd.DatetimeIndex(daily.index)
    out = daily.reindex(days, fill_value=0)
    out.insert(0, "day", days.date)
    return out.reset_index(drop=True).astype({c: "int64" for c in COLUMNS[1:]})[COLUMNS]
