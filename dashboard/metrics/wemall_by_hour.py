"""wemall-by-hour — WeMall sales by hour of day, against the stores' opening hours.

Grain: one row per hour of day 0–23 (all 24).

SPEC.md: "off-hours orders (time of day outside the credited store's
[open_time, close_time))". wemall_sales = net of the in-scope WeMall orders
placed in the period in that hour (local time); off_hours_sales = the part of
it outside the credited store's [open_time, close_time) (as in
wemall-sources, so the column sums to its off_hours row); open_stores = the
in-scope stores open in the period (opened_on ≤ end, closed_on null or ≥
start) whose opening hours cover some of that hour (open_time < hour + 1 and
close_time > hour); scope_stores = all those stores (the page shades the hours no
store is open and marks the earliest opening and latest closing).
"""
from __future__ import annotations

import pandas as pd

from ..columns import cols
from ..reader import Reader
from .base import MetricArgs, metric

DECLARED = cols("hour_of_day:number", "wemall_sales:money", "off_hours_sales:money", "open_stores:count", "scope_stores:count")
COLUMNS = [c.name for c in DECLARED]

# From the wemall_hours rollup (dashboard/rollups/sharing.py): the scoped
# WeMall orders' net per day, store, guide and hour, with its off-hours part.
SQL = """
SELECT hour_of_day AS hour, CAST(sum(sales) AS DOUBLE) AS wemall_sales,
       CAST(coalesce(sum(off_hours_sales), 0) AS DOUBLE) AS off_hours_sales
FROM wemall_hours
WHERE day >= $start_day AND day <= $end_day
GROUP BY hour_of_day
"""

STORES_SQL = """
SELECT extract(hour FROM open_time) * 60 + extract(minute FROM open_time) + extract(second FROM open_time) / 60.0
         AS open_minute,
       extract(hour FROM close_time) * 60 + extract(minute FROM close_time) + extract(second FROM close_time) / 60.0
         AS close_minute
FROM stores
WHERE opened_on <= $end_day AND (closed_on IS NULL OR closed_on >= $start_day)
"""


@metric("wemall-by-hour", DECLARED, grain="one row per hour of day (0-23)")
def wemall_by_hour(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Hour-of-day WeMall sales, the off-hours part, and how many stores are open in each hour."""
    days = {"start_day": args.period.start, "end_day": args.period.end}
    sales = reader.query(SQL, days).set_index("hour")
    stores = reader.query(STORES_SQL, days)
    rows = []
    for h in range(24):
        open_n = int(((stores["open_minute"] < (h + 1) * 60) & (stores["close_minute"] > h * 60)).sum())
        rows.append({"hour_of_day": h,
                     "wemall_sales": float(sales["wemall_sales"].get(h, 0.0)),
                     "off_hours_sales": float(sales["off_hours_sales"].get(h, 0.0)),
                     "open_stores": open_n, "scope_stores": len(stores)})
    return pd.DataFrame(rows, columns=COLUMNS)
