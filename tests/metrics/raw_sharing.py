"""The WeMall sharing metrics as they were computed before the sharing rollups:
straight from the raw scoped `shares`, `share_visits` and `orders`, through the
same scope gate. Kept here, in the tests only, as the reference the rollup
paths (dashboard/rollups/sharing.py) must equal exactly. The SQL is the
product's former SQL, unchanged; the Python around it is the former code,
reusing only the product's pure helpers that did not change (diagnose, pick_guides, the roster by day)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from dashboard.metrics import morning_share as ms
from dashboard.metrics import share_attention as sa
from dashboard.metrics import share_diagnosis as sd
from dashboard.metrics import share_funnel as sf
from dashboard.metrics import share_heatmap as sh
from dashboard.metrics import share_rate as sr
from dashboard.metrics import share_trend as st
from dashboard.metrics import wemall_by_hour as wh
from dashboard.metrics import wemall_sources as ws
from dashboard.metrics.base import period_params, ratio
from dashboard.metrics.share_common import (DIAGNOSES, ROSTER_CTE, days_of, diagnose,
                                            guides_on_roster_by_day, k_of, roster_intervals, target_of)
from dashboard.period import Period


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    for c in ("roster_days", "target_days", "shares"):
        df[c] = df[c].fillna(0).astype("int64")
    df["wemall_sales"] = df["wemall_sales"].fillna(0.0).astype(float)
    df["share_rate"] = [float("nan") if v is None else v for v in map(ratio, df["target_days"], df["roster_days"])]
    df["sales_per_share"] = [float("nan") if v is None else v for v in map(ratio, df["wemall_sales"], df["shares"])]
    return df


def params(period: Period, k: int) -> dict:
    return {**period_params(period), "start_day": period.start, "end_day": period.end, "k": int(k)}


DAILY_CTE = """
daily AS (
  SELECT guide_id, CAST(shared_at AS DATE) AS day, count(*) AS n
  FROM shares
  WHERE shared_at >= $start AND shared_at < $end
  GROUP BY guide_id, CAST(shared_at AS DATE)
)"""

PER_GUIDE_TEMPLATE = f"""WITH {ROSTER_CTE},
{DAILY_CTE},
shared AS (
  SELECT d.guide_id, sum(d.n) AS shares,
         count(*) FILTER (WHERE d.n >= $k AND d.day >= r.from_day AND d.day <= r.to_day) AS target_days
  FROM daily d JOIN roster r ON r.guide_id = d.guide_id
  GROUP BY d.guide_id
),
{{credited}},
per_guide AS (
  SELECT r.guide_id, r.guide_name, r.store_id, s.store_name, s.region,
         date_diff('day', r.from_day, r.to_day) + 1 AS roster_days,
         coalesce(sh.target_days, 0) AS target_days,
         coalesce(sh.shares, 0) AS shares,
         coalesce(c.wemall_sales, 0) AS wemall_sales
  FROM roster r
  LEFT JOIN stores s ON s.store_id = r.store_id
  LEFT JOIN shared sh ON sh.guide_id = r.guide_id
  LEFT JOIN credited c ON c.guide_id = r.guide_id
)"""
CREDITED = """credited AS (
  SELECT guide_id, sum(net) AS wemall_sales
  FROM orders
  WHERE ordered_at >= $start AND ordered_at < $end AND channel = 'wemall' AND guide_id IS NOT NULL
  GROUP BY guide_id
)"""
NO_SALES = "credited AS (SELECT CAST(NULL AS VARCHAR) AS guide_id, CAST(0 AS DECIMAL(18, 2)) AS wemall_sales WHERE FALSE)"


FIGURES = "sum(roster_days) AS roster_days, sum(target_days) AS target_days, sum(shares) AS shares, " \
          "CAST(sum(wemall_sales) AS DOUBLE) AS wemall_sales"
LEVEL_SQL = {
    "guide": "SELECT guide_id, guide_name, store_id, store_name, region, roster_days, target_days, shares, "
             "CAST(wemall_sales AS DOUBLE) AS wemall_sales FROM per_guide ORDER BY guide_id",
    "store": f"SELECT store_id, store_name, region, {FIGURES} FROM per_guide "
             "GROUP BY store_id, store_name, region ORDER BY store_id",
    "region": f"SELECT region, {FIGURES} FROM per_guide GROUP BY region ORDER BY region",
    "total": f"SELECT {FIGURES} FROM per_guide",
}


def share_figures(reader, period, k, level, with_sales=True):
    ctes = PER_GUIDE_TEMPLATE.replace("{credited}", CREDITED if with_sales else NO_SALES)
    return _finish(reader.query(ctes + "\n" + LEVEL_SQL[level], params(period, k)))


def guide_figures(reader, period, k, target_rate):
    guides = share_figures(reader, period, k, "guide")
    guides["diagnosis"], median = diagnose(guides, target_rate)
    return guides, median


def share_rate(reader, args):
    level = args.opt("level", "guide") or "guide"
    if level == "guide":
        df, _ = guide_figures(reader, args.period, k_of(args), target_of(args))
    else:
        df = share_figures(reader, args.period, k_of(args), level)
    for c in sr.COLUMNS:
        if c not in df:
            df[c] = None
    return df[sr.ORDER[level]].reset_index(drop=True)


TREND_SQL = f"""WITH {ROSTER_CTE},
{DAILY_CTE}
SELECT d.day,
       count(*) FILTER (WHERE d.n >= $k AND d.day >= r.from_day AND d.day <= r.to_day) AS target_guides,
       sum(d.n) AS shares
