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

import threading
from datetime import date, datetime, time, timedelta

import numpy as np
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


# Distinct members of each group on one day ($day_start, $day_end).
MEMBERS_ON_DAY = """
  SELECT group_id, count(DISTINCT member_id) AS members
  FROM group_members
  WHERE joined_at < $day_end AND (left_at IS NULL OR left_at > $day_start)
  GROUP BY group_id
"""

# --- the per-(group, day) message aggregate ---------------------------------------------
# Every community metric over a period needs, per group and day, the active
# members and the messages by sender type. Counted from raw messages for a year
# that is a distinct count over millions of rows on every request; so it is
# computed once per published database version in this process, over the whole
# history, and kept in memory (a few MB: one row per group and day with any
# message). Its rows are per group, and group_messages is scoped by group alone
# (scope.py), so the same rows serve every scope: each caller keeps exactly the
# groups its scoped reader sees (`SELECT group_id FROM groups` through the
# scope), the same narrowing the scoped group_messages applies.

GROUP_DAYS_SQL = """
SELECT group_id, day,
       count(*) FILTER (WHERE sender_type = 'member') AS active_members,
       coalesce(sum(n) FILTER (WHERE sender_type = 'member'), 0) AS member_messages,
       coalesce(sum(n) FILTER (WHERE sender_type = 'staff'), 0) AS staff_messages,
       coalesce(sum(n) FILTER (WHERE sender_type = 'bot'), 0) AS bot_messages
FROM (
  SELECT group_id, CAST(sent_at AS DATE) AS day, sender_type, sender_id, count(*) AS n
  FROM group_messages
  GROUP BY group_id, CAST(sent_at AS DATE), sender_type, sender_id
) AS sender_days
GROUP BY group_id, day
"""

_GROUP_DAYS: "dict[tuple, pd.DataFrame]" = {}
_GROUP_DAYS_LOCK = threading.Lock()
_KEEP_VERSIONS = 4


def _all_group_days(db) -> "pd.DataFrame":
    from ..reader import Reader
    from ..scope import Scope
    key = (str(db.path), db.version)
    with _GROUP_DAYS_LOCK:
        frame = _GROUP_DAYS.get(key)
        if frame is None:
            frame = Reader(db, Scope.everything()).query(GROUP_DAYS_SQL)
            frame["day"] = pd.to_datetime(frame["day"]).values.astype("datetime64[D]")
            for c in ("active_members", "member_messages", "staff_messages", "bot_messages"):
                frame[c] = frame[c].astype("int64")
            frame = frame.sort_values(["day", "group_id"], kind="stable").reset_index(drop=True)
            while len(_GROUP_DAYS) >= _KEEP_VERSIONS:
                _GROUP_DAYS.pop(next(iter(_GROUP_DAYS)))
            _GROUP_DAYS[key] = frame
        return frame


def group_days(reader, first: date | None = None, last: date | None = None) -> "pd.DataFrame":
    """Per in-scope group and day in [first, last] with any message: active
    members (distinct sender_type = member senders), member, staff and bot
    messages. Days without messages have no row."""
    frame = _all_group_days(reader.db)
    if first is not None or last is not None:
        days = frame["day"].to_numpy()
        lo = 0 if first is None else days.searchsorted(np.datetime64(first, "D"), side="left")
        hi = len(frame) if last is None else days.searchsorted(np.datetime64(last, "D"), side="right")
        frame = frame.iloc[lo:hi]
    in_scope = reader.query("SELECT group_id FROM groups")["group_id"]
    return frame[frame["group_id"].isin(in_scope)]
