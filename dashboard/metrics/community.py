"""Shared pieces of the community (社群) metrics: SPEC.md's day rules as SQL
fragments, the day windows, and the options bound to the community settings.
No metric is registered here (group_activity.py, koc.py, negative_messages.py,
community_*.py and group_*.py each register one).

SPEC.md "Community (社群) and KOC", read as follows (also in README, Metric notes):
- Group members on a day d: joined_at ≤ d's end (joined_at < d + 1 day) and
  (left_at is null or left_at > d's start, midnight); counted as distinct
  member_id (a member who left and rejoined has two rows but counts once).
- Active members on a day: distinct sender_id of messages with sender_type =
  'member' sent that day. Staff and bot messages never make anyone active. A
  sender need not be listed in group_members (the message is the evidence).
- Alive on a day: active members ≥ alive_members (10).
- Silent (at the as-of date): no member message in the silent_days (14) days
  ending on the as-of date inclusive, i.e. none in [as_of − 13 days 00:00,
  as_of + 1 day 00:00). A group whose last member message was 14 days before
  the as-of date (as_of − 14) has been quiet for exactly 14 whole days: silent.
  One whose last member message was as_of − 13 is not.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pandas as pd

from .base import Option

ALIVE = {"alive_members": Option(int, 10, "active members that make a group alive on a day",
                                 setting="alive_members", minimum=1)}
SILENT = {"silent_days": Option(int, 14, "days without a member message that make a group silent",
                                setting="silent_days", minimum=1)}
KOC = {
    "koc_window_days": Option(int, 28, "days up to the as-of date over which KOCs are found",
                              setting="koc_window_days", minimum=1),
    "koc_active_days": Option(int, 8, "active days a KOC needs (with the repliers rule)",
                              setting="koc_active_days", minimum=1),
    "koc_repliers": Option(int, 5, "distinct other members replying to a KOC", setting="koc_repliers", minimum=1),
    "koc_referred_sales": Option(float, 1000.0, "referred sales (CNY) that make a KOC",
                                 setting="koc_referred_sales", minimum=0),
}
REPLY = {"reply_window_minutes": Option(int, 30, "minutes within which a staff reply counts",
                                        setting="reply_window_minutes", minimum=1)}
GROUP = {"group": Option(str, None, "only this group id (default: every group in scope)")}


def day_start(d: date) -> datetime:
    return datetime.combine(d, time.min)


def day_end(d: date) -> datetime:
    """Exclusive: midnight after `d`."""
    return datetime.combine(d + timedelta(days=1), time.min)


def koc_window(as_of: date, window_days: int) -> tuple[date, date]:
    """First and last day of the KOC window: window_days days ending on the as-of date."""
    return as_of - timedelta(days=window_days - 1), as_of


def opt_int(args, name: str, default: int) -> int:
    value = args.opt(name, default)
    return int(default if value is None else value)


def opt_float(args, name: str, default: float) -> float:
    value = args.opt(name, default)
    return float(default if value is None else value)


# --- the per-(group, day) message aggregate ---------------------------------------------
# Every community metric over a period needs, per group and day, the active
# members and the messages by sender type: the `group_days` rollup
# (dashboard/rollups/community.py), built at publish time and gated by the
# scoped groups like group_messages, so metric SQL reads it like any table.


def group_days(reader, first: date | None = None, last: date | None = None) -> "pd.DataFrame":
    """Per in-scope group and day in [first, last] with any message: active
    members (distinct sender_type = member senders), member, staff and bot
    messages. Days without messages have no row. Ordered by day, group_id."""
    df = reader.query(
        "SELECT group_id, day, active_members, member_messages, staff_messages, bot_messages FROM group_days "
        "WHERE ($first IS NULL OR day >= $first) AND ($last IS NULL OR day <= $last) ORDER BY day, group_id",
        {"first": first, "last": last})
    df["day"] = pd.to_datetime(df["day"]).values.astype("datetime64[D]")
    return df
