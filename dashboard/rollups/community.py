"""Community rollups (see dashboard/rollups/__init__.py): the per-(group, day)
activity, the member days and replies the KOC rules count, membership changes,
messages by hour and by type, group WeMall sales, referred sales, and the
member messages the sentiment prefilter lets through.

The scoped `group_messages` and `group_members` are narrowed by their group
alone (scope.py: group_id IN the scoped groups), so every rollup made of them
keeps group_id and is gated by the same parent: ("group_id", "groups",
"group_id"). The rollups made of orders keep the order's store_id and
guide_id and are gated like the scoped orders; group_share_sales also keeps
the share's store and guide, which the metric narrows like the scoped shares
(share_store_id in view, share_guide_id among group_share_guides, a rollup
narrowed by the guide filter alone).

Counts are BIGINT and sales DECIMAL (a sum of sums is exactly the facts' sum).
Distinct counts over periods are never summed from daily distincts: the
member-day rows (one per member and day) count active days by count(*), and
the reply pairs keep (target member, replier) per (reply day, target day) so
that a window's distinct repliers is a count(DISTINCT replier_id) over a few
thousand rows.
"""
from __future__ import annotations

from ..sentiment import PREFILTER
from .model import Gate, Refresh, Rollup

GROUP = Gate(parent=("group_id", "groups", "group_id"))

GROUP_DAYS = Rollup(
    "group_days",
    "one row per (day, group_id) with any message: active members (distinct member senders), "
    "member, staff and bot messages",
    """
SELECT day, group_id,
       CAST(count(*) FILTER (WHERE sender_type = 'member') AS BIGINT) AS active_members,
       CAST(coalesce(sum(n) FILTER (WHERE sender_type = 'member'), 0) AS BIGINT) AS member_messages,
       CAST(coalesce(sum(n) FILTER (WHERE sender_type = 'staff'), 0) AS BIGINT) AS staff_messages,
       CAST(coalesce(sum(n) FILTER (WHERE sender_type = 'bot'), 0) AS BIGINT) AS bot_messages
FROM (
  SELECT group_id, CAST(sent_at AS DATE) AS day, sender_type, sender_id, count(*) AS n
  FROM group_messages
  GROUP BY group_id, CAST(sent_at AS DATE), sender_type, sender_id
) AS sender_days
GROUP BY day, group_id""",
    "day, group_id",
    GROUP,
    refresh=Refresh((("group_messages", "CAST(sent_at AS DATE)"),), "day IN {values}"),
)

# Integer keys for the member days and replies: member_key per member_id (one
# member across groups), gm_key per (group_id, member_id), so the KOC window's
# aggregates group by integers; member_keys names them again.
MEMBER_KEYS = Rollup(
    "member_keys",
    "one row per (group_id, member_id) that sent a member message: its gm_key and member_key",
    """
SELECT CAST(dense_rank() OVER (ORDER BY group_id, sender_id) AS INTEGER) AS gm_key,
       CAST(dense_rank() OVER (ORDER BY sender_id) AS INTEGER) AS member_key,
       group_id, sender_id AS member_id
FROM (SELECT DISTINCT group_id, sender_id FROM group_messages WHERE sender_type = 'member') AS speakers""",
    "gm_key",
    GROUP,
)

MEMBER_DAYS = Rollup(
    "member_days",
    "one row per (day, group_id, member) the member sent >= 1 message with sender_type = member",
    """
SELECT d.day, d.group_id, k.gm_key, k.member_key, d.messages
FROM (
  SELECT CAST(sent_at AS DATE) AS day, group_id, sender_id, CAST(count(*) AS BIGINT) AS messages
  FROM group_messages
  WHERE sender_type = 'member'
  GROUP BY CAST(sent_at AS DATE), group_id, sender_id
) AS d
JOIN member_keys k ON k.group_id = d.group_id AND k.member_id = d.sender_id""",
    "day, group_id, gm_key",
    GROUP,
    refresh=Refresh((("group_messages", "CAST(sent_at AS DATE)"),), "day IN {values}"),
)

