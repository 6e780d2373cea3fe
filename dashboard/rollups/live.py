"""Live rollups (see dashboard/rollups/__init__.py): the facts of SPEC.md "Live
streams — the 72-hour rule" per live session, fixed at publish time with the
readings of dashboard/metrics/live_base.py, so a year of lives reads a few
hundred thousand rows instead of scanning the year's 10M orders.

- A live's orders: orders with its live_id placed in [started_at, ended_at +
  72h]; live part [started_at, ended_at], tail (ended_at, ended_at + 72h]; tail
  hour j = ceil((ordered_at − ended_at) / 1 h); sales the sum of net (a refund
  lowers its order's part), orders those of net > 0.
- A viewer: a member with a live_views row joined in [started_at − 7 days,
  ended_at + 72h]; returned: a viewer with a POS order of net > 0 placed in
  (ended_at, ended_at + 72h], with or without the live_id.
- An invitee: a (live, inviting guide, member) row of live_invites.

Each keeps the columns its facts are scoped by, so the gate narrows it by the
same predicates: orders by the ORDER's store and guide; views by the VIEWER's
(member's) store and guide, exactly as the scoped live_views (members in view;
every row when nothing narrows); invites by the inviting guide and its store
(the scoped guides). The lives themselves are scoped by the metric's join with
the scoped live_sessions (`chosen`). Every rollup carries started_at, so a
period's lives are read by range (sorted by started_at).
"""
from __future__ import annotations

from .model import SLICE_MARKER, Gate, Refresh, Rollup

# Whether the scope shows a member (the scoped `members`) depends on its store
# and its guide only: its store in view, or no store while nothing narrows the
# stores; the guide filter on its guide. So each (store, guide) pair members
# are bound to gets a small integer key, gated as members are, and a rollup row
# that must follow its member's visibility carries the key: `home_key IN
# (SELECT home_key FROM member_homes)` is then exactly "the member is in view"
# (a semi-join against a few thousand rows instead of 2M members). The pair
# (NULL, NULL) is always there: a member the members table lacks gets it, and
# is then seen exactly as the scoped live_views see its views (only when
# nothing narrows). Also read by the channels rollups (built after these).
MEMBER_HOMES = Rollup(
    "member_homes",
    "one row per (store_id, guide_id) pair members are bound to (either may be NULL), and (NULL, NULL)",
    """
SELECT CAST(row_number() OVER (ORDER BY store_id NULLS FIRST, guide_id NULLS FIRST) AS INTEGER) AS home_key,
       store_id, guide_id
FROM (SELECT store_id, guide_id FROM members UNION SELECT CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR)) h""",
    "home_key",
    Gate(store="store_id", store_nullable=True, guide="guide_id"),
)


def home_join(member_id: str, alias: str = "mh") -> str:
    """LEFT JOIN members and member_homes for `member_id`: `{alias}.home_key` is the member's home."""
    return (f"LEFT JOIN members {alias}_m ON {alias}_m.member_id = {member_id}\n"
            f"JOIN member_homes {alias} ON {alias}.store_id IS NOT DISTINCT FROM {alias}_m.store_id "
            f"AND {alias}.guide_id IS NOT DISTINCT FROM {alias}_m.guide_id")


# The orders of each live placed in [started_at, ended_at + 72h] (main tables).
_LIVE_ORDERS = """
  SELECT o.live_id, s.started_at, o.store_id, o.guide_id, o.member_id, o.brand, o.channel,
         o.amount - o.refund_amount AS net, o.ordered_at > s.ended_at AS is_tail,
         CASE WHEN o.ordered_at > s.ended_at
              THEN CAST(ceil(EXTRACT(EPOCH FROM (o.ordered_at - s.ended_at)) / 3600) AS INTEGER) ELSE 0 END AS h
  FROM orders o
  JOIN live_sessions s ON s.live_id = o.live_id
  WHERE o.ordered_at >= s.started_at AND o.ordered_at <= s.ended_at + INTERVAL '72' HOUR"""

