"""live-tail-brands — what a live's 72-hour tail sold, by brand (`--live ID`).

Grain: one row per brand (the order's brand) among the tail orders of the chosen
in-scope live, by tail sales descending, then brand. Without `--live`: the tails
of every in-scope live that started in the period.

SPEC.md: "Tail sales: sales of orders with that live_id placed in (ended_at,
ended_at + 72h]." tail_sales = the sum of net; orders: tail orders with net > 0
(a fully refunded order is no order); share_of_tail = tail_sales / all tail
sales of the selection (empty when that is 0).

Read from the live_sales_hours rollup (tail hours h > 0; dashboard/rollups/live.py):
each brand's tail_sales is the exact DECIMAL sum of its orders' net.
"""
from __future__ import annotations

import pandas as pd

from ..reader import Reader
from .base import MetricArgs, metric
from .live_base import LIVE_OPTION, chosen_cte, lives, picked, selection

DECLARED = ("brand", "tail_sales:money", "orders:count", "share_of_tail:rate")
COLUMNS = [c.partition(":")[0] for c in DECLARED]


SQL = """
WITH {chosen},
brands AS (
  SELECT r.brand, sum(r.sales) AS tail_sales, CAST(sum(r.orders) AS BIGINT) AS orders
  FROM {rows} r JOIN chosen c ON c.live_id = r.live_id
  WHERE r.h > 0
  GROUP BY r.brand
)
SELECT brand, tail_sales, orders FROM brands
"""


@metric("live-tail-brands", DECLARED, grain="one row per brand sold in the tail of the chosen live(s)",
        options={"live": LIVE_OPTION})
def live_tail_brands(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """The tail's sales and orders by the orders' brand, with each brand's share of the tail."""
    where, params = selection(args)
    sessions = lives(reader, where, params)
    df = (reader.query(SQL.format(chosen=chosen_cte(where), rows=picked("live_sales_hours", where)), params)
          if len(sessions) else pd.DataFrame())
    if df.empty:
        return pd.DataFrame(columns=COLUMNS).astype({"tail_sales": float, "share_of_tail": float})
    df["tail_sales"] = df["tail_sales"].astype(float)
    total = df["tail_sales"].sum()
    df["share_of_tail"] = df["tail_sales"] / total if total else None
    df["orders"] = df["orders"].astype(int)
    return df.sort_values(["tail_sales", "brand"], ascending=[False, True])[COLUMNS].reset_index(drop=True)
