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
"""
from __future__ import annotations

from datetime import timedelta

import pandas as pd

from ..period import Period
from ..reader import Reader
from .base import MetricArgs, metric
from .community import ALIVE, SILENT, day_end, day_start, group_days, opt_int

DECLARED = ("group_id", "group_name", "store_id", "reason", "day:date", "active_members:count",
            "prev_active_members:count", "last_member_message_on:date")
COLUMNS = [c.partition(":")[0] for c in DECLARED]

GROUPS_SQL = "SELECT group_id, group_name, store_id, created_at, dissolved_at FROM groups"


def _exists(group, d) -> bool:
    return (pd.Timestamp(group.created_at) < pd.Timestamp(day_end(d))
            and (pd.isna(group.dissolved_at) or pd.Timestamp(group.dissolved_at) > pd.Timestamp(day_start(d))))


def changes(reader: Reader, period: Period, alive_members: int, silent_days: int) -> pd.DataFrame:
    first = period.start - timedelta(days=silent_days + 1)
    daily = group_days(reader, first, period.end)
    daily = daily[daily["member_messages"] > 0]
    groups = {g.group_id: g for g in reader.query(GROUPS_SQL).itertuples(index=False)}
    daily = daily.assign(day=pd.to_datetime(daily["day"]).dt.date).sort_values(["group_id", "day"])
    rows = []

    def add(group, d, reason, now, before, last=None):
        if period.start <= d <= period.end and group is not None and _exists(group, d):
            rows.append({"group_id": group.group_id, "group_name": group.group_name, "store_id": group.store_id,
                         "reason": reason, "day": d, "active_members": now, "prev_active_members": before,
                         "last_member_message_on": last})

    for gid, part in daily.groupby("group_id", sort=False):
        group = groups.get(gid)
        days = list(part["day"])
        active = dict(zip(days, part["active_members"]))
        for x, y in zip(days, days[1:] + [None]):
            d = x + timedelta(days=silent_days)  # silent from d on, unless a member spoke again by then
            if y is None or y > d:
                add(group, d, "went_silent", 0, active.get(d - timedelta(days=1), 0), last=x)
            nxt = x + timedelta(days=1)
            if active[x] >= alive_members and active.get(nxt, 0) < alive_members:
                add(group, nxt, "below_alive", active.get(nxt, 0), active[x])
    df = pd.DataFrame(rows, columns=COLUMNS)
    df = df.sort_values(["day", "reason", "group_id"], ascending=[False, True, True], kind="stable")
    return df.reset_index(drop=True).astype({"active_members": "int64", "prev_active_members": "int64"})


@metric("community-changes", DECLARED, grain="one row per (in-scope group, day of the period, reason)",
        options={**ALIVE, **SILENT})
def community_changes(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Groups that went silent or fell below the alive line on a day of the period."""
    return changes(reader, args.period, opt_int(args, "alive_members", 10), opt_int(args, "silent_days", 14))
