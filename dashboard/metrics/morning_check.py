"""The regional manager's morning check (晨检), on the as-of day ("yesterday").

SPEC.md: "Regional managers do a morning check, often on a phone: yesterday's
store sales ranking and each store's WeMall ranking in their region ... what
needs attention today." Issue 4: "yesterday's sales and WeMall sales vs the day
before and the same weekday last week; the user's stores ranked by sales and by
WeMall sales with rank change; the biggest risers and fallers; a short list of
what needs attention (e.g. stores that fell ≥ 5 places or sold nothing)."

These metrics read `args.as_of`, never `args.period`.
"""
from __future__ import annotations

from datetime import timedelta

import pandas as pd

from ..period import Period
from ..reader import Reader
from .base import MetricArgs, Option, growth, metric
from .kpis import periods_totals
from .store_leaderboard import DECLARED as STORE_DECLARED
from .store_leaderboard import store_board

SUMMARY_VALUES = ("sales", "wemall_sales", "orders")


def _summary_declared() -> list[str]:
    out = ["as_of:date"]
    for v in SUMMARY_VALUES:
        kind = "count" if v == "orders" else "money"
        out += [f"{v}:{kind}", f"{v}_prev_day:{kind}", f"{v}_vs_prev_day:growth", f"{v}_last_week:{kind}",
                f"{v}_vs_last_week:growth"]
    return out


SUMMARY_DECLARED = _summary_declared()
SUMMARY_COLUMNS = [spec.partition(":")[0] for spec in SUMMARY_DECLARED]


def _day(d) -> Period:
    return Period(d, d)


@metric("morning-summary", SUMMARY_DECLARED, grain="one row for the as-of day", as_of_only=True)
def morning_summary(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """The as-of day's sales, WeMall sales and orders against the day before and
    the same weekday a week earlier (growth empty when the base is 0)."""
    day = args.as_of
    t = periods_totals(reader, {"cur": _day(day), "prev": _day(day - timedelta(days=1)),
                                "week": _day(day - timedelta(days=7))})
    cur, prev, week = t["cur"], t["prev"], t["week"]
    row = {"as_of": day}
    for v in SUMMARY_VALUES:
        row[v] = cur[v]
        row[f"{v}_prev_day"] = prev[v]
        row[f"{v}_vs_prev_day"] = growth(cur[v], prev[v])
        row[f"{v}_last_week"] = week[v]
        row[f"{v}_vs_last_week"] = growth(cur[v], week[v])
    return pd.DataFrame([row], columns=SUMMARY_COLUMNS)


@metric("morning-stores", STORE_DECLARED, grain="one row per in-scope store open or selling on the as-of day",
        as_of_only=True)
def morning_stores(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """The store leaderboard for the as-of day alone: rank and WeMall rank, and
    their change against the day before (the previous one-day period)."""
    return store_board(reader, _day(args.as_of))


ATTENTION_DECLARED = ("store_id", "store_name", "region", "reason", "detail", "rank:rank", "prev_rank:rank",
                      "rank_change:rank_change", "sales:money", "last_sale_on:date", "fall_places:count")
# The reason code of a fall is "fell_5_places" whatever the threshold: the code
# is a stable name (pages, exports, scripts and tests read it), kept from when
# the threshold was fixed at 5. What it means: the rank fell by at least the
# threshold in force, given in the row's fall_places column.
FELL = "fell_5_places"
ATTENTION_COLUMNS = [spec.partition(":")[0] for spec in ATTENTION_DECLARED]

# The last day a store had an order of net > 0, before the day after `day`.
LAST_SALE_SQL = """
SELECT store_id, max(day) AS last_sale_on
FROM daily_store_sales
WHERE day <= $day AND orders > 0
GROUP BY store_id
"""

OPEN_SQL = """
SELECT store_id FROM stores
WHERE opened_on <= $day AND (closed_on IS NULL OR closed_on >= $day)
"""


@metric("morning-attention", ATTENTION_DECLARED, grain="one row per (store, reason) needing attention",
        options={"fall_places": Option(int, 5, "rank places a store must fall to need attention",
                                       setting="fall_places", minimum=1)}, as_of_only=True)
def morning_attention(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Stores needing attention on the as-of day. Reasons (codes the page
    translates): fell_5_places — sales rank fell by ≥ fall_places (default 5;
    the stable code names the default, the threshold in force is in the
    fall_places column) against the day before (detail "prev→now"); no_sales — open that day
    (opened_on ≤ day ≤ closed_on) and sold nothing (detail: the last day the
    store sold, empty if never). Rows ordered by reason, then rank, then store_id."""
    day = args.as_of
    places = int(args.opt("fall_places", 5))  # validated ≥ 1 by resolved_options
    board = store_board(reader, _day(day))
    open_ids = set(reader.query(OPEN_SQL, {"day": day})["store_id"])
    last = reader.query(LAST_SALE_SQL, {"day": day})
    last_sale = dict(zip(last["store_id"], last["last_sale_on"]))
    rows = []
    fell = board[board["rank_change"].notna() & (board["rank_change"] <= -places)]
    for r in fell.itertuples(index=False):
        rows.append({**_base(r, last_sale), "reason": FELL, "detail": f"{r.prev_rank}→{r.rank}", "fall_places": places})
    silent = board[(board["sales"] == 0) & board["store_id"].isin(open_ids)]
    for r in silent.itertuples(index=False):
        base = _base(r, last_sale)
        seen = base["last_sale_on"]
        rows.append({**base, "reason": "no_sales", "detail": "" if seen is None else seen.isoformat()})
    return pd.DataFrame(rows, columns=ATTENTION_COLUMNS).astype(
        {"rank": "Int64", "prev_rank": "Int64", "rank_change": "Int64", "sales": float, "fall_places": "Int64"})


def _base(r, last_sale: dict) -> dict:
    seen = last_sale.get(r.store_id)
    return {"store_id": r.store_id, "store_name": r.store_name, "region": r.region, "rank": r.rank,
            "prev_rank": r.prev_rank, "rank_change": r.rank_change, "sales": r.sales,
            "last_sale_on": None if seen is None or pd.isna(seen) else pd.Timestamp(seen).date()}