FROM daily d JOIN roster r ON r.guide_id = d.guide_id
GROUP BY d.day
"""


def share_trend(reader, args):
    period = args.period
    on_roster = guides_on_roster_by_day(roster_intervals(reader, period), period)
    met = reader.query(TREND_SQL, params(period, k_of(args)))
    met["day"] = pd.to_datetime(met["day"]).dt.date
    by_day = met.set_index("day")
    target = target_of(args)
    rows = []
    for day, roster in zip(days_of(period), on_roster):
        hit = int(by_day["target_guides"].get(day, 0))
        rows.append({"day": day, "roster_guides": int(roster), "target_guides": hit,
                     "share_rate": ratio(hit, int(roster)), "target_rate": target,
                     "shares": int(by_day["shares"].get(day, 0))})
    return pd.DataFrame(rows, columns=st.COLUMNS).astype({"share_rate": float})


HEATMAP_SQL = """
SELECT guide_id, CAST(shared_at AS DATE) AS day, count(*) AS n
FROM shares
WHERE shared_at >= $start AND shared_at < $end AND list_contains($guide_ids, guide_id)
GROUP BY guide_id, CAST(shared_at AS DATE)
"""


def share_heatmap(reader, args):
    k = k_of(args)
    rows = max(1, int(args.opt("heatmap_rows", 10) or 10))
    guides = share_figures(reader, args.period, k, "guide", with_sales=False)
    if guides.empty:
        return pd.DataFrame(columns=sh.COLUMNS)
    listed = sh.pick_guides(guides, rows)
    p = {**params(args.period, k), "guide_ids": list(listed["guide_id"])}
    counts = reader.query(HEATMAP_SQL, {x: p[x] for x in ("start", "end", "guide_ids")})
    counts["day"] = pd.to_datetime(counts["day"]).dt.date
    n_by = {(g, d): int(n) for g, d, n in zip(counts["guide_id"], counts["day"], counts["n"])}
    spans = reader.query(sh.ROSTER_SQL, {x: p[x] for x in ("start_day", "end_day", "guide_ids")})
    span = {g: (pd.Timestamp(a).date(), pd.Timestamp(b).date())
            for g, a, b in zip(spans["guide_id"], spans["from_day"], spans["to_day"])}
    out = []
    for g in listed.itertuples(index=False):
        first, last = span[g.guide_id]
        day = first
        while day <= last:
            n = n_by.get((g.guide_id, day), 0)
            out.append({"guide_id": g.guide_id, "guide_name": g.guide_name, "store_id": g.store_id,
                        "heat_band": g.heat_band, "share_rate": g.share_rate, "day": day, "shares": n,
                        "met_target": "true" if n >= k else "false"})
            day += timedelta(days=1)
    return pd.DataFrame(out, columns=sh.COLUMNS)


def share_diagnosis(reader, args):
    target = target_of(args)
    guides, median = guide_figures(reader, args.period, k_of(args), target)
    rows = []
    for value in DIAGNOSES:
        mine = guides[guides["diagnosis"] == value]
        rows.append({"diagnosis": value, "guides": len(mine), "wemall_sales": float(mine["wemall_sales"].sum()),
                     "median_wemall_sales": median, "target_rate": target})
    return pd.DataFrame(rows, columns=sd.COLUMNS).astype({"median_wemall_sales": float})


FUNNEL_SQL = """
WITH v AS (
  SELECT count(*) AS visits, count(DISTINCT member_id) AS visitors
  FROM share_visits WHERE visited_at >= $start AND visited_at < $end
),
o AS (
  SELECT count(*) FILTER (WHERE is_order) AS share_orders, CAST(coalesce(sum(net), 0) AS DOUBLE) AS share_sales
  FROM orders WHERE ordered_at >= $start AND ordered_at < $end AND share_id IS NOT NULL
)
SELECT (SELECT count(*) FROM shares WHERE shared_at >= $start AND shared_at < $end) AS shares,
       v.visits, v.visitors, o.share_orders, o.share_sales
