"""The business patterns the demo must show, measured with plain SQL over a
scale-0.05 build, for the 30 days up to the end date unless said otherwise."""
from __future__ import annotations

import math
from datetime import date, timedelta

START, END = "DATE '2026-10-24'", "DATE '2026-11-22'"
IN_PERIOD = f"ordered_at >= {START} AND ordered_at < {END} + INTERVAL 1 DAY"
NET = "(amount - refund_amount)"


def test_a_few_guides_make_most_wemall_sales(demo):
    rows = demo.rows(f"""
        SELECT coalesce(sum({NET}), 0) FROM guides g
        LEFT JOIN orders o ON o.guide_id = g.guide_id AND o.channel = 'wemall' AND {IN_PERIOD}
        WHERE g.hired_on <= {END} AND (g.left_on IS NULL OR g.left_on >= {START})
        GROUP BY g.guide_id ORDER BY 1 DESC""")
    sales = [float(r[0]) for r in rows]
    top = math.ceil(0.1 * len(sales))
    concentration = sum(sales[:top]) / sum(sales)
    assert len(sales) > 200
    assert 0.60 <= concentration <= 0.90, concentration


def test_moments_shares_bring_most_wemall_sales(demo):
    by = dict(demo.rows(f"""
        SELECT coalesce(s.target, 'direct'), sum({NET}) / sum(sum({NET})) OVER ()
        FROM orders o LEFT JOIN shares s USING (share_id)
        WHERE o.channel = 'wemall' AND {IN_PERIOD} GROUP BY 1"""))
    assert set(by) == {"moments", "private_chat", "group", "direct"}
    assert by["moments"] > 0.5
    assert by["moments"] > by["private_chat"] > by["group"] > 0
    assert by["direct"] > 0.02


def test_cross_city_and_off_hours_wemall_sales(demo):
    cross, off = demo.rows(f"""
        SELECT sum({NET}) FILTER (WHERE o.buyer_city <> s.city) / sum({NET}),
               sum({NET}) FILTER (WHERE o.ordered_at::TIME < s.open_time OR o.ordered_at::TIME >= s.close_time) / sum({NET})
        FROM orders o JOIN stores s USING (store_id) WHERE o.channel = 'wemall' AND {IN_PERIOD}""")[0]
    assert 0.15 <= cross <= 0.25, cross
    assert 0.15 <= off <= 0.25, off


ROSTER = f"""
    WITH roster AS (
        SELECT g.guide_id, d::DATE AS day FROM guides g, range({START}, {END} + INTERVAL 1 DAY, INTERVAL 1 DAY) t(d)
        WHERE g.role = 'guide' AND g.hired_on <= d AND (g.left_on IS NULL OR g.left_on >= d)),
    daily AS (SELECT guide_id, shared_at::DATE AS day, count(*) AS n FROM shares GROUP BY ALL),
    rates AS (
        SELECT r.guide_id, avg(CASE WHEN coalesce(n, 0) >= 3 THEN 1 ELSE 0 END) AS share_rate,
               avg(CASE WHEN coalesce(n, 0) >= 1 THEN 1 ELSE 0 END) AS sharing_days
        FROM roster r LEFT JOIN daily USING (guide_id, day) GROUP BY r.guide_id),
    sales AS (
        SELECT r.guide_id, coalesce(sum({NET}), 0) AS wemall
        FROM rates r LEFT JOIN orders o ON o.guide_id = r.guide_id AND o.channel = 'wemall' AND {IN_PERIOD}
        GROUP BY r.guide_id)
"""


def test_share_rates_vary_widely_and_fill_every_diagnosis(demo):
    high, low, total, sharing = demo.rows(ROSTER + """
        SELECT count(*) FILTER (WHERE share_rate >= 0.8), count(*) FILTER (WHERE share_rate < 0.5),
               count(*), avg(sharing_days) FROM rates""")[0]
    assert high / total >= 0.2 and low / total >= 0.2, (high, low, total)
    assert sharing > 0.6  # guides share on most of their days
    quadrants = demo.rows(ROSTER + """
        SELECT meets, above, count(*) FROM (
            SELECT share_rate >= 0.8 AS meets, wemall >= median(wemall) OVER () AS above
            FROM rates JOIN sales USING (guide_id)) GROUP BY ALL""")
    assert len(quadrants) == 4 and all(n >= 3 for *_, n in quadrants), quadrants


