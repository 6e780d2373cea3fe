"""share-diagnosis — the manager's four quadrants: how many guides in each.

Grain: one row per diagnosis value, always all four, in the order 标杆,
方法问题, 积极性问题-高销售, 积极性问题-低销售.

SPEC.md: "Diagnosis of each guide (the regional manager's reading): share rate
≥ the target rate (80% by default) and WeMall sales ≥ the median of guides in
scope → 标杆; share rate ≥ target but sales below the median → 方法问题
(customer operations); share rate below target → 积极性问题 (motivation),
split by sales above or below the median."

The guides are share-rate's guide rows (same period, view, k and target);
guides = how many of them carry the value, wemall_sales = their WeMall sales;
median_wemall_sales = the median WeMall sales of all those guide rows (the
line the quadrant chart draws, empty with no guides); target_rate = the target
rate in force (the other line).
"""
from __future__ import annotations

import pandas as pd

from ..columns import cols
from ..reader import Reader
from .base import MetricArgs, metric
from .share_common import DIAGNOSES, SHARE_OPTIONS, guide_figures, k_of, target_of

DECLARED = cols("diagnosis", "guides:count", "wemall_sales:money", "median_wemall_sales:money",
                "target_rate:rate")
COLUMNS = [c.name for c in DECLARED]


@metric("share-diagnosis", DECLARED, grain="one row per diagnosis value (all four)", options=SHARE_OPTIONS)
def share_diagnosis(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Guides per diagnosis quadrant, with the median and target lines of the quadrant chart."""
    target = target_of(args)
    guides, median = guide_figures(reader, args.period, k_of(args), target)
    rows = []
    for value in DIAGNOSES:
        mine = guides[guides["diagnosis"] == value]
        rows.append({"diagnosis": value, "guides": len(mine), "wemall_sales": float(mine["wemall_sales"].sum()),
                     "median_wemall_sales": median, "target_rate": target})
    return pd.DataFrame(rows, columns=COLUMNS).astype({"median_wemall_sales": float})
