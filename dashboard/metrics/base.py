"""The metric registry: one named metric per module, each a function
`(reader, args) -> DataFrame` whose declared columns (name, kind, label; see
dashboard/columns.py) are the CLI contract and drive every table and export.

Options: a metric's knobs (`--k`, `--window`...). An option bound to a setting
(`Option(int, 3, "...", setting="share_k")`) takes the value an admin set
(dashboard/settings.py) unless the caller overrides it; `resolved_options`
fills them in one place for the app, the CLI and the bench, so a cached result
is keyed by the values in force."""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

import numpy as np
import pandas as pd

from .. import single_flight
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
    maximum: float | None = None

    def check(self, metric: str, name: str, value):
        """`value` as this option's type, or ValueError saying what is allowed
        (from `choices`, `minimum`, `maximum`): every caller validates alike."""
        if value is None:
            return None
        flag = f"metric {metric}: --{name.replace('_', '-')}"
        try:
            typed = value if isinstance(self.type, type) and isinstance(value, self.type) else self.type(value)
        except (TypeError, ValueError):
            raise ValueError(f"{flag} {value!r} is not a {getattr(self.type, '__name__', self.type)}") from None
        if self.choices and typed not in self.choices:
            raise ValueError(f"{flag} must be one of {', '.join(map(str, self.choices))} (got {value})")
        if self.minimum is not None and typed < self.minimum:
            raise ValueError(f"{flag} must be at least {self.minimum:g} (got {value})")
        if self.maximum is not None and typed > self.maximum:
            raise ValueError(f"{flag} must be at most {self.maximum:g} (got {value})")
        return typed


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
    # Reads args.as_of only, never args.period (the morning check, the month's
    # targets): the app keys its cache on the as-of day alone, so changing the
    # period does not recompute it (tests/metrics/test_as_of_only.py checks it).
    as_of_only: bool = False

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


# Clear functions of in-process memos metrics keep between calls (keyed by
# version, scope and filters, so never stale): the bench empties them before
# each timed run, so it times the computation, not the memo.
MEMOS: list[Callable[[], None]] = []


def clear_memos() -> None:
    for clear in MEMOS:
        clear()


class Memo:
    """Frames that several metrics of one page share, so one query answers
    them all: keyed by the reader's file, database version, scope and filters
    plus the caller's key (never stale), bounded (least recently used out
    first), registered in MEMOS; callers get a copy. One computation per key
    at a time: a second caller waits for the first's frame."""

    def __init__(self, size: int = 32):
        self.size = size
        self._items: "OrderedDict[tuple, pd.DataFrame]" = OrderedDict()
        self._lock = threading.Lock()
        self._running: dict[tuple, threading.Event] = {}  # keys being computed now
        MEMOS.append(self.clear)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    @staticmethod
    def _full_key(reader: Reader, key: tuple) -> tuple:
        db = reader.db
        version = getattr(db, "version", None)
        return (str(getattr(db, "path", id(db))), str(version() if callable(version) else version),
                reader.scope.key(), reader.filters.key(), *key)

    def peek(self, reader: Reader, key: tuple) -> pd.DataFrame | None:
        """The frame held for `key` (a copy), or None: nothing is computed."""
        with self._lock:
            hit = self._items.get(self._full_key(reader, key))
        return None if hit is None else hit.copy()

    def get(self, reader: Reader, key: tuple, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        full = self._full_key(reader, key)
        def lookup():  # the stored frame itself: never changed, copied once below
            hit = self._items.get(full)
            if hit is not None:
                self._items.move_to_end(full)
            return hit

        def store(df: pd.DataFrame) -> None:
            with self._lock:
                self._items[full] = df
                while len(self._items) > self.size:
                    self._items.popitem(last=False)

        return single_flight.get_or_compute(self._lock, self._running, full, lookup, compute, store).copy()


def metric(name: str, columns, grain: str, options: dict | None = None, as_of_only: bool = False):
    """Register `func` as metric `name`. `columns`: Col declarations or
    "name:kind" strings (see dashboard/columns.py), in output order.
    `as_of_only`: the metric reads args.as_of, never args.period."""
    declared = cols(*columns)
    declare(declared)

    def register(func):
        if name in METRICS and METRICS[name].func is not func:
            raise ValueError(f"metric {name!r} registered twice")
        METRICS[name] = Metric(name, func, declared, grain, (func.__doc__ or "").strip(),
                               {k: _option(v) for k, v in (options or {}).items()}, as_of_only)
        return func
    return register


def resolved_options(m: Metric, overrides: dict | None = None, settings: dict | None = None) -> tuple:
    """Every option of `m` with the value in force: the caller's override, else
    the bound setting's current value (`settings`, from dashboard.settings), else
    the option's default, each checked against the option's choices and bounds
    (ValueError). Plain, sorted, hashable: part of every cache key."""
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
        values[key] = opt.check(m.name, key, values[key])
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


def ratios(num: pd.Series, den: pd.Series) -> np.ndarray:
    """ratio() row by row, vectorised (the same IEEE divisions): NaN (shown
    empty) where either is missing or den is 0."""
    n = num.to_numpy(dtype=float, na_value=np.nan)
    d = den.to_numpy(dtype=float, na_value=np.nan)
    out = np.full(len(n), np.nan)
    ok = ~np.isnan(n) & ~np.isnan(d) & (d != 0)
    out[ok] = n[ok] / d[ok]
    return out


def days_from(values: pd.Series, start: date) -> np.ndarray:
    """Whole days from `start` to each date or timestamp of `values` (floats:
    NaN where missing), as pd.to_datetime(values) - start would give them, but
    in numpy: to_datetime's cache check makes a Timestamp of every value first
    (~10 ms for 7,000 guides' hire days, on every page that reads them)."""
    days = values.to_numpy(dtype="datetime64[D]")
    out = (days - np.datetime64(start, "D")).astype("float64")
    out[np.isnat(days)] = np.nan
    return out