def test_share_funnel(demo):
    shares, visits, orders = demo.rows(f"""
        SELECT (SELECT count(*) FROM shares WHERE shared_at >= {START}),
               (SELECT count(*) FROM share_visits WHERE visited_at >= {START}),
               (SELECT count(*) FROM orders WHERE share_id IS NOT NULL AND {IN_PERIOD})""")[0]
    assert shares > visits > orders > 0


DAILY_ACTIVE = """
    WITH active AS (
        SELECT group_id, sent_at::DATE AS day, count(DISTINCT sender_id) AS speakers FROM group_messages
        WHERE sender_type = 'member' AND sent_at >= DATE '2026-10-26' GROUP BY ALL)
"""


def test_groups_range_from_lively_to_silent(demo):
    lively = demo.one(DAILY_ACTIVE + """
        SELECT count(*) FROM (SELECT group_id FROM active WHERE speakers >= 10 GROUP BY 1 HAVING count(*) >= 20)""")
    silent = demo.one(f"""
        SELECT count(*) FROM groups q WHERE dissolved_at IS NULL
        AND EXISTS (SELECT 1 FROM group_messages m WHERE m.group_id = q.group_id AND sender_type = 'member')
        AND NOT EXISTS (SELECT 1 FROM group_messages m WHERE m.group_id = q.group_id AND sender_type = 'member'
                        AND m.sent_at >= {END} - INTERVAL 13 DAY)""")
    groups = demo.one("SELECT count(*) FROM groups")
    assert lively >= 0.2 * groups and silent >= 0.1 * groups, (lively, silent, groups)
    kinds = dict(demo.rows("SELECT kind, count(*) FILTER (WHERE store_id IS NULL) FROM groups GROUP BY 1"))
    assert kinds["store"] == 0 and kinds["live"] > 0 and kinds["brand"] > 0
    assert demo.one("SELECT count(*) FILTER (WHERE kind = 'store') / count(*) FROM groups") > 0.8


def test_group_members_join_and_leave_and_every_sender_type_speaks(demo):
    joined, left = demo.rows(f"""SELECT count(*) FILTER (WHERE joined_at >= {START}),
                                        count(*) FILTER (WHERE left_at IS NOT NULL) FROM group_members""")[0]
    assert joined > 0 and left > 0
    assert {r[0] for r in demo.rows("SELECT DISTINCT sender_type FROM group_messages")} == {"member", "staff", "bot"}


KOC = f"""
    WITH recent AS (SELECT * FROM group_messages WHERE sent_at >= {END} - INTERVAL 27 DAY),
    days AS (SELECT group_id, sender_id AS member_id, count(DISTINCT sent_at::DATE) AS active_days
             FROM recent WHERE sender_type = 'member' GROUP BY ALL),
    repliers AS (SELECT t.group_id, t.sender_id AS member_id, count(DISTINCT r.sender_id) AS distinct_repliers
                 FROM recent r JOIN group_messages t ON t.message_id = r.reply_to
                 WHERE r.sender_type = 'member' AND t.sender_type = 'member' AND r.sender_id <> t.sender_id GROUP BY ALL)
"""


def test_lively_groups_have_kocs(demo):
    kocs = demo.rows(KOC + """
        SELECT group_id, count(*) FROM days JOIN repliers USING (group_id, member_id)
        WHERE active_days >= 8 AND distinct_repliers >= 5 GROUP BY 1""")
    lively = demo.one(DAILY_ACTIVE + "SELECT count(DISTINCT group_id) FROM active WHERE speakers >= 10")
    assert len(kocs) >= 0.5 * lively and all(1 <= n <= 6 for _, n in kocs), kocs
    referred = demo.one(f"""SELECT count(*) FROM (SELECT referrer_member_id FROM orders
        WHERE referrer_member_id IS NOT NULL GROUP BY 1 HAVING sum({NET}) >= 1000)""")
    assert referred > 0


