"""share-rate — the WeMall share rate (分享率) by guide, store, region or the group.

Grain (option --level): guide — one row per in-scope guide with role = guide
and at least one roster day in the period; store — one row per store of those
guides (guides.store_id); region — one row per region of those stores; total —
one row for everything in scope.

SPEC.md: "A guide meets the day's share target when they made ≥ k shares that
day (k = 3 by default, configurable). Roster day: a day on which the guide is
employed (between hired_on and left_on). Share rate of a guide, store, region
or the group over a period = roster days meeting the target / roster days (only
role = guide counts). Shares, WeMall sales credited to the guide, sales per
share ... Diagnosis of each guide (the regional manager's reading): share rate ≥
the target rate (80% by default) and WeMall sales ≥ the median of guides in
scope → 标杆; share rate ≥ target but sales below the median → 方法问题
(customer operations); share rate below target → 积极性问题 (motivation), split
by sales above or below the median."

Readings (see share_common.py for all of them): roster day = hired_on ≤ day ≤
left_on (left_on inclusive); a target day has ≥ k shares by shares.guide_id on
the shared_at day; a store's / region's rate = its guides' target days / roster
days; WeMall sales = net of wemall orders with orders.guide_id = the guide in
the period (summed over the guides above guide level); the diagnosis median is
the median WeMall sales of the listed guide rows; diagnosis values 标杆 /
方法问题 / 积极性问题-高销售 / 积极性问题-低销售, "sales ≥ median" counting as
high. Columns a level does not have (guide_id above guide level, store_id at
region level, diagnosis above guide level) are empty; the level's id column
comes first.
"""
from __future__ import annotations

import pandas as pd

from ..columns import cols
from ..reader import Reader
from .base import MetricArgs, Option, metric
from .share_common import LEVELS, SHARE_OPTIONS, guide_figures, k_of, share_figures, target_of

DECLARED = cols("guide_id", "guide_name", "store_id", "store_name", "region", "roster_days:count",
                "target_days:count", "share_rate:rate", "shares:count", "wemall_sales:money",
                "sales_per_share:money", "diagnosis")
COLUMNS = [c.name for c in DECLARED]
FIGURES = ["roster_days", "target_days", "share_rate", "shares", "wemall_sales", "sales_per_share"]
ORDER = {
    "guide": ["guide_id", "guide_name", "store_id", "store_name", "region", *FIGURES, "diagnosis"],
    "store": ["store_id", "store_name", "region", *FIGURES, "guide_id", "guide_name", "diagnosis"],
    "region": ["region", *FIGURES, "guide_id", "guide_name", "store_id", "store_name", "diagnosis"],
    "total": [*FIGURES, "guide_id", "guide_name", "store_id", "store_name", "region", "diagnosis"],
}
LEVEL_OPTION = Option(str, "guide", "level of the share rate: guide, store, region or total", choices=LEVELS)


def share_rate_table(reader: Reader, args: MetricArgs, level: str) -> pd.DataFrame:
    if level == "guide":
        df, _ = guide_figures(reader, args.period, k_of(args), target_of(args))
    else:
        df = share_figures(reader, args.period, k_of(args), level)
    for c in COLUMNS:
        if c not in df:
            df[c] = None
    return df[ORDER[level]].reset_index(drop=True)


@metric("share-rate", DECLARED, grain="one row per guide, store or region (--level), or one for the total",
        options={**SHARE_OPTIONS, "level": LEVEL_OPTION})
def share_rate(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Share rate = roster days meeting the target (≥ k shares) / roster days, with shares,
    credited WeMall sales, sales per share and, per guide, the manager's diagnosis."""
    level = args.opt("level", "guide") or "guide"
    if level not in LEVELS:
        raise ValueError(f"--level must be one of {', '.join(LEVELS)}")
    return share_rate_table(reader, args, level)
