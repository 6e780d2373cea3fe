"""live-guides — guides ranked by the members they invited who watched the
live, and what those members bought (`--live ID`, else every in-scope live that
started in the period).

Grain: one row per in-scope guide who invited a member to the chosen live(s).
Readings: see live_inviters (invitation pairs, what watched invitees bought).
SPEC.md: "Invite-watch rate: invited members who watched (a live_views row for
the same live) / invited members, per guide and store."
"""
from __future__ import annotations

import pandas as pd

from dashboard.reader import Reader
from .base import MetricArgs, metric
from .live_base import LIVE_OPTION, selection
from .live_inviters import VALUES, inviters

DECLARED = ("guide_id", "guide_name", "store_id", "store_name", *VALUES)
COLUMNS = [c.partition(":")[0] for c in DECLARED]


@metric("live-guides", DECLARED, grain="one row per in-scope guide who invited members to the chosen live(s)",
        options={"live": LIVE_OPTION})
def live_guides(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Guides by invited members who watched, with the invite-watch rate and the
    watched invitees' live and tail purchases of that live."""
    where, params = selection(args)
    return inviters(reader, where, params, "guide", COLUMNS)