def test_some_member_texts_are_complaints_mostly_answered_fast(demo):
    negative = "(text LIKE '%投诉%' OR text LIKE '%太慢%' OR text LIKE '%假货%' OR text LIKE '%退款%' OR text LIKE '%质量差%')"
    share, n = demo.rows(f"""SELECT count(*) FILTER (WHERE {negative}) / count(*), count(*) FILTER (WHERE {negative})
                             FROM group_messages WHERE sender_type = 'member' AND msg_type = 'text'""")[0]
    assert 0.005 <= share <= 0.05 and n > 0
    fast = demo.one(f"""SELECT avg(CASE WHEN EXISTS (SELECT 1 FROM group_messages r WHERE r.reply_to = m.message_id
                          AND r.sender_type = 'staff' AND r.sent_at <= m.sent_at + INTERVAL 30 MINUTE) THEN 1 ELSE 0 END)
                        FROM group_messages m WHERE sender_type = 'member' AND {negative}""")
    assert 0.3 <= fast <= 0.9


def test_live_streams_and_their_72_hour_tail(demo):
    per_week, short, long, free = demo.rows("""
        SELECT count(*) / count(DISTINCT brand) / ((max(started_at)::DATE - min(started_at)::DATE) / 7.0),
               count(*) FILTER (WHERE ended_at - started_at < INTERVAL 1 HOUR),
               count(*) FILTER (WHERE ended_at - started_at > INTERVAL 3 HOUR), count(*) FILTER (WHERE cost <= 0)
        FROM live_sessions""")[0]
    assert 2 <= per_week <= 5 and short == long == free == 0
    live, tail = demo.rows(f"""
        SELECT sum({NET}) FILTER (WHERE o.ordered_at <= l.ended_at), sum({NET}) FILTER (WHERE o.ordered_at > l.ended_at)
        FROM orders o JOIN live_sessions l USING (live_id) WHERE l.started_at >= DATE '2026-09-01'""")[0]
    assert 1 <= tail / live <= 3, tail / live
    watch = demo.one("""SELECT avg(CASE WHEN v.member_id IS NULL THEN 0 ELSE 1 END)
        FROM (SELECT DISTINCT live_id, member_id FROM live_invites) i LEFT JOIN live_views v USING (live_id, member_id)""")
    assert 0.15 <= watch <= 0.6
    uninvited = demo.one("""SELECT count(*) FROM live_views v WHERE NOT EXISTS
        (SELECT 1 FROM live_invites i WHERE i.live_id = v.live_id AND i.member_id = v.member_id)""")
    assert uninvited > 0
    back = demo.one("""SELECT avg(CASE WHEN EXISTS (SELECT 1 FROM orders o, live_sessions l WHERE l.live_id = v.live_id AND o.member_id = v.member_id
                   AND o.channel = 'pos' AND o.ordered_at > l.ended_at AND o.ordered_at <= l.ended_at + INTERVAL 72 HOUR)
        THEN 1 ELSE 0 END) FROM live_views v""")
    assert 0.03 <= back <= 0.3


CHANNEL_FANS = f"""
    SELECT c.kind, count(*) AS fans,
           avg(CASE WHEN m.unfollowed_at < m.joined_at + INTERVAL 7 DAY THEN 1 ELSE 0 END) AS unfollow_7d,
           sum((SELECT coalesce(sum({NET}), 0) FROM orders o WHERE o.member_id = m.member_id
                AND o.ordered_at >= m.joined_at AND o.ordered_at < m.joined_at + INTERVAL 30 DAY)) AS gmv,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM orders o WHERE o.member_id = m.member_id
                AND o.ordered_at >= m.joined_at AND o.ordered_at < m.joined_at + INTERVAL 30 DAY)) AS buyers
    FROM members m JOIN channels c ON c.channel_id = m.acquisition_channel
    WHERE m.joined_at >= DATE '2026-01-01' AND m.joined_at < DATE '2026-10-01' GROUP BY c.kind
"""


def test_channels_differ_in_churn_and_roi(demo):
    kinds = {r[0] for r in demo.rows("SELECT DISTINCT kind FROM channels")}
    assert {"paid_ad", "guide", "store_qr", "after_payment", "live", "referral", "outbound_call", "kol"} <= kinds
    spend_kinds = {r[0] for r in demo.rows("SELECT DISTINCT kind FROM channel_spend JOIN channels USING (channel_id)")}
    assert spend_kinds == {"paid_ad", "kol", "outbound_call", "referral"}
    fans = {r[0]: r[1:] for r in demo.rows(CHANNEL_FANS)}
    assert fans["paid_ad"][1] > 0.25 and fans["guide"][1] < 0.08
    assert all(row[3] > 0 for row in fans.values())  # every channel's new fans buy within 30 days
    spend = dict(demo.rows("""SELECT kind, sum(spend) FROM channel_spend JOIN channels USING (channel_id)
        WHERE spend_date >= DATE '2026-01-01' AND spend_date < DATE '2026-10-01' GROUP BY 1"""))
    roi = {k: float(fans[k][2]) / float(spend[k]) for k in spend}
    assert roi["referral"] > 3 * roi["paid_ad"], roi