LIVE_ORDER_ROWS = Rollup(
    "live_order_rows",
    "one row per order with a live_id placed in its live's [started_at, ended_at + 72h]",
    """
SELECT o.order_id, o.live_id, s.started_at, o.ordered_at, o.store_id, o.guide_id, o.member_id, o.brand,
       o.amount - o.refund_amount AS net, o.amount - o.refund_amount > 0 AS is_order,
       o.ordered_at > s.ended_at AS is_tail
FROM orders o
JOIN live_sessions s ON s.live_id = o.live_id
WHERE o.ordered_at >= s.started_at AND o.ordered_at <= s.ended_at + INTERVAL '72' HOUR""",
    "started_at, live_id, ordered_at, order_id",
    # live-curve and morning-lives cut a live's orders at any second: they read these rows.
    Gate(store="store_id", guide="guide_id"),
    refresh=Refresh((("orders", "live_id"),), "live_id IN {values}"),
)

LIVE_SALES_HOURS = Rollup(
    "live_sales_hours",
    "one row per (live, order store_id, order guide_id, brand, h) with live or tail orders; "
    "h = 0 for the live part, j = 1..72 for tail hour j",
    f"""
WITH lo AS ({_LIVE_ORDERS})
SELECT live_id, started_at, store_id, guide_id, brand, h,
       CAST(sum(net) AS DECIMAL(18,2)) AS sales, count(*) FILTER (WHERE net > 0) AS orders
FROM lo
GROUP BY live_id, started_at, store_id, guide_id, brand, h""",
    "started_at, live_id, store_id, guide_id, brand, h",
    Gate(store="store_id", guide="guide_id"),
    refresh=Refresh((("orders", "live_id"),), "live_id IN {values}"),
)

LIVE_MEMBER_SALES = Rollup(
    "live_member_sales",
    "one row per (live, order store_id, order guide_id, member) with live or tail orders of a known member; "
    "invited_viewer: the member was invited to the live (by a known guide) and viewed it",
    f"""
WITH lo AS ({_LIVE_ORDERS}),
sums AS (
  SELECT live_id, started_at, store_id, guide_id, member_id,
         CAST(sum(net) FILTER (WHERE NOT is_tail) AS DECIMAL(18,2)) AS live_net,
         CAST(sum(net) FILTER (WHERE is_tail) AS DECIMAL(18,2)) AS tail_net,
         count(*) FILTER (WHERE net > 0) AS n_orders
  FROM lo
  WHERE member_id IS NOT NULL
  GROUP BY live_id, started_at, store_id, guide_id, member_id
),
invited_viewers AS (
  -- (live, member) pairs some known guide invited and who viewed the live:
  -- the only purchases live-guides / live-stores look up
  SELECT DISTINCT i.live_id, i.member_id
  FROM live_invites i
  JOIN guides g ON g.guide_id = i.guide_id
  JOIN live_viewers v ON v.live_id = i.live_id AND v.member_id = i.member_id
)
SELECT s.*, (iv.member_id IS NOT NULL) AS invited_viewer
FROM sums s
LEFT JOIN invited_viewers iv ON iv.live_id = s.live_id AND iv.member_id = s.member_id""",
    "started_at, live_id, member_id, store_id, guide_id",
    Gate(store="store_id", guide="guide_id"),
    refresh=Refresh((("orders", "live_id"),), "live_id IN {values}"),
)

LIVE_VIEWERS = Rollup(
    "live_viewers",
    "one row per (live, member) with a view joined in [started_at - 7 days, ended_at + 72h], "
    "with the member's store and guide (NULL for a member the members table lacks)",
    """
SELECT v.live_id, s.started_at, v.member_id, mh_m.store_id AS member_store_id,
       mh_m.guide_id AS member_guide_id, mh.home_key
FROM (SELECT DISTINCT v.live_id, v.member_id
      FROM live_views v JOIN live_sessions s ON s.live_id = v.live_id
      WHERE v.joined_at >= s.started_at - INTERVAL '7' DAY AND v.joined_at <= s.ended_at + INTERVAL '72' HOUR) v
JOIN live_sessions s ON s.live_id = v.live_id
""" + home_join("v.member_id"),
    "started_at, live_id, member_id",
    # The scoped live_views: a view is kept when its member is a scoped member
    # (member's store in view, or none while nothing narrows the stores; the
    # guide filter on the member's guide), and every view when nothing narrows.
    # A member the members table lacks has NULLs here: kept only then, as there.
    Gate(store="member_store_id", store_nullable=True, guide="member_guide_id"),
)

