"""Sharing rollups (see dashboard/rollups/__init__.py): the WeMall sharing
metrics (分享率, share_common.py) read these instead of the 6M shares, 7M
share_visits and 10M orders.

The scope gate narrows each by the same predicates as the facts it comes from:
- a share is in view when its own store (shares.store_id) is and its guide
  passes the guide filter; a visit when its share is (the scope's
  `share_visits`), or, when nothing narrows at all, always (a visit of a share
  the data does not hold counts then: scope.WHOLE_WHEN_NOTHING_NARROWS);
- an order when its store (orders.store_id) is and its guide passes the filter.
Rows no scope can ever show (shares and orders of a store the stores table
does not know) are left out when built; a visit of such a share, or of a share
the data does not hold, keeps store_id and guide_id NULL, so the gate
(`store_nullable`) shows it only when nothing narrows, exactly as the raw
tables do.

Sums of money stay DECIMAL; counts are BIGINT.
"""
from __future__ import annotations

from .model import SLICE_MARKER, Gate, Refresh, Rollup
from .sales import NEVER

# The share of an order or a visit, when some scope can see it.
_KNOWN_SHARES = "(SELECT share_id, store_id, guide_id, target FROM shares WHERE store_id IN (SELECT store_id FROM stores))"

# Guides numbered (guide_key), so the per-guide sums group by a small integer.
GUIDE_KEYS = Rollup(
    "guide_keys",
    "one row per guide of the guides table, with its integer guide_key",
    "SELECT guide_id, CAST(row_number() OVER (ORDER BY guide_id) AS INTEGER) AS guide_key FROM guides",
    "guide_key",
    Gate(guide="guide_id", store_free=True),
)

# The per-guide figures of share-rate in one table: shares by the share's own
# store (shares.store_id, shared_at day) and credited WeMall sales by the
# order's own store (orders.store_id, guide_id not null, net on the order's
# day). Each fact is narrowed by the same store and guide predicates as in the
# raw tables, since both keep their own store_id and guide_id. From the guides
# table (the same file): is_guide (role = guide), hired_on, left_on, and
# on_roster (hired_on ≤ day ≤ left_on). `simple` marks the rows the share rate
# can take as they are: a row of a guide (role = guide) in their own store
# (guides.store_id) whose shares that day all lie in that store — visible
# exactly when the guide is in view, and the guide's whole day; and every row
# of another role (never on a roster; counted only in the funnel's shares).
# The other rows (a guide sharing in two stores one day, or in a store not
# their own) are copied to guide_share_other, summed per guide and day there.
GUIDE_SHARE_DAYS = Rollup(
    "guide_share_days",
    "one row per (day, store_id, guide_id) with shares (the share's store) or WeMall orders credited to the "
    "guide (the order's store)",
    """
WITH parts AS (
  SELECT CAST(shared_at AS DATE) AS day, store_id, guide_id, count(*) AS shares,
         CAST(NULL AS DECIMAL(18,2)) AS wemall_sales
  FROM shares
  WHERE store_id IN (SELECT store_id FROM stores)
  GROUP BY CAST(shared_at AS DATE), store_id, guide_id
  UNION ALL
  SELECT CAST(ordered_at AS DATE) AS day, store_id, guide_id, 0 AS shares,
         CAST(sum(amount - refund_amount) AS DECIMAL(18,2)) AS wemall_sales
  FROM orders
  WHERE channel = 'wemall' AND guide_id IS NOT NULL AND store_id IN (SELECT store_id FROM stores)
  GROUP BY CAST(ordered_at AS DATE), store_id, guide_id
), days AS (
  SELECT day, store_id, guide_id, CAST(sum(shares) AS BIGINT) AS shares,
         CAST(sum(wemall_sales) AS DECIMAL(18,2)) AS wemall_sales
  FROM parts
  GROUP BY day, store_id, guide_id
), flagged AS (
  SELECT d.day, d.store_id, d.guide_id, k.guide_key, d.shares, d.wemall_sales,
         coalesce(g.role = 'guide', FALSE) AS is_guide,
         coalesce(g.store_id = d.store_id, FALSE) AS home,
         coalesce(g.hired_on <= d.day AND (g.left_on IS NULL OR g.left_on >= d.day), FALSE) AS on_roster,
         g.hired_on, g.left_on,
         count(*) FILTER (WHERE d.shares > 0) OVER (PARTITION BY d.guide_id, d.day) > 1 AS split_day
  FROM days d
  LEFT JOIN guides g ON g.guide_id = d.guide_id
  LEFT JOIN guide_keys k ON k.guide_id = d.guide_id
)
SELECT day, store_id, guide_id, guide_key, shares, wemall_sales, is_guide, on_roster, hired_on, left_on,
       NOT (is_guide AND (split_day OR NOT home)) AS simple
FROM flagged""",
    "day, store_id, guide_id",
    Gate(store="store_id", guide="guide_id", known_stores=True),
    refresh=Refresh((("orders", "CAST(ordered_at AS DATE)"), ("shares", "CAST(shared_at AS DATE)")), "day IN {values}"),
)

