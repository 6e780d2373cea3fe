"""Channels rollups (see dashboard/rollups/__init__.py): the acquisition-channel
fans of SPEC.md "Acquisition-channel ROI" and what they bought within 1, 3, 7,
14, 30, 60 and 90 days of joining, so channel-roi and channel-cohorts over a
year read a few hundred thousand rows instead of joining 10M orders to 2M members.

The definitions are exactly those of channel_roi.py, fixed at publish time:
- a fan: a member with an acquisition_channel; retained: unfollowed_at is null
  or ≥ joined_at + 7 days (to the second);
- GMV within N days: sum of net (amount − refund_amount, counted on the order's
  own date, so a refund lowers the window its order lies in) of the fan's orders
  placed in [joined_at, joined_at + N days); an order counts as an order only
  while net > 0 (the repeat rate's ≥ 1 / ≥ 2 orders).
Whether a window has elapsed depends on the as-of date: that stays at query time.

Scope, as the raw SQL had it: fans are the scoped members (member's store,
member's guide); their orders the scoped orders (the ORDER's store and guide).
`channel_fan_sales` therefore keeps one row per (fan, order store, order guide),
gated by the order's store and guide and by the member's own scope (parent
`member_homes`, built with the live rollups: the member's (store, guide) pair,
gated as `members` is; the same as a semi-join on the scoped members, which
cost ~200 ms a query at scale 10); a fan's orders in the window are summed
over the rows in view before the ≥ 1 / ≥ 2 thresholds apply. `channel_fans`
(gated like members) and `channel_fans_monthly` (per joined month and member
store: a period's whole months without a guide filter) count the fans.
`channel_daily` holds the whole-group sums for the view nothing narrows (its
rows belong to no store and no guide, so the gate keeps them only then).
"""
from __future__ import annotations

from .model import SLICE_MARKER, Gate, Refresh, Rollup

# Days after joining at which the cumulative GMV is kept: channel-cohorts'
# checkpoints, which include channel-roi's windows 7, 30 and 90.
DAYS = (1, 3, 7, 14, 30, 60, 90)
RETAIN_DAYS = 7


def _window_sums(days=DAYS, net="o.amount - o.refund_amount", at="o.ordered_at", joined="m.joined_at") -> str:
    cols = []
    for d in days:
        inside = f"{at} < {joined} + INTERVAL '{d}' DAY"
        cols.append(f"CAST(sum({net}) FILTER (WHERE {inside}) AS DECIMAL(18,2)) AS gmv_{d}")
        cols.append(f"count(*) FILTER (WHERE {net} > 0 AND {inside}) AS orders_{d}")
    return ",\n       ".join(cols)


CHANNEL_FANS = Rollup(
    "channel_fans",
    "one row per member with an acquisition_channel (a fan), by joined_at",
    f"""
SELECT m.joined_at, CAST(row_number() OVER (ORDER BY m.member_id) AS INTEGER) AS member_key,
       m.acquisition_channel AS channel_id, m.store_id, m.guide_id, h.home_key,
       (m.unfollowed_at IS NULL OR m.unfollowed_at >= m.joined_at + INTERVAL '{RETAIN_DAYS}' DAY) AS retained,
       m.member_id
FROM members m
JOIN member_homes h ON h.store_id IS NOT DISTINCT FROM m.store_id AND h.guide_id IS NOT DISTINCT FROM m.guide_id
WHERE m.acquisition_channel IS NOT NULL""",
    "joined_at, member_key",
    # The scoped members' own predicates: a member bound to no store only when
    # nothing narrows the stores; the guide filter on the member's guide.
    Gate(store="store_id", store_nullable=True, guide="guide_id"),
)

_MONTHLY = """
SELECT CAST(date_trunc('month', joined_at) AS DATE) AS month, channel_id, store_id,
       count(*) AS fans, count(*) FILTER (WHERE retained) AS retained_fans, max(joined_at) AS last_joined
FROM channel_fans
GROUP BY CAST(date_trunc('month', joined_at) AS DATE), channel_id, store_id"""

