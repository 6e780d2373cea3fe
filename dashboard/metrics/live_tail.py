"""live-tail — each live stream's sales, its 72-hour tail, audience and ROI.

Grain: one row per in-scope live session that STARTED in the period
(started_at in [start day 00:00, end day + 1 00:00)), ordered by started_at,
then live_id.

SPEC.md "Live streams — the 72-hour rule": "Live sales: sales of orders with
that live_id placed in [started_at, ended_at]. Tail sales: sales of orders with
that live_id placed in (ended_at, ended_at + 72h]. Tail multiple = tail sales /
live sales. ... Invite-watch rate: invited members who watched (a live_views row
for the same live) / invited members ... Return-to-store rate (回店率): viewers
with a POS order in (ended_at, ended_at + 72h] / viewers. ROI of a live = (live
+ tail sales) / cost where cost > 0."

Readings (see live_base for the shared ones):
- invited: distinct members in live_invites for the live (a member invited by
  two guides counts once); invited_watched: those of them with a live_views
  row for the same live. A viewer nobody invited is a viewer, not an invitee.
- viewers: distinct members with a live_views row for the live. returned: those
  with a POS order (channel = pos) placed in (ended_at, ended_at + 72h], in any
  in-scope store, with or without the live_id. A POS order counts only while
  its net > 0 (SPEC's convention: a fully refunded order is no order), so a
  viewer whose only POS purchase was fully refunded did not come back.
- Empty where undefined: tail_multiple without live sales, invite_watch_rate
  without invites, return_rate without viewers, roi without cost (cost = 0).
- complete: true once ended_at + 72h ≤ the end of the as-of day (as-of 24:00);
  else false with hours_remaining > 0 (0 once complete). The CLI prints an
  in-progress live's numbers as the data holds them (not cut at the as-of date;
  tail_multiple and roi included); pages list such lives apart and never rank,
  sort or average them with complete ones.
- Scope: the in-scope lives (a region or store user sees lives hosted by their
  stores; HQ-hosted lives only without store narrowing), and for those, the
  in-scope orders, invites (by in-scope guides) and views (by in-scope members):
  what their stores sold through the live, not the other regions' share.
"""
from __future__ import annotations

import pandas as pd

from ..reader import Reader
from ..scope import nothing_narrows
from .base import MetricArgs, metric, period_params
from .live_base import IN_PERIOD, LIVE_COLUMNS, chosen_cte, lives, picked, status

DECLARED = ("live_id", "title", "host_store_id", "started_at:datetime", "ended_at:datetime",
            "live_sales:money", "tail_sales:money", "tail_multiple:number", "viewers:count",
            "invite_watch_rate:rate", "return_rate:rate", "cost:money", "roi:number", "complete:flag",
            "brand", "host_store_name", "hours_remaining:number", "invited:count", "invited_watched:count",
            "returned:count", "live_orders:count", "tail_orders:count")
COLUMNS = [c.partition(":")[0] for c in DECLARED]


