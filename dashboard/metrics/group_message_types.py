"""group-message-types — what a group's messages are: text, images, links,
mini-program cards, solitaire (接龙) and other, by sender type.

Grain: one row per msg_type of the contract (text, image, link, miniprogram,
solitaire, other; all six, zero included) over the period, for the in-scope
groups (with --group, that group only; outside the scope: zeros).
messages = member_messages + staff_messages + bot_messages.

Reads the group_types rollup (day × group × msg_type, by sender type).
"""
from __future__ import annotations

import pandas as pd

from ..reader import Reader
from ..schema import ENUMS
from .base import MetricArgs, metric
from .community import GROUP
from .group_daily import group_param

DECLARED = ("msg_type", "messages:count", "member_messages:count", "staff_messages:count", "bot_messages:count")
COLUMNS = [c.partition(":")[0] for c in DECLARED]
TYPES = ENUMS[("group_messages", "msg_type")]

SQL = """
SELECT msg_type,
       CAST(sum(messages) AS BIGINT) AS messages,
       CAST(sum(member_messages) AS BIGINT) AS member_messages,
       CAST(sum(staff_messages) AS BIGINT) AS staff_messages,
       CAST(sum(bot_messages) AS BIGINT) AS bot_messages
FROM group_types
WHERE day >= $first_day AND day <= $last_day AND ($group IS NULL OR group_id = $group)
GROUP BY msg_type
"""


@metric("group-message-types", DECLARED, grain="one row per message type", options=GROUP)
def group_message_types(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Messages of the period by type (incl. 接龙 solitaire) and sender type."""
    df = reader.query(SQL, {"first_day": args.period.start, "last_day": args.period.end,
                            "group": group_param(args)})
    out = pd.DataFrame({"msg_type": list(TYPES)}).merge(df, on="msg_type", how="left")
    for c in COLUMNS[1:]:
        out[c] = out[c].fillna(0).astype("int64")
    return out[COLUMNS]
