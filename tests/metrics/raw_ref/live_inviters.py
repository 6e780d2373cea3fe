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
"""
from __future__ import annotations

import pandas as pd

from dashboard.reader import Reader
from .live_base import lives, live_orders_cte, window

VALUES = ("invited:count", "invited_watched:count", "invite_watch_rate:rate", "watched_sales:money",
          "watched_live_sales:money", "watched_tail_sales:money", "watched_buyers:count", "rank:rank")

KEYS = {"guide": ("g.guide_id", "g.guide_name", "g.store_id", "s.store_name"),
        "store": ("g.store_id", "s.store_name")}


def inviters_sql(where: str, level: str) -> str:
    keys = KEYS[level]  # whitelisted identifiers, never user input
    names = [k.split(".")[1] for k in keys]
    rank_id = names[0]
    return f"""
WITH {live_orders_cte(where)},
invitee AS (
  SELECT DISTINCT {", ".join(keys)}, i.live_id, i.member_id
  FROM live_invites i
  JOIN chosen c ON i.live_id = c.live_id
  JOIN guides g ON g.guide_id = i.guide_id
  LEFT JOIN stores s ON s.store_id = g.store_id
),
bought AS (
  SELECT live_id, member_id,
         sum(net) FILTER (WHERE NOT is_tail) AS live_net, sum(net) FILTER (WHERE is_tail) AS tail_net,
         count(*) FILTER (WHERE is_order) AS n_orders
  FROM live_orders WHERE member_id IS NOT NULL GROUP BY live_id, member_id
),
board AS (
  SELECT {", ".join(names)},
         count(*) AS invited,
         count(v.member_id) AS invited_watched,
         coalesce(sum(b.live_net) FILTER (WHERE v.member_id IS NOT NULL), 0) AS watched_live_sales,
         coalesce(sum(b.tail_net) FILTER (WHERE v.member_id IS NOT NULL), 0) AS watched_tail_sales,
         count(*) FILTER (WHERE v.member_id IS NOT NULL AND b.n_orders > 0) AS watched_buyers
  FROM invitee i
  LEFT JOIN viewer v ON v.live_id = i.live_id AND v.member_id = i.member_id
  LEFT JOIN bought b ON b.live_id = i.live_id AND b.member_id = i.member_id
  GROUP BY {", ".join(names)}
)
SELECT *, watched_live_sales + watched_tail_sales AS watched_sales,
       rank() OVER (ORDER BY invited_watched DESC) AS rank
FROM board
ORDER BY rank, {rank_id}
"""


def inviters(reader: Reader, where: str, params: dict, level: str, columns: list[str]) -> pd.DataFrame:
    sessions = lives(reader, where, params)
    if sessions.empty:
        return pd.DataFrame(columns=columns)
    df = reader.query(inviters_sql(where, level), {**params, **window(sessions)})
    for c in ("watched_sales", "watched_live_sales", "watched_tail_sales"):
        df[c] = df[c].astype(float)
    den = df["invited"].astype(float)
    df["invite_watch_rate"] = (df["invited_watched"] / den.where(den != 0)).astype(float)
    return df[columns].reset_index(drop=True)
