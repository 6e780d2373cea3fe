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

from datetime import timedelta

import numpy as np
import pandas as pd

from ..reader import Reader
from .base import MetricArgs, metric
from .community import ALIVE, GROUP, opt_int

DECLARED = ("group_id", "day:date", "members:count", "members_joined:count", "members_left:count", "active_members:count",
            "member_messages:count", "staff_messages:count", "bot_messages:count", "alive:flag")
COLUMNS = [c.partition(":")[0] for c in DECLARED]

# The in-scope groups (numbered in group_id order) and, per group and day of the
# period, the membership changes (group_member_changes: islands of each
# member's rows starting and ending, rows joined and left) and the messages
# (group_days); the changes before the period are folded into its first day.
# Members on a day = the running sum of the changes up to it (numpy below).
GROUPS_SQL = """
SELECT group_id FROM groups WHERE ($group IS NULL OR group_id = $group) ORDER BY group_id
"""

DAYS_SQL = """
WITH g AS (
  SELECT group_id, row_number() OVER (ORDER BY group_id) - 1 AS gi
  FROM groups WHERE ($group IS NULL OR group_id = $group)
),
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
)
SELECT g.gi, e.day, CAST(sum(e.delta) AS BIGINT) AS delta, CAST(sum(e.members_joined) AS BIGINT) AS members_joined,
       CAST(sum(e.members_left) AS BIGINT) AS members_left, CAST(sum(e.active_members) AS BIGINT) AS active_members,
       CAST(sum(e.member_messages) AS BIGINT) AS member_messages,
       CAST(sum(e.staff_messages) AS BIGINT) AS staff_messages, CAST(sum(e.bot_messages) AS BIGINT) AS bot_messages
FROM events e JOIN g ON g.group_id = e.group_id
GROUP BY g.gi, e.day
"""

COUNTS = ("delta", "members_joined", "members_left", "active_members", "member_messages", "staff_messages",
          "bot_messages")


def daily_grid(reader: Reader, p, group) -> pd.DataFrame:
    params = {"group": group, "first_day": p.start, "last_day": p.end}
    ids = reader.query(GROUPS_SQL, {"group": group})["group_id"].to_numpy(dtype=object)
    rows = reader.query(DAYS_SQL, params)
    n_days = p.days
    cells = np.zeros((len(COUNTS), len(ids) * n_days), dtype="int64")
    if len(rows):
        day_index = (rows["day"].to_numpy().astype("datetime64[D]") - np.datetime64(p.start, "D")).astype("int64")
        at = rows["gi"].to_numpy().astype("int64") * n_days + day_index
        for i, c in enumerate(COUNTS):
            cells[i, at] = rows[c].to_numpy().astype("int64")
    members = np.cumsum(cells[0].reshape(len(ids), n_days), axis=1).reshape(-1)
    days = np.array([p.start + timedelta(days=i) for i in range(n_days)], dtype=object)
    out = {"group_id": np.repeat(ids, n_days), "day": np.tile(days, len(ids)), "members": members}
    out.update({c: cells[i] for i, c in enumerate(COUNTS) if c != "delta"})
    return pd.DataFrame(out)


def group_param(args: MetricArgs):
    value = args.opt("group")
    return None if value in (None, "") else str(value)


@metric("group-daily", DECLARED, grain="one row per (in-scope group, day of the period)",
        options={**ALIVE, **GROUP})
def group_daily(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """A group's members, joins, leaves, active members and messages, day by day."""
    p = args.period
    df = daily_grid(reader, p, group_param(args))
    df["alive"] = (df["active_members"] >= opt_int(args, "alive_members", 10)).astype(bool)
    return df[COLUMNS]
