"""morning-behind-pace — the stores and guides behind pace on the as-of day.

Grain: one row per in-scope store or guide whose month-to-date attainment is
below time progress (SPEC.md "Targets": "behind pace when attainment < time
progress"), from target-attainment at both levels: the gap in ¥ (target × time
progress − sales so far) and the daily sales needed for the rest of the month.
Rows: stores first, then guides; each by gap descending (the largest shortfall
first), then id. A target of 0 is never behind.
"""
from __future__ import annotations

import pandas as pd

from ..reader import Reader
from .base import MetricArgs, metric
from .target_attainment import COLUMNS as ATTAINMENT_COLUMNS
from .target_attainment import DECLARED as ATTAINMENT_DECLARED
from .target_attainment import LEVELS, attainment_rows

DECLARED = ATTAINMENT_DECLARED
COLUMNS = ATTAINMENT_COLUMNS


@metric("morning-behind-pace", DECLARED, grain="one row per in-scope store or guide behind pace in the as-of month",
        as_of_only=True)
def morning_behind_pace(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Stores, then guides, behind pace, the largest gap first (reads args.as_of)."""
    rows = attainment_rows(reader, args.as_of, LEVELS)
    rows = rows[rows["behind"]].assign(_first=(rows["level"] != "store").astype(int))
    rows = rows.sort_values(["_first", "gap", "id"], ascending=[True, False, True], kind="stable")
    return rows[COLUMNS].reset_index(drop=True)
