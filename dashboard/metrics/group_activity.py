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
  before the as-of date is silent).
- wemall_sales: net (amount − refund_amount) of the in-scope orders placed in
  the period whose share_id is a share with shares.group_id = the group, on any
  channel (orders carrying a share are WeMall orders); wemall_rank:
  competition rank by it.
- existing: created_at < the as-of date's end and (dissolved_at is null or
  dissolved_at > its start).

Reads the rollups (dashboard/rollups/community.py) group_member_spans (members on the
as-of date), group_days (alive days, active members, silence) and group_share_sales /
group_share_sales_cross (WeMall sales), never the raw messages or orders.
"""
from __future__ import annotations

from datetime import timedelta

import pandas as pd

from ..reader import Reader
from .base import MetricArgs, metric
from .community import ALIVE, SILENT, day_end, day_start, opt_int

DECLARED = ("group_id", "group_name", "store_id", "members:count", "active_members:count", "speaking_ratio:rate",
            "alive_days:count", "silent:flag", "wemall_sales:money", "kind", "existing:flag",
            "member_messages:count", "active_member_days:count", "avg_active_members:number",
            "activity_rank:rank", "wemall_rank:rank")
COLUMNS = [c.partition(":")[0] for c in DECLARED]

SQL = """
WITH mem AS (
  -- group_member_spans: one row per island of a member's days in a group
  SELECT group_id, count(*) AS members FROM group_member_spans
  WHERE first_day <= $as_of AND last_day >= $as_of
  GROUP BY group_id
),
-- Orders carrying a share posted to the group: in view with their share (the
-- rollup of orders whose share is of their own store and guide), or, for a
-- share of another store or guide, when that share is in view too (its store
-- in view, its guide not filtered out), as the scoped shares are.
sales AS (
  SELECT group_id, sum(sales) AS wemall_sales FROM (
    SELECT group_id, sales FROM group_share_sales WHERE day >= $first_day AND day <= $last_day
    UNION ALL
    SELECT group_id, sales FROM group_share_sales_cross
    WHERE day >= $first_day AND day <= $last_day
      AND share_store_id IN (SELECT store_id FROM stores)
      AND share_guide_id IN (SELECT guide_id FROM group_share_guides)
  ) AS s
  GROUP BY group_id
),
act AS (
  SELECT group_id,
         count(*) FILTER (WHERE day >= $first_day AND day <= $last_day AND active_members >= $alive) AS alive_days,
         CAST(coalesce(sum(active_members) FILTER (WHERE day >= $first_day AND day <= $last_day), 0) AS BIGINT)
           AS active_member_days,
         CAST(coalesce(sum(member_messages) FILTER (WHERE day >= $first_day AND day <= $last_day), 0) AS BIGINT)
           AS member_messages,
         CAST(coalesce(max(active_members) FILTER (WHERE day = $as_of), 0) AS BIGINT) AS active_members,
         count(*) FILTER (WHERE day >= $quiet_from AND day <= $as_of AND member_messages > 0) AS spoke
  FROM group_days
  WHERE day >= $read_from AND day <= $read_to
  GROUP BY group_id
)
SELECT g.group_id, g.group_name, g.store_id, g.kind,
       g.created_at < $day_end AND (g.dissolved_at IS NULL OR g.dissolved_at > $day_start) AS existing,
       coalesce(mem.members, 0) AS members,
       CAST(coalesce(sales.wemall_sales, 0) AS DOUBLE) AS wemall_sales,
       coalesce(act.alive_days, 0) AS alive_days, coalesce(act.active_member_days, 0) AS active_member_days,
       coalesce(act.member_messages, 0) AS member_messages, coalesce(act.active_members, 0) AS active_members,
       coalesce(act.spoke, 0) = 0 AS silent
FROM groups g
LEFT JOIN mem ON mem.group_id = g.group_id
LEFT JOIN sales ON sales.group_id = g.group_id
LEFT JOIN act ON act.group_id = g.group_id
ORDER BY g.group_id
"""


def group_board(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    p, day = args.period, args.as_of
    silent_days = opt_int(args, "silent_days", 14)
    alive = opt_int(args, "alive_members", 10)
    quiet_from = day - timedelta(days=silent_days - 1)
    df = reader.query(SQL, {"first_day": p.start, "last_day": p.end, "as_of": day, "alive": alive,
                            "quiet_from": quiet_from, "read_from": min(p.start, quiet_from),
                            "read_to": max(p.end, day), "day_start": day_start(day), "day_end": day_end(day)})
    for c in ("alive_days", "active_member_days", "member_messages", "active_members"):
        df[c] = df[c].astype("int64")
    df["silent"] = df["silent"].astype(bool)
    df["existing"] = df["existing"].astype(bool)
    df["speaking_ratio"] = (df["active_members"] / df["members"].where(df["members"] > 0)).astype("float64")
    df["avg_active_members"] = df["active_member_days"] / p.days
    df["activity_rank"] = _rank(df, ["active_member_days", "member_messages"])
    df["wemall_rank"] = _rank(df, ["wemall_sales"])
    return df[COLUMNS]


def _rank(df: pd.DataFrame, by: list[str]) -> pd.Series:
    """Competition rank (1, 2, 2, 4) by the columns descending (ties when all are equal)."""
    if df.empty:
        return pd.Series([], index=df.index, dtype="int64")
    key = df[by[0]].astype("float64")
    if len(by) > 1:  # a whole-number tie-breaker below the first key's unit
        second = df[by[1]].astype("float64")
        key = key * (second.max() + 1) + second
    return key.rank(method="min", ascending=False).astype("int64")


@metric("group-activity", DECLARED, grain="one row per in-scope group", options={**ALIVE, **SILENT})
def group_activity(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Each group's members and speakers on the as-of date, alive days and
    member messages in the period, silence at the as-of date, WeMall sales of
    its shares in the period."""
    return group_board(reader, args)