# A member message replying to another member's message of the same group
# (self-replies never count): one row per (reply day, group, target member
# gm_key, replier member_key, target day). A replier counts for a window when
# one of its rows has both days in the window (both messages sent in it).
MEMBER_REPLIES = Rollup(
    "member_replies",
    "one row per (reply day, group_id, gm_key replied to, replier_key, target_day) among member messages",
    """
SELECT DISTINCT CAST(r.sent_at AS DATE) AS day, r.group_id, kt.gm_key, kr.member_key AS replier_key,
       CAST(t.sent_at AS DATE) AS target_day
FROM group_messages r
JOIN group_messages t ON t.message_id = r.reply_to AND t.group_id = r.group_id
JOIN member_keys kt ON kt.group_id = t.group_id AND kt.member_id = t.sender_id
JOIN member_keys kr ON kr.group_id = r.group_id AND kr.member_id = r.sender_id
WHERE r.sender_type = 'member' AND t.sender_type = 'member' AND r.reply_to IS NOT NULL
  AND r.sender_id <> t.sender_id""",
    "day, group_id, gm_key, replier_key",
    GROUP,
)

# Each member's membership of a group as islands of days: the member's rows
# cover [joined day, the day of left_at - 1us] (left_at > a day's start), and
# overlapping rows of one member merge (a member counts once). A member is in
# the group on day d exactly when one island has first_day <= d <= last_day
# (open: last_day 9999-12-30). member_key: an integer per member_id (a member
# in two groups has one key), so distinct counts across groups are cheap.
_ISLANDS = """
WITH spans AS (
  SELECT group_id, member_id, CAST(joined_at AS DATE) AS first_day,
         coalesce(CAST(left_at - INTERVAL 1 MICROSECOND AS DATE), DATE '9999-12-30') AS last_day
  FROM group_members
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
)
SELECT group_id, member_id, min(first_day) AS first_day, max(last_day) AS last_day
FROM numbered GROUP BY group_id, member_id, island
"""

GROUP_MEMBER_SPANS = Rollup(
    "group_member_spans",
    "one row per island of days a member belonged to a group (merged membership rows)",
    f"""
SELECT first_day, last_day, group_id, CAST(dense_rank() OVER (ORDER BY member_id) AS INTEGER) AS member_key
FROM ({_ISLANDS}) AS islands""",
    "first_day, group_id",
    GROUP,
)

# Membership over days without a day x membership join: an island
# (group_member_spans) adds 1 on its first day and removes it the day after its
# last. Members on day d = the sum of delta over days <= d. members_joined /
# members_left: membership rows whose joined_at / left_at falls on the day.
GROUP_MEMBER_CHANGES = Rollup(
    "group_member_changes",
    "one row per (day, group_id) with a membership change: delta of distinct members, rows joined, rows left",
    """
WITH events AS (
  SELECT group_id, first_day AS day, 1 AS delta, 0 AS joined, 0 AS left_ FROM group_member_spans
  UNION ALL
  SELECT group_id, CAST(last_day + INTERVAL 1 DAY AS DATE), -1, 0, 0 FROM group_member_spans
  WHERE last_day < DATE '9999-12-30'
  UNION ALL
  SELECT group_id, CAST(joined_at AS DATE), 0, 1, 0 FROM group_members
  UNION ALL
  SELECT group_id, CAST(left_at AS DATE), 0, 0, 1 FROM group_members WHERE left_at IS NOT NULL
)
SELECT day, group_id, CAST(sum(delta) AS BIGINT) AS delta, CAST(sum(joined) AS BIGINT) AS members_joined,
       CAST(sum(left_) AS BIGINT) AS members_left
FROM events
GROUP BY day, group_id""",
    "day, group_id",
    GROUP,
)