CHANNEL_FANS_MONTHLY = Rollup(
    "channel_fans_monthly",
    "one row per (joined month, channel, member store_id) with fans: channel_fans counted",
    _MONTHLY,
    "month, channel_id, store_id",
    # The members' store predicate (a fan bound to no store only when nothing
    # narrows the stores); under a guide filter, which needs the member's guide,
    # it is re-derived from the scoped channel_fans (metrics then read
    # channel_fans themselves).
    Gate(store="store_id", store_nullable=True, when_guides_filtered=_MONTHLY),
)

CHANNEL_FAN_SALES = Rollup(
    "channel_fan_sales",
    "one row per (fan, order store_id, order guide_id) with an order in [joined_at, joined_at + 90 days)",
    f"""
SELECT m.joined_at, m.member_key, m.channel_id, m.home_key, o.store_id, o.guide_id,
       {_window_sums()}
FROM (SELECT * FROM channel_fans WHERE TRUE {SLICE_MARKER}) m
JOIN (SELECT * FROM orders WHERE TRUE {SLICE_MARKER}) o ON o.member_id = m.member_id
WHERE o.ordered_at >= m.joined_at AND o.ordered_at < m.joined_at + INTERVAL '{max(DAYS)}' DAY
GROUP BY m.joined_at, m.member_key, m.channel_id, m.home_key, o.store_id, o.guide_id""",
    "joined_at, member_key, store_id, guide_id",
    # The order's store and guide (the scoped orders), and the fan must be a
    # scoped member: its (store, guide) pair in view (member_homes, built with
    # the live rollups, gated as members are). A semi-join on member_id against
    # the 2M members cost ~200 ms a query at scale 10; this one reads a few
    # thousand rows.
    Gate(store="store_id", guide="guide_id", parent=("home_key", "member_homes", "home_key")),
    refresh=Refresh((("orders", "member_id"),), "member_key IN (SELECT member_key FROM channel_fans WHERE member_id IN {values})"),
    # Every group is one fan's: a slice of members at a time, both sides of the
    # join narrowed alike (560 MB at scale 10 in one statement).
    slice_by="member_id",
)


def _daily_sql() -> str:
    per_fan = ", ".join(f"sum(gmv_{d}) AS gmv_{d}, sum(orders_{d}) AS orders_{d}" for d in DAYS)
    day_sums = ",\n         ".join(
        f"sum(gmv_{d}) AS gmv_{d}, count(*) FILTER (WHERE orders_{d} >= 1) AS buyers_{d}, "
        f"count(*) FILTER (WHERE orders_{d} >= 2) AS repeaters_{d}" for d in DAYS)
    shown = ",\n       ".join(
        f"CAST(coalesce(s.gmv_{d}, 0) AS DECIMAL(18,2)) AS gmv_{d}, coalesce(s.buyers_{d}, 0) AS buyers_{d}, "
        f"coalesce(s.repeaters_{d}, 0) AS repeaters_{d}" for d in DAYS)
    # A fan's rows in channel_fan_sales carry its joined_at and channel: its
    # sums are summed into its (joined day, channel) without joining the fans
    # back to every fan's sums (that join and the sums were held at once).
    return f"""
WITH per_fan AS (
  -- what the unnarrowed view shows: every order of a store the stores table knows
  SELECT CAST(joined_at AS DATE) AS day, channel_id, member_key, {per_fan}
  FROM channel_fan_sales
  WHERE store_id IN (SELECT store_id FROM stores) {SLICE_MARKER}
  GROUP BY CAST(joined_at AS DATE), channel_id, member_key
), fan_sales AS (
  SELECT day, channel_id,
         {day_sums}
  FROM per_fan
  GROUP BY day, channel_id
), fans AS (
  SELECT CAST(joined_at AS DATE) AS day, channel_id, count(*) AS new_fans,
         count(*) FILTER (WHERE retained) AS retained_fans, max(joined_at) AS last_joined
  FROM channel_fans
  WHERE TRUE {SLICE_MARKER}
  GROUP BY CAST(joined_at AS DATE), channel_id
)
SELECT f.day, f.channel_id, CAST(NULL AS VARCHAR) AS store_id, CAST(NULL AS VARCHAR) AS guide_id,
       f.new_fans, f.retained_fans, f.last_joined,
       {shown}
FROM fans f
LEFT JOIN fan_sales s ON s.day = f.day AND s.channel_id = f.channel_id"""