LIVE_VIEWER_RETURNS = Rollup(
    "live_viewer_returns",
    "one row per (live, viewer, order store_id, order guide_id) with a POS order of net > 0 "
    "placed in (ended_at, ended_at + 72h]",
    """
WITH pos AS (
  -- POS orders (net > 0) of viewers: cut first, so the time-window join stays small
  SELECT member_id, ordered_at, store_id, guide_id
  FROM orders
  WHERE channel = 'pos' AND amount - refund_amount > 0 AND member_id IN (SELECT member_id FROM live_viewers)
)
SELECT DISTINCT v.live_id, v.started_at, v.member_id, v.home_key, p.store_id, p.guide_id
FROM live_viewers v
JOIN live_sessions s ON s.live_id = v.live_id
JOIN pos p ON p.member_id = v.member_id
WHERE p.ordered_at > s.ended_at AND p.ordered_at <= s.ended_at + INTERVAL '72' HOUR""",
    "started_at, live_id, member_id, store_id, guide_id",
    # The POS order's store and guide (the scoped orders); that the viewer is in
    # view is the metric's `home_key IN (SELECT home_key FROM member_homes)`.
    Gate(store="store_id", guide="guide_id"),
    refresh=Refresh((("orders", "member_id"),), "member_id IN {values}"),
)

LIVE_INVITEES = Rollup(
    "live_invitees",
    "one row per live_invites row (live, inviting guide, member) of a guide the guides table knows, "
    "with the guide's store, the member's home_key, whether the member viewed the live (a live_viewers "
    "row), whether it has live or tail orders (a live_member_sales row, any store), and how many guides "
    "(of any store / of this guide's store) invited the member to the live",
    f"""
WITH inv AS (
  SELECT i.live_id, s.started_at, i.guide_id, g.store_id AS guide_store_id, i.member_id
  FROM live_invites i
  JOIN live_sessions s ON s.live_id = i.live_id
  JOIN guides g ON g.guide_id = i.guide_id
  WHERE TRUE {SLICE_MARKER}
)
SELECT i.live_id, i.started_at, i.guide_id, i.guide_store_id, i.member_id, mh.home_key,
       (v.member_id IS NOT NULL) AS viewed,
       EXISTS (SELECT 1 FROM live_member_sales b WHERE b.live_id = i.live_id AND b.member_id = i.member_id) AS bought,
       CAST(count(*) OVER (PARTITION BY i.live_id, i.member_id) AS INTEGER) AS pair_guides,
       CAST(count(*) OVER (PARTITION BY i.live_id, i.member_id, i.guide_store_id) AS INTEGER) AS pair_store_guides
FROM inv i
LEFT JOIN live_viewers v ON v.live_id = i.live_id AND v.member_id = i.member_id
""" + home_join("i.member_id"),
    "started_at, live_id, member_id, guide_id",
    # The scoped live_invites: the inviting guide among the scoped guides (its
    # store in view, the guide filter on it). Whether the invitee's view is in
    # view is the metric's `home_key IN (SELECT home_key FROM member_homes)`.
    Gate(store="guide_store_id", guide="guide_id"),
    # live_invites and live_viewers only narrowed (a change to them rebuilds it).
    refresh=Refresh((("live_member_sales", "live_id"), ("live_invites", "live_id"), ("live_viewers", "live_id")),
                    "live_id IN {values}"),
    # Its windows partition by (live, member): a slice of members at a time.
    slice_by="i.member_id",
)

