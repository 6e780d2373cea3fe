"""target-by-region — month-to-date 达成率 against 时间进度 per region.

Grain: one row per region of the in-scope stores with a store-level target in
the as-of date's month; the same sums and formulas as target-summary (SPEC.md
"Targets"), over the region's stores. Rows ordered by attainment ascending (the
region furthest behind first; empty attainment last), then region.
"""
from __future__ import annotations

import pandas as pd

from ..reader import Reader
from .base import MetricArgs, metric
from .target_attainment import attainment_rows
from .target_summary import DECLARED as SUMMARY_DECLARED
from .target_summary import summarise

DECLARED = ("region",) + tuple(SUMMARY_DECLARED)
COLUMNS = [c.partition(":")[0] for c in DECLARED]


@metric("target-by-region", DECLARED, grain="one row per region with store targets in the as-of month",
        as_of_only=True)
def target_by_region(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Attainment against time progress per region (reads args.as_of)."""
    rows = attainment_rows(reader, args.as_of, "store")
    out = [{"region": region, **summarise(part, args.as_of)}
           for region, part in rows.groupby(rows["region"].fillna(""), sort=True)]
    df = pd.DataFrame(out, columns=COLUMNS).astype({"stores": "Int64", "behind_stores": "Int64", "days_left": "Int64"})
    return df.sort_values(["attainment", "region"], na_position="last", kind="stable").reset_index(drop=True)