GUIDE_SHARE_OTHER = Rollup(
    "guide_share_other",
    "the rows of guide_share_days that are not simple (a guide's split day, or a guide's row in another store)",
    """
SELECT day, store_id, guide_id, guide_key, shares, wemall_sales, on_roster
FROM guide_share_days
WHERE NOT simple""",
    "day, store_id, guide_id",
    Gate(store="store_id", guide="guide_id", known_stores=True),
    refresh=Refresh((("guide_share_days", "day"),), "day IN {values}"),
)

# The (store, guide) pairs of the shares: a share is in view exactly when its
# pair is among the scoped rows (its store in view, its guide through the
# guide filter) — how wemall-sources decides "a share outside the view counts
# as direct" without reading the shares.
SHARE_PAIRS = Rollup(
    "share_pairs",
    "one row per (store_id, guide_id) of the shares of a known store",
    """
SELECT store_id, guide_id FROM shares
WHERE store_id IN (SELECT store_id FROM stores)
GROUP BY store_id, guide_id""",
    "store_id, guide_id",
    Gate(store="store_id", guide="guide_id", known_stores=True),
)

# Orders through a share per day, by the order's own store and guide (every
# channel, as share-funnel counts them).
SHARE_ORDER_DAYS = Rollup(
    "share_order_days",
    "one row per (day, store_id, guide_id) with orders that carry a share_id",
    """
SELECT CAST(ordered_at AS DATE) AS day, store_id, guide_id,
       count(*) FILTER (WHERE amount - refund_amount > 0) AS share_orders,
       CAST(sum(amount - refund_amount) AS DECIMAL(18,2)) AS share_sales
FROM orders
WHERE share_id IS NOT NULL AND store_id IN (SELECT store_id FROM stores)
GROUP BY CAST(ordered_at AS DATE), store_id, guide_id""",
    "day, store_id, guide_id",
    Gate(store="store_id", guide="guide_id", known_stores=True),
    refresh=Refresh((("orders", "CAST(ordered_at AS DATE)"),), "day IN {values}"),
)

# Every member who visited a share numbered once (member_key), so
# share_visitor_days' slices share one numbering: a slice numbering its own
# visitors would give two members of different slices the same key.
VISITOR_KEYS = Rollup(
    "visitor_keys",
    "one row per member_id with a share visit: its integer member_key (by member_id)",
    """
SELECT member_id, CAST(row_number() OVER (ORDER BY member_id) AS INTEGER) AS member_key
FROM (SELECT DISTINCT member_id FROM share_visits WHERE member_id IS NOT NULL) m""",
    "member_key",
    # Read by no metric (share_visitor_days carries the key): a member's key is
    # seen when the member is.
    Gate(parent=("member_id", "members", "member_id")),
)

# Share visits by the visited share's store and guide (NULL for a share no
# scope shows), one row per (day, store, guide, member) with its visit count;
# anonymous visits (member_id NULL) on one row per (day, store, guide) with
# member_key NULL. Distinct visitors as buyer_days counts buyers: on the one
# row that represents a (member, day), the member's previous visit day
# (prev_day), and on the one that represents a (region of the share's store,
# member, day) the member's previous visit day in that region
# (prev_region_day). With nothing narrowing, the members who visited in
# [start, end] are the representing rows in the period whose prev_day is before
# start: a plain count; likewise with prev_region_day when the view is exactly
# one region (its stores kept whole, nothing else narrowing). Under any other
# narrowing, count(DISTINCT member_key).
SHARE_VISITOR_DAYS = Rollup(
    "share_visitor_days",
    "one row per (day, store_id, guide_id, member) with visits of a share (the share's store/guide, "
    "NULL when no scope shows the share; member_key NULL for anonymous visits)",
    f"""
WITH joined AS MATERIALIZED (
  -- joined first, then grouped: the joins' tables are gone before the groups
  -- are made (in one pipeline both were held, out of memory at scale 10 in 200 MB)
  SELECT CAST(v.visited_at AS DATE) AS day, sh.store_id, sh.guide_id, k.member_key
  FROM share_visits v
  LEFT JOIN {_KNOWN_SHARES} sh ON sh.share_id = v.share_id
  LEFT JOIN visitor_keys k ON k.member_id = v.member_id
  WHERE TRUE {SLICE_MARKER}
), visited AS (
  SELECT day, store_id, guide_id, member_key, count(*) AS visits
  FROM joined
  GROUP BY day, store_id, guide_id, member_key
), ordered AS (
  -- The day of the member's previous row (any store / the same region), rows in
  -- (day, store, guide) order: on the first row of a (member, day) it is the
  -- previous visit day, on the others that same day.
  SELECT v.day, v.store_id, v.guide_id, v.member_key, v.visits, st.region,
         lag(v.day) OVER (PARTITION BY v.member_key
                          ORDER BY v.day, v.store_id NULLS FIRST, v.guide_id NULLS FIRST) AS before_any,
         lag(v.day) OVER (PARTITION BY st.region, v.member_key
                          ORDER BY v.day, v.store_id, v.guide_id NULLS FIRST) AS before_region
  FROM visited v
  LEFT JOIN stores st ON st.store_id = v.store_id
)
SELECT day, store_id, guide_id, member_key, CAST(visits AS BIGINT) AS visits,
       CASE WHEN member_key IS NULL THEN NULL WHEN before_any IS NULL THEN {NEVER}
            WHEN before_any < day THEN before_any END AS prev_day,
       CASE WHEN member_key IS NULL OR region IS NULL THEN NULL WHEN before_region IS NULL THEN {NEVER}
            WHEN before_region < day THEN before_region END AS prev_region_day
FROM ordered""",
    "day, store_id, guide_id, member_key",
    Gate(store="store_id", store_nullable=True, guide="guide_id"),
    # Its windows partition by member (anonymous visits, hash(NULL), all in one
    # slice): a slice of visitors at a time, else its memory grows with the
    # visits (900 MB at scale 10, out of 2 GB at 100).
    slice_by="v.member_id",
)

