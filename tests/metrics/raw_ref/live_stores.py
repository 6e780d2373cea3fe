"""live-stores — stores ranked by the members their guides invited who watched
the live, and what those members bought (`--live ID`, else every in-scope live
that started in the period).

Grain: one row per in-scope store (the inviting guide's guides.store_id) whose
guides invited a member to the chosen live(s). Readings: see live_inviters.
SPEC.md: "Invite-watch rate: invited members who watched (a live_views row for
the same live) / invited members, per guide and store."
"""
from __future__ import annotations

import pandas as pd

from dashboard.reader import Reader
from .base import MetricArgs, metric
from .live_base import LIVE_OPTION, selection
from .live_inviters import VALUES, inviters

DECLARED = ("store_id", "store_name", *VALUES)
COLUMNS = [c.partition(":")[0] for c in DECLARED]


@metric("live-stores", DECLARED, grain="one row per in-scope store whose guides invited members to the chosen live(s)",
        options={"live": LIVE_OPTION})
def live_stores(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Stores by invited members who watched (their guides' invitations), with
    the invite-watch rate and what the watched invitees bought through the live."""
    where, params = selection(args)
    return inviters(reader, where, params, "store", COLUMNS)
