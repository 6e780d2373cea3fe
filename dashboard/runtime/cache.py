"""Cached results for the app: metric results and filter options.

Metric results live in one process-wide `ResultCache`, bounded by total size
(bytes of the frames held), by number of entries and by age, least recently
used out first: a stream of distinct periods or filters cannot grow memory
without bound (issue 20). Keys are plain tuples — database version, scope,
every declared filter dimension (`Filters.values()`), metric, period, as-of and
the option values in force — so no two scopes ever share a result and a new
filter dimension cannot drop out of the key.

Filter options come from `filter_options(scope, chosen)`, a cached function of
plain values: the filter bar gets values, never a Reader, and the five option
queries run once per (version, scope, choices). Its answer is immutable (frozen
dataclasses of tuples), so it is held as it is (st.cache_resource): a rerun
no longer unpickles a copy of every option list (~7 ms for HQ's 6,800 guides)."""
from __future__ import annotations

import hashlib
import sys
import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Hashable

from datetime import date

import pandas as pd
import streamlit as st

from .. import settings, single_flight
from ..asof import latest_complete_day
from .. import clock
from ..filter_options import FilterOptions, resolve
from ..metrics import METRICS, MetricArgs, resolved_options
from ..period import Period
from ..reader import Reader
from ..scope import Filters, Scope
from .database import handle, pinned
from .view import SETTINGS_RUN, View, current_view

RESULT_MAX_BYTES = 256 * 1024 * 1024
RESULT_MAX_ENTRIES = 512
RESULT_TTL_SECONDS = 3600


# Object columns (text) are sized from a sample of their cells: pandas' deep
# count reads every string (~7 ms for HQ's 6,800-guide tables, on every
# computed result); a byte bound needs an estimate, not an audit.
SIZE_SAMPLE = 64


