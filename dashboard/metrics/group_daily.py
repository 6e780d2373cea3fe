"""group-daily — one group's (or every group's) days: members joining and
leaving, members, active members against the alive line, messages by sender.

Grain: one row per (in-scope group, day of the period); with --group, that
group only (a group outside the scope gives no rows). Rows ordered by group_id, day.

SPEC.md "Community (社群) and KOC": "Group members on a day: joined_at ≤ that
day's end and (left_at is null or left_at > that day's start). Active members on
a day: distinct members with sender_type = member who sent ≥ 1 message that day
... alive on a day with ≥ 10 active members (configurable)."
- members: distinct members on the day (that rule); members_joined / members_left: membership
  rows whose joined_at / left_at falls on the day.
- active_members, member_messages, staff_messages, bot_messages: that day's
  distinct member senders and messages by sender_type (staff and bots are
  never active members).
- alive: active_members ≥ alive_members. The page's "days a topic lit the
  group up" are this metric's days with the most member messages.
"""
from __future__ import annotations

import pandas as pd

from ..reader import Reader
from .base import MetricArgs, metric
from .community import ALIVE, GROUP, opt_int

DECLARED = ("group_id", "day:date", "members:count", "members_joined:count", "members_left:count", "active_members:count",
            "member_messages:count", "staff_messages:count", "bot_messages:count", "alive:flag")
COLUMNS = [c.partition(":")[0] for c in DECLARED]

# Membership from the group_member_changes rollup (islands of each member's
# rows, joins and leaves per day): members on a day = the deltas up to it,
# those before the period folded into its first day. Messages from group_days.
SQL = """
WITH g AS (
  SELECT group_id FROM groups WHERE ($group IS NULL OR group_id = $group)
),
days AS (
  SELECT CAST(d AS DATE) AS day
  FROM generate_series(CAST($first_day AS TIMESTAMP), CAST($last_day AS TIMESTAMP), INTERVAL 1 DAY) AS t(d)
),
grid AS (SELECT g.group_id, days.day FROM g CROSS JOIN days),
events AS (
  SELECT group_id, CAST($first_day AS DATE) AS day, sum(delta) AS delta, 0 AS members_joined, 0 AS members_left,
         0 AS active_members, 0 AS member_messages, 0 AS staff_messages, 0 AS bot_messages
  FROM group_member_changes
  WHERE day < $first_day AND ($group IS NULL OR group_id = $group)
  GROUP BY group_id
  UNION ALL
  SELECT group_id, day, delta, members_joined, members_left, 0, 0, 0, 0
  FROM group_member_changes
  WHERE day >= $first_day AND day <= $last_day AND ($group IS NULL OR group_id = $group)
  UNION ALL
  SELECT group_id, day, 0, 0, 0, active_members, member_messages, staff_messages, bot_messages
  FROM group_days
  WHERE day >= $first_day AND day <= $last_day AND ($group IS NULL OR group_id = $group)
),
per AS (
  SELECT group_id, day, sum(delta) AS delta, sum(members_joined) AS members_joined,
         sum(members_left) AS members_left, sum(active_members) AS active_members,
         sum(member_messages) AS member_messages, sum(staff_messages) AS staff_messages,
         sum(bot_messages) AS bot_messages
  FROM events GROUP BY group_id, day
)
SELECT grid.group_id, grid.day,
       CAST(sum(coalesce(per.delta, 0)) OVER (PARTITION BY grid.group_id ORDER BY grid.day
                                              ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS BIGINT) AS members,
       CAST(coalesce(per.members_joined, 0) AS BIGINT) AS members_joined,
       CAST(coalesce(per.members_left, 0) AS BIGINT) AS members_left,
       CAST(coalesce(per.active_members, 0) AS BIGINT) AS active_members,
       CAST(coalesce(per.member_messages, 0) AS BIGINT) AS member_messages,
       CAST(coalesce(per.staff_messages, 0) AS BIGINT) AS staff_messages,
       CAST(coalesce(per.bot_messages, 0) AS BIGINT) AS bot_messages
FROM grid
LEFT JOIN per ON per.group_id = grid.group_id AND per.day = grid.day
ORDER BY grid.group_id, grid.day
"""


def group_param(args: MetricArgs):
    value = args.opt("group")
    return None if value in (None, "") else str(value)


@metric("group-daily", DECLARED, grain="one row per (in-scope group, day of the period)",
        options={**ALIVE, **GROUP})
def group_daily(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """A group's members, joins, leaves, active members and messages, day by day."""
    p = args.period
    df = reader.query(SQL, {"group": group_param(args), "first_day": p.start, "last_day": p.end})
    df["day"] = pd.to_datetime(df["day"]).dt.date
    df["alive"] = (df["active_members"] >= opt_int(args, "alive_members", 10)).astype(bool)
    return df[COLUMNS]
