"""live-curve — one live's cumulative sales by hour, from the start through 72
hours after the end (`--live ID`).

Grain: one row per hour bucket of the chosen in-scope live: its live hours,
then exactly 72 tail hours. No rows without `--live`, or for a live out of scope.

SPEC.md: "Tail multiple = tail sales / live sales. Cumulative tail curve by hour
0–72." Issue 18: "cumulative sales by hour from the start through 72 hours after
the end, live and tail parts distinct".

Buckets (reading, as in live_base): with the live lasting D, L = ceil(D / 1 h)
live hours; live hour k (k = 0..L−1) covers [started_at + k h, started_at +
(k+1) h), the last one closed at ended_at (an order at exactly ended_at is
live). Then tail hour j (j = 1..72) covers (ended_at + (j−1) h, ended_at + j h]
(an order at exactly ended_at + 72h is in tail hour 72; a second later in none).
`hour` numbers the buckets 0, 1, ... (hour 0 starts at started_at; the tail
begins at hour L); `hours_since_end` is k − (L−1) for a live bucket (0 for the
last live hour) and j for a tail bucket, the axis on which lives of different
lengths and the median session (live-median-curve) line up. live_sales /
tail_sales: the sales of the bucket's orders (a bucket is either live or tail);
cumulative: all sales up to the bucket's end, so the last row's cumulative is
live sales + tail sales of live-tail. `hour_end`: the bucket's upper bound;
elapsed: true when hour_end ≤ the end of the as-of day.
"""
from __future__ import annotations

import math

import pandas as pd

from dashboard.reader import Reader
from .base import MetricArgs, metric
from .live_base import LIVE_OPTION, ONE_LIVE, TAIL_HOURS, as_of_end, lives, orders_of, tail_hour

DECLARED = ("hour:count", "live_sales:money", "tail_sales:money", "cumulative:money", "part", "hours_since_end:count",
            "hour_end:datetime", "elapsed:flag", "live_id")
COLUMNS = [c.partition(":")[0] for c in DECLARED]


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=COLUMNS).astype({"live_sales": float, "tail_sales": float, "cumulative": float})


def curve(reader: Reader, live_id: str, as_of) -> pd.DataFrame:
    params = {"live": str(live_id)}
    session = lives(reader, ONE_LIVE, params)
    if session.empty:
        return _empty()
    s = session.iloc[0]
    start, end = pd.Timestamp(s["started_at"]), pd.Timestamp(s["ended_at"])
    n_live = max(1, math.ceil((end - start).total_seconds() / 3600))
    orders = orders_of(reader, ONE_LIVE, params, session)
    secs = (pd.to_datetime(orders["ordered_at"]) - start).dt.total_seconds()
    live_k = (secs // 3600).clip(upper=n_live - 1).astype(int)
    bucket = live_k.where(~orders["is_tail"].astype(bool), n_live - 1 + tail_hour(orders))
    sums = orders.assign(b=bucket.astype(int)).groupby(["b", "is_tail"])["net"].sum()
    limit = pd.Timestamp(as_of_end(as_of))
    rows, total = [], 0.0
    for b in range(n_live + TAIL_HOURS):
        tail = b >= n_live
        value = float(sums.get((b, tail), 0.0))
        total += value
        since = b - (n_live - 1)
        hour_end = end + pd.Timedelta(hours=since) if tail else min(start + pd.Timedelta(hours=b + 1), end)
        rows.append({"hour": b, "live_sales": 0.0 if tail else value, "tail_sales": value if tail else 0.0,
                     "cumulative": total, "part": "tail" if tail else "live", "hours_since_end": since,
                     "hour_end": hour_end, "elapsed": "true" if hour_end <= limit else "false",
                     "live_id": s["live_id"]})
    return pd.DataFrame(rows, columns=COLUMNS)


@metric("live-curve", DECLARED, grain="one row per hour bucket of one in-scope live (its live hours, then 72 tail hours)",
        options={"live": LIVE_OPTION})
def live_curve(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Cumulative sales of one live by hour: live hours from started_at, then
    tail hours 1..72 after ended_at; live and tail parts apart."""
    live_id = str(args.opt("live", "") or "").strip()
    return curve(reader, live_id, args.as_of) if live_id else _empty()
