"""morning-lives — the morning check's lives: those that ended in the last 72
hours at the as-of date, with their tail so far against the median complete
session at the same hour.

Grain: one row per in-scope live with ended_at in (as-of 24:00 − 72h, as-of
24:00] — ended, its 72 hours not yet elapsed at the end of the as-of day —
ordered by ended_at, then live_id. Reads args.as_of, never args.period.

SPEC.md: "Tail sales: sales of orders with that live_id placed in (ended_at,
ended_at + 72h]. Tail multiple = tail sales / live sales." Issue 18: "The
morning check gains lives that ended in the last 72 hours with their tail so
far against the median session at the same hour."

Readings: hours_since_end = (as-of 24:00 − ended_at) in hours; tail_so_far: the
tail in (ended_at, as-of 24:00] (orders after the as-of day are not "so far"), and
tail_multiple_so_far = tail_so_far / live_sales (empty without live sales).
The reference: the in-scope lives that started in the 30 days up to the as-of
day and are complete at it; for each of our lives, median_tail_so_far is the
median over them of their tail in (ended_at, ended_at + hours_since_end], and
median_tail_multiple the median of that / their live sales (lives with live
sales > 0) — the same hour after the end, exactly. reference_lives: how many.
"""
from __future__ import annotations

from datetime import timedelta

import pandas as pd

from ..reader import Reader
from .base import MetricArgs, metric
from .live_base import TAIL, as_of_end, is_complete, live_orders_cte, lives, status, window

DECLARED = ("live_id", "title", "brand", "host_store_id", "host_store_name", "ended_at:datetime",
            "hours_since_end:count", "hours_remaining:number", "live_sales:money", "tail_so_far:money",
            "tail_multiple_so_far:number", "median_tail_so_far:money", "median_tail_multiple:number",
            "reference_lives:count")
COLUMNS = [c.partition(":")[0] for c in DECLARED]
REFERENCE_DAYS = 30

ENDED = "ended_at > $since AND ended_at <= $until"
CHOSEN = f"(started_at >= $ref_start AND started_at < $until) OR ({ENDED})"

# For every (recent live r, chosen live o): o's live sales, and o's tail within
# as many hours after its end as r has had by as-of 24:00. For o = r that is r's
# tail so far; for a complete o, the reference at the same hour.
SQL = f"""
WITH {live_orders_cte(CHOSEN)},
recent AS (SELECT live_id, ended_at FROM live_sessions WHERE {ENDED})
SELECT r.live_id AS recent_id, c.live_id,
       coalesce(sum(o.net) FILTER (WHERE NOT o.is_tail), 0) AS live_net,
       coalesce(sum(o.net) FILTER (WHERE o.is_tail AND o.ordered_at <= c.ended_at + (CAST($until AS TIMESTAMP) - r.ended_at)), 0)
         AS tail_net
FROM recent r CROSS JOIN chosen c
LEFT JOIN live_orders o ON o.live_id = c.live_id
GROUP BY 1, 2
"""


@metric("morning-lives", DECLARED, grain="one row per in-scope live that ended in the 72 hours up to as-of 24:00",
        as_of_only=True)
def morning_lives(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Lives still in their 72-hour tail at the end of the as-of day: tail so
    far, its multiple, and the median complete session's at the same hour."""
    until = as_of_end(args.as_of)
    params = {"since": until - TAIL, "until": until, "ref_start": until - timedelta(days=REFERENCE_DAYS)}
    chosen = lives(reader, CHOSEN, params)
    recent = chosen[(pd.to_datetime(chosen["ended_at"]) > pd.Timestamp(until - TAIL))
                    & (pd.to_datetime(chosen["ended_at"]) <= pd.Timestamp(until))] if len(chosen) else chosen
    if recent.empty:
        return pd.DataFrame(columns=COLUMNS).astype({c: float for c in (
            "hours_remaining", "live_sales", "tail_so_far", "tail_multiple_so_far", "median_tail_so_far",
            "median_tail_multiple")})
    recent = status(recent.copy(), args.as_of)
    chosen = status(chosen.copy(), args.as_of)
    reference = chosen[is_complete(chosen)
                       & (pd.to_datetime(chosen["started_at"]) >= pd.Timestamp(params["ref_start"]))]["live_id"]
    pairs = reader.query(SQL, {**params, **window(chosen)})
    for c in ("live_net", "tail_net"):
        pairs[c] = pairs[c].astype(float)
    names = dict(zip(*reader.query("SELECT store_id, store_name FROM stores").values.T)) if len(recent) else {}
    rows = []
    for r in recent.itertuples(index=False):
        mine = pairs[pairs["recent_id"] == r.live_id]
        own = mine[mine["live_id"] == r.live_id].iloc[0]
        ref = mine[mine["live_id"].isin(set(reference))]
        selling = ref[ref["live_net"] > 0]
        hours = (pd.Timestamp(until) - pd.Timestamp(r.ended_at)).total_seconds() / 3600
        live_sales, tail = float(own["live_net"]), float(own["tail_net"])
        rows.append({"live_id": r.live_id, "title": r.title, "brand": r.brand, "host_store_id": r.host_store_id,
                     "host_store_name": names.get(r.host_store_id), "ended_at": r.ended_at,
                     "hours_since_end": int(hours), "hours_remaining": r.hours_remaining, "live_sales": live_sales,
                     "tail_so_far": tail, "tail_multiple_so_far": tail / live_sales if live_sales else None,
                     "median_tail_so_far": float(ref["tail_net"].median()) if len(ref) else None,
                     "median_tail_multiple": float((selling["tail_net"] / selling["live_net"]).median())
                     if len(selling) else None,
                     "reference_lives": len(ref)})
    return pd.DataFrame(rows, columns=COLUMNS).astype({c: float for c in (
        "hours_remaining", "live_sales", "tail_so_far", "tail_multiple_so_far", "median_tail_so_far",
        "median_tail_multiple")})