GROUP_HOURS = Rollup(
    "group_hours",
    "one row per (day, group_id, hour of sent_at) with messages, by sender type",
    """
SELECT CAST(sent_at AS DATE) AS day, group_id, CAST(extract(hour FROM sent_at) AS INTEGER) AS hour,
       CAST(count(*) FILTER (WHERE sender_type = 'member') AS BIGINT) AS member_messages,
       CAST(count(*) FILTER (WHERE sender_type = 'staff') AS BIGINT) AS staff_messages,
       CAST(count(*) FILTER (WHERE sender_type = 'bot') AS BIGINT) AS bot_messages
FROM group_messages
GROUP BY CAST(sent_at AS DATE), group_id, CAST(extract(hour FROM sent_at) AS INTEGER)""",
    "day, group_id, hour",
    GROUP,
    refresh=Refresh((("group_messages", "CAST(sent_at AS DATE)"),), "day IN {values}"),
)

GROUP_TYPES = Rollup(
    "group_types",
    "one row per (day, group_id, msg_type) with messages: all, and by sender type",
    """
SELECT CAST(sent_at AS DATE) AS day, group_id, msg_type, CAST(count(*) AS BIGINT) AS messages,
       CAST(count(*) FILTER (WHERE sender_type = 'member') AS BIGINT) AS member_messages,
       CAST(count(*) FILTER (WHERE sender_type = 'staff') AS BIGINT) AS staff_messages,
       CAST(count(*) FILTER (WHERE sender_type = 'bot') AS BIGINT) AS bot_messages
FROM group_messages
GROUP BY CAST(sent_at AS DATE), group_id, msg_type""",
    "day, group_id, msg_type",
    GROUP,
    refresh=Refresh((("group_messages", "CAST(sent_at AS DATE)"),), "day IN {values}"),
)

# Orders carrying a share posted to a group. The order's store and guide gate
# them like the scoped orders, the group like the scoped groups. Where the
# share's store and guide are the order's (nearly always), the order in view
# means the share is too (the scoped shares: store in view, guide not filtered
# out): group_share_sales. Otherwise (group_share_sales_cross) the share's
# store and guide are kept for the metric to narrow like the scoped shares:
# share_store_id in view, share_guide_id among group_share_guides (narrowed by
# the guide filter alone).
_SHARE_SALES = """
SELECT CAST(o.ordered_at AS DATE) AS day, s.group_id, o.store_id, o.guide_id,
       s.store_id AS share_store_id, s.guide_id AS share_guide_id,
       CAST(sum(o.amount - o.refund_amount) AS DECIMAL(18,2)) AS sales
FROM orders o
JOIN shares s ON s.share_id = o.share_id
WHERE o.share_id IS NOT NULL AND s.group_id IS NOT NULL AND {same}
GROUP BY CAST(o.ordered_at AS DATE), s.group_id, o.store_id, o.guide_id, s.store_id, s.guide_id"""
_SAME_SIDE = "o.store_id = s.store_id AND o.guide_id IS NOT NULL AND o.guide_id = s.guide_id"

GROUP_SHARE_SALES = Rollup(
    "group_share_sales",
    "one row per (day, group_id, store_id, guide_id): net sales of the orders whose share was posted to the "
    "group, the share of the order's own store and guide",
    f"SELECT day, group_id, store_id, guide_id, sales FROM ({_SHARE_SALES.format(same=_SAME_SIDE)}) AS t",
    "day, group_id, store_id, guide_id",
    Gate(store="store_id", guide="guide_id", parent=("group_id", "groups", "group_id")),
    refresh=Refresh((("orders", "CAST(ordered_at AS DATE)"),), "day IN {values}"),
)

GROUP_SHARE_SALES_CROSS = Rollup(
    "group_share_sales_cross",
    "one row per (day, group_id, order store_id, order guide_id, share_store_id, share_guide_id): as "
    "group_share_sales, for shares of another store or guide than the order's",
    _SHARE_SALES.format(same=f"NOT ({_SAME_SIDE})"),
    "day, group_id, store_id, guide_id",
    Gate(store="store_id", guide="guide_id", parent=("group_id", "groups", "group_id")),
    refresh=Refresh((("orders", "CAST(ordered_at AS DATE)"),), "day IN {values}"),
)

