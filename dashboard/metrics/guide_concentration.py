"""guide-concentration and guide-pareto — how much of WeMall rests on a few guides.

SPEC.md: "Guide concentration: among guides employed at any time in the period
(hired_on ≤ end and (left_on is null or left_on ≥ start)), take the top
ceil(10% × N) by WeMall sales; concentration = their WeMall sales / all WeMall
sales credited to guides. Show it as a Pareto curve too."

Read literally: N counts every in-scope row of the guides table employed in the
period (the spec names no role here, unlike the share rate); a guide's WeMall
sales are the net of in-scope WeMall orders credited to them in the period;
ties for the top are broken by guide_id ascending; the denominator is the net
of every in-scope WeMall order in the period with a guide credited. Empty when
that is 0. Read from the daily_sales rollup (dashboard/rollups/).
"""
from __future__ import annotations

import math
from fractions import Fraction

import pandas as pd

from ..reader import Reader
from ..columns import cols
from .base import Memo, MetricArgs, metric, ratio

DECLARED = cols("guides:count", "top_guides:count", "concentration:rate", "top_wemall_sales:money",
                "wemall_sales:money", "top_share:rate")
PARETO_DECLARED = cols("rank:rank", "guide_id", "guide_name", "wemall_sales:money", "guide_share:rate",
                       "wemall_share:rate")
COLUMNS = [c.name for c in DECLARED]
PARETO_COLUMNS = [c.name for c in PARETO_DECLARED]

GUIDES_SQL = """
WITH credited AS (
  SELECT guide_id, sum(sales) AS wemall_sales
  FROM daily_sales
  WHERE day >= $start_day AND day <= $end_day AND channel = 'wemall' AND guide_id IS NOT NULL
  GROUP BY guide_id
)
SELECT g.guide_id, g.guide_name, coalesce(c.wemall_sales, 0)::DOUBLE AS wemall_sales
FROM guides g
LEFT JOIN credited c USING (guide_id)
WHERE g.hired_on <= $end_day AND (g.left_on IS NULL OR g.left_on >= $start_day)
ORDER BY coalesce(c.wemall_sales, 0) DESC, g.guide_id
"""

TOTAL_SQL = """
SELECT CAST(coalesce(sum(sales), 0) AS DOUBLE)
FROM daily_sales
WHERE day >= $start_day AND day <= $end_day AND channel = 'wemall' AND guide_id IS NOT NULL
"""


# SPEC's "top 10%": the share of employed guides that counts as the top. The
# page's text and the Pareto line read it from the top_share column.
TOP_SHARE = Fraction(1, 10)


def top_count(n: int) -> int:
    """ceil(TOP_SHARE × N), exactly (a Fraction: no float rounding at the edges)."""
    return math.ceil(TOP_SHARE * n)


def _params(args: MetricArgs) -> dict:
    return {"start_day": args.period.start, "end_day": args.period.end}


# One query for both metrics: the leaderboards page draws the concentration
# and its Pareto curve on every rerun.
_EMPLOYED = Memo()


def employed_guides(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Employed guides by WeMall sales desc, then guide_id asc."""
    return _EMPLOYED.get(reader, (args.period.start, args.period.end),
                         lambda: reader.query(GUIDES_SQL, _params(args)))


def credited_wemall_sales(reader: Reader, args: MetricArgs) -> float:
    return float(reader.scalar(TOTAL_SQL, _params(args)) or 0.0)


@metric("guide-concentration", DECLARED, grain="one row for the period")
def guide_concentration(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Share of WeMall sales made by the top 10% of guides (ceil(10% × N));
    top_share is that 10% (0.1)."""
    guides = employed_guides(reader, args)
    total = credited_wemall_sales(reader, args)
    n = len(guides)
    k = top_count(n)
    top = float(guides["wemall_sales"].head(k).sum()) if k else 0.0
    return pd.DataFrame([{
        "guides": n, "top_guides": k, "concentration": ratio(top, total),
        "top_wemall_sales": top, "wemall_sales": total, "top_share": float(TOP_SHARE),
    }], columns=COLUMNS)


def pareto_curve(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """The Pareto curve: after the i best guides (of the N employed), their
    share of guides (i / N) and their cumulative share of the WeMall sales
    credited to guides. Starts at the origin (rank 0); empty when N is 0;
    wemall_share empty when no WeMall sales were credited."""
    guides = employed_guides(reader, args)
    total = credited_wemall_sales(reader, args)
    n = len(guides)
    if n == 0:
        return pd.DataFrame(columns=PARETO_COLUMNS)
    cum = guides["wemall_sales"].cumsum()
    df = pd.DataFrame({
        "rank": range(1, n + 1),
        "guide_id": guides["guide_id"],
        "guide_name": guides["guide_name"],
        "wemall_sales": guides["wemall_sales"],
        "guide_share": [i / n for i in range(1, n + 1)],
        "wemall_share": [ratio(c, total) for c in cum],
    })
    origin = pd.DataFrame([{"rank": 0, "guide_id": None, "guide_name": None, "wemall_sales": 0.0,
                            "guide_share": 0.0, "wemall_share": 0.0 if total else None}])
    return pd.concat([origin, df], ignore_index=True)[PARETO_COLUMNS]


metric("guide-pareto", PARETO_DECLARED, grain="one row per employed guide (plus the origin), best first")(pareto_curve)
