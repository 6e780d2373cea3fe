"""share-funnel — shares → visits → orders, where share_visits exist.

Grain: one row for the period, in scope.

SPEC.md: "Shares, WeMall sales credited to the guide, sales per share, and the
funnel shares → visits → orders where share_visits exist." share_visits is an
optional table (data contract: "optional; enables the share funnel").

Readings: each stage counts its own events in the period, on its own
timestamp: shares = in-scope shares made in the period (every role: a
store manager's share leads to visits too); share_visits = share_visits rows
visited in the period of in-scope shares; share_visitors = their distinct member_id
(anonymous visits count as visits, not visitors); share_orders = in-scope
orders placed in the period with a share_id (net > 0) and share_sales their net.
visits_per_share = visits / shares; visit_conversion = share_orders / visits
(empty when no visits). has_visits = whether share_visits holds any row in
scope at all (false → the page says the funnel needs share_visits, instead of
showing a zero).
"""
from __future__ import annotations

import pandas as pd

from ..columns import cols
from ..reader import Reader
from ..scope import Filters, Scope, nothing_narrows, one_whole_region
from .base import MetricArgs, metric, ratio

DECLARED = cols("shares:count", "share_visits:count", "share_visitors:count", "share_orders:count", "share_sales:money",
                "visits_per_share:number", "visit_conversion:rate", "has_visits:flag")
COLUMNS = [c.name for c in DECLARED]

# From the sharing rollups (dashboard/rollups/sharing.py): shares from
# guide_share_days, visits and visitors from share_visitor_days (by the visited
# share's store and guide), orders from share_order_days. Bound: $start_day,
# $end_day.
SQL = """
WITH v AS (
  SELECT CAST(coalesce(sum(visits), 0) AS BIGINT) AS visits, {visitors} AS visitors
  FROM share_visitor_days WHERE day >= $start_day AND day <= $end_day
),
o AS (
  SELECT CAST(coalesce(sum(share_orders), 0) AS BIGINT) AS share_orders,
         CAST(coalesce(sum(share_sales), 0) AS DOUBLE) AS share_sales
  FROM share_order_days WHERE day >= $start_day AND day <= $end_day
)
SELECT (SELECT CAST(coalesce(sum(shares), 0) AS BIGINT) FROM guide_share_days
        WHERE day >= $start_day AND day <= $end_day) AS shares,
       v.visits, v.visitors, o.share_orders, o.share_sales
FROM v, o
"""
# Distinct visitors: with nothing narrowing, the representing (member, day)
# rows whose previous visit lies before the period (a plain count, see the
# rollup); in a view of exactly one region, the same over that region's chain;
# else the exact distinct count.
VISITORS_FAST = "count(*) FILTER (WHERE prev_day < $start_day)"
VISITORS_ONE_REGION = "count(*) FILTER (WHERE prev_region_day < $start_day)"
VISITORS_EXACT = "count(DISTINCT member_key)"


def visitors_count(scope: Scope, filters: Filters) -> str:
    """How share_visitor_days counts distinct visitors for this view (exact in each case)."""
    if nothing_narrows(scope, filters):
        return VISITORS_FAST
    return VISITORS_ONE_REGION if one_whole_region(scope, filters) else VISITORS_EXACT

ANY_VISITS_SQL = "SELECT EXISTS (SELECT 1 FROM share_visitor_days) AS any_visits"


@metric("share-funnel", DECLARED, grain="one row for the period")
def share_funnel(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Shares, their visits and visitors, and the orders through shares in the period."""
    sql = SQL.replace("{visitors}", visitors_count(reader.scope, reader.filters))
    row = reader.query(sql, {"start_day": args.period.start, "end_day": args.period.end}).iloc[0].to_dict()
    has = bool(row["visits"]) or bool(reader.scalar(ANY_VISITS_SQL))
    out = {"shares": int(row["shares"]), "share_visits": int(row["visits"]),
           "share_visitors": int(row["visitors"]), "share_orders": int(row["share_orders"])}
    out.update(share_sales=float(row["share_sales"]), visits_per_share=ratio(out["share_visits"], out["shares"]),
               visit_conversion=ratio(out["share_orders"], out["share_visits"]),
               has_visits="true" if has else "false")
    return pd.DataFrame([out], columns=COLUMNS).astype({"visits_per_share": float, "visit_conversion": float})
