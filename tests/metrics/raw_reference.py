"""The metrics as they were computed before the rollups: straight from the raw
scoped `orders`, through the same scope gate. Kept here, in the tests only, as
the reference the fast paths (dashboard/rollups/, metrics/windows.py) must
equal exactly. The SQL is the product's former SQL, unchanged."""
from __future__ import annotations

from datetime import timedelta

import pandas as pd

from dashboard.metrics.base import growth, ratio
from dashboard.metrics.guide_leaderboard import COLUMNS as GUIDE_COLUMNS
from dashboard.metrics.guide_concentration import top_count
from dashboard.metrics.kpis import BASE_COLUMNS
from dashboard.metrics.store_leaderboard import COLUMNS as STORE_COLUMNS
from dashboard.period import Period


def _pp(period: Period, prefix: str = "") -> dict:
    return {f"{prefix}start": period.start_ts, f"{prefix}end": period.end_ts}


def _lb_params(period: Period) -> dict:
    return {**_pp(period), **_pp(period.previous(), "prev_"), **_pp(period.year_ago(), "ly_"),
            "start_day": period.start, "end_day": period.end}


def sales_by(key: str, prefix: str) -> str:
    return f"""
  SELECT {key},
         sum(net) AS sales,
         coalesce(sum(net) FILTER (WHERE channel = 'wemall'), 0) AS wemall_sales,
         coalesce(sum(net) FILTER (WHERE channel = 'pos'), 0) AS pos_sales,
         count(*) FILTER (WHERE is_order) AS orders,
         count(DISTINCT member_id) FILTER (WHERE is_order) AS members
  FROM orders
  WHERE ordered_at >= ${prefix}start AND ordered_at < ${prefix}end AND {key} IS NOT NULL
  GROUP BY {key}"""


def previous_ranks(key: str, source: str) -> str:
    return f"""
  SELECT {key},
         CASE WHEN sales > 0 THEN rank() OVER (ORDER BY CASE WHEN sales > 0 THEN sales END DESC NULLS LAST) END
           AS prev_rank,
         CASE WHEN wemall_sales > 0
              THEN rank() OVER (ORDER BY CASE WHEN wemall_sales > 0 THEN wemall_sales END DESC NULLS LAST) END
           AS prev_wemall_rank,
         sales AS sales_prev, wemall_sales AS wemall_sales_prev
  FROM {source}"""


STORE_SQL = f"""
WITH cur AS ({sales_by("store_id", "")}),
prev AS ({sales_by("store_id", "prev_")}),
prev_ranked AS ({previous_ranks("store_id", "prev")}),
last_year AS ({sales_by("store_id", "ly_")}),
board AS (
  SELECT s.store_id, s.store_name, s.region, s.city, s.brand,
         coalesce(c.sales, 0) AS sales,
         coalesce(c.wemall_sales, 0) AS wemall_sales,
         coalesce(c.pos_sales, 0) AS pos_sales,
         coalesce(c.orders, 0) AS orders,
         coalesce(c.members, 0) AS members
  FROM stores s
  LEFT JOIN cur c USING (store_id)
  WHERE (s.opened_on <= $end_day AND (s.closed_on IS NULL OR s.closed_on >= $start_day))
     OR c.store_id IS NOT NULL
)
SELECT b.*,
       rank() OVER (ORDER BY b.sales DESC) AS rank,
       rank() OVER (ORDER BY b.wemall_sales DESC) AS wemall_rank,
       p.prev_rank,
       p.prev_rank - rank() OVER (ORDER BY b.sales DESC) AS rank_change,
       p.prev_wemall_rank - rank() OVER (ORDER BY b.wemall_sales DESC) AS wemall_rank_change,
       coalesce(p.sales_prev, 0) AS sales_prev,
       coalesce(p.wemall_sales_prev, 0) AS wemall_sales_prev,
       coalesce(y.sales, 0) AS sales_last_year,
       coalesce(y.wemall_sales, 0) AS wemall_sales_last_year
FROM board b
LEFT JOIN prev_ranked p USING (store_id)
LEFT JOIN last_year y USING (store_id)
ORDER BY rank, store_id
"""

