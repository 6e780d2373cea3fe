"""morning-community — the morning check's community items on the as-of date
("yesterday"): groups that went silent or fell below the alive line that day,
and the day's negative member messages staff did not answer in time.

Grain: one row per item; reasons went_silent, below_alive (community-changes
for the as-of date alone) and unanswered_negative (negative-messages of the
as-of date with replied_within_30m false). Rows ordered by reason
(unanswered_negative first), then as each source orders them.
Reads args.as_of, never args.period.

Reads what community-changes and negative-messages read (their rollups).
"""
from __future__ import annotations

import pandas as pd

from ..period import Period
from ..reader import Reader
from .base import MetricArgs, metric
from .community import ALIVE, REPLY, SILENT, day_end, day_start, opt_int
from .community_changes import changes
from .negative_messages import negative_frame

DECLARED = ("reason", "group_id", "group_name", "store_id", "day:date", "active_members:count",
            "prev_active_members:count", "message_id", "sent_at:datetime", "text", "category")
COLUMNS = [c.partition(":")[0] for c in DECLARED]
ORDER = {"unanswered_negative": 0, "went_silent": 1, "below_alive": 2}


@metric("morning-community", DECLARED, grain="one row per community item needing attention on the as-of date",
        options={**ALIVE, **SILENT, **REPLY},
        as_of_only=True)
def morning_community(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """What the community needs from a manager this morning."""
    day = args.as_of
    ch = changes(reader, Period(day, day), opt_int(args, "alive_members", 10), opt_int(args, "silent_days", 14))
    neg = negative_frame(reader, day_start(day), day_end(day), opt_int(args, "reply_window_minutes", 30))
    neg = neg[~neg["replied_within_30m"]].assign(reason="unanswered_negative", day=day)
    rows = [r for f in (neg, ch) for r in f.reindex(columns=COLUMNS).to_dict("records")]
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["order"] = out["reason"].map(ORDER)
    out = out.sort_values("order", kind="stable").drop(columns="order").reset_index(drop=True)
    return out.astype({"active_members": "Int64", "prev_active_members": "Int64"})[COLUMNS]
