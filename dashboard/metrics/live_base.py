"""Shared pieces of the live-stream metrics (SPEC.md "Live streams — the
72-hour rule"); no metric is registered here.

SPEC.md: "Live sales: sales of orders with that live_id placed in [started_at,
ended_at]. Tail sales: sales of orders with that live_id placed in (ended_at,
ended_at + 72h]. Tail multiple = tail sales / live sales. Cumulative tail curve
by hour 0–72. Invite-watch rate: invited members who watched (a live_views row
for the same live) / invited members, per guide and store. Return-to-store rate
(回店率): viewers with a POS order in (ended_at, ended_at + 72h] / viewers. ROI of
a live = (live + tail sales) / cost where cost > 0."

Readings, in one place (README "Live streams"):
- An order at exactly ended_at is live; at exactly ended_at + 72h it is tail; a
  second later it is neither. An order with the live_id placed before
  started_at is neither. Sales are the sum of `net` (a refund lowers the live's
  or the tail's sales; a fully refunded order adds 0).
- Complete: the 72 hours have elapsed by the end of the as-of day. The as-of
  date is the latest complete day, so the data is complete up to as-of 24:00
  (the next midnight, `as_of_end`); a live is complete when ended_at + 72h ≤
  as_of_end. Otherwise it is in progress with hours_remaining = (ended_at +
  72h − as_of_end) in hours; its numbers are what the data holds.
- The hour buckets of a session's curve: the live part is cut into hours from
  started_at (live hour k covers [start + k h, start + (k+1) h), the last one
  closed at ended_at), the tail part into hours after ended_at (tail hour j,
  j = 1..72, covers (end + (j−1) h, end + j h]). `hours_since_end` is j for a
  tail bucket and k − (last live k) (0 for the last live hour, −1, −2 before it)
  for a live bucket, so the cumulative at hours_since_end = h is live sales plus
  the tail up to end + h hours, for any live length: curves of lives of
  different lengths, and the median session, line up on it.
- A viewer of a live: a member with a live_views row for it joined from 7 days
  before started_at to ended_at + 72h (a row outside that window is not a view
  of this live event; the bound also lets the time-sorted views be read by range).
- Orders are the scope's orders (the orders of the user's stores); lives are the
  scope's lives (hosted by the user's stores; HQ-hosted lives, with no store,
  only without store narrowing).

Speed (issue 15): the period metrics (live-tail, live-compare, live-median-curve,
live-tail-brands, live-guides, live-stores) read the live rollups
(dashboard/rollups/live.py: these readings fixed at publish time, per live and
the order's store and guide, the viewer, the inviting guide) joined to the
scoped sessions; live-curve and morning-lives, which cut a live's orders at any
second, read the orders of their few lives (LIVE_ORDERS).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pandas as pd

from ..reader import Reader
from .base import MetricArgs, Option, period_params

TAIL = timedelta(hours=72)
TAIL_HOURS = 72
VIEWS_BEFORE = timedelta(days=7)  # a view joined earlier than this before the start is not of the live

LIVE_COLUMNS = "live_id, title, brand, host_store_id, started_at, ended_at, cost"
IN_PERIOD = "started_at >= $start AND started_at < $end"
ONE_LIVE = "live_id = $live"


LIVE_OPTION = Option(str, "", "the live_id of one live session (live-curve and a session's detail)")


def selection(args: MetricArgs) -> tuple[str, dict]:
    """One live (`--live ID`) or, without it, every live that started in the period."""
    live_id = str(args.opt("live", "") or "").strip()
    return (ONE_LIVE, {"live": live_id}) if live_id else (IN_PERIOD, period_params(args.period))


def as_of_end(as_of: date) -> datetime:
    """The end of the as-of day (next midnight): the data is complete up to here."""
    return datetime.combine(as_of + timedelta(days=1), time.min)


def lives(reader: Reader, where: str, params: dict) -> pd.DataFrame:
    """The in-scope sessions matching `where` (our own constant text)."""
    return reader.query(f"SELECT {LIVE_COLUMNS} FROM live_sessions WHERE {where} ORDER BY started_at, live_id",
                        params)


def window(sessions: pd.DataFrame) -> dict:
    """A range [lo, hi] holding the started_at of every live of `sessions`
    (and every live or tail order's ordered_at): bound as constants, so the
    scan of live_order_rows, sorted by started_at, is pruned."""
    lo = pd.Timestamp(sessions["started_at"].min()).to_pydatetime()
    return {"lo": lo, "hi": (pd.Timestamp(sessions["ended_at"].max()) + TAIL).to_pydatetime()}


# Orders of the chosen lives placed in [started_at, ended_at + 72h], with the
# part they belong to: the live_order_rows rollup (those orders, fixed at
# publish time), read by the chosen lives' started_at range. `{lives}` is a
# SELECT of live_sessions rows.
LIVE_ORDERS = """
chosen AS ({lives}),
live_orders AS (
  SELECT o.order_id, o.live_id, o.net, o.is_order, o.member_id, o.brand, o.ordered_at,
         c.started_at, c.ended_at, o.is_tail
  FROM live_order_rows o
  JOIN chosen c ON o.live_id = c.live_id
  WHERE o.started_at >= $lo AND o.started_at <= $hi
)"""


def live_orders_cte(where: str) -> str:
    return LIVE_ORDERS.format(lives=f"SELECT {LIVE_COLUMNS} FROM live_sessions WHERE {where}")


def status(df: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """complete and hours_remaining of each session (see the module's reading)."""
    end = pd.Timestamp(as_of_end(as_of))
    due = pd.to_datetime(df["ended_at"]) + TAIL
    left = (due - end).dt.total_seconds() / 3600.0
    df["complete"] = [("true" if v <= 0 else "false") for v in left]
    df["hours_remaining"] = left.clip(lower=0).astype(float)
    return df


def is_complete(df: pd.DataFrame) -> pd.Series:
    return df["complete"].astype(str) == "true"


def orders_of(reader: Reader, where: str, params: dict, sessions: pd.DataFrame) -> pd.DataFrame:
    """The live and tail orders of the in-scope `sessions` (matching `where`):
    live_id, ordered_at, net, is_order, is_tail, brand, member_id, started_at, ended_at."""
    if sessions.empty:
        return pd.DataFrame(columns=["live_id", "order_id", "ordered_at", "net", "is_order", "is_tail", "brand",
                                     "member_id", "started_at", "ended_at"])
    sql = (f"WITH {live_orders_cte(where)}\n"
           "SELECT live_id, order_id, ordered_at, net, is_order, is_tail, brand, member_id, started_at, ended_at "
           "FROM live_orders ORDER BY ordered_at, order_id")
    df = reader.query(sql, {**params, **window(sessions)})
    df["net"] = df["net"].astype(float)
    return df


def tail_hour(orders: pd.DataFrame) -> pd.Series:
    """Tail hour j = 1..72 of each tail order: (end + (j−1) h, end + j h]; 0 for a live order."""
    secs = (pd.to_datetime(orders["ordered_at"]) - pd.to_datetime(orders["ended_at"])).dt.total_seconds()
    hours = (-(-secs // 3600)).clip(lower=0)  # ceil
    return hours.where(orders["is_tail"].astype(bool), 0).astype(int)


def chosen_cte(where: str) -> str:
    """CTE `chosen`: the in-scope sessions matching `where` (our own constant text)."""
    return f"chosen AS (SELECT {LIVE_COLUMNS} FROM live_sessions WHERE {where})"


def picked(rollup: str, where: str) -> str:
    """The rows of a live rollup (dashboard/rollups/live.py) for the lives
    matching `where`: every live rollup carries live_id and started_at, the only
    columns a selection names, and is sorted by started_at, so a period's lives
    are read by range. `rollup` is one of our own rollup names."""
    return f"(SELECT * FROM {rollup} WHERE {where})"


def hourly_sql(where: str) -> str:
    """Sales of each chosen live by tail hour: h = 0 for its live part, h = j for
    tail hour j (end + (j−1) h, end + j h], from the live_sales_hours rollup."""
    return (f"WITH {chosen_cte(where)}\n"
            f"SELECT r.live_id, r.h, sum(r.sales) AS sales FROM {picked('live_sales_hours', where)} r "
            "JOIN chosen c ON c.live_id = r.live_id GROUP BY 1, 2")


def cumulative_by_hour(reader: Reader, where: str, params: dict, sessions: pd.DataFrame) -> pd.DataFrame:
    """One row per session, columns 0..72: live sales + tail sales up to end + h hours."""
    hours = list(range(TAIL_HOURS + 1))
    if sessions.empty:
        return pd.DataFrame(columns=hours, dtype=float)
    o = reader.query(hourly_sql(where), params)
    o["sales"] = o["sales"].astype(float)
    grid = o.pivot_table(index="live_id", columns="h", values="sales", aggfunc="sum", fill_value=0.0)
    grid = grid.reindex(index=list(sessions["live_id"]), columns=hours, fill_value=0.0).fillna(0.0)
    return grid.cumsum(axis=1).astype(float)