def _daily_delta(con) -> str:
    """Refresh channel_daily after channel_fan_sales was refreshed for some fans
    (all of their rows removed and added again, in _changed_channel_fan_sales):
    each (joined day, channel) row is a sum over its fans, so it moves by the
    difference between those fans' new and old sums and thresholds (the fans
    themselves, channel_fans, did not change: that would rebuild it whole)."""
    per_side = ", ".join(f"sum(gmv_{d}) AS gmv_{d}, sum(orders_{d}) AS orders_{d}" for d in DAYS)
    deltas = ",\n       ".join(
        f"sum(CASE WHEN p._old THEN -coalesce(p.gmv_{d}, 0) ELSE coalesce(p.gmv_{d}, 0) END) AS gmv_{d}, "
        f"sum(CASE WHEN p.orders_{d} >= 1 THEN CASE WHEN p._old THEN -1 ELSE 1 END ELSE 0 END) AS buyers_{d}, "
        f"sum(CASE WHEN p.orders_{d} >= 2 THEN CASE WHEN p._old THEN -1 ELSE 1 END ELSE 0 END) AS repeaters_{d}"
        for d in DAYS)
    sets = ", ".join(f"gmv_{d} = CAST(c.gmv_{d} + d.gmv_{d} AS DECIMAL(18,2)), buyers_{d} = c.buyers_{d} + d.buyers_{d}, "
                     f"repeaters_{d} = c.repeaters_{d} + d.repeaters_{d}" for d in DAYS)
    con.execute(f"""
CREATE OR REPLACE TEMP TABLE _refresh_delta AS
WITH per_fan AS (
  -- each changed fan's sums before (_old) and after, over its orders of known stores
  SELECT member_key, _old, {per_side}
  FROM _changed_channel_fan_sales
  WHERE store_id IN (SELECT store_id FROM main.stores)
  GROUP BY member_key, _old
)
SELECT CAST(f.joined_at AS DATE) AS day, f.channel_id,
       {deltas}
FROM per_fan p
JOIN main.channel_fans f ON f.member_key = p.member_key
GROUP BY CAST(f.joined_at AS DATE), f.channel_id""")
    con.execute(f"UPDATE main.channel_daily c SET {sets} FROM _refresh_delta d "
                "WHERE c.day = d.day AND c.channel_id = d.channel_id")
    con.execute("DROP TABLE _refresh_delta")
    return "rows"


CHANNEL_DAILY = Rollup(
    "channel_daily",
    "one row per (joined day, channel) over every fan and every known store's orders: the whole group",
    _daily_sql(),
    "day, channel_id",
    # Whole-group sums belong to no store and no guide: the gate keeps a NULL
    # store only when nothing narrows the stores, and a guide filter never
    # matches a NULL guide, so these rows are seen exactly when nothing narrows
    # (metrics read them then, and channel_fans / channel_fan_sales otherwise).
    Gate(store="store_id", store_nullable=True, guide="guide_id"),
    refresh=Refresh((("channel_fan_sales", "member_key"),), "TRUE", custom=lambda con, rows_of: _daily_delta(con)),
    # Every group, and every fan's sums, is of one joined day: a slice of days at
    # a time (every fan's sums at once: out of 2 GB at 100M orders).
    slice_by="CAST(joined_at AS DATE)",
)

ROLLUPS: tuple[Rollup, ...] = (CHANNEL_FANS, CHANNEL_FANS_MONTHLY, CHANNEL_FAN_SALES, CHANNEL_DAILY)
