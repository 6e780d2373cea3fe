"""The metric registry: one named metric per module, each a function
`(reader, args) -> DataFrame` whose declared columns (name, kind, label; see
dashboard/columns.py) are the CLI contract and drive every table and export.

Options: a metric's knobs (`--k`, `--window`...). An option bound to a setting
(`Option(int, 3, "...", setting="share_k")`) takes the value an admin set
(dashboard/settings.py) unless the caller overrides it; `resolved_options`
fills them in one place for the app, the CLI and the bench, so a cached result
is keyed by the values in force."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable

import pandas as pd

from ..clock import CHINA
from ..columns import Col, cols, declare
from ..period import Period
from ..reader import Reader


@dataclass(frozen=True)
class MetricArgs:
    """Everything a metric needs besides the reader: plain, hashable values."""
    period: Period
    as_of: date
    options: tuple[tuple[str, Any], ...] = ()

    def opt(self, name: str, default=None):
        return dict(self.options).get(name, default)


@dataclass(frozen=True)
class Option:
    """A metric's knob. `setting` names the admin setting that supplies its value
    when the caller gives none; `choices` restricts it (CLI and validation)."""
    type: type
    default: Any
    help: str
    setting: str | None = None
    choices: tuple | None = None
    minimum: float | None = None


def _option(spec) -> Option:
    return spec if isinstance(spec, Option) else Option(*spec)


@dataclass(frozen=True)
class Metric:
    name: str
    func: Callable[[Reader, MetricArgs], pd.DataFrame]
    declared: tuple[Col, ...]
    grain: str
    doc: str = ""
    options: dict = field(default_factory=dict)  # option name -> Option

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.declared)

    def __call__(self, reader: Reader, args: MetricArgs) -> pd.DataFrame:
        df = self.func(reader, args)
        missing = [c for c in self.columns if c not in df.columns]
        if missing:
            raise AssertionError(f"metric {self.name} lost its contract columns {missing}")
        return df


METRICS: dict[str, Metric] = {}


def metric(name: str, columns, grain: str, options: dict | None = None):
    """Register `func` as metric `name`. `columns`: Col declarations or
    "name:kind" strings (see dashboard/columns.py), in output order."""
    declared = cols(*columns)
    declare(declared)

    def register(func):
        if name in METRICS and METRICS[name].func is not func:
            raise ValueError(f"metric {name!r} registered twice")
        METRICS[name] = Metric(name, func, declared, grain, (func.__doc__ or "").strip(),
                               {k: _option(v) for k, v in (options or {}).items()})
        return func
    return register


def resolved_options(m: Metric, overrides: dict | None = None, settings: dict | None = None) -> tuple:
    """Every option of `m` with the value in force: the caller's override, else
    the bound setting's current value (`settings`, from dashboard.settings), else
    the option's default. Plain, sorted, hashable: part of every cache key."""
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    unknown = set(overrides) - set(m.options)
    if unknown:
        raise ValueError(f"metric {m.name} has no option {', '.join(sorted(unknown))}")
    values = {}
    for key, opt in m.options.items():
        if key in overrides:
            values[key] = overrides[key]
        elif opt.setting and settings and opt.setting in settings:
            values[key] = settings[opt.setting]
        else:
            values[key] = opt.default
    return tuple(sorted(values.items()))


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
    last = everything.scalar("SELECT max(day) FROM daily_store_sales")
    if last is None or pd.isna(last):
        return None
    last = pd.Timestamp(last).date()
    today = today or datetime.now(CHINA).date()
    return min(last, today - timedelta(days=1))
