"""Shared state of one demo build: the calendar, seasonality and random streams.

Times inside the generator are int64 seconds since the first day's midnight
(negative before it), days are int day indices; both become TIMESTAMP/DATE only
when written. Each part draws from its own named random stream, so a change in
one part's draws never reshuffles another part.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

DAY = 86_400
HOUR = 3_600


def months_before(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    m += 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(y, m, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass
class Context:
    seed: int
    scale: float
    end: date
    # A shard of a big build (see dashboard/demo/__init__.py): its own random
    # streams and, instead of store_count(scale), this many stores.
    shard: int | None = None
    stores: int | None = None
    start: date = field(init=False)
    n_days: int = field(init=False)
    day_weight: np.ndarray = field(init=False)
    weekday: np.ndarray = field(init=False)

    def __post_init__(self):
        if not self.scale > 0:
            raise ValueError(f"scale must be > 0, got {self.scale}")
        # 13 months ending at end (inclusive): a full year before it for 同比 plus a month.
        self.start = months_before(self.end, 13) + timedelta(days=1)
        self.n_days = (self.end - self.start).days + 1
        self.weekday = (np.arange(self.n_days) + self.start.weekday()) % 7
        self.day_weight = self._seasonality()

    # ---- random streams -------------------------------------------------
    def rng(self, name: str) -> np.random.Generator:
        key = [self.seed, zlib.crc32(name.encode())]
        if self.shard is not None:
            key += [0x5348_4152, self.shard]  # "SHAR", then the shard index
        return np.random.default_rng(np.random.SeedSequence(key))

    # ---- calendar -------------------------------------------------------
    def day_of(self, d: date) -> int:
        return (d - self.start).days

    def date_of(self, day: int) -> date:
        return self.start + timedelta(days=int(day))

    @property
    def end_seconds(self) -> int:
        """Last second of the last day (orders run up to 23:59:59 of end)."""
        return self.n_days * DAY - 1

    def timestamps(self, seconds: np.ndarray) -> np.ndarray:
        base = np.datetime64(self.start.isoformat(), "s")
        return (base + np.asarray(seconds, dtype="int64").astype("timedelta64[s]")).astype("datetime64[us]")

    def dates(self, days: np.ndarray) -> np.ndarray:
        base = np.datetime64(self.start.isoformat(), "D")
        return base + np.asarray(days, dtype="int64").astype("timedelta64[D]")

    def _seasonality(self) -> np.ndarray:
        """Relative demand per day (mean about 1): weekends up, Double 11 and 618
        spikes with the days before them, a winter lift for apparel and ~18%
        year-over-year growth."""
        n = self.n_days
        w = np.ones(n)
        w[self.weekday == 4] = 1.08
        w[self.weekday == 5] = 1.38
        w[self.weekday == 6] = 1.30
        years_before_end = (np.arange(n) - (n - 1)) / 365.0
        w *= 1.22 ** years_before_end
        months = np.array([(self.start + timedelta(days=i)).month for i in range(n)])
        w *= 1 + 0.08 * np.cos(2 * np.pi * (months - 12) / 12)
        for year in range(self.start.year, self.end.year + 1):
            for day, factor in self._events(year).items():
                i = (day - self.start).days
                if 0 <= i < n:
                    w[i] *= factor
        return w / w.mean()

    @staticmethod
    def _events(year: int) -> dict[date, float]:
        ev = {}
        for k in range(1, 11):  # 双11 pre-sale build-up
            ev[date(year, 11, k)] = 1.15 + 0.06 * k
        ev[date(year, 11, 11)] = 4.5
        ev[date(year, 11, 12)] = 1.4
        for k in range(10, 18):  # 618
            ev[date(year, 6, k)] = 1.2
        ev[date(year, 6, 18)] = 2.2
        ev[date(year, 12, 12)] = 1.6
        ev[date(year, 3, 8)] = 1.5  # 女神节
        return ev

    def off_or_in_hours(self, rng, n: int, open_s: np.ndarray, close_s: np.ndarray,
                        off_share: float) -> np.ndarray:
        """Times of day (seconds): a share `off_share` outside the store's
        [open, close), the rest inside it."""
        inside = open_s + rng.random(n) * (close_s - open_s)
        late = close_s + rng.random(n) * (DAY - 1 - close_s)      # after closing, up to midnight
        early = 7 * HOUR + rng.random(n) * (open_s - 7 * HOUR)      # morning before opening
        night = rng.random(n) * 2 * HOUR                            # small hours
        which = rng.random(n)
        off = np.where(which < 0.7, late, np.where(which < 0.95, early, night))
        return np.where(rng.random(n) < off_share, off, inside).astype("int64")


class TimedPool:
    """Uniform choice, per group, among entities that exist by a given time:
    e.g. members bound to a guide who had joined before an order."""

    OFFSET = 1 << 31  # times may be negative (before the period)

    def __init__(self, group: np.ndarray, time: np.ndarray):
        group = np.asarray(group, dtype="int64")
        time = np.asarray(time, dtype="int64")
        keep = group >= 0
        idx = np.nonzero(keep)[0]
        order = np.lexsort((time[idx], group[idx]))
        self.entity = idx[order]
        self.keys = group[self.entity] * (1 << 33) + time[self.entity] + self.OFFSET

    def pick(self, rng, group: np.ndarray, t: np.ndarray) -> np.ndarray:
        group = np.asarray(group, dtype="int64")
        base = np.maximum(group, 0) * (1 << 33)
        lo = np.searchsorted(self.keys, base)
        hi = np.searchsorted(self.keys, base + np.asarray(t, dtype="int64") + self.OFFSET, side="right")
        cnt = hi - lo
        pos = lo + (rng.random(len(group)) * cnt).astype("int64")
        out = np.full(len(group), -1, dtype="int64")
        ok = (cnt > 0) & (group >= 0)
        out[ok] = self.entity[pos[ok]]
        return out


class GroupedChoice:
    """Weighted choice of an entity within its group (a guide of a store...)."""

    def __init__(self, group: np.ndarray, weight: np.ndarray, n_groups: int):
        group = np.asarray(group, dtype="int64")
        order = np.argsort(group, kind="stable")
        self.entity = order
        w = np.asarray(weight, dtype="float64")[order]
        self.cum = np.cumsum(w)
        g = group[order]
        first = np.searchsorted(g, np.arange(n_groups))
        last = np.searchsorted(g, np.arange(n_groups), side="right")
        before = np.concatenate([[0.0], self.cum])
        self.lo, self.hi = first, last
        self.base = before[first]
        self.total = before[last] - before[first]

    def pick(self, rng, group: np.ndarray) -> np.ndarray:
        group = np.asarray(group, dtype="int64")
        target = self.base[group] + rng.random(len(group)) * self.total[group]
        pos = np.searchsorted(self.cum, target, side="right")
        pos = np.clip(pos, self.lo[group], np.maximum(self.hi[group] - 1, self.lo[group]))
        out = self.entity[np.minimum(pos, len(self.entity) - 1)]
        return np.where(self.total[group] > 0, out, -1)


def weighted_index(rng, weight: np.ndarray, n: int) -> np.ndarray:
    cum = np.cumsum(np.asarray(weight, dtype="float64"))
    return np.minimum(np.searchsorted(cum, rng.random(n) * cum[-1], side="right"), len(cum) - 1)
