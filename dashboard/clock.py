"""China time (SPEC.md: every timestamp is local Asia/Shanghai, stored without zone).
A leaf module: the loader, auth, ops and metrics all ask it for "now"."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """Local China time, without zone (as stored)."""
    return datetime.now(CHINA).replace(tzinfo=None)


def today() -> date:
    return datetime.now(CHINA).date()
