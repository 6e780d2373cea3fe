"""group-activity — every in-scope WeCom group: members, who speaks, alive days,
silence, and the WeMall sales its shares brought.

Grain: one row per in-scope group (groups of an in-scope store; a group with
no store — brand, live groups — only for an unrestricted scope, as every
storeless row). Every group is listed, also one not yet created or already
dissolved at the as-of date (`existing` false): its numbers are what the data
says (usually 0, silent). Rows ordered by group_id.

SPEC.md "Community (社群) and KOC": "Group members on a day: joined_at ≤ that
day's end and (left_at is null or left_at > that day's start). Active members on
a day: distinct members with sender_type = member who sent ≥ 1 message that day.
Speaking ratio = active members / group members. A group is alive on a day with
≥ 10 active members (configurable); silent when no member message in the last
14 days (configurable) up to the as-of date. Group WeMall sales: sales of orders
whose share was posted to that group."

Columns and readings (see also metrics/community.py):
- members, active_members, speaking_ratio: on the as-of date. speaking_ratio =
  active_members / members, empty when the group has no member that day.
- alive_days: days of the period with ≥ alive_members active members.
- active_member_days: the sum over the period's days of active members;
  avg_active_members = active_member_days / days in the period; activity_rank:
  competition rank by active_member_days (then member_messages) descending.
- member_messages: member messages in the period.
- silent: no member message in the silent_days days ending on the as-of date
  inclusive (a group whose last member message is exactly silent_days days
  before the as-of date is silent). last_member_message_at: the last member
  message up to the as-of date's end (empty if none).
- wemall_sales: net (amount − refund_amount) of the in-scope orders placed in
  the period whose share_id is a share with shares.group_id = the group, on any
  channel (orders carrying a share are WeMall orders); wemall_rank:
  competition rank by it.
- existing: created_at < the as-of date's end and (dissolved_at is null or
  dissolved_at > its start).
"""
from __future__ import annotations

import pandas as pd

from ..reader import Reader
from .base import MetricArgs, metric
from .community import (ALIVE, DAILY_ACTIVE, MEMBERS_ON_DAY, SILENT, SPOKEN_RECENTLY, day_end, day_start,
                        opt_int, silent_window)

DECLARED = ("group_id", "group_name", "store_id", "members:count", "active_members:count", "speaking_ratio:rate",
            "alive_days:count", "silent:flag", "wemall_sales:money", "kind", "existing:flag",
            "member_messages:count", "active_member_days:count", "avg_active_members:number",
            "activity_rank:rank", "wemall_rank:rank", "last_member_message_at:datetime")
COLUMNS = [c.partition(":")[0] for c in DECLARED]

SQL = f"""
WITH mem AS ({MEMBERS_ON_DAY}),
today AS (
  SELECT group_id, count(DISTINCT sender_id) AS active_members
  FROM group_messages
  WHERE sent_at >= $day_start AND sent_at < $day_end AND sender_type = 'member'
  GROUP BY group_id
),
daily AS ({DAILY_ACTIVE}),
per AS (
  SELECT group_id,
         count(*) FILTER (WHERE active_members >= $alive) AS alive_days,
         sum(active_members) AS active_member_days,
         sum(member_messages) AS member_messages
  FROM daily GROUP BY group_id
),
recent AS ({SPOKEN_RECENTLY}),
last_msg AS (
  SELECT group_id, max(sent_at) AS last_member_message_at
  FROM group_messages
  WHERE sent_at < $day_end AND sender_type = 'member'
  GROUP BY group_id
),
group_shares AS (
  SELECT share_id, group_id FROM shares WHERE group_id IS NOT NULL
),
sales AS (
  SELECT s.group_id, sum(o.net) AS wemall_sales
  FROM orders o JOIN group_shares s ON s.share_id = o.share_id
  WHERE o.ordered_at >= $start AND o.ordered_at < $end AND o.share_id IS NOT NULL
  GROUP BY s.group_id
),
board AS (
  SELECT g.group_id, g.group_name, g.store_id, g.kind,
         g.created_at < $day_end AND (g.dissolved_at IS NULL OR g.dissolved_at > $day_start) AS existing,
         coalesce(mem.members, 0) AS members,
         coalesce(today.active_members, 0) AS active_members,
         coalesce(per.alive_days, 0) AS alive_days,
         coalesce(per.active_member_days, 0) AS active_member_days,
         coalesce(per.member_messages, 0) AS member_messages,
         recent.group_id IS NULL AS silent,
         last_msg.last_member_message_at,
         CAST(coalesce(sales.wemall_sales, 0) AS DOUBLE) AS wemall_sales
  FROM groups g
  LEFT JOIN mem ON mem.group_id = g.group_id
  LEFT JOIN today ON today.group_id = g.group_id
  LEFT JOIN per ON per.group_id = g.group_id
  LEFT JOIN recent ON recent.group_id = g.group_id
  LEFT JOIN last_msg ON last_msg.group_id = g.group_id
  LEFT JOIN sales ON sales.group_id = g.group_id
)
SELECT *,
       rank() OVER (ORDER BY active_member_days DESC, member_messages DESC) AS activity_rank,
       rank() OVER (ORDER BY wemall_sales DESC) AS wemall_rank
FROM board
ORDER BY group_id
"""


def activity_params(args: MetricArgs) -> dict:
    silent_start, _ = silent_window(args.as_of, opt_int(args, "silent_days", 14))
    return {"start": args.period.start_ts, "end": args.period.end_ts, "day_start": day_start(args.as_of),
            "day_end": day_end(args.as_of), "silent_start": silent_start,
            "alive": opt_int(args, "alive_members", 10)}


def group_board(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    df = reader.query(SQL, activity_params(args))
    df["speaking_ratio"] = [None if m == 0 else a / m for a, m in zip(df["active_members"], df["members"])]
    df["speaking_ratio"] = df["speaking_ratio"].astype("float64")
    df["avg_active_members"] = df["active_member_days"] / args.period.days
    for c in ("silent", "existing"):
        df[c] = df[c].astype(bool)
    return df[COLUMNS]


@metric("group-activity", DECLARED, grain="one row per in-scope group", options={**ALIVE, **SILENT})
def group_activity(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Each group's members and speakers on the as-of date, alive days and
    member messages in the period, silence at the as-of date, WeMall sales of
    its shares in the period."""
    return group_board(reader, args)
