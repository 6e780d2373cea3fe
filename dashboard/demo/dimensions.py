"""Stores and guides: who sells where, and when they are there.

Days are day indices of the Context (0 = first day); a store trades on days
open_day <= d < close_day, and closed_on is its last trading day (close_day - 1),
inclusive like a guide's left_on; a guide is employed on hired_day <= d <=
left_day (left_on inclusive, as roster days in SPEC.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import time

import numpy as np

from . import names
from .context import HOUR, Context

NEVER = 1 << 30  # a day index after any period
ROLES = ("guide", "store_manager", "community_operator")
GUIDE, MANAGER, OPERATOR = 0, 1, 2

CITIES = [(region, prov, city, size) for region, rows in names.REGIONS.items() for prov, city, size in rows]
CITY_NAMES = [c[2] for c in CITIES]
BRAND_NAMES = list(names.BRANDS)


@dataclass
class Stores:
    n: int
    name: list
    brand: np.ndarray       # index into BRAND_NAMES
    city: np.ndarray        # index into CITIES
    open_day: np.ndarray
    close_day: np.ndarray   # NEVER when still open
    open_s: np.ndarray      # seconds of day
    close_s: np.ndarray
    weight: np.ndarray      # relative trade

    def is_open(self, store: np.ndarray, day: np.ndarray) -> np.ndarray:
        return (self.open_day[store] <= day) & (day < self.close_day[store])


@dataclass
class Guides:
    n: int
    store: np.ndarray
    role: np.ndarray
    hired_day: np.ndarray
    left_day: np.ndarray    # NEVER when still employed
    name: list
    power: np.ndarray       # selling power: a few guides sell most (heavy tail)
    diligence: np.ndarray   # chance of meeting the daily share target

    def active(self, guide: np.ndarray, day: np.ndarray, stores: Stores) -> np.ndarray:
        """Employed and their store trading on that day."""
        g = np.asarray(guide)
        ok = g >= 0
        gg = np.where(ok, g, 0)
        return ok & (self.hired_day[gg] <= day) & (day <= self.left_day[gg]) & stores.is_open(self.store[gg], day)


def store_count(scale: float) -> int:
    # Stores grow slower than sales: bigger brands mostly have busier stores.
    return max(14, int(round(200 * scale ** 0.5)))


def make_stores(ctx: Context, used: set | None = None) -> Stores:
    """`used`: store names taken already (by earlier shards); extended here."""
    rng = ctx.rng("stores")
    n = store_count(ctx.scale) if ctx.stores is None else ctx.stores
    regions = list(names.REGIONS)
    reg_w = np.array([names.REGION_WEIGHTS[r] for r in regions])
    region = np.concatenate([np.arange(len(regions)), rng.choice(len(regions), n - len(regions), p=reg_w / reg_w.sum())])
    city = np.empty(n, dtype="int64")
    for r, reg in enumerate(regions):
        idx = np.nonzero(region == r)[0]
        cand = [i for i, c in enumerate(CITIES) if c[0] == reg]
        w = np.array([CITIES[i][3] for i in cand])
        city[idx] = np.array(cand)[rng.choice(len(cand), len(idx), p=w / w.sum())]
    bw = np.array(names.BRAND_WEIGHTS)
    brand = np.concatenate([np.arange(3), rng.choice(3, n - 3, p=bw / bw.sum())])
    size = np.array([CITIES[c][3] for c in city])
    weight = rng.lognormal(0, 0.45, n) * (0.6 + 0.2 * size)

    open_day = -rng.integers(200, 3600, n)
    close_day = np.full(n, NEVER, dtype="int64")
    # One store (more at bigger scales) opens inside the period, one closes; taken
    # from the end of the list so every region keeps its first stores.
    n_new = max(1, int(round(0.02 * n)))
    n_closing = max(1, int(round(0.01 * n)))
    new = np.arange(n - n_new, n)
    closing = np.arange(n - n_new - n_closing, n - n_new)
    open_day[new] = rng.integers(60, max(61, ctx.n_days - 100), n_new)
    weight[new] *= 0.7
    close_day[closing] = rng.integers(120, max(121, ctx.n_days - 60), n_closing)

    open_s = rng.choice([9 * HOUR + 1800, 10 * HOUR, 10 * HOUR, 10 * HOUR, 10 * HOUR + 1800], n)
    close_s = rng.choice([21 * HOUR + 1800, 22 * HOUR, 22 * HOUR, 22 * HOUR, 22 * HOUR + 1800], n)

    used = set() if used is None else used
    store_names = []
    for i in range(n):
        b, c = BRAND_NAMES[brand[i]], CITIES[city[i]][2]
        for mall in rng.permutation(names.MALLS):
            nm = f"{b}{c}{mall}店"
            if nm not in used:
                break
        else:
            k = 2
            while f"{b}{c}{k}店" in used:
                k += 1
            nm = f"{b}{c}{k}店"
        used.add(nm)
        store_names.append(nm)
    return Stores(n, store_names, brand, city, open_day, close_day, open_s.astype("int64"),
                  close_s.astype("int64"), weight)


def make_guides(ctx: Context, stores: Stores) -> Guides:
    rng = ctx.rng("guides")
    store, role = [], []
    for s in range(stores.n):
        k = int(np.clip(round(8 * stores.weight[s] ** 0.5 + rng.normal(0, 1.5)), 4, 16))
        store += [s] * (1 + k)
        role += [MANAGER] + [GUIDE] * k
        if rng.random() < 0.3:
            store.append(s)
            role.append(OPERATOR)
    store, role = np.array(store), np.array(role)
    n0 = len(store)
    s_open, s_close = stores.open_day[store], stores.close_day[store]
    hired = np.maximum(-rng.exponential(500, n0).astype("int64") - 1, s_open - rng.integers(3, 20, n0))
    left = np.full(n0, NEVER, dtype="int64")
    # Turnover: ~18% leave during the period and are replaced a few weeks later.
    leaves = (rng.random(n0) < 0.18) & (s_close == NEVER)
    left[leaves] = np.maximum(hired[leaves], rng.integers(5, ctx.n_days - 5, leaves.sum()))
    closing = s_close < NEVER
    left[closing] = np.maximum(hired[closing], s_close[closing] - 1)
    rep = np.nonzero(leaves)[0]
    rep_hired = left[rep] + rng.integers(3, 40, len(rep))
    rep = rep[rep_hired < ctx.n_days - 3]
    rep_hired = rep_hired[rep_hired < ctx.n_days - 3]
    store = np.concatenate([store, store[rep]])
    role = np.concatenate([role, role[rep]])
    hired = np.concatenate([hired, rep_hired])
    left = np.concatenate([left, np.full(len(rep), NEVER, dtype="int64")])
    n = len(store)

    power = rng.lognormal(0, 2.0, n)
    power[role == MANAGER] *= 1.3
    diligence = np.where(rng.random(n) < 0.4, rng.uniform(0.84, 0.98, n), rng.uniform(0.15, 0.78, n))
    diligence[role == MANAGER] = rng.uniform(0.3, 0.9, (role == MANAGER).sum())
    diligence[role == OPERATOR] = rng.uniform(0.6, 0.95, (role == OPERATOR).sum())
    sur = rng.integers(0, len(names.SURNAMES), n)
    giv = rng.integers(0, len(names.GIVEN), n)
    guide_names = [names.SURNAMES[a] + names.GIVEN[b] for a, b in zip(sur, giv)]
    return Guides(n, store, role, hired.astype("int64"), left.astype("int64"), guide_names, power, diligence)


def stores_frame(ctx: Context, st: Stores):
    import pandas as pd
    to_time = lambda s: time(int(s) // 3600, (int(s) % 3600) // 60)  # noqa: E731
    return pd.DataFrame({
        "s": np.arange(st.n), "store_name": st.name,
        "brand": [BRAND_NAMES[b] for b in st.brand],
        "region": [CITIES[c][0] for c in st.city], "province": [CITIES[c][1] for c in st.city],
        "city": [CITIES[c][2] for c in st.city],
        "opened_on": [ctx.date_of(d) for d in st.open_day],
        "open_time": [to_time(s) for s in st.open_s], "close_time": [to_time(s) for s in st.close_s],
        "closed_on": [ctx.date_of(d - 1) if d < NEVER else None for d in st.close_day],
    })


def guides_frame(ctx: Context, gd: Guides):
    import pandas as pd
    return pd.DataFrame({
        "g": np.arange(gd.n), "guide_name": gd.name, "s": gd.store,
        "role": [ROLES[r] for r in gd.role],
        "hired_on": [ctx.date_of(d) for d in gd.hired_day],
        "left_on": [ctx.date_of(d) if d < NEVER else None for d in gd.left_day],
    })
