"""target-summary — the scope's month-to-date 达成率 against 时间进度, one line.

Grain: one row for the in-scope stores with a store-level target in the as-of
date's month (SPEC.md "Targets", as target-attainment --level store reads it):
sales_mtd and target are the sums over those stores, attainment = sales_mtd /
target (empty when the summed target is 0), time_progress, gap = target × time
progress − sales so far, needed_per_day = (target − sales so far) / days left
after the as-of date (empty on the month's last day). stores = stores with a
target; behind_stores = those behind pace (attainment < time progress).
Stores without a target row are left out of both sums (their sales have no target
to be measured against).
"""
from __future__ import annotations

import pandas as pd

from ..reader import Reader
from .base import MetricArgs, metric, ratio
from .target_attainment import attainment_rows, month_clock

DECLARED = ("month", "sales_mtd:money", "target:money", "attainment:rate", "time_progress:rate", "gap:money",
            "needed_per_day:money", "behind:flag", "stores:count", "behind_stores:count", "days_left:count")
COLUMNS = [c.partition(":")[0] for c in DECLARED]


def summarise(rows: pd.DataFrame, as_of) -> dict:
    month, _, progress, days_left = month_clock(as_of)
    sales, target = float(rows["sales_mtd"].sum()), float(rows["target"].sum())
    attainment = ratio(sales, target)
    return {"month": month, "sales_mtd": sales, "target": target,
            "attainment": float("nan") if attainment is None else attainment, "time_progress": progress,
            "gap": target * progress - sales,
            "needed_per_day": (target - sales) / days_left if days_left else float("nan"),
            "behind": attainment is not None and attainment < progress,
            "stores": int(len(rows)), "behind_stores": int(rows["behind"].sum()), "days_left": days_left}


@metric("target-summary", DECLARED, grain="one row: the in-scope stores with a target in the as-of month",
        as_of_only=True)
def target_summary(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """The scope's month-to-date attainment against time progress (reads args.as_of)."""
    rows = attainment_rows(reader, args.as_of, "store")
    return pd.DataFrame([summarise(rows, args.as_of)], columns=COLUMNS).astype(
        {"stores": "Int64", "behind_stores": "Int64", "days_left": "Int64"})
