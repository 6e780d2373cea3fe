"""morning-digest — 昨日要点, the as-of day's narrative for the user's scope.

Grain: one row per line of the narrative (dashboard/digest.py holds the rules):
section (summary, movers, anomalies, targets, community, negative, lives), line
(the template's message key), params (the line's values as JSON: names as plain
text, money in CNY, rates as fractions) and text (the line in Chinese). Every
number in it comes from another registered metric (morning-summary,
morning-stores, anomalies, target-summary, morning-behind-pace, and the
community / negative-message / live metrics when they exist), read through the
same scope. Its options are the settings those metrics use, by setting name.
"""
from __future__ import annotations

import pandas as pd

from ..reader import Reader
from .base import MetricArgs, Option, metric

DECLARED = ("section", "line", "params", "text")


@metric("morning-digest", DECLARED, grain="one row per line of the as-of day's narrative",
        options={"anomaly_threshold": Option(float, 3.5, "robust z that flags an anomaly", setting="anomaly_threshold"),
                 "anomaly_weeks": Option(int, 8, "weeks of same weekdays in an anomaly baseline",
                                         setting="anomaly_weeks"),
                 "fall_places": Option(int, 5, "rank places a store must fall to need attention",
                                       setting="fall_places", minimum=1),
                 "silent_days": Option(int, 14, "days without member messages that make a group silent",
                                       setting="silent_days"),
                 "reply_window_minutes": Option(int, 30, "minutes within which staff should reply",
                                                setting="reply_window_minutes"),
                 "alive_members": Option(int, 10, "active members that make a group alive",
                                         setting="alive_members")}, as_of_only=True)
def morning_digest(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """The 昨日要点 lines for the as-of day (reads args.as_of)."""
    from .. import digest
    return digest.to_rows(digest.build(reader, args.as_of, dict(args.options)))
