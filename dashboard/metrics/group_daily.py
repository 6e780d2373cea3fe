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

SQL = """
WITH g AS (
  SELECT group_id FROM groups WHERE ($group IS NULL OR group_id = $group)
),
days AS (
  SELECT CAST(d AS DATE) AS day
  FROM generate_series(CAST($first_day AS TIMESTAMP), CAST($last_day AS TIMESTAMP), INTERVAL 1 DAY) AS t(d)
),
grid AS (SELECT g.group_id, days.day FROM g CROSS JOIN days),
gm AS (
  SELECT group_id, member_id, joined_at, left_at FROM group_members
  WHERE group_id IN (SELECT group_id FROM g) AND joined_at < $end AND (left_at IS NULL OR left_at >= $start)
),
-- Members on a day, without a day × membership join: each membership row covers
-- the days [joined day, the day of left_at − 1µs] (left_at > a day's start);
-- overlapping rows of one member merge into islands (a member counts once);
-- an island adds 1 from its first day and removes it the day after its last.
spans AS (
  SELECT group_id, member_id, CAST(joined_at AS DATE) AS first_day,
         coalesce(CAST(left_at - INTERVAL 1 MICROSECOND AS DATE), DATE '9999-12-30') AS last_day
  FROM gm
),
marked AS (
  SELECT *, CASE WHEN first_day <= max(last_day) OVER (
                   PARTITION BY group_id, member_id ORDER BY first_day, last_day
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) THEN 0 ELSE 1 END AS starts
  FROM spans WHERE last_day >= first_day
),
numbered AS (
  SELECT *, sum(starts) OVER (PARTITION BY group_id, member_id ORDER BY first_day, last_day
                              ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS island
  FROM marked
),
islands AS (
  SELECT group_id, min(first_day) AS first_day, max(last_day) AS last_day
  FROM numbered GROUP BY group_id, member_id, island
),
deltas AS (
  SELECT group_id, day, sum(delta) AS delta FROM (
    SELECT group_id, greatest(first_day, CAST($first_day AS DATE)) AS day, 1 AS delta FROM islands
    UNION ALL
    SELECT group_id, CAST(last_day + INTERVAL 1 DAY AS DATE) AS day, -1 AS delta FROM islands
    WHERE last_day < CAST($last_day AS DATE)
  ) AS d GROUP BY group_id, day
),
day_members AS (
  SELECT grid.group_id, grid.day,
         sum(coalesce(deltas.delta, 0)) OVER (PARTITION BY grid.group_id ORDER BY grid.day
                                             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS members
  FROM grid LEFT JOIN deltas ON deltas.group_id = grid.group_id AND deltas.day = grid.day
),
joins AS (
  SELECT group_id, CAST(joined_at AS DATE) AS day, count(*) AS members_joined FROM gm
  WHERE joined_at >= $start AND joined_at < $end GROUP BY group_id, CAST(joined_at AS DATE)
),
leaves AS (
  SELECT group_id, CAST(left_at AS DATE) AS day, count(*) AS members_left FROM gm
  WHERE left_at >= $start AND left_at < $end GROUP BY group_id, CAST(left_at AS DATE)
),
msgs AS (
  SELECT group_id, CAST(sent_at AS DATE) AS day,
         count(DISTINCT sender_id) FILTER (WHERE sender_type = 'member') AS active_members,
         count(*) FILTER (WHERE sender_type = 'member') AS member_messages,
         count(*) FILTER (WHERE sender_type = 'staff') AS staff_messages,
         count(*) FILTER (WHERE sender_type = 'bot') AS bot_messages
  FROM group_messages
  WHERE sent_at >= $start AND sent_at < $end AND group_id IN (SELECT group_id FROM g)
  GROUP BY group_id, CAST(sent_at AS DATE)
)
SELECT grid.group_id, grid.day,
       coalesce(day_members.members, 0) AS members,
       coalesce(joins.members_joined, 0) AS members_joined,
       coalesce(leaves.members_left, 0) AS members_left,
       coalesce(msgs.active_members, 0) AS active_members,
       coalesce(msgs.member_messages, 0) AS member_messages,
       coalesce(msgs.staff_messages, 0) AS staff_messages,
       coalesce(msgs.bot_messages, 0) AS bot_messages
FROM grid
LEFT JOIN day_members ON day_members.group_id = grid.group_id AND day_members.day = grid.day
LEFT JOIN joins ON joins.group_id = grid.group_id AND joins.day = grid.day
LEFT JOIN leaves ON leaves.group_id = grid.group_id AND leaves.day = grid.day
LEFT JOIN msgs ON msgs.group_id = grid.group_id AND msgs.day = grid.day
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
    df = reader.query(SQL, {"group": group_param(args), "first_day": p.start, "last_day": p.end,
                            "start": p.start_ts, "end": p.end_ts})
    df["day"] = pd.to_datetime(df["day"]).dt.date
    df["alive"] = (df["active_members"] >= opt_int(args, "alive_members", 10)).astype(bool)
    return df[COLUMNS]
