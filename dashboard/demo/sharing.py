"""Guides' shares to WeChat moments, private chats and groups, and the visits
they bring. Some guides meet the daily target (≥ 3 shares) nearly every day,
many don't: their diligence varies widely, so every diagnosis quadrant fills."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import names
from .community import Groups
from .context import DAY, HOUR, Context, TimedPool
from .dimensions import BRAND_NAMES, OPERATOR, Guides, Stores

TARGETS = ("moments", "private_chat", "group")
MOMENTS, PRIVATE, GROUP = 0, 1, 2
# how many orders a share of each target brings, relative to a private chat
TARGET_PULL = np.array([2.0, 1.0, 1.0])
SKUS_PER_BRAND = 240


@dataclass
class Shares:
    guide: np.ndarray
    store: np.ndarray
    sent: np.ndarray
    target: np.ndarray
    group: np.ndarray        # -1 unless target is group
    content: np.ndarray
    sku: np.ndarray          # -1 none; else brand * SKUS_PER_BRAND + n


def make_shares(ctx: Context, stores: Stores, guides: Guides, groups: Groups) -> Shares:
    rng = ctx.rng("shares")
    days = np.arange(ctx.n_days)
    on = guides.active(np.arange(guides.n)[:, None], days[None, :], stores)
    meets = rng.random(on.shape) < guides.diligence[:, None]
    count = np.where(meets, 3 + rng.geometric(0.6, on.shape) - 1, rng.choice(3, on.shape, p=[0.4, 0.35, 0.25]))
    count = np.where(on, count, 0)
    g_idx, d_idx = np.nonzero(count)
    c = count[g_idx, d_idx]
    guide, day = np.repeat(g_idx, c), np.repeat(d_idx, c)
    n = len(guide)
    # mornings and evenings, when guides post
    tod = np.where(rng.random(n) < 0.6, rng.integers(int(8.5 * HOUR), 12 * HOUR, n), rng.integers(12 * HOUR, 22 * HOUR, n))
    sent = day * DAY + tod
    operator = guides.role[guide] == OPERATOR
    target = np.where(operator, rng.choice(3, n, p=[0.2, 0.1, 0.7]), rng.choice(3, n, p=[0.6, 0.28, 0.12]))
    group = np.full(n, -1, dtype="int64")
    # a group share goes to one of the store's groups existing at the time
    store = guides.store[guide]
    gstore = groups.store
    by_store = {}
    for gq in np.nonzero(gstore >= 0)[0]:
        by_store.setdefault(int(gstore[gq]), []).append(gq)
    first = np.array([by_store.get(s, [-1])[0] for s in range(stores.n)])
    last = np.array([by_store.get(s, [-1])[-1] for s in range(stores.n)])
    for _ in range(2):
        want = (target == GROUP) & (group < 0)
        cand = np.where(rng.random(n) < 0.5, first[store], last[store])
        cq = np.maximum(cand, 0)
        ok = want & (cand >= 0) & (groups.created[cq] < sent) & ((groups.dissolved[cq] < 0) | (groups.dissolved[cq] > sent))
        group[ok] = cand[ok]
    target = np.where((target == GROUP) & (group < 0), MOMENTS, target)
    cw = np.array(names.CONTENT_WEIGHTS)
    content = rng.choice(len(cw), n, p=cw / cw.sum())
    brand = stores.brand[store]
    sku = np.where(content == 0, brand * SKUS_PER_BRAND + rng.integers(0, SKUS_PER_BRAND, n), -1)
    order = np.argsort(sent, kind="stable")  # share ids follow time
    return Shares(guide[order], store[order], sent[order].astype("int64"), target[order], group[order],
                  content[order], sku[order])


def sku_names() -> list[str]:
    out = []
    for b in BRAND_NAMES:
        code = names.BRANDS[b][0]
        out += [f"{code}26{'ABCD'[k % 4]}{k:04d}" for k in range(SKUS_PER_BRAND)]
    return out


def make_visits(ctx: Context, sh: Shares, anyone: TimedPool, order_share: np.ndarray, order_member: np.ndarray,
                order_at: np.ndarray):
    """Visits to shared pages: every share-driven order's buyer visited just
    before buying; others looked and left (some anonymously)."""
    rng = ctx.rng("share_visits")
    lam = np.array([0.55, 0.4, 0.7])[sh.target]
    k = rng.poisson(lam)
    s_idx = np.repeat(np.arange(len(sh.sent)), k)
    at = sh.sent[s_idx] + 60 + rng.exponential(4 * HOUR, len(s_idx)).astype("int64")
    keep = at <= ctx.end_seconds
    s_idx, at = s_idx[keep], at[keep]
    member = anyone.pick(rng, np.zeros(len(at)), at)
    member[rng.random(len(at)) < 0.3] = -1
    b = order_share >= 0
    b_at = np.maximum(order_at[b] - rng.integers(60, 20 * 60, b.sum()), sh.sent[order_share[b]] + 1)
    share = np.concatenate([s_idx, order_share[b]])
    member = np.concatenate([member, order_member[b]])
    at = np.concatenate([at, b_at])
    order = np.lexsort((member, share, at))
    return share[order], member[order], at[order]


def shares_frame(ctx: Context, sh: Shares) -> pd.DataFrame:
    return pd.DataFrame({"sh": np.arange(len(sh.sent)), "shared_at": ctx.timestamps(sh.sent), "g": sh.guide,
                         "s": sh.store, "target": pd.Categorical.from_codes(sh.target, TARGETS), "q": sh.group,
                         "content_type": pd.Categorical.from_codes(sh.content, names.CONTENT_TYPES),
                         "sku": pd.Categorical.from_codes(sh.sku, sku_names())})