GUIDE_SQL = f"""
WITH cur AS ({sales_by("guide_id", "")}),
prev AS ({sales_by("guide_id", "prev_")}),
prev_ranked AS ({previous_ranks("guide_id", "prev")}),
last_year AS ({sales_by("guide_id", "ly_")}),
listed AS (
  SELECT guide_id FROM guides
  WHERE role = 'guide' AND hired_on <= $end_day AND (left_on IS NULL OR left_on >= $start_day)
  UNION
  SELECT guide_id FROM cur
),
board AS (
  SELECT l.guide_id, g.guide_name, g.store_id, s.store_name, s.region, g.role, g.hired_on, g.left_on,
         coalesce(c.sales, 0) AS sales,
         coalesce(c.wemall_sales, 0) AS wemall_sales,
         coalesce(c.pos_sales, 0) AS pos_sales,
         coalesce(c.orders, 0) AS orders,
         coalesce(c.members, 0) AS members
  FROM listed l
  LEFT JOIN guides g USING (guide_id)
  LEFT JOIN stores s ON s.store_id = g.store_id
  LEFT JOIN cur c USING (guide_id)
)
SELECT b.*,
       rank() OVER (ORDER BY b.sales DESC) AS rank,
       p.prev_rank,
       p.prev_rank - rank() OVER (ORDER BY b.sales DESC) AS rank_change,
       coalesce(p.sales_prev, 0) AS sales_prev,
       coalesce(y.sales, 0) AS sales_last_year
FROM board b
LEFT JOIN prev_ranked p USING (guide_id)
LEFT JOIN last_year y USING (guide_id)
ORDER BY rank, guide_id
"""


def _floats(values) -> list[float]:
    return [float("nan") if v is None else v for v in values]


