"""group-hours — when a group talks: messages by hour of day (local time).

Grain: one row per hour 0–23 (all 24, zero included) over the period, for the
in-scope groups (with --group, that group only). hour = the hour of sent_at.

Reads the group_hours rollup (day × group × hour, by sender type).
"""
from __future__ import annotations

import pandas as pd

from ..reader import Reader
from .base import MetricArgs, metric
from .community import GROUP
from .group_daily import group_param

DECLARED = ("hour:count", "member_messages:count", "staff_messages:count", "bot_messages:count")
COLUMNS = [c.partition(":")[0] for c in DECLARED]

SQL = """
SELECT hour,
       CAST(sum(member_messages) AS BIGINT) AS member_messages,
       CAST(sum(staff_messages) AS BIGINT) AS staff_messages,
       CAST(sum(bot_messages) AS BIGINT) AS bot_messages
FROM group_hours
WHERE day >= $first_day AND day <= $last_day AND ($group IS NULL OR group_id = $group)
GROUP BY hour
"""


@metric("group-hours", DECLARED, grain="one row per hour of day 0-23", options=GROUP)
def group_hours(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Member, staff and bot messages of the period by hour of day."""
    df = reader.query(SQL, {"first_day": args.period.start, "last_day": args.period.end,
                            "group": group_param(args)})
    out = pd.DataFrame({"hour": range(24)}).merge(df, on="hour", how="left")
    for c in COLUMNS[1:]:
        out[c] = out[c].fillna(0).astype("int64")
    return out[COLUMNS]
