"""wemall-sources — where WeMall sales come from, as shares of WeMall sales.

Grain: one row per (dimension, value): dimension `source` with the values
moments, private_chat, group (the target of the order's share) and direct (no
share), always all four; dimension `cross_city` value true; dimension
`off_hours` value true. Over the in-scope WeMall orders (channel = 'wemall')
placed in the period; sales = their net; share_of_wemall = sales / all of
them (empty when there are none).

SPEC.md: "Where WeMall sales come from, as shares of WeMall sales: by the
share's target (moments / private chat / group) or no share (direct);
cross-city orders (buyer_city differs from the credited store's city);
off-hours orders (time of day outside the credited store's [open_time,
close_time))."

Readings:
- Source: the order's share_id joined to shares; the order counts under that
  share's target, whichever guide made the share (the order's credited guide
  may be another). An order without share_id is direct. An in-scope order
  whose share lies outside the user's view (a share of another store's guide
  outside the user's scope or filters) still counts — its sales are in scope —
  but its share cannot be read inside the scope gate, so it counts as direct
  ("no share in view"). The four source rows therefore always sum to exactly
  the WeMall sales (= kpis wemall_sales for the same view).
- Cross-city: buyer_city is not null and differs from the credited store's
  (orders.store_id) city; a missing buyer_city is not cross-city.
- Off-hours: the order's time of day is before the credited store's open_time
  or at/after its close_time (an order at exactly close_time is off-hours, one
  a second before is not; one at exactly open_time is not).
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from ..columns import cols
from ..reader import Reader
from .base import MetricArgs, metric, period_params, ratio

DECLARED = cols("dimension", "value", "sales:money", "share_of_wemall:rate")
COLUMNS = [c.name for c in DECLARED]
SOURCES = ("moments", "private_chat", "group", "direct")

SQL = """
WITH wm AS (
  SELECT o.net, o.share_id, o.buyer_city, CAST(o.ordered_at AS TIME) AS at_time, st.city, st.open_time, st.close_time,
         sh.target
  FROM orders o
  JOIN stores st ON st.store_id = o.store_id
  LEFT JOIN (SELECT share_id, target FROM shares WHERE shared_at >= $share_from AND shared_at < $share_to) sh
    ON sh.share_id = o.share_id
  WHERE o.ordered_at >= $start AND o.ordered_at < $end AND o.channel = 'wemall'
)
SELECT
  CAST(coalesce(sum(net), 0) AS DOUBLE) AS wemall_sales,
  CAST(coalesce(sum(net) FILTER (WHERE target = 'moments'), 0) AS DOUBLE) AS moments,
  CAST(coalesce(sum(net) FILTER (WHERE target = 'private_chat'), 0) AS DOUBLE) AS private_chat,
  CAST(coalesce(sum(net) FILTER (WHERE target = 'group'), 0) AS DOUBLE) AS "group",
  CAST(coalesce(sum(net) FILTER (WHERE target IS NULL), 0) AS DOUBLE) AS direct,
  CAST(coalesce(sum(net) FILTER (WHERE buyer_city IS NOT NULL AND buyer_city <> city), 0) AS DOUBLE)
    AS cross_city,
  CAST(coalesce(sum(net) FILTER (WHERE at_time < open_time OR at_time >= close_time), 0) AS DOUBLE)
    AS off_hours,
  count(*) FILTER (WHERE share_id IS NOT NULL AND target IS NULL) AS unmatched
FROM wm
"""


# Shares are read from this many days before the period first: an order's share
# precedes it, usually by hours or days. Any order whose share is not found that
# way (an older share, or one outside the view) makes the query run again over
# every share, so the answer never depends on the window, only the speed.
SHARE_WINDOW_DAYS = 7
EVER = (datetime(1900, 1, 1), datetime(9999, 1, 1))


def sources(reader: Reader, period) -> dict:
    p = period_params(period)
    row = reader.query(SQL, {**p, "share_from": p["start"] - timedelta(days=SHARE_WINDOW_DAYS),
                             "share_to": p["end"]}).iloc[0].to_dict()
    if row["unmatched"]:
        row = reader.query(SQL, {**p, "share_from": EVER[0], "share_to": EVER[1]}).iloc[0].to_dict()
    return row


@metric("wemall-sources", DECLARED, grain="one row per (dimension, value): 4 sources, cross_city, off_hours")
def wemall_sources(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """WeMall sales by the share's target or direct, and the cross-city and off-hours parts."""
    row = sources(reader, args.period)
    total = row["wemall_sales"]
    out = [("source", s, row[s]) for s in SOURCES]
    out += [("cross_city", "true", row["cross_city"]), ("off_hours", "true", row["off_hours"])]
    return pd.DataFrame([{"dimension": d, "value": v, "sales": float(s), "share_of_wemall": ratio(s, total)}
                         for d, v, s in out], columns=COLUMNS).astype({"share_of_wemall": float})
