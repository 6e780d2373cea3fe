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

Reads the rollups group_member_changes (members, joins, leaves) and group_days
(messages); the grid of groups × days is filled in numpy.
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

_G = """
WITH g AS (
  SELECT group_id, row_number() OVER (ORDER BY group_id) - 1 AS gi
  FROM groups WHERE ($group IS NULL OR group_id = $group)
)
"""

# Each source has at most one row per (group, day): no aggregation needed.
BEFORE_SQL = _G + """
SELECT g.gi, CAST(sum(c.delta) AS BIGINT) AS delta
FROM group_member_changes c JOIN g ON g.group_id = c.group_id
WHERE c.day < $first_day AND ($group IS NULL OR c.group_id = $group)
GROUP BY g.gi
"""

CHANGES_SQL = _G + """
SELECT g.gi, c.day, c.delta, c.members_joined, c.members_left
FROM group_member_changes c JOIN g ON g.group_id = c.group_id
WHERE c.day >= $first_day AND c.day <= $last_day AND ($group IS NULL OR c.group_id = $group)
"""

MESSAGES_SQL = _G + """
SELECT g.gi, d.day, d.active_members, d.member_messages, d.staff_messages, d.bot_messages
FROM group_days d JOIN g ON g.group_id = d.group_id
WHERE d.day >= $first_day AND d.day <= $last_day AND ($group IS NULL OR d.group_id = $group)
"""

COUNTS = ("delta", "members_joined", "members_left", "active_members", "member_messages", "staff_messages",
          "bot_messages")


def daily_grid(reader: Reader, p, group) -> pd.DataFrame:
    params = {"group": group, "first_day": p.start, "last_day": p.end}
    ids = reader.query(GROUPS_SQL, {"group": group})["group_id"].to_numpy(dtype=object)
    n_days = p.days
    cells = {c: np.zeros(len(ids) * n_days, dtype="int64") for c in COUNTS}
    before = reader.query(BEFORE_SQL, {"group": group, "first_day": p.start})
    cells["delta"][before["gi"].to_numpy().astype("int64") * n_days] += before["delta"].to_numpy().astype("int64")
    for sql, columns in ((CHANGES_SQL, COUNTS[:3]), (MESSAGES_SQL, COUNTS[3:])):
        rows = reader.query(sql, params)
        day_index = (rows["day"].to_numpy().astype("datetime64[D]") - np.datetime64(p.start, "D")).astype("int64")
        at = rows["gi"].to_numpy().astype("int64") * n_days + day_index
        for c in columns:
            cells[c][at] += rows[c].to_numpy().astype("int64")
    members = np.cumsum(cells["delta"].reshape(len(ids), n_days), axis=1).reshape(-1)
    days = np.array([p.start + timedelta(days=i) for i in range(n_days)], dtype=object)
    out = {"group_id": np.repeat(ids, n_days), "day": np.tile(days, len(ids)), "members": members}
    out.update({c: cells[c] for c in COUNTS[1:]})
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
