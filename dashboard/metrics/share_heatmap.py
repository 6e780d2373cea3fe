"""share-heatmap — guides × days: which roster days met the share target.

Grain: one row per (listed guide, roster day in the period). The guides listed
are bounded so the page never draws thousands of rows: every in-scope guide
(role = guide, on the roster in the period) when there are at most
ALL_GUIDES_UP_TO (25) of them — a store's guides — else the top --heatmap-rows (10)
and the bottom --heatmap-rows guides by share rate over the period (ties by target
days, then guide_id), heat_band = top / bottom (all when every guide is listed).

SPEC.md: "A guide meets the day's share target when they made ≥ k shares that
day ... Roster day: a day on which the guide is employed (between hired_on
and left_on)." shares = the guide's shares that day (shared_at day);
met_target = shares ≥ k (true/false); share_rate = the guide's share rate over
the whole period (share-rate's guide row).
"""
from __future__ import annotations

from datetime import timedelta

import pandas as pd

from ..columns import cols
from ..reader import Reader
from .base import MetricArgs, Option, metric
from .share_common import SHARE_OPTIONS, k_of, params, share_figures

DECLARED = cols("guide_id", "guide_name", "store_id", "heat_band", "share_rate:rate", "day:date", "shares:count",
                "met_target:flag")
COLUMNS = [c.name for c in DECLARED]
ALL_GUIDES_UP_TO = 25

# The listed guides' shares per day (the guide_share_days rollup, summed over the
# stores in view).
SQL = """
SELECT guide_id, day, sum(shares) AS n
FROM guide_share_days
WHERE day >= $start_day AND day <= $end_day AND list_contains($guide_ids, guide_id)
GROUP BY guide_id, day
"""

ROSTER_SQL = """
SELECT guide_id, greatest(hired_on, $start_day) AS from_day, least(coalesce(left_on, $end_day), $end_day) AS to_day
FROM guides WHERE list_contains($guide_ids, guide_id)
"""


def pick_guides(guides: pd.DataFrame, rows: int) -> pd.DataFrame:
    """All guides when few, else the top and bottom `rows` by share rate."""
    if len(guides) <= max(ALL_GUIDES_UP_TO, 2 * rows):
        out = guides.assign(heat_band="all")
        return out.sort_values(["share_rate", "target_days", "guide_id"], ascending=[False, False, True])
    ordered = guides.sort_values(["share_rate", "target_days", "guide_id"], ascending=[False, False, True])
    top = ordered.head(rows).assign(heat_band="top")
    bottom = ordered.tail(rows).assign(heat_band="bottom")
    return pd.concat([top, bottom])


ROWS_OPTION = Option(int, 10, "guides from the top and from the bottom in the heatmap", minimum=1)


@metric("share-heatmap", DECLARED,
        grain="one row per (listed guide, roster day); at most 25 or 2 × --heatmap-rows guides",
        options={**SHARE_OPTIONS, "heatmap_rows": ROWS_OPTION})
def share_heatmap(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Each listed guide's shares on each roster day and whether the day met the target."""
    k = k_of(args)
    rows = max(1, int(args.opt("heatmap_rows", 10) or 10))
    guides = share_figures(reader, args.period, k, "guide")
    if guides.empty:
        return pd.DataFrame(columns=COLUMNS)
    listed = pick_guides(guides, rows)
    p = {**params(args.period, k), "guide_ids": list(listed["guide_id"])}
    p.pop("k")
    counts = reader.query(SQL, {x: p[x] for x in ("start_day", "end_day", "guide_ids")})
    counts["day"] = pd.to_datetime(counts["day"]).dt.date
    n_by = {(g, d): int(n) for g, d, n in zip(counts["guide_id"], counts["day"], counts["n"])}
    spans = reader.query(ROSTER_SQL, {x: p[x] for x in ("start_day", "end_day", "guide_ids")})
    span = {g: (pd.Timestamp(a).date(), pd.Timestamp(b).date())
            for g, a, b in zip(spans["guide_id"], spans["from_day"], spans["to_day"])}
    out = []
    for g in listed.itertuples(index=False):
        first, last = span[g.guide_id]
        day = first
        while day <= last:
            n = n_by.get((g.guide_id, day), 0)
            out.append({"guide_id": g.guide_id, "guide_name": g.guide_name, "store_id": g.store_id,
                        "heat_band": g.heat_band,
                        "share_rate": g.share_rate, "day": day, "shares": n,
                        "met_target": "true" if n >= k else "false"})
            day += timedelta(days=1)
    return pd.DataFrame(out, columns=COLUMNS)
