"""Members (fans): when they joined, through which channel, which store and
guide serve them, and whether they unfollowed."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .channels import CHANNELS, LIVE_CHANNEL, channel_day_weights
from .context import DAY, HOUR, Context, GroupedChoice, weighted_index
from .dimensions import CITIES, OPERATOR, Guides, Stores

CITY_WEIGHTS = np.array([c[3] for c in CITIES])


@dataclass
class Members:
    n: int
    joined: np.ndarray       # seconds
    channel: np.ndarray      # index into CHANNELS, -1 unknown
    store: np.ndarray        # bound store, -1 none
    guide: np.ndarray        # bound guide, -1 none
    city: np.ndarray         # -1 unknown
    birthday: np.ndarray     # datetime64[D] or NaT
    unfollowed: np.ndarray   # seconds, -1 never


def member_count(scale: float) -> int:
    return max(600, int(round(200_000 * scale)))


def pick_store(ctx, rng, stores: Stores, day: np.ndarray) -> np.ndarray:
    """A store trading on `day`, by store size; -1 when none found."""
    out = np.full(len(day), -1, dtype="int64")
    todo = np.arange(len(day))
    for _ in range(12):
        if not len(todo):
            break
        s = weighted_index(rng, stores.weight, len(todo))
        ok = stores.is_open(s, day[todo])
        out[todo[ok]] = s[ok]
        todo = todo[~ok]
    return out


def pick_guide(rng, guides: Guides, chooser: GroupedChoice, store: np.ndarray, day: np.ndarray,
               stores: Stores) -> np.ndarray:
    """A guide of `store` at work on `day` (weighted by the chooser); -1 when none."""
    out = np.full(len(store), -1, dtype="int64")
    todo = np.nonzero(store >= 0)[0]
    for _ in range(15):
        if not len(todo):
            break
        g = chooser.pick(rng, store[todo])
        ok = guides.active(g, day[todo], stores)
        out[todo[ok]] = g[ok]
        todo = todo[~ok]
    return out


def service_chooser(guides: Guides, stores: Stores) -> GroupedChoice:
    w = np.where(guides.role == OPERATOR, 0.3, 1.0 + guides.power ** 0.3)
    return GroupedChoice(guides.store, w, stores.n)


def make_members(ctx: Context, stores: Stores, guides: Guides, lives) -> Members:
    rng = ctx.rng("members")
    n = member_count(ctx.scale)
    n_old = int(n * 0.45)
    n_new = n - n_old
    share = np.array([c.share for c in CHANNELS])
    ch_new = rng.choice(len(CHANNELS), n_new, p=share / share.sum())
    ch_old = np.where(rng.random(n_old) < 0.2, -1, rng.choice(len(CHANNELS), n_old, p=share / share.sum()))

    joined_new = np.empty(n_new, dtype="int64")
    for c in range(len(CHANNELS)):
        idx = np.nonzero(ch_new == c)[0]
        if c == LIVE_CHANNEL and lives.n:
            # Live-room fans follow during a live stream.
            which = rng.integers(0, lives.n, len(idx))
            joined_new[idx] = lives.start_s[which] + (rng.random(len(idx)) * (lives.end_s - lives.start_s)[which]).astype("int64")
            continue
        days = weighted_index(rng, channel_day_weights(ctx, c), len(idx))
        joined_new[idx] = days * DAY + rng.integers(9 * HOUR, 22 * HOUR + 1800, len(idx))
    joined_old = -rng.integers(1, 5 * 365, n_old) * DAY + rng.integers(9 * HOUR, 22 * HOUR, n_old)
    joined = np.concatenate([joined_old, joined_new])
    channel = np.concatenate([ch_old, ch_new])
    order = np.argsort(joined, kind="stable")  # member ids follow joining order
    joined, channel = joined[order], channel[order]

    bound_p = np.array([c.bound for c in CHANNELS] + [0.7])[channel]
    bound = rng.random(n) < bound_p
    day = np.maximum(joined // DAY, 0)
    store = np.full(n, -1, dtype="int64")
    store[bound] = pick_store(ctx, rng, stores, day[bound])
    guide = pick_guide(rng, guides, service_chooser(guides, stores), store, day, stores)

    city = weighted_index(rng, CITY_WEIGHTS, n)
    local = (store >= 0) & (rng.random(n) < 0.85)
    city[local] = stores.city[store[local]]
    city[rng.random(n) < 0.05] = -1

    birthday = np.datetime64("1968-01-01") + rng.integers(0, 37 * 365, n).astype("timedelta64[D]")
    birthday[rng.random(n) < 0.3] = np.datetime64("NaT")

    p7 = np.array([c.unfollow_7d for c in CHANNELS] + [0.08])[channel]
    plate = np.array([c.unfollow_late for c in CHANNELS] + [0.10])[channel]
    u = rng.random(n)
    early = joined + np.minimum(rng.exponential(1.5 * DAY, n), 7 * DAY - 60).astype("int64") + 60
    late = joined + 7 * DAY + rng.exponential(150 * DAY, n).astype("int64")
    unfollowed = np.where(u < p7, early, np.where(u < p7 + plate, late, -1))
    unfollowed = np.where(unfollowed > ctx.end_seconds, -1, unfollowed)
    return Members(n, joined, channel, store, guide, city, birthday, unfollowed)


def members_frame(ctx: Context, m: Members) -> pd.DataFrame:
    return pd.DataFrame({
        "m": np.arange(m.n), "joined_at": ctx.timestamps(m.joined),
        "acquisition_channel": pd.Categorical.from_codes(m.channel, [c.channel_id for c in CHANNELS]),
        "g": m.guide, "s": m.store,
        "city": pd.Categorical.from_codes(m.city, [c[2] for c in CITIES]),
        "birthday": m.birthday,
        "unfollowed_at": np.where(m.unfollowed >= 0, ctx.timestamps(np.maximum(m.unfollowed, 0)), np.datetime64("NaT")),
    })