def finish(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The former row-by-row finishing of both leaderboards (base.growth, base.ratio)."""
    for c in ("sales", "wemall_sales", "pos_sales", "sales_prev", "wemall_sales_prev",
              "sales_last_year", "wemall_sales_last_year"):
        if c in df:
            df[c] = df[c].astype(float)
    for c in ("orders", "members", "rank", "wemall_rank", "prev_rank", "prev_wemall_rank",
              "rank_change", "wemall_rank_change"):
        if c in df:
            df[c] = df[c].astype("Int64")
    df["aov"] = _floats(ratio(s, o) for s, o in zip(df["sales"], df["orders"]))
    df["sales_pop"] = _floats(growth(c, b) for c, b in zip(df["sales"], df["sales_prev"]))
    df["sales_yoy"] = _floats(growth(c, b) for c, b in zip(df["sales"], df["sales_last_year"]))
    if "wemall_sales_last_year" in df:
        df["wemall_sales_pop"] = _floats(growth(c, b) for c, b in zip(df["wemall_sales"], df["wemall_sales_prev"]))
        df["wemall_sales_yoy"] = _floats(growth(c, b) for c, b in zip(df["wemall_sales"], df["wemall_sales_last_year"]))
    return df[columns].reset_index(drop=True)


def store_board(reader, period: Period) -> pd.DataFrame:
    return finish(reader.query(STORE_SQL, _lb_params(period)), STORE_COLUMNS)


def guide_board(reader, period: Period) -> pd.DataFrame:
    return finish(reader.query(GUIDE_SQL, _lb_params(period)), GUIDE_COLUMNS)


TOTALS_SQL = """
SELECT
  coalesce(sum(net), 0)::DOUBLE AS sales,
  coalesce(sum(net) FILTER (WHERE channel = 'wemall'), 0)::DOUBLE AS wemall_sales,
  coalesce(sum(net) FILTER (WHERE channel = 'pos'), 0)::DOUBLE AS pos_sales,
  count(*) FILTER (WHERE is_order) AS orders,
  count(DISTINCT member_id) FILTER (WHERE is_order) AS members
FROM orders
WHERE ordered_at >= $start AND ordered_at < $end
"""


def totals(reader, period: Period) -> dict:
    row = reader.query(TOTALS_SQL, _pp(period)).iloc[0].to_dict()
    row["orders"] = int(row["orders"])
    row["members"] = int(row["members"])
    row["aov"] = ratio(row["sales"], row["orders"])
    return row


def kpis(reader, period: Period) -> dict:
    cur, prev, ly = totals(reader, period), totals(reader, period.previous()), totals(reader, period.year_ago())
    row = dict(cur)
    for c in BASE_COLUMNS:
        row[f"{c}_prev"] = prev[c]
        row[f"{c}_pop"] = growth(cur[c], prev[c])
        row[f"{c}_last_year"] = ly[c]
        row[f"{c}_yoy"] = growth(cur[c], ly[c])
    return row


def morning_summary(reader, day) -> dict:
    d = lambda x: Period(x, x)  # noqa: E731
    cur, prev, week = totals(reader, d(day)), totals(reader, d(day - timedelta(days=1))), \
        totals(reader, d(day - timedelta(days=7)))
    row = {"as_of": day}
    for v in ("sales", "wemall_sales", "orders"):
        row[v] = cur[v]
        row[f"{v}_prev_day"] = prev[v]
        row[f"{v}_vs_prev_day"] = growth(cur[v], prev[v])
        row[f"{v}_last_week"] = week[v]
        row[f"{v}_vs_last_week"] = growth(cur[v], week[v])
    return row


TREND_SQL = """
WITH days AS (
  SELECT d::DATE AS day FROM range($first_day::TIMESTAMP, $last_day::TIMESTAMP + INTERVAL 1 DAY, INTERVAL 1 DAY) t(d)
), daily AS (
  SELECT ordered_at::DATE AS day,
         sum(net) FILTER (WHERE channel = 'pos')::DOUBLE AS pos_sales,
         sum(net) FILTER (WHERE channel = 'wemall')::DOUBLE AS wemall_sales,
         count(*) FILTER (WHERE is_order) AS orders
  FROM orders
  WHERE ordered_at >= $start AND ordered_at < $end
  GROUP BY 1
)
SELECT days.day,
       coalesce(pos_sales, 0) AS pos_sales,
       coalesce(wemall_sales, 0) AS wemall_sales,
       coalesce(pos_sales, 0) + coalesce(wemall_sales, 0) AS sales,
       coalesce(orders, 0) AS orders
FROM days LEFT JOIN daily USING (day)
ORDER BY days.day
"""


def trend(reader, p: Period) -> pd.DataFrame:
    return reader.query(TREND_SQL, {"first_day": p.start, "last_day": p.end, "start": p.start_ts, "end": p.end_ts})


BREAKDOWN_SQL = """
SELECT {column} AS {name},
       sum(o.net)::DOUBLE AS sales,
       coalesce(sum(o.net) FILTER (WHERE o.channel = 'wemall'), 0)::DOUBLE AS wemall_sales,
       coalesce(sum(o.net) FILTER (WHERE o.channel = 'pos'), 0)::DOUBLE AS pos_sales,
       count(*) FILTER (WHERE o.is_order) AS orders
FROM orders o JOIN stores s USING (store_id)
WHERE o.ordered_at >= $start AND o.ordered_at < $end
GROUP BY 1
ORDER BY sales DESC, 1
"""


def breakdown(reader, period: Period, dimension: str) -> pd.DataFrame:
    df = reader.query(BREAKDOWN_SQL.format(column=f"s.{dimension}", name=dimension), _pp(period))
    total = df["sales"].sum()
    df["share"] = df["sales"] / total if total else None
    return df


GUIDES_SQL = """
WITH credited AS (
  SELECT guide_id, sum(net) AS wemall_sales
  FROM orders
  WHERE ordered_at >= $start AND ordered_at < $end AND channel = 'wemall' AND guide_id IS NOT NULL
  GROUP BY guide_id
)
SELECT g.guide_id, g.guide_name, coalesce(c.wemall_sales, 0)::DOUBLE AS wemall_sales
FROM guides g
LEFT JOIN credited c USING (guide_id)
WHERE g.hired_on <= $end_day AND (g.left_on IS NULL OR g.left_on >= $start_day)
ORDER BY coalesce(c.wemall_sales, 0) DESC, g.guide_id
"""

CREDITED_SQL = """
SELECT coalesce(sum(net), 0)::DOUBLE
FROM orders
WHERE ordered_at >= $start AND ordered_at < $end AND channel = 'wemall' AND guide_id IS NOT NULL
"""


def employed_guides(reader, period: Period) -> pd.DataFrame:
    return reader.query(GUIDES_SQL, {**_pp(period), "start_day": period.start, "end_day": period.end})


def concentration(reader, period: Period) -> dict:
    guides = employed_guides(reader, period)
    total = float(reader.scalar(CREDITED_SQL, _pp(period)) or 0.0)
    k = top_count(len(guides))
    top = float(guides["wemall_sales"].head(k).sum()) if k else 0.0
    return {"guides": len(guides), "top_guides": k, "concentration": ratio(top, total),
            "top_wemall_sales": top, "wemall_sales": total}


LAST_SALE_SQL = """
SELECT store_id, max(ordered_at)::DATE AS last_sale_on
FROM orders
WHERE ordered_at < $before AND is_order
GROUP BY store_id
"""


def last_sale(reader, day) -> dict:
    df = reader.query(LAST_SALE_SQL, {"before": Period(day, day).end_ts})
    return {s: pd.Timestamp(d).date() for s, d in zip(df["store_id"], df["last_sale_on"])}