FROM v, o
"""
ANY_VISITS_SQL = "SELECT EXISTS (SELECT 1 FROM share_visits) AS any_visits"


def share_funnel(reader, args):
    row = reader.query(FUNNEL_SQL, period_params(args.period)).iloc[0].to_dict()
    has = bool(row["visits"]) or bool(reader.scalar(ANY_VISITS_SQL))
    out = {"shares": int(row["shares"]), "share_visits": int(row["visits"]),
           "share_visitors": int(row["visitors"]), "share_orders": int(row["share_orders"])}
    out.update(share_sales=float(row["share_sales"]), visits_per_share=ratio(out["share_visits"], out["shares"]),
               visit_conversion=ratio(out["share_orders"], out["share_visits"]),
               has_visits="true" if has else "false")
    return pd.DataFrame([out], columns=sf.COLUMNS).astype({"visits_per_share": float, "visit_conversion": float})


SOURCES_SQL = """
WITH wm AS (
  SELECT o.net, o.share_id, o.buyer_city, CAST(o.ordered_at AS TIME) AS at_time, st.city, st.open_time, st.close_time,
         sh.target
  FROM orders o
  JOIN stores st ON st.store_id = o.store_id
  LEFT JOIN (SELECT share_id, target FROM shares WHERE shared_at >= $share_from AND shared_at < $share_to) sh
    ON sh.share_id = o.share_id
  WHERE o.ordered_at >= $start AND o.ordered_at < $end AND o.channel = 'wemall'
)
SELECT
  CAST(coalesce(sum(net), 0) AS DOUBLE) AS wemall_sales,
  CAST(coalesce(sum(net) FILTER (WHERE target = 'moments'), 0) AS DOUBLE) AS moments,
  CAST(coalesce(sum(net) FILTER (WHERE target = 'private_chat'), 0) AS DOUBLE) AS private_chat,
  CAST(coalesce(sum(net) FILTER (WHERE target = 'group'), 0) AS DOUBLE) AS "group",
  CAST(coalesce(sum(net) FILTER (WHERE target IS NULL), 0) AS DOUBLE) AS direct,
  CAST(coalesce(sum(net) FILTER (WHERE buyer_city IS NOT NULL AND buyer_city <> city), 0) AS DOUBLE)
    AS cross_city,
  CAST(coalesce(sum(net) FILTER (WHERE at_time < open_time OR at_time >= close_time), 0) AS DOUBLE)
    AS off_hours,
  count(*) FILTER (WHERE share_id IS NOT NULL AND target IS NULL) AS unmatched
FROM wm
"""
SHARE_WINDOW_DAYS = 7
EVER = (datetime(1900, 1, 1), datetime(9999, 1, 1))


def wemall_sources(reader, args):
    p = period_params(args.period)
    row = reader.query(SOURCES_SQL, {**p, "share_from": p["start"] - timedelta(days=SHARE_WINDOW_DAYS),
                                     "share_to": p["end"]}).iloc[0].to_dict()
    if row["unmatched"]:
        row = reader.query(SOURCES_SQL, {**p, "share_from": EVER[0], "share_to": EVER[1]}).iloc[0].to_dict()
    total = row["wemall_sales"]
    out = [("source", s, row[s]) for s in ws.SOURCES]
    out += [("cross_city", "true", row["cross_city"]), ("off_hours", "true", row["off_hours"])]
    return pd.DataFrame([{"dimension": d, "value": v, "sales": float(s), "share_of_wemall": ratio(s, total)}
                         for d, v, s in out], columns=ws.COLUMNS).astype({"share_of_wemall": float})


BY_HOUR_SQL = """
WITH wm AS (
  SELECT o.net, extract(hour FROM o.ordered_at) AS hour, CAST(o.ordered_at AS TIME) AS at_time,
         st.open_time, st.close_time
  FROM orders o JOIN stores st ON st.store_id = o.store_id
  WHERE o.ordered_at >= $start AND o.ordered_at < $end AND o.channel = 'wemall'
)
SELECT hour, CAST(sum(net) AS DOUBLE) AS wemall_sales,
       CAST(coalesce(sum(net) FILTER (WHERE at_time < open_time OR at_time >= close_time), 0) AS DOUBLE)
         AS off_hours_sales
