"""negative-messages — member messages judged negative, and whether staff answered in time.

Grain: one row per in-scope group message sent in the period with sender_type
= member and a text that dashboard/sentiment.py judges negative. Rows ordered
unanswered first (replied_within_30m false), then newest first, then message_id.

SPEC.md: "Negative-sentiment alerts: member messages judged negative
(complaint, slow delivery, fake goods, refund trouble…) with group, time, text,
and whether staff replied within 30 minutes."

Readings:
- Judged by our offline lexicon classifier (dashboard/sentiment.py: negation,
  degree words, questions, contrast, sarcasm cues, emoji, mixed English);
  category ∈ fake_goods, refund_trouble, slow_delivery, quality, service,
  complaint, other_negative. Staff and bot messages are never alerts.
- Speed: the rollup negative_candidates (dashboard/rollups/community.py) holds,
  from every publish, the member messages whose text matches
  sentiment.PREFILTER (every negative cue, one RE2 pattern) with their first
  staff reply; Python judges the period's distinct candidate texts
  (sentiment.classify, cached) and only the negative ones' rows are read.
- replied_within_30m: a staff message (sender_type = staff; bots do not count)
  in the same group whose reply_to is this message, sent at or after it and at
  most reply_window_minutes (30) later (exactly 30:00 counts). A staff message
  that does not quote it (a broadcast that happens to follow) is no reply.
  replied_at: the first such staff reply at any time (empty if none);
  reply_minutes: minutes from the message to it.
- text: the message as stored. It is untrusted: pages show it as plain text.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import sentiment
from ..reader import Reader
from .base import Memo, MetricArgs, metric
from .community import REPLY, opt_int

DECLARED = ("message_id", "group_id", "sent_at:datetime", "text", "category", "replied_within_30m:flag",
            "group_name", "store_id", "member_id", "replied_at:datetime", "reply_minutes:number")
COLUMNS = [c.partition(":")[0] for c in DECLARED]

# The prefilter's candidates and their first staff reply come from the
# negative_candidates rollup (built at publish time with the same pattern);
# `day` bounds the rows read, sent_at keeps the exact [start, end). First the
# period's distinct candidate texts are judged (sentiment.classify, each text
# once), then only the rows of the negative ones are read (text_key: the
# rollup's number for a text, bound as a list like the scope's filters).
WHERE = """
WHERE c.day >= CAST($start AS DATE) AND c.day <= CAST($end AS DATE) AND c.sent_at >= $start AND c.sent_at < $end
"""

TEXTS_SQL = f"""
SELECT DISTINCT c.text_key, c.text
FROM negative_candidates c
{WHERE}"""

SQL = f"""
SELECT c.message_id, c.group_id, c.sent_at, c.text_key, c.sender_id AS member_id, g.group_name, g.store_id,
       c.replied_at
FROM negative_candidates c
JOIN groups g ON g.group_id = c.group_id
{WHERE}  AND list_contains($negative_keys, c.text_key)
"""


# The morning check asks for the as-of day's rows twice: its community panel
# (morning-community) and its digest (negative-messages for the day). Few
# entries: a long period's rows are the result cache's to keep.
_FRAMES = Memo(size=8)


def negative_frame(reader: Reader, start, end, window_minutes: int) -> pd.DataFrame:
    """Negative member messages sent in [start, end) with their staff reply."""
    return _FRAMES.get(reader, ("negative", start, end, window_minutes),
                       lambda: _negative_frame(reader, start, end, window_minutes))


def _negative_frame(reader: Reader, start, end, window_minutes: int) -> pd.DataFrame:
    texts = reader.query(TEXTS_SQL, {"start": start, "end": end})
    verdicts = {int(k): sentiment.classify(t) for k, t in zip(texts["text_key"], texts["text"])}
    negative = {k: v for k, v in verdicts.items() if v.negative}
    text_of = dict(zip(texts["text_key"].astype("int64"), texts["text"]))
    df = reader.query(SQL, {"start": start, "end": end, "negative_keys": sorted(negative)})
    keys = df.pop("text_key").astype("int64")
    df.insert(3, "text", keys.map(text_of).astype(object))
    df["category"] = [negative[k].category for k in keys]
    delay = (df["replied_at"] - df["sent_at"]).dt.total_seconds() / 60.0
    df["reply_minutes"] = delay.astype("float64")
    df["replied_within_30m"] = (delay <= window_minutes).fillna(False).astype(bool)
    df = df.sort_values(["replied_within_30m", "sent_at", "message_id"], ascending=[True, False, True],
                        kind="stable").reset_index(drop=True)
    return df[COLUMNS]


@metric("negative-messages", DECLARED, grain="one row per negative in-scope member message sent in the period",
        options=REPLY)
def negative_messages(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Member messages of the period judged negative (category), with whether
    staff replied within reply_window_minutes; unanswered first."""
    return negative_frame(reader, args.period.start_ts, args.period.end_ts,
                          opt_int(args, "reply_window_minutes", 30))