def test_refunds(demo):
    refunded, full, partial, bad = demo.rows("""
        SELECT avg(CASE WHEN refund_amount > 0 THEN 1 ELSE 0 END), count(*) FILTER (WHERE refund_amount = amount),
               count(*) FILTER (WHERE refund_amount > 0 AND refund_amount < amount),
               count(*) FILTER (WHERE refund_amount > amount OR refund_amount < 0) FROM orders""")[0]
    assert 0.05 <= refunded <= 0.10 and full > 0 and partial > 0 and bad == 0


def test_guides_and_stores_come_and_go(demo):
    hired, left = demo.rows("""SELECT count(*) FILTER (WHERE hired_on > DATE '2025-10-23'),
                                      count(*) FILTER (WHERE left_on BETWEEN DATE '2025-10-23' AND DATE '2026-11-22')
                               FROM guides""")[0]
    assert hired > 10 and left > 10
    opened = demo.rows("SELECT store_id, opened_on FROM stores WHERE opened_on > DATE '2025-10-23'")
    closed = demo.rows("SELECT store_id, closed_on FROM stores WHERE closed_on IS NOT NULL")
    assert opened and closed
    for store_id, day in opened:
        first = demo.one("SELECT min(ordered_at)::DATE FROM orders WHERE store_id = $s", {"s": store_id})
        assert first is not None and first >= day
    for store_id, day in closed:
        last = demo.one("SELECT max(ordered_at)::DATE FROM orders WHERE store_id = $s", {"s": store_id})
        assert last is not None and last <= day  # closed_on is the last trading day


def test_seasonality(demo):
    weekend, weekday = demo.rows(f"""
        SELECT avg(s) FILTER (WHERE isodow(d) >= 6), avg(s) FILTER (WHERE isodow(d) < 6)
        FROM (SELECT ordered_at::DATE d, sum({NET}) s FROM orders
              WHERE ordered_at < DATE '2026-10-01' GROUP BY 1)""")[0]
    assert weekend > 1.1 * weekday
    daily = dict(demo.rows(f"SELECT ordered_at::DATE, sum({NET}) FROM orders GROUP BY 1"))
    d11 = float(daily[date(2026, 11, 11)])
    before = [float(daily[date(2026, 11, k)]) for k in range(1, 11)]
    october = [float(v) for d, v in daily.items() if d.year == 2026 and d.month == 10]
    assert d11 > 2 * max(before) * 0.9 and d11 > 3 * (sum(october) / len(october))
    assert sum(before) / len(before) > 1.2 * sum(october) / len(october)
    this_year = sum(float(daily[date(2026, 11, 1) + timedelta(k)]) for k in range(22))
    last_year = sum(float(daily[date(2025, 11, 1) + timedelta(k)]) for k in range(22))
    assert this_year > 1.05 * last_year


def test_member_tags(demo):
    untagged, avg_tags = demo.rows("""SELECT count(*) FILTER (WHERE n IS NULL), avg(coalesce(n, 0)) FROM members
        LEFT JOIN (SELECT member_id, count(*) n FROM member_tags GROUP BY 1) USING (member_id)""")[0]
    assert untagged == 0 and 1.5 <= avg_tags <= 4
    tags = {r[0] for r in demo.rows("SELECT DISTINCT tag FROM member_tags")}
    assert {"高价值", "沉睡", "新客", "尺码S", "尺码M"} <= tags


def test_pos_orders_are_mostly_credited_to_a_guide_of_the_store(demo):
    credited = demo.one(f"SELECT avg(CASE WHEN guide_id IS NOT NULL THEN 1 ELSE 0 END) FROM orders WHERE channel = 'pos' AND {IN_PERIOD}")
    assert credited > 0.8
    share_orders = demo.one(f"SELECT avg(CASE WHEN share_id IS NOT NULL THEN 1 ELSE 0 END) FROM orders WHERE channel = 'wemall' AND {IN_PERIOD}")
    assert 0.6 < share_orders < 0.95