LIVE_AUDIENCE_WHOLE = Rollup(
    "live_audience_whole",
    "one row per live with views or invites: its audience as the view nothing narrows sees it "
    "(every view; invitations of known guides of known stores; POS orders of known stores)",
    """
WITH invites AS (
  SELECT live_id, count(DISTINCT member_id) AS invited, count(DISTINCT member_id) FILTER (WHERE viewed) AS invited_watched
  FROM live_invitees WHERE guide_store_id IN (SELECT store_id FROM stores)
  GROUP BY live_id
),
viewers AS (SELECT live_id, count(*) AS viewers FROM live_viewers GROUP BY live_id),
came_back AS (
  SELECT live_id, count(DISTINCT member_id) AS returned
  FROM live_viewer_returns WHERE store_id IN (SELECT store_id FROM stores)
  GROUP BY live_id
),
lives AS (SELECT live_id FROM invites UNION SELECT live_id FROM viewers)
SELECT l.live_id, s.started_at, CAST(NULL AS VARCHAR) AS store_id, CAST(NULL AS VARCHAR) AS guide_id,
       coalesce(i.invited, 0) AS invited, coalesce(i.invited_watched, 0) AS invited_watched,
       coalesce(v.viewers, 0) AS viewers, coalesce(r.returned, 0) AS returned
FROM lives l
JOIN live_sessions s ON s.live_id = l.live_id
LEFT JOIN invites i ON i.live_id = l.live_id
LEFT JOIN viewers v ON v.live_id = l.live_id
LEFT JOIN came_back r ON r.live_id = l.live_id""",
    "started_at, live_id",
    # Whole-group figures belong to no store and no guide: the gate keeps a
    # NULL store only when nothing narrows the stores, and a guide filter never
    # matches a NULL guide, so these rows are seen exactly when nothing narrows
    # (live-tail reads them then, and the per-member rollups otherwise).
    Gate(store="store_id", store_nullable=True, guide="guide_id"),
    refresh=Refresh((("live_invitees", "live_id"), ("live_viewer_returns", "live_id"), ("live_viewers", "live_id")), "live_id IN {values}"),
)

LIVE_INVITERS_WHOLE = Rollup(
    "live_inviters_whole",
    "one row per (level guide|store, inviting guide or its store, live): live-guides' and live-stores' "
    "counts and sums as the view nothing narrows sees them",
    """
WITH inv AS (SELECT * FROM live_invitees WHERE guide_store_id IN (SELECT store_id FROM stores)),
bought AS (
  SELECT live_id, member_id, sum(live_net) AS live_net, sum(tail_net) AS tail_net, sum(n_orders) AS n_orders
  FROM live_member_sales WHERE store_id IN (SELECT store_id FROM stores)
  GROUP BY live_id, member_id
),
pairs AS (
  SELECT 'guide' AS level, guide_id AS inviter_id, live_id, member_id, bool_or(viewed) AS viewed
  FROM inv GROUP BY guide_id, live_id, member_id
  UNION ALL
  SELECT 'store' AS level, guide_store_id AS inviter_id, live_id, member_id, bool_or(viewed) AS viewed
  FROM inv GROUP BY guide_store_id, live_id, member_id
)
SELECT p.level, p.inviter_id, p.live_id, s.started_at, CAST(NULL AS VARCHAR) AS store_id,
       CAST(NULL AS VARCHAR) AS guide_id,
       count(*) AS invited, count(*) FILTER (WHERE p.viewed) AS invited_watched,
       CAST(coalesce(sum(b.live_net) FILTER (WHERE p.viewed), 0) AS DECIMAL(18,2)) AS watched_live_sales,
       CAST(coalesce(sum(b.tail_net) FILTER (WHERE p.viewed), 0) AS DECIMAL(18,2)) AS watched_tail_sales,
       count(*) FILTER (WHERE p.viewed AND b.n_orders > 0) AS watched_buyers
FROM pairs p
JOIN live_sessions s ON s.live_id = p.live_id
LEFT JOIN bought b ON b.live_id = p.live_id AND b.member_id = p.member_id
GROUP BY p.level, p.inviter_id, p.live_id, s.started_at""",
    "started_at, live_id, level, inviter_id",
    # Whole-group figures (see live_audience_whole): seen exactly when nothing narrows.
    Gate(store="store_id", store_nullable=True, guide="guide_id"),
    refresh=Refresh((("live_invitees", "live_id"), ("live_member_sales", "live_id")), "live_id IN {values}"),
)

ROLLUPS: tuple[Rollup, ...] = (MEMBER_HOMES, LIVE_ORDER_ROWS, LIVE_SALES_HOURS, LIVE_VIEWERS, LIVE_VIEWER_RETURNS, LIVE_MEMBER_SALES,
                               LIVE_INVITEES, LIVE_AUDIENCE_WHOLE, LIVE_INVITERS_WHOLE)
