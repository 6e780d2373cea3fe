"""WeCom customer groups (社群): one or two groups per store plus brand and live
groups, who is in them, and what they say. Groups range from lively (≥ 10
members speaking most days, with a few KOCs everybody answers) to silent (no
member message for weeks before the end); a few member texts are complaints,
mostly answered by staff within half an hour."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import names
from .context import DAY, HOUR, Context
from .dimensions import BRAND_NAMES, MANAGER, NEVER, OPERATOR, Guides, Stores

KINDS = ("store", "live", "brand", "other")
LIVELY, MEDIUM, QUIET, SILENT = 0, 1, 2, 3
# expected members speaking per day, by liveliness
SPEAKERS = {LIVELY: 14.0, MEDIUM: 4.5, QUIET: 1.2, SILENT: 3.0}
MSG_TYPES = ("text", "image", "link", "miniprogram", "solitaire", "other")
SENDER_TYPES = ("member", "staff", "bot")


@dataclass
class Groups:
    n: int
    name: list
    store: np.ndarray
    owner: np.ndarray
    kind: np.ndarray
    created: np.ndarray
    dissolved: np.ndarray    # -1: still there
    level: np.ndarray
    silent_from: np.ndarray  # day members stop talking (NEVER if they don't)
    brand: np.ndarray


@dataclass
class Memberships:
    group: np.ndarray
    member: np.ndarray
    joined: np.ndarray
    left: np.ndarray         # -1: still in
    koc: np.ndarray
    propensity: np.ndarray   # chance to speak on a day


def make_groups(ctx: Context, stores: Stores, guides: Guides) -> Groups:
    rng = ctx.rng("groups")
    rows = []  # (name, store, owner, kind, created, dissolved, brand)
    for s in range(stores.n):
        own = np.nonzero((guides.store == s) & (guides.role == OPERATOR))[0]
        if not len(own):
            own = np.nonzero((guides.store == s) & (guides.role == MANAGER))[0]
        owner = int(own[0]) if len(own) else -1
        for k in range(1 + (rng.random() < 0.4)):
            if stores.open_day[s] >= 0:
                created_day = stores.open_day[s] + rng.integers(0, 5)
            elif rng.random() < 0.12:
                created_day = rng.integers(0, ctx.n_days - 90)
            else:
                created_day = max(stores.open_day[s], -rng.integers(30, 700))
            dissolved = (stores.close_day[s] - 1) * DAY + 20 * HOUR if stores.close_day[s] < NEVER else -1
            rows.append((f"{stores.name[s]}会员{k + 1}群", s, owner, 0, created_day * DAY + rng.integers(10, 18) * HOUR,
                         dissolved, stores.brand[s]))
    for b, brand in enumerate(BRAND_NAMES):
        ops = np.nonzero((guides.role == OPERATOR) & (stores.brand[guides.store] == b))[0]
        for kind, label in ((2, "会员福利群"), (1, "直播粉丝群")):
            owner = int(rng.choice(ops)) if len(ops) and rng.random() < 0.5 else -1
            rows.append((f"{brand}{label}", -1, owner, kind, -rng.integers(100, 500) * DAY + 11 * HOUR, -1, b))
    rows.append(("老会员答谢群", -1, -1, 3, -rng.integers(100, 500) * DAY + 15 * HOUR, -1, 0))
    n = len(rows)
    cols = list(zip(*rows))
    kind = np.array(cols[3])
    level = np.full(n, LIVELY)
    store_groups = np.nonzero(kind == 0)[0]
    perm = rng.permutation(store_groups)
    m = len(perm)
    quota = [max(1, int(round(m * q))) for q in (0.30, 0.35, 0.15)]
    level[perm[: quota[0]]] = LIVELY
    level[perm[quota[0]: quota[0] + quota[1]]] = MEDIUM
    level[perm[quota[0] + quota[1]: quota[0] + quota[1] + quota[2]]] = QUIET
    level[perm[quota[0] + quota[1] + quota[2]:]] = SILENT
    silent_from = np.where(level == SILENT, ctx.n_days - rng.integers(20, 90, n), NEVER)
    return Groups(n, list(cols[0]), np.array(cols[1]), np.array(cols[2]), kind,
                  np.array(cols[4], dtype="int64"), np.array(cols[5], dtype="int64"), level, silent_from,
                  np.array(cols[6]))


def make_memberships(ctx: Context, groups: Groups, members) -> Memberships:
    rng = ctx.rng("group_members")
    by_store = {}
    order = np.argsort(members.store, kind="stable")
    bounds = np.searchsorted(members.store[order], np.arange(-1, members.store.max() + 2))
    for s in range(members.store.max() + 1):
        by_store[s] = order[bounds[s + 1]: bounds[s + 2]]
    out = {k: [] for k in ("group", "member", "joined", "left", "koc", "propensity")}
    for g in range(groups.n):
        size = int(rng.integers(150, 280) if groups.level[g] == LIVELY else rng.integers(80, 240))
        if groups.kind[g] in (1, 2):
            size = int(rng.integers(300, 500))
        pool = by_store.get(int(groups.store[g]), np.empty(0, dtype="int64"))
        own = rng.choice(pool, min(len(pool), int(size * 0.8)), replace=False) if len(pool) else pool
        others = rng.integers(0, members.n, size - len(own) + 20)
        mem = rng.permutation(np.unique(np.concatenate([own, np.setdiff1d(others, own)[: size - len(own)]])))
        joined = np.maximum(groups.created[g], members.joined[mem]) + rng.exponential(20 * DAY, len(mem)).astype("int64") + 60
        ok = joined <= ctx.end_seconds
        if groups.dissolved[g] >= 0:
            ok &= joined < groups.dissolved[g]
        mem, joined = mem[ok], joined[ok]
        left = np.where(rng.random(len(mem)) < 0.12, joined + HOUR + rng.exponential(90 * DAY, len(mem)).astype("int64"), -1)
        left = np.where(left > ctx.end_seconds, -1, left)
        w = rng.lognormal(0, 1.0, len(mem))
        p = np.minimum(SPEAKERS[groups.level[g]] * w / max(w.sum(), 1e-9), 0.45)
        koc = np.zeros(len(mem), dtype=bool)
        n_koc = {LIVELY: 3, MEDIUM: 1}.get(int(groups.level[g]), 0)
        cand = np.nonzero((joined < (ctx.n_days - 60) * DAY) & (left < 0))[0]
        if n_koc and len(cand):
            pick = rng.choice(cand, min(n_koc, len(cand)), replace=False)
            koc[pick] = True
            p[pick] = 0.6 if groups.level[g] == LIVELY else 0.45
        for k, v in (("group", np.full(len(mem), g)), ("member", mem), ("joined", joined), ("left", left),
                     ("koc", koc), ("propensity", p)):
            out[k].append(v)
    cat = {k: np.concatenate(v) for k, v in out.items()}
    return Memberships(cat["group"].astype("int64"), cat["member"].astype("int64"), cat["joined"].astype("int64"),
                       cat["left"].astype("int64"), cat["koc"], cat["propensity"])


@dataclass
class Messages:
    group: np.ndarray
    sent: np.ndarray
    sender_type: np.ndarray  # index into SENDER_TYPES
    sender: np.ndarray       # member or guide index, -1 for the bot
    msg_type: np.ndarray
    text: np.ndarray         # index into TEXTS, -1 none
    reply_to: np.ndarray     # index into these arrays (sorted by time), -1 none


TEXTS = names.MEMBER_LINES + names.NEGATIVE_LINES + names.STAFF_LINES + names.STAFF_REPLY_LINES + names.BOT_LINES
_NEG0 = len(names.MEMBER_LINES)
_STAFF0 = _NEG0 + len(names.NEGATIVE_LINES)
_REPLY0 = _STAFF0 + len(names.STAFF_LINES)
_BOT0 = _REPLY0 + len(names.STAFF_REPLY_LINES)


def _staff_candidates(groups: Groups, guides: Guides, stores: Stores, g: int) -> np.ndarray:
    if groups.store[g] >= 0:
        return np.nonzero(guides.store == groups.store[g])[0]
    ops = np.nonzero((guides.role == OPERATOR) & (stores.brand[guides.store] == groups.brand[g]))[0]
    return ops if len(ops) else np.nonzero(stores.brand[guides.store] == groups.brand[g])[0]


def _group_messages(ctx, rng, groups, guides, stores, ms: Memberships, g: int, rows: slice):
    lo = max(0, int(groups.created[g] // DAY) + 1)
    hi = ctx.n_days if groups.dissolved[g] < 0 else min(ctx.n_days, int(groups.dissolved[g] // DAY))
    if hi <= lo:
        return None
    days = np.arange(lo, hi)
    mem_hi = min(hi, int(groups.silent_from[g]))
    mem, joined, left = ms.member[rows], ms.joined[rows], ms.left[rows]
    koc, p = ms.koc[rows], ms.propensity[rows]
    dayf = ctx.day_weight[days] ** 0.3
    mask = (days[None, :] > (joined // DAY)[:, None]) & ((left < 0)[:, None] | (days[None, :] < (left // DAY)[:, None]))
    mask &= days[None, :] < mem_hi
    active = (rng.random(mask.shape) < p[:, None] * dayf[None, :]) & mask
    mi, di = np.nonzero(active)
    cnt = 1 + rng.poisson(np.where(koc[mi], 2.5, 0.7))
    m_idx, m_day = np.repeat(mi, cnt), np.repeat(days[di], cnt)
    n_m = len(m_idx)
    m_sent = m_day * DAY + 8 * HOUR + rng.integers(0, int(15.5 * HOUR), n_m)
    m_type = rng.choice(6, n_m, p=[0.72, 0.14, 0.04, 0.05, 0.03, 0.02])
    negative = (m_type == 0) & (rng.random(n_m) < 0.015)
    m_text = np.where(m_type == 0, rng.integers(0, _NEG0, n_m), -1)
    m_text[negative] = _NEG0 + rng.integers(0, _STAFF0 - _NEG0, negative.sum())

    staff = _staff_candidates(groups, guides, stores, g)
    s_cnt = rng.poisson(0.8 if groups.level[g] == SILENT else 1.3, len(days)) if len(staff) else np.zeros(len(days), int)
    s_day = np.repeat(days, s_cnt)
    s_sender = staff[rng.integers(0, len(staff), len(s_day))] if len(staff) else np.empty(0, int)
    for _ in range(5):  # a colleague at work that day
        bad = ~guides.active(s_sender, s_day, stores)
        if not bad.any():
            break
        s_sender[bad] = staff[rng.integers(0, len(staff), bad.sum())]
    keep = guides.active(s_sender, s_day, stores)
    s_day, s_sender = s_day[keep], s_sender[keep]
    s_sent = s_day * DAY + int(9.5 * HOUR) + rng.integers(0, int(11.5 * HOUR), len(s_day))
    s_type = rng.choice(6, len(s_day), p=[0.25, 0.2, 0.2, 0.35, 0.0, 0.0])
    s_text = np.where(s_type == 0, _STAFF0 + rng.integers(0, _REPLY0 - _STAFF0, len(s_day)), -1)

    b_day = days[rng.random(len(days)) < 0.8]
    b_sent = b_day * DAY + 9 * HOUR + rng.integers(0, 1800, len(b_day))
    b_type = np.where(rng.random(len(b_day)) < 0.7, 0, 2)
    b_text = np.where(b_type == 0, _BOT0 + rng.integers(0, len(TEXTS) - _BOT0, len(b_day)), -1)

    # staff answers to complaints: most within 30 minutes, some late, some never
    neg = np.nonzero(negative)[0]
    u = rng.random(len(neg))
    answered = (u < 0.8) & (len(staff) > 0)
    neg = neg[answered]
    delay = np.where(u[answered] < 0.6, rng.integers(120, 25 * 60, len(neg)), rng.integers(HOUR, 5 * HOUR, len(neg)))
    r_sent = m_sent[neg] + delay
    r_sender = staff[rng.integers(0, len(staff), len(neg))] if len(staff) else np.empty(0, int)
    r_text = _REPLY0 + rng.integers(0, _BOT0 - _REPLY0, len(neg))

    sent = np.concatenate([m_sent, s_sent, b_sent, r_sent])
    stype = np.concatenate([np.zeros(n_m, int), np.ones(len(s_sent), int), np.full(len(b_sent), 2), np.ones(len(neg), int)])
    sender = np.concatenate([mem[m_idx], s_sender, np.full(len(b_sent), -1), r_sender])
    mtype = np.concatenate([m_type, s_type, b_type, np.zeros(len(neg), int)])
    text = np.concatenate([m_text, s_text, b_text, r_text])
    is_koc = np.concatenate([koc[m_idx], np.zeros(len(sent) - n_m, bool)])
    reply = np.full(len(sent), -1)
    reply[len(sent) - len(neg):] = neg  # pre-sort indices of the complaints
    keep = sent <= ctx.end_seconds
    order = np.argsort(np.where(keep, sent, np.iinfo("int64").max), kind="stable")[: keep.sum()]
    inverse = np.full(len(sent), -1)
    inverse[order] = np.arange(len(order))
    sent, stype, sender, mtype, text, is_koc = (a[order] for a in (sent, stype, sender, mtype, text, is_koc))
    reply = reply[order]
    reply = np.where(reply >= 0, inverse[np.maximum(reply, 0)], -1)

    # members answer each other, KOCs most of all
    n = len(sent)
    idx = np.arange(n)
    last_koc = np.maximum.accumulate(np.where(is_koc, idx, -1))
    prev_koc = np.concatenate([[-1], last_koc[:-1]])
    wants = (stype == 0) & (reply < 0) & (rng.random(n) < 0.3)
    target = np.where(rng.random(n) < 0.6, prev_koc, idx - rng.integers(1, 16, n))
    ok = wants & (target >= 0)
    t = np.maximum(target, 0)
    ok &= (sent[t] < sent) & (sent - sent[t] < 2 * DAY) & ~((stype[t] == 0) & (sender[t] == sender))
    reply = np.where(ok, target, reply)
    return sent, stype, sender, mtype, text, reply


def make_messages(ctx: Context, groups: Groups, ms: Memberships, guides: Guides, stores: Stores) -> Messages:
    rng = ctx.rng("group_messages")
    starts = np.searchsorted(ms.group, np.arange(groups.n + 1))
    parts, offset = [], 0
    for g in range(groups.n):
        res = _group_messages(ctx, rng, groups, guides, stores, ms, g, slice(starts[g], starts[g + 1]))
        if res is None or not len(res[0]):
            continue
        sent, stype, sender, mtype, text, reply = res
        parts.append((np.full(len(sent), g), sent, stype, sender, mtype, text, np.where(reply >= 0, reply + offset, -1)))
        offset += len(sent)
    cols = [np.concatenate(c) for c in zip(*parts)]
    group, sent, stype, sender, mtype, text, reply = cols
    order = np.lexsort((np.arange(len(sent)), sent))  # message ids follow time
    inverse = np.empty(len(order), dtype="int64")
    inverse[order] = np.arange(len(order))
    reply = reply[order]
    reply = np.where(reply >= 0, inverse[np.maximum(reply, 0)], -1)
    return Messages(group[order], sent[order], stype[order], sender[order], mtype[order], text[order], reply)


def groups_frame(ctx: Context, gr: Groups) -> pd.DataFrame:
    return pd.DataFrame({"q": np.arange(gr.n), "group_name": gr.name, "s": gr.store, "g": gr.owner,
                         "kind": [KINDS[k] for k in gr.kind], "created_at": ctx.timestamps(gr.created),
                         "dissolved_at": np.where(gr.dissolved >= 0, ctx.timestamps(np.maximum(gr.dissolved, 0)),
                                                  np.datetime64("NaT"))})


def memberships_frame(ctx: Context, ms: Memberships) -> pd.DataFrame:
    return pd.DataFrame({"q": ms.group, "m": ms.member, "joined_at": ctx.timestamps(ms.joined),
                         "left_at": np.where(ms.left >= 0, ctx.timestamps(np.maximum(ms.left, 0)), np.datetime64("NaT"))})


def messages_frame(ctx: Context, mg: Messages) -> pd.DataFrame:
    return pd.DataFrame({"i": np.arange(len(mg.sent)), "q": mg.group, "sent_at": ctx.timestamps(mg.sent),
                         "sender_type": pd.Categorical.from_codes(mg.sender_type, SENDER_TYPES),
                         "sender": mg.sender,
                         "msg_type": pd.Categorical.from_codes(mg.msg_type, MSG_TYPES),
                         "text": pd.Categorical.from_codes(mg.text, TEXTS), "reply": mg.reply_to})
