"""live-median-curve — the median complete session's cumulative curve, the
reference drawn under a session's own curve.

Grain: one row per hour after the end, hours_since_end = 0..72, over the
in-scope lives that started in the period and are complete at the as-of date
(ended_at + 72h ≤ as-of 24:00; in-progress lives never enter a median).

SPEC.md: "Cumulative tail curve by hour 0–72." Issue 18: "the same curve of the
median session as a reference".

Reading: at each hour h, median_cumulative is the median over those lives of
(live sales + tail sales up to ended_at + h hours), so hour 0 is the median live
sales and hour 72 the median of live + tail; median_tail_multiple is the median
of (tail sales up to ended_at + h) / live sales over the lives with live sales
> 0 (empty when there is none). The median is taken hour by hour (the curve of
medians, not one chosen session), on the hours_since_end axis of live-curve, so
lives of different lengths line up. median_lives: how many lives it is taken over.
"""
from __future__ import annotations

import pandas as pd

from dashboard.reader import Reader
from .base import MetricArgs, metric, period_params
from .live_base import IN_PERIOD, TAIL_HOURS, cumulative_by_hour, is_complete, lives, status

DECLARED = ("hours_since_end:count", "median_cumulative:money", "median_tail_multiple:number", "median_lives:count")
COLUMNS = [c.partition(":")[0] for c in DECLARED]


def median_curve(reader: Reader, where: str, params: dict, as_of) -> pd.DataFrame:
    sessions = lives(reader, where, params)
    if not sessions.empty:
        sessions = sessions[is_complete(status(sessions, as_of))].reset_index(drop=True)
    if sessions.empty:
        return pd.DataFrame(columns=COLUMNS).astype({"median_cumulative": float, "median_tail_multiple": float})
    grid = cumulative_by_hour(reader, where, params, sessions)
    live = grid[0]
    selling = live > 0
    multiple = grid[selling].sub(live[selling], axis=0).div(live[selling], axis=0)
    hours = list(range(TAIL_HOURS + 1))
    return pd.DataFrame({
        "hours_since_end": hours,
        "median_cumulative": [float(grid[h].median()) for h in hours],
        "median_tail_multiple": [float(multiple[h].median()) if len(multiple) else None for h in hours],
        "median_lives": len(grid),
    }, columns=COLUMNS).astype({"median_tail_multiple": float})


@metric("live-median-curve", DECLARED,
        grain="one row per hour after the end (0..72) over the complete in-scope lives started in the period")
def live_median_curve(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Hour by hour after the end, the median cumulative sales (and median tail
    multiple so far) of the complete lives that started in the period."""
    return median_curve(reader, IN_PERIOD, period_params(args.period), args.as_of)
