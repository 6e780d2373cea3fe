"""Shared SQL of live-guides and live-stores (no metric registered here): who
invited the members who watched, and what those members bought.

SPEC.md: "Invite-watch rate: invited members who watched (a live_views row for
the same live) / invited members, per guide and store."

Readings: the unit is an invitation pair (live, member): `invited` counts the
distinct members a guide (or a store's guides together) invited to the chosen
live(s) — a member invited to two lives counts once per live; a member invited
by two guides counts for each guide, once for a store. `invited_watched`: those
with a live_views row for the same live. What they bought: the net of their
orders with that live_id — watched_live_sales in [started_at, ended_at],
watched_tail_sales in (ended_at, ended_at + 72h], watched_sales both;
watched_buyers: watched invitees with such an order of net > 0. Ranked by
invited_watched (competition ranking, ties by id), then listed by id.

Read from the live rollups (dashboard/rollups/live.py), through the scope gate:
live_inviters_whole when nothing narrows the view, else live_invitees (an
invitee watched when its live_viewers row exists and its member is in view:
home_key in member_homes) and live_member_sales (what watched invitees bought,
by the order's store and guide).
"""
from __future__ import annotations

import pandas as pd

from ..reader import Reader
from ..scope import nothing_narrows
from .live_base import chosen_cte, lives, picked

VALUES = ("invited:count", "invited_watched:count", "invite_watch_rate:rate", "watched_sales:money",
          "watched_live_sales:money", "watched_tail_sales:money", "watched_buyers:count", "rank:rank")

# level -> (the rollup's key column, the column counting that key's guides
# inviting the same member to the same live, the key and name columns shown,
# the joins that name them: over `counts b`)
LEVELS = {"guide": ("guide_id", None, ("g.guide_id", "g.guide_name", "g.store_id", "s.store_name"),
                    "LEFT JOIN guides g ON g.guide_id = b.guide_id LEFT JOIN stores s ON s.store_id = g.store_id"),
          "store": ("guide_store_id", "pair_store_guides", ("b.guide_store_id AS store_id", "s.store_name"),
                    "LEFT JOIN stores s ON s.store_id = b.guide_store_id")}


RANKED = """
SELECT *, watched_live_sales + watched_tail_sales AS watched_sales,
       rank() OVER (ORDER BY invited_watched DESC) AS rank
FROM board
ORDER BY rank, {rank_id}
"""


def whole_sql(where: str, level: str) -> str:
    """inviters_sql when nothing narrows the view: live_inviters_whole's per-live
    figures (made at publish time over everything such a view sees) summed."""
    key, _, names, name_joins = LEVELS[level]
    return f"""
WITH {chosen_cte(where)},
board AS (
  SELECT {", ".join(names)}, b.invited, b.invited_watched, b.watched_live_sales, b.watched_tail_sales,
         b.watched_buyers
  FROM (
    SELECT w.inviter_id AS {key}, CAST(sum(w.invited) AS BIGINT) AS invited,
           CAST(sum(w.invited_watched) AS BIGINT) AS invited_watched,
           sum(w.watched_live_sales) AS watched_live_sales, sum(w.watched_tail_sales) AS watched_tail_sales,
           CAST(sum(w.watched_buyers) AS BIGINT) AS watched_buyers
    FROM {picked("live_inviters_whole", where)} w
    JOIN chosen c ON c.live_id = w.live_id
    WHERE w.level = '{level}'
    GROUP BY w.inviter_id
  ) b
  {name_joins}
)
{RANKED.format(rank_id=_rank_id(level))}"""


def _rank_id(level: str) -> str:
    return LEVELS[level][2][0].split(" AS ")[-1].split(".")[-1]


def inviters_sql(where: str, level: str) -> str:
    key, dup, names, name_joins = LEVELS[level]  # whitelisted identifiers, never user input
    # One row per (key, live, member): a guide's rows are unique (live_invites'
    # key); a store's pairs invited by several of its guides are made distinct.
    pairs = ("SELECT * FROM inv" if dup is None else
             f"SELECT {key}, live_id, member_id, bought, watched FROM inv WHERE {dup} = 1\n  UNION ALL\n"
             f"  SELECT DISTINCT {key}, live_id, member_id, bought, watched FROM inv WHERE {dup} > 1")
    return f"""
WITH {chosen_cte(where)},
inv AS NOT MATERIALIZED (
  SELECT i.{key}, i.live_id, i.member_id, i.bought{f", i.{dup}" if dup else ""},
         i.viewed AND i.home_key IN (SELECT home_key FROM member_homes) AS watched
  FROM {picked("live_invitees", where)} i
  JOIN chosen c ON c.live_id = i.live_id
),
pairs AS NOT MATERIALIZED ({pairs}),
pair_sales AS (
  -- what each watched invitee with live or tail orders bought, in view
  SELECT p.{key}, p.live_id, p.member_id, sum(b.live_net) AS live_net, sum(b.tail_net) AS tail_net,
         sum(b.n_orders) AS n_orders
  FROM pairs p
  JOIN (SELECT * FROM {picked("live_member_sales", where)} b WHERE invited_viewer) b
    ON b.live_id = p.live_id AND b.member_id = p.member_id
  WHERE p.watched AND p.bought
  GROUP BY p.{key}, p.live_id, p.member_id
),
counts AS (
  SELECT {key}, count(*) AS invited, count(*) FILTER (WHERE watched) AS invited_watched
  FROM pairs GROUP BY {key}
),
watched_sales AS (
  SELECT {key}, coalesce(sum(live_net), 0) AS watched_live_sales,
         coalesce(sum(tail_net), 0) AS watched_tail_sales,
         count(*) FILTER (WHERE n_orders > 0) AS watched_buyers
  FROM pair_sales GROUP BY {key}
),
board AS (
  SELECT {", ".join(names)}, b.invited, b.invited_watched,
         coalesce(w.watched_live_sales, 0) AS watched_live_sales,
         coalesce(w.watched_tail_sales, 0) AS watched_tail_sales,
         coalesce(w.watched_buyers, 0) AS watched_buyers
  FROM counts b
  LEFT JOIN watched_sales w ON w.{key} = b.{key}
  {name_joins}
)
{RANKED.format(rank_id=_rank_id(level))}"""


def inviters(reader: Reader, where: str, params: dict, level: str, columns: list[str]) -> pd.DataFrame:
    sessions = lives(reader, where, params)
    if sessions.empty:
        return pd.DataFrame(columns=columns)
    sql = whole_sql if nothing_narrows(reader.scope, reader.filters) else inviters_sql
    df = reader.query(sql(where, level), params)
    for c in ("watched_sales", "watched_live_sales", "watched_tail_sales"):
        df[c] = df[c].astype(float)
    den = df["invited"].astype(float)
    df["invite_watch_rate"] = (df["invited_watched"] / den.where(den != 0)).astype(float)
    return df[columns].reset_index(drop=True)
