"""community-overview — the scope's WeCom groups at a glance on the as-of date.

Grain: one row for the view (scope and filters), the as-of date and the period.

SPEC.md "Community (社群) and KOC" (the definitions are those of group-activity):
- groups: in-scope groups existing on the as-of date (created_at < its end and
  dissolved_at null or > its start).
- group_members: distinct members of those groups on the as-of date (a member
  in two groups counts once); active_members: distinct members who sent ≥ 1
  member message in any in-scope group that day; speaking_ratio =
  active_members / group_members (empty when 0).
- alive_groups: existing groups alive that day (≥ alive_members active
  members); silent_groups: existing groups silent at the as-of date (no member
  message in the silent_days days ending on it).
- member_messages and wemall_sales: over the period, summed over every
  in-scope group (group-activity's columns summed).

Reads group-activity's rollups, group_member_spans (distinct members of the live
groups: member_key) and member_days (distinct speakers of the as-of date).
"""
from __future__ import annotations

import pandas as pd

from ..reader import Reader
from .base import MetricArgs, metric, ratio
from .community import ALIVE, SILENT, day_end, day_start, opt_int
from .group_activity import group_board

DECLARED = ("groups:count", "group_members:count", "active_members:count", "speaking_ratio:rate",
            "alive_groups:count", "silent_groups:count", "member_messages:count", "wemall_sales:money")
COLUMNS = [c.partition(":")[0] for c in DECLARED]

DISTINCT_SQL = """
WITH live AS (
  SELECT group_id FROM groups
  WHERE created_at < $day_end AND (dissolved_at IS NULL OR dissolved_at > $day_start)
)
SELECT
  (SELECT count(DISTINCT member_key) FROM group_member_spans
    WHERE group_id IN (SELECT group_id FROM live) AND first_day <= $day AND last_day >= $day) AS group_members,
  (SELECT count(DISTINCT member_key) FROM member_days WHERE day = $day) AS active_members
"""


@metric("community-overview", DECLARED, grain="one row for the view", options={**ALIVE, **SILENT})
def community_overview(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Groups, members, speakers, alive and silent groups on the as-of date;
    member messages and group WeMall sales over the period."""
    board = group_board(reader, args)
    live = board[board["existing"]]
    d = reader.query(DISTINCT_SQL, {"day_start": day_start(args.as_of), "day_end": day_end(args.as_of),
                                    "day": args.as_of}).iloc[0]
    alive = int((live["active_members"] >= opt_int(args, "alive_members", 10)).sum())
    row = {"groups": len(live), "group_members": int(d["group_members"]), "active_members": int(d["active_members"]),
           "speaking_ratio": ratio(d["active_members"], d["group_members"]), "alive_groups": alive,
           "silent_groups": int(live["silent"].sum()), "member_messages": int(board["member_messages"].sum()),
           "wemall_sales": float(board["wemall_sales"].sum())}
    return pd.DataFrame([row], columns=COLUMNS)
