"""The as-of day the app and the CLI open on (SPEC: "the latest complete day in
the data"). Not a metric: it reads the published database directly, over all
the data and not the user's scope, so it lives outside dashboard/metrics (which
only ever read through the scope gate)."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from . import clock

# From the daily rollup every published file has (dashboard/rollups/): no scan of the orders.
LAST_ORDER_DAY_SQL = "SELECT max(day) FROM main.daily_store_sales"


def latest_complete_day(source, today: date | None = None) -> date | None:
    """The last order's day, unless it is today (China time) or later, when the
    day before is the latest complete one. None when there are no orders.

    `source`: a store.Database, a store.Pinned version, or a Reader (its
    database is used; its scope is not). Taken over all the data, not the
    user's scope: a store that sold nothing yesterday must see yesterday (and
    its zero), not its own last sale day. A date reveals nothing of another
    region's numbers."""
    db = getattr(source, "db", source)
    cur = db.cursor()
    try:
        row = cur.execute(LAST_ORDER_DAY_SQL).fetchone()
    finally:
        cur.close()
    last = row[0] if row else None
    if last is None or pd.isna(last):
        return None
    last = pd.Timestamp(last).date()
    today = today or clock.today()
    return min(last, today - timedelta(days=1))