def frame_bytes(df: pd.DataFrame) -> int:
    """About the bytes `df` holds: its arrays, and its text cells estimated
    from an even sample of at most SIZE_SAMPLE per column."""
    total = int(df.memory_usage(index=True, deep=False).sum())
    n = len(df)
    if not n:
        return total
    step = max(1, n // SIZE_SAMPLE)
    for _, column in df.items():
        if column.dtype == object:
            sample = column.iloc[::step]
            total += int(sum(sys.getsizeof(v) for v in sample) * n / len(sample))
    return total


class ResultCache:
    """A thread-safe LRU of DataFrames bounded by bytes, entries and age.
    Callers get a copy, so a page changing its frame never changes the cache."""

    def __init__(self, max_bytes: int = RESULT_MAX_BYTES, max_entries: int = RESULT_MAX_ENTRIES,
                 ttl: float = RESULT_TTL_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.max_bytes, self.max_entries, self.ttl, self._clock = max_bytes, max_entries, ttl, clock
        self._lock = threading.Lock()
        self._items: OrderedDict[Hashable, tuple[float, int, pd.DataFrame]] = OrderedDict()
        self._running: dict[Hashable, threading.Event] = {}  # keys being computed now
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key) -> bool:
        with self._lock:
            item = self._items.get(key)
            return item is not None and item[0] > self._clock()

    def get_or_compute(self, key: Hashable, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """The cached frame of `key`, else `compute()`'s, stored. One computation
        per key at a time: sessions asking for the same view meanwhile (a
        meeting opening the same link, every manager's 9 o'clock check) wait
        for it instead of running the same queries side by side."""
        def lookup():  # the stored frame itself: never changed, copied once below
            item = self._items.get(key)
            if item is not None and item[0] > self._clock():
                self._items.move_to_end(key)
                return item[2]
            return None

        return single_flight.get_or_compute(self._lock, self._running, key, lookup, compute,
                                            lambda frame: self._store(key, frame)).copy()

    def _store(self, key: Hashable, df: pd.DataFrame) -> None:
        size = frame_bytes(df)
        with self._lock:
            self._drop(key)
            if size <= self.max_bytes:
                self._items[key] = (self._clock() + self.ttl, size, df)
                self.bytes += size
            now = self._clock()
            for k in [k for k, (expires, _, _) in self._items.items() if expires <= now]:
                self._drop(k)
            while self._items and (self.bytes > self.max_bytes or len(self._items) > self.max_entries):
                self._drop(next(iter(self._items)))

    def _drop(self, key) -> None:
        item = self._items.pop(key, None)
        if item is not None:
            self.bytes -= item[1]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.bytes = 0


RESULTS = ResultCache()


def fingerprint(df: pd.DataFrame) -> tuple:
    """A digest of a frame's labels, dtypes and cells (pandas' own row hashes:
    None and "None" differ, floats by their bits); raises TypeError for cells
    pandas cannot hash (lists, dicts)."""
    rows = pd.util.hash_pandas_object(df, index=False).to_numpy()
    digest = hashlib.blake2b(rows.tobytes(), digest_size=16).hexdigest()
    return tuple(map(str, df.columns)), tuple(map(str, df.dtypes)), len(df), digest


class SizedLRU:
    """(value, size) by key, least recently used out first, bounded by entries
    and bytes: the bookkeeping of DerivedFrames and ViewValues (their callers
    hold their own lock around every call)."""

    def __init__(self, max_bytes: int, max_entries: int):
        self.max_bytes, self.max_entries = max_bytes, max_entries
        self.items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self.bytes = 0

    def peek(self, key: Hashable) -> Any:
        item = self.items.get(key)
        return None if item is None else item[0]

    def touch(self, key: Hashable) -> None:
        self.items.move_to_end(key)

    def put(self, key: Hashable, value: Any, size: int) -> None:
        old = self.items.pop(key, None)
        if old is not None:
            self.bytes -= old[1]
        if size <= self.max_bytes:
            self.items[key] = (value, size)
            self.bytes += size
        while self.items and (self.bytes > self.max_bytes or len(self.items) > self.max_entries):
            self.bytes -= self.items.popitem(last=False)[1][1]

    def clear(self) -> None:
        self.items.clear()
        self.bytes = 0


class DerivedFrames:
    """Values derived from a frame's content (a table formatted for display,
    a table's export files), remembered by that content, least recently used
    out first, bounded by bytes and entries. The fingerprint only finds the
    entry: a hit counts only when the stored source equals the frame
    (DataFrame.equals: the same labels, dtypes and values), so a digest
    collision can never show another table's numbers. Formatting HQ's 5,000
    guides takes about 22 ms a rerun; the fingerprint and the check about 4.
    A derived frame is handed out as a copy; bytes (immutable) as they are."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024, max_entries: int = 256):
        self._lock = threading.Lock()
        self._lru = SizedLRU(max_bytes, max_entries)  # key -> ((source, derived), size)

    def __len__(self) -> int:
        return len(self._lru.items)

    @property
    def bytes(self) -> int:
        return self._lru.bytes

    def get(self, source: pd.DataFrame, variant: Hashable, derive: Callable[[], Any]) -> Any:
        """derive()'s value for `source` (and `variant`: the language, say);
        a frame, or a tuple of bytes."""
        try:
            key = (fingerprint(source), variant)
        except TypeError:  # cells pandas cannot hash: derived every time
            return derive()
        with self._lock:
            held = self._lru.peek(key)
            if held is not None and held[0].equals(source):
                self._lru.touch(key)
                return _handed_out(held[1])
        derived = derive()
        size = frame_bytes(source) + _value_bytes(derived)
        with self._lock:
            self._lru.put(key, (source.copy(), _handed_out(derived)), size)
        return derived

    def clear(self) -> None:
        with self._lock:
            self._lru.clear()


def _handed_out(value: Any) -> Any:
    """A frame's copy (callers may change theirs); other values are immutable."""
    return value.copy() if isinstance(value, pd.DataFrame) else value


DISPLAYS = DerivedFrames()
# Export files (XLSX and CSV bytes) of the tables shown, by table content:
# their own bound, so a page's workbooks never push its formatted tables out.
EXPORTS = DerivedFrames(max_bytes=64 * 1024 * 1024, max_entries=128)


# A figure's memory, estimated (its JSON would cost as much to write as the
# figure did to build): the quadrant's 6,900 dots hold about 300 bytes each in
# Python objects (two floats, three hover strings).
FIGURE_BYTES, POINT_BYTES = 64 * 1024, 320


def _value_bytes(value) -> int:
    if isinstance(value, pd.DataFrame):
        return frame_bytes(value)
    if isinstance(value, (tuple, list)):
        return sum(_value_bytes(v) for v in value)
    if hasattr(value, "to_plotly_json"):  # a Plotly figure: its points (arrays and hover texts) and the rest
        return FIGURE_BYTES + POINT_BYTES * sum(len(trace.x) for trace in value.data if trace.x is not None)
    return sys.getsizeof(value)


class ViewValues:
    """Values built only from a view's metric results (the morning check's
    昨日要点 narrative, the community page's KOC tables, the sharing page's
    quadrant chart): kept per (what, file, version, scope, filters, as-of,
    settings in force, and the period for values of period metrics), which is
    everything those results depend on (`what` names the language where the
    value holds text), least recently used out first, bounded by entries and
    bytes. Callers share the value: a frame is copied before it is changed,
    a figure is never changed."""

    def __init__(self, max_entries: int = 256, max_bytes: int = 64 * 1024 * 1024):
        self._lock = threading.Lock()
        self._lru = SizedLRU(max_bytes, max_entries)

    def __len__(self) -> int:
        return len(self._lru.items)

    @property
    def bytes(self) -> int:
        return self._lru.bytes

    def get(self, what: str, view: View, build: Callable[[], Any], by_period: bool = False) -> Any:
        """build()'s value for `what` in this rerun's view and settings (and
        the view's period, `by_period`: a value read from period metrics)."""
        pin = pinned()
        period = (view.period.start, view.period.end) if by_period else None
        return self.get_by_key((what, str(pin.path), pin.version, (view.scope.regions, view.scope.stores),
                                view.filters.values(), view.as_of, period, tuple(sorted(settings_in_force().items()))),
                               build)

    def get_by_key(self, key: Hashable, build: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._lru.items:
                self._lru.touch(key)
                return self._lru.peek(key)
        value = build()
        size = _value_bytes(value)
        with self._lock:
            self._lru.put(key, value, size)
        return value

    def clear(self) -> None:
        with self._lock:
            self._lru.clear()


VIEW_VALUES = ViewValues()


def clear_all() -> None:
    """A new version was published: nothing cached for the old one is kept."""
    RESULTS.clear()
    DISPLAYS.clear()
    EXPORTS.clear()
    VIEW_VALUES.clear()
    st.cache_data.clear()
    _filter_options.clear()


def settings_in_force() -> dict:
    """The admin settings' current values (dashboard.settings), read once per
    rerun: the frame's forget_view drops them at the start of every run."""
    if SETTINGS_RUN not in st.session_state:
        st.session_state[SETTINGS_RUN] = settings.current()
    return st.session_state[SETTINGS_RUN]


def result_key(name: str, view: View, period: Period, options: tuple, version: str, path: str) -> tuple:
    """The cache key of one metric result: plain values only."""
    return (str(path), version, (view.scope.regions, view.scope.stores), view.filters.values(),
            name, period.start, period.end, view.as_of, options)


def run_metric(name: str, view: View | None = None, period: Period | None = None, **options: Any) -> pd.DataFrame:
    """A metric for the view, on this rerun's pinned version, with its options
    resolved (and validated) against the settings in force, so the cache key
    holds the thresholds actually used."""
    view = view or current_view()
    period = period or view.period
    if METRICS[name].as_of_only:  # the period is not read: one cache entry per as-of day
        period = Period(view.as_of, view.as_of)
    pin = pinned()
    resolved = resolved_options(METRICS[name], options, settings_in_force())
    key = result_key(name, view, period, resolved, pin.version, str(pin.path))
    reader = Reader(pin, view.scope, view.filters)
    return RESULTS.get_or_compute(key, lambda: METRICS[name](reader, MetricArgs(period, view.as_of, resolved)))


@st.cache_resource(ttl=RESULT_TTL_SECONDS, max_entries=RESULT_MAX_ENTRIES, show_spinner=False)
def _filter_options(db_path: str, db_version: str, scope: tuple, chosen: tuple) -> tuple[FilterOptions, Filters]:
    reader = Reader(handle(db_path).pinned(db_version), Scope(*scope), Filters())
    return resolve(reader, Filters(*chosen))


def filter_options(scope: Scope, chosen: Filters) -> tuple[FilterOptions, Filters]:
    """The filter bar's options in `scope` given `chosen`, and `chosen` pruned to
    them: plain values, cached by (version, scope, choices)."""
    pin = pinned()
    return _filter_options(str(pin.path), pin.version, (scope.regions, scope.stores), chosen.values())


@st.cache_data(ttl=RESULT_TTL_SECONDS, max_entries=64, show_spinner=False)
def _latest_complete_day(db_path: str, db_version: str, today: date):
    return latest_complete_day(handle(db_path).pinned(db_version), today)


def as_of_default():
    """The latest complete day of this rerun's version (asof.latest_complete_day),
    computed once per version and China day."""
    pin = pinned()
    return _latest_complete_day(str(pin.path), pin.version, clock.today())


def options_for(scope: Scope) -> Callable[[Filters], tuple[FilterOptions, Filters]]:
    """What the filter bar needs for a user: chosen filters -> (options, pruned)."""
    return lambda chosen: filter_options(scope, chosen)