FROM wm GROUP BY hour
"""


def wemall_by_hour(reader, args):
    sales = reader.query(BY_HOUR_SQL, period_params(args.period)).set_index("hour")
    stores = reader.query(wh.STORES_SQL, {"start_day": args.period.start, "end_day": args.period.end})
    rows = []
    for h in range(24):
        open_n = int(((stores["open_minute"] < (h + 1) * 60) & (stores["close_minute"] > h * 60)).sum())
        rows.append({"hour_of_day": h, "wemall_sales": float(sales["wemall_sales"].get(h, 0.0)),
                     "off_hours_sales": float(sales["off_hours_sales"].get(h, 0.0)),
                     "open_stores": open_n, "scope_stores": len(stores)})
    return pd.DataFrame(rows, columns=wh.COLUMNS)


ATTENTION_SQL = """
WITH daily AS (
  SELECT guide_id, CAST(shared_at AS DATE) AS day, count(*) AS n
  FROM shares WHERE shared_at >= $start AND shared_at < $end
  GROUP BY guide_id, CAST(shared_at AS DATE)
),
per_guide AS (
  SELECT guide_id, sum(n) AS shares, count(*) FILTER (WHERE n >= $k) AS target_days
  FROM daily GROUP BY guide_id
)
SELECT g.guide_id, g.guide_name, g.store_id, s.store_name, s.region, coalesce(p.shares, 0) AS shares
FROM guides g
JOIN stores s ON s.store_id = g.store_id
LEFT JOIN per_guide p ON p.guide_id = g.guide_id
WHERE g.role = 'guide' AND g.hired_on <= $from_day AND (g.left_on IS NULL OR g.left_on >= $to_day)
  AND coalesce(p.target_days, 0) = 0
ORDER BY g.store_id, g.guide_id
"""


def share_attention(reader, args):
    first = args.as_of - timedelta(days=sa.DAYS - 1)
    span = Period(first, args.as_of)
    df = reader.query(ATTENTION_SQL, {**period_params(span), "k": k_of(args), "from_day": first, "to_day": args.as_of})
    df["shares"] = df["shares"].astype("int64")
    df["since_day"] = first
    return df[sa.COLUMNS]


def morning_share(reader, args):
    day = Period(args.as_of, args.as_of)
    stores = share_figures(reader, day, k_of(args), "store", with_sales=False)
    total = {c: int(stores[c].sum()) for c in ("roster_days", "target_days", "shares")}
    total["share_rate"] = ratio(total["target_days"], total["roster_days"])
    stores = stores.sort_values(["share_rate", "store_id"], ascending=[False, True], na_position="last")
    stores["rank"] = stores["share_rate"].rank(method="min", ascending=False)
    rows = [{"row_level": "total", "store_id": None, "store_name": None, "region": None, "rank": None,
             **{c: total[c] for c in ("roster_days", "target_days", "share_rate", "shares")}}]
    rows += [{"row_level": "store", **r} for r in stores.to_dict("records")]
    out = pd.DataFrame(rows, columns=[c for c in ms.COLUMNS if c != "target_rate"])
    out["target_rate"] = target_of(args)
    out = out.astype({"rank": "Int64", "roster_days": "int64", "target_days": "int64", "shares": "int64",
                      "share_rate": float})
    return out[ms.COLUMNS]


REFERENCE = {
    "share-rate": share_rate, "share-trend": share_trend, "share-heatmap": share_heatmap,
    "share-diagnosis": share_diagnosis, "share-funnel": share_funnel, "wemall-sources": wemall_sources,
    "wemall-by-hour": wemall_by_hour, "share-attention": share_attention, "morning-share": morning_share,
}
