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
tail up to as-of 24:00 (orders after the as-of day are not "so far"), and
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
from .live_base import TAIL, is_complete, lives, orders_of, status, as_of_end
from .live_tail import session_facts

DECLARED = ("live_id", "title", "brand", "host_store_id", "host_store_name", "ended_at:datetime",
            "hours_since_end:count", "hours_remaining:number", "live_sales:money", "tail_so_far:money",
            "tail_multiple_so_far:number", "median_tail_so_far:money", "median_tail_multiple:number",
            "reference_lives:count")
COLUMNS = [c.partition(":")[0] for c in DECLARED]
REFERENCE_DAYS = 30

ENDED = "ended_at > $since AND ended_at <= $until"
REFERENCE = "started_at >= $ref_start AND started_at < $until"


@metric("morning-lives", DECLARED, grain="one row per in-scope live that ended in the 72 hours up to as-of 24:00")
def morning_lives(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Lives still in their 72-hour tail at the end of the as-of day: tail so
    far, its multiple, and the median complete session's at the same hour."""
    until = as_of_end(args.as_of)
    recent = lives(reader, ENDED, {"since": until - TAIL, "until": until})
    if recent.empty:
        return pd.DataFrame(columns=COLUMNS).astype({c: float for c in (
            "hours_remaining", "live_sales", "tail_so_far", "tail_multiple_so_far", "median_tail_so_far",
            "median_tail_multiple")})
    facts = session_facts(reader, ENDED, {"since": until - TAIL, "until": until}, args.as_of, audience=False)
    mine = orders_of(reader, ENDED, {"since": until - TAIL, "until": until}, recent)
    mine = mine[mine["is_tail"].astype(bool) & (pd.to_datetime(mine["ordered_at"]) < pd.Timestamp(until))]
    so_far = mine.groupby("live_id")["net"].sum()

    ref_params = {"ref_start": until - timedelta(days=REFERENCE_DAYS), "until": until}
    ref = lives(reader, REFERENCE, ref_params)
    ref = ref[is_complete(status(ref, args.as_of))] if len(ref) else ref
    ref_orders = orders_of(reader, REFERENCE, ref_params, ref) if len(ref) else None
    if ref_orders is not None:
        ref_orders = ref_orders[ref_orders["live_id"].isin(set(ref["live_id"]))]
        ref_orders = ref_orders.assign(after=(pd.to_datetime(ref_orders["ordered_at"])
                                              - pd.to_datetime(ref_orders["ended_at"])).dt.total_seconds())
        ref_live = ref_orders[~ref_orders["is_tail"].astype(bool)].groupby("live_id")["net"].sum()
        ref_live = ref_live.reindex(list(ref["live_id"]), fill_value=0.0)
        ref_tail = ref_orders[ref_orders["is_tail"].astype(bool)]

    rows = []
    for r in facts.itertuples(index=False):
        hours = (pd.Timestamp(until) - pd.Timestamp(r.ended_at)).total_seconds() / 3600
        tail = float(so_far.get(r.live_id, 0.0))
        med_tail = med_multiple = None
        n_ref = 0
        if ref_orders is not None and len(ref_live):
            upto = ref_tail[ref_tail["after"] <= hours * 3600].groupby("live_id")["net"].sum()
            upto = upto.reindex(ref_live.index, fill_value=0.0)
            n_ref = len(upto)
            med_tail = float(upto.median())
            selling = ref_live > 0
            if selling.any():
                med_multiple = float((upto[selling] / ref_live[selling]).median())
        rows.append({"live_id": r.live_id, "title": r.title, "brand": r.brand, "host_store_id": r.host_store_id,
                     "host_store_name": r.host_store_name, "ended_at": r.ended_at, "hours_since_end": int(hours),
                     "hours_remaining": r.hours_remaining, "live_sales": r.live_sales, "tail_so_far": tail,
                     "tail_multiple_so_far": tail / r.live_sales if r.live_sales else None,
                     "median_tail_so_far": med_tail, "median_tail_multiple": med_multiple, "reference_lives": n_ref})
    return pd.DataFrame(rows, columns=COLUMNS).astype({"tail_multiple_so_far": float, "median_tail_so_far": float,
                                                       "median_tail_multiple": float})
