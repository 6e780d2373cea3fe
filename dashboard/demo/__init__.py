"""The deterministic demo dataset: every table of the SPEC.md contract for a
fictional group of three brands, consistent across tables and showing the
patterns the business sees (a few guides making most WeMall sales, moments
shares leading, lively and silent groups with KOCs, live-stream tails,
channels with very different ROI, Double 11...).

    generate(path, scale=1.0, seed=7, end_date=date(2026, 11, 22), progress=None)

Same (seed, scale, end_date) → identical tables. Scale 1 is about 200 stores,
2,000 guides, 200,000 members and 1M orders; stores and guides grow with the
square root of the scale.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable

import pandas as pd

from .. import schema, store
from . import channels, community, dimensions, live, members, orders, sharing, tags, targets
from .context import DAY, Context
from .writer import GROUP, GUIDE, LIVE, MEMBER, MESSAGE, ORDER, SHARE, STORE, cents, insert

__all__ = ["generate", "DEFAULT_END"]

DEFAULT_END = date(2026, 11, 22)
Progress = Callable[[float, str], None]


def generate(path, scale: float = 1.0, seed: int = 7, end_date: date = DEFAULT_END,
             progress: Progress | None = None) -> dict[str, int]:
    """Build the demo database at `path` (privately, then published atomically)
    and return the row count of every contract table."""
    say = progress or (lambda fraction, message: None)
    if isinstance(end_date, str):
        end_date = date.fromisoformat(end_date)
    ctx = Context(seed=int(seed), scale=float(scale), end=end_date)
    with store.building(Path(path), start_from_current=False) as con:
        con.execute("SET enable_progress_bar = false")
        say(0.01, "生成门店与导购…")
        st = dimensions.make_stores(ctx)
        gd = dimensions.make_guides(ctx, st)
        insert(con, "stores", dimensions.stores_frame(ctx, st), {"store_id": STORE()}, "s")
        insert(con, "guides", dimensions.guides_frame(ctx, gd), {"guide_id": GUIDE(), "store_id": STORE()}, "g")
        insert(con, "channels", channels.channels_frame(), {}, "channel_id")

        say(0.05, "生成直播场次与会员…")
        lv = live.make_lives(ctx, st)
        mb = members.make_members(ctx, st, gd, lv)
        insert(con, "members", members.members_frame(ctx, mb),
               {"member_id": MEMBER(), "guide_id": GUIDE(), "store_id": STORE()}, "joined_at, m")
        insert(con, "channel_spend", channels.spend_frame(ctx, mb.joined // DAY, mb.channel), {},
               "spend_date, channel_id")

        say(0.15, "生成社群与群成员…")
        gr = community.make_groups(ctx, st, gd)
        ms = community.make_memberships(ctx, gr, mb)
        insert(con, "groups", community.groups_frame(ctx, gr),
               {"group_id": GROUP(), "store_id": STORE(), "owner_guide_id": GUIDE()}, "q")
        insert(con, "group_members", community.memberships_frame(ctx, ms),
               {"group_id": GROUP(), "member_id": MEMBER()}, "joined_at, q, m")

        say(0.22, "生成导购分享…")
        sh = sharing.make_shares(ctx, st, gd, gr)
        insert(con, "shares", sharing.shares_frame(ctx, sh),
               {"share_id": SHARE(), "guide_id": GUIDE(), "store_id": STORE(), "group_id": GROUP()}, "shared_at, sh")

        say(0.35, "生成直播邀约与观看…")
        pools = orders.Pools(mb, ms)
        aud = live.make_audience(ctx, lv, st, gd, mb, pools.by_guide, pools.anyone)
        insert(con, "live_sessions", live.lives_frame(ctx, lv),
               {"live_id": LIVE(), "host_store_id": STORE(), "cost": "CAST(cost AS DECIMAL(14,2))"}, "l")
        insert(con, "live_invites", live.invites_frame(ctx, aud),
               {"live_id": LIVE(), "guide_id": GUIDE(), "member_id": MEMBER()}, "invited_at, l, g, m")
        insert(con, "live_views", live.views_frame(ctx, aud), {"live_id": LIVE(), "member_id": MEMBER()},
               "joined_at, l, m")

        say(0.42, "生成订单…")
        od = orders.make_orders(ctx, st, gd, mb, sh, ms, lv, aud, pools)
        say(0.55, "写入订单…")
        insert(con, "orders", orders.orders_frame(ctx, od),
               {"order_id": ORDER(), "store_id": STORE(), "guide_id": GUIDE(), "member_id": MEMBER(),
                "brand": "(SELECT brand FROM stores WHERE stores.store_id = " + STORE() + ")",
                "amount": cents("amount_c"), "refund_amount": cents("refund_c"), "share_id": SHARE(),
                "live_id": LIVE(), "referrer_member_id": MEMBER("r")}, "ordered_at, o")

        say(0.65, "生成分享访问…")
        v_share, v_member, v_at = sharing.make_visits(ctx, sh, pools.anyone, od.share, od.member, od.at)
        insert(con, "share_visits", pd.DataFrame({"sh": v_share, "m": v_member, "visited_at": ctx.timestamps(v_at)}),
               {"share_id": SHARE(), "member_id": MEMBER()}, "visited_at, sh, m")

        say(0.72, "生成群消息…")
        mg = community.make_messages(ctx, gr, ms, gd, st)
        say(0.85, "写入群消息…")
        insert(con, "group_messages", community.messages_frame(ctx, mg),
               {"message_id": MESSAGE(), "group_id": GROUP(),
                "sender_type": "CAST(sender_type AS VARCHAR)", "msg_type": "CAST(msg_type AS VARCHAR)",
                "sender_id": f"CASE CAST(sender_type AS VARCHAR) WHEN 'member' THEN {MEMBER('sender')} "
                             f"WHEN 'staff' THEN {GUIDE('sender')} ELSE 'BOT' END",
                "reply_to": MESSAGE("reply")}, "sent_at, i")

        say(0.93, "生成会员标签…")
        tags.write_tags(con, ctx, mb)
        say(0.96, "生成月度目标…")
        targets.write_targets(con, ctx)
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in schema.TABLES}
        say(0.98, "发布数据库…")
    say(1.0, "完成")
    return counts
