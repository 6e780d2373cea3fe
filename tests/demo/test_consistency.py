"""The demo tables agree with each other the way real exports would: every
reference resolves, nobody sells outside their store's or their own working
days, and shares, messages and streams line up in time."""
from __future__ import annotations

from datetime import date

import pytest

from dashboard import schema

END = date(2026, 11, 22)  # the build in conftest.py ends here


def test_every_table_has_rows(demo):
    empty = [t for t in schema.TABLES if demo.one(f"SELECT count(*) FROM {t}") == 0]
    assert not empty
    assert demo.counts == {t: demo.one(f"SELECT count(*) FROM {t}") for t in schema.TABLES}


def test_thirteen_months_up_to_the_end_date(demo):
    first, last = demo.rows("SELECT min(ordered_at), max(ordered_at) FROM orders")[0]
    assert last.date() == END and first.date().isoformat() == "2025-10-23"


@pytest.mark.parametrize("child, col, parent, key", [
    ("orders", "store_id", "stores", "store_id"), ("orders", "guide_id", "guides", "guide_id"),
    ("orders", "member_id", "members", "member_id"), ("orders", "share_id", "shares", "share_id"),
    ("orders", "live_id", "live_sessions", "live_id"), ("orders", "referrer_member_id", "members", "member_id"),
    ("guides", "store_id", "stores", "store_id"), ("members", "guide_id", "guides", "guide_id"),
    ("members", "store_id", "stores", "store_id"), ("members", "acquisition_channel", "channels", "channel_id"),
    ("member_tags", "member_id", "members", "member_id"), ("shares", "guide_id", "guides", "guide_id"),
    ("shares", "group_id", "groups", "group_id"), ("share_visits", "share_id", "shares", "share_id"),
    ("share_visits", "member_id", "members", "member_id"), ("groups", "store_id", "stores", "store_id"),
    ("groups", "owner_guide_id", "guides", "guide_id"), ("group_members", "group_id", "groups", "group_id"),
    ("group_members", "member_id", "members", "member_id"), ("group_messages", "group_id", "groups", "group_id"),
    ("live_sessions", "host_store_id", "stores", "store_id"), ("live_invites", "live_id", "live_sessions", "live_id"),
    ("live_invites", "guide_id", "guides", "guide_id"), ("live_invites", "member_id", "members", "member_id"),
    ("live_views", "live_id", "live_sessions", "live_id"), ("live_views", "member_id", "members", "member_id"),
    ("channel_spend", "channel_id", "channels", "channel_id"),
])
def test_references_resolve(demo, child, col, parent, key):
    dangling = demo.one(f"SELECT count(*) FROM {child} c WHERE c.{col} IS NOT NULL "
                        f"AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{key} = c.{col})")
    assert dangling == 0


def test_message_senders_resolve(demo):
    assert demo.one("""SELECT count(*) FROM group_messages m WHERE
        (sender_type = 'member' AND sender_id NOT IN (SELECT member_id FROM members))
        OR (sender_type = 'staff' AND sender_id NOT IN (SELECT guide_id FROM guides))""") == 0


def test_orders_only_while_the_store_trades(demo):
    assert demo.one("""SELECT count(*) FROM orders o JOIN stores s USING (store_id)
        WHERE o.ordered_at::DATE < s.opened_on OR o.ordered_at::DATE > s.closed_on""") == 0


def test_orders_credited_only_to_employed_guides_of_that_store(demo):
    assert demo.one("""SELECT count(*) FROM orders o JOIN guides g USING (guide_id)
        WHERE o.ordered_at::DATE < g.hired_on OR o.ordered_at::DATE > g.left_on OR g.store_id <> o.store_id""") == 0


def test_order_brand_is_the_store_brand_and_buyers_had_joined(demo):
    assert demo.one("SELECT count(*) FROM orders o JOIN stores s USING (store_id) WHERE o.brand <> s.brand") == 0
    assert demo.one("SELECT count(*) FROM orders o JOIN members m USING (member_id) WHERE m.joined_at > o.ordered_at") == 0


def test_shares_belong_to_the_guides_store_and_employment(demo):
    assert demo.one("""SELECT count(*) FROM shares s JOIN guides g USING (guide_id)
        WHERE s.store_id <> g.store_id OR s.shared_at::DATE < g.hired_on OR s.shared_at::DATE > g.left_on""") == 0
    assert demo.one("""SELECT count(*) FROM shares WHERE (target = 'group') <> (group_id IS NOT NULL)""") == 0
    assert demo.one("""SELECT count(*) FROM shares s JOIN groups q USING (group_id)
        WHERE q.store_id <> s.store_id OR q.created_at > s.shared_at OR q.dissolved_at < s.shared_at""") == 0


def test_share_orders_follow_a_share_by_the_credited_guide(demo):
    assert demo.one("""SELECT count(*) FROM orders o JOIN shares s USING (share_id)
        WHERE s.guide_id IS DISTINCT FROM o.guide_id OR s.shared_at >= o.ordered_at OR o.channel <> 'wemall'""") == 0
    assert demo.one("SELECT count(*) FROM share_visits v JOIN shares s USING (share_id) WHERE v.visited_at < s.shared_at") == 0


def test_replies_point_to_earlier_messages_of_the_same_group(demo):
    assert demo.one("SELECT count(*) FROM group_messages WHERE reply_to IS NOT NULL") > 0
    assert demo.one("""SELECT count(*) FROM group_messages m LEFT JOIN group_messages r ON r.message_id = m.reply_to
        WHERE m.reply_to IS NOT NULL AND (r.message_id IS NULL OR r.group_id <> m.group_id OR r.sent_at >= m.sent_at)""") == 0


def test_members_speak_only_while_in_the_group(demo):
    assert demo.one("""SELECT count(*) FROM group_messages m WHERE sender_type = 'member' AND NOT EXISTS (
        SELECT 1 FROM group_members gm WHERE gm.group_id = m.group_id AND gm.member_id = m.sender_id
        AND gm.joined_at <= m.sent_at AND (gm.left_at IS NULL OR gm.left_at > m.sent_at))""") == 0
    assert demo.one("""SELECT count(*) FROM group_messages m JOIN groups q USING (group_id)
        WHERE m.sent_at < q.created_at OR m.sent_at > q.dissolved_at""") == 0


def test_live_orders_fall_in_the_stream_or_its_72_hours(demo):
    assert demo.one("""SELECT count(*) FROM orders o JOIN live_sessions l USING (live_id)
        WHERE o.ordered_at < l.started_at OR o.ordered_at > l.ended_at + INTERVAL 72 HOUR
           OR o.brand <> l.brand OR o.channel <> 'wemall'""") == 0
    assert demo.one("""SELECT count(*) FROM live_views v JOIN live_sessions l USING (live_id)
        WHERE v.joined_at < l.started_at OR v.joined_at > l.ended_at
           OR v.joined_at + v.watch_seconds * INTERVAL 1 SECOND > l.ended_at""") == 0
    assert demo.one("SELECT count(*) FROM live_invites i JOIN live_sessions l USING (live_id) WHERE i.invited_at >= l.started_at") == 0


def test_nothing_happens_after_the_end_date(demo):
    for table, col in schema.SORT_KEYS.items():
        assert demo.one(f"SELECT count(*) FROM {table} WHERE {col} >= DATE '{END}' + INTERVAL 1 DAY") == 0, table
    assert demo.one(f"SELECT count(*) FROM members WHERE unfollowed_at < joined_at OR unfollowed_at >= DATE '{END}' + 1") == 0
