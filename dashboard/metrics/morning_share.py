"""morning-share — the morning check's share rate on the as-of day ("yesterday").

Grain: one row for the scope's total (row_level = total, no store), then one row
per in-scope store with a guide on the roster that day (row_level = store), ranked
by share rate.

SPEC.md: "Regional managers do a morning check ... guides' share rates". The
share rate of one day: guides (role = guide) on the roster that day meeting
the target (≥ k shares) / guides on the roster (share-rate over the one-day
period). rank = competition rank by share rate descending among the stores,
ties then by store_id; target_rate = the target rate in force. Reads
args.as_of, never args.period.
"""
from __future__ import annotations

import pandas as pd

from ..columns import cols
from ..period import Period
from ..reader import Reader
from .base import MetricArgs, metric, ratio
from .share_common import SHARE_OPTIONS, k_of, share_figures, target_of

DECLARED = cols("row_level", "store_id", "store_name", "region", "roster_days:count", "target_days:count",
                "share_rate:rate", "shares:count", "rank:rank", "target_rate:rate")
COLUMNS = [c.name for c in DECLARED]


@metric("morning-share", DECLARED, grain="one total row, then one row per store, on the as-of day",
        options=SHARE_OPTIONS,
        as_of_only=True)
def morning_share(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """The as-of day's share rate: the scope's total and each store, ranked."""
    day = Period(args.as_of, args.as_of)
    k = k_of(args)
    stores = share_figures(reader, day, k, "store")
    total = {c: int(stores[c].sum()) for c in ("roster_days", "target_days", "shares")}
    total["share_rate"] = ratio(total["target_days"], total["roster_days"])
    stores = stores.sort_values(["share_rate", "store_id"], ascending=[False, True], na_position="last")
    stores["rank"] = stores["share_rate"].rank(method="min", ascending=False)
    rows = [{"row_level": "total", "store_id": None, "store_name": None, "region": None, "rank": None,
             **{c: total[c] for c in ("roster_days", "target_days", "share_rate", "shares")}}]
    rows += [{"row_level": "store", **r} for r in stores.to_dict("records")]
    out = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "target_rate"])
    out["target_rate"] = target_of(args)
    out = out.astype({"rank": "Int64", "roster_days": "int64", "target_days": "int64", "shares": "int64",
                      "share_rate": float})
    return out[COLUMNS]