GROUP_SHARE_GUIDES = Rollup(
    "group_share_guides",
    "one row per guide of a share in group_share_sales_cross",
    "SELECT DISTINCT share_guide_id AS guide_id FROM group_share_sales_cross",
    "guide_id",
    Gate(guide="guide_id", store_free=True),
)

# The membership rows of members who ever referred an order: koc's "members of
# the group during the window with referred sales > 0" reads these few rows
# (with the raw rows' own timestamps) instead of every membership.
REFERRER_MEMBERSHIPS = Rollup(
    "referrer_memberships",
    "one row per group_members row of a member who is some order's referrer_member_id",
    """
SELECT group_id, member_id, joined_at, left_at
FROM group_members
WHERE member_id IN (SELECT referrer_member_id FROM orders WHERE referrer_member_id IS NOT NULL)""",
    "group_id, member_id, joined_at",
    GROUP,
    refresh=Refresh((("orders", "referrer_member_id"), ("group_members", "member_id")), "member_id IN {values}"),
)

REFERRED_SALES = Rollup(
    "referred_sales",
    "one row per (day, store_id, guide_id, member_id = referrer_member_id): net sales of the orders they referred",
    """
SELECT CAST(ordered_at AS DATE) AS day, store_id, guide_id, referrer_member_id AS member_id,
       CAST(sum(amount - refund_amount) AS DECIMAL(18,2)) AS sales
FROM orders
WHERE referrer_member_id IS NOT NULL
GROUP BY CAST(ordered_at AS DATE), store_id, guide_id, referrer_member_id""",
    "day, store_id, guide_id, member_id",
    Gate(store="store_id", guide="guide_id"),
    refresh=Refresh((("orders", "CAST(ordered_at AS DATE)"),), "day IN {values}"),
)

# Member messages whose text the sentiment prefilter (sentiment.PREFILTER, a
# superset of every negative text) matches, with their first staff reply:
# negative-messages judges these few in Python (sentiment.py stays the one
# judge) instead of matching millions of texts per request. replied_at: the
# first staff message of the same group quoting it (reply_to) sent at or after it.
_PATTERN = PREFILTER.replace("'", "''")
NEGATIVE_CANDIDATES = Rollup(
    "negative_candidates",
    "one row per member message with a text matching sentiment.PREFILTER, with its first staff reply",
    f"""
WITH cand AS (
  SELECT message_id, group_id, sent_at, sender_id, text
  FROM group_messages
  WHERE sender_type = 'member' AND text IS NOT NULL AND regexp_matches(text, '{_PATTERN}')
),
first_reply AS (
  SELECT c.message_id, min(r.sent_at) AS replied_at
  FROM cand c
  JOIN group_messages r ON r.reply_to = c.message_id AND r.group_id = c.group_id
  WHERE r.sender_type = 'staff' AND r.sent_at >= c.sent_at
  GROUP BY c.message_id
)
SELECT CAST(c.sent_at AS DATE) AS day, c.group_id, c.message_id, c.sent_at, c.sender_id, c.text,
       CAST(dense_rank() OVER (ORDER BY c.text) AS INTEGER) AS text_key, f.replied_at
FROM cand c LEFT JOIN first_reply f ON f.message_id = c.message_id""",
    "day, group_id, sent_at, message_id",
    GROUP,
)

ROLLUPS: tuple[Rollup, ...] = (GROUP_DAYS, MEMBER_KEYS, MEMBER_DAYS, MEMBER_REPLIES, GROUP_MEMBER_SPANS, GROUP_MEMBER_CHANGES,
                               GROUP_HOURS, GROUP_TYPES, GROUP_SHARE_SALES, GROUP_SHARE_SALES_CROSS,
                               GROUP_SHARE_GUIDES, REFERRED_SALES, REFERRER_MEMBERSHIPS, NEGATIVE_CANDIDATES)