def facts_sql(where: str, audience: bool = True, whole: bool = False) -> str:
    """One row per chosen live: sales and orders of its two parts, and (with
    `audience`) its invitees, viewers and returning viewers, from the live
    rollups (see dashboard/rollups/live.py). Without the audience the query
    reads the sales alone (live-compare).

    A viewer or invitee's view is in view when its member is (`home_key IN
    member_homes`, the scoped members' predicate on the member's store and
    guide); a returning viewer's POS order and an invitation through the
    rollups' own gates (order store and guide; inviting guide). A member invited
    by several guides is one invitee: rows of a pair with pair_guides = 1 are
    counted as they are, the few others by distinct member. `whole` (nothing
    narrows the view): the audience from live_audience_whole, the same counts
    made at publish time over everything such a view sees."""
    whole_ctes = f""",
audience AS (SELECT live_id, viewers, returned FROM {picked("live_audience_whole", where)} a),
invites AS (SELECT live_id, invited, invited_watched FROM {picked("live_audience_whole", where)} w)"""
    audience_ctes = whole_ctes if whole else f""",
seen AS (SELECT home_key FROM member_homes),
viewers AS (SELECT live_id, count(*) AS viewers FROM {picked("live_viewers", where)} v GROUP BY live_id),
came_back AS (
  SELECT live_id, count(DISTINCT member_id) AS returned
  FROM {picked("live_viewer_returns", where)} r
  WHERE home_key IN (SELECT home_key FROM seen)
  GROUP BY live_id
),
invitee AS (
  SELECT live_id, member_id, pair_guides, viewed AND home_key IN (SELECT home_key FROM seen) AS watched
  FROM {picked("live_invitees", where)} i
),
invites AS (
  SELECT live_id,
         count(*) FILTER (WHERE pair_guides = 1)
           + count(DISTINCT member_id) FILTER (WHERE pair_guides > 1) AS invited,
         count(*) FILTER (WHERE watched AND pair_guides = 1)
           + count(DISTINCT member_id) FILTER (WHERE watched AND pair_guides > 1) AS invited_watched
  FROM invitee GROUP BY live_id
),
audience AS (
  SELECT v.live_id, v.viewers, coalesce(r.returned, 0) AS returned
  FROM viewers v LEFT JOIN came_back r ON r.live_id = v.live_id
)""" if audience else ""
    if audience:
        audience_cols = """coalesce(a.viewers, 0) AS viewers, coalesce(a.returned, 0) AS returned,
       coalesce(i.invited, 0) AS invited, coalesce(i.invited_watched, 0) AS invited_watched"""
        audience_joins = """LEFT JOIN audience a ON a.live_id = c.live_id
LEFT JOIN invites i ON i.live_id = c.live_id"""
    else:
        audience_cols = "0 AS viewers, 0 AS returned, 0 AS invited, 0 AS invited_watched"
        audience_joins = ""
    return f"""
WITH {chosen_cte(where)},
sales AS (
  SELECT live_id,
         sum(sales) FILTER (WHERE h = 0) AS live_sales,
         sum(sales) FILTER (WHERE h > 0) AS tail_sales,
         CAST(sum(orders) FILTER (WHERE h = 0) AS BIGINT) AS live_orders,
         CAST(sum(orders) FILTER (WHERE h > 0) AS BIGINT) AS tail_orders
  FROM {picked("live_sales_hours", where)} r GROUP BY live_id
){audience_ctes}
SELECT c.live_id, c.title, c.brand, c.host_store_id, st.store_name AS host_store_name,
       c.started_at, c.ended_at, c.cost,
       coalesce(s.live_sales, 0) AS live_sales, coalesce(s.tail_sales, 0) AS tail_sales,
       coalesce(s.live_orders, 0) AS live_orders, coalesce(s.tail_orders, 0) AS tail_orders,
       {audience_cols}
FROM chosen c
LEFT JOIN sales s ON s.live_id = c.live_id
{audience_joins}
LEFT JOIN stores st ON st.store_id = c.host_store_id
ORDER BY c.started_at, c.live_id
"""


def _div(num: pd.Series, den: pd.Series) -> pd.Series:
    num, den = num.astype(float), den.astype(float)
    return (num / den.where(den != 0)).astype(float)


def session_facts(reader: Reader, where: str, params: dict, as_of, audience: bool = True) -> pd.DataFrame:
    """live-tail's rows for the in-scope sessions matching `where` (without
    `audience`: viewers, invites and returns left at 0, their rates empty)."""
    chosen = lives(reader, where, params)
    if chosen.empty:
        df = pd.DataFrame(columns=COLUMNS)
        return df.astype({c: float for c in ("live_sales", "tail_sales", "tail_multiple", "invite_watch_rate",
                                             "return_rate", "cost", "roi", "hours_remaining")})
    whole = nothing_narrows(reader.scope, reader.filters)
    df = reader.query(facts_sql(where, audience, whole), params)
    for c in ("live_sales", "tail_sales", "cost"):
        df[c] = df[c].astype(float)
    df["tail_multiple"] = _div(df["tail_sales"], df["live_sales"])
    df["invite_watch_rate"] = _div(df["invited_watched"], df["invited"])
    df["return_rate"] = _div(df["returned"], df["viewers"])
    df["roi"] = _div(df["live_sales"] + df["tail_sales"], df["cost"])
    return status(df, as_of)[COLUMNS].reset_index(drop=True)


@metric("live-tail", DECLARED, grain="one row per in-scope live session that started in the period")
def live_tail(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Each live started in the period: live sales [started_at, ended_at], tail
    sales (ended_at, ended_at + 72h], tail multiple, viewers, invite-watch and
    return-to-store rates, cost, ROI, complete (72 h elapsed by as-of 24:00)."""
    return session_facts(reader, IN_PERIOD, period_params(args.period), args.as_of)


__all__ = ["session_facts", "LIVE_COLUMNS"]
