"""The metric registry: one named metric per module, each a function
`(reader, args) -> DataFrame` whose columns are the CLI contract."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable
from zoneinfo import ZoneInfo

import pandas as pd

from ..period import Period
from ..reader import Reader

CHINA = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class MetricArgs:
    """Everything a metric needs besides the reader: plain, hashable values."""
    period: Period
    as_of: date
    options: tuple[tuple[str, Any], ...] = ()

    def opt(self, name: str, default=None):
        return dict(self.options).get(name, default)


@dataclass(frozen=True)
class Metric:
    name: str
    func: Callable[[Reader, MetricArgs], pd.DataFrame]
    columns: tuple[str, ...]
    grain: str
    doc: str = ""
    options: dict = field(default_factory=dict)  # option name -> (type, default, help)

    def __call__(self, reader: Reader, args: MetricArgs) -> pd.DataFrame:
        df = self.func(reader, args)
        missing = [c for c in self.columns if c not in df.columns]
        if missing:
            raise AssertionError(f"metric {self.name} lost its contract columns {missing}")
        return df


METRICS: dict[str, Metric] = {}


def metric(name: str, columns, grain: str, options: dict | None = None):
    def register(func):
        METRICS[name] = Metric(name, func, tuple(columns), grain, (func.__doc__ or "").strip(), options or {})
        return func
    return register


def period_params(period: Period, prefix: str = "") -> dict:
    return {f"{prefix}start": period.start_ts, f"{prefix}end": period.end_ts}


def growth(current, base):
    """(current - base) / base; None when base is 0 or missing (SPEC: empty when undefined)."""
    if base is None or pd.isna(base) or base == 0 or current is None or pd.isna(current):
        return None
    return (float(current) - float(base)) / float(base)


def ratio(num, den):
    if den is None or pd.isna(den) or den == 0 or num is None or pd.isna(num):
        return None
    return float(num) / float(den)


def latest_complete_day(reader: Reader, today: date | None = None) -> date | None:
    """SPEC: pages open on the latest complete day in the data. The last order's
    day counts as complete unless it is today (China time) or later, when the
    day before is the latest complete one.

    Taken over all the data, not the user's scope: a store that sold nothing
    yesterday must see yesterday (and its zero), not its own last sale day. A
    date reveals nothing of another region's numbers."""
    from ..scope import Scope
    everything = Reader(reader.db, Scope.everything())
    last = everything.scalar("SELECT max(ordered_at)::DATE FROM orders")
    if last is None or pd.isna(last):
        return None
    last = pd.Timestamp(last).date()
    today = today or datetime.now(CHINA).date()
    return min(last, today - timedelta(days=1))
