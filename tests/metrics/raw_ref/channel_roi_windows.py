"""channel-roi-windows — channel-roi at every GMV window (7, 30 and 90 days) in one table.

Grain: one row per (acquisition channel, window) for the period; window_days ∈
7, 30, 90, rows ordered by channel_id then window_days. Each window's rows are
exactly `channel-roi --window N` (same definitions, readings and scope rules:
see channel_roi.py), computed in one pass over the orders. The channels page
draws its table (GMV and revenue per fan at 7, 30 and 90 days side by side),
its scatter and its export from this metric.
"""
from __future__ import annotations

import pandas as pd

from dashboard.reader import Reader
from .base import MetricArgs, metric
from .channel_roi import DECLARED as ROI_DECLARED
from .channel_roi import WINDOWS, channel_windows

DECLARED = (*ROI_DECLARED[:2], "window_days:count", *ROI_DECLARED[2:])
COLUMNS = [spec.partition(":")[0] for spec in DECLARED]


@metric("channel-roi-windows", DECLARED, grain="one row per (acquisition channel, GMV window 7/30/90) for the period")
def channel_roi_windows(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """channel-roi for the windows 7, 30 and 90 days at once (window_days says which)."""
    df = channel_windows(reader, args.period, args.as_of, WINDOWS)
    return df.sort_values(["channel_id", "window_days"], kind="stable")[COLUMNS].reset_index(drop=True)
