"""Mini-program live streams: a few sessions a week per brand (more before
Double 11), guides inviting their members, and who watched."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import names
from .channels import LIVE_CHANNEL
from .context import DAY, HOUR, Context, TimedPool
from .dimensions import BRAND_NAMES, OPERATOR, Guides, Stores


@dataclass
class Lives:
    n: int
    brand: np.ndarray
    host_store: np.ndarray   # -1: a brand-level stream
    start_s: np.ndarray
    end_s: np.ndarray
    title: list
    live_orders: np.ndarray  # expected orders during the stream
    tail_multiple: np.ndarray
    cost: np.ndarray


@dataclass
class Audience:
    inv_live: np.ndarray
    inv_guide: np.ndarray
    inv_member: np.ndarray
    inv_at: np.ndarray
    view_live: np.ndarray    # sorted by live
    view_member: np.ndarray
    view_at: np.ndarray
    view_seconds: np.ndarray


def make_lives(ctx: Context, stores: Stores) -> Lives:
    rng = ctx.rng("lives")
    brand, day = [], []
    for b in range(len(BRAND_NAMES)):
        for week_start in range(0, ctx.n_days, 7):
            k = 2 + (rng.random() < 0.4)
            days = week_start + rng.choice(7, k, replace=False)
            for d in days:
                if d < ctx.n_days:
                    brand.append(b)
                    day.append(d)
        for d in range(ctx.n_days):  # Double 11 warm-up: a stream every other day
            cd = ctx.date_of(d)
            if cd.month == 11 and cd.day <= 11 and cd.day % 2 == 1:
                brand.append(b)
                day.append(d)
    brand, day = np.array(brand), np.array(day)
    key = np.unique(day * 10 + brand, return_index=True)[1]  # one stream per brand and day
    brand, day = brand[key], day[key]
    n = len(day)
    start = day * DAY + 19 * HOUR + rng.integers(0, 7, n) * 900
    order = np.argsort(start, kind="stable")  # live ids follow start time
    brand, day, start = brand[order], day[order], start[order]
    end = start + rng.integers(60, 181, n) * 60
    end = np.minimum(end, ctx.end_seconds)
    host = np.full(n, -1, dtype="int64")
    for i in np.nonzero(rng.random(n) < 0.5)[0]:
        cand = np.nonzero((stores.brand == brand[i]) & stores.is_open(np.arange(stores.n), day[i]))[0]
        if len(cand):
            host[i] = rng.choice(cand)
    live_orders = 0.4 + 28 * ctx.scale * rng.gamma(2.0, 0.5, n)  # expected orders in the stream
    tail = rng.uniform(1.15, 2.85, n)
    aov = np.array([names.BRANDS[b][1] for b in BRAND_NAMES])[brand] * 0.8
    cost = np.round(np.maximum(300, live_orders * (1 + tail) * aov * rng.uniform(0.12, 0.45, n)), 2)
    titles = [f"{BRAND_NAMES[b]}·{names.LIVE_THEMES[t]}" for b, t in zip(brand, rng.integers(0, len(names.LIVE_THEMES), n))]
    return Lives(n, brand, host, start.astype("int64"), end.astype("int64"), titles, live_orders, tail, cost)


def make_audience(ctx: Context, lives: Lives, stores: Stores, guides: Guides, members, by_guide: TimedPool,
                  anyone: TimedPool) -> Audience:
    """Some guides of the brand's stores invite a few of their members before
    each stream; about a third of the invited watch, plus viewers nobody
    invited (and the fans who followed during the stream)."""
    rng = ctx.rng("live_audience")
    g_brand = stores.brand[guides.store]
    inv_live, inv_guide = [], []
    for i in range(lives.n):
        d = lives.start_s[i] // DAY
        cand = np.nonzero((g_brand == lives.brand[i]) & (guides.role != OPERATOR)
                          & guides.active(np.arange(guides.n), d, stores))[0]
        inviters = cand[rng.random(len(cand)) < 0.15]
        k = 1 + rng.poisson(5, len(inviters))
        inv_live.append(np.full(k.sum(), i))
        inv_guide.append(np.repeat(inviters, k))
    inv_live = np.concatenate(inv_live).astype("int64")
    inv_guide = np.concatenate(inv_guide).astype("int64")
    inv_at = lives.start_s[inv_live] - rng.integers(HOUR, 48 * HOUR, len(inv_live))
    inv_member = by_guide.pick(rng, inv_guide, inv_at)
    fallback = inv_member < 0
    inv_member[fallback] = anyone.pick(rng, np.zeros(fallback.sum()), inv_at[fallback])
    keep = inv_member >= 0
    inv_live, inv_guide, inv_member, inv_at = inv_live[keep], inv_guide[keep], inv_member[keep], inv_at[keep]
    _, first = np.unique(np.stack([inv_live, inv_guide, inv_member]), axis=1, return_index=True)
    first = np.sort(first)
    inv_live, inv_guide, inv_member, inv_at = inv_live[first], inv_guide[first], inv_member[first], inv_at[first]

    watched = rng.random(len(inv_live)) < 0.32
    v_live = [inv_live[watched]]
    v_member = [inv_member[watched]]
    per_live = np.bincount(inv_live, minlength=lives.n)
    extra = rng.poisson(per_live * 0.15 + 2)
    x_live = np.repeat(np.arange(lives.n), extra)
    v_live.append(x_live)
    v_member.append(anyone.pick(rng, np.zeros(len(x_live)), lives.start_s[x_live]))
    live_fans = np.nonzero((members.channel == LIVE_CHANNEL) & (members.joined >= 0))[0]
    # a live-room fan followed during some stream: find it by time
    which = np.searchsorted(lives.start_s, members.joined[live_fans], side="right") - 1
    ok = (which >= 0) & (members.joined[live_fans] <= lives.end_s[np.maximum(which, 0)])
    v_live.append(which[ok])
    v_member.append(live_fans[ok])
    v_live = np.concatenate(v_live).astype("int64")
    v_member = np.concatenate(v_member).astype("int64")
    keep = v_member >= 0
    v_live, v_member = v_live[keep], v_member[keep]
    _, first = np.unique(v_live * (members.n + 1) + v_member, return_index=True)
    v_live, v_member = v_live[first], v_member[first]  # sorted by live
    dur = lives.end_s[v_live] - lives.start_s[v_live]
    v_at = lives.start_s[v_live] + (rng.random(len(v_live)) * np.maximum(dur - 120, 1)).astype("int64")
    v_at = np.maximum(v_at, members.joined[v_member])
    v_sec = np.minimum(lives.end_s[v_live] - v_at, 30 + rng.exponential(1100, len(v_live)).astype("int64"))
    return Audience(inv_live, inv_guide, inv_member, inv_at.astype("int64"), v_live, v_member,
                    v_at.astype("int64"), np.maximum(v_sec, 0).astype("int64"))


def lives_frame(ctx: Context, lv: Lives) -> pd.DataFrame:
    return pd.DataFrame({"l": np.arange(lv.n), "title": lv.title,
                         "brand": [BRAND_NAMES[b] for b in lv.brand], "s": lv.host_store,
                         "started_at": ctx.timestamps(lv.start_s), "ended_at": ctx.timestamps(lv.end_s),
                         "cost": lv.cost})


def invites_frame(ctx: Context, a: Audience) -> pd.DataFrame:
    return pd.DataFrame({"l": a.inv_live, "g": a.inv_guide, "m": a.inv_member,
                         "invited_at": ctx.timestamps(a.inv_at)})


def views_frame(ctx: Context, a: Audience) -> pd.DataFrame:
    return pd.DataFrame({"l": a.view_live, "m": a.view_member, "joined_at": ctx.timestamps(a.view_at),
                         "watch_seconds": a.view_seconds.astype("int32")})