# WeMall orders of a known store (the scoped orders join the stores), with the
# store's city and hours applied once: cross_city = buyer_city known and not the
# credited store's city; off_hours = time of day before open_time or at/after
# close_time. The order's share (any day: an order's share_id names one share)
# keeps its own store and guide, so the metric counts it only when that share
# is in view (share_pairs), else as direct. foreign_share: the share's store
# or guide is not the order's (a share of the order's own store and guide is in
# view whenever the order is).
_WEMALL = f"""
  SELECT CAST(o.ordered_at AS DATE) AS day, o.store_id, o.guide_id, o.amount - o.refund_amount AS net,
         o.buyer_city IS NOT NULL AND o.buyer_city <> st.city AS cross_city,
         CAST(o.ordered_at AS TIME) < st.open_time OR CAST(o.ordered_at AS TIME) >= st.close_time AS off_hours,
         sh.store_id AS share_store_id, sh.guide_id AS share_guide_id, sh.target
  FROM orders o
  JOIN stores st ON st.store_id = o.store_id
  LEFT JOIN {_KNOWN_SHARES} sh ON sh.share_id = o.share_id
  WHERE o.channel = 'wemall' {SLICE_MARKER}"""

WEMALL_SOURCE_DAYS = Rollup(
    "wemall_source_days",
    "one row per (day, store_id, guide_id, share's store_id, share's guide_id, share's target) with WeMall "
    "orders; share columns NULL without a (known) share",
    f"""
WITH wm AS ({_WEMALL})
SELECT day, store_id, guide_id, share_store_id, share_guide_id, target,
       CAST(sum(net) AS DECIMAL(18,2)) AS sales,
       CAST(coalesce(sum(net) FILTER (WHERE cross_city), 0) AS DECIMAL(18,2)) AS cross_city_sales,
       CAST(coalesce(sum(net) FILTER (WHERE off_hours), 0) AS DECIMAL(18,2)) AS off_hours_sales,
       share_store_id IS NOT NULL AND (share_store_id <> store_id OR share_guide_id IS DISTINCT FROM guide_id)
         AS foreign_share
FROM wm
GROUP BY day, store_id, guide_id, share_store_id, share_guide_id, target""",
    "day, store_id, guide_id",
    Gate(store="store_id", guide="guide_id", known_stores=True),
    # Every group is one store's: a slice of stores at a time (the join with
    # the shares and the groups: 690 MB at scale 10, out of 2 GB at 100).
    slice_by="o.store_id",
    refresh=Refresh((("orders", "CAST(ordered_at AS DATE)"),), "day IN {values}"),
)

WEMALL_HOURS = Rollup(
    "wemall_hours",
    "one row per (day, store_id, guide_id, hour of day) with WeMall orders",
    """
SELECT CAST(o.ordered_at AS DATE) AS day, o.store_id, o.guide_id,
       CAST(extract(hour FROM o.ordered_at) AS INTEGER) AS hour_of_day,
       CAST(sum(o.amount - o.refund_amount) AS DECIMAL(18,2)) AS sales,
       CAST(coalesce(sum(o.amount - o.refund_amount) FILTER (WHERE CAST(o.ordered_at AS TIME) < st.open_time
                                                            OR CAST(o.ordered_at AS TIME) >= st.close_time), 0)
            AS DECIMAL(18,2)) AS off_hours_sales
FROM orders o
JOIN stores st ON st.store_id = o.store_id
WHERE o.channel = 'wemall'
GROUP BY CAST(o.ordered_at AS DATE), o.store_id, o.guide_id, extract(hour FROM o.ordered_at)""",
    "day, store_id, guide_id, hour_of_day",
    Gate(store="store_id", guide="guide_id", known_stores=True),
    refresh=Refresh((("orders", "CAST(ordered_at AS DATE)"),), "day IN {values}"),
)

ROLLUPS: tuple[Rollup, ...] = (GUIDE_KEYS, GUIDE_SHARE_DAYS, GUIDE_SHARE_OTHER, SHARE_PAIRS, SHARE_ORDER_DAYS,
                               VISITOR_KEYS, SHARE_VISITOR_DAYS, WEMALL_SOURCE_DAYS, WEMALL_HOURS)
