"""Acquisition channels: where new fans come from, what they cost, how long
they stay and how soon they buy. The numbers make ROI and churn differ a lot
between channels, as the business sees (paid ads: cheap to reach, quick to
leave; guides: free and loyal)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .context import Context


@dataclass(frozen=True)
class Channel:
    channel_id: str
    name: str
    kind: str
    share: float          # of new fans in the period
    cost_per_fan: float   # 0 for free channels (no spend rows)
    unfollow_7d: float    # chance to unfollow within 7 days of joining
    unfollow_late: float  # chance to unfollow later
    buy_30d: float        # chance to order within 30 days of joining
    bound: float          # chance to be bound to a store and guide
    engagement: float     # relative chance to be the buyer of an ordinary order


CHANNELS = [
    Channel("ad_douyin", "抖音信息流", "paid_ad", 0.13, 36.0, 0.38, 0.20, 0.07, 0.35, 0.3),
    Channel("ad_tencent", "腾讯广告", "paid_ad", 0.09, 28.0, 0.33, 0.20, 0.06, 0.35, 0.3),
    Channel("kol_xhs", "小红书达人", "kol", 0.06, 60.0, 0.22, 0.15, 0.12, 0.40, 0.5),
    Channel("outbound_call", "外呼召回", "outbound_call", 0.05, 15.0, 0.30, 0.15, 0.06, 0.80, 0.45),
    Channel("referral", "老带新", "referral", 0.08, 12.0, 0.08, 0.08, 0.28, 0.75, 0.9),
    Channel("guide_add", "导购添加", "guide", 0.22, 0.0, 0.04, 0.06, 0.42, 1.00, 1.0),
    Channel("store_qr", "门店扫码", "store_qr", 0.15, 0.0, 0.09, 0.08, 0.33, 1.00, 1.0),
    Channel("after_pay", "支付后关注", "after_payment", 0.12, 0.0, 0.12, 0.10, 0.28, 0.85, 0.9),
    Channel("live_room", "直播间关注", "live", 0.07, 0.0, 0.18, 0.15, 0.22, 0.50, 0.7),
    Channel("organic", "自然流量", "other", 0.03, 0.0, 0.12, 0.10, 0.10, 0.30, 0.6),
]
LIVE_CHANNEL = next(i for i, c in enumerate(CHANNELS) if c.kind == "live")
PAID_AD = [i for i, c in enumerate(CHANNELS) if c.kind in ("paid_ad", "kol")]


def channels_frame() -> pd.DataFrame:
    return pd.DataFrame({"channel_id": [c.channel_id for c in CHANNELS],
                         "channel_name": [c.name for c in CHANNELS],
                         "kind": [c.kind for c in CHANNELS]})


def channel_day_weights(ctx: Context, channel: int) -> np.ndarray:
    """When fans of a channel arrive: with store traffic, ads pushed harder
    before Double 11."""
    w = ctx.day_weight.copy()
    if channel in PAID_AD:
        for i in range(ctx.n_days):
            d = ctx.date_of(i)
            if d.month == 11 and d.day <= 11:
                w[i] *= 1.8
    return w


def spend_frame(ctx: Context, join_day: np.ndarray, channel: np.ndarray) -> pd.DataFrame:
    """One row per day and paid channel: fans bought that day x cost per fan,
    with noise and a running cost on days nobody came."""
    rng = ctx.rng("channel_spend")
    rows = []
    in_period = join_day >= 0
    for i, c in enumerate(CHANNELS):
        if c.cost_per_fan <= 0:
            continue
        fans = np.bincount(join_day[in_period & (channel == i)], minlength=ctx.n_days)[: ctx.n_days]
        spend = (fans + 0.3) * c.cost_per_fan * rng.uniform(0.85, 1.15, ctx.n_days)
        rows.append(pd.DataFrame({"spend_date": ctx.dates(np.arange(ctx.n_days)), "channel_id": c.channel_id,
                                  "spend": np.round(spend, 2)}))
    return pd.concat(rows, ignore_index=True)
