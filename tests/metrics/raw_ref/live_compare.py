"""live-compare — sessions compared: tail multiple against live sales, by brand
and by host (HQ-hosted or a store's).

Grain: one row per (compare_by, compare_value): compare_by = brand (the live's
brand) or host (compare_value hq for a live with no host store, store for a
store-hosted one), over the in-scope lives that started in the period. Rows by
compare_by, then compare_value.

SPEC.md: "Tail multiple = tail sales / live sales ... ROI of a live = (live +
tail sales) / cost where cost > 0." Issue 18: "Compare sessions: tail multiple
against live sales, by brand and by host".

Readings: only complete lives (72 h elapsed by as-of 24:00) enter the numbers;
in-progress lives are counted apart (in_progress) and never averaged in.
live_sales / tail_sales: sums over the group's complete lives; tail_multiple =
their tail_sales / live_sales (the group's pooled multiple, empty when live
sales are 0); median_tail_multiple: the median of the lives' own multiples
(lives with live sales > 0); roi = (live + tail) / cost summed over the group
(empty when the cost is 0). The per-session points of the chart are live-tail's
rows.
"""
from __future__ import annotations

import pandas as pd

from dashboard.reader import Reader
from .base import MetricArgs, metric, period_params
from .live_base import IN_PERIOD, is_complete
from .live_tail import session_facts

DECLARED = ("compare_by", "compare_value", "lives:count", "live_sales:money", "tail_sales:money",
            "tail_multiple:number", "median_tail_multiple:number", "cost:money", "roi:number", "in_progress:count")
COLUMNS = [c.partition(":")[0] for c in DECLARED]


def _ratio(a: float, b: float):
    return float(a) / float(b) if b else None


@metric("live-compare", DECLARED, grain="one row per brand and per host kind (hq, store) of in-scope lives started in the period")
def live_compare(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Complete lives grouped by brand and by host kind: pooled tail multiple,
    median multiple, live and tail sales, ROI; in-progress lives counted apart."""
    facts = session_facts(reader, IN_PERIOD, period_params(args.period), args.as_of, audience=False)
    facts = facts.assign(host=["hq" if pd.isna(h) or h is None else "store" for h in facts["host_store_id"]],
                         done=is_complete(facts) if len(facts) else pd.Series(dtype=bool))
    rows = []
    for by in ("brand", "host"):
        for value, g in facts.groupby(by, sort=True):
            done = g[g["done"]]
            live, tail, cost = done["live_sales"].sum(), done["tail_sales"].sum(), done["cost"].sum()
            own = done["tail_multiple"].dropna()
            rows.append({"compare_by": by, "compare_value": value, "lives": len(done), "live_sales": float(live),
                         "tail_sales": float(tail), "tail_multiple": _ratio(tail, live),
                         "median_tail_multiple": float(own.median()) if len(own) else None, "cost": float(cost),
                         "roi": _ratio(live + tail, cost), "in_progress": int((~g["done"]).sum())})
    df = pd.DataFrame(rows, columns=COLUMNS)
    return df.astype({c: float for c in ("live_sales", "tail_sales", "tail_multiple", "median_tail_multiple",
                                         "cost", "roi")})
