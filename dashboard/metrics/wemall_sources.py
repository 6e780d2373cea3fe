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

import pandas as pd

from ..columns import cols
from ..reader import Reader
from .base import MetricArgs, metric, ratio

DECLARED = cols("dimension", "value", "sales:money", "share_of_wemall:rate")
COLUMNS = [c.name for c in DECLARED]
SOURCES = ("moments", "private_chat", "group", "direct")

# From the wemall_source_days rollup (dashboard/rollups/sharing.py): the
# scoped WeMall orders' net per day, store, guide and share (its store, guide
# and target), with the cross-city and off-hours parts. A share counts only when
# it is in view — its (store, guide) pair among the scoped share_pairs — else
# the order is direct, as in the raw reading above; a share of the order's own
# store and guide (not foreign_share) is in view with the order. Bound:
# $start_day, $end_day.
SQL = """
WITH wm AS (
  SELECT sales, cross_city_sales, off_hours_sales, target
  FROM wemall_source_days
  WHERE day >= $start_day AND day <= $end_day AND NOT foreign_share
  UNION ALL
  SELECT w.sales, w.cross_city_sales, w.off_hours_sales, CASE WHEN p.guide_id IS NOT NULL THEN w.target END
  FROM wemall_source_days w
  LEFT JOIN share_pairs p ON p.store_id = w.share_store_id AND p.guide_id = w.share_guide_id
  WHERE w.day >= $start_day AND w.day <= $end_day AND w.foreign_share
)
SELECT
  CAST(coalesce(sum(sales), 0) AS DOUBLE) AS wemall_sales,
  CAST(coalesce(sum(sales) FILTER (WHERE target = 'moments'), 0) AS DOUBLE) AS moments,
  CAST(coalesce(sum(sales) FILTER (WHERE target = 'private_chat'), 0) AS DOUBLE) AS private_chat,
  CAST(coalesce(sum(sales) FILTER (WHERE target = 'group'), 0) AS DOUBLE) AS "group",
  CAST(coalesce(sum(sales) FILTER (WHERE target IS NULL), 0) AS DOUBLE) AS direct,
  CAST(coalesce(sum(cross_city_sales), 0) AS DOUBLE) AS cross_city,
  CAST(coalesce(sum(off_hours_sales), 0) AS DOUBLE) AS off_hours
FROM wm
"""


def sources(reader: Reader, period) -> dict:
    return reader.query(SQL, {"start_day": period.start, "end_day": period.end}).iloc[0].to_dict()


@metric("wemall-sources", DECLARED, grain="one row per (dimension, value): 4 sources, cross_city, off_hours")
def wemall_sources(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """WeMall sales by the share's target or direct, and the cross-city and off-hours parts."""
    row = sources(reader, args.period)
    total = row["wemall_sales"]
    out = [("source", s, row[s]) for s in SOURCES]
    out += [("cross_city", "true", row["cross_city"]), ("off_hours", "true", row["off_hours"])]
    return pd.DataFrame([{"dimension": d, "value": v, "sales": float(s), "share_of_wemall": ratio(s, total)}
                         for d, v, s in out], columns=COLUMNS).astype({"share_of_wemall": float})
