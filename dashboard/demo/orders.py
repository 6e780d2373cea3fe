"""Orders from every path the business knows: store tills (POS), guides'
shares to the WeMall, direct WeMall visits, new fans' first purchases, live
streams and their 72-hour tail, and viewers coming back to the store.

Every order is checked at the end against who could have made it: the store
trading that day, the credited guide employed there, the member already
joined, the share made by that guide before the order."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from . import names
from .channels import CHANNELS
from .context import DAY, HOUR, Context, GroupedChoice, TimedPool
from .dimensions import BRAND_NAMES, CITIES, OPERATOR, Guides, Stores
from .members import Members, pick_guide, pick_store
from .sharing import GROUP, TARGET_PULL, Shares

POS, WEMALL = 0, 1
CHANNEL_NAMES = ("pos", "wemall")
COLUMNS = ("at", "channel", "store", "guide", "member", "share", "live", "referrer", "cross")


@dataclass
class Orders:
    at: np.ndarray
    channel: np.ndarray
    store: np.ndarray
    guide: np.ndarray
    member: np.ndarray
    share: np.ndarray
    live: np.ndarray
    referrer: np.ndarray
    buyer_city: np.ndarray
    amount: np.ndarray    # cents
    refund: np.ndarray    # cents
    coupon: np.ndarray    # -1 none


class Pools:
    """Who can buy at a given time: anyone who had joined, a guide's or a
    store's bound members, a group's members."""

    def __init__(self, members: Members, memberships):
        self.anyone = TimedPool(np.zeros(members.n), members.joined)
        self.by_guide = TimedPool(members.guide, members.joined)
        self.by_store = TimedPool(members.store, members.joined)
        self.by_group = TimedPool(memberships.group, memberships.joined)
        self.group_member = memberships.member
        # How likely a member is to buy at all: fans bought by ads who
        # unfollowed hardly ever do, guides' own customers often do.
        engage = np.array([c.engagement for c in CHANNELS] + [0.8])[members.channel]
        self.engagement = np.where(members.unfollowed >= 0, 0.15, engage)

    def buyer(self, rng, pool: TimedPool, key, at, rounds: int = 4) -> np.ndarray:
        """A member from `pool` at time `at`, favouring engaged members."""
        member = pool.pick(rng, key, at)
        for _ in range(rounds):
            redo = (member >= 0) & (rng.random(len(member)) > self.engagement[np.maximum(member, 0)])
            if not redo.any():
                break
            idx = np.nonzero(redo)[0]
            again = pool.pick(rng, np.asarray(key)[idx], at[idx])
            member[idx] = np.where(again >= 0, again, member[idx])
        return member


def _part(n, **cols):
    out = {c: np.full(n, -1, dtype="int64") for c in COLUMNS}
    out["cross"] = np.zeros(n, dtype=bool)
    out.update({k: np.asarray(v) for k, v in cols.items()})
    return out


def _store_day_cells(ctx, rng, stores: Stores, total: float):
    """Poisson orders per trading store and day, by store size and seasonality."""
    s = np.arange(stores.n)[:, None]
    d = np.arange(ctx.n_days)[None, :]
    lam = stores.weight[:, None] * ctx.day_weight[None, :] * stores.is_open(s, d)
    lam *= total / lam.sum()
    cnt = rng.poisson(lam)
    si, di = np.nonzero(cnt)
    c = cnt[si, di]
    return np.repeat(si, c), np.repeat(di, c)


def _buyers(rng, pools: Pools, own_pool: TimedPool, own_key, at, own_share: float):
    member = np.full(len(at), -1, dtype="int64")
    use_own = rng.random(len(at)) < own_share
    member[use_own] = pools.buyer(rng, own_pool, own_key[use_own], at[use_own])
    rest = member < 0
    member[rest] = pools.buyer(rng, pools.anyone, np.zeros(rest.sum()), at[rest])
    return member


def pos_orders(ctx, rng, stores, guides, pools, chooser, total):
    store, day = _store_day_cells(ctx, rng, stores, total)
    n = len(store)
    at = day * DAY + ctx.off_or_in_hours(rng, n, stores.open_s[store], stores.close_s[store], 0.0)
    guide = pick_guide(rng, guides, chooser, store, day, stores)
    guide[rng.random(n) < 0.08] = -1
    member = _buyers(rng, pools, pools.by_store, store, at, 0.6)
    member[rng.random(n) < 0.28] = -1  # walk-in buyers without a membership
    return _part(n, at=at, channel=np.full(n, POS), store=store, guide=guide, member=member)


def share_orders(ctx, rng, stores, guides, shares: Shares, pools, memberships, total):
    """WeMall orders through a guide's share: strong guides and moments posts
    pull most; bought the same day mostly, some days later; a fifth outside
    store hours and a fifth shipped to another city."""
    day = shares.sent // DAY
    w = guides.power[shares.guide] * TARGET_PULL[shares.target] * ctx.day_weight[day]
    cum = np.cumsum(w)
    sh = np.minimum(np.searchsorted(cum, rng.random(int(total)) * cum[-1], side="right"), len(cum) - 1)
    sh.sort()
    n = len(sh)
    store, guide = shares.store[sh], shares.guide[sh]
    lag = rng.choice(4, n, p=[0.62, 0.22, 0.10, 0.06])
    tod = ctx.off_or_in_hours(rng, n, stores.open_s[store], stores.close_s[store], 0.17)
    at = (day[sh] + lag) * DAY + tod
    at = np.where(at <= shares.sent[sh], at + DAY, at)
    member = _buyers(rng, pools, pools.by_guide, guide, at, 0.55)
    in_group = (shares.target[sh] == GROUP) & (rng.random(n) < 0.7)
    gm = pools.by_group.pick(rng, shares.group[sh][in_group], at[in_group])
    member[np.nonzero(in_group)[0][gm >= 0]] = pools.group_member[gm[gm >= 0]]
    referrer = _group_referrers(rng, memberships, np.where(shares.target[sh] == GROUP, shares.group[sh], -1), at, member)
    return _part(n, at=at, channel=np.full(n, WEMALL), store=store, guide=guide, member=member, share=sh,
                 referrer=referrer, cross=rng.random(n) < 0.2)


def _group_referrers(rng, memberships, group, at, buyer) -> np.ndarray:
    """A KOC of the group recommended about a third of the orders from shares
    posted to that group (orders.referrer_member_id)."""
    n = len(group)
    out = np.full(n, -1, dtype="int64")
    kocs = np.nonzero(memberships.koc)[0]
    if not len(kocs):
        return out
    kocs = kocs[np.argsort(memberships.group[kocs], kind="stable")]
    kq = memberships.group[kocs]
    lo = np.searchsorted(kq, group)
    hi = np.searchsorted(kq, group, side="right")
    pick = kocs[np.minimum(lo + (rng.random(n) * (hi - lo)).astype("int64"), len(kocs) - 1)]
    ok = (group >= 0) & (hi > lo) & (rng.random(n) < 0.35)
    ok &= (memberships.member[pick] != buyer) & (memberships.joined[pick] < at)
    out[ok] = memberships.member[pick][ok]
    return out


def direct_orders(ctx, rng, stores, pools, total):
    store, day = _store_day_cells(ctx, rng, stores, total)
    n = len(store)
    at = day * DAY + ctx.off_or_in_hours(rng, n, stores.open_s[store], stores.close_s[store], 0.17)
    member = pools.buyer(rng, pools.anyone, np.zeros(n), at)
    return _part(n, at=at, channel=np.full(n, WEMALL), store=store, member=member, cross=rng.random(n) < 0.2)


def new_fan_orders(ctx, rng, stores, guides, members: Members, chooser):
    """New fans' purchases within 30 days of joining, at channel-specific rates."""
    buy = np.array([c.buy_30d for c in CHANNELS] + [0.0])[members.channel]
    fans = np.nonzero((members.joined >= 0) & (rng.random(members.n) < buy))[0]
    fan = np.repeat(fans, 1 + rng.poisson(0.45, len(fans)))
    n = len(fan)
    at = members.joined[fan] + np.minimum(rng.exponential(6 * DAY, n), 29.5 * DAY).astype("int64") + 600
    day = at // DAY
    store = members.store[fan].copy()
    missing = store < 0
    store[missing] = pick_store(ctx, rng, stores, day[missing])
    pos = (rng.random(n) < 0.45) & ~missing
    tod = ctx.off_or_in_hours(rng, n, stores.open_s[np.maximum(store, 0)], stores.close_s[np.maximum(store, 0)], 0.0)
    at = np.where(pos, day * DAY + tod, at)
    at = np.where(pos & (at < members.joined[fan]), at + DAY, at)
    guide = np.where(pos, members.guide[fan], -1)
    idle = pos & ~guides.active(guide, at // DAY, stores)
    guide[idle] = pick_guide(rng, guides, chooser, store[idle], at[idle] // DAY, stores)
    return _part(n, at=at, channel=np.where(pos, POS, WEMALL), store=store, guide=guide, member=fan,
                 cross=~pos & (rng.random(n) < 0.2))


def live_orders(ctx, rng, stores, guides, lives, aud, pools):
    """Orders placed in a live stream and in the 72 hours after it (the tail),
    mostly by its viewers, credited to the guide who invited them."""
    n_live = rng.poisson(lives.live_orders)
    n_tail = rng.poisson(lives.live_orders * lives.tail_multiple)
    live = np.concatenate([np.repeat(np.arange(lives.n), n_live), np.repeat(np.arange(lives.n), n_tail)])
    tail = np.concatenate([np.zeros(n_live.sum(), bool), np.ones(n_tail.sum(), bool)])
    n = len(live)
    dur = lives.end_s[live] - lives.start_s[live]
    at = np.where(tail, lives.end_s[live] + 1 + (rng.beta(0.7, 2.0, n) * (72 * HOUR - 1)).astype("int64"),
                  lives.start_s[live] + (rng.random(n) * dur).astype("int64"))
    lo = np.searchsorted(aud.view_live, live)
    hi = np.searchsorted(aud.view_live, live, side="right")
    viewer = aud.view_member[np.minimum(lo + (rng.random(n) * (hi - lo)).astype("int64"), len(aud.view_member) - 1)]
    member = np.where((hi > lo) & (rng.random(n) < 0.85), viewer, -1)
    member = np.where(member >= 0, member, pools.buyer(rng, pools.anyone, np.zeros(n), at))
    # the guide who invited this buyer to this stream gets the credit
    span = np.int64(pools.anyone.entity.max() + 2)
    inv_key = aud.inv_live * span + aud.inv_member
    korder = np.argsort(inv_key, kind="stable")
    sorted_keys = inv_key[korder]
    key = live * span + member
    pos = np.minimum(np.searchsorted(sorted_keys, key), len(sorted_keys) - 1)
    found = (sorted_keys[pos] == key) & (member >= 0)
    guide = np.where(found, aud.inv_guide[korder[pos]], -1)
    day = at // DAY
    guide = np.where(guides.active(guide, day, stores), guide, -1)
    store = np.where(guide >= 0, guides.store[np.maximum(guide, 0)], lives.host_store[live])
    need = (store < 0) | ~stores.is_open(np.maximum(store, 0), day)
    brand = lives.brand[live]
    for _ in range(30):
        idx = np.nonzero(need)[0]
        if not len(idx):
            break
        cand = rng.integers(0, stores.n, len(idx))
        ok = (stores.brand[cand] == brand[idx]) & stores.is_open(cand, day[idx])
        store[idx[ok]] = cand[ok]
        need[idx[ok]] = False
    return _part(n, at=at, channel=np.full(n, WEMALL), store=store, guide=guide, member=member, live=live,
                 cross=rng.random(n) < 0.2)


def return_orders(ctx, rng, stores, guides, members, lives, aud, chooser):
    """Viewers coming back to their store within 72 hours of a stream (回店)."""
    back = (rng.random(len(aud.view_member)) < 0.1) & (members.store[aud.view_member] >= 0)
    v = np.nonzero(back)[0]
    live, member = aud.view_live[v], aud.view_member[v]
    store = members.store[member]
    end = lives.end_s[live]
    day = end // DAY + rng.integers(0, 4, len(v))
    at = day * DAY + ctx.off_or_in_hours(rng, len(v), stores.open_s[store], stores.close_s[store], 0.0)
    ok = (at > end) & (at <= end + 72 * HOUR)
    at, store, member, day = at[ok], store[ok], member[ok], day[ok]
    guide = members.guide[member].copy()
    idle = ~guides.active(guide, day, stores) | (guides.store[np.maximum(guide, 0)] != store)
    guide[idle] = pick_guide(rng, guides, chooser, store[idle], day[idle], stores)
    return _part(len(at), at=at, channel=np.full(len(at), POS), store=store, guide=guide, member=member)


def make_orders(ctx: Context, stores: Stores, guides: Guides, members: Members, shares: Shares, memberships,
                lives, aud, pools: Pools) -> Orders:
    rng = ctx.rng("orders")
    s = ctx.scale
    pos_w = np.where(guides.role == OPERATOR, 0.0, guides.power ** 0.4)
    chooser = GroupedChoice(guides.store, pos_w, stores.n)
    parts = [
        pos_orders(ctx, rng, stores, guides, pools, chooser, 520_000 * s),
        share_orders(ctx, rng, stores, guides, shares, pools, memberships, 360_000 * s),
        direct_orders(ctx, rng, stores, pools, 40_000 * s),
        new_fan_orders(ctx, rng, stores, guides, members, chooser),
        live_orders(ctx, rng, stores, guides, lives, aud, pools),
        return_orders(ctx, rng, stores, guides, members, lives, aud, chooser),
    ]
    o = {c: np.concatenate([p[c] for p in parts]) for c in COLUMNS}
    o = _valid(ctx, o, stores, guides, members, shares)
    order = np.argsort(o["at"], kind="stable")  # order ids follow time
    o = {k: v[order] for k, v in o.items()}
    n = len(o["at"])
    day = o["at"] // DAY

    store_city = stores.city[o["store"]]
    other = (store_city + 1 + rng.integers(0, len(CITIES) - 1, n)) % len(CITIES)
    buyer_city = np.where(o["cross"], other, store_city)
    buyer_city = np.where((o["channel"] == WEMALL) & (rng.random(n) < 0.03), -1, buyer_city)

    brand = stores.brand[o["store"]]
    aov = np.array([names.BRANDS[b][1] for b in BRAND_NAMES])[brand] * np.where(o["channel"] == WEMALL, 0.8, 1.0)
    d11 = _double11_days(ctx)
    aov = aov * np.where(np.isin(day, d11), 1.15, 1.0)
    amount = np.maximum(1990, np.round(aov * rng.lognormal(-0.15, 0.55, n) * 10) * 10).astype("int64")
    refund_p = np.where(o["channel"] == WEMALL, 0.09, 0.045)
    refunded = rng.random(n) < refund_p
    full = rng.random(n) < 0.4
    refund = np.where(refunded, np.where(full, amount, np.round(amount * rng.uniform(0.1, 0.7, n))), 0).astype("int64")
    coupon = np.where(rng.random(n) < 0.12, rng.integers(0, len(names.COUPONS), n), -1)
    return Orders(o["at"], o["channel"], o["store"], o["guide"], o["member"], o["share"], o["live"],
                  o["referrer"], buyer_city, amount, refund, coupon)


def _double11_days(ctx) -> np.ndarray:
    out = []
    for y in range(ctx.start.year, ctx.end.year + 1):
        out += [ctx.day_of(date(y, 11, k)) for k in range(1, 12)]
    return np.array(out)


def _valid(ctx, o, stores, guides, members, shares):
    """Drop (or un-credit) orders nobody could have made."""
    at = o["at"]
    day = at // DAY
    store = o["store"]
    keep = (at >= 0) & (at <= ctx.end_seconds) & (store >= 0)
    keep &= stores.is_open(np.maximum(store, 0), day)
    g = o["guide"]
    credited = g >= 0
    g_ok = guides.active(g, day, stores) & (guides.store[np.maximum(g, 0)] == store)
    by_share = o["share"] >= 0
    keep &= ~(by_share & ~g_ok)  # a share-driven order must stay with the sharing guide
    o["guide"] = np.where(credited & ~g_ok, -1, g)
    sh = np.maximum(o["share"], 0)
    keep &= ~by_share | ((shares.sent[sh] < at) & (shares.guide[sh] == o["guide"]))
    m = o["member"]
    o["member"] = np.where((m >= 0) & (members.joined[np.maximum(m, 0)] > at), -1, m)
    r = o["referrer"]
    o["referrer"] = np.where((r >= 0) & ((r == o["member"]) | (members.joined[np.maximum(r, 0)] > at)), -1, r)
    return {k: v[keep] for k, v in o.items()}


def orders_frame(ctx: Context, od: Orders) -> pd.DataFrame:
    return pd.DataFrame({
        "o": np.arange(len(od.at)), "ordered_at": ctx.timestamps(od.at),
        "channel": pd.Categorical.from_codes(od.channel, CHANNEL_NAMES), "s": od.store, "g": od.guide,
        "m": od.member, "amount_c": od.amount, "refund_c": od.refund,
        "buyer_city": pd.Categorical.from_codes(od.buyer_city, [c[2] for c in CITIES]),
        "sh": od.share, "l": od.live, "r": od.referrer,
        "coupon_id": pd.Categorical.from_codes(od.coupon, names.COUPONS),
    })
